// Merges: replay the selected tokenizer's merges on the text. A slider sets
// k, the number of merges applied (0 = raw bytes, max = the full
// vocabulary); play and step buttons move it; the text re-encodes with only
// the first k merges (in the worker). A chart plots token count and bytes per
// token against k (sampled in the worker). The merge table lists every merge
// (rank, [left][right] -> [new] rendered as minbpe's .vocab, the pair's count
// when merged); it is searchable, and clicking a merge jumps to it and
// highlights every occurrence of its token in the text.

import { el } from './dom.js';
import { formatNumber } from './format.js';
import { TokensView } from './tokens-view.js';
import { MergeChart } from './chart.js';

/** Rows drawn at once; the search narrows the rest. */
const MAX_ROWS = 300;
const PLAY_DELAY = 110;

export function mount(panel, app) {
  panel.replaceChildren();
  const name = () => app.state.tokenizer;

  // ---- timeline -------------------------------------------------------------
  const btn = (label, aria, testid) =>
    el('button', { type: 'button', class: 'ghost step', 'aria-label': aria, title: aria, 'data-testid': testid, text: label });
  const first = btn('0', 'no merges (raw bytes)', 'merge-first');
  const back = btn('◀', 'one merge back (←)', 'merge-back');
  const play = btn('▶ play', 'play the merges (space)', 'merge-play');
  const fwd = btn('▶', 'one merge forward (→)', 'merge-step');
  const last = btn('all', 'all merges', 'merge-last');
  const slider = el('input', { type: 'range', min: 0, max: 0, value: 0, step: 1, 'data-testid': 'merge-slider', 'aria-label': 'merges applied' });
  const kLabel = el('output', { class: 'k-label', 'data-testid': 'merge-k' });
  const stats = el('p', { class: 'merge-stats', 'data-testid': 'merge-stats', 'aria-live': 'polite' });
  const latest = el('p', { class: 'merge-latest', 'data-testid': 'merge-latest' });
  const chipsBox = el('div', { 'data-testid': 'merge-tokens' });
  const chipsScroll = el('div', { class: 'chips-scroll merge-chips' }, chipsBox);
  const view = new TokensView(chipsBox, {
    scroller: chipsScroll,
    label: 'tokens after k merges',
    onToken: (d, chip) => app.highlight(view.index, d.start, d.end, chip === document.activeElement),
    onLeave: () => (hit != null ? highlightHits() : app.clearHighlight()),
  });
  const chart = new MergeChart();

  // ---- table ------------------------------------------------------------------
  const search = el('input', {
    type: 'search',
    'data-testid': 'merge-search',
    placeholder: 'Search merges: text, id or rank',
    'aria-label': 'search merges',
    spellcheck: 'false',
  });
  const tableInfo = el('span', { class: 'hint', 'data-testid': 'merge-table-info' });
  const tbody = el('tbody');
  const table = el('table', { class: 'merge-table', 'data-testid': 'merge-table' },
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: '#', title: 'merge number: applied when k ≥ #' }),
      el('th', { scope: 'col', text: '[left][right] -> [new]' }),
      el('th', { scope: 'col', text: 'rank (id)', title: 'the new token\'s id, which is its merge rank in minbpe and tiktoken' }),
      el('th', { scope: 'col', text: 'count', title: 'how often the pair occurred when it was merged' }))),
    tbody);
  const occurrences = el('p', { class: 'hint occ', 'data-testid': 'merge-occurrences', 'aria-live': 'polite' });

  panel.append(
    el('div', { class: 'panel-head' },
      el('p', { class: 'hint', 'data-testid': 'merges-hint' }),
    ),
    el('div', { class: 'timeline' }, first, back, play, fwd, last, slider, kLabel),
    stats,
    latest,
    chipsScroll,
    el('div', { class: 'merges-grid' },
      el('div', { class: 'chart-box' }, el('h3', { class: 'sub', text: 'Tokens vs merges' }), chart.el,
        el('p', { class: 'chart-legend' }, el('span', { class: 'key tokens', text: 'tokens (left axis)' }), el('span', { class: 'key bpt', text: 'bytes per token (right axis)' }))),
      el('div', { class: 'table-box' },
        el('div', { class: 'table-head' }, search, tableInfo),
        occurrences,
        el('div', { class: 'table-scroll' }, table))),
  );
  const hint = panel.querySelector('[data-testid="merges-hint"]');

  // ---- state --------------------------------------------------------------------
  let current = null; // tokenizer name the panel shows
  let total = 0;
  let k = 0;
  let rows = null; // {merges, counts, left, right, made}
  let rowsFor = null;
  let hit = null; // token id highlighted
  let enc = null;
  let encIndex = null;
  let playing = 0;
  let curveKey = '';
  let encSeq = 0;

  const visible = () => app.state.tab === 'merges';

  function setK(value, { fromSlider = false } = {}) {
    k = Math.max(0, Math.min(total, Math.round(value)));
    if (!fromSlider) slider.value = String(k);
    slider.setAttribute('aria-valuetext', `${k} of ${total} merges`);
    kLabel.textContent = `k = ${formatNumber(k)} / ${formatNumber(total)}`;
    showLatest();
    return encode();
  }

  function showLatest() {
    if (!rows || k === 0) {
      latest.textContent = k === 0 ? 'No merges yet: every byte is its own token.' : '';
      return;
    }
    const i = k - 1;
    latest.replaceChildren(
      'Latest merge: ',
      el('code', { class: 'merge-pair', text: `[${rows.left[i]}][${rows.right[i]}] -> [${rows.made[i]}]` }),
      rows.counts ? ` · seen ${formatNumber(rows.counts[i])}× in the corpus` : '',
    );
  }

  async function encode() {
    if (!current) return;
    const my = ++encSeq;
    const index = app.index;
    const nm = current;
    let r;
    try {
      await app.ensure(nm);
      r = await app.client.latest('merges', 'encode', { name: nm, text: index.text, allowed: app.state.allowed, k });
    } catch (e) {
      app.errors.show('merges', e);
      return;
    }
    if (!r || my !== encSeq || nm !== current) return;
    app.errors.clear('merges');
    enc = r;
    encIndex = index;
    view.render({ index, enc: r, specials: app.specials(nm), whitespace: app.state.whitespace, key: `${nm}|${app.state.allowed}|${app.state.whitespace}` });
    chipsBox.dataset.tokenizer = nm;
    const n = r.ids.length;
    stats.replaceChildren(
      el('b', { 'data-testid': 'merge-token-count', text: formatNumber(n) }), ' tokens · ',
      el('b', { text: n ? (index.bytes.length / n).toFixed(2) : '–' }), ' bytes/token',
    );
    chart.setK(k, n);
    markHits();
  }

  async function loadTable() {
    if (rowsFor === current && rows) return;
    const nm = current;
    tableInfo.textContent = 'loading merges…';
    try {
      await app.ensure(nm);
      const t = await app.client.call('mergeTable', { name: nm });
      if (nm !== current) return;
      rows = t;
      rowsFor = nm;
      fillTable();
      showLatest();
    } catch (e) {
      tableInfo.textContent = '';
      app.errors.show('merges', e);
    }
  }

  async function loadCurve() {
    const key = `${current}|${app.state.allowed}|${app.index.text.length}|${app.index.text.slice(0, 64)}|${app.index.text.slice(-64)}`;
    if (key === curveKey) return;
    curveKey = key;
    try {
      const d = await app.client.latest('curve', 'curve', { name: current, text: app.index.text, allowed: app.state.allowed });
      if (!d) return;
      chart.setData({ ks: Array.from(d.ks), tokens: Array.from(d.tokens), bytes: d.bytes });
      chart.setK(k, enc?.ids.length);
    } catch (e) {
      curveKey = '';
      app.errors.show('merges', e);
    }
  }

  function fillTable() {
    if (!rows) return;
    const q = search.value.trim() ? search.value : '';
    const n = rows.made.length;
    const num = /^\s*\d+\s*$/.test(q) ? Number(q) : null;
    const ql = q.toLowerCase();
    const out = [];
    let matches = 0;
    for (let i = 0; i < n; i++) {
      if (q) {
        const id = rows.merges[3 * i + 2];
        const ok =
          (num != null && (num === i + 1 || num === id)) ||
          rows.made[i].toLowerCase().includes(ql) ||
          `[${rows.left[i]}][${rows.right[i]}]`.toLowerCase().includes(ql);
        if (!ok) continue;
      }
      matches++;
      if (out.length < MAX_ROWS) out.push(row(i));
    }
    tbody.replaceChildren(...out);
    tableInfo.textContent = q
      ? `${formatNumber(matches)} of ${formatNumber(n)} merges match${matches > MAX_ROWS ? ` (first ${MAX_ROWS} shown)` : ''}`
      : `${formatNumber(n)} merges${n > MAX_ROWS ? ` (first ${MAX_ROWS} shown; search to find others)` : ''}`;
  }

  function row(i) {
    const id = rows.merges[3 * i + 2];
    const b = (text) => el('span', { class: 'br', text });
    const pick = el('button', { type: 'button', class: 'row-pick', 'aria-label': `merge ${i + 1}: highlight token ${id}` },
      b('['), el('span', { class: 'tok', text: rows.left[i] }), b(']['), el('span', { class: 'tok', text: rows.right[i] }), b(']'),
      el('span', { class: 'arrow', text: ' -> ' }),
      b('['), el('span', { class: 'tok made', text: rows.made[i] }), b(']'));
    const tr = el('tr', { 'data-rank': i, 'data-id': id, class: id === hit ? 'selected' : null },
      el('td', { class: 'num', text: String(i + 1) }),
      el('td', {}, pick),
      el('td', { class: 'num', text: String(id) }),
      el('td', { class: 'num', text: rows.counts ? formatNumber(rows.counts[i]) : '–' }));
    // The minbpe .vocab rendering of this merge, for copying and tests.
    tr.dataset.vocab = `[${rows.left[i]}][${rows.right[i]}] -> [${rows.made[i]}]`;
    pick.addEventListener('click', () => selectMerge(i));
    return tr;
  }

  async function selectMerge(i) {
    stop();
    hit = rows.merges[3 * i + 2];
    for (const tr of tbody.querySelectorAll('tr.selected')) tr.classList.remove('selected');
    tbody.querySelector(`tr[data-rank="${i}"]`)?.classList.add('selected');
    await setK(i + 1);
  }

  function markHits() {
    view.mark(hit);
    if (hit == null || !enc) {
      occurrences.textContent = '';
      return;
    }
    let count = 0;
    for (const id of enc.ids) if (id === hit) count++;
    const at = rows ? rows.merges.findIndex((v, j) => j % 3 === 2 && v === hit) : -1;
    const i = at >= 0 ? (at - 2) / 3 : -1;
    occurrences.replaceChildren(
      el('b', { text: formatNumber(count) }),
      ` occurrence${count === 1 ? '' : 's'} of `,
      el('code', { text: i >= 0 ? `[${rows.made[i]}]` : `id ${hit}` }),
      ` (id ${hit}) in your text after ${formatNumber(k)} merges`,
      count && k > i + 1 && i >= 0 ? ' (later merges may absorb it)' : '',
    );
    highlightHits();
    const first = enc.ids.indexOf(hit);
    if (first >= 0) view.chipAt(first)?.scrollIntoView({ block: 'nearest' });
  }

  function highlightHits() {
    if (hit == null || !enc || !encIndex) return;
    const ranges = [];
    for (let j = 0; j < enc.ids.length; j++) if (enc.ids[j] === hit) ranges.push([enc.starts[j], enc.ends[j]]);
    app.highlightAll?.(encIndex, ranges);
  }

  // ---- play -------------------------------------------------------------------
  function stop() {
    if (!playing) return;
    playing = 0;
    play.textContent = '▶ play';
    play.setAttribute('aria-pressed', 'false');
  }

  async function togglePlay() {
    if (playing) return stop();
    if (!total) return;
    const my = (playing = Date.now());
    play.textContent = '❚❚ pause';
    play.setAttribute('aria-pressed', 'true');
    if (k >= total) await setK(0);
    const stride = Math.max(1, Math.round(total / 150));
    while (playing === my && k < total) {
      await setK(k + stride);
      await new Promise((r) => setTimeout(r, PLAY_DELAY));
    }
    if (playing === my) stop();
  }

  first.addEventListener('click', () => (stop(), setK(0)));
  back.addEventListener('click', () => (stop(), setK(k - 1)));
  fwd.addEventListener('click', () => (stop(), setK(k + 1)));
  last.addEventListener('click', () => (stop(), setK(total)));
  play.addEventListener('click', togglePlay);
  slider.addEventListener('input', () => {
    stop();
    setK(Number(slider.value), { fromSlider: true });
  });
  let searchTimer = 0;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(fillTable, 80);
  });

  // Lecture mode keys (see lecture.js): ←/→ step, space plays.
  app.on('timeline', (cmd) => {
    if (cmd === 'step+') (stop(), setK(k + 1));
    else if (cmd === 'step-') (stop(), setK(k - 1));
    else if (cmd === 'play') togglePlay();
  });

  // ---- wiring -----------------------------------------------------------------
  async function show() {
    if (!visible()) return;
    const nm = name();
    if (nm !== current) {
      stop();
      current = nm;
      rows = null;
      hit = null;
      curveKey = '';
      tbody.replaceChildren();
      search.value = '';
      occurrences.textContent = '';
      hint.textContent = `Replay the merges of ${nm} on your text: with k merges applied, only the first k merges may join tokens.`;
      try {
        const info = await app.ensure(nm);
        if (nm !== current) return;
        total = info.mergeCount;
      } catch (e) {
        app.errors.show('merges', e);
        return;
      }
      slider.max = String(total);
      await setK(app.tokenizers.get(nm)?.toy ? total : total);
      loadTable();
    } else {
      encode();
    }
    loadCurve();
  }

  let textTimer = 0;
  app.on('tab', (tab) => (tab === 'merges' ? show() : stop()));
  app.on('text', () => {
    if (!visible()) return;
    encode();
    clearTimeout(textTimer);
    textTimer = setTimeout(loadCurve, 300);
  });
  app.on('settings', (changes) => {
    if ('tokenizer' in changes || 'allowed' in changes || 'whitespace' in changes) {
      if ('allowed' in changes) curveKey = '';
      show();
    }
  });
  app.on('tokenizers', () => {
    // A retrained toy keeps its name: reload everything.
    if (current && app.tokenizers.get(current)?.toy) {
      current = null;
      show();
    }
  });

  /** For share links and tests: the current k. */
  app.on('merges-set-k', (value) => {
    if (visible()) setK(value);
  });
}
