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
