import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/submodule-mismatch.js';
import { checkRepo } from '../helpers/check.js';

const SHA = 'a'.repeat(40);

test('a gitlink without a .gitmodules entry is CI\'s "no submodule mapping found"', async () => {
  const findings = await checkRepo({ files: { 'README.md': 'x' }, gitlinks: { 'vendor/proto': SHA } }, [
    rule,
  ]);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]?.file, '.gitmodules');
  assert.match(
    findings[0]?.message ?? '',
    /no submodule mapping found in \.gitmodules for path 'vendor\/proto'/,
  );
});

test('entries without gitlinks, duplicate paths and names, and entries without a path are reported at their lines', async () => {
  const findings = await checkRepo(
    {
      files: {
        '.gitmodules': [
          '[submodule "proto"]',
          '\tpath = vendor/proto',
          '\turl = https://example.com/proto.git',
          '[submodule "ui"]',
          '\tpath = web/ui',
          '[submodule "proto2"]',
          '\tpath = vendor/proto',
          '[submodule "ui"]',
          '\turl = x',
          '',
        ].join('\n'),
      },
      gitlinks: { 'vendor/proto': SHA },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.message.split(' ').slice(0, 3).join(' ')}`),
    [
      '5:9 warning submodule "ui" maps',
      '7:9 error path `vendor/proto` is',
      '8:1 error submodule name "ui"',
      '8:1 error submodule "ui" has',
    ],
  );
});

test('matching gitlinks and .gitmodules report nothing', async () => {
  const findings = await checkRepo(
    {
      files: { '.gitmodules': '[submodule "proto"]\n\tpath = vendor/proto\n\turl = ../proto.git\n' },
      gitlinks: { 'vendor/proto': SHA },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});
