//! Helpers shared by the integration tests: where the shared corpora and
//! the OpenAI rank files are, and the four pretrained tokenizers, loaded once.
#![allow(dead_code)] // each test file uses a different subset

use bpe_playground::{pretrained, Tokenizer};
use std::path::PathBuf;
use std::sync::OnceLock;

/// A path under `../shared` (the read-only corpora and references).
pub fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(path)
}

/// A shared corpus file as text.
pub fn corpus(name: &str) -> String {
    let path = shared("corpus").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The folder of the `.tiktoken` rank files: the tiktoken-rs crate's
/// `assets/` (the files build.sh copies into `www/vocab/`).
pub fn rank_files() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = std::process::Command::new(env!("CARGO"))
            .args(["metadata", "--format-version", "1"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo metadata");
        let meta: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
        let pkg = meta["packages"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["name"] == "tiktoken-rs"))
            .expect("tiktoken-rs is a dev-dependency");
        PathBuf::from(pkg["manifest_path"].as_str().expect("manifest path"))
            .parent()
            .expect("manifest folder")
            .join("assets")
    })
    .clone()
}

/// r50k_base, p50k_base, cl100k_base and o200k_base, loaded once.
pub fn pretrained_all() -> &'static [Tokenizer] {
    static ALL: OnceLock<Vec<Tokenizer>> = OnceLock::new();
    ALL.get_or_init(|| {
        let dir = rank_files();
        pretrained::NAMES
            .iter()
            .map(|n| {
                let data = std::fs::read(dir.join(format!("{n}.tiktoken"))).expect("rank file");
                pretrained::load(n, &data).expect("pretrained encoding loads")
            })
            .collect()
    })
}

/// One pretrained tokenizer by name.
pub fn pretrained_named(name: &str) -> &'static Tokenizer {
    pretrained_all()
        .iter()
        .find(|t| t.name() == name)
        .unwrap_or_else(|| panic!("no pretrained {name}"))
}
