import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadInventory } from '../../src/engine/inventory.js';
import { pathStatus } from '../../src/model/project.js';
import { makeRepo } from '../helpers/git-repo.js';

test('git inventory separates tracked, untracked, ignored files and gitlinks', async (t) => {
  const repo = makeRepo({
    files: { 'app/main.py': 'print(1)\n', '.env.example': 'A=1\n', 'sub dir/ünï.txt': 'x' },
    untracked: { 'app/local.py': 'x' },
    ignored: { '.env': 'SECRET=1\n', 'build/out.bin': 'x' },
    gitlinks: { 'vendor/lib': '1234567890123456789012345678901234567890' },
  });
  t.after(repo.cleanup);
  const inv = await loadInventory(repo.root);
  assert.equal(inv.git, true);
  assert.equal(inv.files.get('app/main.py'), 'tracked');
  assert.equal(inv.files.get('sub dir/ünï.txt'), 'tracked', 'non-ASCII paths are not quoted');
  assert.equal(inv.files.get('app/local.py'), 'untracked');
  assert.equal(inv.files.get('.env'), 'ignored');
  assert.equal(inv.files.has('vendor/lib'), false, 'a gitlink is not a file');
  assert.equal(inv.gitlinks.get('vendor/lib'), '1234567890123456789012345678901234567890');
  assert.deepEqual(inv.ignoredDirs, ['build']);
  assert.equal(pathStatus(inv, 'build/out.bin'), 'ignored', 'files inside an ignored folder are ignored');
  assert.equal(pathStatus(inv, 'app'), 'tracked', 'a folder with a tracked file is tracked');
  assert.equal(pathStatus(inv, './app/'), 'tracked');
  assert.equal(pathStatus(inv, 'nothing/here'), 'absent');
  assert.equal(pathStatus(inv, 'vendor/lib'), 'tracked');
});

test('a subfolder of a repository lists paths relative to that subfolder', async (t) => {
  const repo = makeRepo({ files: { 'services/api/Dockerfile': 'FROM scratch\n', 'README.md': 'x' } });
  t.after(repo.cleanup);
  const inv = await loadInventory(join(repo.root, 'services/api'));
  assert.deepEqual([...inv.files.keys()], ['Dockerfile']);
});

test('a plain folder is walked honouring .gitignore, without following symlinks, and says so', async (t) => {
  const repo = makeRepo({
    noGit: true,
    files: {
      '.gitignore': 'dist/\n*.log\n',
      'src/a.py': 'x',
      'dist/x.js': 'x',
      'debug.log': 'x',
      'node_modules/p/i.js': 'x',
    },
  });
  t.after(repo.cleanup);
  mkdirSync(join(repo.root, 'loop'));
  symlinkSync('..', join(repo.root, 'loop', 'up'));
  const inv = await loadInventory(repo.root);
  assert.equal(inv.git, false);
  assert.match(inv.notes.join('\n'), /not a git repository/);
  assert.equal(inv.files.get('src/a.py'), 'plain');
  assert.equal(inv.files.get('debug.log'), 'ignored');
  assert.equal(inv.files.get('loop/up'), 'plain', 'the symlink is listed, not followed');
  assert.ok(inv.ignoredDirs.includes('dist'));
  assert.ok(inv.ignoredDirs.includes('node_modules'));
  assert.equal(
    [...inv.files.keys()].some((f) => f.startsWith('dist/') || f.startsWith('loop/up/')),
    false,
  );
});

test('an unreadable folder becomes a note, not a crash', async (t) => {
  if (process.getuid?.() === 0) {
    t.skip('root reads every folder; permissions cannot be tested as root');
    return;
  }
  const repo = makeRepo({ noGit: true, files: { 'locked/a.txt': 'x', 'ok.txt': 'y' } });
  t.after(() => {
    chmodSync(join(repo.root, 'locked'), 0o755);
    repo.cleanup();
  });
  chmodSync(join(repo.root, 'locked'), 0o000);
  const inv = await loadInventory(repo.root);
  assert.match(inv.notes.join('\n'), /cannot read folder locked/);
  assert.equal(inv.files.get('ok.txt'), 'plain');
});

test('the origin remote names the GitHub repository (https and ssh forms); another host or none names nothing', async (t) => {
  const repo = makeRepo({ files: { 'README.md': 'x' } });
  t.after(repo.cleanup);
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repo.root, encoding: 'utf8' });
  assert.equal((await loadInventory(repo.root)).github, undefined, 'no origin');
  git('remote', 'add', 'origin', 'https://github.com/My-Org/App.git');
  assert.equal((await loadInventory(repo.root)).github, 'My-Org/App');
  git('remote', 'set-url', 'origin', 'git@github.com:acme/app.git');
  assert.equal((await loadInventory(repo.root)).github, 'acme/app');
  git('remote', 'set-url', 'origin', 'https://gitlab.com/acme/app.git');
  assert.equal((await loadInventory(repo.root)).github, undefined);
});
