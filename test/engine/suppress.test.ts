import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applySuppressions, parseSuppressions } from '../../src/engine/suppress.js';
import type { Finding } from '../../src/model/finding.js';
import { SourceFile } from '../../src/model/source.js';

const finding = (ruleId: string, line: number): Finding => ({
  ruleId,
  severity: 'warning',
  message: 'm',
  hint: 'h',
  file: 'Dockerfile',
  line,
  column: 1,
  endLine: line,
  endColumn: 2,
  related: [],
});

test('a suppression with a reason hides the named rule on the next non-blank line only', () => {
  const src = new SourceFile(
    'Dockerfile',
    'FROM python:3.12\n# crossdock-ignore pip-no-timeout, install-failure-masked: mirror on localhost\n\nRUN pip install x || true\nRUN pip install y\n',
  );
  const sources = new Map([[src.path, src]]);
  const r = applySuppressions(
    [
      finding('pip-no-timeout', 4),
      finding('install-failure-masked', 4),
      finding('missing-file', 4),
      finding('pip-no-timeout', 5),
    ],
    sources,
  );
  assert.deepEqual(
    r.kept.map((f) => `${f.ruleId}@${f.line}`),
    ['missing-file@4', 'pip-no-timeout@5'],
  );
  assert.equal(r.suppressed.length, 2);
  assert.equal(r.invalid.length, 0);
});

test('a suppression without a reason or rule id suppresses nothing and is reported invalid', () => {
  const src = new SourceFile(
    'req.txt',
    '# crossdock-ignore unpinned-dependency\nflask\n# crossdock-ignore: because\nrequests\n',
  );
  const list = parseSuppressions(src);
  assert.deepEqual(
    list.map((s) => [s.line, s.valid, s.problem]),
    [
      [1, false, 'gives no reason'],
      [3, false, 'names no rule id'],
    ],
  );
  const r = applySuppressions(
    [finding('unpinned-dependency', 2)].map((f) => ({ ...f, file: 'req.txt' })),
    new Map([[src.path, src]]),
  );
  assert.equal(r.kept.length, 1);
  assert.equal(r.invalid.length, 2);
});
