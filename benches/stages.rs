//! What each stage of indexing costs a report, on one thread: decoding,
//! segmentation, language detection, the typo vocabulary's words, the
//! tantivy documents, and the analysis of their text (what tantivy's
//! indexing threads run before they record postings). The corpus is read
//! into memory first, so no stage waits on the disk. See
//! `benches/README.md`.
//!
//! Run: `cargo bench --bench stages -- CORPUS_DIR [ROUNDS [STAGE]]`
//! (default 5 rounds; the figure of each stage is its median round). With
//! a STAGE name, only that stage runs: for a profiler.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use palabre::analysis::{self, Lang};
use palabre::language::Detector;
use palabre::schema::{self, ReportRecord};
use palabre::segment::{self, Report};
use palabre::{corpus, vocabulary};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench stages -- CORPUS_DIR [ROUNDS [STAGE]]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let only = args.get(2).cloned();
    let files: Vec<(PathBuf, Vec<u8>)> = corpus::list_reports(&dir)
        .unwrap()
        .into_iter()
        .map(|file| {
            let bytes = corpus::read_bytes(&file.path).unwrap();
            (file.path, bytes)
        })
        .collect();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    println!(
        "{} reports, {:.1} MB, {rounds} rounds, medians",
        files.len(),
        bytes as f64 / 1e6
    );

    let texts: Vec<String> = files
        .iter()
        .map(|(path, bytes)| corpus::decode(path, bytes).unwrap())
        .collect();
    let reports: Vec<Report> = texts
        .iter()
        .zip(&files)
        .map(|(text, (path, _))| segment::segment(&path.to_string_lossy(), text))
        .collect();
    let detector = Detector::new();
    let langs: Vec<(Lang, Vec<Lang>)> = reports.iter().map(|r| languages(&detector, r)).collect();
    let (_, fields) = schema::build();

    let mut stages: Vec<(&str, Duration)> = Vec::new();
    let mut time = |name: &'static str, mut stage: Box<dyn FnMut() -> usize + '_>| {
        if only.as_ref().is_some_and(|only| only != name) {
            return;
        }
        let mut runs: Vec<Duration> = (0..rounds)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(stage());
                started.elapsed()
            })
            .collect();
        runs.sort();
        stages.push((name, runs[(runs.len() - 1) / 2]));
    };
    time(
        "decode",
        Box::new(|| {
            files
                .iter()
                .map(|(path, bytes)| corpus::decode(path, bytes).unwrap().len())
                .sum()
        }),
    );
    time(
        "segment",
        Box::new(|| {
            texts
                .iter()
                .zip(&files)
                .map(|(text, (path, _))| {
                    segment::segment(&path.to_string_lossy(), text)
                        .segments
                        .len()
                })
                .sum()
        }),
    );
    time(
        "languages",
        Box::new(|| {
            reports
                .iter()
                .map(|r| languages(&detector, r).1.len())
                .sum()
        }),
    );
    time(
        "vocabulary",
        Box::new(|| {
            reports
                .iter()
                .map(|r| vocabulary::report_words(r).len())
                .sum()
        }),
    );
    time(
        "documents",
        Box::new(|| {
            reports
                .iter()
                .zip(&langs)
                .map(|(report, (lang, segment_langs))| {
                    let record = ReportRecord {
                        doc: report.doc.clone(),
                        doc_title: report.meta.title.clone(),
                        date: None,
                        city: None,
                        lang: *lang,
                        segments: report.segments.len(),
                        indexed_at: 0,
                        hash: String::new(),
                    };
                    schema::documents(&fields, report, &record, segment_langs).len()
                })
                .sum()
        }),
    );
    // One analyzer for the whole run, as each tantivy indexing thread has.
    let mut analyzers = Lang::ALL.map(analysis::analyzer);
    time(
        "analysis",
        Box::new(move || {
            let mut tokens = 0;
            for (report, (_, segment_langs)) in reports.iter().zip(&langs) {
                for (segment, lang) in report.segments.iter().zip(segment_langs) {
                    let analyzer = &mut analyzers
                        [Lang::ALL.iter().position(|l| l == lang).unwrap_or_default()];
                    for text in [&segment.title, &segment.text] {
                        let mut stream = analyzer.token_stream(text);
                        while stream.advance() {
                            tokens += 1;
                        }
                    }
                }
            }
            tokens
        }),
    );
    let total: Duration = stages.iter().map(|(_, d)| *d).sum();
    println!("{:<12} {:>9} {:>9} {:>7}", "stage", "ms", "MB/s", "share");
    for (name, took) in &stages {
        println!(
            "{name:<12} {:>9.1} {:>9.1} {:>6.1}%",
            took.as_secs_f64() * 1e3,
            bytes as f64 / 1e6 / took.as_secs_f64(),
            100.0 * took.as_secs_f64() / total.as_secs_f64()
        );
    }
}

fn languages(detector: &Detector, report: &Report) -> (Lang, Vec<Lang>) {
    let texts: Vec<&str> = report.segments.iter().map(|s| s.text.as_str()).collect();
    detector.detect_report(&texts)
}
