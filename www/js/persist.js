// Nothing lost on reload: the text, view options, Train settings and the
// trained or loaded vocabularies (as minbpe .model text) are saved in
// localStorage. Storage that is full or disabled gets a visible message and
// the page carries on. A Clear button wipes what was saved.

import { el, setText } from './dom.js';
import { capture, STORAGE_KEY } from './page-state.js';
import { PATTERN_VALUES, MIN_VOCAB, MAX_VOCAB, toys, trainSettings } from './teach-store.js';

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** Reads what was saved; null when nothing (or nothing usable) is there. */
export function load(app) {
  let raw = null;
  try {
    raw = storage()?.getItem(STORAGE_KEY) ?? null;
  } catch (e) {
    app.errors.show('storage', new Error(`browser storage is not available (${e.message}); your work will not survive a reload`));
    return null;
  }
  if (!raw) return null;
  try {
    const v = JSON.parse(raw);
    if (!v || v.v !== 1 || typeof v !== 'object') return null;
    return v;
  } catch {
    return null;
  }
}

/** Restores the Train settings from a saved state. */
export function restoreTrainSettings(saved) {
  const t = saved?.train;
  if (!t || typeof t !== 'object') return;
  if (Number.isInteger(t.vocabSize) && t.vocabSize >= MIN_VOCAB && t.vocabSize <= MAX_VOCAB) trainSettings.vocabSize = t.vocabSize;
  if (PATTERN_VALUES.includes(t.pattern)) trainSettings.pattern = t.pattern;
  if (typeof t.regex === 'string') trainSettings.regex = t.regex;
  if (typeof t.specials === 'string') trainSettings.specials = t.specials;
}

/** Loads the saved vocabularies into the worker and the picker. */
export async function restoreToys(app, saved) {
  const list = Array.isArray(saved?.toys) ? saved.toys : [];
  for (const t of list) {
    if (!t || typeof t.name !== 'string' || typeof t.model !== 'string' || !/^[\w.-]{1,80}$/.test(t.name)) continue;
    try {
      const info = await app.client.call('load', { name: t.name, source: { kind: 'model', text: t.model } });
      toys.set(t.name, {
        name: t.name,
        label: typeof t.label === 'string' ? t.label : t.name,
        model: t.model,
        training: t.training && typeof t.training === 'object' ? t.training : null,
        corpus: typeof t.corpus === 'string' ? t.corpus : null,
        corpusBytes: Number(t.corpusBytes) || 0,
      });
      app.addTokenizer(info, toys.get(t.name).label);
    } catch (e) {
      app.errors.show('storage', new Error(`a saved vocabulary (${t.name}) could not be restored: ${e.message}`));
    }
  }
}

/** Quiet time after the last change before it is saved (ms). */
const SAVE_MS = 1000;

/** Saves on every change (debounced); adds the storage line with Clear to `host`. */
export function startSaving(app, host) {
  const status = el('span', { class: 'hint', 'data-testid': 'storage-status' });
  const clear = el('button', { type: 'button', class: 'ghost', 'data-testid': 'clear-storage', text: 'Clear saved data' });
  host.append(el('p', { class: 'storage-line' }, status, clear));

  /** The pending save's timer (0: nothing waits to be saved). */
  let timer = 0;
  let failed = false;
  function save() {
    clearTimeout(timer);
    timer = 0;
    const state = {
      v: 1,
      page: capture(app),
      train: { ...trainSettings },
      toys: [...toys.values()]
        .filter((t) => t.model)
        .map(({ name, label, model, training, corpus, corpusBytes }) => ({ name, label, model, training, corpus, corpusBytes })),
    };
    try {
      const s = storage();
      if (!s) throw new Error('storage is disabled in this browser');
      s.setItem(STORAGE_KEY, JSON.stringify(state));
      if (failed) app.errors.clear('storage');
      failed = false;
      // (The same words after most saves: written only when they change.)
      setText(status, `Saved in this browser: your text, settings and ${state.toys.length} vocabular${state.toys.length === 1 ? 'y' : 'ies'}.`);
    } catch (e) {
      failed = true;
      const full = e && (e.name === 'QuotaExceededError' || e.code === 22);
      app.errors.show('storage', new Error(`could not save your work in this browser (${full ? 'storage is full' : e.message}); it will not survive a reload`));
      setText(status, 'Not saved.');
    }
  }
  // Saved once nothing changed for SAVE_MS (a pause in typing, not a
  // pause between words, where its work would delay a key's chips), and
  // at once when the page is hidden or left.
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_MS);
  };
  const flush = () => {
    if (timer) save();
  };
  addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());
  for (const type of ['text', 'settings', 'tab', 'tokenizers', 'toys', 'teach-settings']) app.on(type, later);
  clear.addEventListener('click', () => {
    clearTimeout(timer);
    timer = 0;
    try {
      storage()?.removeItem(STORAGE_KEY);
      setText(status, 'Saved data cleared. New changes are saved again.');
      app.errors.clear('storage');
    } catch (e) {
      app.errors.show('storage', e);
    }
  });
  save();
}
