//! Parse arbitrary bytes as schema.prisma and compare with an empty schema: must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use schemagate::analysis::prisma::{drift, parse_prisma};
use schemagate::analysis::schema::Schema;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = parse_prisma(&[("schema.prisma", &text)]);
    let _ = drift(&parsed, &Schema::default());
    let _ = drift(&parsed, &parsed.schema);
});
