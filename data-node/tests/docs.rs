//! The documented configuration is the one the binary uses.

#[test]
fn configuration_doc_shows_the_default_config_verbatim() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/configuration.md")).unwrap();
    let block = format!("```toml\n{}```", data_node::config::DEFAULT_CONFIG);
    assert!(
        doc.contains(&block),
        "docs/configuration.md must contain data-node/src/config.toml verbatim in a ```toml block"
    );
}
