import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decideAll } from '../../src/deps/decide.js';
import type { IndexOptions, PlatformVerdict, TargetEnv } from '../../src/deps/types.js';
import { type RunningIndex, startJsonIndex, startStaticIndex, writeIndex } from '../helpers/pyindex.js';
import { PACKAGES, QUERIES, TARGETS } from './fixture.js';
import { pipDownload, pipFinder } from './pip-oracle.js';

/**
 * decideAll against a real index (a static PEP 503 tree behind `python3 -m http.server`, and the same files as
 * PEP 691 JSON behind a negotiating server), with pip as the oracle for every package × target of the test set.
 */
let work: string;
let staticIndex: RunningIndex;
let jsonIndex: RunningIndex;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-deps-'));
  writeIndex(join(work, 'root'), PACKAGES);
  staticIndex = await startStaticIndex(join(work, 'root'));
  jsonIndex = await startJsonIndex(join(work, 'root'));
});

after(async () => {
  await staticIndex?.close();
  await jsonIndex?.close();
  rmSync(work, { recursive: true, force: true });
});

const opts = (indexUrl: string, extra: Partial<IndexOptions> = {}): IndexOptions => ({
  indexUrl,
  extraIndexUrls: [],
  offline: false,
  onlyBinary: false,
  cache: false,
  env: { HOME: work },
  ...extra,
});

/** Verdicts for one target, by requirement. */
async function verdicts(t: TargetEnv, o: IndexOptions): Promise<Map<string, PlatformVerdict>> {
  const rows = await decideAll(QUERIES, [t], o);
  assert.equal(rows.length, QUERIES.length);
  return new Map(QUERIES.map((q, i) => [q.requirement, rows[i]?.[t.platform] as PlatformVerdict]));
}

const brief = (v: PlatformVerdict | undefined) => `${v?.status} ${v?.version ?? '-'} ${v?.file ?? '-'}`;

describe('verdicts for CPython 3.11 on Debian 12 (glibc 2.36)', { timeout: 60_000 }, () => {
  test('amd64 and arm64, each rule of pip choice', async () => {
    const amd = await verdicts(TARGETS[0] as TargetEnv, opts(staticIndex.url));
    const arm = await verdicts(TARGETS[1] as TargetEnv, opts(staticIndex.url));
    const expect = (m: Map<string, PlatformVerdict>, req: string, want: string) =>
      assert.equal(brief(m.get(req)), want, `${req}: ${m.get(req)?.reason ?? ''}`);
    expect(amd, 'purepkg==1.0', 'pure 1.0 purepkg-1.0-py3-none-any.whl');
    expect(
      amd,
      'bin-pkg==2.0',
      'wheel 2.0 Bin_Pkg-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
    );
    expect(arm, 'bin-pkg==2.0', 'wheel 2.0 Bin_Pkg-2.0-cp311-cp311-manylinux_2_28_aarch64.whl');
    expect(arm, 'x86only==1.0', 'sdist 1.0 x86only-1.0.tar.gz');
    expect(arm, 'nosdist==1.0', 'missing 1.0 -');
    assert.equal(
      arm.get('nosdist==1.0')?.reason,
      'nothing installable for 1.0: no wheel for CPython 3.11 on glibc 2.36 aarch64 (wheels: cp311-cp311-manylinux2014_x86_64); no sdist',
    );
    expect(
      arm,
      'abi3pkg==1.0',
      'wheel 1.0 abi3pkg-1.0-cp38-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64.whl',
    );
    // manylinux_2_39 needs glibc 2.39: Debian 12 compiles from source.
    expect(amd, 'newglibc==1.0', 'sdist 1.0 newglibc-1.0.tar.gz');
    // A yanked version only when pinned.
    expect(amd, 'yankpkg>=1.0', 'pure 1.0 yankpkg-1.0-py3-none-any.whl');
    expect(amd, 'yankpkg==2.0', 'pure 2.0 yankpkg-2.0-py3-none-any.whl');
    assert.match(amd.get('yankpkg==2.0')?.reason ?? '', /yanked \(broken build\)/);
    // Requires-Python >=3.12 rules 2.0 out on 3.11.
    expect(amd, 'rpkg', 'pure 1.0 rpkg-1.0-py3-none-any.whl');
    expect(amd, 'rpkg==2.0', 'missing 2.0 -');
    assert.equal(
      amd.get('rpkg==2.0')?.reason,
      'nothing installable for 2.0: it requires Python >=3.12, not 3.11',
    );
    // Most specific tag first; among equal tags the highest build number.
    expect(amd, 'rankpkg==1.0', 'wheel 1.0 rankpkg-1.0-1-cp311-cp311-manylinux_2_28_x86_64.whl');
    expect(arm, 'rankpkg==1.0', 'wheel 1.0 rankpkg-1.0-10-cp311-cp311-manylinux_2_28_aarch64.whl');
    expect(amd, 'prepkg', 'pure 1.0 prepkg-1.0-py3-none-any.whl');
    expect(amd, 'prepkg>=2.0b1', 'pure 2.0b1 prepkg-2.0b1-py3-none-any.whl');
    // The newest version has no arm64 wheel and no sdist: pip takes the older one that installs.
    expect(amd, 'fbpkg', 'wheel 2.0 fbpkg-2.0-cp311-cp311-manylinux2014_x86_64.whl');
    expect(arm, 'fbpkg', 'wheel 1.0 fbpkg-1.0-cp311-cp311-manylinux2014_aarch64.whl');
    expect(amd, 'sdonly==1.0', 'sdist 1.0 sdonly-1.0.tar.gz');
    // pip inside the image accepts linux_<arch> for the machine it runs on.
    expect(amd, 'linpkg==1.0', 'wheel 1.0 linpkg-1.0-cp311-cp311-linux_x86_64.whl');
    expect(arm, 'linpkg==1.0', 'missing 1.0 -');
    expect(amd, 'muslpkg==1.0', 'wheel 1.0 muslpkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl');
    expect(amd, 'notthere==1.0', 'missing - -');
    assert.match(amd.get('notthere==1.0')?.reason ?? '', /not on the index .*404/);
    assert.deepEqual(amd.get('bin-pkg==2.0')?.tags, [
      'cp311-cp311-manylinux_2_17_x86_64',
      'cp311-cp311-manylinux2014_x86_64',
    ]);
  });

  test('whether an sdist needs a compiler is read from the sdist', async () => {
    const arm = await verdicts(TARGETS[1] as TargetEnv, opts(staticIndex.url));
    const c = (req: string) => [arm.get(req)?.needsCompiler, arm.get(req)?.compilerReason];
    assert.deepEqual(c('x86only==1.0'), [true, 'build backend maturin']);
    assert.deepEqual(c('newglibc==1.0'), [true, 'compiled sources (src/newglibc/fast.c)']);
    assert.deepEqual(c('sdonly==1.0'), [false, 'build backend hatchling.build, no compiled sources']);
    assert.deepEqual(c('extpkg'), [true, 'setup.py builds extension modules']);
    assert.equal(arm.get('purepkg==1.0')?.needsCompiler, false);
  });

  test('only-binary turns sdists into missing, with the reason', async () => {
    const arm = await verdicts(TARGETS[1] as TargetEnv, opts(staticIndex.url, { onlyBinary: true }));
    assert.equal(brief(arm.get('x86only==1.0')), 'missing 1.0 -');
    assert.equal(
      arm.get('x86only==1.0')?.reason,
      'nothing installable for 1.0: no wheel for CPython 3.11 on glibc 2.36 aarch64 (wheels: cp311-cp311-manylinux2014_x86_64, cp312-cp312-manylinux2014_x86_64); its sdist is not allowed (only-binary is in effect)',
    );
    assert.equal(arm.get('purepkg==1.0')?.status, 'pure');
  });
});

test('musl (Alpine) and an older glibc', { timeout: 60_000 }, async () => {
  const musl = await verdicts(TARGETS[2] as TargetEnv, opts(staticIndex.url));
  const old = await verdicts(TARGETS[3] as TargetEnv, opts(staticIndex.url));
  assert.equal(
    brief(musl.get('bin-pkg==2.0')),
    'wheel 2.0 Bin_Pkg-2.0-cp312-cp312-musllinux_1_1_aarch64.whl',
  );
  assert.equal(brief(musl.get('abi3pkg==1.0')), 'wheel 1.0 abi3pkg-1.0-cp38-abi3-musllinux_1_2_aarch64.whl');
  assert.equal(brief(musl.get('rpkg')), 'pure 2.0 rpkg-2.0-py3-none-any.whl');
  assert.equal(brief(musl.get('fbpkg')), 'missing 2.0 -');
  assert.equal(
    brief(old.get('bin-pkg==2.0')),
    'wheel 2.0 Bin_Pkg-2.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  );
  assert.equal(
    brief(old.get('abi3pkg==1.0')),
    'wheel 1.0 abi3pkg-1.0-cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  );
  // The cp311 wheels do not fit CPython 3.12; the sdist (no Requires-Python) does.
  assert.equal(brief(old.get('newglibc==1.0')), 'sdist 1.0 newglibc-1.0.tar.gz');
  assert.equal(brief(old.get('nosdist==1.0')), 'missing 1.0 -');
});

test('the PEP 691 JSON form gives the same verdicts as the static HTML tree', {
  timeout: 60_000,
}, async () => {
  for (const t of TARGETS) {
    const html = await decideAll(QUERIES, [t], opts(staticIndex.url));
    const json = await decideAll(QUERIES, [t], opts(jsonIndex.url));
    const strip = (rows: Record<string, PlatformVerdict>[]) =>
      JSON.parse(JSON.stringify(rows).replaceAll(/127\.0\.0\.1:\d+/g, 'HOST'));
    assert.deepEqual(strip(json), strip(html), t.platform);
  }
  assert.ok(
    jsonIndex.log.some(
      (e) => e.path === '/simple/purepkg/' && e.accept.startsWith('application/vnd.pypi.simple.v1+json'),
    ),
  );
});

test('markers and unknown facts: not-required, unknown with a reason, never a guess', {
  timeout: 30_000,
}, async () => {
  const queries = [
    { ...(QUERIES[0] as (typeof QUERIES)[number]), marker: 'platform_machine == "aarch64"' },
    { ...(QUERIES[1] as (typeof QUERIES)[number]), marker: 'python_version < "3.12" and extra == "gpu"' },
    { ...(QUERIES[0] as (typeof QUERIES)[number]), marker: 'platform_release >= "6"' },
    QUERIES[1] as (typeof QUERIES)[number],
  ];
  const targets: TargetEnv[] = [
    { platform: 'linux/amd64', python: '3.11', libc: { kind: 'glibc', version: '2.36' } },
    { platform: 'linux/arm64', python: undefined, libc: { kind: 'glibc', version: '2.36' } },
    { platform: 'linux/arm/v7', python: '3.11', libc: undefined },
  ];
  const rows = await decideAll(queries, targets, opts(staticIndex.url));
  const s = (i: number, p: string) => `${rows[i]?.[p]?.status}: ${rows[i]?.[p]?.reason ?? ''}`;
  assert.equal(s(0, 'linux/amd64'), 'not-required: ');
  assert.equal(s(0, 'linux/arm64'), 'unknown: the Python version is not known');
  assert.equal(s(1, 'linux/amd64'), 'not-required: ');
  assert.equal(s(1, 'linux/arm64'), 'not-required: ', '`unknown and false` is false');
  assert.match(s(2, 'linux/amd64'), /^unknown: marker .*kernel release/);
  assert.equal(s(3, 'linux/arm/v7'), 'unknown: the C library (glibc or musl, and its version) is not known');
});

test("pip's own PackageFinder picks the same file for every package × target, with and without only-binary", {
  timeout: 120_000,
}, async () => {
  const finder = await pipFinder(staticIndex.url, TARGETS, QUERIES, ['default', 'only-binary']);
  let compared = 0;
  for (const [ti, t] of TARGETS.entries())
    for (const onlyBinary of [false, true]) {
      const mine = await decideAll(QUERIES, [t], opts(staticIndex.url, { onlyBinary }));
      for (const [qi, q] of QUERIES.entries()) {
        const v = mine[qi]?.[t.platform];
        const pip = finder.get(`${ti}|${onlyBinary ? 'only-binary' : 'default'}|${qi}`);
        assert.notEqual(pip, undefined);
        const label = `${q.requirement} on ${t.platform} ${t.python} ${t.libc?.kind} ${t.libc?.version}${onlyBinary ? ' only-binary' : ''}`;
        if (v?.status === 'missing')
          assert.equal(pip, null, `${label}: pip picks ${pip}, crossdock says missing`);
        else assert.equal(v?.file, pip, `${label}: ${v?.status} ${v?.reason ?? ''}`);
        if (onlyBinary) assert.notEqual(v?.status, 'sdist', label);
        compared++;
      }
    }
  assert.equal(compared, TARGETS.length * QUERIES.length * 2);
});

test('pip download (the command) agrees: the wheels it saves, and no wheel where crossdock finds none', {
  timeout: 120_000,
}, async () => {
  const t = TARGETS[1] as TargetEnv;
  const mine = await verdicts(t, opts(staticIndex.url));
  const wanted = ['purepkg==1.0', 'bin-pkg==2.0', 'abi3pkg==1.0', 'rankpkg==1.0', 'fbpkg', 'muslpkg==1.0'];
  const saved = await pipDownload(staticIndex.url, t, wanted, 'only-binary');
  assert.ok(saved.ok, saved.output);
  assert.deepEqual(saved.files, wanted.map((r) => mine.get(r)?.file).sort());
  assert.equal(mine.get('x86only==1.0')?.status, 'sdist');
  const none = await pipDownload(staticIndex.url, t, ['x86only==1.0'], 'only-binary');
  assert.equal(none.ok, false);
  assert.match(none.output, /No matching distribution found for x86only==1\.0/);
});
