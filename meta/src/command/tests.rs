use super::*;
use crate::time::NANOS_PER_HOUR;

const DAY: i64 = 24 * NANOS_PER_HOUR;

fn run(data: &mut MetaData, c: Command) -> Result<Outcome> {
    let index = data.index + 1;
    apply(data, index, &c)
}

fn create_db(data: &mut MetaData, name: &str, spec: Option<RetentionPolicySpec>) -> Result<Outcome> {
    run(
        data,
        Command::CreateDatabase {
            name: name.into(),
            spec,
            default_policy: true,
        },
    )
}

fn spec(name: Option<&str>, duration: Option<i64>) -> RetentionPolicySpec {
    RetentionPolicySpec {
        name: name.map(Into::into),
        duration,
        replica_n: None,
        shard_group_duration: 0,
    }
}

#[test]
fn create_database_is_idempotent_and_keeps_creation_order() {
    let mut data = MetaData::default();
    create_db(&mut data, "b", None).unwrap();
    create_db(&mut data, "a", None).unwrap();
    create_db(&mut data, "b", None).unwrap();
    let names: Vec<_> = data.databases.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["b", "a"]);
    let rp = data.retention_policy("a", "").unwrap();
    assert_eq!(
        (rp.name.as_str(), rp.duration, rp.shard_group_duration, rp.replica_n),
        ("autogen", 0, 7 * DAY, 1)
    );
    let f = |name: &str| create_db(&mut MetaData::default(), name, None).unwrap_err().to_string();
    assert_eq!(f(""), "invalid name");
    assert_eq!(f("a/b"), "invalid name");
    assert_eq!(f(".."), "invalid name");
    assert_eq!(f("tab\there"), "invalid name");
}

#[test]
fn create_database_with_policy_follows_influxdb() {
    let mut data = MetaData::default();
    create_db(&mut data, "db", Some(spec(Some("week"), Some(7 * DAY)))).unwrap();
    let rp = data.retention_policy("db", "").unwrap();
    assert_eq!((rp.name.as_str(), rp.shard_group_duration), ("week", DAY));
    // The same again is fine; anything else conflicts.
    create_db(&mut data, "db", Some(spec(Some("week"), Some(7 * DAY)))).unwrap();
    let err = create_db(&mut data, "db", Some(spec(Some("week"), Some(8 * DAY)))).unwrap_err();
    assert_eq!(err, Error::RetentionPolicyConflict);
    let err = create_db(&mut data, "db", Some(spec(Some("other"), None))).unwrap_err();
    assert_eq!(err, Error::RetentionPolicyConflict);
    let err = create_db(&mut data, "x", Some(spec(None, Some(NANOS_PER_HOUR / 2)))).unwrap_err();
    assert_eq!(err.to_string(), "retention policy duration must be at least 1h0m0s");
    assert!(data.database("x").is_none());
}

#[test]
fn retention_policies_follow_influxdb() {
    let mut data = MetaData::default();
    create_db(&mut data, "db", None).unwrap();
    let mk = |name: &str, d: i64, sgd: i64, make_default: bool| Command::CreateRetentionPolicy {
        database: "db".into(),
        spec: RetentionPolicySpec {
            name: Some(name.into()),
            duration: Some(d),
            replica_n: Some(1),
            shard_group_duration: sgd,
        },
        make_default,
    };
    run(&mut data, mk("short", 3 * DAY, 0, false)).unwrap();
    assert_eq!(data.retention_policy("db", "short").unwrap().shard_group_duration, DAY);
    // Identical: fine. Different: exists. Same but asking for default: conflict.
    run(&mut data, mk("short", 3 * DAY, 0, false)).unwrap();
    assert_eq!(
        run(&mut data, mk("short", 4 * DAY, 0, false)),
        Err(Error::RetentionPolicyExists)
    );
    assert_eq!(
        run(&mut data, mk("short", 3 * DAY, 0, true)),
        Err(Error::RetentionPolicyConflict)
    );
    assert_eq!(
        run(&mut data, mk("bad", 2 * NANOS_PER_HOUR, 3 * NANOS_PER_HOUR, false)),
        Err(Error::IncompatibleDurations)
    );
    assert_eq!(
        run(&mut data, mk("bad", NANOS_PER_HOUR - 1, 0, false)),
        Err(Error::RetentionPolicyDurationTooLow)
    );
    let on_missing = Command::CreateRetentionPolicy {
        database: "nodb".into(),
        spec: spec(Some("x"), Some(0)),
        make_default: false,
    };
    assert_eq!(
        run(&mut data, on_missing).unwrap_err().to_string(),
        "database not found: nodb"
    );

    let alter = |duration: Option<i64>, sgd: Option<i64>, make_default: bool| Command::UpdateRetentionPolicy {
        database: "db".into(),
        name: "short".into(),
        new_name: None,
        duration,
        replica_n: None,
        shard_group_duration: sgd,
        make_default,
    };
    assert_eq!(
        run(&mut data, alter(Some(NANOS_PER_HOUR), None, false)),
        Err(Error::IncompatibleDurations)
    );
    run(&mut data, alter(Some(10 * DAY), Some(2 * DAY), true)).unwrap();
    let rp = data.retention_policy("db", "").unwrap();
    assert_eq!(
        (rp.name.as_str(), rp.duration, rp.shard_group_duration),
        ("short", 10 * DAY, 2 * DAY)
    );
    run(
        &mut data,
        Command::DropRetentionPolicy {
            database: "db".into(),
            name: "short".into(),
        },
    )
    .unwrap();
    assert!(data.database("db").unwrap().retention_policy("short").is_none());
}

#[test]
fn shard_groups_cover_their_time_and_spread_over_nodes() {
    let mut data = MetaData::default();
    create_db(&mut data, "db", None).unwrap();
    let group = |data: &mut MetaData, t: i64| match run(
        data,
        Command::CreateShardGroup {
            database: "db".into(),
            policy: "autogen".into(),
            timestamp: t,
            shards: 2,
        },
    ) {
        Ok(Outcome::ShardGroup(g)) => g,
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(
        run(
            &mut data,
            Command::CreateShardGroup {
                database: "db".into(),
                policy: "autogen".into(),
                timestamp: 0,
                shards: 1
            }
        ),
        Err(Error::NoDataNodes)
    );
    for addr in ["a:8086", "b:8086", "c:8086"] {
        run(
            &mut data,
            Command::AddDataNode {
                http_addr: addr.into(),
                rpc_addr: addr.into(),
            },
        )
        .unwrap();
    }
    let t = 1_700_000_000_000_000_000;
    let g = group(&mut data, t);
    assert_eq!(
        (g.start_time, g.end_time - g.start_time),
        (1_699_833_600_000_000_000, 7 * DAY)
    );
    assert_eq!(g.shards.len(), 2);
    assert!(g.shards.iter().all(|s| s.owners.len() == 1));
    assert_ne!(g.shards[0].owners, g.shards[1].owners);
    // The same window finds the same group; ids keep counting.
    assert_eq!(group(&mut data, g.end_time - 1), g);
    let earlier = group(&mut data, t - 7 * DAY);
    assert_eq!(earlier.id, g.id + 1);
    let rp = data.retention_policy("db", "").unwrap();
    assert_eq!(
        rp.shard_groups.iter().map(|g| g.id).collect::<Vec<_>>(),
        [earlier.id, g.id]
    );
    assert_eq!(data.max_shard_id, 4);
    // The last group of time ends one past the max.
    let last = group(&mut data, i64::MAX - 1);
    assert_eq!(last.end_time, i64::MAX);
    run(
        &mut data,
        Command::DeleteShardGroup {
            database: "db".into(),
            policy: "autogen".into(),
            id: g.id,
            at: 5,
        },
    )
    .unwrap();
    assert!(data.retention_policy("db", "").unwrap().shard_group_at(t).is_none());
    run(&mut data, Command::PurgeShardGroups { before: 6 }).unwrap();
    assert_eq!(data.retention_policy("db", "").unwrap().shard_groups.len(), 2);
    // A shard count past the limit is refused, not allocated, and changes nothing.
    let before = data.clone();
    assert_eq!(
        run(
            &mut data,
            Command::CreateShardGroup {
                database: "db".into(),
                policy: "autogen".into(),
                timestamp: t,
                shards: u32::MAX,
            }
        ),
        Err(Error::TooManyShards {
            asked: u32::MAX,
            max: MAX_SHARDS_PER_GROUP
        })
    );
    assert_eq!(data.max_shard_id, before.max_shard_id);
}

#[test]
fn users_and_privileges() {
    let mut data = MetaData::default();
    let user = |name: &str, admin| Command::CreateUser {
        name: name.into(),
        hash: "h".into(),
        admin,
    };
    run(&mut data, user("bob", false)).unwrap();
    assert_eq!(run(&mut data, user("bob", false)), Err(Error::UserExists));
    assert_eq!(run(&mut data, user("", false)), Err(Error::UsernameRequired));
    assert!(!data.admin_exists());
    run(&mut data, user("root", true)).unwrap();
    assert!(data.admin_exists());
    let grant = |db: &str, user: &str| Command::SetPrivilege {
        user: user.into(),
        database: db.into(),
        privilege: Privilege::Read,
    };
    assert_eq!(
        run(&mut data, grant("db", "bob")).unwrap_err().to_string(),
        "database not found: db"
    );
    create_db(&mut data, "db", None).unwrap();
    assert_eq!(run(&mut data, grant("db", "eve")), Err(Error::UserNotFound));
    run(&mut data, grant("db", "bob")).unwrap();
    assert_eq!(data.user("bob").unwrap().privileges["db"], Privilege::Read);
    run(&mut data, Command::DropDatabase { name: "db".into() }).unwrap();
    assert!(data.user("bob").unwrap().privileges.is_empty());
    run(&mut data, Command::DropUser { name: "bob".into() }).unwrap();
    assert_eq!(
        run(&mut data, Command::DropUser { name: "bob".into() }),
        Err(Error::UserNotFound)
    );
    assert!(Privilege::All.allows(Privilege::Read) && !Privilege::Read.allows(Privilege::Write));
}

#[test]
fn continuous_queries_are_kept_per_database() {
    let mut data = MetaData::default();
    run(
        &mut data,
        Command::CreateDatabase {
            name: "db".into(),
            spec: None,
            default_policy: true,
        },
    )
    .unwrap();
    let create = |query: &str| Command::CreateContinuousQuery {
        database: "db".into(),
        name: "cq".into(),
        query: query.into(),
    };
    run(&mut data, create("CREATE CONTINUOUS QUERY cq ON db BEGIN a END")).unwrap();
    // The same definition again is fine; another one under the same name is not.
    run(&mut data, create("CREATE CONTINUOUS QUERY cq ON db BEGIN a END")).unwrap();
    let err = run(&mut data, create("CREATE CONTINUOUS QUERY cq ON db BEGIN b END")).unwrap_err();
    assert_eq!(err.to_string(), "continuous query already exists");
    assert_eq!(data.database("db").unwrap().continuous_queries.len(), 1);
    let drop = || Command::DropContinuousQuery {
        database: "db".into(),
        name: "cq".into(),
    };
    run(&mut data, drop()).unwrap();
    // Dropping what is not there succeeds, as in InfluxDB.
    run(&mut data, drop()).unwrap();
    assert!(data.database("db").unwrap().continuous_queries.is_empty());
    let err = run(
        &mut data,
        Command::CreateContinuousQuery {
            database: "nodb".into(),
            name: "cq".into(),
            query: "x".into(),
        },
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "database not found: nodb");
}

#[test]
fn names_past_their_byte_limits_are_refused() {
    let mut data = MetaData::default();
    let long = "x".repeat(MAX_DATABASE_NAME_BYTES + 1);
    let err = create_db(&mut data, &long, None).unwrap_err();
    assert_eq!(err.to_string(), "database name too long: 256 bytes, the limit is 255");
    // Bytes, not characters: 128 two-byte characters are 256 bytes.
    assert!(matches!(
        create_db(&mut data, &"é".repeat(128), None),
        Err(Error::NameTooLong { len: 256, .. })
    ));
    create_db(&mut data, &"x".repeat(MAX_DATABASE_NAME_BYTES), None).unwrap();
    create_db(&mut data, "db", None).unwrap();
    let long_rp = "r".repeat(MAX_RETENTION_POLICY_NAME_BYTES + 1);
    let err = create_db(&mut data, "db2", Some(spec(Some(&long_rp), None))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "retention policy name too long: 256 bytes, the limit is 255"
    );
    assert!(
        data.database("db2").is_none(),
        "a refused CREATE DATABASE leaves nothing"
    );
    let err = run(
        &mut data,
        Command::CreateRetentionPolicy {
            database: "db".into(),
            spec: spec(Some(&long_rp), None),
            make_default: false,
        },
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::NameTooLong { ref kind, .. } if kind == "retention policy"
    ));
    let err = run(
        &mut data,
        Command::UpdateRetentionPolicy {
            database: "db".into(),
            name: "autogen".into(),
            new_name: Some(long_rp.clone()),
            duration: None,
            replica_n: None,
            shard_group_duration: None,
            make_default: false,
        },
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::NameTooLong { ref kind, .. } if kind == "retention policy"
    ));
    let err = run(
        &mut data,
        Command::CreateUser {
            name: "u".repeat(MAX_USER_NAME_BYTES + 1),
            hash: String::new(),
            admin: false,
        },
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "user name too long: 256 bytes, the limit is 255");
    assert!(data.users.is_empty());
}

fn add_data(data: &mut MetaData, http: &str) -> u64 {
    match run(
        data,
        Command::AddDataNode {
            http_addr: http.into(),
            rpc_addr: format!("{http}-rpc"),
        },
    ) {
        Ok(Outcome::Node(id)) => id,
        other => panic!("{other:?}"),
    }
}

fn add_meta(data: &mut MetaData, http: &str) -> u64 {
    match run(
        data,
        Command::AddMetaNode {
            http_addr: http.into(),
            raft_addr: format!("{http}-raft"),
        },
    ) {
        Ok(Outcome::Node(id)) => id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn node_ids_are_shared_by_meta_and_data_nodes_and_never_reused() {
    let mut data = MetaData::default();
    let m1 = add_meta(&mut data, "m1:8091");
    let d1 = add_data(&mut data, "d1:8086");
    assert_eq!((m1, d1), (1, 2));
    assert_eq!(add_meta(&mut data, "m1:8091"), m1, "adding twice finds the node");
    assert_eq!(add_data(&mut data, "d1:8086"), d1);
    run(&mut data, Command::RemoveDataNode { id: d1 }).unwrap();
    run(&mut data, Command::RemoveMetaNode { id: m1 }).unwrap();
    assert_eq!(add_data(&mut data, "d1:8086"), 3, "a removed id is not given again");
    assert_eq!(add_meta(&mut data, "m1:8091"), 4);
    assert_eq!(
        run(&mut data, Command::RemoveMetaNode { id: m1 })
            .unwrap_err()
            .to_string(),
        "meta node 1 not found"
    );
    assert_eq!(
        run(&mut data, Command::RemoveDataNode { id: 99 })
            .unwrap_err()
            .to_string(),
        "data node 99 not found"
    );
}

#[test]
fn a_removed_data_node_leaves_every_shards_owners() {
    let mut data = MetaData::default();
    let a = add_data(&mut data, "a:8086");
    let b = add_data(&mut data, "b:8086");
    create_db(&mut data, "db", None).unwrap();
    let group = match run(
        &mut data,
        Command::CreateShardGroup {
            database: "db".into(),
            policy: "autogen".into(),
            timestamp: 0,
            shards: 2,
        },
    ) {
        Ok(Outcome::ShardGroup(g)) => g,
        other => panic!("{other:?}"),
    };
    assert!(group.shards.iter().any(|s| s.owners.contains(&a)));
    let index = data.index;
    run(&mut data, Command::RemoveDataNode { id: a }).unwrap();
    assert!(data.index > index);
    let rp = data.retention_policy("db", "").unwrap();
    for shard in rp.shard_groups.iter().flat_map(|g| &g.shards) {
        assert!(!shard.owners.contains(&a), "{shard:?}");
        assert!(shard.owners.iter().all(|o| *o == b), "{shard:?}");
    }
    assert_eq!(data.data_nodes.iter().map(|n| n.id).collect::<Vec<_>>(), [b]);
}

#[test]
fn update_data_node_keeps_the_id_and_refuses_a_taken_address() {
    let mut data = MetaData::default();
    let a = add_data(&mut data, "a:8086");
    add_data(&mut data, "b:8086");
    let update = |id, http: &str| Command::UpdateDataNode {
        id,
        http_addr: http.into(),
        rpc_addr: format!("{http}-rpc"),
    };
    run(&mut data, update(a, "a2:8086")).unwrap();
    assert_eq!(data.data_node(a).unwrap().http_addr, "a2:8086");
    assert_eq!(data.data_node(a).unwrap().rpc_addr, "a2:8086-rpc");
    assert_eq!(
        run(&mut data, update(a, "b:8086")).unwrap_err().to_string(),
        "a node at b:8086 already exists"
    );
    assert_eq!(
        run(&mut data, update(7, "c:8086")).unwrap_err(),
        Error::DataNodeNotFound(7)
    );
}

#[test]
fn a_lease_has_one_holder_until_it_expires_and_goes_with_its_node() {
    let mut data = MetaData::default();
    let a = add_data(&mut data, "a:8086");
    let b = add_data(&mut data, "b:8086");
    let acquire = |node, now| Command::AcquireLease {
        name: "continuous_querier".into(),
        node,
        now,
        duration: 60,
    };
    let granted = run(&mut data, acquire(a, 0)).unwrap();
    assert!(matches!(granted, Outcome::Lease(Lease { owner, expires_at: 60, .. }) if owner == a));
    assert_eq!(
        run(&mut data, acquire(b, 30)).unwrap_err().to_string(),
        format!("lease continuous_querier is held by data node {a}")
    );
    // The holder renews; another node takes it once it has expired.
    assert!(matches!(
        run(&mut data, acquire(a, 50)).unwrap(),
        Outcome::Lease(Lease { expires_at: 110, .. })
    ));
    assert!(run(&mut data, acquire(b, 109)).is_err());
    assert!(matches!(run(&mut data, acquire(b, 110)).unwrap(), Outcome::Lease(Lease { owner, .. }) if owner == b));
    // A removed node's leases are free at once.
    run(&mut data, Command::RemoveDataNode { id: b }).unwrap();
    assert!(matches!(run(&mut data, acquire(a, 111)).unwrap(), Outcome::Lease(Lease { owner, .. }) if owner == a));
    assert_eq!(run(&mut data, acquire(99, 0)).unwrap_err(), Error::DataNodeNotFound(99));
    assert_eq!(data.leases.len(), 1);
}

#[test]
fn truncated_groups_end_early_and_new_groups_never_overlap() {
    let mut data = MetaData::default();
    add_data(&mut data, "a:8086");
    run(
        &mut data,
        Command::CreateDatabase {
            name: "db".into(),
            spec: None,
            default_policy: true,
        },
    )
    .unwrap();
    let group = |data: &mut MetaData, t| match run(
        data,
        Command::CreateShardGroup {
            database: "db".into(),
            policy: "autogen".into(),
            timestamp: t,
            shards: 1,
        },
    )
    .unwrap()
    {
        Outcome::ShardGroup(g) => g,
        other => panic!("{other:?}"),
    };
    let first = group(&mut data, 10);
    let boundary = first.end_time;
    let next_week = group(&mut data, boundary + 10);
    run(&mut data, Command::TruncateShardGroups { at: 1000 }).unwrap();
    let rp = data.retention_policy("db", "autogen").unwrap().clone();
    assert_eq!(
        rp.shard_group_at(10).unwrap().id,
        first.id,
        "before the cut: the old group"
    );
    assert_eq!(rp.shard_groups[0].end_time, 1000);
    assert_eq!(rp.shard_groups[0].truncated_at, Some(1000));
    assert_eq!(rp.shard_groups[1], next_week, "a group that starts later is not cut");
    assert!(
        rp.shard_group_at(1000).is_none(),
        "from the cut on, a new group is needed"
    );
    let after = group(&mut data, 5000);
    assert_ne!(after.id, first.id);
    assert_eq!(
        (after.start_time, after.end_time),
        (1000, boundary),
        "it fills the gap exactly"
    );
    // Idempotent: the same time finds the same group; truncating at a group start cuts nothing.
    assert_eq!(group(&mut data, 1000).id, after.id);
    run(&mut data, Command::TruncateShardGroups { at: boundary }).unwrap();
    assert_eq!(
        data.retention_policy("db", "autogen").unwrap().shard_groups[2],
        next_week
    );
}

#[test]
fn shards_left_to_the_cluster_reach_every_data_node_and_even_out_over_groups() {
    let mut data = MetaData::default();
    for i in 0..5 {
        add_data(&mut data, &format!("n{i}:8086"));
    }
    let rf2 = RetentionPolicySpec {
        replica_n: Some(2),
        ..spec(Some("rf2"), None)
    };
    create_db(&mut data, "db", Some(rf2)).unwrap();
    let mut replicas_per_node: BTreeMap<u64, usize> = BTreeMap::new();
    for g in 0..5 {
        let outcome = run(
            &mut data,
            Command::CreateShardGroup {
                database: "db".into(),
                policy: "rf2".into(),
                timestamp: g * 7 * DAY,
                shards: 0,
            },
        );
        let Ok(Outcome::ShardGroup(group)) = outcome else {
            panic!("unexpected {outcome:?}")
        };
        // 5 nodes at RF 2: ceil(5 / 2) = 3 shards, so the group reaches every node.
        assert_eq!(group.shards.len(), 3, "{group:?}");
        let mut nodes: Vec<u64> = group.shards.iter().flat_map(|s| s.owners.clone()).collect();
        for s in &group.shards {
            assert_eq!(s.owners.len(), 2);
            assert_ne!(s.owners[0], s.owners[1], "two distinct owners: {s:?}");
        }
        for n in &nodes {
            *replicas_per_node.entry(*n).or_default() += 1;
        }
        nodes.sort_unstable();
        nodes.dedup();
        assert_eq!(nodes.len(), 5, "every data node holds a replica of group {g}");
    }
    // 5 groups x 3 shards x 2 replicas = 30, evenly 6 per node.
    assert_eq!(replicas_per_node.values().copied().collect::<Vec<_>>(), vec![6; 5]);
    // Fewer nodes than the replication: one shard on all of them.
    let mut small = MetaData::default();
    add_data(&mut small, "a:8086");
    add_data(&mut small, "b:8086");
    let rf3 = RetentionPolicySpec {
        replica_n: Some(3),
        ..spec(Some("rf3"), None)
    };
    create_db(&mut small, "db", Some(rf3)).unwrap();
    let outcome = run(
        &mut small,
        Command::CreateShardGroup {
            database: "db".into(),
            policy: "rf3".into(),
            timestamp: 0,
            shards: 0,
        },
    );
    let Ok(Outcome::ShardGroup(group)) = outcome else {
        panic!("unexpected {outcome:?}")
    };
    assert_eq!(group.shards.len(), 1);
    assert_eq!(group.shards[0].owners.len(), 2);
}

mod refused {
    //! `apply` changes the metadata in place, trusting every command to check before it
    //! changes: a command that is refused must leave the metadata exactly as it was.
    use proptest::prelude::*;

    use super::*;

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![Just("a"), Just("b"), Just(""), Just("bad\nname")].prop_map(str::to_owned)
    }

    fn long_or(name: BoxedStrategy<String>) -> BoxedStrategy<String> {
        prop_oneof![4 => name, 1 => Just("x".repeat(300))].boxed()
    }

    fn policy() -> impl Strategy<Value = RetentionPolicySpec> {
        (
            proptest::option::of(long_or(
                prop_oneof![Just("autogen"), Just("r"), Just("")]
                    .prop_map(str::to_owned)
                    .boxed(),
            )),
            proptest::option::of(prop_oneof![
                Just(0),
                Just(NANOS_PER_HOUR / 2),
                Just(DAY),
                Just(30 * DAY)
            ]),
            proptest::option::of(0u32..3),
            prop_oneof![Just(0), Just(NANOS_PER_HOUR), Just(7 * DAY)],
        )
            .prop_map(
                |(name, duration, replica_n, shard_group_duration)| RetentionPolicySpec {
                    name,
                    duration,
                    replica_n,
                    shard_group_duration,
                },
            )
    }

    fn command() -> impl Strategy<Value = Command> {
        let db = || long_or(name().boxed());
        let rp = || prop_oneof![Just("autogen"), Just("r"), Just("missing")].prop_map(str::to_owned);
        let node = || 0u64..5;
        let time = || prop_oneof![Just(0i64), Just(DAY), Just(10 * DAY)];
        prop_oneof![
            (name(), name()).prop_map(|(h, r)| Command::AddDataNode {
                http_addr: h,
                rpc_addr: r
            }),
            (node(), name(), name()).prop_map(|(id, h, r)| Command::UpdateDataNode {
                id,
                http_addr: h,
                rpc_addr: r
            }),
            node().prop_map(|id| Command::RemoveDataNode { id }),
            (name(), name()).prop_map(|(h, r)| Command::AddMetaNode {
                http_addr: h,
                raft_addr: r
            }),
            node().prop_map(|id| Command::RemoveMetaNode { id }),
            (name(), node(), time(), time()).prop_map(|(name, node, now, duration)| Command::AcquireLease {
                name,
                node,
                now,
                duration
            }),
            (db(), proptest::option::of(policy()), any::<bool>()).prop_map(|(name, spec, default_policy)| {
                Command::CreateDatabase {
                    name,
                    spec,
                    default_policy,
                }
            }),
            db().prop_map(|name| Command::DropDatabase { name }),
            (db(), policy(), any::<bool>()).prop_map(|(database, spec, make_default)| {
                Command::CreateRetentionPolicy {
                    database,
                    spec,
                    make_default,
                }
            }),
            (
                db(),
                rp(),
                proptest::option::of(long_or(rp().boxed())),
                proptest::option::of(prop_oneof![Just(0), Just(NANOS_PER_HOUR / 2), Just(DAY)]),
                proptest::option::of(0u32..3),
                proptest::option::of(prop_oneof![Just(NANOS_PER_HOUR), Just(7 * DAY)]),
                any::<bool>()
            )
                .prop_map(
                    |(database, name, new_name, duration, replica_n, shard_group_duration, make_default)| {
                        Command::UpdateRetentionPolicy {
                            database,
                            name,
                            new_name,
                            duration,
                            replica_n,
                            shard_group_duration,
                            make_default,
                        }
                    }
                ),
            (db(), rp()).prop_map(|(database, name)| Command::DropRetentionPolicy { database, name }),
            (
                db(),
                rp(),
                time(),
                prop_oneof![Just(0u32), Just(3), Just(MAX_SHARDS_PER_GROUP + 1)]
            )
                .prop_map(|(database, policy, timestamp, shards)| Command::CreateShardGroup {
                    database,
                    policy,
                    timestamp,
                    shards
                }),
            (db(), rp(), 0u64..4, time()).prop_map(|(database, policy, id, at)| Command::DeleteShardGroup {
                database,
                policy,
                id,
                at
            }),
            (0u64..6, time()).prop_map(|(id, at)| Command::DropShard { id, at }),
            time().prop_map(|at| Command::TruncateShardGroups { at }),
            time().prop_map(|before| Command::PurgeShardGroups { before }),
            (long_or(name().boxed()), any::<bool>()).prop_map(|(name, admin)| Command::CreateUser {
                name,
                hash: "h".into(),
                admin
            }),
            name().prop_map(|name| Command::DropUser { name }),
            name().prop_map(|name| Command::UpdateUser {
                name,
                hash: "h2".into()
            }),
            (name(), db(), prop_oneof![Just(Privilege::Read), Just(Privilege::All)]).prop_map(
                |(user, database, privilege)| Command::SetPrivilege {
                    user,
                    database,
                    privilege
                }
            ),
            (name(), any::<bool>()).prop_map(|(user, admin)| Command::SetAdmin { user, admin }),
            (db(), name(), prop_oneof![Just("q1"), Just("q2")]).prop_map(|(database, name, q)| {
                Command::CreateContinuousQuery {
                    database,
                    name,
                    query: q.into(),
                }
            }),
            (db(), name()).prop_map(|(database, name)| Command::DropContinuousQuery { database, name }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn a_refused_command_changes_nothing(commands in proptest::collection::vec(command(), 1..60)) {
            let mut data = MetaData::default();
            for c in commands {
                let before = data.clone();
                if run(&mut data, c.clone()).is_err() {
                    prop_assert_eq!(&data, &before, "{:?} was refused but changed the metadata", c);
                } else {
                    prop_assert_eq!(data.index, before.index + 1);
                }
            }
        }
    }
}
