// Start-up of the teaching features that are not a tab: restoring saved
// work, share links, the Share button and lecture-mode keys. Called once from
// main.js after the views are mounted.

import { byTestId } from './dom.js';
import { apply } from './page-state.js';
import { parseHash, mountShareButton } from './share.js';
import { load, restoreToys, restoreTrainSettings, startSaving } from './persist.js';
import { trainWith } from './train-view.js';

function lectureKeys(app) {
  document.addEventListener('keydown', (e) => {
    if (!document.body.classList.contains('lecture') || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return;
    if (t instanceof HTMLButtonElement && e.key === ' ') return;
    if (t.closest?.('[role="tablist"], .chips')) return;
    const cmd = e.key === 'ArrowRight' ? 'step+' : e.key === 'ArrowLeft' ? 'step-' : e.key === ' ' ? 'play' : null;
    if (!cmd) return;
    e.preventDefault();
    if (app.state.tab !== 'merges') byTestId('tab-merges').click();
    app.emit('timeline', cmd);
  });
  const sync = (tab) => (document.body.dataset.tab = tab);
  app.on('tab', sync);
  sync(app.state.tab);
}

async function applyShare(app, hash) {
  let p;
  try {
    p = parseHash(hash);
  } catch (e) {
    app.errors.show('share', e);
    return;
  }
  history.replaceState(null, '', location.pathname + location.search);
  const { tokenizer, toy, tab, ...rest } = p;
  apply(app, rest);
  if (toy && Object.keys(toy).length && typeof toy.corpus === 'string') {
    try {
      await trainWith(toy, toy.corpus);
    } catch (e) {
      app.errors.show('share', e);
    }
  } else if (toy && !app.tokenizers.has(tokenizer)) {
    app.errors.show('share', new Error(`this link uses the vocabulary ${tokenizer}, which it cannot carry: load its .model file (Train → Keep and share → Load)`));
  }
  apply(app, { tokenizer, tab });
}

export async function startTeaching(app) {
  lectureKeys(app);
  mountShareButton(app);
  const saved = load(app);
  restoreTrainSettings(saved);
  app.emit('teach-restore');
  const page = saved?.page && typeof saved.page === 'object' ? saved.page : null;
  const hash = location.hash.slice(1);
  if (page && !hash) {
    const { tokenizer, tab, ...rest } = page;
    apply(app, rest);
    await restoreToys(app, saved);
    apply(app, { tokenizer, tab });
  } else {
    await restoreToys(app, saved);
  }
  if (hash) await applyShare(app, hash);
  startSaving(app, document.querySelector('[data-panel="train"]'));
}
