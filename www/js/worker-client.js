// Promise-based RPC to the tokenizer worker (www/worker.js).
//
//   const client = new WorkerClient();   // or one started by boot.js's startWorker
//   client.wake();                       // requests wait until the worker starts
//   await client.call('load', {name: 'cl100k_base'});
//   const enc = await client.latest('main', 'encode', {name, text, allowed});
//
// `latest(lane, …)` keeps at most one request in flight per lane and only the
// newest waiting one: a request superseded before it was sent resolves to
// `null` (the caller simply skips rendering). Results come back in order.
//
// Crash recovery: when the worker fails (an uncaught error, a wasm trap, or a
// Cancel it does not answer within CANCEL_GRACE_MS), it is terminated and a
// new one started; pending requests reject with `crashed: true`, the
// vocabularies loaded or trained so far are re-created in the new worker
// (from the `load` arguments, or a trained one's .model export), and
// `onRestart(message)` tells the page.

/** A Cancel not answered within this time means the worker is stuck or dead. */
export const CANCEL_GRACE_MS = 3000;

export class WorkerClient {
  /**
   * @param {URL} url  the worker script
   * @param {{startWorker?: () => Worker, wasm?: Promise<WebAssembly.Module>}} primes
   *   what the page has (boot.js): a function that starts the first worker,
   *   primed, and the compiled engine, which a restarted worker is primed
   *   with. Without them the worker fetches the engine itself.
   */
  constructor(url = new URL('../worker.js', import.meta.url), { startWorker = null, wasm = null } = {}) {
    this.url = url;
    this.wasm = wasm;
    this.nextId = 1;
    /** id -> {resolve, reject, onProgress} */
    this.pending = new Map();
    /** lane -> {busy: boolean, queued: {op, args, resolve, reject} | null} */
    this.lanes = new Map();
    /** name -> `load` arguments that re-create a vocabulary after a crash */
    this.recipes = new Map();
    /** Called with a message after the worker was restarted. */
    this.onRestart = null;
    this.restarts = 0;
    this.startWorker = startWorker;
    /** The worker, once `wake` started it; until then requests wait in
     *  `waiting` ([message, transfer] pairs). */
    this.worker = null;
    this.waiting = [];
    this.failed = null;
  }

  /** Starts the worker if it has not started, and sends what waited. */
  wake() {
    if (this.worker) return;
    this.start(this.startWorker?.() ?? null);
    const waiting = this.waiting;
    this.waiting = [];
    for (const [message, transfer] of waiting) {
      if (this.failed) this.refuse(message.id);
      else this.worker.postMessage(message, transfer);
    }
  }

  /** Rejects request `id` with the reason the worker failed to start. */
  refuse(id) {
    this.pending.get(id)?.reject(new Error(this.failed));
    this.pending.delete(id);
  }

  /** Starts a worker (or adopts `primed`, whose `prime` boot.js sent). A new
   *  one waits for exactly one `prime`: the engine, or null. */
  start(primed = null) {
    const worker = primed ?? new Worker(this.url, { type: 'module' });
    this.worker = worker;
    this.started = false;
    if (!primed) {
      Promise.resolve(this.wasm)
        .then((m) => m ?? null, () => null)
        .then((module) => worker === this.worker && worker.postMessage({ id: 0, op: 'prime', args: { module, ranks: [] } }));
    }
    /** Set when the worker failed to start: every call then fails with it. */
    this.failed = worker.earlyError ?? null;
    worker.onmessage = (event) => worker === this.worker && this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      if (worker !== this.worker) return;
      if (!this.started) {
        // Never answered anything: it failed to start; restarting could loop.
        this.failed = event.message || 'the tokenizer worker failed to start';
        for (const id of [...this.pending.keys()]) this.refuse(id);
        return;
      }
      this.restart(event.message || 'an uncaught error');
    };
  }

  /** Terminates the worker, fails what was pending and starts a new one
   *  with the same vocabularies. */
  restart(reason) {
    this.worker.terminate();
    this.restarts++;
    const message = `the tokenizer worker crashed (${reason}); it was restarted and your vocabularies were re-created`;
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.start();
    this.call('restore', { items: [...this.recipes.values()] }).catch(() => {});
    for (const p of pending) {
      const e = new Error(message);
      e.crashed = true;
      p.reject(e);
    }
    this.onRestart?.(message);
  }

  receive(msg) {
    this.started = true;
    const p = this.pending.get(msg.id);
    if (!p) return;
    if ('progress' in msg) {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
    if (msg.fatal) this.restart(msg.error);
  }

  /** Remembers how to re-create the vocabulary a successful call made. */
  record(op, args, result) {
    if (op === 'load' && args.source && args.source.kind !== 'pretrained') this.recipes.set(args.name, { name: args.name, source: args.source });
    else if (op === 'drop') this.recipes.delete(args.name);
    else if (op === 'train' && result?.name) {
      this.recipes.delete(result.name);
      this.call('export', { name: result.name, format: 'model' }).then(
        (text) => this.recipes.set(result.name, { name: result.name, source: { kind: 'model', text } }),
        () => {},
      );
    }
  }

  /** Sends one request. Returns a promise with a `requestId` property
   *  (to `cancel` it). */
  call(op, args = {}, { transfer = [], onProgress } = {}) {
    const id = this.nextId++;
    const promise = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
    });
    promise.requestId = id;
    if (this.failed) {
      this.refuse(id);
      return promise;
    }
    if (this.worker) this.worker.postMessage({ id, op, args }, transfer);
    else this.waiting.push([{ id, op, args }, transfer]);
    if (op === 'load' || op === 'drop' || op === 'train') promise.then((result) => this.record(op, args, result), () => {});
    return promise;
  }

  /** Asks the worker to stop the request `requestId` (training). It stops
   *  between slices (≤ ~25 ms); the request then rejects with "cancelled".
   *  A worker that does not stop within CANCEL_GRACE_MS is restarted. */
  cancel(requestId) {
    this.wake();
    const worker = this.worker;
    setTimeout(() => {
      if (this.worker === worker && this.pending.has(requestId)) this.restart('it did not answer a Cancel');
    }, CANCEL_GRACE_MS);
    return this.call('cancel', { target: requestId }).catch(() => false);
  }

  /** Like `call`, but drops stale requests of the same lane (see above). */
  latest(lane, op, args) {
    let state = this.lanes.get(lane);
    if (!state) this.lanes.set(lane, (state = { busy: false, queued: null }));
    return new Promise((resolve, reject) => {
      if (state.queued) state.queued.resolve(null);
      state.queued = { op, args, resolve, reject };
      if (!state.busy) this.pump(state);
    });
  }

  pump(state) {
    const job = state.queued;
    if (!job) return;
    state.queued = null;
    state.busy = true;
    this.call(job.op, job.args)
      .then(job.resolve, job.reject)
      .finally(() => {
        state.busy = false;
        this.pump(state);
      });
  }
}
