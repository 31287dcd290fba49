// Faults: a worker that crashes or dies mid-training, a cancelled training,
// and a rank file whose download fails. Each leaves the page usable and the
// previous vocabulary intact. Screenshots: tests/artifacts/faults-*.png.
//
// The crash is real: the test runs code inside the page's worker (through
// Playwright's worker handle, which the page does not expose) that throws an
// uncaught error, or closes the worker so it silently stops answering.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, screenshot, shownIds, ROOT } from './harness.mjs';

const SHAKESPEARE = readFileSync(path.resolve(ROOT, '../shared/corpus/tinyshakespeare.txt'));
const PROBE = 'To be, or not to be: that is the question.';

let server;
let browser;
let page;
const pageErrors = [];

async function open(context) {
  const p = await context.newPage({ viewport: { width: 1360, height: 1000 } });
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.on('dialog', (d) => {
    pageErrors.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  await p.goto(server.url);
  await p.waitForSelector('[data-testid="tokens"] .chip');
  return p;
}

const state = (p) => p.getByTestId('train-progress').getAttribute('data-state');

async function waitState(p, want) {
  await p.waitForFunction((w) => w.includes(document.querySelector('[data-testid="train-progress"]').dataset.state), want, { timeout: 30000 });
}

/** Sets the main text and waits until the chips show it with `name`. */
async function showText(p, text, name) {
  await p.evaluate((t) => {
    const i = document.querySelector('[data-testid="input"]');
    i.value = t;
    i.dispatchEvent(new Event('input'));
  }, text);
  await p.waitForFunction(
    ([t, n]) => {
      const tokens = document.querySelector('[data-testid="tokens"]');
      return tokens.dataset.tokenizer === n && tokens.textContent.replace(/·/g, ' ').includes(t.slice(-9));
    },
    [text, name],
    { timeout: 30000 },
  );
}

/** Starts a long training (Shakespeare, 30,000 merges) and waits for progress. */
async function startLongTraining(p) {
  await p.getByTestId('tab-train').click();
  await p.getByTestId('train-file').setInputFiles({ name: 'shakespeare.txt', mimeType: 'text/plain', buffer: SHAKESPEARE });
  await p.getByTestId('vocab-size').fill('30000');
  await p.getByTestId('pattern-select').selectOption('none');
  await p.getByTestId('train-button').click();
  await p.waitForFunction(() => Number(document.querySelector('[data-testid="train-progress"]').value) > 20, null, { timeout: 30000 });
}

/** The previous toy is still selected, listed, and encodes as before; typing still updates the chips. */
async function assertIntact(p, toy, ids) {
  assert.equal(await p.getByTestId('tokenizer-select').inputValue(), toy);
  assert.ok(!(await p.$('[data-testid="tokenizer-select"] option[value="toy-30000-none"]')), 'the interrupted toy is not listed');
  await showText(p, `${PROBE} again`, toy);
  await showText(p, PROBE, toy);
  assert.deepEqual(await shownIds(p), ids);
}

describe('faults', () => {
  let context;
  let toy;
  let ids;

  before(async () => {
    server = await startServer();
    browser = await launch();
    context = await browser.newContext();
    page = await open(context);
    // A small toy vocabulary: the "previous vocabulary" of every fault below.
    await page.getByTestId('tab-train').click();
    await page.getByTestId('corpus-sample').click();
    await page.getByTestId('vocab-size').fill('400');
    await page.getByTestId('pattern-select').selectOption('gpt4');
    await page.getByTestId('train-button').click();
    await waitState(page, ['done', 'failed']);
    assert.equal(await state(page), 'done');
    toy = await page.getByTestId('tokenizer-select').inputValue();
    assert.equal(toy, 'toy-400-gpt4');
    await showText(page, PROBE, toy);
    ids = await shownIds(page);
    assert.ok(ids.some((id) => id >= 256), 'the toy merges something in the probe');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a worker crashing mid-training is restarted with a message; the previous vocabulary is intact', async () => {
    const before = page.workers();
    assert.equal(before.length, 1);
    await startLongTraining(page);
    // An uncaught error inside the worker, while it trains.
    await before[0].evaluate(() => setTimeout(() => {
      throw new Error('test: worker crash');
    }));
    await waitState(page, ['failed']);
    const msg = await page.getByTestId('error').textContent();
    assert.match(msg, /tokenizer worker crashed \(.*test: worker crash.*\); it was restarted/);
    await screenshot(page, 'faults-worker-crash');
    await assertIntact(page, toy, ids);
    assert.ok(await page.getByTestId('train-button').isEnabled(), 'Train can be used again');
  });

  it('a worker that silently dies mid-training is restarted by Cancel; the previous vocabulary is intact', async () => {
    await page.locator('[data-testid="error"] button[aria-label^="dismiss"]').first().click();
    await startLongTraining(page);
    const workers = page.workers();
    // close() ends the worker at once: no reply, no error event.
    await workers[workers.length - 1].evaluate(() => setTimeout(() => self.close()));
    await page.getByTestId('train-cancel').click();
    await waitState(page, ['cancelled']);
    assert.match(await page.getByTestId('error').textContent(), /did not answer a Cancel.*restarted/);
    await assertIntact(page, toy, ids);
  });

  it('a training cancelled midway keeps the previous vocabulary', async () => {
    await startLongTraining(page);
    await page.getByTestId('train-cancel').click();
    await waitState(page, ['cancelled']);
    await assertIntact(page, toy, ids);
    // The worker still trains: a short training completes.
    await page.getByTestId('vocab-size').fill('300');
    await page.getByTestId('train-button').click();
    await waitState(page, ['done', 'failed']);
    assert.equal(await state(page), 'done');
    assert.deepEqual(pageErrors, []);
  });

  it('a failed rank-file download shows an error with a Retry that works', async () => {
    const ctx = await browser.newContext();
    let calls = 0;
    // context.route, not page.route: Playwright's page.route sees the
    // worker's fetch but its answer never reaches a dedicated worker.
    await ctx.route('**/vocab/o200k_base.tiktoken', (route) => (calls++ === 0 ? route.fulfill({ status: 503, body: 'unavailable' }) : route.continue()));
    // The Compare tab asks for o200k_base at start: its download fails.
    const p = await open(ctx);
    await p.waitForSelector('[data-testid="error"] [data-testid="retry"]', { timeout: 30000 });
    assert.match(await p.getByTestId('error').textContent(), /rank file of o200k_base \(HTTP 503\)/);
    const column = p.locator('[data-testid="compare"] [data-tokenizer="o200k_base"] [data-testid="token-count"]');
    assert.equal(await column.textContent(), '–');
    await screenshot(p, 'faults-rank-download');
    await p.locator('[data-testid="error"] [data-testid="retry"]').first().click();
    await p.waitForFunction(
      () => /^\d+$/.test(document.querySelector('[data-testid="compare"] [data-tokenizer="o200k_base"] [data-testid="token-count"]').textContent),
      null,
      { timeout: 30000 },
    );
    await p.waitForSelector('[data-testid="error"]', { state: 'hidden' });
    assert.equal(calls, 2);
    await p.getByTestId('tokenizer-select').selectOption('o200k_base');
    await showText(p, PROBE, 'o200k_base');
    assert.deepEqual(await shownIds(p), [1385, 413, 11, 503, 625, 316, 413, 25, 484, 382, 290, 4928, 13]);
    await ctx.close();
  });
});
