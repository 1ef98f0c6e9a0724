//! Any bytes: the parser must not panic, and what it accepts must be well formed and must
//! write back to a line that parses to the same point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use line_protocol::{parse_lines, write_line, FieldValue, ParseOptions};

fuzz_target!(|body: &[u8]| {
    let batch = parse_lines(body, &ParseOptions::new(1_700_000_000_000_000_000));
    for p in batch.points() {
        assert!(!p.fields().is_empty());
        let _ = p.series_key();
        let tags: Vec<(&str, &str)> = p.tags().iter().map(|t| (&*t.key, &*t.value)).collect();
        let fields: Vec<(&str, FieldValue<'_>)> = p.fields().iter().map(|f| (&*f.key, f.value.clone())).collect();
        let mut line = String::new();
        if write_line(&mut line, p.measurement(), &tags, &fields, Some(p.time())).is_ok() {
            let again = parse_lines(line.as_bytes(), &ParseOptions::new(0));
            assert!(again.errors().is_empty(), "{line:?}: {:?}", again.error_text());
            let q = again.point(0).expect("one point");
            assert_eq!(q.measurement(), p.measurement(), "{line:?}");
            assert_eq!(q.tags(), p.tags(), "{line:?}");
            assert_eq!(q.time(), p.time(), "{line:?}");
            assert_eq!(q.fields().len(), p.fields().len(), "{line:?}");
        }
    }
    for e in batch.errors() {
        assert!(e.to_string().starts_with("unable to parse '"));
    }
});
