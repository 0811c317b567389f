import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fetchWheelFacts } from '../../src/deps/online.js';
import { runRules } from '../../src/engine/run.js';
import emulatedBuild from '../../src/rules/emulated-build.js';
import rule from '../../src/rules/wheel-missing-for-platform.js';
import { loadRepo, type RepoSpec } from '../helpers/check.js';
import { type RunningIndex, startStaticIndex, writeIndex } from '../helpers/pyindex.js';
import { PACKAGES } from '../deps/fixture.js';

/**
 * The rule reads what the real verdict engine put in the model from a real index (a PEP 503 tree behind
 * `python3 -m http.server`, built from the engine's test packages); the rule itself never touches the network.
 */
let work: string;
let index: RunningIndex;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-wheel-rule-'));
  writeIndex(join(work, 'root'), PACKAGES);
  index = await startStaticIndex(join(work, 'root'));
});

after(async () => {
  await index?.close();
  rmSync(work, { recursive: true, force: true });
});

const WF = '.github/workflows/image.yml';
const workflow = (runner: string) => `on: push
jobs:
  image:
    runs-on: ${runner}
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-qemu-action@v3
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v6
        with:
          context: .
          platforms: linux/amd64,linux/arm64
          tags: ghcr.io/acme/app:1
`;
const REQUIREMENTS =
  'purepkg==1.0\nbin-pkg==2.0\nx86only==1.0\n  nosdist==1.0   # no arm64 wheel, no sdist\nsdonly==1.0\n';

function repo(runner: string): RepoSpec {
  return {
    files: {
      [WF]: workflow(runner),
      Dockerfile:
        'FROM python:3.11-slim-bookworm\nCOPY requirements.txt /tmp/\nRUN pip install -r /tmp/requirements.txt\n',
      'requirements.txt': REQUIREMENTS,
    },
  };
}

async function findings(spec: RepoSpec, ask: boolean, indexUrl = index.url) {
  const model = await loadRepo(spec);
  const notes: string[] = [];
  if (ask) await fetchWheelFacts(model, { indexUrl, env: { XDG_CACHE_HOME: join(work, 'cache') } }, notes);
  const found = await runRules(model, [rule, emulatedBuild], { online: true });
  return { found, notes };
}

const brief = (f: {
  ruleId: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  endColumn: number;
}) => `${f.severity} ${f.ruleId} ${f.file}:${f.line}:${f.column}-${f.endColumn}`;

test('on an amd64 runner building arm64 under QEMU: missing is an error, an sdist that compiles a warning, on the requirement line', {
  timeout: 60_000,
}, async () => {
  const { found } = await findings(repo('ubuntu-latest'), true);
  assert.deepEqual(found.map(brief), [
    'error wheel-missing-for-platform requirements.txt:4:3-15',
    'warning emulated-build .github/workflows/image.yml:12:22-45',
    'warning wheel-missing-for-platform requirements.txt:3:1-13',
  ]);
  const [missing, emulated, sdist] = found;
  assert.match(
    missing?.message ?? '',
    /^`nosdist==1\.0` has nothing installable for linux\/arm64 \(Python 3\.11, glibc 2\.36\) on the package index: .+; pip fails/,
  );
  assert.equal(
    sdist?.message,
    '`x86only==1.0` has no wheel of 1.0 for linux/arm64 (Python 3.11, glibc 2.36): pip compiles x86only-1.0.tar.gz from source under QEMU emulation (it has C or Rust sources), which takes far longer and fails without a compiler in the image',
  );
  // emulated-build names what the index says compiles, not the offline guess.
  assert.match(
    emulated?.message ?? '',
    /5–20× slower, and x86only compiles from source there \(the package index has no wheel for that platform\)$/,
  );
});

test('on a native arm64 runner nothing is emulated: the sdist is no finding, the missing package still is', {
  timeout: 60_000,
}, async () => {
  const { found } = await findings(repo('ubuntu-24.04-arm'), true);
  assert.deepEqual(found.filter((f) => f.ruleId === 'wheel-missing-for-platform').map(brief), [
    'error wheel-missing-for-platform requirements.txt:4:3-15',
  ]);
});

test('offline (no facts in the model) the rule says nothing; an index that does not answer is a note, not a finding', {
  timeout: 60_000,
}, async () => {
  const offline = await findings(repo('ubuntu-latest'), false);
  assert.deepEqual(
    offline.found.filter((f) => f.ruleId === 'wheel-missing-for-platform'),
    [],
  );
  assert.match(
    offline.found.find((f) => f.ruleId === 'emulated-build')?.message ?? '',
    /may compile from source there: run `crossdock deps` or `check --online` to know$/,
  );
  const down = await findings(repo('ubuntu-latest'), true, 'http://127.0.0.1:9/simple');
  assert.deepEqual(
    down.found.filter((f) => f.ruleId === 'wheel-missing-for-platform'),
    [],
  );
  assert.ok(
    down.notes.some((n) =>
      /^--online: no verdict for Dockerfile from http:\/\/127\.0\.0\.1:9\/simple/.test(n),
    ),
    down.notes.join('\n'),
  );
});
