import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { diagnose } from '../../src/registry/diagnose.js';
import { runCli } from '../helpers/cli.js';
import { type TestCert, testCa, testServerCert, writeBundle, writeServerFiles } from '../helpers/pki.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * The four chain cases `crossdock trust` must tell apart, each on the real registry (docker-registry with TLS)
 * serving certificates made with explicit dates, and skopeo (Go's crypto/x509) as the independent judge of what a
 * client accepts: a leaf signed by a CA no store knows (private root or omitted intermediate), a server that omits
 * its intermediate, a self-signed leaf, and an expired or not-yet-valid certificate.
 */
const DAY = 86_400_000;
let work: string;
let root: TestCert;
let inter: TestCert;
let otherRoot: TestCert;
/** Leaf signed directly by the private root; the server sends the leaf only (the most common private setup). */
let direct: TestRegistry;
/** Leaf signed by an intermediate; the server sends the leaf only (omits the intermediate). */
let omitsInter: TestRegistry;
/** Leaf + intermediate sent; the root is private. */
let sendsInter: TestRegistry;
let selfSigned: TestRegistry;
let selfLeaf: TestCert;
let expired: TestRegistry;
let notYetValid: TestRegistry;
const registries: TestRegistry[] = [];
const noStores = {
  CROSSDOCK_DOCKER_CERTS_D: '/nonexistent',
  CROSSDOCK_CONTAINERS_CERTS_D: '/nonexistent',
};

interface TrustJson {
  chainCase: string | null;
  validity: string | null;
  verifiedBy: string | null;
  missingIssuer: string | null;
  missingIntermediates: string[];
  ca: { source: string; subject: string; fingerprint: string } | null;
  caPem: string | null;
  problems: { id: string; message: string }[];
  consumers: { consumer: string; accepts: boolean; fix: string | null }[];
}

async function trustJson(args: string[], env: Record<string, string> = noStores) {
  const r = await runCli(['trust', ...args, '--format', 'json'], { env });
  assert.ok(r.stdout.startsWith('{'), `no JSON on stdout: ${r.stderr}`);
  return { code: r.code, d: JSON.parse(r.stdout) as TrustJson, stderr: r.stderr };
}

/** What skopeo (Go's TLS stack) says about the registry with this cert dir: 'ok' once TLS and HTTP got through. */
function skopeoVerdict(host: string, certDir?: string): string {
  const r = skopeo(
    ['inspect', '--raw', ...(certDir ? ['--cert-dir', certDir] : []), `docker://${host}/probe/none:1`],
    true,
  );
  if (/manifest unknown|name unknown/i.test(r.stderr)) return 'ok';
  return /x509: [^"\\]*/.exec(r.stderr)?.[0] ?? r.stderr.trim();
}

async function serve(name: string, leaf: TestCert, sent: TestCert[] = []): Promise<TestRegistry> {
  const r = await startRegistry({ tls: writeServerFiles(join(work, 'srv'), name, leaf, sent) });
  registries.push(r);
  return r;
}

function ids(d: TrustJson): string[] {
  return d.problems.map((p) => p.id);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-trust-chain-'));
  root = await testCa('CN=Acme Private Root');
  inter = await testCa('CN=Acme Issuing CA 1', { issuer: root });
  otherRoot = await testCa('CN=Some Other Root');
  direct = await serve('direct', await testServerCert('CN=direct', { issuer: root }));
  omitsInter = await serve('omits', await testServerCert('CN=omits', { issuer: inter }));
  sendsInter = await serve('sends', await testServerCert('CN=sends', { issuer: inter }), [inter]);
  selfLeaf = await testServerCert('CN=self');
  selfSigned = await serve('self', selfLeaf);
  expired = await serve(
    'expired',
    await testServerCert('CN=expired', {
      issuer: root,
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - 35 * DAY),
    }),
  );
  notYetValid = await serve(
    'future',
    await testServerCert('CN=future', {
      issuer: root,
      notBefore: new Date(Date.now() + 20 * DAY),
      notAfter: new Date(Date.now() + 400 * DAY),
    }),
  );
});

after(async () => {
  for (const r of registries) await r.stop();
  rmSync(work, { recursive: true, force: true });
});

test('leaf signed directly by a private root, leaf only: an unknown CA (root or intermediate), not a broken chain', {
  timeout: 60_000,
}, async () => {
  assert.match(skopeoVerdict(direct.host), /x509: certificate signed by unknown authority/);
  const { code, d } = await trustJson([direct.host]);
  assert.equal(code, 1);
  assert.equal(d.chainCase, 'unknown-issuer');
  assert.equal(d.missingIssuer, 'CN=Acme Private Root');
  assert.deepEqual(ids(d), ['unknown-ca']);
  assert.match(
    d.problems[0]?.message ?? '',
    /signed by "CN=Acme Private Root", a CA that no store here knows.*either a private root CA.*or an intermediate CA the server should send/,
  );
  assert.equal(d.ca, null, 'the server sent no CA, so there is nothing to trust yet');
  const text = await runCli(['trust', direct.host], { env: noStores });
  assert.doesNotMatch(text.stdout, /without the intermediate/);
  assert.match(text.stdout, /--ca-file/);
});

test('with the private root in --ca-file: the chain verifies against it, and only consumers lacking it are listed', {
  timeout: 60_000,
}, async () => {
  const caFile = writeBundle(join(work, 'root.crt'), root);
  // skopeo/podman already has the root in its certs.d for this host; the other consumers do not.
  const containers = join(work, 'containers-certs.d');
  writeBundle(join(containers, direct.host, 'ca.crt'), root);
  assert.equal(skopeoVerdict(direct.host, join(containers, direct.host)), 'ok');
  const env = { ...noStores, CROSSDOCK_CONTAINERS_CERTS_D: containers };
  const { d } = await trustJson([direct.host, '--ca-file', caFile], env);
  assert.equal(d.chainCase, 'private-root');
  assert.equal(d.verifiedBy, 'ca-file');
  assert.deepEqual(ids(d), ['unknown-ca']);
  assert.doesNotMatch(d.problems[0]?.message ?? '', /intermediate/);
  assert.deepEqual(d.ca, {
    source: 'ca-file',
    subject: 'CN=Acme Private Root',
    fingerprint: root.fingerprint,
  });
  const lacking = d.consumers.filter((c) => !c.accepts).map((c) => c.consumer);
  assert.deepEqual(lacking, ['system', 'buildkitd', 'containerd', 'k3s']);
  const text = await runCli(['trust', direct.host, '--ca-file', caFile], { env });
  assert.match(text.stdout, new RegExp(`the chain verifies against --ca-file ${caFile}`));
  assert.match(text.stdout, new RegExp(root.fingerprint));
  const listed = text.stdout.slice(text.stdout.indexOf('still lack this CA'));
  for (const c of lacking) assert.match(listed, new RegExp(`✗ ${c} `));
  assert.doesNotMatch(listed, /skopeo\/podman|dockerd/);
  assert.doesNotMatch(text.stdout, /without the intermediate/);
});

test('a CA file that did not sign the chain is named as such and not offered as the CA to trust', {
  timeout: 60_000,
}, async () => {
  const wrong = writeBundle(join(work, 'other.crt'), otherRoot);
  const { code, d } = await trustJson([direct.host, '--ca-file', wrong]);
  assert.equal(code, 1);
  assert.equal(d.verifiedBy, null);
  assert.equal(d.ca, null);
  assert.equal(d.caPem, null);
  assert.deepEqual(ids(d), ['unknown-ca', 'ca-file-mismatch']);
  assert.match(d.problems[1]?.message ?? '', /holds "CN=Some Other Root", not "CN=Acme Private Root"/);
});

test('a server that omits its intermediate: the chain verifies once the intermediate is added', {
  timeout: 60_000,
}, async () => {
  // Without the issuer's certificate the two cases cannot be told apart, and trust says so.
  const blind = await trustJson([omitsInter.host]);
  assert.equal(blind.d.chainCase, 'unknown-issuer');
  assert.equal(blind.d.missingIssuer, 'CN=Acme Issuing CA 1');
  const rootOnly = writeBundle(join(work, 'root-only.crt'), root);
  assert.equal(
    (await trustJson([omitsInter.host, '--ca-file', rootOnly])).d.chainCase,
    'unknown-issuer',
    'the root alone does not reach the leaf',
  );
  const bundle = writeBundle(join(work, 'bundle.crt'), inter, root);
  const { code, d } = await trustJson([omitsInter.host, '--ca-file', bundle]);
  assert.equal(code, 1);
  assert.equal(d.chainCase, 'missing-intermediate');
  assert.deepEqual(d.missingIntermediates, ['CN=Acme Issuing CA 1']);
  assert.equal(d.verifiedBy, 'ca-file');
  assert.deepEqual(ids(d), ['incomplete-chain']);
  assert.match(
    d.problems[0]?.message ?? '',
    /omits the intermediate CA "CN=Acme Issuing CA 1".*with it added.*the chain verifies up to "CN=Acme Private Root"/,
  );
  // The oracle agrees: Go clients reject the root alone, accept once the intermediate is there.
  const certs = join(work, 'omits-certs');
  writeBundle(join(certs, 'root', 'ca.crt'), root);
  writeBundle(join(certs, 'both', 'ca.crt'), inter, root);
  assert.match(skopeoVerdict(omitsInter.host, join(certs, 'root')), /unknown authority/);
  assert.equal(skopeoVerdict(omitsInter.host, join(certs, 'both')), 'ok');
  // A server that does send the intermediate verifies against the root alone: the chain was the problem.
  const fixed = await trustJson([sendsInter.host, '--ca-file', rootOnly]);
  assert.equal(fixed.d.chainCase, 'private-root');
  assert.equal(fixed.d.verifiedBy, 'ca-file');
  assert.equal(skopeoVerdict(sendsInter.host, join(certs, 'root')), 'ok');
});

test('a sent intermediate whose root no store knows: the root is what is missing', {
  timeout: 60_000,
}, async () => {
  const { d } = await trustJson([sendsInter.host]);
  assert.equal(d.chainCase, 'unknown-issuer');
  assert.equal(d.missingIssuer, 'CN=Acme Private Root');
  assert.match(
    d.problems[0]?.message ?? '',
    /the chain the server sends ends at "CN=Acme Issuing CA 1", signed by "CN=Acme Private Root"/,
  );
});

test('omitted intermediate under a root the system trusts (library, system bundle pointed at the root)', {
  timeout: 60_000,
}, async () => {
  const systemBundle = writeBundle(join(work, 'system-bundle.crt'), root);
  const interFile = writeBundle(join(work, 'inter-only.crt'), inter);
  const d = await diagnose(omitsInter.host, { systemBundle, caFile: interFile, followRealm: false });
  assert.equal(d.chainCase, 'missing-intermediate');
  assert.equal(d.verifiedBy, 'ca-file');
  assert.deepEqual(d.missingIntermediates, ['CN=Acme Issuing CA 1']);
  const ok = await diagnose(sendsInter.host, { systemBundle, followRealm: false });
  assert.equal(ok.chainCase, 'system-root');
  assert.equal(ok.verifiedBy, 'system');
  assert.deepEqual(ok.problems, []);
});

test('a self-signed leaf is named, with the fingerprint of the certificate to trust', {
  timeout: 60_000,
}, async () => {
  const { code, d } = await trustJson([selfSigned.host]);
  assert.equal(code, 1);
  assert.equal(d.chainCase, 'self-signed-leaf');
  assert.deepEqual(ids(d), ['self-signed-leaf']);
  assert.deepEqual(d.ca, { source: 'server', subject: 'CN=self', fingerprint: selfLeaf.fingerprint });
  const text = await runCli(['trust', selfSigned.host], { env: noStores });
  assert.match(text.stdout, new RegExp(`${selfLeaf.fingerprint}.*sent by the server`));
});

test('an expired leaf under a known CA is expired, not a chain problem; consumers with the CA still refuse', {
  timeout: 60_000,
}, async () => {
  const certs = join(work, 'expired-certs.d');
  writeBundle(join(certs, expired.host, 'ca.crt'), root);
  assert.match(skopeoVerdict(expired.host, join(certs, expired.host)), /x509: certificate has expired/);
  const caFile = writeBundle(join(work, 'root-exp.crt'), root);
  const env = { ...noStores, CROSSDOCK_CONTAINERS_CERTS_D: certs };
  const { code, d } = await trustJson([expired.host, '--ca-file', caFile], env);
  assert.equal(code, 1);
  assert.equal(d.chainCase, 'private-root');
  assert.equal(d.validity, 'expired');
  assert.equal(d.verifiedBy, null);
  assert.deepEqual(ids(d), ['expired', 'unknown-ca']);
  assert.match(d.problems[0]?.message ?? '', /certificate "CN=expired" expired on \d{4}-\d\d-\d\d/);
  assert.equal(d.consumers.find((c) => c.consumer === 'skopeo/podman')?.accepts, false);
  // Without --ca-file the expiry is still what is named first, and the CA is still unknown.
  const blind = await trustJson([expired.host]);
  assert.equal(blind.d.validity, 'expired');
  assert.equal(blind.d.chainCase, 'unknown-issuer');
  assert.deepEqual(ids(blind.d), ['expired', 'unknown-ca']);
});

test('a not-yet-valid leaf says to check the clocks', { timeout: 60_000 }, async () => {
  const caFile = writeBundle(join(work, 'root-fut.crt'), root);
  const certs = join(work, 'future-certs.d');
  writeBundle(join(certs, notYetValid.host, 'ca.crt'), root);
  assert.match(skopeoVerdict(notYetValid.host, join(certs, notYetValid.host)), /expired or is not yet valid/);
  const { d } = await trustJson([notYetValid.host, '--ca-file', caFile]);
  assert.equal(d.validity, 'not-yet-valid');
  assert.equal(d.chainCase, 'private-root');
  assert.deepEqual(ids(d), ['not-yet-valid', 'unknown-ca']);
  assert.match(d.problems[0]?.message ?? '', /"CN=future" is valid only from .*check the clocks/);
});
