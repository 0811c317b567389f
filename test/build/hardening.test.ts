import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../src/exec.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/git-repo.js';

/**
 * What crossdock hands to the programs it runs, with real programs and real git repositories, no engine needed:
 * a minimal environment (never CROSSDOCK_PASSWORD), and git that runs no program a repository's .git/config
 * names.
 */

function envOf(stdout: string): Map<string, string> {
  return new Map(
    stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

test('children get the variables engines need and nothing else: never CROSSDOCK_PASSWORD', {
  timeout: 20_000,
}, async () => {
  const set: Record<string, string> = {
    CROSSDOCK_PASSWORD: 'hunter2-not-for-children',
    CROSSDOCK_CACHE_DIR: '/tmp/x',
    AWS_SECRET_ACCESS_KEY: 'unrelated-secret',
    GIT_DIR: '/somewhere/else',
    DOCKER_HOST: 'unix:///tmp/d.sock',
    DOCKER_CONFIG: '/tmp/docker-config',
    BUILDKIT_PROGRESS: 'plain',
    https_proxy: 'http://proxy.example:3128',
    NO_PROXY: 'localhost',
    XDG_RUNTIME_DIR: '/run/user/0',
    REGISTRY_AUTH_FILE: '/tmp/auth.json',
    CONTAINERS_REGISTRIES_CONF: '/tmp/registries.conf',
    TMPDIR: '/tmp',
  };
  const saved = new Map(Object.keys(set).map((k) => [k, process.env[k]]));
  Object.assign(process.env, set);
  try {
    const r = await exec(['env']);
    assert.equal(r.code, 0, r.stderr);
    const env = envOf(r.stdout);
    for (const k of ['CROSSDOCK_PASSWORD', 'CROSSDOCK_CACHE_DIR', 'AWS_SECRET_ACCESS_KEY', 'GIT_DIR'])
      assert.equal(env.get(k), undefined, `${k} reached the child`);
    for (const k of [
      'DOCKER_HOST',
      'DOCKER_CONFIG',
      'BUILDKIT_PROGRESS',
      'https_proxy',
      'NO_PROXY',
      'XDG_RUNTIME_DIR',
      'REGISTRY_AUTH_FILE',
      'CONTAINERS_REGISTRIES_CONF',
      'TMPDIR',
    ])
      assert.equal(env.get(k), set[k], `${k} was not passed on`);
    assert.equal(env.get('PATH'), process.env.PATH);
    assert.equal(env.get('HOME'), process.env.HOME);
    // What a caller sets for one child is passed as given, even a name that is not inherited.
    const own = envOf((await exec(['env'], { env: { DOCKER_BUILDKIT: '1', SPECIAL: 'x' } })).stdout);
    assert.equal(own.get('DOCKER_BUILDKIT'), '1');
    assert.equal(own.get('SPECIAL'), 'x');
    // A command's own environment (io.env) is the source when given.
    const from = envOf(
      (await exec(['env'], { inherit: { PATH: process.env.PATH, HOME: '/nowhere' } })).stdout,
    );
    assert.equal(from.get('HOME'), '/nowhere');
    assert.equal(from.get('DOCKER_HOST'), undefined);
  } finally {
    for (const [k, v] of saved)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
});

test('git runs no fsmonitor program or hook that the repository configures', {
  timeout: 60_000,
}, async (t) => {
  const repo = makeRepo({
    files: { Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'a\n' },
  });
  t.after(repo.cleanup);
  const marker = join(repo.root, 'PROGRAM_RAN');
  const program = join(repo.root, '.git', 'evil.sh');
  writeFileSync(program, `#!/bin/sh\necho "$0 $*" >> ${marker}\nexit 1\n`);
  chmodSync(program, 0o755);
  // What a hostile checkout (a shared CI workspace, an unpacked archive) can carry in .git/config and .git/hooks.
  const config = join(repo.root, '.git', 'config');
  writeFileSync(config, `${readFileSync(config, 'utf8')}[core]\n\tfsmonitor = ${program}\n`);
  for (const hook of ['post-index-change', 'post-checkout', 'pre-auto-gc']) {
    writeFileSync(join(repo.root, '.git', 'hooks', hook), `#!/bin/sh\necho "hook ${hook}" >> ${marker}\n`);
    chmodSync(join(repo.root, '.git', 'hooks', hook), 0o755);
  }
  writeFileSync(join(repo.root, 'a'), 'changed\n'); // a dirty file: status would refresh the index

  const check = await runCli(['check', repo.root, '--format', 'json'], {
    env: { PATH: process.env.PATH ?? '' },
  });
  assert.ok(check.code === 0 || check.code === 1, check.stderr);
  // plan reads the commit, branch and status; the unreachable node keeps it from needing an engine.
  const plan = await runCli(
    ['plan', repo.root, '--node', 'far=unix:///nonexistent/docker.sock', '--format', 'json'],
    {
      env: { PATH: process.env.PATH ?? '' },
    },
  );
  assert.ok(plan.stdout.startsWith('{'), plan.stderr);
  assert.equal(JSON.parse(plan.stdout).git.dirty, true, 'git status did run');
  assert.equal(existsSync(marker) ? readFileSync(marker, 'utf8') : '', '', 'no repository program ran');
});
