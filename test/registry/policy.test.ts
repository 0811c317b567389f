import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IMAGE_BUILD_KEYS } from '../../src/build/config.js';
import { ConfigError } from '../../src/errors.js';
import { policyFromConfig } from '../../src/registry/policy.js';

/**
 * crossdock.yaml `images:` policies: an entry applies to an image by its full reference, its reference without
 * tag or digest, a path suffix of it, or its repository; an entry that is not a mapping, or has a key crossdock
 * does not know, is a configuration error that names the entry and says what is allowed.
 */
const REF = 'localhost:5000/team/app:1.0';
const REPO = 'team/app';
const strict = { nonRoot: 'numeric' };
const other = { platforms: ['linux/amd64'] };

const policy = (images: unknown, ref = REF, repository = REPO) =>
  policyFromConfig({ images }, ref, repository);

test('no images: section, or one that is not a mapping, gives no policy', { timeout: 10_000 }, () => {
  assert.deepEqual(policyFromConfig({}, REF, REPO), {});
  assert.deepEqual(policy(null), {});
  assert.deepEqual(policy(true), {});
  assert.deepEqual(policy(7), {});
  // A string is not a table of policies, even when a reference ends in one of its positions ("/0").
  assert.deepEqual(policy('strict', 'localhost:5000/team/0:1', 'team/0'), {});
});

test('an entry keyed by the full reference, tag included, applies', { timeout: 10_000 }, () => {
  assert.deepEqual(policy({ 'localhost:5000/other:1.0': other, [REF]: strict }), strict);
  assert.deepEqual(
    policy({ [REF]: strict }, 'localhost:5000/team/app:2.0'),
    {},
    'another tag: not this entry',
  );
});

test('an entry keyed by the reference without tag or digest applies to every tag and digest', {
  timeout: 10_000,
}, () => {
  const images = { 'localhost:5000/other': other, 'localhost:5000/team/app': strict };
  assert.deepEqual(policy(images), strict);
  assert.deepEqual(policy(images, 'localhost:5000/team/app:x'), strict, 'a one-character tag');
  assert.deepEqual(policy(images, `localhost:5000/team/app@sha256:${'a'.repeat(64)}`), strict, 'by digest');
  assert.deepEqual(
    policy(images, `localhost:5000/team/app:1.0@sha256:${'a'.repeat(64)}`),
    strict,
    'tag and digest',
  );
  assert.deepEqual(policy(images, 'localhost:5000/team/app'), strict, 'no tag at all');
});

test('an entry keyed by a path suffix applies; a suffix that is not whole path segments does not', {
  timeout: 10_000,
}, () => {
  assert.deepEqual(policy({ other, app: strict }), strict);
  assert.deepEqual(policy({ 'team/app': strict }, 'reg.example.com/team/app:1', 'x/y'), strict);
  assert.deepEqual(policy({ pp: strict }), {}, '"pp" is not a path segment of team/app');
  assert.deepEqual(policy({ team: strict }), {}, 'a prefix is not a suffix');
});

test('an entry keyed by the repository applies (Docker Hub images are library/<name>)', {
  timeout: 10_000,
}, () => {
  assert.deepEqual(policy({ other, 'library/nginx': strict }, 'nginx:1.27', 'library/nginx'), strict);
  assert.deepEqual(policy({ other }, 'nginx:1.27', 'library/nginx'), {});
});

test('an entry that is not a mapping is a ConfigError naming it, with an example', {
  timeout: 10_000,
}, () => {
  for (const value of [null, 'strict', 3, false]) {
    assert.throws(
      () => policy({ 'team/app': value }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.equal(e.message, 'crossdock.yaml images."team/app" must be a mapping');
        assert.equal(
          e.hint,
          'e.g. images: { "reg/app": { platforms: [linux/amd64, linux/arm64], nonRoot: numeric } }',
        );
        return true;
      },
      String(value),
    );
  }
});

test('every verify policy key is kept; build keys are accepted and left out of the policy', {
  timeout: 10_000,
}, () => {
  const all = {
    platforms: ['linux/amd64', 'linux/arm64'],
    nonRoot: 'numeric',
    init: true,
    healthcheck: true,
    labels: ['org.opencontainers.image.revision'],
    revision: 'abc',
    tagPattern: '^v\\d+$',
    maxSizeMb: 200,
    forbidAttestations: false,
    elf: true,
  };
  assert.deepEqual(policy({ 'team/app': all }), all);
  for (const key of Object.keys(all))
    assert.deepEqual(policy({ 'team/app': { [key]: all[key as keyof typeof all] } }), {
      [key]: all[key as keyof typeof all],
    });
  const build = Object.fromEntries(IMAGE_BUILD_KEYS.map((k) => [k, 'x']));
  assert.ok(Object.keys(build).length > 0);
  assert.deepEqual(policy({ 'team/app': { ...build, nonRoot: 'numeric' } }), { nonRoot: 'numeric' });
});

test('an unknown key is a ConfigError naming the entry and the key, and listing the known keys', {
  timeout: 10_000,
}, () => {
  assert.throws(
    () => policy({ 'team/app': { nonRoot: 'numeric', nonroot: 'numeric' } }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.message, 'crossdock.yaml images."team/app": unknown key "nonroot"');
      assert.equal(
        e.hint,
        'known keys: platforms, nonRoot, init, healthcheck, labels, revision, tagPattern, maxSizeMb, forbidAttestations, elf',
      );
      return true;
    },
  );
  // Entries that do not apply to the image are not checked here.
  assert.deepEqual(policy({ other: { bogus: 1 } }), {});
});
