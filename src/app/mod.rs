//! The use cases the command line and the console share. Both surfaces call these and only
//! render what comes back: nothing here touches the terminal, parses arguments or prints.
//!
//! - [`analyse`]: a change's files into its report; [`entry`]: a change into a review item
//!   (with its [`cascade_tree`]s).
//! - [`queue`]: the queue's one order, age format and conflict computation.
//! - [`draft`]: opening the reviewer's draft of a review item, with one adoption policy.
//! - [`verdict`]: gate -> prepare (the submission and the decision record) -> record.
//! - [`audit`]: the decision log's health, and its comparison with the forge's history.

pub mod analyse;
pub mod audit;
pub mod cascade_tree;
pub mod draft;
pub mod entry;
pub mod queue;
pub mod verdict;
