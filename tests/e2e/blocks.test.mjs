// www/js/blocks.js on its own (no browser): after random edits of random
// token lists, `repartition` from the old boundaries either keeps the edited
// block's end (an edit inside one block of a sensible size) or gives exactly
// the boundaries `partition` gives from scratch.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { partition, repartition } from '../../www/js/blocks.js';
import { rng } from './rng.mjs';

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

/** Whether `b` are boundaries of `n` tokens: from 0 to n, increasing, no
 *  block longer than blocks.js's hard limit (4096 tokens). */
function valid(b, n) {
  if (n === 0) return b.length === 1 && b[0] === 0;
  if (b[0] !== 0 || b[b.length - 1] !== n) return false;
  for (let k = 1; k < b.length; k++) if (b[k] <= b[k - 1] || b[k] - b[k - 1] > 4096) return false;
  return true;
}

/** What repartition promises for an edit inside one block (tokens [head,
 *  oldN - tail) replaced): the block [old[k], old[k + 1]) keeps its end when
 *  its last token is unchanged and it has 64 to 1024 tokens after the edit;
 *  then every cut stays, moved by the change in the number of tokens. Null
 *  when that does not apply. */
function kept(old, n, head, tail) {
  const shift = n - old[old.length - 1];
  let k = 0;
  while (k + 1 < old.length && old[k + 1] <= head) k++;
  if (k + 1 >= old.length) return null;
  const end = old[k + 1] + shift;
  if (end - 1 < n - tail || end - old[k] < 64 || end - old[k] > 1024) return null;
  return old.map((b, j) => (j <= k ? b : b + shift));
}

describe('blocks', () => {
  it('repartition after an edit keeps the edited block or equals partition from scratch', () => {
    const next = rng(7);
    let same = 0;
    let fresh = 0;
    for (let round = 0; round < 300; round++) {
      // Long lines (rarely a line break) reach the content-defined and the
      // hard cuts; short ones cut at line ends.
      const nl = [8, 200, 5000][round % 3];
      const old = tokens(next, next(6000), nl);
      const before = encoding(old);
      const oldBounds = partition(before.enc, before.index);
      // Replace tokens [i, j) by new ones: a few, or in every other round
      // up to 800 (a paste), and those may span blocks.
      const i = next(old.length + 1);
      const j = Math.min(old.length, i + next(round % 2 ? 1500 : 40));
      const edited = [...old.slice(0, i), ...tokens(next, next(round % 2 ? 800 : 40), nl), ...old.slice(j)];
      const after = encoding(edited);
      // The counts of unchanged tokens the engine reports may be smaller
      // than the most that could be kept.
      const head = Math.max(0, i - next(5));
      const tail = Math.max(0, Math.min(old.length - j, edited.length - head) - next(5));
      const got = repartition(oldBounds, after.enc, after.index, head, tail);
      assert.ok(valid(got, edited.length), `round ${round}: not valid boundaries`);
      const keep = kept(oldBounds, edited.length, head, tail);
      if (keep) {
        assert.deepEqual(got, keep, `round ${round}`);
        same++;
      } else {
        assert.deepEqual(got, partition(after.enc, after.index), `round ${round}`);
        fresh++;
      }
    }
    // Both ways were taken often.
    assert.ok(same >= 50 && fresh >= 50, `kept ${same}, cut anew ${fresh}`);
  });

  it('an edit inside a block keeps every cut; one that takes the block end away cuts anew', () => {
    const next = rng(11);
    const old = tokens(next, 5000, 10);
    const before = encoding(old);
    const oldBounds = partition(before.enc, before.index);
    assert.ok(oldBounds.length > 10);
    // One token more in the middle of a block: the same blocks, those after
    // it one token later.
    const k = oldBounds.findIndex((b) => b > 2500);
    const at = oldBounds[k] - 20;
    const inserted = [...old.slice(0, at), [5, [0x62]], ...old.slice(at)];
    const a = encoding(inserted);
    const bounds = repartition(oldBounds, a.enc, a.index, at, old.length - at);
    assert.deepEqual(bounds, oldBounds.map((b) => (b <= at ? b : b + 1)));
    // 900 tokens more, without a line break: the block would grow past 1024
    // tokens, so it is cut anew.
    const pasted = [...old.slice(0, at), ...Array.from({ length: 900 }, () => [7, [0x64]]), ...old.slice(at)];
    const p = encoding(pasted);
    assert.ok(oldBounds[k] - oldBounds[k - 1] + 900 > 1024);
    assert.deepEqual(repartition(oldBounds, p.enc, p.index, at, old.length - at), partition(p.enc, p.index));
    // Most of the block deleted, its end kept: with 100 tokens left it
    // stays a block of its own; with 40 it is cut anew (joined to the next).
    for (const left of [100, 40]) {
      const from = oldBounds[k - 1] + 10;
      const to = oldBounds[k] - (left - 10);
      const cut = [...old.slice(0, from), ...old.slice(to)];
      const c = encoding(cut);
      const got = repartition(oldBounds, c.enc, c.index, from, old.length - to);
      const shift = from - to;
      if (left === 100) assert.deepEqual(got, oldBounds.map((b) => (b <= from ? b : b + shift)));
      else assert.deepEqual(got, partition(c.enc, c.index));
    }
    // The block's last token (a line end) replaced by one without a line
    // break: the block ends elsewhere now, as partition cuts it.
    const last = oldBounds[k] - 1;
    const joined = [...old.slice(0, last), [6, [0x63]], ...old.slice(last + 1)];
    const b = encoding(joined);
    const cut = repartition(oldBounds, b.enc, b.index, last, old.length - last - 1);
    assert.deepEqual(cut, partition(b.enc, b.index));
    assert.ok(!cut.includes(oldBounds[k]));
    // Before the edit the same cuts as ever.
    assert.deepEqual(cut.filter((x) => x <= last), oldBounds.filter((x) => x <= last));
  });
});
