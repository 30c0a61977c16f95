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

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use super::next_word;

/// Most words a [`Memoized`] analyzer remembers before it starts again
/// from empty: about 5 MB, and tantivy keeps one analyzer per field and
/// indexing thread.
pub(super) const MEMO_WORDS: usize = 50_000;

/// A word's terms, in the order the chain gives them (none for a stop
/// word, two for an accented word whose unaccented spelling stems apart).
type Terms = Box<[String]>;

/// A tokenizer giving the terms of `chain`, remembering them per word.
#[derive(Clone)]
pub struct Memoized {
    chain: TextAnalyzer,
    memo: FxHashMap<Box<str>, Terms>,
    token: Token,
    /// Terms of the current word still to emit, last first.
    pending: Vec<String>,
}

impl Memoized {
    /// Memoises `chain`, whose tokenizer must split words as
    /// [`WordTokenizer`](super::WordTokenizer) does.
    pub fn new(chain: TextAnalyzer) -> Memoized {
        Memoized {
            chain,
            memo: FxHashMap::default(),
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
    memo: &'a mut FxHashMap<Box<str>, Terms>,
    token: &'a mut Token,
    pending: &'a mut Vec<String>,
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
            memo: &mut self.memo,
            token: &mut self.token,
            pending: &mut self.pending,
        }
    }
}

/// The terms `chain` gives for one word alone.
fn terms_of(chain: &mut TextAnalyzer, word: &str) -> Terms {
    let mut terms = Vec::new();
    let mut stream = chain.token_stream(word);
    while let Some(token) = stream.next() {
        terms.push(token.text.clone());
    }
    terms.into_boxed_slice()
}

impl TokenStream for MemoizedStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some(term) = self.pending.pop() {
            self.token.text = term;
            return true;
        }
        while let Some((start, end)) = next_word(self.text, self.next) {
            self.next = end;
            // Every word takes a position, even one without terms: the
            // gaps of removed stop words keep phrases exact.
            self.token.position = self.token.position.wrapping_add(1);
            let word = self.text.get(start..end).unwrap_or_default();
            let terms = match self.memo.get(word) {
                Some(terms) => terms,
                None => {
                    if self.memo.len() >= MEMO_WORDS {
                        self.memo.clear();
                    }
                    let terms = terms_of(self.chain, word);
                    self.memo.entry(word.into()).or_insert(terms)
                }
            };
            let Some((first, rest)) = terms.split_first() else {
                continue;
            };
            self.token.text.clone_from(first);
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.pending.extend(rest.iter().rev().cloned());
            return true;
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
