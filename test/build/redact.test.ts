import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSecretName, REDACTED, Redactor, shownBuildArgs } from '../../src/build/redact.js';

/** Redaction without an engine: which build args count as secret, and how values are removed from text. */
test('secret-looking names, in any case', { timeout: 10_000 }, () => {
  assert.equal(REDACTED, '[redacted]');
  for (const name of ['NPM_TOKEN', 'db_password', 'Secret', 'API_KEY', 'keyring', 'GITHUB_TOKEN_2'])
    assert.equal(isSecretName(name), true, name);
  for (const name of ['PYTHON_VERSION', 'USER', 'PASS', 'TOK', ''])
    assert.equal(isSecretName(name), false, name);
});

test('build args as shown: secret names get [redacted], the rest as given', { timeout: 10_000 }, () => {
  assert.deepEqual(shownBuildArgs({ PYTHON_VERSION: '3.12', NPM_TOKEN: 'npm_abc', apiKey: 'k' }), {
    PYTHON_VERSION: '3.12',
    NPM_TOKEN: '[redacted]',
    apiKey: '[redacted]',
  });
  assert.deepEqual(shownBuildArgs({}), {});
});

test('values are removed everywhere, longest first; short and blank values are left alone', {
  timeout: 10_000,
}, () => {
  const r = new Redactor(['abcd', ' abcdefgh ', 'xyz', '', 'abcd']);
  assert.equal(r.empty, false);
  assert.equal(
    r.apply('token=abcdefgh; again abcdefgh; part abcd; short xyz'),
    'token=[redacted]; again [redacted]; part [redacted]; short xyz',
  );
  assert.equal(r.apply('nothing here'), 'nothing here');
  assert.equal(r.apply(''), '');
  // Given shortest first, the longer value is still removed whole.
  assert.equal(
    new Redactor(['pass', 'password1', 'password1234']).apply('password1234 password1 pass'),
    '[redacted] [redacted] [redacted]',
  );
  assert.equal(new Redactor(new Set(['s3cr3t-value'])).apply('echo s3cr3t-value'), 'echo [redacted]');
  assert.equal(new Redactor([]).empty, true);
  assert.equal(new Redactor(['abc', '   ', ' ab ']).empty, true, 'shorter than 4 characters after trimming');
  assert.equal(new Redactor(['abc', '   ', ' ab ']).apply('abc ab'), 'abc ab');
  assert.equal(new Redactor(['abcd']).empty, false, 'exactly 4 characters is searched for');
  assert.equal(new Redactor([' abcd\n']).apply('x abcd y'), 'x [redacted] y');
});
