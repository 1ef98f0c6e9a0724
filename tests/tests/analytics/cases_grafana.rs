//! cases_grafana: the query builder's exact output (shared/brief/CLIENTS.md §3.4) on this data
//! set: `epoch=ms`, the time filter in epoch milliseconds joined with a lowercase `and`,
//! lowercase `limit`/`slimit`, quoted identifiers, `fill(...)` after the group-by parts with a
//! space, `tz('Europe/Paris')` last, `$__interval` already expanded to one unit (`10s`, `1m`,
//! `200ms`), the `/ $__interval_ms` math, nested `derivative(mean("x"), 10s)`, aliases, and
//! multi-value variables as `=~ /^(a|b)$/`. Sent as GET (the backend's default) and POST (the
//! data source's default: `db` and `epoch` in the URL, `q` in a form body).

use cairn_tests::http::url;
use cairn_tests::Request;

use crate::data::DB;
use crate::dsl::{qp, steps, Case, Step};

/// Grafana's time filter over the dense hour (2023-10-25T23:30Z .. 2023-10-26T00:30Z).
const DENSE: &str = "time >= 1698276600000ms and time <= 1698280200000ms";
/// Over 2023-10-22.
const DAY: &str = "time >= 1697932800000ms and time <= 1698019200000ms";
/// Over the whole hourly range.
const ALL: &str = "time >= 1697673600000ms and time <= 1699228800000ms";

/// A GET case with `epoch=ms`; `$dense_ms`, `$day_ms` and `$all_ms` stand for Grafana's time
/// filters.
fn gf(name: &'static str, stmt: &str) -> Case {
    qp(name, &[("epoch", "ms")], &grafana_time(stmt))
}

fn grafana_time(stmt: &str) -> String {
    stmt.replace("$dense_ms", DENSE)
        .replace("$day_ms", DAY)
        .replace("$all_ms", ALL)
}

/// The same as POST: `db` and `epoch` in the URL, `q` in the form body.
fn gf_post(name: &'static str, stmt: &str) -> Case {
    let q = grafana_time(stmt);
    let step = Step {
        req: Request::post(url("/query", &[("db", DB), ("epoch", "ms")])).form(&[("q", &q)]),
        what: format!("POST /query db={DB} epoch=ms (form body)\n  q: {q}"),
        params: vec![("db".into(), DB.into()), ("epoch".into(), "ms".into())],
    };
    steps(name, vec![step])
}

#[rustfmt::skip]
pub(crate) fn cases() -> Vec<Case> {
    vec![
        gf("grafana_default_panel", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE $dense_ms GROUP BY time(10s) fill(null)"),
        gf("grafana_policy_source", "SELECT mean(\"usage_user\") FROM \"archive\".\"cpu\" WHERE $all_ms GROUP BY time(1d) fill(null)"),
        gf("grafana_tag_or_group_by_tag", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE (\"host\" = 'h1' OR \"host\" = 'h3') AND $dense_ms GROUP BY time(1m), \"region\" fill(null)"),
        gf("grafana_order_limit_slimit_tz", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE $dense_ms GROUP BY time(5m) ORDER BY time ASC limit 1 slimit 1 tz('Europe/Paris')"),
        gf("grafana_group_by_tags_limit_slimit", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE $day_ms GROUP BY time(1h), \"host\" fill(none) ORDER BY time DESC limit 2 slimit 2"),
        gf("grafana_math_no_group", "SELECT mean(\"usage_user\") / 100 FROM \"cpu\" WHERE $day_ms"),
        gf("grafana_math_interval_ms", "SELECT sum(\"usage_user\") / 5000 FROM \"cpu\" WHERE $dense_ms GROUP BY time(5s) fill(null) limit 20"),
        gf("grafana_nested_derivative", "SELECT derivative(mean(\"usage_user\"), 10s) FROM \"cpu\" WHERE $dense_ms GROUP BY time(1m) fill(null)"),
        gf("grafana_non_negative_derivative", "SELECT non_negative_derivative(mean(\"bytes_recv\"), 10s) FROM \"net\" WHERE $dense_ms GROUP BY time(1m), \"host\" fill(null)"),
        gf("grafana_alias", "SELECT max(\"usage_user\") AS \"peak\" FROM \"cpu\" WHERE $day_ms GROUP BY time(2h) fill(null)"),
        gf("grafana_multi_value_variable", "SELECT mean(\"usage_system\") FROM \"cpu\" WHERE (\"host\" =~ /^(h1|h2)$/) AND $day_ms GROUP BY time(1h), \"host\" fill(none)"),
        gf("grafana_tag_cast_group_offset", "SELECT count(\"usage_user\") FROM \"cpu\" WHERE $day_ms GROUP BY time(2h, 30m), \"host\"::tag fill(0)"),
        gf("grafana_fill_previous_linear", "SELECT last(\"usage_user\") AS \"prev\" FROM \"cpu\" WHERE \"host\" = 'h3' AND $dense_ms GROUP BY time(2m) fill(previous)"),
        gf("grafana_top_with_percentile_error", "SELECT percentile(\"usage_user\", 95), top(\"usage_user\", 3) FROM \"cpu\" WHERE $day_ms"),
        gf("grafana_moving_average_cumulative", "SELECT moving_average(mean(\"usage_user\"), 3), cumulative_sum(mean(\"usage_user\")) FROM \"cpu\" WHERE $dense_ms GROUP BY time(5m) fill(null)"),
        gf("grafana_holt_winters", "SELECT holt_winters(mean(\"usage_user\"), 10, 0) FROM \"cpu\" WHERE $all_ms GROUP BY time(1d) fill(null)"),
        gf("grafana_elapsed", "SELECT elapsed(\"usage_user\", 1s) FROM \"cpu\" WHERE \"host\" = 'h3' AND time >= 1698277800000ms and time <= 1698278700000ms"),
        gf("grafana_unquoted_number_condition", "SELECT count(\"usage_user\") FROM \"cpu\" WHERE \"usage_user\" < 10 AND $day_ms GROUP BY time(6h) fill(null)"),
        gf("grafana_interval_200ms", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE \"host\" = 'h1' AND time >= 1698276600000ms and time <= 1698276602000ms GROUP BY time(200ms) fill(null)"),
        gf("grafana_relative_range_empty", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE time >= now() - 6h and time <= now() GROUP BY time(1m) fill(null)"),
        // CLIENTS.md's strings verbatim (no such data here: the parse and the empty answers count).
        gf("grafana_verbatim_policy", "SELECT mean(\"value\") FROM \"policy\".\"cpu\" WHERE time >= 1596240000000ms and time <= 1596240300000ms GROUP BY time(10s) fill(null)"),
        gf("grafana_verbatim_tags", "SELECT mean(\"value\") FROM \"cpu\" WHERE (\"hostname\" = 'server1' OR \"hostname\" = 'server2') AND time >= 1596240000000ms and time <= 1596240300000ms GROUP BY time(5s), \"datacenter\" fill(null)"),
        gf("grafana_verbatim_order_limit_tz", "SELECT mean(\"value\") FROM \"cpu\" WHERE time >= 1596240000000ms and time <= 1596240300000ms GROUP BY time(5s) ORDER BY time ASC limit 1 slimit 1 tz('Europe/Paris')"),
        gf("grafana_verbatim_math", "SELECT mean(\"value\") / 100 FROM \"cpu\" WHERE time >= 1596240000000ms and time <= 1596240300000ms"),
        gf_post("grafana_post_default_panel", "SELECT mean(\"usage_user\") FROM \"cpu\" WHERE $dense_ms GROUP BY time(10s) fill(null)"),
        gf_post("grafana_post_tz_by_host", "SELECT max(\"usage_user\") FROM \"cpu\" WHERE $all_ms GROUP BY time(1d), \"host\" fill(none) tz('Europe/Paris')"),
    ]
}
