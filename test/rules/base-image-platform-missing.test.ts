import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/git-repo.js';
import { busyboxLayout, type Layout } from '../helpers/images.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/** `check --online` against the real registry (TLS with a test CA): base images are read once per run. */
let work: string;
let pki: Pki;
let registry: TestRegistry;
let layout: Layout;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'crossdock-online-'));
  pki = makePki(join(work, 'pki'));
  const server = pki.server('registry');
  registry = await startRegistry({ tls: { cert: server.chain, key: server.key } });
  layout = busyboxLayout(join(work, 'img'));
  const certDir = join(work, 'certs');
  mkdirSync(certDir);
  writeFileSync(join(certDir, 'ca.crt'), pki.caPem);
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--dest-cert-dir',
    certDir,
    `oci:${layout.dir}:latest`,
    `docker://${registry.host}/base/full:1`,
  ]);
  const amd = await runCli([
    'copy',
    `${registry.host}/base/full:1`,
    `${registry.host}/base/amd64only:1`,
    '--platform',
    'linux/amd64',
    '--ca-file',
    pki.caPath,
  ]);
  assert.equal(amd.code, 0, amd.stderr);
});

after(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function checkOnline(dockerfile: string, extra: string[] = []) {
  const repo = makeRepo({
    files: {
      Dockerfile: dockerfile,
      'crossdock.yaml': 'version: 1\nplatforms: [linux/amd64, linux/arm64]\n',
    },
  });
  try {
    const r = await runCli([
      'check',
      repo.root,
      '--online',
      '--ca-file',
      pki.caPath,
      '--format',
      'json',
      '--fail-on',
      'never',
      '--rule',
      'base-image-platform-missing',
      ...extra,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as {
      findings: {
        ruleId: string;
        severity: string;
        file: string;
        line: number;
        column: number;
        message: string;
        reachable?: boolean;
      }[];
      notes: string[];
    };
  } finally {
    repo.cleanup();
  }
}

/** `rule severity file:line:column reachable` of each finding. */
const pos = (
  fs: { ruleId: string; severity: string; file: string; line: number; column: number; reachable?: boolean }[],
) => fs.map((f) => `${f.ruleId} ${f.severity} ${f.file}:${f.line}:${f.column} reachable=${f.reachable}`);

// Nothing in these repositories builds the Dockerfile (crossdock.yaml declares only platforms): findings are
// warnings, not errors (unreached). Reached builds are covered in base-image-platform-missing-facts.test.ts.
test('a base image without arm64 is reported at the FROM image (a warning: nothing builds it); one with both platforms is not', async () => {
  const bad = await checkOnline(`FROM ${registry.host}/base/amd64only:1\nCMD ["/bin/busybox"]\n`);
  assert.deepEqual(pos(bad.findings), ['base-image-platform-missing warning Dockerfile:1:6 reachable=false']);
  assert.match(
    bad.findings[0]?.message ?? '',
    /has no linux\/arm64 image in its registry \(it has: linux\/amd64\)/,
  );
  const good = await checkOnline(`ARG BASE=${registry.host}/base/full:1\nFROM \${BASE}\n`);
  assert.deepEqual(good.findings, []);
  // A stage pinned to a constant platform pulls only that one (from-platform-constant judges the pin itself).
  const pinned = await checkOnline(
    `FROM --platform=linux/amd64 ${registry.host}/base/amd64only:1 AS tools\nFROM ${registry.host}/base/full:1\n`,
  );
  assert.deepEqual(pinned.findings, []);
});

test('a digest of one platform manifest, where two platforms are built, is reported as such', async () => {
  const amd = layout.platforms.find((p) => p.platform === 'linux/amd64')?.manifestDigest;
  const r = await checkOnline(`FROM ${registry.host}/base/full@${amd}\n`);
  assert.deepEqual(pos(r.findings), ['base-image-platform-missing warning Dockerfile:1:6 reachable=false']);
  assert.match(
    r.findings[0]?.message ?? '',
    /pins a single-platform manifest \(linux\/amd64\), but this stage is built for linux\/amd64, linux\/arm64/,
  );
});

test('a registry that cannot be read becomes a note, not a failure; offline the rule does not run', async () => {
  const r = await checkOnline('FROM 127.0.0.1:1/nothing/here:1\n');
  assert.deepEqual(r.findings, []);
  assert.ok(
    r.notes.some((n) =>
      /--online: 127\.0\.0\.1:1\/nothing\/here:1 could not be read \(.*connection refused/.test(n),
    ),
    r.notes.join('\n'),
  );
  const repo = makeRepo({ files: { Dockerfile: `FROM ${registry.host}/base/amd64only:1\n` } });
  try {
    const offline = await runCli([
      'check',
      repo.root,
      '--format',
      'json',
      '--fail-on',
      'never',
      '--rule',
      'base-image-platform-missing',
    ]);
    assert.deepEqual((JSON.parse(offline.stdout) as { findings: unknown[] }).findings, []);
  } finally {
    repo.cleanup();
  }
});
