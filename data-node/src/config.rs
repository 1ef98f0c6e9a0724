//! config: the node's settings. `config.toml` beside this file is the single source of the
//! defaults and their documentation: `Config::default()` parses it and
//! `cairn-data config` prints it. A file given with `--config` overrides it, and
//! `CAIRN_<SECTION>_<KEY>` environment variables override both.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The documented default configuration.
pub const DEFAULT_CONFIG: &str = include_str!("config.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub node: NodeConfig,
    pub http: HttpConfig,
    pub data: DataConfig,
    pub coordinator: CoordinatorConfig,
    pub retention: RetentionConfig,
    #[serde(rename = "continuous-queries")]
    pub continuous_queries: ContinuousQueriesConfig,
    #[serde(rename = "shard-precreation")]
    pub shard_precreation: PrecreationConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NodeConfig {
    pub dir: String,
    pub standalone: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HttpConfig {
    pub bind_address: String,
    pub auth_enabled: bool,
    pub max_body_size: u64,
    pub max_line_size: Size,
    pub max_fields_per_line: u64,
    pub max_points_per_batch: u64,
    pub max_row_limit: usize,
    pub version: String,
    pub max_connection_limit: u64,
    pub read_header_timeout: ConfigDuration,
    pub read_body_timeout: ConfigDuration,
    pub read_body_min_rate: Size,
    pub idle_timeout: ConfigDuration,
    pub https_enabled: bool,
    pub https_certificate: String,
    pub https_private_key: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DataConfig {
    pub wal_fsync_delay: ConfigDuration,
    pub cache_max_memory_size: Size,
    pub cache_snapshot_memory_size: Size,
    pub cache_snapshot_write_cold_duration: ConfigDuration,
    pub block_cache_size: Size,
    pub write_buffer_budget: Size,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CoordinatorConfig {
    pub shards_per_group: u32,
    pub max_concurrent_queries: Auto<u64>,
    pub max_queued_queries: Auto<u64>,
    pub query_timeout: ConfigDuration,
    pub max_query_memory: Auto<Size>,
    pub max_total_query_memory: Auto<Size>,
    pub max_select_point: u64,
    pub max_select_series: u64,
    pub max_select_buckets: u64,
}

impl CoordinatorConfig {
    /// `max-concurrent-queries`, resolved: twice the cores, at least 4 (0: no limit).
    pub fn concurrent_queries(&self) -> u64 {
        self.max_concurrent_queries.or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
            (2 * cores).max(4)
        })
    }

    /// `max-queued-queries`, resolved: 16 per query that may run.
    pub fn queued_queries(&self) -> u64 {
        self.max_queued_queries
            .or_else(|| self.concurrent_queries().saturating_mul(16))
    }

    /// `max-query-memory` in bytes, resolved: 512 MiB, or an eighth of the node's memory
    /// when that is less (0: no limit).
    pub fn query_memory(&self) -> u64 {
        self.max_query_memory
            .map_or_else(|| (512 << 20).min(node_memory() / 8), |s| s.0)
    }

    /// `max-total-query-memory` in bytes, resolved: a quarter of the node's memory.
    pub fn total_query_memory(&self) -> u64 {
        self.max_total_query_memory.map_or_else(|| node_memory() / 4, |s| s.0)
    }
}

/// The memory this process may use: the machine's RAM, or the cgroup's limit when a
/// container has one that is lower.
pub fn node_memory() -> u64 {
    let ram = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(4 << 30, |kb| kb * 1024);
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .find_map(|v| v.trim().parse::<u64>().ok());
    cgroup.map_or(ram, |c| c.min(ram))
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RetentionConfig {
    pub enabled: bool,
    pub check_interval: ConfigDuration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContinuousQueriesConfig {
    pub enabled: bool,
    pub run_interval: ConfigDuration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PrecreationConfig {
    pub enabled: bool,
    pub check_interval: ConfigDuration,
    pub advance_period: ConfigDuration,
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

impl Default for Config {
    fn default() -> Self {
        let table: toml::Table = DEFAULT_CONFIG
            .parse()
            .unwrap_or_else(|e| panic!("BUG: config.toml: {e}"));
        Self::deserialize(table).unwrap_or_else(|e| panic!("BUG: config.toml: {e}"))
    }
}

impl Config {
    /// The defaults, overridden by `file` (if any) and then by `env` (`CAIRN_...` pairs).
    pub fn load(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        let mut table: toml::Table = DEFAULT_CONFIG.parse().map_err(|e| ConfigError::Invalid(Box::new(e)))?;
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
        apply_env(&mut table, env)?;
        Self::deserialize(table).map_err(|e| ConfigError::Invalid(Box::new(e)))
    }

    /// The data directory: the configured one, or ~/.cairn, or /var/lib/cairn.
    pub fn dir(&self) -> PathBuf {
        if !self.node.dir.is_empty() {
            return PathBuf::from(&self.node.dir);
        }
        match std::env::var_os("HOME") {
            Some(home) if !home.is_empty() => PathBuf::from(home).join(".cairn"),
            _ => PathBuf::from("/var/lib/cairn"),
        }
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

/// Sets `[section] key` from `CAIRN_SECTION_KEY`, typed like the default value. Unknown
/// `CAIRN_` variables are errors, so that a typo does not silently do nothing.
fn apply_env(table: &mut toml::Table, env: impl IntoIterator<Item = (String, String)>) -> Result<(), ConfigError> {
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
        if !found && !IGNORED_ENV.contains(&var.as_str()) {
            return Err(ConfigError::Env {
                var,
                value,
                reason: "no such option (see `cairn-data config`)".to_owned(),
            });
        }
    }
    Ok(())
}

/// `CAIRN_` variables that are not options (read by scripts and tests).
const IGNORED_ENV: &[&str] = &[
    "CAIRN_LOG",
    "CAIRN_SHARED",
    "CAIRN_DATA_BIN",
    // ./x's own settings, which reach cairn-data when `./x up` starts it.
    "CAIRN_DIR",
    "CAIRN_HTTP_BIND",
    "CAIRN_BENCH_DATA",
    "CAIRN_FUZZ_SECONDS",
    "CAIRN_FUZZ_CORPUS",
];

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

fn parse_duration(s: &str) -> Option<Duration> {
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

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_parse_and_match_influxdb() {
        let c = Config::default();
        assert_eq!(c.http.bind_address, ":8086");
        assert_eq!(c.http.max_body_size, 25_000_000);
        assert!(!c.http.auth_enabled);
        assert_eq!(c.data.cache_max_memory_size, Size(1 << 30));
        assert_eq!(c.data.wal_fsync_delay, ConfigDuration(Duration::ZERO));
        assert_eq!(c.retention.check_interval, ConfigDuration(Duration::from_secs(1800)));
        assert!(!c.http.https_enabled);
        assert_eq!(c.http.https_certificate, "/etc/ssl/influxdb.pem");
        assert_eq!(c.http.https_private_key, "");
        assert_eq!(c.http.max_connection_limit, 0);
        assert_eq!(c.http.read_header_timeout.0, Duration::from_secs(10));
        assert_eq!(c.http.read_body_timeout.0, Duration::from_secs(30));
        assert_eq!(c.http.read_body_min_rate, Size(1 << 10));
        assert_eq!(c.http.idle_timeout.0, Duration::from_secs(120));
    }

    #[test]
    fn file_then_environment_override() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "[http]\nauth-enabled = true\nmax-body-size = 10\n[data]\nwal-fsync-delay = \"100ms\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&file), env(&[("CAIRN_HTTP_MAX_BODY_SIZE", "20"), ("PATH", "x")])).unwrap();
        assert!(c.http.auth_enabled);
        assert_eq!(c.http.max_body_size, 20);
        assert_eq!(c.data.wal_fsync_delay.0, Duration::from_millis(100));
        let c = Config::load(None, env(&[("CAIRN_DATA_BLOCK_CACHE_SIZE", "2m")])).unwrap();
        assert_eq!(c.data.block_cache_size, Size(2 << 20));
        let c = Config::load(None, env(&[("CAIRN_DATA_WRITE_BUFFER_BUDGET", "32m")])).unwrap();
        assert_eq!(c.data.write_buffer_budget, Size(32 << 20));
        // `./x up`'s own variables reach the node it starts: not options, not errors.
        Config::load(None, env(&[("CAIRN_HTTP_BIND", "127.0.0.1:1"), ("CAIRN_DIR", "/x")])).unwrap();
    }

    #[test]
    fn bad_settings_are_named() {
        let f = |pairs: &[(&str, &str)]| Config::load(None, env(pairs)).unwrap_err().to_string();
        assert_eq!(
            f(&[("CAIRN_HTTP_AUTH_ENABLED", "yes")]),
            "environment variable CAIRN_HTTP_AUTH_ENABLED=\"yes\": expected true or false"
        );
        assert!(f(&[("CAIRN_HTTP_TYPO", "1")]).contains("no such option"));
        assert!(f(&[("CAIRN_DATA_WAL_FSYNC_DELAY", "soon")]).contains("invalid duration \"soon\""));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "[http]\nbind = 1\n").unwrap();
        let err = Config::load(Some(&file), env(&[])).unwrap_err().to_string();
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
    }
}
