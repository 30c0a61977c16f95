//! The folded first letters of words: what a word and its stem share, to
//! rule out quickly a word that cannot match (snippets, the glossary).
//!
//! Pure and free of crate dependencies other than `unicode-normalization`:
//! build.rs includes this file too, to compute the bundled glossary terms'
//! first letters once, at build time.

/// Room for two letters folded: a ligature gives two ASCII letters.
pub const MAX_START_BYTES: usize = 4;

/// How many first letters (folded) a word shares with its stem, for the
/// language of code `lang`: Snowball only changes endings in French and
/// Spanish, and also the second letter of a few English words (`dying` →
/// `die`). `None` for Arabic, whose stemmer removes prefixes, and unknown
/// codes.
pub fn stem_keeps_letters(lang: &str) -> Option<usize> {
    match lang {
        "fr" | "es" => Some(2),
        "en" => Some(1),
        _ => None,
    }
}

/// The first `letters` letters of a word, lower-cased, accents removed and
/// ligatures spelled out; `None` for a letter with no ASCII spelling.
pub fn folded_start(word: &str, letters: usize) -> Option<String> {
    let mut buffer = vec![0u8; 2 * letters];
    let start = fold_start_into(word, letters, &mut buffer)?;
    Some(String::from_utf8_lossy(start).into_owned())
}

/// How many first letters of `word` its stem surely keeps, to compare
/// words with stems more finely than [`stem_keeps_letters`]: English stems
/// change the second letter only of `dying`, `lying`, `tying` (→ `die`…),
/// so an English word keeps two letters unless its second is a `y`.
pub fn word_keeps_letters(lang: &str, word: &str) -> Option<usize> {
    match lang {
        "en" => {
            let second = word.chars().nth(1);
            Some(if second.is_some_and(|c| c.eq_ignore_ascii_case(&'y')) {
                1
            } else {
                2
            })
        }
        _ => stem_keeps_letters(lang),
    }
}

/// The folded first letters of each word of `text` (in the language of
/// code `lang`) that its stem keeps (see [`word_keeps_letters`]); `None`
/// when they cannot tell (Arabic, letters without an ASCII spelling).
pub fn word_starts(lang: &str, text: &str) -> Option<Vec<String>> {
    words(text)
        .map(|word| folded_start(word, word_keeps_letters(lang, word)?))
        .collect()
}

/// The words of a glossary term, as [`word_starts`] and the search-time
/// checks split it: runs of letters and digits (`l'intégration` is `l`
/// and `intégration`).
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

/// [`folded_start`] written into `buffer`; `None` also when it is full.
pub fn fold_start_into<'b>(word: &str, letters: usize, buffer: &'b mut [u8]) -> Option<&'b [u8]> {
    let mut len = 0;
    let mut push = |bytes: &[u8]| -> Option<()> {
        buffer
            .get_mut(len..len + bytes.len())?
            .copy_from_slice(bytes);
        len += bytes.len();
        Some(())
    };
    for c in word.chars().take(letters) {
        let c = if c.is_ascii() {
            c.to_ascii_lowercase()
        } else {
            c.to_lowercase().next().unwrap_or(c)
        };
        match c {
            'œ' => push(b"oe")?,
            'æ' => push(b"ae")?,
            'ß' => push(b"ss")?,
            c if c.is_ascii() => push(&[c as u8])?,
            c => {
                let mut base = None;
                unicode_normalization::char::decompose_canonical(c, |d| {
                    if base.is_none() {
                        base = Some(d);
                    }
                });
                push(&[base.filter(char::is_ascii)? as u8])?;
            }
        }
    }
    buffer.get(..len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_folded_and_as_long_as_the_stem_keeps() {
        assert_eq!(folded_start("Égalité", 2).as_deref(), Some("eg"));
        assert_eq!(folded_start("œuvre", 2).as_deref(), Some("oeu"));
        assert_eq!(folded_start("مهاجر", 2), None);
        assert_eq!(word_keeps_letters("en", "development"), Some(2));
        assert_eq!(word_keeps_letters("en", "dying"), Some(1), "dying → die");
        assert_eq!(word_keeps_letters("fr", "réfugiés"), Some(2));
        assert_eq!(word_keeps_letters("ar", "مهاجر"), None);
        assert_eq!(
            word_starts("en", "capacity building, dying"),
            Some(vec!["ca".to_string(), "bu".to_string(), "d".to_string()])
        );
        assert_eq!(word_starts("ar", "مهاجر"), None);
    }
}
