#!/usr/bin/env bash
# Only the real-n8n e2e suite (`npm run test:e2e`): Node 24 + n8n (cached), build, jest -c jest.e2e.config.js [args].
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
install_out="$(bash scripts/install-n8n.sh)"
NODE24="$(sed -n 's/^NODE24=//p' <<<"$install_out")"
N8N_BIN="$(sed -n 's/^N8N_BIN=//p' <<<"$install_out")"
export NODE24 N8N_BIN
export PATH="$(dirname "$NODE24"):$PATH"
npm run build
ACT_TWO_SKIP_BUILD=1 exec npx jest -c jest.e2e.config.js "$@"
