import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PACKAGES } from '../deps/fixture.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TempRepo } from '../helpers/git-repo.js';
import { makePki } from '../helpers/pki.js';
import { type RunningIndex, startJsonIndex, writeIndex } from '../helpers/pyindex.js';
import { assertSchema } from '../helpers/schema.js';

/**
 * `crossdock deps` end to end: a git repository whose Dockerfile is `FROM python:3.11-slim`, built for
 * linux/amd64 and linux/arm64 by a workflow on an amd64 runner (arm64 emulated), checked against a real index
 * (the engine's test packages, served as PEP 691 JSON) through the CLI's `main`.
 */
let work: string;
let index: RunningIndex;
let repo: TempRepo;

const REQUIREMENTS = [
  '# pinned by pip-compile',
  'purepkg==1.0',
  'bin-pkg==2.0',
  'x86only==1.0',
  'nosdist==1.0',
  'sdonly==1.0',
  '',
].join('\n');

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-deps-cli-'));
  writeIndex(join(work, 'root'), PACKAGES);
  index = await startJsonIndex(join(work, 'root'));
  repo = makeRepo({
    files: {
      '.github/workflows/image.yml': `on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-qemu-action@v3
      - uses: docker/build-push-action@v6
        with:
          context: .
          platforms: linux/amd64,linux/arm64
          tags: ghcr.io/acme/app:1
`,
      Dockerfile:
        'FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements/prod.txt ./reqs.txt\nRUN pip install --no-cache-dir -r reqs.txt\n',
      'requirements/prod.txt': REQUIREMENTS,
    },
  });
});

after(async () => {
  await index?.close();
  repo?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({ XDG_CACHE_HOME: join(work, 'cache'), HOME: work });

interface Json {
  images: {
    name: string;
    targets: { platform: string; python?: string; libc?: { kind: string; version: string } }[];
    emulated: string[];
  }[];
  packages: {
    name: string;
    source: { file: string; line: number };
    platforms: Record<string, { status: string; file?: string; needsCompiler: boolean | null }>;
  }[];
}

test('json: per package and platform pure, wheel, sdist or missing, for Python 3.11 and glibc; exit 1 on missing', {
  timeout: 60_000,
}, async () => {
  const r = await runCli(['deps', repo.root, '--index-url', index.url, '--format', 'json'], { env: env() });
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as Json;
  assertSchema('crossdock-deps-v1.json', doc);
  assert.deepEqual(doc.images[0]?.targets, [
    { platform: 'linux/amd64', python: '3.11', libc: { kind: 'glibc', version: '2.41' } },
    { platform: 'linux/arm64', python: '3.11', libc: { kind: 'glibc', version: '2.41' } },
  ]);
  assert.deepEqual(doc.images[0]?.emulated, ['linux/arm64']);
  const cells = doc.packages.map(
    (p) =>
      `${p.name}@${p.source.file}:${p.source.line} ${['linux/amd64', 'linux/arm64'].map((pl) => `${p.platforms[pl]?.status}${p.platforms[pl]?.status === 'sdist' ? `(${p.platforms[pl]?.needsCompiler})` : ''}`).join(' ')}`,
  );
  assert.deepEqual(cells, [
    'purepkg@requirements/prod.txt:2 pure pure',
    'bin-pkg@requirements/prod.txt:3 wheel wheel',
    'x86only@requirements/prod.txt:4 wheel sdist(true)',
    'nosdist@requirements/prod.txt:5 wheel missing',
    'sdonly@requirements/prod.txt:6 sdist(false) sdist(false)',
  ]);
  assert.equal(
    doc.packages.find((p) => p.name === 'bin-pkg')?.platforms['linux/arm64']?.file,
    'Bin_Pkg-2.0-cp311-cp311-manylinux_2_28_aarch64.whl',
  );
});

test('text: the matrix, problems first; --fail-on missing|never; --offline answers from the cache', {
  timeout: 60_000,
}, async () => {
  const r = await runCli(['deps', repo.root, '--index-url', index.url, '--fail-on', 'never'], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => /^[a-z0-9-]+ {2,}\d/.test(l));
  assert.deepEqual(
    rows.map((l) => l.split(/ {2,}/).slice(0, 4).join(' | ')),
    [
      'nosdist | 1.0 | wheel | MISSING',
      'x86only | 1.0 | wheel | sdist: compiles (emulated)',
      'bin-pkg | 2.0 | wheel | wheel',
      'purepkg | 1.0 | pure | pure',
      // Built from its sdist, but with no compiler needed: not a problem.
      'sdonly | 1.0 | sdist: no compiler | sdist: no compiler (emulated)',
    ],
  );
  assert.match(
    r.stdout,
    /\n5 packages × 2 platforms: 1 missing, 1 compiling under emulation, 0 unknown, 0 compiling natively\n$/,
  );
  // Without nosdist, the emulated compile still fails the default policy and passes --fail-on missing.
  const out = join(work, 'report.md');
  const m = await runCli(
    [
      'deps',
      repo.root,
      '--index-url',
      index.url,
      '--fail-on',
      'missing',
      '--format',
      'markdown',
      '--output',
      out,
    ],
    { env: env() },
  );
  assert.equal(m.code, 1, 'nosdist is missing on arm64');
  assert.match(
    readFileSync(out, 'utf8'),
    /\| nosdist \| 1\.0 \| wheel \| \*\*MISSING\*\* \| requirements\/prod\.txt:5 \|/,
  );
  // The index stops: --offline reads the pages the runs above cached.
  const requests = index.log.length;
  const offline = await runCli(
    ['deps', repo.root, '--index-url', index.url, '--offline', '--format', 'json'],
    {
      env: env(),
    },
  );
  assert.equal(index.log.length, requests, 'no request in --offline mode');
  assert.equal(offline.code, 1, offline.stderr);
  assert.equal(
    (JSON.parse(offline.stdout) as Json).packages.find((p) => p.name === 'x86only')?.platforms['linux/arm64']
      ?.status,
    'sdist',
  );
});

test('a requirements file on its own with --python/--platform/--libc; usage errors and no index exit 2 with what to do', {
  timeout: 60_000,
}, async () => {
  const file = join(repo.root, 'requirements/prod.txt');
  const r = await runCli(
    [
      'deps',
      file,
      '--index-url',
      index.url,
      '--python',
      '3.12',
      '--platform',
      'linux/arm64',
      '--libc',
      'musl-1.2',
      '--format',
      'json',
    ],
    { env: env() },
  );
  const doc = JSON.parse(r.stdout) as Json;
  assert.deepEqual(doc.images[0]?.targets, [
    { platform: 'linux/arm64', python: '3.12', libc: { kind: 'musl', version: '1.2' } },
  ]);
  // bin-pkg 2.0 has a cp312 musllinux_1_1 aarch64 wheel; x86only has none for musl, so its sdist (not emulated here).
  assert.equal(doc.packages.find((p) => p.name === 'bin-pkg')?.platforms['linux/arm64']?.status, 'wheel');
  assert.equal(doc.packages.find((p) => p.name === 'x86only')?.platforms['linux/arm64']?.status, 'sdist');
  const none = await runCli(['deps', repo.root], { env: env() });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no package index to check Dockerfile against/);
  assert.match(none.stderr, /--index-url URL.*https:\/\/pypi\.org\/simple/);
  assert.doesNotMatch(none.stderr, /\n\s+at /, 'no stack trace');
  const bad = await runCli(['deps', repo.root, '--python', 'three', '--index-url', index.url], {
    env: env(),
  });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--python three is not a CPython version/);
  const fail = await runCli(['deps', repo.root, '--fail-on', 'sometimes'], { env: env() });
  assert.equal(fail.code, 2);
  assert.match(fail.stderr, /--fail-on sometimes is not supported.*missing, emulated-sdist, sdist, never/s);
  // Credentials in the index URL are used, never printed.
  const cred = await runCli(
    ['deps', repo.root, '--index-url', 'http://bob:hunter2@127.0.0.1:9/simple', '--format', 'json'],
    {
      env: env(),
    },
  );
  // Nothing could be read at all: exit 2 saying the index could not be reached, not a report of unknowns.
  assert.equal(cred.code, 2);
  assert.match(cred.stderr, /the package index http:\/\/\*\*\*@127\.0\.0\.1:9\/simple could not be reached/);
  assert.doesNotMatch(cred.stdout + cred.stderr, /hunter2/);
});

test('check --online --index-url: wheel-missing-for-platform on the requirement line, from the same index', {
  timeout: 90_000,
}, async () => {
  const r = await runCli(
    [
      'check',
      repo.root,
      '--online',
      '--index-url',
      index.url,
      '--rule',
      'wheel-missing-for-platform',
      '--format',
      'json',
    ],
    { env: env() },
  );
  const doc = JSON.parse(r.stdout) as {
    findings: { ruleId: string; severity: string; file: string; line: number; column: number }[];
  };
  assert.deepEqual(
    doc.findings.map((f) => `${f.severity} ${f.ruleId} ${f.file}:${f.line}:${f.column}`).sort(),
    [
      'error wheel-missing-for-platform requirements/prod.txt:5:1',
      'warning wheel-missing-for-platform requirements/prod.txt:4:1',
    ],
  );
  assert.equal(r.code, 1);
});

test('an HTTPS index signed by a private CA: refused with what to pass; trusted through --ca-file or PIP_CERT', {
  timeout: 120_000,
}, async (t) => {
  const pki = makePki(join(work, 'pki'));
  const cert = pki.server('index');
  const secure = await startJsonIndex(join(work, 'root'), { tls: { chain: cert.chain, key: cert.key } });
  t.after(() => secure.close());
  const argv = ['deps', repo.root, '--index-url', secure.url, '--format', 'json', '--fail-on', 'never'];
  // A cache of its own: an answer cached from the plain-HTTP index must not stand in for this one.
  const run = (extra: string[], more: Record<string, string> = {}) =>
    runCli([...argv, ...extra], { env: { ...env(), XDG_CACHE_HOME: join(work, 'cache-tls'), ...more } });

  const refused = await run([]);
  assert.notEqual(refused.code, 0);
  assert.match(`${refused.stdout}${refused.stderr}`, /TLS/);
  assert.match(`${refused.stdout}${refused.stderr}`, /--ca-file PEM/);
  assert.ok(!secure.log.some((l) => l.status === 200), 'nothing was served over an unverified connection');

  const statuses = (stdout: string) =>
    Object.fromEntries(
      (JSON.parse(stdout) as Json).packages.map((p) => [p.name, p.platforms['linux/arm64']?.status]),
    );
  const trusted = await run(['--ca-file', pki.caPath]);
  assert.equal(trusted.code, 0, trusted.stderr);
  const viaFlag = statuses(trusted.stdout);
  // The same tree served over plain HTTP: the same verdicts.
  const plain = await runCli(
    ['deps', repo.root, '--index-url', index.url, '--format', 'json', '--fail-on', 'never'],
    {
      env: env(),
    },
  );
  assert.deepEqual(viaFlag, statuses(plain.stdout));
  assert.equal(viaFlag.purepkg, 'pure');

  rmSync(join(work, 'cache-tls'), { recursive: true, force: true });
  const viaPipCert = await run([], { PIP_CERT: pki.caPath });
  assert.equal(viaPipCert.code, 0, viaPipCert.stderr);
  assert.deepEqual(statuses(viaPipCert.stdout), viaFlag);

  // A file that is not a certificate: exit 2, naming it, before anything is asked.
  const junk = join(work, 'junk.pem');
  writeFileSync(junk, 'not a certificate\n');
  const bad = await run(['--ca-file', junk]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--ca-file .*junk\.pem is not a PEM file/);
});
