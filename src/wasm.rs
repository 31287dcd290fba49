//! The wasm-bindgen facade: the only module that knows about JavaScript.
//!
//! Everything here is a thin, typed wrapper: it converts JS values in, calls
//! the engine, and converts results out (typed arrays for bulk data, small
//! plain objects for introspection). Engine errors become JS `Error`s whose
//! message is the engine's `Display` text; user input never panics.
//!
//! Offsets (`starts`, `ends`, `chunks`) are byte offsets into the UTF-8
//! encoding of the text; the page maps them to UTF-16 itself.

use crate::error::Error;
use crate::formats::{hf, minbpe, tiktoken};
use crate::pretokenize::Pattern;
use crate::pretrained;
use crate::tokenizer::{AllowedSpecial, Encoding, Tokenizer};
use crate::train::Trainer;
use js_sys::{Array, Float64Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

/// Installs the panic hook so a Rust panic shows its message in the console.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

/// Parses special tokens given as JSON: either `{"<|x|>": 100257, …}` or
/// `[["<|x|>", 100257], …]`. An empty string means none.
fn parse_specials(json: &str) -> Result<Vec<(String, u32)>, JsError> {
    let json = json.trim();
    if json.is_empty() {
        return Ok(Vec::new());
    }
    let bad = |why: &str| {
        JsError::new(&format!(
            "special tokens must be JSON like {{\"<|endoftext|>\": 50256}} ({why})"
        ))
    };
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(&e.to_string()))?;
    let id = |v: &serde_json::Value| {
        v.as_u64()
            .filter(|&n| n < u32::MAX as u64)
            .map(|n| n as u32)
            .ok_or_else(|| bad("ids must be non-negative integers"))
    };
    let mut out = Vec::new();
    match &value {
        serde_json::Value::Object(map) => {
            for (text, v) in map {
                out.push((text.clone(), id(v)?));
            }
            out.sort_by_key(|s| s.1);
        }
        serde_json::Value::Array(items) => {
            for item in items {
                match item.as_array().map(|a| a.as_slice()) {
                    Some([serde_json::Value::String(text), v]) => out.push((text.clone(), id(v)?)),
                    _ => return Err(bad("each entry must be [text, id]")),
                }
            }
        }
        _ => return Err(bad("expected an object or a list")),
    }
    Ok(out)
}

fn encoding_to_js(enc: &Encoding) -> Object {
    let obj = Object::new();
    set(&obj, "ids", Uint32Array::from(&enc.ids[..]));
    set(&obj, "starts", Uint32Array::from(&enc.starts[..]));
    set(&obj, "ends", Uint32Array::from(&enc.ends[..]));
    obj
}

/// Renders token bytes as minbpe's `.vocab` does (lossy UTF-8, control
/// characters escaped as `\uXXXX`).
#[wasm_bindgen(js_name = renderToken)]
pub fn render_token(bytes: &[u8]) -> String {
    minbpe::render_token(bytes)
}

/// Runs the cl100k splitter once, so that the browser compiles its code now
/// (engines compile wasm lazily, function by function) while a rank file is
/// still downloading. Its character tables are static data (`src/build.rs`).
#[wasm_bindgen(js_name = warmUp)]
pub fn warm_up() {
    if let Ok(splitter) = Pattern::Cl100k.splitter() {
        let _ = splitter.split("warm up 1");
    }
}

/// Checks that a split pattern (a name or a regex) compiles; the error is the
/// engine's message.
#[wasm_bindgen(js_name = checkPattern)]
pub fn check_pattern(pattern: &str) -> Result<(), JsError> {
    Pattern::parse(pattern)
        .splitter()
        .map(|_| ())
        .map_err(js_err)
}

/// A tokenizer living in wasm memory.
#[wasm_bindgen]
pub struct WasmTokenizer {
    inner: Tokenizer,
    /// Unique per tokenizer made in this instance (an `EncodeSession` checks
    /// it is used with the tokenizer it started with).
    serial: u32,
}

impl WasmTokenizer {
    fn wrap(inner: Tokenizer) -> WasmTokenizer {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let serial = NEXT.fetch_add(1, Ordering::Relaxed);
        WasmTokenizer { inner, serial }
    }
}

#[wasm_bindgen]
impl WasmTokenizer {
    /// A built-in encoding (`r50k_base`, `p50k_base`, `cl100k_base`,
    /// `o200k_base`) from its rank file's bytes.
    pub fn pretrained(name: &str, rank_file: &[u8]) -> Result<WasmTokenizer, JsError> {
        let inner = pretrained::load(name, rank_file).map_err(js_err)?;
        Ok(WasmTokenizer::wrap(inner))
    }

    /// A tokenizer from the text of a minbpe `.model` file.
    #[wasm_bindgen(js_name = fromModel)]
    pub fn from_model(name: &str, model_text: &str) -> Result<WasmTokenizer, JsError> {
        let inner = minbpe::read_model(name, model_text).map_err(js_err)?;
        Ok(WasmTokenizer::wrap(inner))
    }

    /// A tokenizer from a tiktoken rank file, a split pattern (name or regex)
    /// and special tokens as JSON (see the module docs).
    #[wasm_bindgen(js_name = fromTiktoken)]
    pub fn from_tiktoken(
        name: &str,
        rank_file: &[u8],
        pattern: &str,
        specials_json: &str,
    ) -> Result<WasmTokenizer, JsError> {
        let special = parse_specials(specials_json)?;
        let inner = tiktoken::read_tiktoken(name, rank_file, &Pattern::parse(pattern), special)
            .map_err(js_err)?;
        Ok(WasmTokenizer::wrap(inner))
    }

    /// A tokenizer from a Hugging Face `tokenizer.json`.
    #[wasm_bindgen(js_name = fromTokenizerJson)]
    pub fn from_tokenizer_json(name: &str, json_text: &str) -> Result<WasmTokenizer, JsError> {
        let inner = hf::read_tokenizer_json(name, json_text).map_err(js_err)?;
        Ok(WasmTokenizer::wrap(inner))
    }

    /// The tokenizer's name.
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// Encodes `text`. `allowed` is `all`, `none` or `none_raise`. Returns
    /// `{ids, starts, ends}`, three `Uint32Array`s (byte offsets).
    pub fn encode(&self, text: &str, allowed: &str) -> Result<Object, JsError> {
        let allowed = AllowedSpecial::parse(allowed).map_err(js_err)?;
        let enc = self.inner.encode(text, &allowed).map_err(js_err)?;
        Ok(encoding_to_js(&enc))
    }

    /// Ordinary text (special tokens not recognised) to ids only, without
    /// spans: the fast path for counting and benchmarks.
    #[wasm_bindgen(js_name = encodeIds)]
    pub fn encode_ids(&self, text: &str) -> Result<Uint32Array, JsError> {
        let ids = self.inner.encode_ordinary_ids(text).map_err(js_err)?;
        Ok(Uint32Array::from(&ids[..]))
    }

    /// Like `encode`, using only the first `k` merges.
    #[wasm_bindgen(js_name = encodeLimited)]
    pub fn encode_limited(&self, text: &str, allowed: &str, k: usize) -> Result<Object, JsError> {
        let allowed = AllowedSpecial::parse(allowed).map_err(js_err)?;
        let limit = self.inner.merge_rank_limit(k);
        let enc = self
            .inner
            .encode_limited(text, &allowed, Some(limit))
            .map_err(js_err)?;
        Ok(encoding_to_js(&enc))
    }

    /// Decodes ids to text (invalid UTF-8 becomes U+FFFD).
    pub fn decode(&self, ids: &[u32]) -> Result<String, JsError> {
        self.inner.decode(ids).map_err(js_err)
    }

    /// Decodes ids to bytes, losslessly.
    #[wasm_bindgen(js_name = decodeBytes)]
    pub fn decode_bytes(&self, ids: &[u32]) -> Result<Vec<u8>, JsError> {
        self.inner.decode_bytes(ids).map_err(js_err)
    }

    /// The bytes of one token.
    #[wasm_bindgen(js_name = tokenBytes)]
    pub fn token_bytes(&self, id: u32) -> Result<Vec<u8>, JsError> {
        self.inner
            .token_bytes(id)
            .map(|b| b.to_vec())
            .map_err(js_err)
    }

    /// `{id, bytes: Uint8Array, rank: number|null, parents: [a, b]|null, special}`.
    #[wasm_bindgen(js_name = tokenInfo)]
    pub fn token_info(&self, id: u32) -> Result<Object, JsError> {
        let info = self.inner.token_info(id).map_err(js_err)?;
        let obj = Object::new();
        set(&obj, "id", info.id);
        set(&obj, "bytes", Uint8Array::from(&info.bytes[..]));
        set(&obj, "rank", info.rank.map_or(JsValue::NULL, JsValue::from));
        let parents = match info.parents {
            Some((a, b)) => Array::of2(&a.into(), &b.into()).into(),
            None => JsValue::NULL,
        };
        set(&obj, "parents", parents);
        set(&obj, "special", info.special);
        Ok(obj)
    }

    /// Each token of `ids` rendered as minbpe's `.vocab` renders it.
    #[wasm_bindgen(js_name = renderTokens)]
    pub fn render_tokens(&self, ids: &[u32]) -> Result<Array, JsError> {
        ids.iter()
            .map(|&id| {
                let bytes = self.inner.token_bytes(id).map_err(js_err)?;
                Ok(JsValue::from_str(&minbpe::render_token(bytes)))
            })
            .collect()
    }

    /// True if `id` is a special token.
    #[wasm_bindgen(js_name = isSpecial)]
    pub fn is_special(&self, id: u32) -> bool {
        self.inner.is_special(id)
    }

    /// One more than the largest id, special tokens included.
    #[wasm_bindgen(js_name = vocabSize)]
    pub fn vocab_size(&self) -> usize {
        self.inner.vocab_size()
    }

    /// Number of merges (multi-byte ordinary tokens).
    #[wasm_bindgen(js_name = mergeCount)]
    pub fn merge_count(&self) -> usize {
        self.inner.merge_count()
    }

    /// Special tokens in registration order, as `[[text, id], …]`.
    #[wasm_bindgen(js_name = specialTokens)]
    pub fn special_tokens(&self) -> Array {
        self.inner
            .special_tokens()
            .iter()
            .map(|(text, id)| Array::of2(&JsValue::from_str(text), &JsValue::from(*id)))
            .collect()
    }

    /// The split pattern's short name (`cl100k`, `gpt4`, `custom`, …).
    #[wasm_bindgen(js_name = patternName)]
    pub fn pattern_name(&self) -> String {
        self.inner.pattern().name().to_string()
    }

    /// The split pattern's regex (empty for no split).
    #[wasm_bindgen(js_name = patternRegex)]
    pub fn pattern_regex(&self) -> String {
        self.inner.pattern().regex().to_string()
    }

    /// The pre-tokenization chunks of `text` as flat `[start, end, …]` byte offsets.
    pub fn chunks(&self, text: &str) -> Result<Uint32Array, JsError> {
        let ranges = self.inner.splitter().split(text).map_err(js_err)?;
        let flat: Vec<u32> = ranges
            .iter()
            .flat_map(|r| [r.start as u32, r.end as u32])
            .collect();
        Ok(Uint32Array::from(&flat[..]))
    }

    /// All merges in rank order as flat `[left, right, new, …]` triples.
    /// For rank files they are recovered (slow for big vocabularies).
    pub fn merges(&self) -> Uint32Array {
        let flat: Vec<u32> = self
            .inner
            .merges()
            .iter()
            .flat_map(|&(a, b, n)| [a, b, n])
            .collect();
        Uint32Array::from(&flat[..])
    }

    /// The corpus count of each merge (trained vocabularies), or `null`.
    #[wasm_bindgen(js_name = mergeCounts)]
    pub fn merge_counts(&self) -> Option<Float64Array> {
        self.inner.merge_counts().map(|counts| {
            let as_f64: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
            Float64Array::from(&as_f64[..])
        })
    }

    /// The tokenizer as a minbpe `.model` file.
    #[wasm_bindgen(js_name = toModel)]
    pub fn to_model(&self) -> Result<String, JsError> {
        minbpe::write_model(&self.inner).map_err(js_err)
    }

    /// The human-readable minbpe `.vocab` file.
    #[wasm_bindgen(js_name = toVocab)]
    pub fn to_vocab(&self) -> Result<String, JsError> {
        minbpe::write_vocab(&self.inner).map_err(js_err)
    }

    /// The ordinary tokens as a tiktoken rank file.
    #[wasm_bindgen(js_name = toTiktoken)]
    pub fn to_tiktoken(&self) -> Result<String, JsError> {
        tiktoken::write_tiktoken(&self.inner).map_err(js_err)
    }

    /// The tokenizer as a Hugging Face `tokenizer.json`.
    #[wasm_bindgen(js_name = toTokenizerJson)]
    pub fn to_tokenizer_json(&self) -> Result<String, JsError> {
        hf::write_tokenizer_json(&self.inner).map_err(js_err)
    }
}

/// Training in slices: call `step` repeatedly (the worker answers messages
/// between calls), then `finish`.
#[wasm_bindgen]
pub struct WasmTrainer {
    inner: Option<Trainer>,
}

#[wasm_bindgen]
impl WasmTrainer {
    /// Splits and counts `corpus`. `pattern` is a name (`gpt4`, `none`, …) or a regex.
    #[wasm_bindgen(constructor)]
    pub fn new(corpus: &[u8], vocab_size: usize, pattern: &str) -> Result<WasmTrainer, JsError> {
        let inner = Trainer::new(corpus, vocab_size, &Pattern::parse(pattern)).map_err(js_err)?;
        Ok(WasmTrainer { inner: Some(inner) })
    }

    fn trainer(&self) -> Result<&Trainer, JsError> {
        self.inner
            .as_ref()
            .ok_or_else(|| JsError::new("this trainer has already finished"))
    }

    /// Makes up to `max_merges` merges; returns the number made so far.
    pub fn step(&mut self, max_merges: usize) -> Result<usize, JsError> {
        let trainer = self
            .inner
            .as_mut()
            .ok_or_else(|| JsError::new("this trainer has already finished"))?;
        for _ in 0..max_merges {
            if trainer.step().is_none() {
                break;
            }
        }
        Ok(trainer.done())
    }

    /// Merges made so far.
    pub fn done(&self) -> Result<usize, JsError> {
        Ok(self.trainer()?.done())
    }

    /// Merges to make in all.
    pub fn total(&self) -> Result<usize, JsError> {
        Ok(self.trainer()?.total())
    }

    /// True once all merges are made or no pair is left.
    #[wasm_bindgen(js_name = isFinished)]
    pub fn is_finished(&self) -> Result<bool, JsError> {
        Ok(self.trainer()?.is_finished())
    }

    /// Merges from index `from` on, as flat `[left, right, new, …]` triples
    /// (for showing merges live while training).
    #[wasm_bindgen(js_name = mergesSince)]
    pub fn merges_since(&self, from: usize) -> Result<Uint32Array, JsError> {
        let merges = self.trainer()?.merges();
        let flat: Vec<u32> = merges
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .flat_map(|m| [m.pair.0, m.pair.1, m.id])
            .collect();
        Ok(Uint32Array::from(&flat[..]))
    }

    /// Ends training and builds a tokenizer from the merges made so far.
    /// `specials_json` as for `WasmTokenizer.fromTiktoken`.
    pub fn finish(&mut self, name: &str, specials_json: &str) -> Result<WasmTokenizer, JsError> {
        let special = parse_specials(specials_json)?;
        let trainer = self
            .inner
            .take()
            .ok_or_else(|| JsError::new("this trainer has already finished"))?;
        let trained = trainer.finish();
        let inner = Tokenizer::from_trained(name, &trained, special).map_err(js_err)?;
        Ok(WasmTokenizer::wrap(inner))
    }
}

/// Encodes a text that changes a little at a time (a text box as the user
/// types): keeps the last text and its encoding, so the next `encode`
/// re-encodes only around the edit (`Tokenizer::reencode`); the result is
/// always exactly what `WasmTokenizer.encode` returns. Used with another
/// tokenizer or `allowed` than last time, it simply encodes afresh.
#[wasm_bindgen(js_name = EncodeSession)]
#[derive(Default)]
pub struct WasmEncodeSession {
    last: Option<(u32, AllowedSpecial, String, Encoding)>,
}

#[wasm_bindgen(js_class = EncodeSession)]
impl WasmEncodeSession {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmEncodeSession {
        WasmEncodeSession::default()
    }

    /// `{ids, starts, ends}` of `text`, as `WasmTokenizer.encode`.
    pub fn encode(
        &mut self,
        tokenizer: &WasmTokenizer,
        text: &str,
        allowed: &str,
    ) -> Result<Object, JsError> {
        self.run(tokenizer, text, allowed)
    }

    /// [`encode`](Self::encode) of a text given as UTF-8 bytes (which the
    /// page already has, from `TextEncoder`): they are copied in as they
    /// are instead of encoding the string again. Invalid UTF-8 is an error.
    #[wasm_bindgen(js_name = encodeUtf8)]
    pub fn encode_utf8(
        &mut self,
        tokenizer: &WasmTokenizer,
        utf8: &[u8],
        allowed: &str,
    ) -> Result<Object, JsError> {
        let text = std::str::from_utf8(utf8)
            .map_err(|e| JsError::new(&format!("the text is not valid UTF-8: {e}")))?;
        self.run(tokenizer, text, allowed)
    }
}

impl WasmEncodeSession {
    fn run(
        &mut self,
        tokenizer: &WasmTokenizer,
        text: &str,
        allowed: &str,
    ) -> Result<Object, JsError> {
        let allowed = AllowedSpecial::parse(allowed).map_err(js_err)?;
        let tok = &tokenizer.inner;
        let (enc, head, tail) = match self.last.take() {
            Some((serial, was, old_text, old)) if serial == tokenizer.serial && was == allowed => {
                tok.reencode_kept(&old_text, &old, text, &allowed)
            }
            _ => tok.encode(text, &allowed).map(|enc| (enc, 0, 0)),
        }
        .map_err(js_err)?;
        let out = encoding_to_js(&enc);
        // How many tokens of this session's previous result start and end
        // this one unchanged (the page redraws only those between).
        set(&out, "keptHead", head as u32);
        set(&out, "keptTail", tail as u32);
        self.last = Some((tokenizer.serial, allowed, text.to_string(), enc));
        Ok(out)
    }
}
