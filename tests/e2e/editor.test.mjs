// The text box with a long text (www/js/editor.js): the textarea holds only
// a window of it, and what the user does still acts on the whole text.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launch, shownIds, ROOT } from './harness.mjs';
import { MULTILINGUAL } from './texts.mjs';

let server;
let browser;
let page;
const errors = [];

// About 190,000 UTF-16 units, with CJK, emoji (surrogate pairs) and tabs.
let LONG = '';
for (let i = 0; LONG.length < 190000; i++) LONG += `${i}: ${MULTILINGUAL}\n`;

/** Sets the text as a paste does (one input event) and waits until the page counts its bytes. */
async function paste(text) {
  await page.evaluate((t) => {
    const input = document.querySelector('[data-testid="input"]');
    input.value = t;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="byte-count"]').textContent.replace(/\D/g, '') === String(n),
    Buffer.byteLength(text),
    { timeout: 30000 },
  );
}

/** The whole text, as the page's scripts see the box. */
const value = () => page.evaluate(() => document.querySelector('[data-testid="input"]').value);

/** What the textarea itself holds (its own value, past editor.js). */
const held = () =>
  page.evaluate(() => {
    const t = document.querySelector('[data-testid="input"]');
    return Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').get.call(t);
  });

const caret = () => page.evaluate(() => {
  const t = document.querySelector('[data-testid="input"]');
  return [t.selectionStart, t.selectionEnd];
});

/** Waits until the main view counts the bytes of the whole text, and the
 *  Compare tab's cl100k_base column (encoded by the worker, from the text
 *  the page sent it) counts as many tokens as the main view. */
async function countsAgree() {
  await page.waitForFunction(() => {
    const bytes = new TextEncoder().encode(document.querySelector('[data-testid="input"]').value).length;
    const column = document.querySelector('[data-testid="compare"] [data-tokenizer="cl100k_base"] [data-testid="token-count"]');
    return (
      document.querySelector('[data-testid="tokens"]').dataset.tokenizer === 'cl100k_base' &&
      document.querySelector('[data-testid="byte-count"]').textContent.replace(/\D/g, '') === String(bytes) &&
      column?.textContent === document.querySelector('[data-testid="token-count"]').textContent
    );
  }, null, { timeout: 30000 });
}

describe('the text box with a long text', () => {
  before(async () => {
    server = await startServer();
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.locator('[data-testid="tokens"] [data-token-id]').first().waitFor({ timeout: 15000 });
    await page.getByTestId('tab-compare').click();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    assert.deepEqual(errors, []);
  });

  it('holds a window of it; typing, Ctrl+Home/End and undo act on the whole text', async () => {
    await paste(LONG);
    const box = await held();
    assert.ok(box.length < 16000, `the textarea holds ${box.length} of ${LONG.length} characters`);
    assert.equal(await value(), LONG);

    // Typing in the middle.
    const mid = LONG.length >> 1;
    await page.evaluate((m) => {
      const t = document.querySelector('[data-testid="input"]');
      t.focus();
      t.setSelectionRange(m, m);
    }, mid);
    assert.deepEqual(await caret(), [mid, mid]);
    await page.keyboard.type('abc');
    let want = LONG.slice(0, mid) + 'abc' + LONG.slice(mid);
    assert.equal(await value(), want);
    assert.deepEqual(await caret(), [mid + 3, mid + 3]);

    // To the end and the start of the whole text.
    await page.keyboard.press('Control+End');
    await page.keyboard.type('END');
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('S');
    want = `S${want}END`;
    assert.equal(await value(), want);
    await countsAgree();

    // Undo three steps, then redo the first.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Control+z');
    assert.equal(await value(), LONG);
    await page.keyboard.press('Control+Shift+z');
    assert.equal(await value(), LONG.slice(0, mid) + 'abc' + LONG.slice(mid));
    await page.keyboard.press('Control+z');
    assert.equal(await value(), LONG);
    await countsAgree();

    // Over an emoji, another that shares its first UTF-16 unit (the box sees
    // only the second unit change), then one more typed after it.
    const at = LONG.indexOf('\ud83d', mid);
    const other = String.fromCharCode(0xd83d, LONG.charCodeAt(at + 1) === 0xde00 ? 0xde01 : 0xde00);
    await page.evaluate((a) => document.querySelector('[data-testid="input"]').setSelectionRange(a, a + 2), at);
    await page.keyboard.type(other);
    await page.keyboard.type('🙂');
    want = LONG.slice(0, at) + other + '🙂' + LONG.slice(at + 2);
    assert.equal(await value(), want);
    await countsAgree();
    // The page encodes edited texts from the last text's bytes and the
    // edits: the ids are those of the same text pasted afresh.
    const edited = await shownIds(page);
    await paste('x');
    await paste(want);
    assert.deepEqual(await shownIds(page), edited);
  });

  it('scrolls through all of it, and typing after a scroll goes to the caret', async () => {
    await paste(LONG);
    const at = 1000;
    await page.evaluate((m) => {
      const t = document.querySelector('[data-testid="input"]');
      t.focus();
      t.setSelectionRange(m, m);
    }, at);
    // The scroll bar covers the whole text: at the bottom, the box holds its
    // end, on screen.
    for (const f of [0.25, 0.5, 0.75, 1]) {
      await page.evaluate((f) => {
        const e = document.querySelector('.editor');
        e.scrollTop = (e.scrollHeight - e.clientHeight) * f;
      }, f);
      await page.waitForTimeout(100);
      const box = await held();
      const first = box.charCodeAt(0);
      assert.ok(!(first >= 0xdc00 && first <= 0xdfff), 'the window does not split a surrogate pair');
      assert.ok(LONG.includes(box), 'the window is a piece of the text');
      const shown = await page.evaluate(() => {
        const e = document.querySelector('.editor').getBoundingClientRect();
        const t = document.querySelector('[data-testid="input"]').getBoundingClientRect();
        return t.top < e.bottom && t.bottom > e.top;
      });
      assert.ok(shown, `the box is on screen at ${f * 100}%`);
    }
    assert.ok(LONG.endsWith(await held()), 'at the bottom the box holds the end of the text');
    // The caret stayed at 1000: typing puts the letter there.
    await page.keyboard.type('Q');
    assert.equal(await value(), LONG.slice(0, at) + 'Q' + LONG.slice(at));
    await countsAgree();
  });

  it('moves the caret past the window\'s edges with PageDown and the arrows', async () => {
    await paste(LONG);
    await page.getByTestId('input').focus();
    await page.keyboard.press('Control+Home');
    let last = 0;
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('PageDown');
      const [at] = await caret();
      assert.ok(at > last, `PageDown ${i + 1} moved the caret on (${last} → ${at})`);
      last = at;
    }
    assert.ok(last > 16000, `60 pages down reach past two windows (${last})`);
    for (let i = 0; i < 400; i++) await page.keyboard.press('ArrowUp');
    const [up] = await caret();
    assert.ok(up < last - 8000, `400 lines up went back past a window (${last} → ${up})`);
    assert.equal(await page.locator('.editor').evaluate((e) => {
      const t = document.querySelector('[data-testid="input"]').getBoundingClientRect();
      const r = e.getBoundingClientRect();
      return t.top < r.bottom && t.bottom > r.top;
    }), true, 'the box is on screen');
    await page.keyboard.type('U');
    const text = await value();
    assert.equal(text, LONG.slice(0, up) + 'U' + LONG.slice(up));
  });

  it('scrolls without a jump where the window moves, in long wrapped lines', async () => {
    // Paragraphs of up to 2,000 characters, each wrapped over many rows.
    const prose = readFileSync(path.resolve(ROOT, '../shared/corpus/taylorswift.txt'), 'utf8');
    await paste(prose);
    // What is at the top of the view, found apart from editor.js: the box's
    // own text laid out line by line in a copy of its style.
    const top = () =>
      page.evaluate((full) => {
        const t = document.querySelector('[data-testid="input"]');
        const box = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').get.call(t);
        const root = document.querySelector('.editor');
        const copy = document.createElement('div');
        const style = getComputedStyle(t);
        for (const p of ['font', 'lineHeight', 'whiteSpace', 'overflowWrap', 'paddingLeft', 'paddingRight', 'tabSize', 'letterSpacing'])
          copy.style[p] = style[p];
        Object.assign(copy.style, { position: 'absolute', visibility: 'hidden', width: `${t.clientWidth}px`, boxSizing: 'border-box', top: '0', left: '0' });
        const spans = [];
        for (let i = 0; i < box.length; ) {
          const nl = box.indexOf('\n', i);
          const j = nl < 0 ? box.length : nl + 1;
          const span = document.createElement('span');
          span.textContent = box.slice(i, j);
          spans.push([i, span]);
          i = j;
        }
        copy.append(...spans.map((x) => x[1]));
        document.body.append(copy);
        const y = root.scrollTop - (t.getBoundingClientRect().top - root.getBoundingClientRect().top + root.scrollTop - root.clientTop);
        const origin = copy.getBoundingClientRect().top;
        let at = 0;
        let lineTop = 0;
        for (const [i, span] of spans) {
          const spanTop = span.getBoundingClientRect().top - origin;
          if (spanTop > y) break;
          [at, lineTop] = [i, spanTop];
        }
        copy.remove();
        return { at: full.indexOf(box) + at, dy: y - lineTop };
      }, prose);
    await page.evaluate(() => {
      const root = document.querySelector('.editor');
      root.scrollTop = root.scrollHeight / 3;
    });
    await page.waitForTimeout(100);
    let before = await top();
    let moves = 0;
    let box = await held();
    for (let i = 0; i < 120; i++) {
      await page.evaluate(() => (document.querySelector('.editor').scrollTop += 45));
      await page.waitForTimeout(20);
      const now = await top();
      const shown = await held();
      if (shown !== box) moves++;
      box = shown;
      // 45 px on: the same line 45 px further, or a later line.
      if (now.at === before.at) assert.ok(Math.abs(now.dy - before.dy - 45) < 2, `step ${i}: ${JSON.stringify([before, now])}`);
      else assert.ok(now.at > before.at && now.dy < 45 + 2, `step ${i}: ${JSON.stringify([before, now])}`);
      before = now;
    }
    assert.ok(moves >= 1, `the window moved (${moves} times) while scrolling`);
  });

  it('Ctrl+A and Shift+Ctrl+End select across the window, and a driver\'s fill() replaces all of it', async () => {
    await paste(LONG);
    await page.getByTestId('input').focus();
    await page.keyboard.press('Control+a');
    assert.deepEqual(await caret(), [0, LONG.length]);
    await page.keyboard.type('x');
    assert.equal(await value(), 'x');
    assert.equal(await held(), 'x');

    // Shift+Ctrl+End selects from the caret to the end of the whole text.
    await paste(LONG);
    const mid = LONG.length >> 1;
    await page.evaluate((m) => document.querySelector('[data-testid="input"]').setSelectionRange(m, m), mid);
    await page.keyboard.press('Control+Shift+End');
    assert.deepEqual(await caret(), [mid, LONG.length]);
    await page.keyboard.press('Backspace');
    assert.equal(await value(), LONG.slice(0, mid));

    await paste(LONG);
    await page.getByTestId('input').fill('short text');
    assert.equal(await value(), 'short text');
    await page.waitForFunction(() => document.querySelector('[data-testid="token-count"]').textContent === '2');
  });

  it('undoes a run of typing in one step, and an inserted text in another', async () => {
    await paste('one two');
    await page.getByTestId('input').focus();
    await page.keyboard.press('End');
    await page.keyboard.insertText(' PASTED');
    await page.keyboard.type(' xy');
    assert.equal(await value(), 'one two PASTED xy');
    await page.keyboard.press('Control+z');
    assert.equal(await value(), 'one two PASTED');
    await page.keyboard.press('Control+z');
    assert.equal(await value(), 'one two');
    await page.keyboard.press('Control+y');
    assert.equal(await value(), 'one two PASTED');
  });

  it('marks the hovered token in the box', async () => {
    await paste(LONG);
    await page.getByTestId('input').focus();
    await page.keyboard.press('Control+Home');
    await page.evaluate(() => (document.querySelector('[data-testid="tokens"]').parentElement.scrollTop = 0));
    const chip = page.locator('[data-testid="tokens"] [data-token-id]').nth(2);
    await chip.hover();
    const text = await chip.textContent();
    await page.waitForFunction(() => document.querySelector('.backdrop mark'));
    assert.equal(await page.locator('.backdrop mark').textContent(), text.replace(/·/g, ' '));
  });
});
