//! cases_selector: the selectors (first, last, max, min, percentile, sample, top, bottom). A lone
//! selector answers with the selected point's time, several answer with the start of the range
//! or bucket; selectors carry auxiliary fields and tags (`SELECT max(v), host`); top and bottom
//! take tag arguments that pick one point per tag value; ties are everywhere in the data.
//! `sample()` is random, so its cases compare the shape only.

use crate::dsl::{q, shape, Case};

#[rustfmt::skip]
pub(crate) fn cases() -> Vec<Case> {
    vec![
        // first, last
        q("first_float", "SELECT first(usage_user) FROM cpu WHERE $all"),
        q("first_integer", "SELECT first(bytes_recv) FROM net WHERE $net GROUP BY host"),
        q("first_string", "SELECT first(msg) FROM status WHERE $all GROUP BY id"),
        q("first_boolean", "SELECT first(up) FROM status WHERE $all"),
        q("last_float", "SELECT last(usage_user) FROM cpu WHERE $all GROUP BY host"),
        q("last_string_per_bucket", "SELECT last(msg) FROM status WHERE $all GROUP BY time(2d)"),
        q("last_boolean", "SELECT last(up) FROM status WHERE $all GROUP BY id"),
        q("first_last_together", "SELECT first(usage_user), last(usage_user) FROM cpu WHERE $day GROUP BY host"),
        q("first_per_bucket_gap", "SELECT first(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(6h)"),
        q("last_across_shards", "SELECT last(usage_user) FROM cpu WHERE $dense GROUP BY time(20m), host"),
        q("first_offgrid_ns", "SELECT first(usage_user) FROM cpu WHERE host = 'h1' AND time > '2023-10-26T00:00:00Z' AND time < '2023-10-26T00:00:10Z'"),
        // max, min
        q("max_lone_keeps_time", "SELECT max(usage_user) FROM cpu WHERE $all"),
        q("min_lone_keeps_time", "SELECT min(usage_user) FROM cpu WHERE $all GROUP BY host"),
        q("max_ties_earliest", "SELECT max(usage_user) FROM cpu WHERE host = 'h1' AND $all"),
        q("max_integer", "SELECT max(bytes_recv) FROM net WHERE $net GROUP BY host"),
        q("min_integer_ties", "SELECT min(errors) FROM net WHERE $net GROUP BY time(1d)"),
        q("max_min_together", "SELECT max(usage_user), min(usage_user) FROM cpu WHERE $all"),
        q("max_with_mean", "SELECT max(usage_user), mean(usage_user) FROM cpu WHERE $day GROUP BY host"),
        q("max_per_bucket", "SELECT max(usage_user) FROM cpu WHERE $dense GROUP BY time(5m)"),
        q("max_star", "SELECT max(*) FROM cpu WHERE $day"),
        q("min_regex", "SELECT min(/usage_(user|system)/) FROM cpu WHERE $day"),
        q("max_string_error", "SELECT max(msg) FROM status WHERE $all"),
        q("max_boolean", "SELECT max(up) FROM status WHERE $all GROUP BY id"),
        q("min_boolean", "SELECT min(up) FROM status WHERE $all"),
        // auxiliary fields and tags
        q("max_with_tag", "SELECT max(usage_user), host FROM cpu WHERE $all"),
        q("max_with_fields_and_tags", "SELECT max(usage_user), usage_system, host, region FROM cpu WHERE $day"),
        q("min_with_field_per_bucket", "SELECT min(usage_user), usage_idle FROM cpu WHERE $dense GROUP BY time(15m)"),
        q("last_with_string_aux", "SELECT last(code), msg, up FROM status WHERE $all GROUP BY id"),
        q("first_with_tag_grouped", "SELECT first(usage_user), region FROM cpu WHERE $day GROUP BY host"),
        // percentile
        q("percentile_50", "SELECT percentile(usage_user, 50) FROM cpu WHERE $day GROUP BY host"),
        q("percentile_90_per_bucket", "SELECT percentile(usage_user, 90) FROM cpu WHERE $dense GROUP BY time(10m)"),
        q("percentile_fraction", "SELECT percentile(usage_system, 33.3) FROM cpu WHERE $all"),
        q("percentile_0_and_100", "SELECT percentile(usage_user, 0), percentile(usage_user, 100) FROM cpu WHERE $day"),
        q("percentile_integer", "SELECT percentile(bytes_recv, 75) FROM net WHERE $net GROUP BY host"),
        q("percentile_with_aux", "SELECT percentile(usage_user, 95), host FROM cpu WHERE $day"),
        q("percentile_bad_arg_error", "SELECT percentile(usage_user) FROM cpu WHERE $day"),
        q("percentile_string_error", "SELECT percentile(msg, 50) FROM status WHERE $all"),
        // sample (random: shape only)
        shape("sample_float", "SELECT sample(usage_user, 3) FROM cpu WHERE $day"),
        shape("sample_by_host", "SELECT sample(usage_user, 2) FROM cpu WHERE $all GROUP BY host"),
        shape("sample_per_bucket", "SELECT sample(msg, 2) FROM status WHERE $all GROUP BY time(3d)"),
        shape("sample_with_aux", "SELECT sample(usage_user, 4), host FROM cpu WHERE $eight"),
        shape("sample_more_than_points", "SELECT sample(bytes_recv, 1000) FROM net WHERE $net AND host = 'h1'"),
        q("sample_zero_error", "SELECT sample(usage_user, 0) FROM cpu WHERE $day"),
        // top, bottom
        q("top_3", "SELECT top(usage_user, 3) FROM cpu WHERE $day"),
        q("top_ties", "SELECT top(usage_user, 5) FROM cpu WHERE host = 'h1' AND $all"),
        q("top_by_host_tag", "SELECT top(usage_user, host, 3) FROM cpu WHERE $all"),
        q("top_two_tags", "SELECT top(usage_user, host, region, 2) FROM cpu WHERE $all"),
        q("top_per_bucket", "SELECT top(usage_user, 2) FROM cpu WHERE $dense GROUP BY time(15m)"),
        q("top_grouped_by_host", "SELECT top(usage_system, 2) FROM cpu WHERE $day GROUP BY host"),
        q("top_with_aux", "SELECT top(usage_user, 3), host, usage_system FROM cpu WHERE $day"),
        q("top_integer", "SELECT top(bytes_recv, 4) FROM net WHERE $net"),
        q("top_more_than_points", "SELECT top(usage_user, 100) FROM cpu WHERE host = 'h2' AND $eight"),
        q("bottom_3", "SELECT bottom(usage_user, 3) FROM cpu WHERE $day"),
        q("bottom_ties", "SELECT bottom(errors, 6) FROM net WHERE $net"),
        q("bottom_by_host_tag", "SELECT bottom(usage_idle, host, 2) FROM cpu WHERE $all"),
        q("bottom_per_bucket_by_tag", "SELECT bottom(usage_user, region, 1) FROM cpu WHERE $day GROUP BY time(6h)"),
        q("top_string_error", "SELECT top(msg, 2) FROM status WHERE $all"),
        q("top_zero_error", "SELECT top(usage_user, 0) FROM cpu WHERE $day"),
        q("top_with_other_selector_error", "SELECT top(usage_user, 2), max(usage_user) FROM cpu WHERE $day"),
        q("bottom_field_as_tag", "SELECT bottom(usage_user, usage_system, 2) FROM cpu WHERE $day"),
    ]
}
