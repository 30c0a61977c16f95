//! The query language, parsed before any analysis: words, quoted phrases
//! and exclusions. Pure, no index.
//!
//! French queries are full of apostrophes (`droit d'asile`,
//! `l’intégration`): they are ordinary text here, never quotes. Phrases are
//! written between `"…"`, `“…”` or `«…»`; a word or phrase preceded by `-`
//! is excluded. Everything else is a word, analysed later per language.

use crate::error::{Error, Result};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Most words and phrases in one query.
pub const MAX_CLAUSES: usize = 32;

/// One part of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// The text as typed (without quotes or `-`).
    pub text: String,
    /// Written between quotes: the words must appear in this order, together.
    pub phrase: bool,
    /// Preceded by `-`: segments containing it are left out.
    pub excluded: bool,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Words and phrases in the order typed.
    pub clauses: Vec<Clause>,
}

impl Query {
    /// Clauses that select segments (not excluded).
    pub fn wanted(&self) -> impl Iterator<Item = &Clause> {
        self.clauses.iter().filter(|c| !c.excluded)
    }

    /// Clauses that leave segments out.
    pub fn excluded(&self) -> impl Iterator<Item = &Clause> {
        self.clauses.iter().filter(|c| c.excluded)
    }
}

fn closing_quote(open: char) -> Option<char> {
    match open {
        '"' => Some('"'),
        '“' => Some('”'),
        '«' => Some('»'),
        '„' => Some('“'),
        _ => None,
    }
}

fn error(message: impl Into<String>, position: usize) -> Error {
    Error::Query {
        message: message.into(),
        position,
    }
}

/// Parses a query. Errors say what is wrong and at which character (from 1).
pub fn parse(text: &str) -> Result<Query> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_QUERY_CHARS {
        return Err(error(
            format!(
                "query too long: {} characters, at most {MAX_QUERY_CHARS}",
                chars.len()
            ),
            MAX_QUERY_CHARS + 1,
        ));
    }
    let mut clauses = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let excluded = c == '-' && chars.get(i + 1).is_some_and(|n| !n.is_whitespace());
        let start = if excluded { i + 1 } else { i };
        let first = chars.get(start).copied().unwrap_or(' ');
        if let Some(close) = closing_quote(first) {
            let body_start = start + 1;
            let Some(len) = chars[body_start..].iter().position(|&ch| ch == close) else {
                return Err(error(
                    format!("unterminated quote {first}: add the closing {close}"),
                    start + 1,
                ));
            };
            let phrase: String = chars[body_start..body_start + len].iter().collect();
            let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
            if phrase.is_empty() {
                return Err(error("empty phrase between quotes", start + 1));
            }
            clauses.push(Clause {
                text: phrase,
                phrase: true,
                excluded,
            });
            i = body_start + len + 1;
        } else {
            let len = chars[start..]
                .iter()
                .position(|ch| ch.is_whitespace() || closing_quote(*ch).is_some())
                .unwrap_or(chars.len() - start);
            let word: String = chars[start..start + len].iter().collect();
            if !word.is_empty() {
                clauses.push(Clause {
                    text: word,
                    phrase: false,
                    excluded,
                });
            }
            // `first` is neither a space nor a quote, so the word is never empty.
            i = start + len.max(1);
        }
        if clauses.len() > MAX_CLAUSES {
            return Err(error(
                format!("too many words: at most {MAX_CLAUSES} words and phrases"),
                i.min(chars.len()),
            ));
        }
    }
    if clauses.is_empty() {
        return Err(error("empty query", 1));
    }
    if clauses.iter().all(|c| c.excluded) {
        return Err(error(
            "a query needs at least one word that is not excluded with -",
            1,
        ));
    }
    Ok(Query { clauses })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Clause {
        Clause {
            text: text.into(),
            phrase: false,
            excluded: false,
        }
    }

    fn phrase(text: &str) -> Clause {
        Clause {
            text: text.into(),
            phrase: true,
            excluded: false,
        }
    }

    fn position_of(err: Error) -> usize {
        match err {
            Error::Query { position, .. } => position,
            other => panic!("not a query error: {other}"),
        }
    }

    #[test]
    fn apostrophes_are_text() {
        let q = parse("droit d'asile l’intégration").unwrap();
        assert_eq!(
            q.clauses,
            [word("droit"), word("d'asile"), word("l’intégration")]
        );
    }

    #[test]
    fn phrases_in_three_kinds_of_quotes() {
        let q = parse(r#""cadre juridique" “plans d'urgence” « réfugiés  syriens »"#).unwrap();
        assert_eq!(
            q.clauses,
            [
                phrase("cadre juridique"),
                phrase("plans d'urgence"),
                phrase("réfugiés syriens")
            ]
        );
    }

    #[test]
    fn exclusions() {
        let q = parse(r#"migrants -Libye -"cadre juridique" mi-temps"#).unwrap();
        assert_eq!(q.wanted().count(), 2);
        let excluded: Vec<&str> = q.excluded().map(|c| c.text.as_str()).collect();
        assert_eq!(excluded, ["Libye", "cadre juridique"]);
        assert!(q.clauses[3].text == "mi-temps" && !q.clauses[3].excluded);
    }

    #[test]
    fn a_lone_dash_is_a_word() {
        let q = parse("migrants - réfugiés").unwrap();
        assert_eq!(q.clauses.len(), 3);
    }

    #[test]
    fn unterminated_quote_says_where() {
        let err = parse(r#"migrants "cadre"#).unwrap_err();
        assert!(err.to_string().contains("unterminated quote"), "{err}");
        assert_eq!(position_of(err), 10);
    }

    #[test]
    fn empty_queries_are_errors() {
        for text in ["", "   ", "-migrants", "\"\""] {
            assert!(parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn limits() {
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert!(parse(&long).unwrap_err().to_string().contains("too long"));
        let many = vec!["mot"; MAX_CLAUSES + 1].join(" ");
        assert!(parse(&many).unwrap_err().to_string().contains("too many"));
    }
}
