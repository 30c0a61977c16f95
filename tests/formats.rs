//! Every format palabre reads gives the segmenter the same structure: the
//! Sfax report converted by LibreOffice to PDF, Word, OpenDocument and HTML
//! segments exactly as the `.txt`; a report with heading styles, a list,
//! running headers and hyphenated lines reads the same as PDF, Word and
//! HTML; legacy encodings decode; bad files are skipped with a reason.
//!
//! The converted files are committed; `tests/fixtures/make-fixtures.sh`
//! regenerates them.

// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "fixtures/harness.rs"]
mod harness;

use std::path::Path;

use harness::{fixture, sfax_txt, stderr, stdout, Workspace};
use serde::Deserialize;

#[derive(Debug, Deserialize, PartialEq)]
struct Report {
    meta: serde_json::Value,
    segments: Vec<Segment>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Segment {
    kind: String,
    title: String,
    part: Option<String>,
    text: String,
    keyphrases: Vec<String>,
}

impl Report {
    fn titles(&self, kind: &str) -> Vec<&str> {
        self.segments
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| s.title.as_str())
            .collect()
    }

    fn text_of(&self, title: &str) -> &str {
        self.segments
            .iter()
            .find(|s| s.title == title)
            .map(|s| s.text.as_str())
            .unwrap_or_else(|| panic!("no segment {title:?}"))
    }
}

/// `palabre inspect FILE --json`, deserialised.
fn inspect(file: &Path) -> Report {
    let workspace = Workspace::new();
    let output = workspace.palabre(&["inspect", file.to_str().unwrap(), "--json"]);
    assert!(
        output.status.success(),
        "{}: {}",
        file.display(),
        stderr(&output)
    );
    serde_json::from_str(&stdout(&output)).unwrap()
}

#[test]
fn sfax_in_every_format_segments_exactly_like_the_text() {
    let expected = inspect(&sfax_txt());
    assert_eq!(expected.titles("section").len(), 8);
    assert_eq!(expected.titles("practice").len(), 8);
    for format in ["pdf", "docx", "odt", "html"] {
        let converted = inspect(&fixture(&format!("formats/sfax.{format}")));
        assert_eq!(
            converted.titles("section"),
            expected.titles("section"),
            "{format}"
        );
        assert_eq!(
            converted.titles("practice"),
            expected.titles("practice"),
            "{format}"
        );
        // Not only the titles: metadata, texts and key phrases too.
        assert_eq!(converted, expected, "{format}");
    }
}

const MALAGA_SECTIONS: [&str; 4] = [
    "Contexto",
    "Principales desafíos",
    "Coordinación entre administraciones",
    "Formación del personal municipal",
];
const MALAGA_PRACTICES: [&str; 2] = [
    "Oficina municipal de acogida en Málaga",
    "Red de voluntariado en Tánger",
];

#[test]
fn a_styled_report_reads_the_same_as_pdf_word_and_html() {
    let docx = inspect(&fixture("formats/informe-malaga.docx"));
    assert_eq!(docx.titles("section"), MALAGA_SECTIONS);
    assert_eq!(docx.titles("practice"), MALAGA_PRACTICES);
    assert_eq!(docx.segments[2].part.as_deref(), Some("Recomendaciones"));
    assert_eq!(
        docx.segments[4].part.as_deref(),
        Some("Anexo: Ejemplos de prácticas")
    );
    assert_eq!(docx.meta["date"], "2020-12-03");
    assert_eq!(docx.meta["city"], "Málaga");
    // The list stays one item per line; bold runs are key phrases.
    let challenges = docx.text_of("Principales desafíos");
    let items: Vec<&str> = challenges.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(items.len(), 3, "{challenges}");
    assert!(items[0].starts_with("- Marco jurídico: las competencias"));
    assert_eq!(
        docx.segments[1].keyphrases,
        ["Marco jurídico:", "Financiación:", "Datos:"]
    );

    let html = inspect(&fixture("formats/informe-malaga.html"));
    assert_eq!(html, docx, "HTML and Word differ");

    // The PDF has no bold runs to read, and otherwise the same text: its
    // running header and page-numbered footer are gone, its hyphenated
    // lines and its paragraphs cut by page breaks are joined.
    let pdf = inspect(&fixture("formats/informe-malaga.pdf"));
    assert_eq!(pdf.meta, docx.meta);
    for (p, d) in pdf.segments.iter().zip(&docx.segments) {
        assert_eq!((&p.kind, &p.title, &p.part), (&d.kind, &d.title, &d.part));
        assert_eq!(p.text, d.text, "{}", p.title);
    }
    assert_eq!(pdf.segments.len(), docx.segments.len());
    let all_text: String = pdf.segments.iter().map(|s| s.text.as_str()).collect();
    for furniture in ["Página", "Informe del intercambio"] {
        assert!(
            !all_text.contains(furniture),
            "{furniture} left in the text"
        );
    }
    assert!(pdf
        .text_of("Formación del personal municipal")
        .contains("la comunicación intercultural y los procedimientos"));
}

/// A short French report, to be written in legacy encodings.
const RAPPORT: &str = "Rencontre des villes du Sud\n\n3 mars 2021, Sousse\n\n\
    Contexte\n\nLes élus ont présenté l'accueil des réfugiés à Sousse et à Médenine.\n\n\
    Défis et priorités\n\nLe manque de données freine l'action des municipalités.\n";

#[test]
fn windows_1252_and_utf16_texts_decode_like_utf8() {
    let workspace = Workspace::new();
    let (cp1252, _, unmappable) = encoding_rs::WINDOWS_1252.encode(RAPPORT);
    assert!(!unmappable);
    let mut utf16 = vec![0xff, 0xfe];
    for unit in RAPPORT.replace('\n', "\r\n").encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let mut utf8_bom = b"\xef\xbb\xbf".to_vec();
    utf8_bom.extend(RAPPORT.replace('\n', "\r\n").as_bytes());
    workspace
        .write("utf8.txt", RAPPORT.as_bytes())
        .write("cp1252.txt", &cp1252)
        .write("utf16.txt", &utf16)
        .write("utf8-bom-crlf.txt", &utf8_bom);
    let expected = inspect(&workspace.corpus().join("utf8.txt"));
    assert_eq!(
        expected.titles("section"),
        ["Contexte", "Défis et priorités"]
    );
    assert_eq!(expected.meta["city"], "Sousse");
    for name in ["cp1252.txt", "utf16.txt", "utf8-bom-crlf.txt"] {
        assert_eq!(inspect(&workspace.corpus().join(name)), expected, "{name}");
    }
}

#[test]
fn bad_files_are_skipped_with_a_reason_and_the_rest_is_indexed() {
    let workspace = Workspace::new();
    let pdf = std::fs::read(fixture("formats/sfax.pdf")).unwrap();
    workspace
        .add(&fixture("languages/report-lisbon-en.md"), "good.md")
        .add(&fixture("bad/encrypted.pdf"), "encrypted.pdf")
        .add(&fixture("bad/scanned.pdf"), "scanned.pdf")
        .write("damaged.pdf", &pdf[..pdf.len() / 3])
        .write(
            "not-a-zip.docx",
            b"This is a text file with a .docx extension.",
        )
        .write("empty.html", b"<html><body><nav>Menu</nav></body></html>");

    let output = workspace.palabre(&["index", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let warnings = stderr(&output);
    for (file, reason) in [
        (
            "encrypted.pdf",
            "encrypted PDF: a password is needed to open it",
        ),
        ("scanned.pdf", "no text layer"),
        ("damaged.pdf", "damaged PDF"),
        ("not-a-zip.docx", "not a Word document: not a zip archive"),
        ("empty.html", "no text in the file"),
    ] {
        let line = warnings
            .lines()
            .find(|l| l.contains(&format!("skipped {file}: ")))
            .unwrap_or_else(|| panic!("no warning for {file}:\n{warnings}"));
        assert!(line.contains(reason), "{line}");
    }
    let summary: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(summary["added"], 1);
    assert_eq!(summary["documents"], 1);
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 5);

    // The text summary counts them too, and a second run still skips them.
    let again = workspace.palabre(&["index", "--rebuild"]);
    assert!(again.status.success());
    assert!(
        stderr(&again).contains(", 5 skipped;"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn inspect_names_the_file_and_the_reason() {
    let workspace = Workspace::new();
    let scanned = fixture("bad/scanned.pdf");
    let output = workspace.palabre(&["inspect", scanned.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("scanned.pdf: no text layer"), "{message}");
    assert_eq!(message.lines().count(), 1, "{message}");
}
