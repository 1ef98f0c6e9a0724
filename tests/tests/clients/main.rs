//! clients: real clients and client-shaped requests against the target (cairn-data, or
//! InfluxDB 1.6.7 with `CAIRN_COMPAT_TARGET=influxd`), asserting on what the client sees:
//! - the Python `influxdb` package 5.3.2 (`python_client.py` beside this file);
//! - the `influx` 1.x CLI (Debian `influxdb-client`): `-execute` with every output format, and
//!   `-import` of a DDL+DML file with `-precision`;
//! - Telegraf's startup CREATE DATABASE and gzip write (CLIENTS.md §1.1-1.3);
//! - Grafana's health check `SHOW measurements` in its GET and POST forms (§3.2-3.3).
//!
//! Each test starts its own server, so the tests are independent and run in parallel.

use std::process::{Command, Output};

use cairn_tests::http::{gzip, url};
use cairn_tests::{Kind, Request, Response, Server};

fn start() -> Server {
    Server::must_start(Kind::target_from_env(), false)
}

fn must_send(s: &Server, r: &Request) -> Response {
    s.send(r)
}

/// Asserts a status and says what came back otherwise.
fn want_status(r: &Response, status: u16, what: &str) {
    assert_eq!(r.status, status, "{what}: want {status}, got:\n{}", r.describe());
}

// --- Python -----------------------------------------------------------------------------

#[test]
fn python_influxdb_client() {
    let server = start();
    let url = server.url();
    let (ok, text) = cairn_tests::python("tests/clients/python_client.py", &[url.as_ref()]);
    assert!(
        ok,
        "the Python influxdb client failed against {}:\n{text}\n{}",
        server.kind(),
        server.log_tail(20)
    );
    assert!(text.contains("all checks passed"), "unexpected output:\n{text}");
}

// --- influx CLI ---------------------------------------------------------------------------

/// Runs `influx -host 127.0.0.1 -port P <args>`.
fn influx(server: &Server, args: &[&str]) -> Output {
    let port = server.addr().port().to_string();
    Command::new("influx")
        .args(["-host", "127.0.0.1", "-port", &port])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the influx CLI ({e}): install Debian's influxdb-client package"))
}

/// Runs the CLI and requires exit status 0 and exactly `stdout`.
fn influx_ok(server: &Server, args: &[&str], stdout: &str) {
    let out = influx(server, args);
    let got = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && got == stdout,
        "influx {args:?}\nwant exit 0 and stdout {stdout:?}\ngot {} stdout {got:?} stderr {:?}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the CLI and requires a failure whose output (stdout and stderr) contains `text`.
fn influx_err(server: &Server, args: &[&str], text: &str) -> String {
    let out = influx(server, args);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success() && all.contains(text),
        "influx {args:?}\nwant a failure mentioning {text:?}\ngot {}: {all:?}",
        out.status
    );
    all
}

#[test]
fn influx_cli_execute() {
    let s = start();
    influx_ok(&s, &["-execute", "CREATE DATABASE clidb"], "");
    influx_ok(
        &s,
        &[
            "-database",
            "clidb",
            "-execute",
            "INSERT cpu,host=a v=1.5,s=\"x\" 1700000000000000000",
        ],
        "",
    );
    influx_ok(
        &s,
        &[
            "-database",
            "clidb",
            "-execute",
            "INSERT cpu,host=b v=2 1700000001000000000",
        ],
        "",
    );
    influx_ok(
        &s,
        &["-database", "clidb", "-format", "json", "-execute", "SELECT * FROM cpu"],
        "{\"results\":[{\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"host\",\"s\",\"v\"],\"values\":[[1700000000000000000,\"a\",\"x\",1.5],[1700000001000000000,\"b\",null,2]]}]}]}\n",
    );
    influx_ok(
        &s,
        &["-database", "clidb", "-format", "csv", "-execute", "SELECT * FROM cpu"],
        "name,time,host,s,v\ncpu,1700000000000000000,a,x,1.5\ncpu,1700000001000000000,b,,2\n",
    );
    influx_ok(
        &s,
        &["-database", "clidb", "-format", "column", "-execute", "SELECT * FROM cpu"],
        "name: cpu\ntime                host s v\n----                ---- - -\n1700000000000000000 a    x 1.5\n1700000001000000000 b      2\n",
    );
    influx_ok(
        &s,
        &[
            "-database",
            "clidb",
            "-precision",
            "rfc3339",
            "-execute",
            "SELECT v FROM cpu WHERE host = 'a'",
        ],
        "name: cpu\ntime                 v\n----                 -\n2023-11-14T22:13:20Z 1.5\n",
    );
    influx_ok(
        &s,
        &["-database", "clidb", "-format", "json", "-pretty", "-execute", "SHOW MEASUREMENTS"],
        "{\n    \"results\": [\n        {\n            \"series\": [\n                {\n                    \"name\": \"measurements\",\n                    \"columns\": [\n                        \"name\"\n                    ],\n                    \"values\": [\n                        [\n                            \"cpu\"\n                        ]\n                    ]\n                }\n            ]\n        }\n    ]\n}\n",
    );
    influx_ok(
        &s,
        &[
            "-database",
            "clidb",
            "-format",
            "csv",
            "-execute",
            "SHOW TAG VALUES WITH KEY = host; SHOW FIELD KEYS",
        ],
        "name,key,value\ncpu,host,a\ncpu,host,b\nname,fieldKey,fieldType\ncpu,s,string\ncpu,v,float\n",
    );
    influx_ok(
        &s,
        &["-format", "csv", "-execute", "SHOW DATABASES"],
        "name,name\ndatabases,clidb\n",
    );
    influx_ok(
        &s,
        &[
            "-execute",
            "CREATE RETENTION POLICY week ON clidb DURATION 7d REPLICATION 1",
        ],
        "",
    );
    influx_ok(
        &s,
        &["-format", "csv", "-execute", "SHOW RETENTION POLICIES ON clidb"],
        "name,duration,shardGroupDuration,replicaN,default\nautogen,0s,168h0m0s,1,true\nweek,168h0m0s,24h0m0s,1,false\n",
    );
    influx_ok(&s, &["-database", "clidb", "-execute", "DROP MEASUREMENT cpu"], "");
    influx_ok(
        &s,
        &["-database", "clidb", "-format", "csv", "-execute", "SELECT * FROM cpu"],
        "",
    );
    influx_err(
        &s,
        &["-database", "clidb", "-execute", "SELECT * FROM"],
        "error parsing query: found EOF, expected identifier at line 1, char 15",
    );
    influx_err(
        &s,
        &["-database", "clidb_nosuch", "-execute", "SELECT * FROM cpu"],
        "database not found: clidb_nosuch",
    );
    influx_ok(&s, &["-execute", "DROP DATABASE clidb"], "");
    influx_ok(&s, &["-format", "csv", "-execute", "SHOW DATABASES"], "name,name\n");
}

#[test]
fn influx_cli_import() {
    let s = start();
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.txt");
    std::fs::write(
        &good,
        "# DDL\nCREATE DATABASE cliimport\nCREATE RETENTION POLICY oneday ON cliimport DURATION 1d REPLICATION 1\n\n\
         # DML\n# CONTEXT-DATABASE: cliimport\n# CONTEXT-RETENTION-POLICY: autogen\n\
         cpu,host=a v=1 1700000000\ncpu,host=b v=2 1700000001\nmem free=5i 1700000000\n",
    )
    .expect("write import file");
    let out = influx(
        &s,
        &[
            "-import",
            "-path",
            good.to_str().expect("utf-8 path"),
            "-precision",
            "s",
        ],
    );
    let err = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success()
            && err.contains("Processed 2 commands")
            && err.contains("Processed 3 inserts")
            && err.contains("Failed 0 inserts"),
        "influx -import: {} {err}",
        out.status
    );
    influx_ok(
        &s,
        &["-database", "cliimport", "-format", "csv", "-execute", "SELECT * FROM cpu; SELECT * FROM mem"],
        "name,time,host,v\ncpu,1700000000000000000,a,1\ncpu,1700000001000000000,b,2\nname,time,free\nmem,1700000000000000000,5\n",
    );
    influx_ok(
        &s,
        &["-format", "csv", "-execute", "SHOW RETENTION POLICIES ON cliimport"],
        "name,duration,shardGroupDuration,replicaN,default\nautogen,0s,168h0m0s,1,true\noneday,24h0m0s,1h0m0s,1,false\n",
    );

    // A bad line: the batch is a partial write, the CLI reports it and exits 1.
    let bad = dir.path().join("bad.txt");
    std::fs::write(
        &bad,
        "# DML\n# CONTEXT-DATABASE: cliimport\ncpu,host=c v=3 1700000002\nbad line here\n",
    )
    .expect("write import file");
    let all = influx_err(
        &s,
        &["-import", "-path", bad.to_str().expect("utf-8 path"), "-precision", "s"],
        "partial write",
    );
    assert!(
        all.contains("unable to parse 'bad line here': invalid field format"),
        "{all}"
    );
    influx_ok(
        &s,
        &[
            "-database",
            "cliimport",
            "-format",
            "csv",
            "-execute",
            "SELECT v FROM cpu WHERE host = 'c'",
        ],
        "name,time,v\ncpu,1700000002000000000,3\n",
    );
}

// --- Telegraf ----------------------------------------------------------------------------

const TELEGRAF_UA: &str = "Telegraf/1.30.0 Go/1.22.1";

/// The body of a JSON error answer, or a panic that shows the answer.
fn error_text(r: &Response) -> String {
    let v = r.json();
    v.get("error")
        .and_then(|e| e.as_str())
        .unwrap_or_else(|| panic!("no error in:\n{}", r.describe()))
        .to_string()
}

#[test]
fn telegraf_shaped_requests() {
    let s = start();
    // Startup: form POST, no db, quoted name (§1.1). Success = 200 and no results[0].error.
    let create = Request::post("/query")
        .header("User-Agent", TELEGRAF_UA)
        .form(&[("q", "CREATE DATABASE \"telegraf\"")]);
    let r = must_send(&s, &create);
    want_status(&r, 200, "Telegraf CREATE DATABASE");
    assert_eq!(
        r.json(),
        serde_json::json!({"results":[{"statement_id":0}]}),
        "{}",
        r.describe()
    );
    assert!(
        r.header("X-Influxdb-Version").is_some(),
        "no X-Influxdb-Version:\n{}",
        r.describe()
    );

    // The write: gzip, no precision (ns), Telegraf's headers (§1.2). Only 204 is success.
    let body = "cpu,cpu=cpu-total,host=h1 usage_idle=98.5,usage_user=1.25 1700000000000000000\n\
                disk,device=sda1,fstype=ext4,host=h1,mode=rw,path=/ free=1234567i,used_percent=42.1 1700000000000000000\n\
                system,host=h1 load1=0.5,n_cpus=4i,uptime_format=\"1 day,  2:03\" 1700000010000000000\n";
    let write = |db: &str, body: &str| {
        Request::post(format!("/write?db={db}"))
            .header("Content-Type", "text/plain; charset=utf-8")
            .header("User-Agent", TELEGRAF_UA)
            .body(body)
            .gzip()
    };
    let r = must_send(&s, &write("telegraf", body));
    want_status(&r, 204, "Telegraf gzip write");
    assert!(r.body.is_empty(), "204 with a body:\n{}", r.describe());

    let q = must_send(
        &s,
        &Request::get(url(
            "/query",
            &[("db", "telegraf"), ("epoch", "ns"), ("q", "SELECT * FROM system")],
        )),
    );
    assert_eq!(
        q.json(),
        serde_json::json!({"results":[{"statement_id":0,"series":[{"name":"system","columns":["time","host","load1","n_cpus","uptime_format"],"values":[[1_700_000_010_000_000_000_i64,"h1",0.5,4,"1 day,  2:03"]]}]}]}),
        "{}",
        q.describe()
    );

    // The answers Telegraf reacts to by substring (§1.3): every error body is JSON.
    let r = must_send(&s, &write("telegraf_missing", body));
    want_status(&r, 404, "write to a missing database");
    assert!(error_text(&r).contains("database not found"), "{}", r.describe());
    let r = must_send(
        &s,
        &write("telegraf", "cpu,host=h1 usage_idle=1 1700000020000000000\ncpu value\n"),
    );
    want_status(&r, 400, "partial write");
    assert!(error_text(&r).contains("partial write"), "{}", r.describe());
    assert!(error_text(&r).contains("unable to parse"), "{}", r.describe());
    let r = must_send(
        &s,
        &write("telegraf", "cpu usage_idle=\"a string\" 1700000030000000000\n"),
    );
    want_status(&r, 400, "field type conflict");
    assert!(
        error_text(&r).contains("partial write: field type conflict"),
        "{}",
        r.describe()
    );
    let r = must_send(
        &s,
        &Request::post("/write?db=telegraf&rp=nope")
            .header("User-Agent", TELEGRAF_UA)
            .body(gzip(b"m v=1 1\n"))
            .header("Content-Encoding", "gzip"),
    );
    want_status(&r, 500, "unknown retention policy");
    assert!(
        error_text(&r).contains("retention policy not found"),
        "{}",
        r.describe()
    );

    // Telegraf v2 output shape: org always present, no precision, Token (ignored without auth).
    // /api/v2/write is 1.8+: InfluxDB 1.6.7 answers 404.
    let v2 = Request::post("/api/v2/write?bucket=telegraf&org=")
        .header("Authorization", "Token telegraf:secret")
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("User-Agent", TELEGRAF_UA)
        .body("v2 x=1 1700000000000000000\n")
        .gzip();
    let r = must_send(&s, &v2);
    let want = if s.kind() == Kind::Cairn { 204 } else { 404 };
    want_status(&r, want, "Telegraf outputs.influxdb_v2 write");
}

// --- Grafana ------------------------------------------------------------------------------

#[test]
fn grafana_health_check_and_panel() {
    let s = start();
    let r = must_send(&s, &Request::post("/query").form(&[("q", "CREATE DATABASE grafana")]));
    want_status(&r, 200, "CREATE DATABASE");
    let r = must_send(
        &s,
        &Request::post("/write?db=grafana").body("cpu,host=a v=1 1700000000000000000\ncpu,host=b v=2 1700000001000000000\nmem,host=a free=1i 1700000000000000000\n"),
    );
    want_status(&r, 204, "write");

    // Backend health check, GET mode: db, epoch=ms, q (§3.2, §3.3).
    let get = Request::get(url(
        "/query",
        &[("db", "grafana"), ("epoch", "ms"), ("q", "SHOW measurements")],
    ))
    .basic_auth("grafana", "x");
    // POST mode: db and epoch stay in the URL, only q is in the form body.
    let post = Request::post(url("/query", &[("db", "grafana"), ("epoch", "ms")]))
        .header("Content-type", "application/x-www-form-urlencoded")
        .body("q=SHOW+measurements");
    for (mode, req) in [("GET", &get), ("POST", &post)] {
        let r = must_send(&s, req);
        want_status(&r, 200, &format!("health check ({mode})"));
        let v = r.json();
        assert!(v["results"][0].get("error").is_none(), "{mode}: {}", r.describe());
        let values = v["results"][0]["series"][0]["values"]
            .as_array()
            .unwrap_or_else(|| panic!("{mode}: no values:\n{}", r.describe()));
        // Grafana: "datasource is working. N measurements found"; the first column is a string.
        assert_eq!(values.len(), 2, "{mode}: {}", r.describe());
        assert!(values.iter().all(|row| row[0].is_string()), "{mode}: {}", r.describe());
    }

    // No database selected: the check must fail through results[0].error.
    let r = must_send(
        &s,
        &Request::get(url(
            "/query",
            &[("db", ""), ("epoch", "ms"), ("q", "SHOW measurements")],
        )),
    );
    want_status(&r, 200, "health check without db");
    assert_eq!(
        r.json()["results"][0]["error"],
        "database name required",
        "{}",
        r.describe()
    );

    // A raw panel query: time must come back as integer ms, one result per statement by position.
    let stmt = "SELECT \"v\" FROM \"cpu\" WHERE time >= 1699999990000ms and time <= 1700000010000ms; SELECT \"free\" FROM \"mem\" WHERE time >= 1699999990000ms and time <= 1700000010000ms";
    let r = must_send(
        &s,
        &Request::get(url("/query", &[("db", "grafana"), ("epoch", "ms"), ("q", stmt)])),
    );
    want_status(&r, 200, "panel query");
    assert_eq!(
        r.json(),
        serde_json::json!({"results":[
            {"statement_id":0,"series":[{"name":"cpu","columns":["time","v"],"values":[[1_700_000_000_000_i64,1],[1_700_000_001_000_i64,2]]}]},
            {"statement_id":1,"series":[{"name":"mem","columns":["time","free"],"values":[[1_700_000_000_000_i64,1]]}]}
        ]}),
        "{}",
        r.describe()
    );
    // The old frontend's check (LIMIT 1) and the editor's SHOW TAG VALUES (value in column 1).
    let r = must_send(
        &s,
        &Request::get(url(
            "/query",
            &[("db", "grafana"), ("epoch", "ms"), ("q", "SHOW MEASUREMENTS LIMIT 1")],
        )),
    );
    assert_eq!(
        r.json()["results"][0]["series"][0]["values"],
        serde_json::json!([["cpu"]]),
        "{}",
        r.describe()
    );
    let r = must_send(
        &s,
        &Request::get(url(
            "/query",
            &[
                ("db", "grafana"),
                ("epoch", "ms"),
                ("q", "SHOW TAG VALUES FROM \"cpu\" WITH KEY = \"host\""),
            ],
        )),
    );
    assert_eq!(
        r.json()["results"][0]["series"][0]["values"],
        serde_json::json!([["host", "a"], ["host", "b"]]),
        "{}",
        r.describe()
    );
}
