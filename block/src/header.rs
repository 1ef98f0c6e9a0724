//! The block header: what [`crate::decode_header`] reads without touching the values.
//!
//! ```text
//! byte 0     tag: bits 0-2 field type (float 0, integer 1, unsigned 2, boolean 3, string 4),
//!            bit 3 time codec (0 regular, 1 packed), bits 4-7 value codec (per type)
//! varint     count, 1..=MAX_POINTS
//! scaled     min_time                          (see varint::put_scaled: 5 bytes for whole seconds)
//! scaled     regular: interval, packed: max_time - min_time   (absent when count is 1)
//! summary    float:    count 1: first as 8 bytes LE
//!                      else:    sum, min as 8 bytes LE each, then varints of ord(max) - ord(min),
//!                               ord(first) - ord(min), ord(last) - ord(min)  (ord: see float.rs)
//!            integer:  count 1: zigzag varint first
//!                      else:    zigzag varint sum (i128), zigzag varint min, then varints of
//!                               max - min, first - min, last - min (wrapping u64)
//!            unsigned: the same without zigzag
//!            boolean:  varint trues << 2 | first << 1 | last
//!            string:   nothing
//! ```
//!
//! The value codecs take `first` from the summary instead of storing it again.

use crate::error::{corrupt, Result};
use crate::float::{from_ord, ord};
use crate::types::{FieldType, Header, Summary, ValuesRef};
use crate::varint::{put_ivarint, put_scaled, put_uvarint, Reader};
use crate::MAX_POINTS;

const WHAT: &str = "block header";

/// How the timestamps are stored, from bit 3 of the tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeCodec {
    /// Evenly spaced: the header's interval says it all and there is no time section.
    Regular,
    /// A time section follows the header (see time.rs).
    Packed,
}

/// A parsed header plus what the rest of the block needs to be decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parsed {
    pub(crate) header: Header,
    pub(crate) time_codec: TimeCodec,
    pub(crate) value_codec: u8,
    /// Regular: the interval in ns; packed: 0.
    pub(crate) interval: i64,
}

/// Appends the header; the tag byte gets `value_codec` 0 and is patched with [`set_value_codec`].
pub(crate) fn write(out: &mut Vec<u8>, times: &[i64], time_codec: TimeCodec, summary: &Summary) {
    let field_type = match summary {
        Summary::Float { .. } => FieldType::Float,
        Summary::Integer { .. } => FieldType::Integer,
        Summary::Unsigned { .. } => FieldType::Unsigned,
        Summary::Boolean { .. } => FieldType::Boolean,
        Summary::String => FieldType::String,
    };
    out.push(field_type.code() | u8::from(time_codec == TimeCodec::Packed) << 3);
    let n = times.len();
    put_uvarint(out, n as u128);
    put_scaled(out, times[0]);
    if n > 1 {
        match time_codec {
            TimeCodec::Regular => put_scaled(out, times[1].wrapping_sub(times[0])),
            TimeCodec::Packed => put_scaled(out, times[n - 1].wrapping_sub(times[0])),
        }
    }
    match *summary {
        Summary::Float {
            sum,
            min,
            max,
            first,
            last,
        } => {
            if n == 1 {
                out.extend_from_slice(&first.to_bits().to_le_bytes());
            } else {
                out.extend_from_slice(&sum.to_bits().to_le_bytes());
                out.extend_from_slice(&min.to_bits().to_le_bytes());
                for v in [max, first, last] {
                    put_uvarint(out, u128::from(ord(v).wrapping_sub(ord(min)) as u64));
                }
            }
        }
        Summary::Integer {
            sum,
            min,
            max,
            first,
            last,
        } => {
            if n == 1 {
                put_ivarint(out, first);
            } else {
                put_uvarint(out, ((sum << 1) ^ (sum >> 127)) as u128);
                put_ivarint(out, min);
                for v in [max, first, last] {
                    put_uvarint(out, u128::from(v.wrapping_sub(min) as u64));
                }
            }
        }
        Summary::Unsigned {
            sum,
            min,
            max,
            first,
            last,
        } => {
            if n == 1 {
                put_uvarint(out, u128::from(first));
            } else {
                put_uvarint(out, sum);
                put_uvarint(out, u128::from(min));
                for v in [max, first, last] {
                    put_uvarint(out, u128::from(v.wrapping_sub(min)));
                }
            }
        }
        Summary::Boolean { trues, first, last } => {
            put_uvarint(out, u128::from(trues) << 2 | u128::from(first) << 1 | u128::from(last));
        }
        Summary::String => {}
    }
}

/// Sets the value codec in the tag byte at `out[start]`.
pub(crate) fn set_value_codec(out: &mut [u8], start: usize, codec: u8) {
    assert!(codec < 16, "BUG: value codec {codec} does not fit 4 bits");
    out[start] |= codec << 4;
}

/// Reads a header written by [`write`], leaving `r` at the time or value section.
pub(crate) fn read(r: &mut Reader<'_>) -> Result<Parsed> {
    let tag = r.u8(WHAT)?;
    let field_type =
        FieldType::from_code(tag & 7).ok_or_else(|| corrupt(WHAT, format!("unknown field type {}", tag & 7)))?;
    let time_codec = if tag & 8 == 0 {
        TimeCodec::Regular
    } else {
        TimeCodec::Packed
    };
    let count = r.uvarint(WHAT)?;
    if count == 0 || count > MAX_POINTS as u64 {
        return Err(corrupt(WHAT, format!("count {count}; want 1..={MAX_POINTS}")));
    }
    let n = count as u32;
    let min_time = r.scaled(WHAT)?;
    let (mut max_time, mut interval) = (min_time, 0);
    if n > 1 {
        let v = r.scaled(WHAT)?;
        max_time = match time_codec {
            TimeCodec::Regular => {
                interval = v;
                i64::from(n - 1)
                    .checked_mul(v)
                    .and_then(|span| min_time.checked_add(span))
                    .filter(|_| v > 0)
                    .ok_or_else(|| corrupt(WHAT, format!("{n} points {v} ns apart from {min_time} overflow")))?
            }
            TimeCodec::Packed => min_time.wrapping_add(v),
        };
        if max_time <= min_time {
            return Err(corrupt(
                WHAT,
                format!("max time {max_time} not after min time {min_time}"),
            ));
        }
    }
    let summary = read_summary(r, field_type, n)?;
    Ok(Parsed {
        header: Header {
            field_type,
            count: n,
            min_time,
            max_time,
            summary,
        },
        time_codec,
        value_codec: tag >> 4,
        interval,
    })
}

fn read_summary(r: &mut Reader<'_>, field_type: FieldType, n: u32) -> Result<Summary> {
    let f64_le = |r: &mut Reader<'_>| -> Result<f64> {
        Ok(f64::from_bits(u64::from_le_bytes(
            r.bytes(8, WHAT)?.try_into().expect("8 bytes"),
        )))
    };
    Ok(match field_type {
        FieldType::Float if n == 1 => {
            let v = f64_le(r)?;
            Summary::Float {
                sum: 0.0 + v,
                min: v,
                max: v,
                first: v,
                last: v,
            }
        }
        FieldType::Float => {
            let (sum, min) = (f64_le(r)?, f64_le(r)?);
            let mut more = [0.0; 3];
            for m in &mut more {
                *m = from_ord(ord(min).wrapping_add(r.uvarint(WHAT)? as i64));
            }
            Summary::Float {
                sum,
                min,
                max: more[0],
                first: more[1],
                last: more[2],
            }
        }
        FieldType::Integer if n == 1 => {
            let v = r.ivarint(WHAT)?;
            Summary::Integer {
                sum: i128::from(v),
                min: v,
                max: v,
                first: v,
                last: v,
            }
        }
        FieldType::Integer => {
            let z = r.uvarint128(WHAT)?;
            let sum = (z >> 1) as i128 ^ -((z & 1) as i128);
            let min = r.ivarint(WHAT)?;
            let mut more = [0; 3];
            for m in &mut more {
                *m = min.wrapping_add(r.uvarint(WHAT)? as i64);
            }
            Summary::Integer {
                sum,
                min,
                max: more[0],
                first: more[1],
                last: more[2],
            }
        }
        FieldType::Unsigned if n == 1 => {
            let v = r.uvarint(WHAT)?;
            Summary::Unsigned {
                sum: u128::from(v),
                min: v,
                max: v,
                first: v,
                last: v,
            }
        }
        FieldType::Unsigned => {
            let sum = r.uvarint128(WHAT)?;
            let min = r.uvarint(WHAT)?;
            let mut more = [0; 3];
            for m in &mut more {
                *m = min.wrapping_add(r.uvarint(WHAT)?);
            }
            Summary::Unsigned {
                sum,
                min,
                max: more[0],
                first: more[1],
                last: more[2],
            }
        }
        FieldType::Boolean => {
            let v = r.uvarint(WHAT)?;
            let trues = v >> 2;
            let (first, last) = (v & 2 != 0, v & 1 != 0);
            let n = u64::from(n);
            let lo = u64::from(first) + u64::from(last && n > 1);
            let hi = n - u64::from(!first) - u64::from(!last && n > 1);
            if (n == 1 && first != last) || trues < lo || trues > hi {
                return Err(corrupt(WHAT, format!("{trues} trues in {n} booleans")));
            }
            Summary::Boolean {
                trues: trues as u32,
                first,
                last,
            }
        }
        FieldType::String => Summary::String,
    })
}

/// The exact aggregates over `values` (non-empty), as [`Summary`] defines them.
pub(crate) fn summarize(values: ValuesRef<'_>) -> Summary {
    match values {
        ValuesRef::Float(v) => {
            let (mut sum, mut min, mut max) = (0.0, v[0], v[0]);
            for &x in v {
                sum += x;
                if x < min {
                    min = x;
                }
                if x > max {
                    max = x;
                }
            }
            Summary::Float {
                sum,
                min,
                max,
                first: v[0],
                last: v[v.len() - 1],
            }
        }
        ValuesRef::Integer(v) => Summary::Integer {
            sum: v.iter().map(|&x| i128::from(x)).sum(),
            min: *v.iter().min().expect("BUG: empty block"),
            max: *v.iter().max().expect("BUG: empty block"),
            first: v[0],
            last: v[v.len() - 1],
        },
        ValuesRef::Unsigned(v) => Summary::Unsigned {
            sum: v.iter().map(|&x| u128::from(x)).sum(),
            min: *v.iter().min().expect("BUG: empty block"),
            max: *v.iter().max().expect("BUG: empty block"),
            first: v[0],
            last: v[v.len() - 1],
        },
        ValuesRef::Boolean(v) => Summary::Boolean {
            trues: v.iter().filter(|&&b| b).count() as u32,
            first: v[0],
            last: v[v.len() - 1],
        },
        ValuesRef::String(_) => Summary::String,
    }
}
