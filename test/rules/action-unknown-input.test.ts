// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow fixtures hold `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import actionUnknownInput from '../../src/rules/action-unknown-input.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const WF = '.github/workflows/image.yml';

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

const warn = (line: number, message: RegExp) =>
  at('action-unknown-input', 'warning', WF, line, 11, { message, reachable: true });

/** One step `uses: <uses>` with the given `with:` lines. */
const step = (uses: string, inputs: string[]) =>
  [
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    `      - uses: ${uses}`,
    ...(inputs.length ? ['        with:', ...inputs.map((i) => `          ${i}`)] : []),
    '',
  ].join('\n');

const fixed = workflow
  .replace(/\n {10}fetch-depht: 0/, '\n          fetch-depth: 0')
  .replace(/\n {10}python_version: "3\.12"/, '')
  .replace('dockerfile:', 'file:')
  .replace('platform:', 'platforms:')
  .replace('tag:', 'tags:')
  .replace('build-arg:', 'build-args:')
  .replace(/\n {10}timeout: 3600\n {10}timeout-minutes: 60/, '');

ruleTest(actionUnknownInput, [
  {
    name: 'inputs the pinned major does not have are warnings at the key, with the input meant where known',
    repo: { files: files(workflow) },
    expect: [
      warn(
        12,
        /^actions\/checkout@v4 has no input `fetch-depht`: GitHub only warns and the step runs as if it were absent$/,
      ),
      warn(16, /^actions\/setup-python@v5 has no input `python_version`: .*absent$/),
      warn(23, /^docker\/build-push-action@v6 has no input `dockerfile`: .*; the input is `file`$/),
      warn(24, /has no input `platform`: .*; the input is `platforms` \(plural\)$/),
      warn(25, /has no input `tag`: .*; the input is `tags` \(plural\)$/),
      warn(26, /has no input `build-arg`: .*; the input is `build-args`$/),
      warn(
        27,
        /^docker\/build-push-action@v6 has no input `timeout`: .*; the job needs `timeout-minutes:` \(or the step `timeout-minutes:`\)$/,
      ),
      warn(
        28,
        /has no input `timeout-minutes`: .*; put `timeout-minutes:` on the step or the job, not under `with:`$/,
      ),
    ],
  },
  {
    name: 'the documented inputs report nothing',
    repo: { files: files(fixed) },
    expect: [],
  },
  {
    name: 'deprecated inputs are info naming the replacement',
    repo: {
      files: {
        [WF]: step('docker/setup-buildx-action@v3.7.1', [
          'install: true',
          'config: .github/buildkitd.toml',
          'driver-opts: network=host',
        ]),
      },
    },
    expect: [
      at('action-unknown-input', 'info', WF, 8, 11, {
        message:
          /^docker\/setup-buildx-action@v3: input `install` is deprecated \(set the BUILDX_BUILDER env var instead \(input removed in v4\)\)$/,
      }),
      at('action-unknown-input', 'info', WF, 9, 11, {
        message: /^docker\/setup-buildx-action@v3: input `config` is deprecated \(use buildkitd-config\)$/,
      }),
    ],
  },
  {
    name: 'the same inputs on v2, where they are not deprecated, report nothing',
    repo: {
      files: {
        [WF]: step('docker/setup-buildx-action@v2', ['install: true', 'config: .github/buildkitd.toml']),
      },
    },
    expect: [],
  },
  // Condition: the major version pinned.
  {
    name: '`call` is not an input of build-push-action v5',
    repo: { files: files(step('docker/build-push-action@v5', ['call: check', 'file: docker/Dockerfile'])) },
    expect: [
      at('action-unknown-input', 'warning', WF, 8, 11, {
        message: /^docker\/build-push-action@v5 has no input `call`/,
      }),
    ],
  },
  {
    name: '`call` is an input of build-push-action v6 (also pinned to a full version)',
    repo: {
      files: {
        ...files(step('docker/build-push-action@v6', ['call: check'])),
        '.github/workflows/full.yml': step('docker/build-push-action@v6.9.0', ['call: check']),
      },
    },
    expect: [],
  },
  {
    name: 'unknown majors, branches, SHAs, local, docker:// and unknown actions are not judged',
    repo: {
      files: files(
        [
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
          '      - uses: docker://alpine:3.20',
          '        with:',
          '          timeout: 10',
          '      - uses: acme/deploy-action@v1',
          '        with:',
          '          cluster: prod',
          '',
        ].join('\n'),
      ),
    },
    expect: [],
  },
  {
    name: 'a reusable workflow (workflow_call) is checked like any other',
    repo: {
      files: {
        [WF]: step('actions/checkout@v4', ['fetch-depht: 0']).replace('on: push', 'on: workflow_call'),
      },
    },
    expect: [warn(8, /^actions\/checkout@v4 has no input `fetch-depht`/)],
  },
  {
    name: 'an input whose value is an expression is judged by its name only',
    repo: {
      files: {
        [WF]: step('actions/checkout@v4', ['ref: ${{ inputs.ref }}', 'fetch-depht: ${{ inputs.depth }}']),
      },
    },
    expect: [warn(9, /has no input `fetch-depht`/)],
  },
]);

test('action-unknown-input: the finding spans the input key', async () => {
  const findings = await checkRepo({ files: files(workflow) }, [actionUnknownInput]);
  assertFindings(
    findings,
    [12, 16, 23, 24, 25, 26, 27, 28].map((line) => at('action-unknown-input', 'warning', WF, line, 11)),
  );
  assert.deepEqual(
    findings.map((f) => f.endColumn - f.column),
    [11, 14, 10, 8, 3, 9, 7, 15],
  );
});
