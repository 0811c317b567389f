import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generate } from '../../bench/run.js';
import { CheckCache, checkCacheDir, decode, encode, gitBlobId } from '../../src/engine/check-cache.js';
import { DiskRepoFs } from '../../src/engine/repo-fs.js';
import { checkCached } from '../../src/engine/cached.js';
import { type CheckOptions, check } from '../../src/engine/run.js';
import { ConfigError } from '../../src/errors.js';
import type { ReadResult, RepoFs } from '../../src/model/repo.js';
import { SourceFile } from '../../src/model/source.js';
import { yamlParseHook } from '../../src/sources/yaml/node.js';
import { render, type RunResult } from '../../src/reporters/index.js';
import { allRules } from '../../src/rules/index.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/git-repo.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The JSON report of a result, its duration (the one figure that differs between runs) set to 0. */
function json(result: RunResult, sources: Map<string, SourceFile>): string {
  return render(
    'json',
    { ...result, summary: { ...result.summary, durationMs: 0 } },
    { color: false, sources },
  );
}

/** The text report with code frames: it reads each finding's line from the run's sources. */
function text(result: RunResult, sources: Map<string, SourceFile>): string {
  return render(
    'text',
    { ...result, summary: { ...result.summary, durationMs: 0 } },
    { color: false, sources, verbose: true },
  );
}

/**
 * A DiskRepoFs that records every content read: every read that returned a text (looking for a file that is not
 * there, as the configuration loader does for crossdock.yaml, and asking a size read nothing).
 */
class CountingRepo implements RepoFs {
  readonly reads: string[] = [];
  private readonly disk: DiskRepoFs;
  readonly root: string;
  constructor(root: string) {
    this.disk = new DiskRepoFs(root);
    this.root = this.disk.root;
  }
  inventory() {
    return this.disk.inventory();
  }
  async read(path: string): Promise<ReadResult> {
    const r = await this.disk.read(path);
    if (r.ok) this.reads.push(path);
    return r;
  }
  size(path: string) {
    return this.disk.size(path);
  }
}

function git(root: string, ...args: string[]): void {
  const r = spawnSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/**
 * The same report four ways: no cache; the cache being filled; facts and texts from the cache (check() never
 * serves a whole result); a whole result from the cache (checkCached, twice: filled, then served).
 */
async function assertSameReports(root: string, cacheDir: string): Promise<void> {
  const rules = allRules();
  const base: CheckOptions = { root };
  const cold = await check(base, rules);
  const reference = json(cold.result, cold.model.sources);
  const referenceText = text(cold.result, cold.model.sources);
  const withCache: CheckOptions = { root, cache: { dir: cacheDir } };
  const filling = await check(withCache, rules);
  assert.equal(
    json(filling.result, filling.model.sources),
    reference,
    `${root}: the run that fills the cache`,
  );
  const facts = await check(withCache, rules);
  assert.equal(json(facts.result, facts.model.sources), reference, `${root}: facts restored from the cache`);
  assert.equal(text(facts.result, facts.model.sources), referenceText);
  for (const round of ['stored', 'served']) {
    const whole = await checkCached(withCache, rules);
    assert.equal(json(whole.result, whole.sources), reference, `${root}: a whole result ${round}`);
    assert.equal(text(whole.result, whole.sources), referenceText, `${root}: code frames, ${round}`);
  }
}

test('a warm run reports byte for byte what a cold run reports, on examples', async (t) => {
  const cache = tempDir('crossdock-check-cache-');
  t.after(cache.cleanup);
  const names = readdirSync(examples).filter((n) => existsSync(join(examples, n, 'broken')));
  assert.ok(names.length >= 9);
  // Examples with Dockerfiles, compose files, workflows, kustomize, Helm, bake and Python projects.
  for (const name of ['python-service', 'k3s-kustomize', 'helm-chart', 'ci-pipelines', 'monorepo-bake'])
    await assertSameReports(join(examples, name, 'broken'), cache.dir);
  await assertSameReports(join(examples, 'compose-stack', 'fixed'), cache.dir);
});

test('a warm run reports byte for byte what a cold run reports, on the benchmark repository', async (t) => {
  const work = tempDir('crossdock-check-bench-');
  t.after(work.cleanup);
  const root = join(work.dir, 'repo');
  mkdirSync(root);
  generate(root, 400);
  await assertSameReports(root, join(work.dir, 'cache'));
  // One Dockerfile changed (not committed): the same report as a cold run of the changed repository.
  appendFileSync(join(root, 'services/svc-0/Dockerfile'), 'EXPOSE 9000\n');
  await assertSameReports(root, join(work.dir, 'cache'));
});

test('a warm run reads only the files that changed', async (t) => {
  const repo = makeRepo({
    files: {
      Dockerfile:
        'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --default-timeout=100 -r requirements.txt\nCOPY app.py .\nCMD ["python", "app.py"]\n',
      'requirements.txt': 'flask==3.0.0\n',
      'app.py': 'import flask\n',
      'deploy/app.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: app }\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: reg.example.com/app:1\n',
      'pyproject.toml': '[project]\nname = "app"\nrequires-python = ">=3.10"\n',
    },
  });
  const cache = tempDir('crossdock-check-cache-');
  t.after(() => {
    repo.cleanup();
    cache.cleanup();
  });
  const run = async () => {
    const fs = new CountingRepo(repo.root);
    const r = await checkCached({ root: repo.root, repo: fs, cache: { dir: cache.dir } }, allRules());
    return { reads: [...new Set(fs.reads)].sort(), report: json(r.result, r.sources) };
  };
  const cold = await run();
  assert.ok(cold.reads.includes('Dockerfile') && cold.reads.includes('deploy/app.yaml'), 'a cold run reads');
  const warm = await run();
  assert.deepEqual(warm.reads, [], 'nothing changed: nothing is read');
  assert.equal(warm.report, cold.report);

  appendFileSync(join(repo.root, 'Dockerfile'), 'EXPOSE 8000\n');
  const touched = await run();
  assert.deepEqual(touched.reads, ['Dockerfile'], 'one file changed (not committed): only it is read');
  const reference = await check({ root: repo.root }, allRules());
  assert.equal(touched.report, json(reference.result, reference.model.sources));
  assert.deepEqual((await run()).reads, ['Dockerfile'], 'git still sees it changed: read, and compared');

  git(repo.root, 'commit', '-qam', 'expose');
  assert.deepEqual(
    (await run()).reads,
    ['Dockerfile'],
    'committed: read once more, to learn its new blob id',
  );
  assert.deepEqual((await run()).reads, [], 'then nothing is read');

  // An untracked file has no blob id in the index: it is read (and hashed) every run.
  writeFileSync(
    join(repo.root, 'deploy/extra.yaml'),
    'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n',
  );
  const untracked = await run();
  assert.deepEqual(untracked.reads, ['deploy/extra.yaml']);
  assert.deepEqual((await run()).reads, ['deploy/extra.yaml']);
});

test('compose facts come from the cache; a changed .env next to the file is still seen', async (t) => {
  const repo = makeRepo({
    files: {
      'web/Dockerfile': 'FROM busybox:1.36\nCMD ["sh"]\n',
      'compose.yaml': 'services:\n  web:\n    build: ./${APP}\n',
      '.env': 'APP=web\n',
    },
  });
  const cache = tempDir('crossdock-check-cache-');
  const parsed: string[] = [];
  yamlParseHook.onParse = (path) => parsed.push(path);
  t.after(() => {
    yamlParseHook.onParse = undefined;
    repo.cleanup();
    cache.cleanup();
  });
  const withCache: CheckOptions = { root: repo.root, cache: { dir: cache.dir } };
  const ids = async (options: CheckOptions) =>
    (await check(options, allRules())).result.findings.map((f) => f.ruleId);
  assert.deepEqual(await ids(withCache), []);
  assert.deepEqual(parsed, ['compose.yaml'], 'the cold run parses it');
  assert.deepEqual(await ids(withCache), []);
  assert.deepEqual(parsed, ['compose.yaml'], 'the warm run restores its facts');
  // The interpolation reads .env: a new value is a dependency changed, so the file is loaded again.
  writeFileSync(join(repo.root, '.env'), 'APP=nope\n');
  assert.deepEqual(await ids(withCache), ['missing-file']);
  assert.deepEqual(await ids({ root: repo.root }), ['missing-file'], 'as without the cache');
  assert.equal(parsed.filter((p) => p === 'compose.yaml').length, 3);
});

test('a damaged, truncated or foreign pack is ignored and written again', async (t) => {
  const repo = makeRepo({
    files: {
      Dockerfile: 'FROM python:3.12\nRUN pip install flask\n',
      'k.yaml': 'apiVersion: v1\nkind: Pod\n',
    },
  });
  const cache = tempDir('crossdock-check-cache-');
  t.after(() => {
    repo.cleanup();
    cache.cleanup();
  });
  const run = async () => {
    const fs = new CountingRepo(repo.root);
    const r = await checkCached({ root: repo.root, repo: fs, cache: { dir: cache.dir } }, allRules());
    return { reads: fs.reads.length, report: json(r.result, r.sources) };
  };
  const first = await run();
  const packs = () => readdirSync(cache.dir).filter((n) => n.endsWith('.pack'));
  assert.equal(packs().length, 1);
  const pack = join(cache.dir, packs()[0] as string);
  const damages: [string, () => void][] = [
    ['truncated', () => truncateSync(pack, Math.floor(statSync(pack).size / 2))],
    [
      'a flipped byte',
      () => {
        const b = readFileSync(pack);
        b[b.length - 10] = (b[b.length - 10] as number) ^ 0xff;
        writeFileSync(pack, b);
      },
    ],
    ['empty', () => writeFileSync(pack, '')],
    ['not a pack', () => writeFileSync(pack, 'hello, this is not a cache\n')],
    ['deleted', () => rmSync(cache.dir, { recursive: true })],
  ];
  for (const [what, damage] of damages) {
    damage();
    const r = await run();
    assert.equal(r.report, first.report, `${what}: the same report`);
    assert.ok(r.reads > 0, `${what}: the files are read again`);
    assert.equal((await run()).reads, 0, `${what}: the pack was written again, whole`);
  }
});

test('two checks at once on the same repository both report right and leave a whole pack', async (t) => {
  const work = tempDir('crossdock-check-concurrent-');
  t.after(work.cleanup);
  const root = join(work.dir, 'repo');
  mkdirSync(root);
  generate(root, 300);
  const dir = join(work.dir, 'cache');
  const reference = await check({ root }, allRules());
  const expected = json(reference.result, reference.model.sources);
  // Two at once (the second pair meets the first pair's pack), in this process and as two CLI processes.
  for (let round = 0; round < 2; round++) {
    const both = await Promise.all([
      checkCached({ root, cache: { dir } }, allRules()),
      checkCached({ root, cache: { dir } }, allRules()),
    ]);
    for (const r of both) assert.equal(json(r.result, r.sources), expected);
  }
  const cli = await Promise.all(
    [1, 2].map(() =>
      runCli(['check', root, '--format', 'json', '--fail-on', 'never'], {
        env: { CROSSDOCK_CACHE_DIR: join(work.dir, 'cli') },
      }),
    ),
  );
  for (const r of cli) {
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as RunResult;
    assert.equal(json(got, new Map()), json(reference.result, new Map()));
  }
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.endsWith('.tmp')),
    [],
    'no temporary file is left behind',
  );
  const fs = new CountingRepo(root);
  await checkCached({ root, repo: fs, cache: { dir } }, allRules());
  assert.equal(fs.reads.length, 0, 'the pack the last writer left is whole: nothing is read');
});

test('the CLI caches by default; --no-cache and CROSSDOCK_NO_CACHE turn it off', async (t) => {
  const repo = makeRepo({ files: { Dockerfile: 'FROM python:3.12\n' } });
  const home = tempDir('crossdock-check-home-');
  t.after(() => {
    repo.cleanup();
    home.cleanup();
  });
  const dir = checkCacheDir({ XDG_CACHE_HOME: home.dir });
  assert.equal(dir, join(home.dir, 'crossdock', 'check'));
  assert.equal(checkCacheDir({ HOME: '/h' }), '/h/.cache/crossdock/check');
  const args = ['check', repo.root, '--fail-on', 'never'];
  const off = await runCli([...args, '--no-cache'], { env: { XDG_CACHE_HOME: home.dir } });
  assert.equal(off.code, 0, off.stderr);
  assert.equal(existsSync(dir), false, '--no-cache writes nothing');
  const envOff = await runCli(args, { env: { XDG_CACHE_HOME: home.dir, CROSSDOCK_NO_CACHE: '1' } });
  assert.equal(envOff.code, 0, envOff.stderr);
  assert.equal(existsSync(dir), false, 'CROSSDOCK_NO_CACHE=1 writes nothing');
  const on = await runCli(args, { env: { XDG_CACHE_HOME: home.dir } });
  assert.equal(on.code, 0, on.stderr);
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.pack')).length, 1);
  assert.equal(statSync(dir).mode & 0o777, 0o700, 'the folder is private');
  const noTime = (s: string) => s.replace(/\(\d+ ms\)/g, '');
  assert.equal(noTime(on.stdout), noTime(off.stdout));
});

test('a cache folder owned by another user is refused', { skip: process.getuid?.() !== 0 }, async (t) => {
  const work = tempDir('crossdock-check-owner-');
  t.after(work.cleanup);
  const dir = join(work.dir, 'check');
  mkdirSync(dir);
  chownSync(dir, 65534, 65534);
  await assert.rejects(CheckCache.open(dir, { root: '/r', options: '' }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /belongs to another user \(uid 65534\)/);
    assert.match(e.hint ?? '', /--no-cache/);
    return true;
  });
  const repo = makeRepo({ files: { Dockerfile: 'FROM python:3.12\n' } });
  t.after(repo.cleanup);
  const r = await runCli(['check', repo.root], { env: { CROSSDOCK_CACHE_DIR: work.dir } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /belongs to another user/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('the folder stays under its bound: least recently used packs go first', async (t) => {
  const cache = tempDir('crossdock-check-evict-');
  t.after(cache.cleanup);
  const old = Date.now() / 1000 - 3600;
  for (const [i, name] of ['a', 'b', 'c'].entries()) {
    writeFileSync(join(cache.dir, `${name}.pack`), Buffer.alloc(4000));
    utimesSync(join(cache.dir, `${name}.pack`), old + i, old + i);
  }
  writeFileSync(join(cache.dir, 'left.pack.1.abc.tmp'), 'x');
  utimesSync(join(cache.dir, 'left.pack.1.abc.tmp'), old, old);
  const c = await CheckCache.open(cache.dir, { root: '/r', options: '' }, 10_000);
  c.putText('Dockerfile', 'b'.repeat(40), { text: 'FROM x\n', note: undefined, size: 7, id: 'i' });
  await c.save();
  const left = readdirSync(cache.dir).sort();
  assert.ok(!left.includes('a.pack'), 'the oldest pack is deleted');
  assert.ok(left.includes('c.pack'), 'the newest old pack fits and stays');
  assert.ok(!left.includes('left.pack.1.abc.tmp'), 'a stale temporary file is removed');
  assert.ok(left.includes(basenameOf(c.file)), 'the pack just written stays');
});

function basenameOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

test('facts round-trip: files by reference, shared objects and cycles kept, class instances refused', () => {
  const file = new SourceFile('a/Dockerfile', 'FROM x\nRUN y\n');
  const files = new Map([[file.path, file]]);
  const shared = { span: { start: 0, end: 4 } };
  const cyclic: Record<string, unknown> = { name: 'c', missing: undefined };
  cyclic.self = cyclic;
  const facts = {
    sites: [
      { file, ...shared },
      { file, at: shared },
    ],
    byPath: new Map([[file.path, { file, tags: new Set(['a', 'b']) }]]),
    other: new SourceFile('virtual', 'a file no run read\nits second line\n'),
    sparse: Object.assign(new Array<number>(3), { 0: 1, 2: 3 }),
    cyclic,
    shared: [shared, shared],
  };
  const encoded = encode(facts, files);
  assert.ok(encoded);
  assert.deepEqual(encoded.files, ['a/Dockerfile']);
  const back = decode(structuredClone(encoded.value), files) as typeof facts;
  assert.equal(back.sites[0]?.file, file, 'the run’s own SourceFile, not a copy');
  assert.equal(back.byPath.get('a/Dockerfile')?.file, file);
  assert.deepEqual([...(back.byPath.get('a/Dockerfile')?.tags ?? [])], ['a', 'b']);
  assert.ok(back.other instanceof SourceFile);
  assert.equal(back.other.text, 'a file no run read\nits second line\n');
  assert.equal(back.other.position(22).line, 2, 'its line table works');
  assert.equal(1 in back.sparse, false, 'holes stay holes');
  assert.equal(back.cyclic.self, back.cyclic);
  assert.ok('missing' in back.cyclic, 'an undefined property is kept');
  assert.equal(back.shared[0], back.shared[1], 'shared objects stay shared');
  class Node {
    x = 1;
  }
  assert.equal(encode({ n: new Node() }, files), undefined);
  assert.equal(encode({ f: () => 1 }, files), undefined);
});

test('the blob id of a text is the one git gives its bytes', (t) => {
  const repo = makeRepo({ files: { 'x.txt': 'héllo\nworld\n' } });
  t.after(repo.cleanup);
  const r = spawnSync('git', ['rev-parse', 'HEAD:x.txt'], {
    cwd: repo.root,
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(gitBlobId('héllo\nworld\n'), r.stdout.trim());
});
