#!/usr/bin/env bash
# Installs the Debian PostgreSQL server package when it is absent, so the grain runtime's
# PostgreSQL tests (storage and membership) can start their own throw-away server on 127.0.0.1.
# The tests start and stop that server themselves; this script starts nothing.
set -euo pipefail

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "PostgreSQL already installed: $(ls -d /usr/lib/postgresql/*/bin | tr '\n' ' ')"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "PostgreSQL is missing and this script is not root; install the 'postgresql' package to run the PostgreSQL tests"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends postgresql
# The Debian package may start a cluster service; the tests use their own server, so stop it.
if command -v service >/dev/null 2>&1; then
  service postgresql stop >/dev/null 2>&1 || true
fi
ls -d /usr/lib/postgresql/*/bin
