#!/usr/bin/env bash
# Installs what crossdock's test suite needs on a fresh Debian machine. Idempotent: safe to run repeatedly.
# - git (repositories made by the tests), openssl (test CAs), apache2-utils (htpasswd),
# - docker-registry (the CNCF distribution registry) and skopeo (the independent OCI peer),
# - busybox-static .debs for amd64 and arm64 in .cache/debs (test images are built from them: no Docker Hub here),
# - the container stack of the build tests: Debian's docker.io (dockerd 20.10 and the /usr/bin/docker 20.10 client,
#   which has BuildKit built in), qemu-user-static + binfmt-support (arm64 emulation), iproute2 (a second engine's
#   bridge), buildah (the buildah backend), zstd (checking zstd layers), mmdebstrap (Debian root filesystems with
#   Python, scripts/make-python-rootfs.sh), tinyproxy (a real HTTP proxy for the HTTPS_PROXY tests); then
#   scripts/start-engine.sh starts dockerd and enables QEMU for arm64.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
need=()
command -v git >/dev/null 2>&1 || need+=(git)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg)
[ -x /usr/bin/docker ] && command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
[ -x /usr/bin/qemu-aarch64-static ] || need+=(qemu-user-static)
command -v update-binfmts >/dev/null 2>&1 || need+=(binfmt-support)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
command -v tinyproxy >/dev/null 2>&1 || need+=(tinyproxy)
updated=0
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  apt-get update -qq
  updated=1
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
mkdir -p .cache/debs
if ! ls .cache/debs/busybox-static_*_arm64.deb >/dev/null 2>&1 || ! ls .cache/debs/busybox-static_*_amd64.deb >/dev/null 2>&1; then
  echo "setup: downloading busybox-static for amd64 and arm64"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    updated=0
  fi
  [ "$updated" = 1 ] || apt-get update -qq
  (cd .cache/debs && apt-get download -qq busybox-static:amd64 busybox-static:arm64)
fi
bash scripts/start-engine.sh
# Debian root filesystems with Python for the smoke tests' Python images (cached; the first build takes minutes).
bash scripts/make-python-rootfs.sh >/dev/null
echo "setup: git $(git --version | cut -d' ' -f3), node $(node --version), $(docker-registry --version 2>&1 | awk '{print $2, $3}'), skopeo $(skopeo --version | awk '{print $3}')"
