// Shared set-up for the browser tests: a static server for www/ on a free
// 127.0.0.1 port, Debian's Chromium through playwright-core, reference ids
// from tiktoken-rs (tests/examples/tiktoken_oracle.rs), and screenshots.

import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'tests/artifacts');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Serves www/ with python3 -m http.server; resolves to {url, stop()}. */
export async function startServer() {
  for (const need of ['www/pkg/bpe_playground_bg.wasm', 'www/vocab/cl100k_base.ranks']) {
    if (!existsSync(path.join(ROOT, need))) throw new Error(`${need} is missing: run ./build.sh build first`);
  }
  const port = await freePort();
  const child = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', 'www'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error('the static server did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    origin: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode != null) return resolve();
        child.once('exit', resolve);
        child.kill();
      }),
  };
}

export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A new page on the served app, its chips shown. Page errors and dialogs
 *  (dismissed) are appended to `errors`. */
export async function openPage(context, url, errors) {
  const p = await context.newPage({ viewport: { width: 1360, height: 1000 } });
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  await p.goto(url);
  await p.waitForSelector('[data-testid="tokens"] .chip');
  return p;
}

/** tiktoken-rs's ids for each text: {r50k_base: [[…], …], 'r50k_base+special': …}.
 *  Results are kept in tests/e2e/reference.json (committed), keyed by a hash
 *  of the texts, so the suite needs no Rust build; a changed text runs the
 *  oracle (tests/examples/tiktoken_oracle.rs) and updates the file. */
export function oracle(texts) {
  const file = path.join(ROOT, 'tests/e2e/reference.json');
  const key = createHash('sha256').update(JSON.stringify(texts)).digest('hex').slice(0, 16);
  const cache = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  if (cache[key]) return cache[key];
  const out = execFileSync('cargo', ['run', '--quiet', '--release', '--example', 'tiktoken_oracle'], {
    cwd: ROOT,
    input: JSON.stringify(texts),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const result = JSON.parse(out);
  writeFileSync(file, JSON.stringify({ [key]: result }) + '\n');
  return result;
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The ids shown in [data-testid=token-ids] (inside root, if given). */
export async function shownIds(page) {
  const text = await page.getByTestId('token-ids').textContent();
  return JSON.parse(text);
}

/** Waits (up to `timeout` ms) until the main view shows `ids` for the
 *  tokenizer `name`; on a timeout it returns all the same, so that the
 *  caller's assertion on shownIds says what differs. */
export async function waitForIds(page, name, ids, timeout = 15000) {
  await page
    .waitForFunction(
      ([n, want]) => {
        const t = document.querySelector('[data-testid="tokens"]');
        return t.dataset.tokenizer === n && document.querySelector('[data-testid="token-ids"]').textContent === want;
      },
      [name, JSON.stringify(ids).replaceAll(',', ', ')],
      { timeout },
    )
    .catch(() => {});
}
