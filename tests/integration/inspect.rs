//! `palabre inspect`: the segmentation of one report, without an index.

use serde::Deserialize;

use crate::harness::json::{Kind, Report};
use crate::harness::{Env, Run, SFAX_DOC, TUNIS, TUNIS_DOC};

/// The reviewed segmentation of the Sfax report (see
/// `tests/segment_golden.rs`, which also spells out the 16 titles).
const GOLDEN: &str = include_str!("../golden/sfax.json");

#[derive(Deserialize)]
struct Golden {
    segments: Vec<GoldenSegment>,
}

#[derive(Debug, PartialEq, Deserialize)]
struct GoldenSegment {
    id: String,
    kind: Kind,
    title: String,
}

fn golden() -> Vec<GoldenSegment> {
    serde_json::from_str::<Golden>(GOLDEN).unwrap().segments
}

fn inspect(env: &Env, doc: &str, json: bool) -> Run {
    let mut command = env.command(["inspect"]);
    command.arg(env.corpus().join(doc));
    if json {
        command.arg("--json");
    }
    let run = Run::of(command);
    run.success();
    run
}

#[test]
fn the_sfax_report_has_8_sections_and_8_practices() {
    let env = Env::sfax();
    let report: Report = inspect(&env, SFAX_DOC, true).json();
    assert_eq!(report.doc, SFAX_DOC);
    assert_eq!(report.meta.date.as_deref(), Some("2019-06-25"));
    assert_eq!(report.meta.place.as_deref(), Some("Salle Municipale, Sfax"));
    assert_eq!(report.meta.city.as_deref(), Some("Sfax"));
    assert!(report.meta.title.starts_with("Bâtir la Confiance"));
    assert_eq!(report.titles(Kind::Section).len(), 8);
    assert_eq!(report.titles(Kind::Practice).len(), 8);
    let segments: Vec<GoldenSegment> = report
        .segments
        .iter()
        .map(|s| GoldenSegment {
            id: s.id.clone(),
            kind: s.kind,
            title: s.title.clone(),
        })
        .collect();
    assert_eq!(segments, golden());
    for (ordinal, segment) in report.segments.iter().enumerate() {
        assert_eq!(segment.ordinal, ordinal);
        assert!(!segment.text.is_empty(), "{}", segment.title);
    }
    // Inspecting touches no index.
    assert!(!env.index().exists());
}

#[test]
fn plain_inspect_lists_metadata_and_every_segment() {
    let env = Env::sfax();
    let out = inspect(&env, SFAX_DOC, false).stdout;
    assert!(out.contains("date:    2019-06-25"), "{out}");
    assert!(out.contains("city:    Sfax"), "{out}");
    assert!(out.contains("16 (8 sections, 8 practices)"), "{out}");
    for segment in golden() {
        let kind = match segment.kind {
            Kind::Section => "section ",
            Kind::Practice => "practice",
        };
        let line = format!("  {kind}  {}\n", segment.title);
        assert!(out.contains(&line), "{line:?} missing from\n{out}");
    }
}

#[test]
fn segment_ids_are_stable() {
    let env = Env::empty();
    env.write(TUNIS_DOC, TUNIS);
    let before: Report = inspect(&env, TUNIS_DOC, true).json();
    assert_eq!(
        before.titles(Kind::Section),
        ["Contexte", "Recommandations"]
    );
    assert_eq!(before.meta.city.as_deref(), Some("Tunis"));
    // A corrected sentence keeps the segment's id.
    env.write(TUNIS_DOC, &TUNIS.replace("abricots", "pêches"));
    let after: Report = inspect(&env, TUNIS_DOC, true).json();
    let ids = |r: &Report| r.segments.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&before), ids(&after));
}
