//! The programme's glossary: concepts with their terms in French, English,
//! Spanish and Arabic (`data/glossary.toml`, compiled in; users add their
//! own file of the same format), and the query expansion it gives. Pure: the
//! caller passes the analyser, so no index is involved.
//!
//! A glossary term matches a query when its analysed words appear in the
//! query's analysed words, at the same relative positions: `capacity
//! building` matches the query `Capacity buildings`, `renforcement des
//! capacités` matches `renforcement des capacites` (the stop word leaves the
//! same gap). The other terms of the concept, in every language, are then
//! searched too.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::analysis::{self, Lang, StemGate};
use crate::error::{Error, Result};
use crate::fold_start;

/// A bundled term: language, text, and the first letters of its words
/// (see [`word_starts`]), computed by build.rs.
type BundledTerm = (Lang, &'static str, Option<&'static [Cow<'static, str>]>);

// `BUNDLED_CONCEPTS`, and the terms by the first letters of their words
// (`BUNDLED_BY_START`, `BUNDLED_ANY_START`), from data/glossary.toml.
include!(concat!(env!("OUT_DIR"), "/glossary.rs"));

/// A language's place in build.rs's per-language tables.
fn table_slot(lang: Lang) -> usize {
    match lang {
        Lang::Fr => 0,
        Lang::En => 1,
        Lang::Es => 2,
        Lang::Ar => 3,
    }
}

/// Analysed words with their positions (from 0).
pub type Tokens = Vec<(usize, String)>;

/// One concept: a stable id and its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    /// Stable name, e.g. `capacity-building`.
    pub id: String,
    /// Terms and acronyms, with their language.
    pub terms: Vec<(Lang, String)>,
}

/// Concepts, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Glossary {
    /// The concepts.
    pub concepts: Vec<Concept>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    #[serde(default)]
    concept: Vec<ConceptEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptEntry {
    id: String,
    #[serde(default)]
    fr: Vec<String>,
    #[serde(default)]
    en: Vec<String>,
    #[serde(default)]
    es: Vec<String>,
    #[serde(default)]
    ar: Vec<String>,
}

impl Glossary {
    /// The glossary shipped with palabre (`data/glossary.toml`, turned into
    /// constants by build.rs; a test checks they agree).
    pub fn bundled() -> Result<Glossary> {
        let concepts = BUNDLED_CONCEPTS
            .iter()
            .map(|(id, terms)| Concept {
                id: (*id).to_string(),
                terms: terms
                    .iter()
                    .map(|(lang, term, _)| (*lang, (*term).to_string()))
                    .collect(),
            })
            .collect();
        Ok(Glossary { concepts })
    }

    /// Reads a glossary file.
    pub fn load(path: &Path) -> Result<Glossary> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Glossary::parse(&text, &path.display().to_string())
    }

    /// Parses the text of a glossary file; `name` names it in errors.
    pub fn parse(text: &str, name: &str) -> Result<Glossary> {
        let bad = |reason: String| Error::Glossary {
            name: name.to_string(),
            reason,
        };
        let file: FileFormat = toml::from_str(text).map_err(|e| bad(e.message().to_lowercase()))?;
        let mut concepts = Vec::with_capacity(file.concept.len());
        for entry in file.concept {
            if entry.id.trim().is_empty() {
                return Err(bad("a concept has an empty id".into()));
            }
            let terms: Vec<(Lang, String)> = [
                (Lang::Fr, entry.fr),
                (Lang::En, entry.en),
                (Lang::Es, entry.es),
                (Lang::Ar, entry.ar),
            ]
            .into_iter()
            .flat_map(|(lang, terms)| terms.into_iter().map(move |t| (lang, t)))
            .filter(|(_, t)| !t.trim().is_empty())
            .collect();
            if terms.len() < 2 {
                return Err(bad(format!(
                    "concept {:?} needs at least two terms to expand",
                    entry.id
                )));
            }
            concepts.push(Concept {
                id: entry.id,
                terms,
            });
        }
        Ok(Glossary { concepts })
    }

    /// Prepares the glossary for matching queries. `analyse` (the index's
    /// analyser of the term's language) runs on a term only when a query
    /// may contain it, once: analysing all ~1,700 terms would cost more
    /// than a whole `palabre search`.
    pub fn analyse(
        &self,
        analyse: impl Fn(Lang, &str) -> Tokens + Send + Sync + 'static,
    ) -> Analysed {
        let mut concepts = Vec::new();
        add_concepts(&mut concepts, self);
        Analysed {
            concepts,
            indexed: None,
            analyse: Box::new(analyse),
            kept_words: None,
        }
    }
}

impl Analysed {
    /// The bundled glossary with a user's concepts added (a concept with
    /// a bundled id adds its new terms to it), prepared as
    /// [`Glossary::analyse`] does, straight from the compiled-in
    /// constants: no copy of the bundled terms, whose first letters
    /// build.rs computed.
    pub fn bundled_with(
        user: Option<&Glossary>,
        analyse: impl Fn(Lang, &str) -> Tokens + Send + Sync + 'static,
    ) -> Analysed {
        let mut concepts: Vec<LazyConcept> = BUNDLED_CONCEPTS
            .iter()
            .map(|(id, terms)| LazyConcept {
                id: Cow::Borrowed(id),
                terms: terms
                    .iter()
                    .map(|(lang, text, starts)| LazyTerm {
                        lang: *lang,
                        text: Cow::Borrowed(text),
                        starts: starts.map(Cow::Borrowed),
                        analysed: OnceLock::new(),
                    })
                    .collect(),
            })
            .collect();
        if let Some(user) = user {
            add_concepts(&mut concepts, user);
        }
        // The user's terms come after the bundled ones, which keep the
        // places build.rs's index gives them.
        let added = concepts
            .iter()
            .enumerate()
            .flat_map(|(c, concept)| {
                let bundled = BUNDLED_CONCEPTS.get(c).map_or(0, |(_, terms)| terms.len());
                (bundled..concept.terms.len()).map(move |t| (c, t))
            })
            .collect();
        Analysed {
            concepts,
            indexed: Some(added),
            analyse: Box::new(analyse),
            kept_words: None,
        }
    }
}

/// Adds a glossary's concepts; a concept with an id already present adds
/// the terms it does not have yet to that concept.
fn add_concepts(concepts: &mut Vec<LazyConcept>, glossary: &Glossary) {
    for concept in &glossary.concepts {
        let terms = concept.terms.iter().map(|(lang, text)| LazyTerm {
            lang: *lang,
            text: Cow::Owned(text.clone()),
            starts: word_starts(*lang, text).map(Cow::Owned),
            analysed: OnceLock::new(),
        });
        match concepts.iter_mut().find(|c| c.id == concept.id.as_str()) {
            Some(existing) => {
                for term in terms {
                    let known = existing
                        .terms
                        .iter()
                        .any(|t| t.lang == term.lang && t.text == term.text);
                    if !known {
                        existing.terms.push(term);
                    }
                }
            }
            None => concepts.push(LazyConcept {
                id: Cow::Owned(concept.id.clone()),
                terms: terms.collect(),
            }),
        }
    }
}

/// The folded first letters of each word of `text` that its stem keeps
/// (see [`fold_start::word_starts`]).
fn word_starts(lang: Lang, text: &str) -> Option<Vec<Cow<'static, str>>> {
    let starts = fold_start::word_starts(lang.code(), text)?;
    Some(starts.into_iter().map(Cow::Owned).collect())
}

/// One analysed term of a concept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysedTerm {
    /// Its language.
    pub lang: Lang,
    /// As written in the glossary.
    pub text: String,
    /// Every analysed token (an accented word gives two at one position).
    pub tokens: Tokens,
    /// One token per position, from 0: the last one, the unaccented stem,
    /// which every spelling of the word gives.
    key: Tokens,
}

struct LazyConcept {
    id: Cow<'static, str>,
    terms: Vec<LazyTerm>,
}

/// A term as written, analysed on first need.
struct LazyTerm {
    lang: Lang,
    text: Cow<'static, str>,
    /// The first letters of its words, to rule it out without analysing.
    starts: Option<Cow<'static, [Cow<'static, str>]>>,
    /// Boxed: a search analyses a handful of the ~1,700 terms, and the
    /// others' empty slots were half of the glossary's memory, fresh heap
    /// pages each search faulted in.
    analysed: OnceLock<Box<AnalysedTerm>>,
}

impl LazyTerm {
    /// Whether the query may contain this term: one of its words begins
    /// like one of the query's words (terms and stems share their first
    /// letters). Never false for a term the query contains.
    fn may_be_in(&self, query: &QueryStarts) -> bool {
        let Some(words) = query.get(&self.lang) else {
            return false;
        };
        let Some(starts) = &self.starts else {
            // An Arabic-script term is in Arabic-script words only.
            let arabic_script = !self.text.chars().any(|c| c.is_ascii_alphanumeric());
            return !arabic_script
                || words
                    .iter()
                    .any(|w| w.as_ref().is_none_or(|w| !w.is_ascii()));
        };
        words.iter().any(|word| {
            let Some(word) = word else {
                return true;
            };
            starts
                .iter()
                .any(|start| start.starts_with(word.as_str()) || word.starts_with(start.as_ref()))
        })
    }
}

impl LazyTerm {
    /// Whether some word of the term may stem to one of the query's words
    /// (see [`StemGate`]): finer than [`LazyTerm::may_be_in`], which reads
    /// two letters computed at build time, and run only on the terms that
    /// pass it.
    fn passes(&self, gates: &BTreeMap<Lang, StemGate>) -> bool {
        let Some(gate) = gates.get(&self.lang) else {
            return true;
        };
        fold_start::words(&self.text).any(|word| gate.admits(word))
    }
}

/// For each language whose stems keep their words' first letters, the
/// gate of the query's words in that language.
fn query_gates(query: &BTreeMap<Lang, QueryWords>) -> BTreeMap<Lang, StemGate> {
    query
        .iter()
        .filter_map(|(lang, words)| {
            let keeps = analysis::stem_keeps_letters(*lang)?;
            let terms = words.words.iter().map(|(_, term, _)| term.as_str());
            Some((*lang, StemGate::new(terms, keeps)))
        })
        .collect()
}

/// The folded first letters of a query's words, by language (`None` for a
/// word whose first letters do not fold to ASCII); for Arabic, the words.
type QueryStarts = BTreeMap<Lang, Vec<Option<String>>>;

fn query_starts(query: &BTreeMap<Lang, QueryWords>) -> QueryStarts {
    query
        .iter()
        .map(|(lang, words)| {
            let starts = words
                .words
                .iter()
                .map(
                    |(_, term, _)| match fold_start::word_keeps_letters(lang.code(), term) {
                        Some(letters) => fold_start::folded_start(term, letters),
                        None => Some(term.clone()),
                    },
                )
                .collect();
            (*lang, starts)
        })
        .collect()
}

/// A glossary ready to expand queries; its terms are analysed as queries
/// need them, and kept.
pub struct Analysed {
    concepts: Vec<LazyConcept>,
    /// For the bundled glossary, whose terms build.rs indexed by the first
    /// letters of their words (see [`Analysed::candidates`]): the terms
    /// added to it, `(concept, term)`, which the index does not hold.
    /// `None` for another glossary: every term is looked at.
    indexed: Option<Vec<(usize, usize)>>,
    analyse: Box<AnalyseFn>,
    /// See [`Analysed::with_kept_words`].
    kept_words: Option<Box<KeptWordsFn>>,
}

/// The analyser a prepared glossary keeps for its terms.
type AnalyseFn = dyn Fn(Lang, &str) -> Tokens + Send + Sync;

/// The words of a term that analysis keeps, unstemmed.
type KeptWordsFn = dyn Fn(Lang, &str) -> Vec<String> + Send + Sync;

impl std::fmt::Debug for Analysed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analysed")
            .field("concepts", &self.concepts.len())
            .finish_non_exhaustive()
    }
}

/// A query's words analysed in one language: for each clause, its
/// analysed tokens, positions counted from the start of the query.
#[derive(Debug, Clone, Default)]
pub struct QueryWords {
    /// `(position, term, clause index)`.
    words: Vec<(usize, String, usize)>,
    /// Clauses that are phrases: expanded only as a whole.
    phrases: BTreeSet<usize>,
}

impl QueryWords {
    /// Adds a clause's tokens; `offset` is the number of words typed before
    /// it, so that stop words keep their gaps across clauses.
    pub fn add(&mut self, clause: usize, phrase: bool, offset: usize, tokens: &[(usize, String)]) {
        for (position, term) in key(tokens) {
            self.words.push((offset + position, term, clause));
        }
        if phrase {
            self.phrases.insert(clause);
        }
    }
}

/// A glossary term found in a query, and the terms it adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expansion {
    /// The glossary term the query contains, as the glossary writes it.
    pub term: String,
    /// The concept's id.
    pub concept: String,
    /// The terms also searched, as the glossary writes them.
    pub with: Vec<String>,
    /// The query's clauses the term covers (indexes).
    #[serde(skip)]
    pub clauses: BTreeSet<usize>,
    /// The terms also searched, analysed.
    #[serde(skip)]
    pub searched: Vec<AnalysedTerm>,
}

impl Analysed {
    /// Adds a finer pre-check: `kept_words` gives the words of a term that
    /// analysis keeps (no stop word, no elided article), unstemmed. A term
    /// matches a query only when every one of its analysed words is in the
    /// query, so a term that passes the stem gate (some word of it may stem
    /// to a query word) is then analysed only when all its kept words may
    /// stem to the query's words: far fewer terms, for the price of an
    /// analysis without Snowball.
    pub fn with_kept_words(
        mut self,
        kept_words: impl Fn(Lang, &str) -> Vec<String> + Send + Sync + 'static,
    ) -> Analysed {
        self.kept_words = Some(Box::new(kept_words));
        self
    }

    /// The terms, `(concept, term)` in order, that [`LazyTerm::may_be_in`]
    /// may let through for a query: from build.rs's index, the bundled terms with a
    /// word whose first letters begin with a query word's first letter (in
    /// the query word's language), those any query may contain, and every
    /// term added to the bundled glossary. `None` (every term) for another
    /// glossary, or a query word whose first letters do not fold.
    fn candidates(&self, starts: &QueryStarts) -> Option<Vec<(usize, usize)>> {
        let added = self.indexed.as_ref()?;
        let mut candidates: Vec<(usize, usize)> = added.clone();
        for (lang, words) in starts {
            let slot = table_slot(*lang);
            let by_start = BUNDLED_BY_START.get(slot).copied().unwrap_or_default();
            for word in words {
                let first = word.as_ref()?.bytes().next()?;
                let from = by_start.partition_point(|(byte, _, _)| *byte < first);
                let terms = by_start.get(from..).unwrap_or_default();
                candidates.extend(
                    terms
                        .iter()
                        .take_while(|(byte, _, _)| *byte == first)
                        .map(|&(_, c, t)| (usize::from(c), usize::from(t))),
                );
            }
            let any = BUNDLED_ANY_START.get(slot).copied().unwrap_or_default();
            candidates.extend(any.iter().map(|&(c, t)| (usize::from(c), usize::from(t))));
        }
        candidates.sort_unstable();
        candidates.dedup();
        Some(candidates)
    }

    /// Whether the query may contain `term`: each pre-check in turn, the
    /// cheapest first. Never false for a term the query contains.
    fn may_match(
        &self,
        term: &LazyTerm,
        starts: &QueryStarts,
        gates: &BTreeMap<Lang, StemGate>,
    ) -> bool {
        if !(term.may_be_in(starts) && term.passes(gates)) {
            return false;
        }
        let (Some(kept_words), Some(gate)) = (&self.kept_words, gates.get(&term.lang)) else {
            return true;
        };
        // One word: it passed already.
        if fold_start::words(&term.text).nth(1).is_none() {
            return true;
        }
        kept_words(term.lang, &term.text)
            .iter()
            .all(|word| gate.admits(word))
    }

    /// The term, analysed (once).
    fn analysed<'a>(&self, term: &'a LazyTerm) -> &'a AnalysedTerm {
        term.analysed.get_or_init(|| {
            let tokens = (self.analyse)(term.lang, &term.text);
            Box::new(AnalysedTerm {
                lang: term.lang,
                text: term.text.to_string(),
                key: key(&tokens),
                tokens,
            })
        })
    }

    /// The expansions of a query: for each concept, its longest term found
    /// in the query's words (of the term's language). Terms of the concept
    /// that analyse to the same words as the one found are not repeated.
    pub fn expansions(&self, query: &BTreeMap<Lang, QueryWords>) -> Vec<Expansion> {
        let starts = query_starts(query);
        let gates = query_gates(query);
        let mut found = Vec::new();
        match self.candidates(&starts) {
            Some(indexed) => {
                for group in indexed.chunk_by(|a, b| a.0 == b.0) {
                    let Some(concept) = group.first().and_then(|(c, _)| self.concepts.get(*c))
                    else {
                        continue;
                    };
                    let terms = group.iter().filter_map(|(_, t)| concept.terms.get(*t));
                    let terms = self.matching(terms, &starts, &gates);
                    found.extend(self.expansion(concept, &terms, query));
                }
            }
            None => {
                for concept in &self.concepts {
                    let terms = self.matching(concept.terms.iter(), &starts, &gates);
                    found.extend(self.expansion(concept, &terms, query));
                }
            }
        }
        found
    }

    /// `terms` that may be in the query (see [`Analysed::may_match`]),
    /// analysed.
    fn matching<'a>(
        &self,
        terms: impl Iterator<Item = &'a LazyTerm>,
        starts: &QueryStarts,
        gates: &BTreeMap<Lang, StemGate>,
    ) -> Vec<&'a AnalysedTerm> {
        terms
            .filter(|term| self.may_match(term, starts, gates))
            .map(|term| self.analysed(term))
            .collect()
    }

    /// The expansion by `concept` of a query, if one of `terms` (some of
    /// the concept's, in its order) is found in it.
    fn expansion(
        &self,
        concept: &LazyConcept,
        terms: &[&AnalysedTerm],
        query: &BTreeMap<Lang, QueryWords>,
    ) -> Option<Expansion> {
        let (matched, clauses) = terms
            .iter()
            .filter_map(|term| {
                let words = query.get(&term.lang)?;
                let clauses = find(&term.key, words)?;
                Some((*term, clauses))
            })
            // The longest; the first written of equals.
            .rev()
            .max_by_key(|(term, _)| term.key.len())?;
        let same = |t: &AnalysedTerm| t.lang == matched.lang && t.key == matched.key;
        let mut with: Vec<String> = Vec::new();
        let mut searched: Vec<AnalysedTerm> = Vec::new();
        let others = concept
            .terms
            .iter()
            .map(|term| self.analysed(term))
            .filter(|t| !t.key.is_empty() && !same(t));
        for term in others {
            if !searched
                .iter()
                .any(|s| s.lang == term.lang && s.key == term.key)
            {
                searched.push(term.clone());
            }
            if !with.contains(&term.text) {
                with.push(term.text.clone());
            }
        }
        if searched.is_empty() {
            return None;
        }
        Some(Expansion {
            term: matched.text.clone(),
            concept: concept.id.to_string(),
            with,
            clauses,
            searched,
        })
    }
}

/// One token per position, positions from 0: the last token of each
/// position (the analyser gives the unaccented stem last).
fn key(tokens: &[(usize, String)]) -> Tokens {
    let first = tokens.first().map_or(0, |(p, _)| *p);
    let mut key: Tokens = Vec::new();
    for (position, term) in tokens {
        let position = position - first.min(*position);
        match key.last_mut() {
            Some((last, slot)) if *last == position => slot.clone_from(term),
            _ => key.push((position, term.clone())),
        }
    }
    key
}

/// Where `key` occurs in the query words: the clauses it covers. The
/// words must sit at the same relative positions with nothing else in
/// between, and a phrase clause must be covered whole.
fn find(key: &[(usize, String)], query: &QueryWords) -> Option<BTreeSet<usize>> {
    let (_, first) = key.first()?;
    let (last_offset, _) = key.last()?;
    'starts: for (start, term, _) in &query.words {
        if term != first {
            continue;
        }
        let span = *start..=start + last_offset;
        let inside: Vec<&(usize, String, usize)> = query
            .words
            .iter()
            .filter(|(p, _, _)| span.contains(p))
            .collect();
        if inside.len() != key.len() {
            continue;
        }
        for ((offset, wanted), (position, term, _)) in key.iter().zip(&inside) {
            if *position != start + offset || term != wanted {
                continue 'starts;
            }
        }
        let clauses: BTreeSet<usize> = inside.iter().map(|(_, _, c)| *c).collect();
        let partial_phrase = clauses.iter().any(|c| {
            query.phrases.contains(c)
                && query
                    .words
                    .iter()
                    .any(|(p, _, clause)| clause == c && !span.contains(p))
        });
        if !partial_phrase {
            return Some(clauses);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis;

    fn analysed(glossary: &Glossary) -> Analysed {
        glossary
            .analyse(analysis::analyze)
            .with_kept_words(|lang, text| {
                let mut analyzer = analysis::kept_words_analyzer(lang);
                let mut stream = analyzer.token_stream(text);
                let mut words = Vec::new();
                while let Some(token) = stream.next() {
                    words.push(token.text.clone());
                }
                words
            })
    }

    /// The query's words in every language, one clause per word.
    fn words(query: &str) -> BTreeMap<Lang, QueryWords> {
        let mut out = BTreeMap::new();
        for lang in Lang::ALL {
            let mut words = QueryWords::default();
            for (i, word) in query.split_whitespace().enumerate() {
                words.add(i, false, i, &analysis::analyze(lang, word));
            }
            out.insert(lang, words);
        }
        out
    }

    fn expand(glossary: &Glossary, query: &str) -> Vec<(String, String)> {
        analysed(glossary)
            .expansions(&words(query))
            .into_iter()
            .map(|e| (e.concept, e.term))
            .collect()
    }

    #[test]
    fn the_first_letters_index_finds_what_looking_at_every_term_finds() {
        let indexed = Analysed::bundled_with(None, analysis::analyze);
        let mut every_term = Analysed::bundled_with(None, analysis::analyze);
        every_term.indexed = None;
        let user = Glossary::parse(
            "[[concept]]\nid = \"migrants\"\nfr = [\"exilés\", \"migrants\"]\n\n[[concept]]\nid = \"new\"\nen = [\"zebra crossing\", \"pedestrian crossing\"]\n",
            "user.toml",
        )
        .unwrap();
        let with_user = Analysed::bundled_with(Some(&user), analysis::analyze);
        let mut with_user_every_term = Analysed::bundled_with(Some(&user), analysis::analyze);
        with_user_every_term.indexed = None;
        // Every fifth term of the glossary as a query, in its words and
        // with a word before it, and queries no term starts like.
        let mut queries: Vec<String> = BUNDLED_CONCEPTS
            .iter()
            .flat_map(|(_, terms)| terms.iter())
            .step_by(5)
            .flat_map(|(_, text, _)| [text.to_string(), format!("programme {text}")])
            .collect();
        queries.extend(
            [
                "exilés à Nador",
                "zebra crossing",
                "Ñandú",
                "المهاجرين",
                "xyz",
                "financement des OSC",
                "",
            ]
            .map(String::from),
        );
        let mut expanded = 0;
        for query in &queries {
            let words = words(query);
            let found = indexed.expansions(&words);
            assert_eq!(found, every_term.expansions(&words), "{query:?}");
            assert_eq!(
                with_user.expansions(&words),
                with_user_every_term.expansions(&words),
                "{query:?} with a user's glossary"
            );
            expanded += usize::from(!found.is_empty());
        }
        assert!(
            expanded > queries.len() / 2,
            "{expanded} of {}",
            queries.len()
        );
    }

    #[test]
    fn the_bundled_constants_say_what_the_file_says() {
        let file =
            Glossary::parse(include_str!("../data/glossary.toml"), "data/glossary.toml").unwrap();
        assert_eq!(Glossary::bundled().unwrap(), file);
    }

    #[test]
    fn the_compiled_in_glossary_is_the_bundled_one_with_the_same_first_letters() {
        let compiled = Analysed::bundled_with(None, analysis::analyze);
        let computed = analysed(&Glossary::bundled().unwrap());
        assert_eq!(compiled.concepts.len(), computed.concepts.len());
        for (a, b) in compiled.concepts.iter().zip(&computed.concepts) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.terms.len(), b.terms.len(), "{}", a.id);
            for (x, y) in a.terms.iter().zip(&b.terms) {
                assert_eq!((x.lang, &x.text, &x.starts), (y.lang, &y.text, &y.starts));
            }
        }
        let user = Glossary::parse(
            "[[concept]]\nid = \"migrants\"\nfr = [\"exilés\", \"migrants\"]\n\n[[concept]]\nid = \"new\"\nfr = [\"a\", \"b\"]\n",
            "user.toml",
        )
        .unwrap();
        let with_user = Analysed::bundled_with(Some(&user), analysis::analyze);
        assert_eq!(with_user.concepts.len(), compiled.concepts.len() + 1);
        let terms = |a: &Analysed, id: &str| -> Vec<String> {
            a.concepts
                .iter()
                .filter(|c| c.id == id)
                .flat_map(|c| c.terms.iter().map(|t| t.text.to_string()))
                .collect()
        };
        let mut migrants = terms(&compiled, "migrants");
        assert!(migrants.contains(&"migrants".to_string()));
        migrants.push("exilés".to_string());
        assert_eq!(terms(&with_user, "migrants"), migrants, "no term twice");
        assert_eq!(terms(&with_user, "new"), ["a", "b"]);
    }

    #[test]
    fn the_bundled_glossary_loads_with_enough_concepts_in_four_languages() {
        let glossary = Glossary::bundled().unwrap();
        assert!(glossary.concepts.len() >= 60, "{}", glossary.concepts.len());
        let ids: BTreeSet<&str> = glossary.concepts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), glossary.concepts.len(), "ids are unique");
        for concept in &glossary.concepts {
            for lang in Lang::ALL {
                assert!(
                    concept.terms.iter().any(|(l, _)| *l == lang),
                    "{} has no {lang} term",
                    concept.id
                );
            }
        }
    }

    #[test]
    fn the_cheap_pre_check_never_rules_out_a_term_the_query_contains() {
        let glossary = Glossary::bundled().unwrap();
        let prepared = analysed(&glossary);
        let mut checked = 0;
        for concept in &prepared.concepts {
            for term in &concept.terms {
                let tokens = analysis::analyze(term.lang, &term.text);
                if tokens.is_empty() {
                    continue;
                }
                let mut words = QueryWords::default();
                words.add(0, false, 0, &tokens);
                let words = BTreeMap::from([(term.lang, words)]);
                assert!(
                    term.may_be_in(&query_starts(&words)),
                    "{} ({})",
                    term.text,
                    term.lang
                );
                assert!(
                    term.passes(&query_gates(&words)),
                    "{} ({})",
                    term.text,
                    term.lang
                );
                assert!(
                    prepared.may_match(term, &query_starts(&words), &query_gates(&words)),
                    "{} ({})",
                    term.text,
                    term.lang
                );
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked}");
        // And they do rule out most terms for a given query, the gate
        // more than the first letters (where the query's words are longer
        // than the two letters both read), the kept words more than the
        // gate.
        let terms = || prepared.concepts.iter().flat_map(|c| &c.terms);
        let counts = |query: &str| {
            let query = words(query);
            let (starts, gates) = (query_starts(&query), query_gates(&query));
            let first_letters = terms().filter(|t| t.may_be_in(&starts)).count();
            let gate = terms()
                .filter(|t| t.may_be_in(&starts) && t.passes(&gates))
                .count();
            let kept_words = terms()
                .filter(|t| prepared.may_match(t, &starts, &gates))
                .count();
            (first_letters, gate, kept_words)
        };
        let (first_letters, gate, kept_words) = counts("développement économique");
        assert!(first_letters < checked / 5, "{first_letters} of {checked}");
        assert!(gate < first_letters / 2, "{gate} of {first_letters}");
        assert!(kept_words <= gate / 2, "{kept_words} of {gate}");
        let (_, gate, kept_words) = counts("mot de passe");
        assert!(kept_words < gate / 2, "{kept_words} of {gate}");
    }

    #[test]
    fn no_term_belongs_to_two_concepts() {
        let glossary = Glossary::bundled().unwrap();
        let analysed = analysed(&glossary);
        let mut owner: BTreeMap<(Lang, Tokens), &str> = BTreeMap::new();
        let mut twice = Vec::new();
        for concept in &analysed.concepts {
            for term in &concept.terms {
                let term = analysed.analysed(term);
                if term.key.is_empty() {
                    continue;
                }
                if let Some(other) = owner.insert((term.lang, term.key.clone()), &concept.id) {
                    if other != concept.id {
                        twice.push((term.text.clone(), other, concept.id.clone()));
                    }
                }
            }
        }
        assert!(twice.is_empty(), "in two concepts: {twice:?}");
    }

    #[test]
    fn expansion_works_both_ways_and_across_languages() {
        let glossary = Glossary::bundled().unwrap();
        let analysed = analysed(&glossary);
        let expansions = analysed.expansions(&words("capacity building"));
        let capacity = expansions
            .iter()
            .find(|e| e.concept == "capacity-building")
            .unwrap();
        assert_eq!(capacity.term, "capacity building");
        assert!(capacity
            .with
            .contains(&"renforcement des capacités".to_string()));
        assert!(capacity
            .with
            .contains(&"fortalecimiento de capacidades".to_string()));
        assert_eq!(capacity.clauses, BTreeSet::from([0, 1]));
        // And back: the French term gives the English one.
        let back = analysed.expansions(&words("Renforcement des capacites"));
        let back = back
            .iter()
            .find(|e| e.concept == "capacity-building")
            .unwrap();
        assert!(back.with.contains(&"capacity building".to_string()));
        // Acronyms: NGO gives OSC and ONG.
        let ngo = analysed.expansions(&words("NGO"));
        let ngo = ngo
            .iter()
            .find(|e| e.concept == "civil-society-organisations")
            .unwrap();
        assert!(ngo.with.contains(&"OSC".to_string()));
        assert!(ngo.with.contains(&"ONG".to_string()));
        assert!(!ngo.with.contains(&"NGO".to_string()), "not itself");
    }

    #[test]
    fn words_apart_or_in_another_order_do_not_match() {
        let glossary = Glossary::parse(
            "[[concept]]\nid = \"x\"\nen = [\"capacity building\"]\nfr = [\"formation\"]\n",
            "t",
        )
        .unwrap();
        assert_eq!(expand(&glossary, "capacity building").len(), 1);
        assert!(expand(&glossary, "building capacity").is_empty());
        assert!(expand(&glossary, "capacity local building").is_empty());
        assert!(expand(&glossary, "capacity").is_empty());
    }

    #[test]
    fn a_phrase_is_expanded_only_as_a_whole() {
        let glossary = Glossary::parse(
            "[[concept]]\nid = \"x\"\nen = [\"capacity\"]\nfr = [\"capacité\"]\n",
            "t",
        )
        .unwrap();
        let analysed = analysed(&glossary);
        let mut query = BTreeMap::new();
        let mut en = QueryWords::default();
        en.add(
            0,
            true,
            0,
            &analysis::analyze(Lang::En, "capacity building"),
        );
        query.insert(Lang::En, en);
        assert!(analysed.expansions(&query).is_empty());
    }

    #[test]
    fn a_user_file_adds_concepts_and_terms() {
        let before = Analysed::bundled_with(None, analysis::analyze)
            .concepts
            .len();
        let mine = Glossary::parse(
            "[[concept]]\nid = \"uclg\"\nen = [\"local governments network\", \"UCLG\"]\n\n[[concept]]\nid = \"mc2cm\"\nen = [\"MC2CM\", \"Mediterranean City-to-City Migration\"]\n",
            "mine.toml",
        )
        .unwrap();
        let prepared = Analysed::bundled_with(Some(&mine), analysis::analyze);
        assert_eq!(prepared.concepts.len(), before + 1);
        let found: Vec<(String, String)> = prepared
            .expansions(&words("local governments network"))
            .into_iter()
            .map(|e| (e.concept, e.term))
            .collect();
        assert!(found.contains(&("uclg".to_string(), "local governments network".to_string())));
    }

    #[test]
    fn bad_files_say_what_and_where() {
        let err = Glossary::parse("[[concept]]\nid = \"x\"\nde = [\"a\", \"b\"]\n", "g.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("glossary g.toml:"), "{err}");
        assert!(err.contains("de"), "{err}");
        let err = Glossary::parse("[[concept]]\nid = \"x\"\nfr = [\"seul\"]\n", "g.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least two terms"), "{err}");
    }
}
