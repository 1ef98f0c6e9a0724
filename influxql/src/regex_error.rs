//! Compiles regex literals and words their errors as Go's `regexp` does
//! (`error parsing regexp: missing closing ): `(a``), for the cases clients hit.

use regex_syntax::ast::{parse::Parser, ErrorKind};

/// Compiles `source`, or returns the error text InfluxDB would show.
pub(crate) fn compile(source: &str) -> Result<regex::Regex, String> {
    match regex::Regex::new(source) {
        Ok(re) => Ok(re),
        Err(e) => Err(go_message(source).unwrap_or_else(|| format!("error parsing regexp: {e}"))),
    }
}

fn go_message(source: &str) -> Option<String> {
    let err = Parser::new().parse(source).err()?;
    let span = err.span();
    let at = |a: usize, b: usize| source.get(a..b).unwrap_or("").to_string();
    let (code, expr) = match err.kind() {
        ErrorKind::GroupUnclosed => ("missing closing )", source.to_string()),
        ErrorKind::GroupUnopened => ("unexpected )", source.to_string()),
        ErrorKind::ClassUnclosed => ("missing closing ]", at(span.start.offset, source.len())),
        ErrorKind::RepetitionMissing => {
            let start = span.start.offset;
            let op_len = source[start..].chars().next().map_or(0, char::len_utf8);
            let prev = source[..start].chars().next_back();
            if matches!(prev, Some('*' | '+' | '?')) {
                ("invalid nested repetition operator", at(start - 1, start + op_len))
            } else {
                ("missing argument to repetition operator", at(start, start + op_len))
            }
        }
        ErrorKind::EscapeUnrecognized => ("invalid escape sequence", at(span.start.offset, span.end.offset)),
        ErrorKind::EscapeUnexpectedEof => ("trailing backslash at end of expression", String::new()),
        ErrorKind::ClassRangeInvalid => ("invalid character class range", at(span.start.offset, span.end.offset)),
        ErrorKind::RepetitionCountInvalid | ErrorKind::RepetitionCountUnclosed => {
            ("invalid repeat count", at(span.start.offset, span.end.offset))
        }
        _ => return None,
    };
    Some(format!("error parsing regexp: {code}: `{expr}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_texts() {
        let f = |src: &str, want: &str| assert_eq!(compile(src).unwrap_err(), want, "{src:?}");
        f("(a", "error parsing regexp: missing closing ): `(a`");
        f("a)", "error parsing regexp: unexpected ): `a)`");
        f("[a", "error parsing regexp: missing closing ]: `[a`");
        f(
            "*a",
            "error parsing regexp: missing argument to repetition operator: `*`",
        );
        f("a\\q", "error parsing regexp: invalid escape sequence: `\\q`");
        assert!(compile("^cpu.*$").is_ok());
    }
}
