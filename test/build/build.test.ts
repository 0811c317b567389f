import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import {
  docker,
  requireEngine,
  type SecondEngine,
  sampleRepo,
  startSecondEngine,
} from '../helpers/engine.js';
import type { TempRepo } from '../helpers/git-repo.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { assertSchema } from '../helpers/schema.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * `crossdock build` with the real engine (Debian's dockerd 20.10, BuildKit), real QEMU for arm64, and the real
 * distribution registry over TLS; what was pushed is read back with skopeo, the independent peer, and run with
 * docker. A second dockerd acts as a separate builder node.
 */
let work: string;
let pki: Pki;
let registry: TestRegistry;
let certDir: string;

before(async () => {
  requireEngine();
  work = mkdtempSync(join(tmpdir(), 'crossdock-build-test-'));
  pki = makePki(join(work, 'pki'));
  const server = pki.server('registry');
  registry = await startRegistry({ tls: { cert: server.chain, key: server.key } });
  certDir = join(work, 'certs');
  mkdirSync(certDir);
  writeFileSync(join(certDir, 'ca.crt'), pki.caPem);
});

after(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

interface RunRec {
  status: string;
  images: {
    name: string;
    status: string;
    tags: string[];
    indexDigest: string | null;
    verify: { ok: boolean; findings: { id: string; message: string }[] } | null;
    platforms: {
      platform: string;
      node: string;
      mode: string;
      status: string;
      attempts: number;
      digest: string | null;
      steps: { name: string; cached: boolean }[];
      localImage: string;
      error: { message: string; step: string | null; log: string[] } | null;
    }[];
  }[];
}

const env = () => ({ PATH: process.env.PATH ?? '', HOME: work, CROSSDOCK_CACHE_DIR: join(work, 'cache') });

function rawIndex(ref: string): {
  manifests: { digest: string; platform: { os: string; architecture: string } }[];
} {
  return JSON.parse(skopeo(['inspect', '--raw', '--cert-dir', certDir, `docker://${ref}`]).stdout);
}

/** The ELF machine of /bin/busybox in an image, read from its layers as skopeo fetched them. */
function busyboxMachine(ref: string): number {
  const dir = join(work, `dir-${Math.random().toString(36).slice(2)}`);
  skopeo(['copy', '--quiet', '--src-cert-dir', certDir, `docker://${ref}`, `dir:${dir}`]);
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      layers: { digest: string }[];
    };
    for (const layer of manifest.layers) {
      const file = join(dir, layer.digest.replace('sha256:', ''));
      const names = spawnSync('tar', ['-tzf', file], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      }).stdout.split('\n');
      const entry = names.find((n) => n.replace(/^\.\//, '') === 'bin/busybox');
      if (!entry) continue;
      const r = spawnSync('tar', ['-xzOf', file, entry], { maxBuffer: 64 * 1024 * 1024 });
      if (r.status === 0 && r.stdout.length > 20) {
        assert.equal(r.stdout.subarray(0, 4).toString('latin1'), '\x7fELF');
        return r.stdout.readUInt16LE(18);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`no /bin/busybox in ${ref}`);
}

const EM_X86_64 = 62;
const EM_AARCH64 = 183;

test('builds linux/amd64 and linux/arm64, pushes each by digest, tags the index, and verifies it', {
  timeout: 240_000,
}, async () => {
  const repository = `${registry.host}/team/sample`;
  const repo = sampleRepo({
    config: [
      'version: 1',
      'platforms: [linux/amd64, linux/arm64]',
      'build:',
      '  tags: ["{date}-{sha}", "{branch}", latest]',
      '  source: https://git.example.test/team/sample',
      '  labels: { org.opencontainers.image.vendor: crossdock-tests }',
      'images:',
      `  ${repository}:`,
      '    context: .',
      '    nonRoot: numeric',
      '',
    ].join('\n'),
  });
  try {
    const sha = spawnSync('git', ['-C', repo.root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    const meta = join(work, 'run.json');
    const r = await runCli(['build', repo.root, '--push', '--ca-file', pki.caPath, '--metadata-file', meta], {
      env: env(),
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const record = JSON.parse(readFileSync(meta, 'utf8')) as RunRec;
    assertSchema('crossdock-build-run-v1.json', record);
    assert.equal(record.status, 'succeeded');
    const image = record.images[0]!;
    assert.equal(image.status, 'succeeded');

    // The index, read by skopeo: both platforms, each the manifest crossdock reports.
    const index = rawIndex(`${repository}:latest`);
    const byArch = new Map(index.manifests.map((m) => [m.platform.architecture, m.digest]));
    assert.deepEqual([...byArch.keys()].sort(), ['amd64', 'arm64']);
    for (const p of image.platforms)
      assert.equal(p.digest, byArch.get(p.platform.split('/')[1]!), p.platform);

    // Tags from the templates, and nothing else.
    const date = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    const tags = JSON.parse(skopeo(['list-tags', '--cert-dir', certDir, `docker://${repository}`]).stdout)
      .Tags as string[];
    assert.deepEqual(tags.sort(), [`${date}-${sha.slice(0, 7)}`, 'latest', 'main'].sort());

    // Each platform's config and busybox binary are of its architecture; labels as configured.
    for (const [arch, machine] of [
      ['amd64', EM_X86_64],
      ['arm64', EM_AARCH64],
    ] as const) {
      const ref = `${repository}@${byArch.get(arch)}`;
      const config = JSON.parse(
        skopeo(['inspect', '--config', '--cert-dir', certDir, `docker://${ref}`]).stdout,
      );
      assert.equal(config.architecture, arch);
      assert.equal(config.config.User, '10001');
      const labels = config.config.Labels as Record<string, string>;
      assert.equal(labels['org.opencontainers.image.revision'], sha);
      assert.equal(labels['org.opencontainers.image.source'], 'https://git.example.test/team/sample');
      assert.equal(labels['org.opencontainers.image.vendor'], 'crossdock-tests');
      assert.ok(!Number.isNaN(Date.parse(labels['org.opencontainers.image.created'] ?? '')));
      assert.equal(busyboxMachine(ref), machine, `${arch} busybox ELF machine`);
    }

    // The arm64 image runs under QEMU and says so (docker trusts 127.0.0.0/8 registries without the CA).
    const armRef = `${repository}@${byArch.get('arm64')}`;
    const run = docker(['run', '--rm', '--network', 'host', '--platform', 'linux/arm64', armRef]);
    docker(['rmi', armRef]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /running on aarch64 \(built on aarch64\)/);

    // The run record: where each platform was built, how, and that verify passed.
    const amd = image.platforms.find((p) => p.platform === 'linux/amd64')!;
    const arm = image.platforms.find((p) => p.platform === 'linux/arm64')!;
    assert.deepEqual([amd.node, amd.mode, arm.node, arm.mode], ['local', 'native', 'local', 'emulated']);
    assert.equal(amd.attempts, 1);
    assert.ok(
      amd.steps.some((s) => /RUN mkdir -p \/out/.test(s.name)),
      JSON.stringify(amd.steps),
    );
    assert.deepEqual(image.verify?.ok, true, JSON.stringify(image.verify));
    assert.equal(
      image.indexDigest,
      `sha256:${
        spawnSync('sha256sum', {
          input: skopeo(['inspect', '--raw', '--cert-dir', certDir, `docker://${repository}:latest`]).stdout,
        })
          .stdout.toString()
          .split(' ')[0]
      }`,
    );
    // The engine holds each platform's image under its local name.
    assert.equal(
      docker(['image', 'inspect', arm.localImage, '--format', '{{.Architecture}}']).stdout.trim(),
      'arm64',
    );
  } finally {
    repo.cleanup();
  }
});

test('a second engine is a builder node: each platform is built where crossdock.yaml routes it', {
  timeout: 240_000,
}, async () => {
  let second: SecondEngine | undefined;
  let repo: TempRepo | undefined;
  const repository = `${registry.host}/team/routed`;
  const config = (host: string) =>
    [
      'version: 1',
      'nodes:',
      '  - name: x86',
      '    endpoint: unix:///var/run/docker.sock',
      '  - name: armbox',
      `    endpoint: ${host}`,
      '    platforms: [linux/arm64]',
      'images:',
      `  ${repository}:`,
      '    context: .',
      '    platforms: [linux/amd64, linux/arm64]',
      '',
    ].join('\n');
  try {
    second = await startSecondEngine();
    repo = sampleRepo({ config: config(second.host) });
    const plan = await runCli(['plan', repo.root, '--format', 'json'], { env: env() });
    assert.equal(plan.code, 0, plan.stderr + plan.stdout);
    assertSchema('crossdock-plan-v1.json', JSON.parse(plan.stdout));
    const routes = (
      JSON.parse(plan.stdout).images[0].platforms as { platform: string; node: string; mode: string }[]
    ).map((p) => `${p.platform}:${p.node}:${p.mode}`);
    assert.deepEqual(routes, ['linux/amd64:x86:native', 'linux/arm64:armbox:native']);

    const meta = join(work, 'routed.json');
    const r = await runCli(['build', repo.root, '--push', '--ca-file', pki.caPath, '--metadata-file', meta], {
      env: env(),
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const record = JSON.parse(readFileSync(meta, 'utf8')) as RunRec;
    const platforms = record.images[0]!.platforms;
    assert.deepEqual(
      platforms.map((p) => `${p.platform}:${p.node}`),
      ['linux/amd64:x86', 'linux/arm64:armbox'],
    );
    // The engines' image lists agree: arm64 exists only on the second engine, amd64 only on the first.
    const has = (name: string, host?: string) => docker(['image', 'inspect', name], host).code === 0;
    const [amd, arm] = [platforms[0]!.localImage, platforms[1]!.localImage];
    assert.ok(has(arm, second.host), 'arm64 image on the second engine');
    assert.ok(!has(arm), 'no arm64 image on the first engine');
    assert.ok(has(amd), 'amd64 image on the first engine');
    assert.ok(!has(amd, second.host), 'no amd64 image on the second engine');
    const index = rawIndex(`${repository}:latest`);
    assert.deepEqual(index.manifests.map((m) => m.platform.architecture).sort(), ['amd64', 'arm64']);
  } finally {
    repo?.cleanup();
    await second?.stop();
  }
});

test('buildah is a backend too: both platforms built by buildah, pushed by crossdock, read back by skopeo', {
  timeout: 240_000,
}, async () => {
  const repository = `${registry.host}/team/buildah`;
  const repo = sampleRepo();
  try {
    const meta = join(work, 'buildah.json');
    const r = await runCli(
      [
        'build',
        repo.root,
        '--node',
        'bh=buildah://local',
        '--push',
        '--ca-file',
        pki.caPath,
        '--tag',
        `${repository}:1`,
        '--metadata-file',
        meta,
      ],
      { env: env() },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const record = JSON.parse(readFileSync(meta, 'utf8'));
    const platforms = record.images[0].platforms as {
      platform: string;
      backend: string;
      mode: string;
      steps: { name: string }[];
    }[];
    assert.deepEqual(
      platforms.map((p) => `${p.platform}:${p.backend}:${p.mode}`),
      ['linux/amd64:buildah:native', 'linux/arm64:buildah:emulated'],
    );
    assert.ok(
      platforms[0]!.steps.some((s) => /STEP|RUN mkdir -p \/out/.test(s.name)),
      JSON.stringify(platforms[0]!.steps),
    );
    const index = rawIndex(`${repository}:1`);
    const byArch = new Map(index.manifests.map((m) => [m.platform.architecture, m.digest]));
    assert.equal(busyboxMachine(`${repository}@${byArch.get('amd64')}`), EM_X86_64);
    assert.equal(busyboxMachine(`${repository}@${byArch.get('arm64')}`), EM_AARCH64);
  } finally {
    repo.cleanup();
  }
});

test('without --push, each platform is built into its engine under its local name and nothing is published', {
  timeout: 240_000,
}, async () => {
  const repository = `${registry.host}/team/local-only`;
  const repo = sampleRepo();
  try {
    const r = await runCli(['build', repo.root, '--tag', `${repository}:1`, '--format', 'json', '-q'], {
      env: env(),
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assertSchema('crossdock-build-run-v1.json', JSON.parse(r.stdout));
    const image = JSON.parse(r.stdout).images[0];
    assert.equal(image.status, 'built');
    assert.deepEqual(image.tags, []);
    assert.equal(image.indexDigest, null);
    for (const p of image.platforms as {
      platform: string;
      localImage: string;
      imageId: string;
      digest: string | null;
    }[]) {
      assert.equal(p.digest, null);
      const inspected = docker([
        'image',
        'inspect',
        p.localImage,
        '--format',
        '{{.Id}} {{.Architecture}}',
      ]).stdout.trim();
      assert.equal(inspected, `${p.imageId} ${p.platform.split('/')[1]}`);
    }
    const arm = image.platforms.find((p: { platform: string }) => p.platform === 'linux/arm64');
    const run = docker(['run', '--rm', '--network', 'none', '--platform', 'linux/arm64', arm.localImage]);
    assert.match(run.stdout, /running on aarch64/, run.stderr);
    const tags = skopeo(['list-tags', '--cert-dir', certDir, `docker://${repository}`], true);
    assert.notEqual(tags.code, 0, 'nothing reached the registry');
  } finally {
    repo.cleanup();
  }
});

test('a real build error is not retried, reports the step and its last lines, and tags nothing', {
  timeout: 240_000,
}, async () => {
  const repository = `${registry.host}/team/broken`;
  const dockerfile = [
    'FROM scratch AS base',
    'ARG TARGETARCH',
    'ADD rootfs-${TARGETARCH}.tar /',
    'FROM base',
    'COPY src/ /src/',
    `RUN echo "nonce ${Math.random()}" && if [ "$(uname -m)" = aarch64 ]; then echo "gcc: error: missing header py.h" >&2; exit 3; fi`,
    'ENTRYPOINT ["/bin/busybox", "sh", "/src/app.sh"]',
    '',
  ].join('\n');
  const repo = sampleRepo({ dockerfile });
  try {
    const meta = join(work, 'broken.json');
    const r = await runCli(
      [
        'build',
        repo.root,
        '--push',
        '--ca-file',
        pki.caPath,
        '--tag',
        `${repository}:1.0`,
        '--platform',
        'linux/amd64,linux/arm64',
        '--metadata-file',
        meta,
      ],
      { env: { ...env(), CROSSDOCK_BACKOFF_MS: '10' } },
    );
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const record = JSON.parse(readFileSync(meta, 'utf8')) as RunRec;
    assertSchema('crossdock-build-run-v1.json', record);
    const image = record.images[0]!;
    assert.equal(image.status, 'failed');
    assert.deepEqual(image.tags, []);
    const arm = image.platforms.find((p) => p.platform === 'linux/arm64')!;
    const amd = image.platforms.find((p) => p.platform === 'linux/amd64')!;
    assert.equal(arm.status, 'failed');
    assert.equal(arm.attempts, 1, 'a real error is not retried');
    assert.match(arm.error?.step ?? '', /RUN echo "nonce/);
    assert.ok(
      arm.error?.log.some((l) => l.includes('gcc: error: missing header py.h')),
      JSON.stringify(arm.error),
    );
    assert.match(r.stdout, /missing header py\.h/);
    // The platform that built is kept by digest and reported; no tag exists.
    assert.equal(amd.status, 'succeeded');
    assert.ok(amd.digest);
    assert.match(
      r.stderr,
      new RegExp(`kept by digest: linux/amd64 ${repository.replace(/[.]/g, '\\.')}@${amd.digest}`),
    );
    const byDigest = skopeo(
      ['inspect', '--raw', '--cert-dir', certDir, `docker://${repository}@${amd.digest}`],
      true,
    );
    assert.equal(byDigest.code, 0, byDigest.stderr);
    const tags = skopeo(['list-tags', '--cert-dir', certDir, `docker://${repository}`], true);
    assert.ok(tags.code !== 0 || (JSON.parse(tags.stdout).Tags ?? []).length === 0, tags.stdout);
  } finally {
    repo.cleanup();
  }
});

test('the plan picks a docker client that can build with BuildKit over a newer one without buildx', {
  timeout: 240_000,
}, async (t) => {
  const newer = '/usr/local/bin/docker';
  const v = spawnSync(newer, ['buildx', 'version'], { encoding: 'utf8' });
  if (v.error || v.status === 0) {
    t.skip(`${newer} is absent or has buildx: nothing to choose between on this machine`);
    return;
  }
  const repo = sampleRepo();
  try {
    const r = await runCli(['plan', repo.root, '--format', 'json'], {
      env: { ...env(), PATH: `/usr/local/bin:${process.env.PATH ?? ''}` },
    });
    const plan = JSON.parse(r.stdout);
    assert.match(plan.nodes[0].backendVersion, /client \/usr\/bin\/docker 20\./);
    // CROSSDOCK_DOCKER naming the client without buildx: the node is unusable, and the plan says how to fix it.
    const forced = await runCli(['plan', repo.root], { env: { ...env(), CROSSDOCK_DOCKER: newer } });
    assert.equal(forced.code, 1);
    assert.match(
      forced.stdout,
      /no docker client here can build with BuildKit .*no buildx plugin.*install the buildx plugin/,
    );
  } finally {
    repo.cleanup();
  }
});
