//! cairn-tests: black-box tests that start real processes (cairn-data, and InfluxDB 1.6.7
//! as the behaviour reference) on loopback ports and talk to them over HTTP. Depends on no
//! Cairn crate: everything goes through the wire, as a client would.
//!
//! The library is the harness shared by the test binaries under `tests/`:
//! - [`server`] starts `influxd` from a generated config or `cairn-data --standalone` in a
//!   temporary directory, waits for `/ping`, and offers `kill9` and `restart`;
//! - [`http`] is a hand-rolled HTTP/1.1 client with full control of the bytes;
//! - [`deviations`] checks a suite's table of deliberate differences against its document;
//! - [`normalize`] reduces an answer to what two compatible servers must agree on;
//! - [`json`] reads JSON keeping key order and number text, and compares two documents
//!   structurally with a float tolerance.
//!
//! The binaries: `compat` (the same requests to InfluxDB and the target, answers compared),
//! `analytics` (InfluxQL aggregates, selectors, transformations, GROUP BY time, subqueries and
//! INTO on a shared data set, answers compared as JSON),
//! `clients` (the Python client, the influx CLI, Telegraf- and Grafana-shaped requests against
//! the target) and `durability` (SIGKILL under write load; acknowledged writes must survive).
//! `CAIRN_COMPAT_TARGET=influxd` makes the target a second InfluxDB 1.6.7 instead of cairn-data.

pub mod cluster;
pub mod deviations;
pub mod http;
pub mod json;
pub mod normalize;
pub mod server;

/// A path in this package (`tests/`), from the directory cargo names when it runs the test
/// (`CARGO_MANIFEST_DIR` at run time), else the one the test was compiled in: a target
/// directory shared by two clones (as `./x` keeps it, outside the clone) may run a test
/// binary built in the other clone, which may be gone.
pub fn package_path(relative: &str) -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), std::path::PathBuf::from)
        .join(relative)
}

/// Runs a Python script of this package (`tests/<relative>`) with `args`; returns whether it
/// exited 0 and its stdout followed by its stderr. Panics, saying what to install, when
/// there is no `python3`.
pub fn python(relative: &str, args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = std::process::Command::new("python3")
        .arg(package_path(relative))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}): install Python 3 and `pip install influxdb==5.3.2`"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

pub use http::{Body, Request, Response};
pub use normalize::{normalize, Normalized};
pub use server::{cairn_data_bin, Kind, Server};
