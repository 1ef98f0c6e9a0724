//! window: the buckets of `GROUP BY time(interval[, offset])`, aligned to the epoch (or to
//! local midnight with `tz()`) exactly as InfluxDB's `IteratorOptions.Window` computes them,
//! DST shifts included.

use influxql::time::{Location, MAX_TIME, MIN_TIME};

/// How a query cuts time into buckets. Without GROUP BY time there is one bucket, the
/// query's whole range.
#[derive(Debug, Clone)]
pub struct Window {
    /// Bucket length in ns; 0 without GROUP BY time.
    pub interval: i64,
    /// The second argument of `time()`, in ns.
    pub offset: i64,
    /// `tz()`: buckets follow the zone's offset.
    pub location: Option<Location>,
    /// The query's range (inclusive): the single bucket when `interval` is 0.
    pub lo: i64,
    pub hi: i64,
}

impl Window {
    /// The start of the bucket holding `t`.
    pub fn start(&self, t: i64) -> i64 {
        self.bounds(t).0
    }

    /// `[start, end)` of the bucket holding `t` (Go's `Window`).
    pub fn bounds(&self, t: i64) -> (i64, i64) {
        if self.interval <= 0 {
            return (self.lo, self.hi.saturating_add(1));
        }
        let d = self.interval;
        let t = t.saturating_sub(self.offset);
        let zone = self.zone(t);
        let dt = t.wrapping_add(zone).rem_euclid(d);
        let mut start = if MIN_TIME.saturating_add(dt) >= t {
            MIN_TIME
        } else {
            t - dt
        };
        if self.location.is_some() {
            // The first instant may sit after a DST switch: look the offset up again at the
            // start, unless the change is as long as a bucket.
            let o = zone - self.zone(start);
            if o != 0 && o.abs() < d {
                start = start.saturating_add(o);
            }
        }
        start = start.saturating_add(self.offset);
        let rest = d - dt;
        let mut end = if MAX_TIME.saturating_sub(rest) <= t {
            MAX_TIME
        } else {
            t + rest
        };
        if self.location.is_some() {
            let end_offset = self.zone(end);
            let o = zone - end_offset;
            // Added time (clocks back) belongs to the earlier bucket; skipped time (clocks
            // forward) only moves the end if the switch falls inside this bucket.
            if o != 0 && o.abs() < d && (o > 0 || self.zone(end.saturating_add(o)) == end_offset) {
                end = end.saturating_add(o);
            }
        }
        (start, end.saturating_add(self.offset))
    }

    fn zone(&self, t: i64) -> i64 {
        self.location.as_ref().map_or(0, |l| l.offset_ns(t))
    }

    /// Bucket starts from the one holding `first` to the one holding `last`, ascending.
    pub fn starts(&self, first: i64, last: i64) -> impl Iterator<Item = i64> + '_ {
        let end = self.start(last);
        let mut next = Some(self.start(first));
        std::iter::from_fn(move || {
            let cur = next?;
            next = if self.interval <= 0 || cur >= end {
                None
            } else {
                let (_, e) = self.bounds(cur);
                // A bucket always moves forward, even across a DST change.
                Some(self.start(e.max(cur + 1)))
            };
            Some(cur)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: i64 = 60_000_000_000;
    const H: i64 = 60 * M;

    fn utc(interval: i64, offset: i64) -> Window {
        Window {
            interval,
            offset,
            location: None,
            lo: MIN_TIME,
            hi: MAX_TIME,
        }
    }

    #[test]
    fn buckets_align_to_the_epoch() {
        let w = utc(2 * M, 0);
        assert_eq!(w.bounds(0), (0, 2 * M));
        assert_eq!(w.bounds(2 * M - 1), (0, 2 * M));
        assert_eq!(w.bounds(2 * M), (2 * M, 4 * M));
        // Before the epoch, truncation still goes down.
        assert_eq!(w.bounds(-1), (-2 * M, 0));
    }

    #[test]
    fn offsets_shift_buckets_either_way() {
        assert_eq!(utc(10 * M, 3 * M).bounds(M), (-7 * M, 3 * M));
        assert_eq!(utc(10 * M, -3 * M).bounds(M), (-3 * M, 7 * M));
        assert_eq!(utc(10 * M, 3 * M).bounds(3 * M), (3 * M, 13 * M));
    }

    #[test]
    fn without_interval_one_bucket_spans_the_range() {
        let w = Window {
            lo: 5,
            hi: 10,
            ..utc(0, 0)
        };
        assert_eq!(w.bounds(7), (5, 11));
        assert_eq!(w.starts(5, 10).collect::<Vec<_>>(), vec![5]);
    }

    #[test]
    fn local_days_follow_dst() {
        let w = Window {
            location: Some(Location::load("Europe/Paris").unwrap()),
            ..utc(24 * H, 0)
        };
        // 2026-03-29 is the spring-forward day in Paris: midnight is 23:00Z the day before,
        // the next midnight 22:00Z.
        let t = 1_774_785_600_000_000_000; // 2026-03-29T12:00:00Z
        let (start, end) = w.bounds(t);
        assert_eq!(start, 1_774_738_800_000_000_000); // 2026-03-28T23:00:00Z
        assert_eq!(end, 1_774_821_600_000_000_000); // 2026-03-29T22:00:00Z
        let starts: Vec<i64> = w.starts(start, end).collect();
        assert_eq!(starts, vec![start, end]);
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let w = utc(7 * 24 * H, 3 * H);
        let (s, e) = w.bounds(MIN_TIME);
        assert!(s <= MIN_TIME + 7 * 24 * H && e > s);
        let (s, e) = w.bounds(MAX_TIME);
        assert!(s <= MAX_TIME && e >= s);
        // In a zone the DST adjustments saturate too.
        let w = Window {
            location: Some(Location::load("Europe/Paris").unwrap()),
            ..utc(H, 0)
        };
        for t in [MIN_TIME, MAX_TIME] {
            let (s, e) = w.bounds(t);
            assert!(e >= s, "{t}: {s} {e}");
        }
    }
}
