import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRule } from '../../src/engine/rule.js';
import { checkRepo } from '../helpers/check.js';

test('a rule that throws becomes one internal-error finding naming it; other rules still report', async () => {
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
    },
  });
  const findings = await checkRepo({ files: { Dockerfile: 'FROM scratch\n' } }, [broken, working]);
  assert.deepEqual(
    findings.map((f) => [f.ruleId, f.severity, f.message]),
    [
      ['internal-error', 'error', 'rule boom failed: cannot read properties of undefined'],
      ['finds', 'info', 'saw Dockerfile'],
    ],
  );
});
