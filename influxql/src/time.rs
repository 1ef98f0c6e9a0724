//! Time in WHERE conditions: splits a condition into its time range and the rest, exactly as
//! InfluxDB 1.x's `influxql.ConditionExpr` does with a `NowValuer` (constant folding
//! included), and reads time strings as Go's `time.ParseInLocation` does.
//!
//! Times are nanoseconds since the Unix epoch. Time strings are `'2006-01-02'`,
//! `'2006-01-02 15:04:05[.frac]'` (in the query's `tz()` zone, else UTC) or RFC3339 with an
//! optional fraction and a `Z` or `±hh:mm` offset; integers are nanoseconds, durations
//! (`1596240000000ms`) count from the epoch, and `now()` is the time given by the caller.

use std::fmt;

use crate::expr::{BinaryExpr, BinaryOp, Call, Expr, Literal};

/// The smallest time InfluxDB stores (a sentinel one below it is reserved).
pub const MIN_TIME: i64 = i64::MIN + 2;
/// The largest time InfluxDB stores.
pub const MAX_TIME: i64 = i64::MAX - 1;

/// An inclusive range of nanosecond times; `None` is unbounded on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    /// Inclusive lower bound.
    pub min: Option<i64>,
    /// Inclusive upper bound.
    pub max: Option<i64>,
}

impl TimeRange {
    /// The narrower of the two ranges (Go's `Intersect`).
    pub fn intersect(self, other: TimeRange) -> TimeRange {
        TimeRange {
            min: match (self.min, other.min) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
            max: match (self.max, other.max) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }

    /// Lower bound, [`MIN_TIME`] when unbounded.
    pub fn min_ns(&self) -> i64 {
        self.min.unwrap_or(MIN_TIME)
    }

    /// Upper bound, [`MAX_TIME`] when unbounded.
    pub fn max_ns(&self) -> i64 {
        self.max.unwrap_or(MAX_TIME)
    }

    /// Neither side is bounded.
    pub fn is_unbounded(&self) -> bool {
        self.min.is_none() && self.max.is_none()
    }
}

/// Why a condition has no usable time range; the text is InfluxDB's (a per-statement error
/// in a 200 response).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConditionError(pub String);

/// A time zone for `tz()`; `None` is UTC.
#[derive(Debug, Clone)]
pub struct Location {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl Location {
    /// Loads a zone as Go's `time.LoadLocation`: `""` and `"UTC"` are UTC, `"Local"` is the
    /// system zone, anything else an IANA name from the system database.
    pub fn load(name: &str) -> Result<Location, ConditionError> {
        let tz = match name {
            "" | "UTC" => jiff::tz::TimeZone::UTC,
            "Local" => jiff::tz::TimeZone::system(),
            _ => jiff::tz::TimeZone::get(name).map_err(|_| ConditionError(format!("unknown time zone {name}")))?,
        };
        Ok(Location {
            name: if name.is_empty() { "UTC".into() } else { name.into() },
            tz,
        })
    }

    /// The name as printed in `tz('...')`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone.
    pub fn time_zone(&self) -> &jiff::tz::TimeZone {
        &self.tz
    }

    /// The zone's offset from UTC at the instant `ns` (ns since the epoch), in ns: what Go's
    /// `time.Unix(0, ns).In(loc).Zone()` gives, for GROUP BY time buckets in local time.
    pub fn offset_ns(&self, ns: i64) -> i64 {
        let ts = jiff::Timestamp::from_nanosecond(i128::from(ns)).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        i64::from(self.tz.to_offset(ts).seconds()) * 1_000_000_000
    }
}

/// Checks a `tz()` argument and returns the name the statement keeps (`""` becomes `UTC`).
pub(crate) fn load_location(name: &str) -> Result<String, ConditionError> {
    Location::load(name).map(|l| l.name)
}

// ---------------------------------------------------------------- time strings

fn digits(s: &[u8], n: usize) -> Option<i64> {
    if s.len() < n || !s[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s[..n].iter().fold(0i64, |a, d| a * 10 + i64::from(d - b'0')))
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether a string literal is read as a time (Go's `IsTimeLiteral`): `dddd-dd-dd`, alone or
/// followed by anything on the same line.
pub fn is_time_string(s: &str) -> bool {
    let b = s.as_bytes();
    let date = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    date && (b.len() == 10 || b[10] != b'\n')
}

struct Civil {
    y: i64,
    mo: i64,
    d: i64,
    h: i64,
    mi: i64,
    s: i64,
    ns: i64,
    /// Offset east of UTC in seconds, when the string gives one.
    offset: Option<i64>,
}

/// Go's layouts `2006-01-02 15:04:05.999999` (time_sep b' ') and
/// `2006-01-02T15:04:05.999999999Z07:00` (time_sep b'T', zone required).
fn parse_layout(s: &str, rfc3339: bool) -> Option<Civil> {
    let b = s.as_bytes();
    let y = digits(b, 4)?;
    let b = b.get(4..)?.strip_prefix(b"-")?;
    let mo = digits(b, 2)?;
    let b = b[2..].strip_prefix(b"-")?;
    let d = digits(b, 2)?;
    let mut b = &b[2..];
    if rfc3339 {
        b = b.strip_prefix(b"T")?;
    } else {
        // One space in the layout matches one or more in the value.
        if b.first() != Some(&b' ') {
            return None;
        }
        while b.first() == Some(&b' ') {
            b = &b[1..];
        }
    }
    // Hour: one or two digits.
    let (h, rest) = match (b.first(), b.get(1)) {
        (Some(a), Some(c)) if a.is_ascii_digit() && c.is_ascii_digit() => (digits(b, 2)?, &b[2..]),
        (Some(a), _) if a.is_ascii_digit() => (i64::from(a - b'0'), &b[1..]),
        _ => return None,
    };
    let b = rest.strip_prefix(b":")?;
    let mi = digits(b, 2)?;
    let b = b[2..].strip_prefix(b":")?;
    let sec = digits(b, 2)?;
    let mut b = &b[2..];
    let mut ns = 0;
    if b.len() >= 2 && (b[0] == b'.' || b[0] == b',') && b[1].is_ascii_digit() {
        let n = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let frac = &b[1..1 + n.min(9)];
        ns = frac.iter().fold(0i64, |a, d| a * 10 + i64::from(d - b'0')) * 10i64.pow(9 - frac.len() as u32);
        b = &b[1 + n..];
    }
    let mut offset = None;
    if rfc3339 {
        if b.first() == Some(&b'Z') {
            offset = Some(0);
            b = &b[1..];
        } else {
            if b.len() < 6 || !(b[0] == b'+' || b[0] == b'-') || b[3] != b':' {
                return None;
            }
            let oh = digits(&b[1..], 2)?;
            let om = digits(&b[4..], 2)?;
            let sign = if b[0] == b'-' { -1 } else { 1 };
            offset = Some(sign * (oh * 3600 + om * 60));
            b = &b[6..];
        }
    }
    if !b.is_empty() || !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h >= 24 || mi >= 60 || sec >= 60
    {
        return None;
    }
    Some(Civil {
        y,
        mo,
        d,
        h,
        mi,
        s: sec,
        ns,
        offset,
    })
}

fn to_instant(c: &Civil, loc: Option<&Location>) -> Option<i128> {
    let local = (days_from_civil(c.y, c.mo, c.d) * 86_400 + c.h * 3600 + c.mi * 60 + c.s) as i128;
    let secs = match (c.offset, loc) {
        (Some(off), _) => local - off as i128,
        (None, None) => local,
        (None, Some(l)) => {
            let dt = jiff::civil::DateTime::new(c.y as i16, c.mo as i8, c.d as i8, c.h as i8, c.mi as i8, c.s as i8, 0)
                .ok()?;
            l.tz.to_timestamp(dt).ok()?.as_second() as i128
        }
    };
    Some(secs * 1_000_000_000 + c.ns as i128)
}

/// Reads a time string as InfluxDB does (Go's `StringLiteral.ToTimeLiteral`), in `loc` (UTC
/// when `None`) unless the string has an offset. Nanoseconds since the epoch, which may lie
/// outside the `i64` range.
pub fn parse_time_string(s: &str, loc: Option<&Location>) -> Result<i128, ConditionError> {
    let invalid = || ConditionError("invalid timestamp string".into());
    let b = s.as_bytes();
    if is_time_string(s) && b.len() > 10 {
        let c = parse_layout(s, false)
            .or_else(|| parse_layout(s, true))
            .ok_or_else(invalid)?;
        to_instant(&c, loc).ok_or_else(invalid)
    } else if is_time_string(s) {
        let c = parse_layout(&format!("{s} 00:00:00"), false).ok_or_else(invalid)?;
        to_instant(&c, loc).ok_or_else(invalid)
    } else {
        Err(invalid())
    }
}

/// RFC3339 in UTC with the fraction trimmed (Go's `time.RFC3339Nano`): `2020-09-13T12:26:40.5Z`.
pub fn format_rfc3339_nano(ns: i128) -> String {
    format_time(ns, true)
}

fn format_time(ns: i128, nano: bool) -> String {
    let secs = ns.div_euclid(1_000_000_000) as i64;
    let frac = ns.rem_euclid(1_000_000_000) as i64;
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let mut out = format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    );
    if nano && frac != 0 {
        out.push_str(format!(".{frac:09}").trim_end_matches('0'));
    }
    out.push('Z');
    out
}

// ---------------------------------------------------------------- reduction

/// A value during constant folding: Go's literal types plus its `TimeLiteral`.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Bool(bool),
    Dur(i64),
    Int(i64),
    Uns(u64),
    Num(f64),
    Str(String),
    /// Nanoseconds since the epoch (wide: Go times reach far beyond `i64` nanoseconds).
    Time(i128),
    /// Anything that did not fold.
    Expr(Expr),
}

impl V {
    fn from_expr(e: Expr) -> V {
        match e {
            Expr::Literal(Literal::Boolean(b)) => V::Bool(b),
            Expr::Literal(Literal::Duration(d)) => V::Dur(d),
            Expr::Literal(Literal::Integer(i)) => V::Int(i),
            Expr::Literal(Literal::Unsigned(u)) => V::Uns(u),
            Expr::Literal(Literal::Number(n)) => V::Num(n),
            Expr::Literal(Literal::String(s)) => V::Str(s),
            Expr::Literal(Literal::Time(t)) => V::Time(t as i128),
            e => V::Expr(e),
        }
    }

    fn into_expr(self) -> Expr {
        Expr::Literal(match self {
            V::Bool(b) => Literal::Boolean(b),
            V::Dur(d) => Literal::Duration(d),
            V::Int(i) => Literal::Integer(i),
            V::Uns(u) => Literal::Unsigned(u),
            V::Num(n) => Literal::Number(n),
            V::Str(s) => Literal::String(s),
            V::Time(t) => Literal::Time(t.clamp(i64::MIN as i128, i64::MAX as i128) as i64),
            V::Expr(e) => return e,
        })
    }

    fn is_literal(&self) -> bool {
        !matches!(self, V::Expr(e) if !matches!(e, Expr::Literal(_)))
    }

    fn is_binary(&self) -> bool {
        matches!(self, V::Expr(Expr::Binary(_)))
    }

    /// Go's `%T` of the value.
    fn go_type(&self) -> &'static str {
        match self {
            V::Bool(_) => "*influxql.BooleanLiteral",
            V::Dur(_) => "*influxql.DurationLiteral",
            V::Int(_) => "*influxql.IntegerLiteral",
            V::Uns(_) => "*influxql.UnsignedLiteral",
            V::Num(_) => "*influxql.NumberLiteral",
            V::Str(_) => "*influxql.StringLiteral",
            V::Time(_) => "*influxql.TimeLiteral",
            V::Expr(e) => match e {
                Expr::VarRef(_) => "*influxql.VarRef",
                Expr::Call(_) => "*influxql.Call",
                Expr::Distinct(_) => "*influxql.Distinct",
                Expr::Binary(_) => "*influxql.BinaryExpr",
                Expr::Paren(_) => "*influxql.ParenExpr",
                Expr::Wildcard(_) => "*influxql.Wildcard",
                Expr::Literal(Literal::Regex(_)) => "*influxql.RegexLiteral",
                Expr::Literal(_) => "*influxql.Literal",
            },
        }
    }
}

/// What `now()` and the zone are during reduction (Go's `NowValuer`); `None` for the plain
/// `reduce(expr, nil)` Go uses when recombining conditions.
#[derive(Clone, Copy)]
struct Valuer<'a> {
    now: Option<i128>,
    loc: Option<&'a Location>,
}

fn binary(op: BinaryOp, lhs: V, rhs: V) -> V {
    V::Expr(Expr::binary(op, lhs.into_expr(), rhs.into_expr()))
}

fn string_time(s: &str, loc: Option<&Location>) -> Option<i128> {
    if !is_time_string(s) {
        return None;
    }
    parse_time_string(s, loc).ok()
}

fn reduce(e: &Expr, v: Valuer<'_>) -> V {
    match e {
        Expr::Binary(b) => reduce_binary(b, v),
        Expr::Call(c) => {
            let args: Vec<V> = c.args.iter().map(|a| reduce(a, v)).collect();
            if let Some(now) = v.now {
                if args.iter().all(V::is_literal) && c.name == "now" && args.is_empty() {
                    return V::Time(now);
                }
            }
            V::Expr(Expr::Call(Call {
                name: c.name.clone(),
                args: args.into_iter().map(V::into_expr).collect(),
            }))
        }
        Expr::Paren(inner) => match reduce(inner, v) {
            r if r.is_binary() => V::Expr(Expr::Paren(Box::new(r.into_expr()))),
            r => r,
        },
        Expr::VarRef(r) if r.name == "now()" && v.now.is_some() => V::Time(v.now.unwrap_or_default()),
        e => V::from_expr(e.clone()),
    }
}

fn reduce_binary(b: &BinaryExpr, v: Valuer<'_>) -> V {
    use BinaryOp::*;
    let op = b.op;
    let lhs = reduce(&b.lhs, v);
    let rhs = reduce(&b.rhs, v);
    if op == And {
        if lhs == V::Bool(false) || rhs == V::Bool(false) {
            return V::Bool(false);
        } else if lhs == V::Bool(true) {
            return rhs;
        } else if rhs == V::Bool(true) {
            return lhs;
        }
    } else if op == Or {
        if lhs == V::Bool(true) || rhs == V::Bool(true) {
            return V::Bool(true);
        } else if lhs == V::Bool(false) {
            return rhs;
        } else if rhs == V::Bool(false) {
            return lhs;
        }
    }
    fold(op, lhs, rhs, v.loc)
}

/// Folds `lhs op rhs` when both are literals of types Go folds; otherwise rebuilds the
/// binary expression.
fn fold(op: BinaryOp, lhs: V, rhs: V, loc: Option<&Location>) -> V {
    use BinaryOp::*;
    let cmp = |o: std::cmp::Ordering| -> Option<V> {
        use std::cmp::Ordering::*;
        Some(V::Bool(match op {
            Eq => o == Equal,
            Neq => o != Equal,
            Gt => o == Greater,
            Gte => o != Less,
            Lt => o == Less,
            Lte => o != Greater,
            _ => return None,
        }))
    };
    let folded: Option<V> = match (&lhs, &rhs) {
        (V::Bool(l), V::Bool(r)) => match op {
            Eq => Some(V::Bool(l == r)),
            Neq | BitwiseXor => Some(V::Bool(l != r)),
            And | BitwiseAnd => Some(V::Bool(*l && *r)),
            Or | BitwiseOr => Some(V::Bool(*l || *r)),
            _ => None,
        },
        (V::Dur(l), V::Dur(r)) => match op {
            Add => Some(V::Dur(l.wrapping_add(*r))),
            Sub => Some(V::Dur(l.wrapping_sub(*r))),
            _ => cmp(l.cmp(r)),
        },
        (V::Dur(l), V::Num(_) | V::Int(_)) => {
            let r = match rhs {
                V::Num(n) => n as i64,
                V::Int(i) => i,
                _ => 0,
            };
            let zero = matches!(rhs, V::Num(n) if n == 0.0) || matches!(rhs, V::Int(0));
            match op {
                Mul => Some(V::Dur(l.wrapping_mul(r))),
                Div if zero => Some(V::Dur(0)),
                // Go panics dividing by a float in (-1, 1); 0 here.
                Div => Some(V::Dur(l.checked_div(r).unwrap_or(0))),
                _ => None,
            }
        }
        (V::Dur(l), V::Time(t)) if op == Add => Some(V::Time(t + *l as i128)),
        (V::Dur(_), V::Str(s)) => string_time(s, loc).and_then(|t| non_binary(fold(op, lhs.clone(), V::Time(t), loc))),
        (V::Int(l), V::Num(_)) => non_binary_or(fold(op, V::Num(*l as f64), rhs.clone(), loc)),
        (V::Int(l), V::Int(r)) => match op {
            Add => Some(V::Int(l.wrapping_add(*r))),
            Sub => Some(V::Int(l.wrapping_sub(*r))),
            Mul => Some(V::Int(l.wrapping_mul(*r))),
            Div if *r == 0 => Some(V::Num(0.0)),
            Div => Some(V::Num(*l as f64 / *r as f64)),
            Mod if *r == 0 => Some(V::Int(0)),
            Mod => Some(V::Int(l.wrapping_rem(*r))),
            BitwiseAnd => Some(V::Int(l & r)),
            BitwiseOr => Some(V::Int(l | r)),
            BitwiseXor => Some(V::Int(l ^ r)),
            _ => cmp(l.cmp(r)),
        },
        (V::Int(l), V::Uns(_)) => {
            if *l < 0 && matches!(op, Lt | Lte) {
                Some(V::Bool(true))
            } else if *l < 0 && matches!(op, Gt | Gte) {
                Some(V::Bool(false))
            } else {
                non_binary_or(fold(op, V::Uns(*l as u64), rhs.clone(), loc))
            }
        }
        (V::Int(l), V::Dur(d)) => match op {
            Add => Some(V::Time(*l as i128 + *d as i128)),
            Sub => Some(V::Time(*l as i128 - *d as i128)),
            _ => None,
        },
        (V::Int(l), V::Time(_)) => non_binary(fold(op, V::Dur(*l), rhs.clone(), loc)),
        (V::Int(l), V::Str(s)) => string_time(s, loc).and_then(|t| non_binary(fold(op, V::Dur(*l), V::Time(t), loc))),
        (V::Uns(l), V::Num(_)) => non_binary_or(fold(op, V::Num(*l as f64), rhs.clone(), loc)),
        (V::Uns(_), V::Int(r)) => {
            if *r < 0 && matches!(op, Lt | Lte) {
                Some(V::Bool(false))
            } else if *r < 0 && matches!(op, Gt | Gte) {
                Some(V::Bool(true))
            } else {
                non_binary_or(fold(op, lhs.clone(), V::Uns(*r as u64), loc))
            }
        }
        (V::Uns(l), V::Uns(r)) => match op {
            Add => Some(V::Uns(l.wrapping_add(*r))),
            Sub => Some(V::Uns(l.wrapping_sub(*r))),
            Mul => Some(V::Uns(l.wrapping_mul(*r))),
            Div => Some(V::Uns(l.checked_div(*r).unwrap_or(0))),
            Mod => Some(V::Uns(l.checked_rem(*r).unwrap_or(0))),
            _ => cmp(l.cmp(r)),
        },
        (V::Num(l), V::Num(_) | V::Int(_) | V::Uns(_)) => {
            let r = match rhs {
                V::Num(n) => n,
                V::Int(i) => i as f64,
                V::Uns(u) => u as f64,
                _ => 0.0,
            };
            match op {
                Add => Some(V::Num(l + r)),
                Sub => Some(V::Num(l - r)),
                Mul => Some(V::Num(l * r)),
                Div if r == 0.0 => Some(V::Num(0.0)),
                Div => Some(V::Num(l / r)),
                Mod => Some(V::Num(l % r)),
                _ => match l.partial_cmp(&r) {
                    Some(o) => cmp(o),
                    None if matches!(op, Eq | Neq | Lt | Lte | Gt | Gte) => Some(V::Bool(op == Neq)),
                    None => None,
                },
            }
        }
        (V::Str(l), V::Str(r)) => match op {
            Eq | Neq => {
                let mut out = V::Bool((l == r) == (op == Eq));
                if let (Some(a), Some(b)) = (string_time(l, loc), string_time(r, loc)) {
                    out = cmp(a.cmp(&b)).unwrap_or(out);
                }
                Some(out)
            }
            Add => Some(V::Str(format!("{l}{r}"))),
            _ => string_time(l, loc).and_then(|t| non_binary(fold(op, V::Time(t), rhs.clone(), loc))),
        },
        (V::Str(l), V::Dur(_) | V::Time(_) | V::Int(_)) => {
            string_time(l, loc).and_then(|t| non_binary(fold(op, V::Time(t), rhs.clone(), loc)))
        }
        (V::Time(l), V::Dur(d)) => match op {
            Add => Some(V::Time(l + *d as i128)),
            Sub => Some(V::Time(l - *d as i128)),
            _ => None,
        },
        (V::Time(_), V::Int(i)) => non_binary(fold(op, lhs.clone(), V::Dur(*i), loc)),
        (V::Time(l), V::Time(r)) => match op {
            Sub => Some(V::Dur((l - r).clamp(i64::MIN as i128, i64::MAX as i128) as i64)),
            _ => cmp(l.cmp(r)),
        },
        (V::Time(_), V::Str(s)) => string_time(s, loc).and_then(|t| non_binary(fold(op, lhs.clone(), V::Time(t), loc))),
        _ => None,
    };
    folded.unwrap_or_else(|| binary(op, lhs, rhs))
}

fn non_binary(v: V) -> Option<V> {
    if v.is_binary() {
        None
    } else {
        Some(v)
    }
}

fn non_binary_or(v: V) -> Option<V> {
    Some(v)
}

// ---------------------------------------------------------------- condition split

/// Splits a WHERE condition into the non-time condition and the time range, with `now()` =
/// `now_ns` and time strings without an offset read in `loc` (UTC when `None`), exactly as
/// InfluxDB 1.x (`influxql.ConditionExpr`): time comparisons may appear anywhere under AND and
/// OR (their ranges are always intersected, even under OR), with `time` on either side; the
/// remaining condition is constant-folded, and a condition that folds to `true` becomes `None`.
///
/// ```
/// use influxql::{parse_expr, time::split_time_condition};
///
/// let cond = parse_expr("host = 'a' and time >= 1596240000000ms and time <= now()").unwrap();
/// let (rest, range) = split_time_condition(Some(&cond), 1_700_000_000_000_000_000, None).unwrap();
/// assert_eq!(rest.unwrap().to_string(), "host = 'a'");
/// assert_eq!(range.min, Some(1_596_240_000_000_000_000));
/// assert_eq!(range.max, Some(1_700_000_000_000_000_000));
/// ```
pub fn split_time_condition(
    cond: Option<&Expr>,
    now_ns: i64,
    loc: Option<&Location>,
) -> Result<(Option<Expr>, TimeRange), ConditionError> {
    let valuer = Valuer {
        now: Some(now_ns as i128),
        loc,
    };
    let Some(cond) = cond else {
        return Ok((None, TimeRange::default()));
    };
    let (mut expr, range) = condition(cond, valuer)?;
    if let Some(V::Expr(Expr::Paren(inner))) = expr {
        expr = Some(V::from_expr(*inner));
    }
    if expr == Some(V::Bool(true)) {
        expr = None;
    }
    Ok((expr.map(V::into_expr), range))
}

fn condition(cond: &Expr, v: Valuer<'_>) -> Result<(Option<V>, TimeRange), ConditionError> {
    let plain = Valuer { now: None, loc: None };
    match cond {
        Expr::Binary(b) if matches!(b.op, BinaryOp::And | BinaryOp::Or) => {
            let (l, lt) = condition(&b.lhs, v)?;
            let (r, rt) = condition(&b.rhs, v)?;
            let range = lt.intersect(rt);
            Ok(match (l, r) {
                (l, None) => (l, range),
                (None, r) => (r, range),
                (Some(l), Some(r)) => {
                    let e = BinaryExpr {
                        op: b.op,
                        lhs: l.into_expr(),
                        rhs: r.into_expr(),
                    };
                    (Some(reduce_binary(&e, plain)), range)
                }
            })
        }
        Expr::Binary(b) => {
            if b.lhs.is_time_ref() {
                return Ok((None, time_range(b.op, &b.rhs, v)?));
            } else if b.rhs.is_time_ref() {
                let op = match b.op {
                    BinaryOp::Gt => BinaryOp::Lt,
                    BinaryOp::Lt => BinaryOp::Gt,
                    BinaryOp::Gte => BinaryOp::Lte,
                    BinaryOp::Lte => BinaryOp::Gte,
                    op => op,
                };
                return Ok((None, time_range(op, &b.lhs, v)?));
            }
            Ok((Some(reduce(cond, v)), TimeRange::default()))
        }
        Expr::Paren(inner) => {
            let (e, range) = condition(inner, v)?;
            Ok(match e {
                None => (None, range),
                Some(e) => {
                    let p = Expr::Paren(Box::new(e.into_expr()));
                    (Some(reduce(&p, plain)), range)
                }
            })
        }
        Expr::Literal(Literal::Boolean(b)) => Ok((Some(V::Bool(*b)), TimeRange::default())),
        e => Err(ConditionError(format!("invalid condition expression: {e}"))),
    }
}

fn time_range(op: BinaryOp, rhs: &Expr, v: Valuer<'_>) -> Result<TimeRange, ConditionError> {
    let value = match rhs {
        Expr::Literal(Literal::String(s)) if is_time_string(s) => V::Time(parse_time_string(s, v.loc)?),
        e => match reduce(e, v) {
            V::Expr(Expr::Paren(inner)) => V::from_expr(*inner),
            r => r,
        },
    };
    let value: i64 = match value {
        V::Time(t) => {
            if t > MAX_TIME as i128 {
                return Err(ConditionError(format!(
                    "time {} overflows time literal",
                    format_time(t, false)
                )));
            } else if t < MIN_TIME as i128 + 1 {
                return Err(ConditionError(format!(
                    "time {} underflows time literal",
                    format_time(t, false)
                )));
            }
            t as i64
        }
        V::Dur(d) => d,
        V::Num(n) => n as i64,
        V::Int(i) => i,
        other => {
            return Err(ConditionError(format!(
                "invalid operation: time and {} are not compatible",
                other.go_type()
            )))
        }
    };
    Ok(match op {
        BinaryOp::Gt => TimeRange {
            min: Some(value.saturating_add(1)),
            max: None,
        },
        BinaryOp::Gte => TimeRange {
            min: Some(value),
            max: None,
        },
        BinaryOp::Lt => TimeRange {
            min: None,
            max: Some(value.saturating_sub(1)),
        },
        BinaryOp::Lte => TimeRange {
            min: None,
            max: Some(value),
        },
        BinaryOp::Eq => TimeRange {
            min: Some(value),
            max: Some(value),
        },
        op => {
            return Err(ConditionError(format!(
                "invalid time comparison operator: {}",
                op.as_str()
            )))
        }
    })
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}, {}]",
            format_rfc3339_nano(self.min_ns() as i128),
            format_rfc3339_nano(self.max_ns() as i128)
        )
    }
}

#[cfg(test)]
mod tests;
