//! Plain text and Markdown: detecting the encoding.
//!
//! Text files arrive in whatever encoding the author's computer used: UTF-8
//! with or without a byte-order mark, UTF-16 with a mark, or Windows-1252
//! (the superset of Latin-1) from older Windows editors.

/// Decodes text bytes, or says why they are not text palabre can read.
pub(super) fn decode(bytes: &[u8]) -> Result<String, String> {
    decode_bytes(bytes).map_err(str::to_string)
}

fn decode_bytes(bytes: &[u8]) -> Result<String, &'static str> {
    // A byte-order mark says it all: UTF-8, UTF-16LE or UTF-16BE.
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        let (text, had_errors) = encoding.decode_without_bom_handling(body);
        return if had_errors {
            Err("invalid text after its byte-order mark")
        } else {
            Ok(text.into_owned())
        };
    }
    // NUL bytes do not occur in text in any 8-bit encoding.
    if bytes.contains(&0) {
        return Err("binary file, not text");
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    // Not UTF-8: Windows-1252, the superset of Latin-1 that Windows editors write.
    let (text, _, had_errors) = encoding_rs::WINDOWS_1252.decode(bytes);
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if had_errors || controls * 100 > text.chars().count() {
        return Err("neither UTF-8 nor Windows-1252 text");
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_ok(bytes: &[u8]) -> String {
        super::super::normalise(decode(bytes).unwrap())
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode_ok("réfugiés".as_bytes()), "réfugiés");
        assert_eq!(decode_ok(b"\xef\xbb\xbfr\xc3\xa9fugi\xc3\xa9s"), "réfugiés");
    }

    #[test]
    fn utf16_with_bom() {
        let mut le = vec![0xff, 0xfe];
        let mut be = vec![0xfe, 0xff];
        for unit in "Meknès".encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        assert_eq!(decode_ok(&le), "Meknès");
        assert_eq!(decode_ok(&be), "Meknès");
    }

    #[test]
    fn windows_1252_is_detected() {
        // "Málaga – réfugiés" in Windows-1252, with its en dash at 0x96.
        let bytes = b"M\xe1laga \x96 r\xe9fugi\xe9s";
        assert_eq!(decode_ok(bytes), "Málaga – réfugiés");
    }

    #[test]
    fn crlf_and_decomposed_accents_are_normalised() {
        assert_eq!(decode_ok(b"a\r\nb\rc"), "a\nb\nc");
        assert_eq!(decode_ok("re\u{301}fugie\u{301}".as_bytes()), "réfugié");
    }

    #[test]
    fn binary_files_are_refused() {
        assert_eq!(
            decode(b"\x7fELF\x02\x01\x00\x00").unwrap_err(),
            "binary file, not text"
        );
    }
}
