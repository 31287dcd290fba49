// Chunks: step one of tokenization on its own. The split pattern of the
// selected tokenizer cuts the text into chunks; BPE merges never cross a
// chunk boundary. Whitespace is always shown, since it decides the split.

import { el } from './dom.js';
import { formatNumber, showWhitespace } from './format.js';

const MAX_CHUNKS = 20000;

export function mount(panel, app) {
  panel.replaceChildren();
  const patternName = el('b', { 'data-testid': 'chunks-pattern-name' });
  const regex = el('code', { class: 'chunk-regex', 'data-testid': 'chunks-pattern' });
  const count = el('b', { 'data-testid': 'chunk-count', text: '–' });
  const list = el('div', { class: 'chunks', 'data-testid': 'chunks', role: 'list', 'aria-label': 'pre-tokenization chunks' });
  panel.append(
    el('div', { class: 'panel-head' },
      el('p', { class: 'hint', text: 'Step 1, the split: a regex cuts the text into chunks. Step 2, BPE merges bytes inside each chunk, never across.' })),
    el('p', { class: 'chunk-head' }, el('span', {}, 'Pattern ', patternName), el('span', {}, count, ' chunks')),
    regex,
    el('div', { class: 'chunks-scroll' }, list),
  );

  let seq = 0;
  async function update() {
    if (app.state.tab !== 'chunks') return;
    const name = app.state.tokenizer;
    const my = ++seq;
    const index = app.index;
    try {
      const info = await app.ensure(name);
      const flat = await app.client.latest('chunks', 'chunks', { name, text: index.text });
      if (!flat || my !== seq) return;
      app.errors.clear('chunks');
      patternName.textContent = `${info.patternName} (${name})`;
      regex.textContent = info.patternRegex || '(no split: the whole text is one chunk)';
      const n = flat.length / 2;
      count.textContent = formatNumber(n);
      const u16 = index.u16;
      const frag = document.createDocumentFragment();
      for (let i = 0; i < Math.min(n, MAX_CHUNKS); i++) {
        const text = index.text.slice(u16[flat[2 * i]], u16[flat[2 * i + 1]]);
        const chunk = el('span', { class: `chunk c${i % 4}`, role: 'listitem', title: `chunk ${i + 1}: bytes ${flat[2 * i]}–${flat[2 * i + 1]}` });
        chunk.textContent = showWhitespace(text);
        frag.append(chunk);
      }
      if (n > MAX_CHUNKS) frag.append(el('span', { class: 'more', text: `… ${formatNumber(n - MAX_CHUNKS)} more chunks not drawn` }));
      list.replaceChildren(frag);
    } catch (e) {
      if (my === seq) app.errors.show('chunks', e);
    }
  }

  app.on('tab', (tab) => tab === 'chunks' && update());
  app.on('text', update);
  app.on('settings', (changes) => 'tokenizer' in changes && update());
  app.on('tokenizers', update);
}
