//! admission: `max-concurrent-queries`. A query takes a permit before it runs; when none is
//! free it waits in a bounded queue, at most until its deadline, and when the queue is full
//! it is refused at once with InfluxDB's text. So a burst of dashboard panels queues, while
//! a flood of clients cannot pile up unbounded work.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::control::QueryControl;

/// The permits and the queue.
#[derive(Debug)]
pub(crate) struct Admission {
    /// `None`: no limit.
    permits: Option<Arc<Semaphore>>,
    limit: u64,
    /// Queries waiting for a permit now, and how many may.
    waiting: Arc<AtomicU64>,
    max_waiting: u64,
}

/// A turn to run; dropping it lets the next query in.
#[derive(Debug)]
pub(crate) struct Permit(#[expect(dead_code, reason = "held for its Drop")] Option<OwnedSemaphorePermit>);

impl Admission {
    /// `limit` queries at once (0: no limit), `max_waiting` more in the queue.
    pub(crate) fn new(limit: u64, max_waiting: u64) -> Self {
        let permits = (limit > 0).then(|| Arc::new(Semaphore::new(usize::try_from(limit).unwrap_or(usize::MAX))));
        Self {
            permits,
            limit,
            waiting: Arc::new(AtomicU64::new(0)),
            max_waiting,
        }
    }

    /// Queries running now under the limit (0 without one).
    pub(crate) fn running(&self) -> u64 {
        self.permits
            .as_ref()
            .map_or(0, |p| self.limit.saturating_sub(p.available_permits() as u64))
    }

    /// Queries waiting for a turn.
    pub(crate) fn queued(&self) -> u64 {
        self.waiting.load(Ordering::Relaxed)
    }

    pub(crate) async fn admit(&self, control: &QueryControl) -> Result<Permit, String> {
        let Some(permits) = &self.permits else {
            return Ok(Permit(None));
        };
        if let Ok(p) = Arc::clone(permits).try_acquire_owned() {
            return Ok(Permit(Some(p)));
        }
        let refused = || {
            let running = self.limit + self.waiting.load(Ordering::Relaxed);
            format!("max-concurrent-queries limit exceeded({running}, {})", self.limit)
        };
        if self.waiting.fetch_add(1, Ordering::Relaxed) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            return Err(refused());
        }
        let _queued = Queued(Arc::clone(&self.waiting));
        let acquire = Arc::clone(permits).acquire_owned();
        let got = match control.remaining() {
            Some(left) => tokio::time::timeout(left, acquire).await.map_err(|_| {
                "query-timeout limit exceeded: waited for a turn to run (max-concurrent-queries)".to_owned()
            })?,
            None => acquire.await,
        };
        got.map(|p| Permit(Some(p)))
            .map_err(|_| "query engine shutdown".to_owned())
    }
}

/// Counts a query in the queue while it waits.
struct Queued(Arc<AtomicU64>);

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::query::MemoryPool;

    #[tokio::test(flavor = "current_thread")]
    async fn queries_queue_then_are_refused() {
        let a = Admission::new(1, 1);
        let c = QueryControl::default();
        let first = a.admit(&c).await.unwrap();
        // The second waits in the queue; the third finds it full.
        let second = a.admit(&c);
        tokio::pin!(second);
        assert!(futures_poll(&mut second).await.is_none(), "the second query must wait");
        assert_eq!(
            a.admit(&c).await.unwrap_err(),
            "max-concurrent-queries limit exceeded(2, 1)"
        );
        drop(first);
        assert!(second.await.is_ok(), "a freed permit goes to the waiting query");
        // A queued query gives up at its deadline.
        let held = a.admit(&c).await.unwrap();
        let short = QueryControl::new(Duration::from_millis(20), Arc::new(MemoryPool::new(0)), 0);
        let err = a.admit(&short).await.unwrap_err();
        assert!(err.starts_with("query-timeout limit exceeded"), "{err}");
        drop(held);
        assert!(Admission::new(0, 0).admit(&c).await.is_ok(), "0 = no limit");
    }

    /// Polls a future once.
    async fn futures_poll<F: std::future::Future + Unpin>(f: &mut F) -> Option<F::Output> {
        tokio::time::timeout(Duration::from_millis(20), f).await.ok()
    }
}
