import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { type Layout, readBlob, syntheticLayout } from '../helpers/images.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * What a copy asks of the registries, counted by two HTTPS proxies in front of one real registry (two host:ports,
 * so a copy from one to the other is a copy between registries): a first copy reads each blob once and streams it
 * into one upload; a repeated copy only asks (HEAD) and moves no blob bytes; a copy within one registry mounts
 * each blob with a single request; connections are kept alive (one TLS handshake per connection, not per blob).
 */
let work: string;
let pki: Pki;
let registry: TestRegistry;
let src: FaultProxy;
let dst: FaultProxy;
let layout: Layout;
/** Every blob of the image: digest and size. */
let blobs: { digest: string; size: number }[];
const env = { CROSSDOCK_BACKOFF_MS: '5' };

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-copyreq-'));
  pki = makePki(join(work, 'pki'));
  registry = await startRegistry();
  const certs = pki.server('front');
  src = await startFaultProxy({ host: '127.0.0.1', port: registry.port }, { tls: certs });
  dst = await startFaultProxy({ host: '127.0.0.1', port: registry.port }, { tls: certs });
  layout = syntheticLayout(join(work, 'img'), { extraLayers: [300_000, 200_000] });
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${layout.dir}:latest`,
    `docker://${registry.host}/src/app:1`,
  ]);
  const all = new Map<string, number>();
  for (const p of layout.platforms) {
    const m = JSON.parse(readBlob(layout.dir, p.manifestDigest).toString('utf8')) as {
      config: { digest: string; size: number };
      layers: { digest: string; size: number }[];
    };
    for (const d of [m.config, ...m.layers]) all.set(d.digest, d.size);
  }
  blobs = [...all].map(([digest, size]) => ({ digest, size }));
});

after(async () => {
  await src?.close();
  await dst?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  for (const p of [src, dst]) {
    p.rules.length = 0;
    p.log.length = 0;
    p.stats.connections = 0;
  }
});

interface CopyJson {
  digest: string;
  blobs: { uploaded: number; skipped: number; mounted: number };
  bytes: { moved: number; skipped: number };
  manifests: { pushed: number; present: number };
}

async function copy(from: string, to: string): Promise<CopyJson> {
  const r = await runCli(['copy', from, to, '--ca-file', pki.caPath, '--format', 'json'], { env });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as CopyJson;
  assert.equal(j.digest, layout.indexDigest);
  return j;
}

const requests = (p: FaultProxy, repo: string, kind: 'blobs' | 'manifests') =>
  p.log.filter((l) => l.path.startsWith(`/v2/${repo}/${kind}/`));

test('between registries: each blob is read once and streamed into one upload; a repeated copy only asks (HEAD)', {
  timeout: 60_000,
}, async () => {
  const first = await copy(`${src.host}/src/app:1`, `${dst.host}/other/app:1`);
  assert.equal(first.blobs.uploaded, blobs.length);
  assert.deepEqual(first.manifests, { pushed: 3, present: 0 });
  for (const b of blobs) {
    const reads = src.log.filter((l) => l.method === 'GET' && l.path === `/v2/src/app/blobs/${b.digest}`);
    assert.equal(reads.length, 1, `${b.digest}: read once from the source`);
    const puts = dst.log.filter((l) => l.method === 'PUT' && l.path.includes(encodeURIComponent(b.digest)));
    assert.deepEqual(
      puts.map((l) => l.bodyBytes),
      [b.size],
      `${b.digest}: one upload carrying the blob once`,
    );
  }
  const sent = dst.log.length;
  assert.ok(
    dst.stats.connections <= 8 && dst.stats.connections < sent / 2,
    `${dst.stats.connections} TLS connections to the destination for ${sent} requests: kept alive and reused`,
  );

  for (const p of [src, dst]) p.log.length = 0;
  const again = await copy(`${src.host}/src/app:1`, `${dst.host}/other/app:1`);
  assert.deepEqual(again.blobs, { uploaded: 0, skipped: blobs.length, mounted: 0 });
  assert.deepEqual(again.bytes, { moved: 0, skipped: blobs.reduce((n, b) => n + b.size, 0) });
  assert.deepEqual(again.manifests, { pushed: 0, present: 3 });
  assert.deepEqual(
    [...new Set(dst.log.map((l) => l.method))],
    ['HEAD'],
    'the destination was only asked, nothing was sent to it',
  );
  assert.equal(
    dst.log.reduce((n, l) => n + l.bodyBytes, 0),
    0,
    'no request body reached the destination',
  );
  assert.equal(requests(dst, 'other/app', 'blobs').length, blobs.length, 'one HEAD per blob');
  assert.deepEqual(requests(src, 'src/app', 'blobs'), [], 'no blob was read from the source');
});

test('within one registry: each blob is mounted with one request and never read; a repeated copy only asks', {
  timeout: 60_000,
}, async () => {
  const first = await copy(`${dst.host}/src/app:1`, `${dst.host}/mounted/app:1`);
  assert.deepEqual(first.blobs, { uploaded: 0, skipped: 0, mounted: blobs.length });
  assert.equal(first.bytes.moved, 0);
  const asked = requests(dst, 'mounted/app', 'blobs');
  assert.equal(asked.length, blobs.length, 'one request per blob');
  for (const b of blobs)
    assert.equal(
      asked.filter(
        (l) =>
          l.method === 'POST' &&
          l.path.includes(`mount=${encodeURIComponent(b.digest)}`) &&
          l.path.includes(`from=${encodeURIComponent('src/app')}`),
      ).length,
      1,
      `${b.digest}: one cross-repository mount`,
    );
  assert.deepEqual(requests(dst, 'src/app', 'blobs'), [], 'no blob read from the source repository');
  assert.equal(
    dst.log.reduce((n, l) => n + l.bodyBytes, 0) < blobs.reduce((n, b) => n + b.size, 0) / 10,
    true,
    'only manifests were sent',
  );

  dst.log.length = 0;
  const again = await copy(`${dst.host}/src/app:1`, `${dst.host}/mounted/app:1`);
  assert.deepEqual(again.blobs, { uploaded: 0, skipped: blobs.length, mounted: 0 });
  assert.deepEqual(again.manifests, { pushed: 0, present: 3 });
  assert.deepEqual(
    [
      ...new Set(
        requests(dst, 'mounted/app', 'blobs')
          .concat(requests(dst, 'mounted/app', 'manifests'))
          .map((l) => l.method),
      ),
    ],
    ['HEAD'],
  );
});
