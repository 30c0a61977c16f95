//! The tokens of a stored text and which of them are a query's terms, for
//! snippets: the analyzer's tokens, with a shortcut for the words that
//! cannot match.
//!
//! A snippet's passage is measured in the analyzer's tokens, so it needs
//! every token of a hit's text, and the weight of those that are a query
//! term. Running the whole chain on every word was a sixth of a `palabre
//! search` on the 1 GB benchmark (1,000–1,700 instructions a word: seven
//! filters, a few allocations). Most words need much less. In French,
//! English and Spanish a word is a token unless it is long or a stop word
//! once lower-cased and normalised, and it can only give one of the terms
//! if it begins like one of them ([`StemGate`], as the snippet analyzer's
//! stemmer uses it). Only the words the gate admits go through the chain,
//! one at a time and once per highlighter; Arabic, whose stems do not keep
//! the word's first letters, goes through it whole. The tokens are the
//! chain's by construction (its filters read one token at a time; the
//! lower-casing is tantivy's `LowerCaser`'s, the normalising and the stop
//! words are the chain's own); the tests compare them.

use std::collections::BTreeMap;
use std::mem;
use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    StopWordFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use unicode_normalization::{is_nfc_quick, IsNormalized};

use super::{
    chain, next_word, normalize, stem_keeps_letters, stop_words, Lang, StemGate, MAX_TOKEN_BYTES,
};

/// The stop-word filters of a language around a one-word tokenizer: a
/// word is a stop word when no token comes out.
type StopCheck =
    <StopWordFilter as TokenFilter>::Tokenizer<<StopWordFilter as TokenFilter>::Tokenizer<OneWord>>;

/// Finds the tokens of texts in one language and the weights of the
/// query terms among them.
pub struct Highlighter {
    /// Its own copy (a few terms): a highlighter can then be made and kept
    /// on any thread.
    terms: BTreeMap<String, f32>,
    /// The snippet chain ([`super::highlight_analyzer`]).
    analyzer: TextAnalyzer,
    /// `None` in Arabic, where every word goes through `analyzer`.
    shortcut: Option<Shortcut>,
}

/// What the shortcut needs, kept from one text to the next.
struct Shortcut {
    lang: Lang,
    gate: Arc<StemGate>,
    stops: StopCheck,
    /// The current word, lower-cased as `LowerCaser` does and normalised.
    lower: String,
    /// Scratch space for [`normalize`].
    buffer: String,
    /// The weights of the chain's tokens for the words the gate admitted,
    /// by `lower`.
    known: FxHashMap<String, Vec<Option<f32>>>,
}

/// Most words a [`Shortcut`] remembers (a page of hits has a few hundred
/// that the gate admits).
const KNOWN_WORDS: usize = 4_096;

impl Highlighter {
    /// The highlighter of `terms` (analysed terms and their weights) in
    /// texts of `lang`.
    pub fn new(lang: Lang, terms: &BTreeMap<String, f32>) -> Highlighter {
        let gate = stem_keeps_letters(lang)
            .map(|letters| Arc::new(StemGate::new(terms.keys().map(String::as_str), letters)));
        let analyzer = chain(lang, gate.clone());
        let shortcut = gate.map(|gate| {
            let (tantivys, ours) = stop_words(lang);
            Shortcut {
                lang,
                gate,
                stops: ours
                    .clone()
                    .transform(tantivys.clone().transform(OneWord::default())),
                lower: String::new(),
                buffer: String::new(),
                known: FxHashMap::default(),
            }
        });
        Highlighter {
            terms: terms.clone(),
            analyzer,
            shortcut,
        }
    }

    /// Calls `visit` with the byte range of each token the analyzer gives
    /// for `text`, in order, and the weight of its term when it is one of
    /// the terms. An accented word may give two tokens (see `StemFilter`).
    pub fn for_each_token(&mut self, text: &str, mut visit: impl FnMut(Range<usize>, Option<f32>)) {
        let Some(shortcut) = &mut self.shortcut else {
            through_chain(&mut self.analyzer, &self.terms, text, 0, &mut visit);
            return;
        };
        let Shortcut {
            lang,
            gate,
            stops,
            lower,
            buffer,
            known,
        } = shortcut;
        let mut next = 0;
        while let Some((from, to)) = next_word(text, next) {
            next = to;
            // `next_word` gives character boundaries.
            let Some(word) = text.get(from..to) else {
                continue;
            };
            if word.len() >= MAX_TOKEN_BYTES && word.is_ascii() {
                continue;
            }
            // What `LowerCaser` makes of the word; the rare word that is not
            // in NFC (the tokenizer's form, whose length the chain measures)
            // goes through the chain.
            lower.clear();
            if word.is_ascii() {
                lower.push_str(word);
                lower.make_ascii_lowercase();
            } else if is_nfc_quick(word.chars()) == IsNormalized::Yes {
                if word.len() >= MAX_TOKEN_BYTES {
                    continue;
                }
                for c in word.chars() {
                    if c.is_ascii() {
                        lower.push(c.to_ascii_lowercase());
                    } else {
                        lower.extend(c.to_lowercase());
                    }
                }
            } else {
                through_chain(&mut self.analyzer, &self.terms, word, from, &mut visit);
                continue;
            }
            normalize(*lang, lower, buffer);
            if lower.is_empty() || !stops.token_stream(lower).advance() {
                continue;
            }
            if !gate.admits(lower) {
                visit(from..to, None);
                continue;
            }
            // The chain's terms of a word follow from `lower`: the matches
            // themselves come back in every hit.
            if let Some(weights) = known.get(lower.as_str()) {
                weights.iter().for_each(|&weight| visit(from..to, weight));
                continue;
            }
            let mut weights = Vec::new();
            through_chain(
                &mut self.analyzer,
                &self.terms,
                word,
                from,
                &mut |range, weight| {
                    weights.push(weight);
                    visit(range, weight);
                },
            );
            if known.len() >= KNOWN_WORDS {
                known.clear();
            }
            known.insert(lower.clone(), weights);
        }
    }
}

/// The chain's tokens of `text`, which starts at byte `offset` of the
/// text `visit` reads.
fn through_chain(
    analyzer: &mut TextAnalyzer,
    terms: &BTreeMap<String, f32>,
    text: &str,
    offset: usize,
    visit: &mut impl FnMut(Range<usize>, Option<f32>),
) {
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        let range = offset + token.offset_from..offset + token.offset_to;
        visit(range, terms.get(&token.text).copied());
    }
}

/// A tokenizer whose one token is the whole text.
#[derive(Clone, Default)]
struct OneWord {
    token: Token,
}

struct OneWordStream<'a> {
    token: &'a mut Token,
    given: bool,
}

impl Tokenizer for OneWord {
    type TokenStream<'a> = OneWordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> OneWordStream<'a> {
        self.token.text.clear();
        self.token.text.push_str(text);
        OneWordStream {
            token: &mut self.token,
            given: false,
        }
    }
}

impl TokenStream for OneWordStream<'_> {
    fn advance(&mut self) -> bool {
        !mem::replace(&mut self.given, true)
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::highlight_analyzer;

    /// The tokens of the snippet chain, and the weights of their terms.
    fn by_chain(
        lang: Lang,
        terms: &BTreeMap<String, f32>,
        text: &str,
    ) -> Vec<(Range<usize>, Option<f32>)> {
        let mut analyzer = highlight_analyzer(lang, terms.keys().map(String::as_str));
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while let Some(token) = stream.next() {
            tokens.push((
                token.offset_from..token.offset_to,
                terms.get(&token.text).copied(),
            ));
        }
        tokens
    }

    fn by_highlighter(
        lang: Lang,
        terms: &BTreeMap<String, f32>,
        text: &str,
    ) -> Vec<(Range<usize>, Option<f32>)> {
        let mut tokens = Vec::new();
        Highlighter::new(lang, terms)
            .for_each_token(text, |range, weight| tokens.push((range, weight)));
        tokens
    }

    fn terms(lang: Lang, query: &str) -> BTreeMap<String, f32> {
        crate::analysis::analyze(lang, query)
            .into_iter()
            .map(|(_, term)| (term, 1.0))
            .collect()
    }

    const TEXTS: [(Lang, &str, &str); 6] = [
        (
            Lang::Fr,
            "réfugiés cadre juridique l'accueil financement",
            "L'Accueil des RÉFUGIÉS syriens à Nador : le cadre juridique, qu’ils \
             jugent flou, et le financement des OSC. Aujourd'hui l'Œuvre d'accueil \
             reçoit des réfugiés ; la société civile s'organise. Le Cadre-Juridique \
             ÉTÉ été Été À à. Une URL https://exemple.org/un/chemin/tres/long/qui/depasse/\
             soixante-quatre/octets/sans/espace",
        ),
        (
            Lang::Fr,
            "œuvre egalite",
            "L’œuvre de l'égalité, les ŒUVRES et l'Égalité des chances ; oeuvre, \
             ﬁnancement, straße",
        ),
        (
            Lang::En,
            "dying cities migration",
            "The city's migrants are dying; CITIES' policies on Migration, the \
             migrations of people and the cities' plans don’t change.",
        ),
        (
            Lang::Es,
            "inmigración ciudad",
            "La Inmigración en la ciudad de Málaga: las ciudades y los inmigrantes, \
             la INMIGRACION y l'ciudad.",
        ),
        (
            Lang::Ar,
            "الهجرة المدينة",
            "الهجرة إلى المدينة، والمدن ومهاجرين في مدينة طنجة Málaga",
        ),
        (
            Lang::Fr,
            "",
            "Un texte sans terme cherché, et même des mots comme été.",
        ),
    ];

    #[test]
    fn the_tokens_and_matches_are_the_chains() {
        for (lang, query, text) in TEXTS {
            let terms = terms(lang, query);
            assert_eq!(
                by_highlighter(lang, &terms, text),
                by_chain(lang, &terms, text),
                "{lang}: {text}"
            );
        }
    }

    #[test]
    fn the_tokens_are_the_chains_on_the_bundled_report() {
        let texts = crate::bundled_texts();
        assert!(!texts.is_empty(), "no report in corpus/");
        for text in &texts {
            for query in [
                "cadre juridique",
                "réfugiés syriens",
                "financement des OSC",
                "migration ville",
            ] {
                let terms = terms(Lang::Fr, query);
                assert_eq!(
                    by_highlighter(Lang::Fr, &terms, text),
                    by_chain(Lang::Fr, &terms, text),
                    "{query}"
                );
            }
        }
    }

    #[test]
    fn stop_words_long_words_and_unmatched_words_are_skipped_or_unweighted() {
        let terms = terms(Lang::Fr, "cadre");
        let text = "Le cadre et les cadres, puis un mot";
        let tokens = by_highlighter(Lang::Fr, &terms, text);
        let words: Vec<(&str, Option<f32>)> =
            tokens.iter().map(|(r, w)| (&text[r.clone()], *w)).collect();
        assert_eq!(
            words,
            [
                ("cadre", Some(1.0)),
                ("cadres", Some(1.0)),
                ("puis", None),
                ("mot", None)
            ]
        );
    }
}
