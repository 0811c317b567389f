import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { busyboxLayout, type Layout } from '../helpers/images.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { runCli } from '../helpers/cli.js';
import { createHash } from 'node:crypto';

/**
 * crossdock against the real distribution registry over TLS (a CA made by openssl for this test), with skopeo as
 * the independent peer: what skopeo pushes crossdock reads and verifies; what crossdock copies skopeo reads
 * back byte for byte.
 */
let work: string;
let pki: Pki;
let registry: TestRegistry;
let certDir: string;
let good: Layout;
let swapped: Layout;

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-interop-'));
  pki = makePki(join(work, 'pki'));
  const server = pki.server('registry');
  registry = await startRegistry({ tls: { cert: server.chain, key: server.key } });
  certDir = join(work, 'certs');
  mkdirSync(certDir);
  writeFileSync(join(certDir, 'ca.crt'), pki.caPem);
  good = busyboxLayout(join(work, 'good'), {
    user: '10001',
    labels: { 'org.opencontainers.image.revision': 'abc1234def' },
  });
  swapped = busyboxLayout(join(work, 'swapped'), { swapArm64Binary: true });
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-cert-dir',
    certDir,
    `oci:${good.dir}:latest`,
    `docker://${registry.host}/team/app:1.0`,
  ]);
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-cert-dir',
    certDir,
    `oci:${swapped.dir}:latest`,
    `docker://${registry.host}/team/bad:1.0`,
  ]);
});

after(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('without the CA, crossdock refuses the registry with the x509 error and points at `crossdock trust`', async () => {
  const r = await runCli(['inspect', `${registry.host}/team/app:1.0`]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /x509: certificate signed by unknown authority/);
  assert.match(r.stderr, new RegExp(`crossdock trust ${registry.host.replace(/\./g, '\\.')}`));
});

test('inspect reads what skopeo pushed: the same index digest, both platforms, user and labels', async () => {
  const r = await runCli([
    'inspect',
    `${registry.host}/team/app:1.0`,
    '--ca-file',
    pki.caPath,
    '--format',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as {
    digest: string;
    index: boolean;
    platforms: {
      platform: string;
      digest: string;
      user: string;
      labels: Record<string, string>;
      entrypoint: string[];
    }[];
  };
  const raw = skopeo([
    'inspect',
    '--raw',
    '--cert-dir',
    certDir,
    `docker://${registry.host}/team/app:1.0`,
  ]).stdout;
  assert.equal(j.digest, sha(raw), 'digest of the bytes skopeo reads');
  assert.equal(j.digest, good.indexDigest);
  assert.equal(j.index, true);
  assert.deepEqual(
    j.platforms.map((p) => [p.platform, p.digest]),
    good.platforms.map((p) => [p.platform, p.manifestDigest]),
  );
  assert.equal(j.platforms[1]?.user, '10001');
  assert.equal(j.platforms[0]?.labels['org.opencontainers.image.revision'], 'abc1234def');
  const raw2 = await runCli(['inspect', `${registry.host}/team/app:1.0`, '--cert-dir', certDir, '--raw']);
  assert.equal(raw2.stdout.trimEnd(), raw.trimEnd(), '--raw prints the manifest as the registry holds it');
});

test('verify passes a correct image and catches amd64 content published as arm64 by reading the layers', async () => {
  const okRun = await runCli([
    'verify',
    `${registry.host}/team/app:1.0`,
    '--ca-file',
    pki.caPath,
    '--platforms',
    'linux/amd64,linux/arm64',
    '--non-root',
    '--revision',
    'abc1234',
  ]);
  assert.equal(okRun.code, 0, okRun.stdout + okRun.stderr);
  const bad = await runCli([
    'verify',
    `${registry.host}/team/bad:1.0`,
    '--ca-file',
    pki.caPath,
    '--platforms',
    'linux/amd64,linux/arm64,linux/arm/v7',
    '--non-root',
    '--format',
    'json',
  ]);
  assert.equal(bad.code, 1);
  const j = JSON.parse(bad.stdout) as { findings: { ruleId: string; message: string }[] };
  const ids = j.findings.map((f) => f.ruleId).sort();
  assert.deepEqual(ids, ['binary-architecture', 'platform-missing', 'root-user', 'root-user']);
  const arch = j.findings.find((f) => f.ruleId === 'binary-architecture');
  assert.match(
    arch?.message ?? '',
    /\[linux\/arm64\]: \/bin\/busybox is an amd64 ELF binary in the arm64 image/,
  );
});

test('copy: skopeo reads back byte-identical manifests; a second copy moves no blob bytes', async () => {
  const first = await runCli([
    'copy',
    `${registry.host}/team/app:1.0`,
    `${registry.host}/mirror/app:1.0`,
    '--ca-file',
    pki.caPath,
    '--format',
    'json',
  ]);
  assert.equal(first.code, 0, first.stderr);
  const r1 = JSON.parse(first.stdout) as {
    digest: string;
    blobs: { uploaded: number; mounted: number; skipped: number };
    bytes: { moved: number };
  };
  assert.equal(r1.digest, good.indexDigest);
  assert.equal(
    r1.blobs.mounted,
    4,
    'same registry: every blob is mounted across repositories, not re-uploaded',
  );
  const a = skopeo([
    'inspect',
    '--raw',
    '--cert-dir',
    certDir,
    `docker://${registry.host}/team/app:1.0`,
  ]).stdout;
  const b = skopeo([
    'inspect',
    '--raw',
    '--cert-dir',
    certDir,
    `docker://${registry.host}/mirror/app:1.0`,
  ]).stdout;
  assert.equal(b, a);
  for (const p of good.platforms) {
    const child = skopeo([
      'inspect',
      '--raw',
      '--cert-dir',
      certDir,
      `docker://${registry.host}/mirror/app@${p.manifestDigest}`,
    ]).stdout;
    assert.equal(sha(child), p.manifestDigest);
  }
  const again = await runCli([
    'copy',
    `${registry.host}/team/app:1.0`,
    `${registry.host}/mirror/app:1.0`,
    '--ca-file',
    pki.caPath,
    '--format',
    'json',
  ]);
  const r2 = JSON.parse(again.stdout) as { bytes: { moved: number }; blobs: { skipped: number } };
  assert.equal(r2.bytes.moved, 0);
  assert.equal(r2.blobs.skipped, 4);
  // skopeo can pull every platform of the copy
  const out = join(work, 'pulled');
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--src-cert-dir',
    certDir,
    `docker://${registry.host}/mirror/app:1.0`,
    `oci:${out}:x`,
  ]);
});

test('copy of one platform makes a new index with only that platform, and says the digest changed', async () => {
  const r = await runCli([
    'copy',
    `${registry.host}/team/app:1.0`,
    `${registry.host}/arm/app:1.0`,
    '--ca-file',
    pki.caPath,
    '--platform',
    'linux/arm64',
    '--format',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { digest: string; digestChanged: boolean; platforms: string[] };
  assert.equal(j.digestChanged, true);
  assert.deepEqual(j.platforms, ['linux/arm64']);
  const raw = JSON.parse(
    skopeo(['inspect', '--raw', '--cert-dir', certDir, `docker://${registry.host}/arm/app:1.0`]).stdout,
  ) as { manifests: { platform: { architecture: string } }[] };
  assert.deepEqual(
    raw.manifests.map((m) => m.platform.architecture),
    ['arm64'],
  );
  const missing = await runCli([
    'copy',
    `${registry.host}/team/app:1.0`,
    `${registry.host}/x/app:1.0`,
    '--ca-file',
    pki.caPath,
    '--platform',
    'linux/s390x',
  ]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /has no linux\/s390x image/);
});

test('attestation entries (unknown/unknown) are marked by inspect, flagged by verify on request, and copied', async () => {
  const layout = busyboxLayout(join(work, 'attested'), { attestation: true, user: '10001' });
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-cert-dir',
    certDir,
    `oci:${layout.dir}:latest`,
    `docker://${registry.host}/team/attested:1`,
  ]);
  const r = await runCli([
    'inspect',
    `${registry.host}/team/attested:1`,
    '--ca-file',
    pki.caPath,
    '--format',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { platforms: { platform: string; attestation: boolean }[] };
  assert.deepEqual(
    j.platforms.map((p) => [p.platform, p.attestation]),
    [
      ['linux/amd64', false],
      ['linux/arm64', false],
      ['unknown/unknown', true],
    ],
  );
  const ok = await runCli([
    'verify',
    `${registry.host}/team/attested:1`,
    '--ca-file',
    pki.caPath,
    '--platforms',
    'linux/amd64,linux/arm64',
  ]);
  assert.equal(ok.code, 0, ok.stdout);
  const strict = await runCli([
    'verify',
    `${registry.host}/team/attested:1`,
    '--ca-file',
    pki.caPath,
    '--no-attestations',
    '--fail-on',
    'warning',
    '--format',
    'json',
  ]);
  assert.equal(strict.code, 1);
  assert.deepEqual(
    (JSON.parse(strict.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId),
    ['attestation-present'],
  );
  const copy = await runCli([
    'copy',
    `${registry.host}/team/attested:1`,
    `${registry.host}/copy/attested:1`,
    '--ca-file',
    pki.caPath,
    '--format',
    'json',
  ]);
  assert.equal(copy.code, 0, copy.stderr);
  assert.equal(
    (JSON.parse(copy.stdout) as { digest: string }).digest,
    layout.indexDigest,
    'all three entries copied, digest kept',
  );
});
