//! Arbitrary URLs through the request handler, on a small real index.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use palabre::search::Engine;
use palabre::server::{handle_with_accept, Method};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<(tempfile::TempDir, Engine)> = OnceLock::new();
    &ENGINE
        .get_or_init(|| {
            let root = tempfile::tempdir().unwrap();
            let corpus = root.path().join("corpus");
            std::fs::create_dir_all(&corpus).unwrap();
            std::fs::write(
                corpus.join("2019-06-sfax.txt"),
                "Réunion à Sfax\n\n25 juin 2019, Sfax\n\nContexte\n\nLe cadre juridique des migrants.\n",
            )
            .unwrap();
            let index = root.path().join("index");
            palabre::index::run(&corpus, &index, Default::default()).unwrap();
            let engine = Engine::open(&index).unwrap();
            (root, engine)
        })
        .1
}

fuzz_target!(|url: &str| {
    let answer = handle_with_accept(&Method::Get, url, Some("text/html"), engine());
    assert!(answer.status < 500, "{url:?}: {}", answer.body);
});
