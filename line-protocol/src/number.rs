//! Unquoted field values: numbers and booleans, with InfluxDB 1.x's rules for what is a
//! number (`scanNumber`) and a boolean (`scanBoolean`), and the same error for each mistake.

use crate::error::ErrorKind;
use crate::point::FieldValue;
use crate::scan::eight_digits;

/// Exact powers of ten in f64: with a mantissa below 2^53, `m / 10^k` for k <= 22 is
/// correctly rounded (Clinger's fast path), which covers most decimal sensor readings.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Exact powers of ten up to 10^22 as integers, for the exact rounding check.
const POW10_U128: [u128; 23] = {
    let mut t = [1u128; 23];
    let mut i = 1;
    while i < 23 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// Powers of ten that fit a u64 run of up to 8 digits.
const POW10_U64: [u64; 9] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

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
    // Mantissa of all digits, integer and fraction; `sig` counts them, up to 19 fit a u64.
    let (mut mantissa, mut sig) = (0u64, 0usize);
    let mut frac = 0usize;
    let mut in_fraction = false;
    loop {
        let run = match eight_digits(b, i) {
            Some((d, v)) => {
                if d > 0 && sig + d <= 19 {
                    mantissa = mantissa * POW10_U64[d] + v;
                }
                d
            }
            None => {
                // Fewer than 8 bytes left in the line: one digit at a time.
                let mut d = 0;
                while i + d < n && b[i + d].is_ascii_digit() {
                    if sig + d < 19 {
                        mantissa = mantissa * 10 + u64::from(b[i + d] - b'0');
                    }
                    d += 1;
                }
                d
            }
        };
        sig += run;
        i += run;
        if in_fraction {
            frac += run;
        }
        if run == 8 {
            continue; // maybe more digits
        }
        if !in_fraction && i < n && b[i] == b'.' {
            in_fraction = true;
            i += 1;
            continue;
        }
        break;
    }
    if sig == 0 || (i < n && b[i] != b',' && b[i] != b' ') {
        return None;
    }
    if sig <= 19 && frac < POW10.len() {
        if let Some(v) = decimal_to_f64(mantissa, frac) {
            return Some((i, FieldValue::Float(if neg { -v } else { v })));
        }
    }
    let v: f64 = ascii(&b[start..i]).parse().ok()?;
    v.is_finite().then_some((i, FieldValue::Float(v)))
}

/// `mantissa / 10^frac` correctly rounded, for `frac <= 22`; `None` leaves it to the
/// general parser.
///
/// Below 2^53 the mantissa is exact in f64 and one division rounds correctly (Clinger's fast
/// path). Above it (sensor readings printed with 17 digits), the quotient of the rounded
/// mantissa is within an ulp or so of the answer: each candidate next to it is checked
/// exactly in 128-bit integers, and the one within half an ulp of `mantissa / 10^frac`
/// (the even one on a tie) is the correctly rounded result.
#[inline]
fn decimal_to_f64(mantissa: u64, frac: usize) -> Option<f64> {
    if mantissa < (1u64 << 53) {
        return Some(mantissa as f64 / POW10[frac]);
    }
    let p = POW10_U128[frac];
    let guess = mantissa as f64 / POW10[frac];
    let bits = guess.to_bits();
    for c in [bits, bits + 1, bits - 1] {
        let e = ((c >> 52) & 0x7ff) as i32 - 1075;
        let r = u128::from((c & ((1 << 52) - 1)) | (1 << 52));
        // Is |mantissa/p - r*2^e| <= 2^e / 2?  Scaled by p (and 2^-e when e < 0), in integers:
        // 2 |a - b| <= bound, where a is the decimal and b the candidate.
        let (a, b, bound) = if e >= 0 {
            let rp = r.checked_mul(p)?;
            (
                u128::from(mantissa),
                checked_shl(rp, e as u32)?,
                checked_shl(p, e as u32)?,
            )
        } else {
            (checked_shl(u128::from(mantissa), (-e) as u32)?, r.checked_mul(p)?, p)
        };
        let twice = a.abs_diff(b).checked_mul(2)?;
        if twice < bound || (twice == bound && r & 1 == 0) {
            return Some(f64::from_bits(c));
        }
    }
    None
}

/// `v << s`, or `None` if bits would be lost.
fn checked_shl(v: u128, s: u32) -> Option<u128> {
    (s < 128 && v.leading_zeros() >= s).then(|| v << s)
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
