//! Unquoted field values: numbers and booleans, with InfluxDB 1.x's rules for what is a
//! number (`scanNumber`) and a boolean (`scanBoolean`), and the same error for each mistake.

use crate::error::ErrorKind;
use crate::point::FieldValue;

/// Exact powers of ten in f64: with a mantissa below 2^53, `m / 10^k` for k <= 22 is
/// correctly rounded (Clinger's fast path), which covers most decimal sensor readings.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Scans the number starting at `b[start]` (a digit, `.`, `-`, `N` or `n`) up to the next `,`,
/// space or end of line. Returns where it ended and its value.
pub(crate) fn scan_number(b: &[u8], start: usize) -> Result<(usize, FieldValue<'static>), ErrorKind> {
    if let Some(done) = fast_decimal(b, start) {
        return Ok(done);
    }
    let n = b.len();
    let mut i = start;
    let (mut is_int, mut is_uint, mut decimal, mut scientific) = (false, false, false, false);
    if b[i] == b'-' {
        i += 1;
        if i == n {
            return Err(ErrorKind::InvalidNumber);
        }
    }
    while i < n {
        let c = b[i];
        if c == b',' || c == b' ' {
            break;
        }
        // A type suffix is accepted once, anywhere after the first byte; "9i10" is caught below.
        if (c == b'i' || c == b'u') && i > start && !(is_int || is_uint) {
            is_int |= c == b'i';
            is_uint |= c == b'u';
            i += 1;
            continue;
        }
        if c == b'.' {
            if decimal {
                return Err(ErrorKind::InvalidNumber);
            }
            decimal = true;
        }
        if i > start && (c == b'e' || c == b'E') {
            scientific = true;
            i += 1;
            continue;
        }
        if (c == b'+' || c == b'-') && (b[i - 1] == b'e' || b[i - 1] == b'E') {
            i += 1;
            continue;
        }
        // NaN, and anything else that is not a digit or the decimal point.
        if !(c.is_ascii_digit() || c == b'.') {
            return Err(ErrorKind::InvalidNumber);
        }
        i += 1;
    }
    if (is_int || is_uint) && (decimal || scientific) {
        return Err(ErrorKind::InvalidNumber);
    }
    // InfluxDB counts the digits this way, `u` included: "-u" passes here and fails below.
    let digits = i - start - usize::from(is_int) - usize::from(decimal) - usize::from(b[start] == b'-');
    if digits == 0 {
        return Err(ErrorKind::InvalidNumber);
    }
    let text = ascii(&b[start..i]);
    if is_int {
        if b[i - 1] != b'i' {
            return Err(ErrorKind::InvalidNumber);
        }
        let digits = &text[..text.len() - 1];
        let v = digits.parse::<i64>().map_err(|_| ErrorKind::IntegerOutOfRange {
            digits: digits.to_string(),
        })?;
        return Ok((i, FieldValue::Integer(v)));
    }
    if is_uint {
        if b[i - 1] != b'u' || b[start] == b'-' {
            return Err(ErrorKind::InvalidNumber);
        }
        let digits = &text[..text.len() - 1];
        let v = digits.parse::<u64>().map_err(|_| ErrorKind::UnsignedOutOfRange {
            digits: digits.to_string(),
        })?;
        return Ok((i, FieldValue::Unsigned(v)));
    }
    // Go's ParseFloat fails on overflow where Rust returns infinity.
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok((i, FieldValue::Float(v))),
        _ => Err(ErrorKind::InvalidFloat),
    }
}

/// The common case `-?digits(.digits)?` followed by `,`, space or end: parsed in one pass.
/// `None` sends everything else to the general scanner.
#[inline]
fn fast_decimal(b: &[u8], start: usize) -> Option<(usize, FieldValue<'static>)> {
    let n = b.len();
    let neg = b[start] == b'-';
    let mut i = start + usize::from(neg);
    let mut mantissa: u64 = 0;
    let mut sig = 0usize; // digits accumulated into `mantissa`
    let int_start = i;
    while i < n && b[i].is_ascii_digit() {
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b[i] - b'0'));
        i += 1;
    }
    sig += i - int_start;
    let mut frac = 0usize;
    if i < n && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < n && b[i].is_ascii_digit() {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b[i] - b'0'));
            i += 1;
        }
        frac = i - frac_start;
        sig += frac;
    }
    if sig == 0 || (i < n && b[i] != b',' && b[i] != b' ') {
        return None;
    }
    // 15 digits always fit below 2^53; longer runs may not, and may have wrapped.
    if sig <= 15 && frac < POW10.len() {
        let v = mantissa as f64 / POW10[frac];
        return Some((i, FieldValue::Float(if neg { -v } else { v })));
    }
    if sig <= 19 && mantissa < (1u64 << 53) && frac < POW10.len() {
        let v = mantissa as f64 / POW10[frac];
        return Some((i, FieldValue::Float(if neg { -v } else { v })));
    }
    let v: f64 = ascii(&b[start..i]).parse().ok()?;
    v.is_finite().then_some((i, FieldValue::Float(v)))
}

/// Scans a boolean starting at `b[start]`: `t T true True TRUE f F false False FALSE`.
pub(crate) fn scan_boolean(b: &[u8], start: usize) -> Result<(usize, FieldValue<'static>), ErrorKind> {
    let end = b[start..]
        .iter()
        .position(|&c| c == b',' || c == b' ')
        .map_or(b.len(), |p| start + p);
    let v = match &b[start..end] {
        b"t" | b"T" | b"true" | b"True" | b"TRUE" => true,
        b"f" | b"F" | b"false" | b"False" | b"FALSE" => false,
        _ => return Err(ErrorKind::InvalidBoolean),
    };
    Ok((end, FieldValue::Boolean(v)))
}

/// The scanners only let ASCII through to number parsing.
fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_else(|_| panic!("BUG: number scanner passed non-ASCII bytes {b:?}"))
}

#[cfg(test)]
mod tests;
