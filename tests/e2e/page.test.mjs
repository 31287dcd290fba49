// The page in a real browser (Debian's headless Chromium via playwright-core),
// served from www/ on 127.0.0.1. Reference ids come from tiktoken-rs.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, oracle, screenshot, shownIds, waitForIds } from './harness.mjs';
import { MULTILINGUAL, TYPED, SPECIAL, PARTIAL } from './texts.mjs';
import { rng } from './rng.mjs';

const ENCODINGS = ['r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base'];

let server;
let browser;
let page;
let ref;
const requests = [];

async function showText(text) {
  await page.getByTestId('input').fill(text);
}

/** Waits until the main view shows `expected` ids for `name`. */
async function expectIds(name, expected) {
  await waitForIds(page, name, expected);
  assert.deepEqual(await shownIds(page), expected, `ids of ${name}`);
  const chipIds = await page.$$eval('[data-testid="tokens"] [data-token-id]', (els) => els.map((e) => Number(e.dataset.tokenId)));
  assert.deepEqual(chipIds, expected, `chips of ${name}`);
  assert.equal(await page.getByTestId('token-count').first().textContent(), String(expected.length));
}

async function choose(name) {
  await page.getByTestId('tokenizer-select').selectOption(name);
}

describe('the page', () => {
  before(async () => {
    ref = oracle([MULTILINGUAL, TYPED, SPECIAL, PARTIAL]);
    server = await startServer();
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => requests.push(`pageerror: ${e.message}`));
    await page.goto(server.url);
    await page.locator('[data-testid="tokens"] [data-token-id]').first().waitFor({ timeout: 15000 });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows cl100k_base chips for the sample at start', async () => {
    assert.equal(await page.getByTestId('tokenizer-select').inputValue(), 'cl100k_base');
    const n = Number(await page.getByTestId('token-count').first().textContent());
    assert.ok(n > 10);
    assert.equal(await page.locator('[data-testid="tokens"] [data-token-id]').count(), n);
    assert.ok(Number(await page.getByTestId('char-count').textContent()) > 0);
    // Busy (in the page's HTML) until the first chips are drawn.
    assert.equal(await page.getByTestId('tokens').getAttribute('aria-busy'), 'false');
    await screenshot(page, 'tokens');
  });

  it('draws the first chips on the page thread, and only then starts the worker', async () => {
    // On two cores a worker starting up beside the page delayed the first
    // chips (boot.js): it starts after the frame that shows them, and the
    // Compare view then fills from it.
    assert.equal(await page.getByTestId('tokens').getAttribute('data-encoded-by'), 'page');
    await page.waitForFunction(() => performance.getEntriesByName('worker-start').length === 1, null, { timeout: 15000 });
    const [rendered, started] = await page.evaluate(() => {
      const render = performance.getEntriesByName('render', 'measure')[0];
      return [render.startTime + render.duration, performance.getEntriesByName('worker-start')[0].startTime];
    });
    assert.ok(rendered < started, `the first chips were drawn at ${rendered} ms, the worker started at ${started} ms`);
    await page.getByTestId('tab-compare').click();
    await page.waitForFunction(() => {
      const columns = [...document.querySelectorAll('[data-testid="compare"] [data-tokenizer]')];
      return columns.length >= 2 && columns.every((c) => c.querySelector('[data-token-id]'));
    }, null, { timeout: 15000 });
  });

  it('updates the chips as the user types', async () => {
    const input = page.getByTestId('input');
    await input.fill('');
    await input.pressSequentially(TYPED, { delay: 5 });
    await expectIds('cl100k_base', ref.cl100k_base[1]);
  });

  it('keeps the chips exact through edits in the middle of a long text', async () => {
    await choose('cl100k_base');
    const base = `${MULTILINGUAL}\n`.repeat(8);
    await showText(base);
    const settled = async () => {
      await page.waitForFunction(() => {
        const ids = document.querySelector('[data-testid="token-ids"]').textContent;
        const chips = [...document.querySelectorAll('[data-testid="tokens"] [data-token-id]')].map((e) => e.dataset.tokenId);
        return ids === `[${chips.join(', ')}]` && document.querySelector('[data-testid="input"]').value.length > 0;
      });
    };
    await settled();
    await page.$$eval('[data-testid="tokens"] [data-token-id]', (els) => els.forEach((e) => (e.dataset.kept = 'yes')));
    const input = page.getByTestId('input');
    // The caret in the middle: the chips drawn in blocks (www/js/blocks.js)
    // before and after the edit's block stay as they are.
    await input.evaluate((t) => {
      t.focus();
      const mid = t.value.length >> 1;
      t.setSelectionRange(mid, mid);
    });
    for (const keys of ['abc', 'Enter', ' 🙂', 'Backspace', 'Backspace', '日本', 'Enter', 'Enter', 'Backspace']) {
      if (keys === 'Enter' || keys === 'Backspace') await page.keyboard.press(keys);
      else await page.keyboard.type(keys);
    }
    await page.waitForTimeout(200);
    await settled();
    // Chips far from the edit were kept, not rebuilt.
    assert.equal(await page.locator('[data-testid="tokens"] [data-token-id]').first().getAttribute('data-kept'), 'yes');
    assert.equal(await page.locator('[data-testid="tokens"] [data-token-id]').last().getAttribute('data-kept'), 'yes');
    // The incremental chips equal a fresh render of the same text.
    const incremental = await page.$$eval('[data-testid="tokens"] [data-token-id]', (els) => els.map((e) => [e.dataset.tokenId, e.textContent, e.className]));
    const redrawn = await page.locator('[data-testid="tokens"] [data-token-id]:not([data-kept])').count();
    assert.ok(redrawn < incremental.length / 3, `only the blocks at the edit are redrawn (${redrawn} of ${incremental.length} chips)`);
    const text = await input.inputValue();
    await showText('');
    await showText(text);
    await settled();
    const fresh = await page.$$eval('[data-testid="tokens"] [data-token-id]', (els) => els.map((e) => [e.dataset.tokenId, e.textContent, e.className]));
    assert.deepEqual(incremental, fresh);
    assert.notEqual(text, base);
  });

  it('keeps chips and lines exact through random edits in long lines', async () => {
    await choose('cl100k_base');
    // Paragraphs of a few hundred tokens each (one line each), under 5,000
    // tokens in all, so that every block is drawn: an edit inside a line
    // replaces the chips of the changed tokens only (tokens-view.js), and
    // the blocks keep their cuts (blocks.js).
    const words = MULTILINGUAL.replaceAll('\n', ' ').split(' ');
    const next = rng(2024);
    const paragraphs = Array.from({ length: 10 }, () => Array.from({ length: 60 + next(80) }, () => words[next(words.length)]).join(' '));
    await showText(paragraphs.join('\n'));
    // The chips in order, and how they sit in lines: a line's chips break
    // no line but the last, which ends the line or its block (blocks may be
    // cut elsewhere than in a fresh render, after edits). In the main view
    // and in the Compare columns, which get their encodings from the worker
    // and find the unchanged tokens themselves.
    const lines = () =>
      page.$$eval('[data-testid="tokens"], [data-testid="compare"] .column-chips', (views) =>
        views.map((view) => {
          const chips = [...view.querySelectorAll('.chip')].map((c) => `${c.dataset.tokenId}|${c.textContent}|${c.className}`);
          const misplaced = [...view.querySelectorAll('.line')].filter((line) => {
            const texts = [...line.children].map((c) => c.textContent);
            const inner = texts.slice(0, -1).some((t) => t.endsWith('\n'));
            const cut = !texts.at(-1)?.endsWith('\n') && line.nextElementSibling !== null;
            return inner || cut || texts.length === 0;
          }).length;
          return { chips, misplaced };
        }));
    const settled = () =>
      page.waitForFunction(() => {
        const ids = document.querySelector('[data-testid="token-ids"]').textContent;
        const chips = [...document.querySelectorAll('[data-testid="tokens"] [data-token-id]')].map((e) => e.dataset.tokenId);
        const columns = [...document.querySelectorAll('[data-testid="compare"] .column')];
        // The cl100k column shows what the main view shows (so it has caught
        // up with the text), and every column has all its chips.
        const same = columns.find((c) => c.dataset.tokenizer === 'cl100k_base');
        return chips.length > 0 && ids === `[${chips.join(', ')}]` && columns.length === 3 &&
          [...same.querySelectorAll('.chip')].map((e) => e.dataset.tokenId).join() === chips.join() &&
          columns.every((c) => c.querySelectorAll('.chip').length === Number(c.querySelector('[data-testid="token-count"]').textContent));
      });
    await page.getByTestId('tab-compare').click();
    await settled();
    const input = page.getByTestId('input');
    const typed = ['x', ' ', 'ab', 'é', '🙂', '日本', ' the', '\u0301', '👍🏽', '.'];
    for (let round = 0; round < 4; round++) {
      for (let edit = 0; edit < 30; edit++) {
        const op = next(12);
        // Anywhere, or (to join two lines) just before a line break.
        const at = await input.evaluate((t, [r, join]) => {
          const breaks = [...t.value.matchAll(/\n/g)].map((m) => m.index);
          return join && breaks.length ? breaks[r % breaks.length] : r % (t.value.length + 1);
        }, [next(1 << 30), op >= 10]);
        await input.evaluate((t, i) => {
          t.focus();
          t.setSelectionRange(i, i);
        }, at);
        if (op < 6) await page.keyboard.type(typed[next(typed.length)]);
        else if (op < 8) await page.keyboard.press('Backspace');
        else if (op < 9) await page.keyboard.press('Enter');
        else await page.keyboard.press('Delete');
      }
      // A line break put before a space and taken away again: the edit's
      // tokens end with the line's break, and the next line's first token
      // (" word") stays.
      const space = await input.evaluate((t, r) => {
        const spaces = [...t.value.matchAll(/ [a-z]/g)].map((m) => m.index);
        return spaces[r % spaces.length];
      }, next(1 << 30));
      await input.evaluate((t, i) => t.setSelectionRange(i, i), space);
      await page.keyboard.press('Enter');
      await settled();
      await page.keyboard.press('Backspace');
      const shown = async () => {
        await settled();
        await page.waitForTimeout(300);
        await settled();
        return lines();
      };
      const incremental = await shown();
      assert.equal(incremental.length, 4);
      incremental.forEach((view, k) => assert.equal(view.misplaced, 0, `round ${round}, view ${k}`));
      const text = await input.evaluate((t) => t.value);
      await showText('');
      await showText(text);
      assert.deepEqual(incremental, await shown(), `round ${round}`);
    }
  });

  it('answers edits on the page thread and long pastes in the worker, and the two engines agree', async () => {
    // The main view's own engine (local-engine.js) against the worker's:
    // the Compare tab's cl100k_base column is always encoded by the worker.
    await choose('cl100k_base');
    await page.getByTestId('tab-compare').click();
    const by = () => page.getByTestId('tokens').getAttribute('data-encoded-by');
    const mainIds = () => page.$$eval('[data-testid="tokens"] [data-token-id]', (els) => els.map((e) => Number(e.dataset.tokenId)));
    const columnAgrees = () =>
      page.waitForFunction(() => {
        const main = document.querySelector('[data-testid="token-count"]').textContent;
        const col = document.querySelector('[data-testid="compare"] [data-tokenizer="cl100k_base"] [data-testid="token-count"]');
        return col && col.textContent === main;
      }, null, { timeout: 30000 });
    const input = page.getByTestId('input');
    await showText(MULTILINGUAL);
    await input.press('End');
    await page.keyboard.type(' tail 🙂');
    await page.waitForFunction(() => document.querySelector('[data-testid="input"]').value.endsWith('🙂'));
    await columnAgrees();
    assert.equal(await by(), 'page');
    const column = await page.$$eval('[data-testid="compare"] [data-tokenizer="cl100k_base"] [data-token-id]', (els) => els.map((e) => Number(e.dataset.tokenId)));
    assert.deepEqual(await mainIds(), column);

    // A paste of over 256 KB goes to the worker; once the page is idle its
    // engine catches up, and the next keystroke is answered on the page.
    const long = `${MULTILINGUAL}\n`.repeat(600);
    assert.ok(Buffer.byteLength(long) > 256 * 1024);
    // Set in the page, as a paste does: the driver's fill() types a long
    // multi-line text into a textarea line by line, taking minutes.
    await input.evaluate((t, text) => {
      t.value = text;
      t.dispatchEvent(new Event('input', { bubbles: true }));
    }, long);
    await page.waitForFunction((n) => document.querySelector('[data-testid="byte-count"]').textContent.replace(/\D/g, '') === String(n), Buffer.byteLength(long));
    assert.equal(await by(), 'worker');
    await columnAgrees();
    await page.waitForTimeout(1500);
    await input.evaluate((t) => {
      t.focus();
      t.setSelectionRange(t.value.length >> 1, t.value.length >> 1);
    });
    await page.keyboard.type('x y');
    await page.waitForFunction(() => document.querySelector('[data-testid="tokens"]').dataset.encodedBy === 'page', null, { timeout: 10000 });
    await columnAgrees();

    // Typing right after a long paste, a key at every frame, on a page too
    // busy to be idle: the page's engine still catches up, with the latest
    // text, and the keys after that are its own. (Keys typed in the page:
    // the driver's round trips would leave idle time.)
    const answered = await input.evaluate(async (t, text) => {
      const view = document.querySelector('[data-testid="tokens"]');
      view.dataset.encodedBy = 'none'; // (each render sets it again)
      t.value = text;
      t.dispatchEvent(new Event('input', { bubbles: true }));
      const seen = [];
      const started = performance.now();
      for (let i = 0; performance.now() - started < 3000; i++) {
        await new Promise((r) => requestAnimationFrame(r));
        const at = t.value.length >> 1;
        t.setRangeText(i % 6 === 5 ? ' ' : 'q', at, at, 'end');
        t.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: 'q' }));
        seen.push(view.dataset.encodedBy);
        for (const busy = performance.now(); performance.now() - busy < 14; );
      }
      return seen;
    }, long.repeat(2));
    const caught = answered.indexOf('page');
    assert.ok(caught > 0 && answered.slice(caught).every((b) => b === 'page'), `keys answered by: ${answered.join(' ')}`);
    await columnAgrees();

    // Another pretrained encoding: the worker answers first, then the page
    // holds it too (parsed when idle) and answers with tiktoken's ids.
    await showText(MULTILINGUAL);
    await choose('o200k_base');
    await expectIds('o200k_base', ref.o200k_base[0]);
    await page.waitForTimeout(1500);
    await input.press('End');
    await page.keyboard.type('!');
    await page.keyboard.press('Backspace');
    await page.waitForFunction(() => document.querySelector('[data-testid="tokens"]').dataset.encodedBy === 'page', null, { timeout: 10000 });
    await expectIds('o200k_base', ref.o200k_base[0]);
  });

  for (const name of ENCODINGS) {
    it(`shows exactly tiktoken's ids for ${name} on multilingual text`, async () => {
      await showText(MULTILINGUAL);
      await choose(name);
      await expectIds(name, ref[name][0]);
    });
  }

  it('shows a loading state while a rank file loads', async () => {
    // A fresh page whose p50k rank file arrives late.
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await ctx.route('**/vocab/p50k_base.ranks', async (route) => {
      await new Promise((r) => setTimeout(r, 600));
      await route.continue();
    });
    await p.goto(server.url);
    await p.locator('[data-testid="tokens"] [data-token-id]').first().waitFor();
    await p.getByTestId('tokenizer-select').selectOption('p50k_base');
    await p.getByTestId('status').filter({ hasText: 'Loading p50k_base' }).waitFor({ timeout: 2000 });
    assert.equal(await p.getByTestId('tokens').getAttribute('aria-busy'), 'true');
    await p.waitForSelector('[data-testid="tokens"][data-tokenizer="p50k_base"]');
    assert.equal(await p.getByTestId('status').isHidden(), true);
    assert.equal(await p.getByTestId('tokens').getAttribute('aria-busy'), 'false');
    await ctx.close();
  });

  it('builds the chips of a long text where its view is scrolled to', async () => {
    await choose('cl100k_base');
    // (The Compare columns draw the text when their panel is shown.)
    await page.getByTestId('tab-decode').click();
    await showText(`${MULTILINGUAL}\n`.repeat(60));
    await page.waitForFunction(() => {
      const ids = document.querySelector('[data-testid="token-ids"]').textContent;
      return ids.length > 2 && document.querySelector('[data-testid="tokens"]').dataset.tokenizer === 'cl100k_base';
    });
    const ids = await shownIds(page);
    assert.ok(ids.length > 5000, `a text long enough to be drawn lazily (${ids.length} tokens)`);
    const listed = JSON.stringify(ids).replaceAll(',', ', '); // (as the id list shows them)
    /** The ids of the chips in the blocks of `view` that are inside its
     *  scroller's visible box (in order), and how many of those blocks have
     *  no chips yet, once three frames passed without a block being built.
     *  `to`: where to scroll first (a fraction of the way down), or null;
     *  `again`: scroll there again after each build (built blocks get their
     *  real height, which moves the end), else the page must look again. */
    const inView = (view, to, again = false) =>
      page.evaluate(async ([sel, to, again]) => {
        const box = document.querySelector(sel);
        const scroller = box.classList.contains('column-chips') ? box : box.parentElement;
        const frame = () => new Promise((r) => requestAnimationFrame(r));
        const chips = () => box.querySelectorAll('[data-token-id]').length;
        const scroll = () => to !== null && (scroller.scrollTop = to * (scroller.scrollHeight - scroller.clientHeight));
        scroll();
        for (let last = -1, n = chips(); n !== last; last = n, n = chips()) {
          if (again) scroll();
          for (let k = 0; k < 3; k++) await frame();
        }
        const r = scroller.getBoundingClientRect();
        const seen = [...box.querySelectorAll('.block')].filter((b) => {
          const q = b.getBoundingClientRect();
          return q.bottom > r.top && q.top < r.bottom;
        });
        const near = [...box.querySelectorAll('.block')].filter((b) => {
          const q = b.getBoundingClientRect();
          return q.bottom > r.top - 400 && q.top < r.bottom + 400;
        });
        return {
          top: scroller.scrollTop,
          empty: near.filter((b) => !b.querySelector('[data-token-id]')).length,
          blocks: seen.length,
          ids: seen.flatMap((b) => [...b.querySelectorAll('[data-token-id]')].map((c) => Number(c.dataset.tokenId))),
          built: chips(),
        };
      }, [view, to, again]);
    const main = '[data-testid="tokens"]';
    const column = '[data-testid="compare"] [data-tokenizer="cl100k_base"] .column-chips';
    const at = (run, ref) => {
      for (let i = 0; i + run.length <= ref.length; i++) if (run.every((id, k) => ref[i + k] === id)) return i;
      return -1;
    };
    const check = (seen, where, ref = ids) => {
      assert.ok(seen.blocks > 0 && seen.ids.length > 0, `blocks in view ${where}`);
      assert.equal(seen.empty, 0, `no empty block in or near the view ${where}`);
      assert.ok(at(seen.ids, ref) >= 0, `the chips in view ${where} are a run of the text's tokens`);
    };
    const first = await inView(main, 0);
    assert.ok(first.built < ids.length / 2, `blocks out of view wait (${first.built} of ${ids.length} chips built)`);
    for (const to of [0.5, 0.2, 0.8]) check(await inView(main, to), `at ${to}`);
    const end = await inView(main, 1, true);
    check(end, 'at the end');
    assert.deepEqual(end.ids, ids.slice(ids.length - end.ids.length), 'the last chips end the text');
    // Another text of the same size, pasted: its blocks are drawn where the
    // view is (the edit was not there), and the view stays.
    const view = await inView(main, 0.6);
    await showText(`${MULTILINGUAL.split('\n').reverse().join('\n')}\n`.repeat(60));
    await page.waitForFunction((was) => document.querySelector('[data-testid="token-ids"]').textContent !== was, listed);
    const pasted = await inView(main, null);
    assert.ok(Math.abs(pasted.top - view.top) < 50, `the view stays where it was (${view.top} → ${pasted.top})`);
    check(pasted, 'after a paste', await shownIds(page));
    await showText(`${MULTILINGUAL}\n`.repeat(60));
    await page.waitForFunction((want) => document.querySelector('[data-testid="token-ids"]').textContent === want, listed);
    // A Compare column.
    await page.getByTestId('tab-compare').click();
    /** Waits until the cl100k column counts `n` tokens. */
    const counted = (n) =>
      page.waitForFunction(
        (n) => document.querySelector('[data-testid="compare"] [data-tokenizer="cl100k_base"] [data-testid="token-count"]')?.textContent === n,
        String(n),
      );
    await counted(ids.length);
    const columnEnd = await inView(column, 1, true);
    check(columnEnd, 'of a column at the end');
    assert.deepEqual(columnEnd.ids, ids.slice(ids.length - columnEnd.ids.length), "the column's last chips end the text");
    check(await inView(column, 0.5), 'of a column at 0.5');
    // Scrolled, hidden, and shown again after the text changed: the columns
    // draw the new text when shown (not while hidden), where they are.
    const hiddenAt = await inView(column, 0.6);
    await page.getByTestId('tab-decode').click();
    await showText(`Another text.\n${MULTILINGUAL.split('\n').reverse().join('\n')}\n`.repeat(60));
    await page.waitForFunction((was) => document.querySelector('[data-testid="token-ids"]').textContent !== was, listed);
    const newIds = await shownIds(page);
    await page.getByTestId('tab-compare').click();
    await counted(newIds.length);
    const shown = await inView(column, null);
    assert.ok(Math.abs(shown.top - hiddenAt.top) < 50, `the column stays where it was (${hiddenAt.top} → ${shown.top})`);
    check(shown, 'of a column shown again', newIds);
  });

  it('compares tokenizers side by side, live', async () => {
    await choose('cl100k_base');
    await page.getByTestId('tab-compare').click();
    await showText(MULTILINGUAL);
    const compare = page.getByTestId('compare');
    const columns = compare.locator('[data-tokenizer]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare"] [data-tokenizer]').length >= 3);
    const countOf = async (name) =>
      page.waitForFunction(
        ([n, want]) => {
          const c = document.querySelector(`[data-testid="compare"] [data-tokenizer="${n}"] [data-testid="token-count"]`);
          return c && c.textContent === want;
        },
        [name, String(ref[name][0].length)],
        { timeout: 15000 },
      );
    const names = await columns.evaluateAll((cols) => cols.map((c) => c.dataset.tokenizer));
    assert.ok(names.length >= 3);
    for (const name of names) await countOf(name);
    // Chips in a column are that tokenizer's tokens.
    const o200 = await compare.locator('[data-tokenizer="o200k_base"] [data-token-id]').evaluateAll((els) => els.map((e) => Number(e.dataset.tokenId)));
    assert.deepEqual(o200, ref.o200k_base[0]);
    // Switch a column's tokenizer.
    await columns.first().locator('select').selectOption('p50k_base');
    await countOf('p50k_base');
    // Typing updates every column.
    await showText(TYPED);
    for (const name of await columns.evaluateAll((cols) => cols.map((c) => c.dataset.tokenizer))) {
      await page.waitForFunction(
        ([n, want]) => document.querySelector(`[data-testid="compare"] [data-tokenizer="${n}"] [data-testid="token-count"]`)?.textContent === want,
        [name, String(ref[name][1].length)],
      );
    }
    await showText(MULTILINGUAL);
    await countOf('o200k_base');
    await screenshot(page, 'compare');
  });

  it('shows details on hover and keyboard focus, and highlights the input span', async () => {
    await choose('cl100k_base');
    await showText(TYPED);
    await expectIds('cl100k_base', ref.cl100k_base[1]);
    const chips = page.locator('[data-testid="tokens"] [data-token-id]');
    await chips.nth(1).hover();
    const details = page.getByTestId('token-details');
    await details.filter({ hasText: `id ${ref.cl100k_base[1][1]}` }).waitFor();
    const text = await details.textContent();
    assert.match(text, /" world"/);
    assert.match(text, /20 77 6F 72 6C 64/);
    assert.match(text, /range 5–11/);
    assert.equal(await page.locator('.backdrop mark').textContent(), ' world');
    // Keyboard: focus the first chip, then arrow right.
    await chips.first().focus();
    await page.keyboard.press('ArrowRight');
    await details.filter({ hasText: `id ${ref.cl100k_base[1][1]}` }).waitFor();
    assert.equal(await chips.nth(1).evaluate((e) => e === document.activeElement), true);
    await screenshot(page, 'hover');
  });

  it('shows partial UTF-8 tokens as bytes, grouped, never as mojibake', async () => {
    await choose('r50k_base');
    await showText(PARTIAL);
    await expectIds('r50k_base', ref.r50k_base[3]);
    const chips = page.locator('[data-testid="tokens"] [data-token-id]');
    const labels = await chips.allTextContents();
    assert.ok(labels.some((l) => /^<[0-9A-F]{2}( [0-9A-F]{2})*>$/.test(l)), `labels: ${labels}`);
    assert.ok(labels.every((l) => !l.includes('\uFFFD')));
    assert.equal(labels.join('').replace(/<[^>]*>/g, ''), 'ab');
    const grouped = await page.locator('[data-testid="tokens"] .grp').count();
    assert.ok(grouped >= 2, 'the tokens of 🙂 are marked as one group');
    await page.locator('[data-testid="tokens"] .partial').first().hover();
    assert.match(await page.getByTestId('token-details').textContent(), /part of "🙂"/);
    await screenshot(page, 'partial-utf8');
  });

  it('treats special-token text as special only when toggled', async () => {
    await choose('cl100k_base');
    await showText(SPECIAL);
    await expectIds('cl100k_base', ref.cl100k_base[2]);
    assert.equal(await page.locator('[data-testid="tokens"] .special').count(), 0);
    await page.getByTestId('special-toggle').click();
    await expectIds('cl100k_base', ref['cl100k_base+special'][2]);
    const special = page.locator('[data-testid="tokens"] .special');
    assert.equal(await special.count(), 1);
    assert.equal(await special.getAttribute('data-token-id'), '100257');
    assert.equal(await special.textContent(), '<|endoftext|>');
    await screenshot(page, 'special');
    await page.getByTestId('special-toggle').click();
    await expectIds('cl100k_base', ref.cl100k_base[2]);
  });

  it('decodes a list of ids and explains bad input', async () => {
    await choose('cl100k_base');
    await page.getByTestId('tab-decode').click();
    const input = page.getByTestId('decode-input');
    const output = page.getByTestId('decode-output');
    const error = page.getByTestId('error');
    await input.fill(JSON.stringify(ref.cl100k_base[0]));
    await output.filter({ hasText: 'Hello, world!' }).waitFor();
    assert.equal(await output.textContent(), MULTILINGUAL);
    assert.equal(await error.isHidden(), true);
    // Malformed list.
    await input.fill('[9906, 11,');
    await error.filter({ hasText: 'JSON list of token ids' }).waitFor();
    assert.equal(await output.textContent(), MULTILINGUAL, 'the last good output stays');
    // Unknown id: the engine's message.
    await input.fill('[9906, 999999]');
    await error.filter({ hasText: 'unknown token id 999999' }).waitFor();
    await screenshot(page, 'decode-error');
    // Recovery.
    await input.fill('[9906, 11, 1917, 0]');
    await output.filter({ hasText: 'Hello, world!' }).waitFor();
    await error.waitFor({ state: 'hidden' });
    // The page still works after an error.
    await showText(TYPED);
    await expectIds('cl100k_base', ref.cl100k_base[1]);
  });

  it('has a dark theme', async () => {
    await page.getByTestId('tab-compare').click();
    await showText(MULTILINGUAL);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(100);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(17, 20, 24)');
    await screenshot(page, 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('makes no request except to its own server, and no page error', async () => {
    const foreign = requests.filter((u) => !u.startsWith(server.origin + '/'));
    assert.deepEqual(foreign, []);
  });
});
