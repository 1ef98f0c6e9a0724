//! Timestamp precision of a write (`precision=` on `/write`).

/// The unit of the timestamps in a write request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Precision {
    #[default]
    Nanosecond,
    Microsecond,
    Millisecond,
    Second,
    Minute,
    Hour,
}

impl Precision {
    /// Parses the `precision` parameter: `n`/`ns`, `u`/`us`, `ms`, `s`, `m`, `h`.
    ///
    /// InfluxDB 1.x knows only `n u ms s m h`; `ns` and `us` are the 2.x spellings, which
    /// Enterprise and clients written for 2.x send. (1.6 silently reads `us` as ns; Cairn
    /// reads it as µs.) The empty string is not a precision: callers treat it as unset.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "n" | "ns" => Self::Nanosecond,
            "u" | "us" => Self::Microsecond,
            "ms" => Self::Millisecond,
            "s" => Self::Second,
            "m" => Self::Minute,
            "h" => Self::Hour,
            _ => return None,
        })
    }

    /// Nanoseconds in one unit.
    pub const fn nanos(self) -> i64 {
        match self {
            Self::Nanosecond => 1,
            Self::Microsecond => 1_000,
            Self::Millisecond => 1_000_000,
            Self::Second => 1_000_000_000,
            Self::Minute => 60_000_000_000,
            Self::Hour => 3_600_000_000_000,
        }
    }

    /// Rounds `ns` down to a whole unit, as InfluxDB does to the server time it gives points
    /// written without a timestamp (`point.SetPrecision`, Go's `Time.Truncate`).
    pub const fn truncate(self, ns: i64) -> i64 {
        ns - ns.rem_euclid(self.nanos())
    }

    /// Scales a timestamp written in this unit to ns; `None` on overflow.
    pub const fn to_nanos(self, t: i64) -> Option<i64> {
        t.checked_mul(self.nanos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_1x_and_2x_spellings() {
        let f = |s: &str, want: Option<Precision>| assert_eq!(Precision::parse(s), want, "{s:?}");
        f("n", Some(Precision::Nanosecond));
        f("ns", Some(Precision::Nanosecond));
        f("u", Some(Precision::Microsecond));
        f("us", Some(Precision::Microsecond));
        f("ms", Some(Precision::Millisecond));
        f("s", Some(Precision::Second));
        f("m", Some(Precision::Minute));
        f("h", Some(Precision::Hour));
        f("", None);
        f("µ", None);
        f("S", None);
        f("x", None);
    }

    #[test]
    fn truncate_rounds_down_even_before_1970() {
        assert_eq!(Precision::Second.truncate(1_500_000_000), 1_000_000_000);
        assert_eq!(Precision::Second.truncate(-1), -1_000_000_000);
        assert_eq!(Precision::Hour.truncate(3_600_000_000_001), 3_600_000_000_000);
        assert_eq!(Precision::Nanosecond.truncate(12345), 12345);
    }

    #[test]
    fn to_nanos_detects_overflow() {
        assert_eq!(Precision::Hour.to_nanos(2), Some(7_200_000_000_000));
        assert_eq!(Precision::Hour.to_nanos(i64::MAX / 3_600_000_000_000 + 1), None);
        assert_eq!(Precision::Second.to_nanos(-3), Some(-3_000_000_000));
    }
}
