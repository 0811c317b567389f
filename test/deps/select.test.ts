import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IndexFile } from '../../src/deps/index.js';
import { select } from '../../src/deps/select.js';
import type { TagEnv } from '../../src/deps/tags.js';

/** The parts of pip's choice that pip's --python-version (X.Y.0) cannot show: facts below the minor version. */
const file = (filename: string, requiresPython?: string): IndexFile => ({
  filename,
  url: `https://files.example/${filename}`,
  requiresPython,
  yanked: false,
  coreMetadata: false,
  size: undefined,
  sha256: undefined,
});
const env = (minor: number): TagEnv => ({
  python: [3, minor],
  libc: { kind: 'glibc', major: 2, minor: 36 },
  arch: 'x86_64',
});

test('a Requires-Python that depends on the patch version makes the verdict unknown, never a guess', () => {
  const files = [file('a-1.0-py3-none-any.whl', '>=3.11.4'), file('a-0.9-py3-none-any.whl')];
  const s = select({ project: 'a', specifier: undefined, files, env: env(11), onlyBinary: false });
  assert.deepEqual([s.status, s.version], ['unknown', '1.0']);
  assert.equal(
    s.reason,
    'a-1.0-py3-none-any.whl requires Python >=3.11.4, which depends on the patch version of Python 3.11',
  );
  // Where no patch version changes the answer, it is decided.
  assert.equal(
    select({ project: 'a', specifier: undefined, files, env: env(12), onlyBinary: false }).version,
    '1.0',
  );
  assert.equal(
    select({ project: 'a', specifier: undefined, files, env: env(10), onlyBinary: false }).version,
    '0.9',
  );
  // Pinned to the other version, the doubt does not matter.
  assert.equal(
    select({ project: 'a', specifier: '==0.9', files, env: env(11), onlyBinary: false }).status,
    'pure',
  );
});

test('files of other projects, bad versions and unknown archive kinds are not candidates', () => {
  const files = [
    file('ab-2.0-py3-none-any.whl'),
    file('a-notaversion-py3-none-any.whl'),
    file('a-3.0.exe'),
    file('a-b-5.0.tar.gz'),
    file('a-1.0.zip'),
  ];
  const s = select({ project: 'a', specifier: undefined, files, env: env(11), onlyBinary: false });
  assert.deepEqual([s.status, s.version, s.candidate?.file.filename], ['sdist', '1.0', 'a-1.0.zip']);
  assert.equal(
    select({ project: 'a', specifier: '>=1,<', files, env: env(11), onlyBinary: false }).reason,
    'the specifier `>=1,<` is not a valid PEP 440 specifier',
  );
});
