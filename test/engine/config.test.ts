import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/engine/config-parse.js';
import { ConfigError } from '../../src/errors.js';

test('a valid config gives platforms, rule severities and ignores', () => {
  const c = parseConfig(
    'crossdock.yaml',
    'version: 1\nplatforms: [linux/amd64, linux/arm64/v8, linux/arm/v7]\nrules:\n  pip-no-timeout: error\n  unpinned-dependency: off\nignore: ["legacy/**"]\n',
  );
  assert.deepEqual(c.platforms, [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
    { os: 'linux', architecture: 'arm', variant: 'v7' },
  ]);
  assert.deepEqual(c.rules, { 'pip-no-timeout': 'error', 'unpinned-dependency': 'off' });
  assert.deepEqual(c.ignore, ['legacy/**']);
  assert.equal(c.path, 'crossdock.yaml');
});

test('an empty config is valid', () => {
  assert.deepEqual(parseConfig('crossdock.yaml', '').rules, {});
});

for (const [name, text, where, what] of [
  ['unknown key', 'platfroms: [linux/amd64]\n', 'crossdock.yaml:1:1', /unknown key "platfroms"/],
  [
    'bad platform',
    'platforms:\n  - linux/amd64\n  - "linux//x"\n',
    'crossdock.yaml:3:5',
    /"linux\/\/x" is not a platform/,
  ],
  ['bad severity', 'rules:\n  missing-file: fatal\n', 'crossdock.yaml:2:17', /severity "fatal"/],
  ['invalid yaml', 'platforms: [linux/amd64\n', 'crossdock.yaml:2:1', /invalid YAML/],
  ['not a mapping', '- a\n- b\n', 'crossdock.yaml:1:1', /must be a mapping/],
] as const) {
  test(`config error: ${name} names file:line:col and a fix`, () => {
    assert.throws(
      () => parseConfig('crossdock.yaml', text),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.ok(e.message.startsWith(`${where}: `), e.message);
        assert.match(e.message, what);
        assert.ok(e.hint && e.hint.length > 0);
        assert.equal(e.exitCode, 2);
        return true;
      },
    );
  });
}
