#!/usr/bin/env bash
# The project's single test command (`npm test`, also what CI runs through .ci/run):
#   Node 24 + n8n (scripts/install-n8n.sh, cached) · npm install (from the lockfile) when node_modules is missing or stale ·
#   chromium when missing (apt-get, as root) · npm run lint · npm run build ·
#   scripts/scan-package.sh (n8n's community-package scanner on the sources and the `npm pack` output) ·
#   jest (unit + integration) · jest -c jest.e2e.config.js (real n8n + simulator + editor + queue mode; the queue-mode
#   test installs redis-server/postgresql with apt-get itself when missing, see scripts/queue-services.sh), once per
#   n8n version of N8N_VERSIONS (default: the oldest supported and the newest that installs, scripts/n8n-versions.sh).
# Ends with one plain line "N passed, N failed" (jest's counts summed; a step that fails without
# jest counts, e.g. lint, build or scan, adds 1 to failed). Exit status is non-zero when anything failed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/.n8n-e2e"
mkdir -p "$out"
start=$(date +%s)

step() { printf '\n\033[1m[test] %s\033[0m (+%ss)\n' "$*" "$(( $(date +%s) - start ))"; }
failures=()

source scripts/n8n-versions.sh
declare -A n8n_bins
for v in $N8N_VERSIONS; do
  step "Node 24 + n8n $v"
  install_out="$(N8N_VERSION="$v" bash scripts/install-n8n.sh)" || { echo "scripts/install-n8n.sh failed for n8n $v" >&2; echo "0 passed, 1 failed"; exit 1; }
  NODE24="$(sed -n 's/^NODE24=//p' <<<"$install_out")"
  n8n_bins[$v]="$(sed -n 's/^N8N_BIN=//p' <<<"$install_out")"
  echo "n8n $v at ${n8n_bins[$v]}"
done
# unit/integration tests and tools that start an n8n themselves use the first version
read -r N8N_VERSION _ <<<"$N8N_VERSIONS"
N8N_BIN="${n8n_bins[$N8N_VERSION]}"
export NODE24 N8N_BIN N8N_VERSION
export PATH="$(dirname "$NODE24"):$PATH"
echo "node $(node --version)"

if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  # Not npm ci: the registry here lacks some optional platform builds (@unrs/resolver-binding-*), which npm ci's
  # lockfile check refuses; npm install follows the lockfile and skips unavailable optional packages.
  step "npm install (node_modules missing or older than package-lock.json)"
  npm install --no-save --no-audit --no-fund || { echo "npm install failed" >&2; echo "0 passed, 1 failed"; exit 1; }
fi

if [[ "${ACT_TWO_E2E_BROWSER:-1}" != "0" ]] && ! command -v chromium >/dev/null 2>&1; then
  step "chromium (Debian package) for the editor tests"
  if [[ "$(id -u)" == "0" ]]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "apt-get install chromium failed" >&2
  elif sudo -n true 2>/dev/null; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "apt-get install chromium failed" >&2
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    echo "chromium is not installed and cannot be installed here (not root): editor e2e tests are SKIPPED" >&2
    export ACT_TWO_E2E_BROWSER=0
  fi
fi

step "npm run lint"
npm run lint || failures+=("lint")

step "npm run build"
built=1
npm run build || { failures+=("build"); built=0; }

if [[ "$built" == "1" ]]; then
  step "scan: @n8n/scan-community-package (source + packed artifact)"
  bash scripts/scan-package.sh || failures+=("scan")
else
  echo "package scan not run: the build failed" >&2
fi

# jest_counts <json file> → "passed failed" (a missing/unreadable file counts as 1 failed)
jest_counts() {
  node -e '
    const fs = require("fs");
    try {
      const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0) + (r.numFailedTestSuites && !r.numFailedTests ? 1 : 0);
      console.log(`${r.numPassedTests} ${failed}`);
    } catch { console.log("0 1"); }' "$1"
}

passed=0
failed=0
add_counts() { read -r p f <<<"$(jest_counts "$1")"; passed=$((passed + p)); failed=$((failed + f)); }

step "jest: unit + integration"
rm -f "$out/jest-fast.json"
npx jest --ci --json --outputFile="$out/jest-fast.json" || failures+=("jest (unit + integration)")
add_counts "$out/jest-fast.json"

if [[ "$built" == "1" ]]; then
  for v in $N8N_VERSIONS; do
    step "jest: e2e on n8n $v (real n8n + simulator + editor + queue mode)"
    rm -f "$out/jest-e2e-$v.json"
    if ! N8N_VERSION="$v" N8N_BIN="${n8n_bins[$v]}" ACT_TWO_SKIP_BUILD=1 \
      npx jest -c jest.e2e.config.js --ci --json --outputFile="$out/jest-e2e-$v.json"; then
      failures+=("jest (e2e, n8n $v)")
      log="$(node -e 'try{console.log(require(process.argv[1]).n8n.logFile)}catch{}' "$out/e2e.json" 2>/dev/null)"
      if [[ -n "$log" && -f "$log" ]]; then
        echo "----- last 80 lines of the e2e n8n $v log ($log) -----"
        tail -n 80 "$log"
        echo "-----"
      fi
    fi
    add_counts "$out/jest-e2e-$v.json"
  done
else
  echo "e2e suite not run: the build failed" >&2
  failed=$((failed + 1))
fi

# lint/build/scan failures have no jest counts: count each as one failure
for f in "${failures[@]}"; do
  case "$f" in lint | build | scan) failed=$((failed + 1)) ;; esac
done

step "done in $(( $(date +%s) - start ))s"
if ((${#failures[@]})); then echo "FAILED: ${failures[*]}"; fi
echo "${passed} passed, ${failed} failed"
[[ ${#failures[@]} -eq 0 && $failed -eq 0 ]]
