import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { syntheticLayout } from '../helpers/images.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { runCli } from '../helpers/cli.js';

/**
 * `crossdock trust` on real registries with certificates made by openssl: it diagnoses exactly what skopeo
 * rejects, and the files `--write` produces make skopeo accept the registry.
 */
let work: string;
let pki: Pki;
let withChain: TestRegistry;
let selfSigned: TestRegistry;
let wrongName: TestRegistry;
let plain: TestRegistry;
const noSystemDirs = {
  CROSSDOCK_DOCKER_CERTS_D: '/nonexistent',
  CROSSDOCK_CONTAINERS_CERTS_D: '/nonexistent',
};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-trust-'));
  pki = makePki(join(work, 'pki'));
  const a = pki.server('chain');
  withChain = await startRegistry({ tls: { cert: a.chain, key: a.key } });
  const b = pki.server('self', { selfSigned: true });
  selfSigned = await startRegistry({ tls: { cert: b.cert, key: b.key } });
  const c = pki.server('dnsonly', { san: 'DNS:registry.example.internal' });
  wrongName = await startRegistry({ tls: { cert: c.chain, key: c.key } });
  plain = await startRegistry();
  const layout = syntheticLayout(join(work, 'img'));
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-tls-verify=false',
    `oci:${layout.dir}:latest`,
    `docker://${withChain.host}/team/app:1`,
  ]);
});

after(async () => {
  for (const r of [withChain, selfSigned, wrongName, plain]) await r?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('a private CA: skopeo fails with x509 unknown authority; trust says why; --write makes skopeo accept it', {
  timeout: 60_000,
}, async () => {
  const before = skopeo(['inspect', '--raw', `docker://${withChain.host}/team/app:1`], true);
  assert.notEqual(before.code, 0);
  assert.match(before.stderr, /x509: certificate signed by unknown authority/);
  const out = join(work, 'fix');
  // The server sends its root: trust names it and its fingerprint, which the user checks against the admin's copy.
  const caFingerprint = `SHA256:${new X509Certificate(pki.caPem).fingerprint256}`;
  const r = await runCli(
    ['trust', withChain.host, '--write', out, '--accept-fingerprint', caFingerprint, '--format', 'json'],
    { env: noSystemDirs },
  );
  assert.equal(r.code, 1, r.stderr);
  const d = JSON.parse(r.stdout) as {
    systemTrusted: boolean;
    chainCase: string;
    ca: { source: string; fingerprint: string };
    problems: { id: string; message: string }[];
    chain: { subject: string; selfSigned: boolean }[];
    consumers: { consumer: string; accepts: boolean; fix: string | null }[];
    written: string[];
  };
  assert.equal(d.systemTrusted, false);
  assert.equal(d.chainCase, 'private-root');
  assert.deepEqual(d.ca, { source: 'server', subject: 'CN=crossdock test CA', fingerprint: caFingerprint });
  assert.deepEqual(
    d.problems.map((p) => p.id),
    ['unknown-ca'],
  );
  assert.match(
    d.problems[0]?.message ?? '',
    /private root CA that the server sends but that no store here trusts \(x509: certificate signed by unknown authority\); nothing is missing from the chain/,
  );
  assert.deepEqual(
    d.chain.map((c) => [c.subject, c.selfSigned]),
    [
      ['CN=chain', false],
      ['CN=crossdock test CA', true],
    ],
  );
  const verdicts = Object.fromEntries(d.consumers.map((c) => [c.consumer, c.accepts]));
  assert.deepEqual(verdicts, {
    system: false,
    dockerd: true,
    buildkitd: false,
    containerd: false,
    k3s: false,
    'skopeo/podman': false,
  });
  const caFile = join(out, 'etc/containers/certs.d', withChain.host, 'ca.crt');
  assert.ok(existsSync(caFile));
  assert.equal(readFileSync(caFile, 'utf8').trim(), pki.caPem.trim(), 'the CA the server sent, not the leaf');
  assert.match(
    readFileSync(join(out, 'etc/buildkit/buildkitd.toml'), 'utf8'),
    new RegExp(`\\[registry\\."${withChain.host.replace(/\./g, '\\.')}"\\]\\n  ca = `),
  );
  assert.match(
    readFileSync(join(out, 'etc/rancher/k3s/registries.yaml'), 'utf8'),
    /ca_file: \/etc\/rancher\/k3s\/certs\//,
  );
  const after = skopeo(
    [
      'inspect',
      '--raw',
      '--cert-dir',
      join(out, 'etc/containers/certs.d', withChain.host),
      `docker://${withChain.host}/team/app:1`,
    ],
    true,
  );
  assert.equal(after.code, 0, after.stderr);
  // With the written certs.d installed, trust reports skopeo/podman as accepting.
  const again = await runCli(['trust', withChain.host, '--format', 'json'], {
    env: { ...noSystemDirs, CROSSDOCK_CONTAINERS_CERTS_D: join(out, 'etc/containers/certs.d') },
  });
  const d2 = JSON.parse(again.stdout) as { consumers: { consumer: string; accepts: boolean }[] };
  assert.equal(d2.consumers.find((c) => c.consumer === 'skopeo/podman')?.accepts, true);
});

test('a self-signed server certificate, an IP missing from the SAN, and plain HTTP are each named', {
  timeout: 60_000,
}, async () => {
  const self = JSON.parse(
    (await runCli(['trust', selfSigned.host, '--format', 'json'], { env: noSystemDirs })).stdout,
  ) as { problems: { id: string }[]; caPem: string };
  assert.deepEqual(
    self.problems.map((p) => p.id),
    ['self-signed-leaf'],
  );
  assert.match(self.caPem, /BEGIN CERTIFICATE/);
  const name = await runCli(['trust', wrongName.host], { env: noSystemDirs });
  assert.equal(name.code, 1);
  assert.match(
    name.stdout,
    /not valid for 127\.0\.0\.1: its subjectAltName is "DNS:registry\.example\.internal" \(an IP address must be listed as IP:, not DNS:\)/,
  );
  const http = JSON.parse(
    (await runCli(['trust', plain.host, '--format', 'json'], { env: noSystemDirs })).stdout,
  ) as { tls: boolean; problems: { id: string; message: string }[] };
  assert.equal(http.tls, false);
  assert.deepEqual(
    http.problems.map((p) => p.id),
    ['plain-http'],
  );
  assert.match(http.problems[0]?.message ?? '', /speaks plain HTTP, not TLS/);
  const client = await runCli(['inspect', `${plain.host}/team/app:1`]);
  assert.equal(client.code, 2);
  assert.match(client.stderr, /does not speak TLS on this port/);
  assert.match(client.stderr, new RegExp(`--plain-http ${plain.host.replace(/\./g, '\\.')}`));
});

test('--insecure skips verification for that host only, and says so on stderr', {
  timeout: 60_000,
}, async () => {
  const r = await runCli([
    'inspect',
    `${withChain.host}/team/app:1`,
    '--insecure',
    withChain.host,
    '--format',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`warning: TLS verification is OFF for ${withChain.host.replace(/\./g, '\\.')}`),
  );
  const other = await runCli(['inspect', `${withChain.host}/team/app:1`, '--insecure', '127.0.0.1:1']);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /x509/);
});
