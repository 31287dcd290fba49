// Hardening of the page: hostile text and share links never become markup
// or script, the Content-Security-Policy is present and enforced, and no
// request leaves the page's own origin.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, screenshot } from './harness.mjs';

const HOSTILE = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> "><svg onload=window.__pwned=3>';

let server;
let browser;
let page;
const requests = [];
const dialogs = [];
const consoleErrors = [];

/** Sets the main text as a paste does. */
async function setText(text) {
  await page.evaluate((t) => {
    const i = document.querySelector('[data-testid="input"]');
    i.value = t;
    i.dispatchEvent(new Event('input'));
  }, text);
}

/** Nothing ran and nothing became markup: no dialog, no flag, no console
 *  error, no <img>/<script> in the body, no on* attribute anywhere. */
async function assertNothingRan(what) {
  await page.waitForTimeout(200); // let an injected handler fire, if any
  assert.equal(await page.evaluate(() => window.__pwned), undefined, what);
  assert.deepEqual(dialogs, [], what);
  assert.deepEqual(consoleErrors, [], what);
  const found = await page.evaluate(() => ({
    tags: document.body.querySelectorAll('img, script, iframe, object, embed').length,
    handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
  }));
  assert.deepEqual(found, { tags: 0, handlers: 0 }, what);
}

/** Visits every place tokens show and checks `payload` appears there as text. */
async function assertInertEverywhere(toy, payload, label) {
  await page.getByTestId('tokenizer-select').selectOption(toy);
  await page.waitForFunction(
    ([n, p]) => {
      const t = document.querySelector('[data-testid="tokens"]');
      return t.dataset.tokenizer === n && [...t.querySelectorAll('.chip')].some((c) => c.textContent.includes(p));
    },
    [toy, payload],
    { timeout: 15000 },
  );
  // ids: numbers only.
  assert.match(await page.getByTestId('token-ids').textContent(), /^\[[\d, ]+\]$/);
  // hover details
  const chip = page.locator('[data-testid="tokens"] .chip').filter({ hasText: payload }).first();
  await chip.hover();
  await page.waitForFunction((p) => document.querySelector('[data-testid="token-details"]').textContent.includes(p), payload);
  // compare columns (the newest toy takes the first column)
  await page.getByTestId('tab-compare').click();
  await page.waitForFunction(
    ([n, p]) => [...document.querySelectorAll(`[data-testid="compare"] [data-tokenizer="${n}"] .chip`)].some((c) => c.textContent.includes(p)),
    [toy, payload],
    { timeout: 15000 },
  );
  // merge table (specials are not merges: only for trained payloads)
  if (label === 'trained') {
    await page.getByTestId('tab-merges').click();
    await page.waitForFunction((p) => document.querySelector('[data-testid="merge-table"]').textContent.includes(p), payload, { timeout: 15000 });
  }
  // inspect tree of the chip's token
  const id = await chip.getAttribute('data-token-id');
  await page.getByTestId('tab-inspect').click();
  await page.getByTestId('inspect-id').fill(id);
  await page.getByTestId('inspect-id').press('Enter');
  await page.waitForFunction((p) => document.querySelector('[data-testid="inspect-summary"]').textContent.includes(p), payload, { timeout: 15000 });
  assert.ok((await page.getByTestId('merge-tree').textContent()).length > 0);
  // chunks
  await page.getByTestId('tab-chunks').click();
  await page.waitForFunction((p) => document.querySelector('[data-testid="chunks"]').textContent.includes(p), payload, { timeout: 15000 });
  // decode output
  const ids = await page.getByTestId('token-ids').textContent();
  const text = await page.getByTestId('input').inputValue();
  await page.getByTestId('tab-decode').click();
  await page.getByTestId('decode-input').fill(ids);
  await page.waitForFunction((t) => document.querySelector('[data-testid="decode-output"]').textContent === t, text, { timeout: 15000 });
  await screenshot(page, `harden-inert-${label}`);
  await assertNothingRan(label);
}

async function waitForChips() {
  await page.locator('[data-testid="tokens"] [data-token-id]').first().waitFor({ timeout: 15000 });
}

describe('page hardening', () => {
  before(async () => {
    server = await startServer();
    browser = await launch();
    page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => {});
    });
    await page.goto(server.url);
    await waitForChips();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('renders hostile token text literally and runs none of it', async () => {
    await page.getByTestId('input').fill(HOSTILE);
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid="tokens"]').textContent.replace(/\s+/g, ' ').includes('onerror'),
      HOSTILE,
      { timeout: 15000 },
    );
    // Give any injected handler a chance to fire.
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(dialogs, []);
    const injected = await page.$$eval('[data-testid="tokens"] img, [data-testid="tokens"] script, [data-testid="tokens"] svg', (els) => els.length);
    assert.equal(injected, 0, 'no element was created from token text');
  });

  it('a vocabulary trained on markup renders it inertly in chips, ids, compare, merges, inspect, chunks, details and decode', async () => {
    const img = '<img src=x onerror=alert(1)>';
    const script = '<script>window.__pwned=2</script>';
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-corpus').fill(`${img}\n${script}\n`.repeat(80));
    await page.getByTestId('vocab-size').fill('420');
    await page.getByTestId('pattern-select').selectOption('none');
    await page.getByTestId('train-button').click();
    await page.waitForFunction(() => ['done', 'failed'].includes(document.querySelector('[data-testid="train-progress"]').dataset.state), null, { timeout: 30000 });
    assert.equal(await page.getByTestId('train-progress').getAttribute('data-state'), 'done');
    await setText(`${img}\n${script}\n${img}\n`);
    // The merges grew tokens holding whole payloads (one is
    // "img src=x onerror=alert(1)>\n<script>window.__pwned=2</script>\n<"); they show as text.
    await assertInertEverywhere('toy-420-none', script, 'trained');
    await page.getByTestId('tab-merges').click();
    await page.waitForFunction((p) => document.querySelector('[data-testid="merge-table"]').textContent.includes(p), img.slice(1));
    await assertNothingRan('trained (merges)');
  });

  it('a .model whose special tokens are markup renders them inertly everywhere', async () => {
    const specials = ['<img/src=x/onerror=window.__pwned=4>', '<script>window.__pwned=5</script>', '<svg/onload=window.__pwned=6>'];
    const model = `minbpe v1\n\n${specials.length}\n${specials.map((t, i) => `${t} ${256 + i}`).join('\n')}\n`;
    await page.getByTestId('tab-train').click();
    await page.getByTestId('load-model').setInputFiles({ name: 'evil.model', mimeType: 'text/plain', buffer: Buffer.from(model) });
    await page.waitForFunction(() => document.querySelector('[data-testid="tokenizer-select"]').value === 'evil');
    if ((await page.getByTestId('special-toggle').getAttribute('aria-pressed')) !== 'true') await page.getByTestId('special-toggle').click();
    await setText(`a ${specials.join(' b ')} c`);
    for (const sp of specials) await assertInertEverywhere('evil', sp, `special-${specials.indexOf(sp)}`);
    await page.getByTestId('special-toggle').click();
  });

  it('has a CSP meta that forbids eval and inline script', async () => {
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
    // (eval from a test's evaluate() is exempt in Chromium, so the check is
    // the policy text above plus a blocked inline script here.)
    const violation = await page.evaluate(
      () =>
        new Promise((resolve) => {
          document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
          const s = document.createElement('script');
          s.textContent = 'window.__inline = 1';
          document.body.append(s);
          setTimeout(() => resolve('none'), 2000);
        }),
    );
    assert.match(violation, /script-src/);
    assert.equal(await page.evaluate(() => window.__inline), undefined, 'inline script is blocked');
  });

  it('survives crafted share links', async () => {
    const hashes = [
      '#%%%not-base64%%%',
      `#${'A'.repeat(200000)}`,
      `#${encodeURIComponent(HOSTILE)}`,
      `#${Buffer.from('{"text": 5, "tokenizer": ["x"], "vocab": {"a": "<script>"}}').toString('base64')}`,
      `#${Buffer.from(HOSTILE).toString('base64')}`,
      '#s=' + Buffer.from('\u0000\uffff'.repeat(1000)).toString('base64url'),
    ];
    for (const hash of hashes) {
      await page.goto(server.url + hash);
      await page.getByTestId('input').fill('still works');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="tokens"]').textContent.includes('works'),
        null,
        { timeout: 15000 },
      );
      assert.equal(await page.evaluate(() => window.__pwned), undefined, hash.slice(0, 40));
    }
    assert.deepEqual(dialogs, []);
  });

  it('refuses structured share links with wrong types, nested junk, prototype keys or a huge body, and trains hostile ones inertly', async () => {
    consoleErrors.length = 0; // the CSP test above logs its own blocked inline script
    const link = (obj) => `#s=${Buffer.from(typeof obj === 'string' ? obj : JSON.stringify(obj)).toString('base64url')}`;
    const good = { v: 1, text: 'x', tokenizer: 'cl100k_base', view: 'both', whitespace: false, special: false, tab: 'compare' };
    const bad = [
      link({ ...good, text: 5 }),
      link({ ...good, text: { toString: 'x' } }),
      link({ ...good, whitespace: 'yes' }),
      link({ ...good, view: ['chips'] }),
      link({ ...good, tab: 'constructor' }),
      link({ ...good, tokenizer: '../../etc' }),
      link({ ...good, toy: [1, [2, [3]]] }),
      link({ ...good, toy: { vocabSize: 1e300, pattern: 'none', regex: '', specials: '' } }),
      link({ ...good, toy: { vocabSize: 300, pattern: 'none', regex: '', specials: '', corpus: { a: 1 } } }),
      link(`{"v":1,"__proto__":{"polluted":1},"text":"x","tokenizer":"cl100k_base","view":"both","whitespace":false,"special":false,"tab":"compare"}`),
      link(`{"v":1,"constructor":{"prototype":{"polluted":1}},"text":"x","tokenizer":"cl100k_base","view":"both","whitespace":false,"special":false,"tab":"compare"}`),
      link(`${'['.repeat(100000)}${']'.repeat(100000)}`),
      link({ ...good, text: 'y'.repeat(300000) }),
    ];
    for (const hash of bad) {
      await page.goto('about:blank'); // a hash change alone would not reload the page
      await page.goto(server.url + hash);
      await page.waitForSelector('[data-testid="error"]:not([hidden])', { timeout: 15000 });
      assert.match(await page.getByTestId('error').textContent(), /Share: this share link is not valid/, `link ${bad.indexOf(hash)}`);
      await setText('still works');
      await page.waitForFunction(() => document.querySelector('[data-testid="tokens"]').textContent.includes('works'), null, { timeout: 15000 });
      assert.equal(await page.evaluate(() => ({}).polluted ?? Object.prototype.polluted), undefined, 'no prototype pollution');
    }
    await screenshot(page, 'harden-bad-share-link');
    // A valid link that trains a toy on markup: trains, renders it as text, runs nothing.
    const corpus = '<img src=x onerror=window.__pwned=7> '.repeat(40);
    await page.goto('about:blank');
    await page.goto(server.url + link({ ...good, text: '<img src=x onerror=window.__pwned=7>', tokenizer: 'toy-300-none', toy: { vocabSize: 300, pattern: 'none', regex: '', specials: '<script>x</script>', corpus } }));
    await page.waitForFunction(() => {
      const t = document.querySelector('[data-testid="tokens"]');
      return t.dataset.tokenizer === 'toy-300-none' && t.textContent.includes('onerror=window.__pwned=7>');
    }, null, { timeout: 30000 });
    await assertNothingRan('share link toy');
  });

  it('makes no request outside its own origin', () => {
    const outside = requests.filter((u) => !u.startsWith(server.origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
    assert.deepEqual(outside, []);
    assert.ok(requests.length > 0);
  });
});
