//! The crate's import structure, read from `src/` (std only): no file-level import circle, and
//! the layer rules of docs/architecture.md.
//!
//! Every `crate::...` path (in `use` trees and inline) and every `super::...` path of a file,
//! outside comments, strings and `#[cfg(test)] mod` blocks (tests may reach anywhere), is an
//! import of the longest file module it names. A file does not import its own ancestors or
//! descendants by naming them. This is the graph `/work/shared/tools/import_circles.py` reads
//! (which also needs no circle in `src/`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Circles still present while the console is being rebuilt, each as its sorted modules. The
/// test fails when one of them is gone (take it off the list) as well as when a new one
/// appears, so the list only shrinks.
const KNOWN_CIRCLES: &[&[&str]] = &[];

/// The layers of src/lib.rs, lowest first: a top-level module imports only modules of its own
/// layer or below (`cli` drives `tui`, nothing imports `cli`).
const LAYERS: &[&[&str]] = &[
    &["analysis"],
    &["config", "source", "execution"],
    &["review", "check", "report"],
    &["github"],
    &["app"],
    &["tui"],
    &["cli"],
];

/// A module path below the crate root, e.g. `["github", "queue"]` (`[]` is the root).
type Module = Vec<String>;

#[test]
fn src_has_no_file_level_import_circle_but_the_known_ones() {
    let graph = ImportGraph::read(&src_dir());
    let found: BTreeSet<Vec<String>> = graph.circles().into_iter().collect();
    let known: BTreeSet<Vec<String>> = KNOWN_CIRCLES
        .iter()
        .map(|circle| circle.iter().map(|m| (*m).to_owned()).collect())
        .collect();
    let new: Vec<String> = found.difference(&known).map(|c| c.join(", ")).collect();
    let gone: Vec<String> = known.difference(&found).map(|c| c.join(", ")).collect();
    assert!(
        new.is_empty(),
        "import circle(s) in src/: {}",
        new.join("; ")
    );
    assert!(
        gone.is_empty(),
        "circle(s) listed in KNOWN_CIRCLES are gone (or changed): take them off: {}",
        gone.join("; ")
    );
}

#[test]
fn the_analysis_imports_nothing_else_of_the_crate() {
    let graph = ImportGraph::read(&src_dir());
    let wrong = graph.imports_from("analysis", |target| target != "analysis");
    assert!(wrong.is_empty(), "the analysis imports: {wrong:#?}");
}

#[test]
fn config_imports_nothing_above_the_analysis() {
    let graph = ImportGraph::read(&src_dir());
    let wrong = graph.imports_from("config", |target| !matches!(target, "analysis" | "config"));
    assert!(wrong.is_empty(), "config imports: {wrong:#?}");
}

#[test]
fn no_module_imports_a_layer_above_its_own() {
    let graph = ImportGraph::read(&src_dir());
    let layer_of = |top: &str| LAYERS.iter().position(|layer| layer.contains(&top));
    let mut wrong = Vec::new();
    for (module, targets) in &graph.edges {
        let Some(top) = module.first() else {
            continue;
        };
        let Some(own) = layer_of(top) else {
            wrong.push(format!(
                "{top} is in no layer: add it to LAYERS and src/lib.rs"
            ));
            continue;
        };
        for target in targets {
            let above = target
                .first()
                .and_then(|target_top| layer_of(target_top))
                .is_some_and(|layer| layer > own);
            if above {
                wrong.push(format!("{} -> {}", module.join("/"), target.join("/")));
            }
        }
    }
    wrong.dedup();
    assert!(wrong.is_empty(), "imports against the layers: {wrong:#?}");
}

#[test]
fn the_reader_sees_use_trees_inline_paths_and_super_but_not_tests_or_text() {
    let text = r#"
        use crate::a::{b::{self, c}, d as e};
        use super::sibling::Thing;
        // use crate::commented::out;
        /* crate::blocked::out */
        const TEXT: &str = "crate::quoted::out";
        fn f() { crate::inline::call(); }
        #[cfg(test)]
        mod tests { use crate::tested::Only; }
    "#;
    let paths = imported_paths(&code_only(text));
    let expected = [
        "crate a b",
        "crate a b c",
        "crate a d",
        "super sibling Thing",
        "crate inline call",
    ];
    let got: Vec<String> = paths.iter().map(|p| p.join(" ")).collect();
    assert_eq!(got, expected);
}

/// The directory of the crate's sources.
fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Which file module imports which.
struct ImportGraph {
    edges: BTreeMap<Module, BTreeSet<Module>>,
}

impl ImportGraph {
    /// The graph of every `.rs` file under `src`.
    fn read(src: &Path) -> ImportGraph {
        let mut files = Vec::new();
        collect_rs_files(src, &mut files);
        let sources: Vec<(Module, String)> = files
            .iter()
            .map(|path| {
                let text = fs::read_to_string(path)
                    .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
                (module_of(src, path), text)
            })
            .collect();
        let modules: BTreeSet<Module> = sources.iter().map(|(m, _)| m.clone()).collect();
        let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (module, text) in &sources {
            let targets = edges.entry(module.clone()).or_default();
            for path in imported_paths(&code_only(text)) {
                let Some(target) = resolve(&modules, module, &path) else {
                    continue;
                };
                let related = target.starts_with(module) || module.starts_with(&target);
                if !related {
                    targets.insert(target);
                }
            }
        }
        ImportGraph { edges }
    }

    /// The circles (strongly connected parts of more than one file), each as its sorted
    /// modules written `a/b`.
    fn circles(&self) -> Vec<Vec<String>> {
        let mut tarjan = Tarjan::default();
        for module in self.edges.keys() {
            if !tarjan.index.contains_key(module) {
                tarjan.visit(module, &self.edges);
            }
        }
        tarjan
            .components
            .into_iter()
            .filter(|component| component.len() > 1)
            .map(|component| {
                let mut names: Vec<String> = component.iter().map(|m| m.join("/")).collect();
                names.sort();
                names
            })
            .collect()
    }

    /// `file -> target` for every import of a file in top-level module `layer` whose target's
    /// top-level module is `forbidden`.
    fn imports_from(&self, layer: &str, forbidden: impl Fn(&str) -> bool) -> Vec<String> {
        let mut found = Vec::new();
        for (module, targets) in &self.edges {
            if module.first().map(String::as_str) != Some(layer) {
                continue;
            }
            for target in targets {
                if target.first().is_some_and(|top| forbidden(top)) {
                    found.push(format!("{} -> {}", module.join("/"), target.join("/")));
                }
            }
        }
        found
    }
}

/// Tarjan's strongly connected components.
#[derive(Default)]
struct Tarjan {
    next: usize,
    index: BTreeMap<Module, usize>,
    low: BTreeMap<Module, usize>,
    stack: Vec<Module>,
    on_stack: BTreeSet<Module>,
    components: Vec<Vec<Module>>,
}

impl Tarjan {
    fn visit(&mut self, module: &Module, edges: &BTreeMap<Module, BTreeSet<Module>>) {
        self.index.insert(module.clone(), self.next);
        self.low.insert(module.clone(), self.next);
        self.next += 1;
        self.stack.push(module.clone());
        self.on_stack.insert(module.clone());
        for target in edges.get(module).into_iter().flatten() {
            if !self.index.contains_key(target) {
                self.visit(target, edges);
                let low = self.low[module].min(self.low[target]);
                self.low.insert(module.clone(), low);
            } else if self.on_stack.contains(target) {
                let low = self.low[module].min(self.index[target]);
                self.low.insert(module.clone(), low);
            }
        }
        if self.low[module] == self.index[module] {
            let mut component = Vec::new();
            while let Some(member) = self.stack.pop() {
                self.on_stack.remove(&member);
                let done = &member == module;
                component.push(member);
                if done {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}

/// Every `.rs` file under `dir`.
fn collect_rs_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect_rs_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// The module a file defines: `github/queue.rs` and `github/queue/mod.rs` are `github::queue`,
/// `lib.rs` and `main.rs` the root.
fn module_of(src: &Path, path: &Path) -> Module {
    let relative = path.strip_prefix(src).expect("a file under src");
    let mut module: Module = relative
        .with_extension("")
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    if module
        .last()
        .is_some_and(|last| matches!(last.as_str(), "mod" | "lib" | "main"))
    {
        module.pop();
    }
    module
}

/// The file module a path names from `module` (its longest prefix that is a file), if any.
fn resolve(modules: &BTreeSet<Module>, module: &Module, path: &[String]) -> Option<Module> {
    let mut absolute: Module = match path.first().map(String::as_str) {
        Some("crate") => Vec::new(),
        Some("super") => module.clone(),
        _ => return None,
    };
    let mut rest = &path[1..];
    if path[0] == "super" {
        absolute.pop();
        while rest.first().is_some_and(|part| part == "super") {
            absolute.pop();
            rest = &rest[1..];
        }
    }
    absolute.extend(rest.iter().cloned());
    (1..=absolute.len())
        .rev()
        .map(|len| absolute[..len].to_vec())
        .find(|prefix| modules.contains(prefix))
}

/// `text` without comments, without the contents of string and character literals, and without
/// `#[cfg(test)] mod name { ... }` blocks.
fn code_only(text: &str) -> String {
    without_test_modules(&without_comments_and_strings(text))
}

/// `text` with comments removed and string literals emptied (`""`).
fn without_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        if rest.starts_with(&['/', '/']) {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if rest.starts_with(&['/', '*']) {
            i = skip_block_comment(&chars, i);
            out.push(' ');
        } else if let Some(end) = raw_string_end(&chars, i) {
            out.push_str("\"\"");
            i = end;
        } else if chars[i] == '"' {
            i = skip_quoted(&chars, i + 1, '"');
            out.push_str("\"\"");
        } else if chars[i] == '\'' && is_char_literal(&chars, i) {
            i = skip_quoted(&chars, i + 1, '\'');
            out.push_str("' '");
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The index after the (possibly nested) block comment starting at `start`.
fn skip_block_comment(chars: &[char], start: usize) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i < chars.len() {
        if chars[i..].starts_with(&['/', '*']) {
            depth += 1;
            i += 2;
        } else if chars[i..].starts_with(&['*', '/']) {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// The index after the raw string (`r"..."`, `r#"..."#`, `br"..."`) starting at `start`, if
/// one starts there.
fn raw_string_end(chars: &[char], start: usize) -> Option<usize> {
    let previous_is_ident = start > 0 && is_ident_char(chars[start - 1]);
    if previous_is_ident {
        return None;
    }
    let mut i = start;
    if chars.get(i) == Some(&'b') {
        i += 1;
    }
    if chars.get(i) != Some(&'r') {
        return None;
    }
    i += 1;
    let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
    i += hashes;
    if chars.get(i) != Some(&'"') {
        return None;
    }
    i += 1;
    while i < chars.len() {
        if chars[i] == '"'
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == '#')
                .count()
                == hashes
        {
            return Some(i + 1 + hashes);
        }
        i += 1;
    }
    Some(i)
}

/// The index after the literal closed by `quote`, whose contents start at `start`.
fn skip_quoted(chars: &[char], start: usize, quote: char) -> usize {
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// Whether the `'` at `start` opens a character literal (not a lifetime or a label).
fn is_char_literal(chars: &[char], start: usize) -> bool {
    matches!(
        (chars.get(start + 1), chars.get(start + 2)),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// Whether `c` may be part of an identifier.
fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `code` without its `#[cfg(test)] mod name { ... }` blocks.
fn without_test_modules(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        let after = &rest[at + "#[cfg(test)]".len()..];
        let Some(body) = test_module_body(after) else {
            out.push_str(&rest[..at + "#[cfg(test)]".len()]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..at]);
        let mut depth = 1;
        let mut end = body.len();
        for (offset, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = offset + 1;
                break;
            }
        }
        rest = &body[end..];
    }
    out.push_str(rest);
    out
}

/// What follows the `{` of `[pub] mod name {` at the start of `text` (after whitespace), if
/// that is what `text` starts with.
fn test_module_body(text: &str) -> Option<&str> {
    let text = text.trim_start();
    let text = text.strip_prefix("pub").map_or(text, str::trim_start);
    let text = text.strip_prefix("mod")?;
    let text = text.trim_start();
    let name_len = text.find(|c: char| !is_ident_char(c))?;
    if name_len == 0 {
        return None;
    }
    text[name_len..].trim_start().strip_prefix('{')
}

/// Every `crate::...` and `super::...` path in `code`, `use` trees expanded (a group's
/// `self` is the group's own path).
fn imported_paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut paths = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !(is_ident_char(chars[i - 1]) || chars[i - 1] == ':');
        if starts_word {
            let root = ["crate", "super"]
                .into_iter()
                .find(|root| starts_with_path_root(&chars[i..], root));
            if let Some(root) = root {
                let mut prefix = vec![root.to_owned()];
                i = read_tree(&chars, i + root.len() + 2, &mut prefix, &mut paths);
                continue;
            }
        }
        i += 1;
    }
    paths
}

/// Whether `chars` starts with `root::`.
fn starts_with_path_root(chars: &[char], root: &str) -> bool {
    let root: Vec<char> = root.chars().chain("::".chars()).collect();
    chars.starts_with(&root)
}

/// Reads the path or use tree at `start` below `prefix` into `paths`; returns where it ended.
fn read_tree(
    chars: &[char],
    start: usize,
    prefix: &mut Vec<String>,
    paths: &mut Vec<Vec<String>>,
) -> usize {
    let depth = prefix.len();
    let mut i = start;
    loop {
        i = skip_space(chars, i);
        if chars.get(i) == Some(&'{') {
            i += 1;
            loop {
                i = skip_space(chars, i);
                match chars.get(i) {
                    Some('}') => {
                        i += 1;
                        break;
                    }
                    Some(',') => i += 1,
                    Some(_) => i = read_tree(chars, i, prefix, paths),
                    None => break,
                }
            }
            prefix.truncate(depth);
            return i;
        }
        let length = chars[i..].iter().take_while(|c| is_ident_char(**c)).count();
        if length == 0 {
            break;
        }
        let segment: String = chars[i..i + length].iter().collect();
        i += length;
        if segment != "self" {
            prefix.push(segment);
        }
        if chars[i..].starts_with(&[':', ':']) {
            i += 2;
        } else {
            break;
        }
    }
    if prefix.len() > 1 {
        paths.push(prefix.clone());
    }
    i = skip_alias(chars, i);
    prefix.truncate(depth);
    i
}

/// The index after whitespace at `start`.
fn skip_space(chars: &[char], start: usize) -> usize {
    start
        + chars[start..]
            .iter()
            .take_while(|c| c.is_whitespace())
            .count()
}

/// The index after ` as name` at `start`, or `start` when there is none.
fn skip_alias(chars: &[char], start: usize) -> usize {
    let i = skip_space(chars, start);
    if chars[i..].starts_with(&['a', 's']) && chars.get(i + 2).is_some_and(|c| c.is_whitespace()) {
        let name_start = skip_space(chars, i + 2);
        return name_start
            + chars[name_start..]
                .iter()
                .take_while(|c| is_ident_char(**c))
                .count();
    }
    start
}
