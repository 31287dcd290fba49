// What the page learns of a loaded tokenizer (the worker's `load` answer,
// and the page's own engine's): name, sizes, special tokens, split pattern.

/** @param {string} name  @param {import('../pkg/bpe_playground.js').WasmTokenizer} tok */
export function describe(name, tok) {
  return {
    name,
    vocabSize: tok.vocabSize(),
    mergeCount: tok.mergeCount(),
    specials: tok.specialTokens(),
    patternName: tok.patternName(),
    patternRegex: tok.patternRegex(),
  };
}
