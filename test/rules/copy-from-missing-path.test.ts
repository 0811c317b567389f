import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/copy-from-missing-path.js';
import { checkRepo } from '../helpers/check.js';

test('COPY --from of a path the stage never creates is reported; created and system paths are not', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile: [
          'FROM python:3.12-slim AS builder',
          'WORKDIR /build',
          'COPY requirements.txt .',
          'RUN pip install --prefix=/install -r requirements.txt && python -m venv /opt/venv',
          'FROM python:3.12-slim',
          'COPY --from=builder /install /usr/local',
          'COPY --from=builder /opt/venv /opt/venv',
          'COPY --from=builder /build/requirements.txt /tmp/',
          'COPY --from=builder /wheels /wheels',
          'COPY --from=builder /usr/local/lib/python3.12/site-packages /usr/local/lib/python3.12/site-packages',
          'COPY --from=0 /app/dist /srv/',
          'COPY --from=nginx:1.27 /etc/nginx/nginx.conf /etc/',
          '',
        ].join('\n'),
        'requirements.txt': 'flask==3.0.0\n',
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}-${f.endColumn} ${f.severity}`),
    ['9:21-28 warning', '11:15-24 warning'],
  );
  assert.match(findings[0]?.message ?? '', /`\/wheels` is copied from stage "builder"/);
  assert.match(findings[1]?.message ?? '', /from stage "builder"/);
});

test('relative outputs of RUNs in a WORKDIR count: node_modules from npm ci, dist from a build, named folders', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile: [
          'FROM node:20-slim AS deps',
          'WORKDIR /app',
          'RUN npm ci && npm run build && mkdir -p out/assets',
          'FROM node:20-slim',
          'COPY --from=deps /app/node_modules /app/node_modules',
          'COPY --from=deps /app/dist /app/dist',
          'COPY --from=deps /app/out/assets /app/assets',
          'COPY --from=deps /app/coverage /app/coverage',
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => f.line),
    [8],
  );
});
