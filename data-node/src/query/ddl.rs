//! ddl: statements answered from and applied to the metadata: databases, retention
//! policies, users and grants, shards and shard groups. Each follows InfluxDB 1.x's
//! statement executor (coordinator/statement_executor.go), including its quirks: CREATE
//! DATABASE and CREATE USER are idempotent, SHOW DATABASES lists creation order.

use influxql::duration::format_go_duration;
use influxql::statement::Privilege as QlPrivilege;
use influxql::Statement;
use meta::{Command, MetaData, Privilege, RetentionPolicySpec};

use super::{database, QueryContext, QueryExecutor, Row, Value};
use crate::http::{check_password, hash_password};

pub(super) fn execute(
    ex: &QueryExecutor,
    meta: &MetaData,
    stmt: &Statement,
    ctx: &QueryContext,
) -> Result<Vec<Row>, String> {
    let apply = |c: Command| ex.meta.apply(c).map(|_| Vec::new()).map_err(|e| e.to_string());
    match stmt {
        Statement::ShowDatabases => {
            let mut row = Row::new("databases", &["name"]);
            for db in &meta.databases {
                if visible(meta, ctx, &db.name) {
                    row.values.push(vec![Value::String(db.name.clone())]);
                }
            }
            Ok(vec![row])
        }
        Statement::CreateDatabase(s) => {
            let spec = s.rp_create.then(|| RetentionPolicySpec {
                name: (!s.rp_name.is_empty()).then(|| s.rp_name.clone()),
                duration: s.rp_duration,
                replica_n: s.rp_replication.map(|n| u32::try_from(n).unwrap_or(0)),
                shard_group_duration: s.rp_shard_group_duration,
            });
            apply(Command::CreateDatabase {
                name: s.name.clone(),
                spec,
                default_policy: true,
            })
        }
        Statement::DropDatabase(s) => {
            if meta.database(&s.name).is_none() {
                return Ok(Vec::new());
            }
            apply(Command::DropDatabase { name: s.name.clone() })?;
            ex.store.delete_all(&s.name, None).map_err(super::storage_error)?;
            Ok(Vec::new())
        }
        Statement::CreateRetentionPolicy(s) => {
            if !valid_name(&s.name) {
                return Err("invalid name".to_owned());
            }
            apply(Command::CreateRetentionPolicy {
                database: s.database.clone(),
                spec: RetentionPolicySpec {
                    name: Some(s.name.clone()),
                    duration: Some(s.duration),
                    replica_n: Some(u32::try_from(s.replication).unwrap_or(0)),
                    shard_group_duration: s.shard_group_duration,
                },
                make_default: s.default,
            })
        }
        Statement::AlterRetentionPolicy(s) => apply(Command::UpdateRetentionPolicy {
            database: s.database.clone(),
            name: s.name.clone(),
            new_name: None,
            duration: s.duration,
            replica_n: s.replication.map(|n| u32::try_from(n).unwrap_or(0)),
            shard_group_duration: s.shard_group_duration,
            make_default: s.default,
        }),
        Statement::DropRetentionPolicy(s) => {
            // Dropping a policy of a database that does not exist is not an error in 1.x.
            if meta.database(&s.database).is_none() {
                return Ok(Vec::new());
            }
            apply(Command::DropRetentionPolicy {
                database: s.database.clone(),
                name: s.name.clone(),
            })?;
            ex.store
                .delete_all(&s.database, Some(&s.name))
                .map_err(super::storage_error)?;
            Ok(Vec::new())
        }
        Statement::ShowRetentionPolicies(s) => {
            let name = database(&s.database, ctx)?;
            let db = meta
                .database(name)
                .ok_or_else(|| format!("database not found: {name}"))?;
            let mut row = Row::new("", &["name", "duration", "shardGroupDuration", "replicaN", "default"]);
            for rp in &db.retention_policies {
                row.values.push(vec![
                    Value::String(rp.name.clone()),
                    Value::String(format_go_duration(rp.duration)),
                    Value::String(format_go_duration(rp.shard_group_duration)),
                    Value::Integer(i64::from(rp.replica_n)),
                    Value::Boolean(db.default_retention_policy == rp.name),
                ]);
            }
            Ok(vec![row])
        }
        Statement::CreateUser(s) => {
            check_password(&s.password)?;
            if let Some(u) = meta.user(&s.name) {
                // Idempotent when nothing changes, as InfluxDB's meta client is.
                if u.admin == s.admin && bcrypt::verify(&s.password, &u.hash).unwrap_or(false) {
                    return Ok(Vec::new());
                }
                return Err("user already exists".to_owned());
            }
            let hash = hash_password(&s.password)?;
            apply(Command::CreateUser {
                name: s.name.clone(),
                hash,
                admin: s.admin,
            })
        }
        Statement::DropUser(s) => apply(Command::DropUser { name: s.name.clone() }),
        Statement::SetPasswordUser(s) => {
            if meta.user(&s.name).is_none() {
                return Err("user not found".to_owned());
            }
            apply(Command::UpdateUser {
                name: s.name.clone(),
                hash: hash_password(&s.password)?,
            })
        }
        Statement::Grant(s) => apply(Command::SetPrivilege {
            user: s.user.clone(),
            database: s.on.clone(),
            privilege: privilege(s.privilege),
        }),
        Statement::Revoke(s) => {
            let user = meta.user(&s.user).ok_or("user not found")?;
            let remaining = if s.privilege == QlPrivilege::All {
                Privilege::None
            } else {
                let held = user.privileges.get(&s.on).copied().unwrap_or(Privilege::None);
                bits_to_privilege(privilege_bits(held) & !privilege_bits(privilege(s.privilege)))
            };
            apply(Command::SetPrivilege {
                user: s.user.clone(),
                database: s.on.clone(),
                privilege: remaining,
            })
        }
        Statement::GrantAdmin(s) => apply(Command::SetAdmin {
            user: s.user.clone(),
            admin: true,
        }),
        Statement::RevokeAdmin(s) => apply(Command::SetAdmin {
            user: s.user.clone(),
            admin: false,
        }),
        Statement::ShowUsers => {
            let mut row = Row::new("", &["user", "admin"]);
            for u in &meta.users {
                row.values
                    .push(vec![Value::String(u.name.clone()), Value::Boolean(u.admin)]);
            }
            Ok(vec![row])
        }
        Statement::ShowGrantsForUser(s) => {
            let user = meta.user(&s.name).ok_or("user not found")?;
            let mut row = Row::new("", &["database", "privilege"]);
            for (db, p) in &user.privileges {
                row.values
                    .push(vec![Value::String(db.clone()), Value::String(p.as_str().to_owned())]);
            }
            Ok(vec![row])
        }
        Statement::ShowShards => {
            let mut rows = Vec::new();
            for db in &meta.databases {
                let mut row = Row::new(
                    db.name.clone(),
                    &[
                        "id",
                        "database",
                        "retention_policy",
                        "shard_group",
                        "start_time",
                        "end_time",
                        "expiry_time",
                        "owners",
                    ],
                );
                for rp in &db.retention_policies {
                    for g in rp.shard_groups.iter().filter(|g| g.deleted_at.is_none()) {
                        for s in &g.shards {
                            row.values.push(vec![
                                Value::Unsigned(s.id),
                                Value::String(db.name.clone()),
                                Value::String(rp.name.clone()),
                                Value::Unsigned(g.id),
                                Value::String(rfc3339_seconds(g.start_time)),
                                Value::String(rfc3339_seconds(g.end_time)),
                                Value::String(rfc3339_seconds(g.end_time.saturating_add(rp.duration))),
                                Value::String(owners(ex, &s.owners)),
                            ]);
                        }
                    }
                }
                rows.push(row);
            }
            Ok(rows)
        }
        Statement::ShowShardGroups => {
            let mut row = Row::new(
                "shard groups",
                &[
                    "id",
                    "database",
                    "retention_policy",
                    "start_time",
                    "end_time",
                    "expiry_time",
                ],
            );
            for (db, rp, g) in meta.shard_groups() {
                row.values.push(vec![
                    Value::Unsigned(g.id),
                    Value::String(db.name.clone()),
                    Value::String(rp.name.clone()),
                    Value::String(rfc3339_seconds(g.start_time)),
                    Value::String(rfc3339_seconds(g.end_time)),
                    Value::String(rfc3339_seconds(g.end_time.saturating_add(rp.duration))),
                ]);
            }
            Ok(vec![row])
        }
        Statement::DropShard(s) => {
            let found = meta.shard_groups().find_map(|(db, rp, g)| {
                g.shards
                    .iter()
                    .any(|x| x.id == s.id)
                    .then(|| (db.name.clone(), rp.name.clone()))
            });
            apply(Command::DropShard { id: s.id, at: ctx.now })?;
            if let Some((db, rp)) = found {
                ex.store.delete(&db, &rp, s.id).map_err(super::storage_error)?;
            }
            Ok(Vec::new())
        }
        Statement::ShowQueries => Ok(vec![ex.running.show()]),
        Statement::KillQuery(k) => {
            ex.running.kill(k.query_id)?;
            Ok(Vec::new())
        }
        Statement::ShowContinuousQueries => Ok(meta
            .databases
            .iter()
            .map(|db| {
                let mut row = Row::new(db.name.clone(), &["name", "query"]);
                for cq in &db.continuous_queries {
                    row.values
                        .push(vec![Value::String(cq.name.clone()), Value::String(cq.query.clone())]);
                }
                row
            })
            .collect()),
        Statement::CreateContinuousQuery(s) => {
            let db = meta
                .database(&s.database)
                .ok_or_else(|| format!("database not found: {}", s.database))?;
            super::compile::validate(&s.source)?;
            // Stored with its sources and target qualified, as InfluxDB keeps it.
            let mut cq = (**s).clone();
            super::continuous::qualify(&mut cq.source, &db.name, &db.default_retention_policy);
            apply(Command::CreateContinuousQuery {
                database: s.database.clone(),
                name: s.name.clone(),
                query: cq.to_string(),
            })
        }
        Statement::DropContinuousQuery(s) => {
            if meta.database(&s.database).is_none() {
                return Err(format!("database not found: {}", s.database));
            }
            apply(Command::DropContinuousQuery {
                database: s.database.clone(),
                name: s.name.clone(),
            })
        }
        // Cairn keeps no subscriptions (CREATE SUBSCRIPTION is refused): the list is empty,
        // as on an InfluxDB without any.
        Statement::ShowSubscriptions => Ok(Vec::new()),
        other => Err(format!("not supported by Cairn yet: {other}")),
    }
}

/// Whether SHOW DATABASES lists `db` to the caller: all with auth off or for admins, else
/// the databases the user may read or write.
fn visible(meta: &MetaData, ctx: &QueryContext, db: &str) -> bool {
    if !ctx.auth_enabled {
        return true;
    }
    let Some(user) = ctx.user.as_ref().and_then(|u| meta.user(&u.name)) else {
        return meta.users.is_empty();
    };
    user.admin || user.privileges.get(db).is_some_and(|p| *p != Privilege::None)
}

fn owners(ex: &QueryExecutor, ids: &[u64]) -> String {
    // A standalone node is a cluster of one: like InfluxDB OSS it shows no owners.
    if ex.standalone() {
        return String::new();
    }
    ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
}

fn privilege(p: QlPrivilege) -> Privilege {
    match p {
        QlPrivilege::NoPrivileges => Privilege::None,
        QlPrivilege::Read => Privilege::Read,
        QlPrivilege::Write => Privilege::Write,
        QlPrivilege::All => Privilege::All,
    }
}

fn privilege_bits(p: Privilege) -> u8 {
    match p {
        Privilege::None => 0,
        Privilege::Read => 1,
        Privilege::Write => 2,
        Privilege::All => 3,
    }
}

fn bits_to_privilege(b: u8) -> Privilege {
    match b & 3 {
        1 => Privilege::Read,
        2 => Privilege::Write,
        3 => Privilege::All,
        _ => Privilege::None,
    }
}

/// InfluxDB's rule for names (meta.ValidName).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

/// Go's `time.RFC3339` (whole seconds) of a UTC time.
pub(super) fn rfc3339_seconds(t: i64) -> String {
    crate::http::rfc3339_nano(t.div_euclid(1_000_000_000) * 1_000_000_000)
}
