import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { emulationFix, type NodeState } from '../../src/build/nodes.js';
import { expandTag, gitInfo, routePlatform, sourceUrl } from '../../src/build/plan.js';
import { ConfigError } from '../../src/errors.js';

/**
 * What a plan reads from git (on a real repository), source URLs, every tag template error with its fix, and the
 * routing problems' exact wording.
 */
const work = mkdtempSync(join(tmpdir(), 'crossdock-plan-git-'));
after(() => rmSync(work, { recursive: true, force: true }));

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: work },
  }).trim();
}

test('git: commit, branch, origin without credentials, dirty; a detached HEAD has no branch', {
  timeout: 30_000,
}, async () => {
  const dir = join(work, 'repo');
  execFileSync('git', ['init', '-q', '-b', 'feature/x', dir]);
  assert.deepEqual(await gitInfo(dir), {}, 'no commit yet');
  writeFileSync(join(dir, 'a.txt'), 'a');
  git(dir, 'add', 'a.txt');
  git(dir, 'commit', '-qm', 'first');
  const sha = git(dir, 'rev-parse', 'HEAD');
  assert.deepEqual(await gitInfo(dir), { sha, branch: 'feature/x', source: undefined, dirty: false });
  git(dir, 'remote', 'add', 'origin', 'https://user:token@git.example/team/app.git');
  writeFileSync(join(dir, 'a.txt'), 'changed');
  writeFileSync(join(dir, 'untracked.txt'), 'not counted');
  assert.deepEqual(await gitInfo(dir), {
    sha,
    branch: 'feature/x',
    source: 'https://git.example/team/app',
    dirty: true,
  });
  git(dir, 'checkout', '-q', '--detach');
  assert.deepEqual(await gitInfo(dir), {
    sha,
    branch: undefined,
    source: 'https://git.example/team/app',
    dirty: true,
  });
  assert.deepEqual(await gitInfo(join(work)), {}, 'not a repository');
});

test('source URLs from every remote form', { timeout: 10_000 }, () => {
  assert.equal(sourceUrl('git@github.com:team/app'), 'https://github.com/team/app');
  assert.equal(sourceUrl('deploy@git.example:team/app.git'), 'https://git.example/team/app');
  assert.equal(sourceUrl('http://git.example:8080/team/app.git'), 'https://git.example:8080/team/app');
  assert.equal(sourceUrl('https://git.example:8443/team/app'), 'https://git.example:8443/team/app');
  assert.equal(sourceUrl('git://git.example:9418/team/app.git'), 'https://git.example/team/app');
  assert.equal(sourceUrl('ssh://git@git.example/team/app.git'), 'https://git.example/team/app');
  assert.equal(
    sourceUrl('https://git.example/team/my.gitrepo/app'),
    'https://git.example/team/my.gitrepo/app',
  );
  assert.equal(sourceUrl('ftp://git.example/team/app.git'), undefined);
  assert.equal(sourceUrl('not a url'), undefined);
});

test('tag templates: every error with its fix; branch names made into tags', { timeout: 10_000 }, () => {
  const now = new Date('2026-03-05T23:59:59Z');
  const info = { sha: '0123456789abcdef', branch: 'main' };
  const error = (template: string, i: object) => {
    try {
      expandTag(template, i, now);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return [e.message, e.hint];
    }
    assert.fail(`${template} was accepted`);
  };
  assert.deepEqual(error('{sha}', {}), [
    'tag template "{sha}" uses {sha}, but the folder is not a git repository with a commit',
    'commit first, or use tags without {sha}',
  ]);
  assert.deepEqual(error('v-{branch}', { sha: '1' }), [
    'tag template "v-{branch}" uses {branch}, but HEAD is not on a branch',
    'check out a branch, or drop {branch} from the tag templates (CI: detached checkouts have no branch)',
  ]);
  assert.deepEqual(error('{version}', info), [
    'tag template "{version}": unknown placeholder {version}',
    'placeholders: {date}, {sha}, {branch}',
  ]);
  assert.deepEqual(error('{sha}:x', info), [
    'tag template "{sha}:x" gives "0123456:x", which is not a valid tag',
    'tags are 1-128 of A-Z a-z 0-9 _ . - and do not start with . or -',
  ]);
  assert.equal(expandTag('{date}', info, now), '20260305');
  assert.equal(expandTag('{branch}', { branch: 'feature//a b' }, now), 'feature-a-b');
  assert.equal(expandTag('{branch}', { branch: '..-x' }, now), 'x');
  assert.equal(expandTag('{branch}', { branch: '-.x' }, now), 'x');
});

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
    native,
    nativeSource: 'declared',
    local: true,
    emulation,
    env: {},
    inherit: {},
    argv: ['docker'],
  };
}

test('routing problems say which nodes were seen and how to fix it', { timeout: 10_000 }, () => {
  const problem = (platform: string, states: NodeState[], emulation: 'allow' | 'forbid' = 'allow') => {
    const r = routePlatform(platform, states, new Map(), emulation);
    assert.ok('problem' in r, JSON.stringify(r));
    return r.problem;
  };
  assert.equal(
    problem('linux/arm64', [
      node('a', ['linux/amd64', 'linux/386']),
      node('b', []),
      node('down', [], {}, false),
    ]),
    `no builder node can build linux/arm64: nodes: a (native linux/amd64, linux/386); b (native unknown), none with QEMU for arm64; ${emulationFix('arm64')}`,
  );
  assert.equal(
    problem('linux/arm64', [node('down', ['linux/arm64'], {}, false)]),
    `no builder node can build linux/arm64: no node is usable; ${emulationFix('arm64')}`,
  );
  assert.equal(
    problem('linux', [node('a', ['linux/amd64'])]),
    `no builder node can build linux: nodes: a (native linux/amd64), none with QEMU for ; ${emulationFix('')}`,
  );
  assert.equal(
    problem('linux/arm64', [node('x86', ['linux/amd64'], { arm64: 'unknown' })], 'forbid'),
    'linux/arm64 would be emulated on node x86, and build.emulation is forbid; add a native arm64 node (--node NAME=ssh://user@host)',
  );
  const r = routePlatform(
    'linux/arm64',
    [node('x86', ['linux/amd64'], { arm64: 'unknown' })],
    new Map(),
    'allow',
  );
  assert.ok('mode' in r && r.mode === 'emulated' && r.emulation === 'unknown');
});
