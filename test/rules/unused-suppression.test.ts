import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allRules } from '../../src/rules/index.js';
import healthcheckToolMissing from '../../src/rules/healthcheck-tool-missing.js';
import jobNoTimeout from '../../src/rules/job-no-timeout.js';
import pipNoTimeout from '../../src/rules/pip-no-timeout.js';
import unpinnedDependency from '../../src/rules/unpinned-dependency.js';
import unusedSuppression from '../../src/rules/unused-suppression.js';
import { runRules } from '../../src/engine/run.js';
import type { Finding } from '../../src/model/finding.js';
import { checkRepo, loadRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const config = 'images:\n  "ghcr.io/acme/api":\n    context: .\n    dockerfile: Dockerfile\n';
const IGNORE = '# crossdock-ignore healthcheck-tool-missing: a sidecar checks health';
const healthcheck = 'HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1';

/** A reached Dockerfile with the given lines after FROM. */
const dockerfile = (lines: string[]) => ({
  files: { 'crossdock.yaml': config, Dockerfile: ['FROM python:3.12-slim', ...lines, ''].join('\n') },
});

const UNUSED =
  /^crossdock-ignore healthcheck-tool-missing suppresses nothing here: no such finding on the next line$/;

const workflow = (comment: string) =>
  [
    'on: push',
    'jobs:',
    comment,
    '  image:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: docker build -t acme/api .',
    '',
  ].join('\n');

ruleTest(unusedSuppression, [
  {
    name: 'a valid crossdock-ignore with no such finding on the next line is info at the comment',
    rules: [healthcheckToolMissing],
    repo: dockerfile([IGNORE, 'RUN apt-get update && apt-get install -y curl', healthcheck]),
    expect: [at('unused-suppression', 'info', 'Dockerfile', 2, 1, { message: UNUSED, reachable: true })],
  },
  // Condition: a finding of that rule on the next (non-blank) line.
  {
    name: 'the finding on the next line is suppressed and the comment is used: nothing',
    rules: [healthcheckToolMissing],
    repo: dockerfile([IGNORE, healthcheck]),
    expect: [],
  },
  {
    name: 'blank lines between the comment and the finding do not matter',
    rules: [healthcheckToolMissing],
    repo: dockerfile([IGNORE, '', '', healthcheck]),
    expect: [],
  },
  {
    name: 'the finding two lines below, after another instruction, is not covered: the comment is unused and the finding stays',
    rules: [healthcheckToolMissing],
    repo: dockerfile([IGNORE, 'WORKDIR /app', healthcheck]),
    expect: [
      at('healthcheck-tool-missing', 'error', 'Dockerfile', 4, 17),
      at('unused-suppression', 'info', 'Dockerfile', 2, 1, { message: UNUSED }),
    ],
  },
  {
    name: 'a finding of another rule on the next line does not use it',
    rules: [healthcheckToolMissing, pipNoTimeout],
    repo: dockerfile([
      '# crossdock-ignore healthcheck-tool-missing: not this one',
      'RUN pip install flask==3.0.3',
    ]),
    expect: [
      at('pip-no-timeout', 'info', 'Dockerfile', 3, 5),
      at('unused-suppression', 'info', 'Dockerfile', 2, 1, { message: UNUSED }),
    ],
  },
  {
    name: 'one comment naming two rules is used when one of them fires',
    rules: [healthcheckToolMissing, pipNoTimeout],
    repo: dockerfile(['# crossdock-ignore healthcheck-tool-missing, pip-no-timeout: sidecar', healthcheck]),
    only: ['unused-suppression', 'healthcheck-tool-missing', 'pip-no-timeout'],
    expect: [],
  },
  // Condition: the comment is valid (a rule id and a reason).
  {
    name: 'a comment without a reason is invalid-suppression (a warning), never unused-suppression',
    rules: [healthcheckToolMissing],
    repo: dockerfile(['# crossdock-ignore healthcheck-tool-missing', 'WORKDIR /app']),
    expect: [at('invalid-suppression', 'warning', 'Dockerfile', 2, 1, { message: /gives no reason/ })],
  },
  // Every commented format.
  {
    name: 'in workflows, requirements files and scripts alike: unused at the comment column',
    rules: [jobNoTimeout, unpinnedDependency],
    repo: {
      files: {
        Dockerfile: 'FROM alpine:3.20\n',
        '.github/workflows/image.yml': workflow(
          '  # crossdock-ignore job-no-timeout: builds take a minute',
        ).replace('    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    timeout-minutes: 10\n'),
        'requirements.txt':
          '# crossdock-ignore unpinned-dependency: pinned by the constraints file\nflask==3.0.3\n',
        'build.sh': '#!/bin/sh\n  # crossdock-ignore job-no-timeout: not a job\ndocker build -t acme/api .\n',
      },
    },
    expect: [
      at('unused-suppression', 'info', '.github/workflows/image.yml', 3, 3, {
        message: /^crossdock-ignore job-no-timeout suppresses nothing here/,
      }),
      at('unused-suppression', 'info', 'build.sh', 2, 3),
      at('unused-suppression', 'info', 'requirements.txt', 1, 1, {
        message: /^crossdock-ignore unpinned-dependency suppresses nothing here/,
      }),
    ],
  },
  {
    name: 'the same comments used by their findings (the requirements file installed by a reached image): nothing',
    rules: [jobNoTimeout, unpinnedDependency],
    repo: {
      files: {
        'crossdock.yaml': config,
        Dockerfile: 'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
        '.github/workflows/image.yml': workflow('  # crossdock-ignore job-no-timeout: builds take a minute'),
        'requirements.txt': '# crossdock-ignore unpinned-dependency: pinned by the constraints file\nflask\n',
      },
    },
    only: ['unused-suppression', 'job-no-timeout', 'unpinned-dependency'],
    expect: [],
  },
  // Configuration.
  {
    name: 'crossdock.yaml can switch the note off',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        'crossdock.yaml': `rules:\n  unused-suppression: off\n${config}`,
        Dockerfile: `FROM python:3.12-slim\n${IGNORE}\nWORKDIR /app\n`,
      },
    },
    expect: [],
  },
]);

test('unused-suppression: the hint says to remove or move the comment', async () => {
  const findings = await checkRepo(dockerfile([IGNORE, 'WORKDIR /app']), [healthcheckToolMissing]);
  assertFindings(findings, [at('unused-suppression', 'info', 'Dockerfile', 2, 1)]);
  assert.match(findings[0]?.hint ?? '', /remove the comment, or move it to the line before the finding/);
});

test('unused-suppression: a comment for a rule that did not run (an --online rule checked offline, a rule turned off, a rule not selected) cannot be judged unused', async () => {
  const repo = {
    files: {
      'crossdock.yaml': `${config}rules:\n  pip-no-timeout: off\n`,
      Dockerfile: [
        '# crossdock-ignore base-image-platform-missing: the mirror serves both platforms',
        'FROM registry.example.com/python:3.12',
        '# crossdock-ignore pip-no-timeout: the index is local',
        'WORKDIR /app',
        '# crossdock-ignore healthcheck-tool-missing: a sidecar checks health',
        'WORKDIR /srv',
        '',
      ].join('\n'),
    },
  };
  const unused = (fs: Finding[]) => fs.filter((f) => f.ruleId === 'unused-suppression');
  // Every rule, offline: the online rule did not run, pip-no-timeout is off; healthcheck-tool-missing ran.
  assertFindings(unused(await checkRepo(repo, allRules())), [
    at('unused-suppression', 'info', 'Dockerfile', 5, 1),
  ]);
  // --rule job-no-timeout --rule unused-suppression: healthcheck-tool-missing was not selected either.
  const model = await loadRepo(repo);
  assertFindings(
    unused(await runRules(model, allRules(), { only: ['job-no-timeout', 'unused-suppression'] })),
    [],
  );
});
