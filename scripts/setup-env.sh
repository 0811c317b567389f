#!/usr/bin/env bash
# Installs what crossdock's test suite needs on a fresh Debian machine. Idempotent: safe to run repeatedly.
set -euo pipefail
need=()
command -v git >/dev/null 2>&1 || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
echo "setup: git $(git --version | cut -d' ' -f3), node $(node --version)"
