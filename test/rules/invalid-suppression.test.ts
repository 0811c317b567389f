import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRule } from '../../src/engine/rule.js';
import { checkRepo } from '../helpers/check.js';

const everyRun = createRule<'run'>({
  meta: {
    id: 'every-run',
    severity: 'warning',
    category: 'meta',
    summary: 'reports every RUN line',
    messages: { run: 'RUN' },
    hint: 'none',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      for (const ins of df.instructions)
        if (file && ins.keyword === 'RUN') ctx.report({ messageId: 'run', file, span: ins.keywordSpan });
    }
  },
});

test('suppressions need a rule id and a reason; invalid ones are reported and suppress nothing', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile:
          'FROM alpine:3.20\n# crossdock-ignore every-run: measured, fine\nRUN a\n# crossdock-ignore every-run\nRUN b\n#   crossdock-ignore   : no id\nRUN c\n',
      },
    },
    [everyRun],
  );
  assert.deepEqual(
    findings.map((f) => `${f.ruleId}@${f.line}:${f.column}`),
    ['invalid-suppression@4:1', 'every-run@5:1', 'invalid-suppression@6:1', 'every-run@7:1'],
  );
  assert.match(findings[0]?.message ?? '', /gives no reason/);
  assert.match(findings[2]?.message ?? '', /names no rule id/);
});

test('a rule turned off in crossdock.yaml reports nothing, and a severity override applies', async () => {
  const off = await checkRepo(
    { files: { Dockerfile: 'FROM alpine\nRUN a\n', 'crossdock.yaml': 'rules:\n  every-run: off\n' } },
    [everyRun],
  );
  assert.deepEqual(off, []);
  const raised = await checkRepo(
    { files: { Dockerfile: 'FROM alpine\nRUN a\n', 'crossdock.yaml': 'rules:\n  every-run: error\n' } },
    [everyRun],
  );
  assert.deepEqual(
    raised.map((f) => f.severity),
    ['error'],
  );
});
