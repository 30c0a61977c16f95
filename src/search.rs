//! Searching: opens the index, turns a parsed query into a tantivy query
//! per language, ranks, and builds snippets for the hits shown. Never prints.
//!
//! Ranking is BM25 over three kinds of fields per language: headings
//! (weighted most), bold key phrases, and body text. Segments that contain
//! every word of the query come first; segments that contain only some of
//! them follow, so a partial match is still found.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, Occur, PhraseQuery,
    Query as TantivyQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analysis::{self, Lang};
use crate::error::{Error, Result};
use crate::facets::{self, FacetField, Facets};
use crate::index;
use crate::query::{self, Clause};
use crate::schema::{Fields, ReportRecord, REPORT_KIND};
use crate::segment::SegmentKind;

/// Weight of a match in a heading, relative to one in the body.
const TITLE_BOOST: f32 = 2.5;
/// Weight of a match in a bold key phrase.
const KEYPHRASE_BOOST: f32 = 1.5;
/// Largest page size.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset.
pub const MAX_OFFSET: usize = 10_000;
/// Default page size.
pub const DEFAULT_LIMIT: usize = 10;
/// Snippet length, in characters.
const SNIPPET_CHARS: usize = 220;

/// Filters on the segments' fields: the values given for one field are
/// alternatives (OR), different fields must all match (AND). An empty list
/// does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Report names (`doc`).
    pub doc: Vec<String>,
    /// Cities.
    pub city: Vec<String>,
    /// Meeting years.
    pub year: Vec<u16>,
    /// Segment languages.
    pub lang: Vec<Lang>,
    /// Organisations named by practices.
    pub org: Vec<String>,
}

/// A search: the query text and what to return.
#[derive(Debug, Clone)]
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

/// A snippet: a passage of the segment and the byte ranges of the matched
/// words in it. Rendering (HTML, terminal) is `render`'s job.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// The passage.
    pub text: String,
    /// Byte ranges of `text` to highlight, in order, not overlapping.
    pub highlights: Vec<(usize, usize)>,
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
    /// Organisations the practice names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<String>,
    /// Where the whole passage is: `/segments/{id}`.
    pub url: String,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query as typed.
    pub query: String,
    /// Segments matching, in all.
    pub total: usize,
    /// Time spent searching, in milliseconds.
    pub took_ms: f64,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// Counts per value of each filterable field, over all the matches. The
    /// counts of a filtered field ignore that field's own filter, so they
    /// show what choosing another value would give.
    pub facets: Facets,
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
}

impl Engine {
    /// Opens the index for a one-off search: no background reloading.
    pub fn open(dir: &Path) -> Result<Engine> {
        Engine::open_with(dir, ReloadPolicy::Manual)
    }

    /// Opens the index for a server: commits by any process become visible
    /// within about a second, without a restart.
    pub fn open_live(dir: &Path) -> Result<Engine> {
        Engine::open_with(dir, ReloadPolicy::OnCommitWithDelay)
    }

    fn open_with(dir: &Path, policy: ReloadPolicy) -> Result<Engine> {
        let (index, fields) = index::open(dir)?;
        let reader = index.reader_builder().reload_policy(policy).try_into()?;
        let analyzers = Lang::ALL
            .iter()
            .map(|&lang| (lang, analysis::analyzer(lang)))
            .collect();
        Ok(Engine {
            reader,
            fields,
            analyzers,
        })
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
        let searcher = self.reader.searcher();
        let reports = TermQuery::new(
            Term::from_field_text(self.fields.kind, REPORT_KIND),
            IndexRecordOption::Basic,
        );
        let documents = searcher.search(&reports, &Count)?;
        let total = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        Ok((documents, total.saturating_sub(documents)))
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
        let plan = self.plan(&parsed.clauses);
        let searcher = self.reader.searcher();

        let filters = self.filters(request, &plan.excluded, None);
        let wanted = request.offset + request.limit;
        let (total, addresses) = match (&plan.all, &plan.any) {
            (Some(all), Some(any)) => {
                rank_in_tiers(&searcher, all.as_ref(), any.as_ref(), &filters, wanted)?
            }
            _ => (0, Vec::new()),
        };
        let facets = match &plan.any {
            Some(any) => self.facets(&searcher, request, &plan.excluded, any.as_ref())?,
            None => Facets::default(),
        };
        let page: Vec<(f32, DocAddress)> = addresses
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .collect();
        let hits = self.hits(&searcher, &plan, page)?;
        Ok(SearchResults {
            query: request.query.clone(),
            total,
            took_ms: (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
            hits,
            facets,
        })
    }

    /// A copy of the analyzer for `lang` (cheap: its tables are shared).
    fn analyzer_for(&self, lang: Lang) -> TextAnalyzer {
        self.analyzers
            .iter()
            .find(|(l, _)| *l == lang)
            .map_or_else(|| analysis::analyzer(lang), |(_, a)| a.clone())
    }

    /// Analyses each clause in every language and builds the queries.
    fn plan(&self, clauses: &[Clause]) -> Plan {
        let mut wanted = Vec::new();
        let mut excluded = Vec::new();
        let mut terms_by_lang: BTreeMap<Lang, BTreeMap<String, f32>> = BTreeMap::new();
        for clause in clauses {
            let mut per_lang: Vec<Box<dyn TantivyQuery>> = Vec::new();
            for (lang, analyzer) in &self.analyzers {
                let tokens = analyse(analyzer, &clause.text);
                if tokens.is_empty() {
                    continue;
                }
                if !clause.excluded {
                    let terms = terms_by_lang.entry(*lang).or_default();
                    for (_, token) in &tokens {
                        terms.insert(token.clone(), 1.0);
                    }
                }
                let fields = [
                    (self.fields.title_for(*lang), TITLE_BOOST),
                    (self.fields.keyphrases_for(*lang), KEYPHRASE_BOOST),
                    (self.fields.body_for(*lang), 1.0),
                ];
                for (field, boost) in fields {
                    let q = match_tokens(field, &tokens);
                    per_lang.push(if boost == 1.0 {
                        q
                    } else {
                        Box::new(BoostQuery::new(q, boost))
                    });
                }
            }
            if per_lang.is_empty() {
                // Only stop words ("de la"): nothing to look for.
                continue;
            }
            let clause_query: Box<dyn TantivyQuery> = Box::new(BooleanQuery::union(per_lang));
            if clause.excluded {
                excluded.push(clause_query);
            } else {
                wanted.push(clause_query);
            }
        }
        let any = (!wanted.is_empty()).then(|| {
            let clauses = wanted
                .iter()
                .map(|q| (Occur::Should, q.box_clone()))
                .collect();
            Box::new(BooleanQuery::new(clauses)) as Box<dyn TantivyQuery>
        });
        let all = (!wanted.is_empty()).then(|| {
            let clauses = wanted
                .iter()
                .map(|q| (Occur::Must, q.box_clone()))
                .collect();
            Box::new(BooleanQuery::new(clauses)) as Box<dyn TantivyQuery>
        });
        Plan {
            all,
            any,
            excluded,
            terms_by_lang,
        }
    }

    /// Counts the facets of the segments `any` matches. A filtered field
    /// is counted in a pass of its own that leaves its filter out, so that
    /// its other values keep their counts.
    fn facets(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        excluded: &[Box<dyn TantivyQuery>],
        any: &dyn TantivyQuery,
    ) -> Result<Facets> {
        let (filtered, unfiltered): (Vec<FacetField>, Vec<FacetField>) = FacetField::ALL
            .into_iter()
            .partition(|&field| self.filters_field(request, field));
        let mut passes: Vec<(Option<FacetField>, Vec<FacetField>)> = vec![(None, unfiltered)];
        passes.extend(filtered.into_iter().map(|field| (Some(field), vec![field])));
        let mut facets = Facets::default();
        for (left_out, fields) in passes {
            let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> =
                vec![(Occur::Must, any.box_clone())];
            clauses.extend(self.filters(request, excluded, left_out));
            let results =
                searcher.search(&BooleanQuery::new(clauses), &facets::collector(&fields)?)?;
            for (field, values) in facets::counts(&fields, &results) {
                facets.set(field, values);
            }
        }
        Ok(facets)
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
        }
    }

    /// Clauses every hit must satisfy: a segment (not a report record), of
    /// the requested kind and field values (except those of `left_out`),
    /// without excluded words.
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
        filters.push((Occur::MustNot, term_query(self.fields.kind, REPORT_KIND)));
        for query in excluded {
            filters.push((Occur::MustNot, query.box_clone()));
        }
        filters
    }

    fn hits(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        page: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<Hit>> {
        let mut generators: BTreeMap<Lang, SnippetGenerator> = BTreeMap::new();
        let mut hits = Vec::with_capacity(page.len());
        for (score, address) in page {
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
            let lang_code = text(self.fields.lang);
            let lang = Lang::from_code(&lang_code).unwrap_or(Lang::Fr);
            let body = text(self.fields.text);
            let generator = generators.entry(lang).or_insert_with(|| {
                let terms = plan.terms_by_lang.get(&lang).cloned().unwrap_or_default();
                let mut generator = SnippetGenerator::new(
                    terms,
                    self.analyzer_for(lang),
                    self.fields.body_for(lang),
                    SNIPPET_CHARS,
                );
                generator.set_max_num_chars(SNIPPET_CHARS);
                generator
            });
            hits.push(Hit {
                id: text(self.fields.id),
                doc: text(self.fields.doc),
                doc_title: text(self.fields.doc_title),
                kind: text(self.fields.kind),
                title: text(self.fields.title),
                score,
                snippet: snippet(generator, &body),
                lang: lang_code,
                date: optional(self.fields.date),
                city: optional(self.fields.city),
                organisations: doc
                    .get_all(self.fields.org)
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                url: segment_url(&text(self.fields.id)),
            });
        }
        Ok(hits)
    }
}

/// The queries built from a parsed query.
struct Plan {
    /// Every wanted clause must match.
    all: Option<Box<dyn TantivyQuery>>,
    /// At least one wanted clause must match.
    any: Option<Box<dyn TantivyQuery>>,
    /// Segments matching one of these are left out.
    excluded: Vec<Box<dyn TantivyQuery>>,
    /// Analysed terms per language, for snippets.
    terms_by_lang: BTreeMap<Lang, BTreeMap<String, f32>>,
}

/// Ranks segments that match every clause first, then those that match
/// some. Returns the total number of matches and the first `wanted` hits.
fn rank_in_tiers(
    searcher: &Searcher,
    all: &dyn TantivyQuery,
    any: &dyn TantivyQuery,
    filters: &[(Occur, Box<dyn TantivyQuery>)],
    wanted: usize,
) -> Result<(usize, Vec<(f32, DocAddress)>)> {
    let with_filters = |query: &dyn TantivyQuery, extra: Option<(Occur, Box<dyn TantivyQuery>)>| {
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> =
            vec![(Occur::Must, query.box_clone())];
        clauses.extend(filters.iter().map(|(occur, q)| (*occur, q.box_clone())));
        clauses.extend(extra);
        BooleanQuery::new(clauses)
    };
    let top = TopDocs::with_limit(wanted.max(1)).order_by_score();
    let (first_tier, complete) = searcher.search(&with_filters(all, None), &(top, Count))?;
    let total = searcher.search(&with_filters(any, None), &Count)?;
    let mut ranked = first_tier;
    if ranked.len() < wanted && total > complete {
        let partial_only = with_filters(any, Some((Occur::MustNot, all.box_clone())));
        let rest = TopDocs::with_limit(wanted - ranked.len()).order_by_score();
        ranked.extend(searcher.search(&partial_only, &rest)?);
    }
    Ok((total, ranked))
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
    let term = |token: &str| -> Box<dyn TantivyQuery> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, token),
            IndexRecordOption::WithFreqs,
        ))
    };
    let first = tokens.first().map_or(0, |(p, _)| *p);
    if tokens.iter().all(|(p, _)| *p == first) {
        return match tokens {
            [] => Box::new(EmptyQuery),
            [(_, token)] => term(token),
            _ => Box::new(DisjunctionMaxQuery::new(
                tokens.iter().map(|(_, token)| term(token)).collect(),
            )),
        };
    }
    // The last term at each position is the unaccented spelling's stem.
    let mut by_position: Vec<(usize, Term)> = Vec::new();
    for (position, token) in tokens {
        let term = Term::from_field_text(field, token);
        match by_position.last_mut() {
            Some((last, slot)) if *last == position - first => *slot = term,
            _ => by_position.push((position - first, term)),
        }
    }
    Box::new(PhraseQuery::new_with_offset(by_position))
}

fn analyse(analyzer: &TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push((token.position, token.text.clone()));
    }
    tokens
}

/// The best passage; the start of the text when no word matches in the
/// body (a match in the heading only).
fn snippet(generator: &SnippetGenerator, body: &str) -> Snippet {
    let found = generator.snippet(body);
    if !found.fragment().is_empty() {
        return Snippet {
            text: found.fragment().to_string(),
            highlights: found
                .highlighted()
                .iter()
                .map(|r| (r.start, r.end))
                .collect(),
        };
    }
    let end = body
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(body.len(), |(i, _)| i);
    let cut = body[..end]
        .rfind(' ')
        .filter(|_| end < body.len())
        .unwrap_or(end);
    Snippet {
        text: body[..cut].to_string(),
        highlights: Vec::new(),
    }
}
