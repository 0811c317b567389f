import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/unpinned-dependency.js';
import { checkRepo } from '../helpers/check.js';

test('unconstrained direct dependencies in installed files and commands are info findings', async () => {
  const findings = await checkRepo(
    {
      files: {
        'requirements.txt': 'flask\nrequests>=2.31\n./libs/common\ngunicorn[gevent]\n',
        'requirements-dev.txt': 'pytest\n',
        Dockerfile:
          'FROM python:3.12-slim\nRUN pip install --upgrade pip wheel && pip install -r requirements.txt uvicorn "celery>=5" --index-url https://pypi.internal/simple\n',
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity}`),
    ['Dockerfile:2:72 info', 'requirements.txt:1:1 info', 'requirements.txt:4:1 info'],
  );
});
