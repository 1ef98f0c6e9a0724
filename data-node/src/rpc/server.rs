//! server: the data-node RPC service other data nodes call. A shard write lands in the
//! store through the same [`Store::write`] as the node's own writes; a shard read is
//! answered by the query path's own local reader (`query::remote`).

use std::sync::Arc;

use line_protocol::Point;
use proto::auth::Secret;
use proto::data::data_node_server::{self, DataNodeServer};
use proto::data::{
    AggregateCall, AggregateReply, Done, FieldList, Names, PointsCall, PointsReply, SeriesList, ShardCall,
    WriteShardRequest, WriteShardResponse,
};
use tonic::{Request, Response, Status};

use super::{wire, MAX_MESSAGE};
use crate::query::{self, Listing, Removal};
use crate::store::Store;

/// Serves the shards of this node to its peers.
#[derive(Debug)]
pub struct Service {
    store: Arc<Store>,
}

/// The gRPC service, behind the shared-secret check.
pub fn service(
    store: Arc<Store>,
    secret: Secret,
) -> tonic::service::interceptor::InterceptedService<DataNodeServer<Service>, impl tonic::service::Interceptor + Clone>
{
    let check = move |req: Request<()>| secret.check_grpc(req);
    let server = DataNodeServer::new(Service { store })
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE);
    tonic::service::interceptor::InterceptedService::new(server, check)
}

/// A database or policy name as a directory name: the store joins it to its root, so a
/// name that is not one plain path component is refused.
fn check_name(what: &str, name: &str) -> Result<(), Status> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(Status::invalid_argument(format!("invalid {what} name {name:?}")));
    }
    Ok(())
}

/// A storage failure as a status: the shard's own text, paths hidden.
fn storage_status(e: shard::Error) -> Status {
    tracing::error!(error = %e, "shard write from a peer failed");
    Status::internal(crate::redact::paths(&e.client_text()))
}

impl Service {
    /// Runs a read of the store on the blocking pool (shard reads block on RocksDB).
    async fn blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<R, Status> + Send + 'static,
    ) -> Result<Response<R>, Status> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| Status::internal(format!("the shard read task failed: {e}")))?
            .map(Response::new)
    }
}

#[tonic::async_trait]
impl data_node_server::DataNode for Service {
    async fn measurements(&self, req: Request<ShardCall>) -> Result<Response<Names>, Status> {
        let call = req.into_inner();
        self.blocking(move |s| query::answer_names(s, &call, Listing::Measurements))
            .await
    }

    async fn tag_keys(&self, req: Request<ShardCall>) -> Result<Response<Names>, Status> {
        let call = req.into_inner();
        self.blocking(move |s| query::answer_names(s, &call, Listing::TagKeys))
            .await
    }

    async fn tag_values(&self, req: Request<ShardCall>) -> Result<Response<Names>, Status> {
        let call = req.into_inner();
        self.blocking(move |s| query::answer_names(s, &call, Listing::TagValues))
            .await
    }

    async fn fields(&self, req: Request<ShardCall>) -> Result<Response<FieldList>, Status> {
        let call = req.into_inner();
        self.blocking(move |s| query::answer_fields(s, &call)).await
    }

    async fn series(&self, req: Request<ShardCall>) -> Result<Response<SeriesList>, Status> {
        let call = req.into_inner();
        self.blocking(move |s| query::answer_series(s, &call)).await
    }

    async fn points(&self, req: Request<PointsCall>) -> Result<Response<PointsReply>, Status> {
        let call = req.into_inner();
        self.blocking(move |s| query::answer_points(s, call)).await
    }

    async fn aggregate(&self, req: Request<AggregateCall>) -> Result<Response<AggregateReply>, Status> {
        let call = req.into_inner();
        self.blocking(move |s| query::answer_aggregate(s, call)).await
    }

    async fn delete(&self, req: Request<ShardCall>) -> Result<Response<Done>, Status> {
        let call = req.into_inner();
        self.blocking(move |s| query::answer_removal(s, &call, Removal::Delete))
            .await
    }

    async fn drop_series(&self, req: Request<ShardCall>) -> Result<Response<Done>, Status> {
        let call = req.into_inner();
        self.blocking(move |s| query::answer_removal(s, &call, Removal::DropSeries))
            .await
    }

    async fn drop_measurement(&self, req: Request<ShardCall>) -> Result<Response<Done>, Status> {
        let call = req.into_inner();
        self.blocking(move |s| query::answer_removal(s, &call, Removal::DropMeasurement))
            .await
    }

    async fn write_shard(&self, req: Request<WriteShardRequest>) -> Result<Response<WriteShardResponse>, Status> {
        let req = req.into_inner();
        check_name("database", &req.database)?;
        check_name("retention policy", &req.policy)?;
        let store = Arc::clone(&self.store);
        let outcome = tokio::task::spawn_blocking(move || {
            let batch = wire::batch_from_wire(&req.points).map_err(Status::invalid_argument)?;
            let points: Vec<Point<'_, '_>> = batch.points().collect();
            store
                .write(&req.database, &req.policy, req.shard_id, &points)
                .map_err(storage_status)
        })
        .await
        .map_err(|e| Status::internal(format!("the shard write task failed: {e}")))??;
        Ok(Response::new(WriteShardResponse {
            points: outcome.points as u64,
            values: outcome.values as u64,
            dropped: outcome.dropped as u64,
            first_drop: outcome.first_drop.unwrap_or_default(),
        }))
    }
}
