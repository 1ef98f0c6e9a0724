//! Generates the gRPC services from `proto/*.proto` (needs `protoc`, which `./x` installs).

fn main() {
    tonic_prost_build::configure()
        .compile_protos(&["proto/raft.proto", "proto/data.proto"], &["proto"])
        .unwrap_or_else(|e| panic!("cannot compile the protocol definitions: {e}"));
}
