// Decode: a JSON list of ids → text, with the selected tokenizer. A
// malformed list or an unknown id is reported in the error area; the last
// good output stays.

import { el } from './dom.js';
import { hue, segments, segmentsLabel } from './format.js';

/** Parses "[1, 2, 3]" (a JSON list of token ids) or throws a clear Error. */
export function parseIds(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('expected a JSON list of token ids, like [9906, 11, 1917]; this is not valid JSON');
  }
  if (!Array.isArray(value)) throw new Error('expected a JSON list of token ids, like [9906, 11, 1917]');
  const bad = value.findIndex((x) => !Number.isInteger(x) || x < 0 || x > 0xffffffff);
  if (bad >= 0) throw new Error(`item ${bad + 1} of the list (${JSON.stringify(value[bad])}) is not a token id`);
  return value;
}

export function mount(panel, app) {
  const input = el('textarea', {
    'data-testid': 'decode-input',
    class: 'decode-input',
    rows: 3,
    spellcheck: 'false',
    placeholder: '[9906, 11, 1917, 0]',
    'aria-label': 'token ids to decode, as a JSON list',
  });
  const use = el('button', { type: 'button', class: 'ghost', text: 'Use the ids of the text above' });
  const which = el('span', { class: 'hint' });
  const output = el('pre', { 'data-testid': 'decode-output', class: 'decode-output', 'aria-live': 'polite' });
  const chips = el('div', { 'data-testid': 'decode-tokens', class: 'chips decoded' });
  panel.append(
    el('div', { class: 'panel-head' }, el('label', { class: 'hint', text: 'Token ids (JSON list)' }), which, use),
    input,
    el('h3', { class: 'sub', text: 'Text' }),
    output,
    el('h3', { class: 'sub', text: 'Tokens' }),
    chips,
  );

  let timer = 0;
  let seq = 0;

  async function decode() {
    const name = app.state.tokenizer;
    which.textContent = `decoding with ${name}`;
    const text = input.value.trim();
    const my = ++seq;
    if (!text) {
      app.errors.clear('decode');
      return;
    }
    try {
      const ids = parseIds(text);
      await app.ensure(name);
      const r = await app.client.call('decode', { name, ids });
      if (my !== seq) return;
      app.errors.clear('decode');
      output.textContent = r.text;
      const specials = app.specials(name);
      const nodes = [];
      let at = 0;
      ids.slice(0, 5000).forEach((id, i) => {
        const end = r.ends[i];
        const chip = el('span', { class: specials.has(id) ? 'chip special' : 'chip', 'data-token-id': id });
        chip.textContent = segmentsLabel(segments(r.bytes, at, end), false);
        chip.style.setProperty('--h', hue(id));
        nodes.push(chip);
        at = end;
      });
      chips.replaceChildren(...nodes);
    } catch (e) {
      if (my === seq) app.errors.show('decode', e);
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(decode, 120);
  });
  use.addEventListener('click', () => {
    const ids = document.querySelector('[data-testid="token-ids"]').textContent;
    input.value = ids;
    decode();
  });
  app.on('settings', (changes) => 'tokenizer' in changes && decode());
  app.on('tab', (tab) => tab === 'decode' && (which.textContent = `decoding with ${app.state.tokenizer}`));
}
