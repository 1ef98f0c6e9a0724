//! cases_query: everything around the functions: ORDER BY time DESC, LIMIT/OFFSET and
//! SLIMIT/SOFFSET on aggregates, WHERE on tags and fields, regex and multiple sources,
//! retention-policy-qualified sources, math and aliases, subqueries, empty ranges and ranges
//! outside the data, queries without a lower bound or without any time condition (the default
//! ranges: no lower bound starts at the first point, no upper bound with GROUP BY time ends at
//! now()), epoch and chunked answers, and SELECT … INTO followed by reading the target back.

use crate::data::DB_INTO;
use crate::dsl::{get, get_with, post, q, qp, steps, Case};

#[rustfmt::skip]
pub(crate) fn cases() -> Vec<Case> {
    let mut v = vec![
        // ORDER BY, LIMIT, OFFSET, SLIMIT, SOFFSET
        q("order_desc_buckets", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(3h) ORDER BY time DESC"),
        q("order_desc_by_host_fill", "SELECT mean(usage_user) FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(12h), host fill(previous) ORDER BY time DESC"),
        q("order_desc_lone_selector", "SELECT max(usage_user) FROM cpu WHERE $day ORDER BY time DESC"),
        q("order_desc_top", "SELECT top(usage_user, 3) FROM cpu WHERE $day ORDER BY time DESC"),
        q("order_desc_reverses_series", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(12h), host ORDER BY time DESC"),
        // rows of several series at one time: ordered by the string columns (by column name),
        // else in the order of InfluxDB's merge heap
        q("raw_regex_fields", "SELECT /usage_(user|idle)/ FROM cpu WHERE $eight AND host = 'h1'"),
        q("raw_regex_fields_and_tags", "SELECT /^(usage_system|region)$/, usage_user FROM cpu WHERE $eight AND host = 'h2'"),
        q("raw_regex_only_tags_selects_nothing", "SELECT /^(host|env)$/ FROM cpu WHERE $eight"),
        q("raw_equal_times_by_tag", "SELECT usage_user, host FROM cpu WHERE $dense LIMIT 24"),
        q("raw_equal_times_heap_order", "SELECT usage_user, usage_system FROM cpu WHERE $dense LIMIT 24"),
        q("raw_equal_times_wildcard", "SELECT * FROM cpu WHERE $dense LIMIT 24"),
        q("raw_difference_merged_dense", "SELECT difference(usage_user) FROM cpu WHERE $dense LIMIT 20"),
        q("order_desc_raw_transforms", "SELECT cumulative_sum(usage_user), moving_average(usage_user, 3), derivative(usage_user, 1h) FROM cpu WHERE $eight AND host = 'h2' ORDER BY time DESC"),
        q("order_desc_raw_difference_elapsed", "SELECT difference(bytes_recv), non_negative_difference(bytes_recv), elapsed(bytes_recv, 1m) FROM net WHERE $net AND host = 'h1' ORDER BY time DESC LIMIT 6"),
        q("order_asc_explicit", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(6h) ORDER BY time ASC"),
        q("limit_buckets", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(1h) LIMIT 3"),
        q("limit_offset_buckets", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(1h) LIMIT 3 OFFSET 5"),
        q("limit_per_series", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(4h), host LIMIT 2"),
        q("limit_offset_without_limit", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(4h), host OFFSET 2"),
        q("limit_offset_past_end", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(6h) LIMIT 2 OFFSET 10"),
        q("limit_desc", "SELECT max(usage_user) FROM cpu WHERE $day GROUP BY time(1h) ORDER BY time DESC LIMIT 4"),
        q("limit_per_call_transforms", "SELECT cumulative_sum(usage_user), moving_average(usage_user, 2) FROM cpu WHERE $eight AND host = 'h1' LIMIT 3"),
        q("limit_offset_per_call_transforms", "SELECT difference(usage_user), derivative(usage_user, 1h), usage_user FROM cpu WHERE $eight AND host = 'h2' LIMIT 2 OFFSET 2"),
        q("limit_per_call_fill_none", "SELECT count(usage_user), max(bytes_recv) FROM cpu, net WHERE $net GROUP BY time(6h) fill(none) LIMIT 3"),
        q("limit_per_call_desc", "SELECT cumulative_sum(usage_user), moving_average(usage_user, 3) FROM cpu WHERE $eight AND host = 'h1' ORDER BY time DESC LIMIT 2"),
        q("limit_smaller_than_top_error", "SELECT top(usage_user, 5) FROM cpu WHERE $day LIMIT 2"),
        q("slimit", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(12h), host SLIMIT 2"),
        q("slimit_soffset", "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(12h), host SLIMIT 2 SOFFSET 1"),
        q("soffset_past_end", "SELECT count(usage_user) FROM cpu WHERE $day GROUP BY host SLIMIT 2 SOFFSET 10"),
        q("slimit_limit_together", "SELECT max(usage_user) FROM cpu WHERE $day GROUP BY time(2h), * LIMIT 2 SLIMIT 3"),
        // WHERE on tags and fields
        q("where_tag_equal", "SELECT mean(usage_user) FROM cpu WHERE region = 'eu-west' AND $all GROUP BY host"),
        q("where_tag_not_equal", "SELECT count(usage_user) FROM cpu WHERE host != 'h1' AND $day"),
        q("where_tag_regex", "SELECT count(usage_user) FROM cpu WHERE host =~ /^h[12]$/ AND $day GROUP BY time(12h)"),
        q("where_tag_not_regex", "SELECT sum(usage_user) FROM cpu WHERE host !~ /[34]/ AND $day"),
        q("where_tag_or", "SELECT count(usage_user) FROM cpu WHERE (host = 'h1' OR env = 'staging') AND $day GROUP BY host"),
        q("where_tag_empty", "SELECT count(usage_user) FROM cpu WHERE env = '' AND $day GROUP BY host"),
        q("where_field_float", "SELECT count(usage_user), mean(usage_user) FROM cpu WHERE usage_user > 15 AND $all GROUP BY host"),
        q("where_field_other_field", "SELECT max(usage_user) FROM cpu WHERE usage_system >= 12.5 AND $day"),
        q("where_field_integer", "SELECT count(errors) FROM net WHERE errors = 3 AND $net GROUP BY time(1d)"),
        q("where_field_string", "SELECT count(code) FROM status WHERE msg = 'error' AND $all GROUP BY id"),
        q("where_field_boolean", "SELECT count(code), mean(load) FROM status WHERE up = false AND $all"),
        q("where_field_and_tag_or", "SELECT count(usage_user) FROM cpu WHERE (usage_user = 0 OR host = 'h4') AND $day GROUP BY host"),
        q("where_no_match", "SELECT mean(usage_user) FROM cpu WHERE host = 'nosuch' AND $day GROUP BY time(6h)"),
        // sources
        q("source_regex", "SELECT count(usage_user) FROM /^cp/ WHERE $day"),
        q("source_regex_several", "SELECT count(*) FROM /^(net|status)$/ WHERE $net"),
        q("source_two_measurements", "SELECT max(usage_user), max(bytes_recv) FROM cpu, net WHERE $net"),
        q("source_two_measurements_grouped", "SELECT mean(usage_user) FROM cpu, archive.cpu WHERE $day GROUP BY time(12h), host"),
        q("source_rp_qualified", "SELECT mean(usage_user) FROM archive.cpu WHERE $all GROUP BY host"),
        q("source_db_rp_qualified", "SELECT count(usage_user) FROM analytics.archive.cpu WHERE $all GROUP BY time(1w)"),
        q("source_db_default_rp", "SELECT count(usage_user) FROM analytics..cpu WHERE $all"),
        qp("source_rp_parameter", &[("rp", "archive")], "SELECT max(usage_user) FROM cpu WHERE $all"),
        q("source_missing_measurement", "SELECT mean(v) FROM nosuch WHERE $all"),
        q("source_missing_rp_error", "SELECT mean(usage_user) FROM nosuchrp.cpu WHERE $all"),
        // math and aliases
        q("math_aggregate_divided", "SELECT mean(usage_user) / 100 FROM cpu WHERE $day GROUP BY time(6h)"),
        q("math_fields_added", "SELECT \"usage_user\" + \"usage_system\" FROM cpu WHERE $eight AND host = 'h1'"),
        q("math_aggregates_subtracted", "SELECT mean(usage_idle) - mean(usage_user) FROM cpu WHERE $day GROUP BY host"),
        q("math_spread_by_hand", "SELECT max(usage_user) - min(usage_user) AS range, spread(usage_user) FROM cpu WHERE $day"),
        q("math_precedence", "SELECT mean(usage_user) * 2 + 1, (mean(usage_user) + 1) * 2 FROM cpu WHERE $day"),
        q("math_integer_division", "SELECT sum(errors) / 5, sum(errors) * 2, sum(errors) % 5, sum(errors) / 3 FROM net WHERE $net"),
        q("math_with_fill", "SELECT mean(usage_user) * 10 FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(12h) fill(1)"),
        q("math_with_transform", "SELECT derivative(mean(usage_user), 1m) * 60 FROM cpu WHERE $dense GROUP BY time(10m)"),
        q("math_selector_keeps_time", "SELECT max(usage_user) + 1 FROM cpu WHERE $day"),
        q("math_unary_minus", "SELECT -mean(usage_user) FROM cpu WHERE $day"),
        q("math_string_error", "SELECT mean(usage_user) + 'a' FROM cpu WHERE $day"),
        q("alias_aggregates", "SELECT mean(usage_user) AS m, count(usage_user) AS \"n\" FROM cpu WHERE $day GROUP BY time(12h)"),
        q("alias_same_name", "SELECT mean(usage_user) AS usage_user FROM cpu WHERE $day"),
        q("alias_duplicate_columns", "SELECT max(usage_user), max(usage_system), max(usage_user) FROM cpu WHERE $day"),
        q("alias_repeated_kept", "SELECT mean(usage_user) AS m, count(usage_user) AS m FROM cpu WHERE $day"),
        q("alias_claims_generated_name", "SELECT mean(usage_user), max(usage_user) AS mean FROM cpu WHERE $day"),
        q("alias_raw_repeated", "SELECT usage_user AS x, usage_system AS x, usage_user FROM cpu WHERE $eight AND host = 'h1'"),
        // math functions, per row: on fields (a raw query) and on aggregates
        q("math_functions_raw", "SELECT abs(usage_user - 20), sqrt(usage_user), pow(usage_user, 2), round(usage_user), floor(usage_user), ceil(usage_user) FROM cpu WHERE $eight AND host = 'h2'"),
        q("math_functions_trig", "SELECT sin(usage_user), cos(usage_user), tan(usage_user), atan(usage_user), atan2(usage_user, usage_system), exp(usage_idle / 100) FROM cpu WHERE $eight AND host = 'h1'"),
        q("math_functions_logs", "SELECT ln(usage_user), log2(usage_user), log10(usage_user), log(usage_user, 3) FROM cpu WHERE $eight AND host = 'h3' AND usage_user > 0"),
        q("math_functions_integers", "SELECT abs(errors - 3), floor(errors), round(errors), sqrt(errors), pow(errors, 2) FROM net WHERE $net AND host = 'h1' LIMIT 8"),
        q("math_function_of_aggregate", "SELECT abs(mean(usage_user) - 20), sqrt(max(usage_user)) FROM cpu WHERE $day GROUP BY time(6h), host"),
        q("math_function_of_selector_keeps_time", "SELECT round(max(usage_user)) FROM cpu WHERE $day"),
        q("math_function_in_where", "SELECT usage_user FROM cpu WHERE $eight AND abs(usage_user - 20) < 5 AND host = 'h1'"),
        q("math_function_bad_type", "SELECT sqrt(msg) FROM status WHERE $all"),
        q("math_function_arity_error", "SELECT pow(usage_user) FROM cpu WHERE $day"),
        // type errors of raw expressions
        q("raw_math_string_error", "SELECT usage_user + msg FROM cpu, status WHERE $eight"),
        q("raw_math_boolean_error", "SELECT up + 1 FROM status WHERE $all"),
        q("raw_math_string_concat_error", "SELECT msg + 'x' FROM status WHERE $all"),
        q("raw_bitwise_float_error", "SELECT usage_user & 1 FROM cpu WHERE $eight"),
        q("raw_bitwise_integers", "SELECT errors & 1, errors | 2, errors ^ 3 FROM net WHERE $net AND host = 'h2' LIMIT 6"),
        // wildcards next to a selector
        q("selector_with_wildcard", "SELECT max(usage_user), * FROM cpu WHERE $day"),
        q("selector_with_wildcard_grouped", "SELECT last(code), * FROM status WHERE $all GROUP BY id"),
        q("selector_with_regex_aux", "SELECT min(usage_system), /host|idle/ FROM cpu WHERE $day"),
        // mixing
        q("mix_aggregate_and_field_error", "SELECT mean(usage_user), usage_system FROM cpu WHERE $day"),
        q("mix_selector_aggregate_and_tag_error", "SELECT max(usage_user), mean(usage_user), host FROM cpu WHERE $day"),
        q("mix_wildcard_and_aggregate_error", "SELECT mean(usage_user), * FROM cpu WHERE $day"),
        // subqueries
        q("subquery_max_of_means", "SELECT max(m) FROM (SELECT mean(usage_user) AS m FROM cpu WHERE $dense GROUP BY time(5m), host) GROUP BY host"),
        q("subquery_mean_of_max_per_day", "SELECT mean(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE $all GROUP BY time(1h), host) WHERE $all GROUP BY time(1d)"),
        q("subquery_raw_inner", "SELECT mean(usage_user) FROM (SELECT usage_user, host FROM cpu WHERE $day) GROUP BY host"),
        q("subquery_where_outside", "SELECT count(m) FROM (SELECT mean(usage_user) AS m FROM cpu WHERE $all GROUP BY time(1h), host) WHERE m > 15"),
        q("subquery_inner_bucket_before_outer_range", "SELECT mean(mv) FROM (SELECT mean(usage_user) AS mv FROM cpu GROUP BY time(2h), host) WHERE time >= '2023-10-22T09:00:00Z' AND time < '2023-10-22T17:00:00Z' GROUP BY time(4h)"),
        q("subquery_raw_outer_keeps_inner_rows", "SELECT * FROM (SELECT max(usage_user) FROM cpu GROUP BY time(6h)) WHERE time >= '2023-10-22T03:00:00Z' AND time < '2023-10-22T20:00:00Z'"),
        q("subquery_math_inner", "SELECT sum(d) FROM (SELECT usage_user - usage_system AS d FROM cpu WHERE $eight)"),
        q("subquery_tags_kept", "SELECT last(m), host FROM (SELECT mean(usage_user) AS m FROM cpu WHERE $day GROUP BY time(6h), host)"),
        q("subquery_two_levels", "SELECT max(s) FROM (SELECT sum(m) AS s FROM (SELECT mean(usage_user) AS m FROM cpu WHERE $day GROUP BY time(1h), host) GROUP BY time(6h))"),
        q("subquery_outer_group_by_time", "SELECT mean(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE $day GROUP BY time(1h), host) WHERE $day GROUP BY time(6h), host fill(none)"),
        q("subquery_transform_outer", "SELECT derivative(m, 1h) FROM (SELECT mean(usage_user) AS m FROM cpu WHERE $eight GROUP BY time(1h))"),
        q("subquery_bottom_inner", "SELECT mean(bottom) FROM (SELECT bottom(usage_user, host, 2) FROM cpu WHERE $day)"),
        // ranges
        q("range_empty_inside_data", "SELECT mean(usage_user), max(usage_user) FROM cpu WHERE $hole"),
        q("range_empty_grouped", "SELECT mean(usage_user) FROM cpu WHERE $hole GROUP BY time(5m)"),
        q("range_before_data", "SELECT count(usage_user) FROM cpu WHERE $past GROUP BY time(1w)"),
        q("range_reversed", "SELECT count(usage_user) FROM cpu WHERE time >= '2023-10-23T00:00:00Z' AND time < '2023-10-22T00:00:00Z'"),
        q("range_upper_only_grouped", "SELECT count(usage_user) FROM cpu WHERE time < '2023-10-21T00:00:00Z' GROUP BY time(12h)"),
        q("range_lower_only_aggregate", "SELECT count(usage_user) FROM cpu WHERE time >= '2023-11-04T00:00:00Z'"),
        q("range_none_aggregate", "SELECT count(usage_user), sum(usage_user) FROM cpu"),
        q("range_none_selector", "SELECT max(v), min(v) FROM edge"),
        q("range_none_lone_selector", "SELECT last(v) FROM edge"),
        q("range_none_group_by_time", "SELECT count(v) FROM edge GROUP BY time(10000d)"),
        q("range_lower_only_group_by_time", "SELECT count(v) FROM edge WHERE time > '2000-01-01T00:00:00Z' GROUP BY time(10000d)"),
        q("range_now_relative", "SELECT count(usage_user) FROM cpu WHERE time > now() - 1h"),
        q("range_single_instant", "SELECT sum(usage_user) FROM cpu WHERE time = '2023-10-22T05:00:00Z'"),
        // epoch and chunked answers
        qp("epoch_ms_buckets", &[("epoch", "ms")], "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(6h)"),
        qp("epoch_s_lone_selector", &[("epoch", "s")], "SELECT max(usage_user) FROM cpu WHERE $all"),
        qp("epoch_ns_offgrid", &[("epoch", "ns")], "SELECT last(usage_user) FROM cpu WHERE host = 'h1' AND $dense GROUP BY time(30m)"),
        qp("chunked_aggregate", &[("chunked", "true")], "SELECT mean(usage_user) FROM cpu WHERE $day GROUP BY time(1h), host"),
        qp("chunked_small_chunks", &[("chunked", "true"), ("chunk_size", "5")], "SELECT max(usage_user) FROM cpu WHERE $day GROUP BY time(2h), host"),
        qp("chunked_two_statements", &[("chunked", "true"), ("chunk_size", "3")], "SELECT count(usage_user) FROM cpu WHERE $day GROUP BY time(6h); SELECT sum(errors) FROM net WHERE $net GROUP BY host"),
        q("two_statements", "SELECT count(usage_user) FROM cpu WHERE $day; SELECT mean(load) FROM status WHERE $all GROUP BY id"),
    ];
    v.extend(into_cases());
    v
}

/// SELECT … INTO: the write, then reading the target back. Each case writes measurements no
/// other case reads (and no regex source matches), so the order of cases does not matter.
#[rustfmt::skip]
fn into_cases() -> Vec<Case> {
    let into_db = |stmt: &str| get_with(&[("db", DB_INTO)], stmt);
    vec![
        steps("into_measurement", vec![
            post("SELECT mean(usage_user) INTO into_means FROM cpu WHERE $day GROUP BY time(6h), host"),
            get("SELECT * FROM into_means WHERE $day"),
            get("SHOW TAG KEYS FROM into_means"),
        ]),
        steps("into_tags_become_fields", vec![
            post("SELECT max(usage_user), host INTO into_max_host FROM cpu WHERE $day GROUP BY time(12h)"),
            get("SELECT * FROM into_max_host WHERE $day"),
            get("SHOW FIELD KEYS FROM into_max_host"),
        ]),
        steps("into_other_rp", vec![
            post("SELECT count(usage_user) AS n INTO archive.into_counts FROM cpu WHERE $all GROUP BY time(1d), *"),
            get("SELECT sum(n) FROM archive.into_counts WHERE $all GROUP BY host"),
            get("SELECT count(n) FROM into_counts WHERE $all"),
        ]),
        steps("into_other_database", vec![
            post("SELECT sum(errors) AS e INTO analytics_into.autogen.net_errors FROM net WHERE $net GROUP BY time(12h), host"),
            into_db("SELECT * FROM net_errors WHERE $net GROUP BY host"),
        ]),
        steps("into_measurement_backreference", vec![
            post("SELECT last(code) INTO analytics_into..:MEASUREMENT FROM /^status$/ WHERE $all GROUP BY time(1d), id"),
            into_db("SELECT count(last) FROM status WHERE $all GROUP BY id"),
        ]),
        steps("into_over_get_warns_qualified", vec![
            // A GET that writes: InfluxDB warns, quoting the statement it normalized.
            get("SELECT max(usage_user) INTO into_warned FROM cpu WHERE $day GROUP BY time(12h)"),
            get("SELECT * FROM into_warned WHERE $day"),
        ]),
        steps("into_raw_copy", vec![
            post("SELECT usage_user, usage_system INTO into_raw FROM cpu WHERE $eight AND host = 'h1'"),
            get("SELECT * FROM into_raw WHERE $eight"),
        ]),
        steps("into_empty_range", vec![
            post("SELECT mean(usage_user) INTO into_nothing FROM cpu WHERE $hole GROUP BY time(5m)"),
            get("SELECT * FROM into_nothing"),
        ]),
        steps("into_with_fill", vec![
            post("SELECT mean(usage_user) INTO into_filled FROM cpu WHERE host = 'h3' AND $gap GROUP BY time(12h) fill(-1)"),
            get("SELECT * FROM into_filled WHERE $gap"),
        ]),
    ]
}
