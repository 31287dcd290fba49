//! File formats: minbpe `.model`/`.vocab`, tiktoken `.tiktoken` (and the same
//! packed, for quick loading), Hugging Face `tokenizer.json`.

pub mod hf;
pub mod minbpe;
pub mod packed;
pub mod tiktoken;
