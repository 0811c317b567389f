import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { runCliProcess } from '../helpers/cli-process.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import {
  syntheticLayout,
  elfHead,
  gzipParts,
  type Layout,
  readBlob,
  singleImageLayout,
  tarFile,
  tarHeader,
} from '../helpers/images.js';
import { putRawManifest, skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * Sizes an image states and crossdock cannot trust: tar metadata headers, how much a layer unpacks to, how many
 * entries an index has, how many requests one inspect makes at once, how many whiteouts a layer holds. Each is
 * pushed to the real registry (skopeo, or the registry API for what no tool writes) and read back by crossdock.
 */
let work: string;
let registry: TestRegistry;
let proxy: FaultProxy;
let layout: Layout;
const env = { CROSSDOCK_BACKOFF_MS: '5' };
const MiB = 1024 * 1024;

function push(dir: string, ref: string): void {
  skopeo([
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${dir}:latest`,
    `docker://${registry.host}/${ref}`,
  ]);
}

function* zeros(bytes: number): Generator<Buffer> {
  const chunk = Buffer.alloc(MiB);
  for (let left = bytes; left > 0; left -= MiB) yield left >= MiB ? chunk : chunk.subarray(0, left);
}

/** A platform-entry index of `n` entries, alternating the two platform images of the busybox layout. */
function bigIndex(n: number): Buffer {
  const manifests = Array.from({ length: n }, (_, i) => {
    const p = layout.platforms[i % 2];
    const digest = p?.manifestDigest ?? '';
    return {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      size: readBlob(layout.dir, digest).length,
      platform: { os: 'linux', architecture: i % 2 ? 'arm64' : 'amd64' },
      annotations: { 'crossdock.test.entry': String(i) },
    };
  });
  return Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-limits-'));
  registry = await startRegistry();
  proxy = await startFaultProxy({ host: '127.0.0.1', port: registry.port });
  layout = syntheticLayout(join(work, 'img'), { user: '10001', extraLayers: [2 * 1024 * 1024] });
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${layout.dir}:latest`,
    `docker://${registry.host}/team/app:1`,
  ]);
});

after(async () => {
  await proxy?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  proxy.rules.length = 0;
  proxy.log.length = 0;
  proxy.stats.maxInflight = 0;
});

test('a PAX header declaring 600 MB is refused at the header, without buffering its body', {
  timeout: 120_000,
}, async () => {
  const declared = 600 * MiB;
  // The body is really there (600 MB of zeros, under 3 MB gzipped): a reader that trusts the header buffers it.
  const layer = await gzipParts([
    tarHeader('./PaxHeaders/app', declared, 'x'),
    ...zeros(declared),
    tarFile('bin/app', elfHead('amd64')),
    Buffer.alloc(1024),
  ]);
  const img = singleImageLayout(join(work, 'pax'), [layer], { entrypoint: ['/bin/app'] });
  push(img.dir, 'hostile/pax:1');
  const r = await runCliProcess(
    ['verify', `${registry.host}/hostile/pax:1`, '--plain-http', registry.host],
    env,
  );
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `layer ${registry.host}/hostile/pax@${img.layerDigests[0]}: a tar PAX extended header declares ${declared} bytes; crossdock reads at most 1048576 bytes of header data`,
    ),
  );
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.ok(r.peakRssMb < 400, `peak RSS ${r.peakRssMb} MB: the header body was not buffered`);
});

test('a gzip bomb layer is refused once it unpacks past the cap; --max-unpacked sets the cap', {
  timeout: 120_000,
}, async () => {
  const size = 1024 * MiB;
  // A well-formed tar: one 1 GB file of zeros, under 5 MB gzipped (default cap: 20 × that + 512 MB).
  const bomb = await gzipParts([
    tarFile('bin/app', elfHead('amd64')),
    tarHeader('data/zeros', size),
    ...zeros(size),
    Buffer.alloc(1024),
  ]);
  const img = singleImageLayout(join(work, 'bomb'), [bomb], { entrypoint: ['/bin/app'] });
  push(img.dir, 'hostile/bomb:1');
  const r = await runCli(['verify', `${registry.host}/hostile/bomb:1`, '--plain-http', registry.host], {
    env,
  });
  assert.equal(r.code, 2, r.stderr);
  const cap = bomb.length * 20 + 512 * MiB;
  assert.match(
    r.stderr,
    new RegExp(
      `layer ${registry.host}/hostile/bomb@${img.layerDigests[0]}: unpacks to more than ${cap} bytes; crossdock stopped reading it`,
    ),
  );
  assert.match(r.stderr, /hint: .*--max-unpacked MB/);
  // The cap is configurable: the image (a 2 MB layer) passes by default and is refused under a 1 MB cap.
  const normal = await runCli(['verify', `${registry.host}/team/app:1`, '--plain-http', registry.host], {
    env,
  });
  assert.equal(normal.code, 0, normal.stdout + normal.stderr);
  const tight = await runCli(
    ['verify', `${registry.host}/team/app:1`, '--plain-http', registry.host, '--max-unpacked', '1'],
    { env },
  );
  assert.equal(tight.code, 2, tight.stderr);
  assert.match(tight.stderr, new RegExp(`unpacks to more than ${MiB} bytes`));
});

test('an index with more than 1,000 entries is refused with a clear error', { timeout: 60_000 }, async () => {
  const mt = 'application/vnd.oci.image.index.v1+json';
  // In the repository of the images it references (the registry checks they exist there).
  await putRawManifest(registry.host, 'team/app', 'wide-limit', mt, bigIndex(1000));
  await putRawManifest(registry.host, 'team/app', 'wide-over', mt, bigIndex(1001));
  for (const cmd of ['inspect', 'verify', 'copy']) {
    const args = [cmd, `${registry.host}/team/app:wide-over`, '--plain-http', registry.host];
    if (cmd === 'copy') args.splice(2, 0, `${registry.host}/copied/wide:over`);
    const r = await runCli(args, { env });
    assert.equal(r.code, 2, `${cmd}: ${r.stderr}`);
    assert.match(
      r.stderr,
      /team\/app:wide-over: the index has 1001 entries, more than the 1000 crossdock reads/,
      cmd,
    );
  }
  // 1,000 is still read (through the bounded pool).
  const atLimit = await runCli(
    ['inspect', `${registry.host}/team/app:wide-limit`, '--plain-http', registry.host, '--format', 'json'],
    { env },
  );
  assert.equal(atLimit.code, 0, atLimit.stderr);
  assert.equal((JSON.parse(atLimit.stdout) as { platforms: unknown[] }).platforms.length, 1000);
});

test('inspect reads an index through a bounded pool, not all entries at once', {
  timeout: 60_000,
}, async () => {
  await putRawManifest(
    registry.host,
    'team/app',
    'many',
    'application/vnd.oci.image.index.v1+json',
    bigIndex(40),
  );
  // Each platform manifest and config read takes 150 ms, so unbounded requests would pile up at the proxy.
  proxy.rules.push({
    method: 'GET',
    path: /\/(manifests|blobs)\/sha256:/,
    fault: 'delay',
    times: 1000,
    intervalMs: 150,
  });
  const r = await runCli(
    ['inspect', `${proxy.host}/team/app:many`, '--plain-http', proxy.host, '--format', 'json'],
    {
      env,
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { platforms: unknown[] }).platforms.length, 40);
  assert.ok(proxy.stats.maxInflight <= 6, `at most 6 requests at once, saw ${proxy.stats.maxInflight}`);
  assert.ok(proxy.stats.maxInflight >= 3, `still parallel, saw ${proxy.stats.maxInflight}`);
});

test('100,000 whiteouts over 100,000 files are applied by prefix, in seconds', {
  timeout: 60_000,
}, async () => {
  const n = 100_000;
  const name = (i: number) => `data/f${String(i).padStart(6, '0')}`;
  const files = await gzipParts([
    tarFile('bin/app', elfHead('amd64')),
    ...Array.from({ length: n }, (_, i) => tarHeader(name(i), 0)),
    Buffer.alloc(1024),
  ]);
  const whiteouts = await gzipParts([
    ...Array.from({ length: n }, (_, i) => tarHeader(name(i).replace('/f', '/.wh.f'), 0)),
    Buffer.alloc(1024),
  ]);
  const appWhiteout = await gzipParts([tarHeader('bin/.wh.app', 0), Buffer.alloc(1024)]);
  const gone = singleImageLayout(join(work, 'wh-gone'), [files, whiteouts, appWhiteout], {
    entrypoint: ['/bin/app'],
  });
  const kept = singleImageLayout(join(work, 'wh-kept'), [files, whiteouts], {
    entrypoint: ['/bin/app'],
    arch: 'arm64',
  });
  push(gone.dir, 'team/whiteouts:gone');
  push(kept.dir, 'team/whiteouts:kept');
  const started = Date.now();
  const r = await runCli(
    ['verify', `${registry.host}/team/whiteouts:gone`, '--plain-http', registry.host, '--format', 'json'],
    { env },
  );
  assert.equal(r.code, 1, r.stderr);
  const findings = (JSON.parse(r.stdout) as { findings: { ruleId: string; message: string }[] }).findings;
  assert.deepEqual(
    findings.map((f) => f.ruleId),
    ['entrypoint-not-found'],
    'the whiteout of /bin/app was applied',
  );
  // Without that one whiteout the binary is still there (and is amd64 content in an arm64 image).
  const k = await runCli(
    ['verify', `${registry.host}/team/whiteouts:kept`, '--plain-http', registry.host, '--format', 'json'],
    { env },
  );
  assert.equal(k.code, 1, k.stderr);
  assert.deepEqual(
    (JSON.parse(k.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId),
    ['binary-architecture'],
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 30_000, `two verifies of 200,000 tar entries took ${elapsed} ms`);
});
