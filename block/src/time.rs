//! Timestamps. Evenly spaced ones (every collector's normal case) live entirely in the
//! header as `min_time` and an interval ([`TimeCodec::Regular`]): 1000 points every 10 s
//! cost 5 + 1 bytes. Others get a packed time section ([`TimeCodec::Packed`]):
//!
//! ```text
//! u8       k: the largest power of ten (0..=18) dividing every difference
//! frames   the n - 1 differences / 10^k, frame-of-reference packed (bitpack.rs)
//! ```
//!
//! Frame of reference over the differences subsumes delta-of-delta with run length: a run of
//! equal differences is a width-0 frame, and jitter around an interval costs the bits of the
//! jitter's range, one bit less than zigzagged delta-of-deltas (whose range is twice that).

use crate::bitpack::{pack, unpack};
use crate::error::{corrupt, Result};
use crate::header::{Parsed, TimeCodec};
use crate::varint::{Reader, POW10};

const WHAT: &str = "timestamps";

/// Regular when every difference is the same and fits an i64 (always when there is one point).
pub(crate) fn choose(times: &[i64]) -> TimeCodec {
    let step = if times.len() < 2 {
        Some(1)
    } else {
        times[1].checked_sub(times[0])
    };
    let regular = step.is_some() && times.windows(2).all(|w| w[1].checked_sub(w[0]) == step);
    if regular {
        TimeCodec::Regular
    } else {
        TimeCodec::Packed
    }
}

/// Appends the time section of `times` (strictly increasing, at least 2).
pub(crate) fn encode_packed(times: &[i64], out: &mut Vec<u8>) {
    let deltas: Vec<u64> = times.windows(2).map(|w| w[1].wrapping_sub(w[0]) as u64).collect();
    let mut k = 18;
    for &d in &deltas {
        while k > 0 && d % POW10[k] as u64 != 0 {
            k -= 1;
        }
    }
    out.push(k as u8);
    let scaled: Vec<i64> = deltas.iter().map(|&d| (d / POW10[k] as u64) as i64).collect();
    pack(&scaled, out);
}

/// Reads the timestamps into `out` (cleared first).
pub(crate) fn decode(r: &mut Reader<'_>, p: &Parsed, out: &mut Vec<i64>) -> Result<()> {
    let (n, t0) = (p.header.count as usize, p.header.min_time);
    out.clear();
    out.reserve(n);
    match p.time_codec {
        TimeCodec::Regular => {
            let step = p.interval;
            // The header checked that t0 + (n - 1) * step does not overflow.
            out.extend((0..n as i64).map(|i| t0 + i * step));
        }
        TimeCodec::Packed => {
            let k = r.u8(WHAT)? as usize;
            let scale = *POW10
                .get(k)
                .ok_or_else(|| corrupt(WHAT, format!("scale 10^{k}; want at most 10^18")))?;
            out.push(t0);
            let mut t = t0;
            unpack(r, n - 1, WHAT, |deltas| {
                for &d in deltas {
                    t = t.wrapping_add(d.wrapping_mul(scale));
                    out.push(t);
                }
            })?;
            if t != p.header.max_time {
                return Err(corrupt(
                    WHAT,
                    format!("last is {t}; the header says {}", p.header.max_time),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header;
    use crate::types::Summary;

    /// Header plus time section of a string block (whose summary is empty).
    fn encoded(times: &[i64]) -> (TimeCodec, usize) {
        let codec = choose(times);
        let mut out = Vec::new();
        header::write(&mut out, times, codec, &Summary::String);
        if codec == TimeCodec::Packed {
            encode_packed(times, &mut out);
        }
        let mut r = Reader::new(&out);
        let p = header::read(&mut r).unwrap();
        let mut got = Vec::new();
        decode(&mut r, &p, &mut got).unwrap();
        assert_eq!(r.remaining(), 0);
        assert_eq!(got, times);
        (codec, out.len())
    }

    #[test]
    fn chosen_encodings() {
        const T0: i64 = 1_767_225_600_000_000_000;
        const S: i64 = 1_000_000_000;
        let f = |times: Vec<i64>, want: (TimeCodec, usize)| assert_eq!(encoded(&times), want, "{times:?}");
        // 1000 points every 10 s: tag, count (2), min_time (5), interval (1).
        f((0..1000).map(|i| T0 + i * 10 * S).collect(), (TimeCodec::Regular, 9));
        f(vec![T0], (TimeCodec::Regular, 7));
        // One missed point: a 1-bit frame where it is (1 or 2 times 10 s), constant frames
        // elsewhere; the header has the span (3 bytes) instead of the interval.
        f(
            (0..1000).filter(|&i| i != 500).map(|i| T0 + i * 10 * S).collect(),
            (TimeCodec::Packed, 8 + 3 + 1 + 7 * 2 + 2 + 16),
        );
        // Millisecond jitter on 10 s: differences of 9919 or 10919 ms after scaling by 10^6,
        // 10 bits each.
        let jitter = |i: i64| (i * 7919) % 1000;
        f(
            (0..100).map(|i| T0 + i * 10 * S + jitter(i) * 1_000_000).collect(),
            (TimeCodec::Packed, 11 + 1 + 1 + 3 + (99 * 10usize).div_ceil(8)),
        );
        f(
            vec![i64::MIN, -1, 0, i64::MAX],
            (TimeCodec::Packed, 1 + 1 + 10 + 1 + 1 + 1 + 1 + 24),
        );
    }
}
