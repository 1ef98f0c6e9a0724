//! Any text: the parser must not panic, and what it accepts must print to text that parses
//! back to the same query (statements with a redacted password excepted).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match influxql::parse_query(text) {
        Ok(q) => {
            let printed = q.to_string();
            if printed.contains("[REDACTED]") {
                return;
            }
            let again = influxql::parse_query(&printed).unwrap_or_else(|e| panic!("{text:?} -> {printed:?}: {e}"));
            assert_eq!(again, q, "{text:?} -> {printed:?}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
