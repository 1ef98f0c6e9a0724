//! continuous: continuous queries. A CQ is kept in the metadata as its `CREATE CONTINUOUS
//! QUERY` text, sources and target qualified; the node's background loop asks
//! [`ContinuousQueries::run_due`] every `run-interval`, and each CQ that is due runs its
//! SELECT … INTO over the buckets InfluxDB would cover:
//!
//! - it is due at every multiple of `RESAMPLE EVERY` (default: the GROUP BY interval),
//!   aligned like GROUP BY buckets (epoch plus offset), and at its first check;
//! - it covers `[end - FOR, end)` with `end` = the bucket start of `now + interval - every`
//!   and `FOR` defaulting to the interval, both rounded to buckets.

use std::collections::HashMap;
use std::sync::Mutex;

use influxql::{BinaryOp, Expr, Literal, SelectStatement, Source, Statement};
use meta::MetaData;

use super::cond::and_time;
use super::window::Window;
use super::{QueryContext, QueryExecutor, StatementResult};

/// Fills in the database and retention policy of the sources and of the INTO target.
pub(super) fn qualify(s: &mut SelectStatement, database: &str, policy: &str) {
    let fix = |m: &mut influxql::Measurement| {
        if m.database.is_empty() {
            m.database = database.to_owned();
        }
        if m.retention_policy.is_empty() {
            m.retention_policy = policy.to_owned();
        }
    };
    for src in &mut s.sources {
        if let Source::Measurement(m) = src {
            fix(m);
        }
    }
    if let Some(t) = &mut s.target {
        fix(&mut t.measurement);
    }
}

/// One run of a CQ: which, over what, and how it went.
#[derive(Debug)]
pub struct CqRun {
    pub database: String,
    pub name: String,
    pub start: i64,
    pub end: i64,
    pub result: Result<i64, String>,
}

/// When each CQ last ran, in memory: a restarted node runs each CQ once at its first check,
/// as InfluxDB does.
#[derive(Debug, Default)]
pub struct ContinuousQueries {
    last_run: Mutex<HashMap<(String, String), i64>>,
}

impl ContinuousQueries {
    /// Runs every CQ that is due at `now`.
    pub fn run_due(&self, ex: &QueryExecutor, now: i64) -> Vec<CqRun> {
        let meta: std::sync::Arc<MetaData> = ex.meta.data();
        let mut runs = Vec::new();
        for db in &meta.databases {
            for cq in &db.continuous_queries {
                let Ok(Statement::CreateContinuousQuery(stmt)) = influxql::parse_statement(&cq.query) else {
                    continue;
                };
                let Some(plan) = Schedule::of(&stmt.source, stmt.resample_every, stmt.resample_for) else {
                    continue;
                };
                let key = (db.name.clone(), cq.name.clone());
                let due_at = plan.every_window().start(now);
                {
                    let mut last = self.last_run.lock().unwrap_or_else(|e| e.into_inner());
                    if last.get(&key).is_some_and(|&t| t >= due_at) {
                        continue;
                    }
                    last.insert(key, due_at);
                }
                let (start, end) = plan.range(now);
                let result = if end > start {
                    run_once(ex, &meta, &db.name, &stmt.source, start, end, now)
                } else {
                    Ok(0)
                };
                match &result {
                    Ok(written) => {
                        tracing::info!(database = %db.name, cq = %cq.name, start, end, written, "continuous query ran");
                    }
                    Err(e) => {
                        tracing::warn!(database = %db.name, cq = %cq.name, start, end, error = %e, "continuous query failed");
                    }
                }
                runs.push(CqRun {
                    database: db.name.clone(),
                    name: cq.name.clone(),
                    start,
                    end,
                    result,
                });
            }
        }
        runs
    }
}

/// A CQ's timing: GROUP BY interval and offset, RESAMPLE EVERY and FOR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Schedule {
    interval: i64,
    offset: i64,
    every: i64,
    for_: i64,
}

impl Schedule {
    fn of(s: &SelectStatement, every: i64, for_: i64) -> Option<Schedule> {
        let (interval, offset) = s.dimensions.iter().find_map(|d| match d {
            Expr::Call(c) if c.name == "time" => {
                let dur = |e: Option<&Expr>| match e {
                    Some(Expr::Literal(Literal::Duration(d))) => *d,
                    _ => 0,
                };
                Some((dur(c.args.first()), dur(c.args.get(1))))
            }
            _ => None,
        })?;
        (interval > 0).then(|| Schedule {
            interval,
            offset: offset.rem_euclid(interval),
            every: if every > 0 { every } else { interval },
            for_: if for_ > 0 { for_ } else { interval },
        })
    }

    fn buckets(&self, interval: i64) -> Window {
        Window {
            interval,
            offset: self.offset,
            location: None,
            lo: influxql::time::MIN_TIME,
            hi: influxql::time::MAX_TIME,
        }
    }

    fn every_window(&self) -> Window {
        self.buckets(self.every)
    }

    /// `[start, end)` of the run at `now`.
    fn range(&self, now: i64) -> (i64, i64) {
        let w = self.buckets(self.interval);
        let end = w.start(now.saturating_add(self.interval - self.every));
        let start = w.start(end.saturating_sub(self.for_));
        (start, end)
    }
}

/// Runs a CQ's SELECT … INTO over `[start, end)`; returns the points written.
fn run_once(
    ex: &QueryExecutor,
    meta: &MetaData,
    database: &str,
    select: &SelectStatement,
    start: i64,
    end: i64,
    now: i64,
) -> Result<i64, String> {
    let mut s = select.clone();
    let from = and_time(s.condition.take(), BinaryOp::Gte, start);
    s.condition = Some(and_time(Some(from), BinaryOp::Lt, end));
    // A CQ is a query like any other: query-timeout and the memory budgets hold for it.
    let ctx = QueryContext {
        database: database.to_owned(),
        now,
        control: ex.control(),
        ..QueryContext::default()
    };
    let mut written = 0;
    let mut failure = None;
    super::select::execute(ex, meta, &s, &ctx, &mut |r: StatementResult| {
        if let Some(e) = r.error {
            failure = Some(e);
        }
        for row in r.series {
            for v in row.values {
                if let Some(super::Value::Integer(n)) = v.get(1) {
                    written += n;
                }
            }
        }
    })?;
    failure.map_or(Ok(written), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: i64 = 60_000_000_000;

    fn schedule(q: &str) -> Schedule {
        let Ok(Statement::CreateContinuousQuery(s)) = influxql::parse_statement(q) else {
            panic!("not a CQ: {q}");
        };
        Schedule::of(&s.source, s.resample_every, s.resample_for).expect("GROUP BY time")
    }

    #[test]
    fn plain_cq_covers_the_bucket_that_just_ended() {
        let s = schedule("CREATE CONTINUOUS QUERY c ON db BEGIN SELECT mean(v) INTO m2 FROM m GROUP BY time(1h) END");
        // At 08:00 and at 08:20 it covers [07:00, 08:00).
        assert_eq!(s.range(8 * 60 * M), (7 * 60 * M, 8 * 60 * M));
        assert_eq!(s.range(8 * 60 * M + 20 * M), (7 * 60 * M, 8 * 60 * M));
        assert_eq!(s.every_window().start(8 * 60 * M + 20 * M), 8 * 60 * M);
    }

    #[test]
    fn resample_every_and_for_follow_influxdb() {
        // The documentation's example: EVERY 30m with GROUP BY time(1h).
        let s = schedule(
            "CREATE CONTINUOUS QUERY c ON db RESAMPLE EVERY 30m BEGIN SELECT mean(v) INTO m2 FROM m GROUP BY time(1h) END",
        );
        assert_eq!(s.range(8 * 60 * M), (7 * 60 * M, 8 * 60 * M));
        assert_eq!(s.range(8 * 60 * M + 30 * M), (8 * 60 * M, 9 * 60 * M));
        // FOR 1h with GROUP BY time(30m): two buckets per run.
        let s = schedule(
            "CREATE CONTINUOUS QUERY c ON db RESAMPLE FOR 1h BEGIN SELECT mean(v) INTO m2 FROM m GROUP BY time(30m) END",
        );
        assert_eq!(s.range(8 * 60 * M), (7 * 60 * M, 8 * 60 * M));
    }

    #[test]
    fn offsets_shift_runs_and_ranges() {
        let s =
            schedule("CREATE CONTINUOUS QUERY c ON db BEGIN SELECT mean(v) INTO m2 FROM m GROUP BY time(1h, 15m) END");
        assert_eq!(s.range(8 * 60 * M + 20 * M), (7 * 60 * M + 15 * M, 8 * 60 * M + 15 * M));
    }
}
