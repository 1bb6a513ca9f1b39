#!/usr/bin/env bash
# Redis and PostgreSQL binaries for the queue-mode e2e test (test/e2e/queue-mode.e2e.test.ts), from Debian packages.
# Installs what is missing with apt-get (as root, or with passwordless sudo) and prints where the binaries are:
#   REDIS_SERVER=/usr/bin/redis-server
#   PG_BIN=/usr/lib/postgresql/15/bin
# It starts nothing and never touches the system services: the test runs private instances of its own on free
# ports in a temp folder (test/n8n/queue-services.ts).
# Exit status 3 with the reason on stderr when they are missing and cannot be installed here.
set -uo pipefail

redis_server() { command -v redis-server 2>/dev/null || { [[ -x /usr/bin/redis-server ]] && echo /usr/bin/redis-server; }; }
pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$d" && -x "$d/initdb" && -x "$d/postgres" && -x "$d/pg_isready" ]] && echo "$d"
}

missing=()
[[ -n "$(redis_server)" ]] || missing+=(redis-server)
[[ -n "$(pg_bin)" ]] || missing+=(postgresql)

if ((${#missing[@]})); then
  if [[ "$(id -u)" == "0" ]]; then
    as_root=()
  elif sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "queue-services: ${missing[*]} not installed, and apt-get needs root (not root, no passwordless sudo)" >&2
    exit 3
  fi
  echo "queue-services: installing ${missing[*]} (apt-get)" >&2
  install() {
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  }
  # the package lists may be missing or stale on a fresh machine: update once and retry
  install 2>/dev/null || { "${as_root[@]}" apt-get update -qq >/dev/null && install; } || {
    echo "queue-services: apt-get install ${missing[*]} failed" >&2
    exit 3
  }
fi

REDIS_SERVER="$(redis_server)"
PG_BIN="$(pg_bin)"
if [[ -z "$REDIS_SERVER" || -z "$PG_BIN" ]]; then
  echo "queue-services: still missing after apt-get: redis-server='${REDIS_SERVER}' postgres='${PG_BIN}'" >&2
  exit 3
fi
echo "REDIS_SERVER=$REDIS_SERVER"
echo "PG_BIN=$PG_BIN"
