//! The segments holding every word of a query, best first, without scoring
//! those that cannot reach the top k.
//!
//! A query of several words asks first for the segments with every word
//! (see `search::tiers`). Each word is a union of terms (its stem in the
//! heading, key-phrase and text fields of each language), and tantivy
//! prunes intersections of plain terms only (block-max WAND): for `noyau
//! linux` on the 1 GB corpus all 64,000 segments with both words were
//! scored, more than half of the search's instructions.
//! [`PrunedIntersection`] reads the terms' postings a block (128
//! documents) at a time; where the best scores the blocks allow, summed
//! over the words, cannot beat the k-th best segment so far, it moves on to
//! the next blocks without looking at a document.
//!
//! A single word with a choice of spellings (an accented word: `système`
//! or `systeme`, in each field) is not pruned by tantivy either, and takes
//! the same path as a one-word intersection.
//!
//! Only the top-k search takes this path. Counting, filtering and
//! explaining use the equivalent intersection of [`SeekUnion`]s the query
//! is built with, and the pruned search gives that query's scores to the
//! bit: words are added in the order tantivy's intersection adds them (by
//! cost, then as given), a word's clauses in their order, and a choice of
//! spellings scores its best.
//!
//! [`SeekUnion`]: crate::seek_union::SeekUnion

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{
    Bm25Weight, EnableScoring, Explanation, Query as TantivyQuery, Scorer, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentReader, Term, TERMINATED};

use crate::presence::Presence;

/// One clause of a word: a term of one field, or a choice between the
/// spellings at one position of that field (the best one scores), with
/// the clause's boost.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldTerms {
    /// The terms, all of one field; at least one.
    pub terms: Vec<Term>,
    /// What the clause's scores are multiplied by.
    pub boost: Score,
}

/// A word: the union of its clauses, whose scores add up.
pub type Word = Vec<FieldTerms>;

/// Every word must match (one word: its union); `equivalent` is the same
/// query built from tantivy's and palabre's general scorers.
#[derive(Debug)]
pub struct PrunedIntersection {
    words: Vec<Word>,
    equivalent: Box<dyn TantivyQuery>,
    presence: Arc<Presence>,
}

impl Clone for PrunedIntersection {
    fn clone(&self) -> PrunedIntersection {
        PrunedIntersection {
            words: self.words.clone(),
            equivalent: self.equivalent.box_clone(),
            presence: Arc::clone(&self.presence),
        }
    }
}

impl PrunedIntersection {
    /// `words` must all match; `equivalent` must match the same segments
    /// with the same scores: an intersection (a boolean query of `Must`
    /// clauses, in the words' order; for one word, the union alone) of
    /// each word's union of its clauses,
    /// each a term query or a disjunction-max of term queries (tie breaker
    /// 0) boosted by the clause's boost and restricted to the segments
    /// holding its field (see [`Presence::restrict`]).
    pub fn new(
        words: Vec<Word>,
        equivalent: Box<dyn TantivyQuery>,
        presence: Arc<Presence>,
    ) -> PrunedIntersection {
        PrunedIntersection {
            words,
            equivalent,
            presence,
        }
    }
}

impl TantivyQuery for PrunedIntersection {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let equivalent = self.equivalent.weight(enable_scoring)?;
        let EnableScoring::Enabled {
            statistics_provider,
            ..
        } = enable_scoring
        else {
            return Ok(equivalent);
        };
        let mut words = Vec::with_capacity(self.words.len());
        for word in &self.words {
            let mut clauses = Vec::with_capacity(word.len());
            for clause in word {
                let mut terms = Vec::with_capacity(clause.terms.len());
                for term in &clause.terms {
                    // As tantivy's term query weighs a term, and as its
                    // boost query scales it.
                    let bm25 =
                        Bm25Weight::for_terms(statistics_provider, std::slice::from_ref(term))?
                            .boost_by(clause.boost);
                    terms.push((term.clone(), bm25));
                }
                clauses.push(terms);
            }
            words.push(clauses);
        }
        Ok(Box::new(PrunedIntersectionWeight {
            equivalent,
            words,
            presence: Arc::clone(&self.presence),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.equivalent.query_terms(visitor);
    }
}

/// The weighed terms of a clause.
type ClauseWeight = Vec<(Term, Bm25Weight)>;

struct PrunedIntersectionWeight {
    equivalent: Box<dyn Weight>,
    words: Vec<Vec<ClauseWeight>>,
    presence: Arc<Presence>,
}

impl PrunedIntersectionWeight {
    /// The words' cursors in `reader`, in the order their scores add up;
    /// `None` when some word is in no document of the segment.
    fn cursors(&self, reader: &SegmentReader) -> tantivy::Result<Option<Vec<WordCursor>>> {
        let mut words = Vec::with_capacity(self.words.len());
        for word in &self.words {
            let mut cursor = WordCursor {
                terms: Vec::new(),
                clause_ends: Vec::new(),
                clause_bounds: Vec::new(),
            };
            for clause in word {
                let Some((first, _)) = clause.first() else {
                    continue;
                };
                let field = first.field();
                if !self.presence.in_segment(reader, field) {
                    continue;
                }
                let inverted_index = reader.inverted_index(field)?;
                // As tantivy's term weight reads field norms, when scoring.
                let fieldnorms = reader
                    .fieldnorms_readers()
                    .get_field(field)?
                    .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
                let before = cursor.terms.len();
                for (term, bm25) in clause {
                    let postings =
                        inverted_index.read_block_postings(term, IndexRecordOption::WithFreqs)?;
                    if let Some(postings) = postings.filter(|p| p.doc_freq() > 0) {
                        cursor.terms.push(TermCursor {
                            cost: u64::from(postings.doc_freq()),
                            postings,
                            at: 0,
                            fieldnorms: fieldnorms.clone(),
                            bm25: bm25.clone(),
                            essential: true,
                        });
                    }
                }
                if cursor.terms.len() > before {
                    cursor.clause_ends.push(cursor.terms.len());
                }
            }
            if cursor.terms.is_empty() {
                return Ok(None);
            }
            words.push(cursor);
        }
        // tantivy's intersection leads with its cheapest clause and adds
        // the scores in that order (a stable sort).
        words.sort_by_key(WordCursor::cost);
        Ok(Some(words))
    }
}

impl Weight for PrunedIntersectionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.equivalent.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.equivalent.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.equivalent.count(reader)
    }

    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        self.equivalent.for_each(reader, callback)
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        self.equivalent.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        if let Some(mut words) = self.cursors(reader)? {
            prune(&mut words, threshold, callback);
        }
        Ok(())
    }
}

/// Calls `callback` with each document holding every word whose score
/// beats the threshold, which `callback` returns raised. Documents come in
/// order; a window of documents (up to the end of the first block any term
/// is in) is skipped when the sum of the words' block maxima in it does
/// not beat the threshold.
fn prune(
    words: &mut [WordCursor],
    mut threshold: Score,
    callback: &mut dyn FnMut(DocId, Score) -> Score,
) {
    let mut scores = vec![0.0; words.len()];
    let mut bounds = vec![0.0; words.len()];
    let mut from: DocId = 0;
    while from < TERMINATED {
        // Every term at its first document from `from` on; the window ends
        // with the first block to end.
        let mut window_end = TERMINATED;
        let mut start = from;
        for word in words.iter_mut() {
            let first = word.seek(from);
            if first == TERMINATED {
                return;
            }
            start = start.max(first);
            window_end = window_end.min(word.block_end());
        }
        if start > window_end {
            from = start;
            continue;
        }
        for (bound, word) in bounds.iter_mut().zip(words.iter_mut()) {
            *bound = word.block_max(window_end);
        }
        if bounds.iter().sum::<Score>() <= threshold {
            from = window_end.saturating_add(1);
            continue;
        }
        // The others' best in the window, for the leader's candidates.
        let others_bound: Score = bounds.iter().skip(1).sum();
        if let Some(leader) = words.first_mut() {
            leader.mark_essential(others_bound, threshold);
        }
        let mut target = start;
        'candidates: while target <= window_end {
            let Some((leader, others)) = words.split_first_mut() else {
                return;
            };
            target = leader.seek_essential(target);
            if target > window_end {
                break;
            }
            leader.seek(target);
            for word in others.iter_mut() {
                let doc = word.seek(target);
                if doc > target {
                    target = doc;
                    continue 'candidates;
                }
            }
            let leader_score = leader.score(target);
            if leader_score + others_bound > threshold {
                for (score, word) in scores.iter_mut().zip(words.iter()).skip(1) {
                    *score = word.score(target);
                }
                let score = match scores.as_mut_slice() {
                    [first, second, others @ ..] => {
                        *first = leader_score;
                        *first + *second + others.iter().sum::<Score>()
                    }
                    _ => leader_score,
                };
                if score > threshold {
                    threshold = callback(target, score);
                }
            }
            target += 1;
        }
        from = window_end.saturating_add(1);
    }
}

/// A word's clauses in one segment: those whose field and terms it holds.
struct WordCursor {
    /// The clauses' terms, clause after clause.
    terms: Vec<TermCursor>,
    /// Where each clause's terms end in `terms`.
    clause_ends: Vec<usize>,
    /// The clauses' best scores in a window, with their indexes (a buffer).
    clause_bounds: Vec<(Score, usize)>,
}

impl WordCursor {
    fn clauses(&self) -> impl Iterator<Item = &[TermCursor]> {
        let starts = std::iter::once(0).chain(self.clause_ends.iter().copied());
        starts
            .zip(&self.clause_ends)
            .map(|(start, &end)| self.terms.get(start..end).unwrap_or_default())
    }

    /// As tantivy costs the union: the sum over its clauses, a choice of
    /// spellings the sum over its terms.
    fn cost(&self) -> u64 {
        self.terms.iter().map(|t| t.cost).sum()
    }

    /// Moves every term to its first document at or after `target`; the
    /// first of them.
    fn seek(&mut self, target: DocId) -> DocId {
        let mut first = TERMINATED;
        for term in &mut self.terms {
            first = first.min(term.seek(target));
        }
        first
    }

    /// The last document of the first block to end among the terms not
    /// done.
    fn block_end(&self) -> DocId {
        self.terms
            .iter()
            .filter_map(TermCursor::block_end)
            .min()
            .unwrap_or(TERMINATED)
    }

    /// The most the word can score in the documents up to `window_end`
    /// (its terms at their first document from the window's start on); each
    /// clause's part is kept for [`mark_essential`](Self::mark_essential).
    fn block_max(&mut self, window_end: DocId) -> Score {
        self.clause_bounds.clear();
        let mut start = 0;
        for (i, &end) in self.clause_ends.iter().enumerate() {
            let clause = self.terms.get_mut(start..end).unwrap_or_default();
            let best = clause
                .iter_mut()
                .filter(|t| t.doc() <= window_end)
                .map(TermCursor::block_max)
                .fold(0.0, Score::max);
            self.clause_bounds.push((best, i));
            start = end;
        }
        self.clause_bounds.iter().map(|(bound, _)| bound).sum()
    }

    /// Marks the terms the word's candidates in the window of the last
    /// [`block_max`](Self::block_max) come from: those of the clauses that
    /// could lift a segment above `threshold`, given `spare` (the other
    /// words' best) and the best of the clauses with smaller bounds. A
    /// segment holding only the others cannot (a text-only match of a
    /// common word, where a heading match could).
    fn mark_essential(&mut self, spare: Score, threshold: Score) {
        let mut bounds = std::mem::take(&mut self.clause_bounds);
        bounds.sort_by(|a, b| a.0.total_cmp(&b.0));
        for term in &mut self.terms {
            term.essential = true;
        }
        let mut sum = spare;
        for &(bound, i) in &bounds {
            if sum + bound > threshold {
                break;
            }
            sum += bound;
            let start = i
                .checked_sub(1)
                .and_then(|before| self.clause_ends.get(before))
                .copied()
                .unwrap_or(0);
            let end = self.clause_ends.get(i).copied().unwrap_or(start);
            for term in self.terms.get_mut(start..end).unwrap_or_default() {
                term.essential = false;
            }
        }
        self.clause_bounds = bounds;
    }

    /// The first document at or after `target` of the essential terms
    /// (see [`mark_essential`](Self::mark_essential)).
    fn seek_essential(&mut self, target: DocId) -> DocId {
        let mut first = TERMINATED;
        for term in self.terms.iter_mut().filter(|t| t.essential) {
            first = first.min(term.seek(target));
        }
        first
    }

    /// The word's score in `doc`, where its terms are.
    fn score(&self, doc: DocId) -> Score {
        let mut score = 0.0;
        for clause in self.clauses() {
            match clause {
                [term] => {
                    if term.doc() == doc {
                        score += term.score();
                    }
                }
                terms => {
                    // tantivy's disjunction-max with a tie breaker of 0.
                    let mut matched = false;
                    let (mut max, mut sum): (Score, Score) = (0.0, 0.0);
                    for term in terms.iter().filter(|t| t.doc() == doc) {
                        let term_score = term.score();
                        max = Score::max(term_score, max);
                        sum += term_score;
                        matched = true;
                    }
                    if matched {
                        score += max + (sum - max) * 0.0;
                    }
                }
            }
        }
        score
    }
}

/// A term's postings read a block at a time, and how its documents score.
struct TermCursor {
    postings: BlockSegmentPostings,
    /// The current document's index in the loaded block.
    at: usize,
    fieldnorms: FieldNormReader,
    bm25: Bm25Weight,
    cost: u64,
    /// Whether the leading word's candidates come from this term (see
    /// [`WordCursor::mark_essential`]).
    essential: bool,
}

impl TermCursor {
    fn doc(&self) -> DocId {
        self.postings
            .docs()
            .get(self.at)
            .copied()
            .unwrap_or(TERMINATED)
    }

    /// The first document at or after `target`.
    fn seek(&mut self, target: DocId) -> DocId {
        let docs = self.postings.docs();
        // Most calls: already there.
        if let Some(&doc) = docs.get(self.at) {
            if doc >= target {
                return doc;
            }
        }
        match docs.last() {
            Some(&last) if last >= target => {
                // A few steps at most in a dense stretch; a search beyond.
                let rest = docs.get(self.at..).unwrap_or_default();
                let near = rest.iter().take(8).position(|&doc| doc >= target);
                self.at += near.unwrap_or_else(|| rest.partition_point(|&doc| doc < target));
            }
            Some(_) if self.at < docs.len() => self.at = self.postings.seek(target),
            // Past the last document: done (a seek would read the skip
            // list again).
            _ => return TERMINATED,
        }
        self.doc()
    }

    /// The last document of the loaded block, unless the term is done.
    fn block_end(&self) -> Option<DocId> {
        if self.doc() == TERMINATED {
            return None;
        }
        self.postings.docs().last().copied()
    }

    fn block_max(&mut self) -> Score {
        self.postings.block_max_score(&self.fieldnorms, &self.bm25)
    }

    fn score(&self) -> Score {
        let doc = self.doc();
        let freq = self.postings.freqs().get(self.at).copied().unwrap_or(1);
        self.bm25.score(self.fieldnorms.fieldnorm_id(doc), freq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seek_union::SeekUnion;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, TermQuery};
    use tantivy::schema::{Field, Schema, TEXT};
    use tantivy::{doc, Index, IndexWriter, Searcher};

    const WORDS: [&str; 6] = ["noyau", "linux", "disque", "réseau", "reseau", "paquet"];

    /// Three segments of documents with a title and a text, some deleted.
    fn index() -> (Index, Field, Field) {
        let mut builder = Schema::builder();
        let title = builder.add_text_field("title", TEXT);
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut next = 17u64;
        let mut random = move |n: u64| {
            next = next
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (next >> 33) % n
        };
        for segment in 0..3 {
            for _ in 0..6_000 {
                let mut text = String::new();
                // Long and short texts, so that field norms vary.
                for _ in 0..1 + random(40) {
                    let word = if random(3) == 0 {
                        WORDS[random(WORDS.len() as u64) as usize]
                    } else {
                        "autre"
                    };
                    text.push_str(word);
                    text.push(' ');
                }
                let heading = if random(20) == 0 {
                    WORDS[random(WORDS.len() as u64) as usize]
                } else {
                    "titre"
                };
                writer
                    .add_document(doc!(title => heading, body => text))
                    .unwrap();
            }
            if segment == 1 {
                writer.delete_term(Term::from_field_text(title, "paquet"));
            }
            writer.commit().unwrap();
        }
        (index, title, body)
    }

    /// A word in the title (boosted) and the text; `spellings` at one
    /// position make a choice.
    fn word(title: Field, body: Field, spellings: &[&str]) -> Word {
        let terms = |field: Field| -> Vec<Term> {
            spellings
                .iter()
                .map(|s| Term::from_field_text(field, s))
                .collect()
        };
        vec![
            FieldTerms {
                terms: terms(title),
                boost: 2.5,
            },
            FieldTerms {
                terms: terms(body),
                boost: 1.0,
            },
        ]
    }

    /// The query `search` builds for `words` without pruning.
    fn equivalent(words: &[Word], presence: &Arc<Presence>) -> Box<dyn TantivyQuery> {
        let clause = |clause: &FieldTerms| -> Box<dyn TantivyQuery> {
            let term = |t: &Term| -> Box<dyn TantivyQuery> {
                Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs))
            };
            let query = match clause.terms.as_slice() {
                [one] => term(one),
                terms => Box::new(DisjunctionMaxQuery::new(terms.iter().map(term).collect())),
            };
            let field = clause.terms[0].field();
            let query = presence.restrict(field, query);
            if clause.boost == 1.0 {
                query
            } else {
                Box::new(BoostQuery::new(query, clause.boost))
            }
        };
        let union = |word: &Word| -> Box<dyn TantivyQuery> {
            Box::new(BooleanQuery::union(word.iter().map(clause).collect()))
        };
        match words {
            // One word is its union, as `search::tiers` leaves it.
            [word] => union(word),
            _ => Box::new(BooleanQuery::new(
                words
                    .iter()
                    .map(|word| (Occur::Must, SeekUnion::for_intersection(union(word))))
                    .collect(),
            )),
        }
    }

    fn check(searcher: &Searcher, words: Vec<Word>, presence: &Arc<Presence>) {
        let plain = equivalent(&words, presence);
        let pruned = PrunedIntersection::new(words, plain.box_clone(), Arc::clone(presence));
        for k in [1, 3, 10, 100, 20_000] {
            let top = TopDocs::with_limit(k).order_by_score();
            let expected = searcher.search(plain.as_ref(), &top).unwrap();
            let found = searcher.search(&pruned, &top).unwrap();
            assert_eq!(found, expected, "top {k}");
        }
        assert_eq!(
            searcher.search(&pruned, &Count).unwrap(),
            searcher.search(plain.as_ref(), &Count).unwrap()
        );
    }

    #[test]
    fn the_top_k_and_their_scores_are_the_intersections() {
        let (index, title, body) = index();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let presence = Arc::new(Presence::of(&searcher).unwrap());
        let w = |spellings: &[&str]| word(title, body, spellings);
        check(&searcher, vec![w(&["noyau"]), w(&["linux"])], &presence);
        // One word with a choice of spellings, which tantivy does not prune.
        check(&searcher, vec![w(&["réseau", "reseau"])], &presence);
        check(&searcher, vec![w(&["noyau"])], &presence);
        check(
            &searcher,
            vec![w(&["linux"]), w(&["réseau", "reseau"])],
            &presence,
        );
        check(
            &searcher,
            vec![w(&["disque"]), w(&["noyau"]), w(&["paquet"])],
            &presence,
        );
        check(
            &searcher,
            vec![w(&["noyau"]), w(&["linux"]), w(&["disque"]), w(&["paquet"])],
            &presence,
        );
        // A word of one clause, and a word in no document.
        let text_only = vec![FieldTerms {
            terms: vec![Term::from_field_text(body, "disque")],
            boost: 1.0,
        }];
        check(&searcher, vec![text_only, w(&["linux"])], &presence);
        check(&searcher, vec![w(&["absent"]), w(&["linux"])], &presence);
    }

    #[test]
    fn without_scores_it_is_the_equivalent_query() {
        let (index, title, body) = index();
        let searcher = index.reader().unwrap().searcher();
        let presence = Arc::new(Presence::of(&searcher).unwrap());
        let words = vec![word(title, body, &["noyau"]), word(title, body, &["linux"])];
        let plain = equivalent(&words, &presence);
        let pruned = PrunedIntersection::new(words, plain.box_clone(), Arc::clone(&presence));
        let docs = |q: &dyn TantivyQuery| {
            searcher
                .search(q, &tantivy::collector::DocSetCollector)
                .unwrap()
        };
        assert_eq!(docs(&pruned), docs(plain.as_ref()));
    }
}
