//! Rebuilding a PDF's paragraphs from its lines: pure geometry, no PDF.
//!
//! The rules, in order:
//! 1. **Page furniture**: a line at the top or the bottom of a page that is
//!    a page number ("12", "Page 3 sur 9", "- 4 -"), or whose text, digits
//!    aside, comes back at the top or bottom of at least half of the pages
//!    (a running header or footer), is dropped.
//! 2. **Paragraph breaks** within a page: a vertical gap clearly larger than
//!    the document's usual line spacing, a change of font size (a heading),
//!    a line going back up the page, or a line that ends early when the next
//!    line's first word would have fitted on it (the author pressed Enter).
//! 3. **Page breaks**: the last line of a page and the first of the next are
//!    the same paragraph when that last line runs to the right margin and
//!    does not end a sentence: a paragraph cut by the page break.
//! 4. **Hyphens** at a line end are re-joined: `mi-` / `gration` →
//!    `migration`; before a capital the hyphen stays (`Nord-` / `Sud` →
//!    `Nord-Sud`).
//!
//! Paragraphs are written one line of the PDF per line, with a blank line
//! between paragraphs: the segmenter joins the lines of a paragraph, as in
//! a hard-wrapped `.txt`.

use std::collections::HashMap;

use crate::segment::{ends_sentence, starts_lowercase};

/// A line of text on a page; `y` is the baseline's distance from the top
/// of the page, `x0`..`x1` its horizontal extent, all in PDF units.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Line {
    pub y: f64,
    pub x0: f64,
    pub x1: f64,
    /// Largest glyph size on the line.
    pub size: f64,
    pub text: String,
}

impl Line {
    /// Whether a glyph at (`x`, `y`) of `size` belongs on this line: the
    /// same baseline, give or take a superscript, and not far back left.
    pub fn continues_with(&self, x: f64, y: f64, size: f64) -> bool {
        let tolerance = 0.5 * size.max(self.size);
        (y - self.y).abs() <= tolerance && x >= self.x1 - tolerance
    }
}

/// A page: its height and its lines, in the order they are drawn.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Page {
    pub height: f64,
    pub lines: Vec<Line>,
}

/// Part of the page height, at the top and at the bottom, where running
/// headers, footers and page numbers sit.
const MARGIN_BAND: f64 = 0.12;
/// How many lines at each end of a page may be furniture.
const FURNITURE_LINES: usize = 2;
/// A gap this many times the usual line spacing ends a paragraph.
const PARAGRAPH_GAP: f64 = 1.3;
/// A relative change of font size this large ends a paragraph.
const SIZE_CHANGE: f64 = 0.12;

/// The document's text: paragraphs separated by blank lines.
pub(super) fn text(pages: &[Page]) -> String {
    let furniture = furniture(pages);
    let body: Vec<Vec<&Line>> = pages
        .iter()
        .enumerate()
        .map(|(p, page)| {
            page.lines
                .iter()
                .enumerate()
                .filter(|(i, line)| !furniture.contains(&(p, *i)) && !line.text.trim().is_empty())
                .map(|(_, line)| line)
                .collect()
        })
        .collect();
    let metrics = Metrics::of(&body);

    let mut out = String::new();
    let mut previous: Option<&Line> = None;
    for lines in &body {
        for (i, line) in lines.iter().enumerate() {
            let (text, is_item) = list_marker(line.text.trim());
            if let Some(prev) = previous {
                let same_paragraph = if is_item {
                    false
                } else if i == 0 {
                    continues_across_pages(prev, &metrics)
                } else {
                    !metrics.breaks_between(prev, line)
                };
                match (same_paragraph, hyphenated(&out)) {
                    (true, true) => {
                        if starts_lowercase(&text) {
                            out.pop();
                        }
                    }
                    // One paragraph per line: the segmenter keeps short lines
                    // apart, so a heading wrapped over two lines is joined here.
                    (true, false) => out.push(' '),
                    (false, _) => out.push_str("\n\n"),
                }
            }
            out.push_str(&text);
            previous = Some(line);
        }
    }
    out
}

/// A bullet drawn as a glyph (`•`, `▪`, Word's Symbol-font bullets in the
/// private use area …) becomes the `- ` of a Markdown list item, as Word
/// and HTML list items do; such a line starts a paragraph of its own.
fn list_marker(text: &str) -> (String, bool) {
    const BULLETS: [char; 11] = [
        '•', '◦', '▪', '▫', '‣', '●', '■', '□', '➢', '\u{f0b7}', '\u{f0a7}',
    ];
    match text.strip_prefix(BULLETS) {
        Some(rest) => (format!("- {}", rest.trim_start()), true),
        None => (text.to_string(), starts_with_typed_marker(text)),
    }
}

/// A list item typed as text: `- `, `– ` or a number and `. ` / `) `.
fn starts_with_typed_marker(text: &str) -> bool {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let after_digits = text.get(digits..).unwrap_or_default();
    text.starts_with("- ")
        || text.starts_with("– ")
        || ((1..=3).contains(&digits)
            && (after_digits.starts_with(". ") || after_digits.starts_with(") ")))
}

/// Indices (page, line) of running headers, footers and page numbers.
fn furniture(pages: &[Page]) -> Vec<(usize, usize)> {
    // The top-most and bottom-most lines of each page, within the bands.
    let candidates: Vec<Vec<usize>> = pages
        .iter()
        .map(|page| {
            let mut order: Vec<usize> = (0..page.lines.len())
                .filter(|&i| page.lines.get(i).is_some_and(|l| !l.text.trim().is_empty()))
                .collect();
            order.sort_by(|&a, &b| {
                let y = |i: usize| page.lines.get(i).map_or(0.0, |l| l.y);
                y(a).total_cmp(&y(b))
            });
            let band = page.height * MARGIN_BAND;
            let top = order.iter().take(FURNITURE_LINES);
            let bottom = order.iter().rev().take(FURNITURE_LINES);
            let mut chosen: Vec<usize> = top
                .filter(|&&i| page.lines.get(i).is_some_and(|l| l.y <= band))
                .chain(
                    bottom
                        .filter(|&&i| page.lines.get(i).is_some_and(|l| l.y >= page.height - band)),
                )
                .copied()
                .collect();
            chosen.sort_unstable();
            chosen.dedup();
            chosen
        })
        .collect();

    let mut pages_with: HashMap<String, usize> = HashMap::new();
    for (p, indices) in candidates.iter().enumerate() {
        let mut keys: Vec<String> = indices
            .iter()
            .filter_map(|&i| pages.get(p)?.lines.get(i))
            .map(|l| furniture_key(&l.text))
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            *pages_with.entry(key).or_default() += 1;
        }
    }
    let repeated = |key: &str| {
        let count = pages_with.get(key).copied().unwrap_or(0);
        count >= 2 && count * 2 >= pages.len()
    };
    let mut found = Vec::new();
    for (p, indices) in candidates.iter().enumerate() {
        for &i in indices {
            let Some(line) = pages.get(p).and_then(|page| page.lines.get(i)) else {
                continue;
            };
            if is_page_number(&line.text) || repeated(&furniture_key(&line.text)) {
                found.push((p, i));
            }
        }
    }
    found
}

/// A header's text with its numbers blanked: "Rapport 2019 – page 3" and
/// "Rapport 2019 – page 4" are the same header.
fn furniture_key(text: &str) -> String {
    let lower = text.to_lowercase();
    let blanked: String = lower
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect();
    blanked.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "7", "- 7 -", "Page 7", "page 7 sur 12", "7/12", "p. 7", "Página 7 de 9", "iv".
fn is_page_number(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let core = lower.trim_matches(|c: char| c == '-' || c == '–' || c == '—' || c.is_whitespace());
    let words: Vec<&str> = core
        .split(|c: char| c.is_whitespace() || c == '/')
        .filter(|w| !w.is_empty())
        .collect();
    let number = |w: &str| w.chars().all(|c| c.is_ascii_digit()) && w.len() <= 4;
    let roman = |w: &str| w.len() <= 6 && w.chars().all(|c| "ivxlc".contains(c));
    match words.as_slice() {
        [n] => number(n) || roman(n),
        [a, b] => (is_page_label(a) || number(a)) && number(b),
        [label, n, of, m] => {
            is_page_label(label) && number(n) && ["of", "sur", "de", "/"].contains(of) && number(m)
        }
        _ => false,
    }
}

fn is_page_label(word: &str) -> bool {
    ["page", "p.", "pg.", "página", "pagina", "pág.", "صفحة"].contains(&word)
}

/// The document's usual line spacing, body font size and text block.
#[derive(Debug, Clone, Copy)]
struct Metrics {
    /// Usual distance between the baselines of two lines of a paragraph.
    pitch: f64,
    /// Right edge of the text block.
    right: f64,
}

impl Metrics {
    fn of(pages: &[Vec<&Line>]) -> Metrics {
        let lines = || pages.iter().flatten();
        let size = most_common(lines().map(|l| (l.size, l.text.chars().count()))).unwrap_or(10.0);
        let body = |l: &&&Line| (l.size - size).abs() <= SIZE_CHANGE * size;
        let gaps = pages.iter().flat_map(|page| {
            page.windows(2).filter_map(|pair| match pair {
                [a, b] if body(&a) && body(&b) && b.y > a.y => Some((b.y - a.y, 1)),
                _ => None,
            })
        });
        let pitch = most_common(gaps)
            .filter(|p| *p >= 0.8 * size)
            .unwrap_or(1.2 * size);
        let mut ends: Vec<f64> = lines().filter(body).map(|l| l.x1).collect();
        ends.sort_by(f64::total_cmp);
        // The 90th percentile: ragged-right lines fall short of the edge,
        // a few lines (tables, URLs) may overshoot it.
        let right = ends.get(ends.len() * 9 / 10).copied().unwrap_or(f64::MAX);
        Metrics { pitch, right }
    }

    /// Whether `line`, drawn after `prev` on the same page, starts a new
    /// paragraph.
    fn breaks_between(&self, prev: &Line, line: &Line) -> bool {
        let gap = line.y - prev.y;
        let size_changed = (line.size - prev.size).abs() > SIZE_CHANGE * prev.size.max(line.size);
        gap <= 0.0
            || gap > PARAGRAPH_GAP * self.pitch
            || size_changed
            || self.ends_early(prev, line)
    }

    /// Whether `prev` stops short of the right edge although the first word
    /// of `next` would have fitted there: the line was ended on purpose.
    fn ends_early(&self, prev: &Line, next: &Line) -> bool {
        let chars = next.text.trim().chars().count().max(1);
        let char_width = (next.x1 - next.x0).max(0.0) / chars as f64;
        let first_word = next
            .text
            .split_whitespace()
            .next()
            .map_or(0, |w| w.chars().count());
        let room = self.right - prev.x1;
        room > (first_word + 2) as f64 * char_width
    }
}

/// The paragraph goes on over the page break when the page's last line
/// runs to the margin and the sentence is not finished.
fn continues_across_pages(last: &Line, metrics: &Metrics) -> bool {
    let full = metrics.right - last.x1 <= 0.1 * (metrics.right - last.x0).max(1.0);
    full && !ends_sentence(last.text.trim()) || hyphenated(&last.text)
}

/// The most common value, rounded to half a point, weighted.
fn most_common(values: impl Iterator<Item = (f64, usize)>) -> Option<f64> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for (value, weight) in values {
        if value.is_finite() {
            *counts.entry((value * 2.0).round() as i64).or_default() += weight;
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(value, count)| (count, -value))
        .map(|(value, _)| value as f64 / 2.0)
}

/// Text ending with a word cut by a hyphen: a letter then `-` (or a soft
/// hyphen). " - " between words is a dash, not a cut.
fn hyphenated(text: &str) -> bool {
    let mut chars = text.trim_end().chars().rev();
    matches!(
        (chars.next(), chars.next()),
        (Some('-' | '\u{ad}'), Some(c)) if c.is_alphabetic()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of A4 height whose lines are given as (y, x1, size, text),
    /// all starting at the left margin (x0 = 70).
    fn page(lines: &[(f64, f64, f64, &str)]) -> Page {
        Page {
            height: 842.0,
            lines: lines
                .iter()
                .map(|&(y, x1, size, text)| Line {
                    y,
                    x0: 70.0,
                    x1,
                    size,
                    text: text.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn gaps_and_font_sizes_end_paragraphs() {
        let pages = [page(&[
            (100.0, 200.0, 16.0, "Contexte"),
            (130.0, 520.0, 11.0, "Ce document résume les résultats de"),
            (143.0, 520.0, 11.0, "l'activité entre pairs."),
            (
                170.0,
                519.0,
                11.0,
                "Les discussions se sont déroulées sous la",
            ),
            (183.0, 300.0, 11.0, "règle de Chatham House."),
            (
                196.0,
                521.0,
                11.0,
                "Les photos sont disponibles en ligne pour les",
            ),
            (209.0, 250.0, 11.0, "participants."),
        ])];
        assert_eq!(
            text(&pages),
            "Contexte\n\nCe document résume les résultats de l'activité entre pairs.\n\n\
             Les discussions se sont déroulées sous la règle de Chatham House.\n\n\
             Les photos sont disponibles en ligne pour les participants."
        );
    }

    #[test]
    fn a_line_ended_on_purpose_ends_its_paragraph() {
        // Same spacing everywhere; "Contexte" stops far from the margin
        // although "Ce" would have fitted.
        let pages = [page(&[
            (
                100.0,
                520.0,
                11.0,
                "Partenariats entre les villes et les organisations -",
            ),
            (113.0, 200.0, 11.0, "pratiques du terrain"),
            (
                126.0,
                520.0,
                11.0,
                "Les villes et les OSC ont défini leur rôle face aux",
            ),
            (
                139.0,
                520.0,
                11.0,
                "défis existants au niveau local et régional, avec des",
            ),
            (152.0, 480.0, 11.0, "moyens limités."),
        ])];
        assert_eq!(
            text(&pages),
            "Partenariats entre les villes et les organisations - pratiques du terrain\n\n\
             Les villes et les OSC ont défini leur rôle face aux \
             défis existants au niveau local et régional, avec des moyens limités."
        );
    }

    #[test]
    fn typed_list_markers_start_a_paragraph() {
        assert!(starts_with_typed_marker("- Le dernier défi"));
        assert!(starts_with_typed_marker("4. Une bonne coordination"));
        assert!(starts_with_typed_marker("12) point"));
        assert!(!starts_with_typed_marker("2019 a été"));
        assert!(!starts_with_typed_marker("-5 degrés"));
    }

    #[test]
    fn hyphenated_words_are_joined() {
        let pages = [page(&[
            (100.0, 520.0, 11.0, "la gouvernance de la mi-"),
            (113.0, 520.0, 11.0, "gration dans les villes Nord-"),
            (126.0, 520.0, 11.0, "Sud et les échanges - entre pairs"),
            (139.0, 300.0, 11.0, "se poursuivent."),
        ])];
        assert_eq!(
            text(&pages),
            "la gouvernance de la migration dans les villes Nord-Sud et les échanges - entre pairs se poursuivent."
        );
    }

    #[test]
    fn running_headers_footers_and_page_numbers_are_dropped() {
        let body = |first: &str, last: &str| {
            page(&[
                (40.0, 300.0, 9.0, "MC2CM – Rapport de Sfax 2019"),
                (100.0, 520.0, 11.0, first),
                (
                    113.0,
                    520.0,
                    11.0,
                    "texte texte texte texte texte texte texte texte",
                ),
                (126.0, 520.0, 11.0, last),
                (800.0, 80.0, 9.0, "Page 1 sur 3"),
            ])
        };
        let mut pages = vec![
            body(
                "Premier paragraphe qui commence la page et",
                "qui ne finit pas la phrase et",
            ),
            body(
                "continue sur la page suivante sans rupture",
                "fin de la page deux et encore",
            ),
            body(
                "la suite du texte sur la troisième page de",
                "la fin du rapport.",
            ),
        ];
        pages[1].lines[4].text = "Page 2 sur 3".into();
        pages[2].lines[4].text = "3".into();
        let out = text(&pages);
        assert!(!out.contains("MC2CM"), "{out}");
        assert!(!out.contains("Page"), "{out}");
        assert!(!out.ends_with('3'), "{out}");
        // The paragraph runs on across both page breaks.
        assert!(!out.contains("\n\n"), "{out}");
        assert!(out.contains("qui ne finit pas la phrase et continue sur la page"));
    }

    #[test]
    fn a_first_line_that_merely_looks_like_a_header_stays() {
        let pages = [
            page(&[
                (60.0, 520.0, 11.0, "Contexte"),
                (90.0, 400.0, 11.0, "Texte un."),
            ]),
            page(&[
                (60.0, 520.0, 11.0, "Défis"),
                (90.0, 400.0, 11.0, "Texte deux."),
            ]),
        ];
        let out = text(&pages);
        assert!(out.contains("Contexte") && out.contains("Défis"), "{out}");
    }

    #[test]
    fn bullet_glyphs_become_list_markers() {
        let pages = [page(&[
            (100.0, 200.0, 11.0, "Trois défis:"),
            (113.0, 300.0, 11.0, "• le cadre juridique;"),
            (126.0, 300.0, 11.0, "▪\tles données."),
        ])];
        assert_eq!(
            text(&pages),
            "Trois défis:\n\n- le cadre juridique;\n\n- les données."
        );
    }

    #[test]
    fn page_numbers_are_recognised() {
        for yes in [
            "7",
            "- 7 -",
            "Page 7",
            "page 7 sur 12",
            "7/12",
            "p. 7",
            "Página 7 de 9",
            "iv",
        ] {
            assert!(is_page_number(yes), "{yes}");
        }
        for no in [
            "Contexte",
            "2019-06-25",
            "Page de garde",
            "7 recommandations",
        ] {
            assert!(!is_page_number(no), "{no}");
        }
    }

    #[test]
    fn glyphs_continue_a_line_on_the_same_baseline() {
        let line = Line {
            y: 100.0,
            x0: 70.0,
            x1: 200.0,
            size: 11.0,
            text: "abc".into(),
        };
        assert!(line.continues_with(201.0, 100.0, 11.0));
        assert!(line.continues_with(201.0, 97.0, 7.0), "superscript");
        assert!(!line.continues_with(70.0, 113.0, 11.0), "next line");
        assert!(!line.continues_with(80.0, 100.0, 11.0), "back to the left");
    }
}
