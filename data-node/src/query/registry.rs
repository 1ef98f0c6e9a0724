//! registry: the queries running on this node, for `SHOW QUERIES` and `KILL QUERY`. A query
//! is registered for as long as it runs; killing it stops it through its [`QueryControl`],
//! which its statements check between units of work.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::control::{QueryControl, StopReason};
use super::{Row, Value};

#[derive(Debug)]
struct Entry {
    query: String,
    database: String,
    control: Arc<QueryControl>,
}

/// The running queries, by id (ids count from 1 for the life of the process).
#[derive(Debug, Default)]
pub(super) struct Registry {
    next: AtomicU64,
    running: Mutex<BTreeMap<u64, Entry>>,
}

/// A registered query; dropping it unregisters the query.
#[derive(Debug)]
pub(super) struct Ticket<'a> {
    registry: &'a Registry,
    id: u64,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Entry>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn register(&self, query: String, database: String, control: Arc<QueryControl>) -> Ticket<'_> {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        self.lock().insert(
            id,
            Entry {
                query,
                database,
                control,
            },
        );
        Ticket { registry: self, id }
    }

    /// `SHOW QUERIES`: InfluxDB's columns, then the bytes of memory the query holds.
    pub(super) fn show(&self) -> Row {
        let mut row = Row::new("", &["qid", "query", "database", "duration", "status", "memory"]);
        for (id, e) in self.lock().iter() {
            let status = match e.control.stopped() {
                None | Some(StopReason::Satisfied) => "running",
                Some(StopReason::Killed) => "killed",
                Some(StopReason::TimedOut) => "timed out",
                Some(StopReason::ClientGone) => "aborted",
            };
            let micros = i64::try_from(e.control.elapsed().as_micros()).unwrap_or(i64::MAX);
            row.values.push(vec![
                Value::Integer(i64::try_from(*id).unwrap_or(i64::MAX)),
                Value::String(e.query.clone()),
                Value::String(e.database.clone()),
                Value::String(influxql::duration::format_go_duration(micros.saturating_mul(1000))),
                Value::String(status.to_owned()),
                Value::Integer(i64::try_from(e.control.memory()).unwrap_or(i64::MAX)),
            ]);
        }
        row
    }

    /// `KILL QUERY id`.
    pub(super) fn kill(&self, id: u64) -> Result<(), String> {
        match self.lock().get(&id) {
            Some(e) => {
                e.control.stop(StopReason::Killed);
                Ok(())
            }
            None => Err(format!("no such query id: {id}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_listed_while_they_run_and_can_be_killed() {
        let r = Registry::default();
        let control = Arc::new(QueryControl::default());
        let a = r.register("SELECT 1".into(), "db".into(), Arc::clone(&control));
        let b = r.register("SHOW QUERIES".into(), String::new(), Arc::default());
        let rows = r.show().values;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][0], Value::Integer(1));
        assert_eq!(rows[0][1], Value::String("SELECT 1".into()));
        assert_eq!(rows[1][4], Value::String("running".into()));
        assert_eq!(rows[0][5], Value::Integer(0));
        r.kill(1).unwrap();
        assert_eq!(control.check().unwrap_err(), "query killed");
        assert_eq!(r.show().values[0][4], Value::String("killed".into()));
        assert_eq!(r.kill(9).unwrap_err(), "no such query id: 9");
        drop(a);
        drop(b);
        assert!(r.show().values.is_empty());
    }
}
