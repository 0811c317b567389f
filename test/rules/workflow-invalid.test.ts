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
      err(SHAPE, 14, 9, /^invalid workflow: unknown step key "wiht"$/),
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
