import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/healthcheck-tool-missing.js';
import { checkRepo } from '../helpers/check.js';

test('curl in a HEALTHCHECK on a slim or alpine base without installing it is reported at the tool', async () => {
  const cases: [string, string[]][] = [
    [
      'FROM python:3.12-slim\nHEALTHCHECK --interval=30s CMD curl -f http://localhost:8000/health || exit 1\n',
      ['2:32-36'],
    ],
    ['FROM node:20-alpine\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:3000/"]\n', ['2:19-23']],
    [
      'FROM python:3.12-slim AS base\nRUN apt-get install -y curl\nFROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://x/\n',
      ['4:17-21'],
    ],
  ];
  for (const [df, expected] of cases) {
    const findings = await checkRepo({ files: { Dockerfile: df } }, [rule]);
    assert.deepEqual(
      findings.map((f) => `${f.line}:${f.column}-${f.endColumn}`),
      expected,
      df,
    );
    assert.match(findings[0]?.message ?? '', /does not ship it and the final stage never installs it/);
  }
});

test('installed tools, busybox wget on alpine, full images and unknown bases are fine', async () => {
  const fine = [
    'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nHEALTHCHECK CMD curl -f http://x/\n',
    'FROM node:20-alpine\nHEALTHCHECK CMD wget -qO- http://localhost:3000/ || exit 1\n',
    'FROM python:3.12\nHEALTHCHECK CMD curl -f http://x/\n',
    'FROM mycorp/base:1\nHEALTHCHECK CMD curl -f http://x/\n',
    'FROM python:3.12-slim\nHEALTHCHECK NONE\n',
    'FROM python:3.12-slim\nHEALTHCHECK CMD python -c "import urllib.request as u; u.urlopen(\'http://x/\')"\n',
  ];
  for (const df of fine) assert.deepEqual(await checkRepo({ files: { Dockerfile: df } }, [rule]), [], df);
});
