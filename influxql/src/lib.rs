//! influxql: InfluxQL as InfluxDB 1.x (1.6-1.8) speaks it: lexer, recursive-descent parser,
//! AST, canonical printer, and the helpers the query path needs around them.
//!
//! Query text arrives from the data node's `/query` handler (with the decoded `params`
//! argument); the parsed [`Query`] goes to the query planner and executor. The parser is a
//! port of Go's `influxql` 1.1.0, the version Debian's InfluxDB 1.6.7 is built with, so
//! errors read word for word as InfluxDB's (without the `error parsing query: ` prefix the
//! HTTP layer adds), positions included. `Display` prints canonical InfluxQL as Go's
//! `String()` methods do; it builds the GET warning text
//! ([`Statement::read_only_warning`]). This crate depends on nothing of Cairn's and must not
//! depend on the HTTP or storage crates.
//!
//! Also here: [`Statement::required_privileges`] and [`Statement::is_read_only`],
//! durations ([`duration`]), and the split of a WHERE condition into a time range and the
//! rest ([`time::split_time_condition`]).
//!
//! ```
//! use influxql::{parse_query, Statement};
//!
//! let q = parse_query("select mean(\"value\") from \"cpu\" where time >= now() - 1h group by time(10s) fill(null); ").unwrap();
//! assert_eq!(q.statements.len(), 1);
//! assert!(matches!(q.statements[0], Statement::Select(_)));
//! assert_eq!(q.to_string(), "SELECT mean(value) FROM cpu WHERE time >= now() - 1h GROUP BY time(10s)");
//!
//! let err = parse_query("SELECT *").unwrap_err();
//! assert_eq!(err.to_string(), "found EOF, expected FROM at line 1, char 9");
//! ```
//!
//! Intended differences from Go's printer, all so that printed text parses back to the same
//! tree: numbers keep more than three decimals when three would change them, float `fill()`
//! values never use an exponent, and function names, `DISTINCT` arguments and the database
//! of SHOW MEASUREMENTS are quoted when they need to be. Expressions deeper than
//! [`MAX_EXPR_DEPTH`] (or nested more than [`MAX_NESTING`]) are refused, where Go would
//! recurse without bound. The crate's `tests/reference/FINDINGS.md` lists what was compared
//! with InfluxDB 1.6.7 and how.

mod clause;
pub mod duration;
mod error;
mod expr;
pub mod params;
mod parser;
mod privilege;
mod quote;
mod regex_error;
mod scanner;
pub mod statement;
pub mod time;
mod token;

pub use clause::{Field, Fill, Measurement, SortField, Source, Target};
pub use error::{ParseError, Pos, Result};
pub use expr::{is_math_function, BinaryExpr, BinaryOp, Call, DataType, Expr, Literal, Regex, VarRef, Wildcard};
pub use params::Params;
pub use parser::{MAX_EXPR_DEPTH, MAX_NESTING};
pub use privilege::RequiredPrivilege;
pub use quote::{ident_needs_quotes, quote_ident, quote_ident_segments, quote_string};
pub use statement::{Query, SelectStatement, Statement};

use parser::Parser;

/// Parses a query: statements separated by `;` (empty ones are skipped).
///
/// InfluxDB's handler trims the `q` text (Go's `strings.TrimSpace`) before parsing, and error
/// positions are those of the trimmed text: trim before calling this to report the same.
///
/// A query must hold a statement, and no NUL character: Go's scanner reads NUL as the end of
/// the text, so InfluxDB runs `SHOW DATABASES` for `SHOW DATABASES\0DROP DATABASE db` and
/// answers `\0` alone with no results; Cairn refuses both.
pub fn parse_query(text: &str) -> Result<Query> {
    reject_nul(text)?;
    Parser::new(text).parse_query()
}

/// The error for a NUL character in query text, at its position (counted as the scanner
/// counts: characters, with `\r\n` or a lone `\r` as one line break).
fn reject_nul(text: &str) -> Result<()> {
    let Some(at) = text.find('\0') else {
        return Ok(());
    };
    let mut pos = Pos::default();
    let mut chars = text[..at].chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' || (c == '\r' && chars.peek() != Some(&'\n')) {
            pos.line += 1;
            pos.char = 0;
        } else if c != '\r' {
            pos.char += 1;
        }
    }
    Err(ParseError::AtPos {
        message: "invalid character NUL".to_owned(),
        pos,
    })
}

/// Parses a query whose `$name` placeholders take their values from `params` (the decoded
/// JSON object of the `/query` `params` argument; see [`params`] for how values bind).
///
/// ```
/// use influxql::parse_query_with_params;
///
/// let params: influxql::Params = serde_json::from_str(r#"{"h": "a", "m": {"identifier": "cpu"}}"#).unwrap();
/// let q = parse_query_with_params("SELECT * FROM $m WHERE host = $h", &params).unwrap();
/// assert_eq!(q.to_string(), "SELECT * FROM cpu WHERE host = 'a'");
/// let err = parse_query_with_params("SELECT * FROM cpu WHERE host = $x", &params).unwrap_err();
/// assert_eq!(err.to_string(), "missing parameter: x");
/// ```
pub fn parse_query_with_params(text: &str, params: &Params) -> Result<Query> {
    reject_nul(text)?;
    Parser::new(text).with_params(params::bind_all(params)).parse_query()
}

/// Parses exactly one statement (a trailing `;` or anything else after it is not read).
pub fn parse_statement(text: &str) -> Result<Statement> {
    Parser::new(text).parse_statement()
}

/// Parses one expression, e.g. a WHERE condition.
pub fn parse_expr(text: &str) -> Result<Expr> {
    Parser::new(text).parse_expr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_statementless_queries_are_parse_errors() {
        let f = |text: &str, want: &str| {
            let got = parse_query(text).map(|q| q.to_string()).unwrap_err().to_string();
            assert_eq!(got, want, "{text:?}");
            let params = Params::new();
            let got = parse_query_with_params(text, &params).unwrap_err().to_string();
            assert_eq!(got, want, "{text:?} with params");
        };
        let expected = "SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL";
        f("\0", "invalid character NUL at line 1, char 1");
        f("SHOW DATABASES\0", "invalid character NUL at line 1, char 15");
        f(
            "SHOW DATABASES;\r\n\0DROP DATABASE db",
            "invalid character NUL at line 2, char 1",
        );
        f("SELECT * FROM \"a\0b\"", "invalid character NUL at line 1, char 17");
        f("", &format!("found EOF, expected {expected} at line 1, char 1"));
        f(";", &format!("found EOF, expected {expected} at line 1, char 2"));
        f(" ; ;", &format!("found EOF, expected {expected} at line 1, char 5"));
        f(
            "-- a comment",
            &format!("found EOF, expected {expected} at line 1, char 14"),
        );
        // Empty statements beside real ones are skipped, as InfluxDB does.
        assert_eq!(parse_query(";SHOW DATABASES;;").unwrap().statements.len(), 1);
    }

    /// Inputs the fuzzers found (`influxql/fuzz`): each must print to text that parses back
    /// to the same tree.
    #[test]
    fn fuzz_finds_print_and_parse_back() {
        let f = |text: &str, printed: &str| {
            let q = parse_query(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(q.to_string(), printed, "{text:?}");
            assert_eq!(parse_query(printed).unwrap(), q, "{text:?} -> {printed:?}");
        };
        f(
            "SELECT -value2 +value/ -(value) FROM cpu",
            "SELECT -1 * value2 + value / -(value) FROM cpu",
        );
        f(
            "SELECT a % +b, a * -mean(b) FROM m",
            "SELECT a % +b, a * -mean(b) FROM m",
        );
        f("SELECT a - -b, -a / b FROM m", "SELECT a - -1 * b, -1 * a / b FROM m");
    }

    #[test]
    fn overflowing_durations_are_parse_errors() {
        let f = |text: &str, want: &str| {
            let got = parse_query(text).map(|q| q.to_string()).unwrap_err().to_string();
            assert_eq!(got, want, "{text:?}");
        };
        f(
            "SELECT * FROM m WHERE time > now() - 99999999999999999999d",
            "overflowed duration 99999999999999999999d: choose a smaller duration or INF",
        );
        f(
            "SELECT * FROM m WHERE time > now() - 9223372036854775807w",
            "overflowed duration 9223372036854775807w: choose a smaller duration or INF",
        );
        f(
            "SELECT mean(v) FROM m WHERE time > now() - 1h GROUP BY time(213504d)",
            "overflowed duration 213504d: choose a smaller duration or INF",
        );
        f(
            "CREATE DATABASE db WITH DURATION 106752d",
            "overflowed duration 106752d: choose a smaller duration or INF at line 1, char 34",
        );
    }
}
