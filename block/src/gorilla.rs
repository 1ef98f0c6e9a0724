//! Gorilla XOR float compression (Pelkonen et al., VLDB 2015), as InfluxDB's TSM stores
//! floats: the baseline the other float codecs are measured against.
//!
//! For each value after the first (which is in the header), `x = bits ^ previous bits`:
//! `0` when `x` is 0; `10` and the meaningful bits when they fit the previous window of
//! leading and trailing zeros; otherwise `11`, 5 bits of leading zeros (at most 31), 6 bits
//! of meaningful length minus one, and the meaningful bits. Bits are written LSB-first.

use crate::error::{corrupt, Error, Result};
use crate::varint::Reader;

const WHAT: &str = "gorilla floats";

/// Appends `values[1..]`.
pub(crate) fn encode(values: &[f64], out: &mut Vec<u8>) {
    let mut w = BitWriter { out, acc: 0, nbits: 0 };
    let mut prev = values[0].to_bits();
    // (leading, trailing) zeros of the window in use; none before the first non-zero XOR.
    let mut window: Option<(u32, u32)> = None;
    for &v in &values[1..] {
        let bits = v.to_bits();
        let x = bits ^ prev;
        prev = bits;
        if x == 0 {
            w.put(0, 1);
            continue;
        }
        let (lead, trail) = (x.leading_zeros().min(31), x.trailing_zeros());
        match window {
            Some((pl, pt)) if lead >= pl && trail >= pt => {
                w.put(0b01, 2);
                w.put(x >> pt, 64 - pl - pt);
            }
            _ => {
                let sig = 64 - lead - trail;
                w.put(0b11, 2);
                w.put(u64::from(lead), 5);
                w.put(u64::from(sig - 1), 6);
                w.put(x >> trail, sig);
                window = Some((lead, trail));
            }
        }
    }
    w.finish();
}

/// Reads `n - 1` values after `first` onto `out`.
pub(crate) fn decode(r: &mut Reader<'_>, n: usize, first: f64, out: &mut Vec<f64>) -> Result<()> {
    let mut br = BitReader {
        data: r.rest(),
        pos: 0,
        acc: 0,
        nbits: 0,
    };
    let mut prev = first.to_bits();
    let mut window: Option<(u32, u32)> = None;
    for _ in 1..n {
        if br.get(1)? == 1 {
            if br.get(1)? == 1 {
                let lead = br.get(5)? as u32;
                let sig = br.get(6)? as u32 + 1;
                if lead + sig > 64 {
                    return Err(corrupt(WHAT, format!("{lead} leading zeros and {sig} meaningful bits")));
                }
                window = Some((lead, 64 - lead - sig));
            }
            let (lead, trail) = window.ok_or_else(|| corrupt(WHAT, "previous window used before any was set"))?;
            prev ^= br.get(64 - lead - trail)? << trail;
        }
        out.push(f64::from_bits(prev));
    }
    Ok(())
}

#[derive(Debug)]
struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    /// Pending bits, lowest first.
    acc: u128,
    nbits: u32,
}

impl BitWriter<'_> {
    /// Appends the low `n` (<= 64) bits of `v`.
    fn put(&mut self, v: u64, n: u32) {
        let v = if n == 64 { v } else { v & ((1 << n) - 1) };
        self.acc |= u128::from(v) << self.nbits;
        self.nbits += n;
        while self.nbits >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.nbits -= 8;
        }
    }

    fn finish(self) {
        if self.nbits > 0 {
            self.out.push(self.acc as u8);
        }
    }
}

#[derive(Debug)]
struct BitReader<'a> {
    data: &'a [u8],
    /// Next byte of `data` to load.
    pos: usize,
    acc: u128,
    nbits: u32,
}

impl BitReader<'_> {
    /// The next `n` (<= 64) bits.
    fn get(&mut self, n: u32) -> Result<u64> {
        while self.nbits < n {
            let Some(&b) = self.data.get(self.pos) else {
                return Err(Error::Truncated {
                    what: WHAT,
                    got: self.data.len(),
                    want: self.pos + 1,
                });
            };
            self.acc |= u128::from(b) << self.nbits;
            self.pos += 1;
            self.nbits += 8;
        }
        let v = if n == 64 {
            self.acc as u64
        } else {
            self.acc as u64 & ((1 << n) - 1)
        };
        self.acc >>= n;
        self.nbits -= n;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(values: &[f64]) -> usize {
        let mut out = Vec::new();
        encode(values, &mut out);
        let mut got = vec![values[0]];
        decode(&mut Reader::new(&out), values.len(), values[0], &mut got).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(values));
        out.len()
    }

    #[test]
    fn chosen_encodings() {
        let f = |values: Vec<f64>, want: usize| assert_eq!(round_trip(&values), want, "{values:?}");
        // Repeats cost a bit each.
        f(vec![1.5; 1000], 999usize.div_ceil(8));
        // 1.0 ^ 2.0 = 0x7ff0...: 1 leading zero, 11 meaningful bits; then a zero XOR.
        f(vec![1.0, 2.0, 2.0], (2 + 5 + 6 + 11 + 1usize).div_ceil(8));
        f(vec![0.0, -0.0, f64::MAX, f64::MIN_POSITIVE / 2.0], 20);
        f(vec![7.0], 0);
    }

    #[test]
    fn bad_window() {
        // `10` first: the previous window is used before any was set.
        let err = decode(&mut Reader::new(&[0b01]), 2, 1.0, &mut Vec::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot decode gorilla floats: previous window used before any was set"
        );
    }
}
