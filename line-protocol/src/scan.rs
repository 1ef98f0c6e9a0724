//! Byte search for the parser's hot loops, eight bytes at a time (SWAR): tokens in a line
//! are short (names and tag values are typically under 20 bytes), too short for `memchr`'s
//! setup to pay off, too long for a byte loop to be cheap.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte lane of `w` that equals `c`. Lanes above the first match may
/// be set spuriously (borrow), so only the lowest set lane is meaningful.
#[inline(always)]
const fn lanes_eq(w: u64, c: u8) -> u64 {
    let x = w ^ (ONES * c as u64);
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// A set of up to five bytes to look for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ByteSet {
    bytes: [u8; 5],
    len: usize,
    table: [bool; 256],
}

impl ByteSet {
    pub(crate) const fn new(set: &[u8]) -> Self {
        assert!(!set.is_empty() && set.len() <= 5);
        let mut bytes = [set[0]; 5]; // unused slots repeat the first byte
        let mut table = [false; 256];
        let mut i = 0;
        while i < set.len() {
            bytes[i] = set[i];
            table[set[i] as usize] = true;
            i += 1;
        }
        Self {
            bytes,
            len: set.len(),
            table,
        }
    }

    #[inline(always)]
    pub(crate) fn contains(&self, c: u8) -> bool {
        self.table[c as usize]
    }

    #[inline(always)]
    const fn lanes(&self, w: u64) -> u64 {
        let b = &self.bytes;
        let mut m = lanes_eq(w, b[0]) | lanes_eq(w, b[1]) | lanes_eq(w, b[2]);
        if self.len > 3 {
            m |= lanes_eq(w, b[3]) | lanes_eq(w, b[4]);
        }
        m
    }

    /// Index of the first byte of `self` in `b[from..]`, or `b.len()`. Always inlined, so
    /// that the set's bytes (from a `const`) fold into the instructions.
    #[inline(always)]
    pub(crate) fn find(&self, b: &[u8], mut from: usize) -> usize {
        while from + 8 <= b.len() {
            let w = u64::from_le_bytes(b[from..from + 8].try_into().unwrap_or([0; 8]));
            let m = self.lanes(w);
            if m != 0 {
                return from + (m.trailing_zeros() / 8) as usize;
            }
            from += 8;
        }
        while from < b.len() && !self.contains(b[from]) {
            from += 1;
        }
        from
    }
}

/// Reads up to eight ASCII digits at `b[from..]` in one step: returns how many digits lead
/// (0..=8) and their value. `None` when fewer than 8 bytes remain (the caller loops then).
#[inline(always)]
pub(crate) fn eight_digits(b: &[u8], from: usize) -> Option<(usize, u64)> {
    let w = u64::from_le_bytes(b.get(from..from + 8)?.try_into().ok()?);
    // A lane is a digit when its high nibble is 3 and adding 6 keeps it 3 (0x30..=0x39).
    // A carry out of a lane comes only from a non-digit, which ends the run anyway.
    let bad = ((w & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030)
        | ((w.wrapping_add(0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030);
    let n = if bad == 0 {
        8
    } else {
        (bad.trailing_zeros() / 8) as usize
    };
    if n == 0 {
        return Some((0, 0));
    }
    // Digit values, the run moved to the top lanes so that the empty lanes read as leading
    // zeros; then the usual three-multiply reduction (first digit in the lowest lane).
    let v = w.wrapping_sub(0x3030_3030_3030_3030) << (8 * (8 - n));
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let v = ((v & 0x0000_00FF_0000_00FF)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32))))
        >> 32;
    Some((n, v))
}

/// Position of the first byte of `set` at or after `from` whose previous byte is not a
/// backslash: InfluxDB's escape test in the measurement and tags. `from` must be >= 1.
#[inline(always)]
pub(crate) fn find_unescaped(b: &[u8], mut from: usize, set: &ByteSet) -> Option<usize> {
    loop {
        let at = set.find(b, from);
        if at >= b.len() {
            return None;
        }
        if b[at - 1] != b'\\' {
            return Some(at);
        }
        from = at + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_matches_a_plain_search() {
        let set = ByteSet::new(b", =");
        let hay = b"abcdefghij,klmnop qrs=tuvwxyz0123456789abcdefgh,";
        for from in 0..hay.len() {
            let want = hay[from..]
                .iter()
                .position(|c| b", =".contains(c))
                .map_or(hay.len(), |p| from + p);
            assert_eq!(set.find(hay, from), want, "from {from}");
        }
        // High bytes (UTF-8) and the byte just above a match do not confuse the lanes.
        let hay = "éééé-éééé,x".as_bytes();
        assert_eq!(set.find(hay, 0), hay.iter().position(|&c| c == b',').unwrap());
        let five = ByteSet::new(b"\\\"=, ");
        assert_eq!(five.find(b"abcdefgh\"", 0), 8);
        assert_eq!(five.find(b"abcdefgh", 0), 8);
    }

    #[test]
    fn eight_digits_reads_the_leading_run() {
        let f = |s: &[u8], want: Option<(usize, u64)>| assert_eq!(eight_digits(s, 0), want, "{s:?}");
        f(b"12345678", Some((8, 12_345_678)));
        f(b"00000000", Some((8, 0)));
        f(b"99999999", Some((8, 99_999_999)));
        f(b"123,5678", Some((3, 123)));
        f(b"1.345678", Some((1, 1)));
        f(b"x2345678", Some((0, 0)));
        f(b"0123456:", Some((7, 123_456)));
        f(b"12/45678", Some((2, 12)));
        f(b"9\xff\xff\xff\xff\xff\xff\xff", Some((1, 9)));
        f(b"1234567", None);
        for n in 0..100_000u64 {
            let s = format!("{n:08}");
            assert_eq!(eight_digits(s.as_bytes(), 0), Some((8, n)));
            let s = format!("{n} x=1234");
            let digits = n.to_string().len();
            assert_eq!(eight_digits(s.as_bytes(), 0), Some((digits, n)));
        }
    }

    #[test]
    fn escaped_delimiters_are_skipped() {
        let set = ByteSet::new(b", ");
        assert_eq!(find_unescaped(b"a\\,b\\ c,d", 1, &set), Some(7));
        assert_eq!(find_unescaped(b"a\\,", 1, &set), None);
    }
}
