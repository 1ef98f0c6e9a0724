//! conn: the life of one HTTP connection and its timeouts. A connection is always in one
//! phase: reading a request head (from accept, or from the first byte after an idle spell),
//! busy with a request (handler running, body being read, answer being written), or idle
//! between requests. [`ConnIo`] wraps the socket and sees the first byte of each head;
//! [`RequestBody`] wraps a request's body and times the waits for it; [`Tracked`] wraps the
//! answer's body and marks the connection idle once it is sent. [`drive`] runs the hyper
//! connection and drops it when the phase's deadline passes or the listener evicts it:
//!
//! - head: `read-header-timeout` from its first byte (from accept for the first request, so
//!   the TLS handshake counts too);
//! - body: `read-body-timeout`, plus one second for every `read-body-min-rate` bytes
//!   received, counting only the time the handler waits for the client;
//! - idle: `idle-timeout` after the last answer.
//!
//! An answer is never timed out: a chunked query may stream for minutes, and the query
//! engine has its own `query-timeout`. Only the listener (`listener.rs`) creates
//! connections; nothing here knows the routes.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

use crate::config::HttpConfig;

/// The phase of a connection, in the low bits of [`ConnState::stamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Waiting for (the rest of) a request head, or for the TLS handshake.
    Head = 0,
    /// Between requests, after an answer was sent.
    Idle = 1,
    /// A request was dispatched and its answer is not sent yet.
    Busy = 2,
}

/// The timeouts of [`drive`], from `[http]`. Zero turns one off.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timeouts {
    /// Longest time from the first byte of a request head (or the accept) to its end.
    pub header: Duration,
    /// Time a body may take before `body_min_rate` starts to count.
    pub body: Duration,
    /// Each of these many body bytes earns one more second (0: no extension).
    pub body_min_rate: u64,
    /// Longest time between an answer and the next request's first byte.
    pub idle: Duration,
}

impl Timeouts {
    pub(super) fn from_config(c: &HttpConfig) -> Self {
        Self {
            header: c.read_header_timeout.0,
            body: c.read_body_timeout.0,
            body_min_rate: c.read_body_min_rate.0,
            idle: c.idle_timeout.0,
        }
    }

    fn limit(d: Duration) -> Option<Duration> {
        (!d.is_zero()).then_some(d)
    }
}

/// What one connection shares with the listener and its own wrappers.
#[derive(Debug)]
pub(super) struct ConnState {
    /// The phase (two low bits) and when it began (nanoseconds since [`base`], upper bits):
    /// one word, so that the listener can scan thousands of connections without locks.
    stamp: AtomicU64,
    /// Requests dispatched and not yet answered (hyper's HTTP/1 runs them one at a time).
    in_flight: AtomicU32,
    /// Set by the listener to evict the connection, or by [`drive`] once it expired.
    killed: AtomicBool,
    /// The waits for the current request's body.
    body: Mutex<BodyClock>,
    /// Wakes [`drive`] when its deadline may have moved earlier.
    wake: Notify,
}

/// Time spent waiting for a request body, against what its size allows.
#[derive(Debug, Default)]
struct BodyClock {
    /// When the handler started waiting for the next body bytes; None while it is not waiting.
    waiting_since: Option<Instant>,
    /// Waits that ended, added up.
    waited: Duration,
    /// Body bytes received.
    bytes: u64,
}

/// The zero of every [`ConnState::stamp`].
fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

fn stamp(phase: Phase, at: Instant) -> u64 {
    let nanos = u64::try_from(at.saturating_duration_since(base()).as_nanos()).unwrap_or(u64::MAX >> 2);
    (nanos << 2) | phase as u64
}

fn unstamp(s: u64) -> (Phase, Instant) {
    let phase = match s & 3 {
        0 => Phase::Head,
        1 => Phase::Idle,
        _ => Phase::Busy,
    };
    (phase, base() + Duration::from_nanos(s >> 2))
}

impl ConnState {
    /// A connection accepted at `now`: its first head (or TLS handshake) is due.
    pub(super) fn new(now: Instant) -> Self {
        Self {
            stamp: AtomicU64::new(stamp(Phase::Head, now)),
            in_flight: AtomicU32::new(0),
            killed: AtomicBool::new(false),
            body: Mutex::new(BodyClock::default()),
            wake: Notify::new(),
        }
    }

    /// The phase and when it began.
    pub(super) fn phase(&self) -> (Phase, Instant) {
        unstamp(self.stamp.load(Ordering::Acquire))
    }

    /// Asks [`drive`] to drop the connection now.
    pub(super) fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.wake.notify_one();
    }

    #[cfg(test)]
    pub(super) fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }

    /// Bytes arrived on the socket: when idle, they start a new request head.
    fn on_read(&self) {
        let s = self.stamp.load(Ordering::Acquire);
        if s & 3 == Phase::Idle as u64
            && self
                .stamp
                .compare_exchange(
                    s,
                    stamp(Phase::Head, Instant::now()),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
        {
            self.wake.notify_one();
        }
    }

    /// hyper dispatched a request: no timeout runs until its answer is sent, but the body's.
    pub(super) fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        *self.body_clock() = BodyClock::default();
        self.stamp.store(stamp(Phase::Busy, Instant::now()), Ordering::Release);
    }

    /// An answer was sent (or abandoned): with no other request in flight, the connection
    /// is idle from now.
    fn request_done(&self) {
        if self.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.stamp.store(stamp(Phase::Idle, Instant::now()), Ordering::Release);
            self.wake.notify_one();
        }
    }

    fn body_clock(&self) -> MutexGuard<'_, BodyClock> {
        self.body.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// When the connection must be dropped, if its phase has a deadline.
    fn deadline(&self, t: &Timeouts) -> Option<Instant> {
        if self.killed.load(Ordering::Acquire) {
            return Some(Instant::now());
        }
        let (phase, since) = self.phase();
        match phase {
            Phase::Head => Timeouts::limit(t.header).map(|d| since + d),
            Phase::Idle => Timeouts::limit(t.idle).map(|d| since + d),
            Phase::Busy => {
                let allowed = Timeouts::limit(t.body)?;
                let clock = self.body_clock();
                let waiting_since = clock.waiting_since?;
                let earned = match t.body_min_rate {
                    0 => Duration::ZERO,
                    rate => Duration::from_secs_f64(clock.bytes as f64 / rate as f64),
                };
                let left = (allowed + earned).saturating_sub(clock.waited);
                Some(waiting_since + left)
            }
        }
    }

    /// Why the connection is being dropped, for the log.
    fn reason(&self) -> &'static str {
        if self.killed.load(Ordering::Acquire) {
            return "evicted at max-connection-limit";
        }
        match self.phase().0 {
            Phase::Head => "read-header-timeout",
            Phase::Idle => "idle-timeout",
            Phase::Busy => "read-body-timeout",
        }
    }
}

/// Runs `conn` until it ends, or until `state`'s deadline passes or the listener evicts it;
/// then `conn` is dropped, which closes the socket and cancels the handler. Returns None
/// when the connection was cut.
pub(super) async fn drive<F: Future>(conn: F, state: &ConnState, timeouts: &Timeouts) -> Option<F::Output> {
    let mut conn = std::pin::pin!(conn);
    loop {
        let deadline = state.deadline(timeouts);
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            out = &mut conn => return Some(out),
            // The phase changed or the connection was evicted: compute the deadline again.
            () = state.wake.notified() => {}
            () = sleep => {
                // The deadline may have moved later meanwhile (body bytes arrived).
                if state.deadline(timeouts).is_some_and(|d| d <= Instant::now()) {
                    tracing::debug!(reason = state.reason(), "closing the connection");
                    state.killed.store(true, Ordering::Release);
                    return None;
                }
            }
        }
    }
}

/// The socket (TCP, under TLS when HTTPS is on), seen by the connection's phase clock.
#[derive(Debug)]
pub(super) struct ConnIo<S> {
    inner: S,
    state: Arc<ConnState>,
}

impl<S> ConnIo<S> {
    pub(super) fn new(inner: S, state: Arc<ConnState>) -> Self {
        Self { inner, state }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ConnIo<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.state.on_read();
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ConnIo<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A request's body, with the waits for it on the connection's body clock.
#[derive(Debug)]
pub struct RequestBody {
    inner: Incoming,
    state: Arc<ConnState>,
}

impl RequestBody {
    pub(super) fn new(inner: Incoming, state: Arc<ConnState>) -> Self {
        Self { inner, state }
    }

    fn stop_waiting(&self, bytes: u64) {
        let mut clock = self.state.body_clock();
        if let Some(since) = clock.waiting_since.take() {
            clock.waited += since.elapsed();
        }
        clock.bytes += bytes;
    }
}

impl HttpBody for RequestBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Pending => {
                let mut clock = this.state.body_clock();
                if clock.waiting_since.is_none() {
                    clock.waiting_since = Some(Instant::now());
                    drop(clock);
                    this.state.wake.notify_one();
                }
                Poll::Pending
            }
            Poll::Ready(r) => {
                let n = match &r {
                    Some(Ok(f)) => f.data_ref().map_or(0, |d| d.len() as u64),
                    _ => 0,
                };
                this.stop_waiting(n);
                Poll::Ready(r)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for RequestBody {
    fn drop(&mut self) {
        self.stop_waiting(0);
    }
}

/// An answer's body that marks its request done when it is sent or dropped.
#[derive(Debug)]
pub(super) struct Tracked<B> {
    inner: B,
    state: Arc<ConnState>,
}

impl<B> Tracked<B> {
    pub(super) fn new(inner: B, state: Arc<ConnState>) -> Self {
        Self { inner, state }
    }
}

impl<B: HttpBody + Unpin> HttpBody for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<B> Drop for Tracked<B> {
    fn drop(&mut self) {
        self.state.request_done();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timeouts = Timeouts {
        header: Duration::from_secs(10),
        body: Duration::from_secs(30),
        body_min_rate: 1000,
        idle: Duration::from_secs(120),
    };

    #[test]
    fn stamps_round_trip() {
        let now = Instant::now();
        for phase in [Phase::Head, Phase::Idle, Phase::Busy] {
            let (p, at) = unstamp(stamp(phase, now));
            assert_eq!(p, phase);
            assert!(at <= now && now - at < Duration::from_micros(1), "{at:?} {now:?}");
        }
    }

    #[test]
    fn each_phase_has_its_deadline() {
        let now = Instant::now();
        let s = ConnState::new(now);
        let near = |got: Option<Instant>, want: Instant| {
            let got = got.expect("a deadline");
            let diff = if got > want { got - want } else { want - got };
            assert!(diff < Duration::from_millis(50), "deadline off by {diff:?}");
        };
        near(s.deadline(&T), now + T.header);
        s.request_started();
        assert_eq!(
            s.deadline(&T),
            None,
            "a busy connection not waiting for its body has no deadline"
        );
        s.body_clock().waiting_since = Some(now);
        near(s.deadline(&T), now + T.body);
        {
            let mut c = s.body_clock();
            c.bytes = 5000;
            c.waited = Duration::from_secs(2);
        }
        // 30 s, plus 5 s earned by 5000 bytes at 1000 B/s, less 2 s already waited.
        near(s.deadline(&T), now + Duration::from_secs(33));
        s.body_clock().waiting_since = None;
        s.request_done();
        assert_eq!(s.phase().0, Phase::Idle);
        near(s.deadline(&T), Instant::now() + T.idle);
        s.on_read();
        assert_eq!(s.phase().0, Phase::Head);
        near(s.deadline(&T), Instant::now() + T.header);
        s.kill();
        assert!(s.deadline(&T).is_some_and(|d| d <= Instant::now()));
        let off = Timeouts {
            header: Duration::ZERO,
            ..T
        };
        let s = ConnState::new(now);
        assert_eq!(s.deadline(&off), None, "0s turns a timeout off");
    }
}
