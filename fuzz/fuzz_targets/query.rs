//! Arbitrary strings as a query and as a query string.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = palabre::query::parse(text);
    let _ = palabre::server::search_request(text);
});
