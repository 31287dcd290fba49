// Texts the browser tests encode in the page and compare with tiktoken-rs's
// ids (harness.mjs `oracle`, cached in reference.json under a hash of this
// exact list: [MULTILINGUAL, TYPED, SPECIAL, PARTIAL]). LF only: a textarea
// normalises CRLF to LF.

export const MULTILINGUAL = [
  'Hello, world! The quick brown fox jumps over 13 lazy dogs; 1234567 + 89 = 1234656.',
  'def f(x):\n    return x ** 2  # indentation\n\t\ttabs   and trailing spaces   \n',
  '日本語のテキスト、中文文本，한국어 텍스트, русский текст, العربية, हिन्दी.',
  'Emoji 🙂👍🏽🇺🇦 family 👩‍👩‍👧‍👦 rainbow 🏳️‍🌈 and symbols — “quotes” … ™ ∑ π ≈ 3.14',
  "It's we've they'll I'M ünïcödé\nnew line\n\n\nend",
].join('\n');
export const TYPED = 'hello world 🙂';
export const SPECIAL = 'first<|endoftext|>second';
export const PARTIAL = 'a🙂b';
