//! Which fields hold terms in which segments of the index, and how queries
//! leave the other segments alone.
//!
//! Most reports have no bold key phrases, few are in Spanish, and a segment
//! written for one new report holds only that report's fields. When a query
//! reaches a segment without its field, tantivy builds an empty term
//! dictionary (a 10,000-cell FST builder registry: 1.2 M instructions and
//! 170 page faults, once per process), and it does so both for the BM25
//! statistics and for the scorers. [`OnlyWhereHeld`] gives such segments an
//! empty scorer, and [`Statistics`] sums the BM25 statistics over the
//! segments that hold the field; both give the same scores as tantivy's own
//! (a segment without the field adds nothing to them).

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::directory::CompositeFile;
use tantivy::index::{SegmentComponent, SegmentId};
use tantivy::query::{
    Bm25StatisticsProvider, EmptyScorer, EmptyWeight, EnableScoring, Explanation,
    Query as TantivyQuery, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::{DocId, HasLen, Score, Searcher, SeekDangerResult, SegmentReader, Term, TERMINATED};

use crate::error::Result;

/// A set of fields, by field id (a schema has fewer than 64).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldSet(u64);

impl FieldSet {
    fn insert(&mut self, field: Field) {
        if let Some(bit) = 1u64.checked_shl(field.field_id()) {
            self.0 |= bit;
        }
    }

    /// Fields beyond the 64th are always in, the safe answer here.
    pub fn contains(self, field: Field) -> bool {
        1u64.checked_shl(field.field_id())
            .is_none_or(|bit| self.0 & bit != 0)
    }
}

/// The table of contents of a segment's postings file: each field's bytes.
fn postings_contents(segment: &SegmentReader) -> tantivy::Result<CompositeFile> {
    Ok(CompositeFile::open(
        &segment.open_read(SegmentComponent::Postings)?,
    )?)
}

/// The fields holding terms, in the whole index and per segment.
#[derive(Debug, Default)]
pub struct Presence {
    /// In some segment.
    anywhere: FieldSet,
    /// In every segment.
    everywhere: FieldSet,
    by_segment: HashMap<SegmentId, FieldSet>,
}

impl Presence {
    /// Reads the table of contents of each segment's postings file: a field
    /// holds terms where its postings take some bytes (no term dictionary
    /// is opened). tantivy's `fields_metadata` says the same, but reads
    /// four tables and names every field: 0.1 M more instructions per
    /// search on the 1 GB benchmark index.
    pub fn of(searcher: &Searcher) -> Result<Presence> {
        let schema = searcher.schema();
        let mut presence = Presence {
            everywhere: FieldSet(u64::MAX),
            ..Presence::default()
        };
        for segment in searcher.segment_readers() {
            let postings = postings_contents(segment)?;
            let mut fields = FieldSet::default();
            for (field, _) in schema.fields() {
                if postings
                    .open_read(field)
                    .is_some_and(|slice| !slice.is_empty())
                {
                    fields.insert(field);
                }
            }
            presence.anywhere.0 |= fields.0;
            presence.everywhere.0 &= fields.0;
            presence.by_segment.insert(segment.segment_id(), fields);
        }
        Ok(presence)
    }

    /// Whether some segment holds terms of `field`.
    pub fn anywhere(&self, field: Field) -> bool {
        self.anywhere.contains(field)
    }

    /// Whether `segment` holds terms of `field`.
    pub(crate) fn in_segment(&self, segment: &SegmentReader, field: Field) -> bool {
        self.by_segment
            .get(&segment.segment_id())
            .is_none_or(|fields| fields.contains(field))
    }

    /// `query` on `field`, searched only in the segments holding the field.
    /// Returned as it is when every segment does.
    pub fn restrict(
        self: &Arc<Presence>,
        field: Field,
        query: Box<dyn TantivyQuery>,
    ) -> Box<dyn TantivyQuery> {
        if self.everywhere.contains(field) {
            return query;
        }
        Box::new(OnlyWhereHeld {
            query,
            field,
            presence: Arc::clone(self),
        })
    }
}

/// A query on one field that matches nothing in the segments without it,
/// and does not open the field there.
pub struct OnlyWhereHeld {
    query: Box<dyn TantivyQuery>,
    field: Field,
    presence: Arc<Presence>,
}

impl Clone for OnlyWhereHeld {
    fn clone(&self) -> OnlyWhereHeld {
        OnlyWhereHeld {
            query: self.query.box_clone(),
            field: self.field,
            presence: Arc::clone(&self.presence),
        }
    }
}

impl std::fmt::Debug for OnlyWhereHeld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnlyWhereHeld")
            .field("query", &self.query)
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

impl TantivyQuery for OnlyWhereHeld {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(OnlyWhereHeldWeight {
            weight: self.query.weight(enable_scoring)?,
            field: self.field,
            presence: Arc::clone(&self.presence),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct OnlyWhereHeldWeight {
    weight: Box<dyn Weight>,
    field: Field,
    presence: Arc<Presence>,
}

impl OnlyWhereHeldWeight {
    fn held(&self, segment: &SegmentReader) -> bool {
        self.presence.in_segment(segment, self.field)
    }
}

// Every method is forwarded where the field is held, so that tantivy's own
// shortcuts (a term scorer seen through, block-max WAND) still apply.
impl Weight for OnlyWhereHeldWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        if self.held(reader) {
            self.weight.scorer(reader, boost)
        } else {
            Ok(Box::new(EmptyScorer))
        }
    }

    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        if self.held(reader) {
            self.weight.scorer_danger(reader, target, boost)
        } else {
            Ok((
                SeekDangerResult::SeekLowerBound(TERMINATED),
                Box::new(EmptyScorer),
            ))
        }
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.held(reader) {
            self.weight.explain(reader, doc)
        } else {
            EmptyWeight.explain(reader, doc)
        }
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        if self.held(reader) {
            self.weight.count(reader)
        } else {
            Ok(0)
        }
    }

    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        if self.held(reader) {
            self.weight.for_each(reader, callback)?;
        }
        Ok(())
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        if self.held(reader) {
            self.weight.for_each_no_score(reader, callback)?;
        }
        Ok(())
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        if self.held(reader) {
            self.weight.for_each_pruning(threshold, reader, callback)?;
        }
        Ok(())
    }
}

/// BM25 statistics summed over the segments that hold each field: the
/// searcher's own, without opening the field where it is missing.
pub struct Statistics<'a> {
    /// The searcher the statistics are of.
    pub searcher: &'a Searcher,
    /// Its segments' fields.
    pub presence: &'a Arc<Presence>,
}

impl Statistics<'_> {
    /// At least how many live segments hold `term`: in each segment, its
    /// document frequency (which counts deleted documents too) less the
    /// segment's deleted documents.
    pub fn live_doc_freq_at_least(&self, term: &Term) -> tantivy::Result<u64> {
        let mut total = 0;
        for segment in self.searcher.segment_readers() {
            if self.presence.in_segment(segment, term.field()) {
                let doc_freq = segment.inverted_index(term.field())?.doc_freq(term)?;
                total += u64::from(doc_freq.saturating_sub(segment.num_deleted_docs()));
            }
        }
        Ok(total)
    }
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let mut total = 0;
        for segment in self.searcher.segment_readers() {
            if self.presence.in_segment(segment, field) {
                total += segment.inverted_index(field)?.total_num_tokens();
            }
        }
        Ok(total)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self
            .searcher
            .segment_readers()
            .iter()
            .map(|segment| u64::from(segment.max_doc()))
            .sum())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut total = 0;
        for segment in self.searcher.segment_readers() {
            if self.presence.in_segment(segment, term.field()) {
                total += u64::from(segment.inverted_index(term.field())?.doc_freq(term)?);
            }
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    /// Two segments; `rare` has terms only in the first.
    fn index() -> tantivy::Result<(Index, Field, Field)> {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let rare = schema.add_text_field("rare", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        writer.add_document(doc!(body => "cadre juridique", rare => "cadre"))?;
        writer.add_document(doc!(body => "cadre cadre"))?;
        writer.commit()?;
        writer.add_document(doc!(body => "un autre cadre"))?;
        writer.add_document(doc!(body => "rien"))?;
        writer.commit()?;
        Ok((index, body, rare))
    }

    #[test]
    fn presence_tells_which_segment_holds_which_field() -> tantivy::Result<()> {
        let (index, body, rare) = index()?;
        let searcher = index.reader()?.searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let Ok(presence) = Presence::of(&searcher) else {
            panic!("metadata readable");
        };
        assert!(presence.anywhere(body) && presence.anywhere(rare));
        let held: Vec<bool> = searcher
            .segment_readers()
            .iter()
            .map(|segment| presence.in_segment(segment, rare))
            .collect();
        assert_eq!(held.iter().filter(|h| **h).count(), 1, "{held:?}");
        assert!(searcher
            .segment_readers()
            .iter()
            .all(|segment| presence.in_segment(segment, body)));
        Ok(())
    }

    #[test]
    fn restricted_queries_and_statistics_score_as_tantivy_does() -> tantivy::Result<()> {
        let (index, body, rare) = index()?;
        let searcher = index.reader()?.searcher();
        let Ok(presence) = Presence::of(&searcher) else {
            panic!("metadata readable");
        };
        let presence = Arc::new(presence);
        let statistics = Statistics {
            searcher: &searcher,
            presence: &presence,
        };
        for field in [body, rare] {
            let term = Term::from_field_text(field, "cadre");
            assert_eq!(
                statistics.doc_freq(&term)?,
                searcher.doc_freq(&term)?,
                "doc_freq of {field:?}"
            );
            assert_eq!(
                statistics.total_num_tokens(field)?,
                Bm25StatisticsProvider::total_num_tokens(&searcher, field)?
            );
            let plain: Box<dyn TantivyQuery> =
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            let restricted = presence.restrict(field, plain.box_clone());
            let top = TopDocs::with_limit(10).order_by_score();
            let expected = searcher.search(plain.as_ref(), &top)?;
            let found = searcher.search_with_statistics_provider(
                restricted.as_ref(),
                &TopDocs::with_limit(10).order_by_score(),
                &statistics,
            )?;
            assert_eq!(found, expected, "{field:?}");
            assert!(!found.is_empty());
        }
        Ok(())
    }
}
