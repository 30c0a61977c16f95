//! A union of a few queries that jumps ahead cheaply: the clauses of an
//! intersection.
//!
//! Each word of a query is a union of term queries (its stem in the title,
//! the text and the key phrases of each language, typo corrections). When
//! several words must all match, tantivy intersects those unions, and the
//! intersection jumps each union to the next segment the rarest word is
//! in. tantivy's union scorer buffers 4,096 documents at a time: each jump
//! past its window clears 16 KB and refills it, which was a third of the
//! instructions of a two-word search. [`SeekUnion`] keeps only the
//! current document of each clause, so a jump is one skip-list seek per
//! clause; it sums the clauses' scores in their order, as tantivy's union
//! does, so the scores are the same to the bit.
//!
//! A union scanned from start to end (a query's "some word" tier, a single
//! word) stays tantivy's: its buffer is faster there, and a union of terms
//! lets tantivy skip what cannot reach the top k.

use tantivy::query::{
    BooleanQuery, EmptyScorer, EnableScoring, Explanation, Occur, Query as TantivyQuery, Scorer,
    Weight,
};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// The union of `clauses`, summing the scores of those that match.
#[derive(Debug)]
pub struct SeekUnion {
    clauses: Vec<Box<dyn TantivyQuery>>,
}

impl Clone for SeekUnion {
    fn clone(&self) -> SeekUnion {
        SeekUnion {
            clauses: self.clauses.iter().map(|q| q.box_clone()).collect(),
        }
    }
}

impl SeekUnion {
    /// `query` made cheap to jump through when it is a union (a boolean
    /// query of `Should` clauses only); any other query as it is.
    pub fn for_intersection(query: Box<dyn TantivyQuery>) -> Box<dyn TantivyQuery> {
        let Some(union) = query.downcast_ref::<BooleanQuery>() else {
            return query;
        };
        let clauses = union.clauses();
        if clauses.len() < 2 || clauses.iter().any(|(occur, _)| *occur != Occur::Should) {
            return query;
        }
        Box::new(SeekUnion {
            clauses: clauses.iter().map(|(_, q)| q.box_clone()).collect(),
        })
    }
}

impl TantivyQuery for SeekUnion {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .clauses
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(SeekUnionWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct SeekUnionWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for SeekUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        Ok(match scorers.len() {
            0 => Box::new(EmptyScorer),
            1 => scorers.pop().unwrap_or_else(|| Box::new(EmptyScorer)),
            _ => Box::new(SeekUnionScorer::new(scorers)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation = Explanation::new("sum of", scorer.score());
        for weight in &self.weights {
            if let Ok(detail) = weight.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
}

/// The scorer of [`SeekUnion`]: the smallest current document of its
/// clauses (each at least one document in).
struct SeekUnionScorer {
    scorers: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl SeekUnionScorer {
    fn new(scorers: Vec<Box<dyn Scorer>>) -> SeekUnionScorer {
        let mut union = SeekUnionScorer {
            scorers,
            doc: TERMINATED,
        };
        union.doc = union.first_doc();
        union
    }

    fn first_doc(&self) -> DocId {
        self.scorers
            .iter()
            .map(|s| s.doc())
            .min()
            .unwrap_or(TERMINATED)
    }
}

impl DocSet for SeekUnionScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let current = self.doc;
        for scorer in &mut self.scorers {
            if scorer.doc() == current {
                scorer.advance();
            }
        }
        self.doc = self.first_doc();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for scorer in &mut self.scorers {
            if scorer.doc() < target {
                scorer.seek(target);
            }
        }
        self.doc = self.first_doc();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers
            .iter()
            .fold(0u32, |sum, s| sum.saturating_add(s.size_hint()))
    }

    /// As tantivy's union counts it: an intersection leads with its
    /// cheapest clause and adds the clauses' scores in that order, so the
    /// same order gives the same sums.
    fn cost(&self) -> u64 {
        self.scorers.iter().map(|s| s.cost()).sum()
    }
}

impl Scorer for SeekUnionScorer {
    fn score(&mut self) -> Score {
        let current = self.doc;
        let mut score = 0.0;
        for scorer in &mut self.scorers {
            if scorer.doc() == current {
                score += scorer.score();
            }
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    fn index() -> (Index, tantivy::schema::Field, tantivy::schema::Field) {
        let mut builder = Schema::builder();
        let title = builder.add_text_field("title", TEXT);
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["noyau", "linux", "disque", "réseau", "paquet"];
        for i in 0..20_000usize {
            let pick = |k: usize| words[(i * k + i / 7) % words.len()];
            writer
                .add_document(doc!(
                    title => pick(3),
                    body => format!("{} {} {}", pick(1), pick(2), if i % 97 == 0 { "rare" } else { "" }),
                ))
                .unwrap();
        }
        writer.commit().unwrap();
        (index, title, body)
    }

    fn union(words: &[(tantivy::schema::Field, &str)]) -> Box<dyn TantivyQuery> {
        Box::new(BooleanQuery::union(
            words
                .iter()
                .map(|(field, word)| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(*field, word),
                        IndexRecordOption::WithFreqs,
                    )) as Box<dyn TantivyQuery>
                })
                .collect(),
        ))
    }

    #[test]
    fn an_intersection_of_seek_unions_has_tantivys_matches_and_scores() {
        let (index, title, body) = index();
        let searcher = index.reader().unwrap().searcher();
        let clauses = || {
            vec![
                union(&[(title, "noyau"), (body, "noyau")]),
                union(&[(title, "linux"), (body, "linux"), (body, "disque")]),
                union(&[(body, "rare"), (title, "rare")]),
            ]
        };
        let intersect = |clauses: Vec<Box<dyn TantivyQuery>>| {
            BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Must, q)).collect())
        };
        let tantivys = intersect(clauses());
        let ours = intersect(
            clauses()
                .into_iter()
                .map(SeekUnion::for_intersection)
                .collect(),
        );
        let top = TopDocs::with_limit(1_000).order_by_score();
        let expected = searcher.search(&tantivys, &top).unwrap();
        let found = searcher.search(&ours, &top).unwrap();
        assert!(!expected.is_empty());
        assert_eq!(found, expected);
        assert_eq!(
            searcher.search(&ours, &Count).unwrap(),
            searcher.search(&tantivys, &Count).unwrap()
        );
        let (score, address) = found[0];
        let explanation = ours.explain(&searcher, address).unwrap();
        assert!((explanation.value() - score).abs() < 1e-4);
    }

    #[test]
    fn only_unions_are_rewritten() {
        let (_, title, body) = index();
        let term = Box::new(TermQuery::new(
            Term::from_field_text(body, "linux"),
            IndexRecordOption::WithFreqs,
        )) as Box<dyn TantivyQuery>;
        assert!(SeekUnion::for_intersection(term).is::<TermQuery>());
        let union = union(&[(title, "linux"), (body, "linux")]);
        assert!(SeekUnion::for_intersection(union).is::<SeekUnion>());
        let must = Box::new(BooleanQuery::new(vec![(Occur::Must, union_of_one(body))]))
            as Box<dyn TantivyQuery>;
        assert!(SeekUnion::for_intersection(must).is::<BooleanQuery>());
    }

    fn union_of_one(field: tantivy::schema::Field) -> Box<dyn TantivyQuery> {
        union(&[(field, "linux")])
    }
}
