//! Hugging Face `tokenizer.json`: our reader and writer against the
//! `tokenizers` library itself (PyPI), on every shared corpus.
//!
//! The fixtures and the library's ids are made by `tests/hf/make_fixtures.py`
//! into `$CARGO_TARGET_TMPDIR/hf-fixtures` (built once, reused). The library
//! is installed with pip if missing; only if that fails are these tests
//! skipped, with a message saying so. Ids are compared with the library's
//! `encode(text, add_special_tokens=False)`, which is our
//! `encode(text, &AllowedSpecial::All)`.

use bpe_playground::formats::hf::{read_tokenizer_json, write_tokenizer_json};
use bpe_playground::{train, AllowedSpecial, Error, Pattern, Tokenizer};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const CORPORA: [&str; 3] = ["taylorswift.txt", "tinyshakespeare.txt", "multilingual.txt"];

fn corpus_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name)
}

fn corpus(name: &str) -> &'static str {
    static CACHE: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    CACHE.get_or_init(|| {
        CORPORA
            .iter()
            .map(|&n| {
                (
                    n,
                    std::fs::read_to_string(corpus_path(n)).expect("read corpus"),
                )
            })
            .collect()
    })[name]
        .as_str()
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hf/make_fixtures.py")
}

fn cl100k_rank_file() -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata json");
    let manifest = meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "tiktoken-rs"))
        .and_then(|p| p["manifest_path"].as_str())
        .expect("tiktoken-rs in the dependency graph");
    Path::new(manifest)
        .parent()
        .expect("manifest dir")
        .join("assets/cl100k_base.tiktoken")
}

/// True once `import tokenizers` works, installing it with pip if needed.
fn python_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        let import = || {
            Command::new("python3")
                .args(["-c", "import tokenizers"])
                .status()
                .is_ok_and(|s| s.success())
        };
        if import() {
            return true;
        }
        let _ = Command::new("python3")
            .args(["-m", "pip", "install", "-q", "tokenizers"])
            .status();
        let ok = import();
        if !ok {
            eprintln!("SKIPPED: python3 with the `tokenizers` package is not available and `pip install tokenizers` failed");
        }
        ok
    })
}

/// The fixture directory, built by the Python script if missing.
fn fixtures() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        if !python_ready() {
            return None;
        }
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hf-fixtures");
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let stamp = modified(&dir.join("done.stamp"));
        if stamp.is_none() || stamp < modified(&script()) {
            let status = Command::new("python3")
                .arg(script())
                .arg(&dir)
                .arg(cl100k_rank_file())
                .args(CORPORA.map(corpus_path))
                .status()
                .expect("run make_fixtures.py");
            assert!(status.success(), "make_fixtures.py failed");
        }
        Some(dir)
    })
    .as_deref()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read json")).expect("json")
}

fn ids_of(v: &Value) -> Vec<u32> {
    v.as_array()
        .expect("id list")
        .iter()
        .map(|x| x.as_u64().expect("id") as u32)
        .collect()
}

fn assert_same(what: &str, ours: &[u32], theirs: &[u32]) {
    if ours != theirs {
        let at = ours.iter().zip(theirs).take_while(|(a, b)| a == b).count();
        let show = |ids: &[u32]| ids[at.saturating_sub(3)..(at + 5).min(ids.len())].to_vec();
        panic!(
            "{what}: ids differ at token {at} (ours {} tokens, tokenizers {}): ours …{:?}… theirs …{:?}…",
            ours.len(),
            theirs.len(),
            show(ours),
            show(theirs)
        );
    }
}

/// Loads fixture `name` and compares with the library's ids on every corpus
/// and the probe. Returns the number of tokens compared.
fn compare_fixture(name: &str) -> usize {
    let Some(dir) = fixtures() else { return 0 };
    let json = std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("fixture");
    let tok = read_tokenizer_json(name, &json).unwrap_or_else(|e| panic!("{name}: {e}"));
    let expected = read_json(&dir.join(format!("{name}.ids.json")));
    let probe = std::fs::read_to_string(dir.join("probe.txt")).expect("probe");
    let mut total = 0;
    let texts = CORPORA
        .iter()
        .map(|&c| (c, corpus(c)))
        .chain([("probe", probe.as_str())]);
    for (label, text) in texts {
        let ours = tok.encode(text, &AllowedSpecial::All).expect("encode");
        let theirs = ids_of(&expected[label]);
        assert_same(&format!("{name} on {label}"), &ours.ids, &theirs);
        assert_eq!(
            tok.decode(&ours.ids).expect("decode"),
            text,
            "{name} on {label}: decode"
        );
        total += theirs.len();
    }
    eprintln!(
        "{name}: {total} tokens equal to tokenizers' on {} corpora + probe",
        CORPORA.len()
    );
    total
}

#[test]
fn byte_level_fixture_matches_tokenizers() {
    compare_fixture("bytelevel");
}

#[test]
fn split_fixture_with_ignore_merges_matches_tokenizers() {
    compare_fixture("split");
}

#[test]
fn cl100k_fixture_matches_tokenizers() {
    compare_fixture("cl100k");
}

/// Writes `tok` as tokenizer.json, has the library encode the corpora with
/// it, and compares with our ids; then reads the file back and compares again.
fn check_export(tok: &Tokenizer, corpora: &[&str]) {
    let Some(dir) = fixtures() else { return };
    let json = write_tokenizer_json(tok).unwrap_or_else(|e| panic!("{}: {e}", tok.name()));
    let path = dir.join(format!("export-{}.json", tok.name()));
    let out = dir.join(format!("export-{}.ids.json", tok.name()));
    std::fs::write(&path, &json).expect("write export");
    let status = Command::new("python3")
        .arg(script())
        .arg("--encode")
        .arg(&path)
        .arg(&out)
        .args(corpora.iter().map(|c| corpus_path(c)))
        .status()
        .expect("run make_fixtures.py --encode");
    assert!(
        status.success(),
        "tokenizers could not load or encode {}",
        path.display()
    );
    let theirs = read_json(&out);
    let back = read_tokenizer_json("back", &json).unwrap_or_else(|e| panic!("read back: {e}"));
    let mut total = 0;
    for &c in corpora {
        let ours = tok
            .encode(corpus(c), &AllowedSpecial::All)
            .expect("encode")
            .ids;
        assert_same(
            &format!("export of {} by tokenizers on {c}", tok.name()),
            &ours,
            &ids_of(&theirs[c]),
        );
        let again = back
            .encode(corpus(c), &AllowedSpecial::All)
            .expect("encode")
            .ids;
        assert_same(
            &format!("export of {} read back on {c}", tok.name()),
            &again,
            &ours,
        );
        total += ours.len();
    }
    eprintln!("export of {}: {total} tokens equal", tok.name());
}

fn toy(name: &str, pattern: Pattern, vocab_size: usize) -> Tokenizer {
    let text = corpus("taylorswift.txt");
    let trained = train(text.as_bytes(), vocab_size, &pattern, |_, _| true).expect("train");
    let special = vec![("<|endoftext|>".to_string(), vocab_size as u32)];
    Tokenizer::from_trained(name, &trained, special).expect("tokenizer")
}

#[test]
fn exported_toy_gpt4_matches_tokenizers() {
    check_export(&toy("toy-gpt4", Pattern::Gpt4, 600), &CORPORA);
}

#[test]
fn exported_toy_gpt2_matches_tokenizers() {
    check_export(&toy("toy-gpt2", Pattern::Gpt2, 400), &CORPORA);
}

#[test]
fn exported_toy_with_tiktoken_patterns_matches_tokenizers() {
    // cl100k's possessive `\p{N}{1,3}+` and the `$` anchors of cl100k and
    // r50k must keep their meaning under Oniguruma.
    check_export(&toy("toy-cl100k", Pattern::Cl100k, 500), &CORPORA);
    check_export(&toy("toy-r50k", Pattern::R50k, 400), &["multilingual.txt"]);
    check_export(
        &toy("toy-o200k", Pattern::O200k, 400),
        &["multilingual.txt"],
    );
}

#[test]
fn exported_toy_without_pattern_matches_tokenizers() {
    check_export(&toy("toy-none", Pattern::None, 300), &["taylorswift.txt"]);
}

#[test]
fn exported_ignore_merges_fixture_matches_tokenizers() {
    let Some(dir) = fixtures() else { return };
    let json = std::fs::read_to_string(dir.join("split.json")).expect("fixture");
    let tok = read_tokenizer_json("split-again", &json).expect("read");
    check_export(&tok, &CORPORA);
}

// ---- errors -------------------------------------------------------------

fn minimal(model: Value, normalizer: Value, pre: Value) -> String {
    serde_json::json!({
        "version": "1.0",
        "added_tokens": [],
        "normalizer": normalizer,
        "pre_tokenizer": pre,
        "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
        "model": model,
    })
    .to_string()
}

fn byte_level() -> Value {
    serde_json::json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true})
}

/// A valid byte-level BPE model: the 256 byte tokens and "ab".
fn bpe(merges: Value) -> Value {
    let chars = bpe_playground::formats::hf::byte_to_char();
    let mut vocab = serde_json::Map::new();
    for (b, c) in chars.iter().enumerate() {
        vocab.insert(c.to_string(), Value::from(b));
    }
    vocab.insert("ab".into(), Value::from(256));
    serde_json::json!({"type": "BPE", "vocab": vocab, "merges": merges, "ignore_merges": false})
}

fn err(json: &str) -> String {
    match read_tokenizer_json("t", json) {
        Ok(_) => panic!("expected an error for {}", &json[..json.len().min(200)]),
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "one line: {msg}");
            msg
        }
    }
}

#[test]
fn minimal_file_loads_with_both_merge_forms() {
    for merges in [serde_json::json!(["a b"]), serde_json::json!([["a", "b"]])] {
        let tok =
            read_tokenizer_json("t", &minimal(bpe(merges), Value::Null, byte_level())).unwrap();
        assert_eq!(
            tok.encode("ab ab", &AllowedSpecial::All).unwrap().ids,
            [256, 32, 256]
        );
    }
}

#[test]
fn unsupported_models_are_named() {
    let word_piece =
        serde_json::json!({"type": "WordPiece", "vocab": {"a": 0}, "unk_token": "[UNK]"});
    let msg = err(&minimal(word_piece, Value::Null, byte_level()));
    assert!(
        msg.contains("model.type") && msg.contains("WordPiece"),
        "{msg}"
    );
    let unigram = serde_json::json!({"type": "Unigram", "vocab": [["a", 0.0]], "unk_id": 0});
    let msg = err(&minimal(unigram, Value::Null, byte_level()));
    assert!(
        msg.contains("model.type") && msg.contains("Unigram"),
        "{msg}"
    );
}

#[test]
fn unsupported_normalizer_and_pre_tokenizer_are_named() {
    let nfc = serde_json::json!({"type": "NFC"});
    let msg = err(&minimal(bpe(serde_json::json!([])), nfc, byte_level()));
    assert!(msg.contains("normalizer") && msg.contains("NFC"), "{msg}");
    let seq = serde_json::json!({"type": "Sequence", "normalizers": [{"type": "Lowercase"}]});
    let msg = err(&minimal(bpe(serde_json::json!([])), seq, byte_level()));
    assert!(
        msg.contains("normalizers[0]") && msg.contains("Lowercase"),
        "{msg}"
    );
    let meta = serde_json::json!({"type": "Metaspace", "replacement": "▁"});
    let msg = err(&minimal(bpe(serde_json::json!([])), Value::Null, meta));
    assert!(
        msg.contains("pre-tokenizer") && msg.contains("Metaspace"),
        "{msg}"
    );
    let prefix =
        serde_json::json!({"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true});
    let msg = err(&minimal(bpe(serde_json::json!([])), Value::Null, prefix));
    assert!(msg.contains("add_prefix_space"), "{msg}");
    let merged = serde_json::json!({"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Removed", "invert": false},
        {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]});
    let msg = err(&minimal(bpe(serde_json::json!([])), Value::Null, merged));
    assert!(msg.contains("behavior") && msg.contains("Removed"), "{msg}");
}

#[test]
fn malformed_files_are_named() {
    assert!(err("{\"model\": ").contains("not valid JSON"));
    assert!(err("[]").contains("top level"));
    assert!(err("{}").contains("model is missing"));
    let msg = err(&minimal(
        bpe(serde_json::json!(["a zz"])),
        Value::Null,
        byte_level(),
    ));
    assert!(
        msg.contains("model.merges[0]") && msg.contains("\"zz\""),
        "{msg}"
    );
    let msg = err(&minimal(
        bpe(serde_json::json!(["a b c"])),
        Value::Null,
        byte_level(),
    ));
    assert!(msg.contains("model.merges[0]"), "{msg}");
    let msg = err(&minimal(
        bpe(serde_json::json!([["b", "a"]])),
        Value::Null,
        byte_level(),
    ));
    assert!(msg.contains("\"ba\" is not in model.vocab"), "{msg}");
    let msg = err(&minimal(
        bpe(serde_json::json!([1])),
        Value::Null,
        byte_level(),
    ));
    assert!(msg.contains("model.merges[0]"), "{msg}");
    let mut model = bpe(serde_json::json!([]));
    model["vocab"]["huge"] = Value::from(1u64 << 40);
    let msg = err(&minimal(model, Value::Null, byte_level()));
    assert!(
        msg.contains("model.vocab[\"huge\"]") && msg.contains("too large"),
        "{msg}"
    );
    let mut model = bpe(serde_json::json!([]));
    model["vocab"]["sparse"] = Value::from(10_000_000);
    let msg = err(&minimal(model, Value::Null, byte_level()));
    assert!(
        msg.contains("model.vocab") && msg.contains("sparse"),
        "{msg}"
    );
    let mut model = bpe(serde_json::json!([]));
    model["vocab"]["neg"] = Value::from(-1);
    assert!(err(&minimal(model, Value::Null, byte_level())).contains("model.vocab[\"neg\"]"));
    let mut model = bpe(serde_json::json!([]));
    model["vocab"]["dup"] = Value::from(256);
    assert!(err(&minimal(model, Value::Null, byte_level())).contains("id 256"));
    let mut model = bpe(serde_json::json!([]));
    model["vocab"].as_object_mut().unwrap().remove("Ġ");
    assert!(err(&minimal(model, Value::Null, byte_level())).contains("0x20"));
    let mut bad_added: Value = serde_json::from_str(&minimal(
        bpe(serde_json::json!([])),
        Value::Null,
        byte_level(),
    ))
    .unwrap();
    bad_added["added_tokens"] = serde_json::json!([{"id": 300, "content": "<x>", "lstrip": true}]);
    let msg = err(&bad_added.to_string());
    assert!(
        msg.contains("added_tokens[0]") && msg.contains("lstrip"),
        "{msg}"
    );
    bad_added["added_tokens"] = serde_json::json!([{"id": "x", "content": "<x>"}]);
    assert!(err(&bad_added.to_string()).contains("added_tokens[0].id"));
}

#[test]
fn arbitrary_json_never_panics() {
    let base = minimal(bpe(serde_json::json!(["a b"])), Value::Null, byte_level());
    // Every prefix of a valid file, and every field replaced by other types.
    for cut in (0..base.len()).step_by(97) {
        if base.is_char_boundary(cut) {
            let _ = read_tokenizer_json("t", &base[..cut]);
        }
    }
    let full: Value = serde_json::from_str(&base).unwrap();
    let odd = [
        Value::Null,
        Value::from(true),
        Value::from(-3),
        Value::from(1e300),
        Value::from("x"),
        serde_json::json!([]),
        serde_json::json!({}),
    ];
    let paths: &[&[&str]] = &[
        &["model"],
        &["model", "type"],
        &["model", "vocab"],
        &["model", "merges"],
        &["model", "ignore_merges"],
        &["model", "dropout"],
        &["pre_tokenizer"],
        &["pre_tokenizer", "type"],
        &["pre_tokenizer", "use_regex"],
        &["normalizer"],
        &["decoder"],
        &["added_tokens"],
    ];
    for path in paths {
        for v in &odd {
            let mut j = full.clone();
            let mut at = &mut j;
            for key in &path[..path.len() - 1] {
                at = &mut at[*key];
            }
            at[path[path.len() - 1]] = v.clone();
            let _ = read_tokenizer_json("t", &j.to_string());
        }
    }
}

#[test]
fn export_refuses_duplicate_tokens() {
    // Two merges giving the same bytes "aaa": (a,a)->256, (256,a)->257, (a,256)->258.
    let tok = Tokenizer::from_merges(
        "dup",
        &Pattern::None,
        &[(97, 97), (256, 97), (97, 256)],
        vec![],
    )
    .unwrap();
    match write_tokenizer_json(&tok) {
        Err(Error::Unsupported(msg)) => {
            assert!(msg.contains("257") && msg.contains("258"), "{msg}")
        }
        other => panic!("{other:?}"),
    }
}
