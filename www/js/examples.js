// Preset texts for the examples menu (for lectures): each shows one reason
// tokenization matters.

export const DEFAULT_TEXT = `Tokenizers turn text into numbers. "Hello, world!" becomes a few tokens; 12345678 becomes several.

def greet(name):
    return f"Hello, {name}!"  # code indentation costs tokens too

日本語のテキストはトークンが多い。 Ünïcödé, emoji 🙂👍🏽 and flags 🇺🇦 split into byte pieces.`;

export const EXAMPLES = [
  {
    id: 'numbers',
    title: 'Numbers and arithmetic',
    text: `127 + 677 = 804
1234567890123456789 × 2 = 2469135780246913578
3.14159265358979 and 2.71828
The year 2024, the year 1999, the number 1000000.`,
  },
  {
    id: 'code',
    title: 'Code indentation',
    text: `class Greeter:
    def __init__(self, name):
        self.name = name

    def greet(self):
        if self.name:
            for i in range(3):
                print(f"Hello, {self.name}! ({i})")
`,
  },
  {
    id: 'languages',
    title: 'Non-English costs more',
    text: `The weather is nice today.
Das Wetter ist heute schön.
Il fait beau aujourd'hui.
今日はいい天気ですね。
Сегодня хорошая погода.
오늘은 날씨가 좋네요.
आज मौसम अच्छा है।`,
  },
  {
    id: 'case',
    title: 'Spaces and capitals',
    text: `hello
 hello
Hello
 Hello
HELLO
 HELLO
hello   
hElLo`,
  },
  {
    id: 'emoji',
    title: 'Emoji, flags, ZWJ',
    text: `🙂 👍🏽 🇺🇦 🇯🇵 👩‍👩‍👧‍👦 🧑🏾‍💻 🏳️‍🌈
— “quotes” … ™ ∑ π ≈ 3.14`,
  },
  {
    id: 'special',
    title: 'Special tokens',
    text: `First document.<|endoftext|>Second document.
<|fim_prefix|>def add(a, b):<|fim_suffix|>    return c<|fim_middle|>`,
  },
  {
    id: 'rare',
    title: 'Rare-token curiosities',
    text: `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
==============================================
pneumonoultramicroscopicsilicovolcanoconiosis
 SolidGoldMagikarp  davidjl  petertodd`,
  },
];
