// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/invalid-image-reference.js';
import { at, checkRepo } from '../helpers/check.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

const releaseWorkflow = [
  'name: release',
  'on:',
  '  push:',
  '    tags: ["v*"]',
  'jobs:',
  '  image:',
  '    runs-on: ubuntu-latest',
  '    timeout-minutes: 60',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: docker/setup-qemu-action@v3',
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          context: .',
  '          platforms: linux/amd64,linux/arm64',
  '          push: true',
  '          tags: |',
  '            ghcr.io/acme/api:latest',
  '            ghcr.io/acme/api:v1.2.3+build5',
  '',
].join('\n');

const buildScript = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'REGISTRY="${REGISTRY:-10.0.0.5:5000}"',
  'docker buildx build --platform linux/amd64,linux/arm64 -t "$REGISTRY/acme/API:1.0" --push .',
  'docker buildx build -t "$REGISTRY/acme/api:$GIT_SHA" --push .',
  '',
].join('\n');

const deployment = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: api',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: api',
  '          image: registry.example.com/Acme/api:1.0',
  '        - name: log-shipper',
  '          image: busybox@sha256:abc',
  '      initContainers:',
  '        - name: migrate',
  `          image: registry.example.com/acme/api@${DIGEST}`,
  '',
].join('\n');

test('uppercase paths, invalid tags and digests are errors at the reference, in workflows, scripts and manifests', async () => {
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/release.yml': releaseWorkflow,
        'scripts/build.sh': buildScript,
        'k8s/deployment.yaml': deployment,
        Dockerfile: 'FROM python:3.12-slim\n',
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}-${f.endColumn} ${f.severity}`),
    [
      '.github/workflows/release.yml:19:13-43 error',
      'k8s/deployment.yaml:10:18-51 error',
      'k8s/deployment.yaml:12:18-36 error',
      'scripts/build.sh:4:59-83 error',
    ],
  );
  const [badTag, upperK8s, badDigest, upperScript] = findings.map((f) => f.message);
  assert.match(
    badTag ?? '',
    /^`ghcr\.io\/acme\/api:v1\.2\.3\+build5` is not a valid image reference: tag "v1\.2\.3\+build5"/,
  );
  assert.match(
    upperK8s ?? '',
    /repository path "Acme\/api" has uppercase letters; OCI repository names must be lowercase/,
  );
  assert.match(badDigest ?? '', /`busybox@sha256:abc` .*"@sha256:abc" is not a digest/);
  // The script's REGISTRY default is expanded into the reported reference; `$GIT_SHA` (unknown) is not judged.
  assert.match(upperScript ?? '', /^`10\.0\.0\.5:5000\/acme\/API:1\.0` .*"acme\/API" has uppercase letters/);
});

test('compose images, kustomize overrides and Helm values are checked after interpolation', async () => {
  const findings = await checkRepo(
    {
      files: {
        'compose.yaml': [
          'services:',
          '  web:',
          '    image: ghcr.io/acme/Web:${TAG:-latest}',
          '  api:',
          '    image: ghcr.io/acme/api:${TAG}',
          '  db:',
          '    image: postgres:16',
          '',
        ].join('\n'),
        'deploy/kustomization.yaml': [
          'resources:',
          '  - deployment.yaml',
          'images:',
          '  - name: api',
          '    newName: registry.example.com/acme/api',
          '    newTag: 1.4.0+build.7',
          '',
        ].join('\n'),
        'deploy/deployment.yaml': deployment.replace(/image: .*/g, 'image: api'),
        'chart/values.yaml': [
          'image:',
          '  registry: ghcr.io',
          '  repository: acme/API',
          'proxy:',
          '  image: "ghcr.io/acme/proxy:1.25"',
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), [
    'invalid-image-reference@3:15',
    'invalid-image-reference@3:12',
    'invalid-image-reference@6:13',
  ]);
  assert.deepEqual(
    findings.map((f) => f.file),
    ['chart/values.yaml', 'compose.yaml', 'deploy/kustomization.yaml'],
  );
  const [helm, compose, kustomize] = findings.map((f) => f.message);
  assert.match(helm ?? '', /^`ghcr\.io\/acme\/API` .*uppercase/);
  // `${TAG:-latest}` takes its default; `${TAG}` without one stays unresolved and is skipped.
  assert.match(compose ?? '', /^`ghcr\.io\/acme\/Web:latest` .*uppercase/);
  assert.match(
    kustomize ?? '',
    /^`registry\.example\.com\/acme\/api:1\.4\.0\+build\.7` .*tag "1\.4\.0\+build\.7" is invalid/,
  );
});

test('`${{ github.repository }}` and `repository_owner` in a tag are warnings naming the field', async () => {
  const workflow = [
    'on: push',
    'jobs:',
    '  image:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          push: true',
    '          tags: ghcr.io/${{ github.repository }}:${{ github.sha }}',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          file: worker.Dockerfile',
    '          tags: ghcr.io/${{github.repository_owner}}/worker:latest',
    '',
  ].join('\n');
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/image.yml': workflow,
        Dockerfile: 'FROM alpine\n',
        'worker.Dockerfile': 'FROM alpine\n',
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['invalid-image-reference@9:17', 'invalid-image-reference@13:17']);
  assert.deepEqual(
    findings.map((f) => f.severity),
    ['warning', 'warning'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /^`ghcr\.io\/\$\{\{ github\.repository \}\}:\$\{\{ github\.sha \}\}` builds its name from `\$\{\{ github\.repository \}\}`, which keeps the owner's capitals/,
  );
  assert.match(findings[1]?.message ?? '', /from `\$\{\{ github\.repository_owner \}\}`/);
  assert.match(findings[0]?.hint ?? '', /GITHUB_REPOSITORY,,/);
});

test('each matrix combination is checked with its own values', async () => {
  const workflow = [
    'on: push',
    'jobs:',
    '  image:',
    '    runs-on: ubuntu-latest',
    '    strategy:',
    '      matrix:',
    '        service: [api, Worker]',
    '    steps:',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: services/${{ matrix.service }}',
    '          tags: ghcr.io/acme/${{ matrix.service }}:latest',
    '',
  ].join('\n');
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/image.yml': workflow,
        'services/api/Dockerfile': 'FROM alpine\n',
        'services/Worker/Dockerfile': 'FROM alpine\n',
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['invalid-image-reference@12:17']);
  assert.match(
    findings[0]?.message ?? '',
    /^`ghcr\.io\/acme\/Worker:latest` .*"acme\/Worker" has uppercase letters/,
  );
});

test('valid and unresolved references report nothing', async () => {
  const workflow = [
    'on: push',
    'env:',
    '  IMAGE: ghcr.io/acme/api',
    'jobs:',
    '  image:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - id: meta',
    '        uses: docker/metadata-action@v5',
    '        with:',
    '          images: ghcr.io/${{ github.repository }}',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          tags: |',
    '            ${{ env.IMAGE }}:latest',
    '            ${{ steps.meta.outputs.tags }}',
    '            localhost:5000/acme/api:dev',
    `            ghcr.io/acme/api@${DIGEST}`,
    '',
  ].join('\n');
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/image.yml': workflow,
        Dockerfile: 'FROM python:3.12-slim\n',
        'scripts/build.sh': buildScript.replace('acme/API', 'acme/api'),
        'k8s/deployment.yaml': deployment
          .replace('Acme/api', 'acme/api')
          .replace('busybox@sha256:abc', `busybox:1.36@${DIGEST}`),
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});

test('tags of docker-bake.hcl targets are checked after variable interpolation', async () => {
  const bake = [
    'variable "REGISTRY" {',
    '  default = "registry.example.com"',
    '}',
    '',
    'target "api" {',
    '  context = "api"',
    '  platforms = ["linux/amd64", "linux/arm64"]',
    '  tags = ["${REGISTRY}/Acme/api:latest", "${REGISTRY}/acme/api:1.0"]',
    '  output = ["type=registry"]',
    '}',
    '',
  ].join('\n');
  const findings = await checkRepo(
    { files: { 'docker-bake.hcl': bake, 'api/Dockerfile': 'FROM alpine\n' } },
    [rule],
  );
  assert.deepEqual(at(findings), ['invalid-image-reference@8:11']);
  assert.equal(findings[0]?.file, 'docker-bake.hcl');
  assert.match(findings[0]?.message ?? '', /^`registry\.example\.com\/Acme\/api:latest` .*uppercase/);
});

test('a matrix-expanded tag in a multi-line `tags:` block points at its own line', async () => {
  const workflow = [
    'on: push',
    'jobs:',
    '  image:',
    '    runs-on: ubuntu-latest',
    '    strategy:',
    '      matrix:',
    '        service: [api, Worker]',
    '    steps:',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: services/${{ matrix.service }}',
    '          tags: |',
    '            ghcr.io/acme/${{ matrix.service }}:latest',
    '',
  ].join('\n');
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/image.yml': workflow,
        'services/api/Dockerfile': 'FROM alpine\n',
        'services/Worker/Dockerfile': 'FROM alpine\n',
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['invalid-image-reference@13:13']);
});
