//! minbpe's files: `.model` (read and write) and `.vocab` (write).
//!
//! `.model` is line-based: `minbpe v1`, the split pattern (empty for none),
//! the number of special tokens, one `<token> <id>` line per special token,
//! then one `<id1> <id2>` line per merge; merge `i` makes id `256 + i`.
//!
//! `.vocab` is for people: one line per token, `[bytes] id` for the 256 bytes
//! and `[left][right] -> [token] id` for merges, where bytes are decoded as
//! UTF-8 with U+FFFD for invalid sequences and control characters (Unicode
//! category C) are escaped as `\uXXXX`, exactly as minbpe's `render_token`.

use crate::error::{Error, Result};
use crate::pretokenize::Pattern;
use crate::tokenizer::Tokenizer;
use std::fmt::Write;
use std::sync::OnceLock;

const FORMAT: &str = "minbpe .model";

fn parse_err(line: usize, message: impl Into<String>) -> Error {
    Error::Parse {
        format: FORMAT,
        line,
        message: message.into(),
    }
}

/// Reads a minbpe `.model` file into a tokenizer named `name`.
pub fn read_model(name: &str, text: &str) -> Result<Tokenizer> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let mut next = |what: &str| {
        lines
            .next()
            .ok_or_else(|| parse_err(0, format!("the file ends before {what}")))
    };
    let (n, version) = next("the version line")?;
    if version.trim_end() != "minbpe v1" {
        return Err(parse_err(
            n,
            format!("expected \"minbpe v1\", found {version:?}"),
        ));
    }
    let (_, pattern) = next("the pattern line")?;
    let pattern = Pattern::from_regex(pattern.trim_end_matches('\r'));
    let (n, count) = next("the special-token count")?;
    let count: usize = count.trim().parse().map_err(|_| {
        parse_err(
            n,
            format!("expected the number of special tokens, found {count:?}"),
        )
    })?;
    let mut special = Vec::new();
    for _ in 0..count {
        let (n, line) = next("all special tokens are listed")?;
        let mut parts = line.split_whitespace();
        let (Some(tok), Some(id), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(parse_err(
                n,
                format!("expected \"<token> <id>\", found {line:?}"),
            ));
        };
        let id: u32 = id
            .parse()
            .map_err(|_| parse_err(n, format!("special token id {id:?} is not a number")))?;
        special.push((tok.to_string(), id));
    }
    let mut merges = Vec::new();
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.split_whitespace().map(str::parse::<u32>);
        let (Some(Ok(a)), Some(Ok(b)), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(parse_err(
                n,
                format!("expected a merge \"<id1> <id2>\", found {line:?}"),
            ));
        };
        let limit = 256 + merges.len() as u32;
        if a >= limit || b >= limit {
            return Err(parse_err(
                n,
                format!(
                    "merge {a} {b} uses an id that does not exist yet (ids so far: 0..{limit})"
                ),
            ));
        }
        merges.push((a, b));
    }
    Tokenizer::from_merges(name, &pattern, &merges, special)
}

/// Writes a tokenizer with explicit merges as a minbpe `.model` file.
pub fn write_model(tok: &Tokenizer) -> Result<String> {
    let merges = minbpe_merges(tok)?;
    let mut out = String::from("minbpe v1\n");
    let _ = writeln!(out, "{}", tok.pattern().regex());
    let _ = writeln!(out, "{}", tok.special_tokens().len());
    for (text, id) in tok.special_tokens() {
        let _ = writeln!(out, "{text} {id}");
    }
    for (a, b, _) in merges {
        let _ = writeln!(out, "{a} {b}");
    }
    Ok(out)
}

/// Writes the human-readable `.vocab` file, as minbpe renders it.
pub fn write_vocab(tok: &Tokenizer) -> Result<String> {
    let merges = minbpe_merges(tok)?;
    let mut out = String::new();
    for b in 0..=255u8 {
        let _ = writeln!(out, "[{}] {b}", render_token(&[b]));
    }
    for (a, b, id) in merges {
        let _ = writeln!(
            out,
            "[{}][{}] -> [{}] {id}",
            render_token(tok.token_bytes(a)?),
            render_token(tok.token_bytes(b)?),
            render_token(tok.token_bytes(id)?)
        );
    }
    Ok(out)
}

/// The merges, checked to be minbpe-shaped: bytes are ids 0..255 and merge
/// `i` makes id `256 + i`.
fn minbpe_merges(tok: &Tokenizer) -> Result<Vec<(u32, u32, u32)>> {
    let merges = tok.merges();
    let bytes_ok = (0..=255u8).all(|b| tok.token_bytes(b as u32).ok() == Some(&[b][..]));
    let ids_ok = merges
        .iter()
        .enumerate()
        .all(|(i, m)| m.2 == 256 + i as u32);
    if !bytes_ok || !ids_ok {
        return Err(Error::Unsupported(format!(
            "{} cannot be written as a minbpe .model: its ids are not bytes 0..255 followed by merges in order",
            tok.name()
        )));
    }
    Ok(merges)
}

/// Renders token bytes as minbpe does: lossy UTF-8, control characters escaped.
pub fn render_token(bytes: &[u8]) -> String {
    let mut out = String::new();
    for ch in String::from_utf8_lossy(bytes).chars() {
        if is_other(ch) {
            let _ = write!(out, "\\u{:04x}", ch as u32);
        } else {
            out.push(ch);
        }
    }
    out
}

/// True for Unicode general category C (Cc, Cf, Cs, Co, Cn).
fn is_other(ch: char) -> bool {
    static RANGES: OnceLock<Vec<(char, char)>> = OnceLock::new();
    let ranges = RANGES.get_or_init(|| {
        use regex_syntax::hir::{Class, HirKind};
        let hir = regex_syntax::parse(r"\p{C}").expect("\\p{C} is a valid class");
        match hir.kind() {
            HirKind::Class(Class::Unicode(c)) => c.iter().map(|r| (r.start(), r.end())).collect(),
            _ => Vec::new(),
        }
    });
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < ch {
                std::cmp::Ordering::Less
            } else if lo > ch {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_minbpe() {
        assert_eq!(render_token(b"\n"), "\\u000a");
        assert_eq!(render_token(b".\n"), ".\\u000a");
        assert_eq!(render_token(&[0xE2]), "\u{FFFD}");
        assert_eq!(render_token("é \u{200d}".as_bytes()), "é \\u200d");
    }

    #[test]
    fn model_round_trip() {
        let text = "minbpe v1\n\n1\n<|end|> 300\n97 98\n256 99\n";
        let tok = read_model("t", text).unwrap();
        assert_eq!(write_model(&tok).unwrap(), text);
        assert_eq!(tok.token_bytes(257).unwrap(), b"abc");
    }

    #[test]
    fn malformed_lines_are_named() {
        let cases = [
            ("minbpe v2\n", 1),
            ("minbpe v1\n\nx\n", 3),
            ("minbpe v1\n\n1\nonlyone\n", 4),
            ("minbpe v1\n\n0\n97 98\n97\n", 5),
            ("minbpe v1\n\n0\n97 300\n", 4),
        ];
        for (text, line) in cases {
            match read_model("t", text) {
                Err(Error::Parse { line: l, .. }) => assert_eq!(l, line, "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }
}
