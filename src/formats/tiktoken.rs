//! tiktoken's `.tiktoken` rank files: one `<base64 token> <rank>` per line.
//!
//! The file holds no split pattern and no special tokens; those come from
//! [`crate::pretrained`] for the OpenAI encodings, or from the caller.

use crate::error::{Error, Result};
use crate::formats::packed;
use crate::pretokenize::Pattern;
use crate::tokenizer::Tokenizer;
use crate::vocab::Vocab;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::HashSet;

const FORMAT: &str = ".tiktoken";

/// Ranks (ids) must be below this: 2^24, as for `tokenizer.json` ids. The
/// largest real encoding (o200k_base) stops near 200,000.
pub const MAX_RANK: u32 = 1 << 24;

/// The tokens of a rank file in file order, in one [`Vocab`] (one buffer
/// for all tokens instead of an allocation each): token `i` has rank
/// `ranks[i]`. In the usual file, line `i` has rank `i`, and `tokens` is then
/// the tokenizer's vocabulary as it is. An empty token reads as empty here;
/// [`Tokenizer::from_rank_file`] refuses it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RankFile {
    pub tokens: Vocab,
    pub ranks: Vec<u32>,
}

impl RankFile {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.ranks.len()
    }

    /// True if there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.ranks.is_empty()
    }

    /// The bytes of token `i` (in file order).
    pub fn token(&self, i: usize) -> &[u8] {
        self.tokens.get(i as u32).unwrap_or_default()
    }

    /// `(token bytes, rank)` pairs, in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], u32)> {
        (0..self.len()).map(|i| (self.token(i), self.ranks[i]))
    }
}

/// Value of each base64 character (standard alphabet); 0xFF: not one.
const BASE64: [u8; 256] = {
    let mut t = [0xFF; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Decodes padded standard base64 (as `base64`'s `STANDARD` engine: padding
/// required, unused trailing bits zero) onto `out`. On error returns the
/// offset of the offending character. O(len).
fn decode_base64(s: &[u8], out: &mut Vec<u8>) -> std::result::Result<(), usize> {
    if s.len() % 4 != 0 {
        return Err(s.len());
    }
    let Some(last) = s.len().checked_sub(4) else {
        return Ok(());
    };
    let value = |i: usize| match BASE64[s[i] as usize] {
        0xFF => Err(i),
        v => Ok(v as u32),
    };
    for at in (0..last).step_by(4) {
        let n = value(at)? << 18 | value(at + 1)? << 12 | value(at + 2)? << 6 | value(at + 3)?;
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    // The last quantum may end in one or two '='; leftover bits must be 0.
    let n = value(last)? << 18 | value(last + 1)? << 12;
    match (s[last + 2], s[last + 3]) {
        (b'=', b'=') if n & 0xFFFF == 0 => out.push((n >> 16) as u8),
        (b'=', b'=') => return Err(last + 1),
        (_, b'=') => {
            let n = n | value(last + 2)? << 6;
            if n & 0xFF != 0 {
                return Err(last + 2);
            }
            out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8]);
        }
        _ => {
            let n = n | value(last + 2)? << 6 | value(last + 3)?;
            out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
        }
    }
    Ok(())
}

/// A rank: decimal digits (an optional leading `+`, as `str::parse`), at
/// most `u64::MAX`.
fn parse_rank(s: &[u8]) -> Option<u64> {
    let digits = s.strip_prefix(b"+").unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        let d = d.wrapping_sub(b'0');
        (d < 10).then_some(())?;
        n.checked_mul(10)?.checked_add(d as u64)
    })
}

/// Parses a rank file into its tokens and ranks, in one pass and one buffer.
/// O(file size). Errors name the line.
pub fn parse_rank_file(data: &[u8]) -> Result<RankFile> {
    let lines = data.len() / 12 + 1;
    let mut file = RankFile {
        // Decoded tokens are shorter than the file.
        tokens: Vocab::with_capacity(lines, data.len() / 4 * 3),
        ranks: Vec::with_capacity(lines),
    };
    let mut rest = data;
    let mut number = 0;
    while !rest.is_empty() {
        number += 1;
        let (line, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let err = |message: String| Error::Parse {
            format: FORMAT,
            line: number,
            message,
        };
        let shown = || String::from_utf8_lossy(&line[..line.len().min(60)]).into_owned();
        let Some(space) = line.iter().position(|&b| b == b' ') else {
            return Err(err(format!(
                "expected \"<base64> <rank>\", found {:?}",
                shown()
            )));
        };
        decode_base64(&line[..space], file.tokens.open()).map_err(|at| {
            err(format!(
                "the token is not valid base64 (at character {}: {:?})",
                at + 1,
                shown()
            ))
        })?;
        let rank = parse_rank(&line[space + 1..])
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
        file.tokens.close().map_err(|_| Error::TooLarge {
            what: "rank file",
            size: data.len(),
            limit: u32::MAX as usize,
        })?;
        file.ranks.push(rank);
    }
    if file.is_empty() {
        return Err(Error::Format {
            format: FORMAT,
            message: "the file has no tokens".into(),
        });
    }
    Ok(file)
}

/// Parses a rank file into `(token bytes, rank)` pairs. O(file size).
pub fn parse_ranks(data: &[u8]) -> Result<Vec<(Vec<u8>, u32)>> {
    let file = parse_rank_file(data)?;
    Ok(file.iter().map(|(t, r)| (t.to_vec(), r)).collect())
}

/// Reads a rank file, as text or packed ([`crate::formats::packed`], told
/// apart by its first bytes), into a tokenizer with the given pattern and
/// specials.
pub fn read_tiktoken(
    name: &str,
    data: &[u8],
    pattern: &Pattern,
    special: Vec<(String, u32)>,
) -> Result<Tokenizer> {
    let file = if packed::is_packed(data) {
        packed::read_packed(data)?
    } else {
        parse_rank_file(data)?
    };
    Tokenizer::from_rank_file(name, pattern, file, special)
}

/// The ordinary tokens of `tok` as `(bytes, id)` in id order, for writing a
/// rank file (`file`: "a .tiktoken file", "a packed rank file"). Fails if
/// two ids share the same bytes (possible in a minbpe vocabulary), since a
/// rank file cannot express that.
pub(crate) fn rank_file_tokens<'t>(tok: &'t Tokenizer, file: &str) -> Result<Vec<(&'t [u8], u32)>> {
    let mut seen = HashSet::new();
    tok.ordinary_tokens()
        .map(|(bytes, id)| match seen.insert(bytes) {
            true => Ok((bytes, id)),
            false => Err(Error::Unsupported(format!(
                "token {id} has the same bytes as an earlier token, which {file} cannot hold"
            ))),
        })
        .collect()
}

/// Writes the ordinary tokens of any tokenizer as a rank file (id = rank).
///
/// Fails if two ids share the same bytes (possible in a minbpe vocabulary),
/// since a rank file cannot express that.
pub fn write_tiktoken(tok: &Tokenizer) -> Result<String> {
    let mut out = String::new();
    for (bytes, id) in rank_file_tokens(tok, "a .tiktoken file")? {
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
    fn base64_decoding_matches_the_base64_crate() {
        let mut inputs: Vec<Vec<u8>> = [
            "", "YQ==", "YWI=", "YWJj", "YR==", "YWJ=", "Y===", "=YQ=", "YQ", "YQ=a", "ab+/",
            "a-b_",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        for n in 0..40u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(97).wrapping_add(n)).collect();
            let mut text = STANDARD.encode(&bytes).into_bytes();
            inputs.push(text.clone());
            if let Some(c) = text.last_mut() {
                *c = b'B';
            }
            inputs.push(text);
        }
        for input in inputs {
            let mut ours = Vec::new();
            let ok = decode_base64(&input, &mut ours).is_ok();
            let theirs = STANDARD.decode(&input);
            assert_eq!(ok, theirs.is_ok(), "{:?}", String::from_utf8_lossy(&input));
            if let Ok(t) = theirs {
                assert_eq!(ours, t);
            }
        }
    }

    #[test]
    fn ranks_parse_as_str_parse_does() {
        for s in [
            "0",
            "+7",
            "0012",
            "18446744073709551615",
            "18446744073709551616",
            "",
            "+",
            "-1",
            "1 2",
            "x",
        ] {
            assert_eq!(parse_rank(s.as_bytes()), s.parse::<u64>().ok(), "{s:?}");
        }
    }

    /// The 256 bytes (ranks 0–255) and "ab" (256), "abab" (257) as lines.
    fn lines() -> Vec<String> {
        let mut lines: Vec<String> = (0..=255u8)
            .map(|b| format!("{} {b}", STANDARD.encode([b])))
            .collect();
        lines.push(format!("{} 256", STANDARD.encode(b"ab")));
        lines.push(format!("{} 257", STANDARD.encode(b"abab")));
        lines
    }

    #[test]
    fn lines_may_come_in_any_rank_order() {
        let read = |lines: &[String]| {
            read_tiktoken("t", lines.join("\n").as_bytes(), &Pattern::Gpt4, vec![])
        };
        let mut lines = lines();
        let in_order = read(&lines).unwrap();
        lines.reverse();
        let reversed = read(&lines).unwrap();
        for tok in [&in_order, &reversed] {
            assert_eq!(tok.encode_ordinary("ababab").unwrap(), vec![257, 256]);
            assert_eq!(tok.token_bytes(257).unwrap(), b"abab");
        }
        // Out of order, a rank can appear twice; in order, a token can.
        lines[0] = format!("{} 3", STANDARD.encode(b"xy"));
        let err = read(&lines).unwrap_err().to_string();
        assert!(err.contains("rank 3 appears twice"), "{err}");
        let mut lines = self::lines();
        lines[257] = format!("{} 257", STANDARD.encode(b"ab"));
        let err = read(&lines).unwrap_err().to_string();
        assert!(err.contains("rank 257 appears twice"), "{err}");
        // An empty token is refused (in a vocabulary it would be a gap).
        lines[257] = " 257".into();
        let err = read(&lines).unwrap_err().to_string();
        assert!(err.contains("rank 257 has an empty token"), "{err}");
    }

    #[test]
    fn write_then_read() {
        let tok = Tokenizer::from_merges("t", &Pattern::Gpt4, &[(97, 98)], vec![]).unwrap();
        let text = write_tiktoken(&tok).unwrap();
        let back = read_tiktoken("t", text.as_bytes(), &Pattern::Gpt4, vec![]).unwrap();
        assert_eq!(back.encode_ordinary("abab").unwrap(), vec![256, 256]);
    }
}
