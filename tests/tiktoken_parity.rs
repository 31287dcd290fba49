//! Every pretrained encoding must equal tiktoken token for token on every
//! shared corpus, with special tokens as text and as specials.
//! The oracle is the tiktoken-rs crate; its assets are also our rank files.

use bpe_playground::formats::packed::write_packed;
use bpe_playground::{pretrained, AllowedSpecial};
use std::collections::HashSet;

mod common;

fn oracle(name: &str) -> tiktoken_rs::CoreBPE {
    match name {
        "r50k_base" => tiktoken_rs::r50k_base(),
        "p50k_base" => tiktoken_rs::p50k_base(),
        "cl100k_base" => tiktoken_rs::cl100k_base(),
        "o200k_base" => tiktoken_rs::o200k_base(),
        _ => unreachable!(),
    }
    .unwrap()
}

/// Counts from `../shared/corpus/SOURCES.md` (PyPI tiktoken 0.14.0).
const COUNTS: [(&str, [usize; 4]); 3] = [
    // r50k, p50k, cl100k, o200k
    ("tinyshakespeare.txt", [338_025, 338_022, 301_829, 297_606]),
    ("multilingual.txt", [148_335, 132_180, 97_280, 82_944]),
    ("taylorswift.txt", [45_332, 45_332, 49_298, 48_956]),
];

fn check_corpus(file: &str, expected: [usize; 4]) {
    let text = common::corpus(file);
    for (i, name) in pretrained::NAMES.iter().enumerate() {
        let tok = common::pretrained_named(name);
        let enc = tok.encode(&text, &AllowedSpecial::None).unwrap();
        let want = oracle(name).encode_ordinary(&text);
        assert_eq!(enc.ids.len(), expected[i], "{name} on {file}: count");
        assert!(
            enc.ids == want,
            "{name} on {file}: ids differ from tiktoken"
        );
        // Spans tile the text exactly.
        assert_eq!(enc.starts[0], 0);
        assert_eq!(*enc.ends.last().unwrap() as usize, text.len());
        assert!(enc.starts[1..].iter().zip(&enc.ends).all(|(s, e)| s == e));
        assert_eq!(tok.decode(&enc.ids).unwrap(), text);
    }
}

#[test]
fn tinyshakespeare_matches_tiktoken() {
    check_corpus(COUNTS[0].0, COUNTS[0].1);
}

#[test]
fn multilingual_matches_tiktoken() {
    check_corpus(COUNTS[1].0, COUNTS[1].1);
}

#[test]
fn taylorswift_matches_tiktoken() {
    check_corpus(COUNTS[2].0, COUNTS[2].1);
}

#[test]
fn special_tokens_match_tiktoken() {
    // The corpora hold no special-token text, so splice every special token in.
    let base = common::corpus("multilingual.txt");
    let cut = base
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| i >= 20_000)
        .unwrap();
    let base = &base[..cut];
    for name in pretrained::NAMES {
        let tok = common::pretrained_named(name);
        let core = oracle(name);
        let specials: Vec<&str> = tok
            .special_tokens()
            .iter()
            .map(|(s, _)| s.as_str())
            .collect();
        let mut text = String::new();
        for (i, piece) in base.split_inclusive('\n').enumerate() {
            text.push_str(piece);
            if i % 7 == 3 {
                text.push_str(specials[i % specials.len()]);
            }
        }
        let all: HashSet<&str> = specials.iter().copied().collect();
        let want_all = core.encode(&text, &all).unwrap().0;
        let got_all = tok.encode(&text, &AllowedSpecial::All).unwrap();
        assert!(
            got_all.ids == want_all,
            "{name}: allowed_special=all differs"
        );
        assert!(got_all.ids.iter().any(|&id| tok.is_special(id)));
        let want_none = core.encode_ordinary(&text);
        let got_none = tok.encode(&text, &AllowedSpecial::None).unwrap();
        assert!(
            got_none.ids == want_none,
            "{name}: special text as text differs"
        );
        assert!(!got_none.ids.iter().any(|&id| tok.is_special(id)));
        assert!(tok.encode(&text, &AllowedSpecial::NoneRaise).is_err());
        assert_eq!(tok.decode(&got_all.ids).unwrap(), text);
    }
}

#[test]
fn every_pretrained_token_has_parents_down_to_bytes() {
    for name in ["r50k_base", "cl100k_base"] {
        let tok = common::pretrained_named(name);
        let merges = tok.merges();
        assert_eq!(merges.len(), tok.merge_count(), "{name}");
        for (a, b, id) in merges.iter().copied().step_by(97) {
            let joined = [tok.token_bytes(a).unwrap(), tok.token_bytes(b).unwrap()].concat();
            assert_eq!(joined, tok.token_bytes(id).unwrap(), "{name} token {id}");
            assert!(a < id && b < id, "{name}: parents rank below the token");
        }
    }
}

/// The packed rank files the page loads (`bpe-playground pack`) hold the
/// same encodings: every token, and tiktoken's ids on a corpus.
#[test]
fn packed_rank_files_load_the_same_encodings() {
    let text = common::corpus("multilingual.txt");
    for name in pretrained::NAMES {
        let path = common::rank_files().join(format!("{name}.tiktoken"));
        let data = std::fs::read(path).unwrap();
        let from_text = common::pretrained_named(name);
        let packed = write_packed(from_text).unwrap();
        assert!(
            packed.len() * 2 < data.len() + data.len() / 10,
            "{name}: {} bytes packed, {} as text",
            packed.len(),
            data.len()
        );
        let tok = pretrained::load(name, &packed).unwrap();
        assert!(
            tok.ordinary_tokens().eq(from_text.ordinary_tokens()),
            "{name}: the tokens differ"
        );
        let ids = tok.encode(&text, &AllowedSpecial::None).unwrap().ids;
        assert!(
            ids == oracle(name).encode_ordinary(&text),
            "{name}: ids differ from tiktoken"
        );
    }
}
