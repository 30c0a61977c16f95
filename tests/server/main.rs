//! End-to-end tests of `palabre serve` and the commands around it: a real
//! server on 127.0.0.1:0 over a corpus of three small reports written here
//! (two cities and years in French, one in English with HTML and a script
//! in its text), answering real HTTP requests, and a real headless
//! Chromium driving the search page.
//!
//! Every module starts its own server on the index built once by
//! [`harness::fixture`]; the JSON answers are read into typed structs.

// The helpers outside `#[test]` functions fail the test the same way.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod browser;
mod cli;
mod escaping;
mod harness;
mod openapi;
mod robustness;
