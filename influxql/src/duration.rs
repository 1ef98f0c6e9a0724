//! Durations: InfluxQL literals (`1h30m`, `1w`, `10ms`, `5u`/`5µ`, `100ns`) to nanoseconds and
//! back, and Go's `time.Duration.String()` form (`168h0m0s`) that SHOW RETENTION POLICIES
//! prints. Durations are `i64` nanoseconds, as Go's `time.Duration`.

use std::fmt::Write;

const NS: i64 = 1;
const US: i64 = 1_000;
const MS: i64 = 1_000_000;
const SECOND: i64 = 1_000_000_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// Why a duration literal is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DurationError {
    /// Not of the form `(<digits><unit>)+`.
    #[error("invalid duration")]
    Invalid,
    /// A term or the sum is past what nanoseconds in an `i64` hold (about 292 years);
    /// InfluxDB's text, naming the term where it happened.
    #[error("overflowed duration {measure}{unit}: choose a smaller duration or INF")]
    Overflow {
        /// The digits of the term, as written.
        measure: String,
        /// Its unit.
        unit: String,
    },
}

/// Parses an InfluxQL duration literal (Go's `influxql.ParseDuration`): one or more
/// `<digits><unit>` terms, units `ns`, `u`/`µ`, `ms`, `s`, `m`, `h`, `d`, `w`, with an optional
/// leading `-`. Any term or sum past `i64::MAX` nanoseconds is an overflow error, named by the
/// term where it happened. Go's `ParseDuration` adds with wrap-around and reports only a sum
/// that wrapped negative (`213504d` becomes 25 minutes; `99999999999999999999d` is "invalid
/// duration"): Cairn refuses every overflow with Go's overflow text instead.
pub fn parse_duration(s: &str) -> Result<i64, DurationError> {
    if s.len() < 2 {
        return Err(DurationError::Invalid);
    }
    let a: Vec<char> = s.chars().collect();
    let mut i = 0;
    let negative = a[0] == '-';
    if negative {
        i += 1;
    }
    let mut d: i64 = 0;
    while i < a.len() {
        let start = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        if i >= a.len() || i == start {
            return Err(DurationError::Invalid);
        }
        let digits: String = a[start..i].iter().collect();
        let mut unit = a[i].to_string();
        let two = i + 1 < a.len();
        let scale = match a[i] {
            'n' if two && a[i + 1] == 's' => {
                unit = "ns".into();
                i += 1;
                NS
            }
            'n' => return Err(DurationError::Invalid),
            'u' | 'µ' => US,
            'm' if two && a[i + 1] == 's' => {
                unit = "ms".into();
                i += 1;
                MS
            }
            'm' => MINUTE,
            's' => SECOND,
            'h' => HOUR,
            'd' => DAY,
            'w' => WEEK,
            _ => return Err(DurationError::Invalid),
        };
        // All digits (checked above), so a failed parse is a number past i64.
        let term = digits.parse::<i64>().ok().and_then(|n| n.checked_mul(scale));
        match term.and_then(|t| d.checked_add(t)) {
            Some(sum) => d = sum,
            None => return Err(DurationError::Overflow { measure: digits, unit }),
        }
        i += 1;
    }
    // `d` is at most i64::MAX, whose negation fits.
    Ok(if negative { -d } else { d })
}

/// Formats nanoseconds as an InfluxQL literal with the largest unit that divides it exactly
/// (Go's `influxql.FormatDuration`): `0s`, `2w`, `1d`, `90m`, `1500ms`, `5u`, `7ns`.
pub fn format_duration(d: i64) -> String {
    let (n, unit) = if d == 0 {
        return "0s".into();
    } else if d % WEEK == 0 {
        (d / WEEK, "w")
    } else if d % DAY == 0 {
        (d / DAY, "d")
    } else if d % HOUR == 0 {
        (d / HOUR, "h")
    } else if d % MINUTE == 0 {
        (d / MINUTE, "m")
    } else if d % SECOND == 0 {
        (d / SECOND, "s")
    } else if d % MS == 0 {
        (d / MS, "ms")
    } else if d % US == 0 {
        (d / US, "u")
    } else {
        (d, "ns")
    };
    format!("{n}{unit}")
}

/// Go's `time.Duration.String()`: `0s`, `1.5s`, `168h0m0s`, `1h30m0s`, `2ms`, `1µs`, `-5m0s`.
pub fn format_go_duration(d: i64) -> String {
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if u < SECOND as u64 {
        // Sub-second: one unit with a fraction.
        let (unit, scale) = if u == 0 {
            return "0s".into();
        } else if u < US as u64 {
            ("ns", 1u64)
        } else if u < MS as u64 {
            ("µs", US as u64)
        } else {
            ("ms", MS as u64)
        };
        write_fraction(&mut out, u, scale);
        out.push_str(unit);
        return out;
    }
    let hours = u / HOUR as u64;
    let rem = u % HOUR as u64;
    let minutes = rem / MINUTE as u64;
    let nanos = rem % MINUTE as u64;
    if hours > 0 {
        let _ = write!(out, "{hours}h");
    }
    if hours > 0 || minutes > 0 {
        let _ = write!(out, "{minutes}m");
    }
    write_fraction(&mut out, nanos, SECOND as u64);
    out.push('s');
    out
}

/// Writes `v / scale` with the fraction's trailing zeros removed.
fn write_fraction(out: &mut String, v: u64, scale: u64) {
    let _ = write!(out, "{}", v / scale);
    let frac = v % scale;
    if frac != 0 {
        let width = scale.ilog10() as usize;
        let digits = format!("{frac:0width$}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let f = |input: &str, want: Result<i64, DurationError>| assert_eq!(parse_duration(input), want, "{input:?}");
        f("1h", Ok(HOUR));
        f("1h30m", Ok(HOUR + 30 * MINUTE));
        f("1w", Ok(WEEK));
        f("2d", Ok(2 * DAY));
        f("10s", Ok(10 * SECOND));
        f("15ms", Ok(15 * MS));
        f("3u", Ok(3 * US));
        f("3µ", Ok(3 * US));
        f("100ns", Ok(100));
        f("-5m", Ok(-5 * MINUTE));
        f("0s", Ok(0));
        f("1m5ms", Ok(MINUTE + 5 * MS));
        f("1", Err(DurationError::Invalid));
        f("h", Err(DurationError::Invalid));
        f("1n", Err(DurationError::Invalid));
        f("1x", Err(DurationError::Invalid));
        f("1e5", Err(DurationError::Invalid));
        f("1y", Err(DurationError::Invalid));
        f("10", Err(DurationError::Invalid));
        let overflow = |measure: &str, unit: &str| {
            Err(DurationError::Overflow {
                measure: measure.into(),
                unit: unit.into(),
            })
        };
        f("9999999999w", overflow("9999999999", "w"));
        assert_eq!(
            parse_duration("9999999999w").unwrap_err().to_string(),
            "overflowed duration 9999999999w: choose a smaller duration or INF"
        );
        // Past i64 as digits (Go: "invalid duration"), and products or sums that Go wraps
        // around without a word (213504d is 25m26.29s there).
        f("99999999999999999999d", overflow("99999999999999999999", "d"));
        f("99999999999999999999s", overflow("99999999999999999999", "s"));
        f("9223372036854775807w", overflow("9223372036854775807", "w"));
        f("213504d", overflow("213504", "d"));
        f("106752d", overflow("106752", "d"));
        f("106751d1w", overflow("1", "w"));
        f("-213504d", overflow("213504", "d"));
        f("9223372036854775807ns", Ok(i64::MAX));
        f("-9223372036854775807ns", Ok(-i64::MAX));
        f("106751d", Ok(106_751 * DAY));
    }

    #[test]
    fn format_table() {
        let f = |d: i64, want: &str| assert_eq!(format_duration(d), want, "{d}");
        f(0, "0s");
        f(WEEK, "1w");
        f(DAY, "1d");
        f(HOUR, "1h");
        f(90 * MINUTE, "90m");
        f(10 * SECOND, "10s");
        f(1500 * MS, "1500ms");
        f(5 * US, "5u");
        f(7, "7ns");
        f(-5 * SECOND, "-5s");
    }

    #[test]
    fn go_format_table() {
        let f = |d: i64, want: &str| assert_eq!(format_go_duration(d), want, "{d}");
        f(0, "0s");
        f(WEEK, "168h0m0s");
        f(HOUR + 30 * MINUTE, "1h30m0s");
        f(90 * SECOND, "1m30s");
        f(1500 * MS, "1.5s");
        f(2 * MS, "2ms");
        f(1500 * US, "1.5ms");
        f(US, "1µs");
        f(7, "7ns");
        f(-5 * MINUTE, "-5m0s");
        f(i64::MIN, "-2562047h47m16.854775808s");
        f(i64::MAX, "2562047h47m16.854775807s");
    }
}
