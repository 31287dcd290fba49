//! Hostile inputs and limits: cases found by fuzzing (tests/fuzz) and the
//! worst cases of the hardening issue. Each must end with a result or a clean
//! one-line error, never a panic, a hang or a huge allocation.

use bpe_playground::formats::{hf, minbpe, tiktoken};
use bpe_playground::{train, AllowedSpecial, Error, Pattern, Tokenizer};

fn one_line(e: &Error) -> String {
    let msg = e.to_string();
    assert!(!msg.contains('\n'), "{msg:?}");
    msg
}

fn toy(pattern: &Pattern) -> Tokenizer {
    let trained = train(b"aaaa bbbb abab a b ^^^^ \n\n", 270, pattern, |_, _| true).unwrap();
    Tokenizer::from_trained("toy", &trained, vec![]).unwrap()
}

// ---- limits -------------------------------------------------------------

#[test]
fn a_huge_rank_in_a_rank_file_is_a_line_error_not_an_allocation() {
    // 4,000,000,000 used to make a 4-billion-entry table (64 GB).
    let data = b"YQ== 0\nYg== 4000000000\n";
    let err = tiktoken::parse_ranks(data).unwrap_err();
    assert!(
        matches!(err, Error::Parse { line: 2, .. }),
        "{}",
        one_line(&err)
    );
    assert!(err.to_string().contains("4000000000"));
    let mut ranks: Vec<(Vec<u8>, u32)> = (0..=255u8).map(|b| (vec![b], b as u32)).collect();
    ranks.push((b"ab".to_vec(), 4_000_000_000));
    let err = Tokenizer::from_ranks("t", &Pattern::Cl100k, ranks, vec![]).unwrap_err();
    assert!(one_line(&err).contains("too large"), "{err}");
}

#[test]
fn the_largest_allowed_rank_still_loads() {
    let mut file = String::new();
    for b in 0..=255u8 {
        file.push_str(&format!("{} {b}\n", base64_of(&[b])));
    }
    file.push_str(&format!(
        "{} {}\n",
        base64_of(b"ab"),
        tiktoken::MAX_RANK - 1
    ));
    let tok = tiktoken::read_tiktoken("t", file.as_bytes(), &Pattern::Cl100k, vec![]).unwrap();
    assert_eq!(
        tok.encode_ordinary("ab").unwrap(),
        vec![tiktoken::MAX_RANK - 1]
    );
}

fn base64_of(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
#[cfg(target_pointer_width = "64")]
fn text_over_4_gib_is_refused_not_wrapped() {
    // Zeroed memory from the allocator is mapped lazily, so this costs no
    // real memory; the check must come before any work on the text.
    let len = bpe_playground::tokenizer::MAX_TEXT_LEN + 1;
    let bytes = vec![0u8; len];
    // SAFETY: all-zero bytes are valid UTF-8 (NUL characters).
    let text = unsafe { std::str::from_utf8_unchecked(&bytes) };
    let tok = toy(&Pattern::Gpt4);
    let err = tok.encode(text, &AllowedSpecial::None).unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    assert!(one_line(&err).contains("text to encode"));
}

#[test]
fn vocab_size_range_is_a_clear_error() {
    for size in [0, 255, (1 << 20) + 1, usize::MAX] {
        let err = train(b"abc", size, &Pattern::None, |_, _| true).unwrap_err();
        assert!(
            one_line(&err).contains("must be between 256 and 1048576"),
            "{err}"
        );
    }
    assert!(train(b"abc", 1 << 20, &Pattern::None, |_, _| true).is_ok());
}

#[test]
fn special_token_edge_cases_are_clear_errors() {
    let merges = [(97, 98)];
    let cases: Vec<Vec<(String, u32)>> = vec![
        vec![("".into(), 300)],
        vec![("<a>".into(), 300), ("<a>".into(), 301)],
        vec![("<a>".into(), 300), ("<b>".into(), 300)],
        vec![("<a>".into(), 256)],
        vec![("<a>".into(), 97)],
    ];
    for special in cases {
        let err = Tokenizer::from_merges("t", &Pattern::None, &merges, special.clone())
            .expect_err(&format!("{special:?}"));
        assert!(matches!(err, Error::InvalidSpecial(_)), "{err}");
        one_line(&err);
    }
    // An id at the top of the range is fine and decodes.
    let tok = Tokenizer::from_merges(
        "t",
        &Pattern::None,
        &merges,
        vec![("<top>".into(), u32::MAX - 1)],
    )
    .unwrap();
    let enc = tok.encode("ab<top>", &AllowedSpecial::All).unwrap();
    assert_eq!(enc.ids, vec![256, u32::MAX - 1]);
    assert_eq!(tok.decode(&enc.ids).unwrap(), "ab<top>");
}

// ---- malformed files: one line naming the line or field -------------------

#[test]
fn malformed_model_files_name_the_line() {
    let cases: &[(&str, usize)] = &[
        ("", 0),
        ("minbpe v1\n", 0),
        ("minbpe v1\n\n", 0),
        ("minbpe v1\n\n2\n<a> 300\n", 0),
        ("minbpe v1\n\n-1\n", 3),
        ("minbpe v1\n\n1\n<a> x\n", 4),
        ("minbpe v1\n\n1\n<a> 99999999999\n", 4),
        ("minbpe v1\n\n0\n256 97\n", 4),
        ("minbpe v1\n\n0\n97 98\n4294967295 97\n", 5),
        ("minbpe v1\n\n0\n97 98 99\n", 4),
        ("minbpe v1\n(unclosed\n0\n", 0),
    ];
    for &(text, line) in cases {
        let err = minbpe::read_model("t", text).expect_err(text);
        let msg = one_line(&err);
        match err {
            Error::Parse { line: l, .. } => assert_eq!(l, line, "{text:?}: {msg}"),
            Error::InvalidPattern { .. } => assert_eq!(line, 0, "{text:?}: {msg}"),
            other => panic!("{text:?}: {other:?}"),
        }
    }
}

#[test]
fn malformed_rank_files_name_the_line() {
    let cases: &[(&[u8], usize)] = &[
        (b"YQ== 0\nYQ==\n", 2),
        (b"YQ== 0\n@@@@ 1\n", 2),
        (b"YQ== -1\n", 1),
        (b"YQ== 0 1\n", 1),
        (b"\xff\xfe 0\n", 1),
    ];
    for &(data, line) in cases {
        let err = tiktoken::parse_ranks(data).unwrap_err();
        let msg = one_line(&err);
        assert!(
            matches!(err, Error::Parse { line: l, .. } if l == line),
            "{msg}"
        );
    }
    // Duplicate ranks and duplicate tokens are file-level errors.
    let bytes: String = (0..=255u8)
        .map(|b| format!("{} {b}\n", base64_of(&[b])))
        .collect();
    for extra in ["YWI= 255\n", "YWI= 256\nYWI= 257\n"] {
        let data = format!("{bytes}{extra}");
        let err =
            tiktoken::read_tiktoken("t", data.as_bytes(), &Pattern::Cl100k, vec![]).unwrap_err();
        assert!(one_line(&err).contains("twice"), "{err}");
    }
}

#[test]
fn malformed_tokenizer_json_names_the_field() {
    let cases: &[(&str, &str)] = &[
        ("", "JSON"),
        ("[]", "top level"),
        ("{}", "model is missing"),
        (
            r#"{"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}}"#,
            "model",
        ),
        (
            r#"{"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}, "model": {"type": "WordPiece"}}"#,
            "model.type",
        ),
        (
            r#"{"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}, "model": {"type": "BPE"}}"#,
            "model.vocab",
        ),
        (
            r#"{"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}, "model": {"type": "BPE", "vocab": {"a": -1}, "merges": []}}"#,
            "model.vocab",
        ),
        (
            r#"{"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}, "model": {"type": "BPE", "vocab": {"a": 4000000000}, "merges": []}}"#,
            "model.vocab",
        ),
        (
            r#"{"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": 5}}"#,
            "model",
        ),
    ];
    for &(json, field) in cases {
        let err = hf::read_tokenizer_json("t", json).expect_err(json);
        let msg = one_line(&err);
        assert!(msg.contains(field), "{json}: {msg}");
    }
}

// ---- hostile split patterns ---------------------------------------------

#[test]
fn nested_and_huge_patterns_are_clean_errors() {
    // Deep nesting must not overflow the parser's stack.
    for depth in [1_000, 100_000] {
        let pattern = format!("{}a{}", "(".repeat(depth), ")".repeat(depth));
        match Pattern::parse(&pattern).splitter() {
            Ok(s) => {
                s.split("aaa").ok();
            }
            Err(e) => {
                one_line(&e);
            }
        }
    }
    // A pattern whose compiled program exceeds the regex size limit.
    let err = Pattern::parse(r"\w{1000}{1000}").splitter().unwrap_err();
    assert!(matches!(err, Error::InvalidPattern { .. }), "{err}");
    one_line(&err);
}

#[test]
fn catastrophic_patterns_end_or_fail_cleanly() {
    let text = "a".repeat(100_000);
    // Without look-around fancy-regex uses the linear-time engine.
    let s = Pattern::parse("(a+)+$").splitter().unwrap();
    assert_eq!(s.split(&text).unwrap(), vec![0..text.len()]);
    // With a look-ahead the backtracking engine gives up with a clear error.
    let s = Pattern::parse(r"(?:(?=a)a|a)+(?=b)").splitter().unwrap();
    let err = s.split(&text).unwrap_err();
    assert!(matches!(err, Error::PatternFailed { .. }), "{err}");
    one_line(&err);
    // Training and encoding with such a pattern report the same error.
    let pattern = Pattern::parse(r"(?:(?=a)a|a)+(?=b)");
    let err = train(text.as_bytes(), 300, &pattern, |_, _| true).unwrap_err();
    assert!(matches!(err, Error::PatternFailed { .. }), "{err}");
}

#[test]
fn empty_matching_and_capturing_patterns_work() {
    for pattern in ["x*", "", "(a)(b)?|(.)", "(?=a)", r"\b"] {
        let p = Pattern::parse(pattern);
        let s = p.splitter().unwrap();
        let chunks = s.split("ab ab").unwrap();
        assert!(chunks.iter().all(|r| r.start < r.end), "{pattern}");
        let t = train("ab ab aab".as_bytes(), 260, &p, |_, _| true).unwrap();
        let tok = Tokenizer::from_trained("t", &t, vec![]).unwrap();
        let back = tok
            .decode(&tok.encode("ab ab", &AllowedSpecial::None).unwrap().ids)
            .unwrap();
        let expected: String = chunks.iter().map(|r| &"ab ab"[r.clone()]).collect();
        assert_eq!(back, expected, "{pattern}");
    }
}

#[test]
fn invalid_utf8_trains_with_a_custom_pattern() {
    let corpus = b"ab\xff\xfeab \xc3\x28 ab\xe2\x82";
    let p = Pattern::parse(r"\w+|\s+");
    let t = train(corpus, 270, &p, |_, _| true).unwrap();
    assert!(t.merges.iter().any(|m| m.pair == (0xff, 0xfe)));
    let tok = Tokenizer::from_trained("t", &t, vec![]).unwrap();
    assert_eq!(
        tok.decode(&tok.encode_ordinary("abab").unwrap()).unwrap(),
        "abab"
    );
}

#[test]
fn backtracking_just_below_the_limit_everywhere_is_stopped_in_total() {
    // Each search stays under BACKTRACK_LIMIT (about 2 × the rest of the
    // text), but there are 60,000 of them: quadratic, minutes of work.
    let text = "a".repeat(60_000);
    let s = Pattern::parse(r"a*(?=b)|a")
        .splitter()
        .unwrap()
        .with_time_limit(std::time::Duration::from_millis(200));
    let err = s.split(&text).unwrap_err();
    assert!(matches!(err, Error::PatternFailed { .. }), "{err}");
    assert!(one_line(&err).contains("took more than"), "{err}");
    // The same budget covers a whole byte corpus (as training splits it).
    let mut bytes = text.clone().into_bytes();
    bytes.extend(b"\xff");
    bytes.extend(text.as_bytes());
    let err = s.for_each_chunk_bytes(&bytes, |_| {}).unwrap_err();
    assert!(matches!(err, Error::PatternFailed { .. }), "{err}");
    // A linear custom pattern on the same text is unaffected.
    let linear = Pattern::parse(r"a+")
        .splitter()
        .unwrap()
        .with_time_limit(std::time::Duration::from_millis(200));
    assert_eq!(linear.split(&text).unwrap(), vec![0..text.len()]);
}

// Found by the `roundtrip_toy` fuzz target: a toy vocabulary whose special
// token has an id far above its merges exported to tokenizer.json, but the
// reader refused the file back as "too sparse".
#[test]
fn exported_toy_with_a_far_special_id_reads_back() {
    let trained = train(b"hello hello world", 270, &Pattern::Gpt4, |_, _| true).unwrap();
    let special = vec![("<|x|>".to_string(), 100_000)];
    let tok = Tokenizer::from_trained("toy", &trained, special).unwrap();
    let json = hf::write_tokenizer_json(&tok).unwrap();
    let back = hf::read_tokenizer_json("toy", &json).unwrap();
    let text = "hello<|x|> world";
    assert_eq!(
        back.encode(text, &AllowedSpecial::All).unwrap().ids,
        tok.encode(text, &AllowedSpecial::All).unwrap().ids
    );
}
