//! The OpenAI encodings: which split pattern and special tokens go with
//! which rank file.
//!
//! Rank files are not embedded (cl100k alone is 1.7 MB): the CLI reads them
//! from a directory, the page fetches them.

use crate::error::{Error, Result};
use crate::formats::tiktoken::read_tiktoken;
use crate::pretokenize::Pattern;
use crate::tokenizer::Tokenizer;

/// A pretrained encoding's fixed parts.
#[derive(Debug, Clone)]
pub struct EncodingSpec {
    pub name: &'static str,
    pub pattern: Pattern,
    pub special: &'static [(&'static str, u32)],
}

impl EncodingSpec {
    /// The rank file's name, e.g. `cl100k_base.tiktoken`.
    pub fn file_name(&self) -> String {
        format!("{}.tiktoken", self.name)
    }

    /// Special tokens as owned pairs.
    pub fn special_tokens(&self) -> Vec<(String, u32)> {
        self.special
            .iter()
            .map(|&(s, id)| (s.to_string(), id))
            .collect()
    }
}

/// The names of the built-in encodings.
pub const NAMES: [&str; 4] = ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"];

/// The spec of a built-in encoding by name.
pub fn spec(name: &str) -> Result<EncodingSpec> {
    const EOT: &str = "<|endoftext|>";
    let (pattern, special): (Pattern, &'static [(&'static str, u32)]) = match name {
        "r50k_base" | "p50k_base" => (Pattern::R50k, &[(EOT, 50256)]),
        "cl100k_base" => (
            Pattern::Cl100k,
            &[
                (EOT, 100257),
                ("<|fim_prefix|>", 100258),
                ("<|fim_middle|>", 100259),
                ("<|fim_suffix|>", 100260),
                ("<|endofprompt|>", 100276),
            ],
        ),
        "o200k_base" => (
            Pattern::O200k,
            &[(EOT, 199999), ("<|endofprompt|>", 200018)],
        ),
        other => return Err(Error::UnknownName(other.to_string())),
    };
    let name = NAMES.into_iter().find(|n| *n == name).unwrap_or("");
    Ok(EncodingSpec {
        name,
        pattern,
        special,
    })
}

/// Builds a built-in encoding from its rank file's contents.
pub fn load(name: &str, rank_file: &[u8]) -> Result<Tokenizer> {
    let spec = spec(name)?;
    read_tiktoken(spec.name, rank_file, &spec.pattern, spec.special_tokens())
}
