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
import { startServer, launch, openPage, screenshot, shownIds, ROOT } from './harness.mjs';

const SHAKESPEARE = readFileSync(path.resolve(ROOT, '../shared/corpus/tinyshakespeare.txt'));
const PROBE = 'To be, or not to be: that is the question.';

let server;
let browser;
let page;
const pageErrors = [];

const open = (ctx) => openPage(ctx, server.url, pageErrors);

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

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('faults', () => {
  let context;
  let toy;
  let ids;

  before(async () => {
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

  after(() => context.close());

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
    await ctx.route('**/vocab/o200k_base.ranks', (route) => (calls++ === 0 ? route.fulfill({ status: 503, body: 'unavailable' }) : route.continue()));
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

/** Hands a File made in the page (`bytes` from a spec, to avoid sending
 *  megabytes through the driver) to a file input, as a user pick does. */
async function pickFile(p, testid, name, spec) {
  await p.evaluate(
    ([id, n, s]) => {
      let data;
      if (s.fill) data = new Uint8Array(s.size).fill(s.fill);
      else data = Uint8Array.from(s.bytes);
      const dt = new DataTransfer();
      dt.items.add(new File([data], n));
      const input = document.querySelector(`[data-testid="${id}"]`);
      input.files = dt.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    [testid, name, spec],
  );
}

describe('inputs and limits', () => {
  let context;

  before(async () => {
    context = await browser.newContext({ acceptDownloads: true });
    page = await open(context);
    // Train tab: Compare would encode everything three more times.
    await page.getByTestId('tab-train').click();
  });

  after(() => context.close());

  it('a hostile or invalid custom split pattern gives a clear error; typing still updates the chips', async () => {
    await page.getByTestId('pattern-select').selectOption('custom');
    await page.getByTestId('custom-pattern').fill('(?:(?=a)a|a');
    await page.waitForSelector('[data-testid="pattern-error"]:not([hidden])');
    assert.match(await page.getByTestId('pattern-error').textContent(), /\S/);
    assert.ok(await page.getByTestId('train-button').isDisabled());
    await screenshot(page, 'faults-invalid-pattern');
    // Catastrophic backtracking on a long run of a.
    await page.getByTestId('custom-pattern').fill('(?:(?=a)a|a)+(?=b)');
    await page.waitForSelector('[data-testid="pattern-error"]', { state: 'hidden' });
    await page.getByTestId('train-corpus').fill('a'.repeat(100000));
    await page.getByTestId('vocab-size').fill('300');
    await page.getByTestId('train-button').click();
    await waitState(page, ['done', 'failed']);
    assert.equal(await state(page), 'failed');
    const msg = await page.getByTestId('error').textContent();
    assert.match(msg, /Train: .*(backtrack|time|pattern|regex)/i);
    await screenshot(page, 'faults-hostile-pattern');
    await showText(page, 'still usable after a hostile pattern', 'cl100k_base');
    assert.ok(await page.getByTestId('train-button').isEnabled());
    await page.locator('[data-testid="error"] button[aria-label^="dismiss"]').first().click();
  });

  for (const name of ['cl100k_base', 'o200k_base']) {
    it(`worst-case pasted inputs encode with ${name}: no crash, counts shown`, async () => {
      await page.getByTestId('tokenizer-select').selectOption(name);
      let seed = 7;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      const randomText = Array.from({ length: 100000 }, () => {
        const cp = Math.floor(rand() * 0x10f800);
        return String.fromCodePoint(cp < 0xd800 ? cp : cp + 0x800);
      }).join('');
      const inputs = {
        a: 'a'.repeat(1000000),
        spaces: ' '.repeat(1000000),
        caret: '^'.repeat(1000000),
        newlines: '\n'.repeat(1000000),
        emoji: '🦀'.repeat(200000),
        random: randomText,
      };
      for (const [what, text] of Object.entries(inputs)) {
        await page.evaluate((t) => {
          const i = document.querySelector('[data-testid="input"]');
          i.value = t;
          i.dispatchEvent(new Event('input'));
        }, text);
        const chars = [...text].length;
        await page.waitForFunction(
          ([n, c]) =>
            document.querySelector('[data-testid="tokens"]').dataset.tokenizer === n &&
            document.querySelector('[data-testid="char-count"]').textContent.replace(/\D/g, '') === String(c) &&
            /^\d+$/.test(document.querySelector('[data-testid="token-count"]').textContent),
          [name, chars],
          { timeout: 60000 },
        );
        const tokens = Number(await page.locator('[data-testid="token-count"]').first().textContent());
        assert.ok(tokens > 0 && tokens <= new TextEncoder().encode(text).length, `${what}: ${tokens} tokens`);
        assert.ok(await page.getByTestId('error').isHidden(), `${what}: ${await page.getByTestId('error').textContent()}`);
      }
      await showText(page, 'small again', name);
      assert.deepEqual(pageErrors, []);
    });
  }

  it('a pasted text over 10 MB gets a clear message and is kept; a shorter text tokenizes again', async () => {
    await page.getByTestId('tokenizer-select').selectOption('cl100k_base');
    const big = 'abc '.repeat(2.75 * 1024 * 1024); // 11 MB
    await page.evaluate((t) => {
      const i = document.querySelector('[data-testid="input"]');
      i.value = t;
      i.dispatchEvent(new Event('input'));
    }, big);
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    assert.match(await page.getByTestId('error').textContent(), /The text is 11\.0 MB; the page tokenizes up to 10\.0 MB at once.*kept/);
    // (The page's own view of the box: the textarea holds a window of a long
    // text, editor.js, and the driver's inputValue() reads the element as is.)
    assert.equal(await page.$eval('[data-testid="input"]', (t) => t.value.length), big.length);
    await showText(page, 'short again', 'cl100k_base');
    // (Saving 11 MB to localStorage fails too: that is reported, not fatal.)
    assert.doesNotMatch(await page.getByTestId('error').textContent(), /The text is/);
    await page.getByTestId('tokens').locator('[data-token-id]').first().waitFor();
    // Leave no message behind for the next test.
    for (const button of await page.locator('[data-testid="error"] button[aria-label^="dismiss"]').all()) await button.click();
    assert.ok(await page.getByTestId('error').isHidden());
    assert.deepEqual(pageErrors, []);
  });

  it('a non-UTF-8 text file opens lossily with a note; a file over 10 MB is refused and the text kept', async () => {
    await page.getByTestId('tokenizer-select').selectOption('cl100k_base');
    await pickFile(page, 'open-file', 'latin1.txt', { bytes: [...Buffer.from('caf'), 0xe9, 0x20, 0xff, 0xfe, ...Buffer.from(' ok')] });
    await page.waitForSelector('[data-testid="input-note"]:not([hidden])');
    assert.equal(await page.getByTestId('input').inputValue(), 'caf\ufffd \ufffd\ufffd ok');
    assert.match(await page.getByTestId('input-note').textContent(), /latin1\.txt is not valid UTF-8.*U\+FFFD/);
    await page.waitForFunction(() => document.querySelector('[data-testid="token-ids"]').textContent.startsWith('[69896,'));
    assert.ok(await page.getByTestId('input-note').isVisible());
    await screenshot(page, 'faults-lossy-file');
    await pickFile(page, 'open-file', 'huge.txt', { size: 11 * 1024 * 1024, fill: 0x61 });
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    assert.match(await page.getByTestId('error').textContent(), /huge\.txt is 11\.0 MB; the text box opens files up to 10 MB.*kept/);
    assert.equal(await page.getByTestId('input').inputValue(), 'caf\ufffd \ufffd\ufffd ok');
    await screenshot(page, 'faults-text-file-too-large');
    await page.locator('[data-testid="error"] button[aria-label^="dismiss"]').first().click();
  });

  it('trains on a non-UTF-8 file as raw bytes (the .model downloads); a file over 50 MB is refused and the corpus kept', async () => {
    await page.getByTestId('pattern-select').selectOption('none');
    await page.getByTestId('vocab-size').fill('260');
    const bytes = [];
    for (let i = 0; i < 200; i++) bytes.push(0xff, 0xfe, 0x80, 0x41);
    await pickFile(page, 'train-file', 'raw.bin', { bytes });
    await page.waitForSelector('[data-testid="corpus-file"]:not([hidden])');
    await page.getByTestId('train-button').click();
    await waitState(page, ['done', 'failed']);
    assert.equal(await state(page), 'done', await page.getByTestId('error').textContent());
    assert.equal(await page.getByTestId('tokenizer-select').inputValue(), 'toy-260-none');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-model').click()]);
    const model = readFileSync(await dl.path(), 'utf8').split('\n');
    assert.equal(model[0], 'minbpe v1');
    // The first merge joins two invalid bytes: 255 254 (or 254 128, 128 65, …).
    assert.match(model[3], /^\d+ \d+$/);
    assert.ok(model.slice(3).some((l) => /^(255 254|254 128|128 65|65 255)$/.test(l)), model.slice(0, 8).join('|'));
    // Too large: refused, the file corpus stays.
    await pickFile(page, 'train-file', 'too-big.txt', { size: 51 * 1024 * 1024, fill: 0x62 });
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    assert.match(await page.getByTestId('error').textContent(), /too-big\.txt is 51\.0 MB; training takes files up to 50 MB\. The corpus was kept/);
    assert.match(await page.getByTestId('corpus-file').textContent(), /raw\.bin/);
    await screenshot(page, 'faults-corpus-too-large');
  });
});
