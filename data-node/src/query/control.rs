//! control: what stops a running query and what it may spend. One [`QueryControl`] per query,
//! shared by the statement code (which calls [`QueryControl::check`] between units of work
//! and reserves memory before it allocates), the registry (`SHOW QUERIES`, `KILL QUERY`) and
//! the HTTP layer (a client that goes away, the response's row limit). The query memory of
//! the whole node is one [`MemoryPool`]; each query takes from it up to its own limit.
//!
//! Memory is counted where a query holds data in bulk: points read from shards, partial
//! aggregates per bucket, result rows, a subquery's result and the encoded response.
//! Reservations are taken before the allocation they stand for, so a query that would pass
//! its budget fails before it grows the process.

use std::mem::size_of;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Value;

/// Why a query was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum StopReason {
    /// `KILL QUERY`.
    Killed = 1,
    /// It ran past `query-timeout`.
    TimedOut = 2,
    /// The client closed the connection: nobody reads the answer.
    ClientGone = 3,
    /// The response has all it may hold (`max-row-limit`): the rest is not needed.
    Satisfied = 4,
}

impl StopReason {
    fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            1 => Self::Killed,
            2 => Self::TimedOut,
            3 => Self::ClientGone,
            4 => Self::Satisfied,
            _ => return None,
        })
    }

    /// The statement error, in InfluxDB's words where it has them.
    pub fn message(self) -> &'static str {
        match self {
            Self::Killed => "query killed",
            Self::TimedOut => "query-timeout limit exceeded",
            Self::ClientGone => "query aborted: the client closed the connection",
            Self::Satisfied => "query stopped: max-row-limit reached",
        }
    }
}

/// The query memory of the node (`max-total-query-memory`): every query's reservations
/// together stay under it.
#[derive(Debug)]
pub struct MemoryPool {
    /// Bytes; 0 = no limit.
    limit: usize,
    /// Bytes reserved by running queries.
    used: AtomicUsize,
}

impl MemoryPool {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            used: AtomicUsize::new(0),
        }
    }

    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// The controls of one running query.
#[derive(Debug)]
pub struct QueryControl {
    /// A [`StopReason`] as u8, 0 while it may run.
    stop: AtomicU8,
    pub(crate) started: Instant,
    deadline: Option<Instant>,
    pool: Arc<MemoryPool>,
    /// This query's budget (`max-query-memory`), bytes; 0 = no limit.
    limit: usize,
    /// Bytes reserved now, and the most ever reserved.
    used: AtomicUsize,
    peak: AtomicUsize,
    /// Points and series read so far by all the query's statements (`max-select-point`,
    /// `max-select-series` count per query; a subquery's reads count too).
    points: AtomicU64,
    series: AtomicU64,
}

impl Default for QueryControl {
    /// No timeout, no memory limit: internal work and tests.
    fn default() -> Self {
        Self::new(Duration::ZERO, Arc::new(MemoryPool::new(0)), 0)
    }
}

impl QueryControl {
    /// A query that may run for `timeout` (zero: no limit) and hold up to `limit` bytes
    /// (0: no limit) of `pool`.
    pub fn new(timeout: Duration, pool: Arc<MemoryPool>, limit: usize) -> Self {
        let started = Instant::now();
        Self {
            stop: AtomicU8::new(0),
            started,
            deadline: (!timeout.is_zero()).then(|| started + timeout),
            pool,
            limit,
            used: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            points: AtomicU64::new(0),
            series: AtomicU64::new(0),
        }
    }

    /// Stops the query for `reason`; the first reason given sticks.
    pub fn stop(&self, reason: StopReason) {
        let _ = self
            .stop
            .compare_exchange(0, reason as u8, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// Why the query was stopped, if it was (a passed deadline counts).
    pub fn stopped(&self) -> Option<StopReason> {
        if let Some(r) = StopReason::from_u8(self.stop.load(Ordering::Relaxed)) {
            return Some(r);
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.stop(StopReason::TimedOut);
            return self.stopped();
        }
        None
    }

    /// `Err` with the statement error once the query must stop. Called between units of
    /// work (a block, a series, a few thousand rows), so a stop takes effect within
    /// milliseconds.
    pub fn check(&self) -> Result<(), String> {
        match self.stopped() {
            None => Ok(()),
            Some(r) => Err(r.message().to_owned()),
        }
    }

    /// The time left before the deadline, if there is one.
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline.map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// How long the query has run.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Counts `n` more points read, failing past `limit` (0: none) with InfluxDB's text.
    pub fn read_points(&self, n: u64, limit: u64) -> Result<(), String> {
        let total = self.points.fetch_add(n, Ordering::Relaxed) + n;
        if limit > 0 && total > limit {
            // "exceeed" is InfluxDB 1.6.7's spelling.
            return Err(format!("max-select-point limit exceeed: ({total}/{limit})"));
        }
        Ok(())
    }

    /// Counts `n` more series read, failing past `limit` (0: none) with InfluxDB's text.
    pub fn read_series(&self, n: u64, limit: u64) -> Result<(), String> {
        let total = self.series.fetch_add(n, Ordering::Relaxed) + n;
        if limit > 0 && total > limit {
            return Err(format!("max-select-series limit exceeded: ({total}/{limit})"));
        }
        Ok(())
    }

    /// Bytes reserved now.
    pub fn memory(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The most bytes reserved at once.
    pub fn peak_memory(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Takes `bytes` from the query's budget and the node's, or fails naming the limit
    /// (and takes nothing).
    pub fn reserve(&self, bytes: usize) -> Result<(), String> {
        if bytes == 0 {
            return Ok(());
        }
        let now = self.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if self.limit > 0 && now > self.limit {
            self.used.fetch_sub(bytes, Ordering::Relaxed);
            return Err(format!("max-query-memory limit exceeded: ({now}/{})", self.limit));
        }
        let total = self.pool.used.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if self.pool.limit > 0 && total > self.pool.limit {
            self.pool.used.fetch_sub(bytes, Ordering::Relaxed);
            self.used.fetch_sub(bytes, Ordering::Relaxed);
            return Err(format!(
                "max-total-query-memory limit exceeded: ({total}/{}): the node's queries hold too much memory, try again later",
                self.pool.limit
            ));
        }
        self.peak.fetch_max(now, Ordering::Relaxed);
        Ok(())
    }

    /// Gives back `bytes` taken by [`QueryControl::reserve`].
    pub fn release(&self, bytes: usize) {
        if bytes == 0 {
            return;
        }
        self.used.fetch_sub(bytes, Ordering::Relaxed);
        self.pool.used.fetch_sub(bytes, Ordering::Relaxed);
    }
}

/// Memory held for as long as the data it stands for: grown before allocating, given back
/// when dropped.
#[derive(Debug)]
pub struct Reservation {
    control: Arc<QueryControl>,
    bytes: usize,
}

impl Reservation {
    pub fn new(control: &Arc<QueryControl>) -> Self {
        Self {
            control: Arc::clone(control),
            bytes: 0,
        }
    }

    /// Reserves `bytes` more.
    pub fn grow(&mut self, bytes: usize) -> Result<(), String> {
        self.control.reserve(bytes)?;
        self.bytes += bytes;
        Ok(())
    }

    /// Holds exactly `bytes` from now on.
    pub fn resize(&mut self, bytes: usize) -> Result<(), String> {
        if bytes > self.bytes {
            self.grow(bytes - self.bytes)
        } else {
            self.shrink(self.bytes - bytes);
            Ok(())
        }
    }

    /// Gives back `bytes` (at most what is held).
    pub fn shrink(&mut self, bytes: usize) {
        let bytes = bytes.min(self.bytes);
        self.control.release(bytes);
        self.bytes -= bytes;
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The query it belongs to (to check for a stop between units of work).
    pub fn control(&self) -> &QueryControl {
        &self.control
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.control.release(self.bytes);
    }
}

/// The bytes a result value holds, its heap part included.
pub(crate) fn value_bytes(v: &Value) -> usize {
    size_of::<Value>()
        + match v {
            Value::String(s) => s.capacity(),
            _ => 0,
        }
}

/// The bytes of a row of values (its vector included).
pub fn row_bytes(values: &[Value]) -> usize {
    size_of::<Vec<Value>>() + values.iter().map(value_bytes).sum::<usize>()
}

/// The bytes a column of points read from a shard holds.
pub(crate) fn points_bytes(times: &[i64], values: &shard::Values) -> usize {
    use shard::Values;
    times.len() * 8
        + match values {
            Values::Float(v) => v.len() * 8,
            Values::Integer(v) => v.len() * 8,
            Values::Unsigned(v) => v.len() * 8,
            Values::Boolean(v) => v.len(),
            Values::String(v) => v.iter().map(|s| size_of::<String>() + s.capacity()).sum(),
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_of_the_query_and_the_node() {
        let pool = Arc::new(MemoryPool::new(1000));
        let a = Arc::new(QueryControl::new(Duration::ZERO, Arc::clone(&pool), 600));
        let b = Arc::new(QueryControl::new(Duration::ZERO, Arc::clone(&pool), 600));
        let mut ra = Reservation::new(&a);
        ra.grow(500).unwrap();
        assert_eq!(ra.grow(200).unwrap_err(), "max-query-memory limit exceeded: (700/600)");
        assert_eq!(ra.bytes(), 500, "a refused reservation takes nothing");
        let mut rb = Reservation::new(&b);
        rb.grow(400).unwrap();
        let err = rb.grow(200).unwrap_err();
        assert!(
            err.starts_with("max-total-query-memory limit exceeded: (1100/1000)"),
            "{err}"
        );
        assert_eq!((pool.used(), b.memory()), (900, 400));
        drop(ra);
        assert_eq!(pool.used(), 400);
        rb.resize(550).unwrap();
        assert_eq!((pool.used(), b.peak_memory()), (550, 550));
        rb.resize(10).unwrap();
        drop(rb);
        assert_eq!((pool.used(), b.memory()), (0, 0));
    }

    #[test]
    fn stops_stick_and_deadlines_pass() {
        let c = QueryControl::default();
        assert_eq!(c.check(), Ok(()));
        c.stop(StopReason::Killed);
        c.stop(StopReason::ClientGone);
        assert_eq!(c.check().unwrap_err(), "query killed");
        let t = QueryControl::new(Duration::from_nanos(1), Arc::new(MemoryPool::new(0)), 0);
        std::thread::sleep(Duration::from_millis(1));
        assert_eq!(t.check().unwrap_err(), "query-timeout limit exceeded");
        assert_eq!(t.stopped(), Some(StopReason::TimedOut));
    }
}
