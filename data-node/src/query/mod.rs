//! query: the one query path. A parsed InfluxQL query is authorised, then each statement is
//! executed in order: metadata statements against the metadata (`ddl`), index statements
//! against the shards' indexes (`show`), SELECT by planning per-shard reads through the
//! [`ShardReader`] trait and merging them (`select`). Results go to a sink as they are
//! produced, so that chunked responses stream.

mod admission;
mod aggregate;
mod compile;
mod cond;
mod continuous;
mod control;
mod ddl;
mod functions;
mod into;
mod math;
mod merge;
mod partial;
mod reader;
mod registry;
mod remote;
mod result;
mod select;
mod show;
mod subquery;
mod window;

use std::sync::Arc;

use influxql::{Query, Statement};
use meta::{MetaData, Privilege, UserInfo};

pub use continuous::{ContinuousQueries, CqRun};
pub use control::{row_bytes, MemoryPool, QueryControl, Reservation, StopReason};
pub use reader::{LocalReader, ShardReader};
pub use remote::RemoteReader;
pub(crate) use remote::{
    answer_aggregate, answer_fields, answer_names, answer_points, answer_removal, answer_series, Listing, Removal,
};
pub use result::{Message, Row, StatementResult, Value};

use crate::config::CoordinatorConfig;
use crate::meta_client::MetaClient;
use crate::store::Store;
use crate::write::PointsWriter;

/// Where and as whom a query runs.
#[derive(Debug, Clone, Default)]
pub struct QueryContext {
    /// The `db` parameter.
    pub database: String,
    /// The `rp` parameter.
    pub retention_policy: String,
    /// The authenticated user, when authentication is on.
    pub user: Option<UserInfo>,
    /// Whether authentication is on (then `user` decides what may run).
    pub auth_enabled: bool,
    /// The request was a GET: statements that change something get InfluxDB's warning.
    pub read_only: bool,
    /// The query's `now()`, in ns.
    pub now: i64,
    /// Rows per chunk when chunking (0: no chunking).
    pub chunk_size: usize,
    /// What stops the query and what it may spend (see [`QueryExecutor::control`]).
    pub control: Arc<QueryControl>,
    /// `/query?node_id=N`: read only the shards data node N owns, on N (Enterprise's way
    /// to check one replica).
    pub node_id: Option<u64>,
}

/// How a query in a cluster reads the replicas on other data nodes.
#[derive(Debug, Clone)]
pub struct ReadCluster {
    pub peers: Arc<crate::rpc::Peers>,
    /// Bound on one call to a peer.
    pub timeout: std::time::Duration,
    /// The runtime the RPCs run on: taken at start-up, so a statement run from any thread
    /// (a CQ, a blocking task) reaches every remote shard.
    pub runtime: tokio::runtime::Handle,
}

/// Which replicas of a shard a statement reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replicas {
    /// One live owner, this node's when it is one (reads).
    One,
    /// Every owner (DELETE, DROP SERIES, DROP MEASUREMENT): each must change.
    All,
}

/// Why a statement failed: the text goes into the result's `error`.
pub type StatementError = String;

/// Runs queries against the metadata and the local shards.
#[derive(Debug)]
pub struct QueryExecutor {
    meta: Arc<dyn MetaClient>,
    store: Arc<Store>,
    /// The node's points writer, for SELECT ... INTO.
    writer: Arc<PointsWriter>,
    /// In a cluster: how shards on other nodes are read.
    cluster: Option<ReadCluster>,
    limits: CoordinatorConfig,
    /// The queries running now (SHOW QUERIES, KILL QUERY).
    running: registry::Registry,
    /// The memory of every running query together (`max-total-query-memory`).
    memory: Arc<MemoryPool>,
    /// `max-query-memory`, resolved once: "auto" reads /proc/meminfo and the cgroup's
    /// memory limit, three file reads that every query paid before.
    query_memory: usize,
    /// `max-concurrent-queries` and its queue.
    admission: admission::Admission,
}

impl QueryExecutor {
    pub fn new(
        meta: Arc<dyn MetaClient>,
        store: Arc<Store>,
        writer: Arc<PointsWriter>,
        limits: CoordinatorConfig,
    ) -> Self {
        let memory = Arc::new(MemoryPool::new(
            usize::try_from(limits.total_query_memory()).unwrap_or(usize::MAX),
        ));
        let admission = admission::Admission::new(limits.concurrent_queries(), limits.queued_queries());
        let query_memory = usize::try_from(limits.query_memory()).unwrap_or(usize::MAX);
        Self {
            meta,
            store,
            writer,
            cluster: None,
            limits,
            running: registry::Registry::default(),
            memory,
            query_memory,
            admission,
        }
    }

    /// The controls of a new query: `query-timeout` from now, `max-query-memory` of the
    /// node's pool.
    pub fn control(&self) -> Arc<QueryControl> {
        Arc::new(QueryControl::new(
            self.limits.query_timeout.0,
            Arc::clone(&self.memory),
            self.query_memory,
        ))
    }

    /// Waits for a turn to run (`max-concurrent-queries`), at most until the query's
    /// deadline; the query runs while the returned permit lives.
    pub(crate) async fn admit(&self, control: &QueryControl) -> Result<admission::Permit, String> {
        self.admission.admit(control).await
    }

    /// Whether this node is a standalone one (a cluster of one, with no peers to read).
    pub(crate) fn standalone(&self) -> bool {
        self.cluster.is_none()
    }

    /// The index of the metadata the node serves from.
    pub fn meta_index(&self) -> u64 {
        self.meta.data().index
    }

    /// Queries running under `max-concurrent-queries`, and queued for a turn (/metrics).
    pub fn admission_counts(&self) -> (u64, u64) {
        (self.admission.running(), self.admission.queued())
    }

    /// The node's query memory pool (for /metrics).
    pub fn memory_pool(&self) -> &Arc<MemoryPool> {
        &self.memory
    }

    /// Whether an unauthenticated or unprivileged caller may run `query`, with InfluxDB's
    /// texts (the HTTP layer answers 403 `error authorizing query: ...`).
    pub fn authorize(&self, query: &Query, ctx: &QueryContext) -> Result<(), String> {
        if !ctx.auth_enabled {
            return Ok(());
        }
        let meta = self.meta.data();
        if meta.users.is_empty() {
            let creates_admin = matches!(
                query.statements.first(),
                Some(Statement::CreateUser(cu)) if cu.admin
            );
            if creates_admin {
                return Ok(());
            }
            return Err("create admin user first or disable authentication".to_owned());
        }
        let Some(user) = &ctx.user else {
            return Err("no user provided".to_owned());
        };
        let Some(user) = meta.user(&user.name) else {
            return Err("no user provided".to_owned());
        };
        if user.admin {
            return Ok(());
        }
        for stmt in &query.statements {
            for p in stmt.required_privileges() {
                if p.admin {
                    return Err(format!(
                        "{} not authorized to execute statement '{stmt}', requires admin privilege",
                        user.name
                    ));
                }
                let db = if p.database.is_empty() {
                    &ctx.database
                } else {
                    &p.database
                };
                let needed = privilege_of(p.privilege);
                let held = user.privileges.get(db).copied().unwrap_or(Privilege::None);
                if !held.allows(needed) {
                    return Err(format!(
                        "{} not authorized to execute statement '{stmt}', requires {} on {db}",
                        user.name,
                        needed.as_str()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Executes the statements of `query` in order, handing each result (or, when chunking,
    /// each chunk of it) to `sink`. The first failing statement stops the query, as in
    /// InfluxDB: it gets its error and every later statement `not executed`. (InfluxDB
    /// 1.x loses the real error to `not executed` and leaves the last statement without a
    /// result, an off-by-one; Cairn reports both properly.)
    pub fn execute(&self, query: &Query, ctx: &QueryContext, sink: &mut dyn FnMut(StatementResult)) {
        let _ticket = self
            .running
            .register(query.to_string(), ctx.database.clone(), Arc::clone(&ctx.control));
        let mut failed = false;
        for (id, stmt) in query.statements.iter().enumerate() {
            if failed {
                sink(StatementResult::error(id, "not executed"));
                continue;
            }
            let mut messages = Vec::new();
            let meta = self.meta.data();
            if ctx.read_only {
                // The warning quotes the statement as InfluxDB normalized it: sources and
                // targets with their database and retention policy.
                let mut normalized = stmt.clone();
                let default_rp = |db: &str| meta.database(db).map(|d| d.default_retention_policy.clone());
                let shown = match normalized.normalize(&ctx.database, &ctx.retention_policy, &mut { default_rp }) {
                    Ok(()) => &normalized,
                    Err(_) => stmt,
                };
                if let Some(text) = shown.read_only_warning() {
                    messages.push(Message { level: "warning", text });
                }
            }
            let emitted = std::cell::Cell::new(false);
            let mut emit = |mut r: StatementResult| {
                r.statement_id = id;
                // The warning goes with the statement's first answer, unless that is an error.
                if !emitted.replace(true) && r.error.is_none() {
                    r.messages.append(&mut messages);
                }
                sink(r);
            };
            let outcome = match stmt {
                Statement::Select(s) => select::execute(self, &meta, s, ctx, &mut emit),
                other => self.execute_other(&meta, other, ctx).map(|series| {
                    emit(StatementResult {
                        series,
                        ..StatementResult::default()
                    });
                }),
            };
            match outcome {
                Err(e) => {
                    failed = true;
                    emit(StatementResult::error(id, e));
                }
                // Every statement answers, if only with its id.
                Ok(()) if !emitted.get() => emit(StatementResult::default()),
                Ok(()) => {}
            }
        }
    }

    fn execute_other(&self, meta: &MetaData, stmt: &Statement, ctx: &QueryContext) -> Result<Vec<Row>, String> {
        match stmt {
            Statement::ShowMeasurements(s) => show::show_measurements(self, meta, s, ctx),
            Statement::ShowTagKeys(s) => show::tag_keys(self, meta, s, ctx),
            Statement::ShowTagValues(s) => show::tag_values(self, meta, s, ctx),
            Statement::ShowFieldKeys(s) => show::field_keys(self, meta, s, ctx),
            Statement::ShowSeries(s) => show::show_series(self, meta, s, ctx),
            Statement::ShowCardinality(s) => show::cardinality(self, meta, s, ctx),
            Statement::DropMeasurement(s) => show::drop_measurement(self, meta, s, ctx),
            Statement::DropSeries(s) => show::drop_series(self, meta, s, ctx),
            Statement::Delete(s) => show::delete(self, meta, s, ctx),
            other => ddl::execute(self, meta, other, ctx),
        }
    }

    /// Reads the replicas on other data nodes through `cluster`.
    pub fn with_cluster(self, cluster: ReadCluster) -> Self {
        Self {
            cluster: Some(cluster),
            ..self
        }
    }

    /// The shards of `database`/`policy` whose groups overlap `[lo, hi]`, oldest first: a
    /// local reader for each replica this node holds, a remote one (over its other owners)
    /// for each it does not. With `/query?node_id=N`, only N's shards, read on N.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn shards(
        &self,
        meta: &MetaData,
        database: &str,
        policy: &str,
        lo: i64,
        hi: i64,
        ctx: &QueryContext,
        replicas: Replicas,
    ) -> Vec<Arc<dyn ShardReader>> {
        let Ok(rp) = meta.retention_policy(database, policy) else {
            return Vec::new();
        };
        let me = self.meta.node_id();
        let mut out: Vec<Arc<dyn ShardReader>> = Vec::new();
        for g in rp.shard_groups_overlapping(lo, hi) {
            let range = (g.start_time, g.end_time);
            for s in &g.shards {
                let owners: Vec<u64> = match ctx.node_id {
                    Some(n) if !s.owners.contains(&n) => continue,
                    Some(n) => vec![n],
                    None => s.owners.clone(),
                };
                let local = me.is_some_and(|me| owners.contains(&me));
                if local || self.cluster.is_none() {
                    match self.store.open_existing(database, &rp.name, s.id) {
                        Ok(Some(local)) => out.push(Arc::new(LocalReader::new(local, range))),
                        Ok(None) => {}
                        Err(e) => tracing::error!(shard = s.id, error = %e, "cannot open shard for a query"),
                    }
                    if replicas == Replicas::One {
                        continue;
                    }
                }
                let remote: Vec<meta::DataNode> = owners
                    .iter()
                    .filter(|&&o| Some(o) != me)
                    .filter_map(|&o| meta.data_node(o).cloned())
                    .collect();
                let Some(cluster) = &self.cluster else {
                    continue;
                };
                let groups: Vec<Vec<meta::DataNode>> = match replicas {
                    Replicas::One => vec![remote],
                    Replicas::All => remote.into_iter().map(|n| vec![n]).collect(),
                };
                for nodes in groups.into_iter().filter(|n| !n.is_empty()) {
                    out.push(Arc::new(RemoteReader::new(
                        (s.id, database, &rp.name),
                        range,
                        nodes,
                        Arc::clone(&cluster.peers),
                        cluster.timeout,
                        cluster.runtime.clone(),
                    )));
                }
            }
        }
        out
    }

    /// Every shard of a database (all policies, all time).
    pub(crate) fn all_shards(
        &self,
        meta: &MetaData,
        database: &str,
        ctx: &QueryContext,
        replicas: Replicas,
    ) -> Vec<Arc<dyn ShardReader>> {
        let Some(db) = meta.database(database) else {
            return Vec::new();
        };
        db.retention_policies
            .iter()
            .flat_map(|rp| self.shards(meta, database, &rp.name, i64::MIN, i64::MAX, ctx, replicas))
            .collect()
    }
}

fn privilege_of(p: influxql::statement::Privilege) -> Privilege {
    use influxql::statement::Privilege as P;
    match p {
        P::Read => Privilege::Read,
        P::Write => Privilege::Write,
        P::All => Privilege::All,
        P::NoPrivileges => Privilege::None,
    }
}

/// The database a statement runs on: its own `ON db`, else the request's.
pub(crate) fn database<'a>(stmt_db: &'a str, ctx: &'a QueryContext) -> Result<&'a str, String> {
    let db = if stmt_db.is_empty() {
        ctx.database.as_str()
    } else {
        stmt_db
    };
    if db.is_empty() {
        return Err("database name required".to_owned());
    }
    Ok(db)
}

/// A storage error as a statement's error text: logged whole (the operator needs the file it
/// failed on), answered with server paths hidden (the client must not learn the layout).
fn storage_error(e: impl std::fmt::Display) -> String {
    let full = e.to_string();
    tracing::error!(error = %full, "query: storage failed");
    crate::redact::paths(&full)
}
