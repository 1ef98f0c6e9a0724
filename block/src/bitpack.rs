//! Frame-of-reference bit packing of i64 columns, the back end of every numeric codec.
//!
//! Values go in frames of [`FRAME`]; each frame is `[width: u8][min: zigzag varint][bits]`,
//! where `bits` holds `v - min` (wrapping, as u64) in `width` bits each, little-endian,
//! `ceil(n * width / 8)` bytes: a constant frame costs two bytes and no bits. Subtracting
//! the frame's minimum instead of zigzagging saves a bit whenever deltas share a sign (a
//! counter's increments) and is never worse.
//!
//! Decoding runs a loop monomorphized per width (`unpack_full::<W>`): 128 iterations of
//! load, shift, mask, add, with constant shifts and no branches, which LLVM unrolls and
//! vectorizes. Stale bytes past the frame are read but masked off, and a short last frame
//! is decoded whole and cut.

use crate::error::{corrupt, Result};
use crate::varint::{put_ivarint, Reader};

/// Values per frame: a multiple of 8 so that every full frame ends on a byte boundary.
pub(crate) const FRAME: usize = 128;

/// Scratch space for one frame: 64 bits a value plus a 16-byte tail for the unaligned loads.
const BUF: usize = FRAME * 8 + 16;

/// Appends `values` as frames.
pub(crate) fn pack(values: &[i64], out: &mut Vec<u8>) {
    for chunk in values.chunks(FRAME) {
        let (min, max) = chunk
            .iter()
            .fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let width = 64 - (max.wrapping_sub(min) as u64).leading_zeros();
        out.push(width as u8);
        put_ivarint(out, min);
        if width == 0 {
            continue;
        }
        let (mut acc, mut nbits) = (0u128, 0u32);
        for &v in chunk {
            acc |= u128::from(v.wrapping_sub(min) as u64) << nbits;
            nbits += width;
            if nbits >= 64 {
                out.extend_from_slice(&(acc as u64).to_le_bytes());
                acc >>= 64;
                nbits -= 64;
            }
        }
        out.extend_from_slice(&acc.to_le_bytes()[..nbits.div_ceil(8) as usize]);
    }
}

/// Size in bytes that [`pack`] would append, without packing.
pub(crate) fn packed_len(values: &[i64]) -> usize {
    let mut len = 0;
    for chunk in values.chunks(FRAME) {
        let (min, max) = chunk
            .iter()
            .fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let width = 64 - (max.wrapping_sub(min) as u64).leading_zeros() as usize;
        len += 1 + varint_len(crate::varint::zigzag(min)) + (chunk.len() * width).div_ceil(8);
    }
    len
}

fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// Reads `n` values written by [`pack`], handing them to `f` a frame at a time.
pub(crate) fn unpack(r: &mut Reader<'_>, n: usize, what: &'static str, mut f: impl FnMut(&[i64])) -> Result<()> {
    let mut buf = [0u8; BUF];
    let mut out = [0i64; FRAME];
    let mut left = n;
    while left > 0 {
        let cnt = left.min(FRAME);
        left -= cnt;
        let width = r.u8(what)? as usize;
        if width > 64 {
            return Err(corrupt(what, format!("bit width {width}; want at most 64")));
        }
        let min = r.ivarint(what)?;
        let src = r.bytes((cnt * width).div_ceil(8), what)?;
        buf[..src.len()].copy_from_slice(src);
        // A short last frame decodes as a full one too: the values past `cnt` come from
        // stale bytes and are dropped, and the fixed-width loop is faster than a short one.
        unpack_full_any(width, &buf, min, &mut out);
        f(&out[..cnt]);
    }
    Ok(())
}

/// One full frame of `W`-bit values from `buf`, each plus `min`.
#[inline(always)]
fn unpack_full<const W: usize>(buf: &[u8; BUF], min: i64, out: &mut [i64; FRAME]) {
    let mask = if W == 0 { 0 } else { u64::MAX >> (64 - W) };
    for (i, o) in out.iter_mut().enumerate() {
        let bit = i * W;
        let at = bit / 8;
        let raw = if W <= 57 {
            let word = u64::from_le_bytes(buf[at..at + 8].try_into().expect("8 bytes"));
            word >> (bit % 8)
        } else {
            let word = u128::from_le_bytes(buf[at..at + 16].try_into().expect("16 bytes"));
            (word >> (bit % 8)) as u64
        };
        *o = min.wrapping_add((raw & mask) as i64);
    }
}

macro_rules! dispatch_width {
    ($width:expr, $buf:expr, $min:expr, $out:expr; $($w:literal)*) => {
        match $width {
            $($w => unpack_full::<$w>($buf, $min, $out),)*
            w => panic!("BUG: bit width {w} was checked to be at most 64"),
        }
    };
}

fn unpack_full_any(width: usize, buf: &[u8; BUF], min: i64, out: &mut [i64; FRAME]) {
    dispatch_width!(width, buf, min, out;
        0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32
        33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn round_trip(values: &[i64]) -> Vec<u8> {
        let mut out = Vec::new();
        pack(values, &mut out);
        assert_eq!(out.len(), packed_len(values));
        let mut got = Vec::new();
        let mut r = Reader::new(&out);
        unpack(&mut r, values.len(), "test", |f| got.extend_from_slice(f)).unwrap();
        assert_eq!(r.remaining(), 0);
        assert_eq!(got, values);
        out
    }

    #[test]
    fn sizes() {
        let f = |values: Vec<i64>, want: usize| assert_eq!(round_trip(&values).len(), want, "{values:?}");
        f(vec![], 0);
        f(vec![7; 128], 2);
        f(vec![7; 129], 4);
        // 0..=127 needs 7 bits: 112 bytes plus width and min.
        f((0..128).collect(), 114);
        f(vec![i64::MIN, i64::MAX], 1 + 10 + 16);
        f(vec![-3, 4, 1], 1 + 1 + 2);
    }

    #[test]
    fn truncated_and_bad_width() {
        let mut out = Vec::new();
        pack(&(0..200).collect::<Vec<_>>(), &mut out);
        for cut in 0..out.len() {
            assert!(
                unpack(&mut Reader::new(&out[..cut]), 200, "t", |_| ()).is_err(),
                "{cut}"
            );
        }
        let err = unpack(&mut Reader::new(&[65, 0]), 3, "values", |_| ()).unwrap_err();
        assert_eq!(err.to_string(), "cannot decode values: bit width 65; want at most 64");
    }

    proptest! {
        #[test]
        fn any_values(values in prop::collection::vec(any::<i64>(), 0..600)) {
            round_trip(&values);
        }

        #[test]
        fn every_width(width in 0u32..=64, n in 0usize..400, seed in any::<u64>()) {
            let mut s = seed;
            let values: Vec<i64> = (0..n).map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                if width == 0 { 0 } else { (s >> (64 - width)) as i64 }
            }).collect();
            round_trip(&values);
        }
    }
}
