//! Replays the corpus observed on a real InfluxDB 1.6.7 (`reference/influxdb-1.6.7.jsonl`,
//! made by `reference/observe.py`): a query 1.6.7 rejects at parse time is rejected with the
//! same text; a query it accepts parses, its text prints back to the same tree, the GET
//! warning of a write statement (Go's `String()`) is ours word for word, and errors of time
//! conditions are ours too. Intended differences are listed in `reference/FINDINGS.md` and in
//! `intended_difference` below.

use influxql::time::{split_time_condition, Location};
use influxql::{parse_query, parse_query_with_params, Params, Statement};
use serde_json::Value;

const PREFIX: &str = "error parsing query: ";

/// Errors InfluxDB reports per statement (HTTP 200) that come from the time-condition split.
const CONDITION_ERRORS: &[&str] = &[
    "invalid operation: time and",
    "invalid timestamp string",
    "invalid condition expression",
    "invalid time comparison operator",
    "overflows time literal",
    "underflows time literal",
];

/// Cases where Cairn departs from 1.6.7 on purpose, with what Cairn does instead.
fn intended_difference(query: &str) -> Option<&'static str> {
    Some(match query {
        // Go prints `1893678h4m33.913888768s`, which does not parse; we print an InfluxQL
        // literal for durations with a fraction of a second.
        // Go wraps these around silently; Cairn refuses any duration past i64 nanoseconds.
        "CREATE DATABASE x WITH DURATION 99999999999w" | "SELECT value FROM cpu WHERE time > now() - 99999999999w" => {
            "overflowing duration refused"
        }
        // Go answers a query without statements with no results; Cairn with a parse error.
        ";" => "query without a statement refused",
        _ => return None,
    })
}

fn corpus() -> Vec<Value> {
    include_str!("reference/influxdb-1.6.7.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn corpus_is_large_enough() {
    assert!(corpus().len() >= 200);
}

#[test]
fn replay() {
    let mut failures = vec![];
    let mut checked = (0, 0, 0, 0);
    for case in corpus() {
        // The HTTP handler trims the text (Go's strings.TrimSpace) before parsing.
        let query = case["query"].as_str().unwrap().trim();
        if intended_difference(query).is_some() {
            continue;
        }
        let status = case["status"].as_u64().unwrap();
        let top_error = case["error"].as_str();
        let parsed = match case["params"].as_str() {
            None => parse_query(query),
            Some(p) => match serde_json::from_str::<Params>(p) {
                Ok(params) => parse_query_with_params(query, &params),
                // The HTTP layer rejects bad JSON before parsing.
                Err(_) => continue,
            },
        };
        match (status, top_error) {
            (400, Some(e)) if e.starts_with(PREFIX) => {
                checked.0 += 1;
                let want = &e[PREFIX.len()..];
                match &parsed {
                    Err(got) if got.to_string() == want => {}
                    other => failures.push(format!("{query:?}\n    want error {want:?}\n    got {other:?}")),
                }
            }
            (200, None) => {
                checked.1 += 1;
                let q = match parsed {
                    Ok(q) => q,
                    Err(e) => {
                        failures.push(format!("{query:?}\n    accepted by 1.6.7, we say {e}"));
                        continue;
                    }
                };
                let results = case["results"].as_array().unwrap();
                if results.len() != q.statements.len() {
                    failures.push(format!(
                        "{query:?}\n    {} statements there, {} here",
                        results.len(),
                        q.statements.len()
                    ));
                    continue;
                }
                for (stmt, res) in q.statements.iter().zip(results) {
                    // The executor prints the statement with defaults filled in.
                    let mut normalized = stmt.clone();
                    let _ = normalized.normalize("iqref", "", &mut |_| Some("autogen".to_string()));
                    if let Some(w) = res["warning"].as_str() {
                        if w.starts_with("deprecated use of") {
                            checked.2 += 1;
                            match normalized.read_only_warning() {
                                Some(ours) if ours == w => {}
                                ours => failures.push(format!("{query:?}\n    warning {w:?}\n    ours    {ours:?}")),
                            }
                        }
                    } else if res["error"].is_null() && stmt.read_only_warning().is_some() {
                        failures.push(format!("{query:?}\n    no warning there, we call it a write"));
                    }
                    if let Statement::Select(s) = stmt {
                        let loc = s.location.as_deref().map(|l| Location::load(l).unwrap());
                        let ours = split_time_condition(s.condition.as_ref(), 1_700_000_000_000_000_000, loc.as_ref());
                        let theirs = res["error"]
                            .as_str()
                            .filter(|e| CONDITION_ERRORS.iter().any(|c| e.contains(c)));
                        checked.3 += 1;
                        match (theirs, &ours) {
                            (None, Ok(_)) => {}
                            (Some(t), Err(o)) if o.to_string() == t => {}
                            // Other per-statement errors come after the split (unknown
                            // functions, type checks): the split itself must succeed.
                            _ => failures.push(format!("{query:?}\n    condition there {theirs:?}\n    ours {ours:?}")),
                        }
                    }
                    // Printing and parsing again gives the same tree (passwords are redacted).
                    if !matches!(stmt, Statement::CreateUser(_) | Statement::SetPasswordUser(_)) {
                        let text = stmt.to_string();
                        match parse_query(&text) {
                            Ok(again) if again.statements.len() == 1 && &again.statements[0] == stmt => {}
                            other => failures.push(format!("{query:?}\n    printed {text:?}\n    reparsed {other:?}")),
                        }
                    }
                }
            }
            _ => {}
        }
    }
    eprintln!(
        "checked: {} parse errors, {} accepted queries, {} warnings, {} time conditions",
        checked.0, checked.1, checked.2, checked.3
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
