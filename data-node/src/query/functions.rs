//! functions: the InfluxQL functions that need every point of a bucket (distinct, integral,
//! median, mode, percentile, sample, top, bottom) and the transformations over the rows of
//! one series (derivative … holt_winters). The aggregates that merge from partial states
//! (count, sum, mean, min, max, first, last, spread, stddev) live in `partial.rs`.
//! Semantics are InfluxDB 1.6.7's (Go `query/functions.go`, the reducers of
//! `query/*_reducer*.go`, `query/call_iterator.go`).

use super::Value;

/// A point handed to a function: its time (ns), its value and the extra values it carries
/// (for top()/bottom(), the values of the tags named as arguments, in argument order).
#[derive(Debug, Clone, PartialEq)]
#[allow(dead_code)] // the aggregate executor (next commits) is its user
pub struct Point {
    pub time: i64,
    pub value: Value,
    pub aux: Vec<Value>,
}
