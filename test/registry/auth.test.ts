import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { type Layout, syntheticLayout } from '../helpers/images.js';
import { skopeo, skopeoAsync, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * Authentication against the real registry: htpasswd Basic auth with credentials from Docker's config.json and
 * from --password-stdin, and Bearer token auth through a small token issuer written here (the registry verifies
 * the RS256 tokens against the issuer's certificate, as with any real token service).
 */
let work: string;
let basic: TestRegistry;
let tokenRegistry: TestRegistry;
let issuer: http.Server;
let issuerHost: string;
let layout: Layout;
const issued: { scope: string; user: string | undefined }[] = [];
const env = { CROSSDOCK_BACKOFF_MS: '5' };

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

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

  // Token issuer: RS256 tokens whose x5c header carries the signing certificate the registry trusts.
  const key = join(work, 'signer.key');
  const cert = join(work, 'signer.crt');
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=token signer',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const der = new X509Certificate(readFileSync(cert)).raw.toString('base64');
  const privateKey = readFileSync(key, 'utf8');
  issuer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization;
    const user = auth ? Buffer.from(auth.slice(6), 'base64').toString().split(':') : undefined;
    if (user && !(user[0] === 'ci' && user[1] === 's3cret')) {
      res.writeHead(401);
      res.end();
      return;
    }
    const scope = url.searchParams.get('scope') ?? '';
    issued.push({ scope, user: user?.[0] });
    const [, name = '', actions = ''] = scope.split(':');
    const allowed = actions.split(',').filter((a) => user || a === 'pull');
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
    const claims = b64url(
      JSON.stringify({
        iss: 'crossdock-test-issuer',
        sub: user?.[0] ?? '',
        aud: url.searchParams.get('service'),
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access: [{ type: 'repository', name, actions: allowed }],
      }),
    );
    const sig = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(privateKey);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token: `${header}.${claims}.${b64url(sig)}`, expires_in: 300 }));
  });
  await new Promise<void>((r2) => issuer.listen(0, '127.0.0.1', r2));
  const a = issuer.address();
  issuerHost = `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  tokenRegistry = await startRegistry({
    token: {
      realm: `http://${issuerHost}/token`,
      service: 'crossdock-test',
      issuer: 'crossdock-test-issuer',
      rootCertBundle: cert,
    },
  });
});

after(async () => {
  await basic?.stop();
  await tokenRegistry?.stop();
  // issuer is unset when before() failed early: awaiting its close would then never finish.
  if (issuer) {
    issuer.closeAllConnections();
    await new Promise((r) => issuer.close(r));
  }
  rmSync(work, { recursive: true, force: true });
});

test('Basic auth: no credentials is a clear error; Docker config.json auths and --password-stdin both work', async () => {
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

test('Bearer tokens: the copy gets a pull,push token with the credentials; an anonymous reader gets one cached pull token', async () => {
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
      '--format',
      'json',
    ],
    { env: { ...env, DOCKER_CONFIG: cfg }, stdin: 's3cret\n' },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(
    issued.some((i) => i.scope === 'repository:team/app:pull,push' && i.user === 'ci'),
    JSON.stringify(issued),
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
    ],
    { env, stdin: 's3cret\n' },
  );
  assert.equal(noSource.code, 2);
  assert.match(noSource.stderr, new RegExp(`${basic.host.replace(/\./g, '\\.')} requires authentication\\n`));
  const count = issued.length;
  const read = await runCli(
    ['inspect', `${tokenRegistry.host}/team/app:1`, '--plain-http', tokenRegistry.host, '--format', 'json'],
    { env },
  );
  assert.equal(read.code, 0, read.stderr);
  assert.equal((JSON.parse(read.stdout) as { digest: string }).digest, layout.indexDigest);
  assert.deepEqual(
    issued.slice(count).map((i) => [i.scope, i.user ?? null]),
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
