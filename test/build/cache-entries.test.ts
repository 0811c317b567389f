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
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  cachedLayer,
  layerCacheDir,
  privateCacheDir,
  pruneLayerCache,
  storeLayer,
} from '../../src/build/cache.js';
import { CrossdockError } from '../../src/errors.js';

/**
 * The layer cache on a real folder, without an engine or a registry: where it lives, how entries are stored,
 * checked on every hit, and pruned (ages and sizes set through mtimes).
 */
const work = mkdtempSync(join(tmpdir(), 'crossdock-cache-entries-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(work, `c${++n}`);
const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function layer(content: string) {
  const path = join(work, `layer-${++n}.tar`);
  writeFileSync(path, content);
  return { path, diffId: sha(content) };
}

test('where the cache lives', { timeout: 10_000 }, () => {
  assert.equal(layerCacheDir({ CROSSDOCK_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' }), '/c/layers');
  assert.equal(layerCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }), '/x/crossdock/layers');
  assert.equal(
    layerCacheDir({ CROSSDOCK_CACHE_DIR: '', XDG_CACHE_HOME: '', HOME: '/h' }),
    '/h/.cache/crossdock/layers',
  );
  assert.equal(layerCacheDir({ HOME: '' }), join(homedir(), '.cache', 'crossdock', 'layers'));
  assert.equal(layerCacheDir({}), join(homedir(), '.cache', 'crossdock', 'layers'));
});

test('the folder is made private, and one of another user is refused', { timeout: 10_000 }, async () => {
  const dir = join(fresh(), 'a', 'b');
  await privateCacheDir(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  chmodSync(dir, 0o755);
  await privateCacheDir(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  if (process.getuid?.() === 0) {
    const theirs = fresh();
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, 4242, 4242);
    await assert.rejects(privateCacheDir(theirs), (e: unknown) => {
      assert.ok(e instanceof CrossdockError);
      assert.equal(e.message, `the layer cache ${theirs} belongs to another user (uid 4242)`);
      assert.equal(
        e.hint,
        'crossdock keeps its cache private; point CROSSDOCK_CACHE_DIR or XDG_CACHE_HOME at a folder of your own',
      );
      return true;
    });
    assert.equal(statSync(theirs).mode & 0o777, 0o755, 'left as it was');
  }
});

test('a stored layer is gzipped, recorded with its digest and size, and found again', {
  timeout: 10_000,
}, async () => {
  const dir = fresh();
  const l = layer('layer content '.repeat(100));
  const stored = await storeLayer(dir, l.diffId, { path: l.path });
  const hex = l.diffId.slice(7);
  const gz = readFileSync(join(dir, `${hex}.tar.gz`));
  assert.deepEqual(stored, { digest: sha(gz), size: gz.length, file: join(dir, `${hex}.tar.gz`) });
  assert.equal(gunzipSync(gz).toString(), 'layer content '.repeat(100));
  assert.deepEqual(JSON.parse(readFileSync(join(dir, `${hex}.json`), 'utf8')), {
    diffId: l.diffId,
    digest: sha(gz),
    size: gz.length,
  });
  assert.equal(statSync(join(dir, `${hex}.tar.gz`)).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, `${hex}.json`)).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir).sort(), [`${hex}.json`, `${hex}.tar.gz`], 'no temporary file left');
  // A hit marks the entry used.
  const old = new Date('2020-01-01T00:00:00Z');
  utimesSync(join(dir, `${hex}.tar.gz`), old, old);
  utimesSync(join(dir, `${hex}.json`), old, old);
  const bad: string[] = [];
  assert.deepEqual(await cachedLayer(dir, l.diffId, (w) => bad.push(w)), stored);
  assert.deepEqual(bad, []);
  for (const f of [`${hex}.tar.gz`, `${hex}.json`])
    assert.ok(statSync(join(dir, f)).mtimeMs > Date.now() - 60_000, `${f} touched`);
  // A part of a file (an archive member) is read from its range only.
  const part = layer('HEADERpayload of the memberTRAILER');
  const member = await storeLayer(fresh(), sha('payload of the member'), {
    path: part.path,
    start: 6,
    end: 26,
  });
  assert.equal(gunzipSync(readFileSync(member.file)).toString(), 'payload of the member');
});

test('a layer that is not the diff id the config lists is refused, nothing kept', {
  timeout: 10_000,
}, async () => {
  const dir = fresh();
  const l = layer('actual bytes');
  const claimed = sha('other bytes');
  await assert.rejects(storeLayer(dir, claimed, { path: l.path }), (e: unknown) => {
    assert.ok(e instanceof CrossdockError);
    assert.equal(
      e.message,
      `a layer has digest ${l.diffId}, but the image config says ${claimed}; nothing of this platform was pushed`,
    );
    assert.equal(
      e.hint,
      'the engine exported a damaged or altered image; build again, and check the builder node',
    );
    return true;
  });
  assert.deepEqual(readdirSync(dir), []);
  await assert.rejects(storeLayer(dir, claimed, { path: join(work, 'no-such-layer.tar') }), /ENOENT/);
  assert.deepEqual(readdirSync(dir), [], 'a failed read leaves no temporary file');
});

test('a damaged, altered or half-recorded entry is removed and reported as a miss', {
  timeout: 10_000,
}, async () => {
  const setup = async () => {
    const dir = fresh();
    const l = layer(`content ${n}`);
    const stored = await storeLayer(dir, l.diffId, { path: l.path });
    const hex = l.diffId.slice(7);
    return { dir, l, stored, hex, gz: join(dir, `${hex}.tar.gz`), meta: join(dir, `${hex}.json`) };
  };
  const miss = async (s: Awaited<ReturnType<typeof setup>>) => {
    const bad: string[] = [];
    assert.equal(await cachedLayer(s.dir, s.l.diffId, (w) => bad.push(w)), undefined);
    assert.deepEqual(readdirSync(s.dir), [], 'both files removed');
    return bad;
  };
  // Altered bytes.
  let s = await setup();
  writeFileSync(s.gz, 'not the gzip that was stored');
  assert.deepEqual(await miss(s), [
    `cached layer ${s.hex.slice(0, 12)} failed its check (content ${sha('not the gzip that was stored').slice(0, 19)}, recorded ${s.stored.digest.slice(0, 19)}); it was removed and is compressed again`,
  ]);
  // Same bytes, another recorded size.
  s = await setup();
  writeFileSync(
    s.meta,
    JSON.stringify({ diffId: s.l.diffId, digest: s.stored.digest, size: s.stored.size + 1 }),
  );
  assert.match((await miss(s))[0]!, /failed its check \(content sha256:\w{12}, recorded sha256:\w{12}\)/);
  // Recorded for another diff id.
  s = await setup();
  writeFileSync(s.meta, JSON.stringify({ diffId: sha('x'), digest: s.stored.digest, size: s.stored.size }));
  assert.equal((await miss(s)).length, 1);
  // A record that is not one.
  for (const text of [
    'null',
    '"a string"',
    '{ not json',
    '{}',
    JSON.stringify({ digest: 'sha256:1', size: 1 }),
  ]) {
    s = await setup();
    writeFileSync(s.meta, text);
    assert.deepEqual(
      await miss(s),
      [
        `cached layer ${s.hex.slice(0, 12)} failed its check (content ${s.stored.digest.slice(0, 19)}, recorded nothing); it was removed and is compressed again`,
      ],
      text,
    );
  }
  for (const fields of [
    { diffId: 1, digest: 'd', size: 1 },
    { diffId: 'x', digest: 1, size: 1 },
    { diffId: 'x', digest: 'd', size: '1' },
  ]) {
    s = await setup();
    writeFileSync(
      s.meta,
      JSON.stringify({ ...fields, ...(fields.diffId === 'x' ? { diffId: s.l.diffId } : {}) }),
    );
    assert.match((await miss(s))[0]!, /recorded nothing\)/, JSON.stringify(fields));
  }
  // The layer file gone.
  s = await setup();
  rmSync(s.gz);
  assert.deepEqual(await miss(s), [
    `cached layer ${s.hex.slice(0, 12)} failed its check (file missing); it was removed and is compressed again`,
  ]);
  // No record at all: a plain miss, nothing reported, the layer file left alone; no onBad is fine.
  s = await setup();
  rmSync(s.meta);
  const bad: string[] = [];
  assert.equal(await cachedLayer(s.dir, s.l.diffId, (w) => bad.push(w)), undefined);
  assert.deepEqual(bad, []);
  assert.ok(existsSync(s.gz));
  s = await setup();
  writeFileSync(s.gz, 'damaged');
  assert.equal(await cachedLayer(s.dir, s.l.diffId), undefined);
  assert.deepEqual(readdirSync(s.dir), []);
});

const DAY = 24 * 3600 * 1000;

test('prune: stray and temporary files, then by age, then least recently used beyond the size', {
  timeout: 10_000,
}, async () => {
  assert.deepEqual(await pruneLayerCache(join(work, 'missing'), { maxBytes: 1, maxAgeDays: 1 }), {
    dir: join(work, 'missing'),
    removed: 0,
    removedBytes: 0,
    kept: 0,
    keptBytes: 0,
  });
  const notDir = join(work, 'a-file');
  writeFileSync(notDir, 'x');
  await assert.rejects(pruneLayerCache(notDir, { maxBytes: 1, maxAgeDays: 1 }), /ENOTDIR/);

  const dir = fresh();
  mkdirSync(dir, { mode: 0o755 });
  const now = Date.parse('2030-06-01T00:00:00Z');
  const at = (file: string, ms: number) => utimesSync(join(dir, file), new Date(ms), new Date(ms));
  // Entry names chosen so that their alphabetical order is not their order of use.
  const entry = (c: string, gzBytes: number, metaBytes: number, usedMs: number) => {
    const hex = c.repeat(64);
    writeFileSync(join(dir, `${hex}.tar.gz`), Buffer.alloc(gzBytes));
    writeFileSync(join(dir, `${hex}.json`), Buffer.alloc(metaBytes));
    at(`${hex}.tar.gz`, usedMs);
    return hex;
  };
  const a = entry('a', 100, 10, now - 1 * DAY); // newest: 110 bytes
  const b = entry('b', 1000, 10, now - 40 * DAY); // too old
  const c = entry('c', 350, 10, now - 3 * DAY); // 360: does not fit after a and e within 500
  const d = entry('d', 20, 10, now - 4 * DAY); // 30: would fit, but c before it did not: goes too
  const e = entry('e', 50, 10, now - 1.5 * DAY); // 60: fits
  writeFileSync(join(dir, `${'f'.repeat(64)}.tar.gz`), 'no record'); // stray
  writeFileSync(join(dir, `${'1'.repeat(64)}.json`), '{}'); // stray
  writeFileSync(join(dir, 'x.tar.gz.abc.tmp'), 'old');
  at('x.tar.gz.abc.tmp', now - 2 * 3600 * 1000);
  writeFileSync(join(dir, 'y.tar.gz.abc.tmp'), 'running');
  at('y.tar.gz.abc.tmp', now - 10 * 60 * 1000);
  writeFileSync(join(dir, 'notes.txt'), 'not ours');
  writeFileSync(join(dir, `x${'2'.repeat(64)}.tar.gz`), 'not an entry name');
  writeFileSync(join(dir, `${'3'.repeat(64)}.tar.gz.json`), 'not an entry name');
  mkdirSync(join(dir, `${'4'.repeat(64)}.json`));
  writeFileSync(join(dir, `x${'6'.repeat(64)}.json`), 'not an entry name');
  const r = await pruneLayerCache(dir, { maxBytes: 500, maxAgeDays: 30 }, now);
  assert.deepEqual(r, { dir, removed: 3, removedBytes: 1010 + 360 + 30, kept: 2, keptBytes: 110 + 60 });
  assert.deepEqual(
    readdirSync(dir).sort(),
    [
      `${'3'.repeat(64)}.tar.gz.json`,
      `${'4'.repeat(64)}.json`,
      `${a}.json`,
      `${a}.tar.gz`,
      `${e}.json`,
      `${e}.tar.gz`,
      'notes.txt',
      `x${'2'.repeat(64)}.tar.gz`,
      `x${'6'.repeat(64)}.json`,
      'y.tar.gz.abc.tmp',
    ].sort(),
  );
  assert.equal(statSync(dir).mode & 0o777, 0o700, 'made private');
  for (const gone of [b, c, d]) assert.ok(!existsSync(join(dir, `${gone}.json`)), gone);
});

test('prune boundaries: exactly maxAgeDays old, exactly maxBytes, a temporary file exactly an hour old', {
  timeout: 10_000,
}, async () => {
  const dir = fresh();
  mkdirSync(dir);
  const hex = '5'.repeat(64);
  writeFileSync(join(dir, `${hex}.tar.gz`), Buffer.alloc(90));
  writeFileSync(join(dir, `${hex}.json`), Buffer.alloc(10));
  writeFileSync(join(dir, 'z.tmp'), 'x');
  const used = statSync(join(dir, `${hex}.tar.gz`)).mtimeMs;
  const tmpAge = statSync(join(dir, 'z.tmp')).mtimeMs;
  await pruneLayerCache(dir, { maxBytes: 100, maxAgeDays: 2 }, tmpAge + 3600 * 1000);
  assert.ok(existsSync(join(dir, 'z.tmp')), 'an hour old: still kept');
  await pruneLayerCache(dir, { maxBytes: 100, maxAgeDays: 2 }, tmpAge + 3600 * 1000 + 1);
  assert.ok(!existsSync(join(dir, 'z.tmp')), 'older than an hour: removed');
  const edge = await pruneLayerCache(dir, { maxBytes: 100, maxAgeDays: 2 }, used + 2 * DAY);
  assert.deepEqual(edge, { dir, removed: 0, removedBytes: 0, kept: 1, keptBytes: 100 });
  const over = await pruneLayerCache(dir, { maxBytes: 99, maxAgeDays: 365 }, used + 1);
  assert.deepEqual(over, { dir, removed: 1, removedBytes: 100, kept: 0, keptBytes: 0 });
  assert.deepEqual(readdirSync(dir), []);
});
