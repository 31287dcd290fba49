// Wiring and state. The page never tokenizes by itself: it sends text to
// the worker and renders the typed arrays it gets back, except that the
// main view's edits are answered by a second copy of the engine on this
// thread (local-engine.js), so that chips follow keystrokes without a frame
// of delay.
//
// Adding a view (Train, Merges, Inspect, Chunks): write js/<name>-view.js
// exporting `mount(panel, app)`, where `panel` is its
// <section data-panel="<name>"> and `app` is the App below; then add it to
// VIEWS (or TEACHING_VIEWS, loaded after the first chips) at the end of
// this file. A view listens with app.on('text' |
// 'settings' | 'tokenizers' | 'tab', fn), talks to the worker through
// app.client (call / latest, see worker-client.js and worker.js), reports
// errors with app.errors.show(source, error) / app.errors.clear(source), and
// registers a new vocabulary with app.addTokenizer(info).

import { startWorker, wasm, local } from './boot.js';
import { WorkerClient } from './worker-client.js';
import { TokensView } from './tokens-view.js';
import { IdsView } from './ids-view.js';
import { TextIndex, formatNumber, quoted } from './format.js';
import { Errors } from './errors.js';
import { DEFAULT_TEXT, EXAMPLES } from './examples.js';
import { el, byTestId, setText } from './dom.js';
import * as compareView from './compare-view.js';
import * as decodeView from './decode-view.js';
import { hasSavedWork } from './page-state.js';
import { mountOpenFile, TEXT_FILE_LIMIT, megabytes } from './open-file.js';
import { Editor } from './editor.js';

export const PRETRAINED = [
  { name: 'r50k_base', label: 'GPT-2 · r50k_base' },
  { name: 'p50k_base', label: 'Codex · p50k_base' },
  { name: 'cl100k_base', label: 'GPT-4 · cl100k_base' },
  { name: 'o200k_base', label: 'GPT-4o · o200k_base' },
];

class App {
  constructor() {
    // The worker starts once the first chips are on screen (boot.js says
    // why), or as soon as the main view has to wait for it (encode).
    this.client = new WorkerClient(undefined, { startWorker, wasm });
    /** The engine on this thread (local-engine.js), once loaded (or null). */
    this.local = null;
    this.localLoaded = local.then((engine) => (this.local = engine));
    this.errors = new Errors(byTestId('error'));
    this.state = {
      text: DEFAULT_TEXT,
      tokenizer: 'cl100k_base',
      allowed: 'none',
      whitespace: false,
      view: 'both',
      tab: 'compare',
    };
    /** TextIndex of state.text (bytes, UTF-16 map), shared by all views. */
    this.index = new TextIndex(this.state.text);
    /** name -> {name, label, toy, info, loading} */
    this.tokenizers = new Map(PRETRAINED.map((t) => [t.name, { ...t, toy: false, info: null, loading: null }]));
    this.listeners = new Map();
  }

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
  }

  emit(type, detail) {
    for (const fn of this.listeners.get(type) ?? []) {
      try {
        fn(detail);
      } catch (e) {
        this.errors.show('page', e);
      }
    }
  }

  /** `change` (optional): where the text changed, see TextIndex.edit. */
  setText(text, change = null) {
    // (The index of the same text is the same index: TextIndex.edit tells.)
    const index = this.index.edit(text, change);
    if (index === this.index) return;
    this.state.text = text;
    this.index = index;
    this.emit('text');
  }

  set(changes) {
    Object.assign(this.state, changes);
    this.emit('settings', changes);
  }

  names() {
    return [...this.tokenizers.keys()];
  }

  isLoaded(name) {
    return !!this.tokenizers.get(name)?.info;
  }

  /** Loads a pretrained tokenizer once; resolves to its description. */
  ensure(name) {
    const t = this.tokenizers.get(name);
    if (!t) return Promise.reject(new Error(`unknown tokenizer ${name}`));
    if (t.info) return Promise.resolve(t.info);
    if (!t.loading) {
      // Described by the copy on this thread when it holds `name`, else the
      // worker loads it.
      const load = async () => (await this.localFor(name))?.describe(name) || this.client.call('load', { name });
      t.loading = load().then(
        (info) => {
          t.info = { ...info, specialIds: new Set(info.specials.map((s) => s[1])) };
          t.loading = null;
          return t.info;
        },
        (e) => {
          t.loading = null;
          throw e;
        },
      );
    }
    return t.loading;
  }

  /** Registers a vocabulary the worker already holds (trained or loaded). */
  addTokenizer(info, label = info.name) {
    this.tokenizers.set(info.name, {
      name: info.name,
      label,
      toy: true,
      info: { ...info, specialIds: new Set(info.specials.map((s) => s[1])) },
      loading: null,
    });
    this.emit('tokenizers');
  }

  /** Asks every view to render again (after a failed load or a worker restart). */
  retry() {
    this.emit('text');
  }

  specials(name) {
    return this.tokenizers.get(name)?.info?.specialIds ?? new Set();
  }

  /** The engine on this thread if it holds `name` and has it ready, else null. */
  async localFor(name) {
    const engine = this.local ?? (await this.localLoaded);
    return engine && (await engine.ready(name)) ? engine : null;
  }

  /** Encodes the current text with `name` on a lane (stale requests are
   *  dropped). Resolves to {enc, index, name, allowed, by} or null when
   *  superseded; `by` says which engine answered: 'page' (this thread, the
   *  main lane only) or 'worker'. */
  async encode(lane, name) {
    const index = this.index;
    const allowed = this.state.allowed;
    if (lane === 'main' && !(await this.localFor(name))) this.client.wake();
    await this.ensure(name);
    if (index !== this.index) return null;
    // Above the limit the page would spend seconds per keystroke and
    // hundreds of MB on chips: say so instead (the text itself is kept).
    if (index.bytes.length > TEXT_FILE_LIMIT) {
      throw new Error(
        `The text is ${megabytes(index.bytes.length)}; the page tokenizes up to ${megabytes(TEXT_FILE_LIMIT)} at once ` +
          '(the command-line tool has no such limit). Your text is kept: shorten it to see its tokens.',
      );
    }
    const local = lane === 'main' && (await this.localFor(name));
    if (local && index === this.index && allowed === this.state.allowed) {
      const enc = local.encode(name, index.bytes, allowed);
      if (enc) return { enc, index, name, allowed, by: 'page' };
    }
    if (lane === 'main') this.client.wake();
    // (The bytes, not the text: the page's text is joined from pieces
    // after an edit, and sending it would copy it into one string first.)
    const enc = await this.client.latest(lane, 'encode', { name, utf8: index.bytes, allowed, lane });
    return enc && { enc, index, name, allowed, by: 'worker' };
  }

  /** Fills a <select> with every tokenizer, keeping `value` selected. */
  fillSelect(select, value) {
    const pre = el('optgroup', { label: 'Pretrained' });
    const toys = el('optgroup', { label: 'Your vocabularies' });
    for (const t of this.tokenizers.values()) {
      (t.toy ? toys : pre).append(el('option', { value: t.name, text: t.label }));
    }
    select.replaceChildren(pre, ...(toys.children.length ? [toys] : []));
    select.value = value;
  }

  /** Highlights bytes [start, end) of the text in the input, if the input
   *  still shows that text. */
  highlight(index, start, end, scroll) {
    if (index.text !== editor.text) return;
    const [a, b] = index.utf16Range(start, end);
    editor.highlight(a, b, scroll);
  }

  clearHighlight() {
    editor.clearHighlight();
  }

  /** Highlights several byte ranges [[start, end], …] of the text at once. */
  highlightAll(index, ranges) {
    if (index.text !== editor.text) return;
    editor.highlightAll(ranges.map(([start, end]) => index.utf16Range(start, end)));
  }

  /** Shows one token's details in the details line. */
  showDetails(d) {
    details.show(d);
  }

  hideDetails() {
    details.hide();
  }
}

// ---- the input box (editor.js) ------------------------------------------------

const editorRoot = document.querySelector('.editor');
// The box is in a form of its own, which is never sent. Chromium's autofill
// handles every change of a form control in a task of its own, between the
// frame and what follows it: 1.8 ms a key in a trace at 100 KB with the box
// outside any form, 0.66 ms with the box in a form of its own.
editorRoot.closest('form').addEventListener('submit', (e) => e.preventDefault());
const editor = new Editor(
  {
    root: editorRoot,
    textarea: byTestId('input'),
    backdrop: editorRoot.querySelector('.backdrop'),
    before: editorRoot.querySelector('.editor-pad.before'),
    after: editorRoot.querySelector('.editor-pad.after'),
  },
  (text, change) => {
    app.clearHighlight();
    app.setText(text, change);
  },
);

// ---- details line ------------------------------------------------------------

const details = {
  box: byTestId('token-details'),
  show(d) {
    const parts = [
      el('span', { class: 'd-id' }, 'id ', el('b', { text: String(d.id) })),
      d.special ? el('span', { class: 'd-kind', text: 'special token' }) : null,
      d.text != null
        ? el('span', { class: 'd-text' }, 'text ', el('code', { text: quoted(d.text) }))
        : el('span', { class: 'd-text' }, 'part of ', el('code', { text: quoted(d.formed) })),
      el('span', { class: 'd-hex' }, 'bytes ', el('code', { text: d.hex })),
      el('span', { class: 'd-range', text: `range ${d.start}–${d.end}` }),
    ];
    this.box.replaceChildren(...parts.filter(Boolean));
    this.box.classList.remove('idle');
  },
  hide() {
    this.box.replaceChildren('Hover or focus a token to see its id, bytes and place in the text.');
    this.box.classList.add('idle');
  },
};

// ---- the main tokens panel --------------------------------------------------

const app = new App();
const tokensEl = byTestId('tokens');
const idsEl = byTestId('token-ids');
const statusEl = byTestId('status');
const idsView = new IdsView(idsEl);
const mainView = new TokensView(tokensEl, {
  scroller: tokensEl.parentElement,
  onToken: (d, chip) => {
    app.showDetails(d);
    app.highlight(mainView.index, d.start, d.end, chip === document.activeElement);
  },
  onLeave: () => {
    app.hideDetails();
    app.clearHighlight();
  },
});

function setStatus(text) {
  const busy = text ? 'true' : 'false';
  // (Cleared at every keystroke: no DOM writes when it already is.)
  if (statusEl.textContent === text && statusEl.hidden === !text && tokensEl.getAttribute('aria-busy') === busy) return;
  statusEl.textContent = text;
  statusEl.hidden = !text;
  tokensEl.setAttribute('aria-busy', busy);
}

/** refreshMain calls made, and the newest whose chips are shown: an answer
 *  from the worker is dropped when a newer one (from this thread) is shown. */
let mainAsked = 0;
let mainShown = 0;

async function refreshMain() {
  const asked = ++mainAsked;
  const name = app.state.tokenizer;
  if (!app.isLoaded(name)) setStatus(`Loading ${name}…`);
  let r;
  try {
    r = await app.encode('main', name);
  } catch (e) {
    if (name === app.state.tokenizer) setStatus('');
    if (app.isLoaded(name)) app.errors.show('encode', e);
    else app.errors.show(`load ${name}`, e, () => app.retry());
    return;
  }
  if (!r || asked < mainShown) return;
  if (r.name !== app.state.tokenizer || r.allowed !== app.state.allowed) {
    refreshMain();
    return;
  }
  mainShown = asked;
  setStatus('');
  app.errors.clear('encode');
  app.errors.clear('load');
  app.errors.clear(`load ${name}`);
  const t0 = performance.now();
  const { enc, index } = r;
  mainView.render({
    index,
    enc,
    specials: app.specials(name),
    whitespace: app.state.whitespace,
    key: `${name}|${r.allowed}|${app.state.whitespace}`,
  });
  tokensEl.dataset.tokenizer = name;
  tokensEl.dataset.encodedBy = r.by;
  // The copy on this thread follows the main view to another pretrained
  // encoding, parsed when the page is idle (till then the worker answers).
  if (app.tokenizers.get(name)?.toy === false)
    app.local?.holdWhenIdle(name, () => app.state.tokenizer === name);
  // The id list follows the chips block by block; hidden, it is dropped.
  if (idsEl.hidden) idsView.clear();
  else idsView.render(enc.ids, mainView.bounds, idsView.texts.length ? mainView.kept : null);
  const n = enc.ids.length;
  setText(byTestId('token-count'), String(n));
  setText(byTestId('char-count'), formatNumber(index.chars));
  setText(byTestId('byte-count'), formatNumber(index.bytes.length));
  setText(byTestId('chars-per-token'), n ? (index.chars / n).toFixed(2) : '–');
  performance.measure('render', { start: t0 });
}

// ---- controls ------------------------------------------------------------------

const textarea = editor.textarea;
textarea.value = app.state.text;

const select = byTestId('tokenizer-select');
app.fillSelect(select, app.state.tokenizer);
select.addEventListener('change', () => app.set({ tokenizer: select.value }));
app.on('tokenizers', () => app.fillSelect(select, app.state.tokenizer));

for (const radio of document.querySelectorAll('input[name="view"]')) {
  radio.addEventListener('change', () => radio.checked && app.set({ view: radio.value }));
}

function toggle(testid, key, onChange) {
  const button = byTestId(testid);
  const sync = () => button.setAttribute('aria-pressed', String(!!onChange.get()));
  button.addEventListener('click', () => {
    onChange.set(!onChange.get());
    sync();
  });
  sync();
  return button;
}
toggle('whitespace-toggle', 'whitespace', {
  get: () => app.state.whitespace,
  set: (v) => app.set({ whitespace: v }),
});
toggle('special-toggle', 'allowed', {
  get: () => app.state.allowed === 'all',
  set: (v) => app.set({ allowed: v ? 'all' : 'none' }),
});

function applyView() {
  const v = app.state.view;
  tokensEl.hidden = v === 'ids';
  idsEl.hidden = v === 'chips';
  // The id list is not kept up to date while hidden.
  if (!idsEl.hidden) idsView.render(mainView.enc.ids, mainView.bounds);
}

// Theme: auto (the system's) → light → dark.
const THEMES = ['auto', 'light', 'dark'];
const themeButton = byTestId('theme-toggle');
function applyTheme(theme) {
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  themeButton.textContent = `◐ ${theme}`;
  themeButton.setAttribute('aria-label', `colour theme: ${theme} (change)`);
}
// Storage may be disabled (it then throws): the theme is then not remembered.
let theme = 'auto';
try {
  theme = localStorage.getItem('bpe-theme') ?? 'auto';
} catch {
  /* keep auto */
}
if (!THEMES.includes(theme)) theme = 'auto';
applyTheme(theme);
themeButton.addEventListener('click', () => {
  theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
  try {
    localStorage.setItem('bpe-theme', theme);
  } catch {
    /* not remembered */
  }
  applyTheme(theme);
});

// Lecture mode: large type; L toggles it outside text fields.
const lectureButton = byTestId('lecture-toggle');
function setLecture(on) {
  document.body.classList.toggle('lecture', on);
  lectureButton.setAttribute('aria-pressed', String(on));
}
lectureButton.addEventListener('click', () => setLecture(!document.body.classList.contains('lecture')));
document.addEventListener('keydown', (e) => {
  const t = e.target;
  if (e.key.toLowerCase() !== 'l' || e.ctrlKey || e.metaKey || e.altKey) return;
  if (t instanceof HTMLTextAreaElement || t instanceof HTMLInputElement || t instanceof HTMLSelectElement) return;
  setLecture(!document.body.classList.contains('lecture'));
});

// Examples menu.
const examples = byTestId('examples');
for (const ex of EXAMPLES) examples.append(el('option', { value: ex.id, text: ex.title }));
examples.addEventListener('change', () => {
  const ex = EXAMPLES.find((x) => x.id === examples.value);
  examples.value = '';
  if (!ex) return;
  textarea.value = ex.text;
  app.clearHighlight();
  app.setText(ex.text);
  if (ex.id === 'special' && app.state.allowed !== 'all') byTestId('special-toggle').click();
});

// Opening a text file into the text box (lossy UTF-8 with a note; size limit).
mountOpenFile(app, {
  head: examples.parentElement,
  editor: document.querySelector('.editor'),
  textarea,
  setText: (text) => {
    textarea.value = text;
    app.clearHighlight();
    app.setText(text);
  },
});

// Loading a vocabulary file: .model (minbpe), .tiktoken, tokenizer.json.
async function loadVocabularyFile(fileInput) {
  const file = fileInput.files?.[0];
  fileInput.value = '';
  if (!file) return;
  let name = file.name.replace(/\.(model|tiktoken|json)$/i, '').replace(/[^\w.-]+/g, '_') || 'vocab';
  if (PRETRAINED.some((t) => t.name === name)) name += '_file';
  try {
    let source;
    if (/\.model$/i.test(file.name)) source = { kind: 'model', text: await file.text() };
    else if (/\.json$/i.test(file.name)) source = { kind: 'hf', text: await file.text() };
    else source = { kind: 'tiktoken', bytes: await file.arrayBuffer(), pattern: 'cl100k', specials: '' };
    const info = await app.client.call('load', { name, source });
    app.errors.clear('load');
    app.addTokenizer(info, `${name} (file)`);
    select.value = name;
    app.set({ tokenizer: name });
  } catch (e) {
    app.errors.show('load', e);
  }
}
for (const id of ['load-file', 'load-tokenizer-json']) {
  const input = byTestId(id);
  input.addEventListener('change', () => loadVocabularyFile(input));
}

// Tabs (Compare | Train | Merges | Inspect | Chunks | Decode).
const tabs = [...document.querySelectorAll('[role="tab"]')];
function selectTab(name, focus = false) {
  for (const tab of tabs) {
    const on = tab.dataset.tab === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    document.querySelector(`[data-panel="${tab.dataset.tab}"]`).hidden = !on;
    if (on && focus) tab.focus();
  }
  app.state.tab = name;
  app.emit('tab', name);
}
for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab.dataset.tab));
  tab.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(tab);
    const j = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : null;
    if (j == null) return;
    e.preventDefault();
    selectTab(tabs[(j + tabs.length) % tabs.length].dataset.tab, true);
  });
}

window.addEventListener('unhandledrejection', (e) => app.errors.show('page', e.reason));
window.addEventListener('error', (e) => app.errors.show('page', e.error ?? e.message));

// A crashed worker was restarted (worker-client.js): say so and redraw.
app.client.onRestart = (message) => {
  app.errors.show('worker', new Error(message));
  app.retry();
};

app.on('text', refreshMain);
app.on('settings', (changes) => {
  if ('view' in changes) applyView();
  if ('tokenizer' in changes || 'allowed' in changes || 'whitespace' in changes) refreshMain();
});

// ---- views in the tabs ------------------------------------------------------------
// Compare and Decode come with the page. The teaching views, and the start-up
// that restores saved work and share links (teach.js), are modules loaded
// after the first chips are on screen, so that they do not delay them; when
// there is saved work or a share link to restore, they load at once.
const VIEWS = { compare: compareView, decode: decodeView };
const TEACHING_VIEWS = {
  train: () => import('./train-view.js'),
  merges: () => import('./merges-view.js'),
  inspect: () => import('./inspect-view.js'),
  chunks: () => import('./chunks-view.js'),
};
const mountView = (name, view) => view.mount(document.querySelector(`[data-panel="${name}"]`), app);
for (const [name, view] of Object.entries(VIEWS)) mountView(name, view);

async function loadTeaching() {
  try {
    const [views, teach] = await Promise.all([
      Promise.all(Object.entries(TEACHING_VIEWS).map(async ([name, load]) => [name, await load()])),
      import('./teach.js'),
    ]);
    for (const [name, view] of views) mountView(name, view);
    // A teaching tab chosen while its view was loading is shown now.
    if (app.state.tab in TEACHING_VIEWS) selectTab(app.state.tab);
    await teach.startTeaching(app);
  } catch (e) {
    app.errors.show('page', e);
  }
}

applyView();
details.hide();
selectTab('compare');
const firstChips = refreshMain();
const restore = location.hash.length > 1 || hasSavedWork();
// After the frame that paints the first chips, the worker starts and the
// teaching views load (their loading and running must not delay that
// frame). A first encoding that never answers, or a hidden tab (no frames),
// must not keep them away. Saved work or a share link to restore needs
// them at once.
const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
const afterFirstChips = Promise.race([firstChips.then(painted), new Promise((r) => setTimeout(r, 3000))]);
(restore ? Promise.resolve() : afterFirstChips).finally(() => {
  app.client.wake();
  loadTeaching();
});
