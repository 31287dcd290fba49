// Splits a token list into blocks for drawing: a few hundred tokens each,
// ending at a line end where there is one. Block boundaries depend only on
// the tokens near them, so an edit changes the blocks around it and the same
// boundaries come back after it: views keep the blocks they already drew.
// After an edit inside one block, that block keeps its end while it stays
// a sensible size (`repartition`), so typing redraws one block, not the
// several a moved cut would shift.

/** A block ends at the first line end after this many tokens… */
export const BLOCK_MIN = 256;
/** …or, in a long line, after a token whose id is a multiple of 32 once it
 *  has SPLIT_MIN tokens (a content-defined cut, stable under edits)… */
const SPLIT_MIN = 512;
/** …and at the latest after this many. */
const BLOCK_MAX = 4096;
/** An edited block keeps its end while it has this many tokens or more… */
const KEEP_MIN = 64;
/** …and at most this many. */
const KEEP_MAX = 1024;

/** Block boundaries as token indices: [0, b1, …, n] (just [0] for no tokens).
 *  O(n). */
export function partition(enc, index) {
  return cuts([0], enc, index, null);
}

/** Boundaries after an edit, from `old` (the boundaries of the encoding
 *  before it), given that the first `head` tokens are the same and the last
 *  `tail` are too (their offsets moved by the edit). The cuts up to `head`
 *  stay. If the edit lies inside one block whose last token is unchanged,
 *  and the block has between KEEP_MIN and KEEP_MAX tokens now, every later
 *  cut stays too, moved by the change in the number of tokens (so the result
 *  may differ from `partition`'s near the edit). Otherwise the tokens from
 *  the block's start are cut anew, as `partition` would, up to the first cut
 *  in the unchanged end that `old` also has; the rest are `old`'s, moved.
 *  O(the tokens cut anew, and the blocks). */
export function repartition(old, enc, index, head, tail) {
  const n = enc.ids.length;
  const shift = n - old[old.length - 1];
  let k = 0;
  while (k + 1 < old.length && old[k + 1] <= head) k++;
  const from = n - tail;
  if (k + 1 < old.length) {
    const end = old[k + 1] + shift;
    const len = end - old[k];
    if (end - 1 >= from && len >= KEEP_MIN && len <= KEEP_MAX) {
      const out = old.slice(0, k + 1);
      for (let j = k + 1; j < old.length; j++) out.push(old[j] + shift);
      return out;
    }
  }
  return cuts(old.slice(0, k + 1), enc, index, { old, from, shift });
}

/** Cuts the tokens after the last of `out` (and returns `out`); with
 *  `sync`, stops at a cut at or after `sync.from` that `sync.old` has too,
 *  and takes the rest of `sync.old` from there. */
function cuts(out, enc, index, sync) {
  const { ids, ends } = enc;
  const bytes = index.bytes;
  const n = ids.length;
  let start = out[out.length - 1];
  let o = 0;
  for (let i = start; i < n; i++) {
    const len = i + 1 - start;
    if (len < BLOCK_MIN) continue;
    const lineEnd = bytes[ends[i] - 1] === 0x0a;
    if (lineEnd || (len >= SPLIT_MIN && ids[i] % 32 === 0) || len >= BLOCK_MAX) {
      out.push(i + 1);
      start = i + 1;
      if (sync && start >= sync.from && start < n) {
        const want = start - sync.shift;
        while (o < sync.old.length && sync.old[o] < want) o++;
        if (sync.old[o] === want) {
          for (let j = o + 1; j < sync.old.length; j++) out.push(sync.old[j] + sync.shift);
          return out;
        }
      }
    }
  }
  if (start < n) out.push(n);
  return out;
}
