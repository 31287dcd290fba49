"""Training peers in the bench column format (see tests/bench/common.mjs):
Karpathy's rustbpe and Hugging Face tokenizers, GPT-4 split pattern.

    python3 tests/bench/py_peers.py train --runs 3 --warmup 1 --vocab 4096,32768 FILE...

ids_hash for train hashes the merges as the flat list left0, right0, left1, ...
in minbpe numbering (byte b is id b, merge i makes id 256 + i) with FNV-1a 64
over each u32's 4 little-endian bytes. rustbpe numbers ids the same way; its
merge pairs are recovered from its ranks (BPE of each token's bytes with only
lower ranks). HF tokenizers numbers its vocabulary differently (NA).
"""
import os
import statistics
import sys
import time

GPT4 = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"""


def ids_hash(ids):
    h = 0xCBF29CE484222325
    for i in ids:
        for b in i.to_bytes(4, "little"):
            h ^= b
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def timed(runs, warmup, f):
    last = None
    for _ in range(warmup):
        last = f()
    times = []
    for _ in range(max(1, runs)):
        t = time.perf_counter()
        last = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), last


def line(peer, corpus, vocab, median, nbytes, merges, runs, h, note):
    print("\t".join([peer, "train", corpus, str(vocab), f"{median:.6f}", f"{nbytes / 1e6 / median:.3f}",
                     "NA", f"{merges / median:.1f}", str(runs), h, note or "NA"]), flush=True)


def pairs_from_ranks(ranks):
    """(left, right) of each merge, in rank order, from rustbpe's ranks."""
    by_bytes = {bytes(b): r for b, r in ranks}
    out = []
    for b, r in sorted(ranks, key=lambda x: x[1]):
        b = bytes(b)
        if len(b) < 2:
            continue
        parts = [b[i:i + 1] for i in range(len(b))]
        while len(parts) > 2:
            best = None
            for i in range(len(parts) - 1):
                rank = by_bytes.get(parts[i] + parts[i + 1])
                if rank is not None and rank < r and (best is None or rank < best[0]):
                    best = (rank, i)
            if best is None:
                break
            i = best[1]
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        if len(parts) == 2:
            out.extend([by_bytes[parts[0]], by_bytes[parts[1]]])
    return out


def main():
    args = sys.argv[1:]
    if not args or args[0] != "train":
        sys.exit("usage: py_peers.py train [--runs N] [--warmup N] [--vocab a,b] FILE...")
    runs, warmup, vocabs, files = 3, 1, [4096, 32768], []
    it = iter(args[1:])
    for a in it:
        if a == "--runs":
            runs = int(next(it))
        elif a == "--warmup":
            warmup = int(next(it))
        elif a == "--vocab":
            vocabs = [int(v) for v in next(it).split(",")]
        else:
            files.append(a)
    import rustbpe
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers, Regex

    for path in files:
        name = os.path.basename(path)
        name = name[:-4] if name.endswith(".txt") else name
        with open(path, encoding="utf-8") as f:
            text = f.read()
        nbytes = len(text.encode("utf-8"))
        for vocab in vocabs:
            def run_rustbpe():
                tok = rustbpe.Tokenizer()
                tok.train_from_iterator(iter([text]), vocab, pattern=GPT4)
                return tok
            median, tok = timed(runs, warmup, run_rustbpe)
            ranks = tok.get_mergeable_ranks()
            pairs = pairs_from_ranks(ranks)
            line("rustbpe", name, vocab, median, nbytes, len(pairs) // 2, runs, ids_hash(pairs),
                 f"merges={len(pairs) // 2};pattern=gpt4")

            def run_hf():
                tok = Tokenizer(models.BPE())
                tok.pre_tokenizer = pre_tokenizers.Sequence([
                    pre_tokenizers.Split(Regex(GPT4), behavior="isolated"),
                    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
                ])
                trainer = trainers.BpeTrainer(vocab_size=vocab, show_progress=False,
                                              initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                              special_tokens=[])
                tok.train_from_iterator([text], trainer=trainer)
                return tok
            median, tok = timed(runs, warmup, run_hf)
            merges = tok.get_vocab_size() - 256
            line("tokenizers", name, vocab, median, nbytes, merges, runs, "NA",
                 f"merges={merges};pattern=gpt4;own tie-breaking")


if __name__ == "__main__":
    main()
