use super::*;
use crate::parse_expr;

const NOW: i64 = 1_700_000_000_000_000_000;
const H: i64 = 3_600_000_000_000;

fn split(cond: &str, loc: Option<&str>) -> Result<(Option<String>, TimeRange), String> {
    let e = parse_expr(cond).unwrap();
    let loc = loc.map(|l| Location::load(l).unwrap());
    split_time_condition(Some(&e), NOW, loc.as_ref())
        .map(|(rest, r)| (rest.map(|e| e.to_string()), r))
        .map_err(|e| e.to_string())
}

fn range(min: Option<i64>, max: Option<i64>) -> TimeRange {
    TimeRange { min, max }
}

#[test]
fn split_table() {
    let f = |cond: &str, rest: Option<&str>, want: TimeRange| {
        assert_eq!(split(cond, None), Ok((rest.map(String::from), want)), "{cond}");
    };
    f("time >= now() - 1h", None, range(Some(NOW - H), None));
    f("time > now() - 1h", None, range(Some(NOW - H + 1), None));
    f("time < now()", None, range(None, Some(NOW - 1)));
    f("time <= now()", None, range(None, Some(NOW)));
    f("time = 5", None, range(Some(5), Some(5)));
    f("now() - 1h < time", None, range(Some(NOW - H + 1), None));
    f(
        "time >= 1596240000000ms and time <= 1596240300000ms",
        None,
        range(Some(1_596_240_000_000_000_000), Some(1_596_240_300_000_000_000)),
    );
    f(
        "time > '2020-01-01'",
        None,
        range(Some(1_577_836_800_000_000_001), None),
    );
    f(
        "time >= '2020-01-01T00:00:00Z'",
        None,
        range(Some(1_577_836_800_000_000_000), None),
    );
    f(
        "time >= '2020-01-01 00:00:00.5'",
        None,
        range(Some(1_577_836_800_500_000_000), None),
    );
    f(
        "time >= '2020-01-01T01:00:00+01:00'",
        None,
        range(Some(1_577_836_800_000_000_000), None),
    );
    f(
        "time >= '2020-01-01' + 1h",
        None,
        range(Some(1_577_836_800_000_000_000 + H), None),
    );
    f("time > 1.5 AND time < 10", None, range(Some(2), Some(9)));
    f("host = 'a' AND time > 0", Some("host = 'a'"), range(Some(1), None));
    // Go strips the parentheses left at the top.
    f("(time > 0) AND (host = 'a')", Some("host = 'a'"), range(Some(1), None));
    f(
        "(time > 0 AND host = 'a') AND b = 1",
        Some("(host = 'a') AND b = 1"),
        range(Some(1), None),
    );
    f("time > 0 OR host = 'a'", Some("host = 'a'"), range(Some(1), None));
    f("time > 10 OR time < 5", None, range(Some(11), Some(4)));
    f("1 = 1 AND host = 'a'", Some("host = 'a'"), range(None, None));
    f("true", None, range(None, None));
    f("time > 0 AND false", Some("false"), range(Some(1), None));
}

#[test]
fn split_errors() {
    let f = |cond: &str, want: &str| assert_eq!(split(cond, None), Err(want.to_string()), "{cond}");
    f(
        "time > true",
        "invalid operation: time and *influxql.BooleanLiteral are not compatible",
    );
    f(
        "time > 'abc'",
        "invalid operation: time and *influxql.StringLiteral are not compatible",
    );
    f(
        "time > host",
        "invalid operation: time and *influxql.VarRef are not compatible",
    );
    f(
        "time = 'x' + 1h",
        "invalid operation: time and *influxql.BinaryExpr are not compatible",
    );
    f("time > '2020-13-01'", "invalid timestamp string");
    f("time > '2020-02-30'", "invalid timestamp string");
    f("time > '2020-01-01 25:00:00'", "invalid timestamp string");
    f("host", "invalid condition expression: host");
    f("time != 5", "invalid time comparison operator: !=");
    f(
        "time > '3000-01-01'",
        "time 3000-01-01T00:00:00Z overflows time literal",
    );
    f(
        "time > '1600-01-01'",
        "time 1600-01-01T00:00:00Z underflows time literal",
    );
}

#[test]
fn time_zone() {
    // Midnight in Paris is 23:00 UTC the day before in winter.
    assert_eq!(
        split("time >= '2020-01-01'", Some("Europe/Paris")),
        Ok((None, range(Some(1_577_833_200_000_000_000), None)))
    );
    assert!(Location::load("Nowhere/City").is_err());
    assert_eq!(Location::load("").unwrap().name(), "UTC");
}

#[test]
fn time_strings() {
    assert!(is_time_string("2020-01-01"));
    assert!(is_time_string("2020-01-01 x"));
    assert!(!is_time_string("2020-01-01\n"));
    assert!(!is_time_string("20-01-01"));
    assert_eq!(format_rfc3339_nano(1_600_000_000_500_000_000), "2020-09-13T12:26:40.5Z");
    assert_eq!(format_rfc3339_nano(0), "1970-01-01T00:00:00Z");
    assert_eq!(format_rfc3339_nano(-1), "1969-12-31T23:59:59.999999999Z");
}
