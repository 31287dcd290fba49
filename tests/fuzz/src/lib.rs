//! The checks behind every fuzz target, callable without libFuzzer (the
//! `replay` binary runs them on saved inputs or on random ones).
//!
//! Every function takes arbitrary bytes and panics only when the engine
//! breaks a promise: a panic inside the engine, a wrong round trip, a fast
//! splitter that disagrees with the regex, an error message on more than one
//! line. Hangs and huge allocations are caught by libFuzzer's `-timeout` and
//! `-rss_limit_mb`.

use bpe_playground::fastsplit::Kind;
use bpe_playground::formats::{hf, minbpe, tiktoken};
use bpe_playground::{pretrained, train, AllowedSpecial, Error, Pattern, Splitter, Tokenizer};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Characters that steer the split patterns into their corners: every letter
/// and number category, ASCII and Unicode white space, `\r`/`\n`, the
/// contraction letters in both cases (and `ſ`, which folds to `s`), marks,
/// format characters, emoji and the last code point.
const ALPHABET: &[char] = &[
    'a', 'b', 'z', 'Z', 'A', 'é', 'É', 'ǅ', 'ᾈ', 'ʰ', '中', 'ａ', '\u{0301}', '\u{0903}', '1', '9',
    '٣', 'Ⅻ', '½', '²', ' ', ' ', ' ', '\t', '\n', '\n', '\r', '\u{0B}', '\u{0C}', '\u{85}',
    '\u{A0}', '\u{1680}', '\u{2000}', '\u{2028}', '\u{2029}', '\u{3000}', '\'', '\'', '’', 's',
    'S', 't', 'T', 'd', 'D', 'm', 'M', 'l', 'L', 'v', 'V', 'r', 'R', 'e', 'E', 'ſ', 'K', '!', '.',
    '/', '-', '?', '😀', '\u{200D}', '\u{FEFF}', '\u{1F3FB}', '\u{10FFFF}', '\u{E000}', '<', '|',
    '>',
];

/// Text from fuzz bytes: the first byte picks raw (lossy UTF-8) or a walk
/// over [`ALPHABET`] (one character per byte).
pub fn text_of(data: &[u8]) -> String {
    match data.split_first() {
        None => String::new(),
        Some((mode, rest)) if mode & 1 == 0 => String::from_utf8_lossy(rest).into_owned(),
        Some((_, rest)) => rest
            .iter()
            .map(|&b| ALPHABET[b as usize % ALPHABET.len()])
            .collect(),
    }
}

/// Panics if an error's message is not one line.
pub fn check_error(e: &Error) {
    let msg = e.to_string();
    assert!(!msg.is_empty(), "empty error message: {e:?}");
    assert!(
        !msg.contains('\n') && !msg.contains('\r'),
        "error message spans lines: {msg:?}"
    );
}

/// The encoding's spans tile `text` and each token's bytes are its span.
fn check_spans(tok: &Tokenizer, text: &str, enc: &bpe_playground::Encoding) {
    assert_eq!(enc.ids.len(), enc.starts.len());
    assert_eq!(enc.ids.len(), enc.ends.len());
    let mut pos = 0usize;
    for i in 0..enc.ids.len() {
        let (s, e) = (enc.starts[i] as usize, enc.ends[i] as usize);
        assert_eq!(s, pos, "token {i} does not start where the last ended");
        assert!(e > s && e <= text.len(), "token {i} has span {s}..{e}");
        let bytes = tok.token_bytes(enc.ids[i]).expect("encode made an unknown id");
        assert_eq!(bytes, &text.as_bytes()[s..e], "token {i} bytes vs span");
        pos = e;
    }
    assert_eq!(pos, text.len(), "spans do not reach the end of the text");
}

/// Encode → decode is the identity and the spans tile the text, with special
/// tokens off and on. Only for patterns whose chunks tile every text.
pub fn check_round_trip(tok: &Tokenizer, text: &str) {
    for allowed in [AllowedSpecial::None, AllowedSpecial::All] {
        let enc = match tok.encode(text, &allowed) {
            Ok(enc) => enc,
            Err(e) => panic!("encode failed with {allowed:?}: {e}"),
        };
        check_spans(tok, text, &enc);
        assert_eq!(tok.decode(&enc.ids).expect("decode"), text);
    }
}

fn builtin_splitters() -> &'static [(Kind, Splitter)] {
    static CACHE: OnceLock<Vec<(Kind, Splitter)>> = OnceLock::new();
    CACHE.get_or_init(|| {
        [
            (Kind::Gpt2, Pattern::Gpt2),
            (Kind::Gpt4, Pattern::Gpt4),
            (Kind::R50k, Pattern::R50k),
            (Kind::Cl100k, Pattern::Cl100k),
            (Kind::O200k, Pattern::O200k),
        ]
        .into_iter()
        .map(|(k, p)| (k, p.splitter().expect("built-in compiles").regex_only()))
        .collect()
    })
}

/// The hand-written splitters cut exactly where fancy-regex cuts.
pub fn split_builtin(data: &[u8]) {
    let text = text_of(data);
    for (kind, regex) in builtin_splitters() {
        let fast = kind.split(&text);
        let slow = regex.split(&text).expect("a built-in pattern never fails");
        assert_eq!(fast, slow, "{kind:?} on {text:?}");
    }
}

fn vocab_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("BPE_PLAYGROUND_VOCAB") {
        return PathBuf::from(dir);
    }
    let www = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/vocab"));
    if www.join("cl100k_base.tiktoken").is_file() {
        return www;
    }
    // tiktoken-rs ships the same files in its package.
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"));
    let registry = home.join("registry/src");
    for index in std::fs::read_dir(&registry).into_iter().flatten().flatten() {
        for pkg in std::fs::read_dir(index.path()).into_iter().flatten().flatten() {
            let name = pkg.file_name().to_string_lossy().into_owned();
            let assets = pkg.path().join("assets");
            if name.starts_with("tiktoken-rs-") && assets.join("cl100k_base.tiktoken").is_file() {
                return assets;
            }
        }
    }
    panic!("no rank files: run ./build.sh build or set BPE_PLAYGROUND_VOCAB")
}

/// The four OpenAI encodings, loaded once.
pub fn pretrained_all() -> &'static [Tokenizer] {
    static CACHE: OnceLock<Vec<Tokenizer>> = OnceLock::new();
    CACHE.get_or_init(|| {
        let dir = vocab_dir();
        pretrained::NAMES
            .iter()
            .map(|n| {
                let path = dir.join(format!("{n}.tiktoken"));
                let data = std::fs::read(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                pretrained::load(n, &data).expect("rank file loads")
            })
            .collect()
    })
}

/// Every built-in tokenizer round-trips arbitrary text.
pub fn roundtrip_pretrained(data: &[u8]) {
    let text = text_of(data);
    for tok in pretrained_all() {
        check_round_trip(tok, &text);
    }
}

/// The split patterns a toy vocabulary may use.
fn pattern_of(selector: u8) -> Pattern {
    match selector % 8 {
        0 => Pattern::None,
        1 => Pattern::Gpt2,
        2 => Pattern::Gpt4,
        3 => Pattern::R50k,
        4 => Pattern::Cl100k,
        5 => Pattern::O200k,
        // Custom patterns that tile every text (fancy-regex's own engine
        // for the look-ahead one).
        6 => Pattern::Custom(r"\s+(?=\S)|\w+|\W".into()),
        _ => Pattern::Custom(r"(?s).{1,3}".into()),
    }
}

/// Train a toy vocabulary on part of the input, encode the rest, and write
/// and re-read it in every format.
pub fn roundtrip_toy(data: &[u8]) {
    let [sel, size, cut, rest @ ..] = data else {
        return;
    };
    let pattern = pattern_of(*sel);
    let vocab_size = 256 + *size as usize * 2;
    let cut = rest.len() * *cut as usize / 256;
    let (corpus, text) = rest.split_at(cut);
    let text = text_of(text);
    let trained = match train(corpus, vocab_size, &pattern, |_, _| true) {
        Ok(t) => t,
        Err(e) => panic!("training a built-in or tiling pattern failed: {e}"),
    };
    let special = vec![("<|x|>".to_string(), 100_000)];
    let tok = Tokenizer::from_trained("toy", &trained, special).expect("toy tokenizer");
    check_round_trip(&tok, &text);
    let ids = tok.encode(&text, &AllowedSpecial::All).expect("encode").ids;

    let model = minbpe::write_model(&tok).expect("write .model");
    let back = minbpe::read_model("toy", &model).expect("read own .model");
    assert_eq!(back.encode(&text, &AllowedSpecial::All).unwrap().ids, ids);
    minbpe::write_vocab(&tok).expect("write .vocab");

    match hf::write_tokenizer_json(&tok) {
        Ok(json) => {
            let back = hf::read_tokenizer_json("toy", &json).expect("read own tokenizer.json");
            assert_eq!(back.encode(&text, &AllowedSpecial::All).unwrap().ids, ids);
        }
        Err(e) => check_error(&e),
    }
    match tiktoken::write_tiktoken(&tok) {
        Ok(ranks) => {
            let back = tiktoken::read_tiktoken("toy", ranks.as_bytes(), &pattern, vec![])
                .expect("read own .tiktoken");
            check_round_trip(&back, &text);
        }
        Err(e) => check_error(&e),
    }
}

/// A text to encode with a loaded tokenizer: a fixed sample plus the input.
const SAMPLE: &str = "Hello wörld 123 <|endoftext|> don't\r\n\n  😀 中文 ";

fn check_loaded(tok: &Tokenizer, text: &str) {
    let tiles = !matches!(tok.pattern(), Pattern::Custom(_));
    for t in [SAMPLE, text] {
        if tiles {
            check_round_trip(tok, t);
        } else {
            // A custom pattern may skip text; whatever comes back must be
            // no longer than the input and encoding must not panic.
            match tok.encode(t, &AllowedSpecial::None) {
                Ok(enc) => {
                    let back = tok.decode_bytes(&enc.ids).expect("decode");
                    assert!(back.len() <= t.len());
                }
                Err(e) => check_error(&e),
            }
        }
    }
    for id in 0..tok.vocab_size().min(600) as u32 {
        if let Ok(info) = tok.token_info(id) {
            if let Some((a, b)) = info.parents {
                let joined = [tok.token_bytes(a).unwrap(), tok.token_bytes(b).unwrap()].concat();
                assert_eq!(joined, info.bytes, "parents of {id}");
            }
        }
    }
}

/// minbpe `.model` files: parse or fail with a one-line error.
pub fn load_model(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match minbpe::read_model("fuzz", &text) {
        Ok(tok) => {
            check_loaded(&tok, &text);
            let again = minbpe::write_model(&tok).expect("a .model writes back");
            let back = minbpe::read_model("fuzz", &again).expect("and reads again");
            assert_eq!(back.merges(), tok.merges());
        }
        Err(e) => check_error(&e),
    }
}

/// `.tiktoken` rank files: parse or fail with a one-line error.
pub fn load_tiktoken(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match tiktoken::read_tiktoken("fuzz", data, &Pattern::Cl100k, vec![]) {
        Ok(tok) => check_loaded(&tok, &text),
        Err(e) => check_error(&e),
    }
    match pretrained::load("o200k_base", data) {
        Ok(tok) => check_loaded(&tok, &text),
        Err(e) => check_error(&e),
    }
}

/// Hugging Face `tokenizer.json`: parse or fail with a one-line error.
pub fn load_hf(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match hf::read_tokenizer_json("fuzz", &text) {
        Ok(tok) => {
            check_loaded(&tok, &text);
            if let Ok(json) = hf::write_tokenizer_json(&tok) {
                let back = hf::read_tokenizer_json("fuzz", &json).expect("reads its own output");
                for t in [SAMPLE, &text[..]] {
                    assert_eq!(
                        back.encode(t, &AllowedSpecial::All).map(|e| e.ids),
                        tok.encode(t, &AllowedSpecial::All).map(|e| e.ids)
                    );
                }
            }
        }
        Err(e) => check_error(&e),
    }
}

/// A custom split pattern: compiles or fails cleanly; splitting, training
/// and encoding end with a result or a clean error.
pub fn custom_pattern(data: &[u8]) {
    let cut = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let pattern = String::from_utf8_lossy(&data[..cut]);
    let raw = data.get(cut + 1..).unwrap_or(&[]);
    let text = text_of(raw);
    let pattern = Pattern::parse(&pattern);
    let splitter = match pattern.splitter() {
        Ok(s) => s,
        Err(e) => return check_error(&e),
    };
    let chunks = match splitter.split(&text) {
        Ok(c) => c,
        Err(e) => return check_error(&e),
    };
    let mut pos = 0;
    for r in &chunks {
        assert!(r.start >= pos && r.start < r.end && r.end <= text.len(), "{r:?}");
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        pos = r.end;
    }
    let mut last = 0;
    let bytes_ok = splitter.for_each_chunk_bytes(raw, |r| {
        assert!(r.start >= last && r.start < r.end && r.end <= raw.len(), "{r:?}");
        last = r.end;
    });
    if let Err(e) = bytes_ok {
        check_error(&e);
    }
    let trained = match train(raw, 300, &pattern, |_, _| true) {
        Ok(t) => t,
        Err(e) => return check_error(&e),
    };
    let tok = Tokenizer::from_trained("custom", &trained, vec![]).expect("toy tokenizer");
    match tok.encode(&text, &AllowedSpecial::None) {
        Ok(enc) => {
            let expected: String = chunks.iter().map(|r| &text[r.clone()]).collect();
            assert_eq!(tok.decode(&enc.ids).unwrap(), expected);
        }
        Err(e) => check_error(&e),
    }
}

/// minbpe's training loop, literally: recount all pairs, merge the most
/// frequent (the first seen on a tie) everywhere, repeat.
pub fn naive_train(chunks: &[Vec<u8>], merges: usize) -> Vec<((u32, u32), u64)> {
    let mut ids: Vec<Vec<u32>> = chunks
        .iter()
        .map(|c| c.iter().map(|&b| b as u32).collect())
        .collect();
    let mut out = Vec::new();
    for i in 0..merges {
        let mut order: Vec<(u32, u32)> = Vec::new();
        let mut counts = std::collections::HashMap::new();
        for chunk in &ids {
            for w in chunk.windows(2) {
                let c = counts.entry((w[0], w[1])).or_insert(0u64);
                if *c == 0 {
                    order.push((w[0], w[1]));
                }
                *c += 1;
            }
        }
        let Some(best) = order.iter().copied().reduce(|best, p| {
            if counts[&p] > counts[&best] {
                p
            } else {
                best
            }
        }) else {
            break;
        };
        let new = 256 + i as u32;
        for chunk in &mut ids {
            let mut merged = Vec::with_capacity(chunk.len());
            let mut j = 0;
            while j < chunk.len() {
                if j + 1 < chunk.len() && (chunk[j], chunk[j + 1]) == best {
                    merged.push(new);
                    j += 2;
                } else {
                    merged.push(chunk[j]);
                    j += 1;
                }
            }
            *chunk = merged;
        }
        out.push((best, counts[&best]));
    }
    out
}

/// Training on arbitrary bytes equals minbpe's loop, and the result encodes.
pub fn train_bytes(data: &[u8]) {
    let [sel, size, corpus @ ..] = data else {
        return;
    };
    let pattern = pattern_of(*sel);
    let merges = (*size % 64) as usize;
    let trained = match train(corpus, 256 + merges, &pattern, |_, _| true) {
        Ok(t) => t,
        Err(e) => panic!("training failed: {e}"),
    };
    let splitter = pattern.splitter().unwrap();
    let mut chunks = Vec::new();
    splitter
        .for_each_chunk_bytes(corpus, |r| chunks.push(corpus[r].to_vec()))
        .unwrap();
    let got: Vec<((u32, u32), u64)> = trained.merges.iter().map(|m| (m.pair, m.count)).collect();
    assert_eq!(got, naive_train(&chunks, merges));
    let tok = Tokenizer::from_trained("t", &trained, vec![]).unwrap();
    let bytes = corpus;
    let mut ids = Vec::new();
    for piece in bytes.utf8_chunks() {
        let enc = tok.encode(piece.valid(), &AllowedSpecial::None).unwrap();
        ids.extend(enc.ids);
        ids.extend(piece.invalid().iter().map(|&b| b as u32));
    }
    assert_eq!(tok.decode_bytes(&ids).unwrap(), bytes);
}

/// The targets by name, for the replay driver.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("split_builtin", split_builtin),
    ("roundtrip_pretrained", roundtrip_pretrained),
    ("roundtrip_toy", roundtrip_toy),
    ("load_model", load_model),
    ("load_tiktoken", load_tiktoken),
    ("load_hf", load_hf),
    ("custom_pattern", custom_pattern),
    ("train_bytes", train_bytes),
];
