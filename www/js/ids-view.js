// The id list: "[id, id, …]" as plain text, one <div> per block of tokens
// (blocks.js), so that after an edit only the blocks around it get new text
// and are laid out again. The element's textContent is always the whole
// list.

import { sameStart, sameEnd } from './format.js';

export class IdsView {
  constructor(container) {
    this.el = container;
    /** The text of each block's <div>, in order. */
    this.texts = [];
  }

  /** Shows `ids`, cut at `bounds` (see blocks.js). O(n) string work; DOM
   *  changes only where the text changed. */
  render(ids, bounds, kept = null) {
    let old = this.texts;
    const texts = [];
    const count = bounds.length - 1;
    if (count <= 0) texts.push('[]');
    // Blocks the tokens view kept have the same ids: reuse their text (but
    // the first and the last, whose brackets may have moved).
    const reuse = (k) =>
      kept && k > 0 && k < count - 1 && k < old.length - 1 && (k < kept.head || count - 1 - k < kept.tail);
    for (let k = 0; k < count; k++) {
      if (reuse(k)) {
        texts.push(k < kept.head ? old[k] : old[old.length - (count - k)]);
        continue;
      }
      const part = ids.subarray(bounds[k], bounds[k + 1]).join(', ');
      texts.push((k === 0 ? '[' : '') + part + (k === count - 1 ? ']' : ', '));
    }
    const divs = this.el.children;
    if (divs.length !== old.length) {
      // Changed behind our back (cleared): draw it all.
      this.el.replaceChildren();
      old = [];
    }
    let head = 0;
    while (head < old.length && head < texts.length && old[head] === texts[head] && divs[head]) head++;
    let tail = 0;
    while (tail < old.length - head && tail < texts.length - head && old[old.length - 1 - tail] === texts[texts.length - 1 - tail]) tail++;
    // One block's text changed (a keystroke): edit its text in place, where
    // it changed, so that the browser lays out and shapes again only that
    // part of it instead of a new block.
    if (old.length === texts.length && head + tail === texts.length - 1 && divs[head]?.firstChild) {
      editText(divs[head].firstChild, old[head], texts[head]);
      this.texts = texts;
      return;
    }
    for (let k = old.length - tail - 1; k >= head; k--) divs[k].remove();
    const frag = document.createDocumentFragment();
    for (let k = head; k < texts.length - tail; k++) {
      const div = document.createElement('div');
      div.textContent = texts[k];
      frag.append(div);
    }
    this.el.insertBefore(frag, divs[head] ?? null);
    this.texts = texts;
  }

  clear() {
    this.el.replaceChildren();
    this.texts = [];
  }
}

/** Makes Text node `node`, holding `was`, hold `now` with one replaceData
 *  of the part between their common start and end. */
function editText(node, was, now) {
  const max = Math.min(was.length, now.length);
  const a = sameStart(was, now, max);
  const z = sameEnd(was, now, max - a);
  node.replaceData(a, was.length - a - z, now.slice(a, now.length - z));
}
