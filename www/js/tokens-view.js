// Token chips: one <span class="chip" data-token-id> per token, in order.
//
// The chips live in blocks (<div class="block">) of a few hundred tokens
// that end at a line end (see `blocks.js`), one <div class="line"> per text
// line inside. Two things keep a keystroke in a 1 MB text cheap:
//   - incremental: when only the text changed (same tokenizer and options),
//     the blocks of the unchanged prefix and suffix are kept as they are and
//     only the blocks around the edit are rebuilt;
//   - lazy: a block's chips are built when it comes near the scroll viewport
//     (looked for at the frame after a scroll or a render that left blocks
//     unbuilt); until then it is an empty box of about the right height.
//     Texts of up to EAGER_TOKENS tokens are built at once.
//
// Keyboard: the chips form one tab stop (roving tabindex); ←/→ move, Home/End
// jump. Hover or focus calls `onToken(details)`; leaving calls `onLeave()`.

import { hexBytes, hue, segments, tokenLabel, showWhitespace } from './format.js';
import { partition, repartition } from './blocks.js';

/** Texts with at most this many tokens have every chip built at once. */
export const EAGER_TOKENS = 5000;
/** How far outside the scroll viewport blocks are built ahead of scrolling. */
const AHEAD_PX = 800;

const EMPTY = { ids: new Uint32Array(0), starts: new Uint32Array(0), ends: new Uint32Array(0) };

/** How many tokens two encodings share at the start (same id and span),
 *  at most `m`. O(result). (A small function of its own, so that V8 keeps
 *  it optimised: inside `render`, which runs once per keystroke, the loop
 *  ran unoptimised at 35 ns a token, 5 ms a keystroke in a 1 MB text.) */
function samePrefix(a, b, m) {
  const [ai, as, ae, bi, bs, be] = [a.ids, a.starts, a.ends, b.ids, b.starts, b.ends];
  let p = 0;
  while (p < m && ai[p] === bi[p] && as[p] === bs[p] && ae[p] === be[p]) p++;
  return p;
}

/** How many tokens two encodings share at the end, at most `m`: same id
 *  and the same span counted from the end of each text (`aLen`, `bLen`
 *  bytes). O(result). */
function sameSuffix(a, aLen, b, bLen, m) {
  const [ai, as, ae, bi, bs, be] = [a.ids, a.starts, a.ends, b.ids, b.starts, b.ends];
  const [na, nb] = [ai.length, bi.length];
  let s = 0;
  while (s < m && ai[na - 1 - s] === bi[nb - 1 - s] && aLen - as[na - 1 - s] === bLen - bs[nb - 1 - s] && aLen - ae[na - 1 - s] === bLen - be[nb - 1 - s]) s++;
  return s;
}

export class TokensView {
  /**
   * @param {HTMLElement} container  receives the chips
   * @param {{onToken?: Function, onLeave?: Function, label?: string, scroller?: HTMLElement}} opts
   *   `scroller`: the scrolling box around the chips (default: the container).
   */
  constructor(container, { onToken, onLeave, label = 'tokens', scroller } = {}) {
    this.el = container;
    this.el.classList.add('chips');
    this.el.setAttribute('role', 'group');
    this.el.setAttribute('aria-label', label);
    this.scroller = scroller ?? container;
    this.onToken = onToken ?? (() => {});
    this.onLeave = onLeave ?? (() => {});
    /** [{from, to, el, chips: HTMLElement[] | null}] in token order */
    this.blocks = [];
    this.bounds = [0];
    this.enc = EMPTY;
    this.index = null;
    this.key = null;
    this.specials = new Set();
    this.marked = null;
    this.rover = null;
    // Unbuilt blocks near the view are looked for only when it may have
    // moved: at a scroll, and at a render that left blocks unbuilt. (An
    // IntersectionObserver on every unbuilt block did it for us, but cost
    // about 0.5 ms in every frame, keystrokes included, with the ~450
    // blocks of 100 KB in four views.) The views a tab can hide (Compare,
    // Merges) render only while shown, so a render has a view to look in;
    // blocks built AHEAD_PX beyond it cover a taller view (lecture mode).
    this.revealing = 0;
    this.scroller.addEventListener('scroll', () => this.revealSoon(), { passive: true });
    this.el.addEventListener('mouseover', (e) => this.hover(e.target));
    this.el.addEventListener('mouseleave', () => {
      if (!this.el.contains(document.activeElement)) this.onLeave();
    });
    this.el.addEventListener('focusin', (e) => this.hover(e.target));
    this.el.addEventListener('focusout', (e) => {
      if (!this.el.contains(e.relatedTarget)) this.onLeave();
    });
    this.el.addEventListener('click', (e) => {
      const chip = e.target.closest?.('.chip');
      if (chip) this.focusChip(chip);
    });
    this.el.addEventListener('keydown', (e) => this.key_(e));
  }

  /** The number of tokens shown. */
  get length() {
    return this.enc.ids.length;
  }

  /**
   * @param {{index: import('./format.js').TextIndex, enc: {ids, starts, ends},
   *          specials: Set<number>, whitespace: boolean, key: string}} model
   *   `key` names everything but the text (tokenizer, options): a new key
   *   means a full rebuild.
   */
  render({ index, enc, specials, whitespace, key }) {
    const full = key !== this.key || !this.index || this.blocks.length === 0;
    const old = this.enc;
    const oldIndex = this.index;
    const oldBlocks = this.blocks;
    const n = enc.ids.length;
    const oN = old.ids.length;
    // Unchanged tokens at the start (p) and at the end (s) of the text.
    let p = 0;
    let s = 0;
    // The page's engine says how many tokens it kept from the encoding this
    // view shows (local-engine.js): no need to scan for them. (None kept:
    // it encoded the text afresh, and a scan may still find some.)
    const told = !full && enc.follows !== undefined && enc.follows === old.serial && enc.keptHead + enc.keptTail > 0;
    if (!full) {
      const m = Math.min(oN, n);
      p = told ? Math.min(enc.keptHead, m) : samePrefix(old, enc, m);
      // A token ending inside a character belongs to a group whose look
      // depends on its neighbours: redraw it too.
      while (p > 0 && !(oldIndex.isBoundary(old.ends[p - 1]) && index.isBoundary(enc.ends[p - 1]))) p--;
      s = told ? Math.min(enc.keptTail, m - p) : sameSuffix(old, oldIndex.bytes.length, enc, index.bytes.length, m - p);
      while (s > 0 && !(oldIndex.isBoundary(old.starts[oN - s]) && index.isBoundary(enc.starts[n - s]))) s--;
    }
    this.enc = enc;
    this.index = index;
    this.key = key;
    this.specials = specials;
    this.whitespace = whitespace;

    // With what the engine kept, only the blocks around the edit are cut anew.
    const bounds = told ? repartition(this.bounds, enc, index, p, s) : partition(enc, index);
    /** Block boundaries (token indices), also used by the id list. */
    this.bounds = bounds;
    const count = bounds.length - 1;
    // Blocks kept: those inside the unchanged prefix, and those inside the
    // unchanged suffix that the new partition has at the same place.
    let head = 0;
    let tail = 0;
    if (!full) {
      while (head < oldBlocks.length && head < count && oldBlocks[head].to <= p && bounds[head + 1] === oldBlocks[head].to && bounds[head] === oldBlocks[head].from) head++;
      const shift = n - oN;
      while (
        tail < oldBlocks.length - head &&
        tail < count - head &&
        oldBlocks[oldBlocks.length - 1 - tail].from >= oN - s &&
        oldBlocks[oldBlocks.length - 1 - tail].from + shift === bounds[count - 1 - tail] &&
        oldBlocks[oldBlocks.length - 1 - tail].to + shift === bounds[count - tail]
      )
        tail++;
    }
    const removed = oldBlocks.slice(head, oldBlocks.length - tail);
    // Blocks rebuilt now (where the user was looking): as many as were
    // drawn, plus one; the first screens of a new text; all of a short one.
    const drawn = removed.filter((b) => b.chips).length;
    let now = drawn ? drawn + 1 : 0;
    // Inside them, the lines of unchanged tokens are moved, not rebuilt, and
    // the line the edit fell in gets new chips for the changed tokens only.
    const reuse = full ? null : this.reusableLines(removed, p, oN - s, n - oN);
    // The first drawn block keeps its element for the first rebuilt block:
    // its unchanged lines stay in place and are not laid out again.
    let donor = full ? null : removed.find((b) => b.chips)?.el ?? null;
    for (const b of removed) if (b.el !== donor) b.el.remove();
    const fresh = [];
    const eager = n <= EAGER_TOKENS;
    if (full) this.metrics = null;
    // (Reading the scroller's height forces a layout: not for short texts.)
    let budget = full && !eager ? this.scroller.clientHeight + AHEAD_PX : 0;
    let donorAt = -1;
    let unbuilt = false;
    for (let k = head; k < count - tail; k++) {
      const build = eager || (full ? budget > 0 : now > 0);
      const el = build && donor ? donor : document.createElement('div');
      if (el === donor) {
        donor = null;
        donorAt = fresh.length;
      }
      const block = { from: bounds[k], to: bounds[k + 1], el, chips: null };
      block.el.className = 'block';
      block.el.__block = block;
      if (build) {
        this.build(block, reuse);
        if (budget > 0) budget -= this.estimate(block);
        now--;
      } else {
        block.el.style.height = `${this.estimate(block)}px`;
        unbuilt = true;
      }
      fresh.push(block);
    }
    const shift = n - oN;
    const kept = oldBlocks.slice(oldBlocks.length - tail);
    for (const b of kept) {
      b.from += shift;
      b.to += shift;
    }
    // (A donor not needed after all leaves.)
    if (donor) donor.remove();
    const anchor = kept.length ? kept[0].el : null;
    const before = document.createDocumentFragment();
    const after = document.createDocumentFragment();
    fresh.forEach((b, k) => k !== donorAt && (k < donorAt ? before : after).append(b.el));
    if (full) this.el.replaceChildren(after);
    else {
      if (donorAt >= 0) this.el.insertBefore(before, fresh[donorAt].el);
      this.el.insertBefore(after, anchor);
    }
    this.blocks = oldBlocks.slice(0, head).concat(fresh, kept);
    if (unbuilt) this.revealSoon();
    /** What the last render kept: blocks [0, head) and the last `tail`. */
    this.kept = full ? null : { head, tail };
    if (full) this.rover = null;
    if (this.rover && !this.rover.isConnected) this.rover = null;
    if (!this.rover) {
      const first = this.chipAt(0);
      if (first) {
        this.rover = first;
        first.tabIndex = 0;
      }
    }
  }

  /** Runs `reveal` at the next animation frame (once however often asked). */
  revealSoon() {
    if (!this.revealing) this.revealing = requestAnimationFrame(() => this.reveal());
  }

  /** Builds the unbuilt blocks within AHEAD_PX of the scroller's view. One
   *  layout and O(log blocks + blocks in view) positions read: blocks are
   *  stacked in token order, so the first one in reach is found by binary
   *  search. The blocks built get their real height, which moves those
   *  after them: if it built any, it looks again at the next frame. */
  reveal() {
    this.revealing = 0;
    const { blocks, scroller } = this;
    if (!blocks.length || !this.el.isConnected) return;
    const view = scroller.getBoundingClientRect();
    if (view.height === 0) return; // hidden
    const [top, bottom] = [view.top - AHEAD_PX, view.bottom + AHEAD_PX];
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (blocks[mid].el.getBoundingClientRect().bottom <= top) lo = mid + 1;
      else hi = mid;
    }
    const due = [];
    for (let k = lo; k < blocks.length && blocks[k].el.getBoundingClientRect().top < bottom; k++) if (!blocks[k].chips) due.push(blocks[k]);
    for (const block of due) this.build(block);
    if (due.length) {
      // Scrolling: a good time to learn the real row height (one layout).
      if (!this.metrics?.measured) this.measure();
      this.revealSoon();
    }
  }

  /** An estimated height (px) for an unbuilt block: its text wrapped at the
   *  view's width, at the chips' line height. */
  estimate(block) {
    const { row, perRow } = this.metrics ?? this.measure();
    const { enc } = this;
    let rows = 0;
    let line = 0;
    for (let i = block.from; i < block.to; i++) {
      line += enc.ends[i] - enc.starts[i] + 0.3;
      if (this.endsLine(i)) {
        rows += Math.max(1, Math.ceil(line / perRow));
        line = 0;
      }
    }
    if (line > 0) rows += Math.ceil(line / perRow);
    return rows * row;
  }

  /** Row height and characters per row for `estimate`, read from the page
   *  (this forces a layout, so only on a full render or the first need). */
  measure() {
    const size = parseFloat(getComputedStyle(this.el).fontSize) || 14;
    // A drawn line of one row, if any; else from the font.
    let row = size * 1.95;
    let measured = false;
    for (const line of this.el.querySelectorAll('.line')) {
      const h = line.offsetHeight;
      if (h > 0 && h < size * 3) {
        row = h;
        measured = true;
        break;
      }
    }
    const perRow = Math.max(8, Math.floor((this.el.clientWidth || 600) / (size * 0.62)));
    this.metrics = { row, perRow, measured };
    return this.metrics;
  }

  /** The drawn lines of `blocks` (about to be replaced) that can stay, by
   *  the index of their first token in the new encoding: those whose tokens
   *  are all unchanged (tokens [0, p) kept their index, tokens from `suffix`
   *  on moved by `shift`), and the one line holding all the changed tokens
   *  [p, suffix) if the new tokens in their place [p, suffix + shift) break
   *  no line: it keeps its other chips (`patch`). */
  reusableLines(blocks, p, suffix, shift) {
    const out = new Map();
    let breaks = false;
    for (let i = p; i < suffix + shift && !breaks; i++) breaks = this.endsLine(i);
    for (const b of blocks) {
      if (!b.chips) continue;
      let at = b.from;
      for (const div of b.el.children) {
        const len = div.__chips.length;
        const to = at + len;
        const endsLine = div.__endsLine;
        if (to <= p) out.set(at, { div, len, endsLine });
        else if (at >= suffix) out.set(at + shift, { div, len, endsLine });
        // (A line's last token ends it: if that token changed, so may the line.)
        else if (!breaks && at <= p && (endsLine ? to > suffix : to >= suffix))
          out.set(at, { div, len: len + shift, endsLine, patch: { at: p - at, count: suffix - p, from: p, to: suffix + shift } });
        at = to;
      }
    }
    return out;
  }

  /** Fills a block with its chips, one <div class="line"> per text line
   *  (a line ends after a token ending in a newline). Lines in `reuse`
   *  (see reusableLines) that fit are moved in instead of rebuilt. */
  build(block, reuse = null) {
    const chips = new Array(block.to - block.from);
    const lines = [];
    let line = null;
    for (let i = block.from; i < block.to; i++) {
      if (!line) {
        const r = reuse?.get(i);
        if (r && i + r.len <= block.to && (r.endsLine || i + r.len === block.to)) {
          if (r.patch) this.patchLine(r.div, r.patch);
          lines.push(r.div);
          for (let k = 0; k < r.len; k++) chips[i - block.from + k] = r.div.__chips[k];
          i += r.len - 1;
          continue;
        }
        line = document.createElement('div');
        line.className = 'line';
        line.__chips = [];
        line.__endsLine = false;
        lines.push(line);
      }
      const chip = this.makeChip(i);
      chips[i - block.from] = chip;
      line.append(chip);
      line.__chips.push(chip);
      if (this.endsLine(i)) {
        line.__endsLine = true;
        line = null;
      }
    }
    block.el.style.height = '';
    // Into the block's element: lines already there stay put (no new
    // layout for them); others are removed or inserted.
    const el = block.el;
    const wanted = new Set(lines);
    for (const child of [...el.children]) if (!wanted.has(child)) child.remove();
    let at = el.firstChild;
    for (const div of lines) {
      if (div === at) at = at.nextSibling;
      else el.insertBefore(div, at);
    }
    block.chips = chips;
  }

  /** Replaces `count` chips of a drawn line, from its `at`-th, by the chips
   *  of tokens [from, to). */
  patchLine(div, { at, count, from, to }) {
    const fresh = [];
    for (let i = from; i < to; i++) fresh.push(this.makeChip(i));
    const gone = div.__chips.splice(at, count, ...fresh);
    for (const chip of gone) chip.remove();
    const frag = document.createDocumentFragment();
    frag.append(...fresh);
    div.insertBefore(frag, div.__chips[at + fresh.length] ?? null);
  }

  /** Whether token i ends a line (its last byte is a line feed). */
  endsLine(i) {
    return this.index.bytes[this.enc.ends[i] - 1] === 0x0a;
  }

  /** Group role of token i: tokens that together form one character share
   *  an underline. '' | 'first' | 'mid' | 'last'. */
  group(i) {
    const { enc, index } = this;
    const contIn = i > 0 && !index.isBoundary(enc.starts[i]);
    const contOut = !index.isBoundary(enc.ends[i]);
    if (contIn && contOut) return 'mid';
    if (contIn) return 'last';
    if (contOut) return 'first';
    return '';
  }

  makeChip(i) {
    const { enc, index } = this;
    const id = enc.ids[i];
    const chip = document.createElement('span');
    chip.dataset.tokenId = id;
    const hit = id === this.marked ? ' hit' : '';
    if (this.specials.has(id)) {
      chip.className = 'chip special' + hit;
      chip.textContent = index.textOf(enc.starts[i], enc.ends[i]);
      return chip;
    }
    const { label, partial } = tokenLabel(index, enc.starts[i], enc.ends[i], this.whitespace);
    const group = this.group(i);
    chip.className = 'chip' + (partial ? ' partial' : '') + (group ? ` grp grp-${group}` : '') + hit;
    chip.textContent = label;
    chip.style.setProperty('--h', hue(id));
    return chip;
  }

  /** Marks every chip of token `id` (class `hit`), also those built later;
   *  null clears. */
  mark(id) {
    this.marked = id;
    for (const c of this.el.querySelectorAll('.chip.hit')) c.classList.remove('hit');
    if (id == null) return;
    for (const c of this.el.querySelectorAll(`.chip[data-token-id="${id}"]`)) c.classList.add('hit');
  }

  /** The block holding token i (binary search). */
  blockOf(i) {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = this.blocks[mid];
      if (i < b.from) hi = mid - 1;
      else if (i >= b.to) lo = mid + 1;
      else return b;
    }
    return null;
  }

  /** The chip of token i, building its block if needed. */
  chipAt(i) {
    const block = this.blockOf(i);
    if (!block) return null;
    if (!block.chips) this.build(block);
    return block.chips[i - block.from];
  }

  /** The token index of a chip. */
  indexOf(chip) {
    const block = chip.closest('.block')?.__block;
    if (!block || !block.chips || !this.blocks.includes(block)) return -1;
    const k = block.chips.indexOf(chip);
    return k < 0 ? -1 : block.from + k;
  }

  /** Everything known about token i, for the details line. */
  details(i) {
    const { enc, index } = this;
    const start = enc.starts[i];
    const end = enc.ends[i];
    const bytes = index.bytes.subarray(start, end);
    const segs = segments(index.bytes, start, end);
    const whole = segs.every((seg) => !seg.bytes);
    const id = enc.ids[i];
    // The character(s) a partial token helps to form.
    let formed = null;
    if (!whole) {
      let a = start;
      while (a > 0 && !index.isBoundary(a)) a--;
      formed = index.textOf(a, end);
    }
    const text = whole ? index.textOf(start, end) : null;
    return {
      index: i,
      id,
      start,
      end,
      special: this.specials.has(id),
      text,
      label: whole ? showWhitespace(text) : null,
      hex: hexBytes(bytes),
      formed,
    };
  }

  hover(target) {
    const chip = target.closest?.('.chip');
    if (!chip || !this.el.contains(chip)) return;
    const i = this.indexOf(chip);
    if (i >= 0) this.onToken(this.details(i), chip);
  }

  focusChip(chip) {
    if (this.rover && this.rover !== chip) this.rover.removeAttribute('tabindex');
    this.rover = chip;
    chip.tabIndex = 0;
    chip.focus();
  }

  key_(e) {
    const chip = e.target.closest?.('.chip');
    if (!chip) return;
    const i = this.indexOf(chip);
    const n = this.length;
    let j = -1;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') j = i + 1;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') j = i - 1;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = n - 1;
    else return;
    e.preventDefault();
    if (i >= 0 && j >= 0 && j < n) this.focusChip(this.chipAt(j));
  }

  clear() {
    cancelAnimationFrame(this.revealing);
    this.revealing = 0;
    this.el.replaceChildren();
    this.blocks = [];
    this.bounds = [0];
    this.enc = EMPTY;
    this.index = null;
    this.key = null;
    this.rover = null;
  }
}
