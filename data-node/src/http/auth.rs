//! auth: who is asking. Credentials come from basic auth, the `u`/`p` parameters or
//! `Authorization: Token user:pass` (InfluxDB 1.8's v2-compatible form); passwords are
//! checked against bcrypt hashes, and a successful check is remembered (by a salted SHA-256
//! of the password) so that a Telegraf writing every second does not pay bcrypt's cost
//! each time.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use meta::{MetaData, UserInfo};
use sha2::{Digest, Sha256};

use super::error::HttpError;

/// Credentials found in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// Reads credentials as InfluxDB's `parseCredentials` does: `u` and `p` URL parameters
/// (both non-empty) first, then the Authorization header (Basic, or Token `user:pass`).
pub(crate) fn parse_credentials(
    params: &[(String, String)],
    authorization: Option<&str>,
) -> Result<Credentials, HttpError> {
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    if !get("u").is_empty() && !get("p").is_empty() {
        return Ok(Credentials {
            username: get("u").to_owned(),
            password: get("p").to_owned(),
        });
    }
    let fail = || HttpError::unauthorized("unable to parse authentication credentials");
    let header = authorization.ok_or_else(fail)?;
    let (scheme, rest) = header.split_once(' ').ok_or_else(fail)?;
    let pair = match scheme {
        "Basic" => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .map_err(|_| fail())?;
            String::from_utf8(raw).map_err(|_| fail())?
        }
        "Token" => rest.trim().to_owned(),
        // InfluxDB's text (sic) when no shared secret is configured; Cairn has none.
        "Bearer" => return Err(HttpError::unauthorized("bearer auth disabld")),
        _ => return Err(fail()),
    };
    let (username, password) = pair.split_once(':').ok_or_else(fail)?;
    Ok(Credentials {
        username: username.to_owned(),
        password: password.to_owned(),
    })
}

/// Checks passwords, with a cache of recent successes.
#[derive(Debug, Default)]
pub struct Authenticator {
    /// user -> (bcrypt hash the success was checked against, salted digest of the password).
    cache: Mutex<HashMap<String, (String, [u8; 32])>>,
}

impl Authenticator {
    /// The user, if `creds` are right for it.
    pub fn authenticate(&self, meta: &MetaData, creds: &Credentials) -> Result<UserInfo, HttpError> {
        let failed = || HttpError::unauthorized("authorization failed");
        if creds.username.is_empty() {
            return Err(HttpError::unauthorized("username required"));
        }
        let user = meta.user(&creds.username).ok_or_else(failed)?;
        let digest = salted(&user.hash, &creds.password);
        {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((hash, d)) = cache.get(&user.name) {
                if *hash == user.hash && *d == digest {
                    return Ok(user.clone());
                }
            }
        }
        if !bcrypt::verify(&creds.password, &user.hash).unwrap_or(false) {
            return Err(failed());
        }
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user.name.clone(), (user.hash.clone(), digest));
        Ok(user.clone())
    }
}

fn salted(hash: &str, password: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(hash.as_bytes());
    h.update([0]);
    h.update(password.as_bytes());
    h.finalize().into()
}

/// A bcrypt hash of a new password. InfluxDB uses cost 10 as well.
pub fn hash_password(password: &str) -> Result<String, String> {
    bcrypt::hash(password, 10).map_err(|e| format!("cannot hash password: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn credentials_from_every_place_influxdb_reads_them() {
        let c = |u: &str, p: &str| Credentials {
            username: u.into(),
            password: p.into(),
        };
        assert_eq!(
            parse_credentials(&params(&[("u", "a"), ("p", "b")]), None),
            Ok(c("a", "b"))
        );
        assert_eq!(
            parse_credentials(&[], Some("Basic cm9vdDpyb290")),
            Ok(c("root", "root"))
        );
        assert_eq!(parse_credentials(&[], Some("Token bob:s:x")), Ok(c("bob", "s:x")));
        let err = parse_credentials(&[], None).unwrap_err();
        assert_eq!(
            (err.status.as_u16(), err.message.as_str()),
            (401, "unable to parse authentication credentials")
        );
        assert!(parse_credentials(&[], Some("Basic !!!")).is_err());
        assert!(parse_credentials(&[], Some("Bearer x")).is_err());
    }

    #[test]
    fn passwords_are_checked_and_successes_cached() {
        let mut meta = MetaData::default();
        meta.users.push(UserInfo {
            name: "bob".into(),
            hash: bcrypt::hash("pw", 4).unwrap(),
            admin: false,
            privileges: Default::default(),
        });
        let auth = Authenticator::default();
        let c = |p: &str| Credentials {
            username: "bob".into(),
            password: p.into(),
        };
        assert_eq!(
            auth.authenticate(&meta, &c("no")).unwrap_err().message,
            "authorization failed"
        );
        assert_eq!(auth.authenticate(&meta, &c("pw")).unwrap().name, "bob");
        assert_eq!(auth.authenticate(&meta, &c("pw")).unwrap().name, "bob");
        assert!(
            auth.authenticate(&meta, &c("no")).is_err(),
            "the cache must not accept another password"
        );
        // A new password (new hash) invalidates the cached success.
        meta.users[0].hash = bcrypt::hash("new", 4).unwrap();
        assert!(auth.authenticate(&meta, &c("pw")).is_err());
    }
}
