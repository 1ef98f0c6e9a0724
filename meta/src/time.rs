//! time: durations and time arithmetic of retention policies and shard groups, in
//! nanoseconds, with InfluxDB 1.x's defaults.

/// One hour in nanoseconds.
pub const NANOS_PER_HOUR: i64 = 3_600_000_000_000;

/// The shortest retention policy duration InfluxDB accepts (`MinRetentionPolicyDuration`).
pub const MIN_RETENTION_DURATION: i64 = NANOS_PER_HOUR;

/// The earliest and latest times a point can have (InfluxDB's `MinNanoTime`/`MaxNanoTime`).
pub const MIN_NANOS: i64 = line_protocol_min();
pub const MAX_NANOS: i64 = i64::MAX - 1;

const fn line_protocol_min() -> i64 {
    i64::MIN + 2
}

/// Go's zero `time.Time` (January 1, year 1, UTC) in Unix nanoseconds. `Time.Truncate`
/// counts from there, which is why 7-day shard groups start on Mondays.
const GO_ZERO_TIME_NANOS: i128 = -62_135_596_800 * 1_000_000_000;

/// The default shard group duration for a retention policy of `duration` (0 = infinite):
/// 7 days for infinite or at least 180 days, 1 day for at least 2 days, else 1 hour.
pub fn shard_group_duration(duration: i64) -> i64 {
    const DAY: i64 = 24 * NANOS_PER_HOUR;
    if duration == 0 || duration >= 180 * DAY {
        7 * DAY
    } else if duration >= 2 * DAY {
        DAY
    } else {
        NANOS_PER_HOUR
    }
}

/// The shard group duration actually used: the default when none was given, at least the
/// minimum retention duration's default otherwise (InfluxDB's `normalisedShardDuration`).
pub fn normalised_shard_duration(sgd: i64, duration: i64) -> i64 {
    if sgd == 0 {
        shard_group_duration(duration)
    } else if sgd < MIN_RETENTION_DURATION {
        shard_group_duration(MIN_RETENTION_DURATION)
    } else {
        sgd
    }
}

/// `t` rounded down to a multiple of `d` counted from Go's zero time, as Go's
/// `time.Time.Truncate` does for shard group start times.
pub fn truncate_to_duration(t: i64, d: i64) -> i64 {
    if d <= 0 {
        return t;
    }
    let since_zero = i128::from(t) - GO_ZERO_TIME_NANOS;
    let d = i128::from(d);
    let truncated = since_zero - since_zero.rem_euclid(d) + GO_ZERO_TIME_NANOS;
    i64::try_from(truncated).unwrap_or(i64::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_influxdb() {
        const DAY: i64 = 24 * NANOS_PER_HOUR;
        let f = |d, want| assert_eq!(shard_group_duration(d), want, "duration {d}");
        f(0, 7 * DAY);
        f(180 * DAY, 7 * DAY);
        f(179 * DAY, DAY);
        f(2 * DAY, DAY);
        f(2 * DAY - 1, NANOS_PER_HOUR);
        f(NANOS_PER_HOUR, NANOS_PER_HOUR);
        assert_eq!(normalised_shard_duration(0, 3 * DAY), DAY);
        assert_eq!(normalised_shard_duration(60_000_000_000, 0), NANOS_PER_HOUR);
        assert_eq!(normalised_shard_duration(2 * NANOS_PER_HOUR, 0), 2 * NANOS_PER_HOUR);
    }

    #[test]
    fn seven_day_groups_start_on_monday() {
        const DAY: i64 = 24 * NANOS_PER_HOUR;
        // 2023-11-14T22:13:20Z (a Tuesday) -> Monday 2023-11-13T00:00:00Z.
        assert_eq!(
            truncate_to_duration(1_700_000_000_000_000_000, 7 * DAY),
            1_699_833_600_000_000_000
        );
        // The epoch (a Thursday) -> Monday 1969-12-29.
        assert_eq!(truncate_to_duration(0, 7 * DAY), -3 * DAY);
        // Hours and days align with the epoch; negative times round down.
        assert_eq!(truncate_to_duration(-1, NANOS_PER_HOUR), -NANOS_PER_HOUR);
        assert_eq!(truncate_to_duration(NANOS_PER_HOUR + 5, NANOS_PER_HOUR), NANOS_PER_HOUR);
        assert!(truncate_to_duration(i64::MIN + 2, 7 * DAY) <= i64::MIN + 2);
    }
}
