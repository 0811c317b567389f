import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { type Layout, syntheticLayout } from '../helpers/images.js';
import { runCli } from '../helpers/cli.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * The real registry behind a fault-injecting proxy: crossdock retries what is temporary (500, 429, resets),
 * rejects what is corrupt (wrong digest, truncated, HTML), and never leaves a tag on a partial image.
 */
let work: string;
let registry: TestRegistry;
let proxy: FaultProxy;
let layout: Layout;
const env = { CROSSDOCK_BACKOFF_MS: '5' };

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-faults-'));
  registry = await startRegistry();
  proxy = await startFaultProxy({ host: '127.0.0.1', port: registry.port });
  layout = syntheticLayout(join(work, 'img'));
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
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  proxy.rules.length = 0;
  proxy.log.length = 0;
});

const cli = (...args: string[]) =>
  runCli([...args, '--plain-http', proxy.host, '--plain-http', registry.host], { env });

test('500, 429 and connection resets are retried, and the copy completes with the right digest', async () => {
  proxy.rules.push(
    { method: 'GET', path: /\/manifests\//, fault: 'status500', times: 2 },
    { method: 'GET', path: /\/blobs\/sha256/, fault: 'status429', times: 2 },
    { method: 'GET', path: /\/manifests\/sha256/, fault: 'reset', times: 1 },
  );
  const r = await cli('copy', `${proxy.host}/src/app:1`, `${registry.host}/dst/app:1`, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { digest: string }).digest, layout.indexDigest);
  assert.match(r.stderr, /retry 1: .* answered 500/);
  assert.match(r.stderr, /answered 429/);
  assert.equal(
    proxy.rules.every((x) => x.times === 0),
    true,
    'every injected fault was hit',
  );
  const raw = skopeo([
    'inspect',
    '--raw',
    '--tls-verify=false',
    `docker://${registry.host}/dst/app:1`,
  ]).stdout;
  assert.match(raw, /"schemaVersion":2/);
});

test('a blob whose content does not match its digest is refused and the tag is never written', async () => {
  proxy.rules.push({ method: 'GET', path: /\/v2\/src\/app\/blobs\/sha256/, fault: 'corrupt', times: 50 });
  const r = await cli('copy', `${proxy.host}/src/app:1`, `${registry.host}/broken/app:1`);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /does not match its digest|DIGEST_INVALID|refused the upload/);
  const tags = skopeo(
    ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/broken/app:1`],
    true,
  );
  assert.notEqual(tags.code, 0, 'no tag points at a partial image');
  assert.match(tags.stderr, /manifest unknown|not found/i);
});

test('a corrupt manifest is rejected (digest mismatch); an HTML answer and a 100 MB manifest are clear errors', async () => {
  proxy.rules.push({ method: 'GET', path: /\/manifests\/sha256/, fault: 'corrupt', times: 10 });
  const corrupt = await cli('inspect', `${proxy.host}/src/app:1`);
  assert.equal(corrupt.code, 2);
  assert.match(corrupt.stderr, /content does not match its digest/);
  proxy.rules.length = 0;
  proxy.rules.push({ method: 'GET', path: /\/manifests\/1$/, fault: 'html', times: 10 });
  const html = await cli('inspect', `${proxy.host}/src/app:1`);
  assert.equal(html.code, 2);
  assert.match(html.stderr, /answered an HTML page instead of a manifest/);
  proxy.rules.length = 0;
  proxy.rules.push({ method: 'GET', path: /\/manifests\/1$/, fault: 'huge', times: 10 });
  const huge = await cli('inspect', `${proxy.host}/src/app:1`);
  assert.equal(huge.code, 2);
  assert.match(huge.stderr, /sent 104857600 bytes, more than the 4194304 allowed/);
});

test('a truncated blob is retried; when it keeps failing the copy gives up with a clear message', async () => {
  proxy.rules.push({ method: 'GET', path: /\/v2\/src\/app\/blobs\/sha256/, fault: 'truncate', times: 1 });
  const once = await cli('copy', `${proxy.host}/src/app:1`, `${registry.host}/trunc/app:1`);
  assert.equal(once.code, 0, once.stderr);
  proxy.rules.push({ method: 'GET', path: /\/v2\/src\/app\/blobs\/sha256/, fault: 'reset', times: 1000 });
  const never = await cli('copy', `${proxy.host}/src/app:1`, `${registry.host}/never/app:1`);
  assert.equal(never.code, 2);
  assert.match(never.stderr, /gave up after 5 attempts|connection reset/);
  const tag = skopeo(
    ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/never/app:1`],
    true,
  );
  assert.notEqual(tag.code, 0);
});

test('malformed references are usage errors that say what is wrong', async () => {
  const r = await runCli(['inspect', 'Registry.Example.com/Team/App:1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is not a valid image reference: repository path "Team\/App" has uppercase letters/);
  const r2 = await runCli(['inspect', 'localhost:5000/app:bad tag']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /cannot contain spaces/);
});

test('redirects to another host (blob storage) never carry the credentials', async () => {
  let authed: TestRegistry | undefined;
  let front: FaultProxy | undefined;
  let storage: FaultProxy | undefined;
  try {
    authed = await startRegistry({ htpasswd: { user: 'ci', password: 'secret' } });
    front = await startFaultProxy({ host: '127.0.0.1', port: authed.port });
    storage = await startFaultProxy({ host: '127.0.0.1', port: registry.port });
    const storageHost = storage.host;
    // Every read of src/app is redirected to another host:port, as registries do to their blob storage.
    front.rules.push({
      method: 'GET',
      path: /^\/v2\/src\/app\/(manifests|blobs)\//,
      fault: 'redirect',
      times: 1000,
      authorizedOnly: true,
      location: (path) => `http://${storageHost}${path}`,
    });
    const r = await runCli(
      [
        'inspect',
        `${front.host}/src/app:1`,
        '--plain-http',
        front.host,
        '--plain-http',
        storage.host,
        '--username',
        'ci',
        '--password-stdin',
        '--format',
        'json',
      ],
      { env, stdin: 'secret\n' },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { digest: string }).digest, layout.indexDigest);
    assert.ok(
      front.log.some((l) => l.authorization && l.fault === 'redirect'),
      'the registry got the credentials',
    );
    assert.ok(storage.log.length >= 3, 'the manifests and config were read from the other host');
    assert.deepEqual(
      storage.log.filter((l) => l.authorization),
      [],
      'the other host never saw them',
    );
    const wrong = await runCli(
      [
        'inspect',
        `${authed.host}/src/app:1`,
        '--plain-http',
        authed.host,
        '--username',
        'ci',
        '--password-stdin',
      ],
      { env, stdin: 'nope\n' },
    );
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /requires authentication and refused the credentials of ci/);
  } finally {
    await front?.close();
    await storage?.close();
    await authed?.stop();
  }
});

test('a redirect or upload location to ftp:// or file:// is a clear error, not an internal one', {
  timeout: 60_000,
}, async () => {
  for (const location of ['ftp://127.0.0.1:2121/blob', 'file:///etc/passwd']) {
    proxy.rules.length = 0;
    proxy.rules.push({
      method: 'GET',
      path: /\/v2\/src\/app\/manifests\//,
      fault: 'redirect',
      times: 10,
      location: () => location,
    });
    const r = await cli('inspect', `${proxy.host}/src/app:1`);
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.match(
      r.stderr,
      new RegExp(
        `the registry redirects to ${location.replace(/[/.]/g, '\\$&')}, which is not an http\\(s\\) URL; refused`,
      ),
    );
  }
  // An upload session whose Location is not http(s): the copy stops there and says so.
  proxy.rules.length = 0;
  proxy.rules.push({
    method: 'POST',
    path: /\/v2\/ftp\/app\/blobs\/uploads\//,
    fault: 'redirect',
    status: 202,
    times: 100,
    location: () => 'ftp://127.0.0.1:2121/upload',
  });
  const up = await cli('copy', `${registry.host}/src/app:1`, `${proxy.host}/ftp/app:1`);
  assert.equal(up.code, 2, up.stderr);
  assert.doesNotMatch(up.stderr, /internal error/);
  assert.match(
    up.stderr,
    /upload location: the registry redirects to ftp:\/\/127\.0\.0\.1:2121\/upload, which is not an http\(s\) URL/,
  );
});

test('a registry that trickles its answer is cut off at the total deadline, not held forever', {
  timeout: 60_000,
}, async () => {
  // One byte every 400 ms: the connection is never idle for long, so only a total deadline ends it.
  proxy.rules.push({
    method: 'GET',
    path: /\/v2\/src\/app\/manifests\/1$/,
    fault: 'trickle',
    times: 10,
    intervalMs: 400,
  });
  const started = Date.now();
  const r = await runCli(['inspect', `${proxy.host}/src/app:1`, '--plain-http', proxy.host], {
    env: { ...env, CROSSDOCK_DEADLINE_MS: '3000' },
  });
  const elapsed = Date.now() - started;
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /no complete answer to GET \/v2\/src\/app\/manifests\/1 within 3 s \(total deadline\)/,
  );
  assert.ok(elapsed >= 2900 && elapsed < 15_000, `gave up after ${elapsed} ms`);
  assert.equal(proxy.log.filter((l) => l.fault === 'trickle').length, 1, 'a stalled exchange is not retried');
});

test('a registry that answers another Docker-Content-Digest than the manifest pushed stops the copy before the tag', {
  timeout: 60_000,
}, async () => {
  proxy.rules.push({
    method: 'PUT',
    path: /\/v2\/liar\/app\/manifests\//,
    fault: 'digest-header',
    times: 100,
  });
  const r = await cli('copy', `${registry.host}/src/app:1`, `${proxy.host}/liar/app:1`);
  assert.equal(r.code, 2, r.stderr);
  const child = layout.platforms[0]?.manifestDigest ?? '';
  assert.match(
    r.stderr,
    new RegExp(
      `push manifest ${proxy.host.replace(/\./g, '\\.')}/liar/app@${child}: the registry answered that it stored sha256:0{64}, but the manifest crossdock sent has digest ${child}`,
    ),
  );
  const puts = proxy.log.filter((l) => l.method === 'PUT' && /\/manifests\//.test(l.path));
  assert.deepEqual(
    puts.map((l) => l.path),
    [`/v2/liar/app/manifests/${child}`],
    'the first answer stopped the copy: no other manifest, no tag',
  );
  const tag = skopeo(
    ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/liar/app:1`],
    true,
  );
  assert.notEqual(tag.code, 0);
});
