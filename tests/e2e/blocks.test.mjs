// www/js/blocks.js on its own (no browser): after random edits of random
// token lists, `repartition` from the old boundaries gives exactly the
// boundaries `partition` gives from scratch.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { partition, repartition } from '../../www/js/blocks.js';

/** A small deterministic generator (xorshift32). */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

/** Tokens as the views get them: ids, and byte ranges over `bytes`. Each
 *  token is [id, its bytes]; one in `nl` ends with a line break. */
function tokens(next, count, nl) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const len = 1 + next(4);
    const bytes = Array.from({ length: len }, () => 0x61 + next(26));
    if (next(nl) === 0) bytes[len - 1] = 0x0a;
    out.push([next(2000), bytes]);
  }
  return out;
}

function encoding(list) {
  const ids = new Uint32Array(list.length);
  const starts = new Uint32Array(list.length);
  const ends = new Uint32Array(list.length);
  const all = [];
  list.forEach(([id, bytes], i) => {
    ids[i] = id;
    starts[i] = all.length;
    all.push(...bytes);
    ends[i] = all.length;
  });
  return { enc: { ids, starts, ends }, index: { bytes: Uint8Array.from(all) } };
}

describe('blocks', () => {
  it('repartition after an edit equals partition from scratch', () => {
    const next = rng(7);
    let checked = 0;
    for (let round = 0; round < 300; round++) {
      // Long lines (rarely a line break) reach the content-defined and the
      // hard cuts; short ones cut at line ends.
      const nl = [8, 200, 5000][round % 3];
      const old = tokens(next, next(6000), nl);
      const before = encoding(old);
      const oldBounds = partition(before.enc, before.index);
      // Replace tokens [i, j) by a few new ones.
      const i = next(old.length + 1);
      const j = Math.min(old.length, i + next(40));
      const edited = [...old.slice(0, i), ...tokens(next, next(40), nl), ...old.slice(j)];
      const after = encoding(edited);
      // The counts of unchanged tokens the engine reports may be smaller
      // than the most that could be kept.
      const head = Math.max(0, i - next(5));
      const tail = Math.max(0, Math.min(old.length - j, edited.length - head) - next(5));
      const want = partition(after.enc, after.index);
      assert.deepEqual(repartition(oldBounds, after.enc, after.index, head, tail), want, `round ${round}`);
      checked++;
    }
    assert.equal(checked, 300);
  });

  it('keeps the blocks far from the edit', () => {
    const next = rng(11);
    const old = tokens(next, 5000, 10);
    const before = encoding(old);
    const oldBounds = partition(before.enc, before.index);
    assert.ok(oldBounds.length > 10);
    const edited = [...old.slice(0, 2500), [5, [0x62]], ...old.slice(2500)];
    const after = encoding(edited);
    const bounds = repartition(oldBounds, after.enc, after.index, 2500, old.length - 2500);
    assert.deepEqual(bounds, partition(after.enc, after.index));
    // Before the edit the same cuts; after it, the same cuts one token later.
    assert.deepEqual(bounds.filter((b) => b <= 2000), oldBounds.filter((b) => b <= 2000));
    assert.deepEqual(bounds.filter((b) => b >= 3000), oldBounds.filter((b) => b >= 2999).map((b) => b + 1));
  });
});
