//! What a statement needs from the user running it (Go's `RequiredPrivileges`), which
//! statements only read (Go's read-only check behind the GET warning), and default-database
//! handling.

use crate::clause::{Measurement, Source};
use crate::statement::{CardinalityKind, Privilege, SelectStatement, Statement};

/// One privilege a statement requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredPrivilege {
    /// Admin is required (the database and privilege are then irrelevant).
    pub admin: bool,
    /// Database the privilege is on; empty means the request's default database.
    pub database: String,
    /// The privilege needed on it.
    pub privilege: Privilege,
}

fn admin() -> Vec<RequiredPrivilege> {
    vec![RequiredPrivilege {
        admin: true,
        database: String::new(),
        privilege: Privilege::All,
    }]
}

fn on(database: &str, privilege: Privilege) -> Vec<RequiredPrivilege> {
    vec![RequiredPrivilege {
        admin: false,
        database: database.to_string(),
        privilege,
    }]
}

fn sources(sources: &[Source]) -> Vec<RequiredPrivilege> {
    let mut out = vec![];
    for s in sources {
        match s {
            Source::Measurement(m) => out.extend(on(&m.database, Privilege::Read)),
            Source::Subquery(q) => out.extend(select(q)),
        }
    }
    out
}

type Fix<'a> = dyn FnMut(&mut Measurement, bool) -> Result<(), String> + 'a;

fn normalize_sources(sources: &mut [Source], fix: &mut Fix<'_>) -> Result<(), String> {
    for s in sources {
        match s {
            Source::Measurement(m) => fix(m, false)?,
            Source::Subquery(q) => normalize_select(q, fix)?,
        }
    }
    Ok(())
}

fn normalize_select(s: &mut SelectStatement, fix: &mut Fix<'_>) -> Result<(), String> {
    if let Some(t) = &mut s.target {
        fix(&mut t.measurement, true)?;
    }
    normalize_sources(&mut s.sources, fix)
}

fn select(s: &SelectStatement) -> Vec<RequiredPrivilege> {
    let mut out = sources(&s.sources);
    if let Some(t) = &s.target {
        out.extend(on(&t.measurement.database, Privilege::Write));
    }
    out
}

impl Statement {
    /// The privileges the statement requires, as InfluxDB 1.x decides them. A privilege on the
    /// empty database means "on the request's `db`" (the executor substitutes it).
    pub fn required_privileges(&self) -> Vec<RequiredPrivilege> {
        use Statement::*;
        match self {
            Select(s) => select(s),
            Explain(s) => select(&s.statement),
            Delete(_) | DropSeries(_) => on("", Privilege::Write),
            ShowDatabases => on("", Privilege::NoPrivileges),
            ShowMeasurements(s) => on(&s.database, Privilege::Read),
            ShowSeries(s) => on(&s.database, Privilege::Read),
            ShowTagKeys(s) => on(&s.database, Privilege::Read),
            ShowTagValues(s) => on(&s.database, Privilege::Read),
            ShowFieldKeys(s) => on(&s.database, Privilege::Read),
            ShowRetentionPolicies(s) => on(&s.database, Privilege::Read),
            ShowCardinality(s) => match s.kind {
                CardinalityKind::Measurement | CardinalityKind::Series if !s.exact => on(&s.database, Privilege::Read),
                _ => sources(&s.sources),
            },
            ShowContinuousQueries | ShowQueries => on("", Privilege::Read),
            DropRetentionPolicy(s) => on(&s.database, Privilege::Write),
            DropContinuousQuery(s) => on(&s.database, Privilege::Write),
            CreateContinuousQuery(s) => {
                let mut out = on(&s.database, Privilege::Read);
                if let Some(t) = &s.source.target {
                    if !t.measurement.database.is_empty() {
                        out.extend(on(&t.measurement.database, Privilege::Write));
                    }
                }
                out
            }
            DropMeasurement(_)
            | DropShard(_)
            | ShowShards
            | ShowShardGroups
            | ShowUsers
            | ShowGrantsForUser(_)
            | ShowStats(_)
            | ShowDiagnostics(_)
            | ShowSubscriptions
            | CreateDatabase(_)
            | DropDatabase(_)
            | CreateRetentionPolicy(_)
            | AlterRetentionPolicy(_)
            | CreateUser(_)
            | DropUser(_)
            | SetPasswordUser(_)
            | Grant(_)
            | GrantAdmin(_)
            | Revoke(_)
            | RevokeAdmin(_)
            | KillQuery(_)
            | CreateSubscription(_)
            | DropSubscription(_) => admin(),
        }
    }

    /// Whether the statement only reads. A GET `/query` running a statement that is not
    /// read-only gets the warning `deprecated use of '<statement>' in a read only context,
    /// please use a POST request instead` (see [`Statement::read_only_warning`]). As in
    /// InfluxDB 1.x, SELECT ... INTO is not read-only, and neither is any statement other
    /// than SELECT, EXPLAIN and SHOW (KILL QUERY included).
    pub fn is_read_only(&self) -> bool {
        use Statement::*;
        match self {
            Select(s) => s.target.is_none(),
            Explain(_) => true,
            ShowDatabases
            | ShowMeasurements(_)
            | ShowSeries(_)
            | ShowTagKeys(_)
            | ShowTagValues(_)
            | ShowFieldKeys(_)
            | ShowCardinality(_)
            | ShowRetentionPolicies(_)
            | ShowShards
            | ShowShardGroups
            | ShowUsers
            | ShowGrantsForUser(_)
            | ShowContinuousQueries
            | ShowQueries
            | ShowStats(_)
            | ShowDiagnostics(_)
            | ShowSubscriptions => true,
            _ => false,
        }
    }

    /// The warning InfluxDB adds to the result of a statement that is not read-only when it
    /// arrives by GET, or `None` for a read-only one. 1.6.7 gives none for DELETE and KILL
    /// QUERY either. Statements that name measurements print as the executor has normalized
    /// them ([`Statement::normalize`]): `SELECT * INTO db.autogen.x FROM db.autogen.cpu`.
    pub fn read_only_warning(&self) -> Option<String> {
        let silent = matches!(self, Statement::Delete(_) | Statement::KillQuery(_));
        (!self.is_read_only() && !silent)
            .then(|| format!("deprecated use of '{self}' in a read only context, please use a POST request instead"))
    }

    /// Fills in what the executor defaults (Go's `NormalizeStatement`): every measurement in
    /// FROM, INTO and subqueries without a database gets `default_database`, and without a
    /// retention policy gets `default_retention_policy` (the request's `rp`) or, when that is
    /// empty, what `default_rp_of(database)` says (`None`: the database does not exist);
    /// SHOW statements without `ON` get `default_database`. DELETE and DROP SERIES are left
    /// alone. Errors are InfluxDB's texts (`database name required`, `database not found: x`).
    pub fn normalize(
        &mut self,
        default_database: &str,
        default_retention_policy: &str,
        default_rp_of: &mut dyn FnMut(&str) -> Option<String>,
    ) -> Result<(), String> {
        use Statement::*;
        let mut fix = |m: &mut Measurement, is_target: bool| -> Result<(), String> {
            if !is_target && m.name.is_empty() && m.regex.is_none() {
                return Err("invalid measurement".into());
            }
            if m.database.is_empty() {
                m.database = default_database.to_string();
            }
            if m.database.is_empty() {
                return Err("database name required".into());
            }
            let rp = default_rp_of(&m.database).ok_or_else(|| format!("database not found: {}", m.database))?;
            if m.retention_policy.is_empty() {
                if !default_retention_policy.is_empty() {
                    m.retention_policy = default_retention_policy.to_string();
                } else if !rp.is_empty() {
                    m.retention_policy = rp;
                } else {
                    return Err(format!("default retention policy not set for: {}", m.database));
                }
            }
            Ok(())
        };
        let set_db = |db: &mut String| {
            if db.is_empty() {
                *db = default_database.to_string();
            }
        };
        match self {
            Select(s) => normalize_select(s, &mut fix),
            Explain(s) => normalize_select(&mut s.statement, &mut fix),
            CreateContinuousQuery(s) => normalize_select(&mut s.source, &mut fix),
            ShowMeasurements(s) => {
                set_db(&mut s.database);
                s.source.as_mut().map_or(Ok(()), |m| fix(m, false))
            }
            ShowSeries(s) => {
                set_db(&mut s.database);
                normalize_sources(&mut s.sources, &mut fix)
            }
            ShowTagKeys(s) => {
                set_db(&mut s.database);
                normalize_sources(&mut s.sources, &mut fix)
            }
            ShowTagValues(s) => {
                set_db(&mut s.database);
                normalize_sources(&mut s.sources, &mut fix)
            }
            ShowFieldKeys(s) => {
                set_db(&mut s.database);
                normalize_sources(&mut s.sources, &mut fix)
            }
            ShowCardinality(s) => {
                set_db(&mut s.database);
                normalize_sources(&mut s.sources, &mut fix)
            }
            ShowRetentionPolicies(s) => {
                set_db(&mut s.database);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The database the statement names itself (`ON db`, or the database of a statement
    /// about one), or `None` when it uses the request's `db` parameter (Go's
    /// `DefaultDatabase`).
    pub fn default_database(&self) -> Option<&str> {
        use Statement::*;
        let db = match self {
            ShowMeasurements(s) => &s.database,
            ShowSeries(s) => &s.database,
            ShowTagKeys(s) => &s.database,
            ShowTagValues(s) => &s.database,
            ShowFieldKeys(s) => &s.database,
            ShowCardinality(s) => &s.database,
            ShowRetentionPolicies(s) => &s.database,
            CreateRetentionPolicy(s) => &s.database,
            AlterRetentionPolicy(s) => &s.database,
            DropRetentionPolicy(s) => &s.database,
            Grant(s) => &s.on,
            Revoke(s) => &s.on,
            CreateContinuousQuery(s) => &s.database,
            DropContinuousQuery(s) => &s.database,
            CreateSubscription(s) => &s.database,
            DropSubscription(s) => &s.database,
            _ => return None,
        };
        (!db.is_empty()).then_some(db.as_str())
    }
}

#[cfg(test)]
mod tests {
    use crate::parse_statement;

    use super::*;

    #[test]
    fn privileges_table() {
        let f = |q: &str, want: Vec<(bool, &str, Privilege)>| {
            let got: Vec<(bool, String, Privilege)> = parse_statement(q)
                .unwrap()
                .required_privileges()
                .into_iter()
                .map(|p| (p.admin, p.database, p.privilege))
                .collect();
            let want: Vec<(bool, String, Privilege)> =
                want.into_iter().map(|(a, d, p)| (a, d.to_string(), p)).collect();
            assert_eq!(got, want, "{q}");
        };
        f("SELECT * FROM cpu", vec![(false, "", Privilege::Read)]);
        f(
            "SELECT * FROM db1..cpu, db2.rp.mem",
            vec![(false, "db1", Privilege::Read), (false, "db2", Privilege::Read)],
        );
        f(
            "SELECT * INTO db2..x FROM cpu",
            vec![(false, "", Privilege::Read), (false, "db2", Privilege::Write)],
        );
        f(
            "SELECT * FROM (SELECT * FROM db3..cpu)",
            vec![(false, "db3", Privilege::Read)],
        );
        f("SHOW DATABASES", vec![(false, "", Privilege::NoPrivileges)]);
        f("SHOW MEASUREMENTS ON db", vec![(false, "db", Privilege::Read)]);
        f("SHOW RETENTION POLICIES", vec![(false, "", Privilege::Read)]);
        f("CREATE DATABASE db", vec![(true, "", Privilege::All)]);
        f("DROP MEASUREMENT cpu", vec![(true, "", Privilege::All)]);
        f("DELETE FROM cpu", vec![(false, "", Privilege::Write)]);
        f("DROP RETENTION POLICY rp ON db", vec![(false, "db", Privilege::Write)]);
        f("SHOW USERS", vec![(true, "", Privilege::All)]);
        f(
            "SHOW TAG KEY CARDINALITY FROM db..cpu",
            vec![(false, "db", Privilege::Read)],
        );
        f("SHOW SERIES CARDINALITY ON db", vec![(false, "db", Privilege::Read)]);
    }

    #[test]
    fn read_only_table() {
        let f = |q: &str, want: bool| assert_eq!(parse_statement(q).unwrap().is_read_only(), want, "{q}");
        f("SELECT * FROM cpu", true);
        f("SELECT * INTO x FROM cpu", false);
        f("SHOW DATABASES", true);
        f("EXPLAIN SELECT * FROM cpu", true);
        f("CREATE DATABASE acc", false);
        f("DROP SERIES FROM cpu", false);
        f("KILL QUERY 1", false);
        f("GRANT READ ON db TO u", false);
        assert_eq!(
            parse_statement("CREATE DATABASE acc")
                .unwrap()
                .read_only_warning()
                .unwrap(),
            "deprecated use of 'CREATE DATABASE acc' in a read only context, please use a POST request instead"
        );
        assert_eq!(parse_statement("SHOW DATABASES").unwrap().read_only_warning(), None);
    }

    #[test]
    fn default_database() {
        assert_eq!(
            parse_statement("SHOW MEASUREMENTS ON db").unwrap().default_database(),
            Some("db")
        );
        assert_eq!(parse_statement("SHOW MEASUREMENTS").unwrap().default_database(), None);
        assert_eq!(parse_statement("SELECT * FROM db..m").unwrap().default_database(), None);
    }
}
