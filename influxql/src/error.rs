//! The parse error, whose text is InfluxDB 1.x's word for word.

use std::fmt;

/// A position in the query text: 0-based line and 0-based character (not byte) in the line,
/// as Go's scanner counts them (`\r\n` is one newline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// 0-based line.
    pub line: usize,
    /// 0-based character within the line.
    pub char: usize,
}

/// Why a query did not parse. `Display` is InfluxDB's text without the
/// `error parsing query: ` prefix, which the HTTP layer adds, e.g.
/// `found EOF, expected FROM at line 1, char 9`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// `found X, expected A, B at line L, char C`.
    #[error("found {found}, expected {} at line {}, char {}", expected.join(", "), pos.line + 1, pos.char + 1)]
    Unexpected {
        /// The token found (its literal, or its name when it has none).
        found: String,
        /// What the grammar allowed there.
        expected: Vec<String>,
        /// Where the token starts.
        pos: Pos,
    },
    /// `<message> at line L, char C`.
    #[error("{message} at line {}, char {}", pos.line + 1, pos.char + 1)]
    AtPos {
        /// What went wrong.
        message: String,
        /// Where.
        pos: Pos,
    },
    /// A message without a position (InfluxDB reports some errors that way, e.g.
    /// `missing parameter: h` or `expected number argument in fill()`).
    #[error("{0}")]
    Message(String),
}

impl ParseError {
    pub(crate) fn unexpected(found: String, expected: &[&str], pos: Pos) -> Self {
        ParseError::Unexpected {
            found,
            expected: expected.iter().map(|s| s.to_string()).collect(),
            pos,
        }
    }

    pub(crate) fn at(message: impl fmt::Display, pos: Pos) -> Self {
        ParseError::AtPos {
            message: message.to_string(),
            pos,
        }
    }

    pub(crate) fn msg(message: impl fmt::Display) -> Self {
        ParseError::Message(message.to_string())
    }

    /// 1-based (line, char) of the error, when InfluxDB reports one.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            ParseError::Unexpected { pos, .. } | ParseError::AtPos { pos, .. } => Some((pos.line + 1, pos.char + 1)),
            ParseError::Message(_) => None,
        }
    }
}

/// Result of parsing.
pub type Result<T, E = ParseError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        let e = ParseError::unexpected("EOF".into(), &["FROM"], Pos { line: 0, char: 8 });
        assert_eq!(e.to_string(), "found EOF, expected FROM at line 1, char 9");
        assert_eq!(e.position(), Some((1, 9)));
        let e = ParseError::unexpected("x".into(), &["(", "identifier"], Pos { line: 2, char: 0 });
        assert_eq!(e.to_string(), "found x, expected (, identifier at line 3, char 1");
        assert_eq!(
            ParseError::at("invalid duration", Pos::default()).to_string(),
            "invalid duration at line 1, char 1"
        );
        assert_eq!(
            ParseError::msg("missing parameter: h").to_string(),
            "missing parameter: h"
        );
    }
}
