//! The documented configuration is the one the binary uses.

#[test]
fn configuration_doc_shows_the_default_config_verbatim() {
    // The package directory cargo names at run time: a target directory shared by two clones
    // may run this binary built in the other one.
    let package = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string());
    let doc = std::fs::read_to_string(format!("{package}/../docs/configuration.md")).unwrap();
    let block = format!("```toml\n{}```", data_node::config::DEFAULT_CONFIG);
    assert!(
        doc.contains(&block),
        "docs/configuration.md must contain data-node/src/config.toml verbatim in a ```toml block"
    );
}
