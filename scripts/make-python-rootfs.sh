#!/usr/bin/env bash
# Writes (once; cached) Debian 12 root filesystems with CPython 3.11 for amd64 and arm64, as tarballs:
#   ${XDG_CACHE_HOME:-~/.cache}/crossdock-test/rootfs/bookworm-minbase-python3-minimal-<arch>.tar
# made by mmdebstrap from Debian's packages (arm64 through QEMU binfmt: several minutes on 2 cores). The smoke
# tests build Python images from them (nothing can be pulled from Docker Hub here). The file name is the cache
# key: the suite, variant and package list. Prints the folder.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/crossdock-test/rootfs"
mkdir -p "$cache"
for arch in amd64 arm64; do
  out="$cache/bookworm-minbase-python3-minimal-$arch.tar"
  [ -s "$out" ] && continue
  command -v mmdebstrap >/dev/null 2>&1 || { echo "make-python-rootfs: mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 1; }
  work="$(mktemp -d "$cache/.work-$arch-XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  echo "make-python-rootfs: building $arch (mmdebstrap; cached in $cache)" >&2
  timeout 1800 mmdebstrap --quiet --variant=minbase --architectures="$arch" --include=python3-minimal \
    bookworm "$work/root" >&2
  tar --sort=name --owner=0 --group=0 --numeric-owner -C "$work/root" -cf "$work/rootfs.tar" \
    --exclude=./dev --exclude=./proc --exclude=./sys --exclude=./usr/share/doc --exclude=./usr/share/man \
    --exclude=./usr/share/locale --exclude=./var/cache/apt --exclude=./var/lib/apt/lists .
  mv "$work/rootfs.tar" "$out"
  rm -rf "$work"
  trap - EXIT
done
echo "$cache"
