//! Runs a fuzz target's checks without libFuzzer, on stable Rust.
//!
//! ```text
//! replay TARGET FILE_OR_DIR...                  run saved inputs (corpus, crashes)
//! replay TARGET --random N [--seed S] [--max-len L] [FILE_OR_DIR...]
//!                                               N mutated inputs (no coverage
//!                                               feedback): seeds from the given
//!                                               files, or random bytes
//! ```
//!
//! A failing input is written to `replay-crash-TARGET` before the panic
//! propagates, so it can be kept as a regression test.

use std::path::{Path, PathBuf};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn files(paths: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        let p = Path::new(p);
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            entries.sort();
            out.extend(entries.into_iter().filter(|e| e.is_file()));
        } else {
            out.push(p.to_path_buf());
        }
    }
    out
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], max_len: usize) -> Vec<u8> {
    let mut data = if seeds.is_empty() || rng.below(8) == 0 {
        (0..rng.below(max_len + 1))
            .map(|_| rng.next() as u8)
            .collect()
    } else {
        seeds[rng.below(seeds.len())].clone()
    };
    for _ in 0..=rng.below(6) {
        let len = data.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                let b = match rng.below(4) {
                    0 => b' ',
                    1 => b'\n',
                    2 => b'"',
                    _ => rng.next() as u8,
                };
                data.insert(i, b);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = rng.below(len - i).min(16) + 1;
                data.drain(i..i + n);
            }
            4 if len > 0 => {
                // Repeat a slice: long runs are where splitters and mergers
                // change algorithm.
                let i = rng.below(len);
                let n = rng.below(len - i).min(8) + 1;
                let piece = data[i..i + n].to_vec();
                for _ in 0..rng.below(64) {
                    data.splice(i..i, piece.iter().copied());
                }
            }
            _ if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())];
                if !other.is_empty() {
                    let a = rng.below(other.len());
                    let b = a + rng.below(other.len() - a) + 1;
                    let at = rng.below(len + 1);
                    data.splice(at..at, other[a..b].iter().copied());
                }
            }
            _ => {}
        }
    }
    data.truncate(max_len);
    data
}

fn run_one(name: &str, target: fn(&[u8]), data: &[u8]) {
    let result = std::panic::catch_unwind(|| target(data));
    if let Err(panic) = result {
        let path = format!("replay-crash-{name}");
        let _ = std::fs::write(&path, data);
        eprintln!("failing input written to {path}");
        std::panic::resume_unwind(panic);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((name, rest)) = args.split_first() else {
        eprintln!("usage: replay TARGET [--random N] [--seed S] [--max-len L] [FILE_OR_DIR...]");
        let names: Vec<&str> = bpe_fuzz::TARGETS.iter().map(|t| t.0).collect();
        eprintln!("targets: {}", names.join(", "));
        std::process::exit(2);
    };
    let Some(&(_, target)) = bpe_fuzz::TARGETS.iter().find(|t| t.0 == name) else {
        eprintln!("unknown target {name:?}");
        std::process::exit(2);
    };
    let (mut random, mut seed, mut max_len) = (None, 1u64, 4096usize);
    let mut paths = Vec::new();
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| -> u64 {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{flag} needs a number"))
        };
        match a.as_str() {
            "--random" => random = Some(value("--random")),
            "--seed" => seed = value("--seed").max(1),
            "--max-len" => max_len = value("--max-len") as usize,
            _ => paths.push(a.clone()),
        }
    }
    let inputs: Vec<Vec<u8>> = files(&paths)
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    match random {
        None => {
            for data in &inputs {
                run_one(name, target, data);
            }
            println!("{name}: {} inputs ok", inputs.len());
        }
        Some(n) => {
            let mut rng = Rng(seed);
            for data in &inputs {
                run_one(name, target, data);
            }
            for _ in 0..n {
                let data = mutate(&mut rng, &inputs, max_len);
                run_one(name, target, &data);
            }
            println!("{name}: {} seeds and {n} mutated inputs ok", inputs.len());
        }
    }
}
