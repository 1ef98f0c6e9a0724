//! meta_client: how a data node reads and changes the cluster metadata. Standalone, the
//! embedded [`meta::LocalStore`] answers; in a cluster, a client of the meta nodes will. The
//! rest of the node only sees this trait.

use std::sync::Arc;

use meta::{Command, LocalStore, MetaData, Outcome};

/// The node's view of the metadata.
pub trait MetaClient: Send + Sync + std::fmt::Debug {
    /// The latest metadata this node knows.
    fn data(&self) -> Arc<MetaData>;
    /// Applies a command through the metadata's one writer; returns once it is applied.
    fn apply(&self, command: Command) -> meta::Result<Outcome>;
}

impl MetaClient for LocalStore {
    fn data(&self) -> Arc<MetaData> {
        LocalStore::data(self)
    }

    fn apply(&self, command: Command) -> meta::Result<Outcome> {
        LocalStore::apply(self, &command)
    }
}
