// The page in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core, www/ served by python3 -m http.server on 127.0.0.1), in
// the bench column format (see common.mjs) with peer `bpe-playground:page`:
//   first_tokens       navigation start → first token chips on screen (s),
//                      median of PAGE_LOADS (5) cold loads
//   cl100k_ready       cl100k_base.ranks (the packed rank file) fully received
//                      → its chips shown
//                      (s), median of the same loads
//   keystroke_p95      keydown → chips changed and the frame that shows them, p95 (s),
//                      with 100 KB of text and cl100k (param: text size),
//                      keys typed at a typist's pace (typeKeys)
//   keystroke_p95_prose the same with 100 KB of prose (taylorswift.txt:
//                      paragraphs of hundreds of tokens on one line, and
//                      characters beyond ASCII)
//   keystroke_p95_1KB  the same with 1 KB of text (the frame budget when
//                      the textarea itself is cheap)
//   keystroke_p95_1MB  the same with 1 MB of text (is 1 MB usable?)
//   keystroke_p95_back_to_back  100 KB again, keys back to back as the
//                      earlier rounds typed them (no target)
//   fill_1MB           1 MB pasted → its chips shown (s)
//   engine_memory_page the wasm memory of the page thread's engine (note)
// and, with peer `chromium:textarea`, the floor for keystroke_p95,
// keystroke_p95_1KB and keystroke_p95_back_to_back: the same keystrokes
// into a bare <textarea> holding the same text, keydown → input event → a
// frame later (no tokenizer at all), measured in the same run.
// Run from the repository root after ./build.sh build:  node tests/bench/page.mjs
import { readFileSync } from 'node:fs';
import { startServer, launch } from '../e2e/harness.mjs';
import { rng } from '../e2e/rng.mjs';

const PEER = 'bpe-playground:page';
const KEYS = Number(process.env.PAGE_KEYS || 60);
const LOADS = Number(process.env.PAGE_LOADS || 5);
const english = readFileSync(process.env.PAGE_TEXT || '/work/shared/corpus/tinyshakespeare.txt', 'utf8');
const prose = readFileSync(process.env.PAGE_PROSE || '/work/shared/corpus/taylorswift.txt', 'utf8');

function out(corpus, param, seconds, tokens, runs, note) {
  const f = (v) => (v === null || v === undefined || Number.isNaN(v) ? 'NA' : v);
  console.log([PEER, 'page', corpus, param, Number.isFinite(seconds) ? seconds.toFixed(6) : 'NA', 'NA', f(tokens), 'NA', runs, 'NA', note || 'NA'].join('\t'));
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `p50_ms=…;max_ms=…` of sorted latencies (ms). */
function spread(lat) {
  return `p50_ms=${pct(lat, 50).toFixed(1)};max_ms=${lat[lat.length - 1].toFixed(1)}`;
}

/** The p95 line of the page's keystrokes `lat` (sorted, ms, with their note). */
function outKeys(corpus, param, lat, tokens) {
  out(corpus, param, pct(lat, 95) / 1000, tokens, lat.length, `${spread(lat)};${lat.note}`);
}

/** Where the keys' time went, from their [keydown, chips changed (or input
 *  event), frame time (the rAF timestamp), after the frame]: keydown to the
 *  change (`key_to_change`), keydown to the time of the frame that showed
 *  it (`wait`), from that time to the timer after the frame (`frame`: the
 *  frame's work, and any of the key's work still running when it was due),
 *  and how many keys were shown by a frame due at most 1/60 s after them
 *  (`next_frame`: no frame skipped; headless Chromium makes 60 a second).
 *  Keys back to back come a few round trips after a frame, and wait most
 *  of a frame for the next one whatever they cost: their latency is about
 *  that wait plus `frame`. A typist's key comes to an idle page, whose
 *  next frame Chromium begins at once but dates at the last vsync: its
 *  `wait` is small or negative, and `frame` holds its work. */
function frames(fs) {
  const p = (xs, q) => pct(xs.sort((a, b) => a - b), q).toFixed(1);
  const wait = fs.map(([kd, , ft]) => ft - kd);
  const frame = fs.map(([, , ft, done]) => done - ft);
  const own = fs.map(([kd, changed]) => changed - kd);
  const next = fs.filter(([kd, , ft]) => ft - kd <= 1000 / 60).length;
  return `key_to_change_p50_ms=${p(own, 50)};wait_p50_ms=${p(wait, 50)};frame_p50_ms=${p(frame, 50)};frame_p95_ms=${p(frame, 95)};next_frame=${next}/${fs.length}`;
}

/** Installed in a page (with page.evaluate): `window.__shown(start)`, called
 *  when a key's change is made (`start`: its keydown time), records after
 *  the next frame and the timer after it the key's latency in
 *  `window.__lat` and its [keydown, change, frame time, after the frame] in
 *  `window.__frames`, and reports it to the bench (window.__keyShown, a
 *  binding: installClock). The page and the bare textarea are timed by it
 *  alike. */
function installFrameClock() {
  window.__lat = [];
  window.__frames = [];
  window.__shown = (start) => {
    const changed = performance.now();
    requestAnimationFrame((frame) => setTimeout(() => {
      const done = performance.now();
      window.__frames.push([start, changed, frame, done]);
      window.__lat.push(done - start);
      window.__keyShown?.(done - start);
    }, 0));
  };
}

/** Pauses before a typist's keys (whole ms), from a fixed seed so that
 *  every run types the same rhythm: 100-300 ms within a word (40 to 120
 *  words a minute), 300-1000 ms before a space (every sixth key: a pause
 *  between words, when the page's other views catch up). Uniform in each
 *  range. */
function typistPauses(count, seed = 2026) {
  const next = rng(seed);
  return Array.from({ length: count }, (_, i) => (i % 6 === 5 ? 300 + next(701) : 100 + next(201)));
}

/** Types `count` keys (x, and every sixth a space) into the focused field of
 *  `p` and returns their latencies (ms, sorted), as `window.__shown` in the
 *  page records them. Two ways:
 *  - `typist` (the target's): a pause from typistPauses before each key,
 *    and nothing sent to the page between a key and its chips: the page's
 *    frame clock reports the latency through a binding (no polling, no
 *    DevTools message to handle meanwhile). As when a person types,
 *    Chromium is idle when a key comes.
 *  - `back-to-back` (the earlier rounds' way, kept to compare with them):
 *    each key right after the last one was recorded, which Playwright's
 *    waitForFunction sees by polling in every animation frame. The page
 *    thus makes a frame at every vsync while the bench waits, and each key
 *    comes a few round trips after one, so it waits most of a frame for the
 *    next whatever it costs (BENCHMARKS.md §5). */
async function typeKeys(p, count, pace = 'typist') {
  const lat = [];
  const pauses = typistPauses(count);
  for (let i = 0; i < count; i++) {
    const key = i % 6 === 5 ? ' ' : 'x';
    if (pace === 'typist') {
      await new Promise((resolve) => setTimeout(resolve, pauses[i]));
      // Nothing goes to the page while the key is on its way: the page
      // reports its latency through a binding, and the key is released
      // after that (as a person's key is, tens of ms after it went down).
      const shown = new Promise((resolve) => { p.__keyShown = resolve; });
      await p.keyboard.down(key);
      lat.push(await shown);
      await p.keyboard.up(key);
    } else {
      const before = await p.evaluate(() => window.__lat.length);
      await p.keyboard.type(key);
      await p.waitForFunction((n) => window.__lat.length > n, before, { polling: 'raf', timeout: 30000 });
      lat.push(await p.evaluate(() => window.__lat[window.__lat.length - 1]));
    }
  }
  return lat.sort((a, b) => a - b);
}

/** Installs the frame clock in `p`, with the binding typeKeys waits on. */
async function installClock(p) {
  await p.exposeBinding('__keyShown', (_source, ms) => p.__keyShown?.(ms));
  await p.evaluate(installFrameClock);
}

const server = await startServer();
const browser = await launch();
try {
  // ---- load: first tokens, rank file → ready ----------------------------------
  // Each load is cold: a new tab with the HTTP cache bypassed (so no cached
  // code either) and the origin's storage cleared, in a fresh renderer
  // process. The tabs share one browser context. A new context per load
  // would open a new browser window each time, and headless Chromium
  // starts that window's own WebUI renderer (`--top-chrome-webui`), which
  // took 350–820 ms of CPU during each of our loads on this 2-core machine:
  // a cost of the harness, not of the page, which a user opening the page
  // in a running browser does not pay (BENCHMARKS.md §5).
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // The window, opened once; its WebUI renderer starts now, so the first
  // load waits until that is done.
  await (await context.newPage()).goto('about:blank');
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const origin = new URL(server.url).origin;
  async function coldLoad() {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' });
    let rankDone = null;
    page.on('requestfinished', (req) => {
      if (req.url().endsWith('/cl100k_base.ranks')) {
        const t = req.timing();
        rankDone = t.startTime + t.responseEnd; // epoch ms
      }
    });
    // The page looks, in every animation frame from the start, whether chips
    // are there: the first frame that has them paints them, and the time is
    // taken just after it, as for keystrokes below. It is reported on the
    // console: waiting with waitForFunction would have Playwright inject
    // its own script into the page, whose parse took 60–80 ms of the page's
    // main thread during the load.
    await page.addInitScript(() => {
      const look = () => {
        const t = document.querySelector('[data-testid="tokens"]');
        if (t && t.dataset.tokenizer && t.querySelector('[data-token-id]')) setTimeout(() => console.log(`bench:first-chips ${performance.now()}`), 0);
        else requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    });
    const chips = new Promise((resolve) => {
      page.on('console', (m) => {
        const [tag, at] = m.text().split(' ');
        if (tag === 'bench:first-chips') resolve(Number(at));
      });
    });
    await page.goto(server.url, { waitUntil: 'commit' });
    let timer;
    const late = new Promise((_, fail) => (timer = setTimeout(() => fail(new Error('no chips after 30 s')), 30000)));
    const now = await Promise.race([chips, late]).finally(() => clearTimeout(timer));
    const shown = await page.evaluate(() => ({
      origin: performance.timeOrigin,
      tokenizer: document.querySelector('[data-testid="tokens"]').dataset.tokenizer,
      chips: document.querySelectorAll('[data-testid="tokens"] [data-token-id]').length,
    }));
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    for (let i = 0; rankDone === null && i < 20; i++) await page.waitForTimeout(50); // its event may come later
    const ready = rankDone !== null && shown.tokenizer === 'cl100k_base' ? shown.origin + now - rankDone : NaN;
    return { page, first: now, ready, tokenizer: shown.tokenizer, chips: shown.chips };
  }
  const loads = [];
  for (let i = 0; i < LOADS; i++) {
    const l = await coldLoad();
    loads.push(l);
    if (i < LOADS - 1) await l.page.close();
  }
  const { page } = loads[loads.length - 1];
  const range = (xs) => `min_ms=${Math.min(...xs).toFixed(0)};max_ms=${Math.max(...xs).toFixed(0)}`;
  const firsts = loads.map((l) => l.first).sort((a, b) => a - b);
  out('first_tokens', loads[0].tokenizer, pct(firsts, 50) / 1000, loads[0].chips, LOADS,
    `median of ${LOADS} cold loads, navigation start to first chips;${range(firsts)}`);
  const readies = loads.map((l) => l.ready).sort((a, b) => a - b);
  if (readies.every(Number.isFinite)) {
    out('cl100k_ready', 'cl100k_base', pct(readies, 50) / 1000, loads[0].chips, LOADS, `median, rank file received to chips shown;${range(readies)}`);
  } else {
    out('cl100k_ready', 'cl100k_base', NaN, null, 0, `default tokenizer is ${loads[0].tokenizer}, or the cl100k file was not seen`);
  }

  // The page thread's own engine (local-engine.js) holding cl100k: its wasm
  // memory (the worker holds another copy, as large).
  const pageWasm = await page.evaluate(async () => {
    const glue = await import('./pkg/bpe_playground.js');
    const exports = await glue.default(); // already initialised: its exports
    return exports.memory.buffer.byteLength;
  });
  out('engine_memory_page', 'cl100k_base', NaN, null, 1, `wasm_memory_MB=${(pageWasm / 1e6).toFixed(1)};the page thread's engine holding cl100k (the worker holds another)`);

  // ---- keystrokes ----------------------------------------------------------------
  await page.getByTestId('tokenizer-select').selectOption('cl100k_base');
  await installClock(page);
  await page.evaluate(() => {
    window.__pending = null;
    window.__split = [];
    const ta = document.querySelector('[data-testid="input"]');
    ta.addEventListener('keydown', (e) => { window.__pending = e.timeStamp; }, true);
    // The chips changed: a MutationObserver's callback runs right after the
    // change (a microtask), so the frame it waits for is the first one that
    // can show the new chips, whichever thread encoded them.
    new MutationObserver(() => {
      if (window.__pending === null) return;
      const start = window.__pending;
      window.__pending = null;
      // Split: keydown → render start (text insertion, encode, messages)
      // and the render itself (chips, counts, id list).
      const r = performance.getEntriesByName('render', 'measure').at(-1);
      if (r) window.__split.push([r.startTime - start, r.duration]);
      // The frame after the change: chips are painted.
      window.__shown(start);
    }).observe(document.querySelector('[data-testid="tokens"]'), { childList: true, subtree: true, characterData: true });
  });

  async function fill(text) {
    const t0 = await page.evaluate(() => performance.now());
    // Like a paste: set the value and fire one input event.
    await page.evaluate((t) => {
      const ta = document.querySelector('[data-testid="input"]');
      ta.value = t;
      ta.dispatchEvent(new Event('input', { bubbles: true }));
    }, text);
    const want = Buffer.byteLength(text, 'utf8');
    await page.waitForFunction((n) => {
      const b = document.querySelector('[data-testid="byte-count"]').textContent.replace(/[^0-9]/g, '');
      return Number(b) === n && document.querySelector('[data-testid="tokens"]').dataset.tokenizer === 'cl100k_base';
    }, want, { polling: 'raf', timeout: 120000 });
    const t1 = await page.evaluate(() => performance.now());
    const tokens = Number((await page.getByTestId('token-count').first().textContent()).replace(/[^0-9]/g, ''));
    return { seconds: (t1 - t0) / 1000, tokens };
  }

  async function keystrokes(count, pace = 'typist') {
    await page.evaluate(() => document.querySelector('[data-testid="input"]').focus());
    // The caret in the middle of the text: edits re-encode around it. The
    // chips are scrolled there too, so the edited chips are on screen and
    // are redrawn (the worst case for the page).
    await page.evaluate(() => {
      const ta = document.querySelector('[data-testid="input"]');
      const mid = ta.value.length >> 1;
      ta.setSelectionRange(mid, mid);
      const scroller = document.querySelector('[data-testid="tokens"]').parentElement;
      scroller.scrollTop = (scroller.scrollHeight - scroller.clientHeight) / 2;
    });
    await page.waitForTimeout(300);
    const lat = await typeKeys(page, count, pace);
    const split = await page.evaluate((n) => window.__split.slice(-n), count);
    const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
    lat.note = `pace=${pace};before_render_p50_ms=${med(split.map((x) => x[0])).toFixed(1)};render_p50_ms=${med(split.map((x) => x[1])).toFixed(1)};${frames(await page.evaluate((n) => window.__frames.slice(-n), count))}`;
    return lat;
  }

  const text100 = english.slice(0, 100 * 1024);
  const f100 = await fill(text100);
  out('fill_100KB', '100KB', f100.seconds, f100.tokens, 1, 'fill() to chips shown');
  const lat100 = await keystrokes(KEYS);
  outKeys('keystroke_p95', '100KB', lat100, f100.tokens);
  // The same text, keys back to back as the earlier rounds typed them.
  const latB2b = await keystrokes(KEYS, 'back-to-back');
  outKeys('keystroke_p95_back_to_back', '100KB', latB2b, f100.tokens);

  // Prose: a keystroke inside a paragraph of hundreds of tokens.
  const fProse = await fill(prose.slice(0, 100 * 1024));
  const latProse = await keystrokes(KEYS);
  outKeys('keystroke_p95_prose', '100KB', latProse, fProse.tokens);

  // The same at 1 KB: how close the page comes to one frame when the
  // textarea itself is cheap (compare with the bare textarea at 1 KB below).
  const f1k = await fill(english.slice(0, 1024));
  const lat1k = await keystrokes(KEYS);
  outKeys('keystroke_p95_1KB', '1KB', lat1k, f1k.tokens);

  let big = english;
  while (big.length < 1_000_000) big += english;
  big = big.slice(0, 1_000_000);
  const f1m = await fill(big);
  out('fill_1MB', '1MB', f1m.seconds, f1m.tokens, 1, 'fill() to chips shown');
  const lat1m = await keystrokes(Math.min(KEYS, 15));
  outKeys('keystroke_p95_1MB', '1MB', lat1m, f1m.tokens);
  const mem = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize : null));
  if (mem) out('js_heap_1MB', '1MB', NaN, null, 1, `usedJSHeapSize_MB=${(mem / 1e6).toFixed(1)}`);
  await context.close();

  // ---- the floor: a bare textarea with the same text ----------------------------
  async function bareKeys(text, corpus, param, pace = 'typist') {
    const bare = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await bare.setContent('<textarea style="width:600px;height:360px;font:14px/1.5 monospace"></textarea>');
    await installClock(bare);
    await bare.evaluate((t) => {
      const ta = document.querySelector('textarea');
      ta.value = t;
      ta.focus();
      ta.setSelectionRange(t.length >> 1, t.length >> 1);
      let start = null;
      ta.addEventListener('keydown', (e) => { start = e.timeStamp; }, true);
      ta.addEventListener('input', () => window.__shown(start));
    }, text);
    const bl = await typeKeys(bare, KEYS, pace);
    const parts = frames(await bare.evaluate(() => window.__frames));
    console.log(['chromium:textarea', 'page', corpus, param, (pct(bl, 95) / 1000).toFixed(6), 'NA', 'NA', 'NA', bl.length, 'NA',
      `${spread(bl)};pace=${pace};bare textarea, same text, no tokenizer;${parts}`].join('\t'));
    await bare.close();
  }
  await bareKeys(text100, 'keystroke_p95', '100KB');
  await bareKeys(text100, 'keystroke_p95_back_to_back', '100KB', 'back-to-back');
  await bareKeys(english.slice(0, 1024), 'keystroke_p95_1KB', '1KB');
} catch (e) {
  console.error(`page bench failed: ${String(e.message || e).split('\n')[0].slice(0, 200)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
  await server.stop();
}
