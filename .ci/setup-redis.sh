#!/usr/bin/env bash
# Installs the Debian redis-server package when it is absent, so the multi-silo tests (Redis
# clustering and Redis grain storage) can start their own throw-away server on 127.0.0.1.
# This script starts no server: the tests start one on a free port and stop it by its PID.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server already installed: $(redis-server --version)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "redis-server is missing and this script is not root; install the 'redis-server' package to run the Redis tests"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# The package's maintainer scripts would start a system-wide redis service; a policy-rc.d that
# answers 101 ("action forbidden") keeps them from starting anything while it is installed.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  added_policy=1
fi
cleanup() { if [ "$added_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update
apt-get install -y --no-install-recommends redis-server
redis-server --version
