// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow fixtures hold `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import workflowInvalid from '../../src/rules/workflow-invalid.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const valid = [
  'name: image',
  'on:',
  '  push:',
  '    branches: [main]',
  '    paths-ignore: ["docs/**"]',
  '  workflow_dispatch:',
  'permissions:',
  '  contents: read',
  '  packages: write',
  'concurrency:',
  '  group: image-${{ github.ref }}',
  '  cancel-in-progress: true',
  'jobs:',
  '  build:',
  '    runs-on: ubuntu-latest',
  '    timeout-minutes: 60',
  '    strategy:',
  '      fail-fast: false',
  '      matrix:',
  '        python: ["3.11", "3.12"]',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '        with:',
  '          submodules: recursive',
  '      - uses: actions/setup-python@v5',
  '        with:',
  '          python-version: ${{ matrix.python }}',
  '      - name: Test',
  '        working-directory: app',
  '        run: |',
  '          pip install -r requirements.txt',
  '          pytest',
  '  publish:',
  '    needs: build',
  '    uses: ./.github/workflows/publish.yml',
  '    secrets: inherit',
  '',
].join('\n');

const broken = [
  'on: push',
  'jobs:',
  '  build:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '       - run: make image',
  '',
].join('\n');

const shape = [
  'name: shape',
  'on:',
  '  push:',
  '    branches:',
  '      main: true',
  'steps:',
  '  - run: echo',
  'jobs:',
  '  build:',
  '    runs-on: ubuntu-latest',
  '    timeout: 30',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '        wiht:',
  '          submodules: true',
  '      - echo hi',
  '  lint: ubuntu-latest',
  '  test:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      run: pytest',
  '',
].join('\n');

const SHAPE = '.github/workflows/shape.yml';
const err = (file: string, line: number, column: number, message: RegExp) =>
  at('workflow-invalid', 'error', file, line, column, { message, reachable: true });

/** A one-job workflow whose job body is given. */
const oneJob = (job: string[]) => ['on: push', 'jobs:', '  build:', ...job, ''].join('\n');

ruleTest(workflowInvalid, [
  {
    name: 'a workflow whose YAML does not parse is reported at the syntax error',
    repo: { files: { '.github/workflows/build.yml': broken } },
    expect: [
      err(
        '.github/workflows/build.yml',
        7,
        8,
        /^invalid workflow: YAML: All sequence items must start at the same column/,
      ),
    ],
  },
  {
    name: 'the same workflow with the step aligned parses: nothing',
    repo: { files: { '.github/workflows/build.yml': broken.replace('       - run', '      - run') } },
    expect: [],
  },
  {
    name: 'unknown keys, steps outside jobs, bad filters and malformed jobs and steps are each reported at the key or value',
    repo: { files: { [SHAPE]: shape } },
    expect: [
      err(SHAPE, 5, 7, /^invalid workflow: "on\.push\.branches" must be a list of patterns, not a mapping$/),
      err(
        SHAPE,
        6,
        1,
        /^invalid workflow: unknown top-level key "steps" \(steps belong inside a job: jobs\.<id>\.steps\)$/,
      ),
      err(SHAPE, 11, 5, /^invalid workflow: unknown key "timeout" in job "build"$/),
      err(SHAPE, 14, 9, /^invalid workflow: unknown step key "wiht" \(did you mean "with"\?\)$/),
      err(SHAPE, 16, 9, /^invalid workflow: a step must be a mapping with "uses" or "run"$/),
      err(SHAPE, 17, 3, /^invalid workflow: job "lint" must be a mapping$/),
      err(SHAPE, 21, 7, /^invalid workflow: "steps" of job "test" must be a list$/),
    ],
  },
  // Each shape condition, fixed on its own, removes only its finding.
  {
    name: 'branches as a list is a valid filter',
    repo: {
      files: {
        '.github/workflows/a.yml': oneJob([
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: make',
        ]).replace('on: push', 'on:\n  push:\n    branches: [main]'),
      },
    },
    expect: [],
  },
  {
    name: 'timeout-minutes is a job key; `with:` is a step key',
    repo: {
      files: {
        '.github/workflows/a.yml': oneJob([
          '    runs-on: ubuntu-latest',
          '    timeout-minutes: 30',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '        with:',
          '          submodules: true',
        ]),
      },
    },
    expect: [],
  },
  {
    name: 'a job key holding a scalar, and steps as a mapping, are each invalid alone',
    repo: {
      files: {
        '.github/workflows/a.yml': 'on: push\njobs:\n  lint: ubuntu-latest\n',
        '.github/workflows/b.yml': oneJob(['    runs-on: ubuntu-latest', '    steps:', '      run: pytest']),
      },
    },
    expect: [
      err('.github/workflows/a.yml', 3, 3, /job "lint" must be a mapping/),
      err('.github/workflows/b.yml', 6, 7, /"steps" of job "build" must be a list/),
    ],
  },
  {
    name: 'empty workflows, and workflows without triggers or jobs, are invalid at the start of the file',
    repo: {
      files: {
        '.github/workflows/empty.yaml': '',
        '.github/workflows/no-jobs.yml': 'on: [push]\n',
        '.github/workflows/no-on.yml':
          'name: lint\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make lint\n',
        '.github/workflows/list.yml': '- on: push\n',
      },
    },
    expect: [
      err('.github/workflows/empty.yaml', 1, 1, /^invalid workflow: the workflow file is empty$/),
      err(
        '.github/workflows/list.yml',
        1,
        1,
        /^invalid workflow: a workflow must be a mapping with "on" and "jobs"$/,
      ),
      err('.github/workflows/no-jobs.yml', 1, 1, /^invalid workflow: no "jobs:" mapping$/),
      err(
        '.github/workflows/no-on.yml',
        1,
        1,
        /^invalid workflow: no "on:" triggers: GitHub never runs this workflow$/,
      ),
    ],
  },
  {
    name: '`jobs:` as a list is reported at the list',
    repo: { files: { '.github/workflows/a.yml': 'on: push\njobs:\n  - build\n' } },
    expect: [err('.github/workflows/a.yml', 3, 3, /no "jobs:" mapping/)],
  },
  {
    name: 'a valid workflow (matrix, concurrency, reusable job), and YAML outside .github/workflows/, report nothing',
    repo: {
      files: {
        '.github/workflows/image.yml': valid,
        // Not workflows: a composite action, a nested folder, Dependabot config.
        '.github/actions/setup/action.yml': 'name: setup\nruns:\n  using: composite\n  steps: [\n',
        '.github/workflows/templates/build.yml': 'steps:\n  - run: echo\n',
        '.github/dependabot.yml': 'version: 2\nupdates: []\n',
      },
    },
    expect: [],
  },
]);

test('workflow-invalid: the hint says GitHub runs none of the jobs', async () => {
  const findings = await checkRepo({ files: { '.github/workflows/build.yml': broken } }, [workflowInvalid]);
  assertFindings(findings, [at('workflow-invalid', 'error', '.github/workflows/build.yml', 7, 8)]);
  assert.match(findings[0]?.hint ?? '', /GitHub rejects the whole file/);
});

ruleTest(workflowInvalid, [
  {
    name: 'a job with neither runs-on nor uses is rejected ("Required property is missing: runs-on")',
    repo: { files: { '.github/workflows/a.yml': oneJob(['    steps:', '      - run: make']) } },
    expect: [err('.github/workflows/a.yml', 3, 3, /runs-on/)],
  },
  {
    name: 'a step with both run and uses is rejected, at the step; a step with neither is rejected too',
    repo: {
      files: {
        '.github/workflows/a.yml': oneJob([
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: make',
          '        uses: actions/checkout@v4',
          '      - name: nothing',
        ]),
      },
    },
    expect: [
      err('.github/workflows/a.yml', 6, 9, /run.*uses|uses.*run/),
      err('.github/workflows/a.yml', 8, 9, /neither "run" nor "uses"/),
    ],
  },
]);

// The structure GitHub validates, one check at a time: each broken workflow is reported at the offending key or
// value, and its fixed twin (only that condition changed) reports nothing.
const WF = '.github/workflows/ci.yml';
/** A workflow with `on` and `jobs` given as lines. */
const wf = (on: string[], jobs: string[]) => ['on:', ...on, 'jobs:', ...jobs, ''].join('\n');
const PUSH = ['  push:'];
const JOB = ['  build:', '    runs-on: ubuntu-24.04-arm', '    steps:', '      - run: make'];
const pair = (
  name: string,
  broken: string,
  fixed: string,
  line: number,
  column: number,
  message: RegExp,
): Parameters<typeof ruleTest>[1] => [
  { name: `${name}: reported`, repo: { files: { [WF]: broken } }, expect: [err(WF, line, column, message)] },
  { name: `condition "${name}": fixed, nothing`, repo: { files: { [WF]: fixed } }, expect: [] },
];

ruleTest(workflowInvalid, [
  ...pair(
    'both branches and branches-ignore on one event',
    wf(['  push:', '    branches: [main]', '    branches-ignore: [dev]'], JOB),
    wf(['  push:', '    branches: [main, "!dev"]'], JOB),
    4,
    5,
    /^invalid workflow: "on\.push" sets both "branches" and "branches-ignore": GitHub allows only one of them per event$/,
  ),
  ...pair(
    'both paths and paths-ignore on one event',
    wf(['  pull_request:', '    paths-ignore: ["docs/**"]', '    paths: ["src/**"]'], JOB),
    wf(['  pull_request:', '    paths: ["src/**", "!docs/**"]'], JOB),
    4,
    5,
    /"on\.pull_request" sets both "paths" and "paths-ignore"/,
  ),
  ...pair(
    'an event filter that is a list of lists',
    wf(['  push:', '    tags:', '      - [v1, v2]'], JOB),
    wf(['  push:', '    tags: [v1, v2]'], JOB),
    4,
    9,
    /^invalid workflow: "on\.push\.tags\[0\]" must be a non-empty string, not a list$/,
  ),
  ...pair(
    'an unknown event',
    wf(['  pushh:'], JOB),
    wf(['  push:'], JOB),
    2,
    3,
    /^invalid workflow: unknown event "pushh" in "on"$/,
  ),
  ...pair(
    'an unknown event given as a string',
    'on: pull-request\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: [{ run: make }]\n',
    'on: pull_request\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: [{ run: make }]\n',
    1,
    5,
    /^invalid workflow: unknown event "pull-request" in "on"$/,
  ),
  ...pair(
    'an empty jobs mapping',
    wf(PUSH, ['  {}']).replace('jobs:\n  {}', 'jobs: {}'),
    wf(PUSH, JOB),
    3,
    7,
    /^invalid workflow: "jobs" is empty: a workflow needs at least one job$/,
  ),
  ...pair(
    'needs naming a job that does not exist',
    wf(PUSH, [...JOB, '  push:', '    needs: [build, tset]', ...JOB.slice(1)]),
    wf(PUSH, [...JOB, '  push:', '    needs: [build]', ...JOB.slice(1)]),
    9,
    20,
    /^invalid workflow: job "push" needs "tset", which is not a job of this workflow$/,
  ),
  ...pair(
    'needs forming a cycle',
    wf(PUSH, [
      ...JOB,
      '  test:',
      '    needs: push',
      ...JOB.slice(1),
      '  push:',
      '    needs: test',
      ...JOB.slice(1),
    ]),
    wf(PUSH, [
      ...JOB,
      '  test:',
      '    needs: build',
      ...JOB.slice(1),
      '  push:',
      '    needs: test',
      ...JOB.slice(1),
    ]),
    9,
    12,
    /^invalid workflow: job "test" needs "push", which creates a cycle in the dependency graph: jobs "test", "push" never run$/,
  ),
  ...pair(
    'every job needing another',
    wf(PUSH, ['  a:', '    needs: b', ...JOB.slice(1), '  b:', '    needs: a', ...JOB.slice(1)]),
    wf(PUSH, ['  a:', ...JOB.slice(1), '  b:', '    needs: a', ...JOB.slice(1)]),
    5,
    12,
    /^invalid workflow: job "a" needs "b", which creates a cycle in the dependency graph: jobs "a", "b" never run$/,
  ),
  {
    name: 'the only job needing a job that does not exist is reported at the need, not as "no job is free"',
    repo: { files: { [WF]: wf(PUSH, ['  image:', '    needs: tests', ...JOB.slice(1)]) } },
    expect: [
      err(WF, 5, 12, /^invalid workflow: job "image" needs "tests", which is not a job of this workflow$/),
    ],
  },
  ...pair(
    'a schedule entry without cron',
    wf(['  schedule:', '    - timezone: Europe/Paris'], JOB),
    wf(['  schedule:', '    - cron: "0 3 * * *"', '      timezone: Europe/Paris'], JOB),
    3,
    7,
    /^invalid workflow: "on\.schedule\[0\]" is missing the required key "cron"$/,
  ),
  ...pair(
    'a job id of 100 characters',
    wf(PUSH, [
      '  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:',
      ...JOB.slice(1),
    ]),
    wf(PUSH, [
      '  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:',
      ...JOB.slice(1),
    ]),
    4,
    3,
    /^invalid workflow: job id "a{100}" is invalid: /,
  ),
  {
    name: 'unknown: a mapping with a key written as an expression is not checked for its required keys',
    repo: {
      files: {
        [WF]: wf(['  schedule:', '    - ${{ inputs.key }}: "0 3 * * *"'], JOB),
      },
    },
    expect: [],
  },
  ...pair(
    'runs-on as a mapping with a misspelt key',
    wf(PUSH, [
      '  build:',
      '    runs-on:',
      '      group: arm-runners',
      '      label: ubuntu-24.04-arm',
      ...JOB.slice(2),
    ]),
    wf(PUSH, [
      '  build:',
      '    runs-on:',
      '      group: arm-runners',
      '      labels: ubuntu-24.04-arm',
      ...JOB.slice(2),
    ]),
    7,
    7,
    /^invalid workflow: unknown key "label" in "jobs\.build\.runs-on" \(did you mean "labels"\?\)$/,
  ),
  ...pair(
    'runs-on empty',
    wf(PUSH, ['  build:', '    runs-on: ""', ...JOB.slice(2)]),
    wf(PUSH, ['  build:', '    runs-on: [self-hosted, linux, ARM64]', ...JOB.slice(2)]),
    5,
    14,
    /^invalid workflow: "jobs\.build\.runs-on" must be a non-empty string, a list, a mapping or a \$\{\{ \}\} expression, not empty$/,
  ),
  ...pair(
    'matrix include written as a mapping',
    wf(PUSH, [
      '  build:',
      ...JOB.slice(1, 2),
      '    strategy:',
      '      matrix:',
      '        include:',
      '          arch: arm64',
      ...JOB.slice(2),
    ]),
    wf(PUSH, [
      '  build:',
      ...JOB.slice(1, 2),
      '    strategy:',
      '      matrix:',
      '        include:',
      '          - arch: arm64',
      ...JOB.slice(2),
    ]),
    9,
    11,
    /^invalid workflow: "jobs\.build\.strategy\.matrix\.include" must be a list or a \$\{\{ \}\} expression, not a mapping$/,
  ),
  ...pair(
    'matrix exclude item that is not a mapping',
    wf(PUSH, [
      '  build:',
      ...JOB.slice(1, 2),
      '    strategy:',
      '      matrix:',
      '        arch: [amd64, arm64]',
      '        exclude: [arm64]',
      ...JOB.slice(2),
    ]),
    wf(PUSH, [
      '  build:',
      ...JOB.slice(1, 2),
      '    strategy:',
      '      matrix:',
      '        arch: [amd64, arm64]',
      '        exclude: [{ arch: arm64 }]',
      ...JOB.slice(2),
    ]),
    9,
    19,
    /^invalid workflow: "jobs\.build\.strategy\.matrix\.exclude\[0\]" must be a mapping or a \$\{\{ \}\} expression, not 'arm64'$/,
  ),
  ...pair(
    'a matrix variable holding one value instead of a list',
    wf(PUSH, [
      '  build:',
      ...JOB.slice(1, 2),
      '    strategy:',
      '      matrix:',
      '        python: "3.12"',
      ...JOB.slice(2),
    ]),
    wf(PUSH, [
      '  build:',
      ...JOB.slice(1, 2),
      '    strategy:',
      '      matrix:',
      '        python: ["3.12"]',
      ...JOB.slice(2),
    ]),
    8,
    17,
    /^invalid workflow: "jobs\.build\.strategy\.matrix\.python" must be a list or a \$\{\{ \}\} expression, not '3\.12'$/,
  ),
  ...pair(
    '`with:` beside `run:`',
    wf(PUSH, [...JOB.slice(0, 3), '      - run: make', '        with:', '          target: image']),
    wf(PUSH, [...JOB.slice(0, 3), '      - run: make image']),
    8,
    9,
    /^invalid workflow: "with" is only allowed beside "uses": a "run" step takes no inputs$/,
  ),
  ...pair(
    '`shell:` beside `uses:`',
    wf(PUSH, [...JOB.slice(0, 3), '      - uses: ./.github/actions/setup', '        shell: bash']),
    wf(PUSH, [...JOB.slice(0, 3), '      - uses: ./.github/actions/setup']),
    8,
    9,
    /^invalid workflow: "shell" only applies to a "run" step, not to a step that "uses" an action$/,
  ),
  ...pair(
    'an input dedented out of `with:`',
    wf(PUSH, [
      ...JOB.slice(0, 3),
      '      - uses: actions/checkout@v4',
      '        with:',
      '          submodules: true',
      '        fetch-depth: 0',
    ]),
    wf(PUSH, [
      ...JOB.slice(0, 3),
      '      - uses: actions/checkout@v4',
      '        with:',
      '          submodules: true',
      '          fetch-depth: 0',
    ]),
    10,
    9,
    /^invalid workflow: unknown step key "fetch-depth" \(an input of the action\? inputs go under "with:"\)$/,
  ),
  ...pair(
    'an unknown job key close to a known one',
    wf(PUSH, [...JOB.slice(0, 2), '    timeout-minute: 30', ...JOB.slice(2)]),
    wf(PUSH, [...JOB.slice(0, 2), '    timeout-minutes: 30', ...JOB.slice(2)]),
    6,
    5,
    /^invalid workflow: unknown key "timeout-minute" in job "build" \(did you mean "timeout-minutes"\?\)$/,
  ),
  ...pair(
    'steps in a job that calls a reusable workflow',
    wf(PUSH, [
      '  publish:',
      '    uses: ./.github/workflows/publish.yml',
      '    secrets: inherit',
      '    steps:',
      '      - run: make',
    ]),
    wf(PUSH, ['  publish:', '    uses: ./.github/workflows/publish.yml', '    secrets: inherit']),
    7,
    5,
    /^invalid workflow: unknown key "steps" in job "publish" \(a job either runs steps on a runner, with "runs-on", or calls a reusable workflow, with "uses"\)$/,
  ),
  ...pair(
    'runs-on beside uses in one job',
    wf(PUSH, ['  publish:', '    uses: ./.github/workflows/publish.yml', '    runs-on: ubuntu-latest']),
    wf(PUSH, ['  publish:', '    uses: ./.github/workflows/publish.yml']),
    6,
    5,
    /^invalid workflow: unknown key "runs-on" in job "publish" \(a job either runs steps on a runner, with "runs-on", or calls a reusable workflow, with "uses"\)$/,
  ),
  ...pair(
    'an unknown workflow key close to a known one',
    wf(PUSH, JOB).replace('jobs:', 'permission:\n  contents: read\njobs:'),
    wf(PUSH, JOB).replace('jobs:', 'permissions:\n  contents: read\njobs:'),
    3,
    1,
    /^invalid workflow: unknown top-level key "permission"$/,
  ),
  ...pair(
    'timeout-minutes that is not a number',
    wf(PUSH, [...JOB.slice(0, 2), '    timeout-minutes: 1h', ...JOB.slice(2)]),
    wf(PUSH, [...JOB.slice(0, 2), '    timeout-minutes: 60', ...JOB.slice(2)]),
    6,
    22,
    /^invalid workflow: "jobs\.build\.timeout-minutes" must be a number or a \$\{\{ \}\} expression, not '1h'$/,
  ),
  ...pair(
    'a job id starting with a digit',
    wf(PUSH, ['  1build:', ...JOB.slice(1)]),
    wf(PUSH, ['  build_1-arm:', ...JOB.slice(1)]),
    4,
    3,
    /^invalid workflow: job id "1build" is invalid: an id starts with a letter or "_", holds only letters, digits, "_" and "-", and is under 100 characters$/,
  ),
  ...pair(
    'a job id starting with "__"',
    wf(PUSH, ['  __build:', ...JOB.slice(1)]),
    wf(PUSH, ['  _build:', ...JOB.slice(1)]),
    4,
    3,
    /^invalid workflow: job id "__build" is invalid: ids starting with "__" are reserved$/,
  ),
  ...pair(
    'two job ids differing only in case',
    wf(PUSH, [...JOB, '  Build:', ...JOB.slice(1)]),
    wf(PUSH, [...JOB, '  Build-arm:', ...JOB.slice(1)]),
    8,
    3,
    /^invalid workflow: "Build" is set twice in "jobs"$/,
  ),
  ...pair(
    'a permissions shorthand that does not exist',
    wf(PUSH, JOB).replace('jobs:', 'permissions: read\njobs:'),
    wf(PUSH, JOB).replace('jobs:', 'permissions: read-all\njobs:'),
    3,
    14,
    /^invalid workflow: "permissions" must be one of "read-all", "write-all" or a mapping, not 'read'$/,
  ),
  ...pair(
    'an action input holding a list',
    wf(PUSH, [
      ...JOB.slice(0, 3),
      '      - uses: docker/build-push-action@v6',
      '        with:',
      '          platforms: [linux/amd64, linux/arm64]',
    ]),
    wf(PUSH, [
      ...JOB.slice(0, 3),
      '      - uses: docker/build-push-action@v6',
      '        with:',
      '          platforms: linux/amd64,linux/arm64',
    ]),
    9,
    22,
    /^invalid workflow: "jobs\.build\.steps\[0\]\.with\.platforms" must be a string or a \$\{\{ \}\} expression, not a list$/,
  ),
  ...pair(
    'a step key of an unreleased feature',
    wf(PUSH, [...JOB.slice(0, 3), '      - run: ./server', '        background: true']),
    wf(PUSH, [...JOB.slice(0, 3), '      - run: ./server &']),
    8,
    9,
    /^invalid workflow: unknown step key "background"$/,
  ),
  {
    name: 'what GitHub accepts: ${{ }} anywhere a value may be, string filters, runner forms, reusable workflows, quoted numbers, unknown activity types',
    repo: {
      files: {
        [WF]: [
          'on:',
          '  push:',
          '    branches: main',
          '    tags: ["v*"]',
          '  pull_request_target:',
          '    types: [opened, review_submitted]',
          '  workflow_call:',
          '    inputs:',
          '      platforms:',
          '        type: string',
          '        required: true',
          '    secrets:',
          '      token:',
          '        required: false',
          '  schedule:',
          '    - cron: "0 3 * * 1"',
          'permissions: {}',
          'concurrency: ${{ github.workflow }}-${{ github.ref }}',
          'defaults:',
          '  run:',
          '    shell: bash',
          'jobs:',
          '  matrix:',
          '    runs-on: ubuntu-latest',
          '    outputs:',
          '      legs: ${{ steps.m.outputs.legs }}',
          '    steps:',
          '      - id: m',
          '        run: echo "legs=[]" >> "$GITHUB_OUTPUT"',
          '  build:',
          '    needs: matrix',
          '    runs-on: ${{ matrix.runner }}',
          '    timeout-minutes: ${{ inputs.timeout }}',
          '    continue-on-error: ${{ matrix.experimental }}',
          '    strategy: ${{ fromJSON(needs.matrix.outputs.legs) }}',
          '    container:',
          '      image: ghcr.io/acme/ci:1',
          '      options: --privileged',
          '    services:',
          '      redis:',
          '        image: redis:7',
          '        ports: ["6379:6379"]',
          '    environment:',
          '      name: prod',
          '      url: https://example.com',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '        with: ${{ fromJSON(inputs.checkout) }}',
          '      - uses: docker/setup-qemu-action@v3',
          '        timeout-minutes: "10"',
          '        continue-on-error: "true"',
          '        with:',
          '          platforms: ${{ inputs.platforms }}',
          '          cache-image: false',
          '          version: 3.10',
          '  arm:',
          '    needs: [matrix, build]',
          '    runs-on:',
          '      group: arm-runners',
          '      labels: [ubuntu-24.04-arm]',
          '    steps:',
          '      - run: make',
          '  labels:',
          '    runs-on: [self-hosted, linux, ARM64]',
          '    steps: [{ run: make }]',
          '  call:',
          '    needs: [arm]',
          '    uses: acme/workflows/.github/workflows/image.yml@v1',
          '    with:',
          '      platforms: linux/amd64,linux/arm64',
          '    secrets: inherit',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  {
    name: 'unknown: a needs list built by an expression is not checked against the jobs',
    repo: {
      files: {
        [WF]: wf(PUSH, [...JOB, '  push:', '    needs: ${{ fromJSON(\'["buidl"]\') }}', ...JOB.slice(1)]),
      },
    },
    expect: [],
  },
]);
