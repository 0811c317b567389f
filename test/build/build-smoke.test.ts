import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { DOCKER, requireEngine, sampleRepo } from '../helpers/engine.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { assertSchema } from '../helpers/schema.js';

/**
 * `crossdock build --push --smoke` on the real engine, QEMU for arm64 and the real distribution registry over TLS:
 * the repository's compose service (`build: .`, `image:`, `ports:`) is the contract each pushed platform runs
 * against before the index is tagged. The tags are read back with skopeo.
 */
let work: string;
let pki: Pki;
let registry: TestRegistry;
let certDir: string;

before(async () => {
  requireEngine();
  work = mkdtempSync(join(tmpdir(), 'crossdock-build-smoke-test-'));
  pki = makePki(join(work, 'pki'));
  const server = pki.server('registry');
  registry = await startRegistry({ tls: { cert: server.chain, key: server.key } });
  certDir = join(work, 'certs');
  mkdirSync(certDir);
  writeFileSync(join(certDir, 'ca.crt'), pki.caPem);
});

after(async () => {
  if (registry) {
    // What smoke pulled by digest and what the builds left under their local names.
    for (const filter of [`reference=${registry.host}/team/web*`, 'reference=crossdock.local/team/web*']) {
      const ids = spawnSync(DOCKER, ['images', '--quiet', '--no-trunc', '--filter', filter], {
        encoding: 'utf8',
        timeout: 60_000,
      })
        .stdout.split('\n')
        .filter(Boolean);
      if (ids.length) spawnSync(DOCKER, ['rmi', '--force', ...new Set(ids)], { timeout: 120_000 });
    }
    await registry.stop();
  }
  rmSync(work, { recursive: true, force: true });
});

/** busybox httpd on 8080 as the entrypoint, stopping on SIGTERM; no RUN, so the arm64 build needs no QEMU. */
const DOCKERFILE = `FROM scratch
ARG TARGETARCH
ADD rootfs-\${TARGETARCH}.tar /
COPY www/ /www/
EXPOSE 8080
ENTRYPOINT ["/bin/busybox", "sh", "-c", "trap 'exit 0' TERM; /bin/busybox httpd -f -p 8080 -h /www & wait"]
`;

interface Check {
  id: string;
  status: string;
  summary: string;
}
interface Rec {
  status: string;
  images: {
    status: string;
    tags: string[];
    indexDigest: string | null;
    platforms: {
      platform: string;
      status: string;
      digest: string | null;
      error: { message: string } | null;
      smoke: {
        status: string;
        note: string | null;
        runs: { contract: string; runner: string; error: string | null; checks: Check[] }[];
      } | null;
    }[];
  }[];
}

async function buildSmoke(port: number, tag: string): Promise<{ code: number; out: string; record: Rec }> {
  const image = `${registry.host}/team/web:${tag}`;
  const repo = sampleRepo({
    dockerfile: DOCKERFILE,
    files: {
      'www/index.html': '<h1>build --smoke</h1>\n',
      'compose.yaml': `services:\n  web:\n    build: .\n    image: ${image}\n    ports:\n      - "${port}"\n`,
    },
  });
  try {
    const meta = join(work, `run-${tag}.json`);
    const r = await runCli(
      [
        'build',
        repo.root,
        '--push',
        '--smoke',
        '--startup-window',
        '1.5s',
        '--stop-timeout',
        '3s',
        '--ca-file',
        pki.caPath,
        '--metadata-file',
        meta,
      ],
      { env: { PATH: process.env.PATH ?? '', HOME: work, CROSSDOCK_CACHE_DIR: join(work, 'cache') } },
    );
    const record = JSON.parse(readFileSync(meta, 'utf8')) as Rec;
    assertSchema('crossdock-build-run-v1.json', record);
    return { code: r.code, out: r.stderr + r.stdout, record };
  } finally {
    repo.cleanup();
  }
}

function tags(): string[] {
  const r = skopeo(['list-tags', '--cert-dir', certDir, `docker://${registry.host}/team/web`]);
  return (JSON.parse(r.stdout).Tags as string[] | null) ?? [];
}

const check = (checks: Check[] | undefined, id: string) => checks?.find((c) => c.id === id);

test('build --smoke: both platforms pass the compose service contract, then the index is tagged', {
  timeout: 240_000,
}, async () => {
  const { code, out, record } = await buildSmoke(8080, '1');
  assert.equal(code, 0, out);
  const image = record.images[0]!;
  assert.equal(image.status, 'succeeded', out);
  assert.deepEqual(image.tags, [`${registry.host}/team/web:1`]);
  assert.ok(tags().includes('1'), `tags: ${tags().join(', ')}`);
  assert.deepEqual(image.platforms.map((p) => p.platform).sort(), ['linux/amd64', 'linux/arm64']);
  for (const p of image.platforms) {
    assert.equal(p.smoke?.status, 'passed', JSON.stringify(p.smoke));
    const run = p.smoke?.runs[0];
    assert.equal(run?.contract, 'compose service web');
    assert.match(run?.runner ?? '', p.platform === 'linux/arm64' ? /^QEMU/ : /^native/);
    assert.equal(check(run?.checks, 'starts')?.status, 'pass', p.platform);
    assert.equal(check(run?.checks, 'listens')?.status, 'pass', p.platform);
    assert.equal(check(run?.checks, 'arch')?.status, 'pass', p.platform);
  }
  assert.match(out, /smoke passed \(compose service web\)/);
});

test('build --smoke: a port the image does not serve fails the platforms, and nothing is tagged', {
  timeout: 240_000,
}, async () => {
  const { code, out, record } = await buildSmoke(9090, '2');
  assert.equal(code, 1, out);
  assert.equal(record.status, 'failed');
  const image = record.images[0]!;
  assert.equal(image.status, 'failed');
  assert.deepEqual(image.tags, []);
  assert.equal(image.indexDigest, null);
  // The tag does not exist in the registry (skopeo, the independent peer), the platforms do, by digest.
  const tagged = skopeo(
    ['inspect', '--raw', '--cert-dir', certDir, `docker://${registry.host}/team/web:2`],
    true,
  );
  assert.notEqual(tagged.code, 0, tagged.stdout);
  assert.match(tagged.stderr, /manifest unknown|not found/i);
  for (const p of image.platforms) {
    // Built and pushed by digest (kept), but failed by smoke.
    assert.match(p.digest ?? '', /^sha256:/);
    skopeo(['inspect', '--raw', '--cert-dir', certDir, `docker://${registry.host}/team/web@${p.digest}`]);
    assert.equal(p.status, 'failed');
    assert.equal(p.smoke?.status, 'failed', p.platform);
    const listens = check(p.smoke?.runs[0]?.checks, 'listens');
    assert.equal(listens?.status, 'fail', p.platform);
    assert.match(listens?.summary ?? '', /9090/);
    assert.match(listens?.summary ?? '', /8080/);
    assert.match(p.error?.message ?? '', /^smoke failed: compose service web: listens: /);
  }
  assert.match(out, /not tagged, a platform failed/);
});

test('build --smoke: an image no deployment runs is tagged, its smoke skipped with the reason', {
  timeout: 240_000,
}, async () => {
  const repository = `${registry.host}/team/web-alone`;
  const repo = sampleRepo({
    dockerfile: DOCKERFILE,
    files: { 'www/index.html': 'x\n' },
    config: ['version: 1', 'images:', `  ${repository}:`, '    context: .', '    tags: ["3"]', ''].join('\n'),
  });
  try {
    const meta = join(work, 'run-alone.json');
    const r = await runCli(
      ['build', repo.root, '--push', '--smoke', '--ca-file', pki.caPath, '--metadata-file', meta, '--quiet'],
      { env: { PATH: process.env.PATH ?? '', HOME: work, CROSSDOCK_CACHE_DIR: join(work, 'cache') } },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const record = JSON.parse(readFileSync(meta, 'utf8')) as Rec;
    assertSchema('crossdock-build-run-v1.json', record);
    assert.deepEqual(record.images[0]?.tags, [`${repository}:3`]);
    for (const p of record.images[0]?.platforms ?? []) {
      assert.equal(p.smoke?.status, 'skipped', p.platform);
      assert.deepEqual(p.smoke?.runs, []);
      assert.match(p.smoke?.note ?? '', /no deployment in the repository runs the image/);
    }
  } finally {
    repo.cleanup();
  }
});

test('build: --smoke needs --push, and the smoke flags need --smoke (usage errors, nothing built)', {
  timeout: 30_000,
}, async () => {
  const dir = mkdtempSync(join(work, 'usage-'));
  const noPush = await runCli(['build', dir, '--smoke'], { env: { PATH: process.env.PATH ?? '' } });
  assert.equal(noPush.code, 2, noPush.stderr);
  assert.match(noPush.stderr, /--smoke needs --push/);
  const noSmoke = await runCli(['build', dir, '--push', '--startup-window', '2s'], {
    env: { PATH: process.env.PATH ?? '' },
  });
  assert.equal(noSmoke.code, 2, noSmoke.stderr);
  assert.match(noSmoke.stderr, /--startup-window is a smoke option: it needs --smoke/);
  const badWindow = await runCli(['build', dir, '--push', '--smoke', '--startup-window', 'soon'], {
    env: { PATH: process.env.PATH ?? '' },
  });
  assert.equal(badWindow.code, 2, badWindow.stderr);
  assert.match(badWindow.stderr, /--startup-window soon: not a duration/);
});
