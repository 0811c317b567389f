import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { layerCacheDir, storeLayer } from '../../src/build/cache.js';
import { publishPlatform } from '../../src/build/publish.js';
import { RegistryClient } from '../../src/registry/client.js';
import { runCli } from '../helpers/cli.js';
import { tarOf } from '../helpers/images.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * The compressed-layer cache with real files, the real registry and skopeo: every hit is hashed again, the folder
 * is private, and it is pruned by age and size (after a build, and by `crossdock cache prune`).
 */
let work: string;
let registry: TestRegistry;
let client: RegistryClient;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-cache-'));
  registry = await startRegistry();
  client = new RegistryClient({ trust: { plainHttp: [registry.host] }, backoffMs: 1 });
});

after(async () => {
  client?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A docker save archive with one uncompressed layer (what dockerd 20.10 writes). */
function archive(seed: string): { tar: string; layer: Buffer } {
  const layer = tarOf([[`data/${seed}.txt`, `${seed}\n`.repeat(200)]]);
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [sha(layer)] },
  });
  const tar = join(work, `${seed}.tar`);
  writeFileSync(
    tar,
    tarOf([
      ['manifest.json', JSON.stringify([{ Config: 'c.json', Layers: ['l/layer.tar'] }])],
      ['c.json', config],
      ['l/layer.tar', layer],
    ]),
  );
  return { tar, layer };
}

function cacheEnv(name: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: work, CROSSDOCK_CACHE_DIR: join(work, name) };
}

test('a cache hit is hashed again: a damaged entry is replaced and the right layer is pushed', {
  timeout: 60_000,
}, async () => {
  const env = cacheEnv('hit');
  const { tar, layer } = archive('hit');
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  const repo = (name: string) => ({ registry: registry.host, repository: `team/${name}` });
  const first = await publishPlatform(
    client,
    repo('one'),
    { kind: 'docker-archive', tar },
    'linux/amd64',
    env,
    warn,
  );
  const dir = layerCacheDir(env);
  const hex = sha(layer).slice(7);
  const cached = join(dir, `${hex}.tar.gz`);
  assert.ok(existsSync(cached), 'the layer was cached');
  const good = readFileSync(cached);
  // Same size, one byte changed: a size check alone would push it under the recorded digest.
  const bad = Buffer.from(good);
  bad[bad.length >> 1] = (bad[bad.length >> 1] ?? 0) ^ 0x55;
  writeFileSync(cached, bad);

  const second = await publishPlatform(
    client,
    repo('two'),
    { kind: 'docker-archive', tar },
    'linux/amd64',
    env,
    warn,
  );
  assert.equal(second.descriptor.digest, first.descriptor.digest, 'the same manifest');
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0] ?? '',
    new RegExp(`cached layer ${hex.slice(0, 12)} failed its check .*compressed again`),
  );
  assert.deepEqual(readFileSync(cached), good, 'the entry was written again');
  // What the registry holds under team/two is the real layer (skopeo computes and checks digests itself).
  const out = join(work, 'two');
  skopeo([
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    `docker://${registry.host}/team/two@${second.descriptor.digest}`,
    `dir:${out}`,
  ]);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    layers: { digest: string }[];
  };
  assert.equal(sha(readFileSync(join(out, manifest.layers[0]!.digest.slice(7)))), sha(good));
});

test("the cache folder is private: made 0700, an existing 0755 one narrowed, another user's refused", {
  timeout: 60_000,
}, async (t) => {
  const env = cacheEnv('private');
  const dir = layerCacheDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  const { tar } = archive('private');
  const repo = { registry: registry.host, repository: 'team/private' };
  await publishPlatform(client, repo, { kind: 'docker-archive', tar }, 'linux/amd64', env);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o077, 0, `${f} is private`);
  const fresh = cacheEnv('fresh');
  await publishPlatform(
    client,
    repo,
    { kind: 'docker-archive', tar: archive('fresh').tar },
    'linux/amd64',
    fresh,
  );
  assert.equal(statSync(layerCacheDir(fresh)).mode & 0o777, 0o700);
  if (process.getuid?.() !== 0) {
    t.diagnostic(
      'not root: the other-user case needs chown and is checked where the suite runs as root (CI)',
    );
    return;
  }
  const theirs = cacheEnv('theirs');
  mkdirSync(layerCacheDir(theirs), { recursive: true, mode: 0o700 });
  chownSync(layerCacheDir(theirs), 65534, 65534);
  await assert.rejects(
    publishPlatform(
      client,
      repo,
      { kind: 'docker-archive', tar: archive('theirs').tar },
      'linux/amd64',
      theirs,
    ),
    /the layer cache .* belongs to another user \(uid 65534\)/,
  );
});

test('crossdock cache prune: unused past maxAgeDays first, then least recently used beyond maxBytes', {
  timeout: 60_000,
}, async () => {
  const env = cacheEnv('prune');
  const dir = layerCacheDir(env);
  const day = 24 * 3600;
  const now = Date.now() / 1000;
  const entries: { hex: string; bytes: number }[] = [];
  for (const [seed, age] of [
    ['old', 40 * day],
    ['week', 7 * day],
    ['recent', 60],
  ] as const) {
    const { layer } = archive(`prune-${seed}`);
    // Stored as the publisher stores a layer it compressed.
    const src = join(work, `${seed}.layer`);
    writeFileSync(src, layer);
    const c = await storeLayer(dir, sha(layer), { path: src });
    const hex = sha(layer).slice(7);
    for (const f of [`${hex}.tar.gz`, `${hex}.json`]) utimesSync(join(dir, f), now - age, now - age);
    entries.push({ hex, bytes: c.size + statSync(join(dir, `${hex}.json`)).size });
  }
  writeFileSync(join(dir, 'stale.tar.gz.0123.tmp'), 'half written');
  utimesSync(join(dir, 'stale.tar.gz.0123.tmp'), now - 2 * 3600, now - 2 * 3600);
  const project = join(work, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'crossdock.yaml'), 'build:\n  cache:\n    maxAgeDays: 30\n');
  const has = (hex: string) => existsSync(join(dir, `${hex}.tar.gz`));
  const [old, week, recent] = entries as [(typeof entries)[0], (typeof entries)[0], (typeof entries)[0]];

  const byAge = await runCli(['cache', 'prune'], { env, cwd: project });
  assert.equal(byAge.code, 0, byAge.stderr);
  assert.match(byAge.stdout, /layers: removed 1 layer\(s\), .*; kept 2, .* \(limits 5\.00 GB, 30 days\)/);
  assert.deepEqual([has(old.hex), has(week.hex), has(recent.hex)], [false, true, true]);
  assert.equal(existsSync(join(dir, 'stale.tar.gz.0123.tmp')), false, 'a stale temporary file is removed');

  const bySize = await runCli(['cache', 'prune', '--max-bytes', String(recent.bytes), '--format', 'json'], {
    env,
    cwd: project,
  });
  assert.equal(bySize.code, 0, bySize.stderr);
  const r = JSON.parse(bySize.stdout);
  assert.deepEqual([r.removed, r.kept, r.keptBytes, r.maxBytes], [1, 1, recent.bytes, recent.bytes]);
  assert.deepEqual([has(week.hex), has(recent.hex)], [false, true], 'the least recently used went first');

  const all = await runCli(['cache', 'prune', '--all'], { env, cwd: project });
  assert.equal(all.code, 0);
  assert.equal(has(recent.hex), false);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  // crossdock.yaml's limits apply when no flag is given.
  writeFileSync(join(project, 'crossdock.yaml'), 'build:\n  cache:\n    maxBytes: 1KiB\n');
  const cfg = await runCli(['cache', 'prune', '--format', 'json'], { env, cwd: project });
  assert.equal(JSON.parse(cfg.stdout).maxBytes, 1024);
});

test('cache: usage errors exit 2 with the fix; --help and the command list show it', {
  timeout: 30_000,
}, async () => {
  const env = cacheEnv('usage');
  const cases: [string[], RegExp][] = [
    [['cache'], /cache needs a subcommand\n {2}hint: crossdock cache prune/],
    [['cache', 'purge'], /cache purge: unknown subcommand/],
    [
      ['cache', 'prune', '--max-bytes', 'lots'],
      /--max-bytes lots is not a size\n {2}hint: e\.g\. --max-bytes 2GiB/,
    ],
    [['cache', 'prune', '--max-age', '1.5'], /--max-age 1\.5 is not a whole number of days/],
    [['cache', 'prune', '--format', 'xml'], /--format xml is not supported/],
  ];
  for (const [argv, expected] of cases) {
    const r = await runCli(argv, { env, cwd: work });
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, expected);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  }
  const help = await runCli(['cache', '--help'], { env });
  assert.equal(help.code, 0);
  assert.match(
    help.stdout,
    /^Usage: crossdock cache prune \[--max-bytes SIZE\] \[--max-age DAYS\] \[--all\]/,
  );
  assert.match(help.stdout, /--max-bytes SIZE/);
  assert.match(
    (await runCli(['--help'], { env })).stdout,
    /\n {2}cache +Manage crossdock's cache of compressed layers/,
  );
});
