import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadBuildConfig } from '../../src/build/config.js';
import { heavyDependenciesIn } from '../../src/build/heavy.js';
import { DiskRepoFs } from '../../src/engine/repo-fs.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/git-repo.js';

/**
 * Repository content is untrusted: every read goes through DiskRepoFs, which never follows a symlink out of the
 * repository, never opens a device or FIFO, and caps what one run reads. These tests use real files, real
 * symlinks and a real FIFO on disk, and real git repositories.
 */

/** A file outside every repository, with a line that must never appear in any output. */
function outsideSecret(): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-outside-'));
  const path = join(dir, 'credentials');
  writeFileSync(path, 'flask==3.0.0\nSECRET_TOKEN_8f3a=hunter2 not a requirement\npsycopg2==2.9.9\n');
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a committed requirements.txt -> outside file is not read: noted, and nothing of it reaches the report', {
  timeout: 60_000,
}, async (t) => {
  const secret = outsideSecret();
  t.after(secret.cleanup);
  const repo = makeRepo({
    files: {
      Dockerfile: 'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      'crossdock.yaml': 'images:\n  reg.example.com/app: { context: ., dockerfile: Dockerfile }\n',
    },
    symlinks: { 'requirements.txt': secret.path },
  });
  t.after(repo.cleanup);
  for (const format of ['json', 'text', 'sarif', 'markdown']) {
    const r = await runCli(['check', repo.root, '--format', format, '--fail-on', 'never']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /SECRET_TOKEN_8f3a|hunter2/, `${format} output`);
    assert.doesNotMatch(r.stdout, new RegExp(secret.path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), format);
  }
  const json = JSON.parse(
    (await runCli(['check', repo.root, '--format', 'json', '--fail-on', 'never'])).stdout,
  );
  assert.ok(
    json.notes.includes('requirements.txt: symlink to outside the repository, not read'),
    JSON.stringify(json.notes),
  );
});

test('a symlink inside the repository is read; one through a symlinked folder that leaves it is not', {
  timeout: 30_000,
}, async (t) => {
  const secret = outsideSecret();
  t.after(secret.cleanup);
  const repo = makeRepo({
    files: { 'deps/requirements.txt': 'flask==3.0.0\n' },
    symlinks: { 'requirements.txt': 'deps/requirements.txt', ext: join(secret.path, '..') },
  });
  t.after(repo.cleanup);
  const fs = new DiskRepoFs(repo.root);
  const inside = await fs.read('requirements.txt');
  assert.deepEqual(inside, { ok: true, text: 'flask==3.0.0\n' });
  assert.deepEqual(await fs.read('ext/credentials'), {
    ok: false,
    note: 'ext/credentials: symlink to outside the repository, not read',
  });
  assert.equal((await fs.read('../etc/passwd')).ok, false);
  assert.equal((await fs.read('/etc/passwd')).ok, false);
});

test('a FIFO named like a Dockerfile is never opened (a read would block for ever)', {
  timeout: 30_000,
}, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-fifo-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.equal(spawnSync('mkfifo', [join(root, 'Dockerfile')]).status, 0);
  const r = await new DiskRepoFs(root).read('Dockerfile');
  assert.deepEqual(r, {
    ok: false,
    note: 'Dockerfile: not a regular file (device, FIFO or socket), not read',
  });
  const started = Date.now();
  const cli = await runCli(['check', root, '--format', 'json', '--fail-on', 'never']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.ok(Date.now() - started < 20_000);
});

test('the per-file limit and the total budget are enforced and said once', { timeout: 30_000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-limits-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'big.txt'), 'x'.repeat(2048));
  for (const n of [1, 2, 3]) writeFileSync(join(root, `f${n}.txt`), 'y'.repeat(600));
  const fs = new DiskRepoFs(root, { maxFileBytes: 1024, maxTotalBytes: 1500 });
  const big = await fs.read('big.txt');
  assert.equal(big.ok, false);
  assert.match(big.ok ? '' : big.note, /^big\.txt: .* per-file limit, not read$/);
  assert.equal((await fs.read('f1.txt')).ok, true);
  assert.equal((await fs.read('f2.txt')).ok, true);
  const third = await fs.read('f3.txt');
  assert.equal(third.ok, false, 'the budget of 1500 bytes is spent by the first two files');
  assert.match(third.ok ? '' : third.note, /budget/);
});

test('plan/build: the repository crossdock.yaml and the context scan never follow a symlink out of it', {
  timeout: 30_000,
}, async (t) => {
  const secret = outsideSecret();
  t.after(secret.cleanup);
  const repo = makeRepo({
    files: { Dockerfile: 'FROM python:3.12-slim\n', 'ctx/app.py': 'print(1)\n' },
    symlinks: { 'crossdock.yaml': secret.path, 'ctx/requirements.txt': secret.path },
  });
  t.after(repo.cleanup);
  await assert.rejects(
    loadBuildConfig(repo.root),
    /crossdock\.yaml: symlink to outside the repository, not read/,
  );
  // The outside file names psycopg2, which compiles from source: it must not be read into the emulation estimate.
  assert.deepEqual(await heavyDependenciesIn(join(repo.root, 'ctx')), []);
  mkdirSync(join(repo.root, 'ctx2'));
  writeFileSync(join(repo.root, 'ctx2', 'requirements.txt'), 'psycopg2==2.9.9\n');
  assert.deepEqual(await heavyDependenciesIn(join(repo.root, 'ctx2')), ['psycopg2']);
});
