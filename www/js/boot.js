// Runs first (the first <script> of the page, no imports): starts the
// tokenizer worker at once, and the page itself downloads and compiles the
// wasm engine and downloads the default rank file, handing each to the
// worker as it arrives, and keeping them for its own copy of the engine
// (local-engine.js), which draws the first chips. The worker warms up its
// splitter while the rank file downloads and parses the file as soon as it
// has it, for the other views. Left to the worker, these fetches would wait
// for the worker's own modules.
//
// The messages follow the worker's protocol (worker.js): one `prime` with
// the compiled engine (or null: the worker fetches it itself) and the names
// of the rank files announced, then a `primeRanks` for each of them.

const here = (path) => new URL(path, import.meta.url);

export const worker = new Worker(here('../worker.js'), { type: 'module' });
// An error before the page's WorkerClient takes the worker over (e.g. its
// script failed to load) is kept for it: see worker-client.js.
worker.addEventListener('error', (event) => {
  if (worker.onerror) return;
  event.preventDefault();
  worker.earlyError ??= event.message || 'the tokenizer worker failed to start';
});
export const wasm = WebAssembly.compileStreaming(fetch(here('../pkg/bpe_playground_bg.wasm')));

const RANKS = ['cl100k_base'];
const send = (op, args, transfer = []) => worker.postMessage({ id: 0, op, args }, transfer);
wasm.then((m) => m, () => null).then((module) => send('prime', { module, ranks: RANKS }));
/** name -> Promise<ArrayBuffer | null>: the page's own copy of each rank
 *  file (local-engine.js parses it too); the worker gets another. */
export const ranks = new Map();
for (const name of RANKS) {
  const bytes = fetch(here(`../vocab/${name}.ranks`))
    .then((r) => (r.ok ? r.arrayBuffer() : null))
    .catch(() => null);
  ranks.set(name, bytes);
  bytes.then((b) => {
    const copy = b && b.slice(0);
    send('primeRanks', { name, bytes: copy }, copy ? [copy] : []);
  });
}

/** The page's own copy of the engine, holding the default encoding (see
 *  local-engine.js): loaded beside the page's other modules, so that it
 *  parses the rank file while they load. Resolves to null if it fails. */
export const local = import('./local-engine.js').then(
  ({ LocalEngine }) => {
    const engine = new LocalEngine(wasm);
    engine.hold(RANKS[0], ranks.get(RANKS[0]));
    return engine;
  },
  () => null,
);
