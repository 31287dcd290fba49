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
  const { ids, ends } = enc;
  const bytes = index.bytes;
  const n = ids.length;
  const out = [0];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const len = i + 1 - start;
    if (len < BLOCK_MIN) continue;
    const lineEnd = bytes[ends[i] - 1] === 0x0a;
    if (lineEnd || (len >= SPLIT_MIN && ids[i] % 32 === 0) || len >= BLOCK_MAX) {
      out.push(i + 1);
      start = i + 1;
    }
  }
  if (start < n) out.push(n);
  return out;
}
