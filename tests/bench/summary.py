"""Reads bench lines (the shared column format) on stdin and prints every
target of issue 5 as measured / peer / ratio / met. Used by ./build.sh bench.
Repeated measurements (several rounds concatenated) are merged by median.

    cat results.tsv | python3 tests/bench/summary.py [WWW_DIR]
"""
import gzip
import os
import sys

rows = []
for raw in sys.stdin:
    f = raw.rstrip("\n").split("\t")
    if len(f) != 11:
        continue
    keys = "peer task corpus param median_s MB_per_s tokens merges_per_s runs ids_hash note".split()
    rows.append(dict(zip(keys, f)))


# Several rounds of the same measurement (e.g. the output of repeated runs
# concatenated) are merged: the median of their medians, MB/s recomputed.
groups = {}
for r in rows:
    groups.setdefault((r["peer"], r["task"], r["corpus"], r["param"]), []).append(r)
merged = []
for key, rs in groups.items():
    r = dict(rs[0])
    times = sorted(float(x["median_s"]) for x in rs if x["median_s"] != "NA")
    if times and len(rs) > 1:
        mb = float(rs[0]["MB_per_s"]) * float(rs[0]["median_s"]) if rs[0]["MB_per_s"] != "NA" else None
        n = len(times)
        med = times[n // 2] if n % 2 else (times[n // 2 - 1] + times[n // 2]) / 2
        r["median_s"] = f"{med:.6f}"
        if mb is not None:
            r["MB_per_s"] = f"{mb / med:.3f}"
        if "vs_english=" in r["note"]:
            ratios = sorted(float(x["note"].split("vs_english=")[1]) for x in rs)
            r["note"] = f"vs_english={ratios[len(ratios) // 2]:.2f}"
        r["rounds"] = len(rs)
    merged.append(r)
rows = merged


def get(peer, task, corpus, param):
    for r in rows:
        if (r["peer"], r["task"], r["corpus"], r["param"]) == (peer, task, corpus, param):
            return r
    return None


def num(r, key):
    try:
        return float(r[key])
    except (TypeError, ValueError, KeyError):
        return None


out = []


def target(name, measured, peer, ratio, need, unit, ok):
    fmt = lambda v: "NA" if v is None else f"{v:.3f}"
    out.append(f"{name}\t{fmt(measured)} {unit}\t{fmt(peer)} {unit}\t{fmt(ratio)}x (need {need})\t{'MET' if ok else 'NOT MET'}")


def speed_ratio(ours, peer, corpus, enc, need):
    a, b = get(ours, "encode", corpus, enc), get(peer, "encode", corpus, enc)
    ma, mb = num(a, "MB_per_s") if a else None, num(b, "MB_per_s") if b else None
    ratio = ma / mb if ma and mb else None
    same = a and b and a["ids_hash"] == b["ids_hash"]
    name = f"{ours.split(':')[1]} encode {corpus} {enc} vs {peer}" + ("" if same or not (a and b) else " (IDS DIFFER)")
    target(name, ma, mb, ratio, f">= {need}", "MB/s", ratio is not None and ratio >= need and same)


for corpus in ["tinyshakespeare", "multilingual"]:
    for enc in ["cl100k_base", "o200k_base"]:
        speed_ratio("bpe-playground:native", "bpe-openai", corpus, enc, 2)
        speed_ratio("bpe-playground:native", "tiktoken-rs", corpus, enc, 3)
for corpus in ["tinyshakespeare", "multilingual"]:
    for enc in ["cl100k_base", "o200k_base"]:
        speed_ratio("bpe-playground:wasm", "gpt-tokenizer", corpus, enc, 2)
        speed_ratio("bpe-playground:wasm", "tiktoken", corpus, enc, 4)

for vocab in ["4096", "32768"]:
    a, b = get("bpe-playground:native", "train", "tinyshakespeare", vocab), get("rustbpe", "train", "tinyshakespeare", vocab)
    ta, tb = (num(a, "median_s") if a else None), (num(b, "median_s") if b else None)
    target(f"native train tinyshakespeare {vocab} vs rustbpe (time)", ta, tb, tb / ta if ta and tb else None, "> 1", "s", bool(ta and tb and ta < tb))
    w = get("bpe-playground:wasm", "train", "tinyshakespeare", vocab)
    tw = num(w, "median_s") if w else None
    same = w and a and w["ids_hash"] == a["ids_hash"]
    target(f"wasm train tinyshakespeare {vocab} vs native (time)", tw, ta, tw / ta if tw and ta else None, "<= 2", "s", bool(tw and ta and tw / ta <= 2 and same))

for peer in ["bpe-playground:native", "bpe-playground:wasm"]:
    for r in rows:
        if r["peer"] == peer and r["corpus"].startswith("worst-"):
            v = r["note"].split("vs_english=")[-1]
            try:
                ratio = float(v)
            except ValueError:
                ratio = None
            target(f"{peer.split(':')[1]} {r['corpus']} {r['param']} time vs English of same size", num(r, "median_s"), None, ratio, "<= 10", "s", ratio is not None and ratio <= 10)

# The page's targets (seconds), from the issue.
# 100 KB of prose is held to the same keystroke target as 100 KB of verse.
# The keystroke lines type at a typist's pace (tests/bench/page.mjs);
# keystroke_p95_back_to_back, the earlier rounds' way, has no target.
PAGE_LIMITS = {"keystroke_p95": 0.016, "keystroke_p95_prose": 0.016, "first_tokens": 0.300, "cl100k_ready": 0.150}
for r in rows:
    if r["peer"] == "bpe-playground:page":
        limit = PAGE_LIMITS.get(r["corpus"])
        m = num(r, "median_s")
        if limit is not None:
            target(f"page {r['corpus']} ({r['param']})", m, limit, m / limit if m else None, "<= 1", "s", m is not None and m <= limit)
        if r["corpus"] == "keystroke_p95_back_to_back" and m:
            budget = PAGE_LIMITS["keystroke_p95"]
            out.append(f"page keystroke_p95 with keys back to back (the earlier way)\t{m:.3f} s\t{budget:.3f} s\t{m / budget:.2f}x\t(no target; BENCHMARKS.md §5)")
        if r["corpus"] in ("keystroke_p95", "keystroke_p95_1KB", "keystroke_p95_back_to_back"):
            bare = next((x for x in rows if x["peer"] == "chromium:textarea" and x["corpus"] == r["corpus"]), None)
            b = num(bare, "median_s") if bare else None
            if b and m:
                out.append(f"page {r['corpus']} vs a bare textarea (same text, same run)\t{m:.3f} s\t{b:.3f} s\t{m / b:.2f}x\t(the floor; no target)")
        # (A typist's key comes to an idle page, whose frame is dated at the
        # last vsync, before the key: every such key counts, so only keys
        # back to back are worth the line.)
        if r["corpus"].startswith("keystroke_p95") and "next_frame=" in r["note"] and "pace=typist" not in r["note"]:
            shown = r["note"].split("next_frame=")[1].split(";")[0]
            out.append(f"page {r['corpus']} ({r['param']}): keys shown without a skipped frame\t{shown}\tNA\tNA\t(no target; see BENCHMARKS.md §5)")
        if r["corpus"] == "keystroke_p95_1KB" and m:
            budget = PAGE_LIMITS["keystroke_p95"]
            out.append(f"page keystroke_p95 at 1 KB vs the 16 ms budget\t{m:.3f} s\t{budget:.3f} s\t{m / budget:.2f}x\t(no target at 1 KB)")

wasm = next((r for r in rows if r["peer"] == "bpe-playground:wasm" and "wasm_gz_KB=" in r["note"]), None)
if wasm:
    kb = float(wasm["note"].split("wasm_gz_KB=")[1].split(";")[0])
    target(".wasm gzipped", kb, 400, kb / 400, "<= 1", "KB", kb <= 400)
www = sys.argv[1] if len(sys.argv) > 1 else "www"
if os.path.isdir(www):
    total = 0
    for d, _, files in os.walk(www):
        if os.path.relpath(d, www).split(os.sep)[0] == "vocab":
            continue
        for fn in files:
            with open(os.path.join(d, fn), "rb") as fh:
                total += len(gzip.compress(fh.read(), 9))
    target("page without rank files, gzipped", total / 1024, 500, total / 1024 / 500, "<= 1", "KB", total / 1024 <= 500)

print("target\tmeasured\tpeer/limit\tratio\tstatus")
print("\n".join(out))
