//! server: starts, kills and restarts the processes under test on loopback: InfluxDB 1.6.7
//! (`influxd`, the reference) from a generated config, and `cairn-data --standalone`. Each
//! server owns a temporary directory holding its data and its log; the child is SIGKILLed
//! when the [`Server`] is dropped.

use std::fmt;
use std::fs::{self, File};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::http::{self, Request, Response};

/// How long a server may take to answer its first `/ping`. influxd 1.6.7 takes about 0.2 s on
/// an empty directory; a restart after SIGKILL replays its WAL first.
pub const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// The one inherited `CAIRN_` variable cairn-data keeps (its log filter, for debugging a
/// test); every other `CAIRN_*` of the caller (the suites' settings, `./x`'s own) stays out of
/// its environment, since cairn-data refuses unknown ones: a test sets what it needs.
pub const INHERITED_CAIRN_ENV: &[&str] = &["CAIRN_LOG"];

/// Which implementation a [`Server`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// InfluxDB 1.6.7 from Debian's `influxdb` package: `influxd` on the PATH.
    Influxd,
    /// `cairn-data --standalone`: see [`cairn_data_bin`].
    Cairn,
}

impl Kind {
    /// The implementation the suites judge, from `CAIRN_COMPAT_TARGET`: `influxd` runs them
    /// against a second InfluxDB (to prove the suite against the reference itself);
    /// unset, empty or `cairn` means cairn-data.
    pub fn target_from_env() -> Kind {
        match std::env::var("CAIRN_COMPAT_TARGET").unwrap_or_default().as_str() {
            "influxd" | "influxdb" => Kind::Influxd,
            "" | "cairn" | "cairn-data" => Kind::Cairn,
            other => panic!("CAIRN_COMPAT_TARGET={other:?}: expected `influxd` or `cairn` (the default)"),
        }
    }

    /// Short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Influxd => "influxd-1.6.7",
            Kind::Cairn => "cairn-data",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the cairn-data binary is: `$CAIRN_DATA_BIN`, else beside the test executable's
/// directory (see [`cairn_bin`]).
pub fn cairn_data_bin() -> Result<PathBuf, String> {
    cairn_bin("cairn-data", "CAIRN_DATA_BIN")
}

/// Where one of Cairn's binaries is: `$<env_var>`, else `name` in the directory above the
/// test executable's (`target/debug/deps/x` → `target/debug/<name>`). An error names both
/// places, so a missing binary fails loudly instead of skipping.
pub fn cairn_bin(name: &str, env_var: &str) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os(env_var) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!("{env_var}={} is not a file", p.display()))
        };
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the test executable: {e}"))?;
    let guess = exe.parent().and_then(Path::parent).map(|d| d.join(name));
    match guess {
        Some(p) if p.is_file() => Ok(p),
        Some(p) => Err(format!(
            "{name} binary not found at {} (and {env_var} is not set). Build it first \
             (`cargo build --workspace`, or run `cargo test --workspace`) or point {env_var} at it{}",
            p.display(),
            if name == "cairn-data" {
                ", or set CAIRN_COMPAT_TARGET=influxd to run the suite against a second InfluxDB 1.6.7"
            } else {
                ""
            }
        )),
        None => Err(format!("cannot derive the {name} path from {}", exe.display())),
    }
}

/// A free loopback port, found by binding port 0, and never handed out twice by this process
/// (servers of one test binary start in parallel). Another process may still take it before
/// the server binds it; [`Server::start`] retries with new ports when that happens.
pub fn free_port() -> u16 {
    static GIVEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("cannot bind a loopback port");
        let port = l.local_addr().expect("BUG: bound listener has no address").port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// One running (or killed) server process and its directory.
pub struct Server {
    /// Which implementation.
    kind: Kind,
    /// Whether HTTP authentication is enabled.
    auth: bool,
    /// Data, config and logs; removed on drop.
    dir: tempfile::TempDir,
    /// The HTTP address; kept across restarts.
    addr: SocketAddr,
    /// influxd's RPC bind-address port (8088 in a default install); unused by Cairn.
    rpc_port: u16,
    /// The process, while it runs.
    child: Option<Child>,
    /// How many times the process was started: names the log files.
    starts: u32,
    /// Extra environment for the process (Cairn settings such as `CAIRN_COORDINATOR_...`).
    env: Vec<(String, String)>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("kind", &self.kind)
            .field("auth", &self.auth)
            .field("addr", &self.addr)
            .field("dir", &self.dir.path())
            .field("running", &self.child.is_some())
            .finish()
    }
}

impl Server {
    /// Starts a server on fresh loopback ports and an empty directory, and waits until `/ping`
    /// answers. Errors say why (missing binary, early exit with the log's tail, timeout).
    pub fn start(kind: Kind, auth: bool) -> Result<Server, String> {
        Server::start_with_env(kind, auth, &[])
    }

    /// [`Server::start`] with extra environment variables for the process.
    pub fn start_with_env(kind: Kind, auth: bool, env: &[(&str, &str)]) -> Result<Server, String> {
        Server::start_with_setup(kind, auth, env, |_| Ok(()))
    }

    /// [`Server::start_with_env`] that first calls `setup` with the fresh directory, before the
    /// process exists (to mount a small filesystem where the data will live, for example).
    pub fn start_with_setup(
        kind: Kind,
        auth: bool,
        env: &[(&str, &str)],
        mut setup: impl FnMut(&Path) -> Result<(), String>,
    ) -> Result<Server, String> {
        let mut last_err = String::new();
        for _ in 0..5 {
            let dir = tempfile::Builder::new()
                .prefix(&format!("cairn-tests-{}-", kind.name()))
                .tempdir()
                .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
            let mut s = Server {
                kind,
                auth,
                dir,
                addr: SocketAddr::from((Ipv4Addr::LOCALHOST, free_port())),
                rpc_port: free_port(),
                child: None,
                starts: 0,
                env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            };
            setup(s.dir.path())?;
            match s.launch() {
                Ok(()) => return Ok(s),
                // A port taken between free_port() and the server's bind: try other ports.
                Err(e) if e.contains("address already in use") => last_err = e,
                Err(e) => return Err(e),
            }
        }
        Err(last_err)
    }

    /// Starts the reference and panics with the reason when it cannot.
    pub fn must_start(kind: Kind, auth: bool) -> Server {
        Server::start(kind, auth).unwrap_or_else(|e| panic!("cannot start {kind}: {e}"))
    }

    /// Which implementation this is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The HTTP address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Whether authentication is on.
    pub fn auth(&self) -> bool {
        self.auth
    }

    /// The process id while it runs (to read its memory in /proc).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The server's data and log directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Where Cairn keeps its data (`--dir`): `cairn` inside [`Server::dir`].
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("cairn")
    }

    /// Sends one request.
    pub fn try_send(&self, req: &Request) -> io::Result<Response> {
        http::send(self.addr, req)
    }

    /// Sends one request; panics with the request and the server's log tail on an I/O error.
    pub fn send(&self, req: &Request) -> Response {
        self.try_send(req)
            .unwrap_or_else(|e| panic!("{}: {e}\nrequest: {}\n{}", self.kind, req.describe(), self.log_tail(30)))
    }

    /// SIGKILLs the process (`Child::kill` is SIGKILL on Unix) and reaps it.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Sends SIGTERM and waits for the process to exit; returns its exit status.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let mut c = self.child.take()?;
        let _ = Command::new("kill").arg("-TERM").arg(c.id().to_string()).status();
        c.wait().ok()
    }

    /// Starts the process again after [`Server::terminate`] or [`Server::kill9`].
    pub fn start_again(&mut self) -> Result<(), String> {
        self.restart()
    }

    /// Kills the process if it runs, then starts it again on the same directory and port and
    /// waits until it answers.
    pub fn restart(&mut self) -> Result<(), String> {
        self.kill9();
        // The port is ours until the process dies; a restart right after SIGKILL can still find
        // it held for a moment, so retry the bind a few times.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.launch() {
                Err(e) if e.contains("address already in use") && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }

    /// The last `n` lines of the current log, headed by its path.
    pub fn log_tail(&self, n: usize) -> String {
        let path = self.log_path();
        match fs::read_to_string(&path) {
            Ok(s) => {
                let lines: Vec<&str> = s.lines().collect();
                let from = lines.len().saturating_sub(n);
                format!("--- last lines of {} ---\n{}", path.display(), lines[from..].join("\n"))
            }
            Err(e) => format!("(no log at {}: {e})", path.display()),
        }
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join(format!("server-{}.log", self.starts))
    }

    fn launch(&mut self) -> Result<(), String> {
        self.starts += 1;
        let log = File::create(self.log_path()).map_err(|e| format!("cannot create the log file: {e}"))?;
        let log2 = log.try_clone().map_err(|e| format!("cannot clone the log file: {e}"))?;
        let mut cmd = match self.kind {
            Kind::Influxd => {
                let conf = self.dir.path().join("influxd.conf");
                fs::write(
                    &conf,
                    influxd_config(self.dir.path(), self.addr, self.rpc_port, self.auth),
                )
                .map_err(|e| format!("cannot write {}: {e}", conf.display()))?;
                let mut c = Command::new("influxd");
                c.arg("-config").arg(&conf);
                // INFLUXDB_* variables override the config file: keep the caller's out.
                for (k, _) in std::env::vars_os() {
                    if k.to_string_lossy().starts_with("INFLUXDB_") {
                        c.env_remove(k);
                    }
                }
                c
            }
            Kind::Cairn => {
                let bin = cairn_data_bin()?;
                let data = self.data_dir();
                let mut c = Command::new(bin);
                c.arg("--standalone")
                    .arg("--dir")
                    .arg(&data)
                    .arg("--http-bind")
                    .arg(self.addr.to_string())
                    .env("CAIRN_HTTP_AUTH_ENABLED", if self.auth { "true" } else { "false" });
                // cairn-data refuses unknown CAIRN_* variables (a typo must not go unnoticed):
                // keep the caller's (CAIRN_COMPAT_CASES, CAIRN_FUZZ_SECONDS, ...) out.
                for (k, _) in std::env::vars_os() {
                    let k_str = k.to_string_lossy();
                    if k_str.starts_with("CAIRN_") && !INHERITED_CAIRN_ENV.contains(&k_str.as_ref()) {
                        c.env_remove(k);
                    }
                }
                c
            }
        };
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.stdin(Stdio::null()).stdout(log).stderr(log2);
        let child = cmd.spawn().map_err(|e| match (self.kind, e.kind()) {
            (Kind::Influxd, io::ErrorKind::NotFound) => {
                "influxd not found on the PATH: install Debian's influxdb package (apt-get install influxdb influxdb-client)"
                    .to_string()
            }
            _ => format!("cannot start {}: {e}", self.kind),
        })?;
        self.child = Some(child);
        self.wait_ready()
    }

    /// Whether the process serves HTTPS (`CAIRN_HTTP_HTTPS_ENABLED=true` in its environment):
    /// this plain-HTTP harness then sees it ready when its port accepts connections.
    pub fn https(&self) -> bool {
        self.env
            .iter()
            .any(|(k, v)| k == "CAIRN_HTTP_HTTPS_ENABLED" && (v == "true" || v == "1"))
    }

    /// Polls `/ping` until it answers 2xx (for HTTPS, until the port accepts a connection:
    /// cairn-data binds it once it is ready); fails early if the process exits.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let ping = Request::get("/ping");
        let https = self.https();
        loop {
            let child = self.child.as_mut().expect("BUG: wait_ready without a child");
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                let tail = self.log_tail(40);
                let in_use = tail.contains("address already in use");
                return Err(format!(
                    "{} exited before answering /ping ({status}){}\n{tail}",
                    self.kind,
                    if in_use { " - address already in use" } else { "" }
                ));
            }
            if https {
                if std::net::TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok() {
                    return Ok(());
                }
            } else if let Ok(r) = http::send(self.addr, &ping) {
                if (200..300).contains(&r.status) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{} did not answer /ping on {} within {READY_TIMEOUT:?}\n{}",
                    self.kind,
                    self.addr,
                    self.log_tail(40)
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// The influxd 1.6.7 config: everything under `dir`, HTTP on `addr`, the RPC service on
/// `rpc_port`, no reporting, no monitor store (no `_internal` database to show up in SHOW
/// DATABASES), no continuous-query service, quiet logs. Body size and limits stay at their
/// defaults: Cairn is compared with a default install.
pub fn influxd_config(dir: &Path, addr: SocketAddr, rpc_port: u16, auth: bool) -> String {
    let d = dir.display();
    format!(
        r#"reporting-disabled = true
bind-address = "127.0.0.1:{rpc_port}"

[meta]
  dir = "{d}/meta"

[data]
  dir = "{d}/data"
  wal-dir = "{d}/wal"
  query-log-enabled = false

[monitor]
  store-enabled = false

[continuous_queries]
  enabled = false

[http]
  bind-address = "{addr}"
  auth-enabled = {auth}
  log-enabled = false
  pprof-enabled = false

[logging]
  level = "warn"
  suppress-logo = true
"#
    )
}
