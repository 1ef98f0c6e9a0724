//! metrics: the node's counters, served at `/metrics` in Prometheus' text format. Plain
//! atomics: they are bumped on every request and read rarely.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use crate::query::QueryExecutor;
use crate::store::Store;
use crate::write::HintedHandoff;

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
    /// HTTP connections open now (a gauge).
    pub http_connections_open: AtomicU64,
    /// Connections closed to make room for a newcomer at max-connection-limit.
    pub http_connections_evicted: AtomicU64,
    /// Connections given a /ping, /health and /metrics-only reserve slot at max-connection-limit.
    pub http_connections_reserve: AtomicU64,
    /// Connections closed at accept: the limit and the reserve were full of busy ones.
    pub http_connections_refused: AtomicU64,
    /// Connections closed by a read-header, read-body or idle timeout, or evicted.
    pub http_connections_cut: AtomicU64,
    store: std::sync::OnceLock<Arc<Store>>,
    queries: std::sync::OnceLock<Arc<QueryExecutor>>,
    handoff: std::sync::OnceLock<Arc<HintedHandoff>>,
}

impl Metrics {
    /// Lets the gauges read the store.
    pub fn watch_store(&self, store: Arc<Store>) {
        let _ = self.store.set(store);
    }

    /// Lets the gauges read the running queries' memory and turns.
    pub fn watch_queries(&self, executor: Arc<QueryExecutor>) {
        let _ = self.queries.set(executor);
    }

    /// Lets the gauges read the hinted-handoff queues (in a cluster).
    pub fn watch_handoff(&self, handoff: Arc<HintedHandoff>) {
        let _ = self.handoff.set(handoff);
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
        counter(
            "cairn_http_connections_evicted_total",
            "Connections closed to make room at max-connection-limit (idle, or slow to send a request).",
            &self.http_connections_evicted,
        );
        counter(
            "cairn_http_connections_reserve_total",
            "Connections at max-connection-limit given a slot for /ping, /health and /metrics only.",
            &self.http_connections_reserve,
        );
        counter(
            "cairn_http_connections_refused_total",
            "Connections closed at accept: every slot busy with a request.",
            &self.http_connections_refused,
        );
        counter(
            "cairn_http_connections_cut_total",
            "Connections dropped by read-header-timeout, read-body-timeout, idle-timeout or eviction.",
            &self.http_connections_cut,
        );
        let _ = writeln!(
            out,
            "# HELP cairn_http_connections_open HTTP connections open.\n# TYPE cairn_http_connections_open gauge\ncairn_http_connections_open {}",
            self.http_connections_open.load(Relaxed)
        );
        if let Some(executor) = self.queries.get() {
            let (running, queued) = executor.admission_counts();
            let mut gauge = |name: &str, help: &str, v: u64| {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
            };
            gauge(
                "cairn_query_memory_bytes",
                "Memory running queries hold (max-total-query-memory bounds it).",
                executor.memory_pool().used() as u64,
            );
            gauge(
                "cairn_queries_running",
                "Queries running under max-concurrent-queries.",
                running,
            );
            gauge(
                "cairn_queries_queued",
                "Queries waiting for a turn (max-queued-queries bounds them).",
                queued,
            );
            gauge(
                "cairn_meta_index",
                "Index of the metadata this node serves from: behind the meta nodes' while a change travels.",
                executor.meta_index(),
            );
        }
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
        if let Some(handoff) = self.handoff.get() {
            let queues = handoff.status();
            let now = crate::now_nanos();
            let _ = writeln!(
                out,
                "# HELP cairn_hinted_handoff_bytes Writes queued for a data node that could not take them.\n# TYPE cairn_hinted_handoff_bytes gauge"
            );
            for q in &queues {
                let _ = writeln!(out, "cairn_hinted_handoff_bytes{{node=\"{}\"}} {}", q.node, q.bytes);
            }
            let _ = writeln!(
                out,
                "# HELP cairn_hinted_handoff_oldest_seconds Age of the oldest write queued for a data node (0: none).\n# TYPE cairn_hinted_handoff_oldest_seconds gauge"
            );
            for q in &queues {
                let age = q.oldest.map_or(0.0, |t| now.saturating_sub(t).max(0) as f64 / 1e9);
                let _ = writeln!(
                    out,
                    "cairn_hinted_handoff_oldest_seconds{{node=\"{}\"}} {age:.3}",
                    q.node
                );
            }
        }
        out
    }
}
