//! File formats: minbpe `.model`/`.vocab`, tiktoken `.tiktoken`.

pub mod minbpe;
pub mod tiktoken;
