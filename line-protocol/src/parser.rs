//! The line scanner: splits a body into lines and each line into measurement, tags, fields
//! and timestamp, following InfluxDB 1.x's `models/points.go` rule for rule, including its
//! quirks (each is marked "quirk" below and pinned by the reference corpus).
//!
//! Escapes are judged the way InfluxDB judges them, which is not one rule: in the
//! measurement and tags a delimiter is escaped when the byte before it is a backslash (so
//! `\\,` still escapes the comma), while the line splitter and the field scanner skip a
//! backslash and the byte after it.

use std::borrow::Cow;

use memchr::{memchr, memchr2};

use crate::error::{ErrorKind, LineError, MAX_KEY_LEN, MAX_NANOS, MIN_NANOS};
use crate::escape::{cmp_tag_keys, unescape, NAME_SPECIALS, STRING_SPECIALS, TAG_SPECIALS};
use crate::number::{scan_boolean, scan_number};
use crate::point::{Batch, Buffers, Field, FieldValue, PointData, Tag};
use crate::precision::Precision;
use crate::scan::{find_unescaped, ByteSet};

/// How to read the lines of one body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Unit of the timestamps written in the lines.
    pub precision: Precision,
    /// Server time in ns for lines without a timestamp; truncated to `precision`, as
    /// InfluxDB does.
    pub default_time: i64,
    /// What one body may hold; none by default.
    pub limits: Limits,
}

/// Limits on one body, each 0 for none. InfluxDB 1.x has none of them (only a body size);
/// a server sets them so that one request cannot take the memory and time of many: they are
/// checked before the line is parsed (its length), right after (its field count), and as
/// points are added (their count), so a body over a limit never costs more memory than the
/// limit allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one line (leading whitespace and the line ending not counted); a longer line
    /// is rejected with [`ErrorKind::LineTooLong`], unparsed.
    pub max_line_bytes: usize,
    /// Fields of one line; a line with more is rejected with [`ErrorKind::TooManyFields`].
    pub max_fields_per_line: usize,
    /// Accepted points of one body; the point past it stops the parse, and
    /// [`Batch::exceeds_max_points`] says so (the body is to be refused whole).
    pub max_points: usize,
}

/// Bytes of a line quoted in the error for a line over a limit: the line may be megabytes
/// long, and its start says which line it was.
const QUOTED_PREFIX: usize = 64;

impl ParseOptions {
    /// Nanosecond timestamps, lines without one get `default_time`, no limits.
    pub fn new(default_time: i64) -> Self {
        Self {
            precision: Precision::Nanosecond,
            default_time,
            limits: Limits::default(),
        }
    }

    /// The same options with another precision.
    pub fn with_precision(self, precision: Precision) -> Self {
        Self { precision, ..self }
    }

    /// The same options with limits.
    pub fn with_limits(self, limits: Limits) -> Self {
        Self { limits, ..self }
    }
}

/// The start of a line over a limit, cut on a character boundary, as its error quotes it.
fn quoted_prefix(line: &str) -> Cow<'_, str> {
    if line.len() <= QUOTED_PREFIX {
        return Cow::Borrowed(line);
    }
    let mut end = QUOTED_PREFIX;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}...", &line[..end]))
}

/// Parses every line of `body`. A bad line is reported in [`Batch::errors`] and never stops
/// the others.
///
/// Lines end at `\n`, except inside a quoted string value or right after a backslash. Blank
/// lines, leading whitespace (space, tab, NUL) and lines starting with `#` are skipped. A `\r`
/// right before the `\n` is dropped: InfluxDB 1.x keeps it and then rejects the line, Cairn accepts
/// CRLF bodies (docs/compatibility.md).
pub fn parse_lines<'a>(body: &'a [u8], options: &ParseOptions) -> Batch<'a> {
    parse_lines_into(body, options, Buffers::default())
}

/// [`parse_lines`] into the memory of an earlier batch ([`Batch::recycle`]). A server that
/// parses body after body keeps one [`Buffers`] per worker: the vectors of a batch are
/// several times the size of its body, and fresh ones cost a page fault per 4 KiB.
pub fn parse_lines_into<'a>(body: &'a [u8], options: &ParseOptions, buffers: Buffers) -> Batch<'a> {
    let mut batch = buffers.into_batch();
    // Size the vectors once, from the line count and the shape of the first point (bodies
    // are usually uniform): regrowing them copies more bytes than the body holds.
    let limits = options.limits;
    let mut lines = memchr::memchr_iter(b'\n', body).count() + 1;
    if limits.max_points > 0 {
        lines = lines.min(limits.max_points);
    }
    batch.points.reserve(lines);
    let mut sized = false;
    let text = std::str::from_utf8(body).ok();
    let default_time = options.precision.truncate(options.default_time);
    let mut pos = 0;
    let mut line_number = 1usize;
    while pos < body.len() {
        // `plain`: no quote or backslash, so no escape to remove and no newline inside.
        let (end, plain) = line_end(body, pos);
        let this_line = line_number;
        line_number += 1;
        if !plain {
            line_number += memchr::memchr_iter(b'\n', &body[pos..end]).count();
        }
        let (start, stop) = (pos, end);
        pos = end + 1;

        // CRLF: drop the `\r` of a line that ends in `\r\n` (not a lone `\r` at the end).
        let stop = if stop < body.len() && stop > start && body[stop - 1] == b'\r' {
            stop - 1
        } else {
            stop
        };
        let Some(first) = body[start..stop].iter().position(|&c| !matches!(c, b' ' | b'\t' | 0)) else {
            continue; // blank
        };
        let start = start + first;
        if body[start] == b'#' {
            continue; // comment
        }
        if limits.max_line_bytes > 0 && stop - start > limits.max_line_bytes {
            // Not parsed at all: a long line costs no memory beyond the body.
            let end = (start + QUOTED_PREFIX + 4).min(stop);
            let head = String::from_utf8_lossy(&body[start..end]);
            batch.errors.push(LineError {
                line_number: this_line,
                line: Cow::Owned(quoted_prefix(&head).into_owned()),
                kind: ErrorKind::LineTooLong {
                    len: stop - start,
                    max: limits.max_line_bytes,
                },
            });
            continue;
        }
        let line = match text {
            Some(t) => &t[start..stop],
            None => match std::str::from_utf8(&body[start..stop]) {
                Ok(s) => s,
                Err(_) => {
                    let line = String::from_utf8_lossy(&body[start..stop]);
                    batch.errors.push(LineError {
                        line_number: this_line,
                        line,
                        kind: ErrorKind::InvalidUtf8,
                    });
                    continue;
                }
            },
        };
        let (tags_mark, fields_mark) = (batch.tags.len(), batch.fields.len());
        let escaped = !plain && memchr(b'\\', line.as_bytes()).is_some();
        let parsed = parse_line(line, escaped, &mut batch, options.precision, default_time).and_then(|ok| {
            // Counted after the parse: the line is within `max_line_bytes`, so its fields are
            // too, and the error can say how many there were.
            let count = batch.fields.len() - fields_mark;
            match limits.max_fields_per_line {
                max if max > 0 && count > max => Err(ErrorKind::TooManyFields { count, max }),
                _ => Ok(ok),
            }
        });
        if parsed.is_ok() && limits.max_points > 0 && batch.points.len() >= limits.max_points {
            batch.tags.truncate(tags_mark);
            batch.fields.truncate(fields_mark);
            batch.too_many_points = true;
            break;
        }
        match parsed {
            Ok((measurement, time)) if !sized => {
                sized = true;
                batch.tags.reserve(batch.tags.len() * lines);
                batch.fields.reserve(batch.fields.len() * lines);
                batch.points.push(PointData {
                    measurement,
                    tags: (tags_mark as u32, batch.tags.len() as u32),
                    fields: (fields_mark as u32, batch.fields.len() as u32),
                    time,
                    line_number: this_line as u32,
                });
            }
            Ok((measurement, time)) => batch.points.push(PointData {
                measurement,
                tags: (tags_mark as u32, batch.tags.len() as u32),
                fields: (fields_mark as u32, batch.fields.len() as u32),
                time,
                line_number: this_line as u32,
            }),
            Err(kind) => {
                batch.tags.truncate(tags_mark);
                batch.fields.truncate(fields_mark);
                let line = match kind {
                    ErrorKind::TooManyFields { .. } => quoted_prefix(line),
                    _ => Cow::Borrowed(line),
                };
                batch.errors.push(LineError {
                    line_number: this_line,
                    line,
                    kind,
                });
            }
        }
    }
    batch
}

/// Index of the `\n` that ends the line starting at `pos`, or the body length; and whether
/// the line is plain (holds no quote and no backslash).
fn line_end(body: &[u8], pos: usize) -> (usize, bool) {
    let nl = memchr(b'\n', &body[pos..]).map_or(body.len(), |i| pos + i);
    // Without a quote or a backslash the first newline is the end; otherwise follow
    // InfluxDB's `scanLine`, where a quoted string or an escape can hold a newline.
    if memchr2(b'"', b'\\', &body[pos..nl]).is_none() {
        return (nl, true);
    }
    let (mut quoted, mut in_fields) = (false, false);
    let (mut equals, mut commas) = (0usize, 0usize);
    let mut i = pos;
    while i < body.len() {
        let c = body[i];
        if c == b'\\' {
            i += 2; // quirk: the escaped byte may be the newline itself
            continue;
        }
        if c == b' ' {
            in_fields = true; // quirk: quotes in the tag section do not protect a newline
        }
        if in_fields {
            if !quoted && c == b'=' {
                equals += 1;
            } else if !quoted && c == b',' {
                commas += 1;
            } else if c == b'"' && equals > commas {
                quoted = !quoted;
            }
        }
        if c == b'\n' && !quoted {
            break;
        }
        i += 1;
    }
    (i.min(body.len()), false)
}

/// Parses one line (no leading whitespace, no line ending) into the batch's tag and field
/// vectors; returns the measurement and time. `escaped`: the line holds a backslash. On error the caller drops what was pushed.
fn parse_line<'a>(
    line: &'a str,
    escaped: bool,
    batch: &mut Batch<'a>,
    precision: Precision,
    default_time: i64,
) -> Result<(Cow<'a, str>, i64), ErrorKind> {
    let b = line.as_bytes();
    let unesc = |raw: &'a str, specials: &[u8]| {
        if escaped {
            unescape(raw, specials)
        } else {
            Cow::Borrowed(raw)
        }
    };

    // Measurement: up to the first unescaped comma or space.
    if b[0] == b',' {
        return Err(ErrorKind::MissingMeasurement);
    }
    let Some(mut end) = find_unescaped(b, 1, &MEASUREMENT_END) else {
        return Err(ErrorKind::MissingFields);
    };
    let measurement = unesc(&line[..end], NAME_SPECIALS);

    // Tags: `,key=value` until an unescaped space.
    let tags_start = batch.tags.len();
    while b[end] == b',' {
        let ks = end + 1;
        if ks >= b.len() || matches!(b[ks], b' ' | b',' | b'=') {
            return Err(ErrorKind::MissingTagKey);
        }
        let Some(ke) = find_unescaped(b, ks + 1, &TAG_END) else {
            return Err(ErrorKind::MissingTagValue);
        };
        if b[ke] != b'=' {
            return Err(ErrorKind::MissingTagValue);
        }
        let vs = ke + 1;
        if vs >= b.len() || matches!(b[vs], b' ' | b',') {
            return Err(ErrorKind::MissingTagValue);
        }
        // quirk: a value may start with '=', but not contain one later.
        let Some(ve) = find_unescaped(b, vs + 1, &TAG_END) else {
            return Err(ErrorKind::MissingFields);
        };
        if b[ve] == b'=' {
            return Err(ErrorKind::InvalidTagFormat);
        }
        batch.tags.push(Tag {
            key: unesc(&line[ks..ke], TAG_SPECIALS),
            value: unesc(&line[vs..ve], TAG_SPECIALS),
        });
        end = ve;
    }
    sort_tags(&mut batch.tags[tags_start..], escaped)?;
    let key_len = end; // the key is measurement and tags as written
    if key_len > MAX_KEY_LEN {
        return Err(ErrorKind::MaxKeyLength { len: key_len });
    }

    // Fields, then the optional timestamp.
    let fields_end = scan_fields(line, end, batch, escaped, key_len)?;
    let time = scan_time(b, fields_end, precision)?.unwrap_or(default_time);
    Ok((measurement, time))
}

/// Delimiters that end a measurement.
const MEASUREMENT_END: ByteSet = ByteSet::new(b", ");
/// Delimiters that end a tag key or value.
const TAG_END: ByteSet = ByteSet::new(b", =");
/// Bytes the field scanner must look at; all others are skipped.
const FIELD_SPECIAL: ByteSet = ByteSet::new(b"\\\"=, ");

/// Sorts a point's tags by key as InfluxDB does and rejects a repeated key. Lines from most
/// clients are already sorted, so check before sorting. Without escapes in the line, keys hold
/// no special bytes and compare as plain strings.
pub(crate) fn sort_tags(tags: &mut [Tag<'_>], escaped: bool) -> Result<(), ErrorKind> {
    let cmp = |a: &str, b: &str| {
        if escaped {
            return cmp_tag_keys(a, b);
        }
        // Keys mostly differ in their first byte: decide there without calling memcmp.
        match (a.as_bytes().first(), b.as_bytes().first()) {
            (Some(x), Some(y)) if x != y => x.cmp(y),
            _ => a.cmp(b),
        }
    };
    let mut sorted = true;
    for w in tags.windows(2) {
        match cmp(&w[0].key, &w[1].key) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => return Err(ErrorKind::DuplicateTags),
            std::cmp::Ordering::Greater => {
                sorted = false;
                break;
            }
        }
    }
    if !sorted {
        // Stable insertion sort: tag sets are small and nearly sorted.
        for i in 1..tags.len() {
            let mut j = i;
            while j > 0 && cmp(&tags[j - 1].key, &tags[j].key).is_gt() {
                tags.swap(j - 1, j);
                j -= 1;
            }
        }
        if tags.windows(2).any(|w| w[0].key == w[1].key) {
            return Err(ErrorKind::DuplicateTags);
        }
    }
    Ok(())
}

/// Scans the field section that starts after the space at `from`; pushes the fields and
/// returns where the section ended (a space or the end of the line). InfluxDB's
/// `scanFields`: the counts of `=` and `,` outside quotes must match up.
fn scan_fields<'a>(
    line: &'a str,
    from: usize,
    batch: &mut Batch<'a>,
    escaped: bool,
    key_len: usize,
) -> Result<usize, ErrorKind> {
    let b = line.as_bytes();
    let n = b.len();
    let start = skip_whitespace(b, from);
    let mut i = start;
    let (mut equals, mut commas) = (0usize, 0usize);
    let mut quoted = false;
    let mut key_start = start;
    let mut longest_key = 0usize;
    // A string value in progress: (key start, key end, value start at the opening quote).
    let mut string: Option<(usize, usize, usize)> = None;
    let unesc = |raw: &'a str, specials: &[u8]| {
        if escaped {
            unescape(raw, specials)
        } else {
            Cow::Borrowed(raw)
        }
    };

    while i < n {
        let c = b[i];
        if !FIELD_SPECIAL.contains(c) {
            i = FIELD_SPECIAL.find(b, i);
            continue;
        }
        if c == b'\\' && i + 1 < n {
            i += 2;
            continue;
        }
        if c == b'"' && equals > commas {
            quoted = !quoted;
            i += 1;
            continue;
        }
        if c == b'=' && !quoted {
            equals += 1;
            // "m =1" and "m a=1,=2" have no key; "a\ =1" does.
            if matches!(b[i - 1], b' ' | b',') && b[i - 2] != b'\\' {
                return Err(ErrorKind::MissingFieldKey);
            }
            if i + 1 >= n || matches!(b[i + 1], b',' | b' ') {
                return Err(ErrorKind::MissingFieldValue);
            }
            longest_key = longest_key.max(i - key_start);
            let v = b[i + 1];
            if v.is_ascii_digit() || matches!(v, b'.' | b'-' | b'N' | b'n') {
                let (end, value) = scan_number(b, i + 1)?;
                batch.fields.push(Field {
                    key: unesc(&line[key_start..i], NAME_SPECIALS),
                    value,
                });
                i = end;
                continue;
            }
            if v != b'"' {
                let (end, value) = scan_boolean(b, i + 1)?;
                batch.fields.push(Field {
                    key: unesc(&line[key_start..i], NAME_SPECIALS),
                    value,
                });
                i = end;
                continue;
            }
            string = Some((key_start, i, i + 1));
            i += 1;
            continue;
        }
        if c == b',' && !quoted {
            commas += 1;
            if let Some(s) = string.take() {
                push_string(line, s, i, batch, &unesc);
            }
            key_start = i + 1;
        } else if c == b' ' && !quoted {
            break;
        }
        i += 1;
    }
    if quoted {
        return Err(ErrorKind::UnbalancedQuotes);
    }
    if equals == 0 || commas != equals - 1 {
        return Err(ErrorKind::InvalidFieldFormat);
    }
    if let Some(s) = string.take() {
        push_string(line, s, i.min(n), batch, &unesc);
    }
    let end = i.min(n);
    if escaped {
        // InfluxDB walks the fields a second time with other escape rules; with backslashes
        // about, the two walks can disagree, and the second one decides.
        walk_fields(line, start, end, key_len)?;
    } else if key_len + 4 + longest_key > MAX_KEY_LEN {
        // The key and each field name, with "#!~#" between, must fit (`seriesKeySize`).
        return Err(ErrorKind::MaxKeyLength {
            len: key_len + 4 + longest_key,
        });
    }
    Ok(end)
}

/// InfluxDB's `walkFields` over the field section `line[start..end]`: a key ends at an `=`
/// whose previous byte is not a backslash (so a key ending in `\\` swallows its `=`), a value
/// at an unquoted comma. Rejects a key left without `=` or value, and a key too long for the
/// series key.
fn walk_fields(line: &str, start: usize, end: usize, key_len: usize) -> Result<(), ErrorKind> {
    let b = &line.as_bytes()[start..end];
    let mut pos = 0;
    while pos < b.len() {
        let mut i = pos;
        while i < b.len() && !(b[i] == b'=' && (i == pos || b[i - 1] != b'\\')) {
            i += 1;
        }
        if i + 2 > b.len() {
            return Err(ErrorKind::InvalidFieldKey {
                key: line[start + pos..start + i].to_string(),
            });
        }
        if key_len + 4 + (i - pos) > MAX_KEY_LEN {
            return Err(ErrorKind::MaxKeyLength {
                len: key_len + 4 + (i - pos),
            });
        }
        let mut j = i + 1;
        let mut quoted = false;
        while j < b.len() {
            match b[j] {
                b'\\' if j + 1 < b.len() && matches!(b[j + 1], b'"' | b'\\') => j += 1,
                b'"' => quoted = !quoted,
                b',' if !quoted => break,
                _ => {}
            }
            j += 1;
        }
        pos = if j < b.len() { j + 1 } else { j }; // past the comma
    }
    Ok(())
}

/// Pushes a string field whose value runs from the opening quote to `end`.
fn push_string<'a>(
    line: &'a str,
    (ks, ke, vs): (usize, usize, usize),
    end: usize,
    batch: &mut Batch<'a>,
    unesc: &impl Fn(&'a str, &[u8]) -> Cow<'a, str>,
) {
    // quirk: the value is the token minus its first and last byte, so `s="x"y` stores `x"`.
    // We cut whole characters where the last byte is inside one.
    let mut last = end - 1;
    while !line.is_char_boundary(last) {
        last -= 1;
    }
    let inner = &line[vs + 1..last.max(vs + 1)];
    batch.fields.push(Field {
        key: unesc(&line[ks..ke], NAME_SPECIALS),
        value: FieldValue::String(unesc(inner, STRING_SPECIALS)),
    });
}

/// Skips spaces, tabs and NULs, as InfluxDB's `skipWhitespace` does.
fn skip_whitespace(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | 0) {
        i += 1;
    }
    i
}

/// Scans the optional timestamp after the fields: `Ok(None)` when there is none.
fn scan_time(b: &[u8], from: usize, precision: Precision) -> Result<Option<i64>, ErrorKind> {
    let start = skip_whitespace(b, from);
    let neg = b.get(start) == Some(&b'-');
    let mut i = start + usize::from(neg);
    // Digits accumulate as a negative number so that i64::MIN fits; None once out of range.
    let mut acc = Some(0i64);
    while i < b.len() && b[i] != b' ' && b[i] != b'\n' {
        if !b[i].is_ascii_digit() {
            return Err(ErrorKind::BadTimestamp);
        }
        acc = acc
            .and_then(|a| a.checked_mul(10))
            .and_then(|a| a.checked_sub(i64::from(b[i] - b'0')));
        i += 1;
    }
    if i == start {
        return Ok(None);
    }
    let text = || String::from_utf8_lossy(&b[start..i]).into_owned();
    let ts = match acc {
        _ if i == start + 1 && neg => {
            return Err(ErrorKind::TimestampNotInt64 {
                text: text(),
                reason: "invalid syntax",
            });
        }
        Some(a) if neg => a,
        Some(a) => a.checked_neg().ok_or_else(|| ErrorKind::TimestampNotInt64 {
            text: text(),
            reason: "value out of range",
        })?,
        None => {
            return Err(ErrorKind::TimestampNotInt64 {
                text: text(),
                reason: "value out of range",
            })
        }
    };
    let Some(ns) = precision.to_nanos(ts) else {
        return Err(ErrorKind::TimeOutsideRange);
    };
    if !(MIN_NANOS..=MAX_NANOS).contains(&ns) {
        return Err(ErrorKind::TimeOutsideRange);
    }
    if b[i..].iter().any(|&c| c != b' ') {
        return Err(ErrorKind::TrailingContent);
    }
    Ok(Some(ns))
}

#[cfg(test)]
mod tests;
