//! meta_api: a blocking client of the meta API, for `cairn-ctl` and data nodes. It knows
//! one or more meta nodes; a call goes to the first that answers, and a failure names each
//! address tried and what happened there. Which node leads does not matter to the caller:
//! any meta node forwards leader-only calls itself.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// No meta node answered at all.
    #[error("no meta node answers: {}", describe(.tried))]
    Unreachable { tried: Vec<(String, String)> },
    /// A meta node answered with an error (its text names what failed).
    #[error("{text}")]
    Refused { addr: String, status: u16, text: String },
    /// A meta node answered with something this client cannot read.
    #[error("meta node {addr}: unreadable answer: {reason}")]
    Garbled { addr: String, reason: String },
}

impl CallError {
    /// The HTTP status of a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn describe(tried: &[(String, String)]) -> String {
    tried
        .iter()
        .map(|(addr, why)| format!("{addr} ({why})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An answer that carries no value (`204`, `304`), or a value.
#[derive(Debug)]
pub enum Reply<T> {
    Value(T),
    Empty(u16),
}

/// A client of the meta nodes at `addrs`.
#[derive(Debug, Clone)]
pub struct MetaApi {
    addrs: Vec<String>,
    secret: Option<String>,
    agent: ureq::Agent,
}

impl MetaApi {
    /// `timeout` bounds each whole call (a long-poll asks for less than it).
    pub fn new(addrs: Vec<String>, secret: Option<String>, timeout: Duration) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(2).min(timeout))
            .timeout(timeout)
            .build();
        Self {
            addrs,
            secret: secret.filter(|s| !s.is_empty()),
            agent,
        }
    }

    pub fn addrs(&self) -> &[String] {
        &self.addrs
    }

    /// `GET path` from the first meta node that answers.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, CallError> {
        match self.call(None, "GET", path, None)? {
            Reply::Value(v) => Ok(v),
            Reply::Empty(status) => Err(CallError::Garbled {
                addr: self.addrs.join(","),
                reason: format!("an empty answer ({status})"),
            }),
        }
    }

    /// `POST path` with a JSON body, to the first meta node that answers.
    pub fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, CallError> {
        let body = serde_json::to_vec(body).unwrap_or_else(|e| panic!("BUG: a meta API request does not encode: {e}"));
        match self.call(None, "POST", path, Some(&body))? {
            Reply::Value(v) => Ok(v),
            Reply::Empty(status) => Err(CallError::Garbled {
                addr: self.addrs.join(","),
                reason: format!("an empty answer ({status})"),
            }),
        }
    }

    /// A call to one given meta node (`addr`) or, with `None`, to the first that answers. A
    /// GET goes on to the next node after any failure on the way; a POST only when the
    /// connection could not be made, so that a change is never sent twice.
    pub fn call<T: DeserializeOwned>(
        &self,
        addr: Option<&str>,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<Reply<T>, CallError> {
        let addrs: Vec<&str> = match addr {
            Some(a) => vec![a],
            None => self.addrs.iter().map(String::as_str).collect(),
        };
        let mut tried = Vec::new();
        let addrs_len = addrs.len();
        for addr in addrs {
            let mut req = self
                .agent
                .request(method, &format!("http://{addr}{path}"))
                .set("content-type", "application/json");
            if let Some(s) = &self.secret {
                req = req.set("authorization", &format!("Bearer {s}"));
            }
            let result = match body {
                Some(b) => req.send_bytes(b),
                None => req.call(),
            };
            match result {
                Ok(resp) => return read(addr, resp),
                Err(ureq::Error::Status(status, resp)) => {
                    let text = resp.into_string().unwrap_or_default();
                    let text = serde_json::from_str::<meta::api::ApiError>(&text)
                        .map(|e| e.error)
                        .unwrap_or(text);
                    // A read goes on past a node that cannot serve (left its cluster, no
                    // leader for a linearizable read); the last one's refusal is kept.
                    if method == "GET" && status == 503 && tried.len() + 1 < addrs_len {
                        tried.push((addr.to_owned(), text));
                        continue;
                    }
                    return Err(CallError::Refused {
                        addr: addr.to_owned(),
                        status,
                        text: if text.is_empty() {
                            format!("meta node {addr}: HTTP {status}")
                        } else {
                            text
                        },
                    });
                }
                Err(ureq::Error::Transport(t)) => {
                    let unsent = matches!(t.kind(), ureq::ErrorKind::Dns | ureq::ErrorKind::ConnectionFailed);
                    tried.push((addr.to_owned(), transport_reason(&t)));
                    // A change that may have reached a node is not sent to another: it could
                    // be applied twice. The caller sees the failure and decides.
                    if method != "GET" && !unsent {
                        if let Some(last) = tried.last_mut() {
                            last.1.push_str("; the change may have been applied");
                        }
                        break;
                    }
                }
            }
        }
        Err(CallError::Unreachable { tried })
    }
}

fn read<T: DeserializeOwned>(addr: &str, resp: ureq::Response) -> Result<Reply<T>, CallError> {
    let status = resp.status();
    if status == 204 || status == 304 {
        return Ok(Reply::Empty(status));
    }
    let text = resp.into_string().map_err(|e| CallError::Garbled {
        addr: addr.to_owned(),
        reason: e.to_string(),
    })?;
    serde_json::from_str(&text)
        .map(Reply::Value)
        .map_err(|e| CallError::Garbled {
            addr: addr.to_owned(),
            reason: e.to_string(),
        })
}

/// What went wrong on the way, in an operator's words ("connection refused", "timed out").
fn transport_reason(t: &ureq::Transport) -> String {
    let mut inner: &dyn std::error::Error = t;
    while let Some(next) = inner.source() {
        inner = next;
    }
    let text = inner.to_string();
    let text = text.split(" (os error").next().unwrap_or_default();
    text.to_lowercase()
}
