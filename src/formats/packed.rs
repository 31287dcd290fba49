//! Packed rank files: a rank file's tokens in binary, quick to load.
//!
//! A `.tiktoken` file spells each token in base64 and its rank in decimal,
//! so reading one decodes every byte of it (cl100k_base: 1.7 MB of text).
//! The page ships its built-in encodings packed instead (`./build.sh` makes
//! them with `bpe-playground pack`): the tokens' bytes as they are, after
//! their lengths, in rank order. Reading one checks the lengths and copies
//! the bytes: no base64, no digits, no line splitting (cl100k_base: 0.9 MB).
//!
//! Layout, integers little-endian:
//!
//! | bytes | what |
//! |---|---|
//! | 8 | [`MAGIC`]: `\0BPERANK` (the NUL keeps it apart from any text file) |
//! | 4 | format version, 1 |
//! | 4 | `n`, the number of ranks |
//! | 2 × `n` | the length in bytes of rank `i`'s token, for each `i` in `0..n`; 0 for a rank with no token (p50k_base has no 50256, the id of its special token) |
//! | the rest | the tokens' bytes, end to end, exactly the sum of the lengths |
//!
//! ```
//! use bpe_playground::formats::packed::write_packed;
//! use bpe_playground::formats::tiktoken::read_tiktoken;
//! use bpe_playground::{Pattern, Tokenizer};
//! let tok = Tokenizer::from_merges("t", &Pattern::Gpt4, &[(97, 98)], vec![]).unwrap();
//! let packed = write_packed(&tok).unwrap();
//! // Read wherever a rank file is: told apart from text by its first bytes.
//! let back = read_tiktoken("t", &packed, &Pattern::Gpt4, vec![]).unwrap();
//! assert_eq!(back.encode_ordinary("abab").unwrap(), vec![256, 256]);
//! ```

use crate::error::{Error, Result};
use crate::formats::tiktoken::{rank_file_tokens, RankFile, MAX_RANK};
use crate::tokenizer::Tokenizer;
use crate::vocab::Vocab;

/// The first eight bytes of a packed rank file.
pub const MAGIC: [u8; 8] = *b"\0BPERANK";
const VERSION: u32 = 1;
const FORMAT: &str = "packed rank file";
const HEADER: usize = 16;

/// Whether `data` starts as a packed rank file does.
pub fn is_packed(data: &[u8]) -> bool {
    data.starts_with(&MAGIC)
}

fn bad(message: String) -> Error {
    Error::Format {
        format: FORMAT,
        message,
    }
}

/// Reads a packed rank file. O(file size): one pass over the lengths and
/// one copy of the bytes. Checks every length against the file, so a
/// truncated or altered file is an error, never a panic.
pub fn read_packed(data: &[u8]) -> Result<RankFile> {
    if !is_packed(data) || data.len() < HEADER {
        return Err(bad(
            "the file does not start with a packed rank file's header".into(),
        ));
    }
    let word = |at: usize| u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let version = word(8);
    if version != VERSION {
        return Err(bad(format!(
            "version {version} is not known (this build reads version {VERSION})"
        )));
    }
    let count = word(12) as usize;
    if count == 0 || count > MAX_RANK as usize {
        return Err(bad(format!(
            "{count} ranks: there must be between 1 and {MAX_RANK}"
        )));
    }
    let body = &data[HEADER..];
    let (lengths, bytes) = body.split_at_checked(2 * count).ok_or_else(|| {
        bad(format!(
            "the file ends inside the lengths of its {count} ranks"
        ))
    })?;
    let length = |i: usize| u16::from_le_bytes([lengths[2 * i], lengths[2 * i + 1]]) as u32;
    let total: usize = (0..count).map(|i| length(i) as usize).sum();
    if total != bytes.len() {
        return Err(bad(format!(
            "the lengths add up to {total} bytes of tokens, but {} follow them",
            bytes.len()
        )));
    }
    // A vocabulary's offsets are 32-bit, as the text reader's are.
    if u32::try_from(total).is_err() {
        return Err(Error::TooLarge {
            what: "rank file",
            size: total,
            limit: u32::MAX as usize,
        });
    }
    // The ranks that have a token: all of them in most files.
    let ranks: Vec<u32> = (0..count as u32)
        .filter(|&r| length(r as usize) > 0)
        .collect();
    if ranks.is_empty() {
        return Err(bad("the file has no tokens".into()));
    }
    let tokens = Vocab::from_lengths(bytes.to_vec(), ranks.iter().map(|&r| length(r as usize)));
    Ok(RankFile { tokens, ranks })
}

/// Writes the ordinary tokens of any tokenizer packed (id = rank; an id
/// with no token, such as a special token's, has length 0).
///
/// Fails, as [`crate::formats::tiktoken::write_tiktoken`] does, if two ids
/// share the same bytes, and if a token is longer than 65,535 bytes.
pub fn write_packed(tok: &Tokenizer) -> Result<Vec<u8>> {
    let tokens = rank_file_tokens(tok, "a packed rank file")?;
    let count = tokens.last().map_or(0, |&(_, id)| id as usize + 1);
    let mut lengths = vec![0u16; count];
    for &(bytes, id) in &tokens {
        lengths[id as usize] = u16::try_from(bytes.len()).map_err(|_| {
            bad(format!(
                "the token of rank {id} is {} bytes long (at most 65,535)",
                bytes.len()
            ))
        })?;
    }
    let total: usize = tokens.iter().map(|(b, _)| b.len()).sum();
    let mut out = Vec::with_capacity(HEADER + 2 * count + total);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(count as u32).to_le_bytes());
    for n in lengths {
        out.extend_from_slice(&n.to_le_bytes());
    }
    for (bytes, _) in tokens {
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tiktoken::{parse_rank_file, read_tiktoken, write_tiktoken};
    use crate::pretokenize::Pattern;

    /// The 256 bytes (ranks 0–255) and the `extra` tokens.
    fn tokenizer(extra: &[(&[u8], u32)]) -> Tokenizer {
        let mut ranks: Vec<(Vec<u8>, u32)> = (0..=255u8).map(|b| (vec![b], b as u32)).collect();
        ranks.extend(extra.iter().map(|&(b, r)| (b.to_vec(), r)));
        Tokenizer::from_ranks("t", &Pattern::None, ranks, vec![]).unwrap()
    }

    fn sample() -> Tokenizer {
        tokenizer(&[(b"ab", 256), (b"abab", 257)])
    }

    #[test]
    fn a_rank_file_in_any_order_packs_in_rank_order() {
        let text = write_tiktoken(&sample()).unwrap();
        let reversed: String = text.lines().rev().map(|l| format!("{l}\n")).collect();
        let shuffled = read_tiktoken("t", reversed.as_bytes(), &Pattern::None, vec![]).unwrap();
        let packed = write_packed(&shuffled).unwrap();
        assert_eq!(packed, write_packed(&sample()).unwrap());
        assert_eq!(
            read_packed(&packed).unwrap(),
            parse_rank_file(text.as_bytes()).unwrap()
        );
    }

    #[test]
    fn damaged_files_are_errors_not_panics() {
        let good = write_packed(&sample()).unwrap();
        // Every truncation, and every single-byte change of the header and
        // lengths, is refused or reads back as some valid file: no panic.
        for cut in 0..good.len() {
            assert!(read_packed(&good[..cut]).is_err(), "cut at {cut}");
        }
        for at in 0..HEADER + 8 {
            for value in [0u8, 1, 0x7F, 0xFF] {
                let mut bad = good.clone();
                bad[at] = value;
                let _ = read_packed(&bad);
            }
        }
        let mut longer = good.clone();
        longer.push(b'x');
        assert!(read_packed(&longer)
            .unwrap_err()
            .to_string()
            .contains("follow them"));
        let mut gap = good.clone();
        gap[HEADER] = 0;
        assert!(read_packed(&gap)
            .unwrap_err()
            .to_string()
            .contains("add up to"));
        let mut version = good;
        version[8] = 2;
        assert!(read_packed(&version)
            .unwrap_err()
            .to_string()
            .contains("version 2"));
        assert!(read_packed(b"YQ== 0\n").is_err());
    }

    #[test]
    fn a_rank_with_no_token_is_a_gap() {
        let tok = tokenizer(&[(b"ab", 257)]);
        let packed = write_packed(&tok).unwrap();
        assert_eq!(&packed[12..16], &258u32.to_le_bytes());
        let at = HEADER + 2 * 256;
        assert_eq!(&packed[at..at + 4], &[0, 0, 2, 0]);
        let text = write_tiktoken(&tok).unwrap();
        assert_eq!(
            read_packed(&packed).unwrap(),
            parse_rank_file(text.as_bytes()).unwrap()
        );
        // Only gaps: no tokens at all.
        let mut none = packed[..HEADER].to_vec();
        none[12..16].copy_from_slice(&1u32.to_le_bytes());
        none.extend_from_slice(&[0, 0]);
        assert!(read_packed(&none)
            .unwrap_err()
            .to_string()
            .contains("no tokens"));
    }

    #[test]
    fn repeats_and_long_tokens_cannot_be_packed() {
        // Ids 258 and 259 are both "aba" (a minbpe vocabulary may do that).
        let merges = [(97, 98), (98, 97), (256, 97), (97, 257)];
        let twice = Tokenizer::from_merges("t", &Pattern::None, &merges, vec![]).unwrap();
        assert!(write_packed(&twice)
            .unwrap_err()
            .to_string()
            .contains("token 259 has the same bytes as an earlier token"));
        let long = tokenizer(&[(&[b'a'; 70_000], 256)]);
        assert!(write_packed(&long)
            .unwrap_err()
            .to_string()
            .contains("65,535"));
    }
}
