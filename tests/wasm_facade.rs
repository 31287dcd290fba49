//! The wasm facade in a real browser (wasm-bindgen-test, headless Chrome):
//! typed results, engine errors as JS `Error`s with the engine's message,
//! training in slices, and round trips through the file formats.
//!
//! Run: `./build.sh test`, or
//! `CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=$HOME/.cargo/bin/wasm-bindgen-test-runner \
//!  cargo test --target wasm32-unknown-unknown --test wasm_facade`
#![cfg(target_arch = "wasm32")]

use bpe_playground::wasm::{WasmEncodeSession, WasmTokenizer, WasmTrainer};
use js_sys::{Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A small rank file: the 256 bytes, then "ab" (256), "abab" (257), " a" (258).
fn ranks() -> Vec<u8> {
    let mut file = String::new();
    let mut tokens: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
    tokens.extend([b"ab".to_vec(), b"abab".to_vec(), b" a".to_vec()]);
    for (rank, tok) in tokens.iter().enumerate() {
        file.push_str(&format!("{} {rank}\n", base64(tok)));
    }
    file.into_bytes()
}

fn toy() -> WasmTokenizer {
    WasmTokenizer::from_tiktoken("toy", &ranks(), "none", r#"{"<|end|>": 300}"#)
        .expect("toy tokenizer")
}

fn message(err: JsError) -> String {
    let value = JsValue::from(err);
    let err: js_sys::Error = value.dyn_into().expect("a JS Error");
    err.message().into()
}

fn get(obj: &Object, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).expect("property")
}

fn u32s(obj: &Object, key: &str) -> Vec<u32> {
    get(obj, key)
        .dyn_into::<Uint32Array>()
        .expect("a Uint32Array")
        .to_vec()
}

#[wasm_bindgen_test]
fn encode_returns_ids_and_byte_offsets_as_typed_arrays() {
    let tok = toy();
    let enc = tok.encode("ababab", "none").unwrap();
    assert_eq!(u32s(&enc, "ids"), vec![257, 256]);
    assert_eq!(u32s(&enc, "starts"), vec![0, 4]);
    assert_eq!(u32s(&enc, "ends"), vec![4, 6]);
    // Offsets are UTF-8 byte offsets: "é" is two bytes.
    let enc = tok.encode("éab", "none").unwrap();
    assert_eq!(u32s(&enc, "starts"), vec![0, 1, 2]);
    assert_eq!(u32s(&enc, "ends"), vec![1, 2, 4]);
    assert_eq!(tok.decode(&u32s(&enc, "ids")).unwrap(), "éab");
}

#[wasm_bindgen_test]
fn an_encode_session_gives_what_encode_gives_across_edits_and_tokenizers() {
    let toy = toy();
    let words =
        WasmTokenizer::from_tiktoken("words", &ranks(), "cl100k", r#"{"<|end|>": 300}"#).unwrap();
    let mut session = WasmEncodeSession::new();
    let long = "ab ab, abab. ".repeat(20);
    let long_edited = format!("{}X{}", &long[..130], &long[130..]);
    let texts = [
        "ab ab, abab. ab",
        "ab ab, abXab. ab",
        &long,
        &long_edited,
        "ab<|end|> ab, abXab. ab",
        "",
        "ab ab",
    ];
    let mut step = 0;
    // The session's last result, with its tokenizer, mode and text's length.
    let mut last: Option<(Object, usize, &str, usize)> = None;
    let mut kept_both = 0;
    for (t, tok) in [&words, &toy, &words].into_iter().enumerate() {
        for allowed in ["none", "all"] {
            for text in texts {
                // The text as a string, or as UTF-8 bytes: one session either way.
                step += 1;
                let got = if step % 2 == 0 {
                    session.encode(tok, text, allowed).unwrap()
                } else {
                    session.encode_utf8(tok, text.as_bytes(), allowed).unwrap()
                };
                let want = tok.encode(text, allowed).unwrap();
                for key in ["ids", "starts", "ends"] {
                    assert_eq!(
                        u32s(&got, key),
                        u32s(&want, key),
                        "{text:?} {allowed} {key}"
                    );
                }
                // keptHead / keptTail: tokens of the last result that start
                // and end this one unchanged (0 after a change of tokenizer
                // or mode, which encodes afresh).
                let kept =
                    |key: &str| Reflect::get(&got, &key.into()).unwrap().as_f64().unwrap() as usize;
                let (head, tail) = (kept("keptHead"), kept("keptTail"));
                kept_both += usize::from(head > 0 && tail > 0);
                match &last {
                    Some((prev, pt, pa, plen)) if *pt == t && *pa == allowed => {
                        let n = u32s(&got, "ids").len();
                        let pn = u32s(prev, "ids").len();
                        assert!(head + tail <= n.min(pn), "{text:?}: {head} + {tail}");
                        for key in ["ids", "starts", "ends"] {
                            assert_eq!(
                                u32s(&got, key)[..head],
                                u32s(prev, key)[..head],
                                "{text:?} {key}"
                            );
                        }
                        assert_eq!(
                            u32s(&got, "ids")[n - tail..],
                            u32s(prev, "ids")[pn - tail..]
                        );
                        let shifted: Vec<u32> = u32s(prev, "ends")[pn - tail..]
                            .iter()
                            .map(|&e| (e as usize + text.len() - plen) as u32)
                            .collect();
                        assert_eq!(u32s(&got, "ends")[n - tail..], shifted[..], "{text:?}");
                    }
                    _ => assert_eq!(
                        (head, tail),
                        (0, 0),
                        "{text:?} after a new tokenizer or mode"
                    ),
                }
                last = Some((got, t, allowed, text.len()));
            }
        }
    }
    assert!(
        kept_both > 0,
        "an edit in the middle of the long text keeps tokens at both ends"
    );
    let bad = message(session.encode(&toy, "ab<|end|>", "none_raise").unwrap_err());
    assert!(bad.contains("<|end|>"), "{bad}");
    let bad = message(session.encode_utf8(&toy, b"ab\xFFab", "none").unwrap_err());
    assert!(bad.contains("not valid UTF-8"), "{bad}");
    // The session still works after an error.
    let after = session.encode_utf8(&toy, b"abab", "none").unwrap();
    assert_eq!(u32s(&after, "ids"), vec![257]);
}

#[wasm_bindgen_test]
fn special_tokens_follow_the_allowed_mode() {
    let tok = toy();
    let all = tok.encode("ab<|end|>", "all").unwrap();
    assert_eq!(u32s(&all, "ids"), vec![256, 300]);
    assert!(tok.is_special(300));
    let none = tok.encode("ab<|end|>", "none").unwrap();
    assert!(!u32s(&none, "ids").contains(&300));
    let raised = message(tok.encode("ab<|end|>", "none_raise").unwrap_err());
    assert!(raised.contains("<|end|>"), "{raised}");
    let bad = message(tok.encode("ab", "some").unwrap_err());
    assert!(bad.contains("all, none or none_raise"), "{bad}");
    let specials: Array = tok.special_tokens();
    assert_eq!(specials.length(), 1);
}

#[wasm_bindgen_test]
fn encode_limited_replays_the_first_merges() {
    let tok = toy();
    let ids = |k| u32s(&tok.encode_limited("abab", "none", k).unwrap(), "ids");
    assert_eq!(ids(0), vec![97, 98, 97, 98]);
    assert_eq!(ids(1), vec![256, 256]);
    assert_eq!(ids(2), vec![257]);
}

#[wasm_bindgen_test]
fn engine_errors_become_js_errors_with_the_engine_message() {
    let tok = toy();
    assert_eq!(
        message(tok.decode(&[97, 999_999]).unwrap_err()),
        "unknown token id 999999"
    );
    assert_eq!(
        message(tok.token_info(999_999).unwrap_err()),
        "unknown token id 999999"
    );
    let name = message(WasmTokenizer::pretrained("gpt5", &ranks()).err().unwrap());
    assert!(name.starts_with("unknown tokenizer \"gpt5\""), "{name}");
    let garbage = message(
        WasmTokenizer::pretrained("cl100k_base", b"not a rank file\n")
            .err()
            .unwrap(),
    );
    assert!(garbage.contains("line 1"), "{garbage}");
    let specials = message(
        WasmTokenizer::from_tiktoken("t", &ranks(), "none", "{oops")
            .err()
            .unwrap(),
    );
    assert!(
        specials.contains("special tokens must be JSON"),
        "{specials}"
    );
    let model = message(WasmTokenizer::from_model("m", "not a model").err().unwrap());
    assert!(model.contains("minbpe v1"), "{model}");
    let size = message(WasmTrainer::new(b"abc", 10, "gpt4").err().unwrap());
    assert!(size.contains("vocab size 10"), "{size}");
}

#[wasm_bindgen_test]
fn introspection() {
    let tok = toy();
    let info = tok.token_info(257).unwrap();
    assert_eq!(get(&info, "id").as_f64(), Some(257.0));
    let bytes: Uint8Array = get(&info, "bytes").dyn_into().unwrap();
    assert_eq!(bytes.to_vec(), b"abab");
    assert_eq!(get(&info, "rank").as_f64(), Some(257.0));
    let parents: Array = get(&info, "parents").dyn_into().unwrap();
    assert_eq!(
        (parents.get(0).as_f64(), parents.get(1).as_f64()),
        (Some(256.0), Some(256.0))
    );
    assert_eq!(get(&info, "special").as_bool(), Some(false));
    assert!(get(&tok.token_info(97).unwrap(), "parents").is_null());
    assert_eq!(
        get(&tok.token_info(300).unwrap(), "special").as_bool(),
        Some(true)
    );
    assert_eq!(tok.token_bytes(258).unwrap(), b" a");
    assert_eq!(tok.vocab_size(), 301);
    assert_eq!(tok.merge_count(), 3);
    assert_eq!(
        tok.merges().to_vec(),
        vec![97, 98, 256, 256, 256, 257, 32, 97, 258]
    );
    assert!(tok.merge_counts().is_none());
    assert_eq!(tok.pattern_name(), "none");
    assert_eq!(tok.name(), "toy");
}

#[wasm_bindgen_test]
fn chunks_are_byte_ranges_of_the_split_pattern() {
    let tok = WasmTokenizer::from_tiktoken("t", &ranks(), "gpt4", "").unwrap();
    assert_eq!(tok.chunks("hi there").unwrap().to_vec(), vec![0, 2, 2, 8]);
    assert_eq!(tok.pattern_name(), "gpt4");
    let bad = message(
        WasmTokenizer::from_tiktoken("t", &ranks(), "(unclosed", "")
            .err()
            .unwrap(),
    );
    assert!(bad.contains("invalid split pattern"), "{bad}");
}

#[wasm_bindgen_test]
fn trains_in_slices_and_round_trips_through_model_files() {
    let corpus = "low lower lowest newer newest wider widest ".repeat(20);
    let mut trainer = WasmTrainer::new(corpus.as_bytes(), 280, "gpt4").unwrap();
    assert_eq!(trainer.total().unwrap(), 24);
    let mut slices = 0;
    while !trainer.is_finished().unwrap() {
        let done = trainer.step(5).unwrap();
        assert_eq!(done, trainer.done().unwrap());
        slices += 1;
    }
    assert!(slices >= 2);
    let made = trainer.done().unwrap();
    assert_eq!(trainer.merges_since(0).unwrap().length() as usize, made * 3);
    let tok = trainer.finish("toy", r#"[["<|end|>", 1000]]"#).unwrap();
    assert!(
        trainer.finish("again", "").is_err(),
        "a trainer finishes once"
    );
    assert_eq!(tok.merge_count(), made);
    assert_eq!(tok.merge_counts().unwrap().length() as usize, made);
    let text = "the lowest newer wider, <|end|>";
    let ids = u32s(&tok.encode(text, "all").unwrap(), "ids");
    assert_eq!(tok.decode(&ids).unwrap(), text);
    let reloaded = WasmTokenizer::from_model("again", &tok.to_model().unwrap()).unwrap();
    assert_eq!(u32s(&reloaded.encode(text, "all").unwrap(), "ids"), ids);
    assert!(tok.to_vocab().unwrap().contains("[l][o]"));
    let rank_file = tok.to_tiktoken().unwrap();
    let from_ranks = WasmTokenizer::from_tiktoken("r", rank_file.as_bytes(), "gpt4", "").unwrap();
    assert_eq!(
        from_ranks.decode(&ids[..ids.len() - 1]).unwrap(),
        "the lowest newer wider, "
    );
}
