// The page in Firefox: Debian's firefox-esr, headless, driven by
// puppeteer-core over WebDriver BiDi (Playwright only drives its own patched
// Firefox, which does not come from a package registry). The other suites
// cover every feature in Chromium; this one checks, in the second engine,
// what depends on the browser: module workers and wasm (exact ids for every
// encoding), typing, training in the worker (equal to minbpe, byte for
// byte), the worker's teaching ops, inert token text, and that the page
// makes no request elsewhere and raises no error.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { startServer, oracle, ROOT } from './harness.mjs';
import { MULTILINGUAL, TYPED, SPECIAL, PARTIAL } from './texts.mjs';

const FIREFOX = '/usr/bin/firefox-esr';
const ENCODINGS = ['r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base'];
const SHARED = path.resolve(ROOT, '../shared');
const TAYLOR = readFileSync(path.join(SHARED, 'corpus/taylorswift.txt'), 'utf8');
const REF = (kind, ext) => readFileSync(path.join(SHARED, `reference/minbpe/taylorswift-${kind}-512.${ext}`), 'utf8');

let server;
let browser;
let page;
let ref;
const requests = [];
const errors = [];

const byTestId = (id) => `[data-testid="${id}"]`;

/** Puts `text` in a textarea as a paste would (one input event). */
async function paste(testid, text) {
  await page.$eval(byTestId(testid), (ta, t) => {
    ta.value = t;
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
}

/** The ids of the main view once it shows `name` with `count` tokens. */
async function idsOf(name, count) {
  await page.waitForFunction(
    (n, c) =>
      document.querySelector('[data-testid="tokens"]').dataset.tokenizer === n &&
      document.querySelector('[data-testid="token-count"]').textContent === String(c),
    { timeout: 20000 },
    name,
    count,
  );
  const list = JSON.parse(await page.$eval(byTestId('token-ids'), (e) => e.textContent));
  const chips = await page.$$eval('[data-testid="tokens"] [data-token-id]', (els) => els.map((e) => Number(e.dataset.tokenId)));
  assert.deepEqual(chips, list, `chips and id list of ${name}`);
  return list;
}

describe('the page in Firefox', { skip: !existsSync(FIREFOX) && `${FIREFOX} is not installed` }, () => {
  before(async () => {
    ref = oracle([MULTILINGUAL, TYPED, SPECIAL, PARTIAL]);
    server = await startServer();
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    // Downloads are kept for the test instead of saved: the page makes each
    // file a blob URL and clicks an <a download> (train-view.js).
    // (The blob itself is kept: the page's CSP does not let a test fetch it.)
    await page.evaluateOnNewDocument(() => {
      window.__downloads = [];
      const blobs = new Map();
      const create = URL.createObjectURL;
      URL.createObjectURL = (blob) => {
        const url = create.call(URL, blob);
        blobs.set(url, blob);
        return url;
      };
      window.__blobText = (url) => blobs.get(url).text();
      const click = HTMLAnchorElement.prototype.click;
      HTMLAnchorElement.prototype.click = function () {
        if (!this.download) return click.call(this);
        window.__downloads.push({ name: this.download, href: this.href });
      };
    });
    await page.goto(server.url);
    await page.waitForSelector('[data-testid="tokens"] [data-token-id]', { timeout: 30000 });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows exactly tiktoken\'s ids for every encoding on multilingual text', async () => {
    await paste('input', MULTILINGUAL);
    for (const name of ENCODINGS) {
      await page.select(byTestId('tokenizer-select'), name);
      assert.deepEqual(await idsOf(name, ref[name][0].length), ref[name][0], name);
    }
  });

  it('splices special tokens only when toggled, and shows partial UTF-8 as bytes', async () => {
    await page.select(byTestId('tokenizer-select'), 'cl100k_base');
    await paste('input', SPECIAL);
    assert.deepEqual(await idsOf('cl100k_base', ref.cl100k_base[2].length), ref.cl100k_base[2]);
    await page.click(byTestId('special-toggle'));
    const special = ref['cl100k_base+special'][2];
    assert.deepEqual(await idsOf('cl100k_base', special.length), special);
    await page.click(byTestId('special-toggle'));
    await page.select(byTestId('tokenizer-select'), 'r50k_base');
    await paste('input', PARTIAL);
    assert.deepEqual(await idsOf('r50k_base', ref.r50k_base[3].length), ref.r50k_base[3]);
    const labels = await page.$$eval('[data-testid="tokens"] [data-token-id]', (els) => els.map((e) => e.textContent));
    assert.ok(labels.some((l) => /<[0-9A-F]{2}( [0-9A-F]{2})*>/.test(l)), `no byte chip in ${JSON.stringify(labels)}`);
    assert.ok(!labels.join('').includes('\uFFFD'), 'a chip shows U+FFFD');
  });

  it('updates the chips as the user types', async () => {
    await page.select(byTestId('tokenizer-select'), 'o200k_base');
    await paste('input', '');
    await page.focus(byTestId('input'));
    await page.keyboard.type(TYPED);
    assert.equal(await page.$eval(byTestId('input'), (t) => t.value), TYPED);
    assert.deepEqual(await idsOf('o200k_base', ref.o200k_base[1].length), ref.o200k_base[1]);
  });

  it('holds a window of a long text, and typing and Ctrl+End act on the whole text', async () => {
    // Firefox has no CSS field-sizing: editor.js sizes the box itself.
    await page.select(byTestId('tokenizer-select'), 'cl100k_base');
    let long = '';
    for (let i = 0; long.length < 120000; i++) long += `${i}: ${MULTILINGUAL}\n`;
    await paste('input', long);
    const held = () =>
      page.$eval(byTestId('input'), (t) => Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').get.call(t));
    assert.ok((await held()).length < 16000);
    const mid = long.length >> 1;
    await page.$eval(byTestId('input'), (t, m) => {
      t.focus();
      t.setSelectionRange(m, m);
    }, mid);
    await page.keyboard.type('abc');
    await page.keyboard.down('Control');
    await page.keyboard.press('End');
    await page.keyboard.up('Control');
    await page.keyboard.type('Z');
    const want = `${long.slice(0, mid)}abc${long.slice(mid)}Z`;
    assert.equal(await page.$eval(byTestId('input'), (t) => t.value), want);
    assert.ok(want.endsWith(await held()), 'the box holds the end of the text');
    const [boxHeight, boxScroll] = await page.$eval(byTestId('input'), (t) => [t.clientHeight, t.scrollHeight]);
    assert.ok(boxScroll <= boxHeight + 1, `the box is as tall as its text (${boxHeight} px for ${boxScroll} px)`);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="byte-count"]').textContent.replace(/\D/g, '') === String(n),
      { timeout: 20000 },
      Buffer.byteLength(want),
    );
  });

  it('renders token text inertly', async () => {
    const hostile = '<img src=x onerror="window.__owned=1"><script>window.__owned=2</script>&lt;b&gt;';
    await page.select(byTestId('tokenizer-select'), 'cl100k_base');
    await paste('input', hostile);
    await page.waitForFunction(() => document.querySelector('[data-testid="tokens"] [data-token-id]'), { timeout: 20000 });
    await page.waitForFunction((n) => document.querySelector('[data-testid="token-count"]').textContent !== '0', { timeout: 20000 });
    const shown = await page.$$eval('[data-testid="tokens"] [data-token-id]', (els) => els.map((e) => e.textContent).join(''));
    assert.equal(shown, hostile);
    assert.equal(await page.$$eval('[data-testid="tokens"] img, [data-testid="tokens"] script', (els) => els.length), 0);
    assert.equal(await page.evaluate(() => window.__owned), undefined);
  });

  it('trains in the worker a vocabulary equal to minbpe\'s (gpt4, 512), byte for byte', async () => {
    await page.click(byTestId('tab-train'));
    await page.waitForSelector(byTestId('train-corpus'));
    await paste('train-corpus', TAYLOR);
    await page.$eval(byTestId('vocab-size'), (e) => {
      e.value = '512';
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.select(byTestId('pattern-select'), 'gpt4');
    await page.click(byTestId('train-button'));
    await page.waitForFunction(() => ['done', 'failed'].includes(document.querySelector('[data-testid="train-progress"]').dataset.state), { timeout: 60000 });
    assert.equal(await page.$eval(byTestId('train-progress'), (e) => e.dataset.state), 'done', await page.$eval(byTestId('error'), (e) => e.textContent));
    assert.equal(await page.$eval(byTestId('tokenizer-select'), (s) => s.value), 'toy-512-gpt4');
    for (const [testid, ext] of [['download-model', 'model'], ['download-vocab', 'vocab']]) {
      const before = await page.evaluate(() => window.__downloads.length);
      await page.click(byTestId(testid));
      await page.waitForFunction((n) => window.__downloads.length > n, { timeout: 10000 }, before);
      const file = await page.evaluate(async () => {
        const d = window.__downloads[window.__downloads.length - 1];
        return { name: d.name, text: await window.__blobText(d.href) };
      });
      assert.equal(file.name, `toy-512-gpt4.${ext}`);
      assert.ok(file.text === REF('gpt4', ext), `gpt4 .${ext} differs from minbpe's`);
    }
  });

  it('runs the teaching ops in the worker: merge table and merge tree', async () => {
    await page.click(byTestId('tab-merges'));
    await page.waitForSelector('[data-testid="merge-table"] tbody tr', { timeout: 20000 });
    const rows = await page.$$eval('[data-testid="merge-table"] tbody tr', (trs) => trs.slice(0, 20).map((tr) => tr.querySelector('td:nth-child(2)').textContent));
    const refRows = REF('gpt4', 'vocab').split('\n').slice(256, 276).map((l) => l.replace(/ \d+$/, ''));
    assert.deepEqual(rows, refRows);
    await page.click(byTestId('tab-inspect'));
    await page.waitForSelector(byTestId('inspect-id'));
    await page.$eval(byTestId('inspect-id'), (e) => (e.value = '300'));
    await page.click(byTestId('inspect-go'));
    await page.waitForSelector('[data-testid="merge-tree"] > .t-node[data-token-id="300"]', { timeout: 20000 });
    assert.ok((await page.$$eval('[data-testid="merge-tree"] .t-node.leaf', (ls) => ls.length)) >= 2);
  });

  it('makes no request except to its own server, and no page error', async () => {
    const foreign = requests.filter((u) => !u.startsWith(server.origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
  });
});
