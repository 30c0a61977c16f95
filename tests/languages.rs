//! Reports in French, English, Spanish and Arabic, and a bilingual one, in
//! one index: each segment is analysed in its own language, a query finds
//! segments in every language unless `--lang` restricts it, and each hit
//! says its language.

// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "fixtures/harness.rs"]
mod harness;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use harness::{fixture, palabre_in, sfax_txt, stderr, stdout};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Results {
    total: usize,
    hits: Vec<Hit>,
}

#[derive(Debug, Deserialize)]
struct Hit {
    doc: String,
    title: String,
    lang: String,
}

/// The corpus and its index, built once for all the tests of this file in
/// cargo's temporary folder for integration tests.
fn indexed() -> &'static (PathBuf, PathBuf) {
    static INDEXED: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    INDEXED.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("languages");
        let _ = std::fs::remove_dir_all(&root);
        let (corpus, index) = (root.join("corpus"), root.join("index"));
        std::fs::create_dir_all(&corpus).unwrap();
        let files = [
            (sfax_txt(), "sfax.txt"),
            (
                fixture("languages/report-lisbon-en.md"),
                "report-lisbon-en.md",
            ),
            (
                fixture("languages/taqrir-tunis-ar.txt"),
                "taqrir-tunis-ar.txt",
            ),
            (
                fixture("languages/compte-rendu-rabat-fr-en.txt"),
                "compte-rendu-rabat-fr-en.txt",
            ),
            (
                fixture("formats/informe-malaga.docx"),
                "informe-malaga.docx",
            ),
        ];
        for (source, name) in files {
            std::fs::copy(source, corpus.join(name)).unwrap();
        }
        let output = palabre_in(&corpus, &index, &["index"]);
        assert!(output.status.success(), "{}", stderr(&output));
        (corpus, index)
    })
}

fn search(args: &[&str]) -> Results {
    let (corpus, index) = indexed();
    let mut all = vec!["search", "--json", "--limit", "100"];
    all.extend(args);
    let output = palabre_in(corpus, index, &all);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    serde_json::from_str(&stdout(&output)).unwrap()
}

fn langs(results: &Results) -> BTreeSet<&str> {
    results.hits.iter().map(|h| h.lang.as_str()).collect()
}

#[test]
fn an_english_plural_finds_the_singular() {
    let results = search(&["legal frameworks", "--lang", "en"]);
    let top = &results.hits[0];
    assert_eq!(top.title, "The legal framework for local action");
    assert_eq!(top.doc, "report-lisbon-en.md");
    assert_eq!(langs(&results), BTreeSet::from(["en"]));
}

#[test]
fn an_arabic_query_finds_its_arabic_passage() {
    // Typed without the hamza of "الإطار": the analyzer folds alef forms.
    let results = search(&["الاطار القانوني"]);
    let top = &results.hits[0];
    assert_eq!(top.title, "الإطار القانوني للعمل البلدي");
    assert_eq!(
        (top.doc.as_str(), top.lang.as_str()),
        ("taqrir-tunis-ar.txt", "ar")
    );
}

#[test]
fn a_spanish_plural_finds_the_word_doc_passage() {
    let results = search(&["marcos jurídicos"]);
    let top = &results.hits[0];
    assert_eq!(top.title, "Principales desafíos");
    assert_eq!(
        (top.doc.as_str(), top.lang.as_str()),
        ("informe-malaga.docx", "es")
    );
}

#[test]
fn french_results_for_cadre_juridique_are_unchanged() {
    // On the bundled corpus alone, as before reports in other formats and
    // languages could be read. (More reports change BM25's statistics, so
    // the mixed corpus may order close scores differently.)
    let workspace = harness::Workspace::new();
    workspace.add(&sfax_txt(), "sfax.txt");
    let output = workspace.palabre(&["search", "--json", "cadre juridique"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let results: Results = serde_json::from_str(&stdout(&output)).unwrap();
    let titles: Vec<&str> = results
        .hits
        .iter()
        .take(3)
        .map(|h| h.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Principaux Défis de la Coordination Entre les Municipalités et les OSC",
            "Principaux enseignements et voie à suivre",
            "Recommandations pour Assurer une Coordination Durable, Flexible et Efficace entre les Villes et les OSC",
        ]
    );
    assert!(results.hits.iter().all(|h| h.lang == "fr"));
}

#[test]
fn a_bilingual_report_gets_a_language_per_segment() {
    let rabat = |lang: &str| -> Vec<(String, String)> {
        search(&["Rabat", "--lang", lang])
            .hits
            .into_iter()
            .filter(|h| h.doc == "compte-rendu-rabat-fr-en.txt")
            .map(|h| (h.title, h.lang))
            .collect()
    };
    assert_eq!(
        rabat("en"),
        [(
            "Summary for international partners".to_string(),
            "en".to_string()
        )]
    );
    assert_eq!(rabat("fr"), [("Contexte".to_string(), "fr".to_string())]);
}

#[test]
fn a_query_finds_every_language_unless_restricted() {
    // "migrants" in French and English, "migrantes" in Spanish, "المهاجرين"
    // in Arabic: segments with some of the words are found too.
    let query = "migrants migrantes المهاجرين";
    let all = search(&[query]);
    assert_eq!(langs(&all), BTreeSet::from(["ar", "en", "es", "fr"]));
    let spanish = search(&[query, "--lang", "es"]);
    assert!(spanish.total > 0 && spanish.total < all.total);
    assert_eq!(langs(&spanish), BTreeSet::from(["es"]));
}

#[test]
fn an_unknown_language_is_refused() {
    let (corpus, index) = indexed();
    let output = palabre_in(corpus, index, &["search", "x", "--lang", "de"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--lang"), "{}", stderr(&output));
}

#[test]
fn the_http_api_filters_by_language_too() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};

    /// Kills the server when the test ends, passed or failed.
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let (corpus, index) = indexed();
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_palabre"))
            .args(["--corpus", corpus.to_str().unwrap()])
            .args(["--index", index.to_str().unwrap()])
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env_remove("PALABRE_BIND")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(server.0.stderr.take().unwrap()).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split_once("listening on http://")
                .map(|(_, a)| a.to_string())
        })
        .expect("the server says where it listens");
    let get = |path: &str| -> (String, String) {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        // HTTP/1.0: the answer is not chunked, and the server closes.
        write!(stream, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        (head.lines().next().unwrap().to_string(), body.to_string())
    };

    let (status, body) = get("/search?q=legal+frameworks&lang=en&limit=100");
    let results: Results = serde_json::from_str(&body).unwrap();
    let (bad_status, bad_body) = get("/search?q=x&lang=klingon");
    drop(server);

    assert!(status.contains(" 200 "), "{status}");
    assert_eq!(
        results.hits[0].title,
        "The legal framework for local action"
    );
    assert_eq!(langs(&results), BTreeSet::from(["en"]));
    assert!(bad_status.contains(" 400 "), "{bad_status}");
    assert!(bad_body.contains("lang"), "{bad_body}");
}
