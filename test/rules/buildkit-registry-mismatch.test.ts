// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/buildkit-registry-mismatch.js';
import { at, checkRepo } from '../helpers/check.js';

const buildScript = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'REGISTRY="${REGISTRY:-10.0.0.5:5000}"',
  'docker buildx create --use --config buildkitd.toml',
  'docker buildx build --platform linux/amd64,linux/arm64 -t "$REGISTRY/acme/api:latest" --push .',
  '',
].join('\n');

const base = { Dockerfile: 'FROM python:3.12-slim\n', 'scripts/build.sh': buildScript };

test('http, insecure and unused registry entries are reported at the key or table that causes them', async () => {
  const toml = [
    '# buildkitd config for the CI builder',
    '[registry."10.0.0.5:5000"]',
    '  http = true',
    '  insecure = true',
    '',
    '[registry."registry.example.com:443"]',
    '  http = true',
    '',
    '[registry."harbor.example.com"]',
    '  http = true',
    '  ca = ["/etc/buildkit/certs/harbor.example.com/ca.crt"]',
    '',
    '[registry."docker.io"]',
    '  mirrors = ["mirror.gcr.io"]',
    '',
  ].join('\n');
  const findings = await checkRepo({ files: { ...base, 'buildkitd.toml': toml } }, [rule]);
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.severity}`),
    [
      'buildkitd.toml:4:3-4:18 warning',
      'buildkitd.toml:6:1-6:38 warning',
      'buildkitd.toml:7:3-7:14 warning',
      'buildkitd.toml:9:1-9:32 warning',
      'buildkitd.toml:10:3-10:14 warning',
    ],
  );
  const [insecure, unused443, http443, unusedHarbor, httpCa] = findings.map((f) => f.message);
  assert.equal(
    insecure,
    'buildkitd.toml sets insecure = true for `10.0.0.5:5000` without a CA: TLS verification is switched off for every push there',
  );
  assert.match(
    unused443 ?? '',
    /^buildkitd\.toml configures `registry\.example\.com:443`, but the builds push to `10\.0\.0\.5:5000`: this entry never applies/,
  );
  assert.match(
    http443 ?? '',
    /http = true for `registry\.example\.com:443`, which is reached over TLS \(port 443\)/,
  );
  assert.match(
    unusedHarbor ?? '',
    /configures `harbor\.example\.com`, but the builds push to `10\.0\.0\.5:5000`/,
  );
  assert.match(
    httpCa ?? '',
    /for `harbor\.example\.com`, which is reached over TLS \(a CA is configured for it\)/,
  );
  assert.match(findings[0]?.hint ?? '', /crossdock trust <host>/);
});

test('the pushed host comes from every build: workflows, Makefiles and bake files', async () => {
  const toml = '[registry."ghcr.io"]\n  insecure = true\n  ca = ["/etc/certs/ghcr.pem"]\n';
  const workflow = [
    'on: push',
    'jobs:',
    '  image:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: docker/setup-buildx-action@v3',
    '        with:',
    '          buildkitd-config: buildkitd.toml',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          push: true',
    '          tags: ghcr.io/acme/api:latest',
    '',
  ].join('\n');
  const bake =
    'target "api" {\n  tags = ["registry.example.com/acme/api:1"]\n  output = ["type=registry"]\n}\n';
  const viaWorkflow = await checkRepo(
    {
      files: { Dockerfile: 'FROM alpine\n', '.github/workflows/image.yml': workflow, 'buildkitd.toml': toml },
    },
    [rule],
  );
  assert.deepEqual(viaWorkflow, []);
  const viaBake = await checkRepo(
    { files: { Dockerfile: 'FROM alpine\n', 'docker-bake.hcl': bake, 'buildkitd.toml': toml } },
    [rule],
  );
  assert.deepEqual(at(viaBake), ['buildkit-registry-mismatch@1:1']);
  assert.match(
    viaBake[0]?.message ?? '',
    /configures `ghcr\.io`, but the builds push to `registry\.example\.com`/,
  );
  const makefile = [
    'REGISTRY ?= ghcr.io/acme',
    'VERSION ?= 1.0.0',
    '',
    'release:',
    '\tdocker buildx build --platform linux/amd64,linux/arm64 -t $(REGISTRY)/api:$(VERSION) --push .',
    '',
  ].join('\n');
  const viaMake = await checkRepo(
    { files: { Dockerfile: 'FROM alpine\n', Makefile: makefile, 'buildkitd.toml': toml } },
    [rule],
  );
  assert.deepEqual(viaMake, []);
  const otherMake = await checkRepo(
    {
      files: {
        Dockerfile: 'FROM alpine\n',
        Makefile: makefile.replace('ghcr.io/acme', '10.0.0.5:5000/acme'),
        'buildkitd.toml': toml,
      },
    },
    [rule],
  );
  assert.deepEqual(at(otherMake), ['buildkit-registry-mismatch@1:1']);
  assert.match(otherMake[0]?.message ?? '', /but the builds push to `10\.0\.0\.5:5000`/);
});

test('a matching entry with a CA, plain HTTP to a non-TLS registry, and no pushes at all report nothing', async () => {
  const toml = [
    '[registry."10.0.0.5:5000"]',
    '  ca = ["/etc/buildkit/certs/10.0.0.5:5000/ca.crt"]',
    '  insecure = true',
    '',
    '[registry."docker.io"]',
    '  mirrors = ["mirror.gcr.io"]',
    '',
  ].join('\n');
  assert.deepEqual(await checkRepo({ files: { ...base, 'buildkitd.toml': toml } }, [rule]), []);
  const plainHttp = '[registry."10.0.0.5:5000"]\n  http = true\n';
  assert.deepEqual(await checkRepo({ files: { ...base, 'buildkitd.toml': plainHttp } }, [rule]), []);
  // Nothing pushes (build only): an entry for another registry is not judged "unused".
  const noPush = {
    Dockerfile: 'FROM alpine\n',
    'scripts/build.sh': '#!/bin/sh\ndocker build -t acme/api:dev .\n',
    'ci/buildkitd.toml': '[registry."harbor.example.com"]\n  http = false\n',
  };
  assert.deepEqual(await checkRepo({ files: noPush }, [rule]), []);
});
