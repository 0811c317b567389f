import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/from-platform-constant.js';
import { checkRepo } from '../helpers/check.js';

test('a constant --platform is an error on the final stage, a warning on build stages; $BUILDPLATFORM is fine', async () => {
  const findings = await checkRepo(
    {
      files: {
        Dockerfile: [
          'FROM --platform=linux/amd64 golang:1.22 AS build',
          'FROM --platform=$BUILDPLATFORM node:20 AS assets',
          'FROM --platform=linux/amd64 python:3.12-slim',
          '',
        ].join('\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}-${f.endColumn} ${f.severity}`),
    ['1:6-28 warning', '3:6-28 error'],
  );
  assert.match(
    findings[1]?.message ?? '',
    /linux\/amd64 and linux\/arm64 images all contain linux\/amd64 binaries/,
  );
});
