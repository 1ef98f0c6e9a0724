//! Properties over generated input, run by `./x test` with a fixed case count:
//! - no input of any bytes makes the parser panic, and what it returns is well formed;
//! - every point the writer accepts parses back to the same point (parse(render(p)) == p);
//! - the writer accepts every point whose names have a spelling in line protocol.

use std::borrow::Cow;

use line_protocol::{cmp_tag_keys, parse_lines, write_line, FieldValue, ParseOptions, MAX_NANOS, MIN_NANOS};
use proptest::prelude::*;

const NOW: i64 = 1_767_225_600_000_000_000;

/// Bytes that matter to the grammar, then a few that do not.
const ALPHABET: &[u8] = b",= \"\\\t\n\r#-+.eEiutfTF0123456789aAzN\0\xc3\xa9";

fn grammar_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..max)
}

/// Mutations of a valid line: the grammar's edge is where the bugs are.
fn mutated_line() -> impl Strategy<Value = Vec<u8>> {
    let base = b"cpu,host=a\\ b,region=eu usage=0.5,n=3i,s=\"x \\\"y\\\"\",ok=t 1700000000000000000\n".to_vec();
    prop::collection::vec(
        (any::<prop::sample::Index>(), 0u8..3, prop::sample::select(ALPHABET)),
        1..8,
    )
    .prop_map(move |edits| {
        let mut b = base.clone();
        for (at, op, c) in edits {
            let i = at.index(b.len() + 1);
            match op {
                0 => b.insert(i, c),
                1 if i < b.len() => {
                    b.remove(i);
                }
                _ if i < b.len() => b[i] = c,
                _ => b.push(c),
            }
        }
        b
    })
}

fn check_well_formed(body: &[u8]) {
    let batch = parse_lines(body, &ParseOptions::new(NOW));
    let lines = body.iter().filter(|&&c| c == b'\n').count() + 1;
    assert!(batch.len() + batch.errors().len() <= lines);
    for p in batch.points() {
        assert!(!p.fields().is_empty());
        assert!(!p.measurement().is_empty());
        assert!((MIN_NANOS..=MAX_NANOS).contains(&p.time()));
        assert!(p.tags().windows(2).all(|w| cmp_tag_keys(&w[0].key, &w[1].key).is_lt()));
        for f in p.fields() {
            if let FieldValue::Float(v) = f.value {
                assert!(v.is_finite());
            }
        }
        let _ = p.series_key();
    }
    for e in batch.errors() {
        assert!(e.to_string().starts_with("unable to parse '"));
        assert!(e.line_number >= 1 && e.line_number <= lines);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_parse_without_panic(body in prop::collection::vec(any::<u8>(), 0..200)) {
        check_well_formed(&body);
    }

    #[test]
    fn grammar_bytes_parse_without_panic(body in grammar_bytes(120)) {
        check_well_formed(&body);
    }

    #[test]
    fn mutated_lines_parse_without_panic(body in mutated_line()) {
        check_well_formed(&body);
    }
}

/// A logical point: names unescaped, as a client holds them.
#[derive(Debug, Clone)]
struct Logical {
    measurement: String,
    tags: Vec<(String, String)>,
    fields: Vec<(String, FieldValue<'static>)>,
    time: Option<i64>,
}

fn text(chars: &'static str, max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = chars.chars().collect();
    prop::collection::vec(prop::sample::select(chars), 1..max).prop_map(|v| v.into_iter().collect())
}

/// Any characters the grammar cares about, including the unrepresentable ones.
const ANY: &str = "ab ,=\"\\\n\t#é0";
/// Characters that always have a spelling (no backslash, no newline).
const SAFE: &str = "abcxyz ,=\"é09_-.";

fn value() -> impl Strategy<Value = FieldValue<'static>> {
    prop_oneof![
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(FieldValue::Float),
        (-1e6f64..1e6).prop_map(|f| FieldValue::Float((f * 1000.0).round() / 1000.0)),
        any::<i64>().prop_map(FieldValue::Integer),
        any::<u64>().prop_map(FieldValue::Unsigned),
        any::<bool>().prop_map(FieldValue::Boolean),
        text("ab ,=\"\\\n\té", 12).prop_map(|s| FieldValue::String(Cow::Owned(s))),
        Just(FieldValue::String(Cow::Borrowed(""))),
    ]
}

fn logical(names: &'static str) -> impl Strategy<Value = Logical> {
    (
        text(names, 10),
        prop::collection::vec((text(names, 8), text(names, 8)), 0..6),
        prop::collection::vec((text(names, 8), value()), 1..6),
        prop::option::of(MIN_NANOS..=MAX_NANOS),
    )
        .prop_map(|(measurement, mut tags, fields, time)| {
            tags.sort_by(|a, b| cmp_tag_keys(&a.0, &b.0));
            tags.dedup_by(|a, b| a.0 == b.0);
            Logical {
                measurement,
                tags,
                fields,
                time,
            }
        })
}

fn render(p: &Logical) -> Result<String, line_protocol::WriteError> {
    let tags: Vec<(&str, &str)> = p.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let fields: Vec<(&str, FieldValue<'_>)> = p.fields.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let mut out = String::new();
    write_line(&mut out, &p.measurement, &tags, &fields, p.time)?;
    Ok(out)
}

fn assert_reads_back(p: &Logical, line: &str) {
    let batch = parse_lines(line.as_bytes(), &ParseOptions::new(NOW));
    assert!(
        batch.errors().is_empty(),
        "{p:?} rendered as {line:?}: {:?}",
        batch.error_text()
    );
    assert_eq!(batch.len(), 1, "{line:?}");
    let got = batch.point(0).unwrap();
    assert_eq!(got.measurement(), p.measurement, "{line:?}");
    let tags: Vec<(&str, &str)> = got.tags().iter().map(|t| (&*t.key, &*t.value)).collect();
    let want: Vec<(&str, &str)> = p.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(tags, want, "{line:?}");
    assert_eq!(got.fields().len(), p.fields.len(), "{line:?}");
    for (f, (k, v)) in got.fields().iter().zip(&p.fields) {
        assert_eq!(&*f.key, k, "{line:?}");
        match (&f.value, v) {
            (FieldValue::Float(a), FieldValue::Float(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{line:?}"),
            (a, b) => assert_eq!(a, b, "{line:?}"),
        }
    }
    assert_eq!(got.time(), p.time.unwrap_or(NOW), "{line:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Whatever the writer accepts reads back the same; what it refuses it says why.
    #[test]
    fn written_lines_read_back(p in logical(ANY)) {
        if let Ok(line) = render(&p) {
            assert_reads_back(&p, &line);
        }
    }

    /// Names without backslashes or newlines always have a spelling.
    #[test]
    fn ordinary_points_are_always_written(p in logical(SAFE)) {
        let mut p = p;
        if p.measurement.starts_with('#') {
            p.measurement.replace_range(0..1, "m");
        }
        let line = render(&p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
        assert_reads_back(&p, &line);
    }
}
