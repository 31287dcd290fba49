// Downloading a built-in encoding's rank file (www/vocab/, a build output),
// for the worker and for the page's own engine (local-engine.js).

/** Resolves to the bytes of `name`'s rank file; rejects with a readable
 *  message when the download fails. */
export function fetchRanks(name) {
  return fetch(new URL(`../vocab/${name}.tiktoken`, import.meta.url)).then(
    (r) => {
      if (!r.ok) throw new Error(`could not load the rank file of ${name} (HTTP ${r.status})`);
      return r.arrayBuffer();
    },
    (e) => {
      throw new Error(`could not download the rank file of ${name} (${e instanceof Error ? e.message : e})`);
    },
  );
}
