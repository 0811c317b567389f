import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { type Layout, syntheticLayout } from '../helpers/images.js';
import { skopeo, skopeoAsync, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startTokenIssuer, type TokenIssuer } from '../helpers/token-issuer.js';

/**
 * Authentication against the real registry: htpasswd Basic auth with credentials from Docker's config.json and
 * from --password-stdin, and Bearer token auth through a small token issuer (helpers/token-issuer.ts; the
 * registry verifies the RS256 tokens against the issuer's certificate, as with any real token service).
 */
let work: string;
let basic: TestRegistry;
let tokenRegistry: TestRegistry;
let issuer: TokenIssuer;
let issuerHost: string;
let layout: Layout;
const env = { CROSSDOCK_BACKOFF_MS: '5' };

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-auth-'));
  layout = syntheticLayout(join(work, 'img'));
  basic = await startRegistry({ htpasswd: { user: 'ci', password: 's3cret' } });
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-tls-verify=false',
    '--dest-creds',
    'ci:s3cret',
    `oci:${layout.dir}:latest`,
    `docker://${basic.host}/team/app:1`,
  ]);

  issuer = await startTokenIssuer(work, { ci: 's3cret' });
  issuerHost = issuer.host;
  tokenRegistry = await startRegistry({
    token: {
      realm: `http://${issuerHost}/token`,
      service: 'crossdock-test',
      issuer: 'crossdock-test-issuer',
      rootCertBundle: issuer.certPath,
    },
  });
});

after(async () => {
  await basic?.stop();
  await tokenRegistry?.stop();
  // issuer is unset when before() failed early; close() does not wait on open connections.
  await issuer?.close();
  rmSync(work, { recursive: true, force: true });
});

test('Basic auth: no credentials is a clear error; Docker config.json auths and --password-stdin both work', {
  timeout: 60_000,
}, async () => {
  const none = await runCli(['inspect', `${basic.host}/team/app:1`, '--plain-http', basic.host], { env });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /requires authentication/);
  assert.match(none.stderr, /docker login/);
  const cfg = join(work, 'docker');
  mkdirSync(cfg, { recursive: true });
  writeFileSync(
    join(cfg, 'config.json'),
    JSON.stringify({ auths: { [basic.host]: { auth: Buffer.from('ci:s3cret').toString('base64') } } }),
  );
  const viaConfig = await runCli(
    ['inspect', `${basic.host}/team/app:1`, '--plain-http', basic.host, '--format', 'json'],
    { env: { ...env, DOCKER_CONFIG: cfg } },
  );
  assert.equal(viaConfig.code, 0, viaConfig.stderr);
  assert.equal((JSON.parse(viaConfig.stdout) as { digest: string }).digest, layout.indexDigest);
  const viaStdin = await runCli(
    ['inspect', `${basic.host}/team/app:1`, '--plain-http', basic.host, '-u', 'ci', '--password-stdin'],
    { env, stdin: 's3cret\n' },
  );
  assert.equal(viaStdin.code, 0, viaStdin.stderr);
  const helperCfg = join(work, 'docker-helper');
  mkdirSync(helperCfg, { recursive: true });
  writeFileSync(join(helperCfg, 'config.json'), JSON.stringify({ credsStore: 'crossdock-test-missing' }));
  const missingHelper = await runCli(['inspect', `${basic.host}/team/app:1`, '--plain-http', basic.host], {
    env: { ...env, DOCKER_CONFIG: helperCfg },
  });
  assert.equal(missingHelper.code, 2);
  assert.match(missingHelper.stderr, /docker-credential-crossdock-test-missing .* is not installed/);
  const noPasswordFlag = await runCli(['inspect', `${basic.host}/team/app:1`, '-u', 'ci']);
  assert.equal(noPasswordFlag.code, 2);
  assert.match(noPasswordFlag.stderr, /passwords are never taken as arguments/);
});

test('Bearer tokens: the copy gets a pull,push token with the credentials; an anonymous reader gets one cached pull token', {
  timeout: 60_000,
}, async () => {
  // The source's credentials come from Docker's config; --username is for the destination only.
  const cfg = join(work, 'docker-src');
  mkdirSync(cfg, { recursive: true });
  writeFileSync(
    join(cfg, 'config.json'),
    JSON.stringify({ auths: { [basic.host]: { auth: Buffer.from('ci:s3cret').toString('base64') } } }),
  );
  const r = await runCli(
    [
      'copy',
      `${basic.host}/team/app:1`,
      `${tokenRegistry.host}/team/app:1`,
      '--plain-http',
      basic.host,
      '--plain-http',
      tokenRegistry.host,
      '-u',
      'ci',
      '--password-stdin',
      // The destination's token service is on another host: named, so the --username credentials may go there.
      '--auth-host',
      issuerHost,
      '--format',
      'json',
    ],
    { env: { ...env, DOCKER_CONFIG: cfg }, stdin: 's3cret\n' },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(
    issuer.issued.some((i) => i.scope === 'repository:team/app:pull,push' && i.user === 'ci'),
    JSON.stringify(issuer.issued),
  );
  // Without the config, the source gets no credentials at all: --username never goes to the source registry.
  const noSource = await runCli(
    [
      'copy',
      `${basic.host}/team/app:1`,
      `${tokenRegistry.host}/team/other:1`,
      '--plain-http',
      basic.host,
      '--plain-http',
      tokenRegistry.host,
      '-u',
      'ci',
      '--password-stdin',
      '--auth-host',
      issuerHost,
    ],
    { env, stdin: 's3cret\n' },
  );
  assert.equal(noSource.code, 2);
  assert.match(noSource.stderr, new RegExp(`${basic.host.replace(/\./g, '\\.')} requires authentication\\n`));
  const count = issuer.issued.length;
  const read = await runCli(
    ['inspect', `${tokenRegistry.host}/team/app:1`, '--plain-http', tokenRegistry.host, '--format', 'json'],
    { env },
  );
  assert.equal(read.code, 0, read.stderr);
  assert.equal((JSON.parse(read.stdout) as { digest: string }).digest, layout.indexDigest);
  assert.deepEqual(
    issuer.issued.slice(count).map((i) => [i.scope, i.user ?? null]),
    [['repository:team/app:pull', null]],
    'one anonymous pull token, cached for every request',
  );
  const raw = await skopeoAsync([
    'inspect',
    '--raw',
    '--tls-verify=false',
    '--creds',
    'ci:s3cret',
    `docker://${tokenRegistry.host}/team/app:1`,
  ]);
  assert.match(raw.stdout, /"schemaVersion":2/);
});
