#!/usr/bin/env bash
# Runs n8n's community-package scanner (@n8n/scan-community-package, pinned below) on this package before it is
# published: the two lint legs of `npx @n8n/scan-community-package <name>`, locally.
#   source leg:   analyzePackage(<repo root>, SOURCE_FILE_PATTERNS)    package.json + nodes/, credentials/ sources
#   artifact leg: analyzePackage(<unpacked `npm pack`>, ['**/*.js', 'package.json'])   what npm would publish
# What it cannot check here: npm provenance (needs a published version) and the scanner's download of the
# provenance-attested GitHub source (it lints that checkout; the working tree stands in for it).
# Builds nothing: run `npm run build` first (scripts/test.sh does). The scanner is installed once into
# .cache/scan-community-package-<version>/ (ignored), with --ignore-scripts, outside the project's package.json.
# Exit status is non-zero when either leg fails. Usage: bash scripts/scan-package.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${ACT_TWO_CACHE:-$root/.cache}"
scanner_version="0.32.0"
scanner_dir="$cache/scan-community-package-$scanner_version"
scanner_mjs="$scanner_dir/node_modules/@n8n/scan-community-package/scanner/scanner.mjs"
# Run through `npm test`, npm exports the project's .npmrc and its own settings as npm_config_* variables:
# keep them away from the scanner's install and from `npm pack` (the .npmrc files are still read).
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(npm_config_[^=]*\)=.*/\1/p')

step() { printf '\033[1m[scan]\033[0m %s\n' "$*" >&2; }
started=$SECONDS

if [[ ! -f "$scanner_dir/.installed" || ! -f "$scanner_mjs" ]]; then
  step "installing @n8n/scan-community-package@$scanner_version into $scanner_dir (first run only)"
  rm -rf "$scanner_dir"
  mkdir -p "$scanner_dir"
  cat > "$scanner_dir/package.json" <<JSON
{ "name": "act-two-scan-community-package", "private": true,
  "dependencies": { "@n8n/scan-community-package": "$scanner_version" } }
JSON
  (cd "$scanner_dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  [[ -f "$scanner_mjs" ]] || { step "install failed: $scanner_mjs missing"; exit 1; }
  touch "$scanner_dir/.installed"
  step "installed in $((SECONDS - started)) s"
fi

cd "$root"
if [[ ! -d dist/nodes || ! -d dist/credentials ]]; then
  step "dist/ is missing or incomplete: run \`npm run build\` first"
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
step "npm pack (what npm would publish: package.json's \"files\")"
tarball="$(npm pack --ignore-scripts --pack-destination "$tmp" --loglevel=error | tail -n 1)"
mkdir -p "$tmp/package"
tar -xzf "$tmp/$tarball" -C "$tmp/package" --strip-components=1
step "$tarball: $(find "$tmp/package" -type f | wc -l) files"

# The scanner creates a temp dir when loaded and leaves it behind: give it ours, removed on exit.
status=0
TMPDIR="$tmp" node "$root/scripts/scan-package.mjs" \
  --scanner "$scanner_mjs" --source "$root" --artifact "$tmp/package" || status=$?
step "done in $((SECONDS - started)) s"
exit $status
