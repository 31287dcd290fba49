// Worker-side operations for the teaching views (Merges, Inspect, Train).
// Runs inside www/worker.js, which merges these into its `ops` table:
//
//   Object.assign(ops, teachOps({ tokenizer, wasmReady }));
//
// Same protocol as the worker's own ops: each takes one plain-object
// argument and returns a structured-cloneable result (typed arrays at the top
// level of a result are transferred, so cached arrays are returned as copies).

import { checkPattern, renderToken } from '../pkg/bpe_playground.js';

/** Most nodes a merge tree may have (a token of n bytes has 2n - 1). */
const MAX_TREE_NODES = 4096;

export function teachOps({ tokenizer, wasmReady }) {
  /** WasmTokenizer -> {merges, counts, left, right, made} (rendered labels) */
  const tables = new WeakMap();

  function table(tok) {
    let t = tables.get(tok);
    if (!t) {
      const merges = tok.merges();
      const n = merges.length / 3;
      const lefts = new Uint32Array(n);
      const rights = new Uint32Array(n);
      const made = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        lefts[i] = merges[3 * i];
        rights[i] = merges[3 * i + 1];
        made[i] = merges[3 * i + 2];
      }
      t = {
        merges,
        counts: tok.mergeCounts() ?? null,
        left: tok.renderTokens(lefts),
        right: tok.renderTokens(rights),
        made: tok.renderTokens(made),
      };
      tables.set(tok, t);
    }
    return t;
  }

  return {
    /** Resolves if `pattern` (a name or a regex) compiles; rejects with the engine's message. */
    async checkPattern({ pattern }) {
      await wasmReady;
      checkPattern(pattern);
      return true;
    },

    /** Every merge in rank order: flat [left, right, new, …] ids, counts
     *  (trained vocabularies, else null) and the three tokens of each merge
     *  rendered as minbpe's .vocab renders them. */
    async mergeTable({ name }) {
      const t = table(await tokenizer(name));
      return {
        merges: t.merges.slice(),
        counts: t.counts ? t.counts.slice() : null,
        left: t.left,
        right: t.right,
        made: t.made,
      };
    },

    /** Token count of `text` after the first k merges, for ~`samples` values
     *  of k from 0 to all. {ks, tokens: Uint32Array, bytes: number} */
    async curve({ name, text, allowed = 'none', samples = 48 }) {
      const tok = await tokenizer(name);
      const total = tok.mergeCount();
      const set = new Set([0, total]);
      const n = Math.max(2, Math.min(samples, total + 1));
      for (let i = 1; i < n - 1; i++) set.add(Math.round((total * i) / (n - 1)));
      const ks = Uint32Array.from([...set].sort((a, b) => a - b));
      const tokens = new Uint32Array(ks.length);
      for (let i = 0; i < ks.length; i++) tokens[i] = tok.encodeLimited(text, allowed, ks[i]).ids.length;
      return { ks, tokens, bytes: new TextEncoder().encode(text).length };
    },

    /** The merge tree of token `id` down to single bytes:
     *  {id, label, hex, rank, special, children: [left, right] | []}. */
    async tree({ name, id }) {
      const tok = await tokenizer(name);
      let nodes = 0;
      const build = (tid) => {
        if (++nodes > MAX_TREE_NODES) throw new Error('this token\'s merge tree is too large to draw');
        const info = tok.tokenInfo(tid);
        const bytes = info.bytes;
        const node = {
          id: tid,
          label: renderToken(bytes),
          hex: Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' '),
          rank: info.rank,
          special: info.special,
          children: [],
        };
        if (info.parents) node.children = [build(info.parents[0]), build(info.parents[1])];
        return node;
      };
      return build(id);
    },
  };
}
