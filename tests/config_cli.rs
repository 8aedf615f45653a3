//! `schemagate config` run as a binary with the config directory in a temporary folder
//! (`SCHEMAGATE_CONFIG_DIR`) or `--config FILE`: `--init` writes a loadable example and never
//! overwrites, invalid files are reported at file:line:column, and the token source is named
//! without the token ever being printed.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// A fake token that must never appear in any output.
const SECRET: &str = "ghp_testsecret";

/// A sandbox: an empty config directory and an empty PATH (so `gh` cannot be found).
struct Sandbox {
    config_dir: TempDir,
    empty_path: TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Sandbox {
            config_dir: tempfile::tempdir().unwrap(),
            empty_path: tempfile::tempdir().unwrap(),
        }
    }

    /// `schemagate ARGS` with no token in the environment unless `env` sets one.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_schemagate"));
        command
            .args(args)
            .env("SCHEMAGATE_CONFIG_DIR", self.config_dir.path())
            .env("PATH", self.empty_path.path())
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_ENTERPRISE_TOKEN");
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().unwrap()
    }

    /// Puts a fake `gh` (a shell script with `body`) on the sandbox's PATH.
    fn fake_gh(&self, body: &str) {
        let script = self.empty_path.path().join("gh");
        fs::write(&script, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn default_file(&self) -> PathBuf {
        self.config_dir.path().join("config.toml")
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
}

#[test]
fn init_writes_an_example_that_loads() {
    let sandbox = Sandbox::new();
    let before = sandbox.run(&["config"], &[]);
    assert!(before.status.success(), "{}", stderr(&before));
    assert!(stdout(&before).contains("(not found; `schemagate config --init`"));

    let init = sandbox.run(&["config", "--init"], &[]);
    assert!(init.status.success(), "{}", stderr(&init));
    assert!(stdout(&init).contains(&sandbox.default_file().display().to_string()));
    let written = fs::read_to_string(sandbox.default_file()).unwrap();
    assert!(written.starts_with("# schemagate configuration"));

    let shown = sandbox.run(&["config"], &[]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(text.contains("(exists)"), "{text}");
    assert!(text.contains("acme/shop (main), extra migrations: db/schema/**/*.sql"));
    assert!(
        text.contains("Needs my review: review-requested:@me"),
        "{text}"
    );
    assert!(text.contains("DB label: label:db -author:@me"), "{text}");
    assert!(text.contains("refresh = ctrl+r"), "{text}");
    assert!(text.contains("Auto-refresh: every 300 s"), "{text}");
}

#[test]
fn init_refuses_to_overwrite() {
    let sandbox = Sandbox::new();
    let file = sandbox.config_dir.path().join("nested/mine.toml");
    let file_arg = file.to_str().unwrap();
    let first = sandbox.run(&["--config", file_arg, "config", "--init"], &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    fs::write(&file, "theme = \"light\"\n").unwrap();

    let second = sandbox.run(&["--config", file_arg, "config", "--init"], &[]);
    assert_eq!(second.status.code(), Some(2));
    assert!(stderr(&second).contains(&format!("{file_arg} already exists")));
    assert_eq!(fs::read_to_string(&file).unwrap(), "theme = \"light\"\n");
}

#[test]
fn invalid_files_are_reported_at_file_line_and_column() {
    let sandbox = Sandbox::new();
    let cases = [
        (
            "unknown_key.toml",
            ":3:1: unknown field `refresh_intervall_secs`",
        ),
        (
            "bad_repo.toml",
            ":5:8: repository name `just-a-name` is not `owner/name`",
        ),
        (
            "bad_glob.toml",
            ":3:14: invalid migration glob `db/{schema/*.sql`",
        ),
        (
            "unknown_action.toml",
            ":3:18: unknown action `launch_rockets`",
        ),
        (
            "duplicate_key.toml",
            ":4:11: key `x` is bound to both `tick` and `verdict`",
        ),
    ];
    for (name, expected) in cases {
        let path = fixture(name);
        let output = sandbox.run(&["--config", path.to_str().unwrap(), "config"], &[]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        let expected = format!("{}{expected}", path.display());
        assert!(
            stderr(&output).contains(&expected),
            "{name}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn missing_config_file_given_is_an_error() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["--config", "/nonexistent/sg.toml", "config"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("config file /nonexistent/sg.toml does not exist"));
}

#[test]
fn names_the_token_source_and_never_the_token() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(
        &["config"],
        &[("GH_TOKEN", SECRET), ("GITHUB_TOKEN", "other")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("Token:        from the GH_TOKEN environment variable"));
    assert!(stdout(&output).contains("API URL:      https://api.github.com (default)"));
    for text in [stdout(&output), stderr(&output)] {
        assert!(!text.contains(SECRET), "{text}");
    }
}

#[test]
fn enterprise_server_prefers_gh_enterprise_token() {
    let sandbox = Sandbox::new();
    let path = fixture("full.toml");
    let env = [("GH_TOKEN", SECRET), ("GH_ENTERPRISE_TOKEN", "ghe_secret")];
    let output = sandbox.run(&["--config", path.to_str().unwrap(), "config"], &env);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("https://ghe.example.com/api/v3 (from the config file)"));
    assert!(text.contains("from the GH_ENTERPRISE_TOKEN environment variable"));
    assert!(text.contains("Theme:        high-contrast"), "{text}");
    assert!(text.contains("  acme/billing (any base)"), "{text}");

    let dotcom = ["--api-url", "https://api.github.com", "--config"];
    let mut args = dotcom.to_vec();
    args.extend([path.to_str().unwrap(), "config"]);
    let overridden = sandbox.run(&args, &env);
    let text = stdout(&overridden);
    assert!(
        text.contains("https://api.github.com (from --api-url)"),
        "{text}"
    );
    assert!(
        text.contains("from the GH_TOKEN environment variable"),
        "{text}"
    );
    for text in [stdout(&output), stderr(&output), text] {
        assert!(
            !text.contains(SECRET) && !text.contains("ghe_secret"),
            "{text}"
        );
    }
}

#[test]
fn no_token_explains_how_to_get_one() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["config"], &[("GH_TOKEN", "  ")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("Token:        none found. no GitHub token"),
        "{text}"
    );
    assert!(text.contains("gh auth login"), "{text}");
    assert!(text.contains("`schemagate demo`"), "{text}");
}

#[test]
fn falls_back_to_gh_auth_token_with_the_enterprise_hostname() {
    let sandbox = Sandbox::new();
    let args_file = sandbox.empty_path.path().join("args");
    sandbox.fake_gh(&format!(
        "echo \"$@\" > '{}'\necho gho_fromcli",
        args_file.display()
    ));
    let dotcom = sandbox.run(&["config"], &[]);
    assert!(stdout(&dotcom).contains("Token:        from `gh auth token`"));
    assert_eq!(fs::read_to_string(&args_file).unwrap(), "auth token\n");

    let ghes = ["--api-url", "https://ghe.example.com/api/v3", "config"];
    let enterprise = sandbox.run(&ghes, &[]);
    assert!(stdout(&enterprise).contains("Token:        from `gh auth token`"));
    assert_eq!(
        fs::read_to_string(&args_file).unwrap(),
        "auth token --hostname ghe.example.com\n"
    );
    for text in [stdout(&dotcom), stderr(&dotcom), stdout(&enterprise)] {
        assert!(!text.contains("gho_fromcli"), "{text}");
    }
}

#[test]
fn gh_that_fails_or_hangs_is_no_token() {
    let sandbox = Sandbox::new();
    sandbox.fake_gh("echo 'not logged in' >&2\nexit 1");
    let failed = sandbox.run(&["config"], &[]);
    assert!(stdout(&failed).contains("Token:        none found."));

    sandbox.fake_gh("exec /bin/sleep 60");
    let started = Instant::now();
    let hung = sandbox.run(&["config"], &[]);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(stdout(&hung).contains("Token:        none found."));
}

#[test]
fn non_utf8_file_is_reported_at_its_line() {
    let sandbox = Sandbox::new();
    fs::write(sandbox.default_file(), b"theme = \"dark\"\n# caf\xe9\n").unwrap();
    let output = sandbox.run(&["config"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let expected = format!(
        "{}:2:6: the config file is not UTF-8 text",
        sandbox.default_file().display()
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
}
