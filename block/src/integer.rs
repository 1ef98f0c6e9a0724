//! Integer and unsigned values, and the integer column codec the decimal float codec reuses.
//!
//! A column of `n` values whose first is in the header stores the other `n - 1` one of two
//! ways, whichever [`crate::bitpack`] makes smaller (the code is the block's value codec):
//!
//! - [`DELTA`]: wrapping differences from the previous value, frame-of-reference packed. A
//!   constant (a gauge that does not move, `n_cpus`, `err_in`) or a counter with a constant
//!   increment gives width-0 frames: 2 bytes per 128 values. Random-walk gauges (memory used)
//!   and counters (bytes sent) cost the bits of their step range.
//! - [`FOR`]: the values themselves, frame-of-reference packed: better when the values jump
//!   around a level, where differences would double the range.
//!
//! Unsigned values go through the same code as their i64 bit patterns: differences wrap, so
//! every u64 round-trips; only values straddling 2^63 pack worse.

use crate::bitpack::{pack, packed_len, unpack};
use crate::error::{corrupt, Result};
use crate::varint::Reader;

/// Codec: differences from the previous value.
pub(crate) const DELTA: u8 = 0;
/// Codec: the values, frame-of-reference packed.
pub(crate) const FOR: u8 = 1;

/// Appends `ints[1..]` in the smaller codec, which it returns.
pub(crate) fn encode(ints: &[i64], out: &mut Vec<u8>) -> u8 {
    let deltas: Vec<i64> = ints.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect();
    if packed_len(&deltas) <= packed_len(&ints[1..]) {
        pack(&deltas, out);
        DELTA
    } else {
        pack(&ints[1..], out);
        FOR
    }
}

/// Appends `ints[1..]` in `codec`; false for an unknown codec.
pub(crate) fn encode_with(codec: u8, ints: &[i64], out: &mut Vec<u8>) -> bool {
    match codec {
        DELTA => pack(
            &ints.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect::<Vec<_>>(),
            out,
        ),
        FOR => pack(&ints[1..], out),
        _ => return false,
    }
    true
}

/// Reads `n` values (`first` plus `n - 1` stored) written by [`encode`], handing them to `f`
/// in runs; `f` sees `first` in the first run.
pub(crate) fn decode(
    codec: u8,
    r: &mut Reader<'_>,
    n: usize,
    first: i64,
    what: &'static str,
    mut f: impl FnMut(&[i64]),
) -> Result<()> {
    f(&[first]);
    match codec {
        DELTA => {
            let mut prev = first;
            let mut run = [0i64; crate::bitpack::FRAME];
            unpack(r, n - 1, what, |deltas| {
                for (o, &d) in run.iter_mut().zip(deltas) {
                    prev = prev.wrapping_add(d);
                    *o = prev;
                }
                f(&run[..deltas.len()]);
            })
        }
        FOR => unpack(r, n - 1, what, f),
        c => Err(corrupt(what, format!("unknown integer codec {c}"))),
    }
}

/// Reads into `out` (cleared first).
pub(crate) fn decode_i64(codec: u8, r: &mut Reader<'_>, n: usize, first: i64, out: &mut Vec<i64>) -> Result<()> {
    out.clear();
    out.reserve(n);
    decode(codec, r, n, first, "integer values", |run| out.extend_from_slice(run))
}

/// Reads into `out` (cleared first).
pub(crate) fn decode_u64(codec: u8, r: &mut Reader<'_>, n: usize, first: u64, out: &mut Vec<u64>) -> Result<()> {
    out.clear();
    out.reserve(n);
    decode(codec, r, n, first as i64, "unsigned values", |run| {
        out.extend(run.iter().map(|&v| v as u64));
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn round_trip(codec: Option<u8>, ints: &[i64]) -> (u8, usize) {
        let mut out = Vec::new();
        let codec = match codec {
            Some(c) => {
                assert!(encode_with(c, ints, &mut out));
                c
            }
            None => encode(ints, &mut out),
        };
        let mut got = Vec::new();
        let mut r = Reader::new(&out);
        decode_i64(codec, &mut r, ints.len(), ints[0], &mut got).unwrap();
        assert_eq!(r.remaining(), 0);
        assert_eq!(got, ints);
        let unsigned: Vec<u64> = ints.iter().map(|&v| v as u64).collect();
        let mut got = Vec::new();
        decode_u64(codec, &mut Reader::new(&out), ints.len(), unsigned[0], &mut got).unwrap();
        assert_eq!(got, unsigned);
        (codec, out.len())
    }

    #[test]
    fn chosen_encodings() {
        let f = |ints: Vec<i64>, want_codec: u8, want_len: usize| {
            assert_eq!(round_trip(None, &ints), (want_codec, want_len), "{ints:?}");
        };
        // A constant: one width-0 frame per 128 values.
        f(vec![16_000_000_000; 1000], DELTA, 8 * 2);
        // A counter with a constant increment.
        f((0..1000).map(|i| 5 + i * 1500).collect(), DELTA, 8 * 3);
        // A counter with increments in 0..16: 4 bits each.
        f(
            (0..129)
                .scan(0, |s, i| Some(*s + i * 7 % 16).inspect(|&v| *s = v))
                .collect(),
            DELTA,
            2 + 64,
        );
        // Jumping around a level: the values beat their differences.
        f((0..129).map(|i| [100, 115, 100, 115][i % 4]).collect(), FOR, 3 + 64);
        f(vec![i64::MIN, i64::MAX, 0], FOR, 1 + 1 + 16);
        f(vec![42], DELTA, 0);
    }

    #[test]
    fn unknown_codec() {
        let err = decode_i64(7, &mut Reader::new(&[]), 2, 0, &mut Vec::new()).unwrap_err();
        assert_eq!(err.to_string(), "cannot decode integer values: unknown integer codec 7");
    }

    proptest! {
        #[test]
        fn any_ints(ints in prop::collection::vec(any::<i64>(), 1..400), codec in prop::option::of(0u8..2)) {
            round_trip(codec, &ints);
        }

        #[test]
        fn counters(start in any::<i64>(), steps in prop::collection::vec(0i64..1000, 1..400), codec in prop::option::of(0u8..2)) {
            let ints: Vec<i64> = steps.iter().scan(start, |s, &d| { *s = s.wrapping_add(d); Some(*s) }).collect();
            round_trip(codec, &ints);
        }
    }
}
