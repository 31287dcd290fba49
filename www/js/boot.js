// Runs first (its own async <script type="module">, one small import): the
// page itself starts downloading and compiling the wasm engine and
// downloading the default rank file at once, and hands both to the worker
// when they arrive (worker-client.js, `primes`). Left to the worker, these
// fetches would wait for the worker's own modules to load first.
import { WorkerClient } from './worker-client.js';

const here = (path) => new URL(path, import.meta.url);
const wasm = WebAssembly.compileStreaming(fetch(here('../pkg/bpe_playground_bg.wasm')));
const cl100k = fetch(here('../vocab/cl100k_base.tiktoken')).then((r) => (r.ok ? r.arrayBuffer() : null));

export const client = new WorkerClient(undefined, { wasm, ranks: { cl100k_base: cl100k } });
