//! Integration tests of keeping the index up to date: incremental runs,
//! bad files, the writer lock, killed runs, the live server and the
//! watcher. Each runs the real binary on a corpus in a temporary folder.

// Test code: a step that fails must fail the test, here in the helpers too
// (clippy only exempts `#[test]` functions themselves).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bad_files;
mod crash;
mod harness;
mod incremental;
mod live;
mod lock;
mod watching;
