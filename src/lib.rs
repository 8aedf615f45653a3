//! schemagate: review pull requests that change a database schema.

pub mod analysis;
pub mod cli;
pub mod report;
pub mod source;
