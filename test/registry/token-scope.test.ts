import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { CredentialStore } from '../../src/registry/auth.js';
import { RegistryClient } from '../../src/registry/client.js';
import { type Descriptor, MEDIA } from '../../src/registry/types.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startTokenIssuer, type TokenIssuer } from '../helpers/token-issuer.js';

/**
 * Bearer tokens are asked for with the scope the operation needs: a manifest push asks the token service for
 * pull,push on the repository, a read for pull only (real registry in token mode, real token service).
 */
let work: string;
let issuer: TokenIssuer;
let registry: TestRegistry;

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const blob = (bytes: Buffer, mediaType: string): Descriptor => ({
  mediaType,
  digest: sha256(bytes),
  size: bytes.length,
});

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-token-scope-'));
  issuer = await startTokenIssuer(work, { ci: 's3cret' });
  registry = await startRegistry({
    token: {
      realm: `http://${issuer.host}/token`,
      service: 'crossdock-test',
      issuer: 'crossdock-test-issuer',
      rootCertBundle: issuer.certPath,
    },
  });
});

after(async () => {
  await registry?.stop();
  await issuer?.close();
  rmSync(work, { recursive: true, force: true });
});

test('a manifest push asks for a pull,push token; reading it back asks for pull', {
  timeout: 30_000,
}, async () => {
  const client = new RegistryClient({
    trust: { plainHttp: [registry.host, issuer.host] },
    backoffMs: 1,
    credentials: new CredentialStore({
      explicit: { username: 'ci', password: 's3cret' },
      authHosts: [issuer.host],
    }),
  });
  try {
    const repo = { registry: registry.host, repository: 'team/app' };
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const layer = Buffer.from('layer bytes');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        config: blob(config, 'application/vnd.oci.image.config.v1+json'),
        layers: [blob(layer, 'application/vnd.oci.image.layer.v1.tar+gzip')],
      }),
    );
    // A client of its own for the blobs: the manifest push starts without a token or challenge.
    const blobs = new RegistryClient({
      trust: { plainHttp: [registry.host, issuer.host] },
      credentials: new CredentialStore({
        explicit: { username: 'ci', password: 's3cret' },
        authHosts: [issuer.host],
      }),
    });
    for (const b of [config, layer])
      await blobs.pushBlob(repo, blob(b, 'application/octet-stream'), () => Readable.from([b]));
    blobs.close();

    const before = issuer.requests.length;
    assert.equal(await client.putManifest(repo, '1', MEDIA.ociManifest, manifest), sha256(manifest));
    const scopes = issuer.requests
      .slice(before)
      .map((r) => new URL(r.url, 'http://x').searchParams.getAll('scope').join(' '));
    assert.deepEqual(scopes, ['repository:team/app:pull,push']);

    const reader = new RegistryClient({
      trust: { plainHttp: [registry.host, issuer.host] },
      credentials: new CredentialStore({
        explicit: { username: 'ci', password: 's3cret' },
        authHosts: [issuer.host],
      }),
    });
    const read = issuer.requests.length;
    assert.equal((await reader.getManifest(repo, '1')).digest, sha256(manifest));
    reader.close();
    assert.deepEqual(
      issuer.requests
        .slice(read)
        .map((r) => new URL(r.url, 'http://x').searchParams.getAll('scope').join(' ')),
      ['repository:team/app:pull'],
    );
  } finally {
    client.close();
  }
});

test('a challenge naming the same scope with its actions in another order (push,pull) is not asked for twice', {
  timeout: 30_000,
}, async () => {
  const [host, port] = registry.host.split(':');
  const proxy = await startFaultProxy({ host: host ?? '127.0.0.1', port: Number(port) });
  const client = new RegistryClient({
    trust: { plainHttp: [proxy.host, issuer.host] },
    backoffMs: 1,
    credentials: new CredentialStore({
      explicit: { username: 'ci', password: 's3cret' },
      authHosts: [issuer.host],
    }),
  });
  try {
    const repo = { registry: proxy.host, repository: 'team/order' };
    // The registry's challenge, its scope written push,pull (as some registries order it).
    proxy.rules.push({
      method: 'POST',
      path: /\/blobs\/uploads\/$/,
      fault: 'headers',
      headers: {
        'WWW-Authenticate': `Bearer realm="http://${issuer.host}/token",service="crossdock-test",scope="repository:team/order:push,pull"`,
      },
      times: 1,
    });
    const bytes = Buffer.from('order');
    const before = issuer.requests.length;
    await client.pushBlob(repo, blob(bytes, 'application/octet-stream'), () => Readable.from([bytes]));
    assert.deepEqual(
      issuer.requests
        .slice(before)
        .map((r) => new URL(r.url, 'http://x').searchParams.getAll('scope').join(' ')),
      ['repository:team/order:pull,push'],
    );
  } finally {
    client.close();
    await proxy.close();
  }
});
