//! Analysis throughput: replay + cascade of a generated 2,000-migration history (~2 MB) versus
//! sqlparser alone parsing the same statements, and how the time scales with 10x the input.
//!
//! Run with `cargo bench --bench analysis`. Prints figures; asserts nothing (targets: analysis
//! under 100 ms, within 1.5x of parse-only, 10x input at most 12x time).

#[path = "../tests/support/history_gen.rs"]
mod history_gen;

use std::hint::black_box;
use std::time::{Duration, Instant};

use schemagate::analysis::cascade::CascadeGraph;
use schemagate::analysis::detect::DetectOptions;
use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::fileset::FileSet;
use schemagate::analysis::pipeline::analyze_tree;
use schemagate::analysis::replay::Replayer;
use schemagate::analysis::sql::parse_file;
use sqlparser::parser::Parser;

/// The binary's allocator, so the figures are the product's (both sides of every ratio use it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn history_files(migrations: usize) -> FileSet {
    let mut files = FileSet::new();
    files.insert(
        "prisma/migrations/migration_lock.toml",
        "provider = \"sqlite\"\n",
    );
    for m in history_gen::generate_history(migrations, 42) {
        files.insert(format!("prisma/migrations/{}/migration.sql", m.dir), m.sql);
    }
    files
}

/// Median wall time of `runs` calls.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn statement_texts(files: &FileSet) -> Vec<String> {
    files
        .iter()
        .filter(|(path, _)| path.ends_with(".sql"))
        .flat_map(|(path, bytes)| {
            let text = String::from_utf8_lossy(bytes);
            parse_file(path, &text, Dialect::Sqlite)
                .statements
                .into_iter()
                .map(|s| s.text)
        })
        .collect()
}

fn parse_only(texts: &[String]) {
    let dialect = Dialect::Sqlite.parser_dialect();
    for text in texts {
        let parsed = Parser::new(dialect)
            .try_with_sql(text)
            .and_then(|mut p| p.parse_statement());
        black_box(parsed.is_ok());
    }
}

fn full_analysis(files: &FileSet) -> usize {
    let analysis = analyze_tree(files, &DetectOptions::default());
    every_cascade(&analysis)
}

fn every_cascade(analysis: &schemagate::analysis::pipeline::TreeAnalysis) -> usize {
    let mut reached = 0;
    for set in &analysis.sets {
        let schema = set.cascade_schema();
        let graph = CascadeGraph::new(&schema);
        for table in &schema.tables {
            if let Some(report) = graph.report(&table.name) {
                reached += report.tables_reached.len();
            }
        }
    }
    reached
}

struct Figures {
    bytes: usize,
    statements: usize,
    parse: Duration,
    analysis: Duration,
    replay_only: Duration,
    cascade_only: Duration,
    split_parse_only: Duration,
    apply_only: Duration,
}

fn measure(migrations: usize, runs: usize) -> Figures {
    let files = history_files(migrations);
    let bytes = files.iter().map(|(_, b)| b.len()).sum();
    let texts = statement_texts(&files);
    let parse = median(runs, || parse_only(&texts));
    let analysis = median(runs, || {
        black_box(full_analysis(&files));
    });
    let replay_only = median(runs, || {
        black_box(analyze_tree(&files, &DetectOptions::default()));
    });
    let split_parse_only = median(runs, || {
        for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".sql")) {
            let text = String::from_utf8_lossy(bytes);
            black_box(parse_file(path, &text, Dialect::Sqlite));
        }
    });
    let parsed: Vec<(String, Vec<schemagate::analysis::sql::Statement>)> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".sql"))
        .map(|(path, bytes)| {
            let text = String::from_utf8_lossy(bytes);
            (
                path.to_owned(),
                parse_file(path, &text, Dialect::Sqlite).statements,
            )
        })
        .collect();
    let apply_only = median(runs, || {
        let mut replayer = Replayer::new(Dialect::Sqlite);
        for (path, statements) in &parsed {
            replayer.apply_file(path, statements);
        }
        black_box(replayer.finish());
    });
    let tree = analyze_tree(&files, &DetectOptions::default());
    let cascade_only = median(runs, || {
        black_box(every_cascade(&tree));
    });
    Figures {
        bytes,
        statements: texts.len(),
        parse,
        analysis,
        replay_only,
        cascade_only,
        split_parse_only,
        apply_only,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let small = measure(2_000, 11);
    let large = measure(20_000, 5);
    for (label, f) in [("2,000 migrations", &small), ("20,000 migrations", &large)] {
        println!(
            "{label}: {:.2} MB, {} statements | parse-only {:.1} ms | replay+cascade {:.1} ms | ratio {:.2}x",
            f.bytes as f64 / 1e6,
            f.statements,
            ms(f.parse),
            ms(f.analysis),
            f.analysis.as_secs_f64() / f.parse.as_secs_f64()
        );
        println!(
            "  of which: detect+split+parse+replay {:.1} ms (split+parse {:.1} ms, replay {:.1} ms), cascade of every table {:.1} ms",
            ms(f.replay_only),
            ms(f.split_parse_only),
            ms(f.apply_only),
            ms(f.cascade_only)
        );
    }
    println!(
        "scaling: 10x input -> {:.2}x time (target <= 12x); analysis target < 100 ms and <= 1.5x parse-only",
        large.analysis.as_secs_f64() / small.analysis.as_secs_f64()
    );
}
