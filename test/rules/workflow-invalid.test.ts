// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow fixtures hold `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/workflow-invalid.js';
import { at, checkRepo } from '../helpers/check.js';

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

test('a workflow whose YAML does not parse is reported at the syntax error', async () => {
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
  const findings = await checkRepo({ files: { '.github/workflows/build.yml': broken } }, [rule]);
  assert.deepEqual(at(findings), ['workflow-invalid@7:8']);
  assert.equal(findings[0]?.file, '.github/workflows/build.yml');
  assert.equal(findings[0]?.severity, 'error');
  assert.match(
    findings[0]?.message ?? '',
    /^invalid workflow: YAML: All sequence items must start at the same column/,
  );
  assert.match(findings[0]?.hint ?? '', /GitHub rejects the whole file/);
});

test('unknown keys, steps outside jobs, bad filters and malformed jobs and steps are each reported', async () => {
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
  const findings = await checkRepo({ files: { '.github/workflows/shape.yml': shape } }, [rule]);
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column} ${f.message.replace('invalid workflow: ', '')}`),
    [
      '5:7 "on.push.branches" must be a list of patterns, not a mapping',
      '6:1 unknown top-level key "steps" (steps belong inside a job: jobs.<id>.steps)',
      '11:5 unknown key "timeout" in job "build"',
      '14:9 unknown step key "wiht"',
      '16:9 a step must be a mapping with "uses" or "run"',
      '17:3 job "lint" must be a mapping',
      '21:7 "steps" of job "test" must be a list',
    ],
  );
});

test('empty workflows, and workflows without triggers or jobs, are invalid', async () => {
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/empty.yaml': '',
        '.github/workflows/no-jobs.yml': 'on: [push]\n',
        '.github/workflows/no-on.yml':
          'name: lint\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make lint\n',
        '.github/workflows/list.yml': '- on: push\n',
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.message.replace('invalid workflow: ', '')}`),
    [
      '.github/workflows/empty.yaml:1:1 the workflow file is empty',
      '.github/workflows/list.yml:1:1 a workflow must be a mapping with "on" and "jobs"',
      '.github/workflows/no-jobs.yml:1:1 no "jobs:" mapping',
      '.github/workflows/no-on.yml:1:1 no "on:" triggers: GitHub never runs this workflow',
    ],
  );
});

test('a valid workflow, and YAML outside .github/workflows/, report nothing', async () => {
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/image.yml': valid,
        // Not workflows: a composite action, a nested folder, Dependabot config.
        '.github/actions/setup/action.yml': 'name: setup\nruns:\n  using: composite\n  steps: [\n',
        '.github/workflows/templates/build.yml': 'steps:\n  - run: echo\n',
        '.github/dependabot.yml': 'version: 2\nupdates: []\n',
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});
