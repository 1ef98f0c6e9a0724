//! A data node in cluster mode: registered with `cairn-ctl add-data`, following the meta
//! nodes, and serving from its cached metadata while they are down.
use cairn_tests::cluster::{self, ctl, form, Data, Meta};
use serde_json::Value;

use crate::T;

const HOUR: i64 = 3600;

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// [`cluster::eventually`] within `T`.
fn eventually<R>(what: &str, f: impl FnMut() -> Option<R>) -> R {
    cluster::eventually(what, T, f)
}

fn count(data: &Data, q: &str) -> Value {
    let (status, body) = data.query("db", q);
    assert_eq!(status, 200, "{body}");
    body["results"][0]["series"][0]["values"][0][1].clone()
}

/// The groups of db.hourly the meta node `m` knows, as (start s, end s).
fn groups(m: &Meta) -> Vec<(i64, i64)> {
    let data = m.data();
    let rp = &data["databases"][0]["retention_policies"][0];
    rp["shard_groups"]
        .as_array()
        .map(|gs| {
            gs.iter()
                .map(|g| {
                    (
                        g["start_time"].as_i64().unwrap() / 1_000_000_000,
                        g["end_time"].as_i64().unwrap() / 1_000_000_000,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_data_node_keeps_serving_from_cached_metadata_while_the_meta_nodes_are_down() {
    let mut metas = form(3, &[], &[]);
    let env = [
        ("CAIRN_SHARD_PRECREATION_CHECK_INTERVAL", "1s"),
        ("CAIRN_SHARD_PRECREATION_ADVANCE_PERIOD", "90m"),
    ];
    let mut data = Data::start(&metas, &env);
    let rpc = data.rpc.to_string();

    // Registration: add-data finds the node by its heartbeat, and `show` lists it.
    let first = metas[0].addr();
    eventually("add-data", || ctl(&first, &["add-data", &rpc], &[]).ok.then_some(()));
    let show = ctl(&first, &["show"], &[]);
    let row = show
        .stdout
        .lines()
        .find(|l| l.contains(&rpc))
        .unwrap_or_else(|| panic!("the data node is not in show:\n{}", show.stdout));
    assert!(row.contains(&data.http.to_string()), "{row}");
    // Until the node sees its registration, writes are refused as "not registered".
    let (status, body) = data.query("", "CREATE DATABASE db WITH DURATION 1d SHARD DURATION 1h NAME hourly");
    assert_eq!(status, 200, "{body}");
    assert!(body["results"][0]["error"].is_null(), "{body}");
    let now = now_s();
    eventually("a first write", || {
        let (status, text) = data.write("db", &format!("m,host=a v=1 {now}"));
        (status == 204).then_some(()).or_else(|| {
            assert!(text.contains("not registered"), "{status} {text}");
            None
        })
    });
    // Precreation makes the next hour's group before this one ends.
    let next_hour = (now / HOUR + 1) * HOUR;
    eventually("the next group, created ahead", || {
        groups(&metas[0])
            .iter()
            .any(|&(s, e)| s <= next_hour && next_hour < e)
            .then_some(())
    });

    // Two of three meta nodes die: no quorum, yet the data node writes and answers.
    metas[1].kill9();
    metas[2].kill9();
    let ahead = next_hour + 60;
    for (i, t) in [now + 1, ahead].into_iter().enumerate() {
        let (status, text) = data.write("db", &format!("m,host=b v={i} {t}"));
        assert_eq!(
            status,
            204,
            "a write into an existing group: {text}\n{}",
            data.log_tail(20)
        );
    }
    let window = format!(
        "SELECT count(v) FROM m WHERE time >= {}s AND time < {}s",
        now - HOUR,
        ahead + HOUR
    );
    assert_eq!(count(&data, &window), 3);
    // A change needs the meta cluster: it fails, naming what failed.
    let (status, body) = data.query("", "CREATE DATABASE other");
    let err = body["results"][0]["error"].as_str().unwrap_or_default().to_owned();
    assert!(
        status == 200 && err.contains("meta service unavailable"),
        "{status} {body}"
    );
    assert!(err.contains("quorum") || err.contains("leader"), "{err}");
    // A point for an hour with no group yet (12 hours ago) needs a new group: refused.
    let (status, text) = data.write("db", &format!("m,host=c v=1 {}", now - 12 * HOUR));
    assert!(
        status >= 500 && text.contains("meta service unavailable"),
        "{status} {text}"
    );

    // All three dead, and the data node restarted: it starts from its cache.
    metas[0].kill9();
    data.restart();
    let (status, text) = data.write("db", &format!("m,host=d v=1 {}", now + 2));
    assert_eq!(status, 204, "{text}\n{}", data.log_tail(20));
    assert_eq!(count(&data, &window), 4);
    let (_, body) = data.query("", "CREATE DATABASE other");
    let err = body["results"][0]["error"].as_str().unwrap_or_default().to_owned();
    for m in &metas {
        assert!(err.contains(&m.addr()), "the error names every meta node tried: {err}");
    }

    // The meta nodes return: the data node follows again and changes go through.
    for m in &mut metas {
        m.restart();
    }
    eventually("a change through the data node once the meta nodes are back", || {
        let (_, body) = data.query("", "CREATE DATABASE other");
        body["results"][0]["error"].is_null().then_some(())
    });
    let (_, body) = data.query("", "SHOW DATABASES");
    assert!(body.to_string().contains("\"other\""), "{body}");
    let (status, text) = data.write("db", &format!("m,host=c v=1 {}", now - 12 * HOUR));
    assert_eq!(status, 204, "{text}");
}
