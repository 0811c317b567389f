// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/image-not-built.js';
import { at, checkRepo } from '../helpers/check.js';

const DIGEST = `sha256:${'4f'.repeat(32)}`;

const builds = {
  'api/Dockerfile': 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nEXPOSE 5000\nUSER 10001\n',
  'web/Dockerfile': 'FROM node:20-slim\nCOPY . /srv\nUSER node\n',
  'worker/Dockerfile': 'FROM golang:1.22\nCOPY . /src\n',
  'scripts/build.sh': [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    'docker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com:5000/team/api:1.0 --push -f api/Dockerfile api',
    '',
  ].join('\n'),
  'scripts/release.sh': [
    '#!/bin/sh',
    '# VERSION comes from the release job',
    'docker build -t "registry.example.com/team/worker:v${VERSION}" worker',
    'docker push "registry.example.com/team/worker:v${VERSION}"',
    '',
  ].join('\n'),
  '.github/workflows/ci.yml': [
    'name: ci',
    'on: [push]',
    'jobs:',
    '  web:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: web',
    '          platforms: linux/amd64,linux/arm64',
    '          push: true',
    '          tags: |',
    '            registry.example.com/team/web:latest',
    '            registry.example.com/team/web:${{ github.sha }}',
    '',
  ].join('\n'),
};

function deployment(images: string[]): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: app',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    ...images.flatMap((image, i) => [`        - name: c${i}`, `          image: ${image}`]),
    '',
  ].join('\n');
}

const related = (f: { related: { file: string; line: number; column: number; message: string }[] }) =>
  f.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`);

test('a manifest deploying a tag no build pushes is reported, pointing at the build', async () => {
  const findings = await checkRepo(
    { files: { ...builds, 'k8s/app.yaml': deployment(['registry.example.com:5000/team/api:1.1']) } },
    [rule],
  );
  assert.deepEqual(at(findings), ['image-not-built@10:18']);
  assert.equal(findings[0]?.file, 'k8s/app.yaml');
  assert.equal(findings[0]?.severity, 'error');
  assert.equal(
    findings[0]?.message,
    '`registry.example.com:5000/team/api:1.1` is deployed from a manifest, but the builds of `registry.example.com:5000/team/api` in this repository push only `1.0`: the pull fails (manifest unknown) or runs an old image',
  );
  assert.deepEqual(related(findings[0]!), [
    'scripts/build.sh:3:1 built here: registry.example.com:5000/team/api:1.0',
  ]);
});

test('tags with variables are patterns: `${{ github.sha }}` matches any tag, `v${VERSION}` only v-prefixed ones', async () => {
  const findings = await checkRepo(
    {
      files: {
        ...builds,
        'k8s/app.yaml': deployment([
          'registry.example.com/team/web:3f2c1a9',
          'registry.example.com/team/web',
          'registry.example.com/team/worker:v1.2.0',
          'registry.example.com/team/worker:1.2.0',
        ]),
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['image-not-built@16:18']);
  assert.match(
    findings[0]?.message ?? '',
    /^`registry\.example\.com\/team\/worker:1\.2\.0` is deployed from a manifest, but the builds of `registry\.example\.com\/team\/worker` in this repository push only `v\$\{VERSION\}`:/,
  );
  assert.deepEqual(related(findings[0]!), [
    'scripts/release.sh:3:1 built here: registry.example.com/team/worker:v${VERSION}',
  ]);
});

test('built tags, digests, images built elsewhere and containers linked to their build report nothing', async () => {
  const findings = await checkRepo(
    {
      files: {
        ...builds,
        'k8s/app.yaml': deployment([
          'registry.example.com:5000/team/api:1.0',
          `registry.example.com:5000/team/api@${DIGEST}`,
          'registry.example.com/team/web:latest',
          'redis:7',
          'registry.example.com/team/billing:2.0',
        ]),
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});

test('Helm values `image: {repository, tag}` and kustomize `images:` overrides are deployments too', async () => {
  const findings = await checkRepo(
    {
      files: {
        ...builds,
        'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: "1.0"\n',
        'chart/values.yaml': [
          'image:',
          '  repository: registry.example.com:5000/team/api',
          '  tag: "0.9"',
          'web:',
          '  image:',
          '    repository: registry.example.com/team/web',
          '    tag: "2f1e0d9"',
          '',
        ].join('\n'),
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'images:',
          '  - name: api',
          '    newName: registry.example.com:5000/team/api',
          '    newTag: "2.0"',
          '  - name: web',
          '    newName: registry.example.com/team/web',
          '    newTag: latest',
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}`),
    ['chart/values.yaml:3:8', 'k8s/overlays/prod/kustomization.yaml:6:13'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /^`registry\.example\.com:5000\/team\/api:0\.9` is deployed from Helm values, .* push only `1\.0`/,
  );
  assert.match(
    findings[1]?.message ?? '',
    /^`registry\.example\.com:5000\/team\/api:2\.0` is deployed from kustomize images/,
  );
});

test('a tag written elsewhere is not `latest`: Helm appVersion, kustomize renames, kustomize-retagged bases', async () => {
  const findings = await checkRepo(
    {
      files: {
        ...builds,
        'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: "1.0"\n',
        'chart/values.yaml':
          'image:\n  repository: registry.example.com:5000/team/api\n  pullPolicy: IfNotPresent\n  tag: ""\n',
        'k8s/base/deployment.yaml': deployment(['registry.example.com:5000/team/api', 'api:1.0']),
        'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'images:',
          '  - name: registry.example.com:5000/team/api',
          '    newTag: "1.0"',
          '  - name: api',
          '    newName: registry.example.com:5000/team/api',
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});

test('a base image kustomize redirects to another registry is not deployed as written', async () => {
  const base = {
    ...builds,
    'k8s/base/deployment.yaml': deployment(['registry.example.com:5000/team/api']),
    'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  };
  const overlay = [
    'resources:',
    '  - ../../base',
    'images:',
    '  - name: registry.example.com:5000/team/api',
    '    newName: public.ecr.aws/acme/api',
    '    newTag: "1.0"',
    '',
  ].join('\n');
  assert.deepEqual(
    await checkRepo({ files: { ...base, 'k8s/overlays/public/kustomization.yaml': overlay } }, [rule]),
    [],
  );
  // Without the overlay the base is deployed as written: `latest`, which no build pushes.
  const findings = await checkRepo({ files: base }, [rule]);
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}`),
    ['k8s/base/deployment.yaml:10:18'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /^`registry\.example\.com:5000\/team\/api` is deployed from a manifest/,
  );
});

test('compose: an image without `build:` must be a pushed tag; `${VAR:-default}` is interpolated', async () => {
  const compose = [
    'services:',
    '  api:',
    '    image: registry.example.com:5000/team/api:${API_TAG:-1.0}',
    '  api-next:',
    '    image: registry.example.com:5000/team/api:dev',
    '  api-local:',
    '    build: ./api',
    '    image: registry.example.com:5000/team/api:local',
    '',
  ].join('\n');
  const findings = await checkRepo({ files: { ...builds, 'compose.yaml': compose } }, [rule]);
  assert.deepEqual(at(findings), ['image-not-built@5:12']);
  assert.match(
    findings[0]?.message ?? '',
    /^`registry\.example\.com:5000\/team\/api:dev` is deployed from compose, .* push only `1\.0`, `local`:/,
  );
});
