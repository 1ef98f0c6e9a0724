//! server: binds the two listeners, starts the node and runs until a termination signal.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::config::Config;
use crate::node::MetaNode;

/// Why the node could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("invalid {what} {addr:?}: {reason}")]
    BindAddress {
        what: &'static str,
        addr: String,
        reason: String,
    },
    #[error("cannot listen on {addr} ({what}): {reason}")]
    Listen {
        what: &'static str,
        addr: SocketAddr,
        reason: String,
    },
    #[error("{0}")]
    Node(String),
}

/// Where to bind: `:port` is every interface with a shared secret and loopback without.
pub fn bind_address(what: &'static str, addr: &str, secret: bool) -> Result<SocketAddr, StartError> {
    let full = match addr.strip_prefix(':') {
        Some(port) if secret => format!("0.0.0.0:{port}"),
        Some(port) => format!("127.0.0.1:{port}"),
        None => addr.to_owned(),
    };
    full.parse()
        .map_err(|e: std::net::AddrParseError| StartError::BindAddress {
            what,
            addr: addr.to_owned(),
            reason: e.to_string(),
        })
}

/// The address others use: the configured one, else the bound one, with the host name in
/// place of an unspecified address.
pub fn advertise(configured: &str, bound: SocketAddr) -> String {
    cairn_config::advertise(configured, &bound.to_string())
}

/// Runs the meta node until SIGINT or SIGTERM.
pub async fn run(config: Config) -> Result<(), StartError> {
    let secret = config.secret().is_some();
    let http_bind = bind_address("meta API address", &config.meta.http_bind_address, secret)?;
    let raft_bind = bind_address("Raft address", &config.meta.raft_bind_address, secret)?;
    let listen = |what: &'static str, addr: SocketAddr| async move {
        tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| StartError::Listen {
                what,
                addr,
                reason: e.to_string(),
            })
    };
    let http = listen("meta API", http_bind).await?;
    let raft = listen("Raft RPC", raft_bind).await?;
    let http_addr = advertise(
        &config.meta.http_advertise_address,
        http.local_addr().unwrap_or(http_bind),
    );
    let raft_addr = advertise(
        &config.meta.raft_advertise_address,
        raft.local_addr().unwrap_or(raft_bind),
    );
    if !secret {
        let loopback = http_bind.ip().is_loopback() && raft_bind.ip().is_loopback();
        if loopback {
            tracing::warn!(
                "no [meta] internal-shared-secret: the meta API and Raft RPC listen on loopback only; set a secret to serve other hosts"
            );
        } else {
            tracing::warn!(
                http = %http_bind, raft = %raft_bind,
                "no [meta] internal-shared-secret, yet listening beyond loopback: anyone who reaches these ports can change the cluster"
            );
        }
    }
    let join = config.join();
    let max_body = usize::try_from(config.meta.max_body_size).unwrap_or(usize::MAX);
    let node = MetaNode::open(config, http_addr.clone(), raft_addr.clone())
        .await
        .map_err(StartError::Node)?;
    tracing::info!(http = %http_addr, raft = %raft_addr, dir = %node.dir().display(), version = crate::node::VERSION, "cairn-meta listening");
    let grpc = crate::raft_rpc::service(node.slot.clone(), node.secret.clone());
    let incoming = tonic::transport::server::TcpIncoming::from(raft).with_nodelay(Some(true));
    tokio::spawn(async move {
        if let Err(e) = tonic::transport::Server::builder()
            .add_service(grpc)
            .serve_with_incoming(incoming)
            .await
        {
            tracing::error!(error = %e, "the Raft RPC server stopped");
        }
    });
    tokio::spawn(crate::api::serve(http, Arc::clone(&node), max_body));
    tokio::spawn(Arc::clone(&node).heartbeat_loop());
    if !join.is_empty() {
        tokio::spawn(Arc::clone(&node).join_loop(join));
    }
    shutdown_signal().await;
    tracing::info!("stopping");
    if let Some(raft) = node.slot.get() {
        let _ = raft.shutdown().await;
    }
    Ok(())
}

async fn shutdown_signal() {
    let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
