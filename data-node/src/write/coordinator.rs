//! coordinator: maps each point to (database, retention policy) -> shard group (by time) ->
//! shard (by series hash) -> owners, creating shard groups on demand, and writes each
//! shard's points in one call. Points older than the policy keeps are dropped, as InfluxDB
//! does; storage refusals (field type conflicts) drop single points, never the batch.
//! Standalone, every shard has one owner: this node. In a cluster this node writes the
//! shards it owns; a batch with a point for a shard only other data nodes own is refused
//! whole (writing to them comes with the clustered data path).

use std::collections::BTreeMap;
use std::sync::Arc;

use line_protocol::{series_hash, Point};
use meta::{Command, Outcome, ShardGroupInfo};

use crate::meta_client::MetaClient;
use crate::store::Store;

/// The write consistency level of `/write?consistency=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Consistency {
    Any,
    #[default]
    One,
    Quorum,
    All,
}

impl Consistency {
    /// Parses the parameter; empty means the default.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "" | "one" => Self::One,
            "any" => Self::Any,
            "quorum" => Self::Quorum,
            "all" => Self::All,
            _ => return None,
        })
    }
}

/// Why a write failed, in InfluxDB's words.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The request names a policy the database does not have (InfluxDB answers 500).
    #[error("{0}")]
    Meta(#[from] meta::Error),
    /// Some points were not stored; the others were.
    #[error("partial write: {reason} dropped={dropped}")]
    Partial { reason: String, dropped: usize },
    /// Storage failed; nothing is known to be stored.
    #[error("{0}")]
    Shard(#[from] shard::Error),
    /// A point belongs to a shard this node does not own; nothing was stored.
    #[error("write failed: {0}")]
    Placement(String),
}

impl WriteError {
    /// Whether the client sent something wrong (400) rather than the server failing (500).
    pub fn is_client_error(&self) -> bool {
        matches!(self, Self::Partial { .. })
    }
}

/// What a successful write stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub points: usize,
    pub values: usize,
}

/// Places and writes points.
#[derive(Debug)]
pub struct PointsWriter {
    meta: Arc<dyn MetaClient>,
    store: Arc<Store>,
    shards_per_group: u32,
}

impl PointsWriter {
    pub fn new(meta: Arc<dyn MetaClient>, store: Arc<Store>, shards_per_group: u32) -> Self {
        Self {
            meta,
            store,
            shards_per_group,
        }
    }

    /// Writes `points` to `database`/`policy` (empty: the default policy). `now` is the
    /// server time in ns, for the retention cut-off. Blocks until the points are durable.
    pub fn write<'b, 'a: 'b>(
        &self,
        database: &str,
        policy: &str,
        _consistency: Consistency,
        points: impl Iterator<Item = Point<'b, 'a>>,
        now: i64,
    ) -> Result<Written, WriteError> {
        let data = self.meta.data();
        let rp = data.retention_policy(database, policy)?;
        let policy = rp.name.clone();
        let min_time = if rp.duration > 0 {
            now.saturating_sub(rp.duration)
        } else {
            i64::MIN
        };
        // Shard groups the batch needs: known ones first, then created once per window.
        let mut groups: Vec<ShardGroupInfo> = Vec::new();
        let mut by_shard: BTreeMap<u64, Vec<Point<'b, 'a>>> = BTreeMap::new();
        let me = self.meta.node_id();
        let mut beyond_retention = 0;
        let mut key = String::new();
        for p in points {
            let t = p.time();
            if t < min_time {
                beyond_retention += 1;
                continue;
            }
            let group = match groups.iter().position(|g| g.contains(t)) {
                Some(i) => &groups[i],
                None => {
                    let g = match rp.shard_group_at(t) {
                        Some(g) => g.clone(),
                        None => self.create_group(database, &policy, t)?,
                    };
                    groups.push(g);
                    &groups[groups.len() - 1]
                }
            };
            key.clear();
            p.append_series_key(&mut key);
            let shard = group.shard_for(series_hash(&key));
            if me.is_none_or(|me| !shard.owners.contains(&me)) {
                return Err(WriteError::Placement(not_owned(me, shard)));
            }
            by_shard.entry(shard.id).or_default().push(p);
        }
        let mut written = Written::default();
        let mut refused: Option<(String, usize)> = None;
        for (id, points) in by_shard {
            let local = self.store.open(database, &policy, id)?;
            let outcome = local.shard.write(&points)?;
            self.store.after_write(&local);
            written.points += outcome.points;
            written.values += outcome.values;
            if outcome.dropped > 0 {
                let r = refused.get_or_insert_with(|| (outcome.first_drop.clone().unwrap_or_default(), 0));
                r.1 += outcome.dropped;
            }
        }
        // A storage refusal is reported over points beyond retention, as InfluxDB's
        // per-shard error replaces the mapping's.
        if let Some((reason, dropped)) = refused {
            return Err(WriteError::Partial { reason, dropped });
        }
        if beyond_retention > 0 {
            return Err(WriteError::Partial {
                reason: "points beyond retention policy".to_owned(),
                dropped: beyond_retention,
            });
        }
        Ok(written)
    }

    fn create_group(&self, database: &str, policy: &str, t: i64) -> Result<ShardGroupInfo, WriteError> {
        let outcome = self.meta.apply(Command::CreateShardGroup {
            database: database.to_owned(),
            policy: policy.to_owned(),
            timestamp: t,
            shards: self.shards_per_group,
        })?;
        match outcome {
            Outcome::ShardGroup(g) => Ok(g),
            other => panic!("BUG: CreateShardGroup answered {other:?}"),
        }
    }
}

/// Why this node cannot write a shard's points.
fn not_owned(me: Option<u64>, shard: &meta::ShardInfo) -> String {
    let owners: Vec<String> = shard.owners.iter().map(u64::to_string).collect();
    match me {
        None => "this data node is not registered in the cluster yet: register it with `cairn-ctl add-data <its RPC address>`".to_owned(),
        Some(me) => format!(
            "shard {} is owned by data node {}, not by this node ({me}); this version writes only the shards a node owns",
            shard.id,
            owners.join(", ")
        ),
    }
}
