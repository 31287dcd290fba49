// Shared by the Node bench scripts: argument parsing, timing, the ids hash,
// the worst-case inputs and the output line. Column contract (tab-separated,
// no header, NA where a column does not apply):
//   peer task corpus param median_s MB_per_s tokens merges_per_s runs ids_hash note
// ids_hash: FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3) over
// the 4 little-endian bytes of each u32, lowest byte first, as 16 hex digits
// (identical to src/cli/bench.rs and tests/examples/bench_peers.rs).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export function parseArgs(argv) {
  const [task, ...rest] = argv;
  const opts = { task, runs: 5, warmup: 1, enc: ['cl100k_base', 'o200k_base'], vocab: [4096, 32768], worstCase: false, files: [] };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--runs') opts.runs = Number(rest[++i]);
    else if (a === '--warmup') opts.warmup = Number(rest[++i]);
    else if (a === '--enc') opts.enc = rest[++i].split(',');
    else if (a === '--vocab') opts.vocab = rest[++i].split(',').map(Number);
    else if (a === '--worst-case') opts.worstCase = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.files.push(a);
  }
  if (task !== 'encode' && task !== 'train') throw new Error('usage: encode|train [--runs N] [--warmup N] [--enc a,b] [--vocab a,b] [--worst-case] FILE...');
  if (opts.files.length === 0) throw new Error('give at least one FILE');
  return opts;
}

export function corpusName(path) {
  return basename(path).replace(/\.txt$/, '');
}

export function readCorpus(path) {
  const bytes = readFileSync(path);
  return { name: corpusName(path), bytes, text: bytes.toString('utf8') };
}

const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
/** FNV-1a 64 over the 4 little-endian bytes of each id. */
export function idsHash(ids) {
  // Two 32-bit halves to keep it fast; h * prime mod 2^64 with
  // prime = 2^40 + 0x1b3.
  let hi = 0xcbf29ce4, lo = 0x84222325;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    for (let s = 0; s < 32; s += 8) {
      lo = (lo ^ ((id >>> s) & 0xff)) >>> 0;
      // (hi:lo) * 0x1b3 + ((lo << 40) mod 2^64)
      const loMul = lo * 0x1b3;
      const carry = Math.floor(loMul / 0x100000000);
      const newLo = loMul >>> 0;
      const newHi = (Math.imul(hi, 0x1b3) + carry + ((lo << 8) >>> 0)) >>> 0;
      hi = newHi; lo = newLo;
    }
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** Reference implementation with BigInt (used once to self-check). */
export function idsHashSlow(ids) {
  let h = 0xcbf29ce484222325n;
  for (const id of ids) for (let s = 0; s < 32; s += 8) { h ^= BigInt((id >>> s) & 0xff); h = (h * PRIME) & MASK; }
  return h.toString(16).padStart(16, '0');
}

/** Median seconds of `runs` calls after `warmup` calls, and the last result. */
export function time(runs, warmup, f) {
  let last;
  for (let i = 0; i < warmup; i++) last = f();
  const times = [];
  for (let i = 0; i < Math.max(1, runs); i++) {
    const t = performance.now();
    last = f();
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  const n = times.length;
  const median = n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  return { median, result: last };
}

export function line(peer, task, corpus, param, median, bytes, tokens, mergesPerS, runs, hash, note) {
  const na = (v, f) => (v === null || v === undefined ? 'NA' : f(v));
  console.log([peer, task, corpus, param, median.toFixed(6), (bytes / 1e6 / median).toFixed(3),
    na(tokens, String), na(mergesPerS, (m) => m.toFixed(1)), runs, hash ?? 'NA', note || 'NA'].join('\t'));
}

/** The worst-case inputs of src/cli/bench.rs (same generator, same text). */
export function worstCases() {
  let x = 2463534242 >>> 0;
  const cps = [];
  while (cps.length < 100000) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    const cp = x % 0x110000;
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    cps.push(String.fromCodePoint(cp));
  }
  return [
    ['worst-a', 'a'.repeat(1000000)],
    ['worst-space', ' '.repeat(1000000)],
    ['worst-caret', '^'.repeat(1000000)],
    ['worst-random', cps.join('')],
  ];
}

/** `english` repeated to `len` UTF-8 bytes, cut at a character boundary. */
export function englishOfSize(english, len) {
  const one = Buffer.from(english, 'utf8');
  const buf = Buffer.alloc(len + 4);
  for (let at = 0; at < len; at += one.length) one.copy(buf, at, 0, Math.min(one.length, len + 4 - at));
  let cut = len;
  while (cut > 0 && (buf[cut] & 0xc0) === 0x80) cut--;
  return buf.subarray(0, cut).toString('utf8');
}

export function utf8Length(s) {
  return Buffer.byteLength(s, 'utf8');
}
