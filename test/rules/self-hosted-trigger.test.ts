// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow fixtures hold `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/self-hosted-trigger.js';
import { at, checkRepo } from '../helpers/check.js';

const ci = [
  'name: ci',
  'on:',
  '  push:',
  '    branches: [main]',
  '  pull_request:',
  '  workflow_dispatch:',
  'jobs:',
  '  gpu:',
  '    runs-on: [self-hosted, linux, gpu]',
  '    timeout-minutes: 30',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - run: nvidia-smi',
  '  edge:',
  '    runs-on:',
  '      labels: [self-hosted, Linux, ARM64]',
  '    steps:',
  '      - run: ./scripts/build-edge.sh',
  '  matrix:',
  '    strategy:',
  '      matrix:',
  '        arch: [x64, arm64]',
  '    runs-on: [self-hosted, linux, "${{ matrix.arch }}"]',
  '    steps:',
  '      - run: uname -m',
  '  dynamic:',
  '    runs-on: ${{ inputs.runner }}',
  '    steps:',
  '      - run: "true"',
  '  hosted:',
  '    runs-on: ubuntu-24.04-arm',
  '    steps:',
  '      - run: "true"',
  '',
].join('\n');

test('jobs on push/pull_request needing self-hosted labels are info at runs-on, one per matrix label set', async () => {
  const findings = await checkRepo({ files: { '.github/workflows/ci.yml': ci } }, [rule]);
  assert.deepEqual(at(findings), [
    'self-hosted-trigger@9:14',
    'self-hosted-trigger@16:7',
    'self-hosted-trigger@23:14',
    'self-hosted-trigger@23:14',
  ]);
  assert.ok(findings.every((f) => f.severity === 'info'));
  const messages = findings.map((f) => f.message);
  assert.equal(
    messages[0],
    'job "gpu" runs on every push/pull_request and needs a self-hosted runner with labels [self-hosted, linux, gpu]: with none online it queues until it is cancelled (24 h)',
  );
  assert.match(messages[1] ?? '', /^job "edge" .*labels \[self-hosted, Linux, ARM64\]/);
  assert.match(messages[2] ?? '', /^job "matrix" .*labels \[self-hosted, linux, x64\]/);
  assert.match(messages[3] ?? '', /^job "matrix" .*labels \[self-hosted, linux, arm64\]/);
});

test('with runners declared in crossdock.yaml, only label sets no runner has are reported, as warnings', async () => {
  const config = [
    'runners:',
    '  - [self-hosted, linux, arm64]',
    '  - labels: [self-hosted, linux, x64, docker]',
    '',
  ].join('\n');
  const findings = await checkRepo({ files: { '.github/workflows/ci.yml': ci, 'crossdock.yaml': config } }, [
    rule,
  ]);
  // `Linux, ARM64` matches case-insensitively; both matrix sets are covered; the GPU set is not.
  assert.deepEqual(at(findings), ['self-hosted-trigger@9:14']);
  assert.equal(findings[0]?.severity, 'warning');
  assert.equal(
    findings[0]?.message,
    'job "gpu" needs a self-hosted runner with labels [self-hosted, linux, gpu], but no runner declared in crossdock.yaml has them: it will queue forever',
  );

  const declared = `${config}  - [self-hosted, linux, gpu, cuda]\n`;
  assert.deepEqual(
    await checkRepo({ files: { '.github/workflows/ci.yml': ci, 'crossdock.yaml': declared } }, [rule]),
    [],
  );
});

test('workflows run only by hand or on a schedule report nothing', async () => {
  const nightly = [
    'name: nightly',
    'on:',
    '  workflow_dispatch:',
    '  schedule:',
    '    - cron: "0 3 * * *"',
    'jobs:',
    '  bench:',
    '    runs-on: [self-hosted, gpu]',
    '    steps:',
    '      - run: ./bench.sh',
    '',
  ].join('\n');
  const release = [
    'on:',
    '  release:',
    '    types: [published]',
    'jobs:',
    '  publish:',
    '    runs-on: [self-hosted, linux, arm64]',
    '    steps:',
    '      - run: make release',
    '',
  ].join('\n');
  assert.deepEqual(
    await checkRepo(
      { files: { '.github/workflows/nightly.yml': nightly, '.github/workflows/release.yml': release } },
      [rule],
    ),
    [],
  );
});

test('the trigger list may be a string, a list or a mapping', async () => {
  const job = 'jobs:\n  build:\n    runs-on: [self-hosted, arm64]\n    steps:\n      - run: make\n';
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/a.yml': `on: pull_request_target\n${job}`,
        '.github/workflows/b.yml': `on: [merge_group, workflow_dispatch]\n${job}`,
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}`),
    ['.github/workflows/a.yml:4:14', '.github/workflows/b.yml:4:14'],
  );
  assert.match(findings[0]?.message ?? '', /runs on every pull_request_target and/);
  assert.match(findings[1]?.message ?? '', /runs on every merge_group and/);
});
