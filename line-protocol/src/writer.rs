//! Renders points as line protocol that [`crate::parse_lines`] reads back to the same
//! point, or says why it cannot.
//!
//! InfluxDB's escape rules leave a few values with no spelling at all: a name or tag that ends
//! in a backslash escapes the delimiter after it, a newline splits the line, and a backslash
//! before a special character is read differently by InfluxDB's scanners. Writing one is an
//! error rather than a line that parses into something else.

use std::fmt::Write as _;

use crate::error::{MAX_NANOS, MIN_NANOS};
use crate::escape::{escape_into, NAME_SPECIALS, STRING_SPECIALS, TAG_SPECIALS};
use crate::point::FieldValue;

/// Why a point cannot be written as line protocol.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    #[error("a point needs at least one field")]
    NoFields,
    #[error("{part} is empty")]
    Empty { part: &'static str },
    #[error("{part} {value:?} cannot be written in line protocol: {reason}")]
    Unrepresentable {
        part: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("field {key:?} is {value}, which line protocol cannot carry")]
    NonFinite { key: String, value: f64 },
    #[error("time {0} is outside the range InfluxDB accepts")]
    TimeOutOfRange(i64),
}

/// Appends one line (with its `\n`) for the point to `out`. Tags are written in the order
/// given; `time` is in ns, `None` leaves the timestamp out. On error `out` is unchanged.
pub fn write_line(
    out: &mut String,
    measurement: &str,
    tags: &[(&str, &str)],
    fields: &[(&str, FieldValue<'_>)],
    time: Option<i64>,
) -> Result<(), WriteError> {
    check(measurement, "measurement", NAME_SPECIALS)?;
    if measurement.starts_with(['#', '\t', '\0']) {
        return Err(unrepresentable(
            "measurement",
            measurement,
            "a line starting with it is skipped",
        ));
    }
    if fields.is_empty() {
        return Err(WriteError::NoFields);
    }
    for (k, v) in tags {
        check(k, "tag key", TAG_SPECIALS)?;
        check(v, "tag value", TAG_SPECIALS)?;
    }
    if fields[0].0.starts_with(['\t', '\0']) {
        return Err(unrepresentable(
            "field key",
            fields[0].0,
            "whitespace before the first field is skipped",
        ));
    }
    for (k, v) in fields {
        check(k, "field key", NAME_SPECIALS)?;
        // The field scanner skips a backslash and the byte after it, so `\,` in a key would
        // both hide the comma from the scanner and be unescaped to a bare comma.
        if k.as_bytes()
            .windows(2)
            .any(|w| w[0] == b'\\' && NAME_SPECIALS.contains(&w[1]))
        {
            return Err(unrepresentable("field key", k, "a backslash before a special byte"));
        }
        if let FieldValue::Float(f) = v {
            if !f.is_finite() {
                return Err(WriteError::NonFinite {
                    key: k.to_string(),
                    value: *f,
                });
            }
        }
    }
    if let Some(t) = time {
        if !(MIN_NANOS..=MAX_NANOS).contains(&t) {
            return Err(WriteError::TimeOutOfRange(t));
        }
    }

    escape_into(out, measurement, NAME_SPECIALS);
    for (k, v) in tags {
        out.push(',');
        escape_into(out, k, TAG_SPECIALS);
        out.push('=');
        escape_into(out, v, TAG_SPECIALS);
    }
    for (i, (k, v)) in fields.iter().enumerate() {
        out.push(if i == 0 { ' ' } else { ',' });
        escape_into(out, k, NAME_SPECIALS);
        out.push('=');
        // Writing to a String cannot fail.
        let _ = match v {
            // Rust prints the shortest text that reads back to the same f64, never exponents.
            FieldValue::Float(f) => write!(out, "{f}"),
            FieldValue::Integer(n) => write!(out, "{n}i"),
            FieldValue::Unsigned(n) => write!(out, "{n}u"),
            FieldValue::Boolean(b) => write!(out, "{b}"),
            FieldValue::String(s) => {
                out.push('"');
                escape_into(out, s, STRING_SPECIALS);
                out.push('"');
                Ok(())
            }
        };
    }
    if let Some(t) = time {
        let _ = write!(out, " {t}");
    }
    out.push('\n');
    Ok(())
}

/// Rules shared by names, tag keys and tag values.
fn check(s: &str, part: &'static str, specials: &[u8]) -> Result<(), WriteError> {
    if s.is_empty() {
        return Err(WriteError::Empty { part });
    }
    if s.ends_with('\\') {
        return Err(unrepresentable(part, s, "it ends with a backslash"));
    }
    if s.contains('\n') {
        return Err(unrepresentable(part, s, "it holds a newline"));
    }
    // InfluxDB reads `\\,` one way in the key section (the comma is escaped: the byte before
    // it is a backslash) and another in the line splitter and field scanner (a backslash pair,
    // then a bare comma), so a backslash before a special byte has no safe spelling.
    if s.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\\' && specials.contains(&w[1]))
    {
        return Err(unrepresentable(part, s, "a backslash before a special character"));
    }
    Ok(())
}

fn unrepresentable(part: &'static str, value: &str, reason: &'static str) -> WriteError {
    WriteError::Unrepresentable {
        part,
        value: value.chars().take(64).collect(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(m: &str, tags: &[(&str, &str)], fields: &[(&str, FieldValue<'_>)], t: Option<i64>) -> String {
        let mut out = String::new();
        write_line(&mut out, m, tags, fields, t).unwrap();
        out
    }

    #[test]
    fn renders_each_type_and_escape() {
        use FieldValue::*;
        assert_eq!(line("cpu", &[], &[("v", Float(1.0))], None), "cpu v=1\n");
        assert_eq!(
            line(
                "cpu load",
                &[("host", "srv,1"), ("region", "us west")],
                &[("n", Integer(3)), ("ok", Boolean(true))],
                Some(17)
            ),
            "cpu\\ load,host=srv\\,1,region=us\\ west n=3i,ok=true 17\n"
        );
        assert_eq!(
            line("m", &[], &[("u", Unsigned(u64::MAX))], None),
            "m u=18446744073709551615u\n"
        );
        assert_eq!(
            line("m", &[], &[("s", String(r#"say "hi"\ok"#.into()))], None),
            "m s=\"say \\\"hi\\\"\\\\ok\"\n"
        );
        assert_eq!(
            line("m", &[], &[("f", Float(1e21))], None),
            "m f=1000000000000000000000\n"
        );
        assert_eq!(line("m", &[], &[("f", Float(-0.0))], None), "m f=-0\n");
        assert_eq!(
            line("a=b\"c", &[], &[("k=\"", Float(0.5))], None),
            "a\\=b\\\"c k\\=\\\"=0.5\n"
        );
    }

    #[test]
    fn refuses_what_cannot_be_read_back() {
        let f = |m: &str, tags: &[(&str, &str)], fields: &[(&str, FieldValue<'_>)], t: Option<i64>| {
            let mut out = String::from("keep");
            let err = write_line(&mut out, m, tags, fields, t).unwrap_err();
            assert_eq!(out, "keep", "output left unchanged on {err}");
            err
        };
        let one = [("v", FieldValue::Float(1.0))];
        assert_eq!(f("", &[], &one, None), WriteError::Empty { part: "measurement" });
        assert_eq!(f("m", &[], &[], None), WriteError::NoFields);
        assert!(matches!(f("#m", &[], &one, None), WriteError::Unrepresentable { .. }));
        assert!(matches!(
            f("m", &[("k", r"v\")], &one, None),
            WriteError::Unrepresentable { .. }
        ));
        assert!(matches!(
            f("m", &[("k", "a\nb")], &one, None),
            WriteError::Unrepresentable { .. }
        ));
        assert!(matches!(
            f("m", &[("k", "")], &one, None),
            WriteError::Empty { part: "tag value" }
        ));
        assert!(matches!(
            f("m", &[], &[(r"a\,b", FieldValue::Float(1.0))], None),
            WriteError::Unrepresentable { .. }
        ));
        assert!(matches!(
            f("m", &[], &[("\tv", FieldValue::Float(1.0))], None),
            WriteError::Unrepresentable { .. }
        ));
        assert!(matches!(
            f("m", &[], &[("v", FieldValue::Float(f64::NAN))], None),
            WriteError::NonFinite { .. }
        ));
        assert_eq!(f("m", &[], &one, Some(i64::MAX)), WriteError::TimeOutOfRange(i64::MAX));
    }
}
