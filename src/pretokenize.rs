//! Pre-tokenization: cutting text into chunks before any merge happens.
//!
//! BPE never merges across a chunk boundary, so the split pattern decides which
//! tokens can exist at all (e.g. GPT-2 never has a token spanning a letter and a
//! digit). The built-in patterns are the ones minbpe and tiktoken use; any other
//! pattern in [fancy-regex] syntax can be given as [`Pattern::Custom`].
//!
//! ```
//! use bpe_playground::Pattern;
//! let splitter = Pattern::Gpt4.splitter().unwrap();
//! let chunks: Vec<&str> = splitter.split_str("Hello world123!!").unwrap();
//! assert_eq!(chunks, ["Hello", " world", "123", "!!"]);
//! ```
//!
//! [fancy-regex]: https://docs.rs/fancy-regex

use crate::error::{Error, Result};
use crate::fastsplit;
use std::ops::Range;
use std::sync::OnceLock;
use std::time::Duration;

/// minbpe's GPT-2 split pattern.
pub const GPT2_PATTERN: &str =
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
/// minbpe's GPT-4 split pattern (the one taught in the lecture).
pub const GPT4_PATTERN: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+";
/// tiktoken's pattern for `r50k_base` and `p50k_base`.
pub const R50K_PATTERN: &str =
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s";
/// tiktoken's pattern for `cl100k_base`.
pub const CL100K_PATTERN: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";
/// tiktoken's pattern for `o200k_base`.
pub const O200K_PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"\p{N}{1,3}",
    "|",
    r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
    "|",
    r"\s*[\r\n]+",
    "|",
    r"\s+(?!\S)",
    "|",
    r"\s+"
);

/// How many backtracking steps a custom pattern may take on one search before
/// it is stopped with [`Error::PatternFailed`] instead of hanging.
pub const BACKTRACK_LIMIT: usize = 1_000_000;

/// How long a custom pattern may take on one text, in all: this long plus
/// [`TIME_PER_MIB`] for every MiB of text. [`BACKTRACK_LIMIT`] bounds one
/// search, but a text of n characters needs up to n searches, so a pattern
/// that backtracks just below the limit at every position would otherwise run
/// for hours. Built-in patterns never need it (they are linear).
pub const TIME_LIMIT: Duration = Duration::from_secs(10);
/// Extra time per MiB of text for a custom pattern (see [`TIME_LIMIT`]).
pub const TIME_PER_MIB: Duration = Duration::from_secs(1);

/// A split pattern, by name or as a custom regex.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// No split: the whole text is one chunk (minbpe's BasicTokenizer).
    None,
    Gpt2,
    Gpt4,
    R50k,
    Cl100k,
    O200k,
    /// Any regex in fancy-regex syntax.
    Custom(String),
}

impl Pattern {
    /// Parses a pattern name (`none`, `gpt2`, `gpt4`, `r50k`, `cl100k`, `o200k`);
    /// anything else is taken as a custom regex. An empty string means `none`,
    /// as in minbpe's `.model` files. A regex equal to a built-in pattern is
    /// recognised as that built-in.
    pub fn parse(spec: &str) -> Pattern {
        match spec {
            "" | "none" => Pattern::None,
            "gpt2" => Pattern::Gpt2,
            "gpt4" => Pattern::Gpt4,
            "r50k" => Pattern::R50k,
            "cl100k" => Pattern::Cl100k,
            "o200k" => Pattern::O200k,
            other => Pattern::from_regex(other),
        }
    }

    /// Maps a regex to the built-in with that exact text, or to `Custom`.
    pub fn from_regex(regex: &str) -> Pattern {
        [
            Pattern::Gpt2,
            Pattern::Gpt4,
            Pattern::R50k,
            Pattern::Cl100k,
            Pattern::O200k,
        ]
        .into_iter()
        .find(|p| p.regex() == regex)
        .unwrap_or_else(|| {
            if regex.is_empty() {
                Pattern::None
            } else {
                Pattern::Custom(regex.to_string())
            }
        })
    }

    /// The short name (`none`, `gpt2`, …, `custom`).
    pub fn name(&self) -> &str {
        match self {
            Pattern::None => "none",
            Pattern::Gpt2 => "gpt2",
            Pattern::Gpt4 => "gpt4",
            Pattern::R50k => "r50k",
            Pattern::Cl100k => "cl100k",
            Pattern::O200k => "o200k",
            Pattern::Custom(_) => "custom",
        }
    }

    /// Whether this is one of the built-in split patterns (`gpt2`, `gpt4`,
    /// `r50k`, `cl100k`, `o200k`), whose chunk boundaries are known without
    /// running the split (see [`crate::fastsplit::is_word_end`]).
    pub fn is_builtin_split(&self) -> bool {
        self.fast_kind().is_some()
    }

    /// The regex text; empty for `None` (as minbpe writes it in `.model`).
    pub fn regex(&self) -> &str {
        match self {
            Pattern::None => "",
            Pattern::Gpt2 => GPT2_PATTERN,
            Pattern::Gpt4 => GPT4_PATTERN,
            Pattern::R50k => R50K_PATTERN,
            Pattern::Cl100k => CL100K_PATTERN,
            Pattern::O200k => O200K_PATTERN,
            Pattern::Custom(re) => re,
        }
    }

    /// Compiles the pattern. Fails only for an invalid custom regex.
    pub fn splitter(&self) -> Result<Splitter> {
        // A custom regex compiles now, to report errors; a built-in one only
        // if the regex path is ever used (it is valid: a test checks it).
        let regex = OnceLock::new();
        if let Pattern::Custom(re) = self {
            let _ = regex.set(compile(re)?);
        }
        Ok(Splitter {
            pattern: self.clone(),
            regex,
            fast: self.fast_kind(),
            time_limit: TIME_LIMIT,
        })
    }

    /// The hand-written splitter for a built-in pattern, if there is one.
    fn fast_kind(&self) -> Option<fastsplit::Kind> {
        match self {
            Pattern::Gpt2 => Some(fastsplit::Kind::Gpt2),
            Pattern::Gpt4 => Some(fastsplit::Kind::Gpt4),
            Pattern::R50k => Some(fastsplit::Kind::R50k),
            Pattern::Cl100k => Some(fastsplit::Kind::Cl100k),
            Pattern::O200k => Some(fastsplit::Kind::O200k),
            Pattern::None | Pattern::Custom(_) => None,
        }
    }
}

fn compile(pattern: &str) -> Result<fancy_regex::Regex> {
    fancy_regex::RegexBuilder::new(pattern)
        .backtrack_limit(BACKTRACK_LIMIT)
        .build()
        .map_err(|e| Error::InvalidPattern {
            pattern: pattern.to_string(),
            reason: e.to_string(),
        })
}

/// A compiled split pattern.
///
/// Built-in patterns split with the hand-written, linear-time splitters of
/// [`crate::fastsplit`], which produce exactly the chunks of the regex;
/// [`Splitter::regex_only`] and [`Splitter::for_each_chunk_regex`] force the
/// regex (for tests and benchmarks).
#[derive(Debug, Clone)]
pub struct Splitter {
    pattern: Pattern,
    /// The compiled regex; empty for `None` and until first use for built-ins.
    regex: OnceLock<fancy_regex::Regex>,
    fast: Option<fastsplit::Kind>,
    /// The base of a custom pattern's time budget (see [`TIME_LIMIT`]).
    time_limit: Duration,
}

/// Milliseconds on a monotonic-enough clock (`Date.now()` in the browser,
/// where `std::time::Instant` does not exist).
#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> f64 {
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64()
        * 1000.0
}
#[cfg(target_arch = "wasm32")]
fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// When a custom pattern's split must give up; `None` for built-in patterns.
#[derive(Clone, Copy)]
struct Deadline(Option<(f64, Duration)>);

impl Deadline {
    fn check(&self) -> Result<()> {
        match self.0 {
            Some((at, budget)) if now_ms() > at => Err(Error::PatternFailed {
                reason: format!(
                    "it took more than {} s on this text (too much backtracking; simplify the pattern)",
                    budget.as_secs_f64()
                ),
            }),
            _ => Ok(()),
        }
    }
}

impl Splitter {
    /// The pattern this splitter was built from.
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// Calls `f` with the byte range of every chunk of `text`, in order.
    ///
    /// Text the pattern does not match (possible with a custom pattern) is
    /// skipped, exactly as `re.findall` in minbpe skips it. Time is linear in
    /// the text for the built-in patterns; a custom pattern that backtracks
    /// too much stops with [`Error::PatternFailed`].
    pub fn for_each_chunk(&self, text: &str, f: impl FnMut(Range<usize>)) -> Result<()> {
        self.chunks_until(text, self.deadline(text.len()), f)
    }

    fn chunks_until(
        &self,
        text: &str,
        deadline: Deadline,
        f: impl FnMut(Range<usize>),
    ) -> Result<()> {
        if let Some(kind) = self.fast {
            kind.for_each_chunk(text, f);
            return Ok(());
        }
        self.regex_chunks_until(text, deadline, f)
    }

    /// The time budget for splitting `len` bytes (custom patterns only).
    fn deadline(&self, len: usize) -> Deadline {
        if !matches!(self.pattern, Pattern::Custom(_)) {
            return Deadline(None);
        }
        let mib = len as f64 / (1 << 20) as f64;
        let budget = self.time_limit + TIME_PER_MIB.mul_f64(mib);
        Deadline(Some((now_ms() + budget.as_secs_f64() * 1000.0, budget)))
    }

    /// This splitter with another base for a custom pattern's time budget
    /// (default [`TIME_LIMIT`]; [`TIME_PER_MIB`] is added per MiB of text).
    pub fn with_time_limit(mut self, limit: Duration) -> Splitter {
        self.time_limit = limit;
        self
    }

    /// This splitter with the hand-written fast path switched off, so that
    /// every split runs the regex (for tests and benchmarks).
    pub fn regex_only(mut self) -> Splitter {
        self.fast = None;
        self
    }

    /// Like [`Splitter::for_each_chunk`], but always with fancy-regex, even
    /// for a built-in pattern (for tests and benchmarks).
    pub fn for_each_chunk_regex(&self, text: &str, f: impl FnMut(Range<usize>)) -> Result<()> {
        self.regex_chunks_until(text, self.deadline(text.len()), f)
    }

    fn regex_chunks_until(
        &self,
        text: &str,
        deadline: Deadline,
        mut f: impl FnMut(Range<usize>),
    ) -> Result<()> {
        let Some(regex) = self.regex() else {
            if !text.is_empty() {
                f(0..text.len());
            }
            return Ok(());
        };
        for (i, m) in regex.find_iter(text).enumerate() {
            // One search is bounded by BACKTRACK_LIMIT; all of them by time.
            if i % 16 == 0 {
                deadline.check()?;
            }
            let m = m.map_err(|e| Error::PatternFailed {
                reason: e.to_string(),
            })?;
            if m.start() < m.end() {
                f(m.start()..m.end());
            }
        }
        Ok(())
    }

    fn regex(&self) -> Option<&fancy_regex::Regex> {
        if self.pattern == Pattern::None {
            return None;
        }
        Some(self.regex.get_or_init(|| {
            compile(self.pattern.regex()).expect("built-in split patterns compile")
        }))
    }

    /// The chunks of `text` as byte ranges.
    pub fn split(&self, text: &str) -> Result<Vec<Range<usize>>> {
        let mut out = Vec::new();
        self.for_each_chunk(text, |r| out.push(r))?;
        Ok(out)
    }

    /// The chunks of `text` as string slices.
    pub fn split_str<'t>(&self, text: &'t str) -> Result<Vec<&'t str>> {
        Ok(self.split(text)?.into_iter().map(|r| &text[r]).collect())
    }

    /// Splits arbitrary bytes: each valid UTF-8 run is split by the pattern and
    /// each run of invalid bytes becomes one chunk of its own. For valid UTF-8
    /// this equals [`Splitter::for_each_chunk`].
    pub fn for_each_chunk_bytes(
        &self,
        bytes: &[u8],
        mut f: impl FnMut(Range<usize>),
    ) -> Result<()> {
        if self.pattern == Pattern::None {
            if !bytes.is_empty() {
                f(0..bytes.len());
            }
            return Ok(());
        }
        // `utf8_chunks` reports each invalid sequence on its own; adjacent
        // ones are one run, so a run is reported when valid text follows it.
        let deadline = self.deadline(bytes.len());
        let mut offset = 0;
        let mut invalid_start = None;
        for piece in bytes.utf8_chunks() {
            let valid = piece.valid();
            if !valid.is_empty() {
                if let Some(start) = invalid_start.take() {
                    f(start..offset);
                }
                self.chunks_until(valid, deadline, |r| f(r.start + offset..r.end + offset))?;
                offset += valid.len();
            }
            let invalid = piece.invalid();
            if !invalid.is_empty() {
                invalid_start.get_or_insert(offset);
                offset += invalid.len();
            }
        }
        if let Some(start) = invalid_start {
            f(start..offset);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in ["none", "gpt2", "gpt4", "r50k", "cl100k", "o200k"] {
            let p = Pattern::parse(name);
            assert_eq!(p.name(), name);
            assert_eq!(Pattern::from_regex(p.regex()), p);
        }
        assert_eq!(Pattern::parse(r"\w+"), Pattern::Custom(r"\w+".into()));
    }

    #[test]
    fn builtins_compile_and_split() {
        let text = "Hello've world 12345 !!\n\n  x";
        for name in ["gpt2", "gpt4", "r50k", "cl100k", "o200k"] {
            let s = Pattern::parse(name).splitter().unwrap();
            let chunks = s.split_str(text).unwrap();
            assert_eq!(chunks.concat(), text, "{name}");
            // The lazily compiled regex exists and agrees.
            let by_regex = s.clone().regex_only().split_str(text).unwrap();
            assert_eq!(chunks, by_regex, "{name}");
        }
        let cl = Pattern::Cl100k.splitter().unwrap();
        assert_eq!(
            cl.split_str("12345 don't").unwrap(),
            ["123", "45", " don", "'t"]
        );
    }

    #[test]
    fn invalid_pattern_is_named() {
        let err = Pattern::parse("(unclosed").splitter().unwrap_err();
        assert!(matches!(err, Error::InvalidPattern { .. }), "{err}");
        assert!(err.to_string().contains("(unclosed"));
    }

    #[test]
    fn catastrophic_backtracking_is_an_error() {
        // A look-ahead inside the repetition forces the backtracking engine
        // (without one, fancy-regex hands `(a+)+` to the linear-time regex crate).
        let s = Pattern::parse(r"(?:(?=a)a|a)+(?=b)").splitter().unwrap();
        let text = "a".repeat(40);
        let err = s.split(&text).unwrap_err();
        assert!(matches!(err, Error::PatternFailed { .. }), "{err}");
    }

    #[test]
    fn invalid_utf8_runs_become_chunks() {
        let s = Pattern::Gpt4.splitter().unwrap();
        let bytes = b"ab\xff\xfecd";
        let mut chunks = Vec::new();
        s.for_each_chunk_bytes(bytes, |r| chunks.push(bytes[r].to_vec()))
            .unwrap();
        assert_eq!(
            chunks,
            [b"ab".to_vec(), b"\xff\xfe".to_vec(), b"cd".to_vec()]
        );
    }
}
