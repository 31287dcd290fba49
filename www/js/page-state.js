// The reproducible part of the page (text, tokenizer, view options, tab):
// read from the app and applied back through the page's own controls, so
// every view hears the usual events. Used by share links and persistence.

import { byTestId } from './dom.js';

/** Where persist.js saves the page (localStorage). */
export const STORAGE_KEY = 'bpe-playground:v1';

/** True if saved work may be waiting in storage (not parsed here). */
export function hasSavedWork() {
  try {
    return window.localStorage.getItem(STORAGE_KEY) !== null;
  } catch {
    return false;
  }
}

export const TABS = ['compare', 'train', 'merges', 'inspect', 'chunks', 'decode'];
export const VIEWS = ['chips', 'ids', 'both'];

export function capture(app) {
  const s = app.state;
  return {
    text: s.text,
    tokenizer: s.tokenizer,
    view: s.view,
    whitespace: !!s.whitespace,
    special: s.allowed === 'all',
    tab: s.tab,
  };
}

/** Applies the fields present in `p` (validated by the caller). The
 *  tokenizer is only selected if the page knows it. */
export function apply(app, p) {
  if (typeof p.text === 'string' && p.text !== app.state.text) {
    const input = byTestId('input');
    input.value = p.text;
    input.dispatchEvent(new Event('input'));
  }
  if (typeof p.whitespace === 'boolean' && p.whitespace !== !!app.state.whitespace) byTestId('whitespace-toggle').click();
  if (typeof p.special === 'boolean' && p.special !== (app.state.allowed === 'all')) byTestId('special-toggle').click();
  if (VIEWS.includes(p.view) && p.view !== app.state.view) {
    const radio = document.querySelector(`input[name="view"][value="${p.view}"]`);
    if (radio) {
      radio.checked = true;
      radio.dispatchEvent(new Event('change'));
    }
  }
  if (typeof p.tokenizer === 'string' && app.tokenizers.has(p.tokenizer) && p.tokenizer !== app.state.tokenizer) {
    const select = byTestId('tokenizer-select');
    select.value = p.tokenizer;
    app.set({ tokenizer: p.tokenizer });
  }
  if (TABS.includes(p.tab) && p.tab !== app.state.tab) byTestId(`tab-${p.tab}`)?.click();
}
