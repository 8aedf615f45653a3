//! schemagate: review pull requests that change a database schema.
//!
//! # Layers
//!
//! Lowest first; a module imports only modules of its own layer or below
//! (docs/architecture.md has the data-flow picture):
//!
//! 1. [`analysis`]: pure, no I/O; imports nothing else of the crate.
//! 2. [`config`], [`source`], [`execution`]: the configuration file, where a change's files
//!    come from (git, the embedded demo), scratch databases. They import only the analysis.
//! 3. [`review`], [`check`], [`report`]: what a reviewer adds (checklist, gates, drafts, the
//!    decision log), the headless verdict, the renderers. No terminal, no command line.
//! 4. [`github`]: the forge client (listing, contents, submitting, history).
//! 5. [`app`]: the use cases the command line and the console share.
//! 6. [`tui`]: the console.
//! 7. [`cli`] (and the binary's `main`): arguments, then the layers below; only `cli` imports
//!    `tui`, nothing imports `cli`.
//!
//! No file imports a file that imports it back (no file-level import circle). tests/architecture.rs
//! enforces the rules above that the compiler cannot see.

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
