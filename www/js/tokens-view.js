// Token chips: one <span class="chip" data-token-id> per token, in order.
//
// Rendering is incremental: when only the text changed (same tokenizer and
// options), the chips of the unchanged prefix and suffix are kept and only
// the middle is rebuilt, so a keystroke in a 100 KB text touches a handful
// of DOM nodes instead of tens of thousands.
//
// Keyboard: the chips form one tab stop (roving tabindex); ←/→ move, Home/End
// jump. Hover or focus calls `onToken(details)`; leaving calls `onLeave()`.

import { hexBytes, hue, segments, tokenLabel, showWhitespace } from './format.js';

/** Beyond this many tokens the rest is summarised instead of drawn. */
export const MAX_CHIPS = 60000;

const EMPTY = { ids: new Uint32Array(0), starts: new Uint32Array(0), ends: new Uint32Array(0) };

export class TokensView {
  /**
   * @param {HTMLElement} container  receives the chips
   * @param {{onToken?: Function, onLeave?: Function, label?: string}} opts
   */
  constructor(container, { onToken, onLeave, label = 'tokens' } = {}) {
    this.el = container;
    this.el.classList.add('chips');
    this.el.setAttribute('role', 'group');
    this.el.setAttribute('aria-label', label);
    this.onToken = onToken ?? (() => {});
    this.onLeave = onLeave ?? (() => {});
    this.chips = [];
    this.enc = EMPTY;
    this.index = null;
    this.key = null;
    this.specials = new Set();
    this.more = null;
    this.rover = null;
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

  /**
   * @param {{index: import('./format.js').TextIndex, enc: {ids, starts, ends},
   *          specials: Set<number>, whitespace: boolean, key: string}} model
   *   `key` names everything but the text (tokenizer, options): a new key
   *   means a full rebuild.
   */
  render({ index, enc, specials, whitespace, key }) {
    const full = key !== this.key || !this.index || this.chips.length === 0;
    const old = this.enc;
    const oldIndex = this.index;
    this.specials = specials;
    this.whitespace = whitespace;
    const n = Math.min(enc.ids.length, MAX_CHIPS);
    const oN = this.chips.length;
    let p = 0;
    let s = 0;
    if (!full) {
      const m = Math.min(oN, n);
      while (p < m && old.ids[p] === enc.ids[p] && old.starts[p] === enc.starts[p] && old.ends[p] === enc.ends[p]) p++;
      // A token whose end is inside a character belongs to a group whose
      // look depends on its neighbours: redraw it too.
      while (p > 0 && !(oldIndex.isBoundary(old.ends[p - 1]) && index.isBoundary(enc.ends[p - 1]))) p--;
      const oLen = oldIndex.bytes.length;
      const nLen = index.bytes.length;
      if (oN === old.ids.length && n === enc.ids.length) {
        while (
          s < m - p &&
          old.ids[oN - 1 - s] === enc.ids[n - 1 - s] &&
          oLen - old.starts[oN - 1 - s] === nLen - enc.starts[n - 1 - s] &&
          oLen - old.ends[oN - 1 - s] === nLen - enc.ends[n - 1 - s]
        )
          s++;
        while (s > 0 && !(oldIndex.isBoundary(old.starts[oN - s]) && index.isBoundary(enc.starts[n - s]))) s--;
      }
    }
    this.enc = enc;
    this.index = index;
    this.key = key;
    const groups = this.groupsIn();
    if (full) {
      const frag = document.createDocumentFragment();
      this.chips = this.buildLines(0, n, groups, frag);
      this.el.replaceChildren(frag);
      this.more = null;
      this.rover = null;
    } else {
      // Chips live in one block per text line, so a keystroke re-lays out one
      // line, not the whole text. Rebuild whole lines: from the start of the
      // line holding chip p-1 to the end of the line holding the first
      // unchanged chip of the suffix.
      const lineOf = (i) => this.chips[i].parentNode;
      let from = 0;
      if (p > 0) {
        const line = lineOf(p - 1);
        from = p - 1;
        while (from > 0 && lineOf(from - 1) === line) from--;
      }
      let to = oN;
      if (s > 0) {
        const line = lineOf(oN - s);
        to = oN - s + 1;
        while (to < oN && lineOf(to) === line) to++;
      }
      const newTo = n - (oN - to);
      const firstOld = from < oN ? lineOf(from) : null;
      const lastOld = to > from ? lineOf(to - 1) : null;
      const after = to < oN ? lineOf(to) : this.more;
      if (firstOld) {
        for (let line = firstOld; line; ) {
          const next = line.nextSibling;
          line.remove();
          if (line === lastOld) break;
          line = next;
        }
      }
      const frag = document.createDocumentFragment();
      const fresh = this.buildLines(from, newTo, groups, frag);
      this.el.insertBefore(frag, after && after.parentNode === this.el ? after : null);
      this.chips = this.chips.slice(0, from).concat(fresh, this.chips.slice(to));
      if (this.rover && !this.rover.isConnected) this.rover = null;
    }
    this.renderMore(enc.ids.length - n);
    if (!this.rover && this.chips.length) {
      this.rover = this.chips[0];
      this.rover.tabIndex = 0;
    }
  }

  /** Chips for tokens [from, to) into `parent`, one <div class="line"> per
   *  text line (a line ends after a token ending in a newline). */
  buildLines(from, to, groups, parent) {
    const chips = new Array(to - from);
    const { enc, index } = this;
    let line = null;
    for (let i = from; i < to; i++) {
      if (!line) {
        line = document.createElement('div');
        line.className = 'line';
        parent.append(line);
      }
      const chip = this.makeChip(i, groups);
      chips[i - from] = chip;
      line.append(chip);
      const end = enc.ends[i];
      if (end > 0 && index.bytes[end - 1] === 0x0a) line = null;
    }
    return chips;
  }

  /** Group role of each token: tokens that together form one character
   *  share an underline. Returns a function i -> '' | 'first' | 'mid' | 'last'. */
  groupsIn() {
    const { enc, index } = this;
    return (i) => {
      const contIn = i > 0 && !index.isBoundary(enc.starts[i]);
      const contOut = !index.isBoundary(enc.ends[i]);
      if (contIn && contOut) return 'mid';
      if (contIn) return 'last';
      if (contOut) return 'first';
      return '';
    };
  }

  makeChip(i, groups) {
    const { enc, index } = this;
    const id = enc.ids[i];
    const chip = document.createElement('span');
    chip.dataset.tokenId = id;
    if (this.specials.has(id)) {
      chip.className = 'chip special';
      chip.textContent = index.text.slice(index.u16[enc.starts[i]], index.u16[enc.ends[i]]);
      return chip;
    }
    const { label, partial } = tokenLabel(index, enc.starts[i], enc.ends[i], this.whitespace);
    const group = groups(i);
    chip.className = 'chip' + (partial ? ' partial' : '') + (group ? ` grp grp-${group}` : '');
    chip.textContent = label;
    chip.style.setProperty('--h', hue(id));
    return chip;
  }

  renderMore(hidden) {
    if (hidden <= 0) {
      this.more?.remove();
      this.more = null;
      return;
    }
    if (!this.more) {
      this.more = document.createElement('span');
      this.more.className = 'more';
    }
    this.more.textContent = `… ${hidden.toLocaleString('en-US')} more tokens not drawn`;
    this.el.append(this.more);
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
      let b = end;
      while (a > 0 && !index.isBoundary(a)) a--;
      while (!index.isBoundary(b)) b++;
      const [u0, u1] = [index.u16[a], index.u16[b]];
      formed = index.text.slice(u0, u1);
    }
    return {
      index: i,
      id,
      start,
      end,
      special: this.specials.has(id),
      text: whole ? index.text.slice(index.u16[start], index.u16[end]) : null,
      label: whole ? showWhitespace(index.text.slice(index.u16[start], index.u16[end])) : null,
      hex: hexBytes(bytes),
      formed,
    };
  }

  hover(target) {
    const chip = target.closest?.('.chip');
    if (!chip || !this.el.contains(chip)) return;
    const i = this.chips.indexOf(chip);
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
    const i = this.chips.indexOf(chip);
    let j = -1;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') j = i + 1;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') j = i - 1;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = this.chips.length - 1;
    else return;
    e.preventDefault();
    if (j >= 0 && j < this.chips.length) this.focusChip(this.chips[j]);
  }

  clear() {
    this.el.replaceChildren();
    this.chips = [];
    this.enc = EMPTY;
    this.index = null;
    this.key = null;
    this.more = null;
    this.rover = null;
  }
}
