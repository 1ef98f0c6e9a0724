//! body: the response body type. Most answers are one buffer; chunked query results are
//! streamed from the executor through a channel as they are produced.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tokio::sync::mpsc;

/// A response body: whole, or streamed.
#[derive(Debug)]
pub enum Body {
    Full(Option<Bytes>),
    Stream(Stream),
}

/// A body sent from another task through a channel; it ends when every sender is gone.
pub struct Stream {
    rx: mpsc::Receiver<Bytes>,
    /// Bytes received before the body was handed over ([`Stream::started`]).
    first: Option<Bytes>,
    /// Called when the body is dropped before its end: the client went away.
    on_abandon: Option<Box<dyn FnOnce() + Send>>,
}

impl Stream {
    pub fn new(rx: mpsc::Receiver<Bytes>) -> Self {
        Self {
            rx,
            first: None,
            on_abandon: None,
        }
    }

    /// Waits for the first bytes, so that the response's head goes out with them: an answer
    /// that is complete by then becomes a whole body (head, body and end in one write, as
    /// a small answer always was); a longer one streams on. Go's server, too, sends the
    /// head with the first flushed bytes. Dropped while it waits, the stream is abandoned.
    pub async fn started(mut self) -> Body {
        let Some(first) = self.rx.recv().await else {
            self.on_abandon = None;
            return Body::empty();
        };
        if self.rx.is_closed() && self.rx.is_empty() {
            self.on_abandon = None;
            return Body::from_bytes(first);
        }
        self.first = Some(first);
        Body::Stream(self)
    }

    /// Runs `f` if the body is dropped before its end (no task has to watch for it).
    pub fn on_abandon(mut self, f: impl FnOnce() + Send + 'static) -> Self {
        self.on_abandon = Some(Box::new(f));
        self
    }
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream").finish_non_exhaustive()
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        if let Some(f) = self.on_abandon.take() {
            f();
        }
    }
}

impl Body {
    pub fn empty() -> Self {
        Self::Full(None)
    }

    pub fn from_bytes(b: impl Into<Bytes>) -> Self {
        let b = b.into();
        Self::Full((!b.is_empty()).then_some(b))
    }
}

impl HttpBody for Body {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            Self::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            Self::Stream(s) if s.first.is_some() => Poll::Ready(s.first.take().map(|b| Ok(Frame::data(b)))),
            Self::Stream(s) => s.rx.poll_recv(cx).map(|b| {
                if b.is_none() {
                    // The end was reached: dropping the body now abandons nothing.
                    s.on_abandon = None;
                }
                b.map(|b| Ok(Frame::data(b)))
            }),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Self::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Full(None) => SizeHint::with_exact(0),
            // Left open on purpose: InfluxDB answers /query with chunked encoding.
            _ => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use http_body_util::BodyExt;

    use super::*;

    fn watched(rx: mpsc::Receiver<Bytes>) -> (Body, Arc<AtomicBool>) {
        let abandoned = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&abandoned);
        let body = Body::Stream(Stream::new(rx).on_abandon(move || flag.store(true, Ordering::Relaxed)));
        (body, abandoned)
    }

    #[tokio::test]
    async fn a_stream_dropped_before_its_end_is_abandoned() {
        let (tx, rx) = mpsc::channel(4);
        let (mut body, abandoned) = watched(rx);
        tx.send(Bytes::from_static(b"a")).await.unwrap();
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(&first[..], b"a");
        assert!(!abandoned.load(Ordering::Relaxed));
        drop(body);
        assert!(abandoned.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn a_stream_complete_when_started_is_one_whole_body() {
        let (tx, rx) = mpsc::channel(4);
        let (body, abandoned) = watched(rx);
        tx.send(Bytes::from_static(b"all")).await.unwrap();
        drop(tx);
        let Body::Stream(s) = body else { unreachable!() };
        let body = s.started().await;
        assert!(matches!(&body, Body::Full(Some(b)) if &b[..] == b"all"), "{body:?}");
        drop(body);
        assert!(!abandoned.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn a_started_stream_sends_its_first_bytes_then_the_rest() {
        let (tx, rx) = mpsc::channel(4);
        let (body, abandoned) = watched(rx);
        tx.send(Bytes::from_static(b"a")).await.unwrap();
        let Body::Stream(s) = body else { unreachable!() };
        let body = s.started().await;
        assert!(matches!(body, Body::Stream(_)));
        tx.send(Bytes::from_static(b"b")).await.unwrap();
        drop(tx);
        let all = body.collect().await.unwrap().to_bytes();
        assert_eq!(&all[..], b"ab");
        assert!(!abandoned.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn a_stream_dropped_while_starting_is_abandoned() {
        let (_tx, rx) = mpsc::channel::<Bytes>(4);
        let (body, abandoned) = watched(rx);
        let Body::Stream(s) = body else { unreachable!() };
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(10), s.started()).await;
        assert!(waiting.is_err());
        assert!(abandoned.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn a_stream_read_to_its_end_is_not_abandoned() {
        let (tx, rx) = mpsc::channel(4);
        let (body, abandoned) = watched(rx);
        tx.send(Bytes::from_static(b"ab")).await.unwrap();
        drop(tx);
        let all = body.collect().await.unwrap().to_bytes();
        assert_eq!(&all[..], b"ab");
        assert!(!abandoned.load(Ordering::Relaxed));
    }
}
