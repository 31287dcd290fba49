// Runs first (its own <script type="module">, one small import) so the
// worker starts fetching the wasm and the default rank file while the rest
// of the page's modules are still loading.
import { WorkerClient } from './worker-client.js';

export const client = new WorkerClient();
