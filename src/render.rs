//! Rendering results for people and programs: terminal text, JSON and HTML
//! fragments. Pure: no I/O. Everything that comes from a report is escaped
//! before it reaches HTML.

use std::fmt::Write as _;

use crate::index::IndexSummary;
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
        "{dim}{} {} for {:?}{}, {:.1} ms{reset}",
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

    #[test]
    fn out_of_range_highlights_are_ignored() {
        let snippet = Snippet {
            text: "réfugiés".into(),
            highlights: vec![(1, 2), (0, 99)],
        };
        // (1, 2) cuts inside "é": skipped, never a panic.
        assert_eq!(snippet_html(&snippet), "réfugiés");
    }
}
