import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import {
  syntheticLayout,
  elfHead,
  gzipParts,
  type Layout,
  readBlob,
  singleImageLayout,
  tarFile,
} from '../helpers/images.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * Content addressing on every read: a proxy in front of the real registry flips one byte of a manifest or blob
 * (same length, correct Content-Length), and crossdock's own digest check, not the registry, refuses it, in
 * inspect, verify and copy. A second proxy in front of the destination records what a copy sends there.
 */
let work: string;
let registry: TestRegistry;
/** In front of the source. */
let proxy: FaultProxy;
/** In front of the destination (a different host:port, so a copy uploads instead of mounting). */
let dest: FaultProxy;
let layout: Layout;
const env = { CROSSDOCK_BACKOFF_MS: '5' };
const MISMATCH =
  /content does not match its digest: crossdock's check computed (sha256:[0-9a-f]{64}) over the (\d+) bytes read, expected (sha256:[0-9a-f]{64})/;

function manifestOf(
  digest: string,
  from: Layout = layout,
): { config: { digest: string }; layers: { digest: string; size: number }[] } {
  return JSON.parse(readBlob(from.dir, digest).toString('utf8'));
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-integrity-'));
  registry = await startRegistry();
  proxy = await startFaultProxy({ host: '127.0.0.1', port: registry.port });
  dest = await startFaultProxy({ host: '127.0.0.1', port: registry.port });
  layout = syntheticLayout(join(work, 'img'), { user: '10001' });
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${layout.dir}:latest`,
    `docker://${registry.host}/src/app:1`,
  ]);
});

after(async () => {
  await proxy?.close();
  await dest?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  for (const p of [proxy, dest]) {
    p.rules.length = 0;
    p.log.length = 0;
  }
});

const cli = (...args: string[]) =>
  runCli([...args, '--plain-http', proxy.host, '--plain-http', dest.host, '--plain-http', registry.host], {
    env,
  });

test("inspect: a config blob or a platform manifest with one byte flipped is refused by crossdock's own check", {
  timeout: 60_000,
}, async () => {
  const amd64 = layout.platforms[0]?.manifestDigest ?? '';
  const config = manifestOf(amd64).config.digest;
  proxy.rules.push({ method: 'GET', path: new RegExp(`/blobs/${config}$`), fault: 'corrupt', times: 100 });
  const blob = await cli('inspect', `${proxy.host}/src/app:1`);
  assert.equal(blob.code, 2, blob.stderr);
  assert.match(blob.stderr, new RegExp(`${esc(proxy.host)}/src/app@${config}: `));
  const m = MISMATCH.exec(blob.stderr);
  assert.ok(m, blob.stderr);
  assert.equal(m[3], config, 'expected: the descriptor digest');
  assert.notEqual(m[1], config, 'got: what crossdock computed over the corrupt bytes');
  assert.ok(
    proxy.log.some((l) => l.fault === 'corrupt'),
    'the corrupt answer was served',
  );

  proxy.rules.length = 0;
  proxy.rules.push({ method: 'GET', path: new RegExp(`/manifests/${amd64}$`), fault: 'corrupt', times: 100 });
  const manifest = await cli('inspect', `${proxy.host}/src/app:1`);
  assert.equal(manifest.code, 2, manifest.stderr);
  assert.match(manifest.stderr, new RegExp(`${esc(proxy.host)}/src/app@${amd64}: `));
  assert.equal(MISMATCH.exec(manifest.stderr)?.[3], amd64);
});

test("verify: a layer with one byte flipped is refused by crossdock's check before the tar reader sees it", {
  timeout: 60_000,
}, async () => {
  const layer = manifestOf(layout.platforms[1]?.manifestDigest ?? '').layers[0];
  assert.ok(layer);
  proxy.rules.push({
    method: 'GET',
    path: new RegExp(`/blobs/${layer.digest}$`),
    fault: 'corrupt',
    times: 100,
  });
  const r = await cli('verify', `${proxy.host}/src/app:1`, '--platforms', 'linux/amd64,linux/arm64');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`reading layer ${esc(proxy.host)}/src/app@${layer.digest}: `));
  const m = MISMATCH.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.equal(m[3], layer.digest);
  assert.equal(Number(m[2]), layer.size, 'same length: only the content differs');
  assert.doesNotMatch(
    r.stderr,
    /not a readable .*tar stream/,
    'refused as corrupt, not parsed as a broken tar',
  );
});

/** Whether the real registry behind the proxies holds a blob in a repository (asked directly, not through them). */
async function stored(repository: string, digest: string): Promise<boolean> {
  const res = await fetch(`http://${registry.host}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' });
  return res.status === 200;
}

/**
 * Copy streams each blob from the source into the destination and checks it in the same pass: the last chunk is
 * held back until size and digest match, so a corrupt blob is refused by crossdock's own check before its upload
 * can complete, and the destination stores nothing of it.
 */
function assertRefusedByCrossdock(r: { code: number; stderr: string }, source: string): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`reading ${esc(source)}@sha256:[0-9a-f]{64} from the source: `),
    'the error names the source read',
  );
  assert.match(r.stderr, MISMATCH, "and crossdock's check");
  assert.doesNotMatch(r.stderr, /DIGEST_INVALID|refused the upload/, 'not the registry refusing it');
}

function assertNothingStoredAt(repository: string, digests: string[]): Promise<void> {
  return (async () => {
    for (const d of digests)
      assert.equal(await stored(repository, d), false, `${d}: no blob stored at the destination`);
    assert.deepEqual(
      dest.log.filter((l) => l.method === 'PUT' && l.path.includes('/manifests/')),
      [],
      'no manifest pushed',
    );
    const tag = skopeo(
      ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/${repository}:1`],
      true,
    );
    assert.notEqual(tag.code, 0, 'no tag');
  })();
}

test("copy: a source blob with one byte flipped is refused by crossdock's own check; the destination stores nothing", {
  timeout: 60_000,
}, async () => {
  proxy.rules.push({ method: 'GET', path: /\/v2\/src\/app\/blobs\/sha256:/, fault: 'corrupt', times: 1000 });
  const r = await cli('copy', `${proxy.host}/src/app:1`, `${dest.host}/corrupt/app:1`);
  assertRefusedByCrossdock(r, `${proxy.host}/src/app`);
  assert.ok(
    dest.log.some((l) => l.method === 'HEAD'),
    'the destination was asked (HEAD) whether it has the blobs',
  );
  const blobs = layout.platforms.flatMap((p) => {
    const m = manifestOf(p.manifestDigest);
    return [m.config.digest, ...m.layers.map((l) => l.digest)];
  });
  await assertNothingStoredAt('corrupt', blobs);
  assert.equal(
    dest.log.filter((l) => l.method === 'DELETE' && l.path.includes('/blobs/uploads/')).length,
    dest.log.filter((l) => l.method === 'POST').length,
    'every upload session started (all of them for corrupt blobs) was cancelled',
  );
  for (const l of dest.log.filter((x) => x.method === 'PUT'))
    assert.ok(
      blobs.every((d) => !l.path.includes(encodeURIComponent(d)) || l.bodyBytes < 2 ** 20),
      'a small blob is one chunk, held back whole: nothing of it is sent',
    );
});

test('copy: a 5 MiB layer corrupt in its middle streams until crossdock finds the mismatch, and its upload is cut short', {
  timeout: 60_000,
}, async () => {
  const big = syntheticLayout(join(work, 'big-corrupt'), { extraLayers: [5 * 1024 * 1024], seed: 4 });
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${big.dir}:latest`,
    `docker://${registry.host}/src/bigc:1`,
  ]);
  const layer = manifestOf(big.platforms[0]?.manifestDigest ?? '', big).layers.find(
    (l) => l.size > 4 * 1024 * 1024,
  );
  assert.ok(layer);
  proxy.rules.push({
    method: 'GET',
    path: new RegExp(`/v2/src/bigc/blobs/${layer.digest}$`),
    fault: 'corrupt',
    times: 1000,
  });
  const r = await cli('copy', `${proxy.host}/src/bigc:1`, `${dest.host}/bigc/app:1`, '--concurrency', '1');
  assertRefusedByCrossdock(r, `${proxy.host}/src/bigc`);
  assert.equal(MISMATCH.exec(r.stderr)?.[3], layer.digest);
  const put = dest.log.find((l) => l.method === 'PUT' && l.path.includes(encodeURIComponent(layer.digest)));
  assert.ok(put, 'the layer streamed into an upload as it was read');
  assert.ok(put.bodyBytes < layer.size, `cut short: ${put.bodyBytes} of ${layer.size} bytes sent`);
  await assertNothingStoredAt('bigc/app', [layer.digest]);
  const session = put.path.split('?')[0];
  assert.ok(
    dest.log.some((l) => l.method === 'DELETE' && l.path.split('?')[0] === session),
    'its upload session was cancelled',
  );
});

test('copy checks the image digest before pushing: a destination digest that is not the image’s pushes nothing', {
  timeout: 60_000,
}, async () => {
  const wrong = `sha256:${'1'.repeat(64)}`;
  const r = await cli('copy', `${registry.host}/src/app:1`, `${dest.host}/pinned/app@${wrong}`);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `the image copied would have digest ${layout.indexDigest}, not the one in the destination reference; nothing was pushed`,
    ),
  );
  assert.deepEqual(
    dest.log.filter((l) => l.method !== 'GET' && l.method !== 'HEAD'),
    [],
    'no blob and no manifest was pushed',
  );
  // The right digest copies, by digest, without a tag.
  const ok = await cli('copy', `${registry.host}/src/app:1`, `${dest.host}/pinned/app@${layout.indexDigest}`);
  assert.equal(ok.code, 0, ok.stderr);
  const raw = skopeo([
    'inspect',
    '--raw',
    '--tls-verify=false',
    `docker://${registry.host}/pinned/app@${layout.indexDigest}`,
  ]);
  assert.match(raw.stdout, /"schemaVersion":2/);
});

test('an image config whose fields have the wrong types is a clear error naming the field, not a crash', {
  timeout: 60_000,
}, async () => {
  const layer = await gzipParts([tarFile('bin/app', elfHead('amd64')), Buffer.alloc(1024)]);
  const img = singleImageLayout(join(work, 'odd-config'), [layer], {
    entrypoint: [],
    config: { Entrypoint: ['/bin/app'], Labels: 'org.opencontainers.image.revision=abc' },
  });
  skopeo([
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${img.dir}:latest`,
    `docker://${registry.host}/odd/config:1`,
  ]);
  for (const args of [['inspect'], ['verify', '--label', 'org.opencontainers.image.revision']]) {
    const [cmd = '', ...rest] = args;
    const r = await cli(cmd, `${registry.host}/odd/config:1`, ...rest);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /odd\/config@sha256:[0-9a-f]{64}: image config field config\.Labels is not an object of strings/,
      cmd,
    );
    assert.doesNotMatch(r.stderr, /internal error/, cmd);
  }
});

test('copy keeps no temporary copy (it copies with an unusable TMPDIR); verify, which does, names TMPDIR', {
  timeout: 60_000,
}, async () => {
  // A layer over 4 MiB is verified through a temporary file by verify; copy streams it and needs none.
  const big = syntheticLayout(join(work, 'big'), { extraLayers: [5 * 1024 * 1024], seed: 3 });
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${big.dir}:latest`,
    `docker://${registry.host}/src/big:1`,
  ]);
  // A file, not a directory: nothing can be created below it.
  const missing = join(work, 'not-a-dir');
  writeFileSync(missing, '');
  // os.tmpdir() follows TMPDIR: set for these in-process runs only.
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = missing;
  let copied: Awaited<ReturnType<typeof cli>>;
  let verified: Awaited<ReturnType<typeof cli>>;
  try {
    copied = await cli('copy', `${registry.host}/src/big:1`, `${dest.host}/big/app:1`);
    verified = await cli('verify', `${registry.host}/src/big:1`, '--platforms', 'linux/amd64');
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  assert.equal(copied.code, 0, copied.stderr);
  const large = big.platforms.flatMap((p) =>
    manifestOf(p.manifestDigest, big)
      .layers.filter((l) => l.size > 4 * 1024 * 1024)
      .map((l) => l.digest),
  );
  assert.equal(large.length, 2);
  for (const d of large) assert.equal(await stored('big/app', d), true, `${d} copied`);
  assert.equal(verified.code, 2, verified.stderr);
  assert.match(verified.stderr, /reading layer .*: cannot write its temporary copy \(ENOTDIR\)/);
  assert.match(verified.stderr, new RegExp(`hint: .*under ${esc(missing)}: .*set TMPDIR`));
  assert.doesNotMatch(verified.stderr, /internal error/);
});
