#!/usr/bin/env bash
# `npm run screenshots`: PNGs of the editor with the package's nodes → docs/images/ (or pass --out DIR).
# Needs chromium (Debian: apt-get install -y chromium; installed here when missing and running as root).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
install_out="$(bash scripts/install-n8n.sh)"
NODE24="$(sed -n 's/^NODE24=//p' <<<"$install_out")"
N8N_BIN="$(sed -n 's/^N8N_BIN=//p' <<<"$install_out")"
export NODE24 N8N_BIN
export PATH="$(dirname "$NODE24"):$PATH"
if ! command -v chromium >/dev/null 2>&1 && [[ -z "${CHROMIUM_PATH:-}" ]]; then
  if [[ "$(id -u)" == "0" ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing: apt-get install -y chromium (as root), or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi
if [[ ! -d node_modules ]]; then npm install --no-save --no-audit --no-fund; fi
npm run build >/dev/null
exec node --import tsx test/e2e/screenshots.ts "$@"
