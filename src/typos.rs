//! Typo tolerance: the words of the index near a typed word, and "did you
//! mean".
//!
//! The index's folded, unstemmed words (the `fold` field's terms) are
//! walked with `Within`, a Levenshtein automaton that follows, as the term
//! dictionary is walked, which prefixes of the typed word are within reach
//! (one bit each), and stops a branch as soon as none is. tantivy's
//! `FuzzyTermQuery` builds a parametric DFA first: about 3 M instructions
//! and 500 KB of fresh memory for a two-edit word, more than the rest of a
//! `palabre search` process. This walk costs 0.7 M instructions for
//! `orthographe` (two edits) over the two segments of the 1 GB benchmark
//! index.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use tantivy::postings::TermInfo;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, InvertedIndexReader, Searcher, SegmentReader, Term, TERMINATED};
use tantivy_fst::Automaton;

use crate::analysis;
use crate::error::Result;
use crate::query::Clause;

/// Shortest word (in letters, accents folded) corrected for one typo.
pub const FUZZY_MIN_LETTERS: usize = 5;
/// Shortest word corrected for two typos.
pub const FUZZY_TWO_EDITS_LETTERS: usize = 8;
/// Most index words a typed word is corrected to: the most frequent ones
/// nearest to it. Bounds the cost of a query.
const MAX_CORRECTIONS: usize = 8;
/// Longest word corrected, in letters: longer "words" are codes or URLs
/// (and the automaton's prefixes are the bits of a `u64`).
const MAX_LETTERS: usize = 40;

/// A word of the index near a typed word, and the number of vocabulary
/// documents (batches of reports) using it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Correction {
    pub word: String,
    pub distance: u32,
    pub doc_freq: u32,
}

/// The folded words of the index (the `fold` field's terms), looked up by
/// edit distance.
pub(crate) struct Vocabulary<'a> {
    searcher: &'a Searcher,
    field: Field,
    /// Corrections already looked up: ranking and "did you mean" both ask.
    found: RefCell<HashMap<String, Vec<Correction>>>,
}

impl<'a> Vocabulary<'a> {
    pub fn new(searcher: &'a Searcher, field: Field) -> Vocabulary<'a> {
        Vocabulary {
            searcher,
            field,
            found: RefCell::default(),
        }
    }

    /// How many vocabulary documents (batches of reports, see
    /// `crate::vocabulary`) hold the folded word.
    pub fn doc_freq(&self, word: &str) -> Result<u64> {
        let term = Term::from_field_text(self.field, word);
        let mut count = 0;
        for segment in self.searcher.segment_readers() {
            let index = segment.inverted_index(self.field)?;
            if let Some(info) = index
                .get_term_info(&term)
                .map_err(tantivy::TantivyError::from)?
            {
                count += u64::from(alive_doc_freq(segment, &index, &info)?);
            }
        }
        Ok(count)
    }

    /// The index's words within the edits allowed for `word` (none for
    /// short words and words with digits), nearest first, then the most
    /// frequent; the word itself is not one.
    pub fn corrections(&self, word: &str) -> Result<Vec<Correction>> {
        if let Some(known) = self.found.borrow().get(word) {
            return Ok(known.clone());
        }
        let corrections = self.look_up(word)?;
        self.found
            .borrow_mut()
            .insert(word.to_string(), corrections.clone());
        Ok(corrections)
    }

    fn look_up(&self, word: &str) -> Result<Vec<Correction>> {
        let Some(distance) = allowed_edits(word) else {
            return Ok(Vec::new());
        };
        let Some(automaton) = Within::new(word, distance) else {
            return Ok(Vec::new());
        };
        // Corrections keep the first letter: people rarely mistype it (a
        // typo there counts double in Meilisearch), and the walk through
        // the vocabulary then covers one letter's words, not all of them.
        let Some(first) = word.chars().next() else {
            return Ok(Vec::new());
        };
        let mut buffer = [0u8; 4];
        let from = first.encode_utf8(&mut buffer).as_bytes().to_vec();
        let mut to = from.clone();
        if let Some(last) = to.last_mut() {
            // The last byte of a UTF-8 character is below 0xC0.
            *last += 1;
        }
        let mut found: BTreeMap<String, u32> = BTreeMap::new();
        for segment in self.searcher.segment_readers() {
            let index = segment.inverted_index(self.field)?;
            let mut stream = index
                .terms()
                .search(&automaton)
                .ge(&from)
                .lt(&to)
                .into_stream()
                .map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                let Ok(text) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let doc_freq = alive_doc_freq(segment, &index, stream.value())?;
                if text != word && doc_freq > 0 {
                    *found.entry(text.to_string()).or_default() += doc_freq;
                }
            }
        }
        let mut corrections: Vec<Correction> = found
            .into_iter()
            .map(|(text, doc_freq)| Correction {
                distance: edit_distance(word, &text),
                word: text,
                doc_freq,
            })
            .filter(|c| c.distance <= u32::from(distance))
            .collect();
        corrections.sort_by(|a, b| {
            a.distance
                .cmp(&b.distance)
                .then(b.doc_freq.cmp(&a.doc_freq))
                .then(a.word.cmp(&b.word))
        });
        corrections.truncate(MAX_CORRECTIONS);
        Ok(corrections)
    }
}

/// Edits a folded word may be corrected by: one from
/// [`FUZZY_MIN_LETTERS`] letters, two from [`FUZZY_TWO_EDITS_LETTERS`];
/// none for shorter words or words with digits (years, numbers).
pub fn allowed_edits(word: &str) -> Option<u8> {
    if !word.chars().all(char::is_alphabetic) {
        return None;
    }
    match word.chars().count() {
        n if n >= FUZZY_TWO_EDITS_LETTERS => Some(2),
        n if n >= FUZZY_MIN_LETTERS => Some(1),
        _ => None,
    }
}

/// Whether a word of a report can be a correction, so that the report's
/// vocabulary (see `schema::name::FOLD`) needs it: a typed word is
/// corrected when it has [`FUZZY_MIN_LETTERS`] letters or more and no
/// digit, and one edit away it may have a letter less. The word is taken
/// as written, before folding (which drops an elided `l'` but no letter
/// or digit): some words kept fold to fewer letters, none dropped to more.
pub fn may_be_a_correction(word: &str) -> bool {
    // A character is one byte or more: the length in bytes rules out most
    // short words before anything is decoded. Every word of every report
    // comes here: ASCII words are read as bytes, and an accented Latin
    // letter is no digit without a look-up in Unicode's tables.
    if word.len() < FUZZY_MIN_LETTERS - 1 {
        return false;
    }
    if word.is_ascii() {
        return !word.bytes().any(|b| b.is_ascii_digit());
    }
    let mut letters = 0;
    for c in word.chars() {
        if !analysis::is_latin_letter(c) && c.is_numeric() {
            return false;
        }
        letters += 1;
    }
    letters >= FUZZY_MIN_LETTERS - 1
}

/// Edit distance with transpositions (optimal string alignment), as
/// [`Within`] counts it.
fn edit_distance(a: &str, b: &str) -> u32 {
    u32::try_from(strsim::osa_distance(a, b)).unwrap_or(u32::MAX)
}

/// "Did you mean": the query with each word the index does not know
/// replaced by its nearest frequent correction; `None` when no word
/// changes. Phrases and exclusions are kept as typed.
pub(crate) fn suggest(clauses: &[Clause], typed: &str, vocabulary: &Vocabulary) -> Option<String> {
    let mut changed = false;
    let mut parts: Vec<String> = Vec::new();
    for clause in clauses {
        let mut text = clause.text.clone();
        if !clause.phrase && !clause.excluded {
            let folded = analysis::fold(&clause.text);
            if let [word] = folded.as_slice() {
                let known = vocabulary.doc_freq(word).unwrap_or(0) > 0;
                let best = if known {
                    None
                } else {
                    vocabulary
                        .corrections(word)
                        .ok()
                        .and_then(|c| c.into_iter().next())
                };
                if let Some(best) = best {
                    text = best.word;
                    changed = true;
                }
            }
        }
        let quoted = if clause.phrase {
            format!("\"{text}\"")
        } else {
            text
        };
        parts.push(if clause.excluded {
            format!("-{quoted}")
        } else {
            quoted
        });
    }
    let suggestion = parts.join(" ");
    (changed && suggestion != typed).then_some(suggestion)
}

/// The documents of `segment` that hold a term and are not deleted: the
/// term dictionary counts deleted documents too until segments merge, and
/// a report's words must leave the vocabulary with it.
fn alive_doc_freq(
    segment: &SegmentReader,
    index: &InvertedIndexReader,
    info: &TermInfo,
) -> Result<u32> {
    let Some(alive) = segment.alive_bitset() else {
        return Ok(info.doc_freq);
    };
    let mut postings = index
        .read_postings_from_terminfo(info, IndexRecordOption::Basic)
        .map_err(tantivy::TantivyError::from)?;
    let mut count = 0;
    let mut doc = postings.doc();
    while doc != TERMINATED {
        if alive.is_alive(doc) {
            count += 1;
        }
        doc = postings.advance();
    }
    Ok(count)
}

/// Most edits [`Within`] allows: two, as [`allowed_edits`] gives.
const MAX_EDITS: usize = 2;

/// Matches the words within `max` edits (insertions, deletions,
/// substitutions of a letter, transpositions of two neighbours) of a word.
///
/// The state after some input holds, for each number of edits `d` up to
/// `max`, the set of the word's prefixes within `d` edits of that input, as
/// bits (bit `j`: the first `j` letters), and the same sets one letter
/// earlier, for transpositions. A letter moves every set at once with a few
/// shifts and masks (Wu and Manber's bit-parallel automaton, with Hyyrö's
/// transposition term), where a row of the edit-distance table costs a
/// comparison per letter of the word; the fst walk tries each state on
/// every byte of the vocabulary's branches, so that row was most of a
/// correction's cost. The dictionary is walked byte by byte; a letter
/// moves the sets once its last UTF-8 byte arrives.
pub(crate) struct Within {
    word: Vec<char>,
    max: u8,
    /// The prefixes of the whole word: bits `0..=len`.
    prefixes: u64,
    /// For each ASCII byte, the positions after which the word has it:
    /// bit `j` when letter `j - 1` is that byte.
    ascii: [u64; 128],
}

/// See [`Within`].
#[derive(Clone)]
pub(crate) struct Rows {
    /// Bit `j` of set `d`: the input is within `d` edits of the word's
    /// first `j` letters.
    within: [u64; MAX_EDITS + 1],
    /// The same sets before the input's last letter, for transpositions.
    before: [u64; MAX_EDITS + 1],
    /// Where the word has the input's last letter (see `Within::ascii`).
    letter: u64,
    /// A letter's bytes read so far, and how many it has in all.
    pending: ([u8; 4], u8, u8),
}

impl Within {
    /// `None` for a word longer than [`MAX_LETTERS`] or more than
    /// [`MAX_EDITS`] edits.
    pub fn new(word: &str, max: u8) -> Option<Within> {
        let word: Vec<char> = word.chars().collect();
        if word.len() > MAX_LETTERS || usize::from(max) > MAX_EDITS {
            return None;
        }
        let mut ascii = [0u64; 128];
        for (j, &letter) in word.iter().enumerate() {
            if let Some(positions) = ascii.get_mut(letter as usize) {
                *positions |= 1 << (j + 1);
            }
        }
        Some(Within {
            prefixes: (1u64 << (word.len() + 1)) - 1,
            word,
            max,
            ascii,
        })
    }

    /// Bit `j` set where the word's letter `j - 1` is `letter`.
    fn positions(&self, letter: char) -> u64 {
        match self.ascii.get(letter as usize) {
            Some(&positions) => positions,
            None => self
                .word
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c == letter)
                .fold(0, |bits, (j, _)| bits | 1 << (j + 1)),
        }
    }

    fn next(&self, rows: &Rows, letter: char) -> Rows {
        let here = self.positions(letter);
        let mut within = [0u64; MAX_EDITS + 1];
        within[0] = (rows.within[0] << 1) & here;
        for d in 1..=usize::from(self.max) {
            let matched = (rows.within[d] << 1) & here;
            let inserted = rows.within[d - 1];
            let substituted = rows.within[d - 1] << 1;
            let deleted = within[d - 1] << 1;
            // The last two letters typed are the word's next two, swapped.
            let transposed = (rows.before[d - 1] << 2) & (here << 1) & rows.letter;
            within[d] = (matched | inserted | substituted | deleted | transposed) & self.prefixes;
        }
        Rows {
            within,
            before: rows.within,
            letter: here,
            pending: ([0; 4], 0, 0),
        }
    }
}

impl Automaton for Within {
    type State = Rows;

    fn start(&self) -> Rows {
        let mut within = [0u64; MAX_EDITS + 1];
        for (d, set) in within.iter_mut().enumerate() {
            // No input is within `d` edits (deletions) of `d` letters.
            *set = ((1u64 << (d + 1)) - 1) & self.prefixes;
        }
        Rows {
            within,
            before: [0; MAX_EDITS + 1],
            letter: 0,
            pending: ([0; 4], 0, 0),
        }
    }

    fn is_match(&self, rows: &Rows) -> bool {
        let whole = 1u64 << self.word.len();
        rows.pending.1 == 0 && rows.within[usize::from(self.max)] & whole != 0
    }

    fn can_match(&self, rows: &Rows) -> bool {
        // The sets grow with `d`. A transposition reaches back a letter,
        // but only from a prefix whose substitution is in the last sets.
        rows.within[usize::from(self.max)] != 0
    }

    fn accept(&self, rows: &Rows, byte: u8) -> Rows {
        let (mut bytes, mut read, mut total) = rows.pending;
        if read == 0 {
            total = match byte {
                0xF0.. => 4,
                0xE0.. => 3,
                0xC0.. => 2,
                _ => 1,
            };
        }
        if let Some(slot) = bytes.get_mut(usize::from(read)) {
            *slot = byte;
        }
        read += 1;
        if read < total {
            let mut next = rows.clone();
            next.pending = (bytes, read, total);
            return next;
        }
        // A byte sequence that is not UTF-8 counts as one letter no word
        // has: terms are valid UTF-8, so this does not happen.
        let letter = std::str::from_utf8(&bytes[..usize::from(total)])
            .ok()
            .and_then(|s| s.chars().next())
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        self.next(rows, letter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(automaton: &Within, candidate: &str) -> bool {
        let mut state = automaton.start();
        for &byte in candidate.as_bytes() {
            if !automaton.can_match(&state) {
                return false;
            }
            state = automaton.accept(&state, byte);
        }
        automaton.is_match(&state)
    }

    #[test]
    fn words_of_five_letters_allow_one_edit_and_of_eight_two() {
        assert_eq!(allowed_edits("asile"), Some(1));
        assert_eq!(allowed_edits("migrant"), Some(1));
        assert_eq!(allowed_edits("migrants"), Some(2));
        assert_eq!(allowed_edits("financement"), Some(2));
        assert_eq!(allowed_edits("osc"), None);
        assert_eq!(allowed_edits("ville"), Some(1));
        assert_eq!(allowed_edits("loi"), None);
        assert_eq!(allowed_edits("20190"), None, "numbers are never corrected");
    }

    #[test]
    fn a_report_keeps_the_words_a_typo_may_be_corrected_to() {
        // A five-letter word one edit away may have four letters.
        for word in ["main", "L'eau", "réfugiés", "aujourd'hui", "ŒUVRE", "مدينة"] {
            assert!(may_be_a_correction(word), "{word}");
        }
        // "été": five bytes, three letters; "x²yz": a superscript digit.
        for word in [
            "de",
            "les",
            "CO2",
            "2019",
            "ipv6",
            "١٢٣٤٥",
            "été",
            "réseau3",
            "x²yz",
        ] {
            assert!(!may_be_a_correction(word), "{word}");
        }
        assert!(allowed_edits("mains").is_some());
        assert!(allowed_edits("main").is_none());
    }

    #[test]
    fn transpositions_count_as_one_edit() {
        assert_eq!(edit_distance("finacnement", "financement"), 1);
        assert_eq!(edit_distance("financment", "financement"), 1);
        assert_eq!(edit_distance("financments", "financement"), 2);
    }

    #[test]
    fn the_automaton_matches_exactly_the_words_within_the_distance() {
        let words = [
            "financement",
            "financment",
            "finacnement",
            "financements",
            "financments",
            "fnancement",
            "financer",
            "finance",
            "refugies",
            "refugie",
            "rfeugies",
            "migration",
            "migrations",
            "imgration",
            "migratoin",
            "gouvernance",
            "gouvernances",
            "gouvrenance",
            "capacites",
            "capacite",
            "ab",
            "ba",
            "a",
            "",
            "مهاجرين",
            "مهاجرون",
            "مهاجر",
            "málaga",
            "malaga",
            "meknès",
            "meknes",
            "ñandú",
        ];
        for target in words {
            for max in 0..=2u8 {
                let Some(automaton) = Within::new(target, max) else {
                    panic!("{target} is short enough");
                };
                for candidate in words {
                    let expected = strsim::osa_distance(target, candidate) <= usize::from(max);
                    assert_eq!(
                        matches(&automaton, candidate),
                        expected,
                        "{candidate:?} within {max} of {target:?}"
                    );
                }
            }
        }
    }

    /// Every string one or two edits (of any kind, over a few letters)
    /// from `word`.
    fn near(word: &str) -> Vec<String> {
        let letters: Vec<char> = word.chars().collect();
        let alphabet = ['a', 'e', 'n', 'r', 'é', 'ا'];
        let mut once = Vec::new();
        for i in 0..=letters.len() {
            for &c in &alphabet {
                let mut inserted = letters.clone();
                inserted.insert(i, c);
                once.push(inserted);
                if i < letters.len() {
                    let mut substituted = letters.clone();
                    substituted[i] = c;
                    once.push(substituted);
                }
            }
            if i < letters.len() {
                let mut deleted = letters.clone();
                deleted.remove(i);
                once.push(deleted);
            }
            if i + 1 < letters.len() {
                let mut swapped = letters.clone();
                swapped.swap(i, i + 1);
                once.push(swapped);
            }
        }
        let twice: Vec<Vec<char>> = once.iter().flat_map(|w| near_once(w)).collect();
        once.into_iter()
            .chain(twice)
            .map(|w| w.into_iter().collect())
            .collect()
    }

    fn near_once(letters: &[char]) -> Vec<Vec<char>> {
        let mut out = Vec::new();
        for i in 0..letters.len() {
            let mut deleted = letters.to_vec();
            deleted.remove(i);
            out.push(deleted);
            let mut substituted = letters.to_vec();
            substituted[i] = 'x';
            out.push(substituted);
            if i + 1 < letters.len() {
                let mut swapped = letters.to_vec();
                swapped.swap(i, i + 1);
                out.push(swapped);
            }
        }
        out
    }

    #[test]
    fn the_automaton_agrees_with_the_edit_distance_on_every_near_string() {
        for target in ["orthographe", "réfugiés", "ab", "a", "mرnaa", "nanane"] {
            let candidates = near(target);
            for max in 0..=2u8 {
                let Some(automaton) = Within::new(target, max) else {
                    panic!("{target} is short enough");
                };
                for candidate in &candidates {
                    let expected = strsim::osa_distance(target, candidate) <= usize::from(max);
                    assert_eq!(
                        matches(&automaton, candidate),
                        expected,
                        "{candidate:?} within {max} of {target:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn more_than_two_edits_are_refused() {
        assert!(Within::new("orthographe", 3).is_none());
    }

    #[test]
    fn a_branch_stops_once_every_prefix_is_too_far() {
        let Some(automaton) = Within::new("orthographe", 2) else {
            panic!("short enough");
        };
        let mut state = automaton.start();
        for &byte in b"xyz" {
            state = automaton.accept(&state, byte);
        }
        assert!(!automaton.can_match(&state), "three wrong letters");
        let mut state = automaton.start();
        for &byte in b"orth" {
            state = automaton.accept(&state, byte);
        }
        assert!(automaton.can_match(&state));
    }

    #[test]
    fn words_longer_than_the_rows_are_not_corrected() {
        assert!(Within::new(&"a".repeat(MAX_LETTERS), 2).is_some());
        assert!(Within::new(&"a".repeat(MAX_LETTERS + 1), 2).is_none());
    }
}
