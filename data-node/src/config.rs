//! config: the node's settings. `config.toml` beside this file is the single source of the
//! defaults and their documentation: `Config::default()` parses it and
//! `cairn-data config` prints it. A file given with `--config` overrides it, and
//! `CAIRN_<SECTION>_<KEY>` environment variables override both.

use std::path::{Path, PathBuf};

pub use cairn_config::{Auto, ConfigDuration, ConfigError, Size};
use serde::Deserialize;

/// The documented default configuration.
pub const DEFAULT_CONFIG: &str = include_str!("config.toml");

const SOURCE: cairn_config::Source = cairn_config::Source {
    defaults: DEFAULT_CONFIG,
    program: "cairn-data",
    ignored_env: cairn_config::SCRIPT_ENV,
};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub node: NodeConfig,
    pub meta: MetaConfig,
    pub http: HttpConfig,
    pub data: DataConfig,
    pub coordinator: CoordinatorConfig,
    pub retention: RetentionConfig,
    #[serde(rename = "continuous-queries")]
    pub continuous_queries: ContinuousQueriesConfig,
    #[serde(rename = "shard-precreation")]
    pub shard_precreation: PrecreationConfig,
    #[serde(rename = "hinted-handoff")]
    pub hinted_handoff: HintedHandoffConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NodeConfig {
    pub dir: String,
    pub standalone: bool,
    pub rpc_bind_address: String,
    pub rpc_advertise_address: String,
    pub http_advertise_address: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MetaConfig {
    pub addresses: String,
    pub internal_shared_secret: String,
    pub call_timeout: ConfigDuration,
    pub watch_wait: ConfigDuration,
    pub heartbeat_interval: ConfigDuration,
}

impl MetaConfig {
    /// The meta nodes' addresses, without blanks.
    pub fn addresses(&self) -> Vec<String> {
        self.addresses
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The shared secret, if one is set.
    pub fn secret(&self) -> Option<String> {
        Some(self.internal_shared_secret.clone()).filter(|s| !s.is_empty())
    }
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
    pub write_timeout: ConfigDuration,
    pub shard_reader_timeout: ConfigDuration,
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HintedHandoffConfig {
    pub dir: String,
    pub max_size: Size,
    pub max_age: ConfigDuration,
    pub retry_interval: ConfigDuration,
    pub retry_max_interval: ConfigDuration,
}

impl Default for Config {
    fn default() -> Self {
        SOURCE.defaults()
    }
}

impl Config {
    /// The defaults, overridden by `file` (if any) and then by `env` (`CAIRN_...` pairs).
    pub fn load(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        SOURCE.load(file, env)
    }

    /// The data directory: the configured one, or ~/.cairn, or /var/lib/cairn.
    pub fn dir(&self) -> PathBuf {
        cairn_config::state_dir(&self.node.dir, ".cairn", "/var/lib/cairn")
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
    fn environment_overrides() {
        // (Files over the defaults, and the rules of the variables: the cairn-config crate.)
        let c = Config::load(None, env(&[("CAIRN_HTTP_MAX_BODY_SIZE", "20"), ("PATH", "x")])).unwrap();
        assert_eq!(c.http.max_body_size, 20);
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
        assert!(f(&[("CAIRN_HTTP_TYPO", "1")]).contains("no such option (see `cairn-data config`)"));
        assert!(f(&[("CAIRN_DATA_WAL_FSYNC_DELAY", "soon")]).contains("invalid duration \"soon\""));
    }
}
