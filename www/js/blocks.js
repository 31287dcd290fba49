// Splits a token list into blocks for drawing: a few hundred tokens each,
// ending at a line end where there is one. Block boundaries depend only on
// the tokens near them, so an edit changes the blocks around it and the same
// boundaries come back after it: views keep the blocks they already drew.

/** A block ends at the first line end after this many tokens… */
export const BLOCK_MIN = 256;
/** …or, in a long line, after a token whose id is a multiple of 32 once it
 *  has SPLIT_MIN tokens (a content-defined cut, stable under edits)… */
const SPLIT_MIN = 512;
/** …and at the latest after this many. */
const BLOCK_MAX = 4096;

/** Block boundaries as token indices: [0, b1, …, n] (just [0] for no tokens).
 *  O(n). */
export function partition(enc, index) {
  return cuts([0], enc, index, null);
}

/** The same boundaries after an edit, from `old` (the boundaries of the
 *  encoding before it), given that the first `head` tokens are the same and
 *  the last `tail` are too (their offsets moved by the edit). A cut is made
 *  by the tokens since the last one only, so the cuts up to `head` stay, and
 *  from the first cut in the unchanged end that `old` also has, the rest
 *  are `old`'s, moved by the change in the number of tokens. O(the tokens
 *  between, and the blocks). */
export function repartition(old, enc, index, head, tail) {
  const shift = enc.ids.length - old[old.length - 1];
  let k = 0;
  while (k + 1 < old.length && old[k + 1] <= head) k++;
  return cuts(old.slice(0, k + 1), enc, index, { old, from: enc.ids.length - tail, shift });
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
