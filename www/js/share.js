// Share links: the view (text, tokenizer, options, tab) and, for a toy
// vocabulary, its training settings and its corpus when small, as JSON in
// the URL hash (#s=<base64url>). A link is data, never code: it is decoded
// strictly and every field is checked before anything is applied.

import { el, byTestId } from './dom.js';
import { utf8, formatNumber } from './format.js';
import { TABS, VIEWS, capture } from './page-state.js';
import { PATTERN_VALUES, MIN_VOCAB, MAX_VOCAB, SHARE_CORPUS_LIMIT, toys, toyName } from './teach-store.js';

const MAX_HASH = 400000;
const MAX_TEXT = 100000;

export function toBase64Url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(s) {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('the link holds characters that are not base64url');
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  let bin;
  try {
    bin = atob(b64);
  } catch {
    throw new Error('the link is not valid base64url');
  }
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The share payload for the current page. */
export function buildPayload(app) {
  const p = { v: 1, ...capture(app) };
  let note = '';
  const toy = toys.get(p.tokenizer);
  if (toy) {
    if (toy.training) {
      p.toy = { ...toy.training };
      if (toy.corpus != null && utf8.encode(toy.corpus).length <= SHARE_CORPUS_LIMIT) p.toy.corpus = toy.corpus;
      else note = `The corpus of ${p.tokenizer} is larger than ${SHARE_CORPUS_LIMIT / 1000} KB (or a file), so the link only says how it was trained; share its .model file too.`;
    } else {
      p.toy = {};
      note = `${p.tokenizer} was loaded from a file: share its .model file with the link.`;
    }
  }
  if (p.text.length > MAX_TEXT) {
    p.text = p.text.slice(0, MAX_TEXT);
    note = `${note} The text is cut to its first ${formatNumber(MAX_TEXT)} characters.`.trim();
  }
  return { payload: p, note };
}

export function encodePayload(p) {
  return `s=${toBase64Url(utf8.encode(JSON.stringify(p)))}`;
}

function fail(why) {
  throw new Error(`this share link is not valid (${why}); nothing was applied`);
}

function only(obj, keys, what) {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) fail(`${what} is not an object`);
  for (const k of Object.keys(obj)) if (!keys.includes(k)) fail(`unknown field ${JSON.stringify(k).slice(0, 40)} in ${what}`);
}

/** Decodes and checks a hash (without '#'); returns the payload or throws. */
export function parseHash(hash) {
  if (!hash.startsWith('s=')) fail('it does not start with s=');
  const body = hash.slice(2);
  if (body.length > MAX_HASH) fail('it is too long');
  let value;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(body)));
  } catch (e) {
    fail(e.message.startsWith('the link') ? e.message : 'its content is not JSON');
  }
  only(value, ['v', 'text', 'tokenizer', 'view', 'whitespace', 'special', 'tab', 'toy'], 'the link');
  if (value.v !== 1) fail('unknown version');
  if (typeof value.text !== 'string' || value.text.length > MAX_TEXT) fail('text');
  if (typeof value.tokenizer !== 'string' || !/^[\w.-]{1,80}$/.test(value.tokenizer)) fail('tokenizer name');
  if (!VIEWS.includes(value.view)) fail('view');
  if (typeof value.whitespace !== 'boolean' || typeof value.special !== 'boolean') fail('options');
  if (!TABS.includes(value.tab)) fail('tab');
  if ('toy' in value) {
    const t = value.toy;
    only(t, ['vocabSize', 'pattern', 'regex', 'specials', 'corpus'], 'toy');
    if (Object.keys(t).length) {
      if (!Number.isInteger(t.vocabSize) || t.vocabSize < MIN_VOCAB || t.vocabSize > MAX_VOCAB) fail('vocab size');
      if (!PATTERN_VALUES.includes(t.pattern)) fail('pattern');
      if (typeof t.regex !== 'string' || t.regex.length > 2000) fail('regex');
      if (typeof t.specials !== 'string' || t.specials.length > 1000 || /[\u0000-\u001f]/.test(t.specials.replace(/ /g, ''))) fail('special tokens');
      if ('corpus' in t && (typeof t.corpus !== 'string' || utf8.encode(t.corpus).length > SHARE_CORPUS_LIMIT)) fail('corpus');
      if (toyName(t) !== value.tokenizer) fail('toy name');
    }
  }
  return value;
}

/** The Share button in the header and its small popover. */
export function mountShareButton(app) {
  const button = el('button', { type: 'button', class: 'ghost', 'data-testid': 'share-button', 'aria-expanded': 'false', 'aria-controls': 'share-pop', text: 'Share' });
  const link = el('input', { type: 'text', readonly: true, 'data-testid': 'share-link', 'aria-label': 'share link', class: 'share-link' });
  const copy = el('button', { type: 'button', class: 'primary', text: 'Copy' });
  const note = el('p', { class: 'hint', 'data-testid': 'share-note' });
  const close = el('button', { type: 'button', class: 'icon', 'aria-label': 'close', text: '×' });
  const pop = el('div', { class: 'share-pop', id: 'share-pop', role: 'dialog', 'aria-label': 'share this view', hidden: true },
    el('div', { class: 'share-row' }, link, copy, close), note);
  byTestId('lecture-toggle').before(button);
  document.querySelector('.bar').after(pop);

  button.addEventListener('click', () => {
    if (!pop.hidden) return hide();
    const { payload, note: n } = buildPayload(app);
    link.value = `${location.origin}${location.pathname}#${encodePayload(payload)}`;
    note.textContent = n || 'The link reproduces the text, tokenizer and view options.';
    pop.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    link.focus();
    link.select();
  });
  function hide() {
    pop.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  }
  close.addEventListener('click', () => (hide(), button.focus()));
  pop.addEventListener('keydown', (e) => e.key === 'Escape' && (hide(), button.focus()));
  copy.addEventListener('click', async () => {
    link.select();
    try {
      await navigator.clipboard.writeText(link.value);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Press Ctrl+C';
    }
    setTimeout(() => (copy.textContent = 'Copy'), 1500);
  });
}
