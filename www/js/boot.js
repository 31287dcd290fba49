// Runs first (the first <script> of the page, no imports): the page itself
// downloads and compiles the wasm engine and downloads the default rank file
// at once, for its own copy of the engine (local-engine.js), which draws the
// first chips.
//
// The tokenizer worker starts later (startWorker, called by the page once
// the first chips are on screen, or as soon as the main view has to wait for
// the worker): on a machine with two cores, a worker starting up, parsing
// its rank files and encoding for the Compare view at the same time took the
// second core and delayed the first chips (BENCHMARKS.md §5). It is handed
// the compiled engine and the rank file the page already has.
//
// The messages follow the worker's protocol (worker.js): one `prime` with
// the compiled engine (or null: the worker fetches it itself) and the names
// of the rank files announced, then a `primeRanks` for each of them.

const here = (path) => new URL(path, import.meta.url);

export const wasm = WebAssembly.compileStreaming(fetch(here('../pkg/bpe_playground_bg.wasm')));

const RANKS = ['cl100k_base'];
/** name -> Promise<ArrayBuffer | null>: the page's own copy of each rank
 *  file (local-engine.js parses it); the worker gets a copy. */
export const ranks = new Map();
for (const name of RANKS) {
  const bytes = fetch(here(`../vocab/${name}.ranks`))
    .then((r) => (r.ok ? r.arrayBuffer() : null))
    .catch(() => null);
  ranks.set(name, bytes);
}

let started = null;
/** Starts the tokenizer worker, primed with the engine and the default rank
 *  file (once; later calls return the same worker). */
export function startWorker() {
  if (started) return started;
  performance.mark('worker-start');
  const worker = (started = new Worker(here('../worker.js'), { type: 'module' }));
  // An error before the page's WorkerClient takes the worker over (e.g. its
  // script failed to load) is kept for it: see worker-client.js.
  worker.addEventListener('error', (event) => {
    if (worker.onerror) return;
    event.preventDefault();
    worker.earlyError ??= event.message || 'the tokenizer worker failed to start';
  });
  const send = (op, args, transfer = []) => worker.postMessage({ id: 0, op, args }, transfer);
  wasm.then((m) => m, () => null).then((module) => send('prime', { module, ranks: RANKS }));
  for (const [name, bytes] of ranks) {
    bytes.then((b) => {
      const copy = b && b.slice(0);
      send('primeRanks', { name, bytes: copy }, copy ? [copy] : []);
    });
  }
  return worker;
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
