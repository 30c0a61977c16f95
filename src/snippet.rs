//! A hit's snippet: the passage of its text with the most weight of query
//! terms, and where they are in it. Part of the search stage; rendering
//! (HTML, terminal) is `render`'s job.
//!
//! The passage is chosen as tantivy's `SnippetGenerator` chooses it (the
//! tests compare the two): the text is cut into runs of tokens at most
//! [`SNIPPET_BYTES`] long, each run starting at the token that did not
//! fit in the one before, and the run whose terms weigh most wins, the
//! first one on a tie. The tokens come from [`Highlighter`], which skips
//! the analyzer's work on the words that cannot match, and only the best
//! run so far is kept.

use crate::analysis::Highlighter;

/// Longest passage, in bytes of the text (tantivy's `max_num_chars`,
/// which counts bytes too).
pub const SNIPPET_BYTES: usize = 220;

/// A snippet: a passage of the segment and the byte ranges of the matched
/// words in it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// The passage.
    pub text: String,
    /// Byte ranges of `text` to highlight, in order, not overlapping.
    pub highlights: Vec<(usize, usize)>,
}

/// A run of tokens: its byte range in the text, the weight of the terms in
/// it and their ranges.
#[derive(Debug, Default)]
struct Run {
    start: usize,
    stop: usize,
    weight: f32,
    highlights: Vec<(usize, usize)>,
}

impl Run {
    /// Starts again at `start`, keeping the highlights' memory.
    fn restart(&mut self, start: usize) {
        self.start = start;
        self.stop = start;
        self.weight = 0.0;
        self.highlights.clear();
    }
}

/// The best passage of `text`; its beginning, cut at a space, when no
/// term is in it (a match in the heading only).
pub fn best_passage(highlighter: &mut Highlighter, text: &str) -> Snippet {
    let mut best: Option<Run> = None;
    let mut run = Run::default();
    // A finished run replaces the best one only when it weighs more: on a
    // tie the first stays.
    let keep = |run: &mut Run, best: &mut Option<Run>, next: usize| {
        if run.weight > 0.0 && best.as_ref().is_none_or(|best| run.weight > best.weight) {
            let mut next_run = Run::default();
            next_run.restart(next);
            *best = Some(std::mem::replace(run, next_run));
        } else {
            run.restart(next);
        }
    };
    highlighter.for_each_token(text, |range, weight| {
        if range.end.saturating_sub(run.start) > SNIPPET_BYTES {
            keep(&mut run, &mut best, range.start);
        }
        run.stop = range.end;
        if let Some(weight) = weight {
            run.weight += weight;
            // An accented word may give two matching terms: one range.
            if run.highlights.last() != Some(&(range.start, range.end)) {
                run.highlights.push((range.start, range.end));
            }
        }
    });
    keep(&mut run, &mut best, text.len());
    match best.and_then(|run| Some((text.get(run.start..run.stop)?, run))) {
        Some((passage, run)) => Snippet {
            text: passage.to_string(),
            highlights: run
                .highlights
                .iter()
                .map(|&(from, to)| (from - run.start, to - run.start))
                .collect(),
        },
        None => beginning(text),
    }
}

/// The beginning of `text`, at most [`SNIPPET_BYTES`] long as a passage
/// is, cut after the last whole word.
fn beginning(text: &str) -> Snippet {
    if text.len() <= SNIPPET_BYTES {
        return Snippet {
            text: text.to_string(),
            highlights: Vec::new(),
        };
    }
    // The last character boundary within the limit.
    let end = (0..=SNIPPET_BYTES)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let head = &text[..end];
    let cut = head.rfind(' ').unwrap_or(end);
    Snippet {
        text: head[..cut].to_string(),
        highlights: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tantivy::schema::{Schema, TEXT};
    use tantivy::snippet::SnippetGenerator;

    use super::*;
    use crate::analysis::{self, Lang};

    fn terms(query: &str) -> BTreeMap<String, f32> {
        analysis::analyze(Lang::Fr, query)
            .into_iter()
            .enumerate()
            // Distinct weights, so that the choice of a passage depends on them.
            .map(|(i, (_, term))| (term, 1.0 + i as f32 / 2.0))
            .collect()
    }

    /// tantivy's snippet of `text` for `terms`, with our analyzer.
    fn tantivys(terms: &BTreeMap<String, f32>, text: &str) -> Snippet {
        let mut schema = Schema::builder();
        let field = schema.add_text_field("body", TEXT);
        let _schema = schema.build();
        let analyzer = analysis::highlight_analyzer(Lang::Fr, terms.keys().map(String::as_str));
        let generator = SnippetGenerator::new(terms.clone(), analyzer, field, SNIPPET_BYTES);
        let found = generator.snippet(text);
        let mut highlights: Vec<(usize, usize)> = found
            .highlighted()
            .iter()
            .map(|r| (r.start, r.end))
            .collect();
        highlights.dedup();
        Snippet {
            text: found.fragment().to_string(),
            highlights,
        }
    }

    fn ours(terms: &BTreeMap<String, f32>, text: &str) -> Snippet {
        best_passage(&mut Highlighter::new(Lang::Fr, terms), text)
    }

    #[test]
    fn the_passage_is_tantivys_on_the_bundled_report() {
        let mut compared = 0;
        for report in crate::bundled_texts() {
            for query in [
                "cadre juridique",
                "réfugiés syriens",
                "financement des OSC",
                "migrants société civile",
                "Nador Brital Meknès",
            ] {
                let terms = terms(query);
                // Every line (a paragraph or a list item), and the whole report.
                let lines = report.lines().filter(|line| !line.trim().is_empty());
                for paragraph in lines.chain([report.as_str()]) {
                    let theirs = tantivys(&terms, paragraph);
                    if theirs.text.is_empty() {
                        assert!(
                            ours(&terms, paragraph).highlights.is_empty(),
                            "{query}: {paragraph}"
                        );
                        continue;
                    }
                    assert_eq!(ours(&terms, paragraph), theirs, "{query}: {paragraph}");
                    compared += 1;
                }
            }
        }
        assert!(compared > 50, "only {compared} passages compared");
    }

    #[test]
    fn the_heaviest_passage_wins_and_the_first_on_a_tie() {
        // "cadre" weighs 1, "juridique" 1.5; the filler is longer than a
        // passage, so each match is in a passage of its own.
        let terms = terms("cadre juridique");
        let filler = "texte ".repeat(60);
        let snippet = ours(&terms, &format!("cadre {filler}juridique {filler}"));
        assert!(snippet.text.contains("juridique"), "{}", snippet.text);
        assert!(!snippet.text.contains("cadre"), "{}", snippet.text);
        assert!(snippet.text.len() <= SNIPPET_BYTES);
        let at = snippet.text.find("juridique").unwrap_or(usize::MAX);
        assert_eq!(snippet.highlights, [(at, at + "juridique".len())]);

        let tie = ours(&terms, &format!("cadre {filler}cadre {filler}"));
        assert!(tie.text.starts_with("cadre texte"), "{}", tie.text);
        assert_eq!(tie.highlights, [(0, 5)]);
    }

    #[test]
    fn without_a_match_the_snippet_is_the_beginning_cut_at_a_space() {
        let text = "mot ".repeat(100);
        let snippet = ours(&terms("cadre"), &text);
        assert!(snippet.highlights.is_empty());
        assert!(snippet.text.len() <= SNIPPET_BYTES && snippet.text.ends_with("mot"));
        assert_eq!(ours(&terms("cadre"), "court").text, "court");
        // Bytes, as for a passage, cut on a character boundary.
        let accented = "été ".repeat(100);
        let snippet = ours(&terms("cadre"), &accented);
        assert!(snippet.text.len() <= SNIPPET_BYTES && snippet.text.ends_with("été"));
    }
}
