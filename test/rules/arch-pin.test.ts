// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow fixtures hold `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/arch-pin.js';
import { at, checkRepo } from '../helpers/check.js';

const apiDockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nEXPOSE 5000\nUSER 10001\n';
const workerDockerfile =
  'FROM golang:1.22 AS build\nCOPY . .\nRUN go build -o /w .\nFROM gcr.io/distroless/static\nCOPY --from=build /w /w\n';

/** Multi-arch api image, built by a script. */
const buildScript = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'docker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com:5000/team/api:1.0 --push -f api/Dockerfile api',
  '',
].join('\n');

/** amd64-only worker image, built by CI and tagged with the commit sha. */
const workflow = [
  'name: ci',
  'on: [push]',
  'jobs:',
  '  worker:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          context: worker',
  '          platforms: linux/amd64',
  '          push: true',
  '          tags: registry.example.com/team/worker:${{ github.sha }}',
  '',
].join('\n');

function nodeSelector(name: string, image: string, arch: string, label = 'kubernetes.io/arch'): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  selector:',
    '    matchLabels:',
    `      app: ${name}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${name}`,
    '    spec:',
    '      nodeSelector:',
    `        ${label}: ${arch}`,
    '      containers:',
    `        - name: ${name}`,
    `          image: ${image}`,
    '',
  ].join('\n');
}

function affinity(name: string, image: string, operator: 'In' | 'NotIn', values: string[]): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  template:',
    '    spec:',
    '      affinity:',
    '        nodeAffinity:',
    '          requiredDuringSchedulingIgnoredDuringExecution:',
    '            nodeSelectorTerms:',
    '              - matchExpressions:',
    '                  - key: kubernetes.io/arch',
    `                    operator: ${operator}`,
    `                    values: [${values.join(', ')}]`,
    '      containers:',
    `        - name: ${name}`,
    `          image: ${image}`,
    '',
  ].join('\n');
}

const API = 'registry.example.com:5000/team/api:1.0';
const WORKER = 'registry.example.com/team/worker:3f2c1a9';
const base = {
  'api/Dockerfile': apiDockerfile,
  'worker/Dockerfile': workerDockerfile,
  'worker/main.go': 'package main\n',
  'scripts/build.sh': buildScript,
  '.github/workflows/ci.yml': workflow,
};

test('a nodeSelector narrower than a multi-arch build leaves nodes idle (warning at the selector value)', async () => {
  const findings = await checkRepo(
    { files: { ...base, 'k8s/api.yaml': nodeSelector('api', API, 'amd64') } },
    [rule],
  );
  assert.deepEqual(at(findings), ['arch-pin@15:29']);
  assert.equal(findings[0]?.file, 'k8s/api.yaml');
  assert.equal(findings[0]?.severity, 'warning');
  assert.equal(
    findings[0]?.message,
    'Deployment "api" is pinned to amd64 while its image is built for amd64, arm64 (scripts/build.sh:3): arm64 nodes never run it',
  );
});

test('required affinity on an architecture the build lacks is an error at the match expression', async () => {
  const findings = await checkRepo(
    { files: { ...base, 'k8s/worker.yaml': affinity('worker', WORKER, 'In', ['amd64', 'arm64']) } },
    [rule],
  );
  assert.deepEqual(at(findings), ['arch-pin@13:21']);
  assert.equal(findings[0]?.severity, 'error');
  assert.equal(
    findings[0]?.message,
    'Deployment "worker" requires arm64 nodes but its image is built only for amd64 (.github/workflows/ci.yml:11): pods there fail with ImagePullBackOff ("no matching manifest") or "exec format error"',
  );
});

test('NotIn: excluding an architecture the build has leaves it idle; excluding the only one built is an error', async () => {
  const findings = await checkRepo(
    {
      files: {
        ...base,
        'k8s/api.yaml': affinity('api', API, 'NotIn', ['arm64']),
        'k8s/worker.yaml': affinity('worker', WORKER, 'NotIn', ['amd64']),
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity}`),
    ['k8s/api.yaml:13:21 warning', 'k8s/worker.yaml:13:21 error'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /is pinned to amd64, arm, ppc64le, s390x, 386 .*: arm64 nodes never run it$/,
  );
  assert.match(
    findings[1]?.message ?? '',
    /^Deployment "worker" requires arm64, arm, ppc64le, s390x, 386 nodes but its image is built only for amd64/,
  );
});

test('pins that match the build, unpinned workloads and images not built here report nothing', async () => {
  const findings = await checkRepo(
    {
      files: {
        ...base,
        'k8s/api.yaml': affinity('api', API, 'In', ['amd64', 'arm64']),
        'k8s/worker.yaml': nodeSelector('worker', WORKER, 'amd64', 'beta.kubernetes.io/arch'),
        'k8s/redis.yaml': nodeSelector('redis', 'redis:7', 'arm64'),
        'k8s/web.yaml': nodeSelector('web', API, 'amd64').replace(/ {6}nodeSelector:\n.*\n/, ''),
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});

test('a deprecated beta.kubernetes.io/arch selector is a pin too', async () => {
  const findings = await checkRepo(
    {
      files: {
        ...base,
        'k8s/worker.yaml': nodeSelector('worker', WORKER, 'arm64', 'beta.kubernetes.io/arch'),
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['arch-pin@15:34']);
  assert.match(findings[0]?.message ?? '', /requires arm64 nodes but its image is built only for amd64/);
});
