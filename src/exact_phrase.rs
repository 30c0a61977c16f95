//! A phrase (words in a row, no slop) that reads its words' postings a
//! block at a time.
//!
//! tantivy's phrase scorer reads each candidate segment's positions through
//! `SegmentPostings`, which finds where they start by adding up the term
//! frequencies of the block's earlier documents at every read. For `"mot de
//! passe"` on the 1 GB benchmark corpus, 7,120 segments hold both words and
//! that took 0.55 ms of a search. [`ExactPhrase`] walks each word's
//! postings a block at a time (tantivy's public `BlockSegmentPostings`),
//! keeps the offset of the current segment's positions as it goes, and
//! reads them with tantivy's `PositionReader`: 0.2 ms for the same segments.
//!
//! Walking decodes every block of every word, where tantivy's postings skip
//! the blocks that hold no candidate: a phrase of a rare and a common word
//! is cheaper read that way, and in such segments [`ExactPhrase`] reads
//! `SegmentPostings` as tantivy's scorer does (see [`walk_is_cheaper`]).
//! Either way the matches and the scores are tantivy's `PhraseQuery`'s
//! (the tests compare them): BM25 of the phrase's occurrences in the
//! segment, with the idf summed over the words. Its weight is not built:
//! each phrase would compute the words' statistics twice.

use tantivy::directory::CompositeFile;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentComponent;
use tantivy::positions::PositionReader;
use tantivy::postings::{BlockSegmentPostings, Postings, SegmentPostings, TermInfo};
use tantivy::query::{
    Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query as TantivyQuery, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// Documents in a block of postings (tantivy's `COMPRESSION_BLOCK_SIZE`).
const BLOCK_DOCS: u64 = 128;

/// Words of one field at their positions in a phrase (the first at 0);
/// stop words leave gaps. At least two words.
#[derive(Debug, Clone)]
pub struct ExactPhrase {
    terms: Vec<(usize, Term)>,
    /// The way through every segment, whatever it costs (tests); by
    /// default [`walk_is_cheaper`] chooses.
    way: Option<Way>,
}

/// How a segment's words are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    /// Every block of each word's postings, in turn.
    Walk,
    /// Each word skipping to the candidates (tantivy's `SegmentPostings`).
    Skip,
}

impl ExactPhrase {
    /// The phrase of `terms`, each with its position in the phrase;
    /// `None` unless there are two terms or more, all of one field.
    pub fn new(mut terms: Vec<(usize, Term)>) -> Option<ExactPhrase> {
        let field = terms.first()?.1.field();
        if terms.len() < 2 || terms.iter().any(|(_, t)| t.field() != field) {
            return None;
        }
        terms.sort_by_key(|(position, _)| *position);
        Some(ExactPhrase { terms, way: None })
    }

    /// The phrase read one way in every segment, whatever it costs.
    #[cfg(test)]
    fn read_by(way: Way, terms: Vec<(usize, Term)>) -> Option<ExactPhrase> {
        ExactPhrase::new(terms).map(|phrase| ExactPhrase {
            way: Some(way),
            ..phrase
        })
    }

    fn field(&self) -> Field {
        self.terms[0].1.field()
    }
}

impl TantivyQuery for ExactPhrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let field = enable_scoring.schema().get_field_entry(self.field());
        let positions = field
            .field_type()
            .get_index_record_option()
            .is_some_and(IndexRecordOption::has_positions);
        if !positions {
            return Err(TantivyError::SchemaError(format!(
                "a phrase on the field {:?}, which has no positions",
                field.name()
            )));
        }
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let terms: Vec<Term> = self.terms.iter().map(|(_, t)| t.clone()).collect();
                Some(Bm25Weight::for_terms(statistics_provider, &terms)?)
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(ExactPhraseWeight {
            phrase: self.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.terms {
            visitor(term, true);
        }
    }
}

struct ExactPhraseWeight {
    phrase: ExactPhrase,
    /// BM25 of the phrase; `None` when scoring is off.
    bm25: Option<Bm25Weight>,
}

impl ExactPhraseWeight {
    /// The phrase's scorer in a segment, reading the words `way`; `None`
    /// when a word is not in it.
    fn phrase_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
        way: Option<Way>,
    ) -> tantivy::Result<Option<Box<dyn Scorer>>> {
        let field = self.phrase.field();
        let inverted_index = reader.inverted_index(field)?;
        let mut infos = Vec::with_capacity(self.phrase.terms.len());
        for (_, term) in &self.phrase.terms {
            match inverted_index.get_term_info(term)? {
                Some(info) => infos.push(info),
                None => return Ok(None),
            }
        }
        let mut in_phrase = Vec::with_capacity(infos.len());
        for (position, _) in &self.phrase.terms {
            in_phrase.push(
                u32::try_from(*position)
                    .map_err(|_| TantivyError::InvalidArgument("phrase too long".to_string()))?,
            );
        }
        let bm25 = self.bm25.as_ref().map(|bm25| bm25.boost_by(boost));
        let fieldnorms = match &self.bm25 {
            Some(_) => reader.fieldnorms_readers().get_field(field)?,
            None => None,
        }
        .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
        let way = way.unwrap_or(if walk_is_cheaper(&infos) {
            Way::Walk
        } else {
            Way::Skip
        });
        if way == Way::Skip {
            let mut words = Vec::with_capacity(infos.len());
            for (info, in_phrase) in infos.iter().zip(in_phrase) {
                let postings = inverted_index
                    .read_postings_from_terminfo(info, IndexRecordOption::WithFreqsAndPositions)?;
                words.push(SkippingWord {
                    postings,
                    in_phrase,
                });
            }
            return Ok(Some(Box::new(PhraseScorer::new(words, bm25, fieldnorms))));
        }
        let positions = CompositeFile::open(&reader.open_read(SegmentComponent::Positions)?)?;
        let Some(positions) = positions.open_read(field) else {
            return Ok(None);
        };
        let mut words = Vec::with_capacity(infos.len());
        for (info, in_phrase) in infos.iter().zip(in_phrase) {
            let postings = inverted_index
                .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
            let positions =
                PositionReader::open(positions.slice(info.positions_range.clone()).read_bytes()?)?;
            words.push(WordCursor::new(postings, positions, in_phrase));
        }
        Ok(Some(Box::new(PhraseScorer::new(words, bm25, fieldnorms))))
    }
}

/// Whether walking every block of the words' postings costs less than
/// skipping to each candidate with `SegmentPostings`, which pays more per
/// candidate to read its positions. Measured on the 1 GB benchmark index
/// (see the module's documentation): decoding and scanning a block costs
/// about 0.18 µs, a candidate's positions about 0.02 µs walking and 0.08
/// µs skipping. The candidates are at most the rarest word's
/// segments, often fewer: walking when its blocks are under a quarter of
/// them keeps a margin.
fn walk_is_cheaper(infos: &[TermInfo]) -> bool {
    let blocks: u64 = infos
        .iter()
        .map(|info| u64::from(info.doc_freq).div_ceil(BLOCK_DOCS))
        .sum();
    let rarest = infos.iter().map(|info| info.doc_freq).min().unwrap_or(0);
    blocks * 4 <= u64::from(rarest)
}

impl Weight for ExactPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(self
            .phrase_scorer(reader, boost, self.phrase.way)?
            .unwrap_or_else(|| Box::new(EmptyScorer)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let not_found = || TantivyError::InvalidArgument(format!("document {doc} does not match"));
        // Walking reads nothing more than skipping does here: skip.
        let mut scorer = self
            .phrase_scorer(reader, 1.0, Some(Way::Skip))?
            .ok_or_else(not_found)?;
        if scorer.seek(doc) != doc {
            return Err(not_found());
        }
        let mut explanation = Explanation::new("exact phrase", scorer.score());
        explanation.add_context(format!(
            "BM25 of the phrase's occurrences in the field {:?}",
            reader.schema().get_field_name(self.phrase.field())
        ));
        Ok(explanation)
    }
}

/// One word of a phrase, read some way.
trait PhraseWord: Send + 'static {
    /// The first document at or after `target` (never before the
    /// current one).
    fn seek(&mut self, target: DocId) -> DocId;
    /// The current document's positions of the word, in order.
    fn positions(&mut self, output: &mut Vec<u32>);
    /// The word's position in the phrase.
    fn in_phrase(&self) -> u32;
    /// The documents holding the word.
    fn doc_freq(&self) -> u32;
}

/// A word whose postings skip to the candidates (tantivy's own reading),
/// for a rare word next to a common one.
struct SkippingWord {
    postings: SegmentPostings,
    in_phrase: u32,
}

impl PhraseWord for SkippingWord {
    fn seek(&mut self, target: DocId) -> DocId {
        if self.postings.doc() >= target {
            return self.postings.doc();
        }
        self.postings.seek(target)
    }

    fn positions(&mut self, output: &mut Vec<u32>) {
        self.postings.positions(output);
    }

    fn in_phrase(&self) -> u32 {
        self.in_phrase
    }

    fn doc_freq(&self) -> u32 {
        self.postings.doc_freq()
    }
}

/// One word's postings, a block at a time, with where its positions in
/// the current segment start.
struct WordCursor {
    postings: BlockSegmentPostings,
    positions: PositionReader,
    /// The word's position in the phrase.
    in_phrase: u32,
    /// The current document's index in the block.
    in_block: usize,
    /// Positions of the word before the current block.
    before_block: u64,
    /// Positions of the word in the block before the current document.
    before_in_block: u64,
}

impl WordCursor {
    fn new(postings: BlockSegmentPostings, positions: PositionReader, in_phrase: u32) -> Self {
        WordCursor {
            postings,
            positions,
            in_phrase,
            in_block: 0,
            before_block: 0,
            before_in_block: 0,
        }
    }

    fn next_block(&mut self) {
        let in_block: u64 = self.postings.freqs().iter().map(|&f| u64::from(f)).sum();
        self.before_block += in_block;
        self.before_in_block = 0;
        self.in_block = 0;
        self.postings.advance();
    }
}

impl PhraseWord for WordCursor {
    fn seek(&mut self, target: DocId) -> DocId {
        loop {
            match self.postings.docs().last() {
                None => return TERMINATED,
                Some(&last) if last < target => self.next_block(),
                Some(_) => break,
            }
        }
        let docs = self.postings.docs();
        let freqs = self.postings.freqs();
        while docs[self.in_block] < target {
            self.before_in_block += u64::from(freqs[self.in_block]);
            self.in_block += 1;
        }
        docs[self.in_block]
    }

    fn positions(&mut self, output: &mut Vec<u32>) {
        let freq = self
            .postings
            .freqs()
            .get(self.in_block)
            .copied()
            .unwrap_or(0);
        output.clear();
        output.resize(freq as usize, 0);
        self.positions
            .read(self.before_block + self.before_in_block, output);
        // Stored as gaps from the previous position.
        let mut position = 0u32;
        for gap in output.iter_mut() {
            position += *gap;
            *gap = position;
        }
    }

    fn in_phrase(&self) -> u32 {
        self.in_phrase
    }

    fn doc_freq(&self) -> u32 {
        self.postings.doc_freq()
    }
}

/// The segments where the words are in a row, scored as tantivy's phrase
/// scorer scores them.
struct PhraseScorer<W> {
    words: Vec<W>,
    bm25: Option<Bm25Weight>,
    fieldnorms: FieldNormReader,
    doc: DocId,
    /// The phrase's occurrences in the current document.
    count: u32,
    starts: Vec<u32>,
    others: Vec<u32>,
}

impl<W: PhraseWord> PhraseScorer<W> {
    fn new(words: Vec<W>, bm25: Option<Bm25Weight>, fieldnorms: FieldNormReader) -> Self {
        let mut scorer = PhraseScorer {
            words,
            bm25,
            fieldnorms,
            doc: 0,
            count: 0,
            starts: Vec::new(),
            others: Vec::new(),
        };
        scorer.doc = scorer.next_match(0);
        scorer
    }

    /// The first document at or after `target` holding every word.
    fn next_candidate(&mut self, mut target: DocId) -> DocId {
        'align: loop {
            for word in &mut self.words {
                let doc = word.seek(target);
                if doc == TERMINATED {
                    return TERMINATED;
                }
                if doc > target {
                    target = doc;
                    continue 'align;
                }
            }
            return target;
        }
    }

    /// The first document at or after `target` holding the phrase.
    fn next_match(&mut self, mut target: DocId) -> DocId {
        loop {
            let doc = self.next_candidate(target);
            if doc == TERMINATED {
                return TERMINATED;
            }
            self.count = self.occurrences();
            if self.count > 0 {
                return doc;
            }
            target = doc + 1;
        }
    }

    /// How many times the words are in a row in the current candidate.
    fn occurrences(&mut self) -> u32 {
        let (first, rest) = self.words.split_at_mut(1);
        // Where the phrase would start: the first word's positions, less
        // its place in the phrase.
        first[0].positions(&mut self.starts);
        let shift = first[0].in_phrase();
        if shift > 0 {
            self.starts.retain(|&p| p >= shift);
            self.starts.iter_mut().for_each(|p| *p -= shift);
        }
        for word in rest {
            if self.starts.is_empty() {
                break;
            }
            word.positions(&mut self.others);
            let (others, shift) = (&self.others, word.in_phrase());
            let mut j = 0;
            self.starts.retain(|&start| {
                let wanted = start.saturating_add(shift);
                while j < others.len() && others[j] < wanted {
                    j += 1;
                }
                j < others.len() && others[j] == wanted
            });
        }
        u32::try_from(self.starts.len()).unwrap_or(u32::MAX)
    }
}

impl<W: PhraseWord> DocSet for PhraseScorer<W> {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.doc = self.next_match(self.doc + 1);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.doc = self.next_match(target);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.words.iter().map(|w| w.doc_freq()).min().unwrap_or(0)
    }
}

impl<W: PhraseWord> Scorer for PhraseScorer<W> {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(bm25) => bm25.score(self.fieldnorms.fieldnorm_id(self.doc), self.count),
            None => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::PhraseQuery;
    use tantivy::schema::{Schema, STRING};
    use tantivy::{Index, Searcher};

    /// Two segments of 3,000 documents, some deleted, where "mot" and
    /// "passe" are often together, sometimes in a row, sometimes twice.
    fn index() -> (Index, Field) {
        let filler = ["le", "mot", "de", "passe", "change", "mot", "clé"];
        let segment = |segment: usize| -> Vec<String> {
            (0..3_000usize)
                .map(|i| {
                    let n = i + segment * 3_000;
                    let words: Vec<&str> = (0..(n % 23 + 2))
                        .map(|k| filler[(n * 7 + k * (n % 5 + 1)) % filler.len()])
                        .collect();
                    if n.is_multiple_of(11) {
                        format!("{} mot de passe {}", words.join(" "), words.join(" "))
                    } else {
                        words.join(" ")
                    }
                })
                .collect()
        };
        crate::ram_index((0..2).map(segment), "change").unwrap()
    }

    fn terms(body: Field, words: &[(usize, &str)]) -> Vec<(usize, Term)> {
        words
            .iter()
            .map(|(p, w)| (*p, Term::from_field_text(body, w)))
            .collect()
    }

    /// Each segment's matches with their scores, seeking to every
    /// `step`-th document (advancing when 1).
    fn matches(searcher: &Searcher, query: &dyn TantivyQuery, step: u32) -> Vec<(u32, f32)> {
        let weight = query
            .weight(EnableScoring::enabled_from_searcher(searcher))
            .unwrap();
        let mut found = Vec::new();
        for segment in searcher.segment_readers() {
            let mut scorer = weight.scorer(segment, 1.5).unwrap();
            while scorer.doc() != TERMINATED {
                found.push((scorer.doc(), scorer.score()));
                if step == 1 {
                    scorer.advance();
                } else {
                    let target = (scorer.doc() / step + 1) * step;
                    scorer.seek(target);
                }
            }
            found.push((TERMINATED, 0.0));
        }
        found
    }

    const PHRASES: [&[(usize, &str)]; 6] = [
        &[(0, "mot"), (1, "de"), (2, "passe")],
        &[(0, "mot"), (2, "passe")],
        &[(0, "passe"), (1, "mot")],
        &[(0, "mot"), (1, "mot")],
        &[(0, "de"), (1, "passe"), (2, "change")],
        &[(0, "le"), (1, "absent")],
    ];

    #[test]
    fn both_ways_find_tantivys_matches_with_its_scores() {
        let (index, body) = index();
        let searcher = index.reader().unwrap().searcher();
        for words in PHRASES {
            let tantivys = PhraseQuery::new_with_offset(terms(body, words));
            for way in [Way::Walk, Way::Skip] {
                let ours = ExactPhrase::read_by(way, terms(body, words)).unwrap();
                for step in [1, 7, 300] {
                    let expected = matches(&searcher, &tantivys, step);
                    assert_eq!(
                        matches(&searcher, &ours, step),
                        expected,
                        "{words:?}, {way:?}, {step}"
                    );
                    if words[1].1 != "absent" {
                        assert!(expected.len() > 20, "{words:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_match_is_explained_with_its_score_and_a_miss_is_an_error() {
        let (index, body) = index();
        let searcher = index.reader().unwrap().searcher();
        let phrase = ExactPhrase::new(terms(body, &[(0, "mot"), (1, "de"), (2, "passe")])).unwrap();
        let top = searcher
            .search(&phrase, &TopDocs::with_limit(1).order_by_score())
            .unwrap();
        let (score, address) = top[0];
        let explanation = phrase.explain(&searcher, address).unwrap();
        assert!((explanation.value() - score).abs() < 1e-5);
        let absent = ExactPhrase::new(terms(body, &[(0, "le"), (1, "absent")])).unwrap();
        assert!(absent.explain(&searcher, address).is_err());
    }

    #[test]
    fn a_field_without_positions_is_refused() {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING);
        let index = Index::create_in_ram(builder.build());
        let searcher = index.reader().unwrap().searcher();
        let phrase = ExactPhrase::new(terms(id, &[(0, "a"), (1, "b")])).unwrap();
        let error = searcher.search(&phrase, &Count).unwrap_err();
        assert!(error.to_string().contains("no positions"), "{error}");
    }

    #[test]
    fn a_search_has_tantivys_top_and_count_without_deleted_documents() {
        let (index, body) = index();
        let searcher = index.reader().unwrap().searcher();
        let collector = (TopDocs::with_limit(50).order_by_score(), Count);
        for words in PHRASES {
            let tantivys = PhraseQuery::new_with_offset(terms(body, words));
            let (top, count) = searcher.search(&tantivys, &collector).unwrap();
            for ours in [
                ExactPhrase::new(terms(body, words)).unwrap(),
                ExactPhrase::read_by(Way::Walk, terms(body, words)).unwrap(),
                ExactPhrase::read_by(Way::Skip, terms(body, words)).unwrap(),
            ] {
                assert_eq!(
                    searcher.search(&ours, &collector).unwrap(),
                    (top.clone(), count)
                );
                let unscored = searcher.search(&ours, &Count).unwrap();
                assert_eq!(unscored, count);
            }
        }
    }

    #[test]
    fn a_phrase_has_two_words_of_one_field() {
        let (_, body) = index();
        assert!(ExactPhrase::new(terms(body, &[(0, "mot")])).is_none());
        assert!(ExactPhrase::new(Vec::new()).is_none());
        let title = Field::from_field_id(body.field_id() + 1);
        let mixed = vec![
            (0, Term::from_field_text(body, "mot")),
            (1, Term::from_field_text(title, "passe")),
        ];
        assert!(ExactPhrase::new(mixed).is_none());
        // Given out of order, the words are put in phrase order.
        let phrase = ExactPhrase::new(terms(body, &[(2, "passe"), (0, "mot")])).unwrap();
        assert_eq!(phrase.terms[0].0, 0);
    }

    #[test]
    fn walking_is_kept_for_words_of_similar_frequency() {
        let info = |doc_freq| TermInfo {
            doc_freq,
            postings_range: 0..0,
            positions_range: 0..0,
        };
        // "mot" and "passe" in one 1 GB segment: 388 blocks.
        assert!(walk_is_cheaper(&[info(9_000), info(15_700)]));
        // A rare word next to a common one: 7,900 blocks for 50 candidates.
        assert!(!walk_is_cheaper(&[info(50), info(1_000_000)]));
    }
}
