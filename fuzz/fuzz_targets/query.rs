//! Arbitrary text through the query parser and the search engine, on an
//! index of the bundled corpus, the two ways a query arrives: as typed
//! (`query::parse`, then a search with the defaults, as `palabre search
//! TEXT` does) and as an HTTP query string (`server::search_request`, which
//! reads `q`, `limit`, `offset`, `kind` and the filters, then the search it
//! describes). A search must succeed or fail with a user error (a 4xx on
//! the server), never an internal one (a 500), never return more than
//! `limit` hits, and its results must serialise.
#![no_main]
#[path = "common/mod.rs"]
mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use palabre::search::{Engine, SearchRequest};

/// The engine, opened once, as `palabre search` opens it.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::open(common::index_dir()).expect("the engine"))
}

fn check(request: &SearchRequest) {
    match engine().search(request) {
        Ok(results) => {
            assert!(results.hits.len() <= request.limit, "{request:?}");
            serde_json::to_string(&results).expect("results serialise");
        }
        Err(error) => assert!(error.is_user_error(), "{request:?}: {error}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = palabre::query::parse(&text);
    check(&SearchRequest::new(text.as_ref()));
    if let Ok(request) = palabre::server::search_request(&text) {
        check(&request);
    }
});
