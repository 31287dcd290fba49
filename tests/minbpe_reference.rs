//! Training on taylorswift.txt must reproduce minbpe's own files byte for
//! byte (`../shared/reference/minbpe/`), and the probe encodings.

use bpe_playground::formats::minbpe::{read_model, write_model, write_vocab};
use bpe_playground::{train, AllowedSpecial, Pattern, Tokenizer};

mod common;

fn read(path: &str) -> String {
    std::fs::read_to_string(common::shared(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[derive(serde::Deserialize)]
struct Reference {
    merges: Vec<(u32, u32)>,
    corpus_token_count: usize,
    probe: String,
    probe_ids: Vec<u32>,
}

fn check(kind: &str, pattern: Pattern) {
    let corpus = read("corpus/taylorswift.txt");
    let prefix = format!("reference/minbpe/taylorswift-{kind}-512");
    let reference: Reference = serde_json::from_str(&read(&format!("{prefix}.json"))).unwrap();

    let trained = train(corpus.as_bytes(), 512, &pattern, |_, _| true).unwrap();
    let merges: Vec<(u32, u32)> = trained.merges.iter().map(|m| m.pair).collect();
    assert_eq!(merges, reference.merges, "{kind}: merges differ");

    let tok = Tokenizer::from_trained(kind, &trained, vec![]).unwrap();
    assert_eq!(
        write_model(&tok).unwrap(),
        read(&format!("{prefix}.model")),
        "{kind} .model"
    );
    assert_eq!(
        write_vocab(&tok).unwrap(),
        read(&format!("{prefix}.vocab")),
        "{kind} .vocab"
    );

    let ids = tok
        .encode(&reference.probe, &AllowedSpecial::None)
        .unwrap()
        .ids;
    assert_eq!(ids, reference.probe_ids, "{kind}: probe ids");
    assert_eq!(tok.decode(&ids).unwrap(), reference.probe);
    let count = tok
        .encode(&corpus, &AllowedSpecial::None)
        .unwrap()
        .ids
        .len();
    assert_eq!(
        count, reference.corpus_token_count,
        "{kind}: corpus token count"
    );

    // Loading minbpe's own .model gives the same tokenizer.
    let loaded = read_model(kind, &read(&format!("{prefix}.model"))).unwrap();
    assert_eq!(loaded.pattern(), &pattern);
    assert_eq!(
        loaded
            .encode(&reference.probe, &AllowedSpecial::None)
            .unwrap()
            .ids,
        reference.probe_ids
    );
}

#[test]
fn basic_matches_minbpe() {
    check("basic", Pattern::None);
}

#[test]
fn gpt2_matches_minbpe() {
    check("gpt2", Pattern::Gpt2);
}

#[test]
fn gpt4_matches_minbpe() {
    check("gpt4", Pattern::Gpt4);
}
