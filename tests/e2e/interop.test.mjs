// Hugging Face tokenizer.json in the page: load through `load-tokenizer-json`,
// then the ids must equal what the `tokenizers` library itself produces
// (tests/hf/make_fixtures.py builds the files and the reference ids).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, startServer, launch, screenshot, shownIds, waitForIds } from './harness.mjs';

const TEXT = [
  'Hello, world! The quick brown fox jumps over 13 lazy dogs; 1234567 + 89 = 1234656.',
  "def f(x):\n    return x ** 2  # it's we'll I'VE\n",
  '日本語のテキスト、한국어, русский текст, ünïcödé — 🙂👍🏽🇺🇦 👩‍👩‍👧‍👦',
].join('\n');

let dir;
let server;
let browser;
let page;

/** The tiktoken-rs crate's cl100k rank file (the fixture script converts it). */
function cl100kRankFile() {
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 }));
  const pkg = meta.packages.find((p) => p.name === 'tiktoken-rs');
  return path.join(path.dirname(pkg.manifest_path), 'assets', 'cl100k_base.tiktoken');
}

function python(args) {
  try {
    return execFileSync('python3', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (e) {
    // The tokenizers package may be missing on a fresh machine.
    execFileSync('python3', ['-m', 'pip', 'install', '-q', 'tokenizers'], { stdio: 'inherit' });
    return execFileSync('python3', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  }
}

describe('tokenizer.json in the page', () => {
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bpe-hf-'));
    const corpus = path.join(ROOT, '../shared/corpus/taylorswift.txt');
    python(['tests/hf/make_fixtures.py', dir, cl100kRankFile(), corpus]);
    writeFileSync(path.join(dir, 'text.txt'), TEXT);
    server = await startServer();
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url);
    await page.waitForSelector('[data-testid="tokens"] [data-token-id]');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const fixture of ['bytelevel', 'split']) {
    it(`${fixture}: loads, joins the picker and the compare view, and encodes as tokenizers does`, async () => {
      const file = path.join(dir, `${fixture}.json`);
      const idsFile = path.join(dir, `${fixture}.text-ids.json`);
      python(['tests/hf/make_fixtures.py', '--encode', file, idsFile, path.join(dir, 'text.txt')]);
      const expected = Object.values(JSON.parse(readFileSync(idsFile, 'utf8')))[0];
      assert.ok(expected.length > 20);

      await page.getByTestId('load-tokenizer-json').setInputFiles({
        name: `${fixture}.json`,
        mimeType: 'application/json',
        buffer: readFileSync(file),
      });
      const select = page.getByTestId('tokenizer-select');
      await page.waitForFunction((v) => document.querySelector('[data-testid="tokenizer-select"]').value === v, fixture);
      assert.equal(await select.inputValue(), fixture);
      await page.getByTestId('input').fill(TEXT);
      await waitForIds(page, fixture, expected);
      assert.deepEqual(await shownIds(page), expected);

      // The compare view offers it as a column.
      const options = await page.$$eval('[data-testid="compare"] select option', (os) => os.map((o) => o.value));
      assert.ok(options.includes(fixture), `compare columns offer ${fixture}`);
      await screenshot(page, `interop-${fixture}`);
    });
  }

  it('a tokenizer.json the engine does not support gets a clear message, and the previous tokenizer stays', async () => {
    const before = await page.getByTestId('tokenizer-select').inputValue();
    const wordpiece = JSON.stringify({ model: { type: 'WordPiece', vocab: {} } });
    await page.getByTestId('load-tokenizer-json').setInputFiles({ name: 'bert.json', mimeType: 'application/json', buffer: Buffer.from(wordpiece) });
    const error = page.getByTestId('error');
    await error.getByText('WordPiece').first().waitFor({ timeout: 10000 });
    assert.equal(await page.getByTestId('tokenizer-select').inputValue(), before);
    await screenshot(page, 'interop-error');
  });
});
