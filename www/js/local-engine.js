// The main view's fast path: a second instance of the engine, on the page's
// own thread, holding the one pretrained encoding the main view shows.
//
// A keystroke is answered here, synchronously: the engine re-encodes only
// around the edit (EncodeSession, in Rust) in well under a millisecond, so
// the chips are redrawn in the same frame as the text box. Through the
// worker, the answer arrives after that frame, and the chips one frame
// later. Everything else stays in the worker: the other views, trained and
// loaded vocabularies, and first encodings of long texts (a paste), which
// the page sends there so that it never blocks for long.
//
// Cost: one more copy of the selected encoding in memory (see
// BENCHMARKS.md), and parsing its rank file here once, when the page is
// idle (at start-up: while it loads anyway).
//
//   const local = new LocalEngine(wasmModulePromise);
//   local.hold('cl100k_base', rankBytesPromise);   // or fetched when idle
//   local.encode('cl100k_base', utf8, 'none')  // {ids, starts, ends} | null

import init, { WasmTokenizer, EncodeSession } from '../pkg/bpe_playground.js';
import { describe } from './describe.js';
import { fetchRanks } from './rank-files.js';

/** A first encoding on this thread is for texts up to this many bytes... */
export const LOCAL_TEXT_LIMIT = 256 * 1024;
/** ...or for edits of the last text that change its length by at most
 *  this, in texts of up to LOCAL_EDIT_TEXT_LIMIT bytes (a same-length
 *  replacement is encoded whole: at most about 50 ms here). */
export const LOCAL_EDIT_LIMIT = 4096;
export const LOCAL_EDIT_TEXT_LIMIT = 2 * 1024 * 1024;

/** Numbers the results of the sessions here (see run). */
let serial = 0;

const whenIdle = (fn, timeout = 1000) => (globalThis.requestIdleCallback ? requestIdleCallback(fn, { timeout }) : setTimeout(fn, Math.min(timeout, 200)));

/** How long the engine here waits at most for an idle moment to catch up
 *  with a long text the worker encodes (ms): someone typing on, on a busy
 *  page, leaves no idle moment at all. (Catching up with 1 MB took 48-56 ms
 *  here, once.) */
const CATCH_UP_MS = 100;

export class LocalEngine {
  /** @param {Promise<WebAssembly.Module>} module  the compiled engine (boot.js) */
  constructor(module) {
    this.engine = Promise.resolve(module).then((m) => init({ module_or_path: m }));
    /** {name, promise: Promise<WasmTokenizer | null>, tok, session, lastBytes,
     *  behind: {utf8, allowed} of the last long text the worker encoded,
     *  for the session to catch up, catching: a catch-up is scheduled} */
    this.held = null;
    /** Set when the engine here failed (it is then not used again). */
    this.broken = false;
    /** The name holdWhenIdle waits to hold. */
    this.waiting = null;
  }

  /** Starts holding pretrained `name` (dropping the one held before), from
   *  `bytes` (a promise of its rank file) or fetched from vocab/. */
  hold(name, bytes = null) {
    if (this.broken || this.held?.name === name) return;
    this.drop();
    const held = { name, tok: null, session: null, lastBytes: -1, behind: null, catching: false };
    const file = bytes ?? fetchRanks(name).catch(() => null);
    held.promise = Promise.all([file, this.engine])
      .then(([buf]) => {
        if (!buf || this.held !== held) return null;
        held.tok = WasmTokenizer.pretrained(name, new Uint8Array(buf));
        held.session = new EncodeSession();
        return held.tok;
      })
      .catch((e) => {
        this.failed(e);
        return null;
      });
    this.held = held;
  }

  /** `hold(name)` when the page is next idle, if `stillWanted()` then. */
  holdWhenIdle(name, stillWanted) {
    if (this.broken || this.holds(name) || this.waiting === name) return;
    this.waiting = name;
    whenIdle(() => {
      if (this.waiting !== name) return;
      this.waiting = null;
      if (stillWanted()) this.hold(name);
    });
  }

  drop() {
    const held = this.held;
    this.held = null;
    if (!held) return;
    held.session?.free();
    held.tok?.free();
  }

  /** Whether `name` is held here (perhaps still parsing). */
  holds(name) {
    return !this.broken && this.held?.name === name;
  }

  /** Settles when `name` is ready here: true, or false (use the worker). */
  async ready(name) {
    if (!this.holds(name)) return false;
    return !!(await this.held.promise) && this.holds(name);
  }

  /** The description worker.js's `load` gives, or null if not ready here. */
  describe(name) {
    const tok = this.holds(name) && this.held.tok;
    return tok ? describe(name, tok) : null;
  }

  /** {ids, starts, ends} of the text whose UTF-8 bytes are `utf8` (handed
   *  to the engine as they are), or null when it is the worker's to do: not
   *  held or not ready here, a long text that is not an edit of the last
   *  one, or an error (the worker then reports it). */
  encode(name, utf8, allowed) {
    const bytes = utf8.length;
    const held = this.holds(name) ? this.held : null;
    if (!held?.tok) return null;
    const small = bytes <= LOCAL_EDIT_TEXT_LIMIT;
    const edit = small && held.lastBytes >= 0 && Math.abs(bytes - held.lastBytes) <= LOCAL_EDIT_LIMIT;
    if (bytes > LOCAL_TEXT_LIMIT && !edit) {
      // The worker encodes this one; the session here catches up with the
      // latest such text at the next idle moment (or after CATCH_UP_MS), so
      // that the edits that follow are answered here. (Once: a key typed
      // meanwhile goes to the worker too, and moves what it catches up to.)
      held.lastBytes = -1;
      held.behind = small ? { utf8, allowed } : null;
      if (small && !held.catching) {
        held.catching = true;
        whenIdle(() => {
          held.catching = false;
          const behind = held.behind;
          if (this.held !== held || !behind) return;
          held.behind = null;
          this.run(held, behind.utf8, behind.allowed);
        }, CATCH_UP_MS);
      }
      return null;
    }
    held.behind = null;
    return this.run(held, utf8, allowed);
  }

  run(held, utf8, allowed) {
    try {
      const enc = held.session.encodeUtf8(held.tok, utf8, allowed);
      held.lastBytes = utf8.length;
      // `keptHead`/`keptTail` count tokens kept from the session's previous
      // result: `follows` names it, so that a view showing exactly that one
      // can skip its own scan for unchanged tokens (tokens-view.js).
      enc.serial = ++serial;
      enc.follows = held.lastSerial ?? 0;
      held.lastSerial = enc.serial;
      return enc;
    } catch (e) {
      // An encoding error (the worker says the same, with the page's error
      // display) leaves the engine usable; a trap does not.
      held.lastBytes = -1;
      this.failed(e);
      return null;
    }
  }

  /** After a trap the instance is not used again (nor freed: it may be in
   *  any state); the worker answers from then on. */
  failed(e) {
    if (!(e instanceof WebAssembly.RuntimeError)) return;
    this.broken = true;
    this.held = null;
  }
}
