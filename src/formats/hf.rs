//! Hugging Face `tokenizer.json` (byte-level BPE): read and write.
//!
//! # What is read
//!
//! A `tokenizer.json` whose `model` is BPE over the GPT-2 byte-level alphabet
//! (GPT-2, RoBERTa-style files, Llama 3, files trained with the `tokenizers`
//! library's byte-level BPE, tiktoken vocabularies converted to it):
//!
//! - `pre_tokenizer`: `ByteLevel` (with or without its GPT-2 regex), or a
//!   `Sequence` of one `Split` (a regex or a literal string, behaviour
//!   `Isolated`, not inverted) followed by `ByteLevel` with `use_regex: false`
//!   (as Llama 3 and Qwen 2 have). `add_prefix_space` must be false.
//! - `model`: BPE with `vocab`, `merges` in either form (`"a b"` or
//!   `["a", "b"]`), and `ignore_merges`. Every one of the 256 byte tokens must
//!   be in the vocabulary (the library would silently drop or replace a byte
//!   without one, which this engine does not mimic). `dropout` must be null
//!   or 0; `continuing_subword_prefix` and `end_of_word_suffix` must be unset.
//! - `added_tokens` (special or not) become the tokenizer's special tokens, with
//!   the ids the library itself assigns; they are matched in the raw text
//!   before splitting, leftmost and longest first, exactly as the library does
//!   when `encode` is called with `AllowedSpecial::All`. The flags `lstrip`,
//!   `rstrip` and `single_word` are not supported.
//! - `normalizer`: none (null or an empty `Sequence`). NFC (Qwen 2) and every
//!   other normalizer are reported as unsupported.
//! - `decoder`: `ByteLevel` or null. `post_processor`, `truncation` and
//!   `padding` are ignored: ids equal the library's
//!   `encode(text, add_special_tokens=False)` with truncation off.
//!
//! Anything else is an [`Error::Unsupported`] naming what, or an
//! [`Error::Format`] naming the JSON path of what is malformed.
//!
//! A `Split` regex is compiled by Oniguruma (Ruby syntax) in the library and
//! by fancy-regex here. Where the two syntaxes differ in meaning the regex is
//! rewritten: `X{n,m}+` repeats the interval in Oniguruma (it is not
//! possessive, so tiktoken's `\p{N}{1,3}+` keeps whole numbers together), `^`
//! and `$` are line anchors, and the flag `m` makes `.` match newlines. Other
//! Oniguruma-only syntax fails to compile and is reported. The library keeps
//! the text between two matches as a chunk of its own; for a regex other than
//! the built-in ones this is reproduced by extending the pattern `R` with
//! `|[\s\S]+?(?=R)|[\s\S]+`. A regex that matches the empty string is refused.
//!
//! # What is written
//!
//! [`write_tokenizer_json`] writes any tokenizer as a byte-level BPE
//! `tokenizer.json`: its vocabulary over the byte-level alphabet, its merges
//! in rank order (recovered ones for a tiktoken vocabulary, as the library's
//! own converters do), a `Split` + `ByteLevel` pre-tokenizer (just
//! `ByteLevel` without a regex for the `none` pattern), a `ByteLevel` decoder
//! and the special tokens as added tokens (also listed in the vocabulary so
//! that the library keeps their ids).

use crate::error::{Error, Result};
use crate::pretokenize::Pattern;
use crate::tokenizer::{Model, Tokenizer};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

const FORMAT: &str = "tokenizer.json";

/// The regex of the `ByteLevel` pre-tokenizer when `use_regex` is true
/// (the `tokenizers` library's text, which differs from minbpe's gpt2).
pub const BYTE_LEVEL_REGEX: &str =
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// Ids above this are refused (no real vocabulary comes close).
const MAX_ID: u64 = 1 << 24;

fn bad(message: impl Into<String>) -> Error {
    Error::Format {
        format: FORMAT,
        message: message.into(),
    }
}

fn unsupported(message: impl Into<String>) -> Error {
    Error::Unsupported(format!("{FORMAT}: {}", message.into()))
}

/// GPT-2's `bytes_to_unicode`: the printable character standing for each byte.
pub fn byte_to_char() -> [char; 256] {
    let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    let mut out = ['\0'; 256];
    let mut next = 256u32;
    for b in 0..=255u8 {
        out[b as usize] = if printable(b) {
            char::from(b)
        } else {
            let c = char::from_u32(next).unwrap_or('\u{FFFD}');
            next += 1;
            c
        };
    }
    out
}

/// The inverse of [`byte_to_char`] (indexed by code point; the alphabet
/// lies below U+0144).
fn char_to_byte_table() -> Vec<Option<u8>> {
    let mut table = vec![None; 0x144];
    for (b, c) in byte_to_char().iter().enumerate() {
        if let Some(slot) = table.get_mut(*c as usize) {
            *slot = Some(b as u8);
        }
    }
    table
}

/// Bytes of a byte-level token string, `None` if a character is not in the
/// alphabet.
fn alphabet_bytes(table: &[Option<u8>], token: &str) -> Option<Vec<u8>> {
    token
        .chars()
        .map(|c| table.get(c as usize).copied().flatten())
        .collect()
}

/// A token's bytes as the library's ByteLevel decoder gives them: through the
/// alphabet, or the token's own UTF-8 if a character is outside it.
fn token_bytes(table: &[Option<u8>], token: &str) -> Vec<u8> {
    alphabet_bytes(table, token).unwrap_or_else(|| token.as_bytes().to_vec())
}

/// Bytes as a byte-level token string.
fn to_byte_level(chars: &[char; 256], bytes: &[u8]) -> String {
    bytes.iter().map(|&b| chars[b as usize]).collect()
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| bad(format!("{path} must be an object, not {}", type_of(v))))
}

fn array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>> {
    v.as_array()
        .ok_or_else(|| bad(format!("{path} must be an array, not {}", type_of(v))))
}

fn string<'a>(v: &'a Value, path: &str) -> Result<&'a str> {
    v.as_str()
        .ok_or_else(|| bad(format!("{path} must be a string, not {}", type_of(v))))
}

/// An optional boolean field (absent or null: `default`).
fn flag(obj: &Map<String, Value>, key: &str, path: &str, default: bool) -> Result<bool> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(bad(format!(
            "{path}.{key} must be a boolean, not {}",
            type_of(v)
        ))),
    }
}

/// The `type` of a component object.
fn component_type<'a>(v: &'a Value, path: &str) -> Result<&'a str> {
    let obj = object(v, path)?;
    match obj.get("type") {
        Some(t) => string(t, &format!("{path}.type")),
        None => Err(bad(format!("{path}.type is missing"))),
    }
}

fn id_of(v: &Value, path: &str) -> Result<u32> {
    match v.as_u64() {
        Some(id) if id < MAX_ID => Ok(id as u32),
        Some(id) => Err(bad(format!(
            "{path}: id {id} is too large (the limit is {MAX_ID})"
        ))),
        None => Err(bad(format!(
            "{path} must be a non-negative integer id, not {v}"
        ))),
    }
}

/// Reads a `tokenizer.json` whose model is byte-level BPE.
pub fn read_tokenizer_json(name: &str, json: &str) -> Result<Tokenizer> {
    let root: Value =
        serde_json::from_str(json).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let root = object(&root, "the top level")?;
    let null = Value::Null;
    let field = |key: &str| root.get(key).unwrap_or(&null);

    // The model first: "this is WordPiece" says more than any other field.
    let model = match root.get("model") {
        Some(m) => object(m, "model")?,
        None => return Err(bad("model is missing")),
    };
    let table = char_to_byte_table();
    let bpe = read_model(model, &table)?;

    check_normalizer(field("normalizer"), "normalizer")?;
    let pattern = read_pre_tokenizer(field("pre_tokenizer"))?;
    check_decoder(field("decoder"), "decoder")?;
    let added = read_added_tokens(field("added_tokens"), &bpe)?;

    let Bpe {
        mut vocab,
        keys,
        ids: _,
        byte_ids,
        pairs,
        whole,
    } = bpe;
    let mut special = Vec::with_capacity(added.len());
    for token in added {
        if let Some(slot) = vocab.get_mut(token.id as usize) {
            if slot
                .as_deref()
                .is_some_and(|b| b != token.content.as_bytes())
            {
                // The library decodes this id as the added token's text, but
                // the model could also produce it from ordinary text.
                let made = byte_ids.contains(&token.id)
                    || pairs.values().any(|&(_, id)| id == token.id)
                    || whole
                        .as_ref()
                        .is_some_and(|w| w.values().any(|&id| id == token.id));
                if made {
                    return Err(unsupported(format!(
                        "added token {:?} (id {}) is also the vocabulary token {:?}, whose bytes differ",
                        token.content, token.id, keys[&token.id]
                    )));
                }
            }
            *slot = None;
        }
        special.push((token.content, token.id));
    }

    let mut order: Vec<((u32, u32), u32)> = pairs.iter().map(|(&p, &(_, id))| (p, id)).collect();
    order.sort_by_key(|(p, _)| pairs[p].0);
    let model = Model::Merges {
        pairs,
        order,
        counts: None,
    };
    let vocab = std::sync::Arc::new(crate::vocab::Vocab::from_slots(&vocab)?);
    let mut tok = Tokenizer::assemble(name, &pattern, vocab, byte_ids, model, special)?;
    tok.whole_chunks = whole;
    Ok(tok)
}

fn check_normalizer(v: &Value, path: &str) -> Result<()> {
    if v.is_null() {
        return Ok(());
    }
    match component_type(v, path)? {
        "Sequence" => {
            let obj = object(v, path)?;
            let list = obj
                .get("normalizers")
                .ok_or_else(|| bad(format!("{path}.normalizers is missing")))?;
            for (i, n) in array(list, &format!("{path}.normalizers"))?.iter().enumerate() {
                check_normalizer(n, &format!("{path}.normalizers[{i}]"))?;
            }
            Ok(())
        }
        other => Err(unsupported(format!(
            "the normalizer {other:?} ({path}) is not supported; only files without a normalizer load"
        ))),
    }
}

fn check_decoder(v: &Value, path: &str) -> Result<()> {
    if v.is_null() {
        return Ok(());
    }
    match component_type(v, path)? {
        "ByteLevel" => Ok(()),
        "Sequence" => {
            let obj = object(v, path)?;
            let list = obj
                .get("decoders")
                .ok_or_else(|| bad(format!("{path}.decoders is missing")))?;
            for (i, d) in array(list, &format!("{path}.decoders"))?.iter().enumerate() {
                check_decoder(d, &format!("{path}.decoders[{i}]"))?;
            }
            Ok(())
        }
        other => Err(unsupported(format!(
            "the decoder {other:?} ({path}) is not supported; byte-level BPE needs the ByteLevel decoder"
        ))),
    }
}

/// `ByteLevel`'s settings: returns `use_regex`.
fn read_byte_level(v: &Value, path: &str) -> Result<bool> {
    let obj = object(v, path)?;
    match obj.get("add_prefix_space") {
        Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => {
            return Err(unsupported(format!(
                "{path}.add_prefix_space is true (a space added before each piece of text is not supported)"
            )))
        }
        Some(v) => return Err(bad(format!("{path}.add_prefix_space must be a boolean, not {}", type_of(v)))),
        None => return Err(bad(format!("{path}.add_prefix_space is missing"))),
    }
    flag(obj, "use_regex", path, true)
}

fn read_pre_tokenizer(v: &Value) -> Result<Pattern> {
    let path = "pre_tokenizer";
    if v.is_null() {
        return Err(unsupported(
            "pre_tokenizer is null; byte-level BPE needs a ByteLevel pre-tokenizer",
        ));
    }
    let byte_level = |v: &Value, path: &str| -> Result<Pattern> {
        Ok(if read_byte_level(v, path)? {
            Pattern::Custom(BYTE_LEVEL_REGEX.to_string())
        } else {
            Pattern::None
        })
    };
    match component_type(v, path)? {
        "ByteLevel" => byte_level(v, path),
        "Sequence" => {
            let obj = object(v, path)?;
            let list = obj
                .get("pretokenizers")
                .ok_or_else(|| bad(format!("{path}.pretokenizers is missing")))?;
            let list = array(list, "pre_tokenizer.pretokenizers")?;
            let types = list
                .iter()
                .enumerate()
                .map(|(i, p)| component_type(p, &format!("{path}.pretokenizers[{i}]")))
                .collect::<Result<Vec<&str>>>()?;
            match types[..] {
                ["ByteLevel"] => byte_level(&list[0], "pre_tokenizer.pretokenizers[0]"),
                ["Split", "ByteLevel"] => {
                    let pattern = read_split(&list[0], "pre_tokenizer.pretokenizers[0]")?;
                    if read_byte_level(&list[1], "pre_tokenizer.pretokenizers[1]")? {
                        return Err(unsupported(
                            "pre_tokenizer.pretokenizers[1].use_regex is true after a Split (two successive splits are not supported)",
                        ));
                    }
                    Ok(pattern)
                }
                _ => Err(unsupported(format!(
                    "the pre-tokenizer sequence {types:?} is not supported; only [\"ByteLevel\"] or [\"Split\", \"ByteLevel\"]"
                ))),
            }
        }
        other => Err(unsupported(format!(
            "the pre-tokenizer {other:?} is not supported; only ByteLevel, or Split followed by ByteLevel"
        ))),
    }
}

fn read_split(v: &Value, path: &str) -> Result<Pattern> {
    let obj = object(v, path)?;
    let pattern = obj
        .get("pattern")
        .ok_or_else(|| bad(format!("{path}.pattern is missing")))?;
    let pattern = object(pattern, &format!("{path}.pattern"))?;
    let regex = match (pattern.get("Regex"), pattern.get("String")) {
        (Some(re), None) => string(re, &format!("{path}.pattern.Regex"))?.to_string(),
        (None, Some(s)) => regex_syntax::escape(string(s, &format!("{path}.pattern.String"))?),
        _ => {
            return Err(bad(format!(
                "{path}.pattern must have exactly one of Regex or String"
            )))
        }
    };
    match obj.get("behavior") {
        Some(Value::String(b)) if b == "Isolated" => {}
        Some(Value::String(b)) => {
            return Err(unsupported(format!(
                "{path}.behavior is {b:?}; only \"Isolated\" is supported"
            )))
        }
        Some(b) => {
            return Err(bad(format!(
                "{path}.behavior must be a string, not {}",
                type_of(b)
            )))
        }
        None => return Err(bad(format!("{path}.behavior is missing"))),
    }
    if flag(obj, "invert", path, false)? {
        return Err(unsupported(format!(
            "{path}.invert is true; only false is supported"
        )));
    }
    split_pattern(&regex, &format!("{path}.pattern"))
}

/// Rewrites an Oniguruma regex (Ruby syntax, as the library compiles it) into
/// fancy-regex syntax with the same meaning, for the constructs that differ:
/// `X{n,m}+` is `(?:X{n,m})+` (not possessive), `^` and `$` are line anchors,
/// and the flag `m` means "dot matches newline".
fn onig_to_fancy(regex: &str) -> std::result::Result<String, String> {
    rewrite(regex, Dialect::Oniguruma)
}

/// The inverse of [`onig_to_fancy`], for export: a possessive `X{n,m}+`
/// becomes the atomic group `(?>X{n,m})`, `^`/`$` (text anchors in
/// fancy-regex) become `\A`/`\z`, and the flag `s` becomes Ruby's `m`.
fn fancy_to_onig(regex: &str) -> std::result::Result<String, String> {
    rewrite(regex, Dialect::Fancy)
}

/// The syntax a regex given to [`rewrite`] is written in.
#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    Oniguruma,
    Fancy,
}

fn rewrite(regex: &str, from: Dialect) -> std::result::Result<String, String> {
    let chars: Vec<char> = regex.chars().collect();
    let mut out = String::with_capacity(regex.len() + 16);
    // Output offsets where open groups and the last atom start.
    let mut groups: Vec<usize> = Vec::new();
    let mut atom: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let start = out.len();
                let next = *chars.get(i + 1).ok_or("the regex ends with a backslash")?;
                out.push('\\');
                out.push(next);
                i += 2;
                if matches!(next, 'p' | 'P' | 'x' | 'u') && chars.get(i) == Some(&'{') {
                    while i < chars.len() {
                        out.push(chars[i]);
                        i += 1;
                        if chars[i - 1] == '}' {
                            break;
                        }
                    }
                }
                atom = Some(start);
            }
            '[' => {
                let start = out.len();
                let mut depth = 0;
                loop {
                    let Some(&d) = chars.get(i) else {
                        return Err("a character class is not closed".into());
                    };
                    out.push(d);
                    i += 1;
                    match d {
                        '\\' => {
                            if let Some(&e) = chars.get(i) {
                                out.push(e);
                                i += 1;
                            }
                        }
                        '[' => {
                            depth += 1;
                            // A `]` right after `[` or `[^` is a literal.
                            if chars.get(i) == Some(&'^') {
                                out.push('^');
                                i += 1;
                            }
                            if chars.get(i) == Some(&']') {
                                out.push(']');
                                i += 1;
                            }
                        }
                        ']' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                atom = Some(start);
            }
            '(' => {
                groups.push(out.len());
                out.push('(');
                i += 1;
                if chars.get(i) == Some(&'?') {
                    out.push('?');
                    i += 1;
                    // Inline flags: Ruby's `m` is everyone else's `s`.
                    while let Some(&f) = chars.get(i) {
                        match (f, from) {
                            ('m', Dialect::Oniguruma) => out.push('s'),
                            ('s', Dialect::Fancy) => out.push('m'),
                            ('i' | 'x' | '-', _) => out.push(f),
                            _ => break,
                        }
                        i += 1;
                    }
                }
                atom = None;
            }
            ')' => {
                out.push(')');
                i += 1;
                atom = groups.pop();
            }
            '^' | '$' => {
                out.push_str(match (c, from) {
                    ('^', Dialect::Oniguruma) => "(?m:^)",
                    (_, Dialect::Oniguruma) => "(?m:$)",
                    ('^', Dialect::Fancy) => "\\A",
                    (_, Dialect::Fancy) => "\\z",
                });
                i += 1;
                atom = None;
            }
            '{' => {
                let close = chars[i..].iter().position(|&d| d == '}').map(|k| i + k);
                let interval = close.filter(|&k| {
                    let body: String = chars[i + 1..k].iter().collect();
                    let mut parts = body.splitn(2, ',');
                    let lo = parts.next().unwrap_or("");
                    let hi = parts.next();
                    !lo.is_empty()
                        && lo.chars().all(|d| d.is_ascii_digit())
                        && hi.is_none_or(|h| h.chars().all(|d| d.is_ascii_digit()))
                });
                match (interval, atom) {
                    (Some(k), Some(start)) if chars.get(k + 1) == Some(&'+') => {
                        let body: String = chars[i..=k].iter().collect();
                        let (open, close) = match from {
                            Dialect::Oniguruma => ("(?:", ")+"),
                            Dialect::Fancy => ("(?>", ")"),
                        };
                        out.insert_str(start, open);
                        out.push_str(&body);
                        out.push_str(close);
                        i = k + 2;
                        atom = None;
                    }
                    (Some(k), _) => {
                        out.extend(&chars[i..=k]);
                        i = k + 1;
                    }
                    (None, _) => {
                        out.push_str("\\{");
                        i += 1;
                        atom = Some(out.len() - 2);
                    }
                }
            }
            '*' | '+' | '?' | '|' => {
                out.push(c);
                i += 1;
                if c == '|' {
                    atom = None;
                }
            }
            _ => {
                atom = Some(out.len());
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// The pattern whose chunks are the library's `Split(regex, Isolated)` pieces.
fn split_pattern(regex: &str, path: &str) -> Result<Pattern> {
    let regex = &onig_to_fancy(regex)
        .map_err(|e| unsupported(format!("{path}: the regex cannot be read: {e}")))?;
    let plain = Pattern::from_regex(regex);
    plain
        .splitter()
        .map_err(|e| unsupported(format!("{path}: the regex does not compile here: {e}")))?;
    if matches_empty(regex) {
        return Err(unsupported(format!(
            "{path}: the regex {regex:?} can match the empty string"
        )));
    }
    Ok(match plain {
        // The built-in patterns match at every position: no text between matches.
        Pattern::Custom(_) => Pattern::Custom(with_gaps(regex)),
        builtin => builtin,
    })
}

fn matches_empty(regex: &str) -> bool {
    fancy_regex::Regex::new(regex).is_ok_and(|re| re.is_match("").unwrap_or(false))
}

/// `regex`, extended so that the text between two matches is a chunk too.
fn with_gaps(regex: &str) -> String {
    format!(r"(?:{regex})|[\s\S]+?(?=(?:{regex}))|[\s\S]+")
}

/// The BPE model, read.
struct Bpe {
    vocab: Vec<Option<Box<[u8]>>>,
    /// id → vocabulary string (for messages).
    keys: HashMap<u32, String>,
    /// vocabulary string → id.
    ids: HashMap<String, u32>,
    byte_ids: [u32; 256],
    pairs: HashMap<(u32, u32), (u32, u32)>,
    whole: Option<HashMap<Box<[u8]>, u32>>,
}

fn read_model(model: &Map<String, Value>, table: &[Option<u8>]) -> Result<Bpe> {
    match model.get("type") {
        Some(Value::String(t)) if t == "BPE" => {}
        Some(Value::String(t)) => {
            return Err(unsupported(format!(
                "model.type is {t:?}; only BPE (byte-level) is supported"
            )))
        }
        Some(t) => {
            return Err(bad(format!(
                "model.type must be a string, not {}",
                type_of(t)
            )))
        }
        None if model.contains_key("merges") => {}
        None => return Err(bad("model.type is missing")),
    }
    match model.get("dropout") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => {}
        Some(v) => {
            return Err(unsupported(format!(
                "model.dropout is {v}; only null is supported"
            )))
        }
    }
    for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
        match model.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() => {}
            Some(v) => {
                return Err(unsupported(format!(
                    "model.{key} is {v}; only null is supported"
                )))
            }
        }
    }
    let ignore_merges = flag(model, "ignore_merges", "model", false)?;

    let vocab_json = model
        .get("vocab")
        .ok_or_else(|| bad("model.vocab is missing"))?;
    let vocab_json = object(vocab_json, "model.vocab")?;
    let mut ids = HashMap::with_capacity(vocab_json.len());
    let mut keys = HashMap::with_capacity(vocab_json.len());
    let mut max = 0;
    for (key, id) in vocab_json {
        let id = id_of(id, &format!("model.vocab[{key:?}]"))?;
        if let Some(other) = keys.insert(id, key.clone()) {
            return Err(bad(format!(
                "model.vocab: id {id} is given to both {other:?} and {key:?}"
            )));
        }
        ids.insert(key.clone(), id);
        max = max.max(id as usize + 1);
    }
    if max > 2 * ids.len() + (1 << 20) {
        return Err(bad(format!(
            "model.vocab: ids are too sparse (the largest is {} for {} tokens)",
            max - 1,
            ids.len()
        )));
    }
    let mut vocab: Vec<Option<Box<[u8]>>> = vec![None; max];
    for (key, &id) in &ids {
        vocab[id as usize] = Some(token_bytes(table, key).into_boxed_slice());
    }

    let chars = byte_to_char();
    let mut byte_ids = [0u32; 256];
    for (b, c) in chars.iter().enumerate() {
        match ids.get(c.to_string().as_str()) {
            Some(&id) => byte_ids[b] = id,
            None => {
                return Err(unsupported(format!(
                    "model.vocab has no token for byte 0x{b:02X} ({c:?}); the library would drop or replace that byte"
                )))
            }
        }
    }

    let merges_json = model
        .get("merges")
        .ok_or_else(|| bad("model.merges is missing"))?;
    let merges_json = array(merges_json, "model.merges")?;
    let mut pairs = HashMap::with_capacity(merges_json.len());
    let mut rank = 0u32;
    for (i, m) in merges_json.iter().enumerate() {
        let path = format!("model.merges[{i}]");
        let (a, b) = match m {
            Value::String(s) if s.starts_with("#version") => continue,
            Value::String(s) => {
                let mut parts = s.split(' ');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(a), Some(b), None) => (a, b),
                    _ => {
                        return Err(bad(format!(
                            "{path} must be two tokens separated by one space, not {s:?}"
                        )))
                    }
                }
            }
            Value::Array(pair) => match &pair[..] {
                [Value::String(a), Value::String(b)] => (a.as_str(), b.as_str()),
                _ => return Err(bad(format!("{path} must be a pair of strings"))),
            },
            other => {
                return Err(bad(format!(
                    "{path} must be a string or a pair of strings, not {}",
                    type_of(other)
                )))
            }
        };
        let lookup = |t: &str| {
            ids.get(t)
                .copied()
                .ok_or_else(|| bad(format!("{path}: {t:?} is not in model.vocab")))
        };
        let (ia, ib) = (lookup(a)?, lookup(b)?);
        let merged = format!("{a}{b}");
        let new = ids.get(&merged).copied().ok_or_else(|| {
            bad(format!(
                "{path}: the merged token {merged:?} is not in model.vocab"
            ))
        })?;
        // A pair listed twice keeps its last rank, as in the library.
        pairs.insert((ia, ib), (rank, new));
        rank += 1;
    }

    let whole = ignore_merges.then(|| {
        ids.iter()
            .filter_map(|(key, &id)| alphabet_bytes(table, key).map(|b| (b.into_boxed_slice(), id)))
            .collect()
    });
    Ok(Bpe {
        vocab,
        keys,
        ids,
        byte_ids,
        pairs,
        whole,
    })
}

struct Added {
    content: String,
    id: u32,
    normalized: bool,
}

fn read_added_tokens(v: &Value, bpe: &Bpe) -> Result<Vec<Added>> {
    if v.is_null() {
        return Ok(Vec::new());
    }
    let list = array(v, "added_tokens")?;
    let model_size = bpe.ids.len() as u32;
    let mut out: Vec<Added> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, t) in list.iter().enumerate() {
        let path = format!("added_tokens[{i}]");
        let obj = object(t, &path)?;
        let content = match obj.get("content") {
            Some(c) => string(c, &format!("{path}.content"))?,
            None => return Err(bad(format!("{path}.content is missing"))),
        };
        match obj.get("id") {
            Some(id) => {
                id_of(id, &format!("{path}.id"))?;
            }
            None => return Err(bad(format!("{path}.id is missing"))),
        }
        for key in ["lstrip", "rstrip", "single_word"] {
            if flag(obj, key, &path, false)? {
                return Err(unsupported(format!(
                    "{path} ({content:?}) has {key}: true, which is not supported"
                )));
            }
        }
        let normalized = flag(obj, "normalized", &path, true)?;
        flag(obj, "special", &path, false)?;
        if content.is_empty() {
            continue; // the library skips empty added tokens
        }
        if let Some(&j) = seen.get(content) {
            out[j].normalized = normalized;
            continue;
        }
        // The id the library assigns (it ignores the listed one): the
        // vocabulary's, else one past the largest added id or the model size.
        let id = match bpe.ids.get(content) {
            Some(&id) => id,
            None => match out.iter().map(|a| a.id).max() {
                Some(max) if max >= model_size || model_size == 0 => max + 1,
                _ => model_size,
            },
        };
        if !bpe.ids.contains_key(content) {
            if let Some(key) = bpe.keys.get(&id) {
                return Err(unsupported(format!(
                    "{path} ({content:?}) would get id {id}, which is already the vocabulary token {key:?}"
                )));
            }
        }
        seen.insert(content.to_string(), out.len());
        out.push(Added {
            content: content.to_string(),
            id,
            normalized,
        });
    }
    // The library matches tokens with `normalized: false` first, then the
    // others in what remains; one leftmost-longest pass over all of them is the
    // same as long as no token of one kind can overlap a token of the other.
    for a in out.iter().filter(|a| !a.normalized) {
        for b in out.iter().filter(|b| b.normalized) {
            if overlap(&a.content, &b.content) {
                return Err(unsupported(format!(
                    "added tokens {:?} (normalized: false) and {:?} (normalized: true) can overlap in text",
                    a.content, b.content
                )));
            }
        }
    }
    Ok(out)
}

/// True if an occurrence of `a` and one of `b` can share a byte.
fn overlap(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let suffix_prefix =
        |x: &[u8], y: &[u8]| (1..x.len().min(y.len())).any(|k| x[x.len() - k..] == y[..k]);
    a.windows(b.len()).any(|w| w == b)
        || b.windows(a.len()).any(|w| w == a)
        || suffix_prefix(a, b)
        || suffix_prefix(b, a)
}

/// Writes a tokenizer as a `tokenizer.json` the `tokenizers` library loads.
pub fn write_tokenizer_json(tok: &Tokenizer) -> Result<String> {
    let chars = byte_to_char();
    let mut vocab: Vec<(String, u32)> = Vec::new();
    let mut by_key: HashMap<String, u32> = HashMap::new();
    fn add(
        vocab: &mut Vec<(String, u32)>,
        by_key: &mut HashMap<String, u32>,
        key: String,
        id: u32,
    ) -> Result<()> {
        if let Some(other) = by_key.insert(key.clone(), id) {
            return Err(Error::Unsupported(format!(
                "{FORMAT}: tokens {other} and {id} are both {key:?}, but a tokenizer.json vocabulary needs distinct tokens"
            )));
        }
        vocab.push((key, id));
        Ok(())
    }
    for (bytes, id) in tok.ordinary_tokens() {
        add(&mut vocab, &mut by_key, to_byte_level(&chars, bytes), id)?;
    }
    for b in 0..=255u8 {
        if !by_key.contains_key(chars[b as usize].to_string().as_str()) {
            return Err(Error::Unsupported(format!(
                "{FORMAT}: {} has no token for byte 0x{b:02X}",
                tok.name()
            )));
        }
    }
    // Special tokens are also vocabulary entries so that the library keeps
    // their ids (it numbers added tokens that are not in the vocabulary itself).
    let ordinary: HashSet<u32> = vocab.iter().map(|v| v.1).collect();
    for (text, id) in tok.special_tokens() {
        if !ordinary.contains(id) {
            add(&mut vocab, &mut by_key, text.clone(), *id)?;
        }
    }
    vocab.sort_by_key(|v| v.1);

    let mut merges = Vec::new();
    // `merges()` lists them in rank order.
    for (a, b, _) in tok.merges() {
        let key = |id: u32| tok.token_bytes(id).map(|b| to_byte_level(&chars, b));
        merges.push((key(a)?, key(b)?));
    }

    let js = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let byte_level = |use_regex: bool| {
        format!(
            r#"{{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": {use_regex}}}"#
        )
    };
    let pre_tokenizer = match tok.pattern() {
        Pattern::None => byte_level(false),
        p => format!(
            r#"{{"type": "Sequence", "pretokenizers": [{{"type": "Split", "pattern": {{"Regex": {}}}, "behavior": "Isolated", "invert": false}}, {}]}}"#,
            js(&fancy_to_onig(p.regex()).map_err(|e| {
                Error::Unsupported(format!(
                    "{FORMAT}: the split pattern cannot be exported: {e}"
                ))
            })?),
            byte_level(false)
        ),
    };
    let mut out = String::from("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [");
    for (i, (text, id)) in tok.special_tokens().iter().enumerate() {
        let sep = if i == 0 { "\n" } else { ",\n" };
        let _ = write!(
            out,
            r#"{sep}    {{"id": {id}, "content": {}, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}}"#,
            js(text)
        );
    }
    let _ = write!(
        out,
        "\n  ],\n  \"normalizer\": null,\n  \"pre_tokenizer\": {pre_tokenizer},\n  \"post_processor\": null,\n  \"decoder\": {},\n",
        byte_level(true)
    );
    let ignore_merges = tok.whole_chunks.is_some();
    let _ = write!(
        out,
        "  \"model\": {{\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n    \"ignore_merges\": {ignore_merges},\n    \"vocab\": {{"
    );
    for (i, (key, id)) in vocab.iter().enumerate() {
        let sep = if i == 0 { "\n" } else { ",\n" };
        let _ = write!(out, "{sep}      {}: {id}", js(key));
    }
    out.push_str("\n    },\n    \"merges\": [");
    for (i, (a, b)) in merges.iter().enumerate() {
        let sep = if i == 0 { "\n" } else { ",\n" };
        let _ = write!(out, "{sep}      [{}, {}]", js(a), js(b));
    }
    out.push_str("\n    ]\n  }\n}\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oniguruma_constructs_are_rewritten() {
        let cases = [
            (r"\p{N}{1,3}+", r"(?:\p{N}{1,3})+"),
            (r"\p{N}{1,3}", r"\p{N}{1,3}"),
            (r"[a-z]{2}+|(ab){1,}+", r"(?:[a-z]{2})+|(?:(ab){1,})+"),
            (r"\s++$|^x", r"\s++(?m:$)|(?m:^)x"),
            (r"(?mi:a.b)", r"(?si:a.b)"),
            (r"[\]^$]x{", r"[\]^$]x\{"),
            (r"[^\r\n\p{L}\p{N}]?+\p{L}++", r"[^\r\n\p{L}\p{N}]?+\p{L}++"),
        ];
        for (onig, fancy) in cases {
            assert_eq!(onig_to_fancy(onig).unwrap(), fancy, "{onig}");
        }
        let exported = [
            (r"\p{N}{1,3}+", r"(?>\p{N}{1,3})"),
            (r"\s++$|\s+(?!\S)", r"\s++\z|\s+(?!\S)"),
            (r"^(?s:a.b)", r"\A(?m:a.b)"),
        ];
        for (fancy, onig) in exported {
            assert_eq!(fancy_to_onig(fancy).unwrap(), onig, "{fancy}");
        }
        assert!(onig_to_fancy("[abc").is_err());
        assert!(onig_to_fancy("ab\\").is_err());
    }

    #[test]
    fn alphabet_round_trips() {
        let chars = byte_to_char();
        let table = char_to_byte_table();
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(
            alphabet_bytes(&table, &to_byte_level(&chars, &all)).unwrap(),
            all
        );
        assert_eq!(chars[b' ' as usize], 'Ġ');
        assert_eq!(chars[b'\n' as usize], 'Ċ');
    }
}
