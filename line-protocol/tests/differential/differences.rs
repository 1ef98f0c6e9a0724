//! The known differences between InfluxDB 1.x (which this crate follows) and IOx.

use super::*;

/// A known way InfluxDB 1.x (this crate) and IOx differ on one line. A disagreement is
/// explained by the first of `Difference::ALL` that matches it: the precise ones (which check
/// our error or IOx's result) come first, the ones that only look for a byte last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Difference {
    Crlf,
    DuplicateTags,
    EqualsInTagValue,
    FloatOverflow,
    TimestampSentinel,
    NameEscapes,
    TrailingSpace,
    FloatSpelling,
    TextAfterClosingQuote,
    TrailingFieldComma,
    CommaInKey,
    CommentSpansLines,
    Nul,
    Tab,
    DoubleBackslash,
}

impl Difference {
    pub(crate) const ALL: [Self; 15] = [
        Self::Crlf,
        Self::DuplicateTags,
        Self::EqualsInTagValue,
        Self::FloatOverflow,
        Self::TimestampSentinel,
        Self::NameEscapes,
        Self::TrailingSpace,
        Self::FloatSpelling,
        Self::TextAfterClosingQuote,
        Self::TrailingFieldComma,
        Self::CommaInKey,
        Self::CommentSpansLines,
        Self::Nul,
        Self::Tab,
        Self::DoubleBackslash,
    ];

    /// One line on the difference and where it comes from.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Crlf => "Cairn drops a `\\r` before `\\n` (intended; 1.x keeps it, as IOx does, and rejects)",
            Self::DuplicateTags => "1.x rejects a repeated tag key (`duplicate tags`); IOx keeps both tags",
            Self::EqualsInTagValue => {
                "1.x allows `=` in a tag value only as its first byte (`invalid tag format`); IOx anywhere"
            }
            Self::FloatOverflow => "1.x rejects a float beyond f64 (`invalid float`, Go's ERANGE); IOx stores infinity",
            Self::TimestampSentinel => {
                "1.x keeps i64::MIN, MIN+1 and MAX free as sentinels (`time outside range`); IOx accepts them"
            }
            Self::NameEscapes => {
                "1.x unescapes `\\=` and `\\\"` in measurements, `\\\"` in field keys; IOx keeps the backslash"
            }
            Self::TrailingSpace => "1.x accepts spaces after the fields; IOx only after a timestamp",
            Self::FloatSpelling => {
                "1.x (Go's ParseFloat) reads `1.`, `.5`, `-.5`, `1.e5`; IOx wants digits on both sides of `.`"
            }
            Self::TextAfterClosingQuote => {
                "1.x takes a string as its token minus the first and last byte (`s=\"a\"b` is `a\"`); IOx rejects"
            }
            Self::TrailingFieldComma => {
                "IOx ignores a `,` after the last field (its `separated_list1`); 1.x: invalid field format"
            }
            Self::CommaInKey => {
                "IOx ends tag and field keys only at `=` or whitespace, so a `,` joins the key; 1.x rejects"
            }
            Self::CommentSpansLines => {
                "1.x skips a `#` line to where `scanLine` ends it (past quoted or escaped `\\n`); IOx to the first `\\n`"
            }
            Self::Nul => "1.x skips NULs like spaces (leading, before fields and timestamp); IOx refuses or keeps them",
            Self::Tab => "1.x keeps a tab in names and skips it before fields and timestamp; IOx ends names at a tab",
            Self::DoubleBackslash => {
                "1.x keeps `\\\\` in names and its 2nd `\\` escapes the next delimiter; IOx reads `\\\\` as `\\`"
            }
        }
    }

    /// A body with one line that shows the difference.
    pub(crate) fn example(self) -> &'static str {
        match self {
            Self::Crlf => "m v=1 1\r\n",
            Self::DuplicateTags => "m,t=1,t=2 v=1",
            Self::EqualsInTagValue => "m,t=a=b v=1",
            Self::FloatOverflow => "m v=1e400",
            Self::TimestampSentinel => "m v=1 9223372036854775807",
            Self::NameEscapes => "m\\=x v=1",
            Self::TrailingSpace => "m v=1 ",
            Self::FloatSpelling => "m v=1.",
            Self::TextAfterClosingQuote => "m s=\"a\"b",
            Self::TrailingFieldComma => "m v=1,",
            Self::CommaInKey => "m,a,b=1 v=1",
            Self::CommentSpansLines => "# s=\"\nm s=\"x\"",
            Self::Nul => "\0m v=1 1",
            Self::Tab => "m\tx v=1 1",
            Self::DoubleBackslash => "m\\\\x v=1",
        }
    }

    /// Whether this difference explains the disagreement in `c`.
    pub(crate) fn matches(self, c: &Case<'_>) -> bool {
        // The line as our parser reads it: without a `\r` before the `\n`.
        let line = c.line.strip_suffix('\r').filter(|_| c.terminated).unwrap_or(c.line);
        let outside = outside_strings(line);
        match self {
            // IOx agrees once the `\r` is gone.
            Self::Crlf => c.terminated && c.line.strip_suffix('\r').is_some_and(|l| theirs_agree(c, l)),
            Self::DuplicateTags => {
                c.ours_rejects_with("DuplicateTags")
                    && c.theirs_point()
                        .is_some_and(|p| p.tags.windows(2).any(|w| w[0].0 == w[1].0))
            }
            Self::EqualsInTagValue => {
                c.ours_rejects_with("InvalidTagFormat")
                    && c.theirs_point()
                        .is_some_and(|p| p.tags.iter().any(|t| t.1.chars().skip(1).any(|c| c == '=')))
            }
            Self::FloatOverflow => {
                c.ours_rejects_with("InvalidFloat")
                    && c.theirs_point().is_some_and(|p| {
                        p.fields
                            .iter()
                            .any(|f| matches!(f.1, Value::Float(bits) if f64::from_bits(bits).is_infinite()))
                    })
            }
            Self::TimestampSentinel => {
                c.ours_rejects_with("TimeOutsideRange")
                    && c.theirs_point()
                        .is_some_and(|p| !(MIN_NANOS..=MAX_NANOS).contains(&p.time))
            }
            // Both accept, and IOx's point with those escapes removed is ours.
            Self::NameEscapes => c.ours_accepts() && same_but_name_escapes(&c.ours, &c.theirs),
            // IOx agrees once the trailing spaces (and a `\r` that we drop) are gone.
            Self::TrailingSpace => c.ours_accepts() && theirs_agree(c, line.trim_end_matches(' ')),
            Self::FloatSpelling => c.ours_accepts() && c.theirs_rejects() && value_tokens(&outside).any(go_only_float),
            Self::TextAfterClosingQuote => {
                let b = line.as_bytes();
                c.ours_accepts()
                    && c.theirs_rejects()
                    && string_spans(line)
                        .iter()
                        .any(|&(_, close)| close < b.len() && !matches!(b.get(close + 1), None | Some(b',' | b' ')))
            }
            Self::TrailingFieldComma => {
                let b = outside.as_bytes();
                c.ours_rejects()
                    && c.theirs_point().is_some()
                    && (1..b.len())
                        .any(|i| b[i] == b',' && b[i - 1] != b'\\' && matches!(b.get(i + 1), None | Some(b' ')))
            }
            Self::CommaInKey => {
                c.ours_rejects()
                    && c.theirs_point().is_some()
                    && iox_raw_keys(line).iter().any(|k| has_unescaped(k, b','))
            }
            Self::CommentSpansLines => {
                c.ours == Outcome::Skipped
                    && line.trim_start_matches([' ', '\t', '\0']).starts_with('#')
                    && line.contains('\n')
            }
            Self::Nul => !c.ours_rejects() && outside.contains('\0'),
            Self::Tab => {
                c.ours_accepts() && c.theirs_rejects() && outside.trim_start_matches([' ', '\t']).contains('\t')
            }
            Self::DoubleBackslash => outside.contains("\\\\"),
        }
    }
}

/// Whether IOx, given `line` instead of `c.line`, gives our outcome (but for name escapes).
pub(crate) fn theirs_agree(c: &Case<'_>, line: &str) -> bool {
    theirs(line).is_ok_and(|t| same_but_name_escapes(&c.ours, &t))
}

/// Whether the outcomes are the same once IOx's measurement has `\=` and `\"` unescaped and
/// its field keys `\"`, as 1.x does ([`Difference::NameEscapes`]).
pub(crate) fn same_but_name_escapes(ours: &Outcome, theirs: &Outcome) -> bool {
    let (Outcome::Accepted(ours), Outcome::Accepted(theirs)) = (ours, theirs) else {
        return ours == theirs;
    };
    let unescape = |s: &str, specials: &[char]| {
        specials
            .iter()
            .fold(s.to_string(), |s, &c| s.replace(&format!("\\{c}"), &c.to_string()))
    };
    let mut theirs = theirs.clone();
    theirs.measurement = unescape(&theirs.measurement, &['=', '"']);
    for f in &mut theirs.fields {
        f.0 = unescape(&f.0, &['"']);
    }
    *ours == theirs
}

/// The raw tag and field keys of `line`, cut the way IOx cuts them: a key runs to `=` or
/// whitespace (a `,` does not end it), a tag value or an unquoted field value to `,` or
/// whitespace, a string value to its closing quote; a backslash takes the next byte along.
/// Stops where IOx would fail.
pub(crate) fn iox_raw_keys(line: &str) -> Vec<&str> {
    let b = line.as_bytes();
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n');
    let scan = |mut i: usize, end: &dyn Fn(u8) -> bool| {
        while i < b.len() && !end(b[i]) {
            i += if b[i] == b'\\' { 2 } else { 1 };
        }
        i.min(b.len())
    };
    let mut keys = Vec::new();
    let start = line.len() - line.trim_start_matches([' ', '\t', '\n']).len();
    let mut i = scan(start, &|c| ws(c) || c == b',');
    while b.get(i) == Some(&b',') {
        let k = scan(i + 1, &|c| ws(c) || c == b'=');
        keys.push(&line[i + 1..k]);
        if b.get(k) != Some(&b'=') {
            return keys;
        }
        i = scan(k + 1, &|c| ws(c) || c == b',');
    }
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    loop {
        let k = scan(i, &|c| ws(c) || c == b'=');
        keys.push(&line[i..k]);
        if b.get(k) != Some(&b'=') {
            return keys;
        }
        i = k + 1;
        if b.get(i) == Some(&b'"') {
            i = scan(i + 1, &|c| c == b'"') + 1;
        } else {
            i = scan(i, &|c| ws(c) || c == b',');
        }
        if b.get(i) != Some(&b',') {
            return keys;
        }
        i += 1;
    }
}

/// Whether `raw` holds the byte `c` not escaped by a backslash.
pub(crate) fn has_unescaped(raw: &str, c: u8) -> bool {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == c {
            return true;
        }
        i += if b[i] == b'\\' { 2 } else { 1 };
    }
    false
}

/// The first listed difference that explains the disagreement in `c`.
pub(crate) fn classify(c: &Case<'_>) -> Option<Difference> {
    Difference::ALL.into_iter().find(|d| d.matches(c))
}

/// Quoted string values of `line` as (opening quote, closing quote or `line.len()`), found the
/// way `scanLine` finds them: after the first space, a `"` toggles when more `=` than `,` were
/// seen outside quotes, and a backslash skips the next byte.
pub(crate) fn string_spans(line: &str) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let (mut in_fields, mut open, mut equals, mut commas) = (false, None, 0, 0);
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b' ' => in_fields = true,
            b'=' if in_fields && open.is_none() => equals += 1,
            b',' if in_fields && open.is_none() => commas += 1,
            b'"' if in_fields && equals > commas => match open.take() {
                None => open = Some(i),
                Some(s) => spans.push((s, i)),
            },
            _ => {}
        }
        i += 1;
    }
    spans.extend(open.map(|s| (s, b.len())));
    spans
}

/// `line` with the inside of its quoted string values replaced by `_`, so that what is found
/// in it is in a name, a number or a timestamp.
pub(crate) fn outside_strings(line: &str) -> String {
    let mut b = line.as_bytes().to_vec();
    for (open, close) in string_spans(line) {
        b[open + 1..close].fill(b'_');
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// The unquoted tokens that follow a `=`, up to the next `,` or space.
pub(crate) fn value_tokens(outside: &str) -> impl Iterator<Item = &str> {
    outside
        .split('=')
        .skip(1)
        .map(|s| s.split([',', ' ']).next().unwrap_or(""))
}

/// A float InfluxDB 1.x (Go's `ParseFloat`) reads but IOx's grammar
/// (`-?d+(.d+)?([eE][+-]?d+)?`) does not: `1.`, `.5`, `-.5`, `1.e5`.
pub(crate) fn go_only_float(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let starts_ok = digits.starts_with(|c: char| c.is_ascii_digit() || c == '.');
    let mantissa = digits.split(['e', 'E']).next().unwrap_or("");
    let iox_ok = match mantissa.split_once('.') {
        None => true,
        Some((int, frac)) => !int.is_empty() && !frac.is_empty(),
    };
    starts_ok && !iox_ok && t.parse::<f64>().is_ok_and(f64::is_finite)
}
