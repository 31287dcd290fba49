// The teaching features in a real browser: training (equal to minbpe's
// reference files, byte for byte), progress and cancel, validation, the merge
// timeline and table, the inspector, chunks, download/load, lecture mode,
// share links and persistence. Screenshots go to tests/artifacts/teach-*.png.
// (Tests may read ../shared; the page never does.)

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, openPage, screenshot, ROOT } from './harness.mjs';

const SHARED = path.resolve(ROOT, '../shared');
const TAYLOR = readFileSync(path.join(SHARED, 'corpus/taylorswift.txt'));
const SHAKESPEARE = readFileSync(path.join(SHARED, 'corpus/tinyshakespeare.txt'));
const REF = (kind, ext) => readFileSync(path.join(SHARED, `reference/minbpe/taylorswift-${kind}-512.${ext}`));

let server;
let browser;
let context;
let page;
const pageErrors = [];

const open = (ctx = context) => openPage(ctx, server.url, pageErrors);

async function trainState(p) {
  return p.getByTestId('train-progress').getAttribute('data-state');
}

/** Sets the settings and trains; resolves when done. */
async function train(p, { vocab = 512, pattern = 'gpt4' } = {}) {
  await p.getByTestId('tab-train').click();
  await p.getByTestId('vocab-size').fill(String(vocab));
  await p.getByTestId('pattern-select').selectOption(pattern);
  await p.getByTestId('train-button').click();
  await p.waitForFunction(() => {
    const s = document.querySelector('[data-testid="train-progress"]').dataset.state;
    return s === 'done' || s === 'failed';
  }, null, { timeout: 30000 });
  assert.equal(await trainState(p), 'done', await p.getByTestId('error').textContent());
}

async function download(p, testid) {
  await p.getByTestId('tab-train').click();
  const [dl] = await Promise.all([p.waitForEvent('download'), p.getByTestId(testid).click()]);
  const file = await dl.path();
  return { name: dl.suggestedFilename(), bytes: readFileSync(file) };
}

async function dropFile(p, selector, name, bytes) {
  await p.evaluate(
    ([sel, n, b64]) => {
      const bin = atob(b64);
      const data = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], n));
      const target = document.querySelector(sel);
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    [selector, name, bytes.toString('base64')],
  );
}

describe('teaching BPE', () => {
  before(async () => {
    server = await startServer();
    browser = await launch();
    context = await browser.newContext({ acceptDownloads: true });
    page = await open();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('trains vocabularies equal to minbpe (basic, gpt2, gpt4 at 512) from a pasted, uploaded and dropped corpus', async () => {
    await page.getByTestId('tab-train').click();
    // none: pasted into the corpus box.
    await page.getByTestId('train-corpus').fill(TAYLOR.toString('utf8'));
    await train(page, { pattern: 'none' });
    assert.equal(await page.getByTestId('tokenizer-select').inputValue(), 'toy-512-none');
    let got = await download(page, 'download-model');
    assert.equal(got.name, 'toy-512-none.model');
    assert.ok(got.bytes.equals(REF('basic', 'model')), 'basic .model differs from minbpe');
    // gpt2: uploaded as a file (raw bytes).
    await page.getByTestId('train-file').setInputFiles({ name: 'taylorswift.txt', mimeType: 'text/plain', buffer: TAYLOR });
    await page.waitForSelector('[data-testid="corpus-file"]:not([hidden])');
    await train(page, { pattern: 'gpt2' });
    got = await download(page, 'download-model');
    assert.ok(got.bytes.equals(REF('gpt2', 'model')), 'gpt2 .model differs from minbpe');
    // gpt4: dropped onto the corpus area.
    await dropFile(page, '.drop-zone', 'taylorswift.txt', TAYLOR);
    await page.waitForFunction(() => document.querySelector('[data-testid="corpus-file"] b').textContent.startsWith('taylorswift.txt'));
    await train(page, { pattern: 'gpt4' });
    got = await download(page, 'download-model');
    assert.ok(got.bytes.equals(REF('gpt4', 'model')), 'gpt4 .model differs from minbpe');
    const vocab = await download(page, 'download-vocab');
    assert.ok(vocab.bytes.equals(REF('gpt4', 'vocab')), 'gpt4 .vocab differs from minbpe');
    const tk = await download(page, 'download-tiktoken');
    assert.match(tk.bytes.toString('utf8').split('\n')[256], /^\S+ 256$/);
    const hf = JSON.parse((await download(page, 'download-tokenizer-json')).bytes.toString('utf8'));
    assert.equal(hf.model.type, 'BPE');
    // In the picker and the compare view at once.
    const options = await page.$$eval('[data-testid="tokenizer-select"] option', (os) => os.map((o) => o.value));
    for (const n of ['toy-512-none', 'toy-512-gpt2', 'toy-512-gpt4']) assert.ok(options.includes(n), n);
    await page.getByTestId('tab-compare').click();
    await page.waitForSelector('.column[data-tokenizer="toy-512-gpt4"] .chip');
    await page.getByTestId('tab-train').click();
    await screenshot(page, 'teach-train');
  });

  it('validates the vocab size and a custom regex with the engine\'s message', async () => {
    await page.getByTestId('tab-train').click();
    for (const bad of ['100', '70000', '300.5']) {
      await page.getByTestId('vocab-size').fill(bad);
      await page.waitForSelector('[data-testid="vocab-error"]:not([hidden])');
      assert.match(await page.getByTestId('vocab-error').textContent(), /256.*65,536/);
      assert.ok(await page.getByTestId('train-button').isDisabled());
    }
    await page.getByTestId('vocab-size').fill('300');
    await page.waitForSelector('[data-testid="vocab-error"]', { state: 'hidden' });
    await page.getByTestId('pattern-select').selectOption('custom');
    await page.getByTestId('custom-pattern').fill('(\\w+');
    await page.waitForFunction(() => document.querySelector('[data-testid="pattern-error"]').textContent.includes('invalid split pattern'));
    assert.ok(await page.getByTestId('pattern-error').isVisible());
    assert.ok(await page.getByTestId('train-button').isDisabled());
    await page.getByTestId('custom-pattern').fill('\\w+|\\s+|[^\\w\\s]+');
    await page.waitForSelector('[data-testid="pattern-error"]', { state: 'hidden' });
    assert.ok(!(await page.getByTestId('train-button').isDisabled()));
    await page.getByTestId('pattern-select').selectOption('gpt4');
  });

  it('shows progress, keeps the page responsive and cancels within 100 ms', async () => {
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-file').setInputFiles({ name: 'shakespeare.txt', mimeType: 'text/plain', buffer: SHAKESPEARE });
    await page.getByTestId('vocab-size').fill('30000');
    await page.getByTestId('pattern-select').selectOption('none');
    await page.getByTestId('train-button').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="train-progress"]').value) > 20, null, { timeout: 30000 });
    assert.match(await page.getByTestId('train-stats').textContent(), /\/ 29,744 merges · [\d,]+ merges\/s · about .* left/);
    // The page answers while training: typing updates the main token count.
    await page.getByTestId('input').fill('responsive while training');
    await page.waitForFunction(() => document.querySelector('[data-testid="token-count"]').textContent !== '–');
    await screenshot(page, 'teach-training');
    await page.getByTestId('train-cancel').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="train-progress"]').dataset.state === 'cancelled');
    const ms = Number(await page.getByTestId('train-progress').getAttribute('data-cancel-ms'));
    assert.ok(ms < 100, `cancel took ${ms} ms`);
    assert.ok(!(await page.$('[data-testid="tokenizer-select"] option[value="toy-30000-none"]')));
    assert.equal(await page.getByTestId('tokenizer-select').inputValue(), 'toy-512-gpt4');
  });

  it('replays merges: table as minbpe renders it, search, highlight, slider, step, play, chart', async () => {
    await page.getByTestId('input').fill(TAYLOR.toString('utf8').slice(0, 3000));
    await page.getByTestId('tokenizer-select').selectOption('toy-512-gpt4');
    await page.getByTestId('tab-merges').click();
    await page.waitForSelector('[data-testid="merge-table"] tbody tr');
    const refLines = REF('gpt4', 'vocab').toString('utf8').split('\n').slice(256, 276).map((l) => l.replace(/ \d+$/, ''));
    const rows = await page.$$eval('[data-testid="merge-table"] tbody tr', (trs) => trs.slice(0, 20).map((tr) => tr.querySelector('td:nth-child(2)').textContent));
    assert.deepEqual(rows, refLines);
    const counts = await page.$$eval('[data-testid="merge-table"] tbody tr td:nth-child(4)', (tds) => tds.slice(0, 3).map((t) => Number(t.textContent.replace(/,/g, ''))));
    assert.ok(counts[0] >= counts[1] && counts[1] >= counts[2] && counts[2] > 0, `counts ${counts}`);
    const slider = page.getByTestId('merge-slider');
    assert.equal(await slider.getAttribute('max'), '256');
    assert.equal(await slider.inputValue(), '256');
    // Search.
    await page.getByTestId('merge-search').fill(' the');
    await page.waitForFunction(() => document.querySelector('[data-testid="merge-table-info"]').textContent.includes('match'));
    const found = await page.$$eval('[data-testid="merge-table"] tbody tr', (trs) => trs.map((tr) => tr.dataset.vocab));
    assert.ok(found.length > 0 && found.every((v) => v.toLowerCase().includes(' the')), found.join('|'));
    // Clicking a merge jumps to it and highlights its token.
    const first = page.locator('[data-testid="merge-table"] tbody tr').first();
    const rank = Number(await first.getAttribute('data-rank'));
    const id = await first.getAttribute('data-id');
    await first.locator('button').click();
    await page.waitForFunction((k) => document.querySelector('[data-testid="merge-slider"]').value === String(k), rank + 1);
    await page.waitForSelector(`[data-testid="merge-tokens"] .chip.hit[data-token-id="${id}"]`);
    const hits = await page.$$eval('[data-testid="merge-tokens"] .chip.hit', (cs) => cs.length);
    assert.match(await page.getByTestId('merge-occurrences').textContent(), new RegExp(`^${hits} occurrence`));
    assert.ok((await page.$$('.backdrop mark')).length === hits);
    await screenshot(page, 'teach-merges');
    await page.getByTestId('theme-toggle').click();
    await page.getByTestId('theme-toggle').click();
    await screenshot(page, 'teach-merges-dark');
    await page.getByTestId('theme-toggle').click();
    // k = 0: one token per byte; step forward; play moves on.
    await slider.fill('0');
    const bytes = Buffer.byteLength(TAYLOR.toString('utf8').slice(0, 3000));
    await page.waitForFunction((n) => document.querySelector('[data-testid="merge-token-count"]')?.textContent === n.toLocaleString('en-US'), bytes);
    await page.getByTestId('merge-step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="merge-k"]').textContent.startsWith('k = 1 '));
    await page.getByTestId('merge-play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="merge-slider"]').value) >= 10);
    await page.getByTestId('merge-play').click();
    // The chart: two series with one point per sampled k.
    const series = await page.$$eval('[data-testid="merge-chart"] polyline', (ls) => ls.map((l) => l.getAttribute('points').split(' ').length));
    assert.equal(series.length, 2);
    assert.ok(series[0] >= 40, `points ${series[0]}`);
  });

  it('inspects toy and pretrained tokens: merge tree down to bytes, rank, occurrences', async () => {
    await page.getByTestId('input').fill('the theory of the thermal theme');
    await page.getByTestId('tab-compare').click();
    await page.waitForSelector('[data-testid="tokens"][data-tokenizer="toy-512-gpt4"] .chip');
    const chip = page.locator('[data-testid="tokens"] .chip').filter({ hasText: /^ the$/ }).first();
    const id = await chip.getAttribute('data-token-id');
    await chip.click();
    await page.waitForSelector(`[data-testid="merge-tree"] > .t-node[data-token-id="${id}"]`);
    assert.equal(await page.getByTestId('tab-inspect').getAttribute('aria-selected'), 'true');
    const leaves = await page.$$eval('[data-testid="merge-tree"] .t-node.leaf', (ls) => ls.length);
    assert.equal(leaves, 4);
    assert.equal(await page.getByTestId('inspect-rank').textContent(), id);
    await page.waitForFunction(() => document.querySelector('[data-testid="inspect-count"]'));
    assert.ok(Number(await page.getByTestId('inspect-count').textContent()) >= 3);
    await screenshot(page, 'teach-inspect');
    // A pretrained token.
    await page.getByTestId('tokenizer-select').selectOption('cl100k_base');
    await page.waitForSelector('[data-testid="tokens"][data-tokenizer="cl100k_base"] .chip');
    const theory = page.locator('[data-testid="tokens"] .chip').filter({ hasText: /^ theory$/ }).first();
    const theoryId = await theory.getAttribute('data-token-id');
    await theory.click();
    await page.waitForFunction(() => document.querySelector('[data-testid="inspect-tokenizer"]').textContent.includes('cl100k_base'));
    // The name and the tree change together: the tree is the new token's.
    assert.equal(await page.getAttribute('[data-testid="merge-tree"] > .t-node', 'data-token-id'), theoryId);
    assert.equal(await page.$$eval('[data-testid="merge-tree"] .t-node.leaf', (ls) => ls.length), 7);
  });

  it('shows the chunks of the split pattern', async () => {
    await page.getByTestId('input').fill("Hello world, it's 12345!");
    await page.getByTestId('tab-chunks').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="chunk-count"]').textContent === '9');
    const chunks = await page.$$eval('[data-testid="chunks"] .chunk', (cs) => cs.map((c) => c.textContent));
    assert.deepEqual(chunks, ['Hello', '·world', ',', '·it', "'s", '·', '123', '45', '!']);
    await page.getByTestId('tokenizer-select').selectOption('toy-512-none');
    await page.waitForFunction(() => document.querySelector('[data-testid="chunk-count"]').textContent === '1');
    await screenshot(page, 'teach-chunks');
  });

  it('loads a .model file; a broken file names the line and keeps the tokenizer', async () => {
    await page.getByTestId('tab-train').click();
    await page.getByTestId('load-model').setInputFiles({ name: 'ref-gpt2.model', mimeType: 'text/plain', buffer: REF('gpt2', 'model') });
    await page.waitForFunction(() => document.querySelector('[data-testid="tokenizer-select"]').value === 'ref-gpt2');
    const before = await page.getByTestId('tokenizer-select').inputValue();
    await page.getByTestId('load-model').setInputFiles({ name: 'broken.model', mimeType: 'text/plain', buffer: Buffer.from('minbpe v1\n\n0\n101 114\nnot a merge\n') });
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    const msg = await page.getByTestId('error').textContent();
    assert.match(msg, /broken\.model: .*line 5/);
    assert.equal(await page.getByTestId('tokenizer-select').inputValue(), before);
    await page.locator('[data-testid="error"] button').first().click();
    // A .tiktoken round trip of the toy.
    await page.getByTestId('tokenizer-select').selectOption('toy-512-gpt4');
    const tk = await download(page, 'download-tiktoken');
    await page.getByTestId('load-model').setInputFiles({ name: 'again.tiktoken', mimeType: 'text/plain', buffer: tk.bytes });
    await page.waitForFunction(() => document.querySelector('[data-testid="tokenizer-select"]').value === 'again');
  });

  it('renders token text inertly', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    await page.getByTestId('tab-train').click();
    if (await page.getByTestId('corpus-file').isVisible()) await page.getByTestId('corpus-file').locator('button').click();
    await page.getByTestId('train-corpus').fill(`${evil} `.repeat(60));
    await train(page, { vocab: 300, pattern: 'none' });
    await page.getByTestId('input').fill(evil);
    await page.getByTestId('tab-merges').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="merge-table"] tr')].some((tr) => /<img src=x on/.test(tr.dataset.vocab ?? '')));
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="tokens"] .chip')].some((c) => /<img src=x on/.test(c.textContent)));
    await screenshot(page, 'teach-inert');
    assert.equal(await page.$$eval('img', (is) => is.length), 0);
    assert.ok(!pageErrors.some((e) => e.startsWith('dialog')), pageErrors.join('\n'));
  });

  it('lecture mode: L toggles, large chips, arrows step merges, space plays', async () => {
    await page.getByTestId('input').fill(TAYLOR.toString('utf8').slice(0, 1500));
    await page.getByTestId('tokenizer-select').selectOption('toy-512-gpt4');
    await page.getByTestId('tab-merges').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="merge-slider"]').max === '256');
    await page.locator('h1').click();
    await page.keyboard.press('l');
    assert.ok(await page.evaluate(() => document.body.classList.contains('lecture')));
    try {
      await page.getByTestId('merge-first').click();
      await page.locator('h1').click();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => document.querySelector('[data-testid="merge-slider"]').value === '2');
      await page.keyboard.press('ArrowLeft');
      await page.waitForFunction(() => document.querySelector('[data-testid="merge-slider"]').value === '1');
      // The step re-renders the chips: read a chip that is on the page (one
      // being replaced has no computed style).
      const size = await (await page.waitForFunction(() => {
        const c = document.querySelector('[data-testid="merge-tokens"] .chip');
        const px = c?.isConnected ? parseFloat(getComputedStyle(c).fontSize) : NaN;
        return px > 0 ? px : null;
      })).jsonValue();
      assert.ok(size >= 24, `chip font ${size}px`);
      await page.keyboard.press(' ');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="merge-slider"]').value) >= 8);
      await page.keyboard.press(' ');
      await screenshot(page, 'teach-lecture');
    } finally {
      // Leave lecture mode even when a step failed: the tests after this
      // one need the normal layout (lecture mode hides the input).
      await page.locator('h1').click();
      await page.keyboard.press('l');
    }
    assert.ok(!(await page.evaluate(() => document.body.classList.contains('lecture'))));
  });

  it('share links reproduce the view and retrain a small toy; bad links are refused', async () => {
    await page.getByTestId('tab-train').click();
    await page.getByTestId('corpus-sample').click();
    await page.getByTestId('special-tokens').fill('<|endoftext|> <|fim|>');
    await train(page, { vocab: 320, pattern: 'gpt2' });
    await page.getByTestId('special-tokens').fill('');
    await page.getByTestId('input').fill('Shared text: First Citizen speaks.');
    await page.getByTestId('whitespace-toggle').click();
    await page.getByTestId('tab-merges').click();
    await page.getByTestId('share-button').click();
    const link = await page.getByTestId('share-link').inputValue();
    assert.match(link, /#s=[A-Za-z0-9_-]+$/);
    const fresh = await browser.newContext();
    const p2 = await fresh.newPage({ viewport: { width: 1360, height: 1000 } });
    await p2.goto(link);
    await p2.waitForFunction(() => document.querySelector('[data-testid="tokenizer-select"]').value === 'toy-320-gpt2', null, { timeout: 20000 });
    assert.equal(await p2.getByTestId('input').inputValue(), 'Shared text: First Citizen speaks.');
    assert.equal(await p2.getByTestId('whitespace-toggle').getAttribute('aria-pressed'), 'true');
    await p2.waitForFunction(() => document.querySelector('[data-testid="tab-merges"]').getAttribute('aria-selected') === 'true');
    const m1 = await download(page, 'download-model');
    const m2 = await download(p2, 'download-model');
    assert.ok(m1.bytes.equals(m2.bytes), 'the shared toy retrains to the same model');
    assert.deepEqual(m1.bytes.toString('utf8').split('\n').slice(2, 5), ['2', '<|endoftext|> 320', '<|fim|> 321']);
    // A tampered link: refused with a message, nothing applied.
    const bad = `${server.url}#s=${Buffer.from(JSON.stringify({ v: 1, text: 'x', tokenizer: 'cl100k_base', view: 'both', whitespace: false, special: false, tab: 'compare', evil: '<script>' })).toString('base64url')}`;
    const p3 = await fresh.newPage();
    await p3.goto(bad);
    await p3.waitForSelector('[data-testid="error"]:not([hidden])');
    assert.match(await p3.getByTestId('error').textContent(), /share link is not valid.*unknown field/);
    assert.notEqual(await p3.getByTestId('input').inputValue(), 'x');
    await fresh.close();
  });

  it('keeps text, settings and vocabularies across a reload; Clear wipes them; storage errors are visible, not fatal', async () => {
    await page.getByTestId('input').fill('persist me');
    await page.getByTestId('tokenizer-select').selectOption('toy-512-gpt2');
    await page.waitForTimeout(500);
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid="tokenizer-select"]').value === 'toy-512-gpt2', null, { timeout: 20000 });
    assert.equal(await page.getByTestId('input').inputValue(), 'persist me');
    const m = await download(page, 'download-model');
    assert.ok(m.bytes.equals(REF('gpt2', 'model')));
    await page.getByTestId('tab-train').click();
    await screenshot(page, 'teach-persist');
    await page.getByTestId('clear-storage').click();
    await page.reload();
    await page.waitForSelector('[data-testid="tokens"] .chip');
    assert.notEqual(await page.getByTestId('input').inputValue(), 'persist me');
    assert.ok(!(await page.$('[data-testid="tokenizer-select"] option[value="toy-512-gpt2"]')));
    // Full storage: a visible message, the page still works.
    const full = await browser.newContext();
    await full.addInitScript(() => {
      Storage.prototype.setItem = function (key) {
        if (key === 'bpe-playground:v1') throw new DOMException('quota', 'QuotaExceededError');
      };
    });
    const p4 = await full.newPage();
    await p4.goto(server.url);
    await p4.getByTestId('input').fill('still works');
    await p4.waitForSelector('[data-testid="error"]:not([hidden])');
    assert.match(await p4.getByTestId('error').textContent(), /storage is full/);
    await p4.waitForFunction(() => document.querySelector('[data-testid="token-count"]').textContent === '2');
    await full.close();
    // Disabled storage (access throws): a visible message, the page still works.
    const denied = await browser.newContext();
    await denied.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('denied', 'SecurityError'); } });
    });
    const p5 = await denied.newPage();
    const p5errors = [];
    p5.on('pageerror', (e) => p5errors.push(e.message));
    await p5.goto(server.url);
    await p5.getByTestId('input').fill('still works');
    await p5.waitForSelector('[data-testid="error"]:not([hidden])');
    assert.match(await p5.getByTestId('error').textContent(), /storage is disabled/);
    await p5.waitForFunction(() => document.querySelector('[data-testid="token-count"]').textContent === '2');
    assert.deepEqual(p5errors, []);
    await denied.close();
    assert.deepEqual(pageErrors, []);
  });
});
