//! meta_client: how a data node reads and changes the cluster metadata. Standalone, the
//! embedded [`meta::LocalStore`] answers; in a cluster, [`RemoteMeta`] follows the meta
//! nodes and keeps a copy on disk. The rest of the node only sees this trait.

mod remote;

use std::sync::Arc;

use meta::{Command, LocalStore, MetaData, Outcome};

pub use remote::{HandoffReport, RemoteMeta, Settings as RemoteSettings};

/// The node's view of the metadata.
pub trait MetaClient: Send + Sync + std::fmt::Debug {
    /// The latest metadata this node knows.
    fn data(&self) -> Arc<MetaData>;
    /// Applies a command through the metadata's one writer; returns once it is applied
    /// and [`MetaClient::data`] shows it.
    fn apply(&self, command: Command) -> meta::Result<Outcome>;
    /// This data node's id in the metadata: the shards it owns are the ones it stores.
    /// `None` until it is registered.
    fn node_id(&self) -> Option<u64>;
}

impl MetaClient for LocalStore {
    fn data(&self) -> Arc<MetaData> {
        LocalStore::data(self)
    }

    fn apply(&self, command: Command) -> meta::Result<Outcome> {
        LocalStore::apply(self, &command)
    }

    /// A standalone node is the one data node of its metadata.
    fn node_id(&self) -> Option<u64> {
        LocalStore::data(self).data_nodes.first().map(|n| n.id)
    }
}
