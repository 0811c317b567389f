import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/hashes-inconsistent.js';
import { checkRepo } from '../helpers/check.js';

const H = `--hash=sha256:${'a'.repeat(64)}`;

test('mixed hashed/unhashed lines, --require-hashes over unhashed lines, and an unused hashed lock', async () => {
  const findings = await checkRepo(
    {
      files: {
        'requirements.txt': `flask==3.0.0 \\\n    ${H}\nrequests==2.32.0\n`,
        'strict.txt': '--require-hashes\nnumpy==1.26.4\n',
        'requirements.lock': `flask==3.0.0 ${H}\n`,
        'loose.txt': 'flask\n',
        Dockerfile:
          'FROM python:3.12-slim\nRUN pip install -r requirements.txt -r strict.txt\nRUN pip install --require-hashes -r loose.txt\n',
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity}`),
    [
      'loose.txt:1:1 error',
      'requirements.lock:1:1 warning',
      'requirements.txt:3:1 error',
      'strict.txt:2:1 error',
    ],
  );
  assert.match(
    findings[2]?.message ?? '',
    /`requests==2\.32\.0` has no --hash while other lines in this file do/,
  );
  assert.match(findings[0]?.message ?? '', /the Dockerfile's `pip install --require-hashes` requires hashes/);
});
