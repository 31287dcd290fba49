//! Hand-written pre-tokenizers for the built-in split patterns.
//!
//! Each built-in regex in [`crate::pretokenize`] is, for the purpose of
//! splitting, a small decision procedure: look at the character at the current
//! position (and sometimes the next one), pick the first alternative that can
//! match, and extend a run of characters of one class. This module writes those
//! procedures out by hand, so that splitting costs one table lookup per
//! character instead of a backtracking regex search.
//!
//! The chunk boundaries are *exactly* those of fancy-regex's `find_iter` for the
//! corresponding pattern (leftmost-first alternation, possessive quantifiers,
//! `\s+(?!\S)`, `\s++$`, Unicode case folding in `(?i:…)`); the tests compare
//! both on corpora and random strings. All character classes (`\p{L}`, `\p{N}`,
//! `\s`, o200k's upper/lower letter classes, the case-fold sets of the
//! contraction letters) come from the very `regex-syntax` tables that the
//! regex engine uses: the build script (`src/build.rs`) computes the lookup
//! tables from them, and a test checks every code point against them again.
//!
//! Every pattern here matches a non-empty chunk at every position, so the
//! chunks tile the text.
//!
//! Complexity: splitting is O(n) in the length of the text, with O(1) work per
//! character (one two-level table lookup, ASCII straight from a 128-entry
//! table). Each character is examined a small constant number of times: the
//! character after a chunk is read again by the next chunk, and o200k may scan
//! a run of upper-case letters up to three times while trying its
//! alternatives (the backtracking of `U*` is replaced by remembering the last
//! lower-case-capable character of the run, so it never goes quadratic).
//! The tables are static data: 8.5 KB of index plus 140 distinct 256-entry
//! blocks (35 KB).

use crate::split_classes::{BLOCK_BITS, CODE_SPACE, END, FOLD_MAX, L, MB, N, NL, S, U, W};

/// A built-in pattern with a hand-written splitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `GPT2_PATTERN`.
    Gpt2,
    /// `GPT4_PATTERN`.
    Gpt4,
    /// `R50K_PATTERN`.
    R50k,
    /// `CL100K_PATTERN`.
    Cl100k,
    /// `O200K_PATTERN`.
    O200k,
}

impl Kind {
    /// Calls `f` with the byte range of every chunk of `text`, in order,
    /// exactly as fancy-regex's `find_iter` would report them.
    ///
    /// O(n) time in `text.len()`, no allocation.
    ///
    /// In wasm the callback is called through `dyn`: one copy of the
    /// splitter (about 20 KB of code) instead of one per caller.
    #[inline]
    pub fn for_each_chunk(self, text: &str, mut f: impl FnMut(std::ops::Range<usize>)) {
        #[cfg(target_arch = "wasm32")]
        self.chunks(text, &mut f as &mut dyn FnMut(std::ops::Range<usize>));
        #[cfg(not(target_arch = "wasm32"))]
        self.chunks(text, &mut f);
    }

    fn chunks(self, text: &str, f: impl FnMut(std::ops::Range<usize>)) {
        let t = tables();
        let b = text.as_bytes();
        match self {
            // The two patterns differ only in possessiveness and in
            // `\s++$|…|\s` vs `…|\s+`, which select the same chunks.
            Kind::Gpt2 | Kind::R50k => tile(b, f, |p| t.next_gpt2(b, p)),
            Kind::Gpt4 => tile(b, f, |p| t.next_cl100k(b, p, false)),
            Kind::Cl100k => tile(b, f, |p| t.next_cl100k(b, p, true)),
            Kind::O200k => tile(b, f, |p| t.next_o200k(b, p)),
        }
    }

    /// The chunks of `text` as byte ranges.
    pub fn split(self, text: &str) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        self.for_each_chunk(text, |r| out.push(r));
        out
    }
}

/// Reports the chunks `pos..next(pos)` from the start of `b` to its end.
#[inline(always)]
fn tile(b: &[u8], mut f: impl FnMut(std::ops::Range<usize>), mut next: impl FnMut(usize) -> usize) {
    let mut pos = 0;
    while pos < b.len() {
        let end = next(pos);
        debug_assert!(end > pos && end <= b.len());
        f(pos..end);
        pos = end;
    }
}

/// `[^\s\p{L}\p{N}]` is "none of these".
const NOT_P: u8 = S | L | N | END;
/// `[^\r\n\p{L}\p{N}]` is "none of these".
const NOT_Q: u8 = NL | L | N | END;

const BLOCK: usize = 1 << BLOCK_BITS;

// BYTE, INDEX, BLOCKS and FOLD, written by src/build.rs.
include!(concat!(env!("OUT_DIR"), "/split_tables.rs"));

/// Character class lookup: a 256-entry byte table for ASCII and a two-level table
/// (code point >> 8 → block, low 8 bits → flags) with identical blocks shared.
struct Tables {
    /// Flags of the ASCII characters; `MB` for bytes 0x80 and up.
    byte: &'static [u8; 256],
    index: &'static [u16],
    blocks: &'static [u8],
    /// For each ASCII lowercase letter, the code points `(?i)letter` matches
    /// (padded with `u32::MAX`).
    fold: &'static [[u32; FOLD_MAX]; 26],
}

fn tables() -> &'static Tables {
    static TABLES: Tables = Tables {
        byte: &BYTE,
        index: &INDEX,
        blocks: &BLOCKS,
        fold: &FOLD,
    };
    &TABLES
}

impl Tables {
    /// Flags and UTF-8 length of the character starting at byte `i`;
    /// `(END, 0)` at the end of the text. `b` is valid UTF-8 and `i` is on a
    /// character boundary.
    #[inline(always)]
    fn at(&self, b: &[u8], i: usize) -> (u8, usize) {
        match b.get(i) {
            None => (END, 0),
            Some(&c) if c < 0x80 => (self.byte[c as usize], 1),
            Some(_) => {
                let (cp, len) = decode(b, i);
                (self.lookup(cp), len)
            }
        }
    }

    #[inline(always)]
    fn lookup(&self, cp: u32) -> u8 {
        let block = self.index[(cp >> BLOCK_BITS) as usize] as usize;
        self.blocks[(block << BLOCK_BITS) | (cp as usize & (BLOCK - 1))]
    }

    /// End of the run of characters from `i` whose flags intersect `mask`.
    #[inline(always)]
    fn run_while(&self, b: &[u8], mut i: usize, mask: u8) -> usize {
        loop {
            let Some(&c) = b.get(i) else { return i };
            let f = self.byte[c as usize];
            if f & mask != 0 {
                i += 1;
                continue;
            }
            if f & MB == 0 {
                return i;
            }
            let (cp, len) = decode(b, i);
            if self.lookup(cp) & mask == 0 {
                return i;
            }
            i += len;
        }
    }

    /// End of the run of characters from `i` whose flags avoid `stop`
    /// (`stop` must contain `END`).
    #[inline(always)]
    fn run_until(&self, b: &[u8], mut i: usize, stop: u8) -> usize {
        loop {
            let Some(&c) = b.get(i) else { return i };
            let f = self.byte[c as usize];
            if f & (stop | MB) == 0 {
                i += 1;
                continue;
            }
            if f & MB == 0 {
                return i;
            }
            let (cp, len) = decode(b, i);
            if self.lookup(cp) & stop != 0 {
                return i;
            }
            i += len;
        }
    }

    /// End of at most three `\p{N}` characters from `i`.
    #[inline(always)]
    fn up_to_three_digits(&self, b: &[u8], mut i: usize) -> usize {
        for _ in 0..3 {
            let (f, len) = self.at(b, i);
            if f & N == 0 {
                break;
            }
            i += len;
        }
        i
    }

    /// Whether the character at `i` is matched by `(?i:letter)`, and its length.
    #[inline]
    fn ci(&self, b: &[u8], i: usize, letter: u8) -> Option<usize> {
        if i >= b.len() {
            return None;
        }
        let (cp, len) = decode(b, i);
        self.fold[(letter - b'a') as usize]
            .contains(&cp)
            .then_some(len)
    }

    /// Length of a suffix `[sdmt]|ll|ve|re` right after an apostrophe at
    /// `i - 1`, case-sensitively (`'(?:…)`) or under Unicode simple case
    /// folding (`'(?i:…)`).
    fn contraction(&self, b: &[u8], i: usize, casei: bool) -> Option<usize> {
        if !casei {
            let c0 = *b.get(i)?;
            if matches!(c0, b's' | b'd' | b'm' | b't') {
                return Some(1);
            }
            let c1 = *b.get(i + 1)?;
            return matches!((c0, c1), (b'l', b'l') | (b'v', b'e') | (b'r', b'e')).then_some(2);
        }
        for c in [b's', b'd', b'm', b't'] {
            if let Some(n) = self.ci(b, i, c) {
                return Some(n);
            }
        }
        for [c0, c1] in [[b'l', b'l'], [b'v', b'e'], [b'r', b'e']] {
            if let Some(n0) = self.ci(b, i, c0) {
                if let Some(n1) = self.ci(b, i + n0, c1) {
                    return Some(n0 + n1);
                }
            }
        }
        None
    }

    /// o200k's optional `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i`: the end after it.
    fn o200k_contraction(&self, b: &[u8], i: usize) -> usize {
        if b.get(i) != Some(&b'\'') {
            return i;
        }
        let j = i + 1;
        for c in [b's', b't'] {
            if let Some(n) = self.ci(b, j, c) {
                return j + n;
            }
        }
        for [c0, c1] in [[b'r', b'e'], [b'v', b'e']] {
            if let Some(n0) = self.ci(b, j, c0) {
                if let Some(n1) = self.ci(b, j + n0, c1) {
                    return j + n0 + n1;
                }
            }
        }
        if let Some(n) = self.ci(b, j, b'm') {
            return j + n;
        }
        if let Some(n0) = self.ci(b, j, b'l') {
            if let Some(n1) = self.ci(b, j + n0, b'l') {
                return j + n0 + n1;
            }
        }
        if let Some(n) = self.ci(b, j, b'd') {
            return j + n;
        }
        i
    }

    /// Scans the whitespace run starting at `p` (which must be whitespace).
    /// Returns its end, the start of its last character, and the end of its
    /// last `\r`/`\n` (or `p` if it has none).
    #[inline(always)]
    fn ws_run(&self, b: &[u8], p: usize) -> (usize, usize, usize) {
        let mut i = p;
        let mut last = p;
        let mut nl_end = p;
        loop {
            let (f, len) = self.at(b, i);
            if f & S == 0 {
                return (i, last, nl_end);
            }
            last = i;
            i += len;
            if f & NL != 0 {
                nl_end = i;
            }
        }
    }

    /// `\s+(?!\S)|\s+` at whitespace `p`: the run, minus its last character if
    /// a non-space follows and that leaves something.
    #[inline(always)]
    fn ws_tail(end: usize, last: usize, p: usize, len: usize) -> usize {
        if end == len || last == p {
            end
        } else {
            last
        }
    }

    /// The chunk end at `p` for
    /// `'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    /// (GPT-2; r50k's possessive variant selects the same chunks).
    #[inline(always)]
    fn next_gpt2(&self, b: &[u8], p: usize) -> usize {
        let c = b[p];
        if c == b'\'' {
            if let Some(n) = self.contraction(b, p + 1, false) {
                return p + 1 + n;
            }
        }
        let (mut f, _) = self.at(b, p);
        let mut q = p;
        if c == b' ' {
            // ` ?X+`: the space belongs to a following non-space run.
            let (f2, _) = self.at(b, p + 1);
            if f2 & (S | END) == 0 {
                q = p + 1;
                f = f2;
            }
        }
        if f & L != 0 {
            return self.run_while(b, q, L);
        }
        if f & N != 0 {
            return self.run_while(b, q, N);
        }
        if f & NOT_P == 0 {
            return self.run_until(b, q, NOT_P);
        }
        debug_assert!(f & S != 0);
        let (end, last, _) = self.ws_run(b, p);
        Self::ws_tail(end, last, p, b.len())
    }

    /// The chunk end at `p` for cl100k
    /// (`'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`)
    /// or, with `end_anchor` false, for minbpe's GPT-4 pattern, which lacks
    /// the `\s++$` alternative (the other differences select the same chunks).
    #[inline(always)]
    fn next_cl100k(&self, b: &[u8], p: usize, end_anchor: bool) -> usize {
        let c = b[p];
        if c == b'\'' {
            if let Some(n) = self.contraction(b, p + 1, true) {
                return p + 1 + n;
            }
        }
        let (f, len) = self.at(b, p);
        // [^\r\n\p{L}\p{N}]?+\p{L}++
        if f & L != 0 {
            return self.run_while(b, p + len, L);
        }
        if f & NOT_Q == 0 {
            let (f2, len2) = self.at(b, p + len);
            if f2 & L != 0 {
                return self.run_while(b, p + len + len2, L);
            }
        }
        // \p{N}{1,3}+
        if f & N != 0 {
            return self.up_to_three_digits(b, p);
        }
        // ' ?[^\s\p{L}\p{N}]++[\r\n]*+'
        let mut q = p;
        let mut g = f;
        if c == b' ' {
            let (f2, _) = self.at(b, p + 1);
            if f2 & NOT_P == 0 {
                q = p + 1;
                g = f2;
            }
        }
        if g & NOT_P == 0 {
            let e = self.run_until(b, q, NOT_P);
            return skip_set(b, e, NL_SET);
        }
        debug_assert!(f & S != 0);
        let (end, last, nl_end) = self.ws_run(b, p);
        if end_anchor && end == b.len() {
            return end; // \s++$
        }
        if nl_end > p {
            return nl_end; // \s*[\r\n]
        }
        Self::ws_tail(end, last, p, b.len())
    }

    /// o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+`
    /// starting at `a`, with the backtracking of the greedy `*`: the end of the
    /// match, if any.
    #[inline(always)]
    fn o200k_lower_word(&self, b: &[u8], a: usize) -> Option<usize> {
        // The `*` takes the longest prefix of the upper run that is followed
        // by a lower character.
        let mut i = a;
        let mut last_lower = None;
        loop {
            let (f, len) = self.at(b, i);
            if f & U == 0 {
                if f & W != 0 {
                    return Some(self.run_while(b, i + len, W));
                }
                return last_lower.map(|j| self.run_while(b, j, W));
            }
            if f & W != 0 {
                last_lower = Some(i);
            }
            i += len;
        }
    }

    /// The chunk end at `p` for o200k (see `O200K_PATTERN`).
    #[inline(always)]
    fn next_o200k(&self, b: &[u8], p: usize) -> usize {
        let (f, len) = self.at(b, p);
        let prefix = f & NOT_Q == 0;
        if prefix || f & (U | W) != 0 {
            // Alternative 1, first with the optional prefix, then without.
            if prefix {
                if let Some(e) = self.o200k_lower_word(b, p + len) {
                    return self.o200k_contraction(b, e);
                }
            }
            if f & (U | W) != 0 {
                if let Some(e) = self.o200k_lower_word(b, p) {
                    return self.o200k_contraction(b, e);
                }
            }
            // Alternative 2: `prefix? upper+ lower*`.
            if prefix {
                let (f2, _) = self.at(b, p + len);
                if f2 & U != 0 {
                    let e = self.run_while(b, p + len, U);
                    return self.o200k_contraction(b, self.run_while(b, e, W));
                }
            }
            if f & U != 0 {
                let e = self.run_while(b, p, U);
                return self.o200k_contraction(b, self.run_while(b, e, W));
            }
        }
        // \p{N}{1,3}
        if f & N != 0 {
            return self.up_to_three_digits(b, p);
        }
        // ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
        let c = b[p];
        let mut q = p;
        let mut g = f;
        if c == b' ' {
            let (f2, _) = self.at(b, p + 1);
            if f2 & NOT_P == 0 {
                q = p + 1;
                g = f2;
            }
        }
        if g & NOT_P == 0 {
            let e = self.run_until(b, q, NOT_P);
            return skip_set(b, e, NL_SET | 1 << b'/');
        }
        debug_assert!(f & S != 0);
        let (end, last, nl_end) = self.ws_run(b, p);
        if nl_end > p {
            return nl_end; // \s*[\r\n]+
        }
        Self::ws_tail(end, last, p, b.len())
    }
}

/// Whether every built-in pattern has a chunk boundary at byte `i` of `text`,
/// whatever precedes the character before `i` and whatever follows the
/// character at `i`: the character ending at `i` is a letter (`\p{L}`) and
/// the one starting at `i` is neither a letter, nor a mark (`\p{M}`, which
/// o200k's words take in), nor `'` (which starts a contraction).
///
/// Why: in every built-in pattern only the word alternatives (and the
/// contractions, which end in letters) match letters, and they end exactly
/// where the letters (and o200k's marks) end; no alternative that starts
/// before `i` reads past the character at `i`. So splitting may restart at
/// such an `i` (see [`crate::tokenizer::Tokenizer::reencode`]). O(1).
pub fn is_word_end(text: &str, i: usize) -> bool {
    let b = text.as_bytes();
    if i == 0 || i >= b.len() || !text.is_char_boundary(i) || b[i] == b'\'' {
        return false;
    }
    let t = tables();
    let mut j = i - 1;
    while j > 0 && (b[j] & 0xC0) == 0x80 {
        j -= 1;
    }
    let (before, _) = t.at(b, j);
    let (at, _) = t.at(b, i);
    before & L != 0 && at & (L | U | W) == 0
}

/// `\r` and `\n` as a set of bytes below 64 for [`skip_set`].
const NL_SET: u64 = 1 << b'\r' | 1 << b'\n';

/// The end of the run of bytes from `i` that are in `set` (bytes below 64,
/// one bit each): one test per byte instead of a branch per candidate.
#[inline(always)]
fn skip_set(b: &[u8], mut i: usize, set: u64) -> usize {
    while let Some(&x) = b.get(i) {
        if x >= 64 || set >> x & 1 == 0 {
            break;
        }
        i += 1;
    }
    i
}

/// Decodes the character starting at byte `i` of valid UTF-8.
#[inline(always)]
fn decode(b: &[u8], i: usize) -> (u32, usize) {
    let b0 = b[i] as u32;
    if b0 < 0x80 {
        (b0, 1)
    } else if b0 < 0xE0 {
        (((b0 & 0x1F) << 6) | (b[i + 1] as u32 & 0x3F), 2)
    } else if b0 < 0xF0 {
        (
            ((b0 & 0x0F) << 12) | ((b[i + 1] as u32 & 0x3F) << 6) | (b[i + 2] as u32 & 0x3F),
            3,
        )
    } else {
        (
            ((b0 & 0x07) << 18)
                | ((b[i + 1] as u32 & 0x3F) << 12)
                | ((b[i + 2] as u32 & 0x3F) << 6)
                | (b[i + 3] as u32 & 0x3F),
            4,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pretokenize::{Pattern, Splitter};
    use proptest::prelude::*;
    use regex_syntax::hir::{Class, HirKind};
    use std::sync::OnceLock;

    const KINDS: [(Kind, Pattern); 5] = [
        (Kind::Gpt2, Pattern::Gpt2),
        (Kind::Gpt4, Pattern::Gpt4),
        (Kind::R50k, Pattern::R50k),
        (Kind::Cl100k, Pattern::Cl100k),
        (Kind::O200k, Pattern::O200k),
    ];

    /// The regex splitters, compiled once (compiling them is the slow part
    /// of short tests).
    fn regex_splitters() -> &'static [(Kind, Splitter)] {
        static SPLITTERS: OnceLock<Vec<(Kind, Splitter)>> = OnceLock::new();
        SPLITTERS.get_or_init(|| {
            KINDS
                .iter()
                .map(|(k, p)| (*k, p.splitter().unwrap().regex_only()))
                .collect()
        })
    }

    fn regex_split(s: &Splitter, text: &str) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        s.for_each_chunk_regex(text, |r| out.push(r)).unwrap();
        out
    }

    /// Compares the two splitters; on a mismatch, shows the first differing
    /// chunk with some context.
    fn check(kind: Kind, s: &Splitter, text: &str) {
        let fast = kind.split(text);
        let slow = regex_split(s, text);
        if fast != slow {
            let i = fast.iter().zip(&slow).take_while(|(a, b)| a == b).count();
            let from = i.saturating_sub(2);
            let show = |v: &[std::ops::Range<usize>]| -> Vec<&str> {
                v.iter()
                    .skip(from)
                    .take(5)
                    .map(|r| &text[r.clone()])
                    .collect()
            };
            panic!(
                "{kind:?} differs at chunk {i} in {:?}\n fast:  {:?}\n regex: {:?}",
                text.chars().take(200).collect::<String>(),
                show(&fast),
                show(&slow)
            );
        }
    }

    fn check_all(text: &str) {
        for (k, s) in regex_splitters() {
            check(*k, s, text);
        }
    }

    fn corpus() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("corpus dir") {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "txt") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
        assert!(!out.is_empty());
        out
    }

    #[test]
    fn corpus_matches_regex() {
        let splitters = regex_splitters();
        for (name, text) in corpus() {
            // Debug builds of the regex are slow: a prefix of each file is
            // plenty here; the ignored test below runs whole files.
            let cut = text
                .char_indices()
                .nth(60_000)
                .map_or(text.len(), |(i, _)| i);
            for (k, s) in splitters {
                eprintln!("{name} {k:?}");
                check(*k, s, &text[..cut]);
            }
        }
    }

    #[test]
    #[ignore = "slow in debug builds; run with --release -- --ignored"]
    fn whole_corpus_matches_regex() {
        let splitters = regex_splitters();
        for (_, text) in corpus() {
            for (k, s) in splitters {
                check(*k, s, &text);
            }
        }
    }

    #[test]
    fn edge_cases() {
        let cases = [
            "",
            " ",
            "  ",
            "x ",
            "x  ",
            "x \n ",
            "x\n  ",
            "  \n  x",
            "a  b",
            "a \t b",
            "'s'S'll",
            "'ſ'ſt 'LL'Ll'lL 'Ve 'RE 'D'M'T 'x ''s",
            "he's don't I'M we'LL you'Re they'VE it'ſ",
            "1234567",
            "12 345 6789 ١٢٣٤ ½²³ Ⅻ",
            "\r\n\r\n",
            "a\r\n\r\nb",
            "a \r\n \r\n b",
            "x\n\n\n",
            "ends in space ",
            "ends in spaces   ",
            "ends in nbsp\u{a0}",
            "\u{3000}\u{3000}x\u{2028}y",
            "Hello world123!!",
            "HELLO World hello WORLD CamelCase mIxEd",
            "/path/to/file\n/x/\r\n//",
            "  !!\n\n...\r\n",
            "\u{301}A\u{301}a \u{301}\u{301}",
            "中文字符，测试。日本語のテキスト",
            "ǅungla ǅUNGLA aǅ Kelvin \u{212a}elvin ſtraße",
            "😀😀 👍🏽 🇫🇷",
            "ʰaʰAʰ",
        ];
        for text in cases {
            check_all(text);
        }
    }

    /// Representative characters of every category the patterns distinguish.
    const SAMPLES: &[&str] = &[
        // ASCII letters, digits, punctuation, apostrophes, spaces
        "a", "z", "A", "Z", "s", "S", "d", "m", "t", "l", "L", "v", "e", "r", "R", "E", "0", "5",
        "9", "!", ".", ",", "/", "-", "\"", "'", "'", "'", "`", " ", " ", " ", "\t", "\n", "\r",
        "\r\n", "\x0b", "\x0c", "\x01", // Unicode white space
        "\u{85}", "\u{a0}", "\u{1680}", "\u{2000}", "\u{200a}", "\u{2028}", "\u{2029}", "\u{202f}",
        "\u{205f}", "\u{3000}", // not white space
        "\u{200b}", "\u{200d}", "\u{feff}", "\u{180e}", // Lu Ll Lt Lm Lo
        "Ä", "Σ", "\u{212a}", "ß", "σ", "ſ", "\u{fb05}", "ǅ", "ᾈ", "ʰ", "ー", "ª", "中", "あ", "ا",
        // Mn Mc Me
        "\u{301}", "\u{903}", "\u{20dd}", // Nd Nl No
        "٣", "߀", "Ⅻ", "½", "²", "𝟘", // symbols, emoji, CJK punctuation, private use
        "€", "😀", "🏽", "、", "。", "\u{e000}", // contractions
        "'s", "'S", "'ll", "'LL", "'Re", "'ve", "'ſ", "'m", "'D", "'T",
    ];

    fn text_strategy(max_atoms: usize) -> impl Strategy<Value = String> {
        let atom = prop_oneof![
            8 => proptest::sample::select(SAMPLES).prop_map(str::to_string),
            1 => any::<char>().prop_map(|c| c.to_string()),
        ];
        proptest::collection::vec(atom, 0..max_atoms).prop_map(|v| v.concat())
    }

    fn cases() -> u32 {
        std::env::var("FASTSPLIT_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000)
    }

    proptest! {
        // `FASTSPLIT_CASES=100000 cargo test --release --lib fastsplit` for a
        // heavier fuzz run.
        #![proptest_config(ProptestConfig::with_cases(cases()))]
        #[test]
        fn random_strings_match_regex(text in text_strategy(40)) {
            check_all(&text);
        }

        #[test]
        #[ignore = "heavier fuzz run; cargo test --release -- --ignored"]
        fn long_random_strings_match_regex(text in text_strategy(400)) {
            check_all(&text);
        }
    }

    /// Every 251st code point alone and in a few contexts (all of them in the
    /// ignored test).
    fn single_chars(step: usize) {
        let splitters = regex_splitters();
        let chars: Vec<char> = (0..0x11_0000u32)
            .step_by(step)
            .filter_map(char::from_u32)
            .collect();
        for chunk in chars.chunks(512) {
            let mut text = String::new();
            for &c in chunk {
                for ctx in ["", "a", " ", "A", "'", "\n", "1"] {
                    text.push(c);
                    text.push_str(ctx);
                    text.push(c);
                    text.push(' ');
                }
            }
            for (k, s) in splitters {
                check(*k, s, &text);
                for &c in chunk.iter().take(64) {
                    check(*k, s, &c.to_string());
                }
            }
        }
    }

    #[test]
    fn sampled_code_points_match_regex() {
        single_chars(251);
    }

    #[test]
    #[ignore = "slow; run with --release -- --ignored"]
    fn all_code_points_match_regex() {
        single_chars(1);
    }

    #[test]
    fn chunks_tile_the_text() {
        let text = "Hello've world 12345 !!\n\n  x";
        for (k, _) in KINDS {
            let ranges = k.split(text);
            assert_eq!(ranges.first().map(|r| r.start), Some(0));
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
            assert_eq!(ranges.last().map(|r| r.end), Some(text.len()));
        }
    }

    #[test]
    fn contraction_fold_sets_come_from_regex_syntax() {
        let t = tables();
        // `(?i)s` matches the long s (U+017F); `(?i)k` the Kelvin sign.
        assert!(t.fold[(b's' - b'a') as usize].contains(&0x17f));
        assert!(t.fold[(b'k' - b'a') as usize].contains(&0x212a));
    }

    /// Prints MB/s of the fast path and of fancy-regex. Run with
    /// `cargo test --release --lib fastsplit::tests::throughput -- --ignored --nocapture`.
    #[test]
    #[ignore = "benchmark; run in release mode"]
    fn throughput() {
        use std::time::Instant;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        for file in ["tinyshakespeare.txt", "multilingual.txt"] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let mb = text.len() as f64 / 1e6;
            for (k, s) in regex_splitters() {
                // Best of several rounds: the machine may be shared.
                let best = |rounds: usize, run: &dyn Fn() -> usize| {
                    (0..rounds)
                        .map(|_| {
                            let start = Instant::now();
                            assert_eq!(run(), text.len());
                            mb / start.elapsed().as_secs_f64()
                        })
                        .fold(0.0, f64::max)
                };
                let fast = best(30, &|| {
                    let mut n = 0;
                    k.for_each_chunk(&text, |r| n += r.len());
                    n
                });
                let slow = best(3, &|| {
                    let mut n = 0;
                    s.for_each_chunk_regex(&text, |r| n += r.len()).unwrap();
                    n
                });
                println!(
                    "{file:20} {:7} fast {fast:7.1} MB/s  fancy-regex {slow:6.1} MB/s  ({:.0}x)",
                    format!("{k:?}"),
                    fast / slow
                );
            }
        }
    }

    /// The code points of a class in regex syntax, by regex-syntax itself.
    fn class_members(class: &str) -> Vec<u32> {
        match regex_syntax::parse(class).unwrap().kind() {
            HirKind::Class(Class::Unicode(c)) => c
                .ranges()
                .iter()
                .flat_map(|r| r.start() as u32..=r.end() as u32)
                .collect(),
            HirKind::Literal(lit) => std::str::from_utf8(&lit.0)
                .unwrap()
                .chars()
                .map(|c| c as u32)
                .collect(),
            other => panic!("unexpected HIR for {class}: {other:?}"),
        }
    }

    /// The tables src/build.rs wrote give every code point exactly the
    /// classes regex-syntax puts it in, here and now.
    #[test]
    fn static_tables_agree_with_regex_syntax() {
        use crate::split_classes::CLASSES;
        let mut want = vec![0u8; CODE_SPACE];
        for (class, flag) in CLASSES {
            for cp in class_members(class) {
                want[cp as usize] |= flag;
            }
        }
        let t = tables();
        for (cp, &flags) in want.iter().enumerate() {
            assert_eq!(t.lookup(cp as u32), flags, "U+{cp:04X}");
            if cp < 128 {
                assert_eq!(t.byte[cp], flags, "byte {cp}");
            }
        }
        assert!(t.byte[128..].iter().all(|&f| f == MB));
        for (letter, slot) in ('a'..='z').zip(t.fold.iter()) {
            let mut members = class_members(&format!("(?i:{letter})"));
            members.resize(FOLD_MAX, u32::MAX);
            assert_eq!(slot.as_slice(), members.as_slice(), "(?i:{letter})");
        }
        assert!(t.blocks.len() % BLOCK == 0 && t.blocks.len() <= 200 * BLOCK);
    }

    #[test]
    fn splitter_uses_fast_path_with_same_chunks() {
        let text = "Hello've world 12345 !!\n\n  x\u{3000}ſ'ſ";
        for (_, p) in KINDS {
            let s = p.splitter().unwrap();
            let fast = s.split(text).unwrap();
            let slow = s.clone().regex_only().split(text).unwrap();
            assert_eq!(fast, slow, "{p:?}");
            let bytes = b"ab \xff\xfe cd'S";
            let (mut a, mut b) = (Vec::new(), Vec::new());
            s.for_each_chunk_bytes(bytes, |r| a.push(r)).unwrap();
            s.clone()
                .regex_only()
                .for_each_chunk_bytes(bytes, |r| b.push(r))
                .unwrap();
            assert_eq!(a, b, "{p:?}");
        }
    }
}
