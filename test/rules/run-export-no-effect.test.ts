import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/run-export-no-effect.js';
import { checkRepo } from '../helpers/check.js';

test('a RUN that only exports, cds or sources is reported; combined with real work it is not', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile: [
          'FROM python:3.12-slim',
          'RUN export PIP_NO_CACHE_DIR=1',
          'RUN cd /app',
          'RUN source /opt/venv/bin/activate && export PATH=/opt/venv/bin:$PATH',
          'RUN cd /app && make',
          'ENV A=1',
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}`),
    ['2:1', '3:1', '4:1'],
  );
  assert.match(findings[1]?.message ?? '', /changes the directory/);
  assert.match(findings[0]?.message ?? '', /later instructions do not see it/);
});
