//! `Tokenizer::reencode` after random edits of the real corpora equals a full
//! `encode`, for every OpenAI encoding, with and without special tokens.

mod common;

use bpe_playground::AllowedSpecial;
use common::{corpus, pretrained_all};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INSERTS: &[&str] = &[
    "x",
    " ",
    "\n",
    "e",
    "'s",
    "日本",
    "🙂",
    "<|endoftext|>",
    "123",
    ".",
    "  ",
    "\u{301}",
    "Über ",
    "<|",
    "|>",
];

#[test]
fn edits_of_the_corpora_reencode_exactly() {
    for name in ["multilingual.txt", "tinyshakespeare.txt"] {
        let full = corpus(name);
        // A 20 KB window keeps the test quick (a full encode per edit).
        let mut end = full.len().min(20_000);
        while !full.is_char_boundary(end) {
            end -= 1;
        }
        let base = &full[..end];
        for tok in pretrained_all() {
            for allowed in [AllowedSpecial::None, AllowedSpecial::All] {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ tok.name().len() as u64);
                let mut text = base.to_string();
                let mut enc = tok.encode(&text, &allowed).unwrap();
                let mut reused = 0;
                for _ in 0..60 {
                    let mut at = rng.below(text.len());
                    while !text.is_char_boundary(at) {
                        at -= 1;
                    }
                    let mut to = (at + rng.below(6)).min(text.len());
                    while !text.is_char_boundary(to) {
                        to += 1;
                    }
                    let ins = INSERTS[rng.below(INSERTS.len())];
                    let new = format!("{}{}{}", &text[..at], ins, &text[to..]);
                    if tok.reencode_window(&text, &enc, &new, &allowed).is_some() {
                        reused += 1;
                    }
                    let got = tok.reencode(&text, &enc, &new, &allowed).unwrap();
                    let want = tok.encode(&new, &allowed).unwrap();
                    assert_eq!(
                        got,
                        want,
                        "{} {name} {allowed:?}: edit at {at}..{to} inserting {ins:?}",
                        tok.name()
                    );
                    text = new;
                    enc = got;
                }
                // Most edits re-encode only a window (the rest fall back).
                assert!(
                    reused > 40,
                    "{} {name}: only {reused} of 60 edits reused tokens",
                    tok.name()
                );
            }
        }
    }
}
