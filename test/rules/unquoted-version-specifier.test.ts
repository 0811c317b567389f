import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/unquoted-version-specifier.js';
import { checkRepo } from '../helpers/check.js';

test('an unquoted > or < in pip install is a redirect; quoted specifiers are fine', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile: [
          'FROM python:3.12-slim',
          'RUN pip install flask>=2.0 requests',
          'RUN pip install "django<5" \'celery>=5\' numpy==1.26.4',
          'RUN pip install urllib3<2 > /tmp/log',
          'RUN echo x > /tmp/y',
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}-${f.endColumn}`),
    ['2:17-27', '4:17-26'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /`flask>=2\.0` is split by the shell: `>` redirects output to a file named "=2\.0"/,
  );
});
