// Byte → display helpers. Pure functions, no DOM: the views decide layout.
//
// Offsets from the engine are byte offsets into the UTF-8 text. `TextIndex`
// maps them to UTF-16 offsets (for String.slice and textarea selection) and
// answers whether a byte offset is a character boundary.

export const utf8 = new TextEncoder();
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/** Length of the UTF-8 sequence a lead byte starts (0: not a lead byte). */
export function utf8Length(lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead < 0xe0) return 2;
  if (lead >= 0xe0 && lead < 0xf0) return 3;
  if (lead >= 0xf0 && lead < 0xf5) return 4;
  return 0;
}

export function hex(byte) {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

/** "E2 80 94" */
export function hexBytes(bytes) {
  return Array.from(bytes, hex).join(' ');
}

/** Length of the common start of `a` and `b`, at most `max`: a binary
 *  search over native comparisons (O(n) in all, but no loop in JS, which
 *  ran for milliseconds on the first keys, before V8 optimised it). */
export function sameStart(a, b, max) {
  let [lo, hi] = [0, max];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a.startsWith(b.slice(lo, mid), lo)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Length of the common end of `a` and `b`, at most `max`. */
export function sameEnd(a, b, max) {
  let [lo, hi] = [0, max];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a.endsWith(b.slice(b.length - mid, b.length - lo), a.length - lo)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** [0, 1, 2, ...]: the byte → UTF-16 map of every ASCII text (read only).
 *  It grows with room to spare (half as much again), so that typing into a
 *  long text does not refill it at the next keystroke. */
let identityMap = new Uint32Array(0);
function identity(n) {
  if (identityMap.length < n) {
    const old = identityMap;
    identityMap = new Uint32Array(n + (n >> 1) + 1024);
    identityMap.set(old);
    for (let i = old.length; i < identityMap.length; i++) identityMap[i] = i;
  }
  return identityMap.subarray(0, n);
}

/** Whether UTF-16 unit `c` is the first (high) or the second (low) half
 *  of a surrogate pair. */
const isHigh = (c) => c >= 0xd800 && c <= 0xdbff;
export const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;

/** For a change of `old` that keeps its first `a` and last `z` UTF-16
 *  units: [a, z] narrowed so that no surrogate pair is kept in part (split)
 *  and no kept half may pair up with the changed middle. */
export function pairSafe(old, a, z) {
  if (a > 0 && isHigh(old.charCodeAt(a - 1))) a--;
  if (z > 0 && isLow(old.charCodeAt(old.length - z))) z--;
  return [a, z];
}

/** Fills map[from, to) with the UTF-16 offset of the character that holds
 *  each byte of bytes[from, to) (valid UTF-8), the first character at `u`;
 *  returns the offset after them. Read from the bytes alone: a character
 *  of four bytes is two UTF-16 units, any other one (a lone surrogate is
 *  encoded as U+FFFD, three bytes) is one. */
function fillU16(map, bytes, from, to, u) {
  let next = u;
  for (let b = from; b < to; b++) {
    const x = bytes[b];
    if ((x & 0xc0) !== 0x80) {
      u = next;
      next += x >= 0xf0 ? 2 : 1;
    }
    map[b] = u;
  }
  return next;
}

/** Characters (lead bytes) in bytes[from, to). */
function countChars(bytes, from, to) {
  let n = 0;
  for (let i = from; i < to; i++) if ((bytes[i] & 0xc0) !== 0x80) n++;
  return n;
}

/** The first byte `b` (of 0..n) with `at(b)` `u` or more, for ascending
 *  `at` (binary search): the byte a UTF-16 offset's character starts at. */
function firstAtLeast(at, n, u) {
  let [lo, hi] = [0, n];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(mid) < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Edits a byte → UTF-16 map may stand behind before it is written out. */
const MAX_EDITS = 16;

/** The byte → UTF-16 map of a text that is not all ASCII, after an edit of
 *  a text whose map is `base`: bytes before `pb` map as in `base`, the
 *  edit's `mid` map (absolute offsets) follows, and the bytes after it map
 *  as `db` bytes earlier in `base`, moved by `du` units. A lookup is
 *  O(edits behind it), at most MAX_EDITS; the edit itself is O(its size),
 *  where a written-out map would cost O(n) at every keystroke. */
class EditedMap {
  constructor(base, pb, mid, db, du) {
    Object.assign(this, { base, pb, mid, db, du });
    this.depth = depthOf(base) + 1;
  }

  at(b) {
    if (b < this.pb) return mapAt(this.base, b);
    if (b - this.pb < this.mid.length) return this.mid[b - this.pb];
    return mapAt(this.base, b - this.db) + this.du;
  }
}

const mapAt = (map, b) => (map instanceof EditedMap ? map.at(b) : map[b]);

/** The edits a map stands on (0 for a written-out map). */
const depthOf = (map) => (map instanceof EditedMap ? map.depth : 0);

/** A text with its UTF-8 bytes and a lazy byte → UTF-16 offset map. */
export class TextIndex {
  constructor(text) {
    this.text = text;
    this.bytes = utf8.encode(text);
    /** null (not made yet), a Uint32Array, or an EditedMap. */
    this._map = null;
    this._chars = -1;
  }

  get ascii() {
    return this.bytes.length === this.text.length;
  }

  /** Uint32Array: UTF-16 offset of the character holding each byte (length
   *  bytes + 1). For ASCII text that is the identity, shared by all indexes.
   *  O(n) the first time (after an edit too); see u16At for one byte. */
  get u16() {
    if (this.ascii) return identity(this.bytes.length + 1);
    if (!(this._map instanceof Uint32Array)) {
      const map = new Uint32Array(this.bytes.length + 1);
      map[this.bytes.length] = fillU16(map, this.bytes, 0, this.bytes.length, 0);
      this._map = map;
    }
    return this._map;
  }

  /** u16[b], without writing out the map of an edited text. */
  u16At(b) {
    if (this.ascii) return b;
    if (!this._map) void this.u16;
    return mapAt(this._map, b);
  }

  /** Unicode code points in the text. */
  get chars() {
    if (this._chars < 0) {
      const { bytes } = this;
      this._chars = this.ascii ? bytes.length : countChars(bytes, 0, bytes.length);
    }
    return this._chars;
  }

  /** The index of `text`, an edit of this index's text: the bytes of the
   *  unchanged start and end are copied, and only the changed middle is
   *  encoded; the byte → UTF-16 map of a text that is not all ASCII stands
   *  on this one's (EditedMap) and is written out only every MAX_EDITS
   *  edits. O(edit) in JS plus O(n) in native copies; `new TextIndex(text)`
   *  is O(n) in JS for such a text. `change`, if given, says where the edit
   *  was: `gone` UTF-16 units at `at` of the text `before` became `put`
   *  units (else the unchanged start and end are searched for), and may
   *  hold those units as `inserted`.
   *
   *  With `inserted`, and an edit that splits or forms no surrogate pair
   *  at its ends, neither text is read: a text joined from pieces (the
   *  editor's) stays so. V8 copies such a string into one at its first
   *  slice or character read, which at 100 KB was most of what a keystroke
   *  allocated. */
  edit(text, change = null) {
    const old = this.text;
    const known = change && change.before === old && old.length - change.gone + change.put === text.length;
    if (known ? !change.gone && !change.put : text === old) return this;
    let a;
    let z;
    if (known) {
      a = change.at;
      z = old.length - change.at - change.gone;
    } else {
      const max = Math.min(old.length, text.length);
      a = sameStart(old, text, max);
      z = sameEnd(old, text, max - a);
    }
    // Byte offsets of UTF-16 offsets a and old.length - z in the old text.
    const at = (b) => this.u16At(b);
    const n0 = this.bytes.length;
    let pb = firstAtLeast(at, n0, a);
    let sb = firstAtLeast(at, n0, old.length - z);
    let inserted = known && typeof change.inserted === 'string' && change.inserted.length === change.put ? change.inserted : null;
    if (inserted === null || this.pairsAt(a, pb, old.length - z, sb, inserted)) {
      // The edit's ends may split or form a surrogate pair: widen it, so
      // that a pair is unchanged as a whole or all in the middle.
      [a, z] = pairSafe(old, a, z);
      [pb, sb] = [firstAtLeast(at, n0, a), firstAtLeast(at, n0, old.length - z)];
      inserted = null;
    }
    const mid = utf8.encode(inserted ?? text.slice(a, text.length - z));
    const n = pb + mid.length + (n0 - sb);
    const next = Object.create(TextIndex.prototype);
    next.text = text;
    next.bytes = new Uint8Array(n);
    next.bytes.set(this.bytes.subarray(0, pb));
    next.bytes.set(mid, pb);
    next.bytes.set(this.bytes.subarray(sb), pb + mid.length);
    next._map = null;
    if (!next.ascii && !this.ascii && this._map && depthOf(this._map) < MAX_EDITS) {
      // The map's start is this one's, its middle is computed, and its end
      // is this one's end moved.
      const midMap = new Uint32Array(mid.length);
      fillU16(midMap, mid, 0, mid.length, a);
      next._map = new EditedMap(this._map, pb, midMap, pb + mid.length - sb, text.length - old.length);
    }
    next._chars = this._chars < 0 ? -1 : this._chars - countChars(this.bytes, pb, sb) + countChars(mid, 0, mid.length);
    return next;
  }

  /** Whether an edit of this text that replaces UTF-16 units [a, e)
   *  (bytes [pb, sb)) by `inserted` may split or form a surrogate pair at
   *  its ends. Read from the bytes, not the text: an offset inside a pair
   *  has no byte of its own (the pair's bytes map to the unit before), and
   *  a lone surrogate is encoded as U+FFFD (EF BF BD), so a pair can form
   *  only where such bytes meet a surrogate half. */
  pairsAt(a, pb, e, sb, inserted) {
    const { bytes } = this;
    const n = bytes.length;
    const inside = (u, b) => (b < n ? this.u16At(b) : this.text.length) !== u;
    const lone = (b) => b >= 0 && b + 3 <= n && bytes[b] === 0xef && bytes[b + 1] === 0xbf && bytes[b + 2] === 0xbd;
    const put = inserted.length;
    const first = put ? isLow(inserted.charCodeAt(0)) : lone(sb);
    const last = put ? isHigh(inserted.charCodeAt(put - 1)) : lone(pb - 3);
    return inside(a, pb) || inside(e, sb) || (lone(pb - 3) && first) || (last && lone(sb));
  }

  /** True if byte offset `at` starts a character (or is the end). */
  isBoundary(at) {
    return at >= this.bytes.length || (this.bytes[at] & 0xc0) !== 0x80;
  }

  /** Byte offset `b`, or the end of the character it is inside. */
  charEnd(b) {
    while (b < this.bytes.length && !this.isBoundary(b)) b++;
    return b;
  }

  /** The UTF-16 range covering bytes [start, end), widened to whole characters. */
  utf16Range(start, end) {
    return [this.u16At(start), this.u16At(this.charEnd(end))];
  }

  /** The text of bytes [start, end) (`start` on a character's first byte),
   *  its end widened to a whole character. Decoded from the bytes, not
   *  sliced from the text, which an edit leaves joined from pieces (see
   *  edit): so a lone surrogate reads as U+FFFD, as the tokenizer saw it. */
  textOf(start, end) {
    return lenient.decode(this.bytes.subarray(start, this.charEnd(end)));
  }
}

/** Segments of bytes[start, end): runs of whole characters as text and runs
 *  of bytes that are not whole characters as hex. Never produces U+FFFD. */
export function segments(bytes, start, end) {
  const out = [];
  let textStart = -1;
  let hexRun = null;
  const flushText = (at) => {
    if (textStart >= 0) out.push({ text: strict.decode(bytes.subarray(textStart, at)) });
    textStart = -1;
  };
  for (let p = start; p < end; ) {
    const len = utf8Length(bytes[p]);
    let ok = len > 0 && p + len <= end;
    if (ok && len > 1) {
      try {
        strict.decode(bytes.subarray(p, p + len));
      } catch {
        ok = false;
      }
    }
    if (ok) {
      if (hexRun) out.push({ bytes: hexRun }), (hexRun = null);
      if (textStart < 0) textStart = p;
      p += len;
    } else {
      flushText(p);
      (hexRun ??= []).push(bytes[p]);
      p += 1;
    }
  }
  flushText(end);
  if (hexRun) out.push({ bytes: hexRun });
  return out;
}

/** Whitespace made visible: · space, → tab, ↵ newline (the line still breaks). */
export function showWhitespace(text) {
  return text.replace(/[ \t\r\n]/g, (c) => (c === ' ' ? '·' : c === '\t' ? '→' : c === '\n' ? '↵\n' : '␍'));
}

/** Display label of a run of segments: text as is, partial bytes as <E2 80>. */
export function segmentsLabel(segs, whitespace) {
  let s = '';
  for (const seg of segs) {
    if (seg.bytes) s += `<${hexBytes(seg.bytes)}>`;
    else s += whitespace ? showWhitespace(seg.text) : seg.text;
  }
  return s;
}

/** Label of the token covering bytes [start, end) of `index`, and whether it
 *  holds part of a character. Fast path: both ends on character boundaries. */
export function tokenLabel(index, start, end, whitespace) {
  if (index.isBoundary(start) && index.isBoundary(end)) {
    const text = index.textOf(start, end);
    return { label: whitespace ? showWhitespace(text) : text, partial: false };
  }
  return { label: segmentsLabel(segments(index.bytes, start, end), whitespace), partial: true };
}

/** A printable, quoted form of token text for details ("' world'", "'\n'"). */
export function quoted(text) {
  return JSON.stringify(text);
}

/** Stable hue for a token id (golden angle spacing). */
export function hue(id) {
  return Math.round((id * 137.508) % 360);
}

/** 1234567 → "1,234,567" (by hand: the first toLocaleString call loads the
 *  locale data, ~100 ms at page load). Non-integers keep their decimals. */
export function formatNumber(n) {
  const [int, frac] = String(n).split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = sign ? int.slice(1) : int;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return sign + grouped + (frac ? `.${frac}` : '');
}
