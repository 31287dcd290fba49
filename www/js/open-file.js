// "Open file…" for the text box: a text file up to TEXT_FILE_LIMIT bytes
// replaces the text. Bytes that are not valid UTF-8 are decoded lossily
// (each bad sequence becomes U+FFFD) and a note says so. A file that is too
// large is refused with a message and the text is kept.

import { el } from './dom.js';

export const TEXT_FILE_LIMIT = 10 * 1024 * 1024;

export function megabytes(n) {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Adds the button to `head` and the note after `editor`; `setText(text)` applies a text. */
export function mountOpenFile(app, { head, editor, textarea, setText }) {
  const input = el('input', { type: 'file', 'data-testid': 'open-file', class: 'visually-hidden', accept: '.txt,.md,.csv,.json,.py,.js,.rs,.html,text/*' });
  const button = el('label', { class: 'ghost file-button', title: `Open a text file (up to ${TEXT_FILE_LIMIT / (1024 * 1024)} MB) in the text box` }, 'Open file…', input);
  const note = el('p', { class: 'hint input-note', 'data-testid': 'input-note', role: 'status', hidden: true });
  head.append(button);
  editor.after(note);

  function setNote(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  textarea.addEventListener('input', () => note.hidden || setNote(''));

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > TEXT_FILE_LIMIT) {
      app.errors.show('open', new Error(
        `${file.name} is ${megabytes(file.size)}; the text box opens files up to ${TEXT_FILE_LIMIT / (1024 * 1024)} MB (train on larger files in the Train tab, up to 50 MB). Your text was kept.`));
      return;
    }
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      app.errors.show('open', new Error(`${file.name} could not be read (${e.message}). Your text was kept.`));
      return;
    }
    let text;
    let lossy = false;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = new TextDecoder('utf-8').decode(bytes);
      lossy = true;
    }
    app.errors.clear('open');
    setText(text);
    setNote(lossy
      ? `${file.name} is not valid UTF-8: its invalid bytes are shown as � (U+FFFD), so the tokens are those of the repaired text. Train on the file to use its raw bytes.`
      : `Opened ${file.name}.`);
  });
}
