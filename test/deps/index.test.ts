import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { decideAll } from '../../src/deps/decide.js';
import { parseHtml } from '../../src/deps/index.js';
import type { DepQuery, IndexOptions, PlatformVerdict, TargetEnv } from '../../src/deps/types.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { type RunningIndex, startJsonIndex, startStaticIndex, writeIndex } from '../helpers/pyindex.js';
import { PACKAGES } from './fixture.js';

/**
 * The index client against real servers: the on-disk cache (fresh, revalidated, offline), faults injected by a
 * proxy in front of the real index (500s, slow answers, truncated JSON, an HTML error page), credentials (URL and
 * .netrc, never shown), bounded concurrency, and several indexes merged as pip merges them.
 */
let work: string;
let root: string;
let json: RunningIndex;
let proxy: FaultProxy;

const AMD: TargetEnv = { platform: 'linux/amd64', python: '3.11', libc: { kind: 'glibc', version: '2.36' } };
const ARM: TargetEnv = { platform: 'linux/arm64', python: '3.11', libc: { kind: 'glibc', version: '2.36' } };

const query = (name: string, specifier?: string): DepQuery => ({
  name,
  specifier,
  marker: undefined,
  requirement: `${name}${specifier ?? ''}`,
  source: { file: 'requirements.txt', line: 1 },
});
const QUERIES = [
  query('purepkg', '==1.0'),
  query('bin-pkg', '==2.0'),
  query('x86only', '==1.0'),
  query('fbpkg'),
];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-deps-index-'));
  root = join(work, 'root');
  writeIndex(root, PACKAGES);
  json = await startJsonIndex(root, { cacheControl: 'max-age=600' });
  proxy = await startFaultProxy(json.host);
});

after(async () => {
  await proxy?.close();
  await json?.close();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  proxy.rules.length = 0;
  proxy.log.length = 0;
  json.log.length = 0;
});

let n = 0;
const opts = (indexUrl: string, extra: Partial<IndexOptions> = {}): IndexOptions => ({
  indexUrl,
  extraIndexUrls: [],
  offline: false,
  onlyBinary: false,
  cacheDir: join(work, `cache-${++n}`),
  env: { HOME: join(work, 'home') },
  http: { backoffMs: 5, timeoutMs: 1000, deadlineMs: 5000 },
  ...extra,
});

const statuses = (rows: Record<string, PlatformVerdict>[], p = 'linux/amd64') =>
  rows.map((r) => `${r[p]?.status} ${r[p]?.version ?? '-'}`);
const EXPECTED_AMD = ['pure 1.0', 'wheel 2.0', 'wheel 1.0', 'wheel 2.0'];
const proxied = () => `http://${proxy.host}/simple`;

describe('the on-disk cache', () => {
  test('cold fills it (private folder, one file per page), warm answers without a request', async () => {
    const o = opts(json.url);
    const cold = await decideAll(QUERIES, [AMD, ARM], o);
    assert.deepEqual(statuses(cold), EXPECTED_AMD);
    assert.deepEqual(statuses(cold, 'linux/arm64'), ['pure 1.0', 'wheel 2.0', 'sdist 1.0', 'wheel 1.0']);
    const pages = json.log.filter((e) => e.path.startsWith('/simple/')).length;
    assert.equal(pages, 4, 'one request per project, shared by both platforms');
    const dir = o.cacheDir as string;
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const files = readdirSync(dir);
    // 4 pages + the inspected sdist's verdict, and no temporary file left behind.
    assert.equal(files.filter((f) => f.endsWith('.json')).length, 5);
    assert.ok(!files.some((f) => f.endsWith('.tmp')));
    for (const f of files) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600);
    json.log.length = 0;
    const warm = await decideAll(QUERIES, [AMD, ARM], o);
    assert.deepEqual(warm, cold);
    assert.equal(json.log.length, 0, 'fresh for max-age=600: no request, not even for the sdist');
  });

  test('a stale page is revalidated with If-None-Match and kept on 304', async () => {
    const index = await startJsonIndex(root, { cacheControl: 'no-cache' });
    try {
      const o = opts(index.url);
      const cold = await decideAll(QUERIES, [AMD], o);
      index.log.length = 0;
      const warm = await decideAll(QUERIES, [AMD], o);
      assert.deepEqual(warm, cold);
      const pages = index.log.filter((e) => e.path.startsWith('/simple/'));
      assert.equal(pages.length, 4);
      assert.ok(pages.every((e) => e.status === 304));
    } finally {
      await index.close();
    }
  });

  test('a damaged cache entry is a miss: fetched again and rewritten', async () => {
    const o = opts(json.url);
    const cold = await decideAll(QUERIES.slice(0, 1), [AMD], o);
    const dir = o.cacheDir as string;
    const [entry] = readdirSync(dir);
    assert.ok(entry);
    const good = JSON.parse(readFileSync(join(dir, entry), 'utf8')) as { files: { url: unknown }[] };
    for (const damaged of [
      '{"url": "http://elsewhere/", "bo',
      JSON.stringify({ ...good, files: good.files.map((f) => ({ ...f, url: 42 })) }),
    ]) {
      writeFileSync(join(dir, entry), damaged);
      json.log.length = 0;
      const again = await decideAll(QUERIES.slice(0, 1), [AMD], o);
      assert.deepEqual(again, cold);
      assert.equal(json.log.filter((e) => e.path === '/simple/purepkg/' && e.status === 200).length, 1);
    }
  });

  test('no-store is never written', async () => {
    const index = await startJsonIndex(root, { cacheControl: 'no-store' });
    try {
      const o = opts(index.url);
      await decideAll([query('purepkg', '==1.0')], [AMD], o);
      const dir = o.cacheDir as string;
      assert.equal(existsSync(dir) ? readdirSync(dir).length : 0, 0);
    } finally {
      await index.close();
    }
  });

  test('offline uses only the cache: verdicts from it, unknown with the reason for what it lacks', async () => {
    const o = opts(json.url);
    await decideAll(QUERIES.slice(0, 2), [AMD], o);
    json.log.length = 0;
    const rows = await decideAll(QUERIES, [AMD], { ...o, offline: true });
    assert.equal(json.log.length, 0);
    assert.deepEqual(statuses(rows), ['pure 1.0', 'wheel 2.0', 'unknown -', 'unknown -']);
    assert.match(
      rows[2]?.['linux/amd64']?.reason ?? '',
      /x86only\/ is not in the index cache and --offline is in effect/,
    );
    // The cache is keyed by index URL: another index has nothing cached.
    const other = await decideAll(QUERIES, [AMD], {
      ...o,
      offline: true,
      indexUrl: 'http://127.0.0.1:9/simple',
    });
    assert.equal(other[0]?.['linux/amd64']?.status, 'unknown', 'another index: nothing cached for it');
  });
});

describe('faults between crossdock and the index', () => {
  test('500s and a cut-off answer are retried, and the verdicts are right', async () => {
    proxy.rules.push(
      { path: /fbpkg/, fault: 'status429', times: 1 },
      { path: /purepkg/, fault: 'status500', times: 2 },
      { path: /bin-pkg/, fault: 'truncate', times: 1 },
      { path: /x86only/, fault: 'reset', times: 1 },
    );
    const rows = await decideAll(QUERIES, [AMD], opts(proxied()));
    assert.deepEqual(statuses(rows), EXPECTED_AMD);
    assert.equal(proxy.log.filter((e) => e.path === '/simple/purepkg/').length, 3);
    assert.equal(proxy.log.filter((e) => e.path === '/simple/bin-pkg/').length, 2);
    assert.equal(proxy.log.filter((e) => e.path === '/simple/fbpkg/').length, 2);
  });

  test('an index that keeps failing makes the verdict unknown, saying what failed; nothing is guessed', async () => {
    proxy.rules.push({ path: /purepkg/, fault: 'status500', times: 100 });
    const rows = await decideAll(
      QUERIES.slice(0, 2),
      [AMD],
      opts(proxied(), { http: { backoffMs: 5, retries: 2 } }),
    );
    const v = rows[0]?.['linux/amd64'];
    assert.equal(v?.status, 'unknown');
    assert.match(v?.reason ?? '', /purepkg\/: HTTP 500 \(after 3 attempts\)/);
    assert.equal(rows[1]?.['linux/amd64']?.status, 'wheel');
  });

  test('a slow answer past the timeout is retried; one that is always slow is unknown', async () => {
    proxy.rules.push({ path: /purepkg/, fault: 'delay', intervalMs: 600, times: 1 });
    const o = opts(proxied(), { http: { backoffMs: 5, timeoutMs: 300, deadlineMs: 2000 } });
    const rows = await decideAll(QUERIES.slice(0, 1), [AMD], o);
    assert.deepEqual(statuses(rows), ['pure 1.0']);
    proxy.rules.push({ path: /purepkg/, fault: 'delay', intervalMs: 600, times: 100 });
    const slow = await decideAll(QUERIES.slice(0, 1), [AMD], {
      ...o,
      cache: false,
      http: { backoffMs: 5, retries: 1, timeoutMs: 300 },
    });
    assert.equal(slow[0]?.['linux/amd64']?.status, 'unknown');
    assert.match(
      slow[0]?.['linux/amd64']?.reason ?? '',
      /no answer for 0\.3 s \(timed out\) \(after 2 attempts\)/,
    );
  });

  test('truncated JSON and an HTML error page are clear errors, and never reach the cache', async () => {
    const half = '{"meta": {"api-version": "1.1"}, "name": "purepkg", "files": [{"filename": "pure';
    proxy.rules.push(
      { path: /purepkg/, fault: 'status', status: 200, body: half, times: 1 },
      { path: /bin-pkg/, fault: 'html', times: 1 },
    );
    const o = opts(proxied());
    const rows = await decideAll(QUERIES.slice(0, 2), [AMD], o);
    const [a, b] = [rows[0]?.['linux/amd64'], rows[1]?.['linux/amd64']];
    assert.equal(a?.status, 'unknown');
    assert.match(
      a?.reason ?? '',
      /purepkg\/: the index answered with JSON that does not parse .*truncated or corrupt \(try again/,
    );
    assert.equal(b?.status, 'unknown');
    assert.match(
      b?.reason ?? '',
      /bin-pkg\/: the index answered with an HTML page that lists no files, not a PEP 503 project page \(a login or error page\?/,
    );
    // Nothing broken was cached: the next run asks again and gets the real pages.
    const again = await decideAll(QUERIES.slice(0, 2), [AMD], o);
    assert.deepEqual(statuses(again), EXPECTED_AMD.slice(0, 2));
  });

  test('an answer larger than the cap is refused without reading it', async () => {
    proxy.rules.push({ path: /purepkg/, fault: 'huge', times: 1 });
    const rows = await decideAll(QUERIES.slice(0, 1), [AMD], opts(proxied()));
    assert.equal(rows[0]?.['linux/amd64']?.status, 'unknown');
    assert.match(
      rows[0]?.['linux/amd64']?.reason ?? '',
      /purepkg\/: the answer is 104857600 bytes, more than the 20971520 allowed/,
    );
  });

  test('concurrency is bounded, and progress is reported page by page', async () => {
    const many = PACKAGES.map((p) => query(p.name.toLowerCase().replace(/_/g, '-')));
    proxy.rules.push({ path: /\/simple\//, fault: 'delay', intervalMs: 100, times: 100 });
    proxy.stats.maxInflight = 0;
    const progress: string[] = [];
    await decideAll(
      many,
      [AMD],
      opts(proxied(), { concurrency: 3, cache: false, onProgress: (d, t) => progress.push(`${d}/${t}`) }),
    );
    assert.equal(progress.length, many.length);
    assert.equal(progress.at(-1), `${many.length}/${many.length}`);
    assert.ok(proxy.stats.maxInflight <= 3, `at most 3 at once, saw ${proxy.stats.maxInflight}`);
    assert.ok(proxy.stats.maxInflight >= 2);
  });
});

describe('credentials', () => {
  let secured: RunningIndex;
  before(async () => {
    secured = await startJsonIndex(root, { auth: 'ci:s3cret-t0ken' });
  });
  after(() => secured.close());

  test('from the URL userinfo: sent to the index, never shown', async () => {
    const url = secured.url.replace('http://', 'http://ci:s3cret-t0ken@');
    const rows = await decideAll(QUERIES, [AMD], opts(url));
    assert.deepEqual(statuses(rows), EXPECTED_AMD);
    assert.ok(secured.log.every((e) => e.authorization !== undefined));
    assert.ok(!JSON.stringify(rows).includes('s3cret'), 'no credential in any verdict');
    const wrong = await decideAll(
      QUERIES.slice(0, 1),
      [AMD],
      opts(secured.url.replace('http://', 'http://ci:wr0ng-pass@')),
    );
    const reason = wrong[0]?.['linux/amd64']?.reason ?? '';
    assert.match(
      reason,
      /^the index could not be read: http:\/\/127\.0\.0\.1:\d+\/simple\/purepkg\/: HTTP 401, the index wants credentials/,
    );
    assert.ok(!reason.includes('wr0ng'));
  });

  test('a redirect to another host gets no credentials', async () => {
    const elsewhere = await startJsonIndex(root);
    const redirecting = await startFaultProxy(secured.host);
    try {
      redirecting.rules.push({
        path: /purepkg/,
        fault: 'redirect',
        times: 1,
        location: (p) => `http://localhost:${elsewhere.host.port}${p}`,
      });
      const url = `http://ci:s3cret-t0ken@${redirecting.host}/simple`;
      const rows = await decideAll(QUERIES.slice(0, 1), [AMD], opts(url));
      assert.equal(rows[0]?.['linux/amd64']?.status, 'pure');
      assert.equal(redirecting.log[0]?.authorization, true);
      assert.ok(elsewhere.log.length > 0);
      assert.ok(elsewhere.log.every((e) => e.authorization === undefined));
    } finally {
      await redirecting.close();
      await elsewhere.close();
    }
  });

  test('from ~/.netrc for the index host', async () => {
    const home = join(work, 'netrc-home');
    mkdirSync(home, { recursive: true });
    writeFileSync(
      join(home, '.netrc'),
      'machine example.org login x password y\nmachine 127.0.0.1\n  login ci\n  password s3cret-t0ken\n',
    );
    const rows = await decideAll(QUERIES, [AMD], opts(secured.url, { env: { HOME: home } }));
    assert.deepEqual(statuses(rows), EXPECTED_AMD);
    const none = await decideAll(QUERIES.slice(0, 1), [AMD], opts(secured.url));
    assert.equal(none[0]?.['linux/amd64']?.status, 'unknown');
  });
});

test('--extra-index-url: files of every index are candidates, as pip merges them', async () => {
  const a = join(work, 'a');
  const b = join(work, 'b');
  const fb = PACKAGES.find((p) => p.name === 'fbpkg');
  assert.ok(fb);
  writeIndex(a, [
    { name: 'fbpkg', versions: { '1.0': fb.versions['1.0'] ?? [] } },
    PACKAGES[0] as (typeof PACKAGES)[0],
  ]);
  writeIndex(b, [{ name: 'fbpkg', versions: { '2.0': fb.versions['2.0'] ?? [] } }]);
  const ia = await startStaticIndex(a);
  const ib = await startJsonIndex(b);
  try {
    const rows = await decideAll(
      [query('fbpkg'), query('purepkg')],
      [AMD, ARM],
      opts(ia.url, { extraIndexUrls: [ib.url] }),
    );
    // 2.0 (only on the extra index, x86_64 only) for amd64; arm64 falls back to 1.0 from the main index.
    assert.equal(rows[0]?.['linux/amd64']?.version, '2.0');
    assert.equal(rows[0]?.['linux/arm64']?.version, '1.0');
    // 404 on the extra index, found on the main one.
    assert.equal(rows[1]?.['linux/amd64']?.status, 'pure');
  } finally {
    await ia.close();
    await ib.close();
  }
});

test('a bad index URL is a usage error naming the fix, with credentials redacted', async () => {
  await assert.rejects(
    decideAll(QUERIES, [AMD], opts('ftp://u:pw@host/simple')),
    (e: Error & { hint?: string }) => {
      assert.match(e.message, /the index URL ftp:\/\/\*\*\*@host\/simple is not http\(s\)/);
      assert.match(e.hint ?? '', /simple API root/);
      return true;
    },
  );
});

test('PEP 503 HTML: entities, data-yanked, data-requires-python, relative and <base> links', () => {
  const page = `<html><head><base href="https://files.example/pkgs/"></head><body>
  <a href="a-1.0.tar.gz#sha256=ab" data-requires-python="&gt;=3.8,&lt;4" data-yanked="">a-1.0.tar.gz</a>
  <A HREF='../b/a-1.0-py3-none-any.whl' data-dist-info-metadata="sha256=cd">x</A>
  <area href="nope"><a name="no-href">y</a></body></html>`;
  assert.deepEqual(parseHtml(page, new URL('https://index.example/simple/a/')), [
    {
      filename: 'a-1.0.tar.gz',
      url: 'https://files.example/pkgs/a-1.0.tar.gz',
      requiresPython: '>=3.8,<4',
      yanked: '',
      coreMetadata: false,
      size: undefined,
      sha256: 'ab',
    },
    {
      filename: 'a-1.0-py3-none-any.whl',
      url: 'https://files.example/b/a-1.0-py3-none-any.whl',
      requiresPython: undefined,
      yanked: false,
      coreMetadata: true,
      size: undefined,
      sha256: undefined,
    },
  ]);
});
