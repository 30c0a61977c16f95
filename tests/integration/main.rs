//! Integration tests: they run the real `palabre` binary on a corpus and an
//! index in a temporary folder (never the repository's `corpus/` or
//! `index/`), and talk to a real `palabre serve` over TCP.
//!
//! One test binary, one module per area, one small harness: building and
//! linking one binary is faster than one per file. JSON output is read into
//! the typed structs of `harness::json`, never grepped.

// Test code: a failed unwrap is a failed test. clippy.toml allows these in
// `#[test]` functions only; the harness's helpers need them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod harness;

mod documents;
mod errors;
mod http;
mod index;
mod inspect;
mod process;
mod search;
mod vocabulary;
