import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
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
  git('remote', 'set-url', 'origin', 'ssh://git@github.com/acme/app');
  assert.equal((await loadInventory(repo.root)).github, 'acme/app');
  git('remote', 'set-url', 'origin', 'https://gitlab.com/acme/app.git');
  assert.equal((await loadInventory(repo.root)).github, undefined);
  git('remote', 'set-url', 'origin', 'https://notgithub.com/acme/app.git');
  assert.equal(
    (await loadInventory(repo.root)).github,
    undefined,
    'a host ending in github.com is not GitHub',
  );
});

/** The inventory as the three separate `ls-files` listings used before gave it (index, untracked, ignored). */
function threeListings(root: string) {
  const ls = (...args: string[]) =>
    spawnSync('git', ['-c', 'core.quotepath=off', 'ls-files', '-z', ...args], { cwd: root, encoding: 'utf8' })
      .stdout.split('\0')
      .filter(Boolean);
  const files: Record<string, string> = {};
  const gitlinks: Record<string, string> = {};
  for (const e of ls('-s')) {
    const [mode, sha] = e.slice(0, e.indexOf('\t')).split(' ');
    const path = e.slice(e.indexOf('\t') + 1);
    if (mode === '160000') gitlinks[path] = sha ?? '';
    else files[path] = 'tracked';
  }
  for (const p of ls('--others', '--exclude-standard')) files[p] ??= 'untracked';
  const ignoredDirs: string[] = [];
  for (const p of ls('--others', '--ignored', '--exclude-standard', '--directory'))
    if (p.endsWith('/')) ignoredDirs.push(p.slice(0, -1));
    else files[p] ??= 'ignored';
  return {
    files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    gitlinks,
    ignoredDirs: ignoredDirs.sort(),
  };
}

test('one listing of index and untracked files keeps every kind apart, whatever the path looks like', {
  timeout: 30_000,
}, async (t) => {
  const lookalike = 'H 100644 1234567890123456789012345678901234567890 0\tfake';
  const repo = makeRepo({
    files: {
      'line\nbreak.txt': 'x',
      'tab\there.txt': 'x',
      '? question': 'x',
      'forced.log': 'x',
      Dockerfile: 'FROM scratch\n',
      '.gitignore': 'cache/\n',
    },
    untracked: {
      [lookalike]: 'x',
      '? untracked': 'x',
      'newdir/deep/a.txt': 'x',
      'new\nline.txt': 'x',
      'ünï cødé.yaml': 'x',
    },
    ignored: { 'node_modules/p/i.js': 'x', 'logs/a.log': 'x', 'keep/secret.env': 'x', 'cache/x/y.bin': 'x' },
    gitlinks: { 'vendor/lib': 'abcdefabcdefabcdefabcdefabcdefabcdefabcd' },
  });
  t.after(repo.cleanup);
  // Tracked, then matched by an ignore rule: still tracked.
  writeFileSync(join(repo.root, '.git', 'info', 'exclude'), 'forced.log\n');
  const inv = await loadInventory(repo.root);
  assert.equal(inv.files.get('line\nbreak.txt'), 'tracked');
  assert.equal(inv.files.get('tab\there.txt'), 'tracked');
  assert.equal(inv.files.get('? question'), 'tracked');
  assert.equal(inv.files.get('forced.log'), 'tracked', 'a tracked file an ignore rule matches stays tracked');
  assert.equal(inv.files.get('Dockerfile'), 'tracked');
  assert.equal(inv.files.get(lookalike), 'untracked', 'an untracked path shaped like an index entry');
  assert.equal(inv.files.has('fake'), false);
  assert.equal(inv.files.get('? untracked'), 'untracked');
  assert.equal(inv.files.get('newdir/deep/a.txt'), 'untracked', 'untracked folders are listed file by file');
  assert.equal(inv.files.has('newdir/'), false);
  assert.equal(inv.files.get('new\nline.txt'), 'untracked');
  assert.equal(inv.files.get('ünï cødé.yaml'), 'untracked');
  assert.equal(inv.gitlinks.get('vendor/lib'), 'abcdefabcdefabcdefabcdefabcdefabcdefabcd');
  assert.equal(inv.files.has('vendor/lib'), false);
  assert.ok(inv.ignoredDirs.includes('node_modules'), 'an ignored folder is listed once');
  assert.equal(pathStatus(inv, 'logs/a.log'), 'ignored');
  assert.ok(inv.ignoredDirs.includes('cache'));
  assert.equal(
    [...inv.files.keys()].some((f) => f.startsWith('cache/')),
    false,
    'a folder an ignore rule names is not walked',
  );
  assert.deepEqual(threeListings(repo.root), {
    files: Object.fromEntries([...inv.files].sort()),
    gitlinks: Object.fromEntries(inv.gitlinks),
    ignoredDirs: [...inv.ignoredDirs].sort(),
  });
  assert.equal(pathStatus(inv, 'keep/secret.env'), 'ignored');
});

test('an unmerged path (a merge conflict) is one tracked file', { timeout: 30_000 }, async (t) => {
  const repo = makeRepo({ files: { Dockerfile: 'FROM a\n' } });
  t.after(repo.cleanup);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
  };
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repo.root, encoding: 'utf8', env });
  git('checkout', '-q', '-b', 'other');
  writeFileSync(join(repo.root, 'Dockerfile'), 'FROM b\n');
  git('commit', '-qam', 'b');
  git('checkout', '-q', 'main');
  writeFileSync(join(repo.root, 'Dockerfile'), 'FROM c\n');
  git('commit', '-qam', 'c');
  git('merge', '-q', 'other');
  assert.match(git('ls-files', '-u').stdout, /Dockerfile/, 'the fixture has a conflict');
  const inv = await loadInventory(repo.root);
  assert.equal(inv.files.get('Dockerfile'), 'tracked');
  assert.deepEqual(
    [...inv.files.keys()].filter((f) => f === 'Dockerfile'),
    ['Dockerfile'],
  );
});
