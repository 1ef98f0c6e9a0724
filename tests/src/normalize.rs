//! normalize: turns an HTTP answer into what two compatible servers must agree on. Drops what
//! legitimately differs between two runs or two HTTP stacks (Date, the request ids, framing:
//! Content-Length, Transfer-Encoding, Connection), keeps the presence but not the value of
//! X-Influxdb-Version, sorts the methods of `Allow` (influxd lists them in Go map order, which
//! changes from one request to the next), and decompresses gzip bodies. Everything else,
//! Content-Type, Www-Authenticate, the CORS headers, X-Influxdb-Error, X-Influxdb-Build,
//! X-Content-Type-Options, Content-Encoding and the body bytes, is compared as is.

use std::fmt;

use crate::http::{show_bytes, Response};

/// Headers dropped before comparing (lower case).
pub const DROPPED_HEADERS: &[&str] = &[
    "date",
    "request-id",
    "x-request-id",
    "content-length",
    "transfer-encoding",
    "connection",
];

/// The value that replaces `X-Influxdb-Version`'s.
pub const VERSION_PRESENT: &str = "(present)";

/// An answer reduced to what must match.
#[derive(Clone, PartialEq, Eq)]
pub struct Normalized {
    /// HTTP status.
    pub status: u16,
    /// Lower-case names, sorted by name (values of a repeated header keep their order).
    pub headers: Vec<(String, String)>,
    /// The body, decompressed when it was gzip.
    pub body: Vec<u8>,
}

impl Normalized {
    /// The value of a header (lower-case name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Sets (or removes, with `None`) a header, keeping the order.
    pub fn set_header(&mut self, name: &str, value: Option<&str>) {
        self.headers.retain(|(k, _)| k != name);
        if let Some(v) = value {
            self.headers.push((name.to_string(), v.to_string()));
            self.headers.sort_by(|a, b| a.0.cmp(&b.0));
        }
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Status, headers and body for a failure message.
    pub fn describe(&self) -> String {
        let mut s = format!("status {}", self.status);
        for (k, v) in &self.headers {
            s.push_str(&format!("\n  {k}: {v}"));
        }
        s.push_str(&format!("\n  body: {}", show_bytes(&self.body, 6000)));
        s
    }

    /// Where `self` (expected) and `other` (got) differ, in words; `None` when equal.
    pub fn difference(&self, other: &Normalized) -> Option<String> {
        let mut out = Vec::new();
        if self.status != other.status {
            out.push(format!("status: want {}, got {}", self.status, other.status));
        }
        if self.headers != other.headers {
            let names: std::collections::BTreeSet<&String> =
                self.headers.iter().chain(&other.headers).map(|(k, _)| k).collect();
            for n in names {
                let want: Vec<&String> = self.headers.iter().filter(|(k, _)| k == n).map(|(_, v)| v).collect();
                let got: Vec<&String> = other.headers.iter().filter(|(k, _)| k == n).map(|(_, v)| v).collect();
                if want != got {
                    out.push(format!("header {n}: want {want:?}, got {got:?}"));
                }
            }
        }
        if self.body != other.body {
            let at = self
                .body
                .iter()
                .zip(&other.body)
                .position(|(a, b)| a != b)
                .unwrap_or(self.body.len().min(other.body.len()));
            let from = at.saturating_sub(40);
            out.push(format!(
                "body differs at byte {at}: want …{} got …{}",
                show_bytes(&self.body[from..], 120),
                show_bytes(&other.body[from.min(other.body.len())..], 120)
            ));
        }
        if out.is_empty() {
            None
        } else {
            Some(out.join("\n"))
        }
    }
}

impl fmt::Debug for Normalized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Reduces an answer to what two compatible servers must agree on (see the module doc).
pub fn normalize(r: &Response) -> Normalized {
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .filter(|(k, _)| !DROPPED_HEADERS.contains(&k.as_str()))
        .map(|(k, v)| match k.as_str() {
            "x-influxdb-version" => (k, VERSION_PRESENT.to_string()),
            "allow" => {
                let mut methods: Vec<&str> = v.split(',').map(str::trim).collect();
                methods.sort_unstable();
                let v = methods.join(", ");
                (k, v)
            }
            _ => (k, v),
        })
        .collect();
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    Normalized {
        status: r.status,
        headers,
        body: r.plain_body(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_normalize() {
        let r = Response {
            status: 405,
            reason: "Method Not Allowed".into(),
            headers: vec![
                ("Allow".into(), "POST, OPTIONS".into()),
                ("Date".into(), "x".into()),
                ("X-Influxdb-Version".into(), "1.6.7~rc0".into()),
                ("Content-Type".into(), "text/plain; charset=utf-8".into()),
            ],
            body: b"Method Not Allowed\n".to_vec(),
            chunks: None,
        };
        let n = normalize(&r);
        assert_eq!(
            n.headers,
            vec![
                ("allow".to_string(), "OPTIONS, POST".to_string()),
                ("content-type".to_string(), "text/plain; charset=utf-8".to_string()),
                ("x-influxdb-version".to_string(), VERSION_PRESENT.to_string()),
            ]
        );
        assert_eq!(n.difference(&n.clone()), None);
    }
}
