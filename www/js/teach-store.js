// Shared state of the teaching features: the toy vocabularies this page made
// or loaded (with how they were made, for sharing and saving), and the Train
// panel's settings. Module state, no globals.

import { formatNumber } from './format.js';

/** The split patterns the Train panel offers (values are engine names). */
export const PATTERNS = [
  { value: 'none', label: 'none (minbpe Basic: no split)' },
  { value: 'gpt2', label: 'GPT-2 (minbpe)' },
  { value: 'gpt4', label: 'GPT-4 (minbpe)' },
  { value: 'r50k', label: 'r50k_base (tiktoken)' },
  { value: 'cl100k', label: 'cl100k_base (tiktoken)' },
  { value: 'o200k', label: 'o200k_base (tiktoken)' },
  { value: 'custom', label: 'custom regex…' },
];
export const PATTERN_VALUES = PATTERNS.map((p) => p.value);

export const MIN_VOCAB = 256;
export const MAX_VOCAB = 65536;
/** The largest training file (bytes): the trainer needs several times this in memory. */
export const CORPUS_FILE_LIMIT = 50 * 1024 * 1024;
/** A corpus up to this many bytes travels inside a share link. */
export const SHARE_CORPUS_LIMIT = 20000;

/**
 * name -> {name, label, model: string | null (.model text, for saving),
 *          training: {vocabSize, pattern, regex, specials} | null,
 *          corpus: string | null (the corpus text when small enough to share),
 *          corpusBytes: number}
 */
export const toys = new Map();

/** The Train panel's settings (saved and shared). */
export const trainSettings = { vocabSize: 512, pattern: 'gpt4', regex: '', specials: '' };

/** The engine's pattern argument for settings: a name, or the custom regex. */
export function patternArg(settings) {
  return settings.pattern === 'custom' ? settings.regex : settings.pattern;
}

/** Checks a vocab size; returns an error message or ''. */
export function vocabSizeError(value) {
  const n = Number(value);
  if (String(value).trim() === '' || !Number.isInteger(n) || n < MIN_VOCAB || n > MAX_VOCAB)
    return `Vocab size must be a whole number from ${MIN_VOCAB} (bytes only) to ${formatNumber(MAX_VOCAB)}.`;
  return '';
}

/** "<|a|> <|b|>" -> JSON [["<|a|>", vocabSize], ["<|b|>", vocabSize + 1]] for the engine. */
export function specialsJson(text, vocabSize) {
  const list = text.split(/\s+/).filter(Boolean);
  const seen = new Set();
  for (const s of list) {
    if (seen.has(s)) throw new Error(`special token ${s} is listed twice`);
    seen.add(s);
  }
  return list.length ? JSON.stringify(list.map((s, i) => [s, vocabSize + i])) : '';
}

/** The toy's name for some settings: toy-512-gpt4. */
export function toyName(settings) {
  return `toy-${settings.vocabSize}-${settings.pattern}`;
}
