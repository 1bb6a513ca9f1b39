#!/usr/bin/env bash
# `npm run demo`: one command on a fresh machine.
# Installs Node 24 + n8n (cached in .cache/), npm install when needed, builds and packs the package, starts a fresh
# n8n in ~/.n8n-act-two-demo/ with it installed, the provider simulator (or a real provider: RUNWAY_API_KEY=…, or
# ACT_TWO_PROVIDER=runway|useapi|comet|liangxin ACT_TWO_API_KEY=… [ACT_TWO_BASE_URL=…]), runs
# examples/workflows/render-local-files.json (examples/assets → Act-Two → demo-output/*.mp4), prints the
# editor URL and login, and keeps n8n running until Ctrl-C.
#   --no-wait (or DEMO_EXIT=1)  exit after the run    --port N    --provider runway|useapi|comet|liangxin
# CometAPI/LiangXin take inputs as URLs only: the simulator serves examples/assets; for a real one pass
# ACT_TWO_CHARACTER_URL=… ACT_TWO_DRIVING_URL=… (public links).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
say() { printf '\033[1m[demo]\033[0m %s\n' "$*" >&2; }

say "Node 24 + n8n (first run downloads about 1 GB and takes ~8 minutes; then cached)"
install_out="$(bash scripts/install-n8n.sh)"
NODE24="$(sed -n 's/^NODE24=//p' <<<"$install_out")"
N8N_BIN="$(sed -n 's/^N8N_BIN=//p' <<<"$install_out")"
export NODE24 N8N_BIN
export PATH="$(dirname "$NODE24"):$PATH"

if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "npm install (dev tools, from the lockfile)"
  npm install --no-save --no-audit --no-fund
fi

say "building the package"
build_log="$(mktemp)"
npm run build >"$build_log" 2>&1 || { cat "$build_log" >&2; say "build failed"; exit 1; }
rm -f "$build_log"

exec node --import tsx test/n8n/demo.ts "$@"
