//! Rendering results for people and programs: terminal text, JSON and HTML
//! fragments. Pure: no I/O. Everything that comes from a report is escaped
//! before it reaches HTML.

use std::fmt::Write as _;

use crate::index::IndexSummary;
use crate::passage::Passage;
use crate::schema::ReportRecord;
use crate::search::{SearchResults, Snippet};
use crate::segment::Report;

/// Terminal styling: ANSI colour or plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Plain text (pipes, files, `NO_COLOR`).
    Plain,
    /// ANSI colours (a terminal).
    Color,
}

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const HIGHLIGHT: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// Escapes text for HTML content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The snippet as HTML: escaped text, matched words in `<mark>`.
pub fn snippet_html(snippet: &Snippet) -> String {
    mark_snippet(snippet, "<mark>", "</mark>", escape_html)
}

/// The snippet for a terminal: matched words in colour, or between `[` `]`
/// when there is no colour.
pub fn snippet_terminal(snippet: &Snippet, style: Style) -> String {
    let text = match style {
        Style::Color => mark_snippet(snippet, HIGHLIGHT, RESET, str::to_string),
        Style::Plain => mark_snippet(snippet, "[", "]", str::to_string),
    };
    text.replace('\n', " ")
}

fn mark_snippet(
    snippet: &Snippet,
    open: &str,
    close: &str,
    escape: impl Fn(&str) -> String,
) -> String {
    let text = &snippet.text;
    let mut out = String::with_capacity(text.len() + 32);
    let mut at = 0;
    for &(start, end) in &snippet.highlights {
        let (Some(before), Some(word)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        out.push_str(&escape(before));
        out.push_str(open);
        out.push_str(&escape(word));
        out.push_str(close);
        at = end;
    }
    out.push_str(&escape(text.get(at..).unwrap_or_default()));
    out
}

/// Serde helper: a snippet serialises as its HTML.
pub fn serialize_snippet<S: serde::Serializer>(
    snippet: &Snippet,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(&snippet_html(snippet))
}

/// Search results for a terminal: rank, title, kind, report, snippet.
pub fn results_terminal(results: &SearchResults, offset: usize, style: Style) -> String {
    let (bold, dim, reset) = match style {
        Style::Color => (BOLD, DIM, RESET),
        Style::Plain => ("", "", ""),
    };
    let mut out = String::new();
    for (i, hit) in results.hits.iter().enumerate() {
        let _ = writeln!(
            out,
            "{bold}{}. {}{reset} {dim}({}, {:.2}){reset}",
            offset + i + 1,
            hit.title,
            hit.kind,
            hit.score
        );
        let _ = writeln!(out, "   {dim}{} — {}{reset}", hit.doc_title, hit.doc);
        let _ = writeln!(out, "   {}", snippet_terminal(&hit.snippet, style));
        let _ = writeln!(out, "   {dim}id {}{reset}", hit.id);
        out.push('\n');
    }
    let shown = results.hits.len();
    let _ = writeln!(
        out,
        "{dim}{}{} {} for {:?}{}, {:.1} ms{reset}",
        if results.total_is_lower_bound {
            "at least "
        } else {
            ""
        },
        results.total,
        if results.total == 1 { "hit" } else { "hits" },
        results.query,
        if shown > 0 && shown < results.total {
            format!(" (showing {}–{})", offset + 1, offset + shown)
        } else {
            String::new()
        },
        results.took_ms
    );
    for expansion in &results.expanded {
        let _ = writeln!(
            out,
            "{dim}also searched for {:?} ({}): {}{reset}",
            expansion.term,
            expansion.concept,
            expansion.with.join(", ")
        );
    }
    if let Some(suggestion) = &results.suggestion {
        let _ = writeln!(out, "did you mean: {bold}{suggestion}{reset}");
    }
    out
}

/// A segmented report for a terminal: metadata, then each segment's kind,
/// title and first words.
pub fn report_terminal(report: &Report) -> String {
    let meta = &report.meta;
    let mut out = String::new();
    let _ = writeln!(out, "report:  {}", report.doc);
    let _ = writeln!(out, "title:   {}", meta.title);
    for line in &meta.title_lines {
        let _ = writeln!(out, "  line:  {line}");
    }
    let field = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    let _ = writeln!(out, "date:    {}", field(&meta.date));
    let _ = writeln!(out, "place:   {}", field(&meta.place));
    let _ = writeln!(out, "city:    {}", field(&meta.city));
    let sections = report
        .segments
        .iter()
        .filter(|s| s.kind.as_str() == "section")
        .count();
    let _ = writeln!(
        out,
        "segments: {} ({} sections, {} practices)\n",
        report.segments.len(),
        sections,
        report.segments.len() - sections
    );
    for segment in &report.segments {
        let words: Vec<&str> = segment.text.split_whitespace().take(12).collect();
        let _ = writeln!(
            out,
            "{:>3}  {:<8}  {}\n            {}…",
            segment.ordinal + 1,
            segment.kind.as_str(),
            segment.title,
            words.join(" ")
        );
    }
    out
}

/// What an indexing run did, in one line.
pub fn summary_line(summary: &IndexSummary) -> String {
    let mut line = format!(
        "indexed in {:.2} s: {} added, {} updated, {} removed, {} unchanged",
        summary.elapsed.as_secs_f64(),
        summary.added,
        summary.updated,
        summary.removed,
        summary.unchanged
    );
    if summary.renamed > 0 {
        let _ = write!(line, ", {} renamed", summary.renamed);
    }
    if !summary.skipped.is_empty() {
        let _ = write!(line, ", {} skipped", summary.skipped.len());
    }
    let _ = write!(
        line,
        "; {} segments written; index holds {} reports, {} segments",
        summary.segments_written, summary.documents, summary.segments
    );
    line
}

/// The indexed reports, one per line, for a terminal.
pub fn documents_terminal(records: &[ReportRecord]) -> String {
    let mut out = String::new();
    for r in records {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{} segments",
            r.doc,
            r.date.as_deref().unwrap_or("-"),
            r.city.as_deref().unwrap_or("-"),
            r.lang,
            r.doc_title,
            r.segments
        );
    }
    out
}

/// A passage for a terminal: heading, metadata, the whole text, and the
/// ids of its neighbours.
pub fn passage_terminal(passage: &Passage) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", passage.title);
    let _ = writeln!(out, "kind:    {}", passage.kind);
    let _ = writeln!(out, "report:  {} — {}", passage.doc_title, passage.doc);
    for (label, value) in passage_facts(passage) {
        let _ = writeln!(out, "{:<8} {value}", format!("{label}:"));
    }
    let _ = writeln!(out, "\n{}\n", passage.text);
    for (label, neighbour) in [("previous", &passage.previous), ("next", &passage.next)] {
        if let Some(n) = neighbour {
            let _ = writeln!(out, "{label}: {} ({})", n.id, n.title);
        }
    }
    out
}

/// The optional facts of a passage, labelled in English for the terminal.
fn passage_facts(passage: &Passage) -> Vec<(&'static str, String)> {
    let mut facts = Vec::new();
    if let Some(date) = &passage.date {
        facts.push(("date", date.clone()));
    }
    if let Some(city) = &passage.city {
        facts.push(("city", city.clone()));
    }
    if !passage.organisations.is_empty() {
        facts.push(("orgs", passage.organisations.join("; ")));
    }
    if let Some(part) = &passage.part {
        facts.push(("part", part.clone()));
    }
    facts.push(("lang", passage.lang.clone()));
    facts.push(("id", passage.id.clone()));
    facts
}

/// A passage as a whole French HTML page, everything from the report
/// escaped. Styles come from `/app.css`; the page needs no script.
pub fn passage_html(passage: &Passage) -> String {
    let e = escape_html;
    let kind = if passage.kind == "practice" {
        "Pratique"
    } else {
        "Section"
    };
    let mut out = String::with_capacity(passage.text.len() * 2 + 2048);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — palabre</title>\n<link rel=\"stylesheet\" href=\"/app.css\">\n</head>\n<body>\n\
         <header class=\"top\"><a href=\"/\">← Rechercher dans les rapports</a></header>\n\
         <main class=\"passage\" id=\"passage\">\n<p class=\"kind kind-{}\">{kind}</p>\n<h1>{}</h1>\n<dl class=\"facts\">\n",
        e(&passage.title),
        e(&passage.kind),
        e(&passage.title),
    );
    let mut fact = |label: &str, value: &str| {
        let _ = writeln!(out, "<dt>{label}</dt><dd>{}</dd>", e(value));
    };
    fact(
        "Rapport",
        &format!("{} ({})", passage.doc_title, passage.doc),
    );
    if let Some(date) = &passage.date {
        fact("Date de la réunion", date);
    }
    if let Some(city) = passage.report.as_ref().and_then(|r| r.city.as_ref()) {
        fact("Ville de la réunion", city);
    }
    if let Some(city) = passage.city.as_ref().filter(|_| passage.kind == "practice") {
        fact("Lieu de la pratique", city);
    }
    if !passage.organisations.is_empty() {
        fact("Organisations", &passage.organisations.join(" ; "));
    }
    if let Some(part) = &passage.part {
        fact("Partie", part);
    }
    out.push_str("</dl>\n");
    let _ = writeln!(
        out,
        "<div class=\"text\" lang=\"{}\" dir=\"auto\">",
        e(&passage.lang)
    );
    text_html(&mut out, &passage.text);
    out.push_str("</div>\n<nav class=\"neighbours\" aria-label=\"Passages voisins\">\n");
    if let Some(n) = &passage.previous {
        let _ = writeln!(
            out,
            "<a rel=\"prev\" href=\"{}\">← {}</a>",
            e(&n.url),
            e(&n.title)
        );
    }
    if let Some(n) = &passage.next {
        let _ = writeln!(
            out,
            "<a rel=\"next\" href=\"{}\">{} →</a>",
            e(&n.url),
            e(&n.title)
        );
    }
    out.push_str("</nav>\n</main>\n</body>\n</html>\n");
    out
}

/// A segment's text as HTML: one paragraph per line, runs of `- ` items
/// as a list.
fn text_html(out: &mut String, text: &str) {
    let mut in_list = false;
    for line in text.lines() {
        let item = line.strip_prefix("- ");
        match (item, in_list) {
            (Some(_), false) => out.push_str("<ul>\n"),
            (None, true) => out.push_str("</ul>\n"),
            _ => {}
        }
        in_list = item.is_some();
        match item {
            Some(item) => {
                let _ = writeln!(out, "<li>{}</li>", escape_html(item));
            }
            None => {
                let _ = writeln!(out, "<p>{}</p>", escape_html(line));
            }
        }
    }
    if in_list {
        out.push_str("</ul>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_everywhere() {
        assert_eq!(
            escape_html(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn snippets_mark_matches_and_escape_the_rest() {
        let snippet = Snippet {
            text: "<b>cadre</b> juridique".into(),
            highlights: vec![(3, 8), (13, 22)],
        };
        assert_eq!(
            snippet_html(&snippet),
            "&lt;b&gt;<mark>cadre</mark>&lt;/b&gt; <mark>juridique</mark>"
        );
        assert_eq!(
            snippet_terminal(&snippet, Style::Plain),
            "<b>[cadre]</b> [juridique]"
        );
        assert_eq!(
            snippet_terminal(&snippet, Style::Color),
            "<b>\x1b[1;31mcadre\x1b[0m</b> \x1b[1;31mjuridique\x1b[0m"
        );
    }

    fn passage(text: &str) -> Passage {
        Passage {
            id: "0123456789abcdef".into(),
            kind: "practice".into(),
            title: "<b>Titre</b>".into(),
            part: None,
            ordinal: 1,
            text: text.into(),
            lang: "fr".into(),
            city: Some("Nador".into()),
            organisations: vec!["ASTICUDE".into()],
            doc: "r.txt".into(),
            doc_title: "Rapport & co".into(),
            date: Some("2019-06-25".into()),
            year: Some(2019),
            url: "/segments/0123456789abcdef".into(),
            report: None,
            previous: None,
            next: Some(crate::passage::Neighbour {
                id: "fedcba9876543210".into(),
                title: "Suite\"><script>".into(),
                kind: "section".into(),
                url: "/segments/fedcba9876543210".into(),
            }),
        }
    }

    #[test]
    fn passage_pages_escape_the_report_and_list_items() {
        let html = passage_html(&passage(
            "Intro <script>alert(1)</script>\n- un\n- deux\nFin.",
        ));
        assert!(html.contains("<h1>&lt;b&gt;Titre&lt;/b&gt;</h1>"));
        assert!(html.contains("<p>Intro &lt;script&gt;alert(1)&lt;/script&gt;</p>"));
        assert!(html.contains("<ul>\n<li>un</li>\n<li>deux</li>\n</ul>\n<p>Fin.</p>"));
        assert!(html.contains("Rapport &amp; co"));
        assert!(html.contains("<a rel=\"next\" href=\"/segments/fedcba9876543210\">Suite&quot;&gt;&lt;script&gt; →</a>"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("<dd>Nador</dd>"));
    }

    #[test]
    fn passages_print_in_full_for_a_terminal() {
        let text = passage_terminal(&passage("Ligne un.\nLigne deux."));
        assert!(text.starts_with("<b>Titre</b>\n"));
        assert!(text.contains("\nLigne un.\nLigne deux.\n"));
        assert!(text.contains("city:    Nador"));
        assert!(text.contains("next: fedcba9876543210 (Suite\"><script>)"));
    }

    #[test]
    fn out_of_range_highlights_are_ignored() {
        let snippet = Snippet {
            text: "réfugiés".into(),
            highlights: vec![(1, 2), (0, 99)],
        };
        // (1, 2) cuts inside "é": skipped, never a panic.
        assert_eq!(snippet_html(&snippet), "réfugiés");
    }

    #[test]
    fn a_count_that_stopped_says_at_least() {
        let mut results = crate::search::SearchResults {
            query: "fichier".into(),
            total: 10_000,
            ..Default::default()
        };
        let plain = results_terminal(&results, 0, Style::Plain);
        assert!(plain.contains("10000 hits for \"fichier\""), "{plain}");
        assert!(!plain.contains("at least"), "{plain}");
        results.total_is_lower_bound = true;
        let bounded = results_terminal(&results, 0, Style::Plain);
        assert!(
            bounded.contains("at least 10000 hits for \"fichier\""),
            "{bounded}"
        );
    }
}
