//! Timing, memory and the ids hash, shared by `bpe-playground bench` and the native
//! peer benchmark (`tests/examples/bench_peers.rs` includes this file), so
//! every peer is measured and hashed the same way.

use std::time::Instant;

/// FNV-1a 64 over the 4 little-endian bytes of each u32.
pub fn ids_hash(ids: impl IntoIterator<Item = u32>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for id in ids {
        for b in id.to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Median of the timings (seconds) of `runs` calls after `warmup` calls,
/// and the last call's result.
pub fn time<T>(runs: usize, warmup: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut last = None;
    for _ in 0..warmup {
        last = Some(f());
    }
    let mut times = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let n = times.len();
    let median = if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2.0
    };
    (median, last.expect("at least one run"))
}

/// Resident set size in bytes (Linux), for a memory note.
pub fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
