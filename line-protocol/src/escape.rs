//! Backslash escapes, which InfluxDB 1.x treats differently in each part of a line.
//!
//! Removing escapes is always "a backslash followed by one of the part's special bytes stands
//! for that byte; any other backslash is kept": InfluxDB's `escape.Unescape` (measurements,
//! field keys), `unescapeTag` (tag keys and values) and `unescapeStringField` (string values)
//! all reduce to this, each with its own set of special bytes.

use std::borrow::Cow;
use std::cmp::Ordering;

/// Bytes a backslash escapes in a measurement name or a field key (`escape.Unescape`).
pub(crate) const NAME_SPECIALS: &[u8] = b",\" =";
/// Bytes a backslash escapes in a tag key or tag value (`unescapeTag`).
pub(crate) const TAG_SPECIALS: &[u8] = b", =";
/// Bytes a backslash escapes inside a quoted string value (`unescapeStringField`).
pub(crate) const STRING_SPECIALS: &[u8] = b"\\\"";
/// Bytes escaped in the measurement of a series key (`EscapeMeasurement`).
pub(crate) const KEY_MEASUREMENT_SPECIALS: &[u8] = b", ";

/// Removes the escapes of `raw` for a part whose special bytes are `specials`.
pub(crate) fn unescape<'a>(raw: &'a str, specials: &[u8]) -> Cow<'a, str> {
    let bytes = raw.as_bytes();
    let Some(mut i) = memchr::memchr(b'\\', bytes) else {
        return Cow::Borrowed(raw);
    };
    let mut out: Option<String> = None;
    let mut copied = 0; // raw[..copied] is already in `out`
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' && specials.contains(&bytes[i + 1]) {
            let o = out.get_or_insert_with(|| String::with_capacity(raw.len()));
            o.push_str(&raw[copied..i]);
            copied = i + 1; // drop the backslash, keep the escaped byte
            i += 2;
        } else {
            i += 1;
        }
    }
    match out {
        None => Cow::Borrowed(raw), // only backslashes that escape nothing
        Some(mut o) => {
            o.push_str(&raw[copied..]);
            Cow::Owned(o)
        }
    }
}

/// Appends `s` to `out` with a backslash before each byte of `specials`.
pub(crate) fn escape_into(out: &mut String, s: &str, specials: &[u8]) {
    if !s.bytes().any(|b| specials.contains(&b)) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        if c.is_ascii() && specials.contains(&(c as u8)) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Orders tag keys as InfluxDB does: by their escaped bytes, which is how they appear in the
/// line it sorts (`scanKey`). Differs from plain string order only for keys holding `,`,
/// space or `=`.
pub fn cmp_tag_keys(a: &str, b: &str) -> Ordering {
    let special = |c: &u8| TAG_SPECIALS.contains(c);
    if !a.as_bytes().iter().any(special) && !b.as_bytes().iter().any(special) {
        return a.cmp(b);
    }
    fn escaped(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes().flat_map(|c| {
            let pre = TAG_SPECIALS.contains(&c).then_some(b'\\');
            pre.into_iter().chain(std::iter::once(c))
        })
    }
    escaped(a).cmp(escaped(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_per_part() {
        let f = |raw: &str, specials: &[u8], want: &str, borrowed: bool| {
            let got = unescape(raw, specials);
            assert_eq!(got, want, "{raw:?}");
            assert_eq!(matches!(got, Cow::Borrowed(_)), borrowed, "{raw:?} borrowed");
        };
        f("cpu", NAME_SPECIALS, "cpu", true);
        f(r"cpu\ load", NAME_SPECIALS, "cpu load", false);
        f(r#"a\,b\=c\ d\"e"#, NAME_SPECIALS, "a,b=c d\"e", false);
        f(r"a\xb", NAME_SPECIALS, r"a\xb", true);
        f(r"a\\b", NAME_SPECIALS, r"a\\b", true);
        // `\\,` is a kept backslash and then an escaped comma.
        f(r"a\\,b", NAME_SPECIALS, r"a\,b", false);
        f(r"trailing\", NAME_SPECIALS, r"trailing\", true);
        // Tags do not unescape quotes.
        f(r#"a\"b"#, TAG_SPECIALS, r#"a\"b"#, true);
        f(r"a\=b", TAG_SPECIALS, "a=b", false);
        // Strings unescape only `\\` and `\"`; `\n` stays two bytes.
        f(r#"say \"hi\"\\ok\n"#, STRING_SPECIALS, r#"say "hi"\ok\n"#, false);
        f(r"\\\\", STRING_SPECIALS, r"\\", false);
        f("é\\ ü", NAME_SPECIALS, "é ü", false);
    }

    #[test]
    fn escape_then_unescape_round_trips_when_no_trailing_backslash() {
        for s in ["plain", "a b", "a,b=c", r"a\b", r"a\,b", "é,ü", r#"q"q"#] {
            for specials in [NAME_SPECIALS, TAG_SPECIALS] {
                let mut out = String::new();
                escape_into(&mut out, s, specials);
                assert_eq!(unescape(&out, specials), s, "{s:?} via {out:?}");
            }
        }
    }

    #[test]
    fn tag_keys_sort_by_escaped_bytes() {
        assert_eq!(cmp_tag_keys("a", "b"), Ordering::Less);
        // ' ' < '!' unescaped, but escaped "a\ b" sorts after "a!" because '\\' > '!'.
        assert_eq!(cmp_tag_keys("a b", "a!"), Ordering::Greater);
        assert_eq!(cmp_tag_keys("a b", "a b"), Ordering::Equal);
    }
}
