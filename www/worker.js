// The tokenizer worker: owns every wasm tokenizer and does all heavy work
// (parsing rank files, encoding, training) off the main thread.
//
// Protocol (see js/worker-client.js for the caller side):
//   request   {id, op, args}
//   reply     {id, ok: true, result} | {id, ok: false, error: "message"}
//   progress  {id, progress: {...}}   (long operations only, e.g. train)
// Ops are the keys of `ops` below. Typed arrays in results are transferred.
import init, { WasmTokenizer, WasmTrainer, EncodeSession, warmUp } from './pkg/bpe_playground.js';
import { describe } from './js/describe.js';
import { fetchRanks } from './js/rank-files.js';

const PRETRAINED = ['r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base'];

/** Settles with the page's `prime` (see worker-client.js): {module, ranks}. */
let primeArrived;
const primed = new Promise((resolve) => (primeArrived = resolve));
// The engine: compiled by the page, else fetched here. Its splitter is
// warmed up before the first request (for a pretrained encoding the worker
// did not get from the page, while its rank file downloads).
const wasmReady = primed
  .then(({ module }) => init(module ? { module_or_path: module } : undefined))
  .then((x) => (warmUp(), x));
/** name -> {promise, resolve}: rank files the page is fetching for us. */
const primedRanks = new Map();
function primedRank(name) {
  let entry = primedRanks.get(name);
  if (!entry) {
    let resolve;
    const promise = new Promise((r) => (resolve = r));
    primedRanks.set(name, (entry = { promise, resolve }));
  }
  return entry;
}
/** name -> WasmTokenizer */
const tokenizers = new Map();
/** name -> Promise<WasmTokenizer> while a pretrained encoding loads */
const loading = new Map();
/** lane -> EncodeSession: a lane's next text is usually its last one with
 *  a small edit, which the session re-encodes only around the change. */
const sessions = new Map();
/** request ids of trainings asked to stop */
const cancelled = new Set();

/** Settles when the vocabularies of a crashed worker are re-created (op restore). */
let restoring = Promise.resolve();

async function tokenizer(name) {
  await restoring;
  const ready = tokenizers.get(name);
  if (ready) return ready;
  if (!PRETRAINED.includes(name)) throw new Error(`no tokenizer named ${JSON.stringify(name)} is loaded`);
  let pending = loading.get(name);
  if (!pending) {
    pending = (async () => {
      // The page's copy if it fetched this file for us (null: it failed).
      const { ranks: coming = [] } = await primed;
      let ranks = null;
      if (coming.includes(name) && primedRanks.get(name) !== null) {
        ranks = await primedRank(name).promise;
        primedRanks.set(name, null); // used (transferred) once
      }
      const [buf] = await Promise.all([ranks ?? fetchRanks(name), wasmReady]);
      const tok = WasmTokenizer.pretrained(name, new Uint8Array(buf));
      tokenizers.set(name, tok);
      return tok;
    })();
    loading.set(name, pending);
    pending.finally(() => loading.delete(name)).catch(() => {});
  }
  return pending;
}

function replace(name, tok) {
  const old = tokenizers.get(name);
  tokenizers.set(name, tok);
  if (old) old.free();
}

const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));

const ops = {
  /** From worker-client.js, first: the compiled engine or null, and the
   *  names of the rank files that follow as `primeRanks`. */
  prime({ module = null, ranks = [] }) {
    primeArrived({ module, ranks });
    return true;
  },

  /** A rank file the page fetched for us: parsed at once, before anyone
   *  asks (a failure surfaces on the page's `load`, which fetches again). */
  primeRanks({ name, bytes = null }) {
    primedRank(name).resolve(bytes);
    if (bytes) tokenizer(name).catch(() => {});
    return true;
  },

  /** Loads a tokenizer. source: {kind: 'pretrained'} | {kind: 'model', text}
   *  | {kind: 'tiktoken', bytes, pattern, specials} | {kind: 'hf', text}. */
  async load({ name, source = { kind: 'pretrained' } }) {
    await wasmReady;
    if (source.kind === 'pretrained') return describe(name, await tokenizer(name));
    if (PRETRAINED.includes(name)) throw new Error(`${name} is a built-in name; choose another`);
    let tok;
    if (source.kind === 'model') tok = WasmTokenizer.fromModel(name, source.text);
    else if (source.kind === 'tiktoken')
      tok = WasmTokenizer.fromTiktoken(name, new Uint8Array(source.bytes), source.pattern ?? 'cl100k', source.specials ?? '');
    else if (source.kind === 'hf') tok = WasmTokenizer.fromTokenizerJson(name, source.text);
    else throw new Error(`unknown source kind ${source.kind}`);
    replace(name, tok);
    return describe(name, tok);
  },

  /** {ids, starts, ends}: Uint32Arrays, byte offsets into the UTF-8 text.
   *  With `k` (a number), only the first k merges are used. With `lane` (a
   *  view's name), the lane's session reuses its last encoding, and the
   *  text may come as its UTF-8 bytes (`utf8`, a Uint8Array) instead. */
  async encode({ name, text, utf8 = null, allowed = 'none', k = null, lane = null }) {
    const tok = await tokenizer(name);
    if (k != null) return tok.encodeLimited(text, allowed, k);
    if (lane == null) return tok.encode(text, allowed);
    let session = sessions.get(lane);
    if (!session) sessions.set(lane, (session = new EncodeSession()));
    return utf8 ? session.encodeUtf8(tok, utf8, allowed) : session.encode(tok, text, allowed);
  },

  /** {text, bytes: Uint8Array, ends: Uint32Array (end offset of each token in bytes)} */
  async decode({ name, ids }) {
    const tok = await tokenizer(name);
    const idArr = Uint32Array.from(ids);
    const text = tok.decode(idArr);
    const bytes = tok.decodeBytes(idArr);
    const ends = new Uint32Array(idArr.length);
    let at = 0;
    for (let i = 0; i < idArr.length; i++) {
      at += tok.tokenBytes(idArr[i]).length;
      ends[i] = at;
    }
    return { text, bytes, ends };
  },

  async tokenInfo({ name, id }) {
    return (await tokenizer(name)).tokenInfo(id);
  },

  /** Flat [start, end, ...] byte offsets of the pre-tokenization chunks. */
  async chunks({ name, text }) {
    return (await tokenizer(name)).chunks(text);
  },

  /** {merges: flat [left, right, new, ...], counts: Float64Array | null} */
  async merges({ name }) {
    const tok = await tokenizer(name);
    return { merges: tok.merges(), counts: tok.mergeCounts() };
  },

  /** format: model | vocab | tiktoken | tokenizer.json -> file text */
  async export({ name, format }) {
    const tok = await tokenizer(name);
    switch (format) {
      case 'model': return tok.toModel();
      case 'vocab': return tok.toVocab();
      case 'tiktoken': return tok.toTiktoken();
      case 'tokenizer.json': return tok.toTokenizerJson();
      default: throw new Error(`unknown export format ${format}`);
    }
  },

  async drop({ name }) {
    const tok = tokenizers.get(name);
    tokenizers.delete(name);
    if (tok) tok.free();
    return true;
  },

  /** Trains in slices of ~16 ms, posting progress {done, total, merges} after
   *  each slice (merges: the new flat triples), and answers `cancel` between
   *  slices. Resolves to the new tokenizer's description. */
  async train({ corpus, vocabSize, pattern = 'gpt4', name, specials = '' }, ctx) {
    await wasmReady;
    const trainer = new WasmTrainer(new Uint8Array(corpus), vocabSize, pattern);
    try {
      let batch = 1;
      let sent = 0;
      while (!trainer.isFinished()) {
        if (cancelled.has(ctx.id)) throw new Error('cancelled');
        const t0 = performance.now();
        trainer.step(batch);
        const dt = performance.now() - t0;
        batch = Math.max(1, Math.min(4096, Math.round(batch * (dt < 8 ? 2 : dt > 24 ? 0.5 : 1))));
        const merges = trainer.mergesSince(sent);
        sent = trainer.done();
        ctx.progress({ done: sent, total: trainer.total(), merges }, [merges.buffer]);
        await yieldToMessages();
      }
      if (cancelled.has(ctx.id)) throw new Error('cancelled');
      const tok = trainer.finish(name, specials);
      replace(name, tok);
      return describe(name, tok);
    } finally {
      cancelled.delete(ctx.id);
      trainer.free();
    }
  },

  /** Re-creates vocabularies after a crash (sent first to a new worker by
   *  worker-client.js): items are `load` arguments. Other ops wait for it. */
  restore({ items = [] }) {
    restoring = (async () => {
      await wasmReady;
      for (const args of items) {
        try {
          await ops.load(args);
        } catch {
          /* a vocabulary that cannot be re-created is reported when used */
        }
      }
    })();
    return restoring.then(() => true);
  },

  /** Stops the training started by request `target` (takes effect between slices). */
  cancel({ target }) {
    cancelled.add(target);
    return true;
  },
};

// Teaching ops (merge table, k-curve, merge tree, pattern check):
// js/teach-ops.js, imported without holding up the first encoding.
const teachingReady = import('./js/teach-ops.js').then(({ teachOps }) => Object.assign(ops, teachOps({ tokenizer, wasmReady })));
teachingReady.catch(() => {}); // reported to the op that needs it

function transferables(value, out = []) {
  if (ArrayBuffer.isView(value)) out.push(value.buffer);
  else if (value && typeof value === 'object' && !Array.isArray(value))
    for (const v of Object.values(value)) if (ArrayBuffer.isView(v)) out.push(v.buffer);
  return out;
}

self.onmessage = async (event) => {
  const { id, op, args } = event.data;
  const ctx = {
    id,
    progress: (progress, transfer = []) => self.postMessage({ id, progress }, transfer),
  };
  try {
    if (!(op in ops)) await teachingReady;
    const fn = ops[op];
    if (!fn) throw new Error(`unknown worker operation ${op}`);
    const result = await fn(args ?? {}, ctx);
    self.postMessage({ id, ok: true, result }, transferables(result));
  } catch (e) {
    // A trap (a panic or an allocation failure) leaves the wasm instance
    // unusable: the page restarts this worker (`fatal`).
    const fatal = e instanceof WebAssembly.RuntimeError;
    self.postMessage({ id, ok: false, error: e instanceof Error ? e.message : String(e), fatal });
  }
};
