// Promise-based RPC to the tokenizer worker (www/worker.js).
//
//   const client = new WorkerClient();
//   await client.call('load', {name: 'cl100k_base'});
//   const enc = await client.latest('main', 'encode', {name, text, allowed});
//
// `latest(lane, …)` keeps at most one request in flight per lane and only the
// newest waiting one: a request superseded before it was sent resolves to
// `null` (the caller simply skips rendering). Results come back in order.

export class WorkerClient {
  constructor(url = new URL('../worker.js', import.meta.url)) {
    this.url = url;
    this.nextId = 1;
    /** id -> {resolve, reject, onProgress} */
    this.pending = new Map();
    /** lane -> {busy: boolean, queued: {op, args, resolve, reject} | null} */
    this.lanes = new Map();
    this.start();
  }

  start() {
    this.worker = new Worker(this.url, { type: 'module' });
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      const message = event.message || 'the tokenizer worker failed to start';
      for (const p of this.pending.values()) p.reject(new Error(message));
      this.pending.clear();
    };
  }

  receive(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if ('progress' in msg) {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  }

  /** Sends one request. Returns a promise with a `requestId` property
   *  (to `cancel` it). */
  call(op, args = {}, { transfer = [], onProgress } = {}) {
    const id = this.nextId++;
    const promise = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
    });
    promise.requestId = id;
    this.worker.postMessage({ id, op, args }, transfer);
    return promise;
  }

  /** Asks the worker to stop the request `requestId` (training). It stops
   *  between slices (≤ ~25 ms); the request then rejects with "cancelled". */
  cancel(requestId) {
    return this.call('cancel', { target: requestId });
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
