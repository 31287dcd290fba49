// The text box. Chromium lays out all of a textarea's text at every
// keystroke: about 20 ms for 100 KB and 130 ms for 1 MB on a slow machine.
// So a long text is not all in the textarea: it holds a window of about
// WINDOW characters (whole lines where it can) around what is on screen,
// this module keeps the rest, and two spacers stand for the lines before
// and after the window, so that the scroll bar covers the whole text. The
// window moves when the view scrolls near its edge, before a key moves the
// caret out of it, and before Ctrl+Home, Ctrl+End and Ctrl+A (which puts
// the whole text in the box, so that copy and cut see all of it). PageUp
// and PageDown are done here: a box sized to its text has no page of its own.
//
// The textarea answers for the whole text: its `value`, `select()`,
// `setSelectionRange()`, `selectionStart` and `selectionEnd` are replaced
// on the element, so page code and tests use it as they would a plain one.
// Undo and redo are kept here (setting a textarea's value empties its own
// history), in both modes, so that they behave the same.

import { sameStart, sameEnd, isLow, pairSafe } from './format.js';

const NATIVE = {
  value: Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value'),
  start: Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'selectionStart'),
  end: Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'selectionEnd'),
  setRange: HTMLTextAreaElement.prototype.setSelectionRange,
  select: HTMLTextAreaElement.prototype.select,
};

const SIZES_ITSELF = globalThis.CSS?.supports?.('field-sizing', 'content') ?? false;

/** Texts longer than this (UTF-16 units) are windowed. */
export const WINDOW_FROM = 32 * 1024;
/** About how much of a windowed text the textarea holds. */
export const WINDOW = 8 * 1024;
/** The window moves when the caret comes this close to its edge. */
const EDGE = 2560;
/** Typed characters within this time (ms) undo together. */
const UNDO_MERGE_MS = 1500;

/** A textarea's value: line breaks as LF. */
export function normalize(text) {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** A cut at or near `at` that splits no surrogate pair, moved to a line
 *  start within `slack` units when there is one (toward `dir` first). */
function cut(text, at, dir, slack) {
  if (at <= 0) return 0;
  if (at >= text.length) return text.length;
  const line = dir < 0 ? text.lastIndexOf('\n', at - 1) + 1 : text.indexOf('\n', at) + 1;
  if (line > 0 && Math.abs(line - at) <= slack) return line;
  return isLow(text.charCodeAt(at)) ? at - 1 : at;
}

export class Editor {
  /** `root` is the scroller (.editor) holding `before`, the window (with
   *  `textarea` and `backdrop`) and `after`; `onText(text, change)` hears
   *  every change made by the user (not those made through setText), with
   *  where it was: `gone` UTF-16 units at `at` of the text `before` became
   *  `put` units. */
  constructor({ root, textarea, backdrop, before, after }, onText) {
    Object.assign(this, { root, textarea, backdrop, before, after, onText });
    this.text = '';
    this.head = '';
    this.tail = '';
    /** The window [a, b) of the text (UTF-16 offsets); all of it when not windowed. */
    this.a = 0;
    this.b = 0;
    this.windowed = false;
    /** The textarea's own value as last seen (for diffs). */
    this.shown = '';
    /** The selection in text offsets while the window does not hold it. */
    this.parked = null;
    this.undo = [];
    this.redo = [];
    this.dragging = false;
    this.bindElement();
    textarea.addEventListener('input', () => this.changed());
    textarea.addEventListener('keydown', (e) => this.key(e));
    textarea.addEventListener('beforeinput', (e) => {
      if (e.inputType === 'historyUndo' || e.inputType === 'historyRedo') {
        e.preventDefault();
        this.step(e.inputType === 'historyUndo');
      } else this.replacingAll(e);
    });
    textarea.addEventListener('pointerdown', () => {
      this.parked = null;
      this.dragging = true;
    });
    const dropped = () => {
      if (!this.dragging) return;
      this.dragging = false;
      this.follow();
    };
    for (const type of ['pointerup', 'pointercancel', 'blur']) addEventListener(type, dropped);
    textarea.addEventListener('scroll', () => (backdrop.scrollTop = textarea.scrollTop));
    root.addEventListener('scroll', () => this.follow(), { passive: true });
    // A new width or font (lecture mode) wraps the text anew: re-estimate.
    new ResizeObserver(() => {
      if (!this.windowed) return;
      const [line, cols] = [this.line, this.cols];
      this.metrics();
      if (line !== this.line || cols !== this.cols) this.place(this.viewTop()[0], 'top');
    }).observe(root);
  }

  /** The textarea's value and selection, in offsets of the whole text. */
  bindElement() {
    const ed = this;
    const t = this.textarea;
    Object.defineProperties(t, {
      value: { configurable: true, get: () => ed.text, set: (v) => ed.setText(String(v ?? '')) },
      selectionStart: { configurable: true, get: () => ed.selection()[0], set: (v) => ed.select(v, Math.max(v, ed.selection()[1])) },
      selectionEnd: { configurable: true, get: () => ed.selection()[1], set: (v) => ed.select(Math.min(v, ed.selection()[0]), v) },
    });
    t.setSelectionRange = (s, e, dir) => ed.select(s, e, dir);
    t.select = () => ed.selectAll();
  }

  /** Sets the box's selection to [s, e) of the whole text (inside the window). */
  setNative(s, e = s, dir) {
    this.parked = null;
    NATIVE.setRange.call(this.textarea, s - this.a, e - this.a, dir);
  }

  /** [start, end] of the selection in the whole text. */
  selection() {
    if (this.parked) return this.parked.slice(0, 2);
    return [this.a + NATIVE.start.get.call(this.textarea), this.a + NATIVE.end.get.call(this.textarea)];
  }

  /** Replaces the whole text (programmatically: no input event; the undo
   *  history is emptied, as a textarea's is). */
  setText(text) {
    // As a textarea does, the same value again changes nothing.
    if (normalize(text) === this.text) return;
    this.text = normalize(text);
    this.undo.length = 0;
    this.redo.length = 0;
    this.parked = null;
    this.layout(this.text.length, 'caret');
    this.setNative(this.text.length);
  }

  /** Selects [start, end) of the whole text (clamped), moving the window there. */
  select(start, end = start, dir) {
    const n = this.text.length;
    const s = Math.min(Math.max(0, Number(start) || 0), n);
    const e = Math.min(Math.max(s, Number(end) || 0), n);
    if (s < this.a || e > this.b) this.layout(s, 'caret', e);
    this.setNative(s, e, dir);
  }

  /** Puts the whole text in the box and selects it (Ctrl+A, select()). */
  selectAll() {
    this.parked = null;
    if (this.windowed) this.show(0, this.text.length);
    NATIVE.select.call(this.textarea);
  }

  // ---- editing -----------------------------------------------------------

  /** The user changed the box: rebuild the text from the window's new
   *  value, remember the change for undo, and tell the page. */
  changed() {
    const now = NATIVE.value.get.call(this.textarea);
    const old = this.shown;
    const max = Math.min(old.length, now.length);
    const same = sameStart(old, now, max);
    // The change splits or forms no surrogate pair at its ends, so that
    // TextIndex.edit can take its inserted units as they are.
    const [p, s] = pairSafe(old, same, sameEnd(old, now, max - same));
    const edit = { at: this.a + p, removed: old.slice(p, old.length - s), inserted: now.slice(p, now.length - s), time: Date.now() };
    const before = this.text;
    // Joined from the pieces, never sliced here: slicing a joined string
    // makes V8 copy all of it into one (200 KB a keystroke at 100 KB of
    // prose, and the garbage collector's pauses that follow).
    this.text = this.head + now + this.tail;
    this.b = this.a + now.length;
    this.shown = now;
    this.parked = null;
    if (this.windowed) this.grow();
    this.remember(edit);
    this.refit();
    this.onText(this.text, { before, at: edit.at, gone: edit.removed.length, put: edit.inserted.length, inserted: edit.inserted });
  }

  /** All of the box selected stands for all of the text: a script's
   *  select() on the element as the browser sees it (a test driver's
   *  fill(), say) selects the window only. Such an edit replaces the text. */
  replacingAll(e) {
    const t = this.textarea;
    if (!this.windowed || e.isComposing || (this.a === 0 && this.b === this.text.length)) return;
    if (NATIVE.start.get.call(t) !== 0 || NATIVE.end.get.call(t) !== this.shown.length) return;
    const kind = e.inputType;
    const data = e.data ?? e.dataTransfer?.getData('text/plain') ?? (kind === 'insertLineBreak' ? '\n' : kind.startsWith('delete') ? '' : null);
    if (data === null) return;
    e.preventDefault();
    const inserted = normalize(data);
    this.remember({ at: 0, removed: this.text, inserted, time: 0 });
    this.text = inserted;
    this.layout(inserted.length, 'caret');
    this.setNative(inserted.length);
    t.dispatchEvent(new Event('input', { bubbles: true }));
  }

  remember(edit) {
    if (!edit.removed && !edit.inserted) return;
    this.redo.length = 0;
    const last = this.undo.at(-1);
    // Typing: one undo step per run of typed characters without a line break.
    edit.typed = !edit.removed && edit.inserted.length === 1 && edit.inserted !== '\n';
    if (last?.typed && edit.typed && edit.at === last.at + last.inserted.length && edit.time - last.time < UNDO_MERGE_MS) {
      last.inserted += edit.inserted;
      last.time = edit.time;
    } else this.undo.push(edit);
    if (this.undo.length > 500) this.undo.shift();
  }

  /** Undoes (or redoes) one step and tells the page. */
  step(back) {
    const edit = (back ? this.undo : this.redo).pop();
    if (!edit) return;
    (back ? this.redo : this.undo).push(edit);
    const [gone, put] = back ? [edit.inserted, edit.removed] : [edit.removed, edit.inserted];
    const before = this.text;
    this.text = this.text.slice(0, edit.at) + put + this.text.slice(edit.at + gone.length);
    this.parked = null;
    this.layout(edit.at, 'caret', edit.at + put.length);
    this.setNative(edit.at, edit.at + put.length);
    this.onText(this.text, { before, at: edit.at, gone: gone.length, put: put.length });
  }

  /** After an edit: window or unwindow as the length now asks, or re-centre
   *  a window that grew too large (a paste). */
  refit() {
    const long = this.text.length > WINDOW_FROM;
    const [s, e] = this.selection();
    if (long !== this.windowed || (long && this.b - this.a > 3 * WINDOW && !this.selecting())) {
      this.layout(s, 'caret', e);
      this.setNative(s, e);
    }
  }

  /** True while the box holds a selection wider than a window (after Ctrl+A). */
  selecting() {
    return NATIVE.end.get.call(this.textarea) - NATIVE.start.get.call(this.textarea) > WINDOW;
  }

  key(e) {
    if (e.isComposing || e.keyCode === 229) return;
    const mod = e.ctrlKey || e.metaKey;
    const k = e.key.toLowerCase();
    if (mod && !e.altKey && (k === 'z' || k === 'y')) {
      e.preventDefault();
      this.step(k === 'z' && !e.shiftKey);
      return;
    }
    if (!this.windowed) return;
    if (mod && k === 'a') {
      e.preventDefault();
      this.selectAll();
      return;
    }
    if (mod && (k === 'home' || k === 'end')) {
      // The box's own start or end must be the text's; with Shift, the box
      // holds all from the selection to there.
      const at = k === 'home' ? 0 : this.text.length;
      if (at >= this.a && at <= this.b) return;
      const [s, t] = this.selection();
      if (e.shiftKey) {
        const margin = WINDOW >> 1;
        this.show(cut(this.text, Math.min(at, s) - margin, -1, margin), cut(this.text, Math.max(at, t) + margin, 1, margin));
        this.setNative(s, t);
      } else {
        this.layout(at, 'caret');
        this.setNative(at);
      }
      return;
    }
    if (k === 'pagedown' || k === 'pageup') {
      // A box sized to its text has no page of its own to move by.
      e.preventDefault();
      this.page(k === 'pagedown', e.shiftKey);
      return;
    }
    // The caret is off the window (the view was scrolled away), near its
    // edge, or the box still holds the whole text after Ctrl+A: move the
    // window around the caret before the key acts on it.
    const [s, t] = this.selection();
    const near = (s - this.a < EDGE && this.a > 0) || (this.b - t < EDGE && this.b < this.text.length);
    if (this.parked || ((near || this.b - this.a > 3 * WINDOW) && !this.selecting())) {
      this.place(s, 'caret', t);
      this.setNative(s, t);
    }
  }

  /** PageDown / PageUp in a windowed box: the caret moves by the rows the
   *  view shows (by the estimate of wrapped rows), and the view with it. */
  page(down, extend) {
    const { line } = this.metrics();
    const rows = Math.max(1, Math.floor(this.root.clientHeight / line) - 1);
    const [s, t] = this.selection();
    let at = down ? t : s;
    for (let i = 0; i < rows; i++) at = this.nextRow(at, down);
    this.root.scrollTop += (down ? 1 : -1) * rows * line;
    if (!extend) this.select(at);
    else if (down) this.select(s, at);
    else this.select(at, t, 'backward');
  }

  /** The offset one wrapped row below (or above) `at`, in the same column
   *  where that row is long enough. Rows are estimated as in rows(). */
  nextRow(at, down) {
    const text = this.text;
    const cols = this.cols;
    const lineStart = this.lineAt(at);
    const x = (at - lineStart) % cols;
    const row = at - x;
    const end = (start) => {
      const nl = text.indexOf('\n', start);
      return nl < 0 ? text.length : nl;
    };
    let next;
    if (down) {
      const lineEnd = end(lineStart);
      if (row + cols < lineEnd) next = row + cols;
      else if (lineEnd < text.length) next = lineEnd + 1;
      else return text.length;
    } else if (row > lineStart) next = row - cols;
    else if (lineStart === 0) return 0;
    else {
      const prev = this.lineAt(lineStart - 1);
      const len = lineStart - 1 - prev;
      next = prev + (len > 0 ? Math.floor((len - 1) / cols) * cols : 0);
    }
    return Math.min(next + x, end(next), next + cols);
  }

  // ---- the window --------------------------------------------------------

  /** Fills the box for the current text: all of it when short, else a
   *  window around offset `at` (through `to`), placed so that `at` is at
   *  the top of the view ('top') or where the caret may be seen ('caret'). */
  layout(at, how, to = at) {
    if (this.text.length <= WINDOW_FROM) {
      this.windowed = false;
      this.root.classList.remove('windowed');
      this.before.hidden = this.after.hidden = true;
      this.write(0, this.text.length);
      return;
    }
    this.place(at, how, to);
  }

  /** Puts a window around `at` (through `to`) in the box. With 'top', the
   *  view's top is then `dy` px below the top of the line that holds `at`
   *  (where it was before, when the caller measured it so); with 'caret',
   *  the view moves only if that line is out of it. */
  place(at, how, to = at, dy = 0) {
    const text = this.text;
    const half = WINDOW >> 1;
    const a = cut(text, at - half, -1, half >> 1);
    const b = cut(text, Math.max(at, to) + half, 1, half >> 1);
    const wasWindowed = this.windowed;
    this.windowed = true;
    this.root.classList.add('windowed');
    this.before.hidden = this.after.hidden = false;
    const sel = this.parked ?? (wasWindowed ? this.selection() : null);
    this.show(a, Math.max(b, Math.min(text.length, a + 1)));
    const y = this.windowTop() + this.topOf(this.lineAt(at));
    if (how === 'top') this.root.scrollTop = y + dy;
    else if (y < this.root.scrollTop || y > this.root.scrollTop + this.root.clientHeight - this.line)
      this.root.scrollTop = Math.max(0, y - this.root.clientHeight / 3);
    // Keep the selection where it was, or park it while the window does not
    // hold it (callers that move the caret set it after this).
    if (sel) {
      if (sel[0] >= this.a && sel[1] <= this.b) this.setNative(sel[0], sel[1]);
      else this.parked = sel;
    }
  }

  /** The window's top in the scroller's content (px, unrounded). */
  windowTop() {
    const { root } = this;
    return this.textarea.getBoundingClientRect().top - root.getBoundingClientRect().top - root.clientTop + root.scrollTop;
  }

  /** How far below the window's top (px) the line that starts at text
   *  offset `at` (inside the window) is: laid out in the backdrop, the box's
   *  mirror, measured as viewTop() measures lines (the top of a span
   *  holding the line's text: an empty span's top is not its line's). */
  topOf(at) {
    const from = Math.max(0, at - this.a);
    const nl = this.shown.indexOf('\n', from);
    const line = document.createElement('span');
    line.textContent = this.shown.slice(from, nl < 0 ? this.shown.length : nl + 1) || ' ';
    this.backdrop.replaceChildren(this.shown.slice(0, from), line);
    const top = line.getBoundingClientRect().top - this.backdrop.getBoundingClientRect().top;
    this.backdrop.replaceChildren();
    return top;
  }

  /** The line at the top of the view: [offset of its start, px from its top
   *  to the view's top]. Exact inside the window (its lines laid out in the
   *  backdrop), estimated in the spacers. */
  viewTop() {
    const y = this.root.scrollTop - this.windowTop();
    const height = this.textarea.getBoundingClientRect().height;
    const line = this.line || this.metrics().line;
    if (y < 0) {
      const row = Math.floor((this.root.scrollTop - this.before.offsetTop) / line);
      return [this.lineAt(this.offsetAtRow(0, Math.max(0, row))), 0];
    }
    if (y >= height) return [this.lineAt(this.offsetAtRow(this.b, Math.floor((y - height) / line))), 0];
    const lines = [];
    const text = this.shown;
    for (let i = 0; i < text.length; ) {
      const nl = text.indexOf('\n', i);
      const j = nl < 0 ? text.length : nl + 1;
      const span = document.createElement('span');
      span.textContent = text.slice(i, j);
      lines.push([i, span]);
      i = j;
    }
    this.backdrop.replaceChildren(...lines.map((l) => l[1]));
    const origin = this.backdrop.getBoundingClientRect().top;
    let [at, lineTop] = [0, 0];
    for (const [i, span] of lines) {
      const t = span.getBoundingClientRect().top - origin;
      if (t > y) break;
      [at, lineTop] = [i, t];
    }
    this.backdrop.replaceChildren();
    return [this.a + at, y - lineTop];
  }

  /** The start of the line holding `at`. */
  lineAt(at) {
    return this.text.lastIndexOf('\n', at - 1) + 1;
  }

  /** Shows text[a, b) in the box. */
  show(a, b) {
    this.write(a, b);
    const m = this.metrics();
    this.before.style.height = `${this.rows(0, a) * m.line}px`;
    this.after.style.height = `${this.rows(b, this.text.length) * m.line}px`;
  }

  write(a, b) {
    this.a = a;
    this.b = b;
    /** The text is head + shown (the box's value) + tail. */
    this.head = this.text.slice(0, a);
    this.shown = this.text.slice(a, b);
    this.tail = this.text.slice(b);
    NATIVE.value.set.call(this.textarea, this.shown);
    this.backdrop.replaceChildren();
    this.grow();
  }

  /** Without CSS field-sizing (Firefox), a windowed box is sized by hand. */
  grow() {
    const t = this.textarea;
    if (SIZES_ITSELF) return;
    t.style.height = '';
    if (this.windowed) t.style.height = `${t.scrollHeight}px`;
  }

  /** Line height and characters per row of the box (monospace). */
  metrics() {
    const style = getComputedStyle(this.textarea);
    const line = parseFloat(style.lineHeight) || 22;
    if (!this.canvas) this.canvas = document.createElement('canvas').getContext('2d');
    this.canvas.font = style.font;
    const char = this.canvas.measureText('0'.repeat(64)).width / 64 || 8;
    const inner = this.textarea.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    this.cols = Math.max(8, Math.floor(inner / char));
    this.line = line;
    return { line, cols: this.cols };
  }

  /** Estimated rows of text[from, to) when wrapped at this.cols. */
  rows(from, to) {
    let n = 0;
    for (let i = from; i < to; ) {
      let j = this.text.indexOf('\n', i);
      if (j < 0 || j >= to) j = to;
      n += Math.max(1, Math.ceil((j - i) / this.cols));
      i = j + 1;
    }
    return n;
  }

  offsetAtRow(from, row) {
    let i = from;
    while (row > 0 && i < this.text.length) {
      let j = this.text.indexOf('\n', i);
      if (j < 0) j = this.text.length;
      const r = Math.max(1, Math.ceil((j - i) / this.cols));
      if (r > row) return Math.min(j, i + row * this.cols);
      row -= r;
      i = j + 1;
    }
    return Math.min(i, this.text.length);
  }

  /** Moves the window when the view nears its edge (not while the mouse
   *  selects in the box, nor while the whole text is in it for a selection). */
  follow() {
    if (!this.windowed || this.dragging || this.selecting()) return;
    const top = this.root.scrollTop;
    const start = this.before.offsetTop + this.before.offsetHeight;
    const end = start + this.textarea.offsetHeight;
    const view = this.root.clientHeight;
    const nearEdge = (top < start + view && this.a > 0) || (top + 2 * view > end && this.b < this.text.length);
    if (nearEdge || this.b - this.a > 3 * WINDOW) {
      const [at, dy] = this.viewTop();
      this.place(at, 'top', at, dy);
    }
  }

  // ---- the highlight backdrop ----------------------------------------------

  /** Marks [start, end) of the whole text (UTF-16) behind the box; with
   *  `scroll`, moves the view (and window) there first. */
  highlight(start, end, scroll) {
    if ((start < this.a || end > this.b) && scroll && this.windowed) this.place(start, 'caret', end);
    if (start < this.a || end > this.b) return this.backdrop.replaceChildren();
    const text = this.shown;
    const [a, b] = [start - this.a, end - this.a];
    const mark = document.createElement('mark');
    mark.textContent = text.slice(a, b) || ' ';
    this.backdrop.replaceChildren(text.slice(0, a), mark, text.slice(b) + '\n');
    if (scroll) {
      const scroller = this.windowed ? this.root : this.textarea;
      const top = mark.offsetTop + (this.windowed ? this.before.offsetTop + this.before.offsetHeight : 0);
      if (top < scroller.scrollTop || top > scroller.scrollTop + scroller.clientHeight - 24)
        scroller.scrollTop = Math.max(0, top - scroller.clientHeight / 3);
    }
    this.backdrop.scrollTop = this.textarea.scrollTop;
  }

  /** Marks several ranges [[start, end], …] (UTF-16, ascending) at once. */
  highlightAll(ranges) {
    const text = this.shown;
    const parts = [];
    let at = 0;
    for (const [start, end] of ranges) {
      const [a, b] = [start - this.a, end - this.a];
      if (a < at || b > text.length) continue;
      const mark = document.createElement('mark');
      mark.textContent = text.slice(a, b) || ' ';
      parts.push(text.slice(at, a), mark);
      at = b;
    }
    parts.push(text.slice(at) + '\n');
    this.backdrop.replaceChildren(...parts);
    this.backdrop.scrollTop = this.textarea.scrollTop;
  }

  clearHighlight() {
    this.backdrop.replaceChildren();
  }
}
