// The engine compiled to wasm (www/pkg), in Node, in the bench column format
// (see common.mjs). Run from the repository root after ./build.sh build:
//   node tests/bench/wasm.mjs encode --runs 5 --warmup 1 --enc cl100k_base,o200k_base [--worst-case] FILE...
//   node tests/bench/wasm.mjs train --runs 3 --warmup 1 --vocab 4096,32768 FILE...
// Encode rows time `encodeIds` (ids only, no spans); rows with corpus suffix
// `+spans` time `encode(text, "none")`, which also returns byte spans (what
// the page uses). The note gives load time and the growth of wasm memory.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseArgs, readCorpus, idsHash, time, line, worstCases, englishOfSize, utf8Length } from './common.mjs';

const PEER = 'bpe-playground:wasm';
// BPE_PKG: another wasm-bindgen output folder (default www/pkg).
const PKG = process.env.BPE_PKG || 'www/pkg';
const pkg = await import(pathToFileURL(resolve(PKG, 'bpe_playground.js')).href);
const opts = parseArgs(process.argv.slice(2));
const wasmBytes = readFileSync(resolve(PKG, 'bpe_playground_bg.wasm'));
const exports = pkg.initSync({ module: wasmBytes });
const memory = () => exports.memory.buffer.byteLength;
const sizeNote = `wasm_gz_KB=${(gzipSync(wasmBytes, { level: 9 }).length / 1024).toFixed(1)}`;

if (opts.task === 'encode') {
  const corpora = opts.files.map(readCorpus);
  for (const enc of opts.enc) {
    // The packed rank file, as the page loads it (build.sh makes it).
    const rank = readFileSync(`www/vocab/${enc}.ranks`);
    const before = memory();
    const t0 = performance.now();
    const tok = pkg.WasmTokenizer.pretrained(enc, rank);
    const loadS = (performance.now() - t0) / 1000;
    const note = `load_s=${loadS.toFixed(4)};mem_delta_MB=${((memory() - before) / 1e6).toFixed(1)};${sizeNote}`;
    for (const c of corpora) {
      const { median, result } = time(opts.runs, opts.warmup, () => tok.encodeIds(c.text));
      line(PEER, 'encode', c.name, enc, median, c.bytes.length, result.length, null, opts.runs, idsHash(result), note);
      const spans = time(opts.runs, opts.warmup, () => tok.encode(c.text, 'none'));
      line(PEER, 'encode', `${c.name}+spans`, enc, spans.median, c.bytes.length, spans.result.ids.length, null, opts.runs, idsHash(spans.result.ids), 'encode() with byte spans');
    }
    if (opts.worstCase) {
      for (const [name, text] of worstCases()) {
        const len = utf8Length(text);
        const english = englishOfSize(corpora[0].text, len);
        const eng = time(opts.runs, opts.warmup, () => tok.encodeIds(english));
        line(PEER, 'encode', `english-${utf8Length(english)}`, enc, eng.median, utf8Length(english), eng.result.length, null, opts.runs, idsHash(eng.result), `reference for ${name}`);
        const w = time(opts.runs, opts.warmup, () => tok.encodeIds(text));
        line(PEER, 'encode', name, enc, w.median, len, w.result.length, null, opts.runs, idsHash(w.result), `vs_english=${(w.median / eng.median).toFixed(2)}`);
      }
    }
    tok.free();
  }
} else {
  for (const path of opts.files) {
    const c = readCorpus(path);
    for (const vocab of opts.vocab) {
      const { median, result } = time(opts.runs, opts.warmup, () => {
        const tr = new pkg.WasmTrainer(c.bytes, vocab, 'gpt4');
        tr.step(vocab);
        const flat = tr.mergesSince(0);
        tr.free();
        return flat;
      });
      const pairs = [];
      for (let i = 0; i < result.length; i += 3) pairs.push(result[i], result[i + 1]);
      const merges = result.length / 3;
      line(PEER, 'train', c.name, String(vocab), median, c.bytes.length, null, merges / median, opts.runs, idsHash(pairs), `merges=${merges};pattern=gpt4`);
    }
  }
}
