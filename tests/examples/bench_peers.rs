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

use std::time::Instant;

/// FNV-1a 64 over the 4 little-endian bytes of each u32 (as bench.rs).
fn ids_hash(ids: &[u32]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for id in ids {
        for b in id.to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn time<T>(runs: usize, warmup: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut last = None;
    for _ in 0..warmup {
        last = Some(f());
    }
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let n = times.len();
    let median = if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2.0
    };
    (median, last.unwrap())
}

fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    Some(statm.split_whitespace().nth(1)?.parse::<u64>().ok()? * 4096)
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
        let note = format!(
            "load_s={:.4};rss_delta_MB={:.1}",
            t.elapsed().as_secs_f64(),
            (rss().unwrap_or(0) as f64 - before.unwrap_or(0) as f64) / 1e6
        );
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
        let note = format!(
            "load_s={:.4};rss_delta_MB={:.1}",
            t.elapsed().as_secs_f64(),
            (rss().unwrap_or(0) as f64 - before.unwrap_or(0) as f64) / 1e6
        );
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
        ids_hash(ids)
    );
}
