import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { bypassesProxy, describeProxy, proxiedHttp, proxyFor } from '../../src/net/proxy.js';
import { PACKAGES } from '../deps/fixture.js';
import { runCli } from '../helpers/cli.js';
import { syntheticLayout } from '../helpers/images.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { type RunningIndex, startJsonIndex, writeIndex } from '../helpers/pyindex.js';
import { freePort, skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as curl and pip read them, through a real proxy (tinyproxy): the registry
 * client tunnels with CONNECT and still verifies the registry's certificate; the package index client sends
 * absolute-URI requests for an http index; NO_PROXY hosts are reached directly.
 */
let work: string;
let pki: Pki;
let registry: TestRegistry;
let proxy: TestProxy;
let index: RunningIndex;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-proxy-test-'));
  pki = makePki(join(work, 'pki'));
  const cert = pki.server('registry');
  registry = await startRegistry({ tls: { cert: cert.chain, key: cert.key } });
  const layout = syntheticLayout(join(work, 'img'));
  skopeo([
    'copy',
    '--all',
    '--quiet',
    // Only the fixture: the image is put in place by skopeo, the tests' verification is crossdock's.
    '--dest-tls-verify=false',
    `oci:${layout.dir}:latest`,
    `docker://${registry.host}/team/app:1`,
  ]);
  writeIndex(join(work, 'index'), PACKAGES);
  index = await startJsonIndex(join(work, 'index'));
  proxy = await startProxy();
});

after(async () => {
  await proxy?.stop();
  await registry?.stop();
  await index?.close();
  rmSync(work, { recursive: true, force: true });
});

test('which proxy a URL takes: scheme, lower case first, NO_PROXY hosts, domains, ports and *', () => {
  const env = {
    https_proxy: 'http://lower:3128',
    HTTPS_PROXY: 'http://upper:3128',
    HTTP_PROXY: 'proxy.example.com:8080',
    NO_PROXY: 'localhost, .internal.example, registry.example.com:5000,[::1]:5000',
  };
  assert.equal(proxyFor(new URL('https://ghcr.io/v2/'), env)?.host, 'lower:3128');
  assert.equal(proxyFor(new URL('http://pypi.example/simple'), env)?.href, 'http://proxy.example.com:8080/');
  assert.equal(proxyFor(new URL('https://localhost/v2/'), env), undefined);
  assert.equal(proxyFor(new URL('https://a.internal.example/v2/'), env), undefined);
  assert.equal(proxyFor(new URL('https://internal.example/v2/'), env), undefined);
  assert.equal(proxyFor(new URL('https://notinternal.example/v2/'), env)?.host, 'lower:3128');
  assert.equal(proxyFor(new URL('https://registry.example.com:5000/v2/'), env), undefined);
  assert.equal(proxyFor(new URL('https://registry.example.com/v2/'), env)?.host, 'lower:3128');
  assert.equal(proxyFor(new URL('https://[::1]:5000/v2/'), env), undefined);
  assert.equal(proxyFor(new URL('https://ghcr.io/v2/'), {}), undefined);
  assert.equal(bypassesProxy('anything', '443', { no_proxy: '*' }), true);
  assert.equal(proxyFor(new URL('https://ghcr.io/'), { ALL_PROXY: 'http://all:1' })?.host, 'all:1');
  // Plain http goes to the proxy in absolute-URI form, over TLS to an https:// proxy; credentials in the proxy URL
  // become Proxy-Authorization and never appear in what is shown.
  const secureProxy = new URL('https://ci:s3cret@proxy.example.com:3129');
  const via = proxiedHttp(new URL('http://index.example:8080/simple/x/'), secureProxy);
  assert.equal(via.origin, 'https://proxy.example.com:3129');
  assert.equal(via.options.path, 'http://index.example:8080/simple/x/');
  assert.deepEqual(via.options.headers, {
    Host: 'index.example:8080',
    'Proxy-Authorization': `Basic ${Buffer.from('ci:s3cret').toString('base64')}`,
  });
  assert.equal(describeProxy(secureProxy), 'https://ci@proxy.example.com:3129');
  assert.throws(
    () => proxyFor(new URL('https://ghcr.io/'), { HTTPS_PROXY: 'socks5://s:1080' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /HTTPS_PROXY: a socks5 proxy is not supported/);
      return true;
    },
  );
});

const connects = () =>
  proxy
    .log()
    .split('\n')
    .filter((l) => l.includes(`CONNECT ${registry.host}`)).length;

test('inspect through HTTPS_PROXY: a CONNECT tunnel, the registry certificate still verified; NO_PROXY goes direct', {
  timeout: 60_000,
}, async () => {
  const ref = `${registry.host}/team/app:1`;
  const before = connects();
  const through = await runCli(['inspect', ref, '--ca-file', pki.caPath, '--format', 'json'], {
    env: { HTTPS_PROXY: proxy.url },
  });
  assert.equal(through.code, 0, through.stderr);
  assert.ok(connects() > before, `the proxy saw no CONNECT to ${registry.host}:\n${proxy.log()}`);

  // Through the tunnel the registry's certificate is verified as without a proxy.
  const untrusted = await runCli(['inspect', ref, '--format', 'json'], { env: { HTTPS_PROXY: proxy.url } });
  assert.notEqual(untrusted.code, 0);
  assert.match(untrusted.stderr, /certificate/i);

  const direct = connects();
  const bypass = await runCli(['inspect', ref, '--ca-file', pki.caPath, '--format', 'json'], {
    env: { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
  });
  assert.equal(bypass.code, 0, bypass.stderr);
  assert.equal(connects(), direct, 'NO_PROXY: no CONNECT');
  assert.deepEqual(JSON.parse(bypass.stdout), JSON.parse(through.stdout));
});

test('a proxy that is not there: the error names the proxy, not the registry', {
  timeout: 60_000,
}, async () => {
  const closed = await freePort();
  const r = await runCli(['inspect', `${registry.host}/team/app:1`, '--ca-file', pki.caPath], {
    env: { HTTPS_PROXY: `http://127.0.0.1:${closed}`, CROSSDOCK_BACKOFF_MS: '5' },
  });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`proxy http://127\\.0\\.0\\.1:${closed}`));
});

test('deps through HTTP_PROXY: the index pages come through the proxy, with the same verdicts', {
  timeout: 60_000,
}, async () => {
  const repo = join(work, 'reqs');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(repo, { recursive: true });
  writeFileSync(join(repo, 'requirements.txt'), 'purepkg==1.0\nbin-pkg==2.0\n');
  const argv = [
    'deps',
    join(repo, 'requirements.txt'),
    '--index-url',
    index.url,
    '--python',
    '3.11',
    '--platform',
    'linux/amd64,linux/arm64',
    '--libc',
    'glibc-2.36',
    '--format',
    'json',
    '--fail-on',
    'never',
  ];
  const seen = () =>
    proxy
      .log()
      .split('\n')
      .filter((l) => l.includes('/simple/purepkg/')).length;
  const before = seen();
  const through = await runCli(argv, {
    env: { HTTP_PROXY: proxy.url, XDG_CACHE_HOME: join(work, 'cache-proxy'), HOME: work },
  });
  assert.equal(through.code, 0, through.stderr);
  assert.ok(seen() > before, `the proxy forwarded no index request:\n${proxy.log()}`);
  const direct = await runCli(argv, { env: { XDG_CACHE_HOME: join(work, 'cache-direct'), HOME: work } });
  assert.equal(direct.code, 0, direct.stderr);
  const packages = (s: string) => (JSON.parse(s) as { packages: unknown[] }).packages;
  assert.deepEqual(packages(through.stdout), packages(direct.stdout));
});

test('deps through HTTPS_PROXY to an index behind a private CA: tunnelled, and verified with --ca-file', {
  timeout: 60_000,
}, async (t) => {
  const cert = pki.server('index');
  const secure = await startJsonIndex(join(work, 'index'), { tls: { chain: cert.chain, key: cert.key } });
  t.after(() => secure.close());
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(join(work, 'reqs-tls'), { recursive: true });
  writeFileSync(join(work, 'reqs-tls', 'requirements.txt'), 'purepkg==1.0\n');
  const host = new URL(secure.url).host;
  const tunnels = () =>
    proxy
      .log()
      .split('\n')
      .filter((l) => l.includes(`CONNECT ${host}`)).length;
  const argv = [
    'deps',
    join(work, 'reqs-tls', 'requirements.txt'),
    '--index-url',
    secure.url,
    '--python',
    '3.11',
    '--platform',
    'linux/arm64',
    '--libc',
    'glibc-2.36',
    '--format',
    'json',
  ];
  const env = (cache: string) => ({ HTTPS_PROXY: proxy.url, XDG_CACHE_HOME: join(work, cache), HOME: work });
  const before = tunnels();
  const trusted = await runCli([...argv, '--ca-file', pki.caPath], { env: env('cache-tls-proxy') });
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.ok(tunnels() > before, `no CONNECT to ${host}:\n${proxy.log()}`);
  const untrusted = await runCli(argv, { env: env('cache-tls-proxy-2') });
  assert.notEqual(untrusted.code, 0);
  assert.match(untrusted.stderr, /TLS/);
});
