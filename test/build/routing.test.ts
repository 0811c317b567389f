import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeState } from '../../src/build/nodes.js';
import { expandTag, imageTags, routePlatform, sourceUrl } from '../../src/build/plan.js';

/**
 * The planning logic that needs no engine: routing an image × platform to a node (native, emulated, or a problem
 * with its fix), tag templates, and source URLs. Node states are written as a probe would report them.
 */
function node(
  name: string,
  native: string[],
  emulation: NodeState['emulation'] = {},
  healthy = true,
): NodeState {
  return {
    spec: { name, kind: 'docker', endpoint: `unix:///run/${name}.sock`, origin: 'test' },
    healthy,
    backend: 'dockerd-buildkit',
    backendVersion: 'dockerd 20.10.24',
    native,
    nativeSource: 'declared',
    local: true,
    emulation,
    env: {},
    inherit: {},
    argv: ['docker'],
  };
}

const route = (
  platform: string,
  states: NodeState[],
  load: Record<string, number> = {},
  emulation: 'allow' | 'forbid' = 'allow',
) => {
  const r = routePlatform(platform, states, new Map(Object.entries(load)), emulation);
  return 'problem' in r
    ? `problem: ${r.problem}`
    : `${r.node.spec.name} ${r.mode}${'emulation' in r ? ` ${r.emulation}` : ''}`;
};

test('a native node wins over emulation; among native nodes the least loaded, ties in node order', {
  timeout: 10_000,
}, () => {
  const x86 = node('x86', ['linux/amd64'], { arm64: 'enabled' });
  const pi = node('pi', ['linux/arm64']);
  const pi2 = node('pi2', ['linux/arm64']);
  assert.equal(route('linux/arm64', [x86, pi]), 'pi native');
  assert.equal(route('linux/amd64', [x86, pi]), 'x86 native');
  assert.equal(route('linux/arm64', [x86, pi, pi2]), 'pi native');
  assert.equal(route('linux/arm64', [x86, pi, pi2], { pi: 1 }), 'pi2 native');
  assert.equal(route('linux/arm64', [x86, pi, pi2], { pi: 2, pi2: 2 }), 'pi native');
});

test('without a native node: QEMU enabled before unknown, least loaded first; missing never', {
  timeout: 10_000,
}, () => {
  const a = node('a', ['linux/amd64'], { arm64: 'unknown' });
  const b = node('b', ['linux/amd64'], { arm64: 'enabled' });
  const c = node('c', ['linux/amd64'], { arm64: 'enabled' });
  const none = node('none', ['linux/amd64'], { arm64: 'missing' });
  assert.equal(route('linux/arm64', [a, b]), 'b emulated enabled');
  assert.equal(route('linux/arm64', [a, b, c], { b: 1 }), 'c emulated enabled');
  assert.equal(route('linux/arm64', [a, none]), 'a emulated unknown');
  const missing = route('linux/arm64', [none]);
  assert.match(
    missing,
    /^problem: no builder node can build linux\/arm64: nodes: none \(native linux\/amd64\), none with QEMU for arm64/,
  );
  assert.match(missing, /update-binfmts --enable qemu-aarch64/);
  assert.match(missing, /add a native arm64 builder node/);
});

test('unhealthy nodes get no work; build.emulation forbid turns emulation into a problem', {
  timeout: 10_000,
}, () => {
  const down = node('down', ['linux/arm64'], {}, false);
  const x86 = node('x86', ['linux/amd64'], { arm64: 'enabled' });
  assert.equal(route('linux/arm64', [down, x86]), 'x86 emulated enabled');
  assert.match(
    route('linux/arm64', [down]),
    /^problem: no builder node can build linux\/arm64: no node is usable/,
  );
  assert.match(
    route('linux/arm64', [x86], {}, 'forbid'),
    /^problem: linux\/arm64 would be emulated on node x86, and build\.emulation is forbid; add a native arm64 node/,
  );
  assert.equal(route('linux/amd64', [x86], {}, 'forbid'), 'x86 native', 'forbid only affects emulation');
});

test('tag templates: {date} in UTC, {sha} short, {branch} sanitised; a bad result is refused with the fix', {
  timeout: 10_000,
}, () => {
  const info = { sha: '0123456789abcdef0123456789abcdef01234567', branch: 'feature/ARM64 build' };
  const now = new Date('2026-03-04T23:30:00-05:00'); // 2026-03-05 in UTC
  assert.equal(expandTag('{date}-{sha}', info, now), '20260305-0123456');
  assert.equal(expandTag('{branch}', info, now), 'feature-ARM64-build');
  assert.equal(expandTag('{branch}', { ...info, branch: '.hidden' }, now), 'hidden');
  assert.deepEqual(imageTags('reg/app', ['{sha}', 'latest', '{sha}'], info, now), [
    'reg/app:0123456',
    'reg/app:latest',
  ]);
  assert.throws(
    () => expandTag('{sha}', {}, now),
    /uses \{sha\}, but the folder is not a git repository with a commit/,
  );
  assert.throws(() => expandTag('{branch}', { sha: info.sha }, now), /HEAD is not on a branch[\s\S]*/);
  assert.throws(() => expandTag('v{version}', info, now), /unknown placeholder \{version\}/);
  assert.throws(() => expandTag('-{sha}', info, now), /gives "-0123456", which is not a valid tag/);
  assert.throws(() => expandTag('x'.repeat(129), info, now), /which is not a valid tag/);
});

test('the source label comes from the origin remote, without credentials', { timeout: 10_000 }, () => {
  assert.equal(sourceUrl('git@github.com:team/app.git'), 'https://github.com/team/app');
  assert.equal(
    sourceUrl('https://user:token@gitlab.example/team/app.git'),
    'https://gitlab.example/team/app',
  );
  assert.equal(sourceUrl('ssh://git@host.example:2222/team/app.git'), 'https://host.example/team/app');
  assert.equal(sourceUrl('/srv/git/app.git'), undefined);
  assert.equal(sourceUrl('file:///srv/git/app.git'), undefined);
});
