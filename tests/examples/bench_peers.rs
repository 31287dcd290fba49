//! The native peers of `bpe-playground bench`: tiktoken-rs and bpe-openai,
//! timed the same way and printed in the same tab-separated columns
//! (see src/cli/bench.rs for the column contract and the ids hash).
//!
//! ```text
//! cargo run --release --example bench_peers -- encode --runs 5 --warmup 1 \
//!     --enc cl100k_base,o200k_base FILE...
//! ```
//!
//! Both peers encode ordinary text (no special tokens), whole file in one
//! call, on one thread.

#[path = "../../src/cli/measure.rs"]
mod measure;
use measure::{ids_hash, rss, time};
use std::time::Instant;

/// The note of a peer's lines: its load time and resident-memory growth,
/// from `start` and the RSS read before loading.
fn load_note(start: Instant, before: Option<u64>) -> String {
    format!(
        "load_s={:.4};rss_delta_MB={:.1}",
        start.elapsed().as_secs_f64(),
        (rss().unwrap_or(0) as f64 - before.unwrap_or(0) as f64) / 1e6
    )
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench_peers encode [--runs N] [--warmup N] [--enc a,b] FILE...";
    let Some((task, rest)) = argv.split_first() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    if task != "encode" {
        eprintln!("{usage} (only encode has native peers)");
        std::process::exit(2);
    }
    let (mut runs, mut warmup, mut encs) = (5usize, 1usize, "cl100k_base,o200k_base".to_string());
    let mut files = Vec::new();
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = it.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--warmup" => warmup = it.next().and_then(|v| v.parse().ok()).expect("--warmup N"),
            "--enc" => encs = it.next().expect("--enc list").clone(),
            "--worst-case" => {}
            f => files.push(f.to_string()),
        }
    }
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            let file = p.rsplit('/').next().unwrap_or(p);
            let name = file.strip_suffix(".txt").unwrap_or(file).to_string();
            (
                name,
                std::fs::read_to_string(p).expect("readable UTF-8 file"),
            )
        })
        .collect();
    for enc in encs.split(',') {
        // tiktoken-rs
        let before = rss();
        let t = Instant::now();
        let tk = match enc {
            "cl100k_base" => tiktoken_rs::cl100k_base(),
            "o200k_base" => tiktoken_rs::o200k_base(),
            "r50k_base" => tiktoken_rs::r50k_base(),
            "p50k_base" => tiktoken_rs::p50k_base(),
            other => panic!("unknown encoding {other}"),
        }
        .expect("tiktoken-rs loads its encodings");
        let note = load_note(t, before);
        for (name, text) in &texts {
            let (median, ids) = time(runs, warmup, || tk.encode_ordinary(text));
            print_line(
                "tiktoken-rs",
                name,
                enc,
                median,
                text.len(),
                &ids,
                runs,
                &note,
            );
        }
        drop(tk);
        // bpe-openai
        let before = rss();
        let t = Instant::now();
        let bp = match enc {
            "cl100k_base" => Some(bpe_openai::cl100k_base()),
            "o200k_base" => Some(bpe_openai::o200k_base()),
            _ => None,
        };
        let Some(bp) = bp else { continue };
        let _ = bp.encode("warm up the lazy statics");
        let note = load_note(t, before);
        for (name, text) in &texts {
            let (median, ids) = time(runs, warmup, || bp.encode(text.as_str()));
            print_line(
                "bpe-openai",
                name,
                enc,
                median,
                text.len(),
                &ids,
                runs,
                &note,
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn print_line(
    peer: &str,
    corpus: &str,
    enc: &str,
    median: f64,
    bytes: usize,
    ids: &[u32],
    runs: usize,
    note: &str,
) {
    println!(
        "{peer}\tencode\t{corpus}\t{enc}\t{median:.6}\t{:.3}\t{}\tNA\t{runs}\t{}\t{note}",
        bytes as f64 / 1e6 / median,
        ids.len(),
        ids_hash(ids.iter().copied())
    );
}
