#!/usr/bin/env bash
# Starts the container stack crossdock's build tests use, if it is not running: dockerd (Debian's docker.io)
# on the default socket, and QEMU binfmt registration for arm64. Idempotent.
set -euo pipefail
DOCKER=/usr/bin/docker
if ! $DOCKER info >/dev/null 2>&1; then
  echo "engine: starting dockerd (log: /tmp/crossdock-dockerd.log)"
  # setsid: the daemon outlives this script and is not in CI's process group.
  setsid dockerd --pidfile /var/run/crossdock-dockerd.pid >/tmp/crossdock-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do $DOCKER info >/dev/null 2>&1 && break; sleep 0.5; done
  $DOCKER info >/dev/null 2>&1 || { echo "engine: dockerd did not start; last log lines:"; tail -20 /tmp/crossdock-dockerd.log; exit 1; }
fi
if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || ! grep -q enabled /proc/sys/fs/binfmt_misc/qemu-aarch64; then
  update-binfmts --enable qemu-aarch64
fi
grep -q enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 || { echo "engine: qemu-aarch64 binfmt could not be enabled"; exit 1; }
echo "engine: dockerd $($DOCKER version --format '{{.Server.Version}}'), qemu-aarch64 binfmt $(head -1 /proc/sys/fs/binfmt_misc/qemu-aarch64)"
