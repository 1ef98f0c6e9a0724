//! cases_group: GROUP BY time (intervals from 1s to 1w, uneven ones, positive and negative
//! offsets, ranges that start inside a bucket), every fill (null, none, previous, linear,
//! numbers) with gaps at the start, middle and end of a range, GROUP BY tags, `*` and regexes
//! together with time, tags missing from some series, and tz() including the Europe/Paris DST
//! change, whose days are 25 hours long.

use crate::dsl::{q, qp, Case};

#[rustfmt::skip]
pub(crate) fn cases() -> Vec<Case> {
    vec![
        // intervals
        q("interval_1s", "SELECT mean(usage_user) FROM cpu WHERE host = 'h1' AND time >= '2023-10-25T23:32:00Z' AND time < '2023-10-25T23:32:30Z' GROUP BY time(1s)"),
        q("interval_10s", "SELECT count(usage_user) FROM cpu WHERE time >= '2023-10-25T23:59:00Z' AND time < '2023-10-26T00:01:00Z' GROUP BY time(10s)"),
        q("interval_1m", "SELECT max(usage_user) FROM cpu WHERE $ten GROUP BY time(1m)"),
        q("interval_7m_uneven", "SELECT sum(usage_user) FROM cpu WHERE $dense GROUP BY time(7m)"),
        q("interval_90s", "SELECT mean(usage_system) FROM cpu WHERE $ten GROUP BY time(90s), host"),
        q("interval_1h", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(1h)"),
        q("interval_5h_uneven", "SELECT count(usage_user) FROM cpu WHERE $all GROUP BY time(5h) fill(none) LIMIT 10"),
        q("interval_1d", "SELECT mean(usage_user) FROM cpu WHERE $all GROUP BY time(1d)"),
        q("interval_1w", "SELECT count(usage_user), sum(usage_user) FROM cpu WHERE $all GROUP BY time(1w)"),
        q("interval_1w_range_mid_week", "SELECT count(usage_user) FROM cpu WHERE time >= '2023-10-22T00:00:00Z' AND time < '2023-11-03T00:00:00Z' GROUP BY time(1w)"),
        q("interval_range_starts_mid_bucket", "SELECT count(usage_user) FROM cpu WHERE time >= '2023-10-22T05:00:00Z' AND time < '2023-10-23T05:00:00Z' GROUP BY time(6h)"),
        q("interval_range_inclusive_end", "SELECT count(usage_user) FROM cpu WHERE time >= '2023-10-22T00:00:00Z' AND time <= '2023-10-22T06:00:00Z' GROUP BY time(3h)"),
        q("interval_range_exclusive_start", "SELECT count(usage_user) FROM cpu WHERE time > '2023-10-22T00:00:00Z' AND time < '2023-10-22T06:00:00Z' GROUP BY time(3h)"),
        q("interval_zero", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(0s)"),
        q("interval_without_aggregate_error", "SELECT usage_user FROM cpu WHERE $day GROUP BY time(1h)"),
        // offsets
        q("offset_positive", "SELECT count(usage_user) FROM cpu WHERE $day GROUP BY time(6h, 2h)"),
        q("offset_negative", "SELECT count(usage_user) FROM cpu WHERE $day GROUP BY time(6h, -2h)"),
        q("offset_larger_than_interval", "SELECT count(usage_user) FROM cpu WHERE $day GROUP BY time(6h, 8h)"),
        q("offset_week_monday", "SELECT count(usage_user) FROM cpu WHERE $all GROUP BY time(1w, 4d)"),
        q("offset_seconds_on_7m", "SELECT mean(usage_user) FROM cpu WHERE $ten GROUP BY time(7m, 30s)"),
        q("offset_day_by_host", "SELECT max(usage_user) FROM cpu WHERE $all GROUP BY time(1d, 6h), host fill(none)"),
        q("offset_equal_to_interval", "SELECT count(usage_user) FROM cpu WHERE $day GROUP BY time(6h, 6h)"),
        q("offset_with_gap_fill_linear", "SELECT mean(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(12h, 3h) fill(linear)"),
        // fill
        q("fill_null_gap_middle", "SELECT mean(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(6h) fill(null)"),
        q("fill_none_gap_middle", "SELECT mean(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(6h) fill(none)"),
        q("fill_previous_gap_middle", "SELECT mean(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(6h) fill(previous)"),
        q("fill_linear_gap_middle", "SELECT mean(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(6h) fill(linear)"),
        q("fill_zero_gap_middle", "SELECT mean(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(6h) fill(0)"),
        q("fill_negative_number", "SELECT mean(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(6h) fill(-1)"),
        q("fill_float_number", "SELECT max(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(12h) fill(2.5)"),
        q("fill_null_gap_start", "SELECT mean(usage_user) FROM cpu WHERE host = 'h4' AND time >= '2023-10-19T00:00:00Z' AND time < '2023-10-22T00:00:00Z' GROUP BY time(12h)"),
        q("fill_previous_gap_start", "SELECT mean(usage_user) FROM cpu WHERE host = 'h4' AND time >= '2023-10-19T00:00:00Z' AND time < '2023-10-22T00:00:00Z' GROUP BY time(12h) fill(previous)"),
        q("fill_linear_gap_start", "SELECT mean(usage_user) FROM cpu WHERE host = 'h4' AND time >= '2023-10-19T00:00:00Z' AND time < '2023-10-22T00:00:00Z' GROUP BY time(12h) fill(linear)"),
        q("fill_null_gap_end", "SELECT mean(usage_user) FROM cpu WHERE host = 'h2' AND time >= '2023-11-02T00:00:00Z' AND time < '2023-11-06T00:00:00Z' GROUP BY time(12h)"),
        q("fill_previous_gap_end", "SELECT mean(usage_user) FROM cpu WHERE host = 'h2' AND time >= '2023-11-02T00:00:00Z' AND time < '2023-11-06T00:00:00Z' GROUP BY time(12h) fill(previous)"),
        q("fill_linear_gap_end", "SELECT mean(usage_user) FROM cpu WHERE host = 'h2' AND time >= '2023-11-02T00:00:00Z' AND time < '2023-11-06T00:00:00Z' GROUP BY time(12h) fill(linear)"),
        q("fill_number_gap_end_by_host", "SELECT count(usage_user) FROM cpu WHERE time >= '2023-11-02T00:00:00Z' AND time < '2023-11-06T00:00:00Z' GROUP BY time(1d), host fill(-5)"),
        q("fill_count_null_is_zero", "SELECT count(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(6h) fill(null)"),
        q("fill_linear_integer", "SELECT max(errors) FROM net WHERE host = 'h1' AND $net GROUP BY time(1h) fill(linear) LIMIT 6"),
        q("fill_previous_string", "SELECT last(msg) FROM status WHERE id = 's2' AND $all GROUP BY time(12h) fill(previous)"),
        q("fill_number_string", "SELECT last(msg) FROM status WHERE id = 's2' AND time >= '2023-10-26T00:00:00Z' AND time < '2023-10-30T00:00:00Z' GROUP BY time(12h) fill(0)"),
        q("fill_several_aggregates", "SELECT mean(usage_user), max(usage_system), count(usage_idle) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(12h) fill(linear)"),
        q("fill_dense_gap_by_host", "SELECT mean(usage_user) FROM cpu WHERE $ten GROUP BY time(2m), host fill(previous)"),
        q("fill_empty_range", "SELECT mean(usage_user) FROM cpu WHERE $hole GROUP BY time(5m) fill(0)"),
        q("fill_bad_option_error", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(1h) fill(foo)"),
        // GROUP BY tags with time
        q("group_time_and_tag", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(6h), host"),
        q("group_tag_then_time", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY host, time(6h)"),
        q("group_two_tags", "SELECT count(usage_user) FROM cpu WHERE $all GROUP BY region, host"),
        q("group_star", "SELECT max(usage_user) FROM cpu WHERE $day GROUP BY time(12h), *"),
        q("group_regex", "SELECT count(usage_user) FROM cpu WHERE $day GROUP BY time(12h), /^(host|env)$/"),
        q("group_tag_missing_in_series", "SELECT count(usage_user) FROM cpu WHERE $day GROUP BY env"),
        q("group_unknown_tag", "SELECT count(usage_user) FROM cpu WHERE $day GROUP BY nosuch"),
        q("group_star_sparse", "SELECT count(*) FROM sparse WHERE $day GROUP BY *"),
        // tz
        q("tz_paris_days_dst", "SELECT count(usage_user) FROM cpu WHERE $dst GROUP BY time(1d) tz('Europe/Paris')"),
        q("tz_paris_hours_dst", "SELECT count(usage_user) FROM cpu WHERE time >= '2023-10-28T23:00:00Z' AND time < '2023-10-29T03:00:00Z' GROUP BY time(1h) tz('Europe/Paris')"),
        q("tz_paris_days_all", "SELECT max(usage_user) FROM cpu WHERE $all AND host = 'h1' GROUP BY time(1d) tz('Europe/Paris')"),
        q("tz_paris_week", "SELECT count(usage_user) FROM cpu WHERE $all GROUP BY time(1w) tz('Europe/Paris')"),
        q("tz_new_york_days", "SELECT sum(usage_user) FROM cpu WHERE $dst GROUP BY time(1d) tz('America/New_York')"),
        q("tz_kolkata_half_hour", "SELECT count(usage_user) FROM cpu WHERE $day GROUP BY time(1d) tz('Asia/Kolkata')"),
        q("tz_utc", "SELECT count(usage_user) FROM cpu WHERE $dst GROUP BY time(1d) tz('UTC')"),
        q("tz_offset_and_zone", "SELECT count(usage_user) FROM cpu WHERE $dst GROUP BY time(1d, 6h) tz('Europe/Paris')"),
        q("tz_raw_query", "SELECT usage_user FROM cpu WHERE host = 'h1' AND time >= '2023-10-29T00:00:00Z' AND time < '2023-10-29T03:00:00Z' tz('Europe/Paris')"),
        q("tz_lone_selector", "SELECT max(usage_user) FROM cpu WHERE $dst tz('Europe/Paris')"),
        qp("tz_with_epoch", &[("epoch", "ms")], "SELECT count(usage_user) FROM cpu WHERE $dst GROUP BY time(1d) tz('Europe/Paris')"),
        q("tz_fill_linear", "SELECT mean(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(1d) fill(linear) tz('Europe/Paris')"),
        q("tz_unknown_error", "SELECT count(usage_user) FROM cpu WHERE $dst GROUP BY time(1d) tz('Mars/Olympus')"),
    ]
}
