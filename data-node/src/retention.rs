//! retention: the two background jobs on shard groups. Expiry drops groups whose data is
//! all older than their policy keeps (and their local shards); precreation creates the next
//! group shortly before the current one ends, so the first write of a new period does not
//! wait for the metadata. Both follow InfluxDB 1.x's services of the same names.

use meta::{Command, MetaData};

use crate::meta_client::MetaClient;
use crate::store::Store;

/// Marks expired shard groups deleted and deletes the local shards of deleted groups.
pub fn enforce(meta: &dyn MetaClient, store: &Store, now: i64) {
    let data = meta.data();
    for db in &data.databases {
        for rp in &db.retention_policies {
            if rp.duration == 0 {
                continue;
            }
            for g in &rp.shard_groups {
                if g.deleted_at.is_none() && g.end_time.saturating_add(rp.duration) < now {
                    tracing::info!(database = %db.name, policy = %rp.name, group = g.id, "shard group expired");
                    if let Err(e) = meta.apply(Command::DeleteShardGroup {
                        database: db.name.clone(),
                        policy: rp.name.clone(),
                        id: g.id,
                        at: now,
                    }) {
                        tracing::error!(group = g.id, error = %e, "cannot delete expired shard group");
                    }
                }
            }
        }
    }
    delete_orphans(&meta.data(), store);
    // Deleted groups are kept a while so that other nodes see the deletion, then forgotten.
    let _ = meta.apply(Command::PurgeShardGroups {
        before: now.saturating_sub(24 * meta::NANOS_PER_HOUR),
    });
}

/// Deletes open local shards that no live shard group holds any more.
pub fn delete_orphans(data: &MetaData, store: &Store) {
    for local in store.all() {
        let live = data
            .shard_groups()
            .any(|(_, _, g)| g.shards.iter().any(|s| s.id == local.id));
        if !live {
            if let Err(e) = store.delete(&local.database, &local.policy, local.id) {
                tracing::error!(shard = local.id, error = %e, "cannot delete shard");
            }
        }
    }
}

/// Creates the group after the latest one of each policy when that one ends within
/// `advance` from `now`.
pub fn precreate(meta: &dyn MetaClient, now: i64, advance: i64, shards_per_group: u32) {
    let data = meta.data();
    let to = now.saturating_add(advance);
    for db in &data.databases {
        for rp in &db.retention_policies {
            let Some(last) = rp
                .shard_groups
                .iter()
                .filter(|g| g.deleted_at.is_none())
                .max_by_key(|g| g.end_time)
            else {
                continue;
            };
            if last.end_time < to && last.end_time > now && rp.shard_group_at(last.end_time).is_none() {
                if let Err(e) = meta.apply(Command::CreateShardGroup {
                    database: db.name.clone(),
                    policy: rp.name.clone(),
                    timestamp: last.end_time,
                    shards: shards_per_group,
                }) {
                    tracing::warn!(database = %db.name, policy = %rp.name, error = %e, "cannot precreate shard group");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use meta::{Command, LocalStore, Outcome, RetentionPolicySpec, NANOS_PER_HOUR};
    use shard::ShardOptions;

    use super::*;

    const DAY: i64 = 24 * NANOS_PER_HOUR;

    fn setup(dir: &std::path::Path) -> (Arc<LocalStore>, Store) {
        let meta = Arc::new(LocalStore::open(&dir.join("meta")).unwrap());
        meta.apply(&Command::AddDataNode {
            http_addr: "a".into(),
            rpc_addr: String::new(),
        })
        .unwrap();
        meta.apply(&Command::CreateDatabase {
            name: "db".into(),
            spec: Some(RetentionPolicySpec {
                name: Some("short".into()),
                duration: Some(2 * DAY),
                replica_n: None,
                shard_group_duration: 0,
            }),
            default_policy: true,
        })
        .unwrap();
        (meta, Store::new(&dir.join("data"), ShardOptions::default()))
    }

    fn group(meta: &LocalStore, t: i64) -> meta::ShardGroupInfo {
        match meta
            .apply(&Command::CreateShardGroup {
                database: "db".into(),
                policy: "short".into(),
                timestamp: t,
                shards: 1,
            })
            .unwrap()
        {
            Outcome::ShardGroup(g) => g,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn expired_groups_are_dropped_with_their_shards() {
        let dir = tempfile::tempdir().unwrap();
        let (meta, store) = setup(dir.path());
        let now = 100 * DAY;
        let old = group(&meta, now - 5 * DAY);
        let recent = group(&meta, now - DAY);
        let old_shard = store.open("db", "short", old.shards[0].id).unwrap();
        let old_dir = old_shard.shard.dir().to_path_buf();
        drop(old_shard);
        store.open("db", "short", recent.shards[0].id).unwrap();
        assert!(old_dir.exists());

        enforce(meta.as_ref(), &store, now);
        let data = meta.data();
        let rp = data.retention_policy("db", "short").unwrap();
        assert!(
            rp.shard_group_at(now - 5 * DAY).is_none(),
            "the expired group is deleted"
        );
        assert!(rp.shard_group_at(now - DAY).is_some(), "the live group stays");
        assert!(!old_dir.exists(), "the expired shard's directory is gone");
        assert!(store.get(recent.shards[0].id).is_some());
        // A day later the deleted group is forgotten altogether.
        enforce(meta.as_ref(), &store, now + 2 * DAY);
        let data = meta.data();
        assert!(data
            .retention_policy("db", "short")
            .unwrap()
            .shard_groups
            .iter()
            .all(|g| g.id != old.id));
    }

    #[test]
    fn the_next_group_is_created_before_it_is_needed() {
        let dir = tempfile::tempdir().unwrap();
        let (meta, _store) = setup(dir.path());
        let now = 100 * DAY + 23 * NANOS_PER_HOUR + 50 * 60_000_000_000;
        let current = group(&meta, now);
        assert_eq!(current.end_time, 101 * DAY);
        // Ten minutes before the end, with 30 minutes of advance: the next day exists.
        precreate(meta.as_ref(), now, 30 * 60_000_000_000, 1);
        let data = meta.data();
        let next = data
            .retention_policy("db", "short")
            .unwrap()
            .shard_group_at(101 * DAY)
            .cloned();
        assert_eq!(next.map(|g| (g.start_time, g.end_time)), Some((101 * DAY, 102 * DAY)));
        // Far from the end nothing is created.
        let before = meta.data().max_shard_group_id;
        precreate(meta.as_ref(), 101 * DAY + NANOS_PER_HOUR, 30 * 60_000_000_000, 1);
        assert_eq!(meta.data().max_shard_group_id, before);
    }
}
