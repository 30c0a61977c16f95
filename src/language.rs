//! Language detection with lingua, at index time only: `search` never loads
//! the language models (they cost start-up time and memory).
//!
//! Short strings are ambiguous ("migrants" is also English), so the
//! detector reads a bounded sample of a whole report, and a segment gets its
//! own language only when it is long enough for the answer to be reliable.

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

use crate::analysis::Lang;

/// Characters of text read to detect a language: enough to be reliable,
/// bounded so a long report costs no more than a short one.
const SAMPLE_CHARS: usize = 3_000;
/// Characters read of a segment: lingua is as sure on a paragraph as on a
/// page for four well-separated languages, and detection is the largest
/// single cost of indexing (its n-gram look-ups), so segments get less.
const SEGMENT_SAMPLE_CHARS: usize = 600;
/// A segment shorter than this takes its report's language.
const MIN_SEGMENT_CHARS: usize = 200;
/// How sure lingua must be before a segment differs from its report.
const MIN_SEGMENT_CONFIDENCE: f64 = 0.8;

/// Detects French, English, Spanish and Arabic.
pub struct Detector {
    detector: LanguageDetector,
}

impl Default for Detector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector {
    /// Builds a detector for our four languages; models load on first use.
    pub fn new() -> Detector {
        let languages = Lang::ALL.map(to_lingua);
        Detector {
            detector: LanguageDetectorBuilder::from_languages(&languages).build(),
        }
    }

    /// The language of a report's text, if lingua can tell.
    pub fn detect(&self, text: &str) -> Option<Lang> {
        self.detector
            .detect_language_of(sample(text))
            .and_then(from_lingua)
    }

    /// The language of one segment: its own when the text is long enough and
    /// lingua is confident, otherwise the report's.
    pub fn detect_segment(&self, text: &str, report: Lang) -> Lang {
        if text.chars().count() < MIN_SEGMENT_CHARS {
            return report;
        }
        // Most segments are in their report's language; their function
        // words say so at a fraction of lingua's cost, which then only
        // settles the doubtful ones.
        if clearly_in(text, report) {
            return report;
        }
        let values = self
            .detector
            .compute_language_confidence_values(sample_of(text, SEGMENT_SAMPLE_CHARS));
        match values.first() {
            Some(&(language, confidence)) if confidence >= MIN_SEGMENT_CONFIDENCE => {
                from_lingua(language).unwrap_or(report)
            }
            _ => report,
        }
    }
}

/// Function words that tell our Latin-script languages apart ("de", "en",
/// "que" are shared by French and Spanish, so they are left out).
const FUNCTION_WORDS: [(Lang, &[&str]); 3] = [
    (
        Lang::Fr,
        &[
            "le", "les", "des", "du", "est", "une", "dans", "pour", "qui", "sur", "au", "aux",
            "avec", "et", "ont", "sont",
        ],
    ),
    (
        Lang::En,
        &[
            "the", "and", "of", "to", "is", "for", "that", "with", "on", "by", "are", "was",
            "have", "their",
        ],
    ),
    (
        Lang::Es,
        &[
            "el", "los", "las", "del", "y", "por", "para", "con", "una", "es", "se", "su", "sus",
            "fue",
        ],
    ),
];
/// Words of a segment read to count function words.
const VOTE_WORDS: usize = 120;

/// Whether the start of `text` is, beyond doubt, in `lang`: for Arabic,
/// nearly all letters Arabic; for the others, many of its function words
/// and few of the other languages'.
fn clearly_in(text: &str, lang: Lang) -> bool {
    let sample = sample_of(text, SEGMENT_SAMPLE_CHARS);
    let letters = sample.chars().filter(|c| c.is_alphabetic());
    let (arabic, total) = letters.fold((0usize, 0usize), |(a, t), c| {
        (
            a + usize::from(('\u{0600}'..='\u{06FF}').contains(&c)),
            t + 1,
        )
    });
    if lang == Lang::Ar || arabic * 10 > total {
        return lang == Lang::Ar && arabic * 10 >= total * 9;
    }
    let mut votes = [0usize; 3];
    for word in sample
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .take(VOTE_WORDS)
    {
        let word = word.to_lowercase();
        for (slot, (_, words)) in FUNCTION_WORDS.iter().enumerate() {
            if words.contains(&word.as_str()) {
                votes[slot] += 1;
            }
        }
    }
    let Some(mine) = FUNCTION_WORDS.iter().position(|(l, _)| *l == lang) else {
        return false;
    };
    let others = votes
        .iter()
        .enumerate()
        .filter(|(slot, _)| *slot != mine)
        .map(|(_, v)| *v)
        .max()
        .unwrap_or(0);
    votes[mine] >= 5 && votes[mine] >= 4 * others
}

fn sample(text: &str) -> &str {
    sample_of(text, SAMPLE_CHARS)
}

fn sample_of(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
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
        // Too few function words to be sure: lingua decides.
        assert!(!clearly_in(
            "Málaga, Nador, Meknès: programme 2019",
            Lang::Fr
        ));
    }

    #[test]
    fn sample_is_bounded_on_a_char_boundary() {
        let text = "é".repeat(SAMPLE_CHARS + 10);
        assert_eq!(sample(&text).chars().count(), SAMPLE_CHARS);
    }
}
