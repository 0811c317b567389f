import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/copy-outside-context.js';
import { checkRepo } from '../helpers/check.js';

test('a source escaping the context is reported; `..` that stays inside is not', async () => {
  const findings = await checkRepo(
    {
      files: {
        'services/api/Dockerfile':
          'FROM python:3.12-slim\nCOPY ../shared/logging.ini /app/\nCOPY ./src/../main.py /app/\n',
        'services/api/main.py': 'x',
        'services/shared/logging.ini': 'x',
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}-${f.endColumn}`),
    ['services/api/Dockerfile:2:6-27'],
  );
  assert.match(findings[0]?.message ?? '', /points outside the build context `services\/api`/);
});
