// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow fixtures hold `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/job-no-timeout.js';
import { at, checkRepo } from '../helpers/check.js';

const workflow = [
  'name: ci',
  'on:',
  '  push:',
  '    branches: [main]',
  'jobs:',
  '  test:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: actions/setup-python@v5',
  '        with:',
  '          python-version: "3.12"',
  '      - run: pytest',
  '  image:',
  '    needs: test',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: docker/setup-qemu-action@v3',
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          context: .',
  '          file: docker/api.Dockerfile',
  '          platforms: linux/amd64,linux/arm64',
  '          tags: ghcr.io/acme/api:latest',
  '          push: true',
  '          timeout: 3600',
  '      - run: docker build -f docker/worker.Dockerfile -t ghcr.io/acme/worker:latest .',
  '  release:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - run: ./scripts/build.sh',
  '',
].join('\n');

const files = {
  '.github/workflows/ci.yml': workflow,
  'docker/api.Dockerfile': 'FROM python:3.12-slim\n',
  'docker/worker.Dockerfile': 'FROM python:3.12-slim\n',
  'scripts/build.sh':
    '#!/bin/sh\ndocker buildx build --platform linux/arm64 -t acme/edge:latest --push edge\n',
  'edge/Dockerfile': 'FROM alpine:3.20\n',
};

test('jobs that build images without timeout-minutes are reported at the job key; jobs that do not build are not', async () => {
  const findings = await checkRepo({ files }, [rule]);
  assert.deepEqual(at(findings), ['job-no-timeout@14:3', 'job-no-timeout@29:3']);
  assert.deepEqual(
    findings.map((f) => `${f.file} ${f.endColumn - f.column} ${f.severity}`),
    ['.github/workflows/ci.yml 5 warning', '.github/workflows/ci.yml 7 warning'],
  );
  assert.equal(
    findings[0]?.message,
    'job "image" builds images (docker/api.Dockerfile and 1 more) with no timeout-minutes: a hung emulated build holds the runner for 6 hours',
  );
  // The build is in a script the job runs.
  assert.match(
    findings[1]?.message ?? '',
    /^job "release" builds images \(edge\/Dockerfile\) with no timeout-minutes/,
  );
  // `timeout:` on build-push-action is no substitute: the hint says so.
  assert.match(
    findings[0]?.hint ?? '',
    /`timeout-minutes:` on the job .*a `timeout:` input on build-push-action does nothing/,
  );
});

test('a matrix job counts one build per combination', async () => {
  const wf = [
    'on: push',
    'jobs:',
    '  image:',
    '    runs-on: ubuntu-latest',
    '    strategy:',
    '      matrix:',
    '        service: [api, worker, scheduler]',
    '    steps:',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: services/${{ matrix.service }}',
    '',
  ].join('\n');
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/image.yml': wf,
        'services/api/Dockerfile': 'FROM alpine\n',
        'services/worker/Dockerfile': 'FROM alpine\n',
        'services/scheduler/Dockerfile': 'FROM alpine\n',
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['job-no-timeout@3:3']);
  assert.match(findings[0]?.message ?? '', /builds images \(services\/api\/Dockerfile and 2 more\)/);
});

test('timeout-minutes on the job, as a number or an expression, reports nothing', async () => {
  const withTimeouts = workflow
    .replace('  image:\n    needs: test\n', '  image:\n    needs: test\n    timeout-minutes: 90\n')
    .replace('  release:\n', '  release:\n    timeout-minutes: ${{ inputs.timeout || 45 }}\n');
  assert.deepEqual(
    await checkRepo({ files: { ...files, '.github/workflows/ci.yml': withTimeouts } }, [rule]),
    [],
  );
});
