// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/emulated-build.js';
import { at, checkRepo } from '../helpers/check.js';

const dockerfile =
  'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n';

const workflow = (opts: { qemu: boolean; runner?: string; platforms?: string }) =>
  [
    'name: image',
    'on:',
    '  push:',
    '    branches: [main]',
    'jobs:',
    '  image:',
    `    runs-on: ${opts.runner ?? 'ubuntu-latest'}`,
    '    timeout-minutes: 90',
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...(opts.qemu ? ['      - uses: docker/setup-qemu-action@v3'] : []),
    '      - uses: docker/setup-buildx-action@v3',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: api',
    `          platforms: ${opts.platforms ?? 'linux/amd64,linux/arm64'}`,
    '          push: true',
    '          tags: ghcr.io/acme/api:latest',
    '',
  ].join('\n');

const api = { 'api/Dockerfile': dockerfile, 'api/requirements.txt': 'flask==3.0.3\nnumpy==1.26.4\n' };

test('arm64 under QEMU on an amd64 runner is a warning at the platforms value', async () => {
  const findings = await checkRepo(
    { files: { ...api, '.github/workflows/image.yml': workflow({ qemu: true }) } },
    [rule],
  );
  assert.deepEqual(at(findings), ['emulated-build@16:22']);
  const [f] = findings;
  assert.equal(f?.endColumn, 45);
  assert.equal(f?.severity, 'warning');
  // Modern numpy has aarch64 wheels: not a heavy dependency.
  assert.equal(
    f?.message,
    'job "image" builds linux/arm64 on [ubuntu-latest] (amd64): it runs under QEMU emulation, 5–20× slower',
  );
  assert.match(f?.hint ?? '', /ubuntu-24\.04-arm/);
});

test('heavy native dependencies in the build context raise it to an error and are named', async () => {
  const findings = await checkRepo(
    {
      files: {
        ...api,
        'api/requirements.txt': 'torch==2.3.1\nscipy==1.13.1\nnumpy==1.19.5\nflask==3.0.3\n',
        // Outside the context api/: not installed by this build.
        'tools/requirements.txt': 'pandas==2.2.2\n',
        '.github/workflows/image.yml': workflow({ qemu: true }),
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['emulated-build@16:22']);
  assert.equal(findings[0]?.severity, 'error');
  assert.match(
    findings[0]?.message ?? '',
    /5–20× slower, and numpy, scipy, torch compile from source there \(hours, full disks\)$/,
  );
});

test('without QEMU set up the foreign platform fails: error', async () => {
  const findings = await checkRepo(
    { files: { ...api, '.github/workflows/image.yml': workflow({ qemu: false }) } },
    [rule],
  );
  assert.deepEqual(at(findings), ['emulated-build@15:22']);
  assert.equal(findings[0]?.severity, 'error');
  assert.equal(
    findings[0]?.message,
    'job "image" builds linux/arm64 on [ubuntu-latest] (amd64) without setting up QEMU: RUN steps fail with "exec format error"',
  );
});

test('a self-hosted arm64 runner building amd64 is foreign too; its label set names the architecture', async () => {
  const findings = await checkRepo(
    {
      files: {
        ...api,
        '.github/workflows/image.yml': workflow({
          qemu: false,
          runner: '[self-hosted, linux, ARM64]',
          platforms: 'linux/amd64',
        }),
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['emulated-build@15:22']);
  assert.match(findings[0]?.message ?? '', /builds linux\/amd64 on \[self-hosted, linux, ARM64\] \(arm64\)/);
});

test('a script run by the job is checked against the job runner, at its --platform value', async () => {
  const script = [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    'REGISTRY="${REGISTRY:-10.0.0.5:5000}"',
    'docker buildx build \\',
    '  --platform linux/arm64 \\',
    '  -t "$REGISTRY/acme/api:latest" --push api',
    '',
  ].join('\n');
  const wf = [
    'on: push',
    'jobs:',
    '  release:',
    '    runs-on: ubuntu-22.04',
    '    timeout-minutes: 30',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - run: ./scripts/build.sh',
    '',
  ].join('\n');
  const findings = await checkRepo(
    { files: { ...api, 'scripts/build.sh': script, '.github/workflows/release.yml': wf } },
    [rule],
  );
  assert.deepEqual(at(findings), ['emulated-build@5:14']);
  assert.equal(findings[0]?.file, 'scripts/build.sh');
  assert.match(
    findings[0]?.message ?? '',
    /^job "release" builds linux\/arm64 on \[ubuntu-22\.04\] \(amd64\) without setting up QEMU/,
  );
  // QEMU set up in a run step (binfmt) before the script: emulated, a warning.
  const withBinfmt = await checkRepo(
    {
      files: {
        ...api,
        'scripts/build.sh': script,
        '.github/workflows/release.yml': wf.replace(
          '      - run: ./scripts/build.sh',
          '      - run: docker run --privileged --rm tonistiigi/binfmt --install arm64\n      - run: ./scripts/build.sh',
        ),
      },
    },
    [rule],
  );
  assert.deepEqual(
    withBinfmt.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity}`),
    ['scripts/build.sh:5:14 warning'],
  );
});

test('matrix: each platform on its native runner reports nothing; a combination on the wrong runner is found', async () => {
  const matrix = (armRunner: string) =>
    [
      'on: push',
      'jobs:',
      '  image:',
      '    strategy:',
      '      matrix:',
      '        include:',
      '          - platform: linux/amd64',
      '            runner: ubuntu-24.04',
      '          - platform: linux/arm64',
      `            runner: ${armRunner}`,
      '    runs-on: ${{ matrix.runner }}',
      '    timeout-minutes: 60',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - uses: docker/build-push-action@v6',
      '        with:',
      '          context: api',
      '          platforms: ${{ matrix.platform }}',
      '          outputs: type=image,name=ghcr.io/acme/api,push-by-digest=true,push=true',
      '',
    ].join('\n');
  const native = await checkRepo(
    { files: { ...api, '.github/workflows/image.yml': matrix('ubuntu-24.04-arm') } },
    [rule],
  );
  assert.deepEqual(native, []);
  const wrong = await checkRepo(
    { files: { ...api, '.github/workflows/image.yml': matrix('ubuntu-22.04') } },
    [rule],
  );
  // Reported at the matrix value of the combination that is foreign to its runner.
  assert.deepEqual(at(wrong), ['emulated-build@9:23']);
  assert.match(
    wrong[0]?.message ?? '',
    /builds linux\/arm64 on \[ubuntu-22\.04\] \(amd64\) without setting up QEMU/,
  );
});

test('native builds, builds without platforms, and runners of unknown architecture report nothing', async () => {
  const wf = [
    'on: push',
    'jobs:',
    '  arm:',
    '    runs-on: ubuntu-24.04-arm',
    '    steps:',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: api',
    '          platforms: linux/arm64',
    '  plain:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: api',
    '      - run: docker build -t acme/api:ci api',
    '  gpu:',
    '    runs-on: [self-hosted, gpu]',
    '    steps:',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: api',
    '          platforms: linux/amd64,linux/arm64',
    '  dynamic:',
    '    runs-on: ${{ inputs.runner }}',
    '    steps:',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: api',
    '          platforms: linux/arm64',
    '',
  ].join('\n');
  assert.deepEqual(await checkRepo({ files: { ...api, '.github/workflows/image.yml': wf } }, [rule]), []);
});
