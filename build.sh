#!/usr/bin/env bash
# BPE Playground build script.
#   ./build.sh serve   install what is missing, build, and serve the page on http://127.0.0.1:8000
#   ./build.sh test    install what is missing, build, and run every test
#   ./build.sh bench   run the benchmarks beside the peers (see BENCHMARKS.md)
#   ./build.sh build   install what is missing and build (native CLI, wasm, rank files)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
WASM_BINDGEN_VERSION=0.2.129
export PATH="$HOME/.cargo/bin:$ROOT/tests/node_modules/.bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# ---- setup: idempotent installs -------------------------------------------
setup_rust() {
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
    || { log "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked
  fi
}

setup_node() {
  if [ ! -x tests/node_modules/.bin/wasm-opt ] || [ ! -d tests/node_modules/playwright-core ] || [ ! -d tests/node_modules/puppeteer-core ]; then
    log "installing npm packages (binaryen, playwright-core, puppeteer-core) into tests/node_modules"
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

setup_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/firefox-esr ]; then
    log "installing Debian's chromium, chromium-driver and firefox-esr"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver firefox-esr
  fi
}

# ---- build -----------------------------------------------------------------
# Rank files come from the tiktoken-rs crate's assets (a registry package).
copy_vocab() {
  mkdir -p www/vocab
  local dir
  dir=$(cargo metadata --format-version 1 2>/dev/null | python3 -c '
import json, sys, os
m = json.load(sys.stdin)
p = [p for p in m["packages"] if p["name"] == "tiktoken-rs"][0]
print(os.path.join(os.path.dirname(p["manifest_path"]), "assets"))')
  for name in r50k_base p50k_base cl100k_base o200k_base; do
    cmp -s "$dir/$name.tiktoken" "www/vocab/$name.tiktoken" || cp "$dir/$name.tiktoken" "www/vocab/$name.tiktoken"
  done
}

build_native() {
  log "building the native CLI"
  cargo build --release --bin bpe-playground
}

build_wasm() {
  log "building the wasm module"
  cargo build --lib --profile wasm --target wasm32-unknown-unknown
  wasm-bindgen --target web --remove-name-section --out-dir www/pkg \
    target/wasm32-unknown-unknown/wasm/bpe_playground.wasm
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    -o www/pkg/bpe_playground_bg.wasm www/pkg/bpe_playground_bg.wasm
}

# The page loads the rank files packed (src/formats/packed.rs): half the
# bytes of the .tiktoken text, and no base64 to decode.
pack_vocab() {
  local name
  for name in r50k_base p50k_base cl100k_base o200k_base; do
    if [ ! -f "www/vocab/$name.ranks" ] || [ "www/vocab/$name.tiktoken" -nt "www/vocab/$name.ranks" ] \
      || [ target/release/bpe-playground -nt "www/vocab/$name.ranks" ]; then
      target/release/bpe-playground pack -o "www/vocab/$name.ranks" "www/vocab/$name.tiktoken"
    fi
  done
}

build_all() {
  setup_rust
  setup_node
  copy_vocab
  build_native
  pack_vocab
  build_wasm
}

# ---- entries -----------------------------------------------------------------
cmd=${1:-serve}
case "$cmd" in
  build)
    build_all
    ;;
  serve)
    build_all
    port=${PORT:-8000}
    log "serving the page on http://127.0.0.1:$port/ (Ctrl-C to stop)"
    exec python3 -m http.server "$port" --bind 127.0.0.1 --directory www
    ;;
  test)
    setup_browser
    build_all
    log "cargo fmt --check and clippy"
    cargo fmt --check
    cargo clippy --all-targets -- -D warnings
    cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings
    log "native tests"
    cargo test --release
    log "wasm facade tests (wasm-bindgen-test in headless Chromium)"
    CHROMEDRIVER=/usr/bin/chromedriver \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$HOME/.cargo/bin/wasm-bindgen-test-runner" \
      cargo test --target wasm32-unknown-unknown --test wasm_facade
    log "browser end-to-end tests"
    # Explicit files: Node 20 and later versions agree on what runs.
    node --test tests/e2e/*.test.mjs
    ;;
  bench)
    setup_browser
    build_all
    RUNS=${RUNS:-5}; WARMUP=${WARMUP:-1}; ROUNDS=${ROUNDS:-3}
    CORPORA="${CORPORA:-/work/shared/corpus/tinyshakespeare.txt /work/shared/corpus/multilingual.txt}"
    TRAIN_CORPUS="${TRAIN_CORPUS:-/work/shared/corpus/tinyshakespeare.txt}"
    if [ ! -d tests/bench/node_modules/gpt-tokenizer ]; then
      log "installing the Node peers into tests/bench/node_modules"
      npm install --prefix tests/bench --no-audit --no-fund --loglevel=error
    fi
    VENV=target/bench-venv
    if ! "$VENV/bin/python" -c 'import rustbpe, tokenizers' 2>/dev/null; then
      log "installing the Python peers (rustbpe, tokenizers) into $VENV"
      python3 -m venv "$VENV"
      "$VENV/bin/pip" install -q rustbpe tokenizers
    fi
    log "building the native peers (tiktoken-rs, bpe-openai)"
    cargo build --release --example bench_peers
    mkdir -p target/bench
    OUT=target/bench/results.tsv
    : > "$OUT"
    # shellcheck disable=SC2086
    {
      # Encoding and training: ROUNDS rounds, ours then the peers in each, so that a
      # machine that speeds up or slows down for a while (a shared host)
      # weighs on both sides; summary.py takes the median of the rounds.
      for round in $(seq 1 "$ROUNDS"); do
        worst=""; [ "$round" = 1 ] && worst=--worst-case
        log "native encode, round $round of $ROUNDS"
        target/release/bpe-playground bench encode --runs "$RUNS" --warmup "$WARMUP" --enc cl100k_base,o200k_base $worst $CORPORA
        target/release/examples/bench_peers encode --runs "$RUNS" --warmup "$WARMUP" --enc cl100k_base,o200k_base $CORPORA
      done
      for round in $(seq 1 "$ROUNDS"); do
        worst=""; [ "$round" = 1 ] && worst=--worst-case
        log "wasm encode (Node), round $round of $ROUNDS"
        node tests/bench/wasm.mjs encode --runs "$RUNS" --warmup "$WARMUP" --enc cl100k_base,o200k_base $worst $CORPORA
        node tests/bench/node_peers.mjs encode --runs "$RUNS" --warmup "$WARMUP" --enc cl100k_base,o200k_base $CORPORA
      done
      for round in $(seq 1 "$ROUNDS"); do
        log "training, round $round of $ROUNDS"
        target/release/bpe-playground bench train --runs 3 --warmup 1 --vocab 4096,32768 "$TRAIN_CORPUS"
        node tests/bench/wasm.mjs train --runs 3 --warmup 1 --vocab 4096,32768 "$TRAIN_CORPUS"
        "$VENV/bin/python" tests/bench/py_peers.py train --runs 3 --warmup 1 --vocab 4096,32768 "$TRAIN_CORPUS"
      done
      if [ -f tests/bench/page.mjs ]; then
        log "page (headless Chromium)"
        node tests/bench/page.mjs || log "page bench failed"
      fi
    } | tee "$OUT"
    log "targets (measured / peer or limit / ratio), lines in $OUT"
    python3 tests/bench/summary.py www < "$OUT" | column -t -s $'\t'
    ;;
  *)
    echo "usage: ./build.sh [serve|test|bench|build]" >&2
    exit 2
    ;;
esac
