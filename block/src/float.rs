//! Float values. [`encode`] tries every codec and keeps the smallest; the code goes in the
//! block's tag. All store values `[1..]`: the first is in the header.
//!
//! - [`GORILLA`] (gorilla.rs): XOR with the previous value, as InfluxDB's TSM does. The
//!   baseline; it rarely wins (see the bench figures in lib.rs).
//! - [`ULP`]: differences of [`ord`], the order-preserving integer image of the IEEE bits,
//!   frame-of-reference packed. A random walk moves by a few ulps relative to its magnitude,
//!   so the differences need about as many bits as the step has entropy (48 for a uniform
//!   step in [-1, 1] around 50), where XOR pays for every mantissa bit below the first that
//!   differs plus its own control bits.
//! - [`DECIMAL`]: in the spirit of ALP, the smallest `e` in 0..=18 such that every value is
//!   exactly `m as f64 / 10^e` for the integer `m = round(v * 10^e)`, computed in f64 exactly
//!   as the decoder will; then the `m`s go through the integer codec (integer.rs). Values
//!   written with a few decimals (`load1=0.38`) cost the bits of their integer steps.

use crate::bitpack::{pack, unpack};
use crate::error::{corrupt, Result};
use crate::varint::Reader;
use crate::{gorilla, integer};

/// Codec: Gorilla XOR.
pub(crate) const GORILLA: u8 = 0;
/// Codec: packed differences of [`ord`].
pub(crate) const ULP: u8 = 1;
/// Codec: decimal scaling into the integer codec.
pub(crate) const DECIMAL: u8 = 2;

const WHAT: &str = "float values";

/// The IEEE bits of `v` as an i64 ordered like the floats: non-negative floats keep their
/// bits (already monotonic), negative ones have their magnitude bits flipped so that they
/// sort below, with -0.0 just below +0.0. Its own inverse is [`from_ord`].
pub(crate) fn ord(v: f64) -> i64 {
    let i = v.to_bits() as i64;
    i ^ ((i >> 63) & i64::MAX)
}

/// Inverse of [`ord`].
pub(crate) fn from_ord(i: i64) -> f64 {
    f64::from_bits((i ^ ((i >> 63) & i64::MAX)) as u64)
}

/// 10^e as f64, exact for every e used.
const POW10F: [f64; 19] = {
    let mut p = [1.0; 19];
    let mut i = 1;
    while i < 19 {
        p[i] = p[i - 1] * 10.0;
        i += 1;
    }
    p
};

/// Appends `values[1..]` (all finite) in the smallest codec, which it returns.
pub(crate) fn encode(values: &[f64], out: &mut Vec<u8>) -> u8 {
    let mut best = (ULP, Vec::new());
    encode_ulp(values, &mut best.1);
    let mut other = Vec::new();
    if encode_decimal(values, &mut other) && other.len() < best.1.len() {
        best = (DECIMAL, std::mem::take(&mut other));
    }
    other.clear();
    gorilla::encode(values, &mut other);
    if other.len() < best.1.len() {
        best = (GORILLA, other);
    }
    out.extend_from_slice(&best.1);
    best.0
}

/// Appends `values[1..]` in `codec`; false if the decimal codec cannot hold them or the
/// codec is unknown.
pub(crate) fn encode_with(codec: u8, values: &[f64], out: &mut Vec<u8>) -> bool {
    match codec {
        GORILLA => {
            gorilla::encode(values, out);
            true
        }
        ULP => {
            encode_ulp(values, out);
            true
        }
        DECIMAL => encode_decimal(values, out),
        _ => false,
    }
}

/// Reads `n` values (`first` from the header) into `out` (cleared first).
pub(crate) fn decode(codec: u8, r: &mut Reader<'_>, n: usize, first: f64, out: &mut Vec<f64>) -> Result<()> {
    out.clear();
    out.reserve(n);
    out.push(first);
    match codec {
        GORILLA => gorilla::decode(r, n, first, out),
        ULP => {
            let mut prev = ord(first);
            unpack(r, n - 1, WHAT, |deltas| {
                out.extend(deltas.iter().map(|&d| {
                    prev = prev.wrapping_add(d);
                    from_ord(prev)
                }));
            })
        }
        DECIMAL => {
            let b = r.u8(WHAT)?;
            let (e, int_codec) = ((b & 31) as usize, b >> 5);
            let p = *POW10F
                .get(e)
                .ok_or_else(|| corrupt(WHAT, format!("decimal scale 10^{e}; want <= 10^18")))?;
            let mut first_run = true;
            integer::decode(int_codec, r, n, (first * p).round() as i64, WHAT, |ints| {
                // The first run is the header's value, already in `out`.
                if !std::mem::take(&mut first_run) {
                    out.extend(ints.iter().map(|&m| m as f64 / p));
                }
            })
        }
        c => Err(corrupt(WHAT, format!("unknown float codec {c}"))),
    }
}

fn encode_ulp(values: &[f64], out: &mut Vec<u8>) {
    let deltas: Vec<i64> = values.windows(2).map(|w| ord(w[1]).wrapping_sub(ord(w[0]))).collect();
    pack(&deltas, out);
}

/// The decimal codec: `[e | integer codec << 5]` then the integer column. False (and `out`
/// untouched) when no scale holds every value exactly.
fn encode_decimal(values: &[f64], out: &mut Vec<u8>) -> bool {
    let Some((e, ints)) = decimal_scale(values) else {
        return false;
    };
    let at = out.len();
    out.push(e);
    let codec = integer::encode(&ints, out);
    out[at] |= codec << 5;
    true
}

/// The smallest scale `e` and the integers `m` with `m as f64 / 10^e == v` bit for bit.
fn decimal_scale(values: &[f64]) -> Option<(u8, Vec<i64>)> {
    // Past 2^53 the integers are no longer exact and a larger scale only makes them larger.
    const LIMIT: f64 = (1u64 << 53) as f64;
    let mut ints = Vec::with_capacity(values.len());
    'scale: for (e, &p) in POW10F.iter().enumerate() {
        ints.clear();
        for &v in values {
            let m = (v * p).round();
            if m.is_nan() || m.abs() >= LIMIT {
                return None;
            }
            if (m as i64 as f64 / p).to_bits() != v.to_bits() {
                continue 'scale;
            }
            ints.push(m as i64);
        }
        return Some((e as u8, ints));
    }
    None
}

#[cfg(test)]
mod tests;
