import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/pip-no-timeout.js';
import { checkRepo } from '../helpers/check.js';

test('pip/npm/yarn installs without timeouts are reported at the command, warning when arm64 is a target', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile: [
          'FROM python:3.12-slim',
          'RUN pip install -r requirements.txt',
          'RUN python -m pip install --default-timeout=100 flask',
          'RUN PIP_DEFAULT_TIMEOUT=60 pip3 install x',
          'RUN apt-get update && \\',
          '    pip install --retries 5 y && uv pip install z',
          'FROM node:20-slim AS web',
          'RUN npm ci && yarn install --network-timeout 600000 && npm install --fetch-timeout=600000',
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}-${f.endColumn} ${f.severity}`),
    ['2:5-16 warning', '6:34-48 warning', '8:5-11 warning'],
  );
  assert.match(findings[0]?.message ?? '', /`pip install` runs with pip's default 15 s timeout/);
  assert.match(findings[2]?.message ?? '', /--fetch-timeout/);
});

test('ENV PIP_DEFAULT_TIMEOUT in the stage (or a base stage) satisfies it; amd64-only targets make it info', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile:
          'FROM python:3.12-slim AS base\nENV PIP_DEFAULT_TIMEOUT=100\nFROM base\nRUN pip install x\nFROM python:3.12-slim\nRUN pip install y\n',
        'crossdock.yaml': 'platforms: [linux/amd64]\n',
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line} ${f.severity}`),
    ['6 info'],
  );
});
