//! cases_transform: the transformations (derivative, non_negative_derivative, difference,
//! non_negative_difference, moving_average, cumulative_sum, elapsed, holt_winters,
//! holt_winters_with_fit), on raw points (per series, ORDER BY and LIMIT applying after) and
//! nested around an aggregate with GROUP BY time (where fill decides what they see), and the
//! compile errors of their bad forms.

use crate::dsl::{q, Case};

#[rustfmt::skip]
pub(crate) fn cases() -> Vec<Case> {
    vec![
        // derivative
        q("derivative_raw", "SELECT derivative(usage_user) FROM cpu WHERE $ten AND host = 'h1'"),
        q("derivative_raw_unit", "SELECT derivative(usage_user, 1m) FROM cpu WHERE $eight AND host = 'h2'"),
        q("derivative_raw_by_host", "SELECT derivative(usage_system, 1h) FROM cpu WHERE $eight GROUP BY host"),
        q("derivative_raw_merged_series", "SELECT derivative(usage_user, 1h) FROM cpu WHERE $eight"),
        q("derivative_raw_integer", "SELECT derivative(bytes_recv, 1s) FROM net WHERE host = 'h2' AND time >= '2023-10-24T00:00:00Z' AND time < '2023-10-24T03:00:00Z'"),
        q("derivative_of_mean", "SELECT derivative(mean(usage_user), 1m) FROM cpu WHERE $dense GROUP BY time(5m)"),
        q("derivative_of_mean_default_unit", "SELECT derivative(mean(usage_user)) FROM cpu WHERE $dense GROUP BY time(5m), host"),
        q("derivative_of_mean_gap", "SELECT derivative(mean(usage_user), 1h) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(6h)"),
        q("derivative_of_mean_fill_zero", "SELECT derivative(mean(usage_user), 1h) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(6h) fill(0)"),
        q("derivative_of_max_desc", "SELECT derivative(max(usage_user), 10m) FROM cpu WHERE $dense GROUP BY time(10m) ORDER BY time DESC"),
        q("derivative_raw_limit", "SELECT derivative(usage_user) FROM cpu WHERE $ten AND host = 'h2' LIMIT 5 OFFSET 2"),
        q("derivative_string_error", "SELECT derivative(msg) FROM status WHERE $all"),
        q("derivative_group_by_time_raw_error", "SELECT derivative(usage_user) FROM cpu WHERE $day GROUP BY time(1h)"),
        q("derivative_negative_unit_error", "SELECT derivative(usage_user, -1s) FROM cpu WHERE $day"),
        // non_negative_derivative
        q("non_negative_derivative_raw", "SELECT non_negative_derivative(bytes_recv, 1s) FROM net WHERE host = 'h1' AND time >= '2023-10-25T12:00:00Z' AND time < '2023-10-25T14:00:00Z'"),
        q("non_negative_derivative_of_max", "SELECT non_negative_derivative(max(bytes_recv), 1s) FROM net WHERE $net GROUP BY time(3h), host"),
        q("non_negative_derivative_float", "SELECT non_negative_derivative(usage_user) FROM cpu WHERE $ten AND host = 'h4'"),
        // difference
        q("difference_raw", "SELECT difference(usage_user) FROM cpu WHERE $ten AND host = 'h3'"),
        q("difference_raw_integer", "SELECT difference(errors) FROM net WHERE host = 'h1' AND time >= '2023-10-24T00:00:00Z' AND time < '2023-10-24T04:00:00Z'"),
        q("difference_of_mean", "SELECT difference(mean(usage_idle)) FROM cpu WHERE $dense GROUP BY time(6m)"),
        q("difference_of_sum_integer", "SELECT difference(sum(errors)) FROM net WHERE $net GROUP BY time(6h), host"),
        q("difference_raw_group_star", "SELECT difference(usage_system) FROM cpu WHERE $eight GROUP BY *"),
        q("non_negative_difference_raw", "SELECT non_negative_difference(bytes_recv) FROM net WHERE host = 'h1' AND time >= '2023-10-25T12:00:00Z' AND time < '2023-10-25T14:00:00Z'"),
        q("non_negative_difference_of_mean", "SELECT non_negative_difference(mean(usage_user)) FROM cpu WHERE $day GROUP BY time(2h), region"),
        // moving_average
        q("moving_average_raw", "SELECT moving_average(usage_user, 3) FROM cpu WHERE $eight AND host = 'h1'"),
        q("moving_average_raw_window_too_big", "SELECT moving_average(usage_user, 20) FROM cpu WHERE $eight AND host = 'h1'"),
        q("moving_average_of_mean", "SELECT moving_average(mean(usage_user), 2) FROM cpu WHERE $dense GROUP BY time(5m)"),
        q("moving_average_of_mean_gap", "SELECT moving_average(mean(usage_user), 3) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(6h)"),
        q("moving_average_integer", "SELECT moving_average(bytes_recv, 4) FROM net WHERE host = 'h2' AND time >= '2023-10-24T00:00:00Z' AND time < '2023-10-24T03:00:00Z'"),
        q("moving_average_bad_window_error", "SELECT moving_average(usage_user, 0) FROM cpu WHERE $day"),
        q("moving_average_missing_window_error", "SELECT moving_average(usage_user) FROM cpu WHERE $day"),
        // cumulative_sum
        q("cumulative_sum_raw", "SELECT cumulative_sum(usage_user) FROM cpu WHERE $eight GROUP BY host"),
        q("cumulative_sum_raw_integer", "SELECT cumulative_sum(errors) FROM net WHERE host = 'h2' AND time >= '2023-10-24T00:00:00Z' AND time < '2023-10-24T04:00:00Z'"),
        q("cumulative_sum_of_sum", "SELECT cumulative_sum(sum(usage_user)) FROM cpu WHERE $all GROUP BY time(1d)"),
        q("cumulative_sum_of_count_gap", "SELECT cumulative_sum(count(usage_user)) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(12h)"),
        // elapsed
        q("elapsed_raw_default_unit", "SELECT elapsed(usage_user) FROM cpu WHERE $ten AND host = 'h1'"),
        q("elapsed_raw_seconds", "SELECT elapsed(usage_user, 1s) FROM cpu WHERE $ten AND host = 'h3'"),
        q("elapsed_raw_string", "SELECT elapsed(msg, 1h) FROM status WHERE $day"),
        q("elapsed_of_mean", "SELECT elapsed(mean(usage_user), 1m) FROM cpu WHERE $dense GROUP BY time(5m)"),
        // holt_winters
        q("holt_winters", "SELECT holt_winters(mean(usage_system), 5, 0) FROM cpu WHERE $all AND host = 'h1' GROUP BY time(1d)"),
        q("holt_winters_seasonal", "SELECT holt_winters(mean(usage_user), 4, 4) FROM cpu WHERE $all AND host = 'h1' GROUP BY time(6h)"),
        q("holt_winters_with_fit", "SELECT holt_winters_with_fit(max(usage_user), 3, 2) FROM cpu WHERE $all AND host = 'h2' GROUP BY time(1d)"),
        q("holt_winters_raw_error", "SELECT holt_winters(usage_user, 5, 0) FROM cpu WHERE $day"),
        q("holt_winters_no_group_error", "SELECT holt_winters(mean(usage_user), 5, 0) FROM cpu WHERE $day"),
        // nesting rules
        q("nested_without_group_by_time_error", "SELECT derivative(mean(usage_user)) FROM cpu WHERE $day"),
        q("aggregate_of_aggregate_error", "SELECT max(mean(usage_user)) FROM cpu WHERE $day GROUP BY time(1h)"),
        q("transform_with_raw_field_error", "SELECT difference(usage_user), usage_system FROM cpu WHERE $day"),
        q("two_transforms", "SELECT difference(usage_user), derivative(usage_system, 1h) FROM cpu WHERE $eight AND host = 'h1'"),
        q("transform_and_aggregate", "SELECT difference(usage_user), mean(usage_user) FROM cpu WHERE $day"),
    ]
}
