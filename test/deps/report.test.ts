import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  exitCodeFor,
  renderDepsJson,
  renderDepsMarkdown,
  renderDepsText,
  sortedPackages,
  summaryOf,
} from '../../src/deps/report.js';
import { depsReport, indexFor } from '../../src/deps/run.js';
import type { Decide, DepsImage, DepsReport, PlatformVerdict } from '../../src/deps/types.js';
import { CrossdockError } from '../../src/errors.js';
import { assertSchema } from '../helpers/schema.js';

const AMD = 'linux/amd64';
const ARM = 'linux/arm64';
const glibc = { kind: 'glibc' as const, version: '2.41' };

const wheel = (file: string, tags: string[]): PlatformVerdict => ({
  status: 'wheel',
  version: '1.0',
  file,
  tags,
  needsCompiler: null,
});

/** A report as the engine and run.ts make it: arm64 emulated. */
function sample(): DepsReport {
  return {
    version: 1,
    images: [
      {
        name: 'Dockerfile',
        dockerfile: 'Dockerfile',
        targets: [
          { platform: AMD, python: '3.11', libc: glibc },
          { platform: ARM, python: '3.11', libc: glibc },
        ],
        emulated: [ARM],
        notes: ['Dockerfile: the python:3.11-slim tag names no Debian release'],
      },
    ],
    packages: [
      {
        name: 'purepkg',
        version: '1.0',
        requirement: 'purepkg==1.0',
        source: { file: 'requirements.txt', line: 1 },
        images: ['Dockerfile'],
        platforms: {
          [AMD]: {
            status: 'pure',
            version: '1.0',
            file: 'purepkg-1.0-py3-none-any.whl',
            tags: ['py3-none-any'],
            needsCompiler: null,
          },
          [ARM]: {
            status: 'pure',
            version: '1.0',
            file: 'purepkg-1.0-py3-none-any.whl',
            tags: ['py3-none-any'],
            needsCompiler: null,
          },
        },
      },
      {
        name: 'x86only',
        version: '1.0',
        requirement: 'x86only==1.0',
        source: { file: 'requirements.txt', line: 2 },
        images: ['Dockerfile'],
        platforms: {
          [AMD]: wheel('x86only-1.0-cp311-cp311-manylinux2014_x86_64.whl', [
            'cp311-cp311-manylinux2014_x86_64',
          ]),
          [ARM]: { status: 'sdist', version: '1.0', file: 'x86only-1.0.tar.gz', needsCompiler: true },
        },
      },
      {
        name: 'nosdist',
        version: '1.0',
        requirement: 'nosdist',
        source: { file: 'requirements.txt', line: 3 },
        images: ['Dockerfile'],
        platforms: {
          [AMD]: wheel('nosdist-1.0-cp311-cp311-manylinux2014_x86_64.whl', [
            'cp311-cp311-manylinux2014_x86_64',
          ]),
          [ARM]: {
            status: 'missing',
            version: '1.0',
            needsCompiler: null,
            reason: 'no wheel for cp311 aarch64, no sdist',
          },
        },
      },
      {
        name: 'armonly',
        version: undefined,
        requirement: 'armonly; platform_machine == "aarch64"',
        source: { file: 'requirements.txt', line: 4 },
        images: ['Dockerfile'],
        platforms: {
          [AMD]: { status: 'not-required', version: undefined, needsCompiler: null },
          [ARM]: {
            status: 'unknown',
            version: undefined,
            needsCompiler: null,
            reason: 'the index answered 500',
          },
        },
      },
    ],
    notes: [],
  };
}

test('text: problems first (missing, compiles under emulation, unknown), then the rest; the problems listed with their lines', () => {
  const report = sample();
  assert.deepEqual(
    sortedPackages(report).map((p) => p.name),
    ['nosdist', 'x86only', 'armonly', 'purepkg'],
  );
  const text = renderDepsText(report);
  const lines = text.split('\n');
  assert.equal(
    lines[0],
    'Dockerfile: linux/amd64 Python 3.11 glibc 2.41, linux/arm64 (emulated) Python 3.11 glibc 2.41',
  );
  const header = lines.findIndex((l) => l.startsWith('package'));
  assert.match(lines[header] ?? '', /^package +version +linux\/amd64 +linux\/arm64 +source$/);
  assert.match(lines[header + 1] ?? '', /^nosdist +1\.0 +wheel +MISSING +requirements\.txt:3$/);
  assert.match(
    lines[header + 2] ?? '',
    /^x86only +1\.0 +wheel +sdist: compiles \(emulated\) +requirements\.txt:2$/,
  );
  assert.match(lines[header + 3] ?? '', /^armonly +\? +- +unknown +requirements\.txt:4$/);
  assert.match(lines[header + 4] ?? '', /^purepkg +1\.0 +pure +pure +requirements\.txt:1$/);
  assert.match(
    text,
    /\n {2}nosdist on linux\/arm64 \(1\.0\): nothing installable: pip fails — no wheel for cp311 aarch64, no sdist \[requirements\.txt:3\]\n/,
  );
  assert.match(
    text,
    /\n {2}x86only==1\.0 on linux\/arm64 \(1\.0\): compiles from source under emulation — x86only-1\.0\.tar\.gz/,
  );
  assert.match(text, /Notes:\n {2}Dockerfile: the python:3\.11-slim tag names no Debian release\n/);
  assert.match(
    text,
    /\n4 packages × 2 platforms: 1 missing, 1 compiling under emulation, 1 unknown, 0 compiling natively\n$/,
  );
  assert.doesNotMatch(text, /\u001b\[/);
  assert.match(renderDepsText(report, { color: true }), /\u001b\[31mMISSING/);
});

test('exit code: --fail-on missing | emulated-sdist (default) | sdist | never', () => {
  const report = sample();
  assert.equal(exitCodeFor(report, 'missing'), 1);
  assert.equal(exitCodeFor(report, 'never'), 0);
  // Without the missing package: the emulated compile still fails emulated-sdist, not missing.
  report.packages = report.packages.filter((p) => p.name !== 'nosdist');
  assert.equal(exitCodeFor(report, 'missing'), 0);
  assert.equal(exitCodeFor(report, 'emulated-sdist'), 1);
  // The same sdist on a native arm64 builder: only --fail-on sdist fails.
  const native: DepsReport = { ...report, images: report.images.map((i) => ({ ...i, emulated: [] })) };
  assert.equal(exitCodeFor(native, 'emulated-sdist'), 0);
  assert.equal(exitCodeFor(native, 'sdist'), 1);
  assert.deepEqual(summaryOf(native), {
    packages: 3,
    platforms: 2,
    missing: 0,
    emulatedSdist: 0,
    sdist: 1,
    unknown: 1,
  });
  // An sdist known to need no compiler fails nothing; one whose need is not known counts as needing one.
  const x86 = report.packages.find((p) => p.name === 'x86only');
  assert.ok(x86?.platforms[ARM]);
  x86.platforms[ARM].needsCompiler = false;
  assert.equal(exitCodeFor(report, 'sdist'), 0);
  x86.platforms[ARM].needsCompiler = null;
  assert.equal(exitCodeFor(report, 'emulated-sdist'), 1);
});

test('JSON version 1 validates against docs/schemas/crossdock-deps-v1.json; the schema rejects what it must', () => {
  const report = sample();
  const doc = JSON.parse(renderDepsJson(report)) as unknown;
  assertSchema('crossdock-deps-v1.json', doc);
  const broken = JSON.parse(renderDepsJson(report)) as { packages: { platforms: Record<string, unknown> }[] };
  const first = broken.packages[0];
  assert.ok(first);
  first.platforms[ARM] = { status: 'wheel', version: '1.0', needsCompiler: null };
  assert.throws(() => assertSchema('crossdock-deps-v1.json', broken), /must have required property 'file'/);
  first.platforms[ARM] = { status: 'compiles', version: '1.0', needsCompiler: null };
  assert.throws(
    () => assertSchema('crossdock-deps-v1.json', broken),
    /must be equal to one of the allowed values/,
  );
});

test('markdown: a summary table, the matrix with problems in bold, repository text escaped', () => {
  const report = sample();
  const p = report.packages[1];
  assert.ok(p);
  p.source.file = 'reqs/<script>@team.txt';
  const md = renderDepsMarkdown(report);
  assert.match(md, /^## crossdock deps\n/);
  assert.match(md, /\| 4 \| 2 \| 1 \| 1 \| 1 \| 0 \|/);
  assert.match(md, /\| Package \| Version \| `linux\/amd64` \| `linux\/arm64` \| Source \|/);
  assert.match(md, /\| nosdist \| 1\.0 \| wheel \| \*\*MISSING\*\* \| requirements\.txt:3 \|/);
  assert.match(
    md,
    /\| x86only \| 1\.0 \| wheel \| \*\*sdist: compiles \(emulated\)\*\* \| reqs\/&lt;script&gt;@\u200bteam\.txt:2 \|/,
  );
  assert.doesNotMatch(md, /<script>/);
});

const image = (over: Partial<DepsImage> = {}): DepsImage => ({
  name: 'Dockerfile',
  dockerfile: 'Dockerfile',
  targets: [{ platform: ARM, python: '3.12', libc: glibc }],
  emulated: [],
  queries: [
    {
      name: 'purepkg',
      specifier: '==1.0',
      marker: undefined,
      requirement: 'purepkg==1.0',
      source: { file: 'requirements.txt', line: 1 },
    },
  ],
  index: { extraIndexUrls: [], onlyBinary: false },
  notes: [],
  ...over,
});

test('index precedence: --index-url replaces the repository indexes, else PIP_INDEX_URL, else the repository', () => {
  const repo = image({
    index: {
      indexUrl: 'https://repo.example/simple',
      extraIndexUrls: ['https://x.example/simple'],
      onlyBinary: true,
    },
  });
  const base = { extraIndexUrls: [], offline: false, env: {} };
  assert.deepEqual(
    [indexFor(repo, { ...base, indexUrl: 'http://127.0.0.1:1/simple' })].map((i) => [
      i?.indexUrl,
      i?.extraIndexUrls,
      i?.onlyBinary,
    ]),
    [['http://127.0.0.1:1/simple', [], true]],
  );
  const env = indexFor(repo, { ...base, env: { PIP_INDEX_URL: 'https://env.example/simple' } });
  assert.deepEqual(
    [env?.indexUrl, env?.extraIndexUrls],
    ['https://env.example/simple', ['https://x.example/simple']],
  );
  assert.equal(indexFor(repo, base)?.indexUrl, 'https://repo.example/simple');
  assert.equal(indexFor(image(), base), undefined);
});

test('no index named anywhere: a clear error saying to pass --index-url, before anything is fetched', async () => {
  const refuse: Decide = async () => {
    throw new Error('the engine must not be asked');
  };
  await assert.rejects(
    depsReport([image()], { extraIndexUrls: [], offline: false, env: {} }, refuse),
    (e: unknown) =>
      e instanceof CrossdockError &&
      e.exitCode === 2 &&
      /no package index to check Dockerfile against/.test(e.message) &&
      /--index-url URL.*https:\/\/pypi\.org\/simple/.test(e.hint ?? ''),
  );
  // Nothing to ask about: no error, a note.
  const empty = await depsReport([], { extraIndexUrls: [], offline: false, env: {} }, refuse);
  assert.deepEqual(empty.notes, ['nothing in this folder installs Python requirements that crossdock reads']);
});
