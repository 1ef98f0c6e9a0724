//! tls: HTTPS for the API, as InfluxDB 1.x configures it: `https-certificate` is a PEM
//! file with the certificate chain, `https-private-key` a PEM file with the key; when the
//! key is empty, it is read from the certificate file (one file holding both). rustls with
//! the ring provider, TLS 1.2 and 1.3, HTTP/1.1 only (ALPN `http/1.1`).

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

/// Why HTTPS cannot start; the node refuses to start rather than serve plain HTTP.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("https-certificate {path:?}: {reason}")]
    Certificate { path: String, reason: String },
    #[error("https-private-key {path:?}: {reason}")]
    Key { path: String, reason: String },
    #[error("https-certificate and https-private-key cannot be used together: {0}")]
    Config(rustls::Error),
}

/// The acceptor for `certificate` and `key` (the key from `certificate` when empty).
pub fn acceptor(certificate: &str, key: &str) -> Result<TlsAcceptor, TlsError> {
    let cert_err = |reason: String| TlsError::Certificate {
        path: certificate.to_owned(),
        reason,
    };
    let certs = CertificateDer::pem_file_iter(Path::new(certificate))
        .map_err(|e| cert_err(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_err(e.to_string()))?;
    if certs.is_empty() {
        return Err(cert_err("no CERTIFICATE block in the file".to_owned()));
    }
    let key_path = if key.is_empty() { certificate } else { key };
    let key = PrivateKeyDer::from_pem_file(Path::new(key_path)).map_err(|e| TlsError::Key {
        path: key_path.to_owned(),
        reason: match e {
            rustls_pki_types::pem::Error::NoItemsFound => "no PRIVATE KEY block in the file".to_owned(),
            e => e.to_string(),
        },
    })?;
    // ring rather than aws-lc-rs: no cmake and no long C build. ring has no post-quantum
    // key exchange, which is what the deprecation says; X25519 and the NIST curves remain.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Config)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(TlsError::Config)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_empty_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.pem");
        let err = acceptor(missing.to_str().unwrap(), "")
            .err()
            .expect("an error")
            .to_string();
        assert!(err.starts_with("https-certificate"), "{err}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let err = acceptor(empty.to_str().unwrap(), "")
            .err()
            .expect("an error")
            .to_string();
        assert!(err.contains("no CERTIFICATE block"), "{err}");
    }
}
