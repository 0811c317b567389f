// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/registry-drift.js';
import { at, checkRepo } from '../helpers/check.js';

const workflow = [
  'name: release',
  'on:',
  '  push:',
  '    branches: [main]',
  'jobs:',
  '  image:',
  '    runs-on: ubuntu-latest',
  '    timeout-minutes: 60',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: docker/login-action@v3',
  '        with:',
  '          registry: ghcr.io',
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          context: .',
  '          push: true',
  '          tags: registry.example.com/acme/api:latest',
  '',
].join('\n');

const deployment = (image: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  replicas: 2',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: api',
    `          image: ${image}`,
    '',
  ].join('\n');

test('one repository pushed to one registry and deployed from another is reported at the push', async () => {
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/release.yml': workflow,
        Dockerfile: 'FROM python:3.12-slim\n',
        'k8s/api.yaml': deployment('registry.internal.example.com/acme/api:latest'),
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../api.yaml',
          'images:',
          '  - name: registry.internal.example.com/acme/api',
          '    newName: registry.example.com/acme/api',
          '    newTag: "1.4.0"',
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['registry-drift@18:17']);
  const [f] = findings;
  assert.equal(f?.file, '.github/workflows/release.yml');
  assert.equal(f?.severity, 'warning');
  assert.equal(
    f?.message,
    '`acme/api` goes to `registry.example.com`, `registry.internal.example.com` across 3 places: what is pushed to one registry is pulled from another, which has an old image or none',
  );
  assert.deepEqual(
    f?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    [
      'k8s/api.yaml:11:18 deployed via registry.internal.example.com',
      'k8s/overlays/prod/kustomization.yaml:6:13 deployed via registry.example.com',
    ],
  );
});

test('a private IP registry written in several files is info with one address, a warning with several', async () => {
  const script = [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    'REGISTRY="${REGISTRY:-10.0.0.5:5000}"',
    'docker buildx build --platform linux/amd64,linux/arm64 -t "$REGISTRY/acme/api:latest" --push .',
    '',
  ].join('\n');
  const makefile = [
    'REGISTRY ?= 10.0.0.5:5000',
    'IMAGE := $(REGISTRY)/acme/worker',
    '',
    'push:',
    '\tdocker build -t $(IMAGE):dev worker',
    '\tdocker push $(IMAGE):dev',
    '',
  ].join('\n');
  const files = {
    Dockerfile: 'FROM python:3.12-slim\n',
    'worker/Dockerfile': 'FROM python:3.12-slim\n',
    'scripts/build.sh': script,
    Makefile: makefile,
    'buildkitd.toml': '[registry."10.0.0.5:5000"]\n  http = true\n',
    'k8s/api.yaml': deployment('10.0.0.5:5000/acme/api:latest'),
  };
  const single = await checkRepo({ files }, [rule]);
  assert.deepEqual(at(single), ['registry-drift@6:14']);
  const [f] = single;
  assert.equal(f?.file, 'Makefile');
  assert.equal(f?.severity, 'info');
  assert.match(
    f?.message ?? '',
    /^the registry address `10\.0\.0\.5:5000` is written by hand in 5 places \(Makefile, buildkitd\.toml, scripts\/build\.sh, k8s\/api\.yaml\)/,
  );
  assert.deepEqual(
    f?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    [
      'buildkitd.toml:1:1 configured in buildkitd.toml: 10.0.0.5:5000',
      'Makefile:5:18 tagged by a build that does not push: 10.0.0.5:5000',
      'scripts/build.sh:4:59 pushed: 10.0.0.5:5000',
      'k8s/api.yaml:11:18 deployed: 10.0.0.5:5000',
    ],
  );

  // The cluster pulls from a second address: both the raw IPs (now a warning) and the drift of acme/api.
  const two = await checkRepo(
    { files: { ...files, 'k8s/api.yaml': deployment('10.0.0.6:5000/acme/api:latest') } },
    [rule],
  );
  assert.deepEqual(
    two.map((x) => `${x.file}:${x.line}:${x.column} ${x.severity}`),
    ['Makefile:6:14 warning', 'scripts/build.sh:4:59 warning'],
  );
  assert.match(
    two[0]?.message ?? '',
    /the registry address `10\.0\.0\.5:5000`, `10\.0\.0\.6:5000` is written/,
  );
  assert.match(
    two[1]?.message ?? '',
    /^`acme\/api` goes to `10\.0\.0\.5:5000`, `10\.0\.0\.6:5000` across 2 places/,
  );
  assert.deepEqual(
    two[1]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    ['k8s/api.yaml:11:18 deployed via 10.0.0.6:5000'],
  );
});

test('one registry everywhere, logins, loopback and IPs in a single file report nothing', async () => {
  const script = [
    '#!/bin/sh',
    'REGISTRY="${REGISTRY:-10.0.0.5:5000}"',
    'docker login -u ci 10.0.0.5:5000',
    'docker build -t "$REGISTRY/acme/batch:latest" .',
    'docker push "$REGISTRY/acme/batch:latest"',
    'docker build -t "$UNKNOWN_REGISTRY/acme/api:latest" .',
    '',
  ].join('\n');
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/release.yml': workflow,
        Dockerfile: 'FROM python:3.12-slim\n',
        'k8s/api.yaml': deployment('registry.example.com/acme/api:latest'),
        'scripts/build.sh': script,
        'compose.yaml': 'services:\n  cache:\n    image: 127.0.0.1:5000/acme/cache:1\n',
        'dev/compose.yaml': 'services:\n  cache:\n    image: 127.0.0.1:5000/acme/cache:1\n',
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});

test('publishing one image to two public registries on purpose is not drift', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile: 'FROM alpine\n',
        'release.sh':
          'docker buildx build --platform linux/amd64,linux/arm64 -t ghcr.io/acme/api:1.0 -t docker.io/acme/api:1.0 --push .\n',
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), []);
});
