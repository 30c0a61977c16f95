//! The documents that hold the typo vocabulary (`schema::name::FOLD`).
//!
//! Each vocabulary document holds the distinct words of a batch of
//! [`BATCH_REPORTS`] reports, and the names of those reports. One
//! document per report made every (report, word) pair a posting: on 1 GB
//! of text, a third of the indexing time went to the vocabulary. In a
//! batch, a word the reports share is one posting, and a word's document
//! frequency (what corrections are ranked by) counts the batches that use
//! it.
//!
//! When a report changes or goes, the vocabulary documents naming it go
//! too, and the other reports of their batches get a new one, their words
//! read back from their segments in the index. The vocabulary is then
//! always that of the reports indexed.

use std::collections::{BTreeSet, HashSet};

use rustc_hash::FxHashSet;
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::analysis;
use crate::error::Result;
use crate::schema::{Fields, REPORT_KIND, VOCABULARY_KIND};
use crate::search::term_query as term;
use crate::segment::Report;
use crate::typos;

/// Reports per vocabulary document. A changed report costs its batch's
/// other reports a new vocabulary document, read back from the index.
pub const BATCH_REPORTS: usize = 32;

/// The words of a report that typo tolerance may correct to, each once,
/// joined by spaces.
pub fn report_words(report: &Report) -> String {
    let texts = report
        .segments
        .iter()
        .flat_map(|s| [s.title.as_str(), s.text.as_str()]);
    analysis::distinct_words(texts, typos::may_be_a_correction)
}

/// The vocabulary document of `members`, holding `words` (space-separated).
pub fn document(fields: &Fields, members: &[String], words: &str) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.kind, VOCABULARY_KIND);
    for member in members {
        doc.add_text(fields.vocabulary_of, member);
    }
    doc.add_text(fields.fold, words);
    doc
}

/// The reports' words being gathered into one vocabulary document.
#[derive(Default)]
pub struct Batch {
    members: Vec<String>,
    seen: FxHashSet<String>,
    words: String,
}

impl Batch {
    /// Adds a report's words (space-separated).
    pub fn add(&mut self, doc: &str, words: &str) {
        self.members.push(doc.to_string());
        for word in words.split(' ').filter(|w| !w.is_empty()) {
            if !self.seen.contains(word) {
                self.seen.insert(word.to_string());
                if !self.words.is_empty() {
                    self.words.push(' ');
                }
                self.words.push_str(word);
            }
        }
    }

    /// Whether the batch has its [`BATCH_REPORTS`] reports.
    pub fn is_full(&self) -> bool {
        self.members.len() >= BATCH_REPORTS
    }

    /// The batch's document, if it has reports, and an empty batch in its
    /// place.
    pub fn take(&mut self, fields: &Fields) -> Option<TantivyDocument> {
        let batch = std::mem::take(self);
        (!batch.members.is_empty()).then(|| document(fields, &batch.members, &batch.words))
    }
}

/// For the vocabulary documents naming one of `leaving` (reports about to
/// be deleted or replaced): the names of their other reports, one set per
/// document.
pub fn batches_left(
    searcher: &Searcher,
    fields: &Fields,
    leaving: &HashSet<String>,
) -> Result<Vec<BTreeSet<String>>> {
    let mut seen = HashSet::new();
    let mut left = Vec::new();
    for doc in leaving {
        let query = TermQuery::new(
            Term::from_field_text(fields.vocabulary_of, doc),
            IndexRecordOption::Basic,
        );
        for address in searcher.search(&query, &DocSetCollector)? {
            if !seen.insert(address) {
                continue;
            }
            let stored: TantivyDocument = searcher.doc(address)?;
            let members: BTreeSet<String> = stored
                .get_all(fields.vocabulary_of)
                .filter_map(|v| v.as_str())
                .filter(|member| !leaving.contains(*member))
                .map(str::to_string)
                .collect();
            if !members.is_empty() {
                left.push(members);
            }
        }
    }
    Ok(left)
}

/// The words of an indexed report (see [`report_words`]), read from its
/// segments' stored headings and texts.
pub fn words_in_index(searcher: &Searcher, fields: &Fields, doc: &str) -> Result<String> {
    let segments = BooleanQuery::new(vec![
        (Occur::Must, term(fields.doc, doc)),
        (Occur::MustNot, term(fields.kind, REPORT_KIND)),
    ]);
    let mut addresses: Vec<_> = searcher
        .search(&segments, &DocSetCollector)?
        .into_iter()
        .collect();
    addresses.sort();
    let mut texts = Vec::with_capacity(addresses.len() * 2);
    for address in addresses {
        let stored: TantivyDocument = searcher.doc(address)?;
        let title = stored.get_first(fields.title).and_then(|v| v.as_str());
        for text in [title, fields.segment_text(&stored)].into_iter().flatten() {
            texts.push(text.to_string());
        }
    }
    Ok(analysis::distinct_words(
        texts.iter().map(String::as_str),
        typos::may_be_a_correction,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_holds_each_word_once_and_names_its_reports() {
        let (_, fields) = crate::schema::build();
        let mut batch = Batch::default();
        assert!(batch.take(&fields).is_none());
        batch.add("a.txt", "cadre juridique migrants");
        batch.add("b.txt", "migrants cadre accueil");
        batch.add("c.txt", "");
        assert!(!batch.is_full());
        let doc = batch.take(&fields).expect("three reports");
        let values = |field| -> Vec<String> {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        assert_eq!(values(fields.fold), ["cadre juridique migrants accueil"]);
        assert_eq!(values(fields.vocabulary_of), ["a.txt", "b.txt", "c.txt"]);
        assert_eq!(values(fields.kind), [VOCABULARY_KIND]);
        assert!(batch.take(&fields).is_none(), "taking empties the batch");
    }

    #[test]
    fn a_batch_is_full_at_its_size() {
        let mut batch = Batch::default();
        for i in 0..BATCH_REPORTS {
            assert!(!batch.is_full());
            batch.add(&format!("{i}.txt"), "mot");
        }
        assert!(batch.is_full());
    }

    #[test]
    fn a_report_s_words_are_the_correction_candidates_of_its_segments() {
        let report = crate::segment::segment(
            "r.txt",
            "Titre\n\n3 mars 2020, Rabat\n\nContexte\n\nTexte.\n\nSuite\n\nAutre.\n",
        );
        assert_eq!(report_words(&report), "Contexte Texte Suite Autre");
        let report =
            crate::segment::segment("r.txt", "Titre\n\nContexte\n\nLe CO2 en 2019 et l'eau.\n");
        assert_eq!(report_words(&report), "Contexte l'eau");
    }
}
