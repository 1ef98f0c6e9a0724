//! block: the compressed block format for one (series, field) run of points, and its codecs.
//!
//! The storage engine (`shard`) hands [`encode`] up to [`MAX_POINTS`] points of one series
//! and field, in time order, and stores the bytes; queries call [`decode_header`] for
//! whole-block aggregates and [`decode`] for the points. Pure computation over byte slices:
//! no I/O, no RocksDB, nothing of Cairn's. Corrupt or truncated bytes give an [`Error`], never
//! a panic, and no allocation larger than [`MAX_POINTS`] values or the input can hold.
//!
//! A block is a header (header.rs has the byte map: one tag byte, the count, the time range
//! and a [`Summary`], in varints), then the timestamps when they are not evenly spaced
//! (time.rs), then the values after the first (which the summary already holds), in the
//! codec the encoder found smallest for this block; the codec is a 4-bit code in the tag:
//!
//! | type | codecs (module) |
//! |---|---|
//! | float | Gorilla XOR, packed ulp differences, decimal scaling (float.rs, gorilla.rs) |
//! | integer, unsigned | packed differences or packed values (integer.rs) |
//! | boolean | bitmap or run lengths (boolean.rs) |
//! | string | plain, dictionary or zstd (string.rs) |
//!
//! Every numeric codec ends in frame-of-reference bit packing of 128-value frames
//! (bitpack.rs), whose decoder is a branch-free loop per bit width.
//!
//! Measured by `benches/codec.rs` on the arena's data (1000 hosts, 100 000 lines; devops:
//! 100 points per series, telegraf: 25), bytes per value, whole blocks (value sections alone
//! had every block used one codec):
//!
//! | data | whole blocks | value codecs |
//! |---|---|---|
//! | devops float | 6.580 | gorilla 6.670, ulp 6.137, decimal n/a (chosen: 6.118) |
//! | telegraf float | 7.313 | gorilla 6.438, ulp 6.130, decimal n/a (chosen: 5.529) |
//! | telegraf integer | 2.286 | delta 1.411, for 1.601 |
//! | telegraf boolean | 0.369 | bitmap 0.120, runs 0.013 |
//! | telegraf string | 2.160 | plain 12.080, dict 3.000, zstd 1.840 |
//!
//! The telegraf blocks hold 25 points, so their headers (1.8 bytes/value for floats) weigh.
//! "n/a": some blocks have no exact decimal scale, though it wins on `load1`.
//!
//! ```
//! use block::{decode, decode_header, encode, Summary, Values, ValuesRef};
//!
//! let times: Vec<i64> = (0..100).map(|i| 1_767_225_600_000_000_000 + i * 10_000_000_000).collect();
//! let loads: Vec<f64> = (0..100).map(|i| f64::from(i % 7) / 100.0).collect();
//! let mut block = Vec::new();
//! encode(&times, ValuesRef::Float(&loads), &mut block).unwrap();
//! let header = decode_header(&block).unwrap();
//! assert_eq!(header.max_time, times[99]);
//! assert!(matches!(header.summary, Summary::Float { max, .. } if max == 0.06));
//!
//! let (mut t, mut v) = (Vec::new(), Values::Float(Vec::new()));
//! decode(&block, &mut t, &mut v).unwrap();
//! assert_eq!((t, v), (times, Values::Float(loads)));
//! ```

mod bitpack;
mod boolean;
mod error;
mod float;
mod gorilla;
mod header;
mod integer;
#[doc(hidden)]
pub mod measure;
mod string;
mod time;
mod types;
mod varint;

pub use error::{Error, Result};
pub use types::{FieldType, Header, Summary, Values, ValuesRef};

use header::{Parsed, TimeCodec};
use varint::Reader;

/// The most points a block holds.
///
/// 1024 = 8 full frames of 128, about TSM's 1000. A float block's header and frame headers
/// cost about 45 bytes (0.45 bytes/value at the arena's 100 points a series, 0.045 at 1024),
/// and decoding pays a fixed ~100 ns a block, so larger blocks gain little more while a
/// query that needs one point decodes more. Not yet measured on longer series: the arena's
/// benchmark data never fills a block.
pub const MAX_POINTS: usize = 1024;

/// Appends one block: `times` strictly increasing, `values` as many, 1..=[`MAX_POINTS`] of
/// them; floats must be finite (NaN and infinities are refused, as InfluxDB refuses them).
pub fn encode(times: &[i64], values: ValuesRef<'_>, out: &mut Vec<u8>) -> Result<()> {
    encode_with(times, values, None, out).map(|_| ())
}

/// [`encode`] with the value codec forced; false (and `out` as it was) when that codec
/// cannot hold the values.
fn encode_with(times: &[i64], values: ValuesRef<'_>, forced: Option<u8>, out: &mut Vec<u8>) -> Result<bool> {
    check(times, values)?;
    let summary = header::summarize(values);
    let time_codec = time::choose(times);
    let start = out.len();
    header::write(out, times, time_codec, &summary);
    if time_codec == TimeCodec::Packed {
        time::encode_packed(times, out);
    }
    let unsigned = || match values {
        ValuesRef::Unsigned(v) => v.iter().map(|&x| x as i64).collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let codec = match (values, forced) {
        (ValuesRef::Float(v), None) => float::encode(v, out),
        (ValuesRef::Integer(v), None) => integer::encode(v, out),
        (ValuesRef::Unsigned(_), None) => integer::encode(&unsigned(), out),
        (ValuesRef::Boolean(v), None) => boolean::encode(v, out),
        (ValuesRef::String(v), None) => string::encode(v, out),
        (values, Some(c)) => {
            let ok = match values {
                ValuesRef::Float(v) => float::encode_with(c, v, out),
                ValuesRef::Integer(v) => integer::encode_with(c, v, out),
                ValuesRef::Unsigned(_) => integer::encode_with(c, &unsigned(), out),
                ValuesRef::Boolean(v) => boolean::encode_with(c, v, out),
                ValuesRef::String(v) => string::encode_with(c, v, out),
            };
            if !ok {
                out.truncate(start);
                return Ok(false);
            }
            c
        }
    };
    header::set_value_codec(out, start, codec);
    Ok(true)
}

fn check(times: &[i64], values: ValuesRef<'_>) -> Result<()> {
    if times.is_empty() {
        return Err(Error::Empty);
    }
    if times.len() > MAX_POINTS {
        return Err(Error::TooManyPoints { count: times.len() });
    }
    if values.len() != times.len() {
        return Err(Error::LengthMismatch {
            times: times.len(),
            values: values.len(),
        });
    }
    if let Some(i) = times.windows(2).position(|w| w[1] <= w[0]) {
        return Err(Error::Unsorted {
            index: i + 1,
            prev: times[i],
            time: times[i + 1],
        });
    }
    if let ValuesRef::Float(v) = values {
        if let Some(index) = v.iter().position(|x| !x.is_finite()) {
            return Err(Error::NonFinite {
                index,
                value: v[index].to_string(),
            });
        }
    }
    Ok(())
}

/// Reads only the header of `block`.
pub fn decode_header(block: &[u8]) -> Result<Header> {
    Ok(header::read(&mut Reader::new(block))?.header)
}

/// Decodes `block` into `times` and `values` (cleared first; `values` is replaced when it
/// holds another type) and returns its header.
pub fn decode(block: &[u8], times: &mut Vec<i64>, values: &mut Values) -> Result<Header> {
    let mut r = Reader::new(block);
    let p = header::read(&mut r)?;
    time::decode(&mut r, &p, times)?;
    decode_values(&mut r, &p, values)?;
    if r.remaining() != 0 {
        return Err(error::corrupt(
            "block",
            format!("{} bytes after the values", r.remaining()),
        ));
    }
    Ok(p.header)
}

fn decode_values(r: &mut Reader<'_>, p: &Parsed, values: &mut Values) -> Result<()> {
    let (n, codec) = (p.header.count as usize, p.value_codec);
    if values.field_type() != p.header.field_type {
        *values = match p.header.field_type {
            FieldType::Float => Values::Float(Vec::new()),
            FieldType::Integer => Values::Integer(Vec::new()),
            FieldType::Unsigned => Values::Unsigned(Vec::new()),
            FieldType::Boolean => Values::Boolean(Vec::new()),
            FieldType::String => Values::String(Vec::new()),
        };
    }
    let last_ok = match (&p.header.summary, values) {
        (Summary::Float { first, last, .. }, Values::Float(out)) => {
            float::decode(codec, r, n, *first, out)?;
            out.last().map(|v| v.to_bits()) == Some(last.to_bits())
        }
        (Summary::Integer { first, last, .. }, Values::Integer(out)) => {
            integer::decode_i64(codec, r, n, *first, out)?;
            out.last() == Some(last)
        }
        (Summary::Unsigned { first, last, .. }, Values::Unsigned(out)) => {
            integer::decode_u64(codec, r, n, *first, out)?;
            out.last() == Some(last)
        }
        (Summary::Boolean { trues, first, last }, Values::Boolean(out)) => {
            boolean::decode(codec, r, n, *first, out)?;
            out.last() == Some(last) && out.iter().filter(|&&b| b).count() == *trues as usize
        }
        (Summary::String, Values::String(out)) => {
            string::decode(codec, r, n, out)?;
            true
        }
        (s, v) => panic!(
            "BUG: summary {s:?} read for a {:?} block, values are {:?}",
            p.header.field_type,
            v.field_type()
        ),
    };
    if !last_ok {
        return Err(error::corrupt("block", "the last value is not the header's"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
