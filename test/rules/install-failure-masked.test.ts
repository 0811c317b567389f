import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/install-failure-masked.js';
import { checkRepo } from '../helpers/check.js';

test('swallowed install failures are reported with the masking construct', async () => {
  const df = [
    'FROM python:3.12-slim',
    'RUN pip install -r requirements.txt || true',
    'RUN apt-get install -y libpq-dev || :',
    'RUN pip install --only-binary=:all: numpy || pip install numpy',
    'RUN npm ci; true',
    'RUN pip install x | tee /tmp/log',
    'RUN set -o pipefail && pip install x | tee /tmp/log',
    'RUN pip install a || echo "install failed"',
    'RUN apk add curl && echo ok',
    'RUN test -f x || true',
    '',
  ].join('\n');
  const findings = await checkRepo({ files: { Dockerfile: df } }, [rule]);
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}`),
    ['2:5', '3:5', '4:5', '5:5', '6:5', '8:5'],
  );
  const msg = findings.map((f) => f.message);
  assert.match(msg[0] ?? '', /swallowed by `\|\| true`/);
  assert.match(msg[2] ?? '', /falls back to `pip install numpy`/);
  assert.match(msg[3] ?? '', /followed by `; true`/);
  assert.match(msg[4] ?? '', /piped into `tee`/);
  assert.equal(findings[0]?.endColumn, 44, 'the span covers the install and its mask');
});

test('a heredoc RUN is checked too', async () => {
  const findings = await checkRepo(
    { files: { Dockerfile: 'FROM python:3.12\nRUN <<EOF\nset -e\npip install x || true\nEOF\n' } },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}`),
    ['4:1'],
  );
});
