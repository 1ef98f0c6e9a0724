//! meta_cluster: three real `cairn-meta` processes on 127.0.0.x, formed and inspected with
//! `cairn-ctl`, killed with SIGKILL. What must hold: one leader, a new one within 3 s of
//! the old one's death, nothing committed lost across kills and whole-cluster restarts, a
//! clear error without a quorum, every acknowledged command applied once, and no call
//! without the shared secret.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cairn_tests::cluster::{create_database, ctl, form, leader, wait_applied, Meta};
use serde_json::{json, Value};

mod data_node;

const T: Duration = Duration::from_secs(20);

fn index_of(answer: &(u16, Value)) -> u64 {
    assert_eq!(answer.0, 200, "command failed: {answer:?}");
    assert!(
        answer.1["result"]["Ok"].is_string() || answer.1["result"]["Ok"].is_object(),
        "{answer:?}"
    );
    answer.1["index"].as_u64().expect("an index")
}

fn database_names(data: &Value) -> BTreeSet<String> {
    data["databases"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn three_nodes_form_a_cluster_and_show_one_leader() {
    let metas = form(3, &[], &[]);
    let show = ctl(&metas[2].addr(), &["show"], &[]);
    assert!(show.ok, "{}", show.stderr);
    let out = &show.stdout;
    for (i, m) in metas.iter().enumerate() {
        let row = out
            .lines()
            .find(|l| l.starts_with(&format!("{} ", i + 1)) && l.contains(&m.addr()))
            .unwrap_or_else(|| panic!("meta node {} missing from show:\n{out}", m.addr()));
        assert!(row.contains(&m.raft.to_string()), "{row}");
    }
    assert_eq!(out.matches(", leader").count(), 1, "one leader:\n{out}");
    assert!(out.contains("Meta Nodes\n=========="), "{out}");
    assert!(out.contains("Data Nodes\n=========="), "{out}");
    let raft = out.split("Raft Status").nth(1).expect("a Raft section");
    assert!(
        raft.contains("Leader        1 "),
        "the node that formed it leads:\n{out}"
    );
    assert!(raft.contains("Term") && raft.contains("Commit Index"), "{out}");
    // Peers: the two followers' Raft addresses.
    for m in &metas[1..] {
        assert!(raft.contains(&format!("\"{}\"", m.raft)), "{out}");
    }
    // Every node agrees on the members and the ids (one counter, 1..3).
    for m in &metas {
        let ids: Vec<u64> = m.data()["meta_nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, [1, 2, 3], "{}", m.addr());
    }
    // Adding a member twice is a no-op with the same id; failures name what failed.
    let again = ctl(&metas[0].addr(), &["add-meta", &metas[1].addr()], &[]);
    assert!(again.ok && again.stdout.contains("Added meta node 2"), "{again:?}");
    let nobody = ctl("127.0.0.1:1", &["show"], &[]);
    assert!(!nobody.ok);
    assert!(
        nobody
            .stderr
            .contains("cannot reach the meta node at 127.0.0.1:1: connection refused"),
        "{nobody:?}"
    );
    let unknown = ctl(&metas[0].addr(), &["remove-meta", "42"], &[]);
    assert!(
        !unknown.ok && unknown.stderr.contains("meta node 42 is not in the cluster"),
        "{unknown:?}"
    );
    let unknown = ctl(&metas[0].addr(), &["remove-data", "7"], &[]);
    assert!(
        !unknown.ok && unknown.stderr.contains("data node 7 is not in the cluster"),
        "{unknown:?}"
    );
}

#[test]
fn a_killed_leader_is_replaced_within_3s_and_catches_up_from_a_snapshot() {
    // Snapshots every 20 entries, keeping 5: a node down for 50 commands must install one.
    let env = [
        ("CAIRN_RAFT_SNAPSHOT_AFTER_LOGS", "20"),
        ("CAIRN_RAFT_LOGS_KEPT_AFTER_SNAPSHOT", "5"),
    ];
    let mut metas = form(3, &env, &[]);
    let mut last = index_of(&metas[0].execute(create_database("before")));
    let mut failovers = Vec::new();
    for round in 0..2 {
        let old = leader(&metas, T).expect("a leader");
        let killed_at = Instant::now();
        metas[old].kill9();
        let new = leader(&metas, Duration::from_secs(10)).expect("a new leader");
        let took = killed_at.elapsed();
        failovers.push(took);
        assert_ne!(new, old);
        assert!(
            took < Duration::from_secs(3),
            "round {round}: a new leader after {took:?}"
        );
        // Writes continue, through either survivor.
        for (i, m) in metas.iter().enumerate().filter(|(_, m)| m.running()) {
            last = index_of(&m.execute(create_database(&format!("after_{round}_{i}"))));
        }
        for i in 0..50 {
            last = index_of(&metas[new].execute(create_database(&format!("bulk_{round}_{i}"))));
        }
        let (leader_id, term) = {
            let st = metas[new].status();
            (st["id"].clone(), st["raft"]["term"].clone())
        };
        metas[old].restart();
        // openraft restores an old leader to the leader state at its old term: it must not
        // say it leads, and it must not unseat the leader by calling an election at once.
        let deadline = Instant::now() + T;
        loop {
            let st = metas[old].status();
            assert_ne!(
                st["raft"]["state"], "Leader",
                "round {round}: the restarted old leader claims to lead"
            );
            if st["raft"]["leader"] == leader_id {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "round {round}: the restarted node does not follow: {st}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        wait_applied(&metas, last, T).unwrap_or_else(|e| panic!("{e}\n{}", metas[old].log_tail(30)));
        assert_eq!(
            metas[new].status()["raft"]["term"],
            term,
            "round {round}: the restart caused an election"
        );
        assert_eq!(
            metas[old].data(),
            metas[new].data(),
            "the restarted node holds what the leader holds"
        );
        assert!(
            metas[old].log().contains("installed a metadata snapshot"),
            "round {round}: the restarted node caught up from a snapshot\n{}",
            metas[old].log_tail(30)
        );
    }
    eprintln!("leader failover (kill to new leader seen): {failovers:?}");
}

#[test]
fn without_a_quorum_changes_fail_clearly_and_nothing_committed_is_lost_on_restart() {
    let mut metas = form(3, &[], &[]);
    let m = &metas[0];
    index_of(&m.execute(json!({"AddDataNode": {"http_addr": "127.0.0.1:8086", "rpc_addr": "127.0.0.1:8088"}})));
    index_of(&m.execute(create_database("telegraf")));
    index_of(
        &m.execute(json!({"CreateRetentionPolicy": {"database": "telegraf", "spec": {
        "name": "week", "duration": 604800000000000i64, "replica_n": 2, "shard_group_duration": 86400000000000i64},
        "make_default": false}})),
    );
    index_of(&m.execute(json!({"CreateUser": {"name": "admin", "hash": "$2b$04$abc", "admin": true}})));
    let last = index_of(
        &m.execute(json!({"CreateShardGroup": {"database": "telegraf", "policy": "autogen",
        "timestamp": 1_700_000_000_000_000_000i64, "shards": 2}})),
    );
    // A follower serves what it has applied: wait for it to have everything.
    wait_applied(&metas, last, T).unwrap();
    let before = metas[1].data();
    assert_eq!(before["max_shard_group_id"], 1);
    let data_node_id = before["data_nodes"][0]["id"].as_u64().unwrap();
    assert_eq!(data_node_id, 4, "meta nodes took 1..3");

    // Two of three down, the leader left alone. Once its leader lease has run out (no
    // majority has acknowledged it), a change fails with a no-leader error in bounded time and
    // is not proposed at all, so it cannot turn up later. (Within the lease a leader does
    // propose it: the no-quorum error then says it may still be applied.)
    let lead = leader(&metas, T).expect("a leader");
    for (_, m) in metas.iter_mut().enumerate().filter(|(i, _)| *i != lead) {
        m.kill9();
    }
    let survivor = &metas[lead];
    let deadline = Instant::now() + T;
    while survivor.status()["raft"]["state"] == "Leader" {
        assert!(Instant::now() < deadline, "the survivor still leads alone");
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    let (status, body) = survivor.execute(create_database("lost"));
    let took = started.elapsed();
    assert_eq!(status, 503, "{body}");
    let text = body["error"].as_str().unwrap_or_default();
    assert!(text.contains("no meta leader"), "{text}");
    assert!(took < Duration::from_secs(15), "the error came after {took:?}");
    let show = ctl(&survivor.addr(), &["show"], &[]);
    assert!(show.ok, "show still answers without a quorum: {}", show.stderr);
    // The survivor still serves reads of what was committed.
    assert_eq!(database_names(&survivor.data()), database_names(&before));

    // The old leader restarts alone. openraft puts it back in the leader state at its old
    // term, but no majority acknowledges it: it must not say it leads, for longer than a lease.
    metas[lead].kill9();
    metas[lead].restart();
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        let st = metas[lead].status();
        assert_ne!(st["raft"]["state"], "Leader", "alone, it claims to lead: {st}");
        assert!(st["raft"]["leader"].is_null(), "alone, it names a leader: {st}");
        std::thread::sleep(Duration::from_millis(20));
    }

    // The whole cluster down and up: everything committed is there, ids included.
    for m in &mut metas {
        m.restart();
    }
    leader(&metas, T).expect("a leader after the restart");
    let after = metas[0].data();
    let want = database_names(&before);
    assert_eq!(database_names(&after), want, "databases persist");
    for key in [
        "users",
        "data_nodes",
        "meta_nodes",
        "max_node_id",
        "max_shard_group_id",
        "max_shard_id",
    ] {
        assert_eq!(after[key], before[key], "{key} persists");
    }
    assert_eq!(
        after["databases"], before["databases"],
        "policies and shard groups persist"
    );
    // New ids continue after the old ones.
    let (_, added) =
        metas[2].execute(json!({"AddDataNode": {"http_addr": "127.0.0.2:8086", "rpc_addr": "127.0.0.2:8088"}}));
    assert_eq!(added["result"]["Ok"]["Node"], 5, "{added}");
}

#[test]
fn membership_changes_under_load_apply_every_acknowledged_command_once() {
    let metas = form(3, &[], &[]);
    let addrs: Vec<String> = metas.iter().map(Meta::addr).collect();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Acknowledged commands per client: (database, created?) in order.
    let acked: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let mut clients = Vec::new();
    for c in 0..3 {
        let stop = Arc::clone(&stop);
        let acked = Arc::clone(&acked);
        // Each client talks to the first two nodes (the third is removed and re-added).
        let target = metas[c % 2].http;
        clients.push(std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let name = format!("c{c}_{i}");
                let req = |cmd: Value| {
                    cairn_tests::http::send(
                        target,
                        &cairn_tests::http::Request::post("/execute")
                            .header("content-type", "application/json")
                            .body(cmd.to_string()),
                    )
                };
                if let Ok(r) = req(create_database(&name)) {
                    if r.status == 200 {
                        acked.lock().unwrap().push((name.clone(), true));
                    }
                }
                if i % 2 == 0 {
                    if let Ok(r) = req(json!({"DropDatabase": {"name": name}})) {
                        if r.status == 200 {
                            acked.lock().unwrap().push((name.clone(), false));
                        }
                    }
                }
                i += 1;
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(300));
    let removed = ctl(&addrs[0], &["remove-meta", &addrs[2]], &[]);
    assert!(removed.ok, "{removed:?}\n{}", metas[0].log_tail(30));
    // It forgot the cluster and can join again, under a new id.
    let deadline = Instant::now() + T;
    while metas[2].status()["cluster_id"] != 0 {
        assert!(Instant::now() < deadline, "it did not leave: {}", metas[2].log_tail(20));
        std::thread::sleep(Duration::from_millis(20));
    }
    let added = ctl(&addrs[0], &["add-meta", &addrs[2]], &[]);
    assert!(added.ok, "{added:?}");
    assert!(
        added.stdout.contains("Added meta node 4"),
        "ids are never reused: {}",
        added.stdout
    );
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 20, "the clients got through: {}", acked.len());
    let last = index_of(&metas[0].execute(create_database("final")));
    wait_applied(&metas, last, T).unwrap();
    // The state every node holds is what the acknowledged commands, applied once in order,
    // give: a database exists iff its last acknowledged command created it.
    let mut want: BTreeMap<String, bool> = BTreeMap::new();
    for (name, created) in &acked {
        want.insert(name.clone(), *created);
    }
    let want: BTreeSet<String> = want
        .into_iter()
        .filter(|(_, created)| *created)
        .map(|(n, _)| n)
        .chain(["final".to_owned()])
        .collect();
    for m in &metas {
        assert_eq!(database_names(&m.data()), want, "{}", m.addr());
    }
    let show = ctl(&addrs[2], &["show"], &[]);
    let ids: Vec<&str> = show
        .stdout
        .split("Meta Nodes")
        .nth(1)
        .unwrap()
        .lines()
        .skip(3)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2", "4"], "{}", show.stdout);
}

#[test]
fn the_leader_removes_itself_and_the_others_carry_on() {
    let mut metas = form(3, &[], &[]);
    let l = leader(&metas, T).expect("a leader");
    let me = metas[l].addr();
    let removed = ctl(&me, &["remove-meta", &me], &[]);
    assert!(removed.ok, "{removed:?}\n{}", metas[l].log_tail(30));
    let deadline = Instant::now() + T;
    while metas[l].status()["cluster_id"] != 0 {
        assert!(Instant::now() < deadline, "it did not leave: {}", metas[l].log_tail(20));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !metas[l].dir().join("meta/node.json").exists(),
        "its identity is deleted"
    );
    metas[l].kill9();
    // The other two elect a leader between them and go on committing.
    let (others, leaders) = (metas.iter().filter(|m| m.running()).count(), leader(&metas, T));
    assert_eq!(others, 2);
    assert!(leaders.is_some_and(|n| n != l), "a new leader among the others");
    let survivor = metas.iter().find(|m| m.running()).unwrap();
    let index = index_of(&survivor.execute(create_database("after")));
    wait_applied(&metas, index, T).unwrap();
    let data = survivor.data();
    let left: Vec<&str> = data["meta_nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["http_addr"].as_str().unwrap())
        .collect();
    assert_eq!(left.len(), 2, "{data}");
    assert!(!left.contains(&me.as_str()), "{left:?}");
    let voters = survivor.status()["raft"]["voters"].as_array().map_or(0, Vec::len);
    assert_eq!(voters, 2, "{}", survivor.status());
}

#[test]
fn concurrent_creates_give_one_result_per_name_and_unique_ids() {
    let metas = form(3, &[], &[]);
    index_of(&metas[0].execute(json!({"AddDataNode": {"http_addr": "a:8086", "rpc_addr": "a:8088"}})));
    let metas = Arc::new(metas);
    let mut threads = Vec::new();
    for t in 0..6 {
        let metas = Arc::clone(&metas);
        threads.push(std::thread::spawn(move || {
            let m = &metas[t % 3];
            let db = m.execute(create_database("shared"));
            assert_eq!(db.0, 200, "{db:?}");
            assert_eq!(db.1["result"]["Ok"], "Done", "CREATE DATABASE is idempotent: {db:?}");
            let mut groups = Vec::new();
            for ts in [0i64, 86_400_000_000_000 * 7, 86_400_000_000_000 * 14] {
                let (status, g) = m.execute(json!({"CreateShardGroup": {"database": "shared", "policy": "autogen",
                    "timestamp": ts, "shards": 2}}));
                assert_eq!(status, 200, "{g}");
                groups.push(g["result"]["Ok"]["ShardGroup"].clone());
            }
            groups
        }));
    }
    let results: Vec<Vec<Value>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    for r in &results[1..] {
        assert_eq!(r, &results[0], "every client got the same group for the same time");
    }
    let group_ids: BTreeSet<u64> = results[0].iter().map(|g| g["id"].as_u64().unwrap()).collect();
    let shard_ids: BTreeSet<u64> = results[0]
        .iter()
        .flat_map(|g| {
            g["shards"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(group_ids.len(), 3);
    assert_eq!(shard_ids.len(), 6, "shard ids are unique");
    let data = metas[1].data();
    assert_eq!(database_names(&data).len(), 1);
    assert_eq!(
        data["databases"][0]["retention_policies"][0]["shard_groups"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn the_shared_secret_guards_the_meta_api_and_raft() {
    let secret = [("CAIRN_META_INTERNAL_SHARED_SECRET", "s3cret")];
    let metas = form(2, &secret, &secret);
    let m = &metas[0];
    let (status, body) = m.call("GET", "/status", None);
    assert_eq!(status, 401, "no secret: {body}");
    assert!(body["error"].as_str().unwrap().contains("shared secret"), "{body}");
    let (status, _) = m.call_with("GET", "/status", None, Some("wrong"));
    assert_eq!(status, 401);
    assert_eq!(m.call_with("GET", "/status", None, Some("s3cret")).0, 200);
    assert_eq!(m.call("GET", "/ping", None).0, 204, "/ping needs no secret");
    let show = ctl(&m.addr(), &["show"], &[]);
    assert!(!show.ok && show.stderr.contains("--secret"), "{show:?}");
    assert!(ctl(&m.addr(), &["show"], &secret).ok);
    // A node with another secret cannot join: the leader's calls to it are refused, and so
    // would be its Raft messages.
    let stranger = Meta::start(&[("CAIRN_META_INTERNAL_SHARED_SECRET", "other")]);
    let join = ctl(&m.addr(), &["add-meta", &stranger.addr()], &secret);
    assert!(!join.ok, "{join:?}");
    assert!(join.stderr.contains("shared secret"), "{join:?}");
    // Raft RPC between the two members runs with the secret (they agree on the data).
    let last = index_of(&(m.call_with("POST", "/execute", Some(&create_database("x")), Some("s3cret"))));
    let deadline = Instant::now() + T;
    while metas[1].call_with("GET", "/data", None, Some("s3cret")).1["index"].as_u64() < Some(last) {
        assert!(Instant::now() < deadline, "the follower did not apply {last}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
