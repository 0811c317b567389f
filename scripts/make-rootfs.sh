#!/usr/bin/env bash
# Writes rootfs-amd64.tar and rootfs-arm64.tar into DIR: minimal root filesystems made from Debian's
# busybox-static (downloaded by scripts/setup-env.sh into .cache/debs), used as base layers by the build sample
# (examples/build-sample) and the build tests: nothing can be pulled from Docker Hub here.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:?usage: make-rootfs.sh DIR}"
mkdir -p "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for arch in amd64 arm64; do
  deb=$(ls "$repo"/.cache/debs/busybox-static_*_"$arch".deb 2>/dev/null | head -1 || true)
  [ -n "$deb" ] || { echo "make-rootfs: no busybox-static $arch .deb in .cache/debs; run scripts/setup-env.sh" >&2; exit 1; }
  root="$work/$arch"
  mkdir -p "$root"
  dpkg-deb -x "$deb" "$root"
  rm -rf "$root/usr/share"
  mkdir -p "$root/tmp" "$root/etc"
  for applet in sh ash cat cp echo ls mkdir rm sleep true false uname wget env id printf test head grep sed; do
    ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001:app:/app:/bin/sh\n' > "$root/etc/passwd"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$root" -cf "$dir/rootfs-$arch.tar" .
done
