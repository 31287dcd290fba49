// Node peers in the bench column format (see common.mjs): gpt-tokenizer,
// js-tiktoken and tiktoken (wasm), installed in tests/bench/node_modules
// (`npm install --prefix tests/bench`, done by ./build.sh bench).
//   node tests/bench/node_peers.mjs encode --runs 5 --warmup 1 --enc cl100k_base,o200k_base [--worst-case] FILE...
// Each encodes ordinary text, whole file in one call.
import { createRequire } from 'node:module';
import { parseArgs, readCorpus, idsHash, time, line, worstCases, englishOfSize, utf8Length } from './common.mjs';

const require = createRequire(import.meta.url);
const opts = parseArgs(process.argv.slice(2));
if (opts.task !== 'encode') {
  console.error('node_peers.mjs: only encode has Node peers');
  process.exit(2);
}
const corpora = opts.files.map(readCorpus);
const skipSlow = process.env.BENCH_SKIP_SLOW === '1';

async function peers(enc) {
  const out = [];
  {
    const t = performance.now();
    const mod = await import(`gpt-tokenizer/encoding/${enc}`);
    out.push(['gpt-tokenizer', (t2) => t2, (text) => mod.encode(text, { disallowedSpecial: new Set() }), performance.now() - t]);
  }
  {
    const t = performance.now();
    const { Tiktoken } = await import('js-tiktoken/lite');
    const ranks = (await import(`js-tiktoken/ranks/${enc}`)).default;
    const tk = new Tiktoken(ranks);
    out.push(['js-tiktoken', null, (text) => tk.encode(text, [], []), performance.now() - t]);
  }
  {
    const t = performance.now();
    const { get_encoding } = require('tiktoken');
    const tk = get_encoding(enc);
    out.push(['tiktoken', null, (text) => tk.encode_ordinary(text), performance.now() - t]);
  }
  return out;
}

for (const enc of opts.enc) {
  for (const [peer, , encode, loadMs] of await peers(enc)) {
    const note = `load_s=${(loadMs / 1000).toFixed(4)}`;
    // js-tiktoken is ~20x slower than the rest: fewer runs keep the bench short.
    const runs = peer === 'js-tiktoken' ? Math.min(opts.runs, 3) : opts.runs;
    const warmup = peer === 'js-tiktoken' ? Math.min(opts.warmup, 1) : opts.warmup;
    for (const c of corpora) {
      const { median, result } = time(runs, warmup, () => encode(c.text));
      line(peer, 'encode', c.name, enc, median, c.bytes.length, result.length, null, runs, idsHash(result), note);
    }
    if (opts.worstCase && !(skipSlow && peer === 'js-tiktoken')) {
      for (const [name, text] of worstCases()) {
        const len = utf8Length(text);
        const english = englishOfSize(corpora[0].text, len);
        const eng = time(1, 0, () => encode(english));
        let w;
        try {
          w = time(1, 0, () => encode(text));
        } catch (e) {
          line(peer, 'encode', name, enc, NaN, len, null, null, 1, null, `failed: ${String(e.message || e).slice(0, 60).replace(/\s+/g, ' ')}`);
          continue;
        }
        line(peer, 'encode', name, enc, w.median, len, w.result.length, null, 1, idsHash(w.result), `vs_english=${(w.median / eng.median).toFixed(2)}`);
      }
    }
  }
}
