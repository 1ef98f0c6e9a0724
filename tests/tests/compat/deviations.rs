//! deviations: THE table of deliberate differences between Cairn and InfluxDB 1.6.7. Each entry
//! names one step of one case, says what 1.6.7 answers and what Cairn answers instead, and why.
//! The same list, with the same reasons, is in `docs/compatibility-http.md` (a test checks that
//! every case named here appears there).
//!
//! Most entries follow from one rule: where InfluxDB 1.8 differs from 1.6, Cairn does what 1.8
//! does (ping verbose, /health, /api/v2/write, `Token user:pass`, invalid precision, CSV
//! content type). The others are listed in `docs/compatibility.md` (line protocol: unsigned
//! integers, CRLF, µs precision, invalid UTF-8).
//!
//! An entry either transforms the reference's answer into the one Cairn must give (compared as
//! usual, so headers still count), or checks Cairn's answer with a function, for answers that
//! carry Cairn's own version or may take one of two allowed forms.
//!
//! The table applies only when the target is cairn-data; influxd-vs-influxd runs compare
//! everything.

use cairn_tests::Normalized;

/// One deliberate difference.
pub(crate) struct Deviation {
    /// Case name.
    pub(crate) case: &'static str,
    /// Step index in the case, from 0.
    pub(crate) step: usize,
    /// What InfluxDB 1.6.7 answers, in words (for the failure message and the doc).
    pub(crate) reference: &'static str,
    /// What Cairn answers, in words.
    pub(crate) cairn: &'static str,
    /// Why.
    pub(crate) reason: &'static str,
    /// How the test judges Cairn's answer.
    pub(crate) expect: Expect,
}

/// How a deviating step is judged.
pub(crate) enum Expect {
    /// Cairn's answer must equal the reference's after this change.
    Transform(fn(&mut Normalized)),
    /// Cairn's answer (second argument; the first is the reference's) must pass this check.
    Check(fn(&Normalized, &Normalized) -> Result<(), String>),
}

/// The deviation for a step, if any.
pub(crate) fn find(case: &str, step: usize) -> Option<&'static Deviation> {
    TABLE.iter().find(|d| d.case == case && d.step == step)
}

/// The deviation for a step when the target is a cluster, if any: these come first, then
/// [`find`]'s.
pub(crate) fn find_cluster(case: &str, step: usize) -> Option<&'static Deviation> {
    CLUSTER_TABLE.iter().find(|d| d.case == case && d.step == step)
}

/// Where a cluster answers differently from a single node.
pub(crate) static CLUSTER_TABLE: &[Deviation] = &[Deviation {
    case: "show_shards_and_groups",
    step: 2,
    reference: "SHOW SHARDS: one shard per group, owners empty",
    cairn: "SHOW SHARDS through a cluster of 2 data nodes at replication 1: two shards per group, each with one owner, the two on different nodes (ids numbered over the cluster)",
    reason: "a group's shards spread over the data nodes, and SHOW SHARDS names their owners as Enterprise does",
    expect: Expect::Check(check_cluster_shards),
}];

/// `got` lists, for every shard of `want`, two shards of the same group, database,
/// retention policy and times, owned by two different data nodes, one each.
fn check_cluster_shards(want: &Normalized, got: &Normalized) -> Result<(), String> {
    want_status(got, 200)?;
    want_json_content_type(got)?;
    let rows = |n: &Normalized| -> Result<Vec<Vec<serde_json::Value>>, String> {
        let v: serde_json::Value =
            serde_json::from_slice(&n.body).map_err(|e| format!("body is not JSON ({e}): {}", n.text()))?;
        let values = v["results"][0]["series"][0]["values"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        Ok(values
            .into_iter()
            .map(|r| r.as_array().cloned().unwrap_or_default())
            .collect())
    };
    let (want_rows, got_rows) = (rows(want)?, rows(got)?);
    if want.body.len() < 10 || want_rows.is_empty() {
        return Err(format!("the reference listed no shards: {}", want.text()));
    }
    // id, database, retention_policy, shard_group, start_time, end_time, expiry_time, owners
    let place = |r: &[serde_json::Value]| r.get(1..7).map(<[serde_json::Value]>::to_vec);
    let mut ids = std::collections::HashSet::new();
    for w in &want_rows {
        let of_group: Vec<&Vec<serde_json::Value>> = got_rows
            .iter()
            .filter(|g| g.get(3) == w.get(3) && place(g) == place(w))
            .collect();
        let owners: std::collections::HashSet<String> = of_group
            .iter()
            .filter_map(|g| g.get(7).and_then(|o| o.as_str()).map(str::to_owned))
            .filter(|o| !o.is_empty() && !o.contains(','))
            .collect();
        if of_group.len() != 2 || owners.len() != 2 {
            return Err(format!(
                "shard group of {w:?}: want two shards with one different owner each, got {of_group:?}"
            ));
        }
        ids.extend(of_group.iter().map(|g| g[0].to_string()));
    }
    if got_rows.len() != 2 * want_rows.len() || ids.len() != got_rows.len() {
        return Err(format!(
            "want {} shards with distinct ids, got {}",
            2 * want_rows.len(),
            got.text()
        ));
    }
    Ok(())
}

const WHY_18: &str = "Cairn implements InfluxDB 1.8 behaviour where 1.8 differs from 1.6";
const WHY_V2: &str =
    "1.8 serves /api/v2/write (Telegraf outputs.influxdb_v2, v2 client libraries); 1.6 has no such route";
const WHY_MSGPACK: &str = "JSON is a valid answer to a client that accepts msgpack: the Python client decodes by Content-Type (CLIENTS.md 4.4, 4.7)";

pub(crate) static TABLE: &[Deviation] = &[
    Deviation {
        case: "write_type_conflict_batch",
        step: 1,
        reference: "400 {\"error\":\"field type conflict\"} and nothing of the batch stored (1.6 rejects the whole batch of the shard)",
        cairn: "400 partial write: field type conflict: input field \"v\" on measurement \"tc\" is type integer, already exists as type float dropped=1; the other points are stored",
        reason: "the shard issue asks for InfluxDB 1.8's per-point behaviour: only the conflicting point is dropped, with 1.8's text",
        expect: Expect::Transform(type_conflict_partial),
    },
    Deviation {
        case: "write_type_conflict_batch",
        step: 2,
        reference: "no data",
        cairn: "the two points that did not conflict",
        reason: "as above",
        expect: Expect::Transform(type_conflict_select),
    },
    Deviation {
        case: "query_multi_statements",
        step: 4,
        reference: "statement 1: {\"error\":\"not executed\"}, statement 2: no result at all",
        cairn: "statement 1: its real error, statement 2: {\"error\":\"not executed\"}",
        reason: "1.x's executor overwrites the failing statement's error with `not executed` and skips the last statement's result (an off-by-one in query/executor.go); clients such as Grafana map results by position, so every statement answers",
        expect: Expect::Transform(multi_statement_errors),
    },
    Deviation {
        case: "show_measurements",
        step: 15,
        reference: "no measurements for WHERE host != 'a'",
        cairn: "the measurements that have a series matching host != 'a' (a series without host counts, as SHOW SERIES does)",
        reason: "1.6's tsi1 index answers nothing for != in SHOW MEASUREMENTS, while SHOW SERIES with the same WHERE lists series; Cairn answers both the same way",
        expect: Expect::Transform(show_measurements_neq),
    },
    Deviation {
        case: "query_parse_errors",
        step: 16,
        reference: "200 {} for q=; (a query without any statement)",
        cairn: "400 {\"error\":\"error parsing query: found EOF, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 2\"}",
        reason: "a query must hold a statement (issue 13): an empty one is a parse error, as a NUL character is (1.6.7 reads NUL as the end of the text)",
        expect: Expect::Transform(statementless_query),
    },
    Deviation {
        case: "select_order_limit",
        step: 9,
        reference: "OFFSET 2 without LIMIT returns one row",
        cairn: "every row after the first two",
        reason: "1.6 applies an implicit LIMIT 1 when only OFFSET is given (a bug: OFFSET 1 and OFFSET 3 also return one row); OFFSET alone skips rows",
        expect: Expect::Transform(offset_without_limit),
    },
    Deviation {
        case: "ping_verbose",
        step: 0,
        reference: "204, empty body",
        cairn: "200 {\"version\":\"<Cairn's version>\"} (no newline), as 1.8",
        reason: WHY_18,
        expect: Expect::Check(check_ping_verbose),
    },
    Deviation {
        case: "ping_with_python_headers",
        step: 0,
        reference: "204 with Content-Type application/x-msgpack (it follows Accept)",
        cairn: "204 with Content-Type application/x-msgpack or application/json",
        reason: WHY_MSGPACK,
        expect: Expect::Check(check_json_or_msgpack_same_body),
    },
    Deviation {
        case: "health",
        step: 0,
        reference: "404 page not found",
        cairn: "200 {\"checks\":[],\"message\":\"ready for queries and writes\",\"name\":\"influxdb\",\"status\":\"pass\",\"version\":\"<version>\"}",
        reason: "/health is 1.8+; Cairn implements 1.8 behaviour where 1.8 differs from 1.6",
        expect: Expect::Check(check_health),
    },
    Deviation {
        case: "write_precision_us",
        step: 2,
        reference: "the point written with precision=us at 1700000000000001 reads back in 1970 (read as ns)",
        cairn: "the point reads back at 2023-11-14T22:13:20.000001Z",
        reason: "`us` is the 2.x and 1.8 /api/v2/write spelling of microseconds; reading it as ns puts points in 1970",
        expect: Expect::Transform(precision_us_rfc3339),
    },
    Deviation {
        case: "write_precision_us",
        step: 3,
        reference: "time 1700000000000001 (ns)",
        cairn: "time 1700000000000001000",
        reason: "as above",
        expect: Expect::Transform(precision_us_ns),
    },
    Deviation {
        case: "write_precision_invalid",
        step: 1,
        reference: "204: an unknown precision is read as ns and the point is stored",
        cairn: "400 {\"error\":\"invalid precision \\\"xyz\\\" (use n, u, ms, s, m or h)\"}, nothing stored",
        reason: "1.8 rejects unknown precisions (and 1.12 stops there; 1.8 wrote the body anyway, a bug Cairn does not copy)",
        expect: Expect::Transform(precision_invalid_write),
    },
    Deviation {
        case: "write_precision_invalid",
        step: 2,
        reference: "the point",
        cairn: "no data",
        reason: "the rejected write stored nothing",
        expect: Expect::Transform(empty_result),
    },
    Deviation {
        case: "write_precision_invalid",
        step: 3,
        reference: "the point",
        cairn: "no data",
        reason: "the rejected write stored nothing",
        expect: Expect::Transform(empty_result),
    },
    Deviation {
        case: "write_unsigned",
        step: 1,
        reference: "400 unable to parse 'm v=42u …': invalid number",
        cairn: "204",
        reason: "unsigned integers are accepted (Enterprise and 2.x accept them; Telegraf's influx_uint_support loses nothing); docs/compatibility.md",
        expect: Expect::Transform(no_content),
    },
    Deviation {
        case: "write_unsigned",
        step: 2,
        reference: "no data",
        cairn: "the point, v = 42",
        reason: "as above",
        expect: Expect::Transform(unsigned_select),
    },
    Deviation {
        case: "write_crlf",
        step: 1,
        reference: "400, both lines fail with bad timestamp (the \\r stays in the line)",
        cairn: "204",
        reason: "Windows clients send CRLF; docs/compatibility.md (line protocol)",
        expect: Expect::Transform(no_content),
    },
    Deviation {
        case: "write_crlf",
        step: 2,
        reference: "no data",
        cairn: "both points",
        reason: "as above",
        expect: Expect::Transform(crlf_select),
    },
    Deviation {
        case: "write_invalid_utf8",
        step: 1,
        reference: "204, the tag value is stored with its invalid bytes",
        cairn: "400 {\"error\":\"unable to parse '…': invalid UTF-8\"} (the line is rejected)",
        reason: "names and values must be valid strings for the index, InfluxQL and JSON; docs/compatibility.md (line protocol)",
        expect: Expect::Check(check_invalid_utf8),
    },
    Deviation {
        case: "write_field_key_backslash",
        step: 2,
        reference: "one field `a\\=1,b` = 2 (its second pass over the fields misreads the key)",
        cairn: "two fields, `a\\\\` = 1 and `b` = 2",
        reason: "the line scans as two fields; docs/compatibility.md (line protocol)",
        expect: Expect::Transform(backslash_select),
    },
    Deviation {
        case: "write_field_key_backslash",
        step: 3,
        reference: "field key `a\\=1,b`",
        cairn: "field keys `a\\\\` and `b`",
        reason: "as above",
        expect: Expect::Transform(backslash_field_keys),
    },
    Deviation {
        case: "api_v2_write",
        step: 1,
        reference: "404 page not found",
        cairn: "204 (Token user:pass ignored without auth)",
        reason: WHY_V2,
        expect: Expect::Transform(no_content),
    },
    Deviation {
        case: "api_v2_write",
        step: 2,
        reference: "404 page not found",
        cairn: "204 (bucket db/rp, precision=s, gzip)",
        reason: WHY_V2,
        expect: Expect::Transform(no_content),
    },
    Deviation {
        case: "api_v2_write",
        step: 3,
        reference: "no data",
        cairn: "both points",
        reason: WHY_V2,
        expect: Expect::Transform(api_v2_select),
    },
    Deviation {
        case: "api_v2_write_errors",
        step: 1,
        reference: "404 page not found",
        cairn: "404 {\"error\":\"bucket name \\\"\\\" is missing a slash; not in \\\"database/retention-policy\\\" format\"}",
        reason: WHY_V2,
        expect: Expect::Transform(v2_empty_bucket),
    },
    Deviation {
        case: "api_v2_write_errors",
        step: 2,
        reference: "404 page not found",
        cairn: "404 {\"error\":\"bucket name \\\"/rp\\\" is in db/rp form but has an empty database\"}",
        reason: WHY_V2,
        expect: Expect::Transform(v2_empty_db),
    },
    Deviation {
        case: "api_v2_write_errors",
        step: 3,
        reference: "404 page not found",
        cairn: "400 {\"error\":\"invalid precision \\\"xx\\\" (use ns, us, ms or s)\"}",
        reason: WHY_V2,
        expect: Expect::Transform(v2_bad_precision),
    },
    Deviation {
        case: "api_v2_write_errors",
        step: 4,
        reference: "404 page not found",
        cairn: "404 {\"error\":\"database not found: \\\"api_v2_nosuch\\\"\"}",
        reason: WHY_V2,
        expect: Expect::Transform(v2_no_db),
    },
    Deviation {
        case: "query_csv_application",
        step: 2,
        reference: "Content-Type: text/csv",
        cairn: "Content-Type: application/csv (the type asked for), same body",
        reason: WHY_18,
        expect: Expect::Transform(csv_application),
    },
    Deviation {
        case: "query_msgpack",
        step: 2,
        reference: "200 application/x-msgpack",
        cairn: "the same msgpack, or 200 application/json with the JSON answer",
        reason: WHY_MSGPACK,
        expect: Expect::Check(check_msgpack_query),
    },
    Deviation {
        case: "auth_token_scheme",
        step: 1,
        reference: "401 unable to parse authentication credentials",
        cairn: "200, the query runs as that user",
        reason: "1.8 reads `Authorization: Token user:password` as v1 credentials on every endpoint; Cairn implements 1.8 behaviour where 1.8 differs from 1.6",
        expect: Expect::Transform(empty_result),
    },
    Deviation {
        case: "auth_api_v2_write",
        step: 1,
        reference: "404 page not found",
        cairn: "204",
        reason: WHY_V2,
        expect: Expect::Transform(no_content),
    },
    Deviation {
        case: "auth_api_v2_write",
        step: 2,
        reference: "404 page not found",
        cairn: "401 {\"error\":\"authorization failed\"}",
        reason: WHY_V2,
        expect: Expect::Transform(auth_failed),
    },
    Deviation {
        case: "auth_api_v2_write",
        step: 3,
        reference: "404 page not found",
        cairn: "401 {\"error\":\"unable to parse authentication credentials\"}",
        reason: WHY_V2,
        expect: Expect::Transform(auth_missing),
    },
    Deviation {
        case: "auth_api_v2_write",
        step: 4,
        reference: "no data",
        cairn: "the point written in step 1",
        reason: WHY_V2,
        expect: Expect::Transform(auth_v2_select),
    },
];

// --- building blocks -------------------------------------------------------------------

/// A v1 JSON error as `httpError` writes it: 401 carries Www-Authenticate, other errors carry
/// X-Influxdb-Error.
fn json_error(n: &mut Normalized, status: u16, msg: &str) {
    n.status = status;
    n.set_header("content-type", Some("application/json"));
    n.set_header("x-content-type-options", None);
    if status == 401 {
        n.set_header("www-authenticate", Some("Basic realm=\"InfluxDB\""));
        n.set_header("x-influxdb-error", None);
    } else {
        n.set_header("www-authenticate", None);
        n.set_header("x-influxdb-error", Some(&msg[..msg.len().min(1024)]));
    }
    n.body = format!(
        "{{\"error\":{}}}\n",
        serde_json::to_string(msg).expect("BUG: string to JSON")
    )
    .into_bytes();
}

/// A JSON answer with 200.
fn json_ok(n: &mut Normalized, body: &str) {
    n.status = 200;
    n.set_header("content-type", Some("application/json"));
    n.set_header("x-content-type-options", None);
    n.set_header("x-influxdb-error", None);
    n.set_header("www-authenticate", None);
    n.body = body.as_bytes().to_vec();
}

fn no_content(n: &mut Normalized) {
    json_ok(n, "");
    n.status = 204;
}

fn empty_result(n: &mut Normalized) {
    json_ok(n, "{\"results\":[{\"statement_id\":0}]}\n");
}

fn precision_us_rfc3339(n: &mut Normalized) {
    json_ok(
        n,
        r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","p","v"],"values":[["2023-11-14T22:13:20.000001Z","us",1]]}]}]}"#,
    );
    n.body.push(b'\n');
}

fn precision_us_ns(n: &mut Normalized) {
    json_ok(
        n,
        r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","p","v"],"values":[[1700000000000001000,"us",1]]}]}]}"#,
    );
    n.body.push(b'\n');
}

fn precision_invalid_write(n: &mut Normalized) {
    json_error(n, 400, "invalid precision \"xyz\" (use n, u, ms, s, m or h)");
}

fn unsigned_select(n: &mut Normalized) {
    json_ok(n, "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"v\"],\"values\":[[\"2023-11-14T22:13:20Z\",42]]}]}]}\n");
}

fn crlf_select(n: &mut Normalized) {
    json_ok(
        n,
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"v\"],\"values\":[[\"2023-11-14T22:13:20Z\",1],[\"2023-11-14T22:13:21Z\",2]]}]}]}\n",
    );
}

fn backslash_select(n: &mut Normalized) {
    json_ok(
        n,
        r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","a\\\\","b"],"values":[["2023-11-14T22:13:20Z",1,2]]}]}]}"#,
    );
    n.body.push(b'\n');
}

fn backslash_field_keys(n: &mut Normalized) {
    json_ok(
        n,
        r#"{"results":[{"statement_id":0,"series":[{"name":"m","columns":["fieldKey","fieldType"],"values":[["a\\\\","float"],["b","float"]]}]}]}"#,
    );
    n.body.push(b'\n');
}

fn api_v2_select(n: &mut Normalized) {
    crlf_select(n);
}

fn auth_v2_select(n: &mut Normalized) {
    json_ok(n, "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"m\",\"columns\":[\"time\",\"v\"],\"values\":[[\"2023-11-14T22:13:20Z\",1]]}]}]}\n");
}

fn v2_empty_bucket(n: &mut Normalized) {
    json_error(
        n,
        404,
        "bucket name \"\" is missing a slash; not in \"database/retention-policy\" format",
    );
}

fn v2_empty_db(n: &mut Normalized) {
    json_error(n, 404, "bucket name \"/rp\" is in db/rp form but has an empty database");
}

fn v2_bad_precision(n: &mut Normalized) {
    json_error(n, 400, "invalid precision \"xx\" (use ns, us, ms or s)");
}

fn v2_no_db(n: &mut Normalized) {
    json_error(n, 404, "database not found: \"api_v2_nosuch\"");
}

fn auth_failed(n: &mut Normalized) {
    json_error(n, 401, "authorization failed");
}

fn auth_missing(n: &mut Normalized) {
    json_error(n, 401, "unable to parse authentication credentials");
}

fn csv_application(n: &mut Normalized) {
    n.set_header("content-type", Some("application/csv"));
}

// --- checks ----------------------------------------------------------------------------

/// Headers other than Content-Type must match the reference's (build, version presence, ...).
fn same_headers_but_content_type(want: &Normalized, got: &Normalized) -> Result<(), String> {
    let strip = |n: &Normalized| -> Vec<(String, String)> {
        n.headers
            .iter()
            .filter(|(k, _)| k != "content-type" && k != "x-content-type-options")
            .cloned()
            .collect()
    };
    if strip(want) != strip(got) {
        return Err(format!(
            "headers: want {:?} (Content-Type aside), got {:?}",
            strip(want),
            strip(got)
        ));
    }
    Ok(())
}

fn want_status(got: &Normalized, status: u16) -> Result<(), String> {
    if got.status == status {
        Ok(())
    } else {
        Err(format!("status: want {status}, got {}", got.status))
    }
}

fn want_json_content_type(got: &Normalized) -> Result<(), String> {
    match got.header("content-type") {
        Some(ct) if ct.starts_with("application/json") => Ok(()),
        other => Err(format!("content-type: want application/json, got {other:?}")),
    }
}

fn check_ping_verbose(want: &Normalized, got: &Normalized) -> Result<(), String> {
    want_status(got, 200)?;
    want_json_content_type(got)?;
    same_headers_but_content_type(want, got)?;
    let v: serde_json::Value =
        serde_json::from_slice(&got.body).map_err(|e| format!("body is not JSON ({e}): {}", got.text()))?;
    let obj = v
        .as_object()
        .ok_or_else(|| format!("body is not an object: {}", got.text()))?;
    match obj.get("version") {
        Some(serde_json::Value::String(s)) if !s.is_empty() && obj.len() == 1 => Ok(()),
        _ => Err(format!(
            "body: want {{\"version\":\"<non-empty>\"}} and nothing else, got {}",
            got.text()
        )),
    }
}

fn check_health(want: &Normalized, got: &Normalized) -> Result<(), String> {
    want_status(got, 200)?;
    want_json_content_type(got)?;
    let build = got.header("x-influxdb-build");
    if build != Some("OSS") || got.header("x-influxdb-version").is_none() {
        return Err(format!(
            "want X-Influxdb-Build: OSS and X-Influxdb-Version, got {:?}",
            got.headers
        ));
    }
    let _ = want;
    let v: serde_json::Value =
        serde_json::from_slice(&got.body).map_err(|e| format!("body is not JSON ({e}): {}", got.text()))?;
    let version_ok = v.get("version").and_then(|s| s.as_str()).is_some_and(|s| !s.is_empty());
    let mut fixed = v.clone();
    if let Some(o) = fixed.as_object_mut() {
        o.remove("version");
    }
    let want_rest =
        serde_json::json!({"checks":[],"message":"ready for queries and writes","name":"influxdb","status":"pass"});
    // 1.8 marshals a map: keys sorted, no spaces.
    let text = got.text();
    let sorted =
        text.find("\"checks\"") < text.find("\"message\"") && text.find("\"status\"") < text.find("\"version\"");
    if !version_ok || fixed != want_rest || !sorted {
        return Err(format!("body: want {{\"checks\":[],\"message\":\"ready for queries and writes\",\"name\":\"influxdb\",\"status\":\"pass\",\"version\":\"…\"}} (keys sorted), got {text}"));
    }
    Ok(())
}

fn check_json_or_msgpack_same_body(want: &Normalized, got: &Normalized) -> Result<(), String> {
    if want == got {
        return Ok(());
    }
    want_status(got, want.status)?;
    want_json_content_type(got)?;
    same_headers_but_content_type(want, got)?;
    if got.body != want.body {
        return Err(format!("body: want {:?}, got {:?}", want.text(), got.text()));
    }
    Ok(())
}

fn check_msgpack_query(want: &Normalized, got: &Normalized) -> Result<(), String> {
    if want == got {
        return Ok(());
    }
    want_status(got, 200)?;
    want_json_content_type(got)?;
    same_headers_but_content_type(want, got)?;
    let body = "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"host\",\"v\"],\"values\":[[\"2023-11-14T22:13:20Z\",\"a\",1]]}]}]}\n";
    if got.text() != body {
        return Err(format!(
            "body: want the reference's msgpack or the JSON {body:?}, got {:?}",
            got.text()
        ));
    }
    Ok(())
}

fn check_invalid_utf8(_want: &Normalized, got: &Normalized) -> Result<(), String> {
    want_status(got, 400)?;
    want_json_content_type(got)?;
    let v: serde_json::Value =
        serde_json::from_slice(&got.body).map_err(|e| format!("body is not JSON ({e}): {}", got.text()))?;
    let msg = v.get("error").and_then(|e| e.as_str()).unwrap_or_default();
    if !(msg.starts_with("unable to parse '") && msg.ends_with("': invalid UTF-8")) {
        return Err(format!(
            "body: want {{\"error\":\"unable to parse '…': invalid UTF-8\"}}, got {}",
            got.text()
        ));
    }
    Ok(())
}

fn type_conflict_partial(n: &mut Normalized) {
    json_error(
        n,
        400,
        "partial write: field type conflict: input field \"v\" on measurement \"tc\" is type integer, already exists as type float dropped=1",
    );
}

fn type_conflict_select(n: &mut Normalized) {
    json_ok(
        n,
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"tc\",\"columns\":[\"time\",\"v\"],\"values\":[[\"2023-11-14T22:13:20Z\",1],[\"2023-11-14T22:13:22Z\",3]]}]}]}\n",
    );
}

fn multi_statement_errors(n: &mut Normalized) {
    json_ok(
        n,
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"a\",\"columns\":[\"time\",\"v\"],\"values\":[[\"2023-11-14T22:13:20Z\",1]]}]},{\"statement_id\":1,\"error\":\"GROUP BY requires at least one aggregate function\"},{\"statement_id\":2,\"error\":\"not executed\"}]}\n",
    );
}

fn show_measurements_neq(n: &mut Normalized) {
    json_ok(
        n,
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"measurements\",\"columns\":[\"name\"],\"values\":[[\"cpu\"],[\"mem\"],[\"net\"]]}]}]}\n",
    );
}

fn statementless_query(n: &mut Normalized) {
    json_error(
        n,
        400,
        "error parsing query: found EOF, expected SELECT, DELETE, SHOW, CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 2",
    );
}

fn offset_without_limit(n: &mut Normalized) {
    json_ok(
        n,
        "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"host\",\"region\",\"v\",\"w\"],\"values\":[[\"2023-11-14T22:13:22Z\",\"c\",\"us\",3,null],[\"2023-11-14T22:13:23Z\",\"a\",\"us\",4,40]]}]}]}\n",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Normalized {
        let mut h: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        h.sort();
        Normalized {
            status,
            headers: h,
            body: body.as_bytes().to_vec(),
        }
    }

    const COMMON: [(&str, &str); 2] = [("x-influxdb-build", "OSS"), ("x-influxdb-version", "(present)")];

    fn with_ct(ct: &str) -> Vec<(&str, &str)> {
        let mut v = COMMON.to_vec();
        v.push(("content-type", ct));
        v
    }

    /// The checks accept the answers this table documents, and refuse the reference's.
    #[test]
    fn checks_accept_the_documented_answers() {
        let reference_204 = answer(204, &with_ct("application/json"), "");
        let f = |case: &str, step: usize, got: Normalized, ok: bool| {
            let d = find(case, step).unwrap_or_else(|| panic!("no deviation {case} {step}"));
            let Expect::Check(check) = d.expect else {
                panic!("{case} {step} is not a check")
            };
            let r = check(&reference_204, &got);
            assert_eq!(r.is_ok(), ok, "{case} step {step}: {r:?} for {got:?}");
        };
        f(
            "ping_verbose",
            0,
            answer(200, &with_ct("application/json"), r#"{"version":"1.8.10"}"#),
            true,
        );
        f("ping_verbose", 0, reference_204.clone(), false);
        f(
            "ping_verbose",
            0,
            answer(200, &with_ct("application/json"), r#"{"version":""}"#),
            false,
        );
        f(
            "health",
            0,
            answer(
                200,
                &with_ct("application/json; charset=utf-8"),
                r#"{"checks":[],"message":"ready for queries and writes","name":"influxdb","status":"pass","version":"1.8.10"}"#,
            ),
            true,
        );
        f(
            "health",
            0,
            answer(200, &with_ct("application/json"), r#"{"status":"pass"}"#),
            false,
        );
        f("ping_with_python_headers", 0, reference_204.clone(), true);
        f(
            "ping_with_python_headers",
            0,
            answer(204, &with_ct("text/plain"), ""),
            false,
        );
        f(
            "write_invalid_utf8",
            1,
            answer(
                400,
                &with_ct("application/json"),
                r#"{"error":"unable to parse 'm,host=a\ufffd\ufffdb v=1 1': invalid UTF-8"}"#,
            ),
            true,
        );
        f("write_invalid_utf8", 1, reference_204.clone(), false);
        f(
            "query_msgpack",
            2,
            answer(
                200,
                &with_ct("application/json"),
                "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"host\",\"v\"],\"values\":[[\"2023-11-14T22:13:20Z\",\"a\",1]]}]}]}\n",
            ),
            true,
        );
    }

    /// Transforms produce JSON bodies (or empty ones) and keep the common headers.
    #[test]
    fn transforms_produce_json() {
        for d in TABLE {
            if let Expect::Transform(t) = d.expect {
                let mut n = answer(
                    404,
                    &[
                        ("content-type", "text/plain; charset=utf-8"),
                        ("x-content-type-options", "nosniff"),
                    ],
                    "404 page not found\n",
                );
                t(&mut n);
                if !n.body.is_empty() && n.header("content-type") == Some("application/json") {
                    serde_json::from_slice::<serde_json::Value>(&n.body)
                        .unwrap_or_else(|e| panic!("{} step {}: not JSON ({e}): {}", d.case, d.step, n.text()));
                }
            }
        }
    }
}
