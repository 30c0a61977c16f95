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

/// The folded first letters of each word of `text` (in the language of
/// code `lang`) that its stem keeps; `None` when they cannot tell (Arabic,
/// letters without an ASCII spelling).
pub fn word_starts(lang: &str, text: &str) -> Option<Vec<String>> {
    let letters = stem_keeps_letters(lang)?;
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| folded_start(word, letters))
        .collect()
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
