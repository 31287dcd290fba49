// Downloading a built-in encoding's rank file (www/vocab/, a build output),
// for the worker and for the page's own engine (local-engine.js). The page
// loads them packed (`.ranks`, see src/formats/packed.rs): half the bytes of
// the `.tiktoken` text, and quicker to read. boot.js fetches the default
// encoding's file the same way.

/** Resolves to the bytes of `name`'s rank file; rejects with a readable
 *  message when the download fails. */
export function fetchRanks(name) {
  return fetch(new URL(`../vocab/${name}.ranks`, import.meta.url)).then(
    (r) => {
      if (!r.ok) throw new Error(`could not load the rank file of ${name} (HTTP ${r.status})`);
      return r.arrayBuffer();
    },
    (e) => {
      throw new Error(`could not download the rank file of ${name} (${e instanceof Error ? e.message : e})`);
    },
  );
}
