//! Property tests: the incremental trainer against a literal port of
//! minbpe's training loop, and `decode(encode(x)) == x` on random Unicode.

use bpe_playground::{train, AllowedSpecial, Pattern, Tokenizer};
use proptest::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;

mod common;

/// minbpe's `train`, transcribed: recount all pairs every merge and take the
/// first pair with the highest count in first-occurrence order.
fn naive_train(text: &str, vocab_size: usize, pattern: &Pattern) -> Vec<(u32, u32)> {
    let splitter = pattern.splitter().unwrap().regex_only();
    let mut chunks: Vec<Vec<u32>> = splitter
        .split_str(text)
        .unwrap()
        .iter()
        .map(|c| c.bytes().map(u32::from).collect())
        .collect();
    let mut merges = Vec::new();
    for i in 0..vocab_size - 256 {
        let mut order: Vec<(u32, u32)> = Vec::new();
        let mut counts: HashMap<(u32, u32), usize> = HashMap::new();
        for chunk in &chunks {
            for w in chunk.windows(2) {
                let c = counts.entry((w[0], w[1])).or_insert(0);
                if *c == 0 {
                    order.push((w[0], w[1]));
                }
                *c += 1;
            }
        }
        // max() keeps the first maximum in insertion order, like Python's.
        let Some(&best) = order
            .iter()
            .reduce(|a, b| if counts[b] > counts[a] { b } else { a })
        else {
            break;
        };
        let new_id = 256 + i as u32;
        for chunk in &mut chunks {
            let mut out = Vec::with_capacity(chunk.len());
            let mut j = 0;
            while j < chunk.len() {
                if j + 1 < chunk.len() && (chunk[j], chunk[j + 1]) == best {
                    out.push(new_id);
                    j += 2;
                } else {
                    out.push(chunk[j]);
                    j += 1;
                }
            }
            *chunk = out;
        }
        merges.push(best);
    }
    merges
}

/// Text from a small alphabet, so that pairs repeat and ties are common.
fn small_alphabet_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("a"),
            Just("b"),
            Just("c"),
            Just(" "),
            Just("\n"),
            Just("ab"),
            Just("é"),
            Just("1"),
            Just("'s"),
            Just("🙂"),
            Just("  "),
            Just("aaa"),
        ],
        0..120,
    )
    .prop_map(|v| v.concat())
}

fn pattern() -> impl Strategy<Value = Pattern> {
    prop_oneof![
        Just(Pattern::None),
        Just(Pattern::Gpt2),
        Just(Pattern::Gpt4),
        Just(Pattern::Cl100k),
        Just(Pattern::O200k),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn trainer_equals_minbpe_loop(text in small_alphabet_text(), extra in 0usize..60, pattern in pattern()) {
        let vocab = 256 + extra;
        let ours: Vec<(u32, u32)> = train(text.as_bytes(), vocab, &pattern, |_, _| true)
            .unwrap()
            .merges
            .iter()
            .map(|m| m.pair)
            .collect();
        prop_assert_eq!(ours, naive_train(&text, vocab, &pattern));
    }

    #[test]
    fn toy_round_trip(corpus in small_alphabet_text(), text in "\\PC{0,80}", pattern in pattern()) {
        let trained = train(corpus.as_bytes(), 300, &pattern, |_, _| true).unwrap();
        let tok = Tokenizer::from_trained("toy", &trained, vec![]).unwrap();
        let enc = tok.encode(&text, &AllowedSpecial::None).unwrap();
        prop_assert_eq!(tok.decode(&enc.ids).unwrap(), text);
    }

    #[test]
    fn pretrained_round_trip(text in "(\\PC|\\s){0,200}") {
        for tok in common::pretrained_all() {
            let enc = tok.encode(&text, &AllowedSpecial::None).unwrap();
            prop_assert_eq!(&tok.decode(&enc.ids).unwrap(), &text);
            // Spans tile the input.
            let mut at = 0;
            for (s, e) in enc.starts.iter().zip(&enc.ends) {
                prop_assert_eq!(*s as usize, at);
                prop_assert!(e > s);
                at = *e as usize;
            }
            prop_assert_eq!(at, text.len());
        }
    }
}

#[test]
fn trainer_equals_minbpe_loop_on_a_real_corpus() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/multilingual.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let text = &text[..text
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| i >= 30_000)
        .unwrap()];
    for pattern in [Pattern::None, Pattern::Gpt4, Pattern::O200k] {
        let ours: Vec<(u32, u32)> = train(text.as_bytes(), 400, &pattern, |_, _| true)
            .unwrap()
            .merges
            .iter()
            .map(|m| m.pair)
            .collect();
        assert_eq!(ours, naive_train(text, 400, &pattern), "{pattern:?}");
    }
}
