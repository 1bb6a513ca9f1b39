#!/usr/bin/env bash
# Only the real-n8n e2e suite (`npm run test:e2e`): Node 24 + n8n (cached), build, then jest -c jest.e2e.config.js [args]
# once per n8n version of N8N_VERSIONS (default: the oldest supported and the newest, scripts/n8n-versions.sh).
#   N8N_VERSIONS=2.41.1 bash scripts/e2e.sh test/e2e/smoke.e2e.test.ts
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/n8n-versions.sh
declare -A bins
for v in $N8N_VERSIONS; do
  install_out="$(N8N_VERSION="$v" bash scripts/install-n8n.sh)"
  NODE24="$(sed -n 's/^NODE24=//p' <<<"$install_out")"
  bins[$v]="$(sed -n 's/^N8N_BIN=//p' <<<"$install_out")"
done
export NODE24
export PATH="$(dirname "$NODE24"):$PATH"
npm run build
status=0
for v in $N8N_VERSIONS; do
  printf '\n\033[1m[e2e] n8n %s\033[0m\n' "$v"
  N8N_BIN="${bins[$v]}" N8N_VERSION="$v" ACT_TWO_SKIP_BUILD=1 npx jest -c jest.e2e.config.js "$@" || status=1
done
exit $status
