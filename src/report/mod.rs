//! Renderers: turn analysis results into text for people and JSON for tools. No analysis here.

pub mod cascade_text;
pub mod check_text;
pub mod diff_text;
pub mod markdown;
pub mod review_body;
pub mod sanitize;
pub mod sarif;
pub mod schema_text;
pub mod style;
