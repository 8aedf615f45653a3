//! schemagate: review pull requests that change a database schema.

pub mod analysis;
pub mod execution;
pub mod review;

pub mod report;
pub mod source;
