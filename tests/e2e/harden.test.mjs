// Hardening of the page: hostile text and share links never become markup
// or script, the Content-Security-Policy is present and enforced, and no
// request leaves the page's own origin.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch } from './harness.mjs';

const HOSTILE = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> "><svg onload=window.__pwned=3>';

let server;
let browser;
let page;
const requests = [];
const dialogs = [];

async function waitForChips() {
  await page.locator('[data-testid="tokens"] [data-token-id]').first().waitFor({ timeout: 15000 });
}

describe('page hardening', () => {
  before(async () => {
    server = await startServer();
    browser = await launch();
    page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
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

  it('makes no request outside its own origin', () => {
    const outside = requests.filter((u) => !u.startsWith(server.origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
    assert.deepEqual(outside, []);
    assert.ok(requests.length > 0);
  });
});
