//! Memoised analysis: the terms of each distinct word, worked out once.
//!
//! Every filter of our chains reads one token at a time and never its
//! neighbours, so a word's terms do not depend on the words around it;
//! only their position does. [`Memoized`] splits the text into words as
//! [`WordTokenizer`](super::WordTokenizer) does, runs the whole chain on a
//! word the first time it meets it, and afterwards copies the remembered
//! terms. A few thousand words make most of any text, so indexing French
//! text costs one hash look-up per word instead of seven filters (two
//! stop-word sets, the stemmer twice for an accented word, folding). The
//! terms are those of the chain, by construction: same text, positions
//! (gaps included) and offsets.
//!
//! The look-up runs for every word indexed, and the table outgrows the
//! processor's caches: a word and its terms sit side by side in one
//! string (`arena`), found through a table of word hashes, so that a
//! look-up reads two places in memory rather than four allocations.

use std::hash::BuildHasher;
use std::ops::Range;

use rustc_hash::{FxBuildHasher, FxHashMap};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use super::next_word;

/// Most words a [`Memoized`] analyzer remembers before it starts again
/// from empty: well under 1 MB, so that the table stays in the processor's
/// cache next to tantivy's own (tantivy keeps one analyzer per field and
/// indexing thread). 50,000 words were no faster.
pub(super) const MEMO_WORDS: usize = 16_384;

/// Most terms a remembered word may have: two for an accented word whose
/// unaccented spelling stems apart. A word with more is never remembered.
const MAX_TERMS: usize = 2;

/// Where a remembered word and its terms are in the arena: the word from
/// `start`, then each term, back to back.
#[derive(Clone, Copy, Debug)]
struct Entry {
    start: u32,
    word_len: u16,
    term_lens: [u16; MAX_TERMS],
    terms: u8,
}

/// A tokenizer giving the terms of `chain`, remembering them per word.
#[derive(Clone)]
pub struct Memoized {
    chain: TextAnalyzer,
    /// Remembered words and their terms, see [`Entry`].
    arena: String,
    /// The hash of a remembered word → its entry. Two words with the same
    /// hash: the first keeps the place, the second is analysed each time.
    entries: FxHashMap<u64, Entry>,
    token: Token,
    /// A word's terms when it is not remembered, last first.
    pending: Vec<String>,
}

impl Memoized {
    /// Memoises `chain`, whose tokenizer must split words as
    /// [`WordTokenizer`](super::WordTokenizer) does.
    pub fn new(chain: TextAnalyzer) -> Memoized {
        Memoized {
            chain,
            arena: String::new(),
            entries: FxHashMap::default(),
            token: Token::default(),
            pending: Vec::new(),
        }
    }
}

/// The token stream of [`Memoized`].
pub struct MemoizedStream<'a> {
    text: &'a str,
    /// Where the next word may start, in bytes.
    next: usize,
    chain: &'a mut TextAnalyzer,
    arena: &'a mut String,
    entries: &'a mut FxHashMap<u64, Entry>,
    token: &'a mut Token,
    pending: &'a mut Vec<String>,
    /// The current word's next term in the arena, if any.
    pending_in_arena: Option<Range<usize>>,
}

impl Tokenizer for Memoized {
    type TokenStream<'a> = MemoizedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MemoizedStream<'a> {
        self.token.reset();
        self.pending.clear();
        MemoizedStream {
            text,
            next: 0,
            chain: &mut self.chain,
            arena: &mut self.arena,
            entries: &mut self.entries,
            token: &mut self.token,
            pending: &mut self.pending,
            pending_in_arena: None,
        }
    }
}

/// The terms `chain` gives for one word alone.
fn terms_of(chain: &mut TextAnalyzer, word: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut stream = chain.token_stream(word);
    while let Some(token) = stream.next() {
        terms.push(token.text.clone());
    }
    terms
}

impl MemoizedStream<'_> {
    /// Sets the token's text to the word's first term and queues the
    /// others; false when the word has no term (a stop word).
    fn start_word(&mut self, word: &str) -> bool {
        let hash = FxBuildHasher.hash_one(word);
        if let Some(entry) = self.entries.get(&hash).copied() {
            let start = entry.start as usize;
            let word_end = start + usize::from(entry.word_len);
            if self.arena.get(start..word_end) == Some(word) {
                return self.emit_remembered(entry, word_end);
            }
        }
        let terms = terms_of(self.chain, word);
        self.remember(hash, word, &terms);
        let mut terms = terms.into_iter();
        let Some(first) = terms.next() else {
            return false;
        };
        self.token.text = first;
        self.pending.extend(terms.rev());
        true
    }

    /// Emits a remembered word's terms, which start at `at` in the arena.
    fn emit_remembered(&mut self, entry: Entry, at: usize) -> bool {
        let [first_len, second_len] = entry.term_lens.map(usize::from);
        if entry.terms == 0 {
            return false;
        }
        self.token.text.clear();
        self.token
            .text
            .push_str(self.arena.get(at..at + first_len).unwrap_or_default());
        if entry.terms == 2 {
            let second = at + first_len;
            self.pending_in_arena = Some(second..second + second_len);
        }
        true
    }

    /// Remembers `word`'s terms, unless it cannot be (too long, too many
    /// terms, or another word with its hash is there).
    fn remember(&mut self, hash: u64, word: &str, terms: &[String]) {
        let Ok(word_len) = u16::try_from(word.len()) else {
            return;
        };
        if terms.len() > MAX_TERMS {
            return;
        }
        let mut term_lens = [0u16; MAX_TERMS];
        for (len, term) in term_lens.iter_mut().zip(terms) {
            let Ok(term_len) = u16::try_from(term.len()) else {
                return;
            };
            *len = term_len;
        }
        if self.entries.len() >= MEMO_WORDS {
            self.entries.clear();
            self.arena.clear();
        }
        let Ok(start) = u32::try_from(self.arena.len()) else {
            return;
        };
        if self.entries.contains_key(&hash) {
            return;
        }
        self.arena.push_str(word);
        for term in terms {
            self.arena.push_str(term);
        }
        self.entries.insert(
            hash,
            Entry {
                start,
                word_len,
                term_lens,
                terms: terms.len() as u8,
            },
        );
    }
}

impl TokenStream for MemoizedStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some(range) = self.pending_in_arena.take() {
            self.token.text.clear();
            self.token
                .text
                .push_str(self.arena.get(range).unwrap_or_default());
            return true;
        }
        if let Some(term) = self.pending.pop() {
            self.token.text = term;
            return true;
        }
        while let Some((start, end)) = next_word(self.text, self.next) {
            self.next = end;
            // Every word takes a position, even one without terms: the
            // gaps of removed stop words keep phrases exact.
            self.token.position = self.token.position.wrapping_add(1);
            let text = self.text;
            let word = text.get(start..end).unwrap_or_default();
            if self.start_word(word) {
                self.token.offset_from = start;
                self.token.offset_to = end;
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}
