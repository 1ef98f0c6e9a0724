//! Byte-level primitives every codec shares: LEB128 varints, zigzag, the "scaled" varint
//! for timestamps (a power of ten factored out), and [`Reader`], a cursor whose every read
//! is bounds-checked and fails with the name of what was being read.

use crate::error::{corrupt, Error, Result};

/// Maps signed to unsigned so that small magnitudes stay small: 0, -1, 1, -2 → 0, 1, 2, 3.
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Inverse of [`zigzag`].
pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Appends `v` as LEB128 (7 bits a byte, low first).
pub(crate) fn put_uvarint(out: &mut Vec<u8>, mut v: u128) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends `v` zigzagged, as LEB128.
pub(crate) fn put_ivarint(out: &mut Vec<u8>, v: i64) {
    put_uvarint(out, u128::from(zigzag(v)));
}

/// Powers of ten that fit an i64, by exponent.
pub(crate) const POW10: [i64; 19] = {
    let mut p = [1i64; 19];
    let mut i = 1;
    while i < 19 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// Appends `v` as a varint of `zigzag(v / 10^e) << 4 | e`, `e` the largest exponent up to 15
/// dividing `v`: nanosecond timestamps and intervals are usually whole seconds, so a 2026
/// timestamp costs 5 bytes instead of 9 and a 10 s interval 1 byte instead of 5.
pub(crate) fn put_scaled(out: &mut Vec<u8>, v: i64) {
    let mut e = 0;
    if v != 0 {
        while e < 15 && v % POW10[e + 1] == 0 {
            e += 1;
        }
    }
    let m = zigzag(v / POW10[e]);
    put_uvarint(out, (u128::from(m) << 4) | e as u128);
}

/// A cursor over encoded bytes; `what` in every call names the part being read for errors.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    /// The whole input, so that errors can say how much there was.
    buf: &'a [u8],
    /// Offset of the next unread byte.
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes read so far.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8> {
        Ok(self.bytes(1, what)?[0])
    }

    /// The next `n` bytes.
    pub(crate) fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(Error::Truncated {
                what,
                got: self.buf.len(),
                want: self.pos.saturating_add(n),
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Everything not read yet.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }

    /// A LEB128 varint of at most 19 bytes (enough for any u128).
    pub(crate) fn uvarint128(&mut self, what: &'static str) -> Result<u128> {
        let mut v = 0u128;
        for i in 0..19 {
            let b = self.u8(what)?;
            v |= u128::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                if i == 18 && b > 0x03 {
                    break;
                }
                return Ok(v);
            }
        }
        Err(corrupt(what, "varint longer than 128 bits"))
    }

    /// A LEB128 varint that must fit a u64.
    pub(crate) fn uvarint(&mut self, what: &'static str) -> Result<u64> {
        let v = self.uvarint128(what)?;
        u64::try_from(v).map_err(|_| corrupt(what, format!("varint {v} does not fit 64 bits")))
    }

    /// A zigzagged varint.
    pub(crate) fn ivarint(&mut self, what: &'static str) -> Result<i64> {
        Ok(unzigzag(self.uvarint(what)?))
    }

    /// A value written by [`put_scaled`].
    pub(crate) fn scaled(&mut self, what: &'static str) -> Result<i64> {
        let raw = self.uvarint128(what)?;
        let e = (raw & 15) as usize;
        let m = u64::try_from(raw >> 4).map_err(|_| corrupt(what, "scaled varint does not fit 64 bits"))?;
        unzigzag(m)
            .checked_mul(POW10[e])
            .ok_or_else(|| corrupt(what, format!("{} * 10^{e} overflows i64", unzigzag(m))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_sizes() {
        let f = |v: i64, want_len: usize| {
            let mut out = Vec::new();
            put_scaled(&mut out, v);
            assert_eq!(out.len(), want_len, "{v}");
            let mut r = Reader::new(&out);
            assert_eq!(r.scaled("test").unwrap(), v);
            assert_eq!(r.remaining(), 0);
        };
        f(0, 1);
        f(10_000_000_000, 1);
        f(1_767_225_600_000_000_000, 5);
        f(1_767_225_600_123_456_789, 10);
        f(i64::MIN, 10);
        f(i64::MAX, 10);
        f(-1, 1);
    }

    #[test]
    fn varint_errors() {
        let f = |bytes: &[u8], want: &str| {
            let err = Reader::new(bytes).uvarint("count").unwrap_err();
            assert_eq!(err.to_string(), want);
        };
        f(&[], "cannot decode count: got 0 bytes; want at least 1");
        f(&[0x80, 0x80], "cannot decode count: got 2 bytes; want at least 3");
        f(&[0xff; 19], "cannot decode count: varint longer than 128 bits");
        f(
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
            "cannot decode count: varint 1180591620717411303423 does not fit 64 bits",
        );
    }

    #[test]
    fn zigzag_round_trips() {
        for v in [0, 1, -1, 2, -2, i64::MIN, i64::MAX] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
    }
}
