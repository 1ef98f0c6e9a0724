//! Any text: what parses also goes through every pure step the query path takes before it
//! touches data, as the data node runs them: the privilege check, the GET warning, the
//! normalisation of sources, and for each SELECT (and its subqueries) GROUP BY interval
//! and offset, the measurement list and the split of WHERE into a time range and the rest
//! (with `tz()` loaded). None may panic, and the normalised statement must print to text
//! that parses back to it. (The data node's own compile step is private to that crate,
//! which builds RocksDB: too heavy for an instrumented build; its checks are unit-tested
//! there.)
#![no_main]

use influxql::{SelectStatement, Source, Statement};
use libfuzzer_sys::fuzz_target;

/// A fixed "now" inside the range of times (2023-11-14), as the tests use.
const NOW: i64 = 1_700_000_000_000_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(query) = influxql::parse_query(text) else {
        return;
    };
    for stmt in &query.statements {
        let _ = stmt.required_privileges();
        let _ = stmt.read_only_warning();
        let mut normalized = stmt.clone();
        let known = |db: &str| (db != "missing").then(|| "autogen".to_owned());
        if normalized.normalize("db", "", &mut |db| known(db)).is_err() {
            continue;
        }
        if let Statement::Select(s) = &normalized {
            plan_select(s);
        }
        let printed = normalized.to_string();
        if printed.contains("[REDACTED]") {
            continue;
        }
        match influxql::parse_query(&printed) {
            Ok(again) => assert_eq!(again.statements, vec![normalized], "{text:?} -> {printed:?}"),
            Err(e) => panic!("{text:?} -> {printed:?}: {e}"),
        }
    }
});

fn plan_select(s: &SelectStatement) {
    let _ = s.is_raw_query();
    let _ = s.group_by_interval();
    let _ = s.group_by_offset();
    let _ = s.measurements();
    let loc = s.location.as_deref().and_then(|l| influxql::time::Location::load(l).ok());
    let _ = influxql::time::split_time_condition(s.condition.as_ref(), NOW, loc.as_ref());
    for source in &s.sources {
        if let Source::Subquery(inner) = source {
            plan_select(inner);
        }
    }
}
