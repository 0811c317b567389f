import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, beforeEach, test } from 'node:test';
import { RegistryClient, type RepoRef, type VerifiedBlob } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { type Descriptor, MEDIA } from '../../src/registry/types.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * The registry client's own API against the real registry, through a fault-injecting proxy: each answer the
 * registry (or something in front of it) can give to a manifest or blob read, a manifest push or a tag listing
 * is either used, after its size and digest are checked, or refused with an error that names what was asked of
 * which registry and, where there is one, how to fix it.
 */
let work: string;
let registry: TestRegistry;
let proxy: FaultProxy;
let client: RegistryClient;
let repo: RepoRef;
const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const blob = (bytes: Buffer, mediaType = 'application/octet-stream'): Descriptor => ({
  mediaType,
  digest: sha256(bytes),
  size: bytes.length,
});

const config = Buffer.from(
  JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } }),
);
const layer = randomBytes(3000);
const exact = randomBytes(4 * MiB);
const over = randomBytes(4 * MiB + 1);
const big = randomBytes(5 * MiB);
const empty = Buffer.alloc(0);
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: blob(config, 'application/vnd.oci.image.config.v1+json'),
    layers: [blob(layer, 'application/vnd.oci.image.layer.v1.tar+gzip')],
  }),
);
/** The same image, without the optional mediaType field: its type comes from the Content-Type answered. */
const untyped = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    config: blob(config, 'application/vnd.oci.image.config.v1+json'),
    layers: [blob(layer, 'application/vnd.oci.image.layer.v1.tar+gzip')],
  }),
);

/** Expects a RegistryError whose message is exactly `message` (a string) or matches it (a RegExp). */
function fails(
  message: string | RegExp,
  more: Partial<Pick<RegistryError, 'status' | 'hint' | 'transient'>> = {},
) {
  return (e: unknown) => {
    assert.ok(e instanceof RegistryError, String(e));
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    for (const [k, v] of Object.entries(more)) assert.equal(e[k as keyof RegistryError], v, k);
    return true;
  };
}

/** Runs `fn` with os.tmpdir() (which follows TMPDIR) pointing at `dir`. */
async function withTmp<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

async function readAll(v: VerifiedBlob): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of v.open()) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-client-'));
  registry = await startRegistry();
  proxy = await startFaultProxy({ host: '127.0.0.1', port: registry.port });
  client = new RegistryClient({
    trust: { plainHttp: [registry.host, proxy.host] },
    backoffMs: 1,
    retries: 2,
  });
  const direct = { registry: registry.host, repository: 't/app' };
  for (const b of [config, layer, exact, over, big, empty])
    assert.equal(await client.pushBlob(direct, blob(b), () => Readable.from([b])), 'uploaded');
  assert.equal(await client.pushBlob(direct, blob(layer), () => Readable.from([layer])), 'present');
  await client.putManifest(direct, 'v1', MEDIA.ociManifest, manifest);
  await client.putManifest(direct, 'v2', MEDIA.ociManifest, manifest);
  await client.putManifest(direct, 'untyped', MEDIA.ociManifest, untyped);
  repo = { registry: proxy.host, repository: 't/app' };
});

after(async () => {
  client?.close();
  await proxy?.close();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  proxy.rules.length = 0;
  proxy.log.length = 0;
});

test('getManifest by tag and by digest checks the digest and gives the media type', {
  timeout: 30_000,
}, async () => {
  const byTag = await client.getManifest(repo, 'v1');
  assert.deepEqual(byTag.bytes, manifest);
  assert.equal(byTag.digest, sha256(manifest));
  assert.equal(byTag.mediaType, MEDIA.ociManifest);
  const byDigest = await client.getManifest(repo, sha256(manifest), undefined, manifest.length);
  assert.equal(byDigest.digest, sha256(manifest));
  // A manifest without a mediaType field has the type the registry's Content-Type names.
  proxy.rules.push({
    method: 'GET',
    path: /\/manifests\/untyped$/,
    fault: 'headers',
    headers: { 'Content-Type': MEDIA.dockerManifest },
    times: 1,
  });
  assert.equal((await client.getManifest(repo, 'untyped')).mediaType, MEDIA.dockerManifest);
});

test('getManifest: a missing tag or digest is "not found" naming the reference, with a hint', {
  timeout: 30_000,
}, async () => {
  const hint = 'check the repository name and the tag or digest (crossdock inspect lists what is there)';
  await assert.rejects(
    client.getManifest(repo, 'nope'),
    fails(new RegExp(`^${esc(proxy.host)}/t/app:nope: not found \\(404 MANIFEST_UNKNOWN: manifest unknown`), {
      status: 404,
      hint,
    }),
  );
  const missing = `sha256:${'e'.repeat(64)}`;
  await assert.rejects(
    client.getManifest(repo, missing),
    fails(new RegExp(`^${esc(proxy.host)}/t/app@${missing}: not found \\(404 MANIFEST_UNKNOWN`), {
      status: 404,
      hint,
    }),
  );
});

test('getManifest: another status is an error with the status and the registry’s own error text', {
  timeout: 30_000,
}, async () => {
  proxy.rules.push({
    method: 'GET',
    path: /\/manifests\/v1$/,
    fault: 'status',
    status: 403,
    body: JSON.stringify({
      errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }],
    }),
    times: 1,
  });
  await assert.rejects(
    client.getManifest(repo, 'v1'),
    fails(
      `${proxy.host}/t/app:v1: the registry answered 403 DENIED: requested access to the resource is denied`,
      {
        status: 403,
      },
    ),
  );
  proxy.rules.push({ method: 'GET', path: /\/manifests\/v1$/, fault: 'status', status: 403, times: 1 });
  await assert.rejects(
    client.getManifest(repo, 'v1'),
    fails(`${proxy.host}/t/app:v1: the registry answered 403`, { status: 403 }),
  );
});

test('getManifest: a manifest of another size than its descriptor says is refused', {
  timeout: 30_000,
}, async () => {
  await assert.rejects(
    client.getManifest(repo, sha256(manifest), undefined, manifest.length + 1),
    fails(
      `${proxy.host}/t/app@${sha256(manifest)}: ${manifest.length} bytes, but the descriptor says ${manifest.length + 1}`,
      { hint: 'the content does not match the index that references it' },
    ),
  );
});

test('headManifest gives digest, media type and size; undefined when absent; an error on another status', {
  timeout: 30_000,
}, async () => {
  assert.deepEqual(await client.headManifest(repo, 'v1'), {
    digest: sha256(manifest),
    mediaType: MEDIA.ociManifest,
    size: manifest.length,
  });
  assert.equal(await client.headManifest(repo, 'nope'), undefined);
  assert.deepEqual(
    proxy.log.map((l) => `${l.method} ${l.path}`),
    ['HEAD /v2/t/app/manifests/v1', 'HEAD /v2/t/app/manifests/nope'],
    'a HEAD, not a GET of the manifest',
  );
  proxy.rules.push({ method: 'HEAD', path: /\/manifests\/v1$/, fault: 'status', status: 403, times: 1 });
  await assert.rejects(
    client.headManifest(repo, 'v1'),
    fails(`${proxy.host}/t/app:v1: the registry answered 403`, { status: 403 }),
  );
  // A registry that answers none of the headers: empty values, not made-up ones.
  proxy.rules.push({
    method: 'HEAD',
    path: /\/manifests\/v1$/,
    fault: 'headers',
    headers: { 'Docker-Content-Digest': null, 'Content-Type': null, 'Content-Length': null },
    times: 1,
  });
  assert.deepEqual(await client.headManifest(repo, 'v1'), { digest: '', mediaType: '', size: 0 });
});

test('getBlob refuses a blob over the limit before reading it, and one of another size than its descriptor', {
  timeout: 30_000,
}, async () => {
  const desc = blob(config);
  assert.deepEqual(await client.getBlob(repo, desc, config.length), config, 'exactly the limit is read');
  await assert.rejects(
    client.getBlob(repo, desc, config.length - 1),
    fails(
      `${proxy.host}/t/app@${desc.digest}: ${config.length} bytes is more than the ${config.length - 1} this operation reads`,
    ),
  );
  assert.deepEqual(proxy.log.length, 1, 'the refused blob was not requested');
  await assert.rejects(
    client.getBlob(repo, { ...desc, size: config.length + 5 }, 1024),
    fails(
      `${proxy.host}/t/app@${desc.digest}: ${config.length} bytes, but the descriptor says ${config.length + 5}`,
      {
        hint: 'the content does not match the manifest that references it',
      },
    ),
  );
});

test('fetchVerifiedBlob refuses a blob the registry announces larger than its descriptor, and names the blob', {
  timeout: 30_000,
}, async () => {
  const desc = blob(layer);
  await assert.rejects(
    client.fetchVerifiedBlob(repo, { ...desc, size: layer.length - 1 }),
    fails(
      `${proxy.host}/t/app@${desc.digest}: the registry announces ${layer.length} bytes, more than the ${layer.length - 1} its descriptor says`,
      { hint: 'the content does not match the manifest that references it' },
    ),
  );
  proxy.rules.push({ method: 'GET', path: /\/blobs\//, fault: 'corrupt', times: 1 });
  await assert.rejects(
    client.fetchVerifiedBlob(repo, desc),
    fails(new RegExp(`^${esc(proxy.host)}/t/app@${desc.digest}: content does not match its digest`)),
  );
  const ok = await client.fetchVerifiedBlob(repo, desc);
  assert.equal(ok.size, layer.length);
  assert.deepEqual(await readAll(ok), layer);
  await ok.dispose();
});

test('a blob answered without Content-Length (chunked) is read and verified, even an empty one', {
  timeout: 30_000,
}, async () => {
  for (const b of [layer, empty]) {
    proxy.rules.push({
      method: 'GET',
      path: /\/blobs\//,
      fault: 'headers',
      headers: { 'Content-Length': null },
      times: 1,
    });
    const v = await client.fetchVerifiedBlob(repo, blob(b));
    assert.equal(v.size, b.length);
    assert.deepEqual(await readAll(v), b);
    await v.dispose();
  }
  assert.deepEqual(
    proxy.log.map((l) => l.fault),
    ['headers', 'headers'],
  );
});

test('blobs up to 4 MiB are verified in memory: they need no TMPDIR; a larger one does', {
  timeout: 60_000,
}, async () => {
  const notDir = join(work, 'not-a-dir');
  writeFileSync(notDir, '');
  await withTmp(notDir, async () => {
    for (const b of [layer, exact]) {
      const v = await client.fetchVerifiedBlob(repo, blob(b));
      assert.equal(v.size, b.length);
      assert.deepEqual(await readAll(v), b);
      await v.dispose();
    }
    await assert.rejects(
      client.fetchVerifiedBlob(repo, blob(over)),
      fails(/@sha256:[0-9a-f]{64}: cannot write its temporary copy \(ENOTDIR\)$/),
    );
  });
});

test('a blob over 4 MiB is verified through a temporary file, read back as often as needed, then removed', {
  timeout: 60_000,
}, async () => {
  const tmp = mkdtempSync(join(work, 'tmp-'));
  await withTmp(tmp, async () => {
    const v = await client.fetchVerifiedBlob(repo, blob(big));
    assert.equal(v.size, big.length);
    assert.equal(readdirSync(tmp).length, 1, 'one temporary folder while the blob is held');
    assert.ok(sha256(await readAll(v)) === sha256(big));
    assert.ok(sha256(await readAll(v)) === sha256(big), 'read twice');
    await v.dispose();
    assert.deepEqual(readdirSync(tmp), [], 'disposed: the temporary copy is gone');
    await v.dispose();
    // Corrupt on the way: refused, and nothing is left behind.
    proxy.rules.push({ method: 'GET', path: /\/blobs\//, fault: 'corrupt', times: 1 });
    await assert.rejects(
      client.fetchVerifiedBlob(repo, blob(big)),
      fails(/content does not match its digest/),
    );
    assert.deepEqual(readdirSync(tmp), [], 'a refused blob leaves no temporary copy');
  });
});

test('putManifest under a digest that is not the manifest’s own sends nothing', {
  timeout: 30_000,
}, async () => {
  const wrong = `sha256:${'1'.repeat(64)}`;
  await assert.rejects(
    client.putManifest(repo, wrong, MEDIA.ociManifest, manifest),
    fails(
      `push manifest ${proxy.host}/t/app@${wrong}: crossdock computed ${sha256(manifest)} for the manifest it was about to push, not the digest it is pushed under; nothing was sent`,
      { hint: 'this is a bug in the caller: a manifest must be pushed under its own digest' },
    ),
  );
  assert.deepEqual(proxy.log, [], 'nothing was sent');
  assert.equal(
    await client.putManifest(repo, sha256(manifest), MEDIA.ociManifest, manifest),
    sha256(manifest),
  );
});

test('putManifest: a manifest the registry refuses is an error with its status and text; 400 says why', {
  timeout: 30_000,
}, async () => {
  const dangling = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: blob(config, 'application/vnd.oci.image.config.v1+json'),
      layers: [blob(Buffer.from('never pushed'), 'application/vnd.oci.image.layer.v1.tar+gzip')],
    }),
  );
  await assert.rejects(
    client.putManifest(repo, 'dangling', MEDIA.ociManifest, dangling),
    fails(
      new RegExp(`^push manifest ${esc(proxy.host)}/t/app:dangling: refused \\(400 MANIFEST_BLOB_UNKNOWN`),
      {
        status: 400,
        hint: 'the registry rejected the manifest: a referenced blob or child manifest is missing there',
      },
    ),
  );
  proxy.rules.push({ method: 'PUT', path: /\/manifests\//, fault: 'status', status: 403, times: 1 });
  await assert.rejects(
    client.putManifest(repo, 'v3', MEDIA.ociManifest, manifest),
    fails(`push manifest ${proxy.host}/t/app:v3: refused (403)`, { status: 403, hint: undefined }),
  );
});

test('putManifest accepts a registry that answers no Docker-Content-Digest, and refuses one that answers another', {
  timeout: 30_000,
}, async () => {
  const digest = sha256(manifest);
  for (const value of [null, '']) {
    proxy.rules.push({
      method: 'PUT',
      path: /\/manifests\//,
      fault: 'headers',
      headers: { 'Docker-Content-Digest': value },
      times: 1,
    });
    assert.equal(await client.putManifest(repo, 'v4', MEDIA.ociManifest, manifest), digest, String(value));
  }
  // A registry that answers 200 instead of 201 Created stored the manifest all the same.
  proxy.rules.push({ method: 'PUT', path: /\/manifests\//, fault: 'headers', status: 200, times: 1 });
  assert.equal(await client.putManifest(repo, 'v6', MEDIA.ociManifest, manifest), digest);
  assert.equal(proxy.log.at(-1)?.fault, 'headers');
  proxy.rules.push({ method: 'PUT', path: /\/manifests\//, fault: 'digest-header', times: 1 });
  await assert.rejects(
    client.putManifest(repo, 'v5', MEDIA.ociManifest, manifest),
    fails(
      `push manifest ${proxy.host}/t/app:v5: the registry answered that it stored sha256:${'0'.repeat(64)}, but the manifest crossdock sent has digest ${digest}`,
      {
        hint: 'the registry or a proxy in front of it changed the manifest on the way; check them before trusting this push, then push again',
      },
    ),
  );
});

test('listTags lists the tags; an unknown repository is not found; other answers are clear errors', {
  timeout: 30_000,
}, async () => {
  const tags = await client.listTags({ ...repo, repository: 't/app' });
  for (const t of ['v1', 'v2', 'untyped']) assert.ok(tags.includes(t), `${t} in ${tags.join(', ')}`);
  await assert.rejects(
    client.listTags({ ...repo, repository: 'no/such' }),
    fails(new RegExp(`^tags of ${esc(proxy.host)}/no/such: not found \\(404 NAME_UNKNOWN`), { status: 404 }),
  );
  proxy.rules.push({ method: 'GET', path: /\/tags\/list$/, fault: 'status', status: 403, times: 1 });
  await assert.rejects(
    client.listTags(repo),
    fails(`tags of ${proxy.host}/t/app: the registry answered 403`, { status: 403 }),
  );
  proxy.rules.push({ method: 'GET', path: /\/tags\/list$/, fault: 'html', times: 1 });
  await assert.rejects(client.listTags(repo), fails(`tags of ${proxy.host}/t/app: the answer is not JSON`));
  // Registries answer "tags": null for a repository without tags.
  proxy.rules.push({
    method: 'GET',
    path: /\/tags\/list$/,
    fault: 'status',
    status: 200,
    body: JSON.stringify({ name: 't/app', tags: null }),
    times: 1,
  });
  assert.deepEqual(await client.listTags(repo), []);
});
