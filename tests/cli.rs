//! The `bpe-playground` binary: its subcommands, outputs and errors.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

mod common;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bpe-playground"))
}

fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may exit (on an error) before reading its input.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A failing command exits non-zero with exactly one `error:` line (usage
/// errors add the usage text after it) and never a panic message.
fn assert_clean_error(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "expected failure, got success: {stderr}"
    );
    let first = stderr.lines().next().unwrap_or("");
    assert!(first.starts_with("error: "), "{stderr}");
    assert!(first.contains(needle), "{needle:?} not in {first:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn train_writes_minbpe_files_byte_for_byte() {
    for (kind, pattern) in [("basic", "none"), ("gpt4", "gpt4")] {
        let prefix = tmp(&format!("ts-{kind}"));
        let out = run(
            bin()
                .args(["train", "--vocab-size", "512", "--pattern", pattern, "-o"])
                .arg(&prefix)
                .arg(common::shared("corpus/taylorswift.txt")),
            b"",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("merges 256/256"));
        for ext in ["model", "vocab"] {
            let ours = std::fs::read(prefix.with_extension(ext)).unwrap();
            let theirs = std::fs::read(common::shared(&format!(
                "reference/minbpe/taylorswift-{kind}-512.{ext}"
            )))
            .unwrap();
            assert!(ours == theirs, "{kind}.{ext} differs from minbpe's");
        }
    }
}

#[test]
fn encode_and_decode_round_trip_with_every_tokenizer_kind() {
    let text = "hello world!!! 안녕 😉 <|endoftext|> 12345\n";
    let model = common::shared("reference/minbpe/taylorswift-gpt4-512.model");
    let dir = common::rank_files().display().to_string();
    let tokenizers = [
        "r50k_base".to_string(),
        "p50k_base".into(),
        "cl100k_base".into(),
        "o200k_base".into(),
        model.display().to_string(),
        format!("{dir}/cl100k_base.tiktoken"),
    ];
    for tok in &tokenizers {
        let out = run(
            bin().args(["encode", "--vocab-dir", &dir, "--tokenizer", tok]),
            text.as_bytes(),
        );
        assert!(
            out.status.success(),
            "{tok}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ids: Vec<u32> = serde_json::from_slice(&out.stdout).unwrap();
        assert!(!ids.is_empty());
        let back = run(
            bin().args(["decode", "--vocab-dir", &dir, "--tokenizer", tok, "-"]),
            &out.stdout,
        );
        assert!(back.status.success(), "{tok}");
        assert_eq!(String::from_utf8(back.stdout).unwrap(), text, "{tok}");
    }
}

#[test]
fn pack_writes_a_rank_file_that_encodes_the_same() {
    let dir = common::rank_files().display().to_string();
    let packed = tmp("cl100k_base.ranks");
    let packed = packed.to_str().unwrap();
    let source = format!("{dir}/cl100k_base.tiktoken");
    let out = run(bin().args(["pack", "-o", packed, &source]), b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = "hello world!!! 안녕 😉 <|endoftext|> 12345\n";
    let encode = |tok: &str| {
        let args = [
            "encode",
            "--vocab-dir",
            &dir,
            "--allowed-special",
            "all",
            "--tokenizer",
            tok,
        ];
        let out = run(bin().args(args), text.as_bytes());
        assert!(
            out.status.success(),
            "{tok}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    // Named after cl100k_base, the packed file keeps its specials too.
    assert_eq!(encode(packed), encode("cl100k_base"));
    assert_eq!(encode(packed), encode(&source));

    let bytes = std::fs::read(packed).unwrap();
    let cut = tmp("cut.ranks");
    std::fs::write(&cut, &bytes[..bytes.len() - 1]).unwrap();
    let out = run(
        bin().args(["encode", "--tokenizer", cut.to_str().unwrap()]),
        b"x",
    );
    assert_clean_error(&out, "packed rank file");

    let bad = tmp("bad.tiktoken");
    std::fs::write(&bad, "YQ== 0\nnospace\n").unwrap();
    let out = run(
        bin().args(["pack", "-o", packed, bad.to_str().unwrap()]),
        b"",
    );
    assert_clean_error(&out, "line 2");
    let out = run(bin().args(["pack", &source]), b"");
    assert_clean_error(&out, "-o");
}

#[test]
fn encode_matches_known_ids_and_special_modes() {
    let dir = common::rank_files().display().to_string();
    let text = b"hello world <|endoftext|>";
    let enc = |mode: &str| {
        run(
            bin().args([
                "encode",
                "--vocab-dir",
                &dir,
                "--tokenizer",
                "cl100k_base",
                "--allowed-special",
                mode,
            ]),
            text,
        )
    };
    let none = enc("none");
    assert_eq!(
        String::from_utf8_lossy(&none.stdout).trim(),
        "[15339,1917,83739,8862,728,428,91,29]"
    );
    let all = enc("all");
    assert_eq!(
        String::from_utf8_lossy(&all.stdout).trim(),
        "[15339,1917,220,100257]"
    );
    assert_clean_error(&enc("none_raise"), "<|endoftext|>");
    assert_clean_error(&enc("sometimes"), "allowed special");
}

#[test]
fn non_utf8_input_is_decoded_lossily_with_a_note() {
    let out = run(
        bin().args([
            "encode",
            "--vocab-dir",
            &common::rank_files().display().to_string(),
            "--tokenizer",
            "cl100k_base",
        ]),
        b"a\xffb",
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
}

#[test]
fn errors_are_one_clear_line() {
    let dir = common::rank_files().display().to_string();
    let input = tmp("in.txt");
    std::fs::write(&input, "some text").unwrap();
    let bad_model = tmp("bad.model");
    std::fs::write(&bad_model, "minbpe v1\n\n0\n97 98\n1 2 3\n").unwrap();
    let bad_ranks = tmp("bad.tiktoken");
    std::fs::write(&bad_ranks, "YQ== 0\nnot-base64!! 1\n").unwrap();
    let cases: Vec<(Vec<String>, &[u8], &str)> = vec![
        (
            vec![
                "train".into(),
                "--vocab-size".into(),
                "255".into(),
                "--pattern".into(),
                "gpt4".into(),
                "-o".into(),
                tmp("x").display().to_string(),
                input.display().to_string(),
            ],
            b"",
            "vocab size 255",
        ),
        (
            vec![
                "train".into(),
                "--vocab-size".into(),
                "300".into(),
                "--pattern".into(),
                "(a".into(),
                "-o".into(),
                tmp("x").display().to_string(),
                input.display().to_string(),
            ],
            b"",
            "invalid split pattern",
        ),
        (
            vec![
                "train".into(),
                "--vocab-size".into(),
                "300".into(),
                "--pattern".into(),
                "gpt4".into(),
                "--special".into(),
                "[1]".into(),
                "-o".into(),
                tmp("x").display().to_string(),
                input.display().to_string(),
            ],
            b"",
            "--special",
        ),
        (
            vec!["encode".into(), "--tokenizer".into(), "nonexistent".into()],
            b"x",
            "unknown tokenizer",
        ),
        (
            vec![
                "encode".into(),
                "--tokenizer".into(),
                bad_model.display().to_string(),
            ],
            b"x",
            "line 5",
        ),
        (
            vec![
                "encode".into(),
                "--tokenizer".into(),
                bad_ranks.display().to_string(),
            ],
            b"x",
            "line 2",
        ),
        (
            vec![
                "encode".into(),
                "--tokenizer".into(),
                "cl100k_base".into(),
                "--vocab-dir".into(),
                "/nonexistent".into(),
            ],
            b"x",
            "rank file not found",
        ),
        (
            vec![
                "decode".into(),
                "--vocab-dir".into(),
                dir.clone(),
                "--tokenizer".into(),
                "cl100k_base".into(),
            ],
            b"[1, 99999999]",
            "unknown token id 99999999",
        ),
        (
            vec![
                "decode".into(),
                "--vocab-dir".into(),
                dir.clone(),
                "--tokenizer".into(),
                "cl100k_base".into(),
            ],
            b"[1, -2]",
            "JSON array",
        ),
        (
            vec![
                "encode".into(),
                "--tokenizer".into(),
                "cl100k_base".into(),
                "/nonexistent/file".into(),
            ],
            b"",
            "/nonexistent/file",
        ),
        (vec!["encode".into()], b"", "--tokenizer is required"),
        (vec!["frobnicate".into()], b"", "unknown subcommand"),
    ];
    for (args, stdin, needle) in cases {
        let out = run(bin().args(&args), stdin);
        assert_clean_error(&out, needle);
    }
}

#[test]
fn encode_and_decode_with_a_tokenizer_json() {
    use bpe_playground::formats::{hf, minbpe};
    use bpe_playground::AllowedSpecial;
    let model = std::fs::read_to_string(common::shared(
        "reference/minbpe/taylorswift-gpt4-512.model",
    ))
    .unwrap();
    let tok = minbpe::read_model("toy", &model).unwrap();
    let path = tmp("toy-tokenizer.json");
    std::fs::write(&path, hf::write_tokenizer_json(&tok).unwrap()).unwrap();
    let text = "Taylor Swift's 2024 tour — ümlaut 😉\n";
    let out = run(
        bin().args(["encode", "--tokenizer"]).arg(&path),
        text.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Vec<u32> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids, tok.encode(text, &AllowedSpecial::None).unwrap().ids);
    let back = run(
        bin().args(["decode", "--tokenizer"]).arg(&path),
        &out.stdout,
    );
    assert_eq!(String::from_utf8(back.stdout).unwrap(), text);

    let broken = tmp("broken-tokenizer.json");
    std::fs::write(&broken, r#"{"model": {"type": "WordPiece"}}"#).unwrap();
    let out = run(bin().args(["encode", "--tokenizer"]).arg(&broken), b"x");
    assert_clean_error(&out, "WordPiece");
}
