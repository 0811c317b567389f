import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAMILIES } from '../../src/engine/families.js';
import { createRule } from '../../src/engine/rule.js';
import missingFile from '../../src/rules/missing-file.js';
import rule from '../../src/rules/internal-error.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const broken = createRule<'m'>({
  meta: {
    id: 'boom',
    severity: 'warning',
    category: 'meta',
    summary: 'throws on purpose',
    messages: { m: 'x' },
    hint: 'none',
  },
  check() {
    throw new TypeError('cannot read properties of undefined');
  },
});

/** Reports the first Dockerfile's first four characters, then throws when the Dockerfile says `RUN boom`. */
const working = createRule<'found'>({
  meta: {
    id: 'finds',
    severity: 'info',
    category: 'meta',
    summary: 'reports the first Dockerfile',
    messages: { found: 'saw {{path}}' },
    hint: 'none',
  },
  check(ctx) {
    const df = ctx.model.dockerfiles[0];
    const file = df ? ctx.model.sources.get(df.path) : undefined;
    if (df && file)
      ctx.report({ messageId: 'found', data: { path: df.path }, file, span: { start: 0, end: 4 } });
    if (file?.text.includes('RUN boom')) throw new Error('boom after a report');
  },
});

const only = ['internal-error', 'finds'];

ruleTest(rule, [
  {
    name: 'a rule that throws becomes one internal-error finding naming it (no file); other rules still report',
    repo: { files: { Dockerfile: 'FROM scratch\n' } },
    rules: [broken, working],
    only,
    expect: [
      at('internal-error', 'error', '', 1, 1, {
        message: /^rule boom failed: cannot read properties of undefined$/,
      }),
      at('finds', 'info', 'Dockerfile', 1, 1, { message: /saw Dockerfile/ }),
    ],
  },
  {
    name: 'condition: the same rules without the throwing one report no internal-error',
    repo: { files: { Dockerfile: 'FROM scratch\n' } },
    rules: [working],
    only,
    expect: [at('finds', 'info', 'Dockerfile', 1, 1)],
  },
  {
    name: 'condition: a throwing rule turned off in crossdock.yaml never runs, so it cannot fail',
    repo: { files: { Dockerfile: 'FROM scratch\n', 'crossdock.yaml': 'rules:\n  boom: off\n' } },
    rules: [broken, working],
    only,
    expect: [at('finds', 'info', 'Dockerfile', 1, 1)],
  },
  {
    name: 'what a rule reported before it threw is dropped: only the internal-error remains',
    repo: { files: { Dockerfile: 'FROM scratch\nRUN boom\n' } },
    rules: [working],
    only,
    expect: [
      at('internal-error', 'error', '', 1, 1, { message: /^rule finds failed: boom after a report$/ }),
    ],
  },
]);

/** Makes one source family throw on one path for the duration of `f`. */
async function withThrowingFamily<T>(id: string, path: string, f: () => Promise<T>): Promise<T> {
  const family = FAMILIES.find((x) => x.id === id);
  assert.ok(family, id);
  const load = family.load;
  family.load = (file, ctx) => {
    if (file.path === path) throw new RangeError(`cannot parse ${path}`);
    return load(file, ctx);
  };
  try {
    return await f();
  } finally {
    family.load = load;
  }
}

test('internal-error: a family that throws on one file becomes an internal-error for that file; the rest loads', async () => {
  const findings = await withThrowingFamily('dockerfile', 'worker/Dockerfile', () =>
    checkRepo(
      {
        files: {
          'api/Dockerfile': 'FROM python:3.12-slim\nCOPY app.py /app/\n',
          'worker/Dockerfile': 'FROM python:3.12-slim\nCOPY app.py /app/\n',
          'crossdock.yaml': 'images:\n  reg/api:\n    context: api\n  reg/worker:\n    context: worker\n',
        },
      },
      [missingFile],
    ),
  );
  // worker/Dockerfile never became a Dockerfile, so missing-file says nothing about it; api/Dockerfile is checked.
  assertFindings(
    findings.filter((f) => ['internal-error', 'missing-file'].includes(f.ruleId)),
    [
      at('internal-error', 'error', 'worker/Dockerfile', 1, 1, {
        message: /^reading worker\/Dockerfile \(dockerfile\) failed: cannot parse worker\/Dockerfile$/,
      }),
      at('missing-file', 'error', 'api/Dockerfile', 2, 6),
    ],
  );
});

test('internal-error: a family failure is a crossdock bug, never capped by reachability (a Dockerfile nothing builds)', async () => {
  const findings = await withThrowingFamily('dockerfile', 'Dockerfile', () =>
    checkRepo({ files: { Dockerfile: 'FROM scratch\n' } }, []),
  );
  assertFindings(findings, [at('internal-error', 'error', 'Dockerfile', 1, 1)]);
});

test('internal-error: condition: the same repository with a family that does not throw has no internal-error', async () => {
  const findings = await checkRepo({ files: { Dockerfile: 'FROM scratch\n' } }, []);
  assertFindings(findings, []);
});

test('internal-error: a family throwing on a workflow is reported for that workflow', async () => {
  const findings = await withThrowingFamily('workflow', '.github/workflows/ci.yml', () =>
    checkRepo(
      {
        files: {
          '.github/workflows/ci.yml': 'on: push\njobs: {}\n',
          '.github/workflows/ok.yml': 'on: push\njobs: {}\n',
        },
      },
      [],
    ),
  );
  assertFindings(findings, [
    at('internal-error', 'error', '.github/workflows/ci.yml', 1, 1, { message: /\(workflow\) failed/ }),
  ]);
});
