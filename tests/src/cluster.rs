//! cluster: real `cairn-meta` processes on their own loopback addresses (127.0.0.x), and
//! `cairn-ctl` run as an operator would. Each meta node has a temporary directory (its
//! state and logs), survives `kill9` + `restart` on the same addresses, and is ready when
//! its meta API answers `/ping`.

use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use crate::http::{self, Request};
use crate::server::{cairn_bin, free_port, INHERITED_CAIRN_ENV};

/// A loopback address no other meta node of this test binary uses.
fn next_host() -> Ipv4Addr {
    static NEXT: AtomicU8 = AtomicU8::new(10);
    Ipv4Addr::new(127, 0, 0, NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A free port on `host`.
fn port_on(host: Ipv4Addr) -> u16 {
    loop {
        let p = free_port();
        if TcpListener::bind((host, p)).is_ok() {
            return p;
        }
    }
}

/// One process of the cluster: its binary, arguments, temporary directory (state and one
/// log per start) and the address whose `/ping` says it is ready.
struct Proc {
    /// `cairn-meta` or `cairn-data`, and the variable that may name its binary.
    bin: (&'static str, &'static str),
    args: Vec<String>,
    ready: SocketAddr,
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    child: Option<Child>,
    starts: u32,
}

impl Proc {
    fn new(bin: (&'static str, &'static str), env: &[(&str, &str)]) -> Proc {
        Proc {
            bin,
            args: Vec::new(),
            ready: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            dir: tempfile::Builder::new()
                .prefix(&format!("cairn-tests-{}-", bin.0))
                .tempdir()
                .expect("cannot create a temporary directory"),
            env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            child: None,
            starts: 0,
        }
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join(format!("{}-{}.log", self.bin.0, self.starts))
    }

    fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_tail(&self, n: usize) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        format!(
            "--- {} ---\n{}",
            self.log_path().display(),
            lines[lines.len().saturating_sub(n)..].join("\n")
        )
    }

    fn launch(&mut self) -> Result<(), String> {
        let name = self.bin.0;
        self.starts += 1;
        let log = File::create(self.log_path()).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(cairn_bin(name, self.bin.1)?);
        cmd.args(&self.args)
            .env("NO_COLOR", "1")
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log);
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().into_owned();
            if k.starts_with("CAIRN_") && !INHERITED_CAIRN_ENV.contains(&k.as_str()) {
                cmd.env_remove(k);
            }
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().map_err(|e| format!("cannot run {name}: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("{name} exited ({status})\n{}", self.log_tail(20)));
            }
            if http::send(self.ready, &Request::get("/ping")).is_ok_and(|r| r.status == 204) {
                self.child = Some(child);
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return Err(format!("{name} did not answer /ping in 20 s\n{}", self.log_tail(20)));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn restart(&mut self) {
        self.kill9();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.launch() {
                Ok(()) => return,
                Err(e) if e.contains("address already in use") && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("cannot restart {}: {e}", self.bin.0),
            }
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// One meta node process.
pub struct Meta {
    pub http: SocketAddr,
    pub raft: SocketAddr,
    proc: Proc,
}

impl std::fmt::Debug for Meta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Meta")
            .field("http", &self.http)
            .field("running", &self.running())
            .finish()
    }
}

impl Meta {
    /// Starts a meta node on a fresh loopback address with `env` (`CAIRN_...` settings).
    pub fn start(env: &[(&str, &str)]) -> Meta {
        let host = next_host();
        let (http, raft) = (
            SocketAddr::from((host, port_on(host))),
            SocketAddr::from((host, port_on(host))),
        );
        let mut proc = Proc::new(("cairn-meta", "CAIRN_META_BIN"), env);
        proc.args = vec![
            "--dir".into(),
            proc.dir.path().join("meta").display().to_string(),
            "--http-bind".into(),
            http.to_string(),
            "--raft-bind".into(),
            raft.to_string(),
        ];
        proc.ready = http;
        proc.launch().unwrap_or_else(|e| panic!("cannot start cairn-meta: {e}"));
        Meta { http, raft, proc }
    }

    pub fn addr(&self) -> String {
        self.http.to_string()
    }

    pub fn dir(&self) -> &Path {
        self.proc.dir.path()
    }

    pub fn running(&self) -> bool {
        self.proc.child.is_some()
    }

    /// The current log, for failure messages.
    pub fn log(&self) -> String {
        self.proc.log()
    }

    /// The last `n` lines of the current log, headed by its path.
    pub fn log_tail(&self, n: usize) -> String {
        self.proc.log_tail(n)
    }

    /// SIGKILL, and reap.
    pub fn kill9(&mut self) {
        self.proc.kill9();
    }

    /// Starts it again on the same directory and addresses.
    pub fn restart(&mut self) {
        self.proc.restart();
    }

    /// One call to this node's meta API: status and JSON body (Null when empty).
    pub fn call(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> (u16, serde_json::Value) {
        self.call_with(method, path, body, None)
    }

    /// [`Meta::call`] with an `Authorization: Bearer` secret.
    pub fn call_with(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        secret: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let mut req = Request::new(method, path);
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_string());
        }
        if let Some(s) = secret {
            req = req.header("authorization", &format!("Bearer {s}"));
        }
        match http::send(self.http, &req) {
            Ok(r) => {
                let text = r.text();
                (r.status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
            }
            Err(e) => (0, serde_json::Value::String(e.to_string())),
        }
    }

    /// `GET /status`.
    pub fn status(&self) -> serde_json::Value {
        self.call("GET", "/status", None).1
    }

    /// `GET /data`: the metadata this node has applied.
    pub fn data(&self) -> serde_json::Value {
        self.call("GET", "/data", None).1
    }

    /// Applies a metadata command (JSON of `meta::Command`) through this node.
    pub fn execute(&self, command: serde_json::Value) -> (u16, serde_json::Value) {
        self.call("POST", "/execute", Some(&command))
    }
}

/// One data node process in cluster mode (`cairn-data --meta ...`).
pub struct Data {
    pub http: SocketAddr,
    pub rpc: SocketAddr,
    proc: Proc,
}

impl std::fmt::Debug for Data {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Data")
            .field("http", &self.http)
            .field("running", &self.proc.child.is_some())
            .finish()
    }
}

impl Data {
    /// Starts a data node of the cluster whose meta nodes are `metas`, on a fresh loopback
    /// address, with `env`. Ready when its HTTP API answers (it first waits for metadata).
    pub fn start(metas: &[Meta], env: &[(&str, &str)]) -> Data {
        let host = next_host();
        let (http, rpc) = (
            SocketAddr::from((host, port_on(host))),
            SocketAddr::from((host, port_on(host))),
        );
        let meta: Vec<String> = metas.iter().map(Meta::addr).collect();
        let mut proc = Proc::new(("cairn-data", "CAIRN_DATA_BIN"), env);
        proc.args = vec![
            "--dir".into(),
            proc.dir.path().join("data").display().to_string(),
            "--http-bind".into(),
            http.to_string(),
            "--rpc-bind".into(),
            rpc.to_string(),
            "--meta".into(),
            meta.join(","),
        ];
        proc.ready = http;
        proc.launch().unwrap_or_else(|e| panic!("cannot start cairn-data: {e}"));
        Data { http, rpc, proc }
    }

    pub fn log_tail(&self, n: usize) -> String {
        self.proc.log_tail(n)
    }

    pub fn kill9(&mut self) {
        self.proc.kill9();
    }

    pub fn restart(&mut self) {
        self.proc.restart();
    }

    /// `POST /write?db=..&precision=s` of line protocol: status and body text.
    pub fn write(&self, db: &str, lines: &str) -> (u16, String) {
        self.write_with(db, lines, &[])
    }

    /// [`Data::write`] with more parameters (`consistency`, `rp`).
    pub fn write_with(&self, db: &str, lines: &str, params: &[(&str, &str)]) -> (u16, String) {
        let mut all = vec![("db", db), ("precision", "s")];
        all.extend_from_slice(params);
        let req = Request::post(http::url("/write", &all)).body(lines.as_bytes().to_vec());
        match http::send(self.http, &req) {
            Ok(r) => (r.status, r.text()),
            Err(e) => (0, e.to_string()),
        }
    }

    /// `GET /metrics`: the Prometheus text (empty when the node does not answer).
    pub fn metrics(&self) -> String {
        http::send(self.http, &Request::get("/metrics"))
            .map(|r| r.text())
            .unwrap_or_default()
    }

    pub fn running(&self) -> bool {
        self.proc.child.is_some()
    }

    /// The index of the metadata the node serves from (`cairn_meta_index`).
    pub fn meta_index(&self) -> Option<u64> {
        self.metrics()
            .lines()
            .find_map(|l| l.strip_prefix("cairn_meta_index ").and_then(|v| v.trim().parse().ok()))
    }

    /// `POST /query` of `q` in `db`: status and JSON.
    pub fn query(&self, db: &str, q: &str) -> (u16, serde_json::Value) {
        self.query_with(db, q, &[])
    }

    /// [`Data::query`] with more parameters (`node_id`, `epoch`).
    pub fn query_with(&self, db: &str, q: &str, params: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let mut form = vec![("db", db), ("q", q)];
        form.extend_from_slice(params);
        let req = Request::post("/query").form(&form);
        match http::send(self.http, &req) {
            Ok(r) => (r.status, r.json()),
            Err(e) => (0, serde_json::Value::String(e.to_string())),
        }
    }
}

/// Three meta nodes and `n` data nodes, formed and registered with `cairn-ctl` as an operator
/// would, every data node serving metadata that knows it.
#[derive(Debug)]
pub struct Cluster {
    pub metas: Vec<Meta>,
    pub data: Vec<Data>,
}

impl Cluster {
    /// Forms the cluster; `env` goes to every data node.
    pub fn start(n: usize, env: &[(&str, &str)]) -> Cluster {
        let metas = form(3, &[], &[]);
        let data: Vec<Data> = (0..n).map(|_| Data::start(&metas, env)).collect();
        let first = metas[0].addr();
        for d in &data {
            let rpc = d.rpc.to_string();
            eventually("add-data", Duration::from_secs(30), || {
                ctl(&first, &["add-data", &rpc], &[]).ok.then_some(())
            });
        }
        let c = Cluster { metas, data };
        c.settle();
        c
    }

    /// The id the metadata gives data node `i`.
    pub fn id(&self, i: usize) -> u64 {
        let rpc = self.data[i].rpc.to_string();
        let meta = self.metas[0].data();
        meta["data_nodes"]
            .as_array()
            .and_then(|nodes| nodes.iter().find(|n| n["rpc_addr"] == rpc.as_str()))
            .and_then(|n| n["id"].as_u64())
            .unwrap_or_else(|| panic!("data node {rpc} is not in the metadata: {meta}"))
    }

    /// Waits until every running data node serves metadata at least as new as the newest a
    /// meta node has applied (`cairn_meta_index` on its /metrics). A change made through
    /// one data node reaches the others within milliseconds; a test that goes on through
    /// another node right after waits for that here.
    pub fn settle(&self) {
        let newest = self
            .metas
            .iter()
            .filter(|m| m.running())
            .filter_map(|m| m.data()["index"].as_u64())
            .max()
            .unwrap_or(0);
        for d in self.data.iter().filter(|d| d.running()) {
            eventually(
                &format!("data node {} at meta index {newest}", d.http),
                Duration::from_secs(30),
                || (d.meta_index().is_some_and(|i| i >= newest)).then_some(()),
            );
        }
    }
}

/// What `cairn-ctl` did: exit success, stdout, stderr.
#[derive(Debug)]
pub struct CtlRun {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cairn-ctl --bind <bind> <args>` with `env`.
pub fn ctl(bind: &str, args: &[&str], env: &[(&str, &str)]) -> CtlRun {
    let mut cmd = Command::new(cairn_bin("cairn-ctl", "CAIRN_CTL_BIN").unwrap_or_else(|e| panic!("{e}")));
    cmd.arg("--bind").arg(bind).args(args);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("CAIRN_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("cannot run cairn-ctl");
    CtlRun {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Three (or `n`) meta nodes formed into one cluster with `cairn-ctl add-meta`.
pub fn form(n: usize, env: &[(&str, &str)], ctl_env: &[(&str, &str)]) -> Vec<Meta> {
    let metas: Vec<Meta> = (0..n).map(|_| Meta::start(env)).collect();
    let first = metas[0].addr();
    for m in &metas {
        let run = ctl(&first, &["add-meta", &m.addr()], ctl_env);
        assert!(run.ok, "add-meta {}: {}\n{}", m.addr(), run.stderr, m.log_tail(20));
    }
    metas
}

/// The index of the node that leads, as the running nodes agree, waiting up to `timeout`.
pub fn leader(metas: &[Meta], timeout: Duration) -> Option<usize> {
    let deadline = Instant::now() + timeout;
    loop {
        for (i, m) in metas.iter().enumerate().filter(|(_, m)| m.running()) {
            let s = m.status();
            if s["raft"]["state"] == "Leader" {
                return Some(i);
            }
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A `CreateDatabase` command.
pub fn create_database(name: &str) -> serde_json::Value {
    serde_json::json!({"CreateDatabase": {"name": name, "spec": null, "default_policy": true}})
}

/// Waits until every running node has applied metadata index `index`.
pub fn wait_applied(metas: &[Meta], index: u64, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        let behind: Vec<String> = metas
            .iter()
            .filter(|m| m.running())
            .filter(|m| m.data()["index"].as_u64().unwrap_or(0) < index)
            .map(Meta::addr)
            .collect();
        if behind.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("not at index {index} after {timeout:?}: {behind:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Retries `f` every 50 ms until it gives `Some`, failing the test naming `what` once
/// `timeout` passes.
pub fn eventually<R>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<R>) -> R {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(r) = f() {
            return r;
        }
        assert!(Instant::now() < deadline, "{what}: not within {timeout:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
