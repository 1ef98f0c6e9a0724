//! cases_write: /write and /api/v2/write: parameters (db, rp, precision, consistency), gzip,
//! the body-size limit, every status and error text of CLIENTS.md §4.6, and what is stored
//! (each case reads its points back).

use cairn_tests::http::gzip;
use cairn_tests::{Body, Request};

use crate::dsl::{case, create, post, pq0, q, qp, ts, w, wp, Case, T0};

/// influxd's default `max-body-size` (CLIENTS.md §4.6).
const MAX_BODY: u64 = 25_000_000;

pub(crate) fn cases() -> Vec<Case> {
    let mut v = vec![
        case("write_basic", |db| {
            vec![
                create(db),
                w(db, &format!("cpu,host=a,region=us v=1.5,n=3i,s=\"x\",b=true {T0}\n")),
                q(db, "SELECT * FROM cpu"),
            ]
        }),
        case("write_no_db", |_| {
            vec![
                post("/write").body("m v=1 1"),
                post("/write?db=").body("m v=1 1"),
                post("/write?rp=autogen").body(""),
            ]
        }),
        case("write_unknown_db", |_| {
            vec![
                w("write_unknown_db_nosuch", "m v=1 1"),
                w("write_unknown_db_nosuch", ""),
                w("a \"quoted\" db", "m v=1"),
            ]
        }),
        case("write_unknown_rp", |db| {
            vec![
                create(db),
                wp(&[("db", db), ("rp", "nope")], "m v=1 1"),
                q(db, "SELECT * FROM m"),
            ]
        }),
        case("write_rp_param", |db| {
            vec![
                create(db),
                pq0(&format!(
                    "CREATE RETENTION POLICY r1 ON {db} DURATION 5200w REPLICATION 1"
                )),
                wp(&[("db", db), ("rp", "r1")], format!("m v=1 {T0}")),
                wp(&[("db", db), ("rp", "autogen")], format!("m v=2 {}", ts(1))),
                q(db, "SELECT * FROM r1.m"),
                q(db, "SELECT * FROM m"),
                qp(&[("db", db), ("rp", "r1"), ("q", "SELECT * FROM m")]),
                q(db, &format!("SELECT * FROM \"{db}\".\"r1\".\"m\"")),
            ]
        }),
        case("write_precision_n", |db| {
            precision_case(
                db,
                &[
                    ("", "1700000000000000001"),
                    ("n", "1700000000000000002"),
                    ("ns", "1700000000000000003"),
                ],
            )
        }),
        case("write_precision_u", |db| {
            precision_case(db, &[("u", "1700000000000001")])
        }),
        case("write_precision_ms", |db| {
            precision_case(db, &[("ms", "1700000000001")])
        }),
        case("write_precision_s", |db| precision_case(db, &[("s", "1700000001")])),
        case("write_precision_m_h", |db| {
            precision_case(db, &[("m", "28333334"), ("h", "472223")])
        }),
        // 1.6.7 reads `us` as ns; Cairn as µs (deviation).
        case("write_precision_us", |db| {
            precision_case(db, &[("us", "1700000000000001")])
        }),
        // 1.6.7 reads an unknown precision as ns; Cairn answers 400 as 1.8 (deviation).
        case("write_precision_invalid", |db| {
            precision_case(db, &[("xyz", "1700000000000000000")])
        }),
        case("write_consistency", |db| {
            let mut v = vec![create(db)];
            for (i, c) in ["any", "one", "quorum", "all", "", "bogus", "ALL"].iter().enumerate() {
                v.push(wp(
                    &[("consistency", c), ("db", db)],
                    format!("m,c={} v={i} {}", if c.is_empty() { "none" } else { c }, ts(i as i64)),
                ));
            }
            v.push(q(db, "SELECT * FROM m"));
            v
        }),
        case("write_cli_insert", |db| {
            // The influx CLI's INSERT: empty rp and precision, consistency=all, an empty
            // Content-Type and a leading space (CLIENTS.md §4.8).
            vec![
                create(db),
                post(&format!("/write?consistency=all&db={db}&precision=ns&rp="))
                    .header("Content-Type", "")
                    .header("User-Agent", "InfluxDBShell/1.6.7~rc0")
                    .body(format!(" cliins,host=x v=1 {T0}\n")),
                q(db, "SELECT * FROM cliins"),
            ]
        }),
        case("write_gzip", |db| {
            vec![
                create(db),
                telegraf_write(
                    db,
                    &format!("cpu,host=a usage=0.5 {T0}\ncpu,host=b usage=1 {}\n", ts(1)),
                ),
                q(db, "SELECT * FROM cpu"),
            ]
        }),
        case("write_gzip_invalid", |db| {
            let good = gzip(format!("m v=1 {T0}\n").as_bytes());
            vec![
                create(db),
                w(db, "garbage").header("Content-Encoding", "gzip"),
                w(db, "this is not gzip at all, it is far too plain").header("Content-Encoding", "gzip"),
                w(db, "")
                    .body(good[..good.len() - 6].to_vec())
                    .header("Content-Encoding", "gzip"),
                w(db, "").body(good).header("Content-Encoding", "gzip"),
                w(db, &format!("plain v=1 {T0}")).header("Content-Encoding", "identity"),
                q(db, "SELECT * FROM m"),
                q(db, "SELECT * FROM plain"),
            ]
        }),
        case("write_gzip_chunked", |db| {
            let mut req = w(db, "");
            req.body = Body::Chunked(gzip(format!("m v=1 {T0}\nm v=2 {}\n", ts(1)).as_bytes()), 7);
            vec![
                create(db),
                req.header("Content-Encoding", "gzip"),
                q(db, "SELECT * FROM m"),
            ]
        }),
        case("write_chunked_body", |db| {
            let mut req = w(db, "");
            req.body = Body::Chunked(
                format!("m v=1 {T0}\nm v=2 {}\nm v=3 {}\n", ts(1), ts(2)).into_bytes(),
                5,
            );
            vec![create(db), req, q(db, "SELECT * FROM m")]
        }),
        case("write_too_large", |db| {
            let line = format!("big v=1 {T0}\n");
            let huge: Vec<u8> = line
                .as_bytes()
                .iter()
                .copied()
                .cycle()
                .take(MAX_BODY as usize + 1000)
                .collect();
            let mut claimed = w(db, "");
            claimed.body = Body::Claimed(MAX_BODY + 1, line.clone().into_bytes());
            let mut chunked = w(db, "");
            chunked.body = Body::Chunked(huge, 1 << 16);
            vec![create(db), claimed, chunked, q(db, "SELECT * FROM big")]
        }),
        case("write_empty_bodies", |db| {
            vec![
                create(db),
                w(db, ""),
                w(db, "\n\n"),
                w(db, "# only a comment\n"),
                w(db, &format!("# comment\n\n   m v=1 {T0}\n\t\n#m v=2 {}\n", ts(1))),
                q(db, "SELECT * FROM m"),
            ]
        }),
        case("write_parse_error", |db| {
            vec![
                create(db),
                w(db, "cpu value"),
                w(db, "cpu value\nmem v=\n"),
                w(db, &format!("ok v=1 {T0}\ngarbage line here\nok v=2 {}\n", ts(1))),
                q(db, "SELECT * FROM ok"),
            ]
        }),
        case("write_parse_reasons_a", |db| {
            let mut v = vec![create(db)];
            for line in [
                "m x=tRuE 1",
                "m y=+4 1",
                "m a=Inf 1",
                "m a=NaN 1",
                "m v=9223372036854775808i 1",
                "m v=-9223372036854775809i 1",
                "cpu v=1 abc",
                "cpu v=1 17000000000000000000000",
                "m s=\"unterminated 1",
            ] {
                v.push(w(db, line));
            }
            v.push(q(db, "SHOW MEASUREMENTS"));
            v
        }),
        case("write_parse_reasons_b", |db| {
            let mut v = vec![create(db)];
            for line in [
                "dup,host=a,host=b v=1 1",
                "notag, v=1 1",
                "t,k= v=1 1",
                "nofield,host=a 123",
                "a\tb v=1 1",
                "m v=1,  w=2 1",
                "m v=1.0i 1",
                "m v=1,",
                "m =1 1",
                "m",
                ",host=a v=1 1",
                "m v=1 1 extra",
            ] {
                v.push(w(db, line));
            }
            v
        }),
        case("write_type_conflict_batch", |db| {
            vec![
                create(db),
                w(db, &format!("tc v=1 {T0}\ntc v=2i {}\ntc v=3 {}\n", ts(1), ts(2))),
                q(db, "SELECT * FROM tc"),
            ]
        }),
        case("write_type_conflict_later", |db| {
            vec![
                create(db),
                w(db, &format!("tc v=1,s=\"a\" {T0}")),
                w(db, &format!("tc v=2i {}", ts(1))),
                w(db, &format!("tc v=true,s=1 {}", ts(2))),
                w(db, &format!("tc v=\"str\" {}\ntc v=4 {}", ts(3), ts(4))),
                q(db, "SELECT * FROM tc"),
                q(db, "SHOW FIELD KEYS"),
            ]
        }),
        case("write_type_conflict_other_shard", |db| {
            // Field types are per shard in 1.x: a year later is another shard group.
            vec![
                create(db),
                w(db, &format!("tc value=1 {T0}")),
                w(db, &format!("tc value=5i {}", ts(365 * 86400))),
                q(db, "SHOW FIELD KEYS"),
                q(db, "SELECT * FROM tc"),
            ]
        }),
        case("write_beyond_retention", |db| {
            vec![
                create(db),
                pq0(&format!(
                    "CREATE RETENTION POLICY short ON {db} DURATION 1h REPLICATION 1 DEFAULT"
                )),
                w(db, &format!("m v=1 {T0}")),
                w(db, &format!("m v=1 {T0}\nm v=2 {}", ts(1))),
                wp(&[("db", db), ("rp", "autogen")], format!("m v=3 {T0}")),
                q(db, "SELECT * FROM autogen.m"),
                q(db, "SELECT * FROM m"),
            ]
        }),
        case("write_time_keys", |db| {
            vec![
                create(db),
                w(db, &format!("tt,time=x v=1 {T0}")),
                w(db, &format!("tf time=1,v=2 {T0}")),
                w(db, &format!("tg time=1 {T0}")),
                w(db, &format!("ok v=1 {T0}\ntt,time=x v=1 {T0}")),
                q(db, "SELECT * FROM ok"),
                q(db, "SELECT * FROM tf"),
                q(db, "SHOW FIELD KEYS FROM tf"),
            ]
        }),
        // 1.6.7 rejects `42u`; Cairn stores unsigned integers (deviation).
        case("write_unsigned", |db| {
            vec![create(db), w(db, &format!("m v=42u {T0}")), q(db, "SELECT * FROM m")]
        }),
        // 1.6.7 keeps the `\r` and fails; Cairn drops it (deviation).
        case("write_crlf", |db| {
            vec![
                create(db),
                w(db, &format!("m v=1 {T0}\r\nm v=2 {}\r\n", ts(1))),
                q(db, "SELECT * FROM m"),
            ]
        }),
        // 1.6.7 stores invalid UTF-8; Cairn rejects the line (deviation).
        case("write_invalid_utf8", |db| {
            let mut body = b"m,host=a\xff\xfeb v=1 ".to_vec();
            body.extend_from_slice(T0.to_string().as_bytes());
            vec![create(db), w(db, "").body(body)]
        }),
        // 1.6.7 misreads a field key ending in `\\` followed by more fields (deviation).
        case("write_field_key_backslash", |db| {
            vec![
                create(db),
                w(db, &format!("m a\\\\=1,b=2 {T0}\n")),
                q(db, "SELECT * FROM m"),
                q(db, "SHOW FIELD KEYS"),
                w(db, &format!("m a\\\\=1 {T0}\n")),
            ]
        }),
        case("write_duplicate_points", |db| {
            vec![
                create(db),
                w(db, &format!("d v=1,w=10 {T0}")),
                w(db, &format!("d v=2 {T0}")),
                w(db, &format!("e v=1,v=2 {T0}\ne v=3,x=1 {T0}")),
                q(db, "SELECT * FROM d"),
                q(db, "SELECT * FROM e"),
            ]
        }),
        case("write_escapes", |db| {
            vec![
                create(db),
                // The Python client's line for a measurement with a space and tags with , and space.
                wp(
                    &[("db", db), ("precision", "s")],
                    "cpu\\ load,host=srv\\,1,region=us\\ west n=3i,ok=True,s=\"say \\\"hi\\\"\\\\ok\",value=0.64 1700000000\n",
                ),
                w(db, &format!("eq\\=x,t\\=k=v\\=1 f\\=k=1,nl=\"a\\nb\" {T0}\n")),
                w(db, &format!("uni,h=é\\ ü v=\"<a&b> ☃\" {T0}\n")),
                q(db, "SHOW MEASUREMENTS"),
                q(db, "SHOW SERIES"),
                q(db, "SELECT * FROM \"cpu load\""),
                q(db, "SELECT * FROM \"eq=x\""),
                q(db, "SELECT * FROM uni"),
                q(db, "SHOW FIELD KEYS"),
            ]
        }),
        case("write_field_types", |db| {
            vec![
                create(db),
                w(
                    db,
                    &format!(
                        "b a=t,b=T,c=true,d=True,e=TRUE {T0}\nb a=f,b=F,c=false,d=False,e=FALSE {}\n\
                         n i=-9223372036854775808i,j=9223372036854775807i,f=1e20,g=1e21,h=1e-7,k=-0.0,l=1.,m=.5,o=-3 {T0}\n\
                         s e=\"\",q=\"a \\\"q\\\" \\\\ b\",u=\"line\\nbreak\" {T0}\n",
                        ts(1)
                    ),
                ),
                q(db, "SELECT * FROM b"),
                q(db, "SELECT * FROM n"),
                q(db, "SELECT * FROM s"),
                q(db, "SHOW FIELD KEYS"),
            ]
        }),
        case("write_negative_time", |db| {
            vec![
                create(db),
                w(db, "neg v=1 -1000000000\nneg v=2 0\nneg v=3 1\n"),
                q(db, "SELECT * FROM neg"),
                q(db, "SELECT * FROM neg WHERE time < 0"),
            ]
        }),
        case("write_no_timestamp", |db| {
            vec![
                create(db),
                w(db, "nots,host=a v=1\n"),
                q(db, "SHOW SERIES"),
                q(db, "SELECT * FROM nots WHERE time < '2020-01-01T00:00:00Z'"),
                q(db, "SHOW FIELD KEYS"),
            ]
        }),
        case("write_content_types", |db| {
            vec![
                create(db),
                w(db, &format!("m v=1 {T0}")).header("Content-Type", "text/plain; charset=utf-8"),
                w(db, &format!("m v=2 {}", ts(1))).header("Content-Type", "application/octet-stream"),
                w(db, &format!("m v=3 {}", ts(2))).header("Content-Type", "application/json"),
                w(db, &format!("m v=4 {}", ts(3))).header("Content-Type", "application/x-www-form-urlencoded"),
                q(db, "SELECT * FROM m"),
            ]
        }),
        case("write_u_p_without_auth", |db| {
            vec![
                create(db),
                wp(&[("db", db), ("u", "nobody"), ("p", "wrong")], format!("m v=1 {T0}")),
                w(db, &format!("m v=2 {}", ts(1))).basic_auth("root", "root"),
                q(db, "SELECT * FROM m").basic_auth("nobody", "x"),
            ]
        }),
        case("write_many_series", |db| {
            let mut body = String::new();
            for i in 0..300 {
                body.push_str(&format!(
                    "ms,host=h{:03},dc=d{} v={i},w={}i {}\n",
                    i,
                    i % 7,
                    i * 3,
                    ts(i % 11)
                ));
            }
            vec![
                create(db),
                w(db, &body),
                q(db, "SELECT * FROM ms WHERE dc = 'd3' LIMIT 5"),
                q(db, "SHOW TAG VALUES WITH KEY = dc"),
                q(db, "SELECT * FROM ms WHERE host = 'h123' OR host = 'h299'"),
            ]
        }),
        // /api/v2/write is 1.8+: 1.6.7 answers 404 (deviation).
        case("api_v2_write", |db| {
            vec![
                create(db),
                post(&format!("/api/v2/write?bucket={db}&org="))
                    .header("Authorization", "Token user:pass")
                    .body(format!("m v=1 {T0}\n")),
                post(&format!("/api/v2/write?bucket={db}/autogen&org=x&precision=s"))
                    .header("Content-Encoding", "gzip")
                    .header("Authorization", "Token ignored")
                    .body(gzip(b"m v=2 1700000001\n")),
                q(db, "SELECT * FROM m"),
            ]
        }),
        case("api_v2_write_errors", |db| {
            vec![
                create(db),
                post("/api/v2/write?bucket=&org=").body("m v=1"),
                post("/api/v2/write?bucket=%2Frp&org=").body("m v=1"),
                post(&format!("/api/v2/write?bucket={db}&precision=xx")).body("m v=1"),
                post("/api/v2/write?bucket=api_v2_nosuch&org=").body("m v=1"),
            ]
        }),
    ];
    v.push(case("write_telegraf_batch", |db| {
        let mut body = String::new();
        for i in 0..50 {
            body.push_str(&format!(
                "system,host=h{} load1={}.25,load5=0.5,n_cpus=4i,uptime={}i {}\n",
                i % 5,
                i,
                1000 + i,
                ts(i as i64 * 10)
            ));
        }
        vec![
            post("/query")
                .header("User-Agent", "Telegraf/1.30.0 Go/1.22.1")
                .form(&[("q", &format!("CREATE DATABASE \"{db}\""))]),
            telegraf_write(db, &body),
            q(db, "SELECT * FROM system WHERE host = 'h3'"),
        ]
    }));
    v
}

/// Telegraf's write (CLIENTS.md §1.2): gzip, no precision, its headers.
pub(crate) fn telegraf_write(db: &str, body: &str) -> Request {
    post(&format!("/write?db={db}"))
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("User-Agent", "Telegraf/1.30.0 Go/1.22.1")
        .body(body)
        .gzip()
}

/// Writes one point per (precision, timestamp) into `m,p=<precision>`, then reads them back
/// as RFC3339 and as ns.
fn precision_case(db: &str, writes: &[(&str, &str)]) -> Vec<Request> {
    let mut v = vec![create(db)];
    for (p, t) in writes {
        let tag = if p.is_empty() { "none" } else { p };
        let mut params = vec![("db", db)];
        params.push(("precision", p));
        v.push(wp(&params, format!("m,p={tag} v=1 {t}\n")));
    }
    v.push(q(db, "SELECT * FROM m"));
    v.push(qp(&[("db", db), ("epoch", "ns"), ("q", "SELECT * FROM m")]));
    v
}
