import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/node-version-mismatch.js';
import { checkRepo } from '../helpers/check.js';

test('node image outside engines.node or .nvmrc is reported at the image', async () => {
  const cases: [Record<string, string>, string[]][] = [
    [
      {
        'package.json': '{"name":"web","engines":{"node":">=20.11"}}',
        Dockerfile: 'FROM node:18-alpine AS deps\nFROM node:18-alpine\n',
      },
      ['1:6-20', '2:6-20'],
    ],
    [
      { 'package.json': '{"name":"web","engines":{"node":"^20.11.0"}}', Dockerfile: 'FROM node:20-slim\n' },
      [],
    ],
    [{ '.nvmrc': 'v22.3.0\n', Dockerfile: 'FROM node:20.11-bookworm-slim\n' }, ['1:6-30']],
    [{ '.nvmrc': 'lts/iron\n', Dockerfile: 'FROM node:18\n' }, []],
  ];
  for (const [files, expected] of cases) {
    const findings = await checkRepo({ files }, [rule]);
    assert.deepEqual(
      findings.map((f) => `${f.line}:${f.column}-${f.endColumn}`),
      expected,
      JSON.stringify(files),
    );
  }
  const [f] = await checkRepo(
    {
      files: {
        'web/package.json': '{\n  "engines": { "node": ">=20" }\n}\n',
        'web/Dockerfile': 'FROM node:18-slim\n',
      },
    },
    [rule],
  );
  assert.match(
    f?.message ?? '',
    /runs Node 18 \(the node:18-slim image\), but engines\.node in web\/package\.json asks for ">=20"/,
  );
  assert.deepEqual(
    f?.related.map((r) => `${r.file}:${r.line}:${r.column}`),
    ['web/package.json:2:24'],
  );
});
