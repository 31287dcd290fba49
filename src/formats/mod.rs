//! File formats: minbpe `.model`/`.vocab`, tiktoken `.tiktoken`, Hugging Face
//! `tokenizer.json`.

pub mod hf;
pub mod minbpe;
pub mod tiktoken;
