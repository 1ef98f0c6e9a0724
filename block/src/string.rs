//! String values, all of them (the header keeps none), whichever codec is smallest:
//!
//! - [`PLAIN`]: the byte lengths, frame-of-reference packed (bitpack.rs), then the bytes.
//! - [`DICT`]: for repeated values (`uptime_format`, status texts): a varint count of
//!   distinct values, their lengths and bytes as in `PLAIN`, then each value's index into
//!   them, packed (absent when there is one distinct value).
//! - [`ZSTD`]: a varint length, then the `PLAIN` section compressed by zstd at [`LEVEL`]: for
//!   long, distinct but similar texts. Decompression streams into a vector bounded by the
//!   stated length, so a corrupt length cannot reserve more than the data really inflates to.

use std::collections::HashMap;
use std::io::Read;

use crate::bitpack::{pack, unpack};
use crate::error::{corrupt, Result};
use crate::varint::{put_uvarint, Reader};

/// Codec: lengths then bytes.
pub(crate) const PLAIN: u8 = 0;
/// Codec: distinct values then indexes.
pub(crate) const DICT: u8 = 1;
/// Codec: zstd over `PLAIN`.
pub(crate) const ZSTD: u8 = 2;

/// zstd level: 1 to 3 give the same sizes on short texts; 1 is the fastest.
const LEVEL: i32 = 1;

/// Below this many `PLAIN` bytes, zstd's frame overhead (at least 9 bytes) cannot pay.
const ZSTD_MIN_LEN: usize = 64;

/// The longest `PLAIN` section a block can hold: InfluxDB caps a string field at 64 KiB.
const MAX_PLAIN_LEN: u64 = crate::MAX_POINTS as u64 * (64 * 1024 + 16);

const WHAT: &str = "string values";

/// Appends `values` in the smallest codec, which it returns.
pub(crate) fn encode(values: &[String], out: &mut Vec<u8>) -> u8 {
    let mut best = (PLAIN, Vec::new());
    encode_with(PLAIN, values, &mut best.1);
    for codec in [DICT, ZSTD] {
        let mut other = Vec::new();
        if encode_with(codec, values, &mut other) && other.len() < best.1.len() {
            best = (codec, other);
        }
    }
    out.extend_from_slice(&best.1);
    best.0
}

/// Appends `values` in `codec`; false when that codec does not apply.
pub(crate) fn encode_with(codec: u8, values: &[String], out: &mut Vec<u8>) -> bool {
    match codec {
        PLAIN => encode_plain(values.iter().map(String::as_str), out),
        DICT => {
            let mut index: HashMap<&str, i64> = HashMap::new();
            let mut distinct = Vec::new();
            let ids: Vec<i64> = values
                .iter()
                .map(|v| {
                    *index.entry(v).or_insert_with(|| {
                        distinct.push(v.as_str());
                        distinct.len() as i64 - 1
                    })
                })
                .collect();
            if distinct.len() == values.len() && values.len() > 1 {
                return false;
            }
            put_uvarint(out, distinct.len() as u128);
            encode_plain(distinct.iter().copied(), out);
            if distinct.len() > 1 {
                pack(&ids, out);
            }
        }
        ZSTD => {
            let mut plain = Vec::new();
            encode_plain(values.iter().map(String::as_str), &mut plain);
            if plain.len() < ZSTD_MIN_LEN {
                return false;
            }
            let packed = zstd::bulk::compress(&plain, LEVEL).expect("BUG: zstd cannot compress into a Vec");
            put_uvarint(out, plain.len() as u128);
            out.extend_from_slice(&packed);
        }
        _ => return false,
    }
    true
}

fn encode_plain<'a>(values: impl Iterator<Item = &'a str> + Clone, out: &mut Vec<u8>) {
    pack(&values.clone().map(|v| v.len() as i64).collect::<Vec<_>>(), out);
    for v in values {
        out.extend_from_slice(v.as_bytes());
    }
}

/// Reads `n` values into `out` (cleared first).
pub(crate) fn decode(codec: u8, r: &mut Reader<'_>, n: usize, out: &mut Vec<String>) -> Result<()> {
    out.clear();
    match codec {
        PLAIN => decode_plain(r, n, out),
        DICT => {
            let d = r.uvarint(WHAT)?;
            if d == 0 || d > n as u64 {
                return Err(corrupt(WHAT, format!("{d} distinct values in {n}")));
            }
            let mut distinct = Vec::new();
            decode_plain(r, d as usize, &mut distinct)?;
            if d == 1 {
                out.resize(n, distinct.pop().expect("one value"));
                return Ok(());
            }
            out.reserve(n);
            let mut bad = None;
            unpack(r, n, WHAT, |ids| {
                for &i in ids {
                    match distinct.get(i as usize) {
                        Some(v) if i >= 0 => out.push(v.clone()),
                        _ => bad = Some(i),
                    }
                }
            })?;
            match bad {
                Some(i) => Err(corrupt(WHAT, format!("index {i} into {d} distinct values"))),
                None => Ok(()),
            }
        }
        ZSTD => {
            let len = r.uvarint(WHAT)?;
            if len > MAX_PLAIN_LEN {
                return Err(corrupt(
                    WHAT,
                    format!("{len} bytes uncompressed; want at most {MAX_PLAIN_LEN}"),
                ));
            }
            let mut plain = Vec::new();
            zstd::stream::read::Decoder::with_buffer(r.rest())
                .and_then(|d| d.take(len).read_to_end(&mut plain))
                .map_err(|e| corrupt(WHAT, format!("zstd: {e}")))?;
            if plain.len() as u64 != len {
                return Err(corrupt(WHAT, format!("zstd gave {} bytes; want {len}", plain.len())));
            }
            let mut pr = Reader::new(&plain);
            decode_plain(&mut pr, n, out)?;
            if pr.remaining() != 0 {
                return Err(corrupt(
                    WHAT,
                    format!("{} bytes left after the strings", pr.remaining()),
                ));
            }
            Ok(())
        }
        c => Err(corrupt(WHAT, format!("unknown string codec {c}"))),
    }
}

fn decode_plain(r: &mut Reader<'_>, n: usize, out: &mut Vec<String>) -> Result<()> {
    let mut lens = Vec::with_capacity(n);
    unpack(r, n, WHAT, |l| lens.extend_from_slice(l))?;
    out.reserve(n);
    for len in lens {
        let len = usize::try_from(len).map_err(|_| corrupt(WHAT, format!("length {len}")))?;
        let bytes = r.bytes(len, WHAT)?;
        let s = std::str::from_utf8(bytes).map_err(|e| corrupt(WHAT, format!("not UTF-8: {e}")))?;
        out.push(s.to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn round_trip(codec: Option<u8>, values: &[String]) -> Option<(u8, usize)> {
        let mut out = Vec::new();
        let codec = match codec {
            Some(c) => {
                if !encode_with(c, values, &mut out) {
                    return None;
                }
                c
            }
            None => encode(values, &mut out),
        };
        let mut got = Vec::new();
        let mut r = Reader::new(&out);
        decode(codec, &mut r, values.len(), &mut got).unwrap();
        assert_eq!(r.remaining(), 0);
        assert_eq!(got, values);
        Some((codec, out.len()))
    }

    #[test]
    fn chosen_encodings() {
        let f = |values: Vec<String>, want: (u8, usize)| {
            assert_eq!(round_trip(None, &values), Some(want), "{values:?}");
        };
        let s = |v: &str| v.to_string();
        f(vec![s("ok"); 1000], (DICT, 1 + 2 + 2));
        f(vec![s("a"), s("bc"), s("")], (PLAIN, 3 + 3));
        // 25 points every 10 s: the minute counter changes every 6 points; zstd beats the
        // dictionary (75 bytes) as the distinct values share their text.
        f(
            (0..25).map(|i| format!("up {} min", 53760 + i / 6)).collect(),
            (ZSTD, 46),
        );
        f(
            (0..25).map(|i| ["up", "down"][i / 20].to_string()).collect(),
            (DICT, 1 + 3 + 6 + 2 + 4),
        );
        // Long texts that differ in a few characters: zstd.
        let line = |i: usize| {
            format!(
                "GET /api/v1/query?db=telegraf&q=SELECT+mean(usage)+FROM+cpu HTTP/1.1 {}",
                200 + i % 3
            )
        };
        assert_eq!(
            round_trip(None, &(0..100).map(line).collect::<Vec<_>>()).unwrap().0,
            ZSTD
        );
    }

    #[test]
    fn corrupt_inputs() {
        let f = |codec: u8, bytes: &[u8], n: usize, want: &str| {
            let err = decode(codec, &mut Reader::new(bytes), n, &mut Vec::new()).unwrap_err();
            assert_eq!(err.to_string(), want);
        };
        f(
            PLAIN,
            &[0, 4, 0xc3, 0x28],
            1,
            "cannot decode string values: not UTF-8: invalid utf-8 sequence of 1 bytes from index 0",
        );
        f(DICT, &[5], 3, "cannot decode string values: 5 distinct values in 3");
        f(
            DICT,
            &[2, 0, 0, 1, 6, 0],
            2,
            "cannot decode string values: index 3 into 2 distinct values",
        );
        f(
            ZSTD,
            &[0xff, 0xff, 0xff, 0xff, 0x0f],
            1,
            "cannot decode string values: 4294967295 bytes uncompressed; want at most 67125248",
        );
        f(
            ZSTD,
            &[10, 1, 2, 3],
            1,
            "cannot decode string values: zstd: Unknown frame descriptor",
        );
    }

    proptest! {
        #[test]
        fn any_strings(values in prop::collection::vec(".{0,20}", 1..200), codec in prop::option::of(0u8..3)) {
            round_trip(codec, &values);
        }

        #[test]
        fn repeated(pool in prop::collection::vec("[a-z]{0,30}", 1..5), picks in prop::collection::vec(0usize..5, 1..300), codec in prop::option::of(0u8..3)) {
            let values: Vec<String> = picks.iter().map(|&i| pool[i % pool.len()].clone()).collect();
            round_trip(codec, &values);
        }
    }
}
