import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/action-unknown-input.js';
import { at, checkRepo } from '../helpers/check.js';

const files = (workflow: string) => ({
  '.github/workflows/image.yml': workflow,
  'docker/Dockerfile': 'FROM python:3.12-slim\n',
});

const workflow = [
  'name: image',
  'on:',
  '  push:',
  '    tags: ["v*"]',
  'jobs:',
  '  build:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '        with:',
  '          submodules: recursive',
  '          fetch-depht: 0',
  '      - uses: actions/setup-python@v5',
  '        with:',
  '          python-version: "3.12"',
  '          python_version: "3.12"',
  '      - uses: docker/setup-qemu-action@v3',
  '        with:',
  '          platforms: arm64',
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          context: .',
  '          dockerfile: docker/Dockerfile',
  '          platform: linux/amd64,linux/arm64',
  '          tag: ghcr.io/acme/api:latest',
  '          build-arg: PYTHON=3.12',
  '          timeout: 3600',
  '          timeout-minutes: 60',
  '          push: true',
  '',
].join('\n');

test('inputs the pinned major does not have are warnings at the key, with the input meant where known', async () => {
  const findings = await checkRepo({ files: files(workflow) }, [rule]);
  assert.deepEqual(at(findings), [
    'action-unknown-input@12:11',
    'action-unknown-input@16:11',
    'action-unknown-input@23:11',
    'action-unknown-input@24:11',
    'action-unknown-input@25:11',
    'action-unknown-input@26:11',
    'action-unknown-input@27:11',
    'action-unknown-input@28:11',
  ]);
  assert.ok(findings.every((f) => f.severity === 'warning'));
  assert.deepEqual(
    findings.map((f) => f.endColumn - f.column),
    [11, 14, 10, 8, 3, 9, 7, 15],
  );
  const messages = findings.map((f) => f.message);
  assert.equal(
    messages[0],
    'actions/checkout@v4 has no input `fetch-depht`: GitHub only warns and the step runs as if it were absent',
  );
  assert.match(messages[1] ?? '', /^actions\/setup-python@v5 has no input `python_version`: .*absent$/);
  assert.match(
    messages[2] ?? '',
    /^docker\/build-push-action@v6 has no input `dockerfile`: .*; the input is `file`$/,
  );
  assert.match(messages[3] ?? '', /has no input `platform`: .*; the input is `platforms` \(plural\)$/);
  assert.match(messages[4] ?? '', /has no input `tag`: .*; the input is `tags` \(plural\)$/);
  assert.match(messages[5] ?? '', /has no input `build-arg`: .*; the input is `build-args`$/);
  assert.match(
    messages[6] ?? '',
    /^docker\/build-push-action@v6 has no input `timeout`: .*; the job needs `timeout-minutes:` \(or the step `timeout-minutes:`\)$/,
  );
  assert.match(
    messages[7] ?? '',
    /has no input `timeout-minutes`: .*; put `timeout-minutes:` on the step or the job, not under `with:`$/,
  );
});

test('deprecated inputs are info naming the replacement', async () => {
  const wf = [
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: docker/setup-buildx-action@v3.7.1',
    '        with:',
    '          install: true',
    '          config: .github/buildkitd.toml',
    '          driver-opts: network=host',
    '',
  ].join('\n');
  const findings = await checkRepo({ files: { '.github/workflows/ci.yml': wf } }, [rule]);
  assert.deepEqual(at(findings), ['action-unknown-input@8:11', 'action-unknown-input@9:11']);
  assert.deepEqual(
    findings.map((f) => f.severity),
    ['info', 'info'],
  );
  assert.equal(
    findings[0]?.message,
    'docker/setup-buildx-action@v3: input `install` is deprecated (set the BUILDX_BUILDER env var instead (input removed in v4))',
  );
  assert.equal(
    findings[1]?.message,
    'docker/setup-buildx-action@v3: input `config` is deprecated (use buildkitd-config)',
  );
});

test('inputs are checked against the major version pinned: `call` is new in build-push-action v6', async () => {
  const wf = (ref: string) =>
    [
      'on: push',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      `      - uses: docker/build-push-action@${ref}`,
      '        with:',
      '          call: check',
      '          file: docker/Dockerfile',
      '',
    ].join('\n');
  const v5 = await checkRepo({ files: files(wf('v5')) }, [rule]);
  assert.deepEqual(at(v5), ['action-unknown-input@8:11']);
  assert.match(v5[0]?.message ?? '', /^docker\/build-push-action@v5 has no input `call`/);
  assert.deepEqual(await checkRepo({ files: files(wf('v6')) }, [rule]), []);
  assert.deepEqual(await checkRepo({ files: files(wf('v6.9.0')) }, [rule]), []);
});

test('unknown majors, branches, SHAs, local and unknown actions are not judged', async () => {
  const wf = [
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: docker/build-push-action@v99',
    '        with:',
    '          timeout: 10',
    '      - uses: docker/build-push-action@master',
    '        with:',
    '          timeout: 10',
    `      - uses: docker/build-push-action@${'4f58ea79222b3b9dc2c8bbdd6debcef730109a75'}`,
    '        with:',
    '          timeout: 10',
    '      - uses: ./.github/actions/build',
    '        with:',
    '          timeout: 10',
    '      - uses: acme/deploy-action@v1',
    '        with:',
    '          cluster: prod',
    '',
  ].join('\n');
  assert.deepEqual(await checkRepo({ files: files(wf) }, [rule]), []);
});

test('the documented inputs report nothing', async () => {
  const fixed = workflow
    .replace(/\n {10}fetch-depht: 0/, '\n          fetch-depth: 0')
    .replace(/\n {10}python_version: "3\.12"/, '')
    .replace('dockerfile:', 'file:')
    .replace('platform:', 'platforms:')
    .replace('tag:', 'tags:')
    .replace('build-arg:', 'build-args:')
    .replace(/\n {10}timeout: 3600\n {10}timeout-minutes: 60/, '');
  assert.deepEqual(await checkRepo({ files: files(fixed) }, [rule]), []);
});
