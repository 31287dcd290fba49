// Compare: the same text encoded by several tokenizers side by side. Each
// column ([data-tokenizer]) has its own picker, token count and bytes/token,
// and updates live (one worker lane per column, stale requests dropped).

import { TokensView } from './tokens-view.js';
import { el, byTestId, setText } from './dom.js';
import { formatNumber } from './format.js';

const DEFAULT_COLUMNS = ['r50k_base', 'cl100k_base', 'o200k_base'];
const MAX_COLUMNS = 4;

/** Quiet time after the last edit before the columns are re-encoded (ms):
 *  well above the time between keys within a word, so that they catch up
 *  between words, not between keys, where their redraw would delay the next
 *  key's chips. That time is the typist's pause (100-300 ms at 40-120 words
 *  a minute) plus the key's own handling: at 300 ms the columns caught up
 *  just before 2-5 of 60 keys typed in a word (BENCHMARKS.md §5). */
const IDLE_MS = 500;

export function mount(panel, app) {
  const grid = el('div', { class: 'compare-grid', 'data-testid': 'compare' });
  const add = el('button', { type: 'button', class: 'ghost', text: '+ Add a column' });
  panel.append(
    el('div', { class: 'panel-head' },
      el('p', { class: 'hint', text: 'The same text, several tokenizers. Fewer tokens means cheaper and longer context.' }),
      add),
    grid,
  );
  const columns = [];
  let lane = 0;

  function addColumn(name) {
    const select = el('select', { 'aria-label': 'tokenizer for this column' });
    const count = el('b', { 'data-testid': 'token-count', text: '–' });
    const bpt = el('span', { class: 'bpt', text: '' });
    const remove = el('button', { type: 'button', class: 'icon', 'aria-label': 'remove this column', text: '×' });
    const status = el('span', { class: 'status', hidden: true });
    const body = el('div', { class: 'column-chips' });
    const col = el('div', { class: 'column', 'data-tokenizer': name },
      el('div', { class: 'column-head' }, select, remove),
      el('div', { class: 'column-stats' }, count, ' tokens · ', bpt, status),
      body);
    const column = { col, select, count, bpt, status, name, lane: `compare-${lane++}` };
    column.view = new TokensView(body, {
      label: `tokens of ${name}`,
      onToken: (d, chip) => {
        app.showDetails(d);
        app.highlight(column.view.index, d.start, d.end, chip === document.activeElement);
      },
      onLeave: () => {
        app.hideDetails();
        app.clearHighlight();
      },
    });
    app.fillSelect(select, name);
    select.addEventListener('change', () => {
      column.name = select.value;
      col.dataset.tokenizer = select.value;
      update(column);
    });
    remove.addEventListener('click', () => {
      if (columns.length <= 1) return;
      columns.splice(columns.indexOf(column), 1);
      col.remove();
      sync();
    });
    columns.push(column);
    grid.append(col);
    sync();
    update(column);
  }

  function sync() {
    add.disabled = columns.length >= MAX_COLUMNS;
    for (const c of columns) c.col.querySelector('button.icon').disabled = columns.length <= 1;
  }

  async function update(column) {
    if (app.state.tab !== 'compare') return;
    const name = column.name;
    if (!app.isLoaded(name)) {
      column.status.textContent = ` · loading ${name}…`;
      column.status.hidden = false;
      column.col.setAttribute('aria-busy', 'true');
    }
    let r;
    try {
      r = await app.encode(column.lane, name);
    } catch (e) {
      column.status.hidden = true;
      // A failed load is keyed by name, so another column's success keeps it.
      if (app.isLoaded(name)) app.errors.show('compare', e);
      else app.errors.show(`load ${name}`, e, () => app.retry());
      return;
    }
    if (!r || r.name !== column.name) return;
    // (Written only when changed: a write of the same value still has the
    // browser restyle the column.)
    if (!column.status.hidden) column.status.hidden = true;
    if (column.col.getAttribute('aria-busy') !== 'false') column.col.setAttribute('aria-busy', 'false');
    app.errors.clear('compare');
    app.errors.clear(`load ${name}`);
    const n = r.enc.ids.length;
    column.view.render({
      index: r.index,
      enc: r.enc,
      specials: app.specials(name),
      whitespace: app.state.whitespace,
      key: `${name}|${r.allowed}|${app.state.whitespace}`,
    });
    setText(column.count, String(n));
    setText(column.bpt, n ? `${(r.index.bytes.length / n).toFixed(2)} bytes/token` : '– bytes/token');
    const title = `${formatNumber(n)} tokens`;
    if (column.col.title !== title) column.col.title = title;
  }

  const updateAll = () => columns.forEach(update);
  add.addEventListener('click', () => {
    const used = new Set(columns.map((c) => c.name));
    addColumn(app.names().find((n) => !used.has(n)) ?? 'cl100k_base');
  });
  // The main panel is redrawn at every keystroke; the columns follow when
  // the text has not changed for IDLE_MS, so that while someone types they
  // never compete with it for the worker or the main thread.
  let idle = 0;
  app.on('text', () => {
    clearTimeout(idle);
    idle = setTimeout(updateAll, IDLE_MS);
  });
  app.on('settings', (changes) => {
    if ('allowed' in changes || 'whitespace' in changes) updateAll();
  });
  app.on('tab', (tab) => tab === 'compare' && updateAll());
  app.on('tokenizers', () => {
    for (const c of columns) app.fillSelect(c.select, c.name);
    // A new vocabulary (trained or loaded) takes the first column: toy vs the rest.
    const toy = [...app.tokenizers.values()].filter((t) => t.toy).pop();
    // (Saved vocabularies may arrive before the columns exist.)
    if (toy && columns.length && !columns.some((c) => c.name === toy.name)) {
      const first = columns[0];
      first.select.value = toy.name;
      first.select.dispatchEvent(new Event('change'));
    }
  });
  // Columns start after the main tokenizer is ready, so it loads first.
  app.ensure(app.state.tokenizer).catch(() => {}).finally(() => {
    DEFAULT_COLUMNS.forEach(addColumn);
  });
}
