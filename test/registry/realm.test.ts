import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { syntheticLayout, type Layout } from '../helpers/images.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { skopeo, skopeoAsync, startRegistry, type TestRegistry } from '../helpers/registry.js';
import {
  carriesSecret,
  type RecordedRequest,
  startRecorder,
  startTokenIssuer,
  type TokenIssuer,
} from '../helpers/token-issuer.js';

/**
 * Where credentials go when a registry's Bearer challenge names a token service (realm): real registries in token
 * mode, a real token issuer and a listener that only records, so every byte that reaches a host is known.
 *
 * The rules: an HTTPS registry's plain-HTTP realm is refused unless the command names that host in --plain-http;
 * --username credentials go only to hosts the command names (the registries, --auth-host); Docker's config.json
 * credentials of a registry go to the realm it names on any host, as Docker's own client sends them.
 */
let work: string;
let pki: Pki;
let layout: Layout;
let issuer: TokenIssuer;
let recorder: Awaited<ReturnType<typeof startRecorder>>;
/** TLS registry whose token realm is the issuer over plain HTTP. */
let httpsReg: TestRegistry;
/** Plain-HTTP registry whose token realm is the issuer (another host:port). */
let plainReg: TestRegistry;
/** Plain-HTTP registry whose token realm is the recorder (which must never see anything). */
let recordedReg: TestRegistry;
const env = { CROSSDOCK_BACKOFF_MS: '5' };
const USER = 'ci';
const SECRET = 's3cret-realm';

function dockerConfig(name: string, auths: Record<string, [string, string]>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const entries = Object.fromEntries(
    Object.entries(auths).map(([host, [u, p]]) => [
      host,
      { auth: Buffer.from(`${u}:${p}`).toString('base64') },
    ]),
  );
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: entries }));
  return dir;
}

const leaks = (requests: RecordedRequest[], user: string, secret: string) =>
  requests.filter((r) => carriesSecret(r, user, secret));

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-realm-'));
  pki = makePki(join(work, 'pki'));
  const server = pki.server('registry');
  layout = syntheticLayout(join(work, 'img'));
  issuer = await startTokenIssuer(work, { [USER]: SECRET, other: 'other-secret' });
  recorder = await startRecorder();
  const token = (realmHost: string) => ({
    realm: `http://${realmHost}/token`,
    service: 'crossdock-test',
    issuer: 'crossdock-test-issuer',
    rootCertBundle: issuer.certPath,
  });
  httpsReg = await startRegistry({ tls: { cert: server.chain, key: server.key }, token: token(issuer.host) });
  plainReg = await startRegistry({ token: token(issuer.host) });
  recordedReg = await startRegistry({ token: token(recorder.host) });
  const certDir = join(work, 'certs');
  mkdirSync(certDir);
  writeFileSync(join(certDir, 'ca.crt'), pki.caPem);
  // skopeo pushes (the issuer runs in this process, so skopeo must not block the event loop).
  for (const [reg, tls] of [
    [httpsReg, ['--dest-cert-dir', certDir]],
    [plainReg, ['--dest-tls-verify=false']],
  ] as const) {
    const r = await skopeoAsync([
      'copy',
      '--all',
      '--quiet',
      ...tls,
      '--dest-creds',
      `${USER}:${SECRET}`,
      `oci:${layout.dir}:latest`,
      `docker://${reg.host}/team/app:1`,
    ]);
    assert.equal(r.code, 0, r.stderr);
  }
});

after(async () => {
  await httpsReg?.stop();
  await plainReg?.stop();
  await recordedReg?.stop();
  await issuer?.close();
  await recorder?.close();
  rmSync(work, { recursive: true, force: true });
});

test('an HTTPS registry whose token service is plain HTTP is refused before anything is sent there', {
  timeout: 60_000,
}, async () => {
  const cfg = dockerConfig('cfg-https', { [httpsReg.host]: [USER, SECRET] });
  const seen = issuer.requests.length;
  const viaConfig = await runCli(['inspect', `${httpsReg.host}/team/app:1`, '--ca-file', pki.caPath], {
    env: { ...env, DOCKER_CONFIG: cfg },
  });
  assert.equal(viaConfig.code, 2, viaConfig.stderr);
  assert.match(
    viaConfig.stderr,
    new RegExp(
      `${esc(httpsReg.host)} is served over HTTPS but its token service is plain HTTP \\(http://${esc(issuer.host)}/token\\)`,
    ),
  );
  assert.match(viaConfig.stderr, new RegExp(`hint: .*--plain-http ${esc(issuer.host)}`));
  assert.doesNotMatch(viaConfig.stderr, /internal error/);
  const viaFlags = await runCli(
    ['inspect', `${httpsReg.host}/team/app:1`, '--ca-file', pki.caPath, '-u', USER, '--password-stdin'],
    { env, stdin: `${SECRET}\n` },
  );
  assert.equal(viaFlags.code, 2, viaFlags.stderr);
  assert.match(viaFlags.stderr, /token service is plain HTTP/);
  assert.deepEqual(issuer.requests.slice(seen), [], 'nothing at all reached the plain-HTTP token service');

  // Named in --plain-http, the same host is an explicit choice: the token is fetched and the image read.
  const named = await runCli(
    [
      'inspect',
      `${httpsReg.host}/team/app:1`,
      '--ca-file',
      pki.caPath,
      '--plain-http',
      issuer.host,
      '--format',
      'json',
    ],
    { env: { ...env, DOCKER_CONFIG: cfg } },
  );
  assert.equal(named.code, 0, named.stderr);
  assert.equal((JSON.parse(named.stdout) as { digest: string }).digest, layout.indexDigest);
  assert.ok(issuer.issued.some((i) => i.user === USER));
});

test('--username credentials never go to a token service on a host the command does not name', {
  timeout: 60_000,
}, async () => {
  const seen = issuer.requests.length;
  const r = await runCli(
    ['inspect', `${plainReg.host}/team/app:1`, '--plain-http', plainReg.host, '-u', USER, '--password-stdin'],
    { env, stdin: `${SECRET}\n` },
  );
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `${esc(plainReg.host)}: its token service is on another host \\(${esc(issuer.host)}\\); crossdock sends the credentials given on the command line .* only to hosts the command names`,
    ),
  );
  assert.match(r.stderr, new RegExp(`hint: .*--auth-host ${esc(issuer.host)}`));
  assert.deepEqual(issuer.requests.slice(seen), [], 'the token service was not contacted');

  // A copy whose destination names a realm on a third host: neither the destination's --username credentials
  // nor the source's config.json credentials reach it.
  const cfg = dockerConfig('cfg-copy', { [plainReg.host]: [USER, SECRET] });
  const copy = await runCli(
    [
      'copy',
      `${plainReg.host}/team/app:1`,
      `${recordedReg.host}/team/app:1`,
      '--plain-http',
      plainReg.host,
      '--plain-http',
      recordedReg.host,
      '-u',
      'other',
      '--password-stdin',
    ],
    { env: { ...env, DOCKER_CONFIG: cfg }, stdin: 'other-secret\n' },
  );
  assert.equal(copy.code, 2, copy.stderr);
  assert.match(copy.stderr, new RegExp(`its token service is on another host \\(${esc(recorder.host)}\\)`));
  assert.deepEqual(leaks(recorder.requests, 'other', 'other-secret'), []);
  assert.deepEqual(leaks(recorder.requests, USER, SECRET), []);
  assert.deepEqual(recorder.requests, [], 'the recorder received nothing at all');

  // Named with --auth-host, the token service gets them and the read works.
  const named = await runCli(
    [
      'inspect',
      `${plainReg.host}/team/app:1`,
      '--plain-http',
      plainReg.host,
      '-u',
      USER,
      '--password-stdin',
      '--auth-host',
      issuer.host,
      '--format',
      'json',
    ],
    { env, stdin: `${SECRET}\n` },
  );
  assert.equal(named.code, 0, named.stderr);
  assert.equal((JSON.parse(named.stdout) as { digest: string }).digest, layout.indexDigest);
  assert.ok(leaks(issuer.requests.slice(seen), USER, SECRET).length > 0, 'the named token service got them');
});

test("Docker config credentials go to the token service the registry names, as Docker sends them; never another host's", {
  timeout: 60_000,
}, async () => {
  // config.json also holds credentials for the issuer's own host: they are not the registry's and are not sent.
  const cfg = dockerConfig('cfg-docker', {
    [plainReg.host]: [USER, SECRET],
    [issuer.host]: ['other', 'other-secret'],
  });
  const seen = issuer.requests.length;
  const r = await runCli(
    ['inspect', `${plainReg.host}/team/app:1`, '--plain-http', plainReg.host, '--format', 'json'],
    { env: { ...env, DOCKER_CONFIG: cfg } },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { digest: string }).digest, layout.indexDigest);
  const mine = issuer.requests.slice(seen);
  assert.ok(mine.length > 0);
  assert.deepEqual(
    mine.map((q) => q.headers.authorization),
    mine.map(() => `Basic ${Buffer.from(`${USER}:${SECRET}`).toString('base64')}`),
    "every token request carried the registry's own config.json credentials",
  );
  assert.deepEqual(leaks(mine, 'other', 'other-secret'), [], "the token host's own entry was never sent");
});

test("an HTTPS registry's upload location on plain HTTP is refused before anything is sent there", {
  timeout: 60_000,
}, async () => {
  const open = await startRegistry();
  const certs = pki.server('front');
  // The registry behind an HTTPS front (the proxy), which answers the destination's upload start with an
  // http:// Location on another listener.
  const front = await startFaultProxy({ host: '127.0.0.1', port: open.port }, { tls: certs });
  try {
    skopeo([
      'copy',
      '--all',
      '--quiet',
      '--dest-tls-verify=false',
      `oci:${layout.dir}:latest`,
      `docker://${open.host}/src/app:1`,
    ]);
    front.rules.push({
      method: 'POST',
      path: /\/v2\/dst\/app\/blobs\/uploads\//,
      fault: 'redirect',
      status: 202,
      times: 100,
      location: () => `http://${recorder.host}/upload`,
    });
    const seen = recorder.requests.length;
    const r = await runCli(
      ['copy', `${front.host}/src/app:1`, `${front.host}/dst/app:1`, '--ca-file', pki.caPath],
      { env },
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`the registry sends the upload to plain HTTP \\(${esc(recorder.host)}\\); refused`),
    );
    assert.deepEqual(recorder.requests.slice(seen), [], 'no blob went to the plain-HTTP listener');
  } finally {
    await front.close();
    await open.stop();
  }
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
