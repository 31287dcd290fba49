//! Hugging Face `tokenizer.json` (byte-level BPE): read and write.

use crate::error::{Error, Result};
use crate::tokenizer::Tokenizer;

/// Reads a `tokenizer.json` whose model is byte-level BPE.
pub fn read_tokenizer_json(name: &str, json: &str) -> Result<Tokenizer> {
    let _ = (name, json);
    Err(Error::Unsupported("tokenizer.json is not implemented yet".into()))
}

/// Writes a tokenizer as a `tokenizer.json` the `tokenizers` library loads.
pub fn write_tokenizer_json(tok: &Tokenizer) -> Result<String> {
    let _ = tok;
    Err(Error::Unsupported("tokenizer.json export is not implemented yet".into()))
}
