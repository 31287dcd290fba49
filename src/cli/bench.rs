//! `bpe-playground bench encode|train`: timings in the tab-separated column
//! format shared with the peer scripts (tests/examples/bench_peers.rs,
//! tests/bench/*.mjs, tests/bench/py_peers.py):
//!
//! ```text
//! peer task corpus param median_s MB_per_s tokens merges_per_s runs ids_hash note
//! ```
//!
//! One line per measurement, no header, `NA` where a column does not apply.
//! `corpus` is the file name without `.txt`; `param` the encoding (encode) or
//! the vocab size (train); `MB_per_s` is 10^6 bytes per second of input.
//!
//! `ids_hash` is FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3)
//! folded over each u32 as its 4 little-endian bytes, lowest byte first, and
//! printed as 16 lowercase hex digits. For encode it hashes the ids; for
//! train it hashes the merges as the flat list `left0, right0, left1, …` in
//! minbpe numbering (byte b is id b, merge i makes id 256 + i).
//!
//! `--worst-case` (encode) adds the rows `worst-a` (1,000,000 × `a`),
//! `worst-space`, `worst-caret` (same size), and `worst-random` (100,000 code
//! points from a xorshift32 generator, seed 2463534242, `x % 0x110000`, surrogates
//! redrawn), each with an English row of the same byte size (`english-N`: the
//! first FILE repeated and cut at a character boundary); the note gives
//! `vs_english=` the time ratio.

use super::args::Args;
use super::measure::{ids_hash, rss, time};
use super::{load, read_input, CliError, CliResult};
use bpe_playground::{Pattern, Trainer};
use std::time::Instant;

pub fn run(argv: &[String]) -> CliResult<()> {
    let Some((task, rest)) = argv.split_first() else {
        return Err(CliError::Usage("bench needs encode or train".into()));
    };
    match task.as_str() {
        "encode" => encode(Args::parse(
            rest,
            &["runs", "warmup", "enc", "vocab-dir"],
            &["worst-case"],
        )?),
        "train" => train(Args::parse(rest, &["runs", "warmup", "vocab"], &[])?),
        other => Err(CliError::Usage(format!(
            "bench needs encode or train, not {other:?}"
        ))),
    }
}

#[allow(clippy::too_many_arguments)]
fn line(
    task: &str,
    corpus: &str,
    param: &str,
    median: f64,
    bytes: usize,
    tokens: Option<usize>,
    merges_per_s: Option<f64>,
    runs: usize,
    hash: &str,
    note: &str,
) {
    let na = || "NA".to_string();
    println!(
        "bpe-playground:native\t{task}\t{corpus}\t{param}\t{median:.6}\t{:.3}\t{}\t{}\t{runs}\t{hash}\t{}",
        bytes as f64 / 1e6 / median,
        tokens.map_or_else(na, |t| t.to_string()),
        merges_per_s.map_or_else(na, |m| format!("{m:.1}")),
        if note.is_empty() { "NA" } else { note },
    );
}

fn number(args: &Args, name: &str, default: usize) -> CliResult<usize> {
    match args.get(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| CliError::Usage(format!("--{name} must be a whole number"))),
    }
}

/// `dir/name.txt` → `name`.
fn corpus_name(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_suffix(".txt").unwrap_or(file).to_string()
}

fn read_text(path: &str) -> CliResult<String> {
    let bytes = read_input(path)?;
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// The worst-case inputs (see the module docs).
pub fn worst_cases() -> Vec<(&'static str, String)> {
    let mut random = String::new();
    let mut x: u32 = 2_463_534_242;
    let mut n = 0;
    while n < 100_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if let Some(c) = char::from_u32(x % 0x11_0000) {
            random.push(c);
            n += 1;
        }
    }
    vec![
        ("worst-a", "a".repeat(1_000_000)),
        ("worst-space", " ".repeat(1_000_000)),
        ("worst-caret", "^".repeat(1_000_000)),
        ("worst-random", random),
    ]
}

/// `english` repeated to `len` bytes, cut at a character boundary.
pub fn english_of_size(english: &str, len: usize) -> String {
    let mut s = String::with_capacity(len + 4);
    while s.len() < len {
        s.push_str(english);
    }
    let mut cut = len;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s
}

fn encode(args: Args) -> CliResult<()> {
    let runs = number(&args, "runs", 5)?;
    let warmup = number(&args, "warmup", 1)?;
    let encs: Vec<&str> = args
        .get("enc")
        .unwrap_or("cl100k_base,o200k_base")
        .split(',')
        .collect();
    if args.positional.is_empty() {
        return Err(CliError::Usage(
            "bench encode needs at least one FILE".into(),
        ));
    }
    let texts: Vec<(String, String)> = args
        .positional
        .iter()
        .map(|p| Ok((corpus_name(p), read_text(p)?)))
        .collect::<CliResult<_>>()?;
    for enc in encs {
        let mut argv = vec!["--tokenizer".to_string(), enc.to_string()];
        if let Some(dir) = args.get("vocab-dir") {
            argv.extend(["--vocab-dir".to_string(), dir.to_string()]);
        }
        let loader = Args::parse(&argv, &["tokenizer", "vocab-dir"], &[])?;
        let before = rss();
        let started = Instant::now();
        let tok = load::tokenizer(&loader)?;
        let load_s = started.elapsed().as_secs_f64();
        let mem = match (before, rss()) {
            (Some(a), Some(b)) => format!(";rss_delta_MB={:.1}", (b as f64 - a as f64) / 1e6),
            _ => String::new(),
        };
        let note = format!("load_s={load_s:.4}{mem}");
        for (name, text) in &texts {
            let (median, ids) = time(runs, warmup, || tok.encode_ordinary_ids(text));
            let ids = ids?;
            line(
                "encode",
                name,
                enc,
                median,
                text.len(),
                Some(ids.len()),
                None,
                runs,
                &ids_hash(ids.iter().copied()),
                &note,
            );
        }
        if args.switch("worst-case") {
            let english = &texts[0].1;
            for (name, text) in worst_cases() {
                let reference = english_of_size(english, text.len());
                let (eng, ids) = time(runs, warmup, || tok.encode_ordinary_ids(&reference));
                let ids = ids?;
                line(
                    "encode",
                    &format!("english-{}", reference.len()),
                    enc,
                    eng,
                    reference.len(),
                    Some(ids.len()),
                    None,
                    runs,
                    &ids_hash(ids.iter().copied()),
                    &format!("reference for {name}"),
                );
                let (median, ids) = time(runs, warmup, || tok.encode_ordinary_ids(&text));
                let ids = ids?;
                line(
                    "encode",
                    name,
                    enc,
                    median,
                    text.len(),
                    Some(ids.len()),
                    None,
                    runs,
                    &ids_hash(ids.iter().copied()),
                    &format!("vs_english={:.2}", median / eng),
                );
            }
        }
    }
    Ok(())
}

fn train(args: Args) -> CliResult<()> {
    let runs = number(&args, "runs", 3)?;
    let warmup = number(&args, "warmup", 1)?;
    let vocabs: Vec<usize> = args
        .get("vocab")
        .unwrap_or("4096,32768")
        .split(',')
        .map(|v| {
            v.parse()
                .map_err(|_| CliError::Usage("--vocab must be whole numbers".into()))
        })
        .collect::<CliResult<_>>()?;
    if args.positional.is_empty() {
        return Err(CliError::Usage(
            "bench train needs at least one FILE".into(),
        ));
    }
    for path in &args.positional {
        let corpus = read_input(path)?;
        let name = corpus_name(path);
        for &vocab in &vocabs {
            let (median, merges) = time(runs, warmup, || -> CliResult<_> {
                let mut trainer = Trainer::new(&corpus, vocab, &Pattern::Gpt4)?;
                while trainer.step().is_some() {}
                Ok(trainer.finish().merges)
            });
            let merges = merges?;
            let flat = merges.iter().flat_map(|m| [m.pair.0, m.pair.1]);
            line(
                "train",
                &name,
                &vocab.to_string(),
                median,
                corpus.len(),
                None,
                Some(merges.len() as f64 / median),
                runs,
                &ids_hash(flat),
                &format!("merges={};pattern=gpt4", merges.len()),
            );
        }
    }
    Ok(())
}
