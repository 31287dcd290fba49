//! tiktoken's `.tiktoken` rank files: one `<base64 token> <rank>` per line.
//!
//! The file holds no split pattern and no special tokens; those come from
//! [`crate::pretrained`] for the OpenAI encodings, or from the caller.

use crate::error::{Error, Result};
use crate::pretokenize::Pattern;
use crate::tokenizer::Tokenizer;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::HashSet;

const FORMAT: &str = ".tiktoken";

/// Ranks (ids) must be below this: 2^24, as for `tokenizer.json` ids. The
/// largest real encoding (o200k_base) stops near 200,000.
pub const MAX_RANK: u32 = 1 << 24;

/// Parses a rank file into `(token bytes, rank)` pairs. O(file size).
pub fn parse_ranks(data: &[u8]) -> Result<Vec<(Vec<u8>, u32)>> {
    let mut ranks = Vec::with_capacity(data.len() / 12);
    for (i, line) in data.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let err = |message: String| Error::Parse {
            format: FORMAT,
            line: i + 1,
            message,
        };
        let shown = || String::from_utf8_lossy(&line[..line.len().min(60)]).into_owned();
        let Some(space) = line.iter().position(|&b| b == b' ') else {
            return Err(err(format!(
                "expected \"<base64> <rank>\", found {:?}",
                shown()
            )));
        };
        let token = STANDARD
            .decode(&line[..space])
            .map_err(|e| err(format!("the token is not valid base64 ({e})")))?;
        let rank = std::str::from_utf8(&line[space + 1..])
            .ok()
            .and_then(|r| r.parse::<u64>().ok())
            .ok_or_else(|| err(format!("the rank is not a number: {:?}", shown())))?;
        // Ids index a dense table: a huge rank would allocate gigabytes.
        let rank = u32::try_from(rank)
            .ok()
            .filter(|&r| r < MAX_RANK)
            .ok_or_else(|| {
                err(format!(
                    "rank {rank} is too large (ranks must be below {MAX_RANK})"
                ))
            })?;
        ranks.push((token, rank));
    }
    if ranks.is_empty() {
        return Err(Error::Format {
            format: FORMAT,
            message: "the file has no tokens".into(),
        });
    }
    Ok(ranks)
}

/// Reads a rank file into a tokenizer with the given pattern and specials.
pub fn read_tiktoken(
    name: &str,
    data: &[u8],
    pattern: &Pattern,
    special: Vec<(String, u32)>,
) -> Result<Tokenizer> {
    Tokenizer::from_ranks(name, pattern, parse_ranks(data)?, special)
}

/// Writes the ordinary tokens of any tokenizer as a rank file (id = rank).
///
/// Fails if two ids share the same bytes (possible in a minbpe vocabulary),
/// since a rank file cannot express that.
pub fn write_tiktoken(tok: &Tokenizer) -> Result<String> {
    let mut out = String::new();
    let mut seen = HashSet::new();
    for (bytes, id) in tok.ordinary_tokens() {
        if !seen.insert(bytes) {
            return Err(Error::Unsupported(format!(
                "token {id} has the same bytes as an earlier token, which a .tiktoken file cannot hold"
            )));
        }
        out.push_str(&STANDARD.encode(bytes));
        out.push(' ');
        out.push_str(&id.to_string());
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_lines_are_named() {
        for (data, line) in [
            (&b"YQ== 0\nnospace\n"[..], 2),
            (b"YQ== 0\n!!!! 1\n", 2),
            (b"YQ== x\n", 1),
            (b"YQ== 0\nYg== 4000000000\n", 2),
            (b"YQ== 99999999999999999999\n", 1),
            (b"YQ== 16777216\n", 1),
        ] {
            match parse_ranks(data) {
                Err(Error::Parse { line: l, .. }) => assert_eq!(l, line),
                other => panic!("{other:?}"),
            }
        }
        assert!(parse_ranks(b"").is_err());
    }

    #[test]
    fn write_then_read() {
        let tok = Tokenizer::from_merges("t", &Pattern::Gpt4, &[(97, 98)], vec![]).unwrap();
        let text = write_tiktoken(&tok).unwrap();
        let back = read_tiktoken("t", text.as_bytes(), &Pattern::Gpt4, vec![]).unwrap();
        assert_eq!(back.encode_ordinary("abab").unwrap(), vec![256, 256]);
    }
}
