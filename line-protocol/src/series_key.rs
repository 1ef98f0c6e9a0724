//! The canonical series key and its hash: one definition for every crate.
//!
//! The key is what InfluxDB 1.x prints in `SHOW SERIES` (`models.MakeKey`): the measurement
//! with `,` and space escaped, then `,key=value` for each tag in sorted order with `,`, space
//! and `=` escaped in keys and values. Tags with an empty value are left out, as
//! `Tags.HashKey` does.
//!
//! The printed key is not injective: InfluxDB's escaping cannot tell the name `cpu\` with tag
//! `a=b` from the name `cpu,a=b`, and `MakeKey` unescapes `\,` in a name before escaping it
//! again (a quirk kept here so that `SHOW SERIES` matches). Storage therefore identifies a
//! series by its measurement and tags, and uses this key for display and placement only.

use crate::escape::{cmp_tag_keys, escape_into, unescape, KEY_MEASUREMENT_SPECIALS, TAG_SPECIALS};

/// Appends the series key of `measurement` and `tags` to `out`. `tags` must already be in
/// [`cmp_tag_keys`] order, as a parsed point's tags are; use [`series_key`] otherwise.
pub fn append_series_key<'t>(out: &mut String, measurement: &str, tags: impl IntoIterator<Item = (&'t str, &'t str)>) {
    // quirk: `MakeKey` unescapes the name before escaping it (`cpu\\,a` prints as `cpu\,a`).
    escape_into(
        out,
        &unescape(measurement, KEY_MEASUREMENT_SPECIALS),
        KEY_MEASUREMENT_SPECIALS,
    );
    for (k, v) in tags {
        if v.is_empty() {
            continue;
        }
        out.push(',');
        escape_into(out, k, TAG_SPECIALS);
        out.push('=');
        escape_into(out, v, TAG_SPECIALS);
    }
}

/// The series key of `measurement` and `tags` in any order.
pub fn series_key(measurement: &str, tags: &[(&str, &str)]) -> String {
    let mut sorted = tags.to_vec();
    sorted.sort_by(|a, b| cmp_tag_keys(a.0, b.0));
    let mut out =
        String::with_capacity(measurement.len() + tags.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>());
    append_series_key(&mut out, measurement, sorted);
    out
}

/// FNV-1a 64 of a series key: the hash InfluxDB uses for series (`models.InlineFNV64a`), and
/// the one Cairn uses to place a series in a shard.
pub fn series_hash(key: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    key.bytes().fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_escapes_like_show_series() {
        let f = |m: &str, tags: &[(&str, &str)], want: &str| assert_eq!(series_key(m, tags), want);
        f("cpu", &[], "cpu");
        f(
            "cpu",
            &[("region", "us-west"), ("host", "a")],
            "cpu,host=a,region=us-west",
        );
        f(
            "cpu load",
            &[("host", "srv,1"), ("region", "us west")],
            r"cpu\ load,host=srv\,1,region=us\ west",
        );
        // The measurement keeps `=` as is; tags escape it.
        f("a=b", &[("k=1", "v=2")], r"a=b,k\=1=v\=2");
        f("q\"m", &[("t", "\"v\"")], "q\"m,t=\"v\"");
        // Empty values are not part of the key.
        f("m", &[("a", ""), ("b", "1")], "m,b=1");
        // A name holding a backslash before a comma prints as if the comma were escaped.
        f(r"cpu\,a=b", &[], r"cpu\,a=b");
        f(r"cpu\\x", &[], r"cpu\\x");
    }

    #[test]
    fn hash_is_fnv1a_64() {
        // Reference values of FNV-1a 64 (the empty string is the offset basis).
        assert_eq!(series_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(series_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(series_hash("foobar"), 0x8594_4171_f739_67e8);
    }
}
