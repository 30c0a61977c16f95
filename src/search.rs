//! Searching: opens the index, turns a parsed query into a tantivy query
//! per language, ranks, and builds snippets for the hits shown. Never prints.
//!
//! Ranking is BM25 over three kinds of fields per language: headings
//! (weighted most), bold key phrases, and body text, plus the names of the
//! people speaking. Results come in three tiers:
//! 1. segments that contain every word of the query as typed;
//! 2. segments where every word is matched, some of them only by a typo
//!    correction (a word of the index within one or two edits) or a glossary
//!    equivalent (`capacity building` → `renforcement des capacités`);
//! 3. segments that match only some of the words.
//!
//! Within a tier, corrections score 0.4× and glossary equivalents 0.7× of
//! a word as typed.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::EnableScoring;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, Occur, Query as TantivyQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term,
    TERMINATED,
};

use crate::analysis::{self, Lang};
use crate::error::{Error, Result};
use crate::exact_phrase::ExactPhrase;
use crate::facets::{self, FacetField, Facets};
use crate::glossary::{self, Expansion, Glossary, QueryWords};
use crate::index;
use crate::presence::{Presence, Statistics};
use crate::pruned_intersection::{FieldTerms, PrunedIntersection, Word};
use crate::query::{self, Clause};
use crate::schema::{Fields, ReportRecord};
use crate::seek_union::SeekUnion;
use crate::segment::SegmentKind;
use crate::segment_threads::SegmentThreads;
use crate::snippet::best_passage;
pub use crate::snippet::Snippet;
use crate::typos::{self, suggest, Vocabulary};

/// Weight of a match in a heading, relative to one in the body.
const TITLE_BOOST: f32 = 2.5;
/// Weight of a match in a bold key phrase.
const KEYPHRASE_BOOST: f32 = 1.5;
/// Weight of a match in the names of the people speaking: a query that is
/// a person's name brings the segments where that person speaks first.
const SPEAKER_BOOST: f32 = 4.0;
/// Weight of a typo correction, relative to the word as typed.
const FUZZY_BOOST: f32 = 0.4;
/// Weight of a glossary equivalent, relative to the words as typed.
const GLOSSARY_BOOST: f32 = 0.7;
/// Matches counted at most when no facets are asked for: counting every
/// segment that has a common word took more than half of a search.
pub const COUNT_LIMIT: usize = 10_000;
/// Largest page size.
pub const MAX_LIMIT: usize = 100;
/// Decompressed document-store blocks (64 KB each) a one-off search keeps
/// per segment. A block read once and kept is fresh memory, 16 page faults
/// to touch; one dropped is reused by the next. Two keep the block of a
/// hit and of the hit after it (hits of one report sit side by side).
const ONE_OFF_STORE_CACHE_BLOCKS: usize = 2;
/// The same for a server, whose requests share the cache: tantivy's
/// default, 6 MB per segment at most.
const SERVER_STORE_CACHE_BLOCKS: usize = 100;
/// Deepest offset.
pub const MAX_OFFSET: usize = 10_000;
/// Default page size.
pub const DEFAULT_LIMIT: usize = 10;

/// Filters on the segments' fields: the values given for one field are
/// alternatives (OR), different fields must all match (AND). An empty list
/// does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filters {
    /// Report names (`doc`).
    pub doc: Vec<String>,
    /// Cities.
    pub city: Vec<String>,
    /// Meeting years.
    pub year: Vec<u16>,
    /// Segment languages.
    pub lang: Vec<Lang>,
    /// Organisations named by practices or speakers.
    pub org: Vec<String>,
    /// People speaking (full names).
    pub person: Vec<String>,
}

/// A search: the query text and what to return.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchRequest {
    /// The query as typed.
    pub query: String,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// Only this kind of segment.
    pub kind: Option<SegmentKind>,
    /// Only segments with these field values.
    pub filters: Filters,
    /// Also search the glossary equivalents of the query's terms.
    pub expand: bool,
    /// Count the facets (a pass over every match); without them, the
    /// results' facets are empty.
    pub facets: bool,
}

impl SearchRequest {
    /// A request for the first page of results.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: DEFAULT_LIMIT,
            offset: 0,
            kind: None,
            filters: Filters::default(),
            expand: true,
            facets: true,
        }
    }

    fn validate(&self) -> Result<()> {
        if self.limit == 0 || self.limit > MAX_LIMIT {
            return Err(Error::Parameter {
                name: "limit",
                message: format!("{} is out of range 1..={MAX_LIMIT}", self.limit),
            });
        }
        if self.offset > MAX_OFFSET {
            return Err(Error::Parameter {
                name: "offset",
                message: format!("{} is larger than {MAX_OFFSET}", self.offset),
            });
        }
        Ok(())
    }
}

/// One ranked segment.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Segment id.
    pub id: String,
    /// Report name.
    pub doc: String,
    /// Report title.
    pub doc_title: String,
    /// `section` or `practice`.
    pub kind: String,
    /// Segment heading.
    pub title: String,
    /// Relevance; higher is better.
    pub score: f32,
    /// The best passage, matched words highlighted (HTML, escaped, `<mark>`).
    #[serde(serialize_with = "crate::render::serialize_snippet")]
    pub snippet: Snippet,
    /// Language of the segment.
    pub lang: String,
    /// Meeting date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// City: of the meeting for a section, named by the practice for a
    /// practice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Organisations the practice or the speakers name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<String>,
    /// People who speak in the segment.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<String>,
    /// Where the whole passage is: `/segments/{id}`.
    pub url: String,
}

/// The answer to a search.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResults {
    /// Time spent searching, in milliseconds. First in JSON, so that the
    /// server's cache keeps the rest of an answer as written and puts the
    /// time of each answer before it.
    pub took_ms: f64,
    /// The query as typed.
    pub query: String,
    /// Segments matching, in all; a lower bound when
    /// `total_is_lower_bound`.
    pub total: usize,
    /// Whether counting stopped at [`COUNT_LIMIT`] matches: answers without
    /// facets count no further, as Elasticsearch's `track_total_hits`. With
    /// facets every match is counted anyway, and this is false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub total_is_lower_bound: bool,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// Counts per value of each filterable field, over all the matches. The
    /// counts of a filtered field ignore that field's own filter, so they
    /// show what choosing another value would give.
    pub facets: Facets,
    /// Glossary terms found in the query, and the equivalents searched too.
    pub expanded: Vec<Expansion>,
    /// "Did you mean": the query with its unknown words replaced by the
    /// nearest frequent words of the index, when the words as typed (and
    /// their glossary equivalents) find nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// Milliseconds since `started`, to two decimals.
pub(crate) fn milliseconds(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}

/// The address of a segment's passage view.
pub fn segment_url(id: &str) -> String {
    format!("/segments/{id}")
}

/// An open index, ready to answer searches. Cheap to share between threads.
pub struct Engine {
    reader: IndexReader,
    fields: Fields,
    analyzers: Vec<(Lang, TextAnalyzer)>,
    /// The user's glossary, added to the bundled one.
    user_glossary: Option<Glossary>,
    /// The glossary, analysed on the first search that expands, so that
    /// opening stays cheap.
    glossary: OnceLock<glossary::Analysed>,
    /// The fields each segment holds, for the last searcher generation
    /// asked.
    presence: Mutex<Option<(u64, Arc<Presence>)>>,
    /// Matches counted at most without facets: [`COUNT_LIMIT`] (lower in
    /// tests).
    count_limit: usize,
    /// Threads that collect segments besides the searching one.
    threads: SegmentThreads,
}

impl Engine {
    /// Opens the index for a one-off search: no background reloading.
    pub fn open(dir: &Path) -> Result<Engine> {
        Engine::open_with(dir, ReloadPolicy::Manual, ONE_OFF_STORE_CACHE_BLOCKS)
    }

    /// Opens the index for a server: commits by any process become visible
    /// within about a second, without a restart.
    pub fn open_live(dir: &Path) -> Result<Engine> {
        Engine::open_with(
            dir,
            ReloadPolicy::OnCommitWithDelay,
            SERVER_STORE_CACHE_BLOCKS,
        )
    }

    fn open_with(dir: &Path, policy: ReloadPolicy, store_cache_blocks: usize) -> Result<Engine> {
        let (index, fields) = index::open(dir)?;
        let reader = index
            .reader_builder()
            .reload_policy(policy)
            .doc_store_cache_num_blocks(store_cache_blocks)
            .try_into()?;
        let analyzers = Lang::ALL
            .iter()
            .map(|&lang| (lang, analysis::query_analyzer(lang)))
            .collect();
        Ok(Engine {
            reader,
            fields,
            analyzers,
            user_glossary: None,
            glossary: OnceLock::new(),
            presence: Mutex::new(None),
            count_limit: COUNT_LIMIT,
            threads: SegmentThreads::none(),
        })
    }

    /// Counts at most `limit` matches, as with [`COUNT_LIMIT`] (tests reach
    /// a small limit with a small index).
    #[cfg(test)]
    fn with_count_limit(mut self, limit: usize) -> Engine {
        self.count_limit = limit;
        self
    }

    /// Lets phrase searches collect segments on helper threads too (see
    /// [`SegmentThreads`]), one per other core and other segment: for a
    /// process that searches with the machine to itself.
    pub fn with_segment_threads(mut self) -> Engine {
        let segments = self.reader.searcher().segment_readers().len();
        self.threads = SegmentThreads::up_to(segments.saturating_sub(1));
        self
    }

    /// Adds a user's glossary (`--glossary FILE`) to the bundled one.
    pub fn with_glossary(mut self, glossary: Glossary) -> Engine {
        self.user_glossary = Some(glossary);
        self.glossary = OnceLock::new();
        self
    }

    /// The glossary, analysed once.
    fn glossary(&self) -> &glossary::Analysed {
        self.glossary.get_or_init(|| {
            let analyzers: BTreeMap<Lang, TextAnalyzer> = self.analyzers.iter().cloned().collect();
            // Built on first use: most queries never get that far in most
            // languages, and building an analyzer costs more than using it.
            let kept: [OnceLock<TextAnalyzer>; Lang::ALL.len()] = Default::default();
            glossary::Analysed::bundled_with(self.user_glossary.as_ref(), move |lang, text| {
                match analyzers.get(&lang) {
                    Some(analyzer) => analyse(analyzer, text),
                    None => Vec::new(),
                }
            })
            .with_kept_words(move |lang, text| {
                let Some(slot) = Lang::ALL
                    .iter()
                    .position(|l| *l == lang)
                    .and_then(|i| kept.get(i))
                else {
                    return Vec::new();
                };
                let analyzer = slot.get_or_init(|| analysis::kept_words_analyzer(lang));
                analyse(analyzer, text)
                    .into_iter()
                    .map(|(_, word)| word)
                    .collect()
            })
        })
    }

    /// The state of the index searches see now; it changes when the reader
    /// loads a new commit.
    pub fn generation(&self) -> u64 {
        self.reader.searcher().generation().generation_id()
    }

    /// A searcher on the latest state the reader has loaded.
    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The schema's fields.
    pub(crate) fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The underlying index.
    pub fn index(&self) -> Index {
        self.reader.searcher().index().clone()
    }

    /// Reloads the reader now (a server does it by itself).
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// Numbers of reports and of segments in the index.
    pub fn counts(&self) -> Result<(usize, usize)> {
        index::counts(&self.reader.searcher(), &self.fields)
    }

    /// The indexed reports, sorted by name.
    pub fn documents(&self) -> Result<Vec<ReportRecord>> {
        let mut records: Vec<ReportRecord> =
            index::read_records(&self.reader.searcher(), &self.fields)?
                .into_values()
                .collect();
        records.sort_by(|a, b| a.doc.cmp(&b.doc));
        Ok(records)
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let started = Instant::now();
        request.validate()?;
        let parsed = query::parse(&request.query)?;
        // A phrase reads the positions of its words in every segment that
        // holds them all, where words alone are pruned to the top k: only
        // then do helpers save more than starting them costs (0.2–0.3 ms).
        // They start now, to be running once the query is planned.
        if parsed.clauses.iter().any(|c| c.phrase && !c.excluded) {
            self.threads.start();
        }
        let searcher = self.reader.searcher();
        let vocabulary = Vocabulary::new(&searcher, self.fields.fold);
        let presence = self.presence(&searcher)?;
        let statistics = Statistics {
            searcher: &searcher,
            presence: &presence,
        };
        let wanted = request.offset + request.limit;
        // A word typed in at least as many live segments as are counted
        // settles the count of a terminal answer: the last tier, which
        // holds that word, has "at least" that many matches, and no pass
        // over them is needed (unless filters narrow it down).
        let frequent = !request.facets && self.a_word_is_frequent(&parsed.clauses, &statistics)?;
        // Typo corrections then change nothing a terminal answer shows
        // when the words as typed fill the page: the corrections' matches
        // would rank below them. Looking corrections up is a walk through
        // the vocabulary and an analysis per correction, so the search
        // runs without them first, and again with them if that was not
        // enough.
        let try_without_corrections = frequent && would_correct(&parsed.clauses);
        let mut found = self.rank_and_count(
            request,
            &parsed.clauses,
            &vocabulary,
            &statistics,
            !try_without_corrections,
            frequent,
        )?;
        let settled = |found: &Found| {
            found.ranking.hits.len() >= wanted
                && found.ranking.first_tier_matched
                && found.total_is_lower_bound
        };
        if try_without_corrections && !settled(&found) {
            found = self.rank_and_count(
                request,
                &parsed.clauses,
                &vocabulary,
                &statistics,
                true,
                frequent,
            )?;
        }
        let Found {
            plan,
            filters,
            ranking,
            facets,
            total,
            total_is_lower_bound,
        } = found;
        let addresses = ranking.hits;
        // Segments with every word as typed are matches as typed too.
        let as_typed = match (&plan.as_typed, ranking.first_tier_matched) {
            (_, true) => true,
            (Some(query), false) => {
                let query = with_filters(query.as_ref(), &filters);
                count_up_to(&searcher, query.as_ref(), 1)?.0 > 0
            }
            (None, false) => false,
        };
        let suggestion = if as_typed {
            None
        } else {
            suggest(&parsed.clauses, &request.query, &vocabulary)
        };
        let page: Vec<(f32, DocAddress)> = addresses
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .collect();
        let hits = self.hits(&searcher, &plan, page)?;
        let results = SearchResults {
            query: request.query.clone(),
            total,
            total_is_lower_bound,
            took_ms: milliseconds(started),
            hits,
            facets,
            expanded: plan.expanded,
            suggestion,
        };
        Ok(results)
    }

    /// Whether some word typed outside a phrase is, for sure, in at least
    /// as many live segments' text (its stem, in any language) as a search
    /// counts (see [`Engine::search`]).
    fn a_word_is_frequent(&self, clauses: &[Clause], statistics: &Statistics) -> Result<bool> {
        let limit = u64::try_from(self.count_limit).unwrap_or(u64::MAX);
        for clause in clauses.iter().filter(|c| !c.phrase && !c.excluded) {
            // A segment has one language: a word's counts in the languages'
            // body fields add up. Within one, an accented word's two terms
            // (see `analysis::analyzer`) may share segments: the larger
            // count is the one sure.
            let mut by_position: BTreeMap<usize, u64> = BTreeMap::new();
            for (lang, analyzer) in &self.analyzers {
                let field = self.fields.body_for(*lang);
                if !statistics.presence.anywhere(field) {
                    continue;
                }
                let mut in_lang: BTreeMap<usize, u64> = BTreeMap::new();
                for (position, stem) in analyse(analyzer, &clause.text) {
                    let term = Term::from_field_text(field, &stem);
                    let count = statistics.live_doc_freq_at_least(&term)?;
                    let most = in_lang.entry(position).or_default();
                    *most = (*most).max(count);
                }
                for (position, count) in in_lang {
                    *by_position.entry(position).or_default() += count;
                }
            }
            if by_position.values().any(|&count| count >= limit) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Plans the query, ranks the first `offset + limit` segments and counts
    /// the matches (and the facets, if asked for). With `frequent` (see
    /// [`Engine::a_word_is_frequent`]) and no filter, the count is known
    /// to reach the limit without counting.
    fn rank_and_count(
        &self,
        request: &SearchRequest,
        clauses: &[Clause],
        vocabulary: &Vocabulary,
        statistics: &Statistics,
        corrections: bool,
        frequent: bool,
    ) -> Result<Found> {
        let searcher = statistics.searcher;
        let plan = self.plan(
            clauses,
            request.expand,
            corrections.then_some(vocabulary),
            statistics.presence,
        )?;
        let filters = self.filters(request, &plan.excluded, None);
        let wanted = request.offset + request.limit;
        let count_known = frequent && filters.is_empty();
        let ranking = match &plan.tiers {
            Some(tiers) => rank_in_tiers(
                statistics,
                tiers,
                plan.first_tier_prunable,
                &filters,
                wanted,
                !count_known,
                &self.threads,
            )?,
            None => Ranking::default(),
        };
        let (facets, total, total_is_lower_bound) = match plan.tiers.as_ref().and_then(|t| t.last())
        {
            Some(any) if request.facets => {
                let (facets, total) =
                    self.facets(searcher, request, &plan.excluded, any.as_ref())?;
                (facets, total, false)
            }
            Some(any) => match ranking.last_tier_count {
                Some(count) => (Facets::default(), count, false),
                None if count_known => (Facets::default(), self.count_limit, true),
                None => {
                    let query = with_filters(any.as_ref(), &filters);
                    let (count, complete) =
                        count_up_to(searcher, query.as_ref(), self.count_limit)?;
                    (Facets::default(), count, !complete)
                }
            },
            None => (Facets::default(), 0, false),
        };
        Ok(Found {
            plan,
            filters,
            ranking,
            facets,
            total,
            total_is_lower_bound,
        })
    }

    /// Which fields each segment holds (see [`presence`]), read from the
    /// segments' metadata once per searcher generation.
    fn presence(&self, searcher: &Searcher) -> Result<Arc<Presence>> {
        let generation = searcher.generation().generation_id();
        let mut known = self.presence.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((seen, presence)) = known.as_ref() {
            if *seen == generation {
                return Ok(Arc::clone(presence));
            }
        }
        let presence = Arc::new(Presence::of(searcher)?);
        *known = Some((generation, Arc::clone(&presence)));
        Ok(presence)
    }

    /// The query for analysed tokens in one language's heading, key-phrase
    /// and body fields that hold terms, scaled by `weight`.
    fn in_lang_fields(
        &self,
        lang: Lang,
        tokens: &[(usize, String)],
        weight: f32,
        presence: &Arc<Presence>,
    ) -> Vec<Box<dyn TantivyQuery>> {
        self.lang_fields(lang, presence)
            .map(|(field, boost)| {
                let query = presence.restrict(field, match_tokens(field, tokens));
                boosted(query, boost * weight)
            })
            .collect()
    }

    /// The terms of [`in_lang_fields`](Self::in_lang_fields) (weight 1),
    /// clause by clause; `None` when one is a phrase.
    fn in_lang_fields_terms(
        &self,
        lang: Lang,
        tokens: &[(usize, String)],
        presence: &Presence,
    ) -> Option<Word> {
        self.lang_fields(lang, presence)
            .map(|(field, boost)| {
                Some(FieldTerms {
                    terms: same_position_terms(field, tokens)?,
                    boost,
                })
            })
            .collect()
    }

    /// A language's heading, key-phrase and text fields that hold terms,
    /// with their boosts.
    fn lang_fields<'a>(
        &self,
        lang: Lang,
        presence: &'a Presence,
    ) -> impl Iterator<Item = (Field, f32)> + 'a {
        [
            (self.fields.title_for(lang), TITLE_BOOST),
            (self.fields.keyphrases_for(lang), KEYPHRASE_BOOST),
            (self.fields.body_for(lang), 1.0),
        ]
        .into_iter()
        .filter(|&(field, _)| presence.anywhere(field))
    }

    /// Analyses each clause in every language and builds the queries on the
    /// fields that hold terms (see [`presence`]), so only for the languages
    /// present in the index. Every language still counts for the glossary:
    /// `NGO`, typed in English, finds the French reports' `ONG`.
    fn plan(
        &self,
        clauses: &[Clause],
        expand: bool,
        vocabulary: Option<&Vocabulary>,
        presence: &Arc<Presence>,
    ) -> Result<Plan> {
        let present: Vec<Lang> = Lang::ALL
            .into_iter()
            .filter(|&lang| presence.anywhere(self.fields.body_for(lang)))
            .collect();
        let mut units: Vec<Unit> = Vec::new();
        let mut excluded = Vec::new();
        let mut terms_by_lang: BTreeMap<Lang, BTreeMap<String, f32>> = BTreeMap::new();
        let mut query_words: BTreeMap<Lang, QueryWords> = BTreeMap::new();
        let mut words_before = 0;
        for clause in clauses {
            let offset = words_before;
            let folded = analysis::fold(&clause.text);
            words_before += folded.len().max(1);
            let mut exact: Vec<Box<dyn TantivyQuery>> = Vec::new();
            // `exact`'s terms, when none is a phrase.
            let mut exact_terms: Option<Word> = Some(Vec::new());
            let mut exact_stems: BTreeMap<Lang, BTreeSet<String>> = BTreeMap::new();
            let mut words_left = false;
            // One term per field (see `match_tokens`), not a phrase or a
            // choice between spellings.
            let mut one_term = folded.len() <= 1;
            for (lang, analyzer) in &self.analyzers {
                let tokens = analyse(analyzer, &clause.text);
                if tokens.is_empty() {
                    continue;
                }
                words_left = true;
                if !clause.excluded {
                    query_words.entry(*lang).or_default().add(
                        units.len(),
                        clause.phrase,
                        offset,
                        &tokens,
                    );
                }
                if !present.contains(lang) {
                    continue;
                }
                one_term &= tokens.len() == 1;
                if !clause.excluded {
                    let terms = terms_by_lang.entry(*lang).or_default();
                    for (_, token) in &tokens {
                        terms.insert(token.clone(), 1.0);
                    }
                }
                exact_stems
                    .entry(*lang)
                    .or_default()
                    .extend(tokens.iter().map(|(_, t)| t.clone()));
                exact.extend(self.in_lang_fields(*lang, &tokens, 1.0, presence));
                let terms = self.in_lang_fields_terms(*lang, &tokens, presence);
                exact_terms = exact_terms.zip(terms).map(|(mut all, terms)| {
                    all.extend(terms);
                    all
                });
            }
            if !words_left {
                // Only stop words ("de la"): nothing to look for.
                continue;
            }
            let names: Vec<(usize, String)> = folded.iter().cloned().enumerate().collect();
            if presence.anywhere(self.fields.speaker) {
                let speaker = self.fields.speaker;
                exact.push(boosted(
                    presence.restrict(speaker, match_tokens(speaker, &names)),
                    SPEAKER_BOOST,
                ));
                let terms = same_position_terms(speaker, &names).map(|terms| FieldTerms {
                    terms,
                    boost: SPEAKER_BOOST,
                });
                exact_terms = exact_terms.zip(terms).map(|(mut all, terms)| {
                    all.push(terms);
                    all
                });
            }
            if clause.excluded {
                excluded.push(Box::new(BooleanQuery::union(exact)) as Box<dyn TantivyQuery>);
                continue;
            }
            // Typo tolerance, never inside a phrase: the index's words near
            // each typed word, analysed like the typed word.
            let mut fuzzy: Vec<Box<dyn TantivyQuery>> = Vec::new();
            if let Some(vocabulary) = vocabulary.filter(|_| !clause.phrase) {
                for word in &folded {
                    for correction in vocabulary.corrections(word)? {
                        for (lang, analyzer) in
                            self.analyzers.iter().filter(|(l, _)| present.contains(l))
                        {
                            let known = exact_stems.get(lang);
                            let tokens: Vec<(usize, String)> = analyse(analyzer, &correction.word)
                                .into_iter()
                                .filter(|(_, t)| known.is_none_or(|k| !k.contains(t)))
                                .collect();
                            if tokens.is_empty() {
                                continue;
                            }
                            let terms = terms_by_lang.entry(*lang).or_default();
                            for (_, token) in &tokens {
                                terms.entry(token.clone()).or_insert(FUZZY_BOOST);
                            }
                            fuzzy.extend(self.in_lang_fields(
                                *lang,
                                &tokens,
                                FUZZY_BOOST,
                                presence,
                            ));
                        }
                    }
                }
            }
            // One union of both, not a union of two unions: the same sum of
            // scores, and one union scorer less per segment (each clears a
            // 4,096-document window).
            let exact_or_fuzzy = (!fuzzy.is_empty()).then(|| {
                let mut both: Vec<Box<dyn TantivyQuery>> =
                    exact.iter().map(|q| q.box_clone()).collect();
                both.extend(fuzzy);
                Box::new(BooleanQuery::union(both)) as Box<dyn TantivyQuery>
            });
            units.push(Unit {
                folded,
                one_term,
                exact: Box::new(BooleanQuery::union(exact)),
                exact_terms,
                exact_or_fuzzy,
            });
        }
        let expanded = if expand {
            self.glossary().expansions(&query_words)
        } else {
            Vec::new()
        };
        let mut expansion_queries: Vec<(BTreeSet<usize>, Box<dyn TantivyQuery>)> = Vec::new();
        for expansion in &expanded {
            let mut alternatives: Vec<Box<dyn TantivyQuery>> = Vec::new();
            for term in expansion
                .searched
                .iter()
                .filter(|t| present.contains(&t.lang))
            {
                let terms = terms_by_lang.entry(term.lang).or_default();
                for (_, token) in &term.tokens {
                    terms.entry(token.clone()).or_insert(GLOSSARY_BOOST);
                }
                alternatives.extend(self.in_lang_fields(
                    term.lang,
                    &term.tokens,
                    GLOSSARY_BOOST,
                    presence,
                ));
            }
            expansion_queries.push((
                expansion.clauses.clone(),
                Box::new(BooleanQuery::union(alternatives)),
            ));
        }
        let tiers = tiers(&units, &expansion_queries, presence);
        let as_typed = (!units.is_empty()).then(|| {
            let mut alternatives: Vec<Box<dyn TantivyQuery>> =
                units.iter().map(|u| u.exact.box_clone()).collect();
            // A glossary term typed as written counts; one met only through
            // a stem (`financment` → English `financ`, as in `financing`)
            // does not hide a typo.
            for ((clauses, query), expansion) in expansion_queries.iter().zip(&expanded) {
                let typed: Vec<&String> = clauses
                    .iter()
                    .filter_map(|&i| units.get(i))
                    .flat_map(|u| &u.folded)
                    .collect();
                let term = analysis::fold(&expansion.term);
                if typed.len() == term.len() && typed.iter().zip(&term).all(|(a, b)| *a == b) {
                    alternatives.push(query.box_clone());
                }
            }
            Box::new(BooleanQuery::union(alternatives)) as Box<dyn TantivyQuery>
        });
        // A union of terms (which tantivy prunes) or of choices between
        // spellings (a `PrunedIntersection` of one word) at the top of the
        // first tier: the search may skip what cannot make the top k (see
        // `tiers`), as long as it does not also have to count every match.
        let first_tier_prunable = matches!(
            units.as_slice(),
            [unit] if unit.one_term || unit.exact_terms.is_some()
        );
        Ok(Plan {
            tiers,
            first_tier_prunable,
            as_typed,
            excluded,
            terms_by_lang,
            expanded,
        })
    }

    /// Counts the facets of the segments `any` matches, and the segments
    /// themselves under every filter. A filtered field is counted in a pass
    /// of its own that leaves its filter out, so that its other values keep
    /// their counts.
    fn facets(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        excluded: &[Box<dyn TantivyQuery>],
        any: &dyn TantivyQuery,
    ) -> Result<(Facets, usize)> {
        let (filtered, unfiltered): (Vec<FacetField>, Vec<FacetField>) = FacetField::ALL
            .into_iter()
            .partition(|&field| self.filters_field(request, field));
        let mut passes: Vec<(Option<FacetField>, Vec<FacetField>)> = vec![(None, unfiltered)];
        passes.extend(filtered.into_iter().map(|field| (Some(field), vec![field])));
        let mut facets = Facets::default();
        let mut total = 0;
        for (left_out, fields) in passes {
            let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> =
                vec![(Occur::Must, any.box_clone())];
            clauses.extend(self.filters(request, excluded, left_out));
            let query = BooleanQuery::new(clauses);
            let collector = (facets::collector(&fields)?, Count);
            let (results, count) = self.threads.search(searcher, &query, collector, searcher)?;
            if left_out.is_none() {
                total = count;
            }
            for (field, values) in facets::counts(&fields, &results) {
                facets.set(field, values);
            }
        }
        Ok((facets, total))
    }

    fn filters_field(&self, request: &SearchRequest, field: FacetField) -> bool {
        let f = &request.filters;
        match field {
            FacetField::Kind => request.kind.is_some(),
            FacetField::Doc => !f.doc.is_empty(),
            FacetField::City => !f.city.is_empty(),
            FacetField::Year => !f.year.is_empty(),
            FacetField::Lang => !f.lang.is_empty(),
            FacetField::Org => !f.org.is_empty(),
            FacetField::Person => !f.person.is_empty(),
        }
    }

    /// Clauses every hit must satisfy: of the requested kind and field
    /// values (except those of `left_out`), without excluded words.
    fn filters(
        &self,
        request: &SearchRequest,
        excluded: &[Box<dyn TantivyQuery>],
        left_out: Option<FacetField>,
    ) -> Vec<(Occur, Box<dyn TantivyQuery>)> {
        let mut filters: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        let keep = |field: FacetField| left_out != Some(field);
        if let Some(kind) = request.kind.filter(|_| keep(FacetField::Kind)) {
            filters.push((Occur::Must, term_query(self.fields.kind, kind.as_str())));
        }
        let f = &request.filters;
        let text_filters = [
            (FacetField::Doc, self.fields.doc, &f.doc),
            (FacetField::City, self.fields.city, &f.city),
            (FacetField::Org, self.fields.org, &f.org),
            (FacetField::Person, self.fields.person, &f.person),
        ];
        for (field, index_field, values) in text_filters {
            if keep(field) {
                let terms = values.iter().map(|v| Term::from_field_text(index_field, v));
                filters.extend(any_of(terms));
            }
        }
        if keep(FacetField::Lang) {
            let terms = f
                .lang
                .iter()
                .map(|l| Term::from_field_text(self.fields.lang, l.code()));
            filters.extend(any_of(terms));
        }
        if keep(FacetField::Year) {
            let terms = f
                .year
                .iter()
                .map(|&y| Term::from_field_u64(self.fields.year, u64::from(y)));
            filters.extend(any_of(terms));
        }
        // No exclusion of the report records and vocabulary documents: they
        // hold none of the fields a query searches (see `schema::documents`
        // and `vocabulary`), and excluding them cost a fifth of each pass
        // over the matches.
        for query in excluded {
            filters.push((Occur::MustNot, query.box_clone()));
        }
        filters
    }

    /// The page's hits, their documents read and highlighted on the
    /// segment helpers too when they are running (see
    /// [`SegmentThreads::map`]).
    fn hits(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        page: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<Hit>> {
        // Shared by the threads, copied once.
        let shared = Arc::new((
            searcher.clone(),
            self.fields.clone(),
            plan.terms_by_lang.clone(),
        ));
        self.threads
            .map(page, move || {
                let shared = Arc::clone(&shared);
                // A highlighter per language, for this thread's hits.
                let mut highlighters: BTreeMap<Lang, analysis::Highlighter> = BTreeMap::new();
                move |&(score, address): &(f32, DocAddress)| {
                    let (searcher, fields, terms) = shared.as_ref();
                    hit(searcher, fields, terms, &mut highlighters, score, address)
                }
            })?
            .into_iter()
            .collect()
    }
}

/// A hit: its document read from the store, and its snippet.
fn hit(
    searcher: &Searcher,
    fields: &Fields,
    terms_by_lang: &BTreeMap<Lang, BTreeMap<String, f32>>,
    highlighters: &mut BTreeMap<Lang, analysis::Highlighter>,
    score: f32,
    address: DocAddress,
) -> Result<Hit> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let text = |field: Field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let optional = |field: Field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let lang_code = text(fields.lang);
    let lang = Lang::from_code(&lang_code).unwrap_or(Lang::Fr);
    let body = fields.segment_text(&doc).unwrap_or_default();
    let highlighter = highlighters.entry(lang).or_insert_with(|| {
        let no_terms = BTreeMap::new();
        analysis::Highlighter::new(lang, terms_by_lang.get(&lang).unwrap_or(&no_terms))
    });
    let id = fields.segment_id(&doc);
    Ok(Hit {
        url: segment_url(&id),
        id,
        doc: text(fields.doc),
        doc_title: text(fields.doc_title),
        kind: text(fields.kind),
        title: text(fields.title),
        score,
        snippet: best_passage(highlighter, body),
        lang: lang_code,
        date: optional(fields.date),
        city: optional(fields.city),
        organisations: doc
            .get_all(fields.org)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        people: doc
            .get_all(fields.person)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    })
}

/// A planned query's best segments and counts.
struct Found {
    plan: Plan,
    filters: Vec<(Occur, Box<dyn TantivyQuery>)>,
    ranking: Ranking,
    facets: Facets,
    total: usize,
    total_is_lower_bound: bool,
}

/// The queries built from a parsed query.
struct Plan {
    /// Every word as typed; every word, corrected or expanded; some words.
    /// `None` when the query has nothing to look for.
    tiers: Option<Vec<Box<dyn TantivyQuery>>>,
    /// Whether the first tier's search can be pruned (block-max WAND).
    first_tier_prunable: bool,
    /// Some word as typed, or a glossary equivalent: nothing matching it
    /// calls for a "did you mean".
    as_typed: Option<Box<dyn TantivyQuery>>,
    /// Segments matching one of these are left out.
    excluded: Vec<Box<dyn TantivyQuery>>,
    /// Analysed terms per language, for snippets, with their weights.
    terms_by_lang: BTreeMap<Lang, BTreeMap<String, f32>>,
    /// The glossary expansions applied.
    expanded: Vec<Expansion>,
}

/// One wanted word or phrase: as typed, and its typo corrections.
struct Unit {
    /// The clause's words, folded.
    folded: Vec<String>,
    /// Whether `exact` is a union of term queries.
    one_term: bool,
    exact: Box<dyn TantivyQuery>,
    /// `exact`'s terms, clause by clause, when none is a phrase.
    exact_terms: Option<Word>,
    /// The words as typed or corrected; `None` without corrections.
    exact_or_fuzzy: Option<Box<dyn TantivyQuery>>,
}

impl Unit {
    fn exact_or_fuzzy(&self) -> Box<dyn TantivyQuery> {
        self.exact_or_fuzzy
            .as_ref()
            .unwrap_or(&self.exact)
            .box_clone()
    }
}

/// Clauses tied together by glossary expansions, and those expansions.
type Group = (BTreeSet<usize>, Vec<Box<dyn TantivyQuery>>);

/// The three tiers (see the module doc). A glossary expansion covering
/// some clauses is an alternative to matching all of them; expansions
/// that share a clause are grouped.
fn tiers(
    units: &[Unit],
    expansions: &[(BTreeSet<usize>, Box<dyn TantivyQuery>)],
    presence: &Arc<Presence>,
) -> Option<Vec<Box<dyn TantivyQuery>>> {
    if units.is_empty() {
        return None;
    }
    // One clause is left as it is, not wrapped: the same matches and
    // scores, and a union of terms at the top lets tantivy skip the blocks
    // that cannot reach the top k (block-max WAND).
    let must = |mut queries: Vec<Box<dyn TantivyQuery>>| -> Box<dyn TantivyQuery> {
        if queries.len() == 1 {
            if let Some(query) = queries.pop() {
                return query;
            }
        }
        Box::new(BooleanQuery::new(
            queries
                .into_iter()
                .map(|q| (Occur::Must, SeekUnion::for_intersection(q)))
                .collect(),
        ))
    };
    let all = must(units.iter().map(|u| u.exact.box_clone()).collect());
    // Every word as typed: the top k without scoring every match (see
    // `PrunedIntersection`), when the words are terms. tantivy prunes a
    // single word of plain terms itself, but not one with a choice of
    // spellings (an accented word: `système` or `systeme`), which it
    // scored in every segment holding it.
    let words: Option<Vec<Word>> = units.iter().map(|u| u.exact_terms.clone()).collect();
    let all = match words {
        Some(words) if words.len() >= 2 || units.iter().any(|u| !u.one_term) => {
            Box::new(PrunedIntersection::new(words, all, Arc::clone(presence)))
                as Box<dyn TantivyQuery>
        }
        _ => all,
    };
    // Groups of clauses that expansions tie together.
    let mut groups: Vec<Group> = Vec::new();
    for (clauses, query) in expansions {
        let mut merged = (clauses.clone(), vec![query.box_clone()]);
        groups.retain(|(group, queries)| {
            if group.is_disjoint(&merged.0) {
                return true;
            }
            merged.0.extend(group.iter().copied());
            merged.1.extend(queries.iter().map(|q| q.box_clone()));
            false
        });
        groups.push(merged);
    }
    let groups_empty = groups.is_empty();
    let mut every: Vec<Box<dyn TantivyQuery>> = Vec::new();
    let mut some: Vec<Box<dyn TantivyQuery>> = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        if !groups.iter().any(|(group, _)| group.contains(&i)) {
            every.push(unit.exact_or_fuzzy());
        }
        some.push(unit.exact_or_fuzzy());
    }
    for (group, queries) in groups {
        let words = must(
            group
                .iter()
                .filter_map(|&i| units.get(i))
                .map(Unit::exact_or_fuzzy)
                .collect(),
        );
        let mut alternatives = vec![words];
        alternatives.extend(queries.iter().map(|q| q.box_clone()));
        every.push(Box::new(BooleanQuery::union(alternatives)));
        some.extend(queries);
    }
    // A tier that matches what the one before it matches is left out: a
    // single word has one tier, or two with corrections or equivalents.
    let widened = units.iter().any(|u| u.exact_or_fuzzy.is_some()) || !groups_empty;
    let mut tiers = vec![all];
    if widened {
        tiers.push(must(every));
    }
    if units.len() > 1 || !groups_empty {
        tiers.push(Box::new(BooleanQuery::union(some)));
    }
    Some(tiers)
}

/// Whether typo tolerance would correct some word typed outside a phrase.
fn would_correct(clauses: &[Clause]) -> bool {
    clauses
        .iter()
        .filter(|c| !c.phrase && !c.excluded)
        .flat_map(|c| analysis::fold(&c.text))
        .any(|w| typos::allowed_edits(&w).is_some())
}

/// `query` with the filters; `query` itself when there are none, so that
/// tantivy sees a union of terms as one (see [`tiers`]).
fn with_filters(
    query: &dyn TantivyQuery,
    filters: &[(Occur, Box<dyn TantivyQuery>)],
) -> Box<dyn TantivyQuery> {
    if filters.is_empty() {
        return query.box_clone();
    }
    // A filter that must match intersects: the query's union is jumped
    // through (see `SeekUnion`). Exclusions only skip.
    let query = if filters.iter().any(|(occur, _)| *occur == Occur::Must) {
        SeekUnion::for_intersection(query.box_clone())
    } else {
        query.box_clone()
    };
    let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![(Occur::Must, query)];
    clauses.extend(filters.iter().map(|(occur, q)| (*occur, q.box_clone())));
    Box::new(BooleanQuery::new(clauses))
}

/// Counts the segments `query` matches, stopping at `limit`; the count,
/// and whether it is complete (every match counted).
fn count_up_to(
    searcher: &Searcher,
    query: &dyn TantivyQuery,
    limit: usize,
) -> Result<(usize, bool)> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut count = 0;
    for segment in searcher.segment_readers() {
        let mut scorer = weight.scorer(segment, 1.0)?;
        let alive = segment.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                count += 1;
                if count >= limit {
                    return Ok((count, false));
                }
            }
            doc = scorer.advance();
        }
    }
    Ok((count, true))
}

/// The best segments of [`rank_in_tiers`].
#[derive(Default)]
struct Ranking {
    /// The first `wanted` segments, best first.
    hits: Vec<(f32, DocAddress)>,
    /// Whether the first tier (every word as typed) matched a segment.
    first_tier_matched: bool,
    /// The number of matches of the last tier, when it was searched and
    /// had fewer than were asked (so all were collected).
    last_tier_count: Option<usize>,
}

/// Ranks each tier's segments below the previous tier's (each tier holds
/// the previous one) and keeps the first `wanted`. A tier is searched only
/// while the page is not full; counting the matches is left to the
/// facets' pass, which goes over the last tier anyway, or to
/// [`count_up_to`].
///
/// A tier's segments are told from the previous tier's by their addresses,
/// not with a `MustNot` of the previous tier: tantivy 0.27's phrase scorer,
/// which phrases used before [`ExactPhrase`], asserted (debug builds) when
/// an exclusion sought it backwards.
///
/// Without `count`, the count is known already and the last tier is
/// not counted.
fn rank_in_tiers(
    statistics: &Statistics,
    tiers: &[Box<dyn TantivyQuery>],
    first_tier_prunable: bool,
    filters: &[(Occur, Box<dyn TantivyQuery>)],
    wanted: usize,
    count: bool,
    threads: &SegmentThreads,
) -> Result<Ranking> {
    let searcher = statistics.searcher;
    let mut ranking = Ranking::default();
    let mut previous: HashSet<DocAddress> = HashSet::new();
    for (i, tier) in tiers.iter().enumerate() {
        if ranking.hits.len() >= wanted {
            break;
        }
        let query = with_filters(tier.as_ref(), filters);
        let asked = wanted + previous.len();
        let top = TopDocs::with_limit(asked).order_by_score();
        let last = i + 1 == tiers.len();
        let found = if last && count && !(i == 0 && first_tier_prunable && filters.is_empty()) {
            // Every match is visited anyway: count them in the same pass.
            let (found, count) =
                threads.search(searcher, query.as_ref(), (top, Count), statistics)?;
            ranking.last_tier_count = Some(count);
            found
        } else {
            // The top k alone, so that tantivy may skip what cannot make
            // it; counting is `count_up_to`'s, or the facets'.
            let found = threads.search(searcher, query.as_ref(), top, statistics)?;
            if last && found.len() < asked {
                // Fewer than asked: these are all of the tier's matches.
                ranking.last_tier_count = Some(found.len());
            }
            found
        };
        if i == 0 {
            ranking.first_tier_matched = !found.is_empty();
        }
        let room = wanted - ranking.hits.len();
        ranking.hits.extend(
            found
                .into_iter()
                .filter(|(_, address)| !previous.contains(address))
                .take(room),
        );
        if ranking.hits.len() < wanted && i + 1 < tiers.len() {
            // The page is not full, so this tier matched fewer segments than
            // `wanted + previous`: collecting them all is cheap.
            previous = searcher.search(query.as_ref(), &DocSetCollector)?;
        }
    }
    Ok(ranking)
}

fn boosted(query: Box<dyn TantivyQuery>, boost: f32) -> Box<dyn TantivyQuery> {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// A clause matching any of the terms; none when there is no term.
fn any_of(terms: impl Iterator<Item = Term>) -> Option<(Occur, Box<dyn TantivyQuery>)> {
    let alternatives: Vec<(Occur, Box<dyn TantivyQuery>)> = terms
        .map(|term| {
            let query: Box<dyn TantivyQuery> =
                Box::new(TermQuery::new(term, IndexRecordOption::Basic));
            (Occur::Should, query)
        })
        .collect();
    (!alternatives.is_empty()).then(|| {
        (
            Occur::Must,
            Box::new(BooleanQuery::new(alternatives)) as Box<dyn TantivyQuery>,
        )
    })
}

pub(crate) fn term_query(field: Field, value: &str) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Builds the query for one clause's tokens in one field. The analyzer may
/// give several terms at one position (an accented word: the stem of the
/// word as written and of its unaccented spelling): a single word matches
/// either (the best one scores, not both); in a phrase, or a word the
/// analyzer split such as `Ville-à-Ville`, each position uses the
/// unaccented stem, which every spelling of the word indexes, and gaps left
/// by stop words are kept.
fn match_tokens(field: Field, tokens: &[(usize, String)]) -> Box<dyn TantivyQuery> {
    let term = |term: Term| -> Box<dyn TantivyQuery> {
        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
    };
    if let Some(mut terms) = same_position_terms(field, tokens) {
        return match terms.len() {
            0 => Box::new(EmptyQuery),
            1 => terms.pop().map_or_else(|| Box::new(EmptyQuery) as _, term),
            _ => Box::new(DisjunctionMaxQuery::new(
                terms.into_iter().map(term).collect(),
            )),
        };
    }
    let first = tokens.first().map_or(0, |(p, _)| *p);
    // The last term at each position is the unaccented spelling's stem.
    let mut by_position: Vec<(usize, Term)> = Vec::new();
    for (position, token) in tokens {
        let term = Term::from_field_text(field, token);
        match by_position.last_mut() {
            Some((last, slot)) if *last == position - first => *slot = term,
            _ => by_position.push((position - first, term)),
        }
    }
    match ExactPhrase::new(by_position) {
        Some(phrase) => Box::new(phrase),
        None => Box::new(EmptyQuery),
    }
}

/// The terms [`match_tokens`] reads when it reads one position (a term, or
/// a choice between spellings); `None` for a phrase.
fn same_position_terms(field: Field, tokens: &[(usize, String)]) -> Option<Vec<Term>> {
    let first = tokens.first().map_or(0, |(p, _)| *p);
    tokens.iter().all(|(p, _)| *p == first).then(|| {
        tokens
            .iter()
            .map(|(_, token)| Term::from_field_text(field, token))
            .collect()
    })
}

fn analyse(analyzer: &TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    analyse_mut(&mut analyzer.clone(), text)
}

fn analyse_mut(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push((token.position, token.text.clone()));
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, IndexWriter};

    #[test]
    fn counting_stops_at_the_limit_and_skips_deleted_segments() -> tantivy::Result<()> {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        for text in ["cadre a", "cadre b", "cadre c", "autre"] {
            writer.add_document(doc!(body => text))?;
        }
        writer.commit()?;
        writer.add_document(doc!(body => "cadre d"))?;
        writer.delete_term(Term::from_field_text(body, "b"));
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let query = term_query(body, "cadre");
        let count = |limit| count_up_to(&searcher, query.as_ref(), limit).ok();
        assert_eq!(count(100), Some((3, true)), "a, c and d; b is deleted");
        assert_eq!(count(3), Some((3, false)), "the limit reached");
        assert_eq!(count(1), Some((1, false)));
        let nothing = term_query(body, "absent");
        assert_eq!(
            count_up_to(&searcher, nothing.as_ref(), 1).ok(),
            Some((0, true))
        );
        Ok(())
    }

    #[test]
    fn a_phrase_searched_with_segment_threads_finds_what_one_thread_finds(
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
        std::fs::create_dir(&corpus)?;
        // One indexing run per report: a segment each.
        for (name, mentions) in [("sfax", 5), ("nador", 3), ("malaga", 4)] {
            std::fs::write(corpus.join(format!("{name}.txt")), report(mentions))?;
            crate::index::run(&corpus, &index_dir, crate::index::IndexOptions::default())?;
        }
        let one = Engine::open(&index_dir)?;
        let helped = Engine::open(&index_dir)?.with_segment_threads();
        assert!(one.searcher().segment_readers().len() >= 2);
        for query in ["\"cadre numéro\"", "\"réunion est levée\"", "cadre"] {
            let mut request = SearchRequest::new(query);
            request.facets = true;
            let as_json = |engine: &Engine| -> std::result::Result<_, Box<dyn std::error::Error>> {
                let mut results = serde_json::to_value(engine.search(&request)?)?;
                results["took_ms"] = serde_json::Value::Null;
                Ok(results)
            };
            let expected = as_json(&one)?;
            assert!(expected["total"].as_u64() > Some(2), "{query}: {expected}");
            assert_eq!(as_json(&helped)?, expected, "{query}");
        }
        Ok(())
    }

    /// A report with `mentions` sections about `cadre`, and two without.
    fn report(mentions: usize) -> String {
        let mut text = String::from("Réunion de test\nSfax, 25 juin 2019\n\n");
        let headings = [
            "Contexte",
            "Défis",
            "Recommandations",
            "Financement",
            "Suivi",
        ];
        for (i, heading) in headings.iter().enumerate().take(mentions) {
            text.push_str(&format!(
                "{heading}\n\nLe cadre numéro {i} est discuté.\n\n"
            ));
        }
        text.push_str("Participants\n\nLes villes ont échangé.\n\n");
        text.push_str("Clôture\n\nLa réunion est levée.\n");
        text
    }

    fn total(engine: &Engine, query: &str, facets: bool) -> Result<(usize, bool)> {
        // A page of one: the ranking does not see every match.
        let request = SearchRequest {
            facets,
            limit: 1,
            ..SearchRequest::new(query)
        };
        let results = engine.search(&request)?;
        Ok((results.total, results.total_is_lower_bound))
    }

    #[test]
    fn a_frequent_word_settles_the_count_but_deleted_segments_do_not(
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (corpus, index_dir) = (dir.path().join("corpus"), dir.path().join("index"));
        std::fs::create_dir(&corpus)?;
        std::fs::write(corpus.join("sfax.txt"), report(5))?;
        crate::index::run(&corpus, &index_dir, crate::index::IndexOptions::default())?;
        let engine = Engine::open(&index_dir)?.with_count_limit(3);
        assert_eq!(
            total(&engine, "cadre", true)?,
            (5, false),
            "facets count all"
        );
        assert_eq!(
            total(&engine, "cadre", false)?,
            (3, true),
            "at least the limit"
        );
        assert_eq!(total(&engine, "cadre -numero", false)?, (0, false));
        assert_eq!(total(&engine, "villes", false)?, (1, false));

        // Three of the five deleted: they stay in their segment's document
        // frequencies until a merge.
        let (index, fields) = crate::index::open(&index_dir)?;
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        let mut analyzer = analysis::query_analyzer(Lang::Fr);
        for number in ["2", "3", "4"] {
            for (_, token) in analyse_mut(&mut analyzer, number) {
                writer.delete_term(Term::from_field_text(fields.body_for(Lang::Fr), &token));
            }
        }
        writer.commit()?;
        let engine = Engine::open(&index_dir)?.with_count_limit(3);
        assert_eq!(total(&engine, "cadre", true)?, (2, false));
        assert_eq!(total(&engine, "cadre", false)?, (2, false));
        Ok(())
    }
}
