//! # BPE Playground
//!
//! A byte-pair-encoding engine that trains merge for merge like
//! [minbpe](https://github.com/karpathy/minbpe) and encodes token for token
//! like [tiktoken](https://github.com/openai/tiktoken), with the byte spans
//! and introspection a teaching page needs.
//!
//! ```
//! use bpe_playground::{train, AllowedSpecial, Pattern, Tokenizer};
//!
//! // Train a toy vocabulary with minbpe's GPT-4 split pattern…
//! let text = "low lower lowest newer newest wider widest";
//! let trained = train(text.as_bytes(), 280, &Pattern::Gpt4, |_done, _total| true).unwrap();
//! let tok = Tokenizer::from_trained("toy", &trained, vec![]).unwrap();
//!
//! // …encode with byte spans, decode, and explain a token.
//! let enc = tok.encode("lowest", &AllowedSpecial::None).unwrap();
//! assert_eq!(tok.decode(&enc.ids).unwrap(), "lowest");
//! let first = tok.token_info(enc.ids[0]).unwrap();
//! assert!(first.bytes.starts_with(b"l"));
//! ```
//!
//! Modules, one idea each: [`pretokenize`] (split patterns), [`train`]
//! (learning merges), [`encode`] (applying merges), [`tokenizer`] (the
//! tokenizer), [`reencode`] (re-encoding after an edit), [`formats`] (files), [`pretrained`] (the OpenAI encodings).

pub mod encode;
pub mod error;
pub mod fastsplit;
pub mod formats;
pub mod pretokenize;
pub mod pretrained;
pub mod reencode;
mod split_classes;
pub mod tokenizer;
pub mod train;
pub mod vocab;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
pub use pretokenize::{Pattern, Splitter};
pub use tokenizer::{AllowedSpecial, Encoding, TokenInfo, Tokenizer};
pub use train::{train, Merge, Trained, Trainer};
