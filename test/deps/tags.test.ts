import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWheelName, supportedTags, tagEnvOf } from '../../src/deps/tags.js';
import { pipTags } from './pip-oracle.js';

/** The supported tags, in order, against pip's own vendored packaging with its libc probes set to the target's. */
const ENVS: [string, 'glibc' | 'musl', string, string][] = [
  ['3.11', 'glibc', '2.36', 'aarch64'],
  ['3.12', 'glibc', '2.31', 'x86_64'],
  ['3.9', 'musl', '1.2', 'x86_64'],
  ['3.10', 'glibc', '2.28', 'armv7l'],
];

for (const [py, kind, libc, arch] of ENVS)
  test(`CPython ${py} on ${kind} ${libc} ${arch}: the same tags in the same order as pip`, {
    timeout: 30_000,
  }, async () => {
    const [maj, min] = py.split('.').map(Number) as [number, number];
    const [lmaj, lmin] = libc.split('.').map(Number) as [number, number];
    const mine = supportedTags({ python: [maj, min], libc: { kind, major: lmaj, minor: lmin }, arch });
    const pip = await pipTags(py, kind, libc, arch);
    assert.deepEqual(mine, pip);
    if (kind === 'musl') assert.ok(!mine.some((t) => t.includes('manylinux')));
    else assert.ok(!mine.some((t) => t.includes('musllinux')));
  });

test('a target whose Python, libc or platform is unknown has no tags, and says why', () => {
  assert.deepEqual(
    tagEnvOf({ platform: 'linux/arm64', python: undefined, libc: { kind: 'glibc', version: '2.36' } }),
    {
      unknown: 'the Python version is not known',
    },
  );
  assert.deepEqual(tagEnvOf({ platform: 'linux/amd64', python: '3.11', libc: undefined }), {
    unknown: 'the C library (glibc or musl, and its version) is not known',
  });
  assert.deepEqual(tagEnvOf({ platform: 'windows/amd64', python: '3.11', libc: undefined }), {
    unknown: 'platform windows/amd64 is not a Linux platform crossdock knows',
  });
  assert.deepEqual(
    tagEnvOf({ platform: 'linux/arm/v7', python: '3.11', libc: { kind: 'musl', version: '1.2.4' } }),
    {
      python: [3, 11],
      libc: { kind: 'musl', major: 1, minor: 2 },
      arch: 'armv7l',
    },
  );
});

test('wheel names: compressed tag sets expand, build tags parse, malformed names are refused', () => {
  assert.deepEqual(
    parseWheelName('numpy-1.26.4-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl'),
    {
      name: 'numpy',
      version: '1.26.4',
      build: undefined,
      tags: ['cp311-cp311-manylinux_2_17_aarch64', 'cp311-cp311-manylinux2014_aarch64'],
    },
  );
  assert.deepEqual(parseWheelName('six-1.16.0-1b-py2.py3-none-any.whl')?.build, [1, 'b']);
  assert.deepEqual(parseWheelName('six-1.16.0-py2.py3-none-any.whl')?.tags, ['py2-none-any', 'py3-none-any']);
  assert.equal(parseWheelName('six-1.16.0-x-py3-none-any.whl'), undefined);
  assert.equal(parseWheelName('six-1.16.0.tar.gz'), undefined);
  assert.equal(parseWheelName('six-py3-none-any.whl'), undefined);
});
