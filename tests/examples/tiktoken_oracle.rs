//! Reference ids from tiktoken-rs, an independent implementation, for the
//! browser tests (tests/e2e): reads a JSON list of texts on stdin and prints
//! `{"r50k_base": [[ids of text 0], …], …}` with special-token text encoded
//! as ordinary text (like the page with the special toggle off), plus the
//! same under `"<name>+special"` with special tokens recognised.
//!
//! `echo '["hello 🙂"]' | cargo run --release --example tiktoken_oracle`

use std::io::Read;

fn main() {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .expect("read stdin");
    let texts: Vec<String> =
        serde_json::from_str(&input).expect("stdin must be a JSON list of strings");
    let encodings = [
        ("r50k_base", tiktoken_rs::r50k_base()),
        ("p50k_base", tiktoken_rs::p50k_base()),
        ("cl100k_base", tiktoken_rs::cl100k_base()),
        ("o200k_base", tiktoken_rs::o200k_base()),
    ];
    let mut out = serde_json::Map::new();
    for (name, bpe) in encodings {
        let bpe = bpe.expect("tiktoken-rs loads its encodings");
        let ordinary: Vec<Vec<u32>> = texts.iter().map(|t| bpe.encode_ordinary(t)).collect();
        let special: Vec<Vec<u32>> = texts
            .iter()
            .map(|t| bpe.encode_with_special_tokens(t))
            .collect();
        out.insert(name.to_string(), serde_json::json!(ordinary));
        out.insert(format!("{name}+special"), serde_json::json!(special));
    }
    println!("{}", serde_json::Value::Object(out));
}
