//! http: a small blocking HTTP/1.1 client over `std::net::TcpStream`, hand-rolled so that the
//! tests control every byte: the method (HEAD, OPTIONS, PUT), each header, gzip and chunked
//! request bodies, and the exact status line and headers of the answer. One request per
//! connection (`Connection: close`), so the end of the answer is never ambiguous.
//!
//! The request body is written by a second thread while this one reads the answer: a server may
//! answer (413, 401) before it has read the body, and a client that insisted on writing all of
//! it first would deadlock on a full socket buffer.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long one request may take, connect to last byte. Generous: a 26 MB body on loopback
/// takes well under a second; a server that hangs fails the test instead of blocking it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The body of a request, and how it goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub enum Body {
    /// No body and no `Content-Length`.
    None,
    /// Sent with `Content-Length`.
    Bytes(Vec<u8>),
    /// Sent with `Transfer-Encoding: chunked`, in chunks of at most the given size.
    Chunked(Vec<u8>, usize),
    /// Only headers go out, claiming `Content-Length: n`, followed by the given prefix of the
    /// body; the rest is never sent. For servers that must refuse by the header alone (413).
    Claimed(u64, Vec<u8>),
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::None => write!(f, "None"),
            Body::Bytes(b) => write!(f, "Bytes({})", show_bytes(b, 2000)),
            Body::Chunked(b, n) => write!(f, "Chunked({}, chunk {n})", show_bytes(b, 2000)),
            Body::Claimed(n, b) => write!(f, "Claimed(Content-Length {n}, sent {})", show_bytes(b, 200)),
        }
    }
}

/// One HTTP request. `target` is the path and query string, already encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, `HEAD`, ...
    pub method: String,
    /// Path and query, e.g. `/query?db=x&q=SHOW+DATABASES`.
    pub target: String,
    /// Headers in the order sent. `Host`, `Connection`, `Content-Length` and
    /// `Transfer-Encoding` are added by [`send`].
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl Request {
    /// A request with no headers and no body.
    pub fn new(method: &str, target: impl Into<String>) -> Request {
        Request {
            method: method.to_string(),
            target: target.into(),
            headers: Vec::new(),
            body: Body::None,
        }
    }

    /// `GET target`.
    pub fn get(target: impl Into<String>) -> Request {
        Request::new("GET", target)
    }

    /// `POST target`.
    pub fn post(target: impl Into<String>) -> Request {
        Request::new("POST", target)
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the body, sent with `Content-Length`.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = Body::Bytes(body.into());
        self
    }

    /// Sets a form body (`application/x-www-form-urlencoded`), as Telegraf and Grafana send `q`.
    pub fn form(self, pairs: &[(&str, &str)]) -> Request {
        self.header("Content-Type", "application/x-www-form-urlencoded")
            .body(encode_pairs(pairs))
    }

    /// Compresses the current body with gzip and says so in `Content-Encoding`.
    pub fn gzip(mut self) -> Request {
        let raw = match std::mem::replace(&mut self.body, Body::None) {
            Body::Bytes(b) | Body::Chunked(b, _) => b,
            Body::None => Vec::new(),
            Body::Claimed(..) => panic!("BUG: gzip of a claimed body"),
        };
        self.body = Body::Bytes(gzip(&raw));
        self.header("Content-Encoding", "gzip")
    }

    /// `Authorization: Basic base64(user:password)`.
    pub fn basic_auth(self, user: &str, password: &str) -> Request {
        let token = base64(format!("{user}:{password}").as_bytes());
        self.header("Authorization", &format!("Basic {token}"))
    }

    /// The request as a developer reads it in a failure message: request line, headers, body.
    pub fn describe(&self) -> String {
        let mut s = format!("{} {}", self.method, self.target);
        for (k, v) in &self.headers {
            s.push_str(&format!("\n  {k}: {v}"));
        }
        match &self.body {
            Body::None => {}
            Body::Bytes(b) if self.headers.iter().any(|(k, v)| k == "Content-Encoding" && v == "gzip") => {
                let plain = gunzip(b).unwrap_or_else(|e| format!("(not gzip: {e})").into_bytes());
                s.push_str(&format!("\n  body (gzip of): {}", show_bytes(&plain, 2000)));
            }
            Body::Bytes(b) => s.push_str(&format!("\n  body: {}", show_bytes(b, 2000))),
            Body::Chunked(b, n) => s.push_str(&format!("\n  body (chunked by {n}): {}", show_bytes(b, 2000))),
            Body::Claimed(n, b) => {
                s.push_str(&format!("\n  Content-Length: {n}, body sent: {}", show_bytes(b, 200)));
            }
        }
        s
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// An HTTP answer as it came off the wire, the body de-chunked but not decompressed.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code from the status line.
    pub status: u16,
    /// Reason phrase from the status line.
    pub reason: String,
    /// Headers in the order received, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body: de-chunked when `Transfer-Encoding: chunked`.
    pub body: Vec<u8>,
    /// The chunk sizes when the body was chunked: a streaming answer shows its flushes here.
    pub chunks: Option<Vec<usize>>,
}

impl Response {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy), decompressed when `Content-Encoding: gzip`.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.plain_body()).into_owned()
    }

    /// The body, decompressed when `Content-Encoding: gzip`.
    pub fn plain_body(&self) -> Vec<u8> {
        if self
            .header("Content-Encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("gzip"))
        {
            gunzip(&self.body).unwrap_or_else(|_| self.body.clone())
        } else {
            self.body.clone()
        }
    }

    /// The body parsed as JSON; panics with the body if it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.plain_body())
            .unwrap_or_else(|e| panic!("response body is not JSON ({e}):\n{}", self.describe()))
    }

    /// Status line, headers and body, as a developer reads it in a failure message.
    pub fn describe(&self) -> String {
        let mut s = format!("HTTP/1.1 {} {}", self.status, self.reason);
        for (k, v) in &self.headers {
            s.push_str(&format!("\n  {k}: {v}"));
        }
        s.push_str(&format!("\n  body: {}", show_bytes(&self.plain_body(), 4000)));
        s
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Sends one request on a new connection and reads the whole answer.
pub fn send(addr: SocketAddr, req: &Request) -> io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, REQUEST_TIMEOUT)?;
    stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    stream.set_write_timeout(Some(REQUEST_TIMEOUT))?;
    stream.set_nodelay(true)?;
    let (head, body) = wire(addr, req);
    let mut writer = stream.try_clone()?;
    let is_head = req.method.eq_ignore_ascii_case("HEAD");
    std::thread::scope(|scope| {
        let w = scope.spawn(move || -> io::Result<()> {
            writer.write_all(&head)?;
            for part in body {
                writer.write_all(&part)?;
            }
            writer.flush()
        });
        let read = read_response(&mut stream, is_head);
        // A server may answer before reading the whole body and close: the writer then fails
        // with EPIPE or ECONNRESET, which does not matter once the answer is in.
        let wrote = w.join().expect("BUG: request writer panicked");
        match (read, wrote) {
            (Ok(r), _) => Ok(r),
            (Err(e), Err(we)) => Err(io::Error::new(e.kind(), format!("{e} (and writing the request: {we})"))),
            (Err(e), Ok(())) => Err(e),
        }
    })
}

/// The request head and the body parts, as they go on the wire.
fn wire(addr: SocketAddr, req: &Request) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n",
        req.method, req.target
    );
    for (k, v) in &req.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let mut parts = Vec::new();
    match &req.body {
        Body::None => {}
        Body::Bytes(b) => {
            head.push_str(&format!("Content-Length: {}\r\n", b.len()));
            parts.push(b.clone());
        }
        Body::Chunked(b, n) => {
            head.push_str("Transfer-Encoding: chunked\r\n");
            for c in b.chunks((*n).max(1)) {
                let mut part = format!("{:x}\r\n", c.len()).into_bytes();
                part.extend_from_slice(c);
                part.extend_from_slice(b"\r\n");
                parts.push(part);
            }
            parts.push(b"0\r\n\r\n".to_vec());
        }
        Body::Claimed(n, b) => {
            head.push_str(&format!("Content-Length: {n}\r\n"));
            parts.push(b.clone());
        }
    }
    head.push_str("\r\n");
    (head.into_bytes(), parts)
}

fn read_response(stream: &mut TcpStream, is_head: bool) -> io::Result<Response> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    // Read until the end of the head.
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        let n = read_some(stream, &mut chunk, &buf)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "connection closed before the end of the response head; got {}",
                    show_bytes(&buf, 500)
                ),
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut sl = status_line.splitn(3, ' ');
    let version = sl.next().unwrap_or_default();
    let status: u16 = sl
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("bad status line {status_line:?}")))?;
    if !version.starts_with("HTTP/1.") {
        return Err(bad(format!("bad status line {status_line:?}")));
    }
    let reason = sl.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    for line in lines {
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("bad header line {line:?}")))?;
        headers.push((k.to_string(), v.trim().to_string()));
    }
    let mut rest = buf[head_end + 4..].to_vec();
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let no_body = is_head || status == 204 || status == 304 || (100..200).contains(&status);
    let chunked = get("Transfer-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let (body, chunks) = if no_body {
        (Vec::new(), None)
    } else if chunked {
        let (b, sizes) = read_chunked(stream, rest)?;
        (b, Some(sizes))
    } else if let Some(len) = get("Content-Length") {
        let len: usize = len.parse().map_err(|_| bad(format!("bad Content-Length {len:?}")))?;
        while rest.len() < len {
            let n = read_some(stream, &mut chunk, &rest)?;
            if n == 0 {
                return Err(bad(format!("body ended after {} of {len} bytes", rest.len())));
            }
            rest.extend_from_slice(&chunk[..n]);
        }
        rest.truncate(len);
        (rest, None)
    } else {
        loop {
            let n = read_some(stream, &mut chunk, &rest)?;
            if n == 0 {
                break;
            }
            rest.extend_from_slice(&chunk[..n]);
        }
        (rest, None)
    };
    Ok(Response {
        status,
        reason,
        headers,
        body,
        chunks,
    })
}

/// One read; a reset after some bytes arrived is reported as the end of the stream, which the
/// callers then judge by what they got.
fn read_some(stream: &mut TcpStream, chunk: &mut [u8], got: &[u8]) -> io::Result<usize> {
    match stream.read(chunk) {
        Ok(n) => Ok(n),
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset && !got.is_empty() => Ok(0),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock || e.kind() == io::ErrorKind::TimedOut => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "no answer within {REQUEST_TIMEOUT:?}; got so far: {}",
                show_bytes(got, 500)
            ),
        )),
        Err(e) => Err(e),
    }
}

fn read_chunked(stream: &mut TcpStream, mut buf: Vec<u8>) -> io::Result<(Vec<u8>, Vec<usize>)> {
    let mut body = Vec::new();
    let mut sizes = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    let mut pos = 0;
    loop {
        // Size line.
        let line_end = loop {
            if let Some(i) = find(&buf[pos..], b"\r\n") {
                break pos + i;
            }
            let n = read_some(stream, &mut chunk, &buf)?;
            if n == 0 {
                return Err(bad("chunked body ended inside a size line".into()));
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let line = String::from_utf8_lossy(&buf[pos..line_end]).into_owned();
        let size_hex = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| bad(format!("bad chunk size {line:?}")))?;
        pos = line_end + 2;
        if size == 0 {
            return Ok((body, sizes));
        }
        while buf.len() < pos + size + 2 {
            let n = read_some(stream, &mut chunk, &buf)?;
            if n == 0 {
                return Err(bad(format!("chunked body ended inside a chunk of {size} bytes")));
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        body.extend_from_slice(&buf[pos..pos + size]);
        sizes.push(size);
        pos += size + 2;
    }
}

fn bad(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Percent-encodes like Go's `url.QueryEscape` (space as `+`), for query strings and form bodies.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `k=v&k2=v2`, each part encoded with [`encode`], in the given order.
pub fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `path?k=v&...`, or just `path` when there are no pairs.
pub fn url(path: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", encode_pairs(pairs))
    }
}

/// gzip-compresses bytes.
pub fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(raw).expect("BUG: writing to a Vec failed");
    enc.finish().expect("BUG: writing to a Vec failed")
}

/// Decompresses a gzip stream.
pub fn gunzip(z: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(z).read_to_end(&mut out)?;
    Ok(out)
}

/// Standard base64 with padding (for basic auth).
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Bytes for a human: text as a Rust string literal (escapes visible), cut at `max` bytes.
pub fn show_bytes(b: &[u8], max: usize) -> String {
    let cut = &b[..b.len().min(max)];
    let more = if b.len() > max {
        format!(" … ({} bytes in all)", b.len())
    } else {
        String::new()
    };
    match std::str::from_utf8(cut) {
        Ok(s) => format!("{s:?}{more}"),
        Err(_) => format!("{:?}{more}", String::from_utf8_lossy(cut)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_base64() {
        let f = |input: &str, want: &str| assert_eq!(base64(input.as_bytes()), want, "{input}");
        f("", "");
        f("f", "Zg==");
        f("fo", "Zm8=");
        f("foo", "Zm9v");
        f("root:root", "cm9vdDpyb290");
    }

    #[test]
    fn test_encode() {
        assert_eq!(
            encode("SELECT * FROM \"m\" WHERE a='b'"),
            "SELECT+%2A+FROM+%22m%22+WHERE+a%3D%27b%27"
        );
        assert_eq!(url("/q", &[("db", "x y"), ("q", "a&b")]), "/q?db=x+y&q=a%26b");
    }
}
