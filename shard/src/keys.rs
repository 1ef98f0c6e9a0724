//! The RocksDB layout of a shard: column family names and key encoders, in one place.
//!
//! Every key is built from order-preserving components so that RocksDB's byte order is the
//! order users see (measurements, tag keys and tag values sorted as strings):
//! a component is its bytes with `0x00` written as `0x00 0xFF`, then the terminator
//! `0x00 0x00`. Integers are big-endian, so they sort numerically.
//!
//! | CF | key | value |
//! |---|---|---|
//! | `meta` | `b"flushed_seq"` (WAL seq the blocks cover), `b"format"` | u64 BE |
//! | `series` | measurement, (tag key, tag value)* | series id |
//! | `series_ids` | series id | the `series` key |
//! | `postings` | measurement, tag key, tag value, series id | empty |
//! | `fields` | measurement, field name | type byte, field id (u32 BE) |
//! | `blocks` | field id (u32), series id, block max time (sign-flipped u64) | a block (`block` crate) |
//!
//! Blocks are keyed field first: the blocks of one field across all series of a measurement
//! lie side by side, so a query over many series walks them with one iterator instead of a
//! seek per series (as a column store reads a column).

use crate::head::FieldSeries;

/// Column families; `Shard::open` checks that each exists.
pub(crate) const CF_META: &str = "meta";
pub(crate) const CF_SERIES: &str = "series";
pub(crate) const CF_SERIES_IDS: &str = "series_ids";
pub(crate) const CF_POSTINGS: &str = "postings";
pub(crate) const CF_FIELDS: &str = "fields";
pub(crate) const CF_BLOCKS: &str = "blocks";
pub(crate) const ALL_CFS: [&str; 6] = [CF_META, CF_SERIES, CF_SERIES_IDS, CF_POSTINGS, CF_FIELDS, CF_BLOCKS];

pub(crate) const META_FLUSHED_SEQ: &[u8] = b"flushed_seq";
pub(crate) const META_FORMAT: &[u8] = b"format";
/// Bumped when the layout changes; `open` refuses a shard written in another format.
pub(crate) const FORMAT_VERSION: u64 = 2;

/// Appends `s` as an order-preserving component.
pub(crate) fn encode_component(dst: &mut Vec<u8>, s: &[u8]) {
    if !s.contains(&0) {
        dst.extend_from_slice(s);
    } else {
        for &b in s {
            dst.push(b);
            if b == 0 {
                dst.push(0xFF);
            }
        }
    }
    dst.extend_from_slice(&[0, 0]);
}

/// Reads one component from the front of `src`: (bytes, rest), or `None` if it is not
/// terminated or holds a bad escape.
pub(crate) fn decode_component(src: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        if src[i] != 0 {
            out.push(src[i]);
            i += 1;
            continue;
        }
        match src.get(i + 1)? {
            0 => return Some((out, &src[i + 2..])),
            0xFF => {
                out.push(0);
                i += 2;
            }
            _ => return None,
        }
    }
    None
}

/// The `series` key of a measurement and its tags (sorted by key).
pub(crate) fn series_key<'t>(measurement: &str, tags: impl IntoIterator<Item = (&'t str, &'t str)>) -> Vec<u8> {
    let mut k = Vec::with_capacity(64);
    series_key_into(&mut k, measurement, tags);
    k
}

/// [`series_key`] into `k` (cleared first), which the write path reuses.
pub(crate) fn series_key_into<'t>(
    k: &mut Vec<u8>,
    measurement: &str,
    tags: impl IntoIterator<Item = (&'t str, &'t str)>,
) {
    k.clear();
    encode_component(k, measurement.as_bytes());
    for (tk, tv) in tags {
        encode_component(k, tk.as_bytes());
        encode_component(k, tv.as_bytes());
    }
}

/// Splits a `series` key back into measurement and tags.
pub(crate) fn decode_series_key(key: &[u8]) -> Option<(String, Vec<(String, String)>)> {
    let (m, mut rest) = decode_component(key)?;
    let mut tags = Vec::new();
    while !rest.is_empty() {
        let (k, r) = decode_component(rest)?;
        let (v, r) = decode_component(r)?;
        tags.push((String::from_utf8(k).ok()?, String::from_utf8(v).ok()?));
        rest = r;
    }
    Some((String::from_utf8(m).ok()?, tags))
}

/// The `postings` key of one (measurement, tag key, tag value, series).
pub(crate) fn posting_key(measurement: &str, tag_key: &str, tag_value: &str, series: u64) -> Vec<u8> {
    let mut k = posting_prefix(measurement, Some(tag_key), Some(tag_value));
    k.extend_from_slice(&series.to_be_bytes());
    k
}

/// The prefix shared by the postings of a measurement, of one of its tag keys, or of one
/// tag value.
pub(crate) fn posting_prefix(measurement: &str, tag_key: Option<&str>, tag_value: Option<&str>) -> Vec<u8> {
    let mut k = Vec::with_capacity(48);
    encode_component(&mut k, measurement.as_bytes());
    if let Some(tk) = tag_key {
        encode_component(&mut k, tk.as_bytes());
        if let Some(tv) = tag_value {
            encode_component(&mut k, tv.as_bytes());
        }
    }
    k
}

/// The `fields` key of a measurement's field.
pub(crate) fn field_key(measurement: &str, field: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(32);
    encode_component(&mut k, measurement.as_bytes());
    encode_component(&mut k, field.as_bytes());
    k
}

/// A time as a u64 that sorts like the i64 (sign bit flipped).
pub(crate) fn time_to_key(t: i64) -> u64 {
    (t as u64) ^ (1 << 63)
}

/// The `blocks` key of one block of a field-series, by the block's last timestamp.
pub(crate) fn block_key(fs: FieldSeries, max_time: i64) -> [u8; 20] {
    let mut k = [0u8; 20];
    k[..12].copy_from_slice(&block_prefix(fs));
    k[12..].copy_from_slice(&time_to_key(max_time).to_be_bytes());
    k
}

/// The prefix of all blocks of a field-series.
pub(crate) fn block_prefix(fs: FieldSeries) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..4].copy_from_slice(&fs.field.to_be_bytes());
    k[4..].copy_from_slice(&fs.series.to_be_bytes());
    k
}

/// The smallest key greater than every key starting with `prefix` (for range ends), or
/// `None` when there is none (a prefix of all 0xFF).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_round_trip_and_sort_like_strings() {
        let words: [&[u8]; 7] = [b"", b"\0", b"\0\0", b"a", b"a\0", b"a\0b", b"ab"];
        let enc: Vec<Vec<u8>> = words
            .iter()
            .map(|w| {
                let mut v = Vec::new();
                encode_component(&mut v, w);
                v.extend_from_slice(b"rest");
                v
            })
            .collect();
        for (w, e) in words.iter().zip(&enc) {
            let (back, rest) = decode_component(e).unwrap();
            assert_eq!((&back[..], rest), (*w, &b"rest"[..]));
        }
        // `words` is sorted; the encodings must be too (a component is never a prefix problem).
        let mut sorted = enc.clone();
        sorted.sort();
        assert_eq!(sorted, enc);
        assert_eq!(decode_component(b"ab"), None, "unterminated");
        assert_eq!(decode_component(b"a\0\x01"), None, "bad escape");
    }

    #[test]
    fn series_keys_round_trip() {
        let k = series_key("cpu", [("host", "a"), ("region", "eu\0w")]);
        assert_eq!(
            decode_series_key(&k),
            Some((
                "cpu".into(),
                vec![("host".into(), "a".into()), ("region".into(), "eu\0w".into())]
            ))
        );
        // A measurement sorts before the same measurement with tags, and before a longer name.
        assert!(series_key("cpu", []) < series_key("cpu", [("a", "b")]));
        assert!(series_key("cpu", [("z", "z")]) < series_key("cpu0", []));
    }

    #[test]
    fn block_keys_sort_by_field_series_then_time() {
        let fs = |field, series| FieldSeries { field, series };
        let a = block_key(fs(1, 2), -5);
        let b = block_key(fs(1, 2), 7);
        let c = block_key(fs(1, 3), i64::MIN);
        let d = block_key(fs(2, 0), i64::MIN);
        assert!(a < b && b < c && c < d);
        // FieldSeries orders as its keys do: the flush writes in key order.
        assert!(fs(1, 2) < fs(1, 3) && fs(1, 3) < fs(2, 0));
        assert_eq!(&b[12..], &(7u64 ^ (1 << 63)).to_be_bytes());
        assert_eq!(prefix_end(&[1, 2, 0xFF]), Some(vec![1, 3]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
    }
}
