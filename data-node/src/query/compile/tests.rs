//! `validate` against what InfluxDB 1.6.7 answered. Every expected text below was observed on
//! a live InfluxDB 1.6.7 (Debian's build) by `capture.py`, which wrote `influxdb-1.6.7.jsonl`;
//! rerun it to regenerate the file.

use influxql::{parse_query, Statement};

use super::validate;

/// The observed cases: query, who must find the error (`compile`: `validate`; `run`: the
/// executor, so `validate` accepts), HTTP status and error text.
const OBSERVED: &str = include_str!("influxdb-1.6.7.jsonl");

struct Case {
    query: String,
    stage: String,
    status: u64,
    error: Option<String>,
}

fn cases() -> Vec<Case> {
    OBSERVED
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            Case {
                query: v["query"].as_str().unwrap().to_owned(),
                stage: v["stage"].as_str().unwrap().to_owned(),
                status: v["status"].as_u64().unwrap(),
                error: v["error"].as_str().map(str::to_owned),
            }
        })
        .collect()
}

/// What Cairn answers where InfluxDB answered `c`, or `None` when it is the same.
fn mismatch(c: &Case) -> Option<String> {
    let parsed = parse_query(c.query.trim());
    if c.status == 400 {
        return match parsed {
            Err(e) if Some(e.to_string()) == c.error => None,
            Err(e) => Some(format!("parse error {e:?}")),
            Ok(_) => Some("parsed".to_owned()),
        };
    }
    let q = match parsed {
        Ok(q) => q,
        Err(e) => return Some(format!("parse error {e:?}")),
    };
    let [Statement::Select(s)] = q.statements.as_slice() else {
        return Some("not one SELECT".to_owned());
    };
    let want = match (&c.error, c.stage.as_str()) {
        (Some(e), "compile") => Err(e.clone()),
        _ => Ok(()),
    };
    let got = validate(s);
    (got != want).then(|| format!("{got:?}"))
}

#[test]
fn validate_answers_as_influxdb_1_6_7() {
    let cases = cases();
    assert!(cases.len() >= 120, "{} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            mismatch(c).map(|got| {
                format!(
                    "{}\n    want {:?} ({}, {})\n    got  {got}",
                    c.query, c.error, c.stage, c.status
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_cases_cover_valid_and_invalid_statements() {
    let cases = cases();
    let compile_errors = cases
        .iter()
        .filter(|c| c.stage == "compile" && c.status == 200 && c.error.is_some());
    let valid = cases.iter().filter(|c| c.status == 200 && c.error.is_none());
    assert!(compile_errors.count() >= 100);
    assert!(valid.count() >= 50);
}

/// Odd and extreme statements: `validate` answers without panicking.
#[test]
fn no_panic_on_odd_input() {
    let queries = [
        "SELECT v + (9223372036854775807 + 1) * -9223372036854775808 FROM m",
        "SELECT v + (-9223372036854775808 % -1) + (-9223372036854775808 / -1) FROM m",
        "SELECT v + (18446744073709551615 - 1 - 18446744073709551615 / 0 % 0) FROM m",
        "SELECT v + (9223372036854775807ns + 9223372036854775807ns - -9223372036854775807ns) FROM m",
        "SELECT v + (1s / 0.5) + (1s * 100000000000000000000.5) + (1s / 0) + (1s % 0) FROM m",
        "SELECT v + ('2262-04-11T23:47:16Z' + 9223372036854775807ns - '1677-09-21T00:12:43Z') FROM m",
        "SELECT v + (-9223372036854775808 + '2020-01-01') + ('2020-01-01' - 9223372036854775807) FROM m",
        "SELECT top(v, 1000000000000000000000.0 * 1000000000000000000000.0), top(v, '2020-01-01' + 1s) FROM m",
        "SELECT top(v, 9223372036854775807) FROM m LIMIT 9223372036854775807",
        "SELECT v + (1 + abs('a')) + (abs('a') + 1) + (abs(1s) - abs(true)) FROM m",
        "SELECT log(0, 0) + pow(-1, 0.5) + v FROM m",
        "SELECT mean(v) FROM m WHERE time > now() - 1h GROUP BY time(-9223372036854775807ns, 1s)",
        "SELECT mean(v) FROM m GROUP BY time(1s, -9223372036854775807ns)",
        "SELECT mean(v) FROM m GROUP BY time(1s, '1677-09-21T00:12:43.145224191Z')",
        "SELECT mean(v) FROM m WHERE time > '2262-04-11T23:47:16.854775807Z' + 1h GROUP BY time(1h)",
        "SELECT derivative(v, -9223372036854775807ns) FROM m",
        "SELECT distinct(distinct(v)), count(distinct(distinct(v))) FROM m",
        "SELECT top(v, host, 1), bottom(v, 1), distinct(v), * FROM m",
        "SELECT * FROM m WHERE abs(abs(abs(v, 1))) > 0",
    ];
    for q in queries {
        let parsed = parse_query(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        let Statement::Select(s) = &parsed.statements[0] else {
            panic!("{q}");
        };
        let _ = validate(s);
    }
}

/// Expressions as deep as the parser allows fit in half of a thread's default 2 MiB stack.
#[test]
fn deep_expressions_fit_in_the_stack() {
    let deep = |sep: &str, term: &str| vec![term; 1990].join(sep);
    let nested_calls = format!("SELECT {}v{} FROM m", "abs(".repeat(99), ")".repeat(99));
    let nested_subqueries = format!("SELECT v FROM {}m{}", "(SELECT v FROM ".repeat(99), ")".repeat(99));
    let queries = vec![
        format!("SELECT {} FROM m", deep(" + ", "v")),
        format!("SELECT v + ({}) FROM m", deep(" - ", "1")),
        format!("SELECT top(v, {}) FROM m", deep(" * ", "v")),
        format!("SELECT {} FROM m", deep(" + ", "*")),
        nested_calls,
        nested_subqueries,
    ];
    for q in queries {
        let parsed = parse_query(&q).unwrap_or_else(|e| panic!("{e}"));
        let Some(Statement::Select(s)) = parsed.statements.into_iter().next() else {
            panic!("not a SELECT");
        };
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let _ = validate(&s);
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
