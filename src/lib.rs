//! schemagate: review pull requests that change a database schema.

pub mod analysis;
pub mod app;
pub mod check;
pub mod cli;
pub mod config;
pub mod execution;
pub mod github;
pub mod report;
pub mod review;
pub mod source;
pub mod tui;
