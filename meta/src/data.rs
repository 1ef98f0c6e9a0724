//! data: the metadata value. Databases keep creation order (SHOW DATABASES lists them so),
//! shard groups are sorted by start time, users keep creation order (SHOW USERS).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::time::{normalised_shard_duration, MAX_NANOS};

/// Everything the cluster agrees on, changed only by [`crate::Command`]s.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetaData {
    /// Raft-style index of the last command applied; 0 for an empty store. Readers that
    /// cache a copy compare it to know whether theirs is current.
    pub index: u64,
    pub databases: Vec<DatabaseInfo>,
    pub users: Vec<UserInfo>,
    /// Data nodes that own shards, by id.
    pub data_nodes: Vec<DataNode>,
    /// Meta nodes, by id (empty for a standalone node). The Raft membership is the truth of
    /// who votes; this list is what `cairn-ctl show` and data nodes read.
    #[serde(default)]
    pub meta_nodes: Vec<MetaNode>,
    pub max_shard_group_id: u64,
    pub max_shard_id: u64,
    /// The last node id given out: one counter for data and meta nodes, never reused, so
    /// that a removed node's id cannot be mistaken for a new one (hinted handoff, owners).
    pub max_node_id: u64,
    /// Work exactly one data node may do at a time (running continuous queries), by name.
    #[serde(default)]
    pub leases: Vec<Lease>,
}

/// A lease: `owner` may do the work named `name` until `expires_at`. Kept in the Raft log,
/// not in the leader's memory, so that a new leader knows who holds what; the time is the
/// proposer's clock, written into the command, so every member applies the same result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub name: String,
    /// A data node id.
    pub owner: u64,
    /// Unix nanoseconds.
    pub expires_at: i64,
}

/// A meta node: where it is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaNode {
    pub id: u64,
    /// The meta API (`cairn-ctl`, data nodes).
    pub http_addr: String,
    /// Raft RPC between meta nodes.
    pub raft_addr: String,
}

/// A data node: where it is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataNode {
    pub id: u64,
    /// The address clients use (`/write`, `/query`).
    pub http_addr: String,
    /// The address other data nodes use (shard writes and queries).
    pub rpc_addr: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    pub name: String,
    /// Empty when the database has no default policy (InfluxDB allows that).
    pub default_retention_policy: String,
    /// In creation order.
    pub retention_policies: Vec<RetentionPolicyInfo>,
    /// In creation order.
    #[serde(default)]
    pub continuous_queries: Vec<ContinuousQueryInfo>,
}

/// A continuous query: its name and the `CREATE CONTINUOUS QUERY` text that defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContinuousQueryInfo {
    pub name: String,
    pub query: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionPolicyInfo {
    pub name: String,
    pub replica_n: u32,
    /// Nanoseconds; 0 keeps data forever.
    pub duration: i64,
    /// Nanoseconds of time each shard group covers.
    pub shard_group_duration: i64,
    /// Sorted by start time, then id; deleted groups stay (with `deleted_at`) until purged.
    pub shard_groups: Vec<ShardGroupInfo>,
}

/// The shards that hold one time range `[start_time, end_time)` of a retention policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardGroupInfo {
    pub id: u64,
    pub start_time: i64,
    pub end_time: i64,
    /// Set when the group was dropped (retention expiry, DROP SHARD of its last shard).
    pub deleted_at: Option<i64>,
    /// Set when `truncate-shards` ended the group early: `end_time` was cut to this time,
    /// and later points go to a new group that starts here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated_at: Option<i64>,
    pub shards: Vec<ShardInfo>,
}

/// One shard: a slice of a shard group's series, replicated on its owners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    pub id: u64,
    /// Data node ids, in placement order.
    pub owners: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub name: String,
    /// Password hash (bcrypt); never the password.
    pub hash: String,
    pub admin: bool,
    /// Per-database privileges.
    pub privileges: BTreeMap<String, Privilege>,
}

/// A user's right on one database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Privilege {
    None,
    Read,
    Write,
    All,
}

impl Privilege {
    /// As SHOW GRANTS prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "NO PRIVILEGES",
            Self::Read => "READ",
            Self::Write => "WRITE",
            Self::All => "ALL PRIVILEGES",
        }
    }

    /// Whether holding `self` allows what `needed` allows.
    pub fn allows(self, needed: Privilege) -> bool {
        match needed {
            Self::None => true,
            Self::Read => matches!(self, Self::Read | Self::All),
            Self::Write => matches!(self, Self::Write | Self::All),
            Self::All => self == Self::All,
        }
    }
}

/// What CREATE DATABASE ... WITH and CREATE RETENTION POLICY ask for; `None` = not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPolicySpec {
    pub name: Option<String>,
    pub duration: Option<i64>,
    pub replica_n: Option<u32>,
    /// 0 = not given.
    pub shard_group_duration: i64,
}

impl RetentionPolicySpec {
    /// The policy this spec creates: `autogen`, infinite, one replica unless said otherwise.
    pub fn to_info(&self) -> RetentionPolicyInfo {
        let duration = self.duration.unwrap_or(0);
        RetentionPolicyInfo {
            name: self.name.clone().unwrap_or_else(|| "autogen".to_owned()),
            replica_n: self.replica_n.unwrap_or(1),
            duration,
            shard_group_duration: normalised_shard_duration(self.shard_group_duration, duration),
            shard_groups: Vec::new(),
        }
    }

    /// Whether an existing policy is what this spec would create (InfluxDB's `Matches`).
    pub fn matches(&self, rp: &RetentionPolicyInfo) -> bool {
        if self.name.as_ref().is_some_and(|n| *n != rp.name)
            || self.duration.is_some_and(|d| d != rp.duration)
            || self.replica_n.is_some_and(|n| n != rp.replica_n)
        {
            return false;
        }
        normalised_shard_duration(self.shard_group_duration, rp.duration) == rp.shard_group_duration
    }
}

impl MetaData {
    pub fn database(&self, name: &str) -> Option<&DatabaseInfo> {
        self.databases.iter().find(|d| d.name == name)
    }

    pub(crate) fn database_mut(&mut self, name: &str) -> Option<&mut DatabaseInfo> {
        self.databases.iter_mut().find(|d| d.name == name)
    }

    /// The named policy of a database; an empty name means the default policy.
    pub fn retention_policy(&self, database: &str, policy: &str) -> crate::Result<&RetentionPolicyInfo> {
        let db = self
            .database(database)
            .ok_or_else(|| crate::Error::DatabaseNotFound(database.to_owned()))?;
        let name = if policy.is_empty() {
            &db.default_retention_policy
        } else {
            policy
        };
        db.retention_policy(name)
            .ok_or_else(|| crate::Error::RetentionPolicyNotFound(name.to_owned()))
    }

    pub fn user(&self, name: &str) -> Option<&UserInfo> {
        self.users.iter().find(|u| u.name == name)
    }

    pub fn admin_exists(&self) -> bool {
        self.users.iter().any(|u| u.admin)
    }

    pub fn data_node(&self, id: u64) -> Option<&DataNode> {
        self.data_nodes.iter().find(|n| n.id == id)
    }

    /// The owners of shard `id` if it is in a live shard group.
    pub fn shard_owners(&self, id: u64) -> Option<&[u64]> {
        self.shard_groups()
            .flat_map(|(_, _, g)| &g.shards)
            .find(|s| s.id == id)
            .map(|s| s.owners.as_slice())
    }

    /// Every shard group, deleted ones included (they keep their shards until purged).
    pub(crate) fn all_shard_groups_mut(&mut self) -> impl Iterator<Item = &mut ShardGroupInfo> {
        self.databases
            .iter_mut()
            .flat_map(|d| &mut d.retention_policies)
            .flat_map(|rp| &mut rp.shard_groups)
    }

    /// Every live shard group with its database and policy names.
    pub fn shard_groups(&self) -> impl Iterator<Item = (&DatabaseInfo, &RetentionPolicyInfo, &ShardGroupInfo)> {
        self.databases.iter().flat_map(|db| {
            db.retention_policies.iter().flat_map(move |rp| {
                rp.shard_groups
                    .iter()
                    .filter(|g| g.deleted_at.is_none())
                    .map(move |g| (db, rp, g))
            })
        })
    }
}

impl DatabaseInfo {
    pub fn retention_policy(&self, name: &str) -> Option<&RetentionPolicyInfo> {
        self.retention_policies.iter().find(|rp| rp.name == name)
    }

    pub(crate) fn retention_policy_mut(&mut self, name: &str) -> Option<&mut RetentionPolicyInfo> {
        self.retention_policies.iter_mut().find(|rp| rp.name == name)
    }
}

impl RetentionPolicyInfo {
    /// The live shard group whose range holds `t`.
    pub fn shard_group_at(&self, t: i64) -> Option<&ShardGroupInfo> {
        self.shard_groups
            .iter()
            .find(|g| g.deleted_at.is_none() && g.contains(t))
    }

    /// Live shard groups overlapping `[lo, hi]`, in time order.
    pub fn shard_groups_overlapping(&self, lo: i64, hi: i64) -> impl Iterator<Item = &ShardGroupInfo> {
        self.shard_groups
            .iter()
            .filter(move |g| g.deleted_at.is_none() && g.start_time <= hi && g.end_time > lo)
    }
}

impl ShardGroupInfo {
    pub fn contains(&self, t: i64) -> bool {
        self.start_time <= t && t < self.end_time
    }

    /// The shard that holds a series, by the series hash (InfluxDB's `ShardFor`).
    pub fn shard_for(&self, series_hash: u64) -> &ShardInfo {
        &self.shards[(series_hash % self.shards.len() as u64) as usize]
    }

    /// The end as InfluxDB stores it: the last group of time ends one past the max time.
    pub(crate) fn clamp_end(end: i64) -> i64 {
        end.min(MAX_NANOS.saturating_add(1))
    }
}

/// Longest database name, in bytes: a database is a directory of the data dir
/// (`data/<db>/<rp>/<shard>`), and Linux file systems (ext4, xfs, btrfs, tmpfs) allow 255
/// bytes in one name (`NAME_MAX`). InfluxDB has no limit and fails later, at the first write.
pub const MAX_DATABASE_NAME_BYTES: usize = 255;

/// Longest retention policy name, in bytes: a directory under its database's, so the same
/// 255 as [`MAX_DATABASE_NAME_BYTES`].
pub const MAX_RETENTION_POLICY_NAME_BYTES: usize = 255;

/// Longest user name, in bytes. Not a path, but carried by every authenticated request and
/// kept in the metadata and the logs; 255 is more than any real name.
pub const MAX_USER_NAME_BYTES: usize = 255;

/// `Err(NameTooLong)` when `name` is longer than `max` bytes.
pub(crate) fn check_length(kind: &'static str, name: &str, max: usize) -> crate::Result<()> {
    if name.len() > max {
        return Err(crate::Error::NameTooLong {
            kind: kind.to_owned(),
            len: name.len(),
            max,
        });
    }
    Ok(())
}

/// InfluxDB's rule for database, policy and user-visible names.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\']) && name.chars().all(is_print)
}

/// Go's `unicode.IsPrint`, close enough: no control characters; space is printable.
fn is_print(c: char) -> bool {
    !c.is_control()
}
