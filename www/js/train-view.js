// Train: a toy vocabulary from a corpus (the text box, a dropped or uploaded
// file — any bytes —, or the built-in sample), in the worker, in slices, with
// progress and a Cancel that stops between slices. The result joins the
// tokenizer picker and the compare view at once.
//
// Also "Keep and share": download the selected toy vocabulary (.model,
// .vocab, .tiktoken, tokenizer.json) and load a .model or .tiktoken file.

import { el, byTestId } from './dom.js';
import { formatNumber, utf8 } from './format.js';
import { SAMPLE_NAME, SAMPLE_TEXT } from './sample-text.js';
import {
  PATTERNS,
  MIN_VOCAB,
  MAX_VOCAB,
  SHARE_CORPUS_LIMIT,
  CORPUS_FILE_LIMIT,
  toys,
  trainSettings,
  patternArg,
  vocabSizeError,
  specialsJson,
  toyName,
} from './teach-store.js';

/** Set by mount: trains with the given settings and corpus text (used by share links). */
let trainFromSettings = null;

/** Trains a toy from settings and a corpus text; resolves to its name. */
export function trainWith(settings, corpusText) {
  if (!trainFromSettings) return Promise.reject(new Error('the Train panel is not ready'));
  return trainFromSettings(settings, corpusText);
}

/** Selects tokenizer `name` in the header picker. */
export function selectTokenizer(app, name) {
  const select = byTestId('tokenizer-select');
  select.value = name;
  if (app.state.tokenizer !== name) app.set({ tokenizer: name });
}

/** Fetches the .model text of a toy for saving (null if it has no minbpe form). */
export async function rememberModel(app, name) {
  const toy = toys.get(name);
  if (!toy) return;
  try {
    toy.model = await app.client.call('export', { name, format: 'model' });
  } catch {
    toy.model = null;
  }
  app.emit('toys');
}

function kib(n) {
  return n < 1024 ? `${formatNumber(n)} bytes` : `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
}

function seconds(s) {
  if (!Number.isFinite(s)) return '–';
  return s < 10 ? `${s.toFixed(1)} s` : s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`;
}

export function mount(panel, app) {
  panel.replaceChildren();

  // ---- corpus -------------------------------------------------------------
  const corpusBox = el('textarea', {
    'data-testid': 'train-corpus',
    class: 'train-corpus',
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-label': 'training corpus',
    placeholder: 'Type or paste a training corpus, drop a file here, or use one of the buttons above.',
  });
  const useText = el('button', { type: 'button', class: 'ghost', 'data-testid': 'corpus-use-text', text: 'Use my text' });
  const useSample = el('button', { type: 'button', class: 'ghost', 'data-testid': 'corpus-sample', text: 'Shakespeare sample' });
  const fileInput = el('input', { type: 'file', 'data-testid': 'train-file', class: 'visually-hidden' });
  const upload = el('label', { class: 'file-button ghost' }, 'Upload a file…', fileInput);
  const corpusSize = el('span', { class: 'hint', 'data-testid': 'corpus-size' });
  const fileName = el('b');
  const fileDrop = el('button', { type: 'button', class: 'ghost', text: 'Use the text box instead' });
  const fileCard = el('div', { class: 'file-card', 'data-testid': 'corpus-file', hidden: true },
    el('span', {}, 'Training on the file ', fileName, ' (its raw bytes).'), fileDrop);
  const dropZone = el('div', { class: 'drop-zone' }, corpusBox, fileCard);

  /** {name, bytes} when the corpus is a file, else null (the text box). */
  let file = null;

  function corpusBytes() {
    return file ? file.bytes : utf8.encode(corpusBox.value);
  }

  function showCorpusSize() {
    const n = file ? file.bytes.length : utf8.encode(corpusBox.value).length;
    corpusSize.textContent = n ? `${kib(n)} of corpus` : 'no corpus yet';
  }

  function setFile(f) {
    file = f;
    fileCard.hidden = !f;
    corpusBox.hidden = !!f;
    if (f) fileName.textContent = `${f.name} · ${kib(f.bytes.length)}`;
    showCorpusSize();
  }

  function setCorpusText(text) {
    setFile(null);
    corpusBox.value = text;
    showCorpusSize();
  }

  async function takeFile(f) {
    if (!f) return;
    if (f.size > CORPUS_FILE_LIMIT) {
      app.errors.show('train', new Error(
        `${f.name} is ${(f.size / (1024 * 1024)).toFixed(1)} MB; training takes files up to ${CORPUS_FILE_LIMIT / (1024 * 1024)} MB. The corpus was kept.`));
      return;
    }
    app.errors.clear('train');
    const bytes = new Uint8Array(await f.arrayBuffer());
    setFile({ name: f.name, bytes });
  }

  corpusBox.addEventListener('input', showCorpusSize);
  useText.addEventListener('click', () => setCorpusText(app.state.text));
  useSample.addEventListener('click', () => setCorpusText(SAMPLE_TEXT));
  useSample.title = SAMPLE_NAME;
  fileInput.addEventListener('change', async () => {
    const f = fileInput.files?.[0];
    fileInput.value = '';
    await takeFile(f);
  });
  fileDrop.addEventListener('click', () => {
    setFile(null);
    corpusBox.focus();
  });
  dropZone.addEventListener('dragover', (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    e.preventDefault();
    dropZone.classList.add('dragging');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
  dropZone.addEventListener('drop', (e) => {
    const f = e.dataTransfer?.files?.[0];
    dropZone.classList.remove('dragging');
    if (!f) return;
    e.preventDefault();
    takeFile(f);
  });

  // ---- settings -------------------------------------------------------------
  const vocab = el('input', {
    type: 'number',
    'data-testid': 'vocab-size',
    min: MIN_VOCAB,
    max: MAX_VOCAB,
    step: 1,
    value: trainSettings.vocabSize,
    inputmode: 'numeric',
    'aria-describedby': 'vocab-error',
  });
  const vocabError = el('p', { class: 'field-error', id: 'vocab-error', 'data-testid': 'vocab-error', hidden: true });
  const pattern = el('select', { 'data-testid': 'pattern-select', 'aria-label': 'split pattern' });
  for (const p of PATTERNS) pattern.append(el('option', { value: p.value, text: p.label }));
  pattern.value = trainSettings.pattern;
  const regex = el('input', {
    type: 'text',
    class: 'regex-input',
    'data-testid': 'custom-pattern',
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: String.raw`e.g. \w+|\s+|[^\w\s]+`,
    'aria-label': 'custom split regex',
    'aria-describedby': 'pattern-error',
  });
  regex.value = trainSettings.regex;
  const regexField = el('label', { class: 'tfield regex-field' }, el('span', { class: 'field-label', text: 'Regex' }), regex);
  const patternError = el('p', { class: 'field-error', id: 'pattern-error', 'data-testid': 'pattern-error', hidden: true });
  const specials = el('input', {
    type: 'text',
    'data-testid': 'special-tokens',
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: '<|endoftext|>  (optional, space-separated)',
  });
  specials.value = trainSettings.specials;

  // ---- run ------------------------------------------------------------------
  const trainButton = el('button', { type: 'button', class: 'primary', 'data-testid': 'train-button', text: 'Train' });
  const cancelButton = el('button', { type: 'button', 'data-testid': 'train-cancel', text: 'Cancel', disabled: true });
  const progress = el('progress', { 'data-testid': 'train-progress', max: 1, value: 0, 'aria-label': 'training progress' });
  const stats = el('span', { class: 'train-stats', 'data-testid': 'train-stats', 'aria-live': 'polite', text: 'Ready.' });

  panel.append(
    el('div', { class: 'panel-head' },
      el('p', { class: 'hint', text: 'Train your own byte-pair vocabulary: BPE repeatedly merges the most frequent pair of neighbouring tokens.' })),
    el('div', { class: 'train-grid' },
      el('div', { class: 'train-corpus-col' },
        el('div', { class: 'corpus-bar' }, el('span', { class: 'field-label', text: 'Corpus' }), useText, useSample, upload, corpusSize),
        dropZone),
      el('div', { class: 'train-settings' },
        el('label', { class: 'tfield' }, el('span', { class: 'field-label', text: 'Vocab size' }), vocab),
        vocabError,
        el('label', { class: 'tfield' }, el('span', { class: 'field-label', text: 'Split pattern' }), pattern),
        regexField,
        patternError,
        el('label', { class: 'tfield' }, el('span', { class: 'field-label', text: 'Special tokens' }), specials),
        el('div', { class: 'train-run' }, trainButton, cancelButton),
        el('div', { class: 'train-progress' }, progress, stats))),
  );

  // ---- keep and share -----------------------------------------------------
  const selectedName = el('b', { 'data-testid': 'keep-name' });
  const dl = (format, testid, label) =>
    el('button', { type: 'button', class: 'ghost', 'data-testid': testid, 'data-format': format, text: label });
  const downloads = [
    dl('model', 'download-model', '.model'),
    dl('vocab', 'download-vocab', '.vocab'),
    dl('tiktoken', 'download-tiktoken', '.tiktoken'),
    dl('tokenizer.json', 'download-tokenizer-json', 'tokenizer.json'),
  ];
  const loadInput = el('input', { type: 'file', 'data-testid': 'load-model', accept: '.model,.tiktoken', class: 'visually-hidden' });
  const loadLabel = el('label', { class: 'file-button ghost', title: 'A .tiktoken file has no split pattern: the Split pattern above is used.' },
    'Load .model / .tiktoken…', loadInput);
  const keepHint = el('span', { class: 'hint', 'data-testid': 'keep-hint' });
  panel.append(
    el('h3', { class: 'sub', text: 'Keep and share' }),
    el('div', { class: 'keep-bar' },
      el('span', {}, 'Download ', selectedName, ' as'), ...downloads, el('span', { class: 'keep-sep' }), loadLabel),
    keepHint,
  );

  function syncKeep() {
    const name = app.state.tokenizer;
    const isToy = !!app.tokenizers.get(name)?.toy;
    selectedName.textContent = isToy ? name : 'your vocabulary';
    for (const b of downloads) b.disabled = !isToy;
    keepHint.textContent = isToy ? '' : 'Pick one of your vocabularies in the Tokenizer menu to download it.';
  }

  for (const b of downloads) {
    b.addEventListener('click', async () => {
      const name = app.state.tokenizer;
      const format = b.dataset.format;
      try {
        const text = await app.client.call('export', { name, format });
        const ext = format === 'tokenizer.json' ? '.tokenizer.json' : `.${format}`;
        const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
        const a = el('a', { href: url, download: `${name}${ext}`, class: 'visually-hidden' });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
        app.errors.clear('download');
      } catch (e) {
        app.errors.show('download', e);
      }
    });
  }

  loadInput.addEventListener('change', async () => {
    const f = loadInput.files?.[0];
    loadInput.value = '';
    if (!f) return;
    let name = f.name.replace(/\.(model|tiktoken)$/i, '').replace(/[^\w.-]+/g, '_') || 'vocab';
    if (['r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base'].includes(name)) name += '_file';
    try {
      let source;
      if (/\.tiktoken$/i.test(f.name)) {
        source = { kind: 'tiktoken', bytes: await f.arrayBuffer(), pattern: patternArg(readSettings()) || 'none', specials: '' };
      } else {
        source = { kind: 'model', text: await f.text() };
      }
      const info = await app.client.call('load', { name, source });
      app.errors.clear('load');
      toys.set(name, { name, label: `${name} (file)`, model: null, training: null, corpus: null, corpusBytes: 0 });
      app.addTokenizer(info, `${name} (file)`);
      selectTokenizer(app, name);
      rememberModel(app, name);
    } catch (e) {
      app.errors.show('load', new Error(`${f.name}: ${e instanceof Error ? e.message : e}`));
    }
  });

  // ---- validation -----------------------------------------------------------
  function readSettings() {
    return {
      vocabSize: Number(vocab.value),
      pattern: pattern.value,
      regex: regex.value,
      specials: specials.value.trim(),
    };
  }

  function saveSettings() {
    const s = readSettings();
    if (!vocabSizeError(vocab.value)) trainSettings.vocabSize = s.vocabSize;
    trainSettings.pattern = s.pattern;
    trainSettings.regex = s.regex;
    trainSettings.specials = s.specials;
    app.emit('teach-settings');
  }

  function checkVocab() {
    const msg = vocabSizeError(vocab.value);
    vocabError.textContent = msg;
    vocabError.hidden = !msg;
    vocab.setAttribute('aria-invalid', String(!!msg));
    return !msg;
  }

  let patternSeq = 0;
  let patternOk = true;
  async function checkRegex() {
    const custom = pattern.value === 'custom';
    regexField.hidden = !custom;
    const my = ++patternSeq;
    if (!custom) {
      patternOk = true;
    } else if (!regex.value) {
      patternOk = false;
      patternError.textContent = 'Enter a regex (fancy-regex syntax, as in tiktoken patterns).';
    } else {
      try {
        await app.client.call('checkPattern', { pattern: regex.value });
        if (my !== patternSeq) return patternOk;
        patternOk = true;
      } catch (e) {
        if (my !== patternSeq) return patternOk;
        patternOk = false;
        patternError.textContent = e.message;
      }
    }
    patternError.hidden = patternOk;
    regex.setAttribute('aria-invalid', String(!patternOk));
    syncButtons();
    return patternOk;
  }

  let running = null;
  function syncButtons() {
    trainButton.disabled = !!running || !checkVocab() || !patternOk;
    cancelButton.disabled = !running;
  }

  vocab.addEventListener('input', () => {
    syncButtons();
    saveSettings();
  });
  pattern.addEventListener('change', () => {
    checkRegex();
    saveSettings();
  });
  let regexTimer = 0;
  regex.addEventListener('input', () => {
    clearTimeout(regexTimer);
    regexTimer = setTimeout(checkRegex, 120);
    saveSettings();
  });
  specials.addEventListener('input', saveSettings);

  // ---- training ---------------------------------------------------------------
  async function train(settings, bytes, corpusText) {
    if (running) throw new Error('a training is already running');
    const name = toyName(settings);
    const specialsArg = specialsJson(settings.specials, settings.vocabSize);
    const started = performance.now();
    let firstAt = 0;
    let firstDone = 0;
    progress.max = settings.vocabSize - MIN_VOCAB || 1;
    progress.value = 0;
    progress.removeAttribute('data-state');
    stats.textContent = `Counting pairs in ${kib(bytes.length)}…`;
    const corpusLength = bytes.length;
    const buffer = bytes.slice().buffer;
    const request = app.client.call(
      'train',
      { corpus: buffer, vocabSize: settings.vocabSize, pattern: patternArg(settings), name, specials: specialsArg },
      {
        transfer: [buffer],
        onProgress: ({ done, total }) => {
          const now = performance.now();
          if (!firstAt) {
            firstAt = now;
            firstDone = done;
          }
          const rate = now > firstAt ? ((done - firstDone) * 1000) / (now - firstAt) : NaN;
          progress.max = total || 1;
          progress.value = done;
          progress.setAttribute('aria-valuetext', `${done} of ${total} merges`);
          stats.textContent = `${formatNumber(done)} / ${formatNumber(total)} merges · ${
            Number.isFinite(rate) ? `${formatNumber(Math.round(rate))} merges/s · about ${seconds((total - done) / rate)} left` : 'starting…'
          }`;
        },
      },
    );
    running = { request, cancelAt: 0 };
    syncButtons();
    trainButton.textContent = 'Training…';
    try {
      const info = await request;
      const secs = (performance.now() - started) / 1000;
      progress.value = progress.max;
      progress.dataset.state = 'done';
      const wanted = settings.vocabSize - MIN_VOCAB;
      const short = info.mergeCount < wanted ? ` (the corpus ran out of pairs after ${formatNumber(info.mergeCount)})` : '';
      stats.textContent = `Done: ${name}, ${formatNumber(info.mergeCount)} merges in ${seconds(secs)}${short}. It is selected above; replay it in Merges.`;
      toys.set(name, {
        name,
        label: `${name} (trained)`,
        model: null,
        training: { ...settings },
        corpus: corpusText != null && corpusLength <= SHARE_CORPUS_LIMIT ? corpusText : null,
        corpusBytes: corpusLength,
      });
      app.errors.clear('train');
      app.addTokenizer(info, `${name} (trained)`);
      selectTokenizer(app, name);
      rememberModel(app, name);
      return name;
    } catch (e) {
      if (e.message === 'cancelled' || (e.crashed && running.cancelAt)) {
        const ms = running.cancelAt ? performance.now() - running.cancelAt : 0;
        progress.dataset.cancelMs = String(Math.round(ms));
        progress.dataset.state = 'cancelled';
        stats.textContent = `Cancelled after ${formatNumber(progress.value)} of ${formatNumber(progress.max)} merges (stopped in ${Math.round(ms)} ms).`;
        return null;
      }
      progress.dataset.state = 'failed';
      stats.textContent = 'Training failed: see the message above.';
      app.errors.show('train', e);
      throw e;
    } finally {
      running = null;
      trainButton.textContent = 'Train';
      syncButtons();
    }
  }

  trainButton.addEventListener('click', async () => {
    if (!checkVocab()) {
      vocab.focus();
      return;
    }
    if (!(await checkRegex())) {
      regex.focus();
      return;
    }
    const settings = readSettings();
    const bytes = corpusBytes();
    if (!bytes.length) {
      app.errors.show('train', new Error('the corpus is empty: type or paste some text, upload a file, or use the sample'));
      return;
    }
    try {
      await train(settings, bytes, file ? null : corpusBox.value);
    } catch {
      /* shown in the error area */
    }
  });

  cancelButton.addEventListener('click', () => {
    if (!running) return;
    running.cancelAt = performance.now();
    stats.textContent = 'Cancelling…';
    app.client.cancel(running.request.requestId);
  });

  trainFromSettings = async (settings, corpusText) => {
    vocab.value = settings.vocabSize;
    pattern.value = settings.pattern;
    regex.value = settings.regex ?? '';
    specials.value = settings.specials ?? '';
    setCorpusText(corpusText);
    saveSettings();
    await checkRegex();
    return train(readSettings(), utf8.encode(corpusText), corpusText);
  };

  /** Applies saved settings (persistence). */
  app.on('teach-restore', () => {
    vocab.value = trainSettings.vocabSize;
    pattern.value = trainSettings.pattern;
    regex.value = trainSettings.regex;
    specials.value = trainSettings.specials;
    checkRegex();
    syncButtons();
  });

  app.on('settings', (changes) => 'tokenizer' in changes && syncKeep());
  app.on('tokenizers', syncKeep);
  showCorpusSize();
  checkRegex();
  syncButtons();
  syncKeep();
}
