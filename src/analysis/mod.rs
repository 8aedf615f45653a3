//! The analysis: pure, synchronous code from files to schema, diff and cascade. No I/O.

pub mod cascade;
pub mod conflicts;
pub mod detect;
pub mod diagnostic;
pub mod dialect;
pub mod diff;
pub mod fileset;
pub mod pipeline;
pub mod prisma;
pub mod replay;
pub mod rules;
pub mod schema;
pub mod sql;
