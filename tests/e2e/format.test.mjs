// www/js/format.js on its own (no browser): an index derived from the last
// one after an edit (TextIndex.edit) equals an index built afresh.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TextIndex } from '../../www/js/format.js';
import { rng } from './rng.mjs';

/** `got` (an edited index) holds what `want` (a fresh one) holds. Its map
 *  is read byte by byte (through the edits it may stand on), and written out
 *  only `if writeOut`, so that in a run of edits maps stand on up to
 *  MAX_EDITS of them. */
function same(got, want, what, writeOut = true) {
  assert.deepEqual(got.bytes, want.bytes, `${what}: bytes`);
  const n = want.bytes.length + 1;
  assert.deepEqual(Array.from({ length: n }, (_, b) => got.u16At(b)), Array.from(want.u16), `${what}: u16At`);
  if (writeOut) assert.deepEqual(Array.from(got.u16), Array.from(want.u16), `${what}: byte → UTF-16 map`);
  assert.equal(got.chars, want.chars, `${what}: characters`);
  // The text of a range of whole characters is the text's, a lone half of
  // a surrogate pair read as U+FFFD (as encoded).
  const u16 = want.u16;
  const starts = [...Array(n).keys()].filter((b) => want.isBoundary(b));
  const [s, e] = [starts[(n * 7) % starts.length], starts[(n * 13) % starts.length]].sort((x, y) => x - y);
  assert.equal(got.textOf(s, e), want.text.slice(u16[s], u16[e]).toWellFormed(), `${what}: textOf(${s}, ${e})`);
}

describe('TextIndex', () => {
  it('edit gives what a fresh index gives, after 20,000 random edits', () => {
    const next = rng(5);
    // ASCII, 2-, 3- and 4-byte characters, a combining mark, a ZWJ
    // sequence, and lone halves of a surrogate pair (which an edit may pair
    // up or split).
    const pool = ['a', 'b', ' ', '\n', 'é', '日', '🙂', '👩‍👩‍👧', '\u0301', 'x', '\ud83d', '\ude42'];
    let text = 'hello world';
    let index = new TextIndex(text);
    for (let i = 0; i < 20000; i++) {
      const at = next(text.length + 1);
      const gone = next(4);
      const put = Array.from({ length: next(4) }, () => pool[next(pool.length)]).join('');
      const before = text;
      text = text.slice(0, at) + put + text.slice(Math.min(text.length, at + gone));
      // Maps written out or not before the edit (they are lazy).
      if (next(20) === 0) void index.u16;
      if (next(3) === 0) void index.chars;
      // Told where the edit was (as the text box tells), with the units put
      // there or without, or not told. (The random `at` may split a pair,
      // and `put` may pair up with the halves around it.)
      const change = { before, at, gone: Math.min(gone, before.length - at), put: put.length };
      if (next(2)) change.inserted = put;
      index = next(3) ? index.edit(text, change) : index.edit(text);
      same(index, new TextIndex(text), `edit ${i}`, next(20) === 0);
      if (text.length > 300) {
        text = text.slice(150);
        index = index.edit(text);
      }
    }
  });

  it('edit of an ASCII text into one that is not, and back', () => {
    let index = new TextIndex('abc def');
    for (const text of ['abc é def', 'abc 🙂 def', '🙂', '', 'abc def']) {
      index = index.edit(text);
      same(index, new TextIndex(text), JSON.stringify(text));
    }
    assert.equal(index.edit('abc def'), index);
  });

  it('edit ignores a change that is not about its text', () => {
    const index = new TextIndex('abc é def');
    // Told about another text (or a change that does not add up), it looks
    // for the unchanged ends itself.
    const wrong = [
      { before: 'something else', at: 0, gone: 0, put: 1 },
      { before: 'abc é def', at: 3, gone: 1, put: 5 },
    ];
    for (const change of wrong) same(index.edit('abc éé def', change), new TextIndex('abc éé def'), JSON.stringify(change));
  });
});
