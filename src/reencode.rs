//! Re-encoding after an edit: reuse the tokens far from the change.
//!
//! A keystroke in a 100 KB text changes a few bytes, yet encoding from
//! scratch costs time in the length of the whole text. With a built-in split
//! pattern every chunk is encoded on its own, and some positions are chunk
//! boundaries whatever the rest of the text says
//! ([`fastsplit::is_word_end`]: a letter followed by a space, punctuation, a
//! digit…). So after an edit only the text between two such positions around
//! the change is encoded again:
//!
//! ```text
//! old:  [ tokens before a ][ old middle      ][ tokens from b − delta ]
//! new:  [ same tokens     ][ encode(text[a..b]) ][ same tokens, shifted ]
//! ```
//!
//! `a` is a word end in the unchanged prefix and `b` one in the unchanged
//! suffix where the old encoding also had a token boundary. Allowed special
//! tokens are matched before splitting; when one occurs near `a` or `b` the
//! whole text is encoded instead, so the result is always exactly
//! `encode(text)`.
//!
//! Complexity: O(n) byte comparisons and copies for the common prefix and
//! suffix and the reused tokens (memcmp/memcpy speed), plus the encoding of
//! `text[a..b]`, usually a few words.

use crate::error::Result;
use crate::fastsplit::is_word_end;
use crate::tokenizer::{AllowedSpecial, Encoding, Tokenizer};

impl Tokenizer {
    /// Encodes `text`, given that `old` is `self.encode(old_text, allowed)`:
    /// the same result as [`Tokenizer::encode`], in time proportional to the
    /// edit rather than the text when the split pattern is a built-in one.
    /// Falls back to a full encode when nothing can be reused (other
    /// patterns, an `old` that does not tile `old_text`, special tokens at the
    /// edit's edges).
    ///
    /// ```
    /// use bpe_playground::{AllowedSpecial, Pattern, Tokenizer};
    /// let tok = Tokenizer::from_merges("bytes", &Pattern::Cl100k, &[], vec![]).unwrap();
    /// let none = AllowedSpecial::None;
    /// let old_text = "Hello world, hello again.";
    /// let old = tok.encode(old_text, &none).unwrap();
    /// let text = "Hello wide world, hello again.";
    /// assert_eq!(tok.reencode(old_text, &old, text, &none).unwrap(), tok.encode(text, &none).unwrap());
    /// ```
    pub fn reencode(
        &self,
        old_text: &str,
        old: &Encoding,
        text: &str,
        allowed: &AllowedSpecial,
    ) -> Result<Encoding> {
        Ok(self.reencode_kept(old_text, old, text, allowed)?.0)
    }

    /// [`Tokenizer::reencode`], and how many tokens of `old` it kept at the
    /// start and at the end: those are the same tokens in the result (at the
    /// end, with offsets moved by the change in length), so a caller that
    /// shows `old` redraws only the ones between. `(0, 0)` when the text was
    /// encoded whole.
    ///
    /// ```
    /// use bpe_playground::{AllowedSpecial, Pattern, Tokenizer};
    /// let tok = Tokenizer::from_merges("bytes", &Pattern::Cl100k, &[], vec![]).unwrap();
    /// let none = AllowedSpecial::None;
    /// let old_text = "one two three four five six seven";
    /// let old = tok.encode(old_text, &none).unwrap();
    /// let text = "one two three FOUR five six seven";
    /// let (enc, head, tail) = tok.reencode_kept(old_text, &old, text, &none).unwrap();
    /// assert_eq!(enc, tok.encode(text, &none).unwrap());
    /// assert!(head > 0 && tail > 0);
    /// assert_eq!(enc.ids[..head], old.ids[..head]);
    /// assert_eq!(enc.ids[enc.ids.len() - tail..], old.ids[old.ids.len() - tail..]);
    /// ```
    pub fn reencode_kept(
        &self,
        old_text: &str,
        old: &Encoding,
        text: &str,
        allowed: &AllowedSpecial,
    ) -> Result<(Encoding, usize, usize)> {
        let Some((a, b)) = self.reencode_window(old_text, old, text, allowed) else {
            return Ok((self.encode(text, allowed)?, 0, 0));
        };
        self.check_disallowed(text, allowed)?;
        let (old_b, new_b) = (old_text.as_bytes(), text.as_bytes());
        let shift = |q: usize| q + old_b.len() - new_b.len();
        let keep_head = old.starts.partition_point(|&s| (s as usize) < a);
        let tail = if b == new_b.len() {
            old.ids.len()
        } else {
            old.starts.partition_point(|&s| (s as usize) < shift(b))
        };
        let middle = self.encode(&text[a..b], allowed)?;
        let mut enc = Encoding::default();
        let total = keep_head + middle.ids.len() + (old.ids.len() - tail);
        enc.ids.reserve(total);
        enc.starts.reserve(total);
        enc.ends.reserve(total);
        enc.ids.extend_from_slice(&old.ids[..keep_head]);
        enc.starts.extend_from_slice(&old.starts[..keep_head]);
        enc.ends.extend_from_slice(&old.ends[..keep_head]);
        enc.ids.extend_from_slice(&middle.ids);
        enc.starts
            .extend(middle.starts.iter().map(|&s| s + a as u32));
        enc.ends.extend(middle.ends.iter().map(|&e| e + a as u32));
        // Old offsets after the edit move by new_len − old_len (wrapping
        // arithmetic: the result is in range because the text is).
        let delta = (new_b.len() as u32).wrapping_sub(old_b.len() as u32);
        enc.ids.extend_from_slice(&old.ids[tail..]);
        enc.starts
            .extend(old.starts[tail..].iter().map(|&s| s.wrapping_add(delta)));
        enc.ends
            .extend(old.ends[tail..].iter().map(|&e| e.wrapping_add(delta)));
        Ok((enc, keep_head, old.ids.len() - tail))
    }

    /// The bytes `a..b` of `text` to encode again, the rest being reusable
    /// from `old`; `None` when nothing can be reused.
    pub fn reencode_window(
        &self,
        old_text: &str,
        old: &Encoding,
        text: &str,
        allowed: &AllowedSpecial,
    ) -> Option<(usize, usize)> {
        if !self.splitter().pattern().is_builtin_split() || !tiles(old, old_text.len()) {
            return None;
        }
        let (old_b, new_b) = (old_text.as_bytes(), text.as_bytes());
        let mut pre = old_b.iter().zip(new_b).take_while(|(x, y)| x == y).count();
        let most = old_b.len().min(new_b.len()) - pre;
        let mut suf = old_b
            .iter()
            .rev()
            .zip(new_b.iter().rev())
            .take(most)
            .take_while(|(x, y)| x == y)
            .count();
        while !(text.is_char_boundary(pre) && old_text.is_char_boundary(pre)) {
            pre -= 1;
        }
        while !(text.is_char_boundary(new_b.len() - suf)
            && old_text.is_char_boundary(old_b.len() - suf))
        {
            suf -= 1;
        }
        let edit_end = new_b.len() - suf;
        let margin = self.longest_allowed_special(allowed);

        // a: a word end whose next character lies in the prefix, `margin`
        // bytes clear of the edit, where the old encoding has a boundary.
        let mut a = pre.saturating_sub(margin + 4);
        while a > 0 && !(is_word_end(text, a) && old.starts.binary_search(&(a as u32)).is_ok()) {
            a -= 1;
        }
        // b: the same after the edit, with the letter before it unchanged.
        let shift = |q: usize| q + old_b.len() - new_b.len();
        let mut b = (edit_end + margin + 4).max(a + 1);
        while b < new_b.len()
            && !(is_word_end(text, b) && old.starts.binary_search(&(shift(b) as u32)).is_ok())
        {
            b += 1;
        }
        let b = b.min(new_b.len());
        // Nothing to reuse, or a special token near an edge: encode it all.
        let whole = a == 0 && b == new_b.len();
        let reusable = !whole && !self.special_near(old_text, text, a, b, shift, margin);
        reusable.then_some((a, b))
    }

    /// The byte length of the longest special token `allowed` lets through
    /// (0 when none is recognised).
    fn longest_allowed_special(&self, allowed: &AllowedSpecial) -> usize {
        self.special_tokens()
            .iter()
            .filter(|(s, _)| match allowed {
                AllowedSpecial::All => true,
                AllowedSpecial::Set(set) => set.contains(s),
                AllowedSpecial::None | AllowedSpecial::NoneRaise => false,
            })
            .map(|(s, _)| s.len())
            .max()
            .unwrap_or(0)
    }

    /// Whether an allowed special token occurs within `margin` bytes of `a`
    /// or `b` in the new text, or of their counterparts in the old one.
    fn special_near(
        &self,
        old_text: &str,
        text: &str,
        a: usize,
        b: usize,
        shift: impl Fn(usize) -> usize,
        margin: usize,
    ) -> bool {
        if margin == 0 {
            return false;
        }
        let occurs = |t: &str, lo: usize, hi: usize| {
            let window = &t.as_bytes()[lo.saturating_sub(margin)..(hi + margin).min(t.len())];
            self.special_tokens()
                .iter()
                .any(|(s, _)| window.windows(s.len().max(1)).any(|w| w == s.as_bytes()))
        };
        occurs(text, a, a)
            || occurs(text, b, b)
            || occurs(old_text, a, a)
            || occurs(old_text, shift(b), shift(b))
    }
}

/// Whether `enc`'s spans tile `0..len` in order (so it can be reused).
fn tiles(enc: &Encoding, len: usize) -> bool {
    let n = enc.ids.len();
    enc.starts.len() == n
        && enc.ends.len() == n
        && (n == 0 || enc.starts[0] == 0)
        && enc.ends.last().map_or(len == 0, |&e| e as usize == len)
        && (0..n).all(|i| {
            enc.starts[i] < enc.ends[i] && (i + 1 == n || enc.ends[i] == enc.starts[i + 1])
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pretokenize::Pattern;
    use crate::train::train;
    use proptest::prelude::*;

    fn toy(pattern: Pattern, specials: Vec<(String, u32)>) -> Tokenizer {
        let corpus = "The quick brown fox jumps over the lazy dog's back. Über 42 naïve cafés, 日本語の文章。 \
                      don't won't it's   spaced\n\nnew lines\r\n and tabs\t here 1234567 ÀÉÎ éé";
        let trained = train(corpus.repeat(3).as_bytes(), 400, &pattern, |_, _| true).unwrap();
        Tokenizer::from_trained("toy", &trained, specials).unwrap()
    }

    fn check(tok: &Tokenizer, old_text: &str, text: &str, allowed: &AllowedSpecial) {
        // (An old text the encoder refuses has no encoding to start from.)
        let Ok(old) = tok.encode(old_text, allowed) else {
            return;
        };
        let want = tok.encode(text, allowed);
        let got = tok.reencode(old_text, &old, text, allowed);
        match (want, got) {
            (Ok(w), Ok(g)) => assert_eq!(g, w, "old {old_text:?} new {text:?}"),
            (Err(w), Err(g)) => assert_eq!(g.to_string(), w.to_string()),
            (w, g) => panic!("old {old_text:?} new {text:?}: want {w:?}, got {g:?}"),
        }
    }

    const ATOMS: &[&str] = &[
        "a",
        "word",
        " ",
        "  ",
        "\n",
        "\r\n",
        "'s",
        "'",
        "Ab",
        "é",
        "\u{301}",
        "日本",
        "1",
        "234",
        ".",
        ",",
        "!?",
        "<|end|>",
        "<|",
        "|>",
        "🙂",
        "\t",
        "x",
        "Über",
        "ÀB",
        "  \n",
        // Pieces of the long special token below, with word ends inside it.
        "ab cd",
        " ef",
        " gh",
        "ab cd ef gh",
    ];

    fn text_strategy() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(ATOMS), 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn equals_full_encode(base in text_strategy(), ins in text_strategy(), at in 0usize..400, del in 0usize..12, p in 0usize..5) {
            let pattern = [Pattern::Gpt2, Pattern::Gpt4, Pattern::R50k, Pattern::Cl100k, Pattern::O200k][p].clone();
            static TOKS: std::sync::OnceLock<Vec<Tokenizer>> = std::sync::OnceLock::new();
            let toks = TOKS.get_or_init(|| {
                [Pattern::Gpt2, Pattern::Gpt4, Pattern::R50k, Pattern::Cl100k, Pattern::O200k]
                    .into_iter()
                    .map(|pat| toy(pat, vec![
                        ("<|end|>".into(), 1000),
                        ("<|end|>x".into(), 1001),
                        ("ab cd ef gh".into(), 1002),
                    ]))
                    .collect()
            });
            let tok = &toks[p];
            prop_assert_eq!(tok.splitter().pattern(), &pattern);
            let base = base.repeat(3);
            let mut at = at.min(base.len());
            while !base.is_char_boundary(at) { at -= 1; }
            let mut end = (at + del).min(base.len());
            while !base.is_char_boundary(end) { end += 1; }
            let text = format!("{}{}{}", &base[..at], ins, &base[end..]);
            for allowed in [AllowedSpecial::None, AllowedSpecial::All, AllowedSpecial::NoneRaise] {
                check(tok, &base, &text, &allowed);
            }
        }
    }

    #[test]
    fn typing_through_a_long_text_reuses_and_matches() {
        let tok = toy(Pattern::Cl100k, vec![]);
        let mut text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(200);
        let mut enc = tok.encode(&text, &AllowedSpecial::None).unwrap();
        for (i, ch) in "Hello, wörld! 日本 'tis\n".chars().enumerate() {
            let at = (text.len() / 2 + i * 3).min(text.len());
            let at = (0..=at).rev().find(|&k| text.is_char_boundary(k)).unwrap();
            let new = format!("{}{}{}", &text[..at], ch, &text[at..]);
            let enc_before = enc;
            enc = tok
                .reencode(&text, &enc_before, &new, &AllowedSpecial::None)
                .unwrap();
            assert_eq!(enc, tok.encode(&new, &AllowedSpecial::None).unwrap());
            // Only a word or two around the edit was encoded again.
            let (a, b) = tok
                .reencode_window(&text, &enc_before, &new, &AllowedSpecial::None)
                .unwrap();
            assert!(b - a < 40, "window {a}..{b} for an edit at {at}");
            text = new;
        }
    }

    #[test]
    fn an_edit_that_makes_or_breaks_a_special_token_near_the_restart_point() {
        let tok = toy(Pattern::Cl100k, vec![("ab cd ef gh".into(), 1002)]);
        let all = AllowedSpecial::All;
        let filler = "Some words before it, then more. ".repeat(4);
        for (old, new) in [
            ("ab cd ef gX and on", "ab cd ef gh and on"),
            ("ab cd ef gh and on", "ab cd ef gX and on"),
            ("xx cd ef gh and on", "ab cd ef gh and on"),
            ("ab cd ef gh and on", "ab cd ef g and on"),
        ] {
            check(
                &tok,
                &format!("{filler}{old}{filler}"),
                &format!("{filler}{new}{filler}"),
                &all,
            );
        }
    }

    #[test]
    fn garbage_old_encoding_falls_back() {
        let tok = toy(Pattern::Gpt4, vec![]);
        let text = "some text here";
        let bad = Encoding {
            ids: vec![1, 2],
            starts: vec![0, 9],
            ends: vec![3, 4],
        };
        let got = tok
            .reencode("other", &bad, text, &AllowedSpecial::None)
            .unwrap();
        assert_eq!(got, tok.encode(text, &AllowedSpecial::None).unwrap());
    }

    #[test]
    fn none_pattern_falls_back() {
        let tok = toy(Pattern::None, vec![]);
        check(
            &tok,
            "hello world and more",
            "hello wide world and more",
            &AllowedSpecial::None,
        );
    }
}
