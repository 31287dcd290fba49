#!/usr/bin/env python3
"""Builds Hugging Face tokenizer.json fixtures and the ids the `tokenizers`
library gives for them, for tests/hf.rs.

    python3 tests/hf/make_fixtures.py OUT_DIR CL100K_TIKTOKEN_FILE CORPUS...

Writes into OUT_DIR, for each fixture NAME:
  NAME.json      the tokenizer.json
  NAME.ids.json  {"corpus file name": [ids], ..., "probe": [ids]}
                 from encode(text, add_special_tokens=False)
and probe.txt (the probe text, with special-token text in it), then
done.stamp last.

Fixtures:
  bytelevel  ByteLevel BPE (GPT-2 regex) trained on taylorswift.txt, vocab
             1000, merges written in the "a b" string form, one special token
  split      Split(Llama 3 regex, Isolated) + ByteLevel(use_regex=False),
             trained on taylorswift.txt, vocab 1000, ignore_merges true,
             merges in the ["a", "b"] pair form, special and plain added tokens
  cl100k     converted from cl100k_base ranks: vocab = ranks, merges
             recovered, Split(cl100k regex) + ByteLevel, its special tokens

    python3 tests/hf/make_fixtures.py --encode TOKENIZER_JSON OUT_JSON FILE...

encodes FILEs with a tokenizer.json (used to check exported files).
"""

import base64
import json
import os
import sys

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

LLAMA3_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
CL100K_REGEX = (
    r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+"
    r"| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"
)
CL100K_SPECIAL = [
    ("<|endoftext|>", 100257),
    ("<|fim_prefix|>", 100258),
    ("<|fim_middle|>", 100259),
    ("<|fim_suffix|>", 100260),
    ("<|endofprompt|>", 100276),
]
PROBE = (
    "Hello<|endoftext|> world <|endoftext|><|endoftext|>x<|fim_prefix|>def f():\n"
    "    return 1<|fim_suffix|>  <|fim_middle|>\n\n<|endofprompt|>"
    "<|begin_of_text|>The end.<|eot_id|> <|end|>Ünïcödé 漢字 🎉  \n"
    "<|endoftext<|endoftext|>|> don't I'LL 12345 ééé"
)


def bytes_to_unicode():
    bs = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def train(corpus, pre_tokenizer, special):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizer
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1000,
        min_frequency=1,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=special,
    )
    tok.train([corpus], trainer)
    return json.loads(tok.to_str())


def bytelevel(corpus):
    j = train(
        corpus,
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ["<|endoftext|>"],
    )
    j["model"]["merges"] = [f"{a} {b}" for a, b in j["model"]["merges"]]
    return j


def split(corpus):
    pre = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(LLAMA3_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    j = train(corpus, pre, ["<|begin_of_text|>", "<|eot_id|>"])
    j["model"]["ignore_merges"] = True
    j["model"]["merges"] = [list(m) for m in j["model"]["merges"]]
    tok = Tokenizer.from_str(json.dumps(j))
    tok.add_tokens(["<|end|>"])  # a plain (non-special) added token
    return json.loads(tok.to_str())


def bpe_parts(ranks, token, max_rank):
    """tiktoken's byte_pair_merge on `token` using only ranks < max_rank."""
    parts = [token[i : i + 1] for i in range(len(token))]
    while len(parts) > 1:
        best = None
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and r < max_rank and (best is None or r < best[0]):
                best = (r, i)
        if best is None:
            break
        i = best[1]
        parts[i : i + 2] = [parts[i] + parts[i + 1]]
    return parts


def cl100k(rank_file):
    ranks = {}
    with open(rank_file, "rb") as f:
        for line in f:
            if line.strip():
                tok, rank = line.split()
                ranks[base64.b64decode(tok)] = int(rank)
    b2u = bytes_to_unicode()
    show = lambda bs: "".join(b2u[b] for b in bs)
    vocab = {show(t): r for t, r in ranks.items()}
    merges = []
    for t, r in sorted(ranks.items(), key=lambda x: x[1]):
        if len(t) < 2:
            continue
        parts = bpe_parts(ranks, t, r)
        assert len(parts) == 2, (t, parts)
        merges.append([show(parts[0]), show(parts[1])])
    added = []
    for content, i in CL100K_SPECIAL:
        vocab[content] = i  # in the vocab so that the library keeps the id
        added.append(
            {"id": i, "content": content, "single_word": False, "lstrip": False,
             "rstrip": False, "normalized": False, "special": True}
        )
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": CL100K_REGEX}, "behavior": "Isolated", "invert": False},
                byte_level,
            ],
        },
        "post_processor": None,
        "decoder": dict(byte_level, use_regex=True),
        "model": {
            "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
            "ignore_merges": False, "vocab": vocab, "merges": merges,
        },
    }


def encode_files(tok_json, files, extra=None):
    tok = Tokenizer.from_str(tok_json)
    out = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        out[os.path.basename(path)] = tok.encode(text, add_special_tokens=False).ids
    for name, text in (extra or {}).items():
        out[name] = tok.encode(text, add_special_tokens=False).ids
    return out


def main(argv):
    if argv[1:2] == ["--encode"]:
        tok_path, out_path, files = argv[2], argv[3], argv[4:]
        with open(tok_path, encoding="utf-8") as f:
            ids = encode_files(f.read(), files)
        with open(out_path, "w") as f:
            json.dump(ids, f)
        return
    out_dir, rank_file, corpora = argv[1], argv[2], argv[3:]
    os.makedirs(out_dir, exist_ok=True)
    taylor = next(c for c in corpora if c.endswith("taylorswift.txt"))
    fixtures = {
        "bytelevel": lambda: bytelevel(taylor),
        "split": lambda: split(taylor),
        "cl100k": lambda: cl100k(rank_file),
    }
    with open(os.path.join(out_dir, "probe.txt"), "w", encoding="utf-8") as f:
        f.write(PROBE)
    for name, build in fixtures.items():
        text = json.dumps(build(), ensure_ascii=False)
        # The library must load it, and saving it again must not change ids.
        with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8") as f:
            f.write(text)
        ids = encode_files(text, corpora, {"probe": PROBE})
        with open(os.path.join(out_dir, name + ".ids.json"), "w") as f:
            json.dump(ids, f)
    with open(os.path.join(out_dir, "done.stamp"), "w") as f:
        f.write("ok\n")


if __name__ == "__main__":
    main(sys.argv)
