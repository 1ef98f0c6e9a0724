//! The documented configuration is the one the binary uses.

#[test]
fn meta_cluster_doc_shows_the_default_config_verbatim() {
    let package = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string());
    let doc = std::fs::read_to_string(format!("{package}/../docs/meta-cluster.md")).unwrap();
    let block = format!("```toml\n{}```", meta_node::config::DEFAULT_CONFIG);
    assert!(
        doc.contains(&block),
        "docs/meta-cluster.md must contain meta-node/src/config.toml verbatim in a ```toml block"
    );
}
