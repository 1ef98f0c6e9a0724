//! cases_aggregate: the aggregate functions (count, distinct, integral, mean, median, mode,
//! spread, stddev, sum) on every field type they accept and the errors of the types they do not,
//! alone, per tag group and per time bucket, several in one SELECT, on `*` and on regexes.
//! `integral()` with GROUP BY tags compares its series in any order: 1.6.7 emits them in Go
//! map order, with the last bucket of a series split into a second series.

use crate::dsl::{q, unordered, Case};

#[rustfmt::skip]
pub(crate) fn cases() -> Vec<Case> {
    vec![
        // count
        q("count_float", "SELECT count(usage_user) FROM cpu WHERE $all"),
        q("count_integer", "SELECT count(bytes_recv) FROM net WHERE $net"),
        q("count_string", "SELECT count(msg) FROM status WHERE $all"),
        q("count_boolean", "SELECT count(up) FROM status WHERE $all"),
        q("count_star", "SELECT count(*) FROM sparse WHERE $day"),
        q("count_regex_fields", "SELECT count(/^usage_[us]/) FROM cpu WHERE $dense"),
        q("count_by_host", "SELECT count(usage_user) FROM cpu WHERE $all GROUP BY host"),
        q("count_sparse_by_series", "SELECT count(x), count(y), count(z) FROM sparse WHERE $day GROUP BY s"),
        q("count_per_bucket_fill_null", "SELECT count(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(12h)"),
        q("count_empty_range", "SELECT count(usage_user) FROM cpu WHERE $hole"),
        q("count_missing_field", "SELECT count(nosuch) FROM cpu WHERE $all"),
        // distinct
        q("distinct_float", "SELECT distinct(usage_system) FROM cpu WHERE $all"),
        q("distinct_integer", "SELECT distinct(errors) FROM net WHERE $net"),
        q("distinct_string", "SELECT distinct(msg) FROM status WHERE $all"),
        q("distinct_boolean", "SELECT distinct(up) FROM status WHERE $all"),
        q("distinct_per_bucket", "SELECT distinct(errors) FROM net WHERE $net AND host = 'h2' GROUP BY time(12h)"),
        q("distinct_by_host", "SELECT distinct(usage_system) FROM cpu WHERE $eight GROUP BY host"),
        q("count_distinct", "SELECT count(distinct(usage_user)) FROM cpu WHERE $all"),
        q("count_distinct_per_bucket", "SELECT count(distinct(msg)) FROM status WHERE $all GROUP BY time(2d), id"),
        // integral
        q("integral_default_unit", "SELECT integral(usage_user) FROM cpu WHERE $ten AND host = 'h1'"),
        unordered("integral_unit_1m", "SELECT integral(usage_user, 1m) FROM cpu WHERE $dense GROUP BY host"),
        q("integral_per_bucket", "SELECT integral(usage_system, 1h) FROM cpu WHERE $day AND host = 'h2' GROUP BY time(6h)"),
        unordered("integral_integer", "SELECT integral(bytes_recv, 1h) FROM net WHERE $net GROUP BY host"),
        unordered("integral_per_bucket_by_host", "SELECT integral(usage_system, 1h) FROM cpu WHERE $day GROUP BY time(6h), host"),
        q("integral_single_point", "SELECT integral(usage_user) FROM cpu WHERE host = 'h1' AND time = '2023-10-22T05:00:00Z'"),
        // mean
        q("mean_float", "SELECT mean(usage_user) FROM cpu WHERE $all"),
        q("mean_integer", "SELECT mean(bytes_recv) FROM net WHERE $net"),
        q("mean_by_host", "SELECT mean(usage_idle) FROM cpu WHERE $all GROUP BY host"),
        q("mean_by_region_per_day", "SELECT mean(usage_user) FROM cpu WHERE $all GROUP BY time(1d), region"),
        q("mean_star", "SELECT mean(*) FROM cpu WHERE $day"),
        q("mean_star_mixed_types", "SELECT mean(*) FROM status WHERE $all"),
        q("mean_regex", "SELECT mean(/usage/) FROM cpu WHERE $dense GROUP BY region"),
        // median
        q("median_float_even", "SELECT median(usage_user) FROM cpu WHERE $day AND host = 'h1'"),
        q("median_float_odd", "SELECT median(usage_user) FROM cpu WHERE host = 'h1' AND time >= '2023-10-22T00:00:00Z' AND time <= '2023-10-22T22:00:00Z'"),
        q("median_integer", "SELECT median(errors) FROM net WHERE $net GROUP BY host"),
        q("median_per_bucket", "SELECT median(usage_system) FROM cpu WHERE $dense GROUP BY time(7m)"),
        // mode
        q("mode_float_ties", "SELECT mode(usage_user) FROM cpu WHERE $day GROUP BY host"),
        q("mode_integer", "SELECT mode(errors) FROM net WHERE $net GROUP BY time(1d)"),
        q("mode_string", "SELECT mode(msg) FROM status WHERE $all GROUP BY id"),
        q("mode_boolean", "SELECT mode(up) FROM status WHERE $all GROUP BY time(3d)"),
        // spread
        q("spread_float", "SELECT spread(usage_user) FROM cpu WHERE $all GROUP BY host"),
        q("spread_integer", "SELECT spread(bytes_recv) FROM net WHERE $net GROUP BY time(1d), host"),
        q("spread_one_point", "SELECT spread(usage_user) FROM cpu WHERE host = 'h1' AND time = '2023-10-22T05:00:00Z'"),
        // stddev
        q("stddev_float", "SELECT stddev(usage_user) FROM cpu WHERE $all GROUP BY host"),
        q("stddev_integer", "SELECT stddev(errors) FROM net WHERE $net"),
        q("stddev_one_point_per_bucket", "SELECT stddev(usage_user) FROM cpu WHERE host = 'h1' AND $eight GROUP BY time(1h)"),
        // sum
        q("sum_float", "SELECT sum(usage_user) FROM cpu WHERE $all"),
        q("sum_integer", "SELECT sum(bytes_recv) FROM net WHERE $net GROUP BY host"),
        q("sum_per_bucket_fill_null", "SELECT sum(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(12h)"),
        q("sum_sparse", "SELECT sum(x), sum(z) FROM sparse WHERE $day GROUP BY s"),
        // several at once
        q("several_aggregates", "SELECT count(usage_user), mean(usage_user), median(usage_user), sum(usage_user), spread(usage_user), stddev(usage_user) FROM cpu WHERE $all"),
        q("several_aggregates_per_bucket", "SELECT count(usage_user), mean(usage_system), sum(usage_idle) FROM cpu WHERE $dense GROUP BY time(10m), host"),
        q("several_fields_types", "SELECT count(msg), count(up), mean(code), sum(load), mode(msg) FROM status WHERE $all GROUP BY id"),
        q("same_aggregate_twice", "SELECT mean(usage_user), mean(usage_user), mean(usage_system) FROM cpu WHERE $day"),
        // type errors
        q("mean_string_error", "SELECT mean(msg) FROM status WHERE $all"),
        q("mean_boolean_error", "SELECT mean(up) FROM status WHERE $all"),
        q("sum_string_error", "SELECT sum(msg) FROM status WHERE $all"),
        q("median_boolean_error", "SELECT median(up) FROM status WHERE $all"),
        q("spread_string_error", "SELECT spread(msg) FROM status WHERE $all"),
        q("stddev_string_error", "SELECT stddev(msg) FROM status WHERE $all"),
        q("integral_string_error", "SELECT integral(msg) FROM status WHERE $all"),
        // argument errors
        q("mean_two_args_error", "SELECT mean(usage_user, 2) FROM cpu WHERE $all"),
        q("count_no_args_error", "SELECT count() FROM cpu WHERE $all"),
        q("integral_bad_unit_error", "SELECT integral(usage_user, 'x') FROM cpu WHERE $all"),
        q("distinct_nested_error", "SELECT mean(distinct(usage_user)) FROM cpu WHERE $all"),
        q("count_of_literal_error", "SELECT count(1) FROM cpu WHERE $all"),
        q("sum_of_tag", "SELECT sum(host) FROM cpu WHERE $all"),
    ]
}
