//! The span-free fast path (`encode_ordinary_ids`, used by the CLI bench and
//! the page's `encodeIds`) must give exactly the ids of `encode` and of
//! tiktoken-rs, on the corpora and on the worst-case inputs of the bench
//! (long runs that take the long-chunk merge, random code points).

use bpe_playground::{pretrained, AllowedSpecial, Pattern, Tokenizer};
use std::path::PathBuf;

mod common;

fn texts() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut out: Vec<String> = ["tinyshakespeare.txt", "multilingual.txt", "taylorswift.txt"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
        .collect();
    let mut x: u32 = 2_463_534_242;
    let mut random = String::new();
    while random.chars().count() < 20_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if let Some(c) = char::from_u32(x % 0x11_0000) {
            random.push(c);
        }
    }
    out.push(random);
    for unit in ["a", " ", "^", "ab ", "\n", "1"] {
        out.push(unit.repeat(100_000));
    }
    out
}

#[test]
fn ids_path_equals_encode_and_tiktoken() {
    let dir = common::rank_files();
    for (name, oracle) in [
        ("cl100k_base", tiktoken_rs::cl100k_base().unwrap()),
        ("o200k_base", tiktoken_rs::o200k_base().unwrap()),
        ("r50k_base", tiktoken_rs::r50k_base().unwrap()),
    ] {
        let data = std::fs::read(dir.join(format!("{name}.tiktoken"))).unwrap();
        let tok = pretrained::load(name, &data).unwrap();
        for text in texts() {
            let fast = tok.encode_ordinary_ids(&text).unwrap();
            let slow = tok.encode(&text, &AllowedSpecial::None).unwrap();
            assert_eq!(fast, slow.ids, "{name} ids vs encode");
            assert_eq!(fast, oracle.encode_ordinary(&text), "{name} vs tiktoken-rs");
            // Spans tile the input.
            assert_eq!(slow.starts.first().copied().unwrap_or(0), 0);
            assert_eq!(slow.ends.last().map(|&e| e as usize), Some(text.len()));
        }
    }
}

#[test]
fn ids_path_equals_encode_for_trained_merges() {
    let corpus = texts().remove(0);
    let trained = bpe_playground::train(
        &corpus.as_bytes()[..200_000],
        1000,
        &Pattern::Gpt4,
        |_, _| true,
    )
    .unwrap();
    let tok = Tokenizer::from_trained("toy", &trained, vec![]).unwrap();
    for text in texts() {
        let fast = tok.encode_ordinary_ids(&text).unwrap();
        let slow = tok.encode(&text, &AllowedSpecial::None).unwrap();
        assert_eq!(fast, slow.ids);
    }
}
