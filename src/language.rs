//! Language detection at index time only: `search` never loads the
//! language models (they cost start-up time and memory).
//!
//! Short strings are ambiguous ("migrants" is also English), so the
//! detector reads a bounded sample of a whole report, and a segment gets its
//! own language only when it is long enough for the answer to be reliable.
//!
//! lingua's n-gram look-ups were most of the indexing time, so a cheap
//! test comes first: the share of Arabic letters, and counts of function
//! words ("les", "the", "los"). When they leave no doubt (most reports and
//! segments) lingua is not asked. A report still in doubt takes the
//! language of most of its clear segments, and a segment still in doubt
//! that of the clear segments around it when they agree; lingua settles
//! the reports without a clear segment and the segments in doubt where the
//! language changes (see [`Detector::detect_report`]).

use std::sync::OnceLock;

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};
use rustc_hash::FxHashMap;

use crate::analysis::{is_latin_letter, Lang};

/// Characters of text read to detect a language: enough to be reliable,
/// bounded so a long report costs no more than a short one.
const SAMPLE_CHARS: usize = 3_000;
/// Characters of a segment whose function words are counted: a paragraph
/// tells as well as a page, and every segment long enough is read.
const SEGMENT_SAMPLE_CHARS: usize = 600;
/// Characters of a segment in doubt that lingua reads. Its n-gram
/// look-ups cost about 5,000 instructions a character (it searches five
/// n-gram lengths in each language's models first), so that the few
/// segments it reads (2% of them on the benchmark corpus) took 6-7% of the
/// indexing CPU at 600 characters. lingua's low-accuracy mode is reliable
/// from about 120 characters; twice that settles four well-separated
/// languages.
const LINGUA_SEGMENT_CHARS: usize = 300;
/// A segment shorter than this takes its report's language.
const MIN_SEGMENT_CHARS: usize = 200;
/// How sure lingua must be before a segment differs from its report.
const MIN_SEGMENT_CONFIDENCE: f64 = 0.8;

/// Detects French, English, Spanish and Arabic.
pub struct Detector {
    detector: LanguageDetector,
    /// A detector for each two of our languages (lingua keeps one copy of
    /// each model, whatever the number of detectors).
    pairs: Vec<([Lang; 2], LanguageDetector)>,
}

impl Default for Detector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector {
    /// Builds a detector for our four languages; models load on first use.
    /// lingua's low-accuracy mode reads trigrams only: less accurate on a
    /// few words, as accurate on the 200 characters or more it gets here,
    /// and several times faster, with a fraction of the models in memory.
    pub fn new() -> Detector {
        let build = |languages: &[Language]| {
            LanguageDetectorBuilder::from_languages(languages)
                .with_low_accuracy_mode()
                .build()
        };
        let mut pairs = Vec::new();
        for (i, &first) in Lang::ALL.iter().enumerate() {
            for &second in Lang::ALL.iter().skip(i + 1) {
                let pair = [first, second];
                pairs.push((pair, build(&pair.map(to_lingua))));
            }
        }
        Detector {
            detector: build(&Lang::ALL.map(to_lingua)),
            pairs,
        }
    }

    /// The language of a report's text, if it can be told.
    pub fn detect(&self, text: &str) -> Option<Lang> {
        let sample = sample(text);
        clear_language(sample, REPORT_VOTE_WORDS).or_else(|| self.lingua(sample))
    }

    /// lingua's language for a sample, if it has one.
    fn lingua(&self, sample: &str) -> Option<Lang> {
        self.detector
            .detect_language_of(sample)
            .and_then(from_lingua)
    }

    /// The languages of a report made of `texts` (its segments, in order):
    /// the report's and each segment's.
    ///
    /// The report's is that of the function words of a sample of its
    /// beginning; when they leave doubt, the language most of its clear
    /// segments' text is in; lingua reads the sample only when no segment
    /// is clear.
    ///
    /// A segment long enough to tell is settled by its function words when
    /// they leave no doubt. lingua, the costly part (its n-gram look-ups
    /// were the largest single cost of indexing), reads only the segments
    /// still in doubt whose neighbours disagree: a segment in doubt between
    /// two segments of one language (the nearest clear ones before and
    /// after it, or the report's language where there is none) is in that
    /// language. Most segments in doubt are code, option lists or tables
    /// inside a one-language run, where lingua's answer is a coin toss; an
    /// English annex of a French report is still read as English, and a
    /// segment in doubt where the language changes is still lingua's.
    pub fn detect_report(&self, texts: &[&str]) -> (Lang, Vec<Lang>) {
        // `None`: too short to tell; `Some(None)`: in doubt.
        let clear: Vec<Option<Option<Lang>>> = texts
            .iter()
            .map(|text| {
                long_enough(text).then(|| {
                    clear_language(sample_of(text, SEGMENT_SAMPLE_CHARS), SEGMENT_VOTE_WORDS)
                })
            })
            .collect();
        let sample = report_sample(texts.iter().copied());
        let lang = clear_language(&sample, REPORT_VOTE_WORDS)
            .or_else(|| most_clear_text(texts, &clear))
            .or_else(|| self.lingua(&sample))
            .unwrap_or(Lang::Fr);
        let clear_lang = |c: &Option<Option<Lang>>| c.flatten();
        let langs = texts
            .iter()
            .zip(&clear)
            .enumerate()
            .map(|(i, (text, settled))| match settled {
                None => lang,
                Some(Some(l)) => *l,
                Some(None) => {
                    let before = clear.get(..i).unwrap_or_default();
                    let after = clear.get(i + 1..).unwrap_or_default();
                    let previous = before.iter().rev().find_map(clear_lang).unwrap_or(lang);
                    let next = after.iter().find_map(clear_lang).unwrap_or(lang);
                    if previous == next {
                        previous
                    } else {
                        self.lingua_between(text, [previous, next], lang)
                    }
                }
            })
            .collect();
        (lang, langs)
    }

    /// The language of one segment: its own when the text is long enough and
    /// the function words or lingua leave no doubt, otherwise the report's.
    pub fn detect_segment(&self, text: &str, report: Lang) -> Lang {
        if !long_enough(text) {
            return report;
        }
        let sample = sample_of(text, SEGMENT_SAMPLE_CHARS);
        if let Some(lang) = clear_language(sample, SEGMENT_VOTE_WORDS) {
            return lang;
        }
        self.lingua_segment(text, report)
    }

    /// lingua's language for a segment in doubt, when it is sure enough.
    fn lingua_segment(&self, text: &str, report: Lang) -> Lang {
        lingua_sure(&self.detector, text, report)
    }

    /// For a segment in doubt where the language changes, from one of
    /// `sides` to the other: the side lingua says it is on, when it is
    /// sure enough, or the report's language. Asking lingua about two
    /// languages instead of four halves its work, and a segment in doubt
    /// between two languages is in one of them (segments in doubt are
    /// mostly code, lists and tables, where lingua's third choice was a
    /// coin toss).
    fn lingua_between(&self, text: &str, sides: [Lang; 2], report: Lang) -> Lang {
        let pair = self
            .pairs
            .iter()
            .find(|(pair, _)| *pair == sides || *pair == [sides[1], sides[0]]);
        match pair {
            Some((_, detector)) => lingua_sure(detector, text, report),
            None => self.lingua_segment(text, report),
        }
    }
}

/// `detector`'s language for a segment in doubt, when it is sure
/// enough, or the report's.
fn lingua_sure(detector: &LanguageDetector, text: &str, report: Lang) -> Lang {
    let sample = sample_of(text, LINGUA_SEGMENT_CHARS);
    let values = detector.compute_language_confidence_values(sample);
    match values.first() {
        Some(&(language, confidence)) if confidence >= MIN_SEGMENT_CONFIDENCE => {
            from_lingua(language).unwrap_or(report)
        }
        _ => report,
    }
}

/// The beginning of a report made of `texts`, at most [`SAMPLE_CHARS`]
/// characters, one line per text.
fn report_sample<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut sample = String::new();
    let mut chars = 0;
    for text in texts {
        if chars >= SAMPLE_CHARS {
            break;
        }
        if !sample.is_empty() {
            sample.push('\n');
        }
        let part = sample_of(text, SAMPLE_CHARS - chars);
        chars += part.chars().count() + 1;
        sample.push_str(part);
    }
    sample
}

/// The language most of the clear segments' text is in (`clear` as
/// [`Detector::detect_report`] has it), if some segment is clear: a report
/// whose beginning leaves doubt (a list of names, a table of contents) is
/// in the language of its clear text, without asking lingua.
fn most_clear_text(texts: &[&str], clear: &[Option<Option<Lang>>]) -> Option<Lang> {
    let mut bytes = [0usize; Lang::ALL.len()];
    for (text, settled) in texts.iter().zip(clear) {
        if let Some(Some(lang)) = settled {
            if let Some(slot) = Lang::ALL.iter().position(|l| l == lang) {
                bytes[slot] += text.len();
            }
        }
    }
    let (slot, &most) = bytes.iter().enumerate().max_by_key(|&(_, b)| *b)?;
    (most > 0).then(|| Lang::ALL.get(slot).copied()).flatten()
}

/// Whether a segment is long enough to have its own language.
fn long_enough(text: &str) -> bool {
    // `nth` stops counting at the threshold: no full count of a long text.
    text.chars().nth(MIN_SEGMENT_CHARS - 1).is_some()
}

/// Function words that tell our Latin-script languages apart ("de", "la",
/// "en", "que", "un", "se" are shared by French and Spanish, "on", "son" and
/// "or" are French words too, so they are left out). None is longer than
/// five bytes.
const FUNCTION_WORDS: [(Lang, &[&str]); 3] = [
    (
        Lang::Fr,
        &[
            "le", "les", "des", "du", "est", "une", "dans", "pour", "qui", "sur", "au", "aux",
            "avec", "et", "ont", "sont", "à", "par", "ou", "ce", "cette", "ces", "il", "pas", "ne",
            "peut", "être", "été", "comme", "sans", "sous", "sa", "ses",
        ],
    ),
    (
        Lang::En,
        &[
            "the", "and", "of", "to", "is", "for", "that", "with", "by", "are", "was", "have",
            "their", "this", "it", "not", "from", "be", "can", "which", "will", "you", "your",
        ],
    ),
    (
        Lang::Es,
        &[
            "el", "los", "las", "del", "y", "por", "para", "con", "una", "es", "su", "sus", "fue",
            "al", "lo", "como", "más", "pero", "este", "esta", "está", "muy", "hay", "ser",
            "puede",
        ],
    ),
];
/// Words of a segment read to count function words.
const SEGMENT_VOTE_WORDS: usize = 120;
/// Words of a report's sample read to count function words.
const REPORT_VOTE_WORDS: usize = 400;
/// Function words a language needs, at least, to win the vote...
const MIN_VOTES: usize = 5;
/// ... and how many times more than any other language.
const VOTE_MARGIN: usize = 4;

/// The language of `sample` when it is beyond doubt: nearly all letters
/// Arabic; or, within its first `words` words, many function words of one
/// Latin-script language and few of the others. `None` when in doubt.
fn clear_language(sample: &str, words: usize) -> Option<Lang> {
    let counts = Counts::of(sample, words);
    if counts.arabic * 10 > counts.letters {
        return (counts.arabic * 10 >= counts.letters * 9).then_some(Lang::Ar);
    }
    let votes = counts.votes;
    let (best, &most) = votes.iter().enumerate().max_by_key(|(_, v)| **v)?;
    let others = votes
        .iter()
        .enumerate()
        .filter(|(slot, _)| *slot != best)
        .map(|(_, v)| *v)
        .max()
        .unwrap_or(0);
    let clear = most >= MIN_VOTES && most >= VOTE_MARGIN * others;
    if clear {
        return FUNCTION_WORDS.get(best).map(|(lang, _)| *lang);
    }
    // Technical French (man pages, option lists) has few function words,
    // but its accents say French: many of them, none of Spanish's, and
    // French function words ahead of the others'.
    let [fr, en, es] = votes;
    let french = counts.french >= MIN_FRENCH_LETTERS
        && counts.spanish == 0
        && fr >= 2
        && fr >= 2 * en.max(es);
    french.then_some(Lang::Fr)
}

/// What [`clear_language`] counts in a sample, in one pass over it (it
/// reads a sample of every segment, so three passes showed in profiles).
#[derive(Debug, Default)]
struct Counts {
    /// Letters (alphabetic characters).
    letters: usize,
    /// Arabic letters.
    arabic: usize,
    /// Characters [`is_french_letter`] accepts.
    french: usize,
    /// Characters [`is_spanish_letter`] accepts.
    spanish: usize,
    /// Function words of each language of [`FUNCTION_WORDS`], in its order,
    /// among the first words.
    votes: [usize; 3],
}

impl Counts {
    /// The counts of `sample`, votes from its first `words` words (runs of
    /// letters).
    fn of(sample: &str, words: usize) -> Counts {
        let mut counts = Counts::default();
        let mut word_start = None;
        let mut words_seen = 0;
        let mut lower = String::new();
        let bytes = sample.as_bytes();
        let mut i = 0;
        // Every segment's sample is read: ASCII, most of a Latin-script
        // sample, is tested byte by byte, and only the other characters
        // are decoded and looked up.
        while let Some(&byte) = bytes.get(i) {
            let (letter, len) = if byte.is_ascii() {
                (byte.is_ascii_alphabetic(), 1)
            } else {
                let c = sample
                    .get(i..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or(' ');
                if is_latin_letter(c) {
                    // Accented Latin letters, most of the rest: no Unicode
                    // look-up, and the letter sets as one `match` each.
                    counts.french += usize::from(is_french_letter(c));
                    counts.spanish += usize::from(is_spanish_letter(c));
                    (true, c.len_utf8())
                } else {
                    let letter = c.is_alphabetic();
                    counts.arabic += usize::from(letter && ('\u{0600}'..='\u{06FF}').contains(&c));
                    counts.spanish += usize::from(is_spanish_letter(c));
                    (letter, c.len_utf8())
                }
            };
            if letter {
                counts.letters += 1;
                word_start.get_or_insert(i);
            } else if let Some(start) = word_start.take() {
                if words_seen < words {
                    words_seen += 1;
                    counts.vote(sample.get(start..i).unwrap_or_default(), &mut lower);
                }
            }
            i += len;
        }
        if let Some(start) = word_start {
            if words_seen < words {
                counts.vote(sample.get(start..).unwrap_or_default(), &mut lower);
            }
        }
        counts
    }

    /// Counts `word` if it is a function word; `lower` is a buffer.
    fn vote(&mut self, word: &str, lower: &mut String) {
        // No function word is longer than five bytes.
        if word.len() > 5 {
            return;
        }
        let key = if word.is_ascii() {
            packed(word.bytes().map(|b| b.to_ascii_lowercase()))
        } else {
            lower.clear();
            lower.extend(word.chars().flat_map(char::to_lowercase));
            if lower.len() > 8 {
                return;
            }
            packed(lower.bytes())
        };
        if let Some(&slot) = function_words().get(&key) {
            if let Some(votes) = self.votes.get_mut(slot) {
                *votes += 1;
            }
        }
    }
}

/// Up to eight bytes as one number (zeros after the last): the key of a
/// function word, which hashes and compares faster than its string at
/// every short word of every segment's sample.
fn packed(bytes: impl Iterator<Item = u8>) -> u64 {
    let mut key = [0u8; 8];
    for (slot, byte) in key.iter_mut().zip(bytes) {
        *slot = byte;
    }
    u64::from_le_bytes(key)
}

/// [`FUNCTION_WORDS`] as a map from word ([`packed`]) to its language's
/// slot there (no word is in two lists: a test checks it).
fn function_words() -> &'static FxHashMap<u64, usize> {
    static MAP: OnceLock<FxHashMap<u64, usize>> = OnceLock::new();
    MAP.get_or_init(|| {
        FUNCTION_WORDS
            .iter()
            .enumerate()
            .flat_map(|(slot, (_, words))| words.iter().map(move |w| (packed(w.bytes()), slot)))
            .collect()
    })
}

/// Letters French writes and English and Spanish do not (`é` is Spanish
/// too, but Spanish also writes those of [`is_spanish_letter`]).
fn is_french_letter(c: char) -> bool {
    matches!(
        c,
        'é' | 'è'
            | 'ê'
            | 'ë'
            | 'à'
            | 'â'
            | 'ç'
            | 'î'
            | 'ï'
            | 'ô'
            | 'û'
            | 'ù'
            | 'œ'
            | 'É'
            | 'È'
            | 'Ê'
            | 'À'
            | 'Ç'
    )
}

/// Letters and marks of Spanish that French never writes.
fn is_spanish_letter(c: char) -> bool {
    matches!(
        c,
        'ñ' | 'á' | 'í' | 'ó' | 'ú' | '¿' | '¡' | 'Ñ' | 'Á' | 'Í' | 'Ó' | 'Ú'
    )
}

/// French letters a sample needs when its function words are too few.
const MIN_FRENCH_LETTERS: usize = 8;

/// Whether the start of `text` is, beyond doubt, in `lang`.
#[cfg(test)]
fn clearly_in(text: &str, lang: Lang) -> bool {
    clear_language(sample_of(text, SEGMENT_SAMPLE_CHARS), SEGMENT_VOTE_WORDS) == Some(lang)
}

fn sample(text: &str) -> &str {
    sample_of(text, SAMPLE_CHARS)
}

fn sample_of(text: &str, chars: usize) -> &str {
    // No more bytes than characters wanted: the whole text fits.
    if text.len() <= chars {
        return text;
    }
    // The byte where character number `chars` starts: counted on the
    // bytes that start a character (not 0b10xxxxxx), without decoding.
    let mut seen = 0;
    for (i, &byte) in text.as_bytes().iter().enumerate() {
        if (byte as i8) >= -0x40 {
            if seen == chars {
                return text.get(..i).unwrap_or(text);
            }
            seen += 1;
        }
    }
    text
}

fn to_lingua(lang: Lang) -> Language {
    match lang {
        Lang::Fr => Language::French,
        Lang::En => Language::English,
        Lang::Es => Language::Spanish,
        Lang::Ar => Language::Arabic,
    }
}

fn from_lingua(language: Language) -> Option<Lang> {
    match language {
        Language::French => Some(Lang::Fr),
        Language::English => Some(Lang::En),
        Language::Spanish => Some(Lang::Es),
        Language::Arabic => Some(Lang::Ar),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_where_the_language_changes_is_on_one_side() {
        let detector = Detector::new();
        let english = "The committee met twice and agreed on the budget of the programme";
        let french = "Le comité s'est réuni deux fois et a adopté le budget du programme";
        let spanish = "El comité se reunió dos veces y aprobó el presupuesto del programa";
        let between = |text, sides| detector.lingua_between(text, sides, Lang::Fr);
        assert_eq!(between(english, [Lang::Fr, Lang::En]), Lang::En);
        assert_eq!(between(english, [Lang::En, Lang::Fr]), Lang::En);
        assert_eq!(between(french, [Lang::En, Lang::Fr]), Lang::Fr);
        assert_eq!(between(spanish, [Lang::Es, Lang::En]), Lang::Es);
        // Spanish is not one of the sides: one of them, or the report's.
        assert_ne!(between(spanish, [Lang::Fr, Lang::En]), Lang::Es);
        // Every pair has its detector.
        assert_eq!(detector.pairs.len(), 6);
    }

    #[test]
    fn a_sample_is_the_first_characters_whatever_their_width() {
        for text in [
            "",
            "abc",
            "été à Málaga",
            "مرحبا بالعالم",
            "a😀b€c",
            "\u{301}e",
        ] {
            for chars in 0..20 {
                let expected: String = text.chars().take(chars).collect();
                assert_eq!(sample_of(text, chars), expected, "{text:?} {chars}");
            }
        }
    }

    #[test]
    fn detects_our_four_languages() {
        let detector = Detector::new();
        let cases = [
            ("Les villes et les organisations de la société civile ont défini leur rôle respectif face aux défis.", Lang::Fr),
            ("Cities and civil society organisations defined their respective roles in the face of challenges.", Lang::En),
            ("Las ciudades y las organizaciones de la sociedad civil definieron su papel frente a los desafíos.", Lang::Es),
            ("حددت المدن ومنظمات المجتمع المدني دور كل منها في مواجهة التحديات المحلية.", Lang::Ar),
        ];
        for (text, lang) in cases {
            assert_eq!(detector.detect(text), Some(lang), "{text}");
        }
    }

    #[test]
    fn short_segments_take_the_report_language() {
        let detector = Detector::new();
        assert_eq!(detector.detect_segment("migrants", Lang::Fr), Lang::Fr);
        let english = "The municipality worked with local associations to open a shelter for migrants in transit, \
            and trained its staff on the rights of refugees and asylum seekers, with support from the national government.";
        assert_eq!(detector.detect_segment(english, Lang::Fr), Lang::En);
    }

    #[test]
    fn lingua_reads_segments_in_doubt_only_where_the_language_changes() {
        let detector = Detector::new();
        let french = "Les villes et les organisations de la société civile ont défini leur rôle \
            respectif face aux défis existants au niveau local, avec des moyens limités pour les \
            migrants et les réfugiés qui arrivent dans la région depuis plusieurs années.";
        let english = "The municipality worked with local associations to open a shelter for \
            migrants in transit, and trained its staff on the rights of refugees and asylum \
            seekers, with support from the national government and the regional authorities.";
        // Few function words: in doubt, and lingua reads it as English.
        let doubtful = "Session opening: welcome remarks, Mayor Ahmed Benali, Deputy Mayor \
            Fatima Zahra, Regional Director Omar Idrissi, Programme Coordinator Laura Martin, \
            Network Coordinator Youssef Amrani, Youth Council President Sara Alaoui.";
        assert_eq!(
            clear_language(
                sample_of(doubtful, SEGMENT_SAMPLE_CHARS),
                SEGMENT_VOTE_WORDS
            ),
            None
        );
        assert_eq!(detector.detect_segment(doubtful, Lang::Fr), Lang::En);
        // Between French segments (or the French report's edges), the
        // segment in doubt is French.
        let (lang, langs) = detector.detect_report(&[french, doubtful, "Suite."]);
        assert_eq!((lang, langs), (Lang::Fr, vec![Lang::Fr; 3]));
        let (_, langs) = detector.detect_report(&[doubtful, french]);
        assert_eq!(langs, [Lang::Fr, Lang::Fr]);
        // Within an English run, it is English without asking lingua.
        let (lang, langs) = detector.detect_report(&[french, english, doubtful, english, french]);
        assert_eq!(lang, Lang::Fr);
        assert_eq!(langs, [Lang::Fr, Lang::En, Lang::En, Lang::En, Lang::Fr]);
        // Where the language changes, lingua decides.
        let (_, langs) = detector.detect_report(&[french, doubtful, english]);
        assert_eq!(langs, [Lang::Fr, Lang::En, Lang::En]);
        let (_, langs) = detector.detect_report(&[french, english, doubtful]);
        assert_eq!(langs, [Lang::Fr, Lang::En, Lang::En]);
        // A report whose first 3,000 characters leave doubt is in the
        // language of its clear segments, not lingua's English.
        let mut texts = vec![doubtful; SAMPLE_CHARS / doubtful.len() + 1];
        texts.push(french);
        let sample = report_sample(texts.iter().copied());
        assert_eq!(detector.detect(&sample), Some(Lang::En));
        let (lang, langs) = detector.detect_report(&texts);
        assert_eq!(lang, Lang::Fr);
        assert!(langs.iter().all(|l| *l == Lang::Fr), "{langs:?}");
    }

    #[test]
    fn function_words_settle_clear_cases_only() {
        let french = "Les villes et les organisations de la société civile ont défini leur rôle \
            respectif face aux défis existants au niveau local, avec des moyens limités pour les migrants.";
        let english = "The municipality worked with local associations to open a shelter for \
            migrants in transit, and trained its staff on the rights of refugees.";
        assert!(clearly_in(french, Lang::Fr));
        assert!(!clearly_in(french, Lang::En));
        assert!(clearly_in(english, Lang::En));
        assert!(!clearly_in(english, Lang::Fr));
        assert!(clearly_in(
            "حددت المدن ومنظمات المجتمع المدني دور كل منها في مواجهة التحديات",
            Lang::Ar
        ));
        assert!(!clearly_in("حددت المدن ومنظمات المجتمع المدني", Lang::Fr));
        // Technical French, few function words, but French accents.
        let option = "Définit l'éditeur préféré, exécuté à la connexion : vi, vim, nano. \
            Délai réglé par défaut.";
        assert!(clearly_in(option, Lang::Fr));
        // The same accents with a Spanish letter: not settled.
        assert!(!clearly_in(&format!("{option} año"), Lang::Fr));
        // Too few function words to be sure: lingua decides.
        assert!(!clearly_in(
            "Málaga, Nador, Meknès: programme 2019",
            Lang::Fr
        ));
    }

    #[test]
    fn function_words_count_whatever_their_case_and_accents() {
        let counts = Counts::of("Les À été ÉTÉ lesquels The and Más está", 100);
        assert_eq!(counts.votes, [4, 2, 2]);
        // Only the first words vote.
        assert_eq!(Counts::of("les les les les", 2).votes, [2, 0, 0]);
    }

    #[test]
    fn no_function_word_is_in_two_languages() {
        let total: usize = FUNCTION_WORDS.iter().map(|(_, words)| words.len()).sum();
        assert_eq!(function_words().len(), total);
        assert!(FUNCTION_WORDS
            .iter()
            .all(|(_, words)| words.iter().all(|w| w.len() <= 5)));
    }

    #[test]
    fn sample_is_bounded_on_a_char_boundary() {
        let text = "é".repeat(SAMPLE_CHARS + 10);
        assert_eq!(sample(&text).chars().count(), SAMPLE_CHARS);
    }
}
