//! Split + parse + replay arbitrary bytes in every dialect: must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use schemagate::analysis::dialect::Dialect;
use schemagate::analysis::replay::Replayer;
use schemagate::analysis::sql::parse_file;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for dialect in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        let parsed = parse_file("fuzz.sql", &text, dialect);
        let mut replayer = Replayer::new(dialect);
        replayer.apply_file("fuzz.sql", &parsed.statements);
        // Applying the same file twice exercises "already exists" / rename paths.
        replayer.apply_file("fuzz2.sql", &parsed.statements);
    }
});
