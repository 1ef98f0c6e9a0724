//! cairn-config: the settings of Cairn's binaries, read the same way by each. A binary's
//! `config.toml` is the single source of its defaults and their documentation; a file given
//! with `--config` overrides it, and `CAIRN_<SECTION>_<KEY>` environment variables override
//! both (upper case, `-` written as `_`), typed like the default they replace. An unknown
//! `CAIRN_` variable is an error, so that a typo does not silently do nothing.
//!
//! Also the value types settings share: durations as InfluxDB writes them, sizes with a
//! k/m/g suffix, and `"auto"`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;

/// `CAIRN_` variables that are not options of any binary: the log level, and what `./x`
/// and the tests read. A binary started from them must not take them for typos.
pub const SCRIPT_ENV: &[&str] = &[
    "CAIRN_LOG",
    "CAIRN_SHARED",
    "CAIRN_DATA_BIN",
    "CAIRN_META_BIN",
    "CAIRN_CTL_BIN",
    // ./x's own settings, which reach the binaries `./x up` starts.
    "CAIRN_DIR",
    "CAIRN_HTTP_BIND",
    "CAIRN_BENCH_DATA",
    "CAIRN_FUZZ_SECONDS",
    "CAIRN_FUZZ_CORPUS",
    // cairn-ctl's own.
    "CAIRN_CTL_BIND",
];

/// The address others should use for a listener: `configured` when set, else `bind` with
/// this machine's host name in place of an address that binds every interface (`:8088`,
/// `0.0.0.0:8088`, `[::]:8088`).
pub fn advertise(configured: &str, bind: &str) -> String {
    if !configured.is_empty() {
        return configured.to_owned();
    }
    let port = match bind.rsplit_once(':') {
        Some(("" | "0.0.0.0" | "[::]", port)) => port,
        _ => return bind.to_owned(),
    };
    let host = rustix::system::uname().nodename().to_string_lossy().into_owned();
    format!("{host}:{port}")
}

/// A binary's state directory: `configured` when set, else `~/<home_name>`, else `system`
/// (no home directory, as for a service user).
pub fn state_dir(configured: &str, home_name: &str, system: &str) -> PathBuf {
    if !configured.is_empty() {
        return PathBuf::from(configured);
    }
    match std::env::var_os("HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home).join(home_name),
        _ => PathBuf::from(system),
    }
}

/// How one binary reads its settings.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    /// The documented default configuration (the binary's `config.toml`).
    pub defaults: &'static str,
    /// The binary's name, for error messages (`see \`cairn-data config\``).
    pub program: &'static str,
    /// `CAIRN_` variables that are not options (read by scripts and tests).
    pub ignored_env: &'static [&'static str],
}

impl Source {
    /// The defaults as `T`: a bug in the binary when they do not parse.
    pub fn defaults<T: DeserializeOwned>(&self) -> T {
        let table: toml::Table = self
            .defaults
            .parse()
            .unwrap_or_else(|e| panic!("BUG: {} config.toml: {e}", self.program));
        T::deserialize(table).unwrap_or_else(|e| panic!("BUG: {} config.toml: {e}", self.program))
    }

    /// The defaults, overridden by `file` (if any) and then by `env` (`CAIRN_...` pairs).
    pub fn load<T: DeserializeOwned>(
        &self,
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<T, ConfigError> {
        let mut table: toml::Table = self.defaults.parse().map_err(|e| ConfigError::Invalid(Box::new(e)))?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            let over: toml::Table = text.parse().map_err(|e| ConfigError::Parse {
                path: path.to_path_buf(),
                source: Box::new(e),
            })?;
            merge(&mut table, over);
        }
        self.apply_env(&mut table, env)?;
        T::deserialize(table).map_err(|e| ConfigError::Invalid(Box::new(e)))
    }

    /// Sets `[section] key` from `CAIRN_SECTION_KEY`, typed like the default value.
    fn apply_env(
        &self,
        table: &mut toml::Table,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        let env_name = |section: &str, key: &str| format!("CAIRN_{section}_{key}").to_uppercase().replace('-', "_");
        for (var, value) in env {
            if !var.starts_with("CAIRN_") {
                continue;
            }
            let mut found = false;
            for (section, keys) in table.iter_mut() {
                let Some(keys) = keys.as_table_mut() else { continue };
                for (key, slot) in keys.iter_mut() {
                    if env_name(section, key) != var {
                        continue;
                    }
                    found = true;
                    let bad = |reason: &str| ConfigError::Env {
                        var: var.clone(),
                        value: value.clone(),
                        reason: reason.to_owned(),
                    };
                    *slot = match slot {
                        toml::Value::Boolean(_) => toml::Value::Boolean(match value.as_str() {
                            "true" | "1" => true,
                            "false" | "0" => false,
                            _ => return Err(bad("expected true or false")),
                        }),
                        toml::Value::Integer(_) => {
                            toml::Value::Integer(value.parse().map_err(|_| bad("expected an integer"))?)
                        }
                        _ => toml::Value::String(value.clone()),
                    };
                }
            }
            if !found && !self.ignored_env.contains(&var.as_str()) {
                return Err(ConfigError::Env {
                    var,
                    value,
                    reason: format!("no such option (see `{} config`)", self.program),
                });
            }
        }
        Ok(())
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {}: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("environment variable {var}={value:?}: {reason}")]
    Env { var: String, value: String, reason: String },
    #[error("configuration: {0}")]
    Invalid(Box<toml::de::Error>),
}

/// A duration written as InfluxDB writes them (`10s`, `1h30m`, `7d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigDuration(pub Duration);

impl<'de> Deserialize<'de> for ConfigDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration(&s).map(ConfigDuration).ok_or_else(|| {
            serde::de::Error::custom(format!("invalid duration {s:?} (examples: 100ms, 10s, 1h30m, 7d)"))
        })
    }
}

/// Parses an InfluxDB duration (`100ms`, `10s`, `1h30m`, `7d`; `0` alone needs no unit).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let mut total: u128 = 0;
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: u128 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let nanos: u128 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "u" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" => 86_400_000_000_000,
            "w" => 604_800_000_000_000,
            "" if n == 0 => 0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total = total.checked_add(n.checked_mul(nanos)?)?;
    }
    Some(Duration::from_nanos(u64::try_from(total).ok()?))
}

/// A setting that is either `"auto"` (worked out from the machine) or a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auto<T> {
    Auto,
    Value(T),
}

impl<T: Copy> Auto<T> {
    /// The value, or `auto()` for `"auto"`.
    pub fn or_else(self, auto: impl FnOnce() -> T) -> T {
        match self {
            Auto::Auto => auto(),
            Auto::Value(v) => v,
        }
    }

    pub fn map_or_else<U>(self, auto: impl FnOnce() -> U, f: impl FnOnce(T) -> U) -> U {
        match self {
            Auto::Auto => auto(),
            Auto::Value(v) => f(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Auto<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // "auto", or whatever T reads (an integer, or a string such as "512m").
        let v = toml::Value::deserialize(d)?;
        if v.as_str() == Some("auto") {
            return Ok(Auto::Auto);
        }
        // Numbers from the environment arrive as strings: read them as numbers.
        let v = match v {
            toml::Value::String(s) => match s.parse::<i64>() {
                Ok(n) => toml::Value::Integer(n),
                Err(_) => toml::Value::String(s),
            },
            v => v,
        };
        T::deserialize(v)
            .map(Auto::Value)
            .map_err(|e| serde::de::Error::custom(format!("{e} (or \"auto\")")))
    }
}

/// A size in bytes: an integer, or a string with a k/m/g suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub u64);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        let bad = |s: &str| serde::de::Error::custom(format!("invalid size {s:?} (examples: 1048576, 512k, 64m, 1g)"));
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Size(n)),
            Raw::S(s) => {
                let t = s.trim().to_ascii_lowercase();
                let (num, mult) = match t.as_bytes().last() {
                    Some(b'k') => (&t[..t.len() - 1], 1 << 10),
                    Some(b'm') => (&t[..t.len() - 1], 1 << 20),
                    Some(b'g') => (&t[..t.len() - 1], 1 << 30),
                    _ => (t.as_str(), 1),
                };
                let n: u64 = num.parse().map_err(|_| bad(&s))?;
                n.checked_mul(mult).map(Size).ok_or_else(|| bad(&s))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advertise_names_the_host_for_an_address_of_every_interface() {
        let host = rustix::system::uname().nodename().to_string_lossy().into_owned();
        assert_eq!(advertise("", ":8088"), format!("{host}:8088"));
        assert_eq!(advertise("", "0.0.0.0:8086"), format!("{host}:8086"));
        assert_eq!(advertise("", "[::]:8086"), format!("{host}:8086"));
        assert_eq!(advertise("", "127.0.0.5:8088"), "127.0.0.5:8088");
        assert_eq!(advertise("data1:8088", ":8088"), "data1:8088");
    }

    const SOURCE: Source = Source {
        defaults:
            "[http]\nauth-enabled = false\nmax-body-size = 25\n[data]\nwal-fsync-delay = \"0s\"\ncache = \"1g\"\n",
        program: "cairn-test",
        ignored_env: &["CAIRN_DIR"],
    };

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Settings {
        http: Http,
        data: Data,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    struct Http {
        auth_enabled: bool,
        max_body_size: u64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    struct Data {
        wal_fsync_delay: ConfigDuration,
        cache: Size,
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn file_then_environment_override_the_defaults() {
        let s: Settings = SOURCE.defaults();
        assert!(!s.http.auth_enabled);
        assert_eq!(s.data.cache, Size(1 << 30));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "[http]\nauth-enabled = true\nmax-body-size = 10\n[data]\nwal-fsync-delay = \"100ms\"\n",
        )
        .unwrap();
        let env = env(&[
            ("CAIRN_HTTP_MAX_BODY_SIZE", "20"),
            ("CAIRN_DATA_CACHE", "2m"),
            ("PATH", "x"),
            ("CAIRN_DIR", "/x"),
        ]);
        let s: Settings = SOURCE.load(Some(&file), env).unwrap();
        assert!(s.http.auth_enabled);
        assert_eq!(s.http.max_body_size, 20);
        assert_eq!(s.data.wal_fsync_delay.0, Duration::from_millis(100));
        assert_eq!(s.data.cache, Size(2 << 20));
    }

    #[test]
    fn bad_settings_are_named() {
        let f = |pairs: &[(&str, &str)]| SOURCE.load::<Settings>(None, env(pairs)).unwrap_err().to_string();
        assert_eq!(
            f(&[("CAIRN_HTTP_AUTH_ENABLED", "yes")]),
            "environment variable CAIRN_HTTP_AUTH_ENABLED=\"yes\": expected true or false"
        );
        assert_eq!(
            f(&[("CAIRN_HTTP_TYPO", "1")]),
            "environment variable CAIRN_HTTP_TYPO=\"1\": no such option (see `cairn-test config`)"
        );
        assert!(f(&[("CAIRN_DATA_WAL_FSYNC_DELAY", "soon")]).contains("invalid duration \"soon\""));
        assert!(f(&[("CAIRN_DATA_CACHE", "lots")]).contains("invalid size \"lots\""));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "[http]\nbind = 1\n").unwrap();
        let err = SOURCE.load::<Settings>(Some(&file), env(&[])).unwrap_err().to_string();
        assert!(err.contains("unknown field `bind`"), "{err}");
    }

    #[test]
    fn durations() {
        let f = |s: &str| parse_duration(s).map(|d| d.as_nanos());
        assert_eq!(f("0"), Some(0));
        assert_eq!(f("1h30m"), Some(5_400_000_000_000));
        assert_eq!(f("100ms"), Some(100_000_000));
        assert_eq!(f("7d"), Some(604_800_000_000_000));
        assert_eq!(f("10"), None);
        assert_eq!(f("s"), None);
        assert_eq!(f(""), None);
        assert_eq!(f("99999999999999999999d"), None);
    }
}
