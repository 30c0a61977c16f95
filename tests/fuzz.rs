//! A stable-toolchain fuzz harness: random and mutated inputs for the
//! segmenter (bytes as a report), the query handling (query strings) and
//! the request handler (method, URL, `Accept` on a real index), checking
//! that nothing panics and that user input never gets a 5xx.
//!
//! Inputs come from a BLAKE3 stream seeded by a counter (reproducible: a
//! failure prints its seed), half of them built from fragments that matter
//! here (quotes, `-`, `%` escapes, `&`, `=`, apostrophes, headings).
//! `PALABRE_FUZZ_SECONDS` sets the time per target (default 1 s, to keep
//! `cargo test` fast); the longer runs are documented in
//! docs/robustness.md. The coverage-guided targets are in `fuzz/` (cargo
//! fuzz, libFuzzer), run by hand for 10 minutes each: see README.md,
//! "Robustness".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::{Duration, Instant};

use palabre::search::Engine;
use palabre::server::{self, Method};

const FRAGMENTS: [&str; 32] = [
    "\"",
    "“",
    "”",
    "«",
    "»",
    "„",
    "-",
    " ",
    "  ",
    "\n",
    "%",
    "%FF",
    "%C3%A9",
    "%22",
    "&",
    "=",
    "q=",
    "limit=",
    "offset=",
    "kind=",
    "year=",
    "lang=",
    "city=",
    "d'",
    "l’",
    "migrants",
    "cadre juridique",
    "Annexe: Exemples de pratiques\n\n",
    "# ",
    "\r\n",
    "é",
    "\u{0}",
];

/// A reproducible source of random bytes.
struct Random(blake3::OutputReader);

impl Random {
    fn new(seed: u64) -> Random {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&seed.to_le_bytes());
        Random(hasher.finalize_xof())
    }

    fn byte(&mut self) -> u8 {
        let mut b = [0u8; 1];
        self.0.fill(&mut b);
        b[0]
    }

    /// Up to `max` bytes: raw random ones or a mix of fragments.
    fn input(&mut self, max: usize) -> Vec<u8> {
        let len = usize::from(self.byte()) * usize::from(self.byte()) % max;
        let mut out = Vec::with_capacity(len);
        if self.byte().is_multiple_of(2) {
            out.resize(len, 0);
            self.0.fill(&mut out);
        } else {
            while out.len() < len {
                let pick = usize::from(self.byte());
                match FRAGMENTS.get(pick % (FRAGMENTS.len() + 8)) {
                    Some(fragment) => out.extend_from_slice(fragment.as_bytes()),
                    None => out.push(self.byte()),
                }
            }
        }
        out
    }
}

/// Runs `check` on random inputs for the configured time.
fn fuzz(name: &str, max: usize, mut check: impl FnMut(&[u8], &mut Random)) {
    let seconds: f64 = std::env::var("PALABRE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let mut runs = 0u64;
    while Instant::now() < until {
        let mut random = Random::new(runs);
        let input = random.input(max);
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&input, &mut random)));
        if outcome.is_err() {
            panic!(
                "{name}: seed {runs} panicked on {:?}",
                String::from_utf8_lossy(&input)
            );
        }
        runs += 1;
    }
    eprintln!("fuzz {name}: {runs} inputs in {seconds} s, no failure");
}

#[test]
fn segmenter_takes_any_bytes() {
    fuzz("segment", 16 * 1024, |bytes, random| {
        let ext = ["txt", "md", "html"][usize::from(random.byte()) % 3];
        let path = format!("report.{ext}");
        if let Ok(text) = palabre::corpus::decode(Path::new(&path), bytes) {
            let report = palabre::segment::segment(&path, &text);
            serde_json::to_string(&report).unwrap();
        }
    });
}

#[test]
fn query_strings_never_panic() {
    fuzz("query", 2048, |bytes, _| {
        let text = String::from_utf8_lossy(bytes);
        let _ = palabre::query::parse(&text);
        let _ = server::search_request(&text);
    });
}

#[test]
fn the_handler_never_answers_user_input_with_a_5xx() {
    let root = tempfile::tempdir().unwrap();
    let corpus = root.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(
        corpus.join("2019-06-sfax.txt"),
        "Réunion à Sfax\n\n25 juin 2019, Sfax\n\nContexte\n\nLe cadre juridique des migrants.\n\nAnnexe: Exemples de pratiques\n\nAccueil à Nador\n\nLa municipalité de Nador accueille les migrants.\n",
    )
    .unwrap();
    let index = root.path().join("index");
    palabre::index::run(&corpus, &index, Default::default()).unwrap();
    let engine = Engine::open(&index).unwrap();
    let prefixes = [
        "/search?",
        "/segments/",
        "/",
        "/health?",
        "/documents",
        "/metrics",
    ];
    fuzz("handler", 4096, |bytes, random| {
        let prefix = prefixes[usize::from(random.byte()) % prefixes.len()];
        let url = format!("{prefix}{}", String::from_utf8_lossy(bytes));
        let method = [Method::Get, Method::Head, Method::Post, Method::Options]
            [usize::from(random.byte()) % 4]
            .clone();
        let accept =
            ["text/html", "*/*", "application/json;q=0.1, text/*"][usize::from(random.byte()) % 3];
        let answer = server::handle_with_accept(&method, &url, Some(accept), &engine);
        assert!(
            answer.status < 500,
            "{url:?}: {} {}",
            answer.status,
            answer.body
        );
    });
}

/// Found by `cargo fuzz run query` (fuzz/): an excluded phrase whose words
/// occur in a segment but never side by side made tantivy 0.27's phrase
/// scorer trip a debug assertion (a backward seek its `seek_danger`
/// contract allows), so a debug build panicked, and the server answered
/// 500. Fixed by turning tantivy's debug assertions off (Cargo.toml); the
/// exclusion must still work both ways.
#[test]
fn an_excluded_phrase_that_never_occurs_excludes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let corpus = root.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let name = "2019-06-sfax-societe-civile-gouvernance-migration.txt";
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(name),
        corpus.join(name),
    )
    .unwrap();
    let index = root.path().join("index");
    palabre::index::run(&corpus, &index, Default::default()).unwrap();
    let engine = Engine::open(&index).unwrap();
    let ids = |query: &str| -> Vec<String> {
        let mut request = palabre::search::SearchRequest::new(query);
        request.limit = 100;
        let results = engine.search(&request).unwrap();
        results.hits.iter().map(|h| h.id.clone()).collect()
    };
    let all = ids("migrants");
    assert!(all.len() > 5, "{all:?}");
    assert_eq!(ids("migrants -\"migrants cadre\""), all);
    // A phrase that does occur still removes its segments.
    let with_phrase = ids("\"cadre juridique\"");
    let without = ids("migrants -\"cadre juridique\"");
    assert!(!with_phrase.is_empty());
    assert!(without.len() < all.len(), "{without:?}");
    assert!(without.iter().all(|id| !with_phrase.contains(id)));
}
