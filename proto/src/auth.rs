//! auth: the shared secret that guards every RPC between nodes: the meta API, Raft RPC and
//! data-node RPC (Enterprise's `meta-internal-shared-secret`). A caller sends
//! `Authorization: Bearer <secret>`; the comparison takes the same time wherever the first
//! difference is.

use std::sync::Arc;

use tonic::metadata::{MetadataMap, MetadataValue};
use tonic::{Request, Status};

/// The configured secret, or none (no check).
#[derive(Clone, Default)]
pub struct Secret(Option<Arc<str>>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Secret(set)"
        } else {
            "Secret(none)"
        })
    }
}

impl Secret {
    pub fn new(secret: Option<&str>) -> Self {
        Self(secret.map(Arc::from))
    }

    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// The `Authorization` header value to send, if a secret is set.
    pub fn header(&self) -> Option<String> {
        self.0.as_ref().map(|s| format!("Bearer {s}"))
    }

    /// Whether an `Authorization` header value (or its absence) passes.
    pub fn accepts(&self, header: Option<&[u8]>) -> bool {
        let Some(secret) = &self.0 else { return true };
        let want = format!("Bearer {secret}");
        let got = header.unwrap_or_default();
        // Constant time over the expected length.
        let mut diff = u8::from(got.len() != want.len());
        for (i, w) in want.bytes().enumerate() {
            diff |= w ^ got.get(i).copied().unwrap_or(0);
        }
        diff == 0
    }

    /// Adds the secret to an outgoing gRPC call.
    pub fn attach(&self, metadata: &mut MetadataMap) {
        if let Some(v) = self.header().and_then(|h| MetadataValue::try_from(h).ok()) {
            metadata.insert("authorization", v);
        }
    }

    /// The gRPC interceptor: refuses a call without the secret.
    #[allow(clippy::result_large_err)]
    pub fn check_grpc(&self, req: Request<()>) -> Result<Request<()>, Status> {
        let header = req.metadata().get("authorization").map(|v| v.as_bytes());
        if self.accepts(header) {
            Ok(req)
        } else {
            Err(Status::unauthenticated(
                "wrong or missing shared secret (set [meta] internal-shared-secret to the cluster's)",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_secret_passes() {
        let s = Secret::new(Some("s3cret"));
        assert!(s.accepts(Some(b"Bearer s3cret")));
        assert!(!s.accepts(Some(b"Bearer s3cre")));
        assert!(!s.accepts(Some(b"Bearer s3cretx")));
        assert!(!s.accepts(Some(b"s3cret")));
        assert!(!s.accepts(None));
        assert!(Secret::new(None).accepts(None));
    }
}
