#!/usr/bin/env bash
# build.sh — the one entry point: build | test | demo | bench.
#
#   ./build.sh                 release build into dist/ (reaches only https://api.gumroad.com)
#   GUMROAD_API_BASE_URL=http://127.0.0.1:PORT ./build.sh
#                              the same for another API origin, fixed at build time (it
#                              signs in there too, unless GUMROAD_AUTHORIZE_BASE_URL names
#                              another origin; a release build signs in at app.gumroad.com)
#   GUMROAD_CLIENT_ID=…        the Gumroad application id "Sign in with Gumroad" uses, for
#                              any build; without it, only a pasted token connects
#   ./build.sh test            native tests, wasm tests in headless Chromium, end-to-end specs
#   ./build.sh e2e [SPEC…]     the end-to-end specs alone (all, or e.g. parity.test.mjs)
#   ./build.sh demo            two seeded sandbox stores (two years of sales up to today,
#                              subscribers) and a build that talks to them; DEMO_PORT
#                              (8787), DEMO_PRODUCTS (40), DEMO_SALES (3000 per store)
#   ./build.sh bench           benchmarks side by side with the sequential way (a table,
#                              and JSON in target/bench/); BENCH_LATENCY_MS (default 100),
#                              BENCH_SALES (50000), BENCH_PRODUCTS (500)
#
# Each command installs what it needs on a fresh machine (wasm32 target, the pinned
# wasm-bindgen CLI, wasm-opt and esbuild from tools/, Chromium and chromedriver, the npm
# packages of the end-to-end specs and of the JavaScript unit tests).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

RELEASE_ORIGIN=https://api.gumroad.com
WASM_BINDGEN_VERSION=0.2.129
WASM_OUT=target/wasm32-unknown-unknown/release/bulkroad.wasm

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo -n "$@" || die "installing needs root: run '$*' as root, or allow sudo without a password"
  else
    die "installing needs root: run '$*' as root"
  fi
}

ensure_wasm_toolchain() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # The CLI must match the crate's pinned wasm-bindgen exactly, or it refuses the module.
  if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked
  fi
}

ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "installing node and npm"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
}

ensure_browser() {
  ensure_node
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing Debian's chromium and chromium-driver"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  local stamp=tests/e2e/node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ tests/e2e/package-lock.json -nt "$stamp" ]; then
    log "installing the end-to-end npm packages"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The unit tests' npm packages (fake-indexeddb), pinned in tests/js/package.json.
ensure_js_unit_packages() {
  ensure_node
  local stamp=tests/js/node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ tests/js/package-lock.json -nt "$stamp" ]; then
    log "installing the JavaScript unit tests' npm packages"
    (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# binaryen's wasm-opt, pinned in tools/package.json (Debian's binaryen is too old for the
# modules wasm-bindgen writes).
ensure_build_tools() {
  ensure_node
  local stamp=tools/node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ tools/package-lock.json -nt "$stamp" ]; then
    log "installing the build tools' npm packages (wasm-opt, esbuild)"
    (cd tools && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The API origin of this build: Gumroad's unless GUMROAD_API_BASE_URL names another one.
# Only a bare origin is accepted (no path, query or trailing junk), and plain http only
# for the loopback host, so a typo cannot produce a build that talks somewhere odd.
api_origin() {
  local origin=${GUMROAD_API_BASE_URL:-$RELEASE_ORIGIN}
  origin=${origin%/}
  if [[ ! $origin =~ ^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?$ && ! $origin =~ ^http://(127\.0\.0\.1|localhost)(:[0-9]{1,5})?$ ]]; then
    die "GUMROAD_API_BASE_URL must be an origin such as http://127.0.0.1:8787 or https://host (got '$origin')"
  fi
  printf '%s' "$origin"
}

# The sign-in origin named for a build other than the release one, checked as the API
# origin is (config.rs refuses anything else too); empty when none is named.
authorize_origin() {
  local origin=${GUMROAD_AUTHORIZE_BASE_URL:-}
  [ -n "$origin" ] || return 0
  origin=${origin%/}
  if [[ ! $origin =~ ^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?$ && ! $origin =~ ^http://(127\.0\.0\.1|localhost)(:[0-9]{1,5})?$ ]]; then
    die "GUMROAD_AUTHORIZE_BASE_URL must be an origin such as http://127.0.0.1:8787 or https://host (got '$origin')"
  fi
  printf '%s' "$origin"
}

# build_extension OUT_DIR ORIGIN — the wasm core for ORIGIN plus the extension files. A
# release build signs in at Gumroad's origin whatever GUMROAD_AUTHORIZE_BASE_URL says;
# GUMROAD_CLIENT_ID passes through to every build.
build_extension() {
  local out=$1 origin=$2
  ensure_wasm_toolchain
  ensure_node
  ensure_build_tools
  log "building the wasm core for $origin${GUMROAD_CLIENT_ID:+ (with a Gumroad application id)}"
  if [ "$origin" = "$RELEASE_ORIGIN" ]; then
    env -u GUMROAD_API_BASE_URL -u GUMROAD_AUTHORIZE_BASE_URL \
      cargo build --quiet --lib --release --target wasm32-unknown-unknown
  else
    local authorize
    authorize=$(authorize_origin)
    if [ -n "$authorize" ]; then
      GUMROAD_API_BASE_URL=$origin GUMROAD_AUTHORIZE_BASE_URL=$authorize \
        cargo build --quiet --lib --release --target wasm32-unknown-unknown
    else
      env -u GUMROAD_AUTHORIZE_BASE_URL GUMROAD_API_BASE_URL=$origin \
        cargo build --quiet --lib --release --target wasm32-unknown-unknown
    fi
  fi
  rm -rf "$out"
  mkdir -p "$out"
  cp -R extension/. "$out/"
  wasm-bindgen --target web --no-typescript --out-dir "$out/pkg" --out-name bulkroad "$WASM_OUT"
  local wasm=$out/pkg/bulkroad_bg.wasm
  # -Oz, but no inlining of a function into its only caller: that makes the module smaller
  # and its gzipped size (what a download costs) ≈ 15 % bigger. Functions ordered by name
  # put the copies of one generic function side by side, where gzip finds them (≈ 2 %).
  # The names come from the release profile (strip = "debuginfo"); the output has none.
  # The features are the ones rustc's wasm32 target emits, all of them in Chrome's MV3.
  tools/node_modules/.bin/wasm-opt "$wasm" -o "$wasm.opt" \
    -Oz --one-caller-inline-max-function-size 0 --reorder-functions-by-name \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-reference-types --enable-multivalue --enable-mutable-globals
  mv "$wasm.opt" "$wasm"
  # One file per entry point (the worker, the app page), readable, not minified: loading a
  # dozen modules one import level at a time made the popup ≈ 25 ms slower to show. The
  # modules are inside the bundles then; only the wasm-bindgen glue stays beside its wasm.
  for entry in service-worker.js app/app.js; do
    tools/node_modules/.bin/esbuild "$out/$entry" --bundle --format=esm \
      --log-level=warning --allow-overwrite --outfile="$out/$entry"
  done
  find "$out" -name '*.js' ! -path "$out/pkg/*" ! -path "$out/service-worker.js" ! -path "$out/app/app.js" -delete
  node scripts/write-manifest.mjs manifest.json "$out/manifest.json" "$origin"
  log "built $out ($(wc -c <"$wasm") bytes of wasm, $(gzip -9 -c "$wasm" | wc -c) gzipped) for $origin"
}

build_sandbox() {
  cargo build --quiet -p bulkroad-sandbox --bin bulkroad-sandbox
  printf '%s' "$ROOT/target/debug/bulkroad-sandbox"
}

# start_sandbox ARGS… — starts the sandbox in the background; sets SANDBOX_PID,
# SANDBOX_URL and SANDBOX_INFO (its one JSON line: url and tokens).
start_sandbox() {
  local bin info_file
  bin=$(build_sandbox)
  info_file=$(mktemp)
  "$bin" "$@" >"$info_file" &
  SANDBOX_PID=$!
  # Children left running keep the shell's pipes open: always stop the sandbox on exit.
  trap 'kill "$SANDBOX_PID" 2>/dev/null || true' EXIT INT TERM
  for _ in $(seq 1 100); do
    [ -s "$info_file" ] && break
    kill -0 "$SANDBOX_PID" 2>/dev/null || die "the sandbox did not start"
    sleep 0.1
  done
  SANDBOX_INFO=$(head -n 1 "$info_file")
  rm -f "$info_file"
  SANDBOX_URL=$(node -e 'console.log(JSON.parse(process.argv[1]).url)' "$SANDBOX_INFO")
}

cmd_build() {
  build_extension dist "$(api_origin)"
}

ensure_clippy() {
  if ! cargo clippy --version >/dev/null 2>&1; then
    log "adding clippy"
    rustup component add clippy
  fi
}

cmd_test() {
  ensure_wasm_toolchain
  ensure_browser
  ensure_clippy

  log "lints (clippy, native and wasm32)"
  cargo clippy --quiet --workspace --all-targets -- -D warnings
  cargo clippy --quiet --lib --tests --target wasm32-unknown-unknown -- -D warnings

  log "native tests"
  cargo test --workspace

  log "unit tests of the extension's JavaScript"
  ensure_js_unit_packages
  node --test --test-reporter=spec tests/js/

  # Two stores: specs may connect a second seller's account; store 0 is what all others use.
  start_sandbox --port 0 --products 25 --stores 2
  log "sandbox at $SANDBOX_URL"

  log "wasm tests in headless Chromium"
  # The exports (connect, listProducts) use the build's origin: point it at the sandbox.
  GUMROAD_API_BASE_URL=$SANDBOX_URL SANDBOX_URL=$SANDBOX_URL CHROMEDRIVER=$(command -v chromedriver) \
    cargo test -p bulkroad --target wasm32-unknown-unknown --test wasm_client

  run_e2e
}

# run_e2e [SPEC…] — builds the release and sandbox extensions and runs the end-to-end specs
# (all, or the named ones) against the running sandbox.
run_e2e() {
  build_extension dist "$RELEASE_ORIGIN"
  build_extension target/e2e-dist "$SANDBOX_URL"

  log "end-to-end specs in headless Chromium"
  (cd tests/e2e && { [ $# -gt 0 ] || set -- specs/*.test.mjs; } && SANDBOX_URL=$SANDBOX_URL \
    EXTENSION_DIR=$ROOT/target/e2e-dist RELEASE_DIR=$ROOT/dist \
    node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec "$@")
}

# The end-to-end specs alone (all, or the named files under tests/e2e/specs/).
cmd_e2e() {
  ensure_wasm_toolchain
  ensure_browser
  # Two stores: specs may connect a second seller's account; store 0 is what all others use.
  start_sandbox --port 0 --products 25 --stores 2
  local specs=()
  for spec in "$@"; do specs+=("specs/$(basename "$spec")"); done
  run_e2e "${specs[@]}"
}

cmd_demo() {
  ensure_browser
  local products=${DEMO_PRODUCTS:-40} sales=${DEMO_SALES:-3000}
  [[ $products =~ ^[0-9]+$ && $sales =~ ^[0-9]+$ ]] || die "DEMO_PRODUCTS and DEMO_SALES must be whole numbers"
  # Two stores, so "Add account" has a second seller to connect; the sales of each run
  # up to today, so every period Insights offers has something in it.
  start_sandbox --port "${DEMO_PORT:-8787}" --products "$products" --sales "$sales" --stores 2 --sales-until today
  build_extension dist-demo "$SANDBOX_URL"
  local stores
  stores=$(node -e '
    for (const s of JSON.parse(process.argv[1]).stores)
      console.log(`      ${s.name.padEnd(16)} ${s.tokens.full}`)' "$SANDBOX_INFO")
  cat <<EOF

  The sandbox is running at $SANDBOX_URL: two stores of $products products, each with
  $sales sales over the two years up to today, subscribers and refunds.
  The demo build is in $ROOT/dist-demo

  Load it: open chrome://extensions, turn on Developer mode, "Load unpacked", pick dist-demo/.
  Open the Bulkroad popup and paste the first store's access token; "Add account" takes
  the second one's:

$stores

  Every sandbox token (read-only ones, one without a read scope, a revoked one):
      $SANDBOX_URL/__sandbox/tokens

  Press Ctrl-C to stop the sandbox.
EOF
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    chromium --user-data-dir="$(mktemp -d)" --no-first-run --disable-extensions-except="$ROOT/dist-demo" \
      --load-extension="$ROOT/dist-demo" "chrome://extensions/" >/dev/null 2>&1 &
  fi
  wait "$SANDBOX_PID"
}

# The benchmarks: the release-optimised build against the sandbox over HTTPS with HTTP/2
# (as api.gumroad.com; over HTTP/1.1 a browser opens at most six connections to one
# host), with BENCH_LATENCY_MS of latency per request. Prints a table; the JSON goes to
# target/bench/. Nothing here is a test: no time fails it, only a wrong result.
cmd_bench() {
  ensure_browser
  local latency=${BENCH_LATENCY_MS:-100} sales=${BENCH_SALES:-50000} products=${BENCH_PRODUCTS:-500}
  [[ $latency =~ ^[0-9]+$ && $sales =~ ^[0-9]+$ && $products =~ ^[0-9]+$ ]] \
    || die "BENCH_LATENCY_MS, BENCH_SALES and BENCH_PRODUCTS must be whole numbers"
  start_sandbox --port 0 --tls --products "$products"
  local api_url
  api_url=$(node -e 'console.log(JSON.parse(process.argv[1]).tls_url)' "$SANDBOX_INFO")
  log "sandbox at $SANDBOX_URL (API over $api_url), $latency ms per request"
  build_extension dist "$RELEASE_ORIGIN"
  build_extension target/bench-dist "$api_url"
  log "benchmarks (several minutes: the sequential export alone takes about $((sales / 10 * (latency + 5) / 1000)) s)"
  (cd tests/e2e && SANDBOX_URL=$SANDBOX_URL API_URL=$api_url EXTENSION_DIR=$ROOT/target/bench-dist \
    RELEASE_DIR=$ROOT/dist BENCH_OUT=$ROOT/target/bench BENCH_LATENCY_MS=$latency BENCH_SALES=$sales \
    BENCH_PRODUCTS=$products node bench.mjs)
}

case "${1:-build}" in
  build) cmd_build ;;
  test) cmd_test ;;
  e2e) shift; cmd_e2e "$@" ;;
  demo) cmd_demo ;;
  bench) cmd_bench ;;
  -h | --help | help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (use: build, test, e2e, demo, bench)" ;;
esac
