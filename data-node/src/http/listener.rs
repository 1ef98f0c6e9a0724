//! listener: accepts the API's connections, over TLS when HTTPS is on, and keeps their
//! number under `max-connection-limit` so that clients cannot exhaust the node's file
//! descriptors. At the limit, a new connection takes the place of the connection idle for
//! longest, or else of the one that has waited longest for a request head (both cost the
//! node nothing to drop, and an honest client retries on a fresh connection). When every
//! connection is busy with a request, a small reserve beyond the limit answers only `/ping`,
//! `/health` and `/metrics` (503 for anything else, one request per connection), so that
//! load balancers and monitoring still see the node alive; past the reserve, new
//! connections are closed at once.
//!
//! Each connection runs under the timeouts of `conn.rs`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::conn::{drive, ConnIo, ConnState, Phase, RequestBody, Timeouts, Tracked};
use super::routes::{HEALTH, METRICS, PING};
use super::{error_response, handle, Api, HttpError};

/// Connections beyond `max-connection-limit` that may answer `/ping`, `/health` and
/// `/metrics` while every regular one is busy: a few health checkers at once, each holding
/// its connection for one request of microseconds. Small enough to be noise against the file descriptors
/// the limit leaves free (half of them).
pub const PING_RESERVE: usize = 32;

/// The default `max-connection-limit`: this many at most, and never more than half the
/// open-file limit (the other half is for shards' files, WALs and the reserve).
pub(super) const DEFAULT_MAX_CONNECTIONS: u64 = 10_000;

/// The connection limit for a configured value (0 = automatic) and the open-file limit.
pub fn connection_limit(configured: u64, nofile: u64) -> usize {
    let auto = DEFAULT_MAX_CONNECTIONS.min(nofile / 2).max(1);
    usize::try_from(if configured == 0 { auto } else { configured }).unwrap_or(usize::MAX)
}

/// Raises the soft open-file limit to the hard one, and returns the soft limit now in force.
pub fn raise_nofile_limit() -> u64 {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let lim = getrlimit(Resource::Nofile);
    let soft = lim.current.unwrap_or(u64::MAX);
    if lim.current.is_some() && lim.current != lim.maximum {
        let raised = rustix::process::Rlimit {
            current: lim.maximum,
            maximum: lim.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => return lim.maximum.unwrap_or(u64::MAX),
            Err(e) => tracing::warn!(error = %e, soft, "cannot raise the open-file limit"),
        }
    }
    soft
}

/// The connections in place, by slot kind.
#[derive(Debug)]
struct Registry {
    /// `max-connection-limit`.
    max: usize,
    /// How many `/ping`-only connections may exist beyond it.
    reserve_max: usize,
    slots: Mutex<Slots>,
}

#[derive(Debug, Default)]
struct Slots {
    next_id: u64,
    regular: HashMap<u64, Arc<ConnState>>,
    reserve: HashMap<u64, Arc<ConnState>>,
}

/// Where an accepted connection was put; leaving it frees the slot.
#[derive(Debug)]
struct Slot {
    registry: Arc<Registry>,
    id: u64,
    reserve: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut slots = self.registry.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if self.reserve {
            slots.reserve.remove(&self.id);
        } else {
            slots.regular.remove(&self.id);
        }
    }
}

/// The connection to drop for a newcomer: idle longest, else waiting longest for a head.
fn evictable(conns: &HashMap<u64, Arc<ConnState>>) -> Option<u64> {
    let mut idle: Option<(Instant, u64)> = None;
    let mut head: Option<(Instant, u64)> = None;
    for (&id, c) in conns {
        let (phase, since) = c.phase();
        let best = match phase {
            Phase::Idle => &mut idle,
            Phase::Head => &mut head,
            Phase::Busy => continue,
        };
        if best.is_none_or(|(t, _)| since < t) {
            *best = Some((since, id));
        }
    }
    idle.or(head).map(|(_, id)| id)
}

/// What happened to an accepted connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Admitted {
    /// A free regular slot.
    Regular,
    /// A regular slot freed by evicting another connection.
    Evicted,
    /// A `/ping`-only slot of the reserve.
    Reserve,
    /// None: the connection is closed.
    Refused,
}

impl Registry {
    fn new(max: usize, reserve_max: usize) -> Self {
        Self {
            max,
            reserve_max,
            slots: Mutex::new(Slots::default()),
        }
    }

    fn admit(self: &Arc<Self>, state: &Arc<ConnState>) -> (Admitted, Option<Slot>) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let id = slots.next_id;
        slots.next_id += 1;
        let mut how = Admitted::Regular;
        let mut reserve = false;
        if slots.regular.len() >= self.max {
            if let Some(victim) = evictable(&slots.regular) {
                if let Some(v) = slots.regular.remove(&victim) {
                    v.kill();
                }
                how = Admitted::Evicted;
            } else {
                reserve = true;
                how = Admitted::Reserve;
                if slots.reserve.len() >= self.reserve_max {
                    match evictable(&slots.reserve).and_then(|v| slots.reserve.remove(&v)) {
                        Some(v) => v.kill(),
                        None => return (Admitted::Refused, None),
                    }
                }
            }
        }
        let map = if reserve {
            &mut slots.reserve
        } else {
            &mut slots.regular
        };
        map.insert(id, Arc::clone(state));
        let slot = Slot {
            registry: Arc::clone(self),
            id,
            reserve,
        };
        (how, Some(slot))
    }

    #[cfg(test)]
    fn counts(&self) -> (usize, usize) {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        (slots.regular.len(), slots.reserve.len())
    }
}

/// Serves the API on `listener` (HTTPS with `tls`) until `shutdown` turns true; then stops
/// accepting and waits for the requests in flight to finish.
pub async fn serve(
    listener: TcpListener,
    api: Arc<Api>,
    tls: Option<TlsAcceptor>,
    max_connections: usize,
    mut shutdown: watch::Receiver<bool>,
) {
    let registry = Arc::new(Registry::new(max_connections, PING_RESERVE));
    let timeouts = Timeouts::from_config(&api.config);
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // EMFILE and the like: the limit above keeps this rare; back off a little.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let state = Arc::new(ConnState::new(Instant::now()));
        let (how, slot) = registry.admit(&state);
        let counters = &api.metrics;
        match how {
            Admitted::Regular => {}
            Admitted::Evicted => {
                counters.http_connections_evicted.fetch_add(1, Ordering::Relaxed);
            }
            Admitted::Reserve => {
                counters.http_connections_reserve.fetch_add(1, Ordering::Relaxed);
            }
            Admitted::Refused => {
                counters.http_connections_refused.fetch_add(1, Ordering::Relaxed);
            }
        }
        let Some(slot) = slot else {
            tracing::debug!(%peer, "connection refused: max-connection-limit and the /ping reserve are full");
            // Dropping the stream closes it: no buffer, no task.
            continue;
        };
        let _ = stream.set_nodelay(true);
        let conn = Connection {
            api: Arc::clone(&api),
            peer,
            state,
            reserve: slot.reserve,
            watcher: graceful.watcher(),
        };
        let tls = tls.clone();
        api.metrics.http_connections_open.fetch_add(1, Ordering::Relaxed);
        let metrics = Arc::clone(&api.metrics);
        tokio::spawn(async move {
            let state = Arc::clone(&conn.state);
            if drive(conn.run(stream, tls), &state, &timeouts).await.is_none() {
                metrics.http_connections_cut.fetch_add(1, Ordering::Relaxed);
            }
            drop(slot);
            metrics.http_connections_open.fetch_sub(1, Ordering::Relaxed);
        });
    }
    graceful.shutdown().await;
}

/// One accepted connection, before its TLS handshake.
struct Connection {
    api: Arc<Api>,
    peer: SocketAddr,
    state: Arc<ConnState>,
    /// A reserve slot: `/ping`, `/health` and `/metrics` only, one request.
    reserve: bool,
    watcher: Watcher,
}

impl Connection {
    async fn run(self, stream: TcpStream, tls: Option<TlsAcceptor>) {
        let io = ConnIo::new(stream, Arc::clone(&self.state));
        match tls {
            None => self.http(io).await,
            Some(acceptor) => match acceptor.accept(io).await {
                Ok(tls) => self.http(tls).await,
                Err(e) => tracing::debug!(error = %e, peer = %self.peer, "TLS handshake failed"),
            },
        }
    }

    async fn http<I>(self, io: I)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            api,
            peer,
            state,
            reserve,
            watcher,
        } = self;
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let api = Arc::clone(&api);
            let state = Arc::clone(&state);
            async move {
                state.request_started();
                let req = req.map(|b| RequestBody::new(b, Arc::clone(&state)));
                let resp = if reserve && !matches!(req.uri().path(), PING | HEALTH | METRICS) {
                    over_limit()
                } else {
                    handle(&api, req, peer).await
                };
                Ok::<_, Infallible>(resp.map(|b| Tracked::new(b, state)))
            }
        });
        let conn = hyper::server::conn::http1::Builder::new()
            // conn.rs times heads itself: hyper's timer would also cut idle keep-alives.
            .header_read_timeout(None)
            .keep_alive(!reserve)
            .serve_connection(TokioIo::new(io), service);
        if let Err(e) = watcher.watch(conn).await {
            tracing::debug!(error = %e, %peer, "connection ended with an error");
        }
    }
}

/// The answer of a reserve connection to anything but `/ping`, `/health` and `/metrics`.
fn over_limit() -> hyper::Response<super::Body> {
    let mut r = error_response(&HttpError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "too many open connections (max-connection-limit)",
    ));
    r.headers_mut().insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_from_the_open_file_limit() {
        assert_eq!(connection_limit(0, 1024), 512);
        assert_eq!(connection_limit(0, 1 << 20), 10_000);
        assert_eq!(connection_limit(0, 1), 1);
        assert_eq!(connection_limit(300, 1024), 300);
    }

    #[test]
    fn evicts_idle_then_slow_heads_then_uses_the_reserve() {
        let registry = Arc::new(Registry::new(3, 1));
        let t0 = Instant::now();
        let conns: Vec<Arc<ConnState>> = (0..3).map(|_| Arc::new(ConnState::new(t0))).collect();
        let mut slots: Vec<Slot> = conns
            .iter()
            .map(|c| {
                let (how, slot) = registry.admit(c);
                assert_eq!(how, Admitted::Regular);
                slot.unwrap()
            })
            .collect();
        // conns[0] is busy; conns[1] idle; conns[2] still waits for its head.
        conns[0].request_started();
        conns[1].request_started();
        drop(Tracked::new((), Arc::clone(&conns[1])));
        assert_eq!(conns[1].phase().0, Phase::Idle);
        let newcomer = Arc::new(ConnState::new(Instant::now()));
        let (how, slot) = registry.admit(&newcomer);
        assert_eq!(how, Admitted::Evicted);
        slots.push(slot.unwrap());
        assert!(conns[1].is_killed(), "the idle connection is evicted first");
        assert!(!conns[2].is_killed());
        // Next, the connection waiting longest for its head: conns[2], not the newcomer.
        let second = Arc::new(ConnState::new(Instant::now()));
        let (how, slot) = registry.admit(&second);
        assert_eq!(how, Admitted::Evicted);
        slots.push(slot.unwrap());
        assert!(conns[2].is_killed());
        assert!(!newcomer.is_killed());
        assert_eq!(registry.counts(), (3, 0));
        // Every regular connection busy: the reserve, then (its one slot busy too) refusal.
        newcomer.request_started();
        second.request_started();
        let reserved = Arc::new(ConnState::new(Instant::now()));
        let (how, slot) = registry.admit(&reserved);
        assert_eq!(how, Admitted::Reserve);
        let slot = slot.unwrap();
        assert!(slot.reserve);
        reserved.request_started();
        let (how, none) = registry.admit(&Arc::new(ConnState::new(Instant::now())));
        assert_eq!((how, none.is_none()), (Admitted::Refused, true));
        drop(slot);
        assert_eq!(registry.counts().1, 0, "leaving frees the slot");
        drop(slots);
        assert_eq!(registry.counts(), (0, 0));
    }
}
