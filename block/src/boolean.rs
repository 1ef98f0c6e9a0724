//! Boolean values, after the first (which is in the header), whichever is smaller:
//!
//! - [`BITMAP`]: one bit each, LSB-first, `ceil((n - 1) / 8)` bytes.
//! - [`RUNS`]: the lengths of the runs of equal values (alternating, starting with the
//!   header's `first`) as varints, all but the last, which is what is left of `count`. A
//!   constant column stores nothing; a health flag that flips twice in 1000 points, 4 bytes.

use crate::error::{corrupt, Result};
use crate::varint::{put_uvarint, Reader};

/// Codec: one bit a value.
pub(crate) const BITMAP: u8 = 0;
/// Codec: run lengths.
pub(crate) const RUNS: u8 = 1;

const WHAT: &str = "boolean values";

/// Appends `values[1..]` in the smaller codec, which it returns.
pub(crate) fn encode(values: &[bool], out: &mut Vec<u8>) -> u8 {
    let mut runs = Vec::new();
    encode_with(RUNS, values, &mut runs);
    if runs.len() <= (values.len() - 1).div_ceil(8) {
        out.extend_from_slice(&runs);
        RUNS
    } else {
        encode_with(BITMAP, values, out);
        BITMAP
    }
}

/// Appends `values[1..]` in `codec`; false for an unknown codec.
pub(crate) fn encode_with(codec: u8, values: &[bool], out: &mut Vec<u8>) -> bool {
    if codec == BITMAP {
        for chunk in values[1..].chunks(8) {
            out.push(chunk.iter().enumerate().fold(0, |b, (i, &v)| b | u8::from(v) << i));
        }
        return true;
    }
    if codec != RUNS {
        return false;
    }
    let mut run = 1;
    for w in values.windows(2) {
        if w[0] == w[1] {
            run += 1;
        } else {
            put_uvarint(out, run);
            run = 1;
        }
    }
    true
}

/// Reads `n` values (`first` from the header) into `out` (cleared first). The value
/// section is the end of the block, so run lengths go on until the input ends.
pub(crate) fn decode(codec: u8, r: &mut Reader<'_>, n: usize, first: bool, out: &mut Vec<bool>) -> Result<()> {
    out.clear();
    out.reserve(n);
    out.push(first);
    match codec {
        BITMAP => {
            let bytes = r.bytes((n - 1).div_ceil(8), WHAT)?;
            out.extend((0..n - 1).map(|i| bytes[i / 8] >> (i % 8) & 1 != 0));
        }
        RUNS => {
            let (mut v, mut left) = (first, n as u64);
            // The first run includes `first`, already pushed.
            let mut pushed = 1;
            while left > 0 {
                let run = if r.remaining() == 0 { left } else { r.uvarint(WHAT)? };
                if run == 0 || run > left {
                    return Err(corrupt(WHAT, format!("run of {run} with {left} values left")));
                }
                out.extend(std::iter::repeat_n(v, run as usize - pushed));
                pushed = 0;
                left -= run;
                v = !v;
            }
        }
        c => return Err(corrupt(WHAT, format!("unknown boolean codec {c}"))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn round_trip(codec: Option<u8>, values: &[bool]) -> (u8, usize) {
        let mut out = Vec::new();
        let codec = match codec {
            Some(c) => {
                assert!(encode_with(c, values, &mut out));
                c
            }
            None => encode(values, &mut out),
        };
        let mut got = Vec::new();
        let mut r = Reader::new(&out);
        decode(codec, &mut r, values.len(), values[0], &mut got).unwrap();
        assert_eq!(r.remaining(), 0);
        assert_eq!(got, values);
        (codec, out.len())
    }

    #[test]
    fn chosen_encodings() {
        let f = |values: Vec<bool>, want: (u8, usize)| assert_eq!(round_trip(None, &values), want, "{values:?}");
        f(vec![true; 1000], (RUNS, 0));
        f((0..1000).map(|i| !(400..410).contains(&i)).collect(), (RUNS, 2 + 1));
        f((0..1000).map(|i| i % 2 == 0).collect(), (BITMAP, 125));
        f(vec![false], (RUNS, 0));
    }

    #[test]
    fn bad_runs() {
        let f = |bytes: &[u8], n: usize, want: &str| {
            let err = decode(RUNS, &mut Reader::new(bytes), n, true, &mut Vec::new()).unwrap_err();
            assert_eq!(err.to_string(), want);
        };
        f(&[0], 3, "cannot decode boolean values: run of 0 with 3 values left");
        f(&[2, 2], 3, "cannot decode boolean values: run of 2 with 1 values left");
        let err = decode(9, &mut Reader::new(&[]), 2, true, &mut Vec::new()).unwrap_err();
        assert_eq!(err.to_string(), "cannot decode boolean values: unknown boolean codec 9");
    }

    proptest! {
        #[test]
        fn any_bools(values in prop::collection::vec(any::<bool>(), 1..600), codec in prop::option::of(0u8..2)) {
            round_trip(codec, &values);
        }

        #[test]
        fn runs(lens in prop::collection::vec(1usize..300, 1..10), codec in prop::option::of(0u8..2)) {
            let values: Vec<bool> = lens.iter().enumerate().flat_map(|(i, &l)| std::iter::repeat_n(i % 2 == 0, l)).collect();
            round_trip(codec, &values);
        }
    }
}
