//! The one error type of the engine.
//!
//! Every fallible call returns [`Error`]; its `Display` is a single line meant
//! for a person (the CLI prints it after `error: `, the page shows it as the
//! message of a JS `Error`).

use std::fmt;

/// Everything that can go wrong in the engine, each variant precise enough to
/// tell the user what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A custom split pattern that does not compile.
    InvalidPattern { pattern: String, reason: String },
    /// A split pattern whose matching gave up (e.g. catastrophic backtracking).
    PatternFailed { reason: String },
    /// `vocab_size` outside the supported range.
    VocabSize {
        requested: usize,
        min: usize,
        max: usize,
    },
    /// An id that the tokenizer does not know.
    UnknownId(u32),
    /// Special-token text found where special tokens are not allowed.
    DisallowedSpecial(String),
    /// A special token definition that cannot be used.
    InvalidSpecial(String),
    /// A file that does not parse: which format, which line (1-based), what is wrong.
    Parse {
        format: &'static str,
        line: usize,
        message: String,
    },
    /// A file-level problem without a line (e.g. a missing JSON field).
    Format {
        format: &'static str,
        message: String,
    },
    /// Something this engine deliberately does not implement.
    Unsupported(String),
    /// An input larger than the engine accepts.
    TooLarge {
        what: &'static str,
        size: usize,
        limit: usize,
    },
    /// Work stopped on request.
    Cancelled,
    /// An unknown encoding or tokenizer name.
    UnknownName(String),
    /// An I/O failure (CLI only); carries the path and the OS message.
    Io { path: String, message: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidPattern { pattern, reason } => {
                write!(f, "invalid split pattern {pattern:?}: {reason}")
            }
            Error::PatternFailed { reason } => write!(f, "split pattern failed: {reason}"),
            Error::VocabSize {
                requested,
                min,
                max,
            } => write!(
                f,
                "vocab size {requested} is out of range: it must be between {min} and {max}"
            ),
            Error::UnknownId(id) => write!(f, "unknown token id {id}"),
            Error::DisallowedSpecial(tok) => write!(
                f,
                "the text contains the special token {tok:?}, which is not allowed here"
            ),
            Error::InvalidSpecial(msg) => write!(f, "invalid special token: {msg}"),
            Error::Parse {
                format,
                line,
                message,
            } => write!(f, "{format} line {line}: {message}"),
            Error::Format { format, message } => write!(f, "{format}: {message}"),
            Error::Unsupported(what) => write!(f, "unsupported: {what}"),
            Error::TooLarge { what, size, limit } => {
                write!(f, "{what} is too large: {size} bytes (the limit is {limit})")
            }
            Error::Cancelled => write!(f, "cancelled"),
            Error::UnknownName(name) => write!(
                f,
                "unknown tokenizer {name:?}: use r50k_base, p50k_base, cl100k_base, o200k_base or a file path"
            ),
            Error::Io { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand used across the crate.
pub type Result<T> = std::result::Result<T, Error>;
