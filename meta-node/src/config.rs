//! config: the meta node's settings. `config.toml` beside this file is the single source of
//! the defaults and their documentation: `Config::default()` parses it and `cairn-meta
//! config` prints it. A file given with `--config` overrides it, and `CAIRN_<SECTION>_<KEY>`
//! environment variables override both.

use std::path::{Path, PathBuf};

pub use cairn_config::{ConfigDuration, ConfigError};
use serde::Deserialize;

/// The documented default configuration.
pub const DEFAULT_CONFIG: &str = include_str!("config.toml");

const SOURCE: cairn_config::Source = cairn_config::Source {
    defaults: DEFAULT_CONFIG,
    program: "cairn-meta",
    ignored_env: cairn_config::SCRIPT_ENV,
};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub meta: MetaConfig,
    pub raft: RaftConfig,
    pub liveness: LivenessConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MetaConfig {
    pub dir: String,
    pub http_bind_address: String,
    pub raft_bind_address: String,
    pub http_advertise_address: String,
    pub raft_advertise_address: String,
    pub join: String,
    pub internal_shared_secret: String,
    pub max_body_size: u64,
    pub max_watch_wait: ConfigDuration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RaftConfig {
    pub heartbeat_interval: ConfigDuration,
    pub election_timeout: ConfigDuration,
    pub install_snapshot_timeout: ConfigDuration,
    pub snapshot_after_logs: u64,
    pub logs_kept_after_snapshot: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LivenessConfig {
    pub heartbeat_interval: ConfigDuration,
    pub down_after: ConfigDuration,
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

    /// The directory the node keeps its state in.
    pub fn dir(&self) -> PathBuf {
        cairn_config::state_dir(&self.meta.dir, ".cairn-meta", "/var/lib/cairn/meta")
    }

    /// The join list, without blanks.
    pub fn join(&self) -> Vec<String> {
        self.meta
            .join
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The shared secret, if one is set.
    pub fn secret(&self) -> Option<&str> {
        Some(self.meta.internal_shared_secret.as_str()).filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_env_overrides_them() {
        let c = Config::default();
        assert_eq!(c.meta.http_bind_address, ":8091");
        assert_eq!(c.meta.raft_bind_address, ":8089");
        assert!(c.secret().is_none());
        let env = [
            ("CAIRN_META_JOIN".to_owned(), " a:8091, b:8091 ,".to_owned()),
            ("CAIRN_RAFT_ELECTION_TIMEOUT".to_owned(), "2s".to_owned()),
            ("CAIRN_META_INTERNAL_SHARED_SECRET".to_owned(), "s3".to_owned()),
        ];
        let c = Config::load(None, env).unwrap();
        assert_eq!(c.join(), ["a:8091", "b:8091"]);
        assert_eq!(c.raft.election_timeout.0, std::time::Duration::from_secs(2));
        assert_eq!(c.secret(), Some("s3"));
        let err = Config::load(None, [("CAIRN_META_NOPE".to_owned(), "1".to_owned())]).unwrap_err();
        assert!(err.to_string().contains("CAIRN_META_NOPE"), "{err}");
    }
}
