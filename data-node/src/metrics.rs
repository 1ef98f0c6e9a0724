//! metrics: the node's counters, served at `/metrics` in Prometheus' text format. Plain
//! atomics: they are bumped on every request and read rarely.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use crate::store::Store;

/// Counters of the HTTP API and the storage.
#[derive(Debug, Default)]
pub struct Metrics {
    pub write_requests: AtomicU64,
    pub write_errors: AtomicU64,
    pub points_written: AtomicU64,
    pub values_written: AtomicU64,
    pub points_dropped: AtomicU64,
    pub query_requests: AtomicU64,
    pub query_errors: AtomicU64,
    /// Sum of query durations, microseconds.
    pub query_micros: AtomicU64,
    pub auth_failures: AtomicU64,
    store: std::sync::OnceLock<Arc<Store>>,
}

impl Metrics {
    /// Lets the gauges read the store.
    pub fn watch_store(&self, store: Arc<Store>) {
        let _ = self.store.set(store);
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }

    /// The Prometheus exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, v: &AtomicU64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Relaxed)
            );
        };
        counter(
            "cairn_write_requests_total",
            "HTTP write requests.",
            &self.write_requests,
        );
        counter(
            "cairn_write_errors_total",
            "HTTP write requests answered with an error.",
            &self.write_errors,
        );
        counter("cairn_points_written_total", "Points stored.", &self.points_written);
        counter(
            "cairn_values_written_total",
            "Field values stored.",
            &self.values_written,
        );
        counter(
            "cairn_points_dropped_total",
            "Points refused (parse errors, retention, type conflicts).",
            &self.points_dropped,
        );
        counter(
            "cairn_query_requests_total",
            "HTTP query requests.",
            &self.query_requests,
        );
        counter(
            "cairn_query_errors_total",
            "Query requests answered with an error.",
            &self.query_errors,
        );
        counter(
            "cairn_query_duration_microseconds_total",
            "Time spent answering queries.",
            &self.query_micros,
        );
        counter(
            "cairn_auth_failures_total",
            "Requests refused for bad or missing credentials.",
            &self.auth_failures,
        );
        if let Some(store) = self.store.get() {
            let shards = store.all();
            let head: usize = shards.iter().map(|s| s.shard.head_bytes()).sum();
            let _ = writeln!(
                out,
                "# HELP cairn_head_bytes Unflushed data held in memory.\n# TYPE cairn_head_bytes gauge\ncairn_head_bytes {head}"
            );
            let _ = writeln!(
                out,
                "# HELP cairn_open_shards Shards open on this node.\n# TYPE cairn_open_shards gauge\ncairn_open_shards {}",
                shards.len()
            );
        }
        out
    }
}
