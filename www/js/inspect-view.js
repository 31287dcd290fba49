// Inspect: click any token chip (Tokens, Compare, Merges) or type an id to
// see the token's merge tree down to single bytes, its rank and where it
// occurs in the text (with the tokenizer that drew the chip).

import { el, byTestId } from './dom.js';
import { formatNumber, hue } from './format.js';

const MAX_OCCURRENCES = 40;

export function mount(panel, app) {
  panel.replaceChildren();
  const idInput = el('input', { type: 'number', min: 0, step: 1, 'data-testid': 'inspect-id', 'aria-label': 'token id to inspect', placeholder: 'token id' });
  const go = el('button', { type: 'submit', class: 'ghost', text: 'Inspect', 'data-testid': 'inspect-go' });
  const which = el('span', { class: 'hint', 'data-testid': 'inspect-tokenizer' });
  const summary = el('div', { class: 'inspect-summary', 'data-testid': 'inspect-summary' });
  const tree = el('div', { class: 'merge-tree', 'data-testid': 'merge-tree', role: 'tree', 'aria-label': 'merge tree' });
  const occ = el('div', { class: 'occ-list', 'data-testid': 'inspect-occurrences' });
  const empty = el('p', { class: 'placeholder', text: 'Click a token in Tokens, Compare or Merges (or type an id above) to see how BPE built it, merge by merge.' });
  panel.append(
    el('div', { class: 'panel-head' },
      el('p', { class: 'hint', text: 'How a token was built: each node is the merge of its two children; the leaves are bytes.' }),
      which,
      el('form', { class: 'inline-form', onsubmit: (e) => (e.preventDefault(), inspect(app.state.tokenizer, Number(idInput.value))) }, idInput, go)),
    empty,
    summary,
    el('div', { class: 'tree-scroll' }, tree),
    el('h3', { class: 'sub', text: 'Where it occurs in your text' }),
    occ,
  );

  let seq = 0;
  let shown = null; // {name, id}

  function chipFor(node) {
    const chip = el('span', { class: node.special ? 'chip special' : 'chip', text: node.label || ' ' });
    if (!node.special) chip.style.setProperty('--h', hue(node.id));
    return chip;
  }

  function drawNode(node, depth) {
    const kids = node.children.length ? el('div', { class: 't-kids', role: 'group' }, ...node.children.map((c) => drawNode(c, depth + 1))) : null;
    const meta = node.children.length ? `id ${node.id} · rank ${node.rank ?? '–'}` : `byte ${node.hex}`;
    return el('div', { class: `t-node${kids ? '' : ' leaf'}`, role: 'treeitem', 'aria-level': depth, 'aria-label': `${node.label} ${meta}`, 'data-token-id': node.id },
      el('div', { class: 't-label' }, chipFor(node), el('span', { class: 't-meta', text: meta })),
      kids);
  }

  async function inspect(name, id) {
    if (!Number.isInteger(id) || id < 0) {
      app.errors.show('inspect', new Error('a token id is a whole number ≥ 0'));
      return;
    }
    const my = ++seq;
    shown = { name, id };
    idInput.value = String(id);
    try {
      await app.ensure(name);
      const t = await app.client.call('tree', { name, id });
      if (my !== seq) return;
      app.errors.clear('inspect');
      empty.hidden = true;
      const bytes = t.hex ? t.hex.split(' ').length : 0;
      summary.replaceChildren(
        chipFor(t),
        el('span', {}, 'id ', el('b', { text: String(t.id) })),
        el('span', {}, 'rank ', el('b', { 'data-testid': 'inspect-rank', text: t.rank == null ? '–' : String(t.rank) })),
        el('span', {}, el('b', { text: String(bytes) }), ` byte${bytes === 1 ? '' : 's'}: `, el('code', { text: t.hex })),
        ...(t.special ? [el('span', { class: 'd-kind', text: 'special token (never merged)' })] : []),
      );
      // (The tokenizer's name changes with the tree it names: not while
      // the last token's tree is still shown.)
      which.textContent = `with ${name}`;
      tree.replaceChildren(drawNode(t, 1));
      await occurrences(name, id, my);
    } catch (e) {
      if (my === seq) app.errors.show('inspect', e);
    }
  }

  async function occurrences(name, id, my) {
    const r = await app.encode('inspect', name);
    if (!r || my !== seq) return;
    const { enc, index } = r;
    const ranges = [];
    for (let i = 0; i < enc.ids.length; i++) if (enc.ids[i] === id) ranges.push([enc.starts[i], enc.ends[i]]);
    const items = ranges.slice(0, MAX_OCCURRENCES).map(([s, e]) => {
      const [a, b] = index.utf16Range(s, e);
      const before = index.text.slice(Math.max(0, a - 18), a).replace(/\s+/g, ' ');
      const after = index.text.slice(b, b + 18).replace(/\s+/g, ' ');
      const item = el('button', { type: 'button', class: 'occ', title: `bytes ${s}–${e}` },
        el('span', { class: 'ctx', text: `…${before}` }), el('mark', { text: index.text.slice(a, b) || ' ' }), el('span', { class: 'ctx', text: `${after}…` }));
      item.addEventListener('mouseenter', () => app.highlight(index, s, e, false));
      item.addEventListener('focus', () => app.highlight(index, s, e, false));
      item.addEventListener('click', () => app.highlight(index, s, e, true));
      return item;
    });
    occ.replaceChildren(
      el('p', { class: 'hint' }, el('b', { 'data-testid': 'inspect-count', text: formatNumber(ranges.length) }),
        ` occurrence${ranges.length === 1 ? '' : 's'} as a token`, ranges.length > MAX_OCCURRENCES ? ` (first ${MAX_OCCURRENCES} listed)` : ''),
      ...items,
    );
    if (ranges.length) app.highlightAll?.(index, ranges);
  }

  // Any chip with a tokenizer around it: click or Enter inspects it.
  function fromChip(target) {
    const chip = target.closest?.('.chip[data-token-id]');
    if (!chip || panel.contains(chip)) return false;
    const host = chip.closest('[data-tokenizer]');
    if (!host) return false;
    const id = Number(chip.dataset.tokenId);
    const name = host.dataset.tokenizer;
    if (app.state.tab !== 'inspect') byTestId('tab-inspect').click();
    inspect(name, id);
    return true;
  }
  document.addEventListener('click', (e) => fromChip(e.target));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && fromChip(e.target)) e.preventDefault();
  });

  app.on('tab', (tab) => {
    if (tab === 'inspect' && shown?.stale) inspect(shown.name, shown.id);
  });
  app.on('text', () => {
    if (shown && app.state.tab === 'inspect') occurrences(shown.name, shown.id, seq);
    else if (shown) shown.stale = true;
  });
}
