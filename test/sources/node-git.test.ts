import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceFile } from '../../src/model/source.js';
import { parseGitmodules } from '../../src/sources/git/gitmodules.js';
import { parseNvmrc, parsePackageJson } from '../../src/sources/node/package-json.js';
import { within } from './within.js';

test('package.json engines and dependencies with positions; invalid JSON as a problem', () => {
  const file = new SourceFile(
    'package.json',
    '{\n  "name": "web",\n  "engines": { "node": ">=20.11" },\n  "dependencies": { "sharp": "^0.33.0" },\n  "devDependencies": { "vitest": "4.1.0" }\n}\n',
  );
  const p = parsePackageJson(file);
  assert.equal(p.name, 'web');
  assert.equal(p.enginesNode?.value, '>=20.11');
  assert.deepEqual(file.position(p.enginesNode!.span.start), { line: 3, column: 24 });
  assert.deepEqual(
    p.dependencies.map((d) => [d.name, d.range, d.dev]),
    [
      ['sharp', '^0.33.0', false],
      ['vitest', '4.1.0', true],
    ],
  );
  const bad = parsePackageJson(new SourceFile('package.json', '{"name": "x",}'));
  assert.match(bad.problems[0]?.message ?? '', /^invalid JSON/);
  assert.equal(parseNvmrc(new SourceFile('.nvmrc', 'v20.11.1\n'))?.version, '20.11.1');
});

test('.gitmodules sections, quoted values, comments and malformed lines', () => {
  const file = new SourceFile(
    '.gitmodules',
    '; comment\n[submodule "a b"]\n\tpath = "vendor/a b"\n\turl = https://x/a.git ; trailing\n[core]\nnot a kv\n',
  );
  const g = parseGitmodules(file);
  assert.deepEqual(
    g.entries.map((e) => [e.name, e.path, e.url]),
    [['a b', 'vendor/a b', 'https://x/a.git']],
  );
  assert.deepEqual(file.position(g.entries[0]!.pathSpan!.start), { line: 3, column: 9 });
  assert.deepEqual(
    g.problems.map((p) => [file.position(p.span.start).line, p.message.split(' ')[0]]),
    [
      [5, 'malformed'],
      [6, 'malformed'],
    ],
  );
});

test('.nvmrc and .gitmodules with huge blank runs are read in milliseconds', { timeout: 3000 }, () => {
  const blanks = ' '.repeat(80_000);
  const rc = within(500, () => parseNvmrc(new SourceFile('.nvmrc', `\n# lts\n v20${blanks}x \n`)));
  assert.equal(rc?.version, `20${blanks}x`);
  assert.deepEqual(rc?.span, { start: 8, end: 8 + 3 + blanks.length + 1 });

  const text = `[submodule "a"]\n\tpath${blanks}=${blanks}\u2028x\n\turl = https://x/a.git${blanks.slice(0, 4000)};c\n\tpath = lib${'/'.repeat(4000)}\n`;
  const file = new SourceFile('.gitmodules', text);
  const g = within(500, () => parseGitmodules(file));
  assert.deepEqual(
    g.problems.map((p) => [p.message, file.position(p.span.start).line]),
    [['line longer than 4096 characters: not read', 2]],
  );
  assert.deepEqual(
    g.entries.map((e) => [e.name, e.url, e.path]),
    [['a', 'https://x/a.git', 'lib']],
  );
});
