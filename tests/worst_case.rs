//! Worst-case inputs encode with every built-in tokenizer, in the library
//! and through the CLI, and decode back: a million of one character (one
//! giant chunk for the merger), long runs of one emoji, random code points;
//! malformed files and hostile patterns through the CLI end with one error
//! line and a non-zero exit code.
//!
//! No timing is asserted (the benchmarks measure that); these must complete
//! without a crash or a stack overflow. Library calls run on the test
//! harness's threads, whose stacks (2 MiB) are smaller than the CLI's.

use bpe_playground::{pretrained, AllowedSpecial};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

mod common;

/// 100,000 pseudo-random code points (all planes, no surrogates).
fn random_code_points() -> String {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut out = String::new();
    while out.chars().count() < 100_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Half from the BMP (dense scripts), half from everywhere.
        let cp = if x & 1 == 0 {
            (x >> 8) as u32 % 0x1_0000
        } else {
            (x >> 8) as u32 % 0x11_0000
        };
        if let Some(c) = char::from_u32(cp) {
            out.push(c);
        }
    }
    out
}

fn cases() -> Vec<(&'static str, String)> {
    vec![
        ("a", "a".repeat(1_000_000)),
        ("spaces", " ".repeat(1_000_000)),
        ("caret", "^".repeat(1_000_000)),
        ("newlines", "\n".repeat(1_000_000)),
        ("emoji", "😀".repeat(250_000)),
        ("family", "👨\u{200D}👩\u{200D}👧".repeat(20_000)),
        ("digits", "7".repeat(1_000_000)),
        ("random", random_code_points()),
    ]
}

#[test]
fn worst_cases_encode_and_decode_with_every_builtin() {
    for (name, text) in cases() {
        for tok in common::pretrained_all() {
            let enc = tok.encode(&text, &AllowedSpecial::All).unwrap();
            assert!(!enc.ids.is_empty(), "{name} {}", tok.name());
            assert_eq!(
                *enc.ends.last().unwrap() as usize,
                text.len(),
                "{name} {}",
                tok.name()
            );
            assert!(
                tok.decode(&enc.ids).unwrap() == text,
                "{name} {}: round trip",
                tok.name()
            );
        }
    }
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_bpe-playground"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    // Write from another thread: the child may fill its stdout pipe first.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("worst_case");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn worst_cases_through_the_cli() {
    // All cases in one input per tokenizer (each stays one long chunk or
    // run), to keep the process count down.
    let text: String = cases().into_iter().map(|c| c.1).collect();
    let dir = common::rank_files();
    let dir = dir.to_str().unwrap();
    for enc in pretrained::NAMES {
        let out = run(
            &["encode", "--tokenizer", enc, "--vocab-dir", dir, "-"],
            text.as_bytes(),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{enc}: {stderr}");
        let ids: Vec<u32> = serde_json::from_slice(&out.stdout).unwrap();
        assert!(!ids.is_empty(), "{enc}");
        let back = run(
            &["decode", "--tokenizer", enc, "--vocab-dir", dir, "-"],
            &out.stdout,
        );
        assert!(back.status.success(), "{enc}");
        assert!(back.stdout == text.as_bytes(), "{enc}: round trip");
    }
}

/// One `error:` line first, a non-zero exit code, never a panic.
fn assert_one_line_error(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "succeeded: {stderr}");
    let first = stderr.lines().next().unwrap_or("");
    assert!(first.starts_with("error: "), "{stderr}");
    assert!(first.contains(needle), "{needle:?} not in {first:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn malformed_tokenizer_files_fail_in_the_cli_with_the_line() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("bad.model", b"minbpe v1\n\n0\n97 98\n97 x\n", "line 5"),
        ("bad2.model", b"minbpe v2\n", "line 1"),
        ("bad.tiktoken", b"YQ== 0\nYg== 4000000000\n", "line 2"),
        ("bad2.tiktoken", b"YQ== 0\n!!!! 1\n", "line 2"),
        ("bad.json", b"{\"model\": 1", "JSON"),
        ("bad2.json", b"[1, 2]", "top level"),
        ("binary.model", b"\xff\xfe\x00garbage", "UTF-8"),
    ];
    for &(file, data, needle) in cases {
        let path = tmp(file);
        std::fs::write(&path, data).unwrap();
        let out = run(
            &["encode", "--tokenizer", path.to_str().unwrap(), "-"],
            b"hello",
        );
        assert_one_line_error(&out, needle);
    }
}

#[test]
fn hostile_patterns_fail_cleanly_in_the_cli() {
    let corpus = tmp("corpus.txt");
    std::fs::write(&corpus, "a".repeat(100_000)).unwrap();
    let prefix = tmp("hostile");
    let train = |pattern: &str, vocab: &str| {
        run(
            &[
                "train",
                "--vocab-size",
                vocab,
                "--pattern",
                pattern,
                "-o",
                prefix.to_str().unwrap(),
                corpus.to_str().unwrap(),
            ],
            b"",
        )
    };
    // Too much backtracking in one search: a clear error, quickly.
    assert_one_line_error(&train(r"(?:(?=a)a|a)+(?=b)", "300"), "split pattern failed");
    // Not a regex; a nesting too deep for the parser.
    assert_one_line_error(&train("(unclosed", "300"), "invalid split pattern");
    let deep = format!("{}a{}", "(".repeat(50_000), ")".repeat(50_000));
    let out = train(&deep, "300");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    // Out-of-range vocab sizes.
    assert_one_line_error(&train("gpt4", "100"), "between 256 and 1048576");
    assert_one_line_error(&train("gpt4", "99999999999"), "between 256 and 1048576");
    // Catastrophic without look-around is linear and just works.
    let out = train("(a+)+$", "300");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bad_special_json_in_the_cli_is_one_line() {
    let corpus = tmp("small.txt");
    std::fs::write(&corpus, "hello hello").unwrap();
    let prefix = tmp("special");
    for (json, needle) in [
        ("[1]", "JSON object"),
        ("{\"<a>\": -1}", "whole number"),
        ("{\"<a>\": 1.5}", "whole number"),
        ("{\"<a>\": 4294967295}", "whole number"),
        ("{\"<a>\": \"x\"}", "whole number"),
        ("{\"\": 300}", "empty"),
        ("{\"<a>\": 97}", "ordinary token"),
        ("{\"<a>\": 300, \"<b>\": 300}", "used twice"),
    ] {
        let out = run(
            &[
                "train",
                "--vocab-size",
                "260",
                "--pattern",
                "gpt4",
                "--special",
                json,
                "-o",
                prefix.to_str().unwrap(),
                corpus.to_str().unwrap(),
            ],
            b"",
        );
        assert_one_line_error(&out, needle);
    }
}
