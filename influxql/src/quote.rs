//! Quoting of identifiers and strings as Go's `QuoteIdent` and `QuoteString` do.

use crate::scanner::{is_ident_char, is_ident_first_char};
use crate::token::{lookup, Token};

/// Whether `ident` must be double-quoted to read back as the same identifier: it is a
/// keyword, or has a character other than ASCII letters, digits and `_`, or starts with a digit.
pub fn ident_needs_quotes(ident: &str) -> bool {
    if lookup(ident) != Token::Ident {
        return true;
    }
    let mut chars = ident.chars();
    match chars.next() {
        None => false,
        Some(c) if !is_ident_first_char(c) => true,
        Some(_) => chars.any(|c| !is_ident_char(c)),
    }
}

fn escape_into(out: &mut String, s: &str, quote: char) {
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// An identifier made of `.`-joined segments, each quoted only when needed (Go's
/// `QuoteIdent(segments...)`): an empty first or last segment is quoted, an empty middle one
/// is left empty (`db..m`), and every non-empty segment but the last is quoted.
pub fn quote_ident_segments(segments: &[&str]) -> String {
    let mut out = String::new();
    let last = segments.len().saturating_sub(1);
    for (i, seg) in segments.iter().enumerate() {
        let need =
            ident_needs_quotes(seg) || (i < last && !seg.is_empty()) || ((i == 0 || i == last) && seg.is_empty());
        if need {
            out.push('"');
        }
        escape_into(&mut out, seg, '"');
        if need {
            out.push('"');
        }
        if i < last {
            out.push('.');
        }
    }
    out
}

/// One identifier, quoted only when needed: `cpu`, `"my db"`, `"select"`, `""`.
pub fn quote_ident(ident: &str) -> String {
    quote_ident_segments(&[ident])
}

/// A single-quoted string literal: `'it\'s'`; newlines and backslashes are escaped.
pub fn quote_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    escape_into(&mut out, s, '\'');
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_ident_table() {
        let f = |input: &str, want: &str| assert_eq!(quote_ident(input), want, "{input:?}");
        f("cpu", "cpu");
        f("_x1", "_x1");
        f("my db", "\"my db\"");
        f("1abc", "\"1abc\"");
        f("select", "\"select\"");
        f("Time", "Time");
        f("true", "\"true\"");
        f("", "\"\"");
        f("a\"b", "\"a\\\"b\"");
        f("a\\b", "\"a\\\\b\"");
        f("a\nb", "\"a\\nb\"");
        f("héllo", "\"héllo\"");
        f("a.b", "\"a.b\"");
    }

    #[test]
    fn quote_segments() {
        assert_eq!(quote_ident_segments(&["db", "rp", "m"]), "\"db\".\"rp\".m");
        assert_eq!(quote_ident_segments(&["db", "", "m"]), "\"db\"..m");
        assert_eq!(quote_ident_segments(&["a", "b", "c", "d"]), "\"a\".\"b\".\"c\".d");
    }

    #[test]
    fn quote_string_table() {
        assert_eq!(quote_string("a'b"), "'a\\'b'");
        assert_eq!(quote_string("a\"b"), "'a\"b'");
        assert_eq!(quote_string("a\\b\n"), "'a\\\\b\\n'");
    }
}
