// Byte → display helpers. Pure functions, no DOM: the views decide layout.
//
// Offsets from the engine are byte offsets into the UTF-8 text. `TextIndex`
// maps them to UTF-16 offsets (for String.slice and textarea selection) and
// answers whether a byte offset is a character boundary.

export const utf8 = new TextEncoder();
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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

/** A text with its UTF-8 bytes and a lazy byte → UTF-16 offset map. */
export class TextIndex {
  constructor(text) {
    this.text = text;
    this.bytes = utf8.encode(text);
    this._u16 = null;
    this._chars = -1;
  }

  /** Uint32Array: UTF-16 offset of the character holding each byte (length
   *  bytes + 1). For ASCII text that is the identity, shared by all indexes. */
  get u16() {
    if (!this._u16 && this.bytes.length === this.text.length) this._u16 = identity(this.bytes.length + 1);
    if (!this._u16) {
      const { text, bytes } = this;
      const map = new Uint32Array(bytes.length + 1);
      let b = 0;
      for (let j = 0; j < text.length; ) {
        const cp = text.codePointAt(j);
        const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        for (let k = 0; k < len; k++) map[b + k] = j;
        b += len;
        j += cp > 0xffff ? 2 : 1;
      }
      map[bytes.length] = text.length;
      this._u16 = map;
    }
    return this._u16;
  }

  /** Unicode code points in the text. */
  get chars() {
    if (this._chars < 0) {
      const { bytes } = this;
      let n = bytes.length === this.text.length ? bytes.length : 0;
      if (!n) for (let i = 0; i < bytes.length; i++) if ((bytes[i] & 0xc0) !== 0x80) n++;
      this._chars = n;
    }
    return this._chars;
  }

  /** True if byte offset `at` starts a character (or is the end). */
  isBoundary(at) {
    return at >= this.bytes.length || (this.bytes[at] & 0xc0) !== 0x80;
  }

  /** The UTF-16 range covering bytes [start, end), widened to whole characters. */
  utf16Range(start, end) {
    const u16 = this.u16;
    let e = end;
    while (e < this.bytes.length && !this.isBoundary(e)) e++;
    return [u16[start], u16[e]];
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
    const u16 = index.u16;
    const text = index.text.slice(u16[start], u16[end]);
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
