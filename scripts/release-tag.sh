#!/usr/bin/env bash
# Tags a release whose commit carries the built CLI (bundle/). The GitHub Action (`uses: crossdock/crossdock@vX`)
# and the pre-commit hook (`rev: vX`) install crossdock from git, which holds no build output: npm builds a git
# dependency only through a `prepare` script (not `prepack`), and npm 12 blocks a dependency's `prepare` unless the
# user allows it. So the tag points at a commit, off the branch, that adds bundle/ to the tree. Then
# `npm publish` (its prepack builds again) publishes the same version to the registry.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p "require('./package.json').version")
if [ -n "$(git status --porcelain)" ]; then
  echo "release: the work tree has changes; commit them first" >&2
  exit 2
fi
if git rev-parse -q --verify "refs/tags/v$version" >/dev/null; then
  echo "release: v$version exists; bump the version in package.json first" >&2
  exit 2
fi
npm ci --no-audit --no-fund
npm run build
start=$(git rev-parse --abbrev-ref HEAD)
git checkout -q --detach
git add -f bundle/*.js bundle/THIRD-PARTY-LICENSES.txt
git commit -q -m "release v$version: the built CLI (bundle/)"
git tag -a "v$version" -m "crossdock $version"
git checkout -q "$start"
echo "tagged v$version (bundle/ included); push it with: git push origin v$version; then: npm publish"
