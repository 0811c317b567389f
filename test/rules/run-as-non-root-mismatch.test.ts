// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold Dockerfile `${UID}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/run-as-non-root-mismatch.js';
import { at, checkRepo } from '../helpers/check.js';

const API = 'registry.example.com:5000/team/api:1.0';

const buildScript = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  `docker buildx build --platform linux/amd64,linux/arm64 -t ${API} --push -f api/Dockerfile api`,
  '',
].join('\n');

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
  '          platforms: linux/amd64,linux/arm64',
  '          push: true',
  '          tags: registry.example.com/team/worker:${{ github.sha }}',
  '',
].join('\n');

/** runAsNonRoot at pod level (9:23) or on the container (12:27 when the pod sets nothing); extra securityContext lines. */
function deployment(
  image: string,
  opts: { level?: 'pod' | 'container'; pod?: string[]; container?: string[] } = {},
): string {
  const pod =
    opts.level === 'container' ? [...(opts.pod ?? [])] : ['runAsNonRoot: true', ...(opts.pod ?? [])];
  const ctr = opts.level === 'container' ? ['runAsNonRoot: true', ...(opts.container ?? [])] : opts.container;
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  template:',
    '    spec:',
    ...(pod.length ? ['      securityContext:', ...pod.map((l) => `        ${l}`)] : []),
    '      containers:',
    '        - name: api',
    `          image: ${image}`,
    ...(ctr?.length ? ['          securityContext:', ...ctr.map((l) => `            ${l}`)] : []),
    '',
  ].join('\n');
}

function repo(dockerfile: string, manifest: string, extra: Record<string, string> = {}) {
  return {
    files: {
      'api/Dockerfile': dockerfile,
      'api/app.py': 'print(1)\n',
      'scripts/build.sh': buildScript,
      'k8s/api.yaml': manifest,
      ...extra,
    },
  };
}

test('an image without USER runs as root: reported at the pod-level runAsNonRoot', async () => {
  const findings = await checkRepo(
    repo('FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "/app/app.py"]\n', deployment(API)),
    [rule],
  );
  assert.deepEqual(at(findings), ['run-as-non-root-mismatch@9:23']);
  assert.equal(findings[0]?.file, 'k8s/api.yaml');
  assert.equal(findings[0]?.severity, 'error');
  assert.equal(
    findings[0]?.message,
    'Deployment "api" sets runAsNonRoot, but api/Dockerfile sets no USER, so the image runs as root: the kubelet refuses to start it ("container has runAsNonRoot and image will run as root")',
  );
  assert.deepEqual(findings[0]?.related, []);
});

test('USER root and USER 0:0 are root; the finding points back at the final USER', async () => {
  for (const user of ['root', '0:0']) {
    const findings = await checkRepo(
      repo(
        `FROM python:3.12-slim\nCOPY . /app\nUSER ${user}\nCMD ["python", "/app/app.py"]\n`,
        deployment(API, { level: 'container' }),
      ),
      [rule],
    );
    assert.deepEqual(at(findings), ['run-as-non-root-mismatch@12:27'], user);
    assert.equal(
      findings[0]?.message,
      `Deployment "api" sets runAsNonRoot, but api/Dockerfile ends with \`USER ${user}\` (root): the kubelet refuses to start it`,
    );
    assert.deepEqual(
      findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
      ['api/Dockerfile:3:1 the final USER'],
    );
  }
});

test('a named USER cannot be verified by the kubelet, unless runAsUser gives a uid', async () => {
  const dockerfile = 'FROM python:3.12-slim\nRUN useradd -u 10001 app\nUSER app\nCOPY . /app\n';
  const findings = await checkRepo(repo(dockerfile, deployment(API)), [rule]);
  assert.deepEqual(at(findings), ['run-as-non-root-mismatch@9:23']);
  assert.match(
    findings[0]?.message ?? '',
    /ends with `USER app`, a name the kubelet cannot verify \("image has non-numeric user"\)/,
  );
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}`),
    ['api/Dockerfile:3'],
  );
  // runAsUser on the pod or on the container overrides the image's user.
  assert.deepEqual(
    await checkRepo(repo(dockerfile, deployment(API, { pod: ['runAsUser: 10001'] })), [rule]),
    [],
  );
  assert.deepEqual(
    await checkRepo(repo(dockerfile, deployment(API, { container: ['runAsUser: 10001'] })), [rule]),
    [],
  );
});

test('numeric users, also through ARG and inherited from a base stage, report nothing', async () => {
  const dockerfiles = [
    'FROM python:3.12-slim\nCOPY . /app\nUSER 10001\n',
    'FROM python:3.12-slim\nARG UID=10001\nUSER ${UID}:${UID}\n',
    'FROM python:3.12-slim AS base\nRUN useradd -u 10001 app\nUSER 10001\nFROM base\nCOPY . /app\n',
  ];
  for (const df of dockerfiles) assert.deepEqual(await checkRepo(repo(df, deployment(API)), [rule]), [], df);
});

test('a container-level runAsNonRoot: false overrides the pod, and a stage not inherited does not count', async () => {
  const rootImage = 'FROM python:3.12-slim\nCOPY . /app\n';
  assert.deepEqual(
    await checkRepo(repo(rootImage, deployment(API, { container: ['runAsNonRoot: false'] })), [rule]),
    [],
  );
  // USER in the builder stage does not carry over to a final stage FROM another image.
  const findings = await checkRepo(
    repo(
      'FROM python:3.12-slim AS build\nUSER 10001\nRUN pip wheel -w /w .\nFROM python:3.12-slim\nCOPY --from=build /w /w\n',
      deployment(API),
    ),
    [rule],
  );
  assert.deepEqual(at(findings), ['run-as-non-root-mismatch@9:23']);
  assert.match(findings[0]?.message ?? '', /sets no USER/);
});

test('the --target stage of the build decides, and a CI image tagged with the commit sha is linked to its build', async () => {
  const staged = [
    'FROM python:3.12-slim AS runtime',
    'COPY . /app',
    'USER 10001',
    'FROM runtime AS debug',
    'USER root',
    '',
  ].join('\n');
  const targeted = buildScript.replace('--push', '--target runtime --push');
  assert.deepEqual(
    await checkRepo(repo(staged, deployment(API), { 'scripts/build.sh': targeted }), [rule]),
    [],
  );
  const untargeted = await checkRepo(repo(staged, deployment(API)), [rule]);
  assert.match(untargeted[0]?.message ?? '', /ends with `USER root`/);

  const findings = await checkRepo(
    repo(staged, deployment(API), {
      'worker/Dockerfile': 'FROM node:20-slim\nUSER node\nCOPY . /srv\n',
      '.github/workflows/ci.yml': workflow,
      'k8s/worker.yaml': deployment('registry.example.com/team/worker:3f2c1a9').replace(
        'name: api',
        'name: worker',
      ),
      'scripts/build.sh': targeted,
    }),
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}`),
    ['k8s/worker.yaml:9:23'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /^Deployment "worker" sets runAsNonRoot, but worker\/Dockerfile ends with `USER node`/,
  );
});

test('compose services are not checked', async () => {
  const findings = await checkRepo(
    {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nCOPY . /app\n',
        'compose.yaml': 'services:\n  api:\n    build: ./api\n    user: root\n',
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});

test('runAsNonRoot with runAsUser: 0 is reported at runAsUser, whatever the image says', async () => {
  const findings = await checkRepo(
    {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nUSER 10001\nCMD ["python"]\n',
        'build.sh': buildScript,
        'k8s/api.yaml': [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: { name: api }',
          'spec:',
          '  template:',
          '    spec:',
          '      securityContext:',
          '        runAsNonRoot: true',
          '        runAsUser: 0',
          `      containers: [{ name: api, image: "${API}" }]`,
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['run-as-non-root-mismatch@9:20']);
  assert.match(findings[0]?.message ?? '', /runAsUser: 0: the kubelet refuses to start it/);
});
