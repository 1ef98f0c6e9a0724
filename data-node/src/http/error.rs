//! error: the one mapping from what went wrong to an HTTP answer: a status and InfluxDB's
//! JSON body `{"error":"..."}`, with the message also in `X-Influxdb-Error`.

use hyper::StatusCode;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    pub status: StatusCode,
    pub message: String,
    /// Extra headers (`Www-Authenticate` on 401).
    pub headers: Vec<(&'static str, String)>,
    /// Indent the body (`pretty=true` on /query).
    pub pretty: bool,
}

impl HttpError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            headers: Vec::new(),
            pretty: false,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// 401 with the header that makes browsers and clients ask for credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, message);
        e.headers
            .push(("Www-Authenticate", "Basic realm=\"InfluxDB\"".to_owned()));
        e
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// The JSON body, `{"error":"..."}` plus the newline Go's encoder writes; indented
    /// for `pretty=true`.
    pub fn body(&self, pretty: bool) -> String {
        let mut s = String::from(if pretty { "{\n    \"error\": " } else { "{\"error\":" });
        super::json::write_str(&mut s, &self.message);
        s.push_str(if pretty { "\n}\n" } else { "}\n" });
        s
    }

    /// The `X-Influxdb-Error` value: the message cut to 1024 bytes as InfluxDB does, line
    /// breaks turned into spaces as Go's header writer does.
    pub fn header_value(&self) -> String {
        let mut end = self.message.len().min(1024);
        while !self.message.is_char_boundary(end) {
            end -= 1;
        }
        self.message[..end].replace(['\r', '\n'], " ")
    }
}

impl From<crate::write::WriteError> for HttpError {
    /// A client's mistake as it is; a server failure logged whole and answered without the
    /// paths its text names.
    fn from(e: crate::write::WriteError) -> Self {
        if e.is_client_error() {
            return Self::bad_request(e.to_string());
        }
        tracing::error!(error = %e, "write failed");
        match &e {
            crate::write::WriteError::Shard(s) => Self::internal(crate::redact::paths(&s.client_text())),
            other => Self::internal(crate::redact::paths(&other.to_string())),
        }
    }
}
