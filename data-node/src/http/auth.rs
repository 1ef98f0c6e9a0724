//! auth: who is asking. Credentials come from basic auth, the `u`/`p` parameters or
//! `Authorization: Token user:pass` (InfluxDB 1.8's v2-compatible form); passwords are
//! checked against bcrypt hashes on tokio's blocking pool, at most one check per core at a
//! time, so that a flood of logins slows logins and nothing else. A success is remembered
//! for [`CACHE_TTL`] (by user and a digest of the password salted with the user's hash), so
//! that a Telegraf writing every second does not pay bcrypt's cost each time; a changed
//! password or a dropped user is never served from it. An unknown user costs a bcrypt check
//! against a dummy hash, so that timing does not tell which users exist.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use meta::{MetaData, UserInfo};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

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

/// bcrypt's cost for new passwords: InfluxDB's (`bcrypt.DefaultCost`), about 50 ms a check.
pub(crate) const HASH_COST: u32 = 10;

/// bcrypt reads at most 72 bytes of a password and ignores the rest, so a longer one is
/// refused rather than silently cut.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// How long a verified password is taken without bcrypt: long enough that a client writing
/// every few seconds pays bcrypt about once a minute, short enough that a leaked cache
/// entry (there is no other way in) is soon useless.
pub(crate) const CACHE_TTL: Duration = Duration::from_secs(60);

/// Most remembered successes: far more than the clients of a node, few enough (about 100
/// bytes each) to not matter; when full, expired entries go, then all of them.
pub(crate) const CACHE_MAX_ENTRIES: usize = 4096;

/// A cost-10 bcrypt hash of a password nobody has, checked for unknown users so that they
/// take as long as a wrong password.
const DUMMY_HASH: &str = "$2b$10$QeOWykM7cyR3kskZ0KRyLeqybIYltyUu5N5WnLdrEhYUJ53fTke6u";

/// Checks passwords on the blocking pool, with a cache of recent successes.
#[derive(Debug)]
pub struct Authenticator {
    /// (user, salted digest of the password) -> when bcrypt accepted it.
    cache: Mutex<HashMap<(String, [u8; 32]), Instant>>,
    /// One permit per concurrent bcrypt check (one per core).
    checks: Arc<Semaphore>,
    ttl: Duration,
}

impl Default for Authenticator {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cores, CACHE_TTL)
    }
}

impl Authenticator {
    /// An authenticator running at most `concurrency` bcrypt checks at once, remembering
    /// successes for `ttl`.
    pub fn new(concurrency: usize, ttl: Duration) -> Self {
        Self {
            cache: Mutex::new(HashMap::new()),
            checks: Arc::new(Semaphore::new(concurrency.max(1))),
            ttl,
        }
    }

    /// The user, as `meta` has it now (privileges included: they are never cached), if
    /// `creds` are right for it. bcrypt runs on the blocking pool; the caller's task waits
    /// without holding a runtime thread.
    pub async fn authenticate(&self, meta: &MetaData, creds: &Credentials) -> Result<UserInfo, HttpError> {
        let failed = || HttpError::unauthorized("authorization failed");
        if creds.username.is_empty() {
            return Err(HttpError::unauthorized("username required"));
        }
        let user = meta.user(&creds.username);
        let key = user.map(|u| (u.name.clone(), salted(&u.hash, &creds.password)));
        match (&key, user) {
            (Some(key), Some(user)) if self.cached(key) => return Ok(user.clone()),
            // Gone, or a new password: nothing remembered for the name may stand.
            _ => self.forget(&creds.username),
        }
        let hash = user.map_or(DUMMY_HASH, |u| u.hash.as_str()).to_owned();
        let password = creds.password.clone();
        let ok = self
            .run_check(move || bcrypt::verify(password, &hash).unwrap_or(false))
            .await?;
        match (ok, user, key) {
            (true, Some(user), Some(key)) => {
                self.remember(key);
                Ok(user.clone())
            }
            _ => Err(failed()),
        }
    }

    /// Forgets every success remembered for `user` (its password changed or it was dropped).
    pub fn forget(&self, user: &str) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if !cache.is_empty() {
            cache.retain(|(name, _), _| name != user);
        }
    }

    /// How many successes are remembered (expired ones included until they are swept).
    pub fn cached_entries(&self) -> usize {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn cached(&self, key: &(String, [u8; 32])) -> bool {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(key).is_some_and(|at| at.elapsed() < self.ttl)
    }

    fn remember(&self, key: (String, [u8; 32])) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_MAX_ENTRIES {
            let ttl = self.ttl;
            cache.retain(|_, at| at.elapsed() < ttl);
            if cache.len() >= CACHE_MAX_ENTRIES {
                cache.clear();
            }
        }
        cache.insert(key, Instant::now());
    }

    /// Runs one bcrypt job on the blocking pool under a permit.
    async fn run_check<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T, HttpError> {
        let internal = || HttpError::internal("cannot check credentials");
        let permit = Arc::clone(&self.checks).acquire_owned().await.map_err(|_| internal())?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job()
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "a bcrypt check failed");
            internal()
        })
    }
}

fn salted(hash: &str, password: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(hash.as_bytes());
    h.update([0]);
    h.update(password.as_bytes());
    h.finalize().into()
}

/// Refuses a password bcrypt would silently cut: better a clear error at CREATE USER than a
/// password that matches more strings than its owner typed.
pub fn check_password(password: &str) -> Result<(), String> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!(
            "password too long: {} bytes, bcrypt uses at most {MAX_PASSWORD_BYTES}",
            password.len()
        ));
    }
    Ok(())
}

/// A bcrypt hash of a new password (CREATE USER, SET PASSWORD), refusing a password bcrypt
/// would cut. Callers run it off the async runtime: the query executor runs statements on
/// the blocking pool.
pub fn hash_password(password: &str) -> Result<String, String> {
    check_password(password)?;
    bcrypt::hash(password, HASH_COST).map_err(|e| format!("cannot hash password: {e}"))
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

    fn user(name: &str, password: &str) -> UserInfo {
        UserInfo {
            name: name.into(),
            hash: bcrypt::hash(password, 4).unwrap(),
            admin: false,
            privileges: Default::default(),
        }
    }

    fn creds(u: &str, p: &str) -> Credentials {
        Credentials {
            username: u.into(),
            password: p.into(),
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn passwords_are_checked_and_successes_cached() {
        let mut meta = MetaData::default();
        meta.users.push(user("bob", "pw"));
        let auth = Authenticator::default();
        block_on(async {
            let err = auth.authenticate(&meta, &creds("bob", "no")).await.unwrap_err();
            assert_eq!(
                (err.status.as_u16(), err.message.as_str()),
                (401, "authorization failed")
            );
            assert_eq!(auth.cached_entries(), 0, "failures are not remembered");
            assert_eq!(auth.authenticate(&meta, &creds("bob", "pw")).await.unwrap().name, "bob");
            assert_eq!(auth.cached_entries(), 1);
            assert_eq!(auth.authenticate(&meta, &creds("bob", "pw")).await.unwrap().name, "bob");
            assert!(
                auth.authenticate(&meta, &creds("bob", "no")).await.is_err(),
                "the cache must not accept another password"
            );
            // SET PASSWORD (a new hash): the old password is refused and its entry forgotten.
            meta.users[0].hash = bcrypt::hash("new", 4).unwrap();
            assert!(auth.authenticate(&meta, &creds("bob", "pw")).await.is_err());
            assert_eq!(auth.cached_entries(), 0);
            assert!(auth.authenticate(&meta, &creds("bob", "new")).await.is_ok());
            // Privileges come from the metadata of the request, never from the cache.
            meta.users[0].admin = true;
            assert!(auth.authenticate(&meta, &creds("bob", "new")).await.unwrap().admin);
            // DROP USER: refused at once, the entry forgotten.
            meta.users.clear();
            assert_eq!(
                auth.authenticate(&meta, &creds("bob", "new"))
                    .await
                    .unwrap_err()
                    .message,
                "authorization failed"
            );
            assert_eq!(auth.cached_entries(), 0);
            let err = auth.authenticate(&meta, &creds("", "x")).await.unwrap_err();
            assert_eq!(err.message, "username required");
        });
    }

    #[test]
    fn successes_expire_and_the_cache_is_bounded() {
        let mut meta = MetaData::default();
        meta.users.push(user("bob", "pw"));
        let auth = Authenticator::new(1, Duration::ZERO);
        block_on(async {
            assert!(auth.authenticate(&meta, &creds("bob", "pw")).await.is_ok());
            assert!(!auth.cached(&("bob".to_owned(), salted(&meta.users[0].hash, "pw"))));
        });
        let auth = Authenticator::default();
        for i in 0..CACHE_MAX_ENTRIES + 10 {
            auth.remember((format!("u{i}"), [0; 32]));
            assert!(auth.cached_entries() <= CACHE_MAX_ENTRIES);
        }
    }

    #[test]
    fn unknown_users_pay_a_check_of_the_same_cost() {
        let cost = |h: &str| h.split('$').nth(2).map(str::to_owned);
        assert_eq!(cost(DUMMY_HASH).as_deref(), Some(format!("{HASH_COST}").as_str()));
        assert!(!bcrypt::verify("", DUMMY_HASH).unwrap());
        assert_eq!(cost(&hash_password("pw").unwrap()), cost(DUMMY_HASH));
        // The dummy check runs: an unknown user takes about as long as a wrong password.
        let mut meta = MetaData::default();
        let mut bob = user("bob", "pw");
        bob.hash = hash_password("pw").unwrap();
        meta.users.push(bob);
        let auth = Authenticator::default();
        let time = |name: &str| {
            let started = Instant::now();
            assert!(block_on(auth.authenticate(&meta, &creds(name, "wrong"))).is_err());
            started.elapsed()
        };
        let (unknown, wrong) = (time("nobody"), time("bob"));
        assert!(
            unknown * 3 > wrong,
            "unknown user {unknown:?}, wrong password {wrong:?}"
        );
    }

    #[test]
    fn passwords_bcrypt_would_cut_are_refused() {
        assert!(hash_password(&"x".repeat(MAX_PASSWORD_BYTES)).is_ok());
        assert_eq!(
            hash_password(&"x".repeat(73)).unwrap_err(),
            "password too long: 73 bytes, bcrypt uses at most 72"
        );
        // Bytes, not characters: 37 two-byte characters are 74 bytes.
        assert!(hash_password(&"é".repeat(37)).is_err());
    }
}
