//! command: every change to the metadata, and the one function that applies it. The rules
//! and their order of checks are InfluxDB 1.x's (services/meta/data.go and the meta client),
//! so the same statements fail with the same texts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{
    check_length, valid_name, ContinuousQueryInfo, DataNode, DatabaseInfo, Lease, MetaData, MetaNode, Privilege,
    RetentionPolicyInfo, RetentionPolicySpec, ShardGroupInfo, ShardInfo, UserInfo,
};
use crate::error::{Error, Result};
use crate::time::{normalised_shard_duration, truncate_to_duration, MIN_RETENTION_DURATION};
use crate::{MAX_DATABASE_NAME_BYTES, MAX_RETENTION_POLICY_NAME_BYTES, MAX_USER_NAME_BYTES};

/// A change to the metadata. Commands carry everything they need (password hashes, times),
/// so applying one is deterministic: every replica that applies the same commands holds the
/// same [`MetaData`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Adds (or finds) a data node by its addresses.
    AddDataNode {
        http_addr: String,
        rpc_addr: String,
    },
    /// Moves a data node to new addresses, keeping its id (and so its shards).
    UpdateDataNode {
        id: u64,
        http_addr: String,
        rpc_addr: String,
    },
    /// Forgets a data node. It leaves the owners of every shard; a shard it owned alone is
    /// left with no owner, for queries to report by name (moving data first is the
    /// operator's `copy-shard`, or a later rebalance).
    RemoveDataNode {
        id: u64,
    },
    /// Adds (or finds, by its HTTP address) a meta node.
    AddMetaNode {
        http_addr: String,
        raft_addr: String,
    },
    RemoveMetaNode {
        id: u64,
    },
    /// Takes or renews the lease `name` for data node `node` until `now + duration`
    /// (nanoseconds; `now` is the proposer's clock). Refused while another node holds it
    /// unexpired; a node that is removed loses its leases.
    AcquireLease {
        name: String,
        node: u64,
        now: i64,
        duration: i64,
    },
    /// CREATE DATABASE; with `spec` for `WITH ...`, and otherwise the default policy
    /// `autogen` when `default_policy` is set (InfluxDB's `retention-autocreate`).
    CreateDatabase {
        name: String,
        spec: Option<RetentionPolicySpec>,
        default_policy: bool,
    },
    DropDatabase {
        name: String,
    },
    CreateRetentionPolicy {
        database: String,
        spec: RetentionPolicySpec,
        make_default: bool,
    },
    UpdateRetentionPolicy {
        database: String,
        name: String,
        new_name: Option<String>,
        duration: Option<i64>,
        replica_n: Option<u32>,
        shard_group_duration: Option<i64>,
        make_default: bool,
    },
    DropRetentionPolicy {
        database: String,
        name: String,
    },
    /// Creates the shard group holding `timestamp`, with `shards` shards placed on the data
    /// nodes (0: enough to reach every data node at the policy's replication), unless one
    /// exists.
    CreateShardGroup {
        database: String,
        policy: String,
        timestamp: i64,
        shards: u32,
    },
    /// Marks a shard group deleted (retention expiry).
    DeleteShardGroup {
        database: String,
        policy: String,
        id: u64,
        at: i64,
    },
    /// Removes a shard from its group (DROP SHARD); a group left empty is deleted.
    DropShard {
        id: u64,
        at: i64,
    },
    /// Ends every live shard group that holds `at` there (`cairn-ctl truncate-shards`):
    /// writes from `at` on go to new groups, on the data nodes of the moment, so that a new
    /// node takes writes at once rather than at the next group boundary.
    TruncateShardGroups {
        at: i64,
    },
    /// Forgets shard groups deleted before `before`.
    PurgeShardGroups {
        before: i64,
    },
    CreateUser {
        name: String,
        hash: String,
        admin: bool,
    },
    DropUser {
        name: String,
    },
    UpdateUser {
        name: String,
        hash: String,
    },
    SetPrivilege {
        user: String,
        database: String,
        privilege: Privilege,
    },
    SetAdmin {
        user: String,
        admin: bool,
    },
    /// CREATE CONTINUOUS QUERY: `query` is the statement's text. The same name with the
    /// same text again is not an error, as in InfluxDB.
    CreateContinuousQuery {
        database: String,
        name: String,
        query: String,
    },
    DropContinuousQuery {
        database: String,
        name: String,
    },
}

/// What applying a command produced, for the caller that needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Done,
    /// The node id of `AddDataNode` or `AddMetaNode`.
    Node(u64),
    /// The group of `CreateShardGroup` (new or existing).
    ShardGroup(ShardGroupInfo),
    /// The lease `AcquireLease` granted.
    Lease(Lease),
}

/// Applies `command` at log position `index`. On error `data` is unchanged.
///
/// The change is made in place: every command checks all it may refuse before it changes
/// anything (the property test `a_refused_command_changes_nothing` holds each one to it), so
/// applying costs what the command touches, not a copy of the whole metadata. A meta node
/// replaying thousands of log entries over thousands of databases depends on that.
pub fn apply(data: &mut MetaData, index: u64, command: &Command) -> Result<Outcome> {
    let outcome = apply_to(data, command)?;
    data.index = index;
    Ok(outcome)
}

fn apply_to(data: &mut MetaData, command: &Command) -> Result<Outcome> {
    match command {
        Command::AddDataNode { http_addr, rpc_addr } => {
            if let Some(n) = data.data_nodes.iter().find(|n| n.http_addr == *http_addr) {
                return Ok(Outcome::Node(n.id));
            }
            data.max_node_id += 1;
            let id = data.max_node_id;
            data.data_nodes.push(DataNode {
                id,
                http_addr: http_addr.clone(),
                rpc_addr: rpc_addr.clone(),
            });
            Ok(Outcome::Node(id))
        }
        Command::UpdateDataNode {
            id,
            http_addr,
            rpc_addr,
        } => {
            if data.data_nodes.iter().any(|n| n.id != *id && n.http_addr == *http_addr) {
                return Err(Error::NodeExists(http_addr.clone()));
            }
            let node = data
                .data_nodes
                .iter_mut()
                .find(|n| n.id == *id)
                .ok_or(Error::DataNodeNotFound(*id))?;
            node.http_addr.clone_from(http_addr);
            node.rpc_addr.clone_from(rpc_addr);
            Ok(Outcome::Done)
        }
        Command::RemoveDataNode { id } => {
            let before = data.data_nodes.len();
            data.data_nodes.retain(|n| n.id != *id);
            if data.data_nodes.len() == before {
                return Err(Error::DataNodeNotFound(*id));
            }
            for shard in data.all_shard_groups_mut().flat_map(|g| &mut g.shards) {
                shard.owners.retain(|o| o != id);
            }
            data.leases.retain(|l| l.owner != *id);
            Ok(Outcome::Done)
        }
        Command::AddMetaNode { http_addr, raft_addr } => {
            if let Some(n) = data.meta_nodes.iter().find(|n| n.http_addr == *http_addr) {
                return Ok(Outcome::Node(n.id));
            }
            data.max_node_id += 1;
            let id = data.max_node_id;
            data.meta_nodes.push(MetaNode {
                id,
                http_addr: http_addr.clone(),
                raft_addr: raft_addr.clone(),
            });
            Ok(Outcome::Node(id))
        }
        Command::RemoveMetaNode { id } => {
            let before = data.meta_nodes.len();
            data.meta_nodes.retain(|n| n.id != *id);
            if data.meta_nodes.len() == before {
                return Err(Error::MetaNodeNotFound(*id));
            }
            Ok(Outcome::Done)
        }
        Command::AcquireLease {
            name,
            node,
            now,
            duration,
        } => {
            if data.data_node(*node).is_none() {
                return Err(Error::DataNodeNotFound(*node));
            }
            let expires_at = now.saturating_add(*duration);
            let granted = Lease {
                name: name.clone(),
                owner: *node,
                expires_at,
            };
            match data.leases.iter_mut().find(|l| l.name == *name) {
                Some(held) if held.owner != *node && held.expires_at > *now => Err(Error::LeaseHeld {
                    name: name.clone(),
                    owner: held.owner,
                }),
                Some(held) => {
                    *held = granted.clone();
                    Ok(Outcome::Lease(granted))
                }
                None => {
                    data.leases.push(granted.clone());
                    Ok(Outcome::Lease(granted))
                }
            }
        }
        Command::CreateDatabase {
            name,
            spec,
            default_policy,
        } => create_database(data, name, spec.as_ref(), *default_policy).map(|()| Outcome::Done),
        Command::DropDatabase { name } => {
            data.databases.retain(|d| d.name != *name);
            for u in &mut data.users {
                u.privileges.remove(name);
            }
            Ok(Outcome::Done)
        }
        Command::CreateRetentionPolicy {
            database,
            spec,
            make_default,
        } => {
            if spec.duration.is_some_and(|d| d != 0 && d < MIN_RETENTION_DURATION) {
                return Err(Error::RetentionPolicyDurationTooLow);
            }
            create_retention_policy(data, database, spec, *make_default).map(|()| Outcome::Done)
        }
        Command::UpdateRetentionPolicy {
            database,
            name,
            new_name,
            duration,
            replica_n,
            shard_group_duration,
            make_default,
        } => {
            let db = data
                .database_mut(database)
                .ok_or_else(|| Error::DatabaseNotFound(database.clone()))?;
            let current = db
                .retention_policy(name)
                .ok_or_else(|| Error::RetentionPolicyNotFound(name.clone()))?
                .clone();
            if let Some(n) = new_name {
                check_length("retention policy", n, MAX_RETENTION_POLICY_NAME_BYTES)?;
            }
            if new_name
                .as_ref()
                .is_some_and(|n| n != name && db.retention_policy(n).is_some())
            {
                return Err(Error::RetentionPolicyNameExists);
            }
            if duration.is_some_and(|d| d != 0 && d < MIN_RETENTION_DURATION) {
                return Err(Error::RetentionPolicyDurationTooLow);
            }
            let too_short = match (*duration, *shard_group_duration) {
                (Some(d), Some(sgd)) => d > 0 && d < sgd,
                (Some(d), None) => d > 0 && d < current.shard_group_duration,
                (None, Some(sgd)) => current.duration > 0 && current.duration < sgd,
                (None, None) => false,
            };
            if too_short {
                return Err(Error::IncompatibleDurations);
            }
            if let Some(n) = replica_n {
                if *n < 1 {
                    return Err(Error::ReplicationFactorTooLow);
                }
            }
            let rp = db
                .retention_policy_mut(name)
                .ok_or(Error::RetentionPolicyNotFound(name.clone()))?;
            if let Some(n) = new_name {
                rp.name = n.clone();
            }
            if let Some(d) = duration {
                rp.duration = *d;
            }
            if let Some(n) = replica_n {
                rp.replica_n = *n;
            }
            if let Some(sgd) = shard_group_duration {
                rp.shard_group_duration = normalised_shard_duration(*sgd, rp.duration);
            }
            let rp_name = rp.name.clone();
            if db.default_retention_policy == *name && rp_name != *name {
                db.default_retention_policy = rp_name.clone();
            }
            if *make_default {
                db.default_retention_policy = rp_name;
            }
            Ok(Outcome::Done)
        }
        Command::DropRetentionPolicy { database, name } => {
            let db = data
                .database_mut(database)
                .ok_or_else(|| Error::DatabaseNotFound(database.clone()))?;
            db.retention_policies.retain(|rp| rp.name != *name);
            Ok(Outcome::Done)
        }
        Command::CreateShardGroup {
            database,
            policy,
            timestamp,
            shards,
        } => create_shard_group(data, database, policy, *timestamp, *shards).map(Outcome::ShardGroup),
        Command::DeleteShardGroup {
            database,
            policy,
            id,
            at,
        } => {
            let db = data
                .database_mut(database)
                .ok_or_else(|| Error::DatabaseNotFound(database.clone()))?;
            let rp = db
                .retention_policy_mut(policy)
                .ok_or_else(|| Error::RetentionPolicyNotFound(policy.clone()))?;
            let group = rp
                .shard_groups
                .iter_mut()
                .find(|g| g.id == *id)
                .ok_or(Error::ShardGroupNotFound)?;
            group.deleted_at.get_or_insert(*at);
            Ok(Outcome::Done)
        }
        Command::DropShard { id, at } => {
            for g in data.all_shard_groups_mut() {
                if let Some(i) = g.shards.iter().position(|s| s.id == *id) {
                    g.shards.remove(i);
                    if g.shards.is_empty() {
                        g.deleted_at.get_or_insert(*at);
                    }
                    return Ok(Outcome::Done);
                }
            }
            Ok(Outcome::Done)
        }
        Command::TruncateShardGroups { at } => {
            for g in data.all_shard_groups_mut() {
                if g.deleted_at.is_none() && g.start_time < *at && *at < g.end_time {
                    g.end_time = *at;
                    g.truncated_at = Some(*at);
                }
            }
            Ok(Outcome::Done)
        }
        Command::PurgeShardGroups { before } => {
            for db in &mut data.databases {
                for rp in &mut db.retention_policies {
                    rp.shard_groups.retain(|g| g.deleted_at.is_none_or(|at| at >= *before));
                }
            }
            Ok(Outcome::Done)
        }
        Command::CreateUser { name, hash, admin } => {
            if name.is_empty() {
                return Err(Error::UsernameRequired);
            }
            check_length("user", name, MAX_USER_NAME_BYTES)?;
            if data.user(name).is_some() {
                return Err(Error::UserExists);
            }
            data.users.push(UserInfo {
                name: name.clone(),
                hash: hash.clone(),
                admin: *admin,
                privileges: BTreeMap::new(),
            });
            Ok(Outcome::Done)
        }
        Command::CreateContinuousQuery { database, name, query } => {
            let db = data
                .database_mut(database)
                .ok_or_else(|| Error::DatabaseNotFound(database.clone()))?;
            match db.continuous_queries.iter().find(|c| c.name == *name) {
                Some(c) if c.query == *query => {}
                Some(_) => return Err(Error::ContinuousQueryExists),
                None => db.continuous_queries.push(ContinuousQueryInfo {
                    name: name.clone(),
                    query: query.clone(),
                }),
            }
            Ok(Outcome::Done)
        }
        Command::DropContinuousQuery { database, name } => {
            let db = data
                .database_mut(database)
                .ok_or_else(|| Error::DatabaseNotFound(database.clone()))?;
            // Dropping an unknown one is not an error in InfluxDB 1.x.
            db.continuous_queries.retain(|c| c.name != *name);
            Ok(Outcome::Done)
        }
        Command::DropUser { name } => {
            let before = data.users.len();
            data.users.retain(|u| u.name != *name);
            if data.users.len() == before {
                return Err(Error::UserNotFound);
            }
            Ok(Outcome::Done)
        }
        Command::UpdateUser { name, hash } => {
            user_mut(data, name)?.hash = hash.clone();
            Ok(Outcome::Done)
        }
        Command::SetPrivilege {
            user,
            database,
            privilege,
        } => {
            if data.user(user).is_none() {
                return Err(Error::UserNotFound);
            }
            if data.database(database).is_none() {
                return Err(Error::DatabaseNotFound(database.clone()));
            }
            user_mut(data, user)?.privileges.insert(database.clone(), *privilege);
            Ok(Outcome::Done)
        }
        Command::SetAdmin { user, admin } => {
            user_mut(data, user)?.admin = *admin;
            Ok(Outcome::Done)
        }
    }
}

fn user_mut<'a>(data: &'a mut MetaData, name: &str) -> Result<&'a mut UserInfo> {
    data.users
        .iter_mut()
        .find(|u| u.name == name)
        .ok_or(Error::UserNotFound)
}

/// CREATE DATABASE, idempotent as InfluxDB's `CreateDatabase` and
/// `CreateDatabaseWithRetentionPolicy` are.
fn create_database(
    data: &mut MetaData,
    name: &str,
    spec: Option<&RetentionPolicySpec>,
    default_policy: bool,
) -> Result<()> {
    if !valid_name(name) {
        return Err(Error::InvalidName);
    }
    check_length("database", name, MAX_DATABASE_NAME_BYTES)?;
    let Some(spec) = spec else {
        if data.database(name).is_none() {
            let policies = if default_policy {
                vec![checked_policy(&RetentionPolicySpec::default())?]
            } else {
                Vec::new()
            };
            push_database(data, name, policies);
        }
        return Ok(());
    };
    if spec.name.as_ref().is_some_and(|n| !valid_name(n)) {
        return Err(Error::InvalidName);
    }
    if spec.duration.is_some_and(|d| d != 0 && d < MIN_RETENTION_DURATION) {
        return Err(Error::RetentionPolicyDurationTooLow);
    }
    match data.database(name) {
        None => {
            let rp = checked_policy(spec)?;
            push_database(data, name, vec![rp]);
            Ok(())
        }
        Some(db) if db.retention_policies.is_empty() => create_retention_policy(data, name, spec, true),
        Some(db) => {
            let rp_name = spec.to_info().name;
            let same = db
                .retention_policy(&rp_name)
                .is_some_and(|existing| spec.matches(existing));
            if !same || db.default_retention_policy != rp_name {
                return Err(Error::RetentionPolicyConflict);
            }
            Ok(())
        }
    }
}

/// Adds a database with `policies`, the first one its default.
fn push_database(data: &mut MetaData, name: &str, policies: Vec<RetentionPolicyInfo>) {
    data.databases.push(DatabaseInfo {
        name: name.to_owned(),
        default_retention_policy: policies.first().map(|rp| rp.name.clone()).unwrap_or_default(),
        retention_policies: policies,
        continuous_queries: Vec::new(),
    });
}

/// The policy `spec` describes, or why a database cannot have it.
fn checked_policy(spec: &RetentionPolicySpec) -> Result<RetentionPolicyInfo> {
    let rp = spec.to_info();
    if rp.name.is_empty() {
        return Err(Error::RetentionPolicyNameRequired);
    }
    check_length("retention policy", &rp.name, MAX_RETENTION_POLICY_NAME_BYTES)?;
    if rp.replica_n < 1 {
        return Err(Error::ReplicationFactorTooLow);
    }
    if rp.duration > 0 && rp.duration < rp.shard_group_duration {
        return Err(Error::IncompatibleDurations);
    }
    Ok(rp)
}

/// CREATE RETENTION POLICY: identical re-creation is a no-op, anything else that clashes is
/// an error (InfluxDB's `Data.CreateRetentionPolicy`).
fn create_retention_policy(
    data: &mut MetaData,
    database: &str,
    spec: &RetentionPolicySpec,
    make_default: bool,
) -> Result<()> {
    let rp = checked_policy(spec)?;
    let db = data
        .database_mut(database)
        .ok_or_else(|| Error::DatabaseNotFound(database.to_owned()))?;
    if let Some(existing) = db.retention_policy(&rp.name) {
        if existing.replica_n != rp.replica_n
            || existing.duration != rp.duration
            || existing.shard_group_duration != rp.shard_group_duration
        {
            return Err(Error::RetentionPolicyExists);
        }
        if make_default && db.default_retention_policy != rp.name {
            return Err(Error::RetentionPolicyConflict);
        }
        return Ok(());
    }
    if make_default {
        db.default_retention_policy = rp.name.clone();
    }
    db.retention_policies.push(rp);
    Ok(())
}

/// The shard group holding `timestamp`: found, or created with its start truncated to the
/// group duration and `shards` shards placed round-robin with `replica_n` owners each.
fn create_shard_group(
    data: &mut MetaData,
    database: &str,
    policy: &str,
    timestamp: i64,
    shards: u32,
) -> Result<ShardGroupInfo> {
    if shards > MAX_SHARDS_PER_GROUP {
        return Err(Error::TooManyShards {
            asked: shards,
            max: MAX_SHARDS_PER_GROUP,
        });
    }
    let nodes: Vec<u64> = data.data_nodes.iter().map(|n| n.id).collect();
    if nodes.is_empty() {
        return Err(Error::NoDataNodes);
    }
    let (mut next_group, mut next_shard) = (data.max_shard_group_id, data.max_shard_id);
    let db = data
        .database_mut(database)
        .ok_or_else(|| Error::DatabaseNotFound(database.to_owned()))?;
    let rp = db
        .retention_policy_mut(policy)
        .ok_or_else(|| Error::RetentionPolicyNotFound(policy.to_owned()))?;
    if let Some(g) = rp.shard_group_at(timestamp) {
        return Ok(g.clone());
    }
    next_group += 1;
    let mut start = truncate_to_duration(timestamp, rp.shard_group_duration);
    let mut end = ShardGroupInfo::clamp_end(start.saturating_add(rp.shard_group_duration));
    // Groups never overlap: a truncated group before `timestamp` moves the start up to its
    // end, and a group after it (created ahead) brings the end down to its start.
    for g in rp.shard_groups.iter().filter(|g| g.deleted_at.is_none()) {
        if g.end_time <= timestamp {
            start = start.max(g.end_time);
        }
        if g.start_time > timestamp {
            end = end.min(g.start_time);
        }
    }
    let replicas = (rp.replica_n as usize).clamp(1, nodes.len());
    // Rotate placement by group id so consecutive groups start on different nodes.
    let shard_count = match shards {
        0 => auto_shards(nodes.len(), replicas),
        n => n as usize,
    };
    let mut list = Vec::with_capacity(shard_count);
    // The group's replicas go round the nodes one after another (shard 0 on the first
    // `replicas` nodes, shard 1 on the next ones...), so a group reaches as many nodes as it
    // has replicas, and each shard's owners are distinct.
    for i in 0..shard_count {
        next_shard += 1;
        let first = next_group as usize + i * replicas;
        let owners = (0..replicas).map(|r| nodes[(first + r) % nodes.len()]).collect();
        list.push(ShardInfo { id: next_shard, owners });
    }
    let group = ShardGroupInfo {
        id: next_group,
        start_time: start,
        end_time: end,
        deleted_at: None,
        truncated_at: None,
        shards: list,
    };
    rp.shard_groups.push(group.clone());
    rp.shard_groups.sort_by_key(|g| (g.start_time, g.id));
    data.max_shard_group_id = next_group;
    data.max_shard_id = next_shard;
    Ok(group)
}

/// Shards per group when the caller leaves it to the cluster (`shards: 0`): enough that the
/// group's replicas reach every data node, `ceil(nodes / replicas)`. Enterprise takes
/// `lcm(nodes, replicas) / replicas`, which gives each group an exactly even share but many
/// small shards (5 nodes at RF 2: 5 shards); here 5 nodes at RF 2 get 3 shards, one node
/// holding two replicas, and the rotation by group id evens that out over consecutive groups.
fn auto_shards(nodes: usize, replicas: usize) -> usize {
    nodes.div_ceil(replicas.max(1)).max(1)
}

/// The most shards one shard group may have: a command is refused past it, on every member
/// alike, so a bad request cannot make the state machine allocate without bound.
pub const MAX_SHARDS_PER_GROUP: u32 = 4096;

#[cfg(test)]
mod tests;
