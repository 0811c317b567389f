import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { type TestCert, testCa, testServerCert, writeBundle, writeServerFiles } from '../helpers/pki.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * `crossdock trust --write`: a CA the server sent is written only once the user confirms its SHA-256 fingerprint
 * (or brings the CA with --ca-file); per-host stores by default, the system store only with --system. skopeo, given
 * the written cert dir, is the judge that the files work.
 */
let work: string;
let root: TestCert;
let otherRoot: TestCert;
/** Sends leaf + its private root (the root is visible, but unverified). */
let sendsRoot: TestRegistry;
/** Sends the leaf only; the root comes from the admin (--ca-file). */
let leafOnly: TestRegistry;
const registries: TestRegistry[] = [];
const env = { CROSSDOCK_DOCKER_CERTS_D: '/nonexistent', CROSSDOCK_CONTAINERS_CERTS_D: '/nonexistent' };

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function skopeoOk(host: string, certDir: string): boolean {
  const r = skopeo(['inspect', '--raw', '--cert-dir', certDir, `docker://${host}/probe/none:1`], true);
  return /manifest unknown|name unknown/i.test(r.stderr);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-trust-write-'));
  root = await testCa('CN=Write Test Root');
  otherRoot = await testCa('CN=Impostor Root');
  const srv = join(work, 'srv');
  sendsRoot = await startRegistry({
    tls: writeServerFiles(srv, 'sends', await testServerCert('CN=sends', { issuer: root }), [root]),
  });
  leafOnly = await startRegistry({
    tls: writeServerFiles(srv, 'leaf', await testServerCert('CN=leaf', { issuer: root })),
  });
  registries.push(sendsRoot, leafOnly);
});

after(async () => {
  for (const r of registries) await r.stop();
  rmSync(work, { recursive: true, force: true });
});

test('a CA the server sent is not written without its fingerprint; the refusal gives the exact command', {
  timeout: 60_000,
}, async () => {
  const out = join(work, 'refused');
  const r = await runCli(['trust', sendsRoot.host, '--write', out], { env });
  assert.equal(r.code, 2);
  assert.deepEqual(filesUnder(out), []);
  // The diagnosis (with the fingerprint) is still printed; the refusal says what, why and what to run.
  assert.match(r.stdout, new RegExp(`CA to trust: CN=Write Test Root  ${root.fingerprint}`));
  assert.match(r.stderr, /crossdock: error: not writing the CA certificate the server sent/);
  assert.match(r.stderr, /nothing proves it is your registry's CA/);
  assert.ok(
    r.stderr.includes(
      `crossdock trust ${sendsRoot.host} --write ${out} --accept-fingerprint ${root.fingerprint}`,
    ),
    r.stderr,
  );
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('a fingerprint that does not match is refused, and nothing is written', {
  timeout: 60_000,
}, async () => {
  const out = join(work, 'mismatch');
  const r = await runCli(
    ['trust', sendsRoot.host, '--write', out, '--accept-fingerprint', otherRoot.fingerprint],
    { env },
  );
  assert.equal(r.code, 2);
  assert.deepEqual(filesUnder(out), []);
  assert.match(r.stderr, /has fingerprint SHA256:[0-9A-F:]{95}, not the SHA256:[0-9A-F:]{95} given/);
  const malformed = await runCli(
    ['trust', sendsRoot.host, '--write', out, '--accept-fingerprint', 'md5:abc'],
    { env },
  );
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /--accept-fingerprint md5:abc is not a SHA-256 fingerprint/);
});

test('with the confirmed fingerprint: per-host stores only, and skopeo accepts the written cert dir', {
  timeout: 60_000,
}, async () => {
  const out = join(work, 'confirmed');
  // The fingerprint is accepted with or without colons, in either case.
  const fp = `sha256:${root.fingerprint.slice(7).replace(/:/g, '').toLowerCase()}`;
  const r = await runCli(
    ['trust', sendsRoot.host, '--write', out, '--accept-fingerprint', fp, '--format', 'json'],
    { env },
  );
  assert.equal(r.code, 1, r.stderr);
  const h = sendsRoot.host;
  // dockerd already accepts a loopback registry (127.0.0.0/8 is an insecure registry to it): no file for it.
  assert.deepEqual(
    filesUnder(out),
    [
      `etc/buildkit/buildkitd.toml`,
      `etc/buildkit/certs/${h}/ca.crt`,
      `etc/containerd/certs.d/${h}/ca.crt`,
      `etc/containerd/certs.d/${h}/hosts.toml`,
      `etc/containers/certs.d/${h}/ca.crt`,
      `etc/rancher/k3s/certs/${h}/ca.crt`,
      `etc/rancher/k3s/registries.yaml`,
    ].sort(),
  );
  const written = readFileSync(join(out, 'etc/containers/certs.d', h, 'ca.crt'), 'utf8');
  assert.equal(written.trim(), root.pem.trim());
  assert.match(
    readFileSync(join(out, 'etc/containerd/certs.d', h, 'hosts.toml'), 'utf8'),
    new RegExp(`\\[host\\."https://${h.replace(/\./g, '\\.')}"\\]\\n  ca = "/etc/containerd/certs.d/`),
  );
  assert.equal(skopeoOk(h, join(out, 'etc/containers/certs.d', h)), true);
  const d = JSON.parse(r.stdout) as { written: string[]; ca: { fingerprint: string; source: string } };
  assert.equal(d.ca.fingerprint, root.fingerprint);
  assert.equal(d.written.length, 7);
  assert.ok(!d.written.some((p) => p.includes('ca-certificates')));
});

test('--system also writes the system store file', { timeout: 60_000 }, async () => {
  const out = join(work, 'system');
  const r = await runCli(
    ['trust', sendsRoot.host, '--write', out, '--system', '--accept-fingerprint', root.fingerprint],
    { env },
  );
  assert.equal(r.code, 1, r.stderr);
  const name = sendsRoot.host.replace(':', '_');
  const sys = join(out, 'usr/local/share/ca-certificates', `${name}.crt`);
  assert.equal(readFileSync(sys, 'utf8').trim(), root.pem.trim());
  assert.match(r.stdout, /update-ca-certificates/);
});

test('a CA brought with --ca-file is written without a fingerprint, and its fingerprint is printed', {
  timeout: 60_000,
}, async () => {
  const caFile = writeBundle(join(work, 'admin-ca.crt'), root);
  const out = join(work, 'cafile');
  const r = await runCli(['trust', leafOnly.host, '--ca-file', caFile, '--write', out], { env });
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`CA to trust: CN=Write Test Root  ${root.fingerprint}  \\(from --ca-file`),
  );
  assert.ok(!existsSync(join(out, 'usr')), 'no system store without --system');
  assert.equal(skopeoOk(leafOnly.host, join(out, 'etc/containers/certs.d', leafOnly.host)), true);
});

test('nothing to vouch for: an unknown CA, a CA file that does not sign the chain, flags without --write', {
  timeout: 60_000,
}, async () => {
  const out = join(work, 'nothing');
  const unknown = await runCli(['trust', leafOnly.host, '--write', out], { env });
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /nothing to write: the server does not send the CA that signed its certificate/,
  );
  assert.match(unknown.stderr, new RegExp(`crossdock trust ${leafOnly.host} --write ${out} --ca-file`));
  const wrong = writeBundle(join(work, 'impostor.crt'), otherRoot);
  const mismatch = await runCli(['trust', leafOnly.host, '--ca-file', wrong, '--write', out], { env });
  assert.equal(mismatch.code, 2);
  assert.match(mismatch.stderr, /does not verify this server's certificate/);
  assert.deepEqual(filesUnder(out), []);
  const stray = await runCli(['trust', leafOnly.host, '--system'], { env });
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /--system and --accept-fingerprint only apply with --write/);
});

test('--write never replaces a different existing file (all or nothing); the same content is fine', {
  timeout: 60_000,
}, async () => {
  const caFile = writeBundle(join(work, 'admin-ca-2.crt'), root);
  const out = join(work, 'existing');
  const args = ['trust', leafOnly.host, '--ca-file', caFile, '--write', out];
  assert.equal((await runCli(args, { env })).code, 1);
  const before = filesUnder(out);
  // Written again with the same CA: the files are already what they should be.
  const again = await runCli(args, { env });
  assert.equal(again.code, 1, again.stderr);
  assert.deepEqual(filesUnder(out), before);
  // A buildkitd.toml of the user's own is not overwritten, and nothing else is written either.
  const other = join(work, 'existing-other');
  const toml = join(other, 'etc/buildkit/buildkitd.toml');
  mkdirSync(join(other, 'etc/buildkit'), { recursive: true });
  writeFileSync(toml, 'debug = true\n');
  const r = await runCli(['trust', leafOnly.host, '--ca-file', caFile, '--write', other], { env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not writing: .*buildkitd\.toml already exists with other content/);
  assert.match(r.stderr, /write to an empty directory/);
  assert.equal(readFileSync(toml, 'utf8'), 'debug = true\n');
  assert.deepEqual(filesUnder(other), ['etc/buildkit/buildkitd.toml']);
});
