import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { bridgeGateway, requireEngine, sampleRepo } from '../helpers/engine.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import type { TempRepo } from '../helpers/git-repo.js';
import { assertSchema } from '../helpers/schema.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * Retries and cancellation with the real engine: a build step downloads from a package server on this machine
 * that answers 503 twice (the flaky mirror of a real pipeline), then serves the file; Ctrl-C during a long step
 * stops the build and tags nothing.
 */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let work: string;
let registry: TestRegistry;

before(async () => {
  requireEngine();
  work = mkdtempSync(join(tmpdir(), 'crossdock-reliability-'));
  registry = await startRegistry();
});

after(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({
  PATH: process.env.PATH ?? '',
  HOME: work,
  CROSSDOCK_CACHE_DIR: join(work, 'cache'),
  CROSSDOCK_BACKOFF_MS: '20',
});

async function flakyServer(
  host: string,
  failures: number,
): Promise<{ server: Server; port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    if (hits <= failures) {
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end('mirror overloaded\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`package for ${req.url}\n`);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0, hits: () => hits };
}

function fetchingDockerfile(url: string): string {
  return [
    'FROM scratch AS base',
    'ARG TARGETARCH',
    'ADD rootfs-${TARGETARCH}.tar /',
    'FROM base',
    `RUN wget -q -O /pkg ${url} && cat /pkg`,
    'COPY src/ /app/',
    'ENTRYPOINT ["/bin/busybox", "sh", "/app/app.sh"]',
    '',
  ].join('\n');
}

interface PlatformRec {
  status: string;
  attempts: number;
  retries: { attempt: number; reason: string; step: string | null }[];
  error: { message: string } | null;
}

/** Builds a repository whose only step downloads from a server that fails `failures` times; amd64, pushed. */
async function flakyBuild(name: string, failures: number, retries: number, extra: string[] = []) {
  const gateway = bridgeGateway();
  let flaky: Awaited<ReturnType<typeof flakyServer>> | undefined;
  let repo: TempRepo | undefined;
  try {
    flaky = await flakyServer(gateway, failures);
    const url = `http://${gateway}:${flaky.port}/wheel-${Date.now()}.whl`;
    repo = sampleRepo({ dockerfile: fetchingDockerfile(url), config: `build:\n  retries: ${retries}\n` });
    const meta = join(work, `${name}.json`);
    const r = await runCli(
      [
        'build',
        repo.root,
        '--platform',
        'linux/amd64',
        '--tag',
        `${registry.host}/team/${name}:1`,
        '--push',
        '--plain-http',
        registry.host,
        '--metadata-file',
        meta,
        ...extra,
      ],
      { env: env() },
    );
    const record = r.code === 2 ? undefined : JSON.parse(readFileSync(meta, 'utf8'));
    return { r, record, hits: flaky.hits() };
  } finally {
    if (flaky) await closeServer(flaky.server);
    repo?.cleanup();
  }
}

/** Closes a server and the connections it still holds (a kept-alive one would keep the file running). */
function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

test('a step that fails twice with a transient error (HTTP 503) is retried and the build succeeds', {
  timeout: 240_000,
}, async () => {
  const { r, record, hits } = await flakyBuild('flaky', 2, 2, ['--log-dir', join(work, 'logs')]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const p = (record.images[0].platforms as PlatformRec[])[0]!;
  assert.equal(p.status, 'succeeded');
  assert.equal(p.attempts, 3);
  // The whole engine output of every attempt is kept per platform.
  const logFile = record.images[0].platforms[0].logFile as string;
  assert.equal(logFile, join(work, 'logs', `${registry.host.replace(':', '_')}_team_flaky-linux-amd64.log`));
  const logText = readFileSync(logFile, 'utf8');
  assert.equal(logText.match(/^=== attempt \d on node local/gm)?.length, 3);
  assert.equal(logText.match(/server returned error: HTTP\/1\.1 503/g)?.length, 2);
  assert.deepEqual(
    p.retries.map((x) => x.reason),
    ['server error 5xx', 'server error 5xx'],
  );
  assert.match(p.retries[0]?.step ?? '', /RUN wget/);
  assert.equal(hits, 3, 'the step ran three times');
  assert.match(r.stderr, /server error 5xx in .*RUN wget.*retrying \(attempt 2 of 3\)/);
  const tags = JSON.parse(
    skopeo(['list-tags', '--tls-verify=false', `docker://${registry.host}/team/flaky`]).stdout,
  ).Tags;
  assert.deepEqual(tags, ['1']);
});

test('retries are bounded: a step that keeps failing transiently fails after build.retries, and nothing is tagged', {
  timeout: 240_000,
}, async () => {
  const { r, record, hits } = await flakyBuild('bounded', 100, 1);
  assert.equal(r.code, 1, r.stderr + r.stdout);
  const p = (record.images[0].platforms as PlatformRec[])[0]!;
  assert.equal(p.attempts, 2);
  assert.equal(hits, 2);
  assert.match(p.error?.message ?? '', /server error 5xx; 1 retries used up/);
  const tags = skopeo(['list-tags', '--tls-verify=false', `docker://${registry.host}/team/bounded`], true);
  assert.notEqual(tags.code, 0, 'the repository has no tags');
});

test('SIGINT during a build stops the engine build, exits 130, and tags nothing', {
  timeout: 240_000,
}, async () => {
  const marker = 4000 + Math.floor(Math.random() * 900);
  const dockerfile = [
    'FROM scratch',
    'ARG TARGETARCH',
    'ADD rootfs-${TARGETARCH}.tar /',
    `RUN echo started && sleep ${marker}`,
    '',
  ].join('\n');
  // One platform after the other: the second must not start once the first was cancelled.
  let repo: TempRepo | undefined;
  let child: ChildProcess | undefined;
  try {
    repo = sampleRepo({ dockerfile, config: 'build:\n  parallel: false\n' });
    const meta = join(work, 'cancel.json');
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'scripts/dev.mjs'),
        'build',
        repo.root,
        '--platform',
        'linux/amd64,linux/arm64',
        '--tag',
        `${registry.host}/team/cancel:1`,
        '--push',
        '--plain-http',
        registry.host,
        '--metadata-file',
        meta,
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env(), CROSSDOCK_PASSWORD: 'never-in-a-child-env' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    let stderr = '';
    const sleeping = new Promise<void>((resolve) => {
      proc.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const running = spawnSync('pgrep', ['-f', `sleep ${marker}`]).status === 0;
        if (running) resolve();
      });
    });
    // Poll too: the step may print nothing more once sleep runs.
    const poll = (async () => {
      for (let i = 0; i < 600; i++) {
        if (spawnSync('pgrep', ['-f', `^sleep ${marker}`]).status === 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the build step never started: ${stderr}`);
    })();
    await Promise.race([sleeping, poll]);
    // The engine client crossdock runs has the minimal environment: DOCKER_BUILDKIT, PATH, no CROSSDOCK_*.
    const clients = spawnSync('pgrep', ['-P', String(proc.pid)], { encoding: 'utf8' }).stdout.split('\n');
    const environs = clients
      .filter(Boolean)
      .map((pid) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0'))
      .filter((vars) => vars.includes('DOCKER_BUILDKIT=1'));
    assert.equal(environs.length, 1, `one docker build client under the CLI (${clients.join(' ')})`);
    assert.ok(!environs[0]!.some((v) => v.startsWith('CROSSDOCK_')), environs[0]!.join(' '));
    assert.ok(environs[0]!.some((v) => v.startsWith('PATH=')));
    const t0 = Date.now();
    const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    proc.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, stderr);
    assert.ok(Date.now() - t0 < 20_000, 'stopped promptly');
    assert.match(stderr, /SIGINT received, stopping/);
    // The engine's build step is gone (BuildKit cancels the solve when its client goes away).
    let left = true;
    for (let i = 0; i < 50 && left; i++) {
      left = spawnSync('pgrep', ['-f', `sleep ${marker}`]).status === 0;
      if (left) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(left, false, 'no build step left running');
    const record = JSON.parse(readFileSync(meta, 'utf8'));
    assertSchema('crossdock-build-run-v1.json', record);
    assert.equal(record.status, 'cancelled');
    assert.deepEqual(
      record.images[0].platforms.map(
        (p: { platform: string; status: string; attempts: number }) =>
          `${p.platform}:${p.status}:${p.attempts}`,
      ),
      ['linux/amd64:cancelled:1', 'linux/arm64:cancelled:0'],
    );
    const tags = skopeo(['list-tags', '--tls-verify=false', `docker://${registry.host}/team/cancel`], true);
    assert.notEqual(tags.code, 0, 'nothing was tagged');
  } finally {
    await stopCli(child);
    repo?.cleanup();
  }
});

/**
 * Stops a crossdock process a failed test left running the way a user would: Ctrl-C twice (the second kills its
 * engine children, which run in their own process groups and would outlive a SIGKILL of crossdock), then SIGKILL.
 */
async function stopCli(child: ChildProcess | undefined): Promise<void> {
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  if (!child || !running()) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 500))]);
  if (running()) child.kill('SIGINT');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (running()) child.kill('SIGKILL');
}

/** True while the process exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test('a second SIGINT kills the engine client still stopping and removes the scratch folder, at once', {
  timeout: 240_000,
}, async () => {
  const marker = 5000 + Math.floor(Math.random() * 900);
  const dockerfile = [
    'FROM scratch',
    'ARG TARGETARCH',
    'ADD rootfs-${TARGETARCH}.tar /',
    `RUN sleep ${marker}`,
    '',
  ].join('\n');
  const tmp = join(work, 'tmp-double');
  mkdirSync(tmp, { recursive: true });
  const scratchDirs = () => readdirSync(tmp).filter((n) => n.startsWith('crossdock-build-'));
  let repo: TempRepo | undefined;
  let child: ChildProcess | undefined;
  try {
    repo = sampleRepo({ dockerfile });
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'scripts/dev.mjs'), 'build', repo.root, '--platform', 'linux/amd64'],
      { cwd: repoRoot, env: { ...process.env, ...env(), TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    for (let i = 0; spawnSync('pgrep', ['-f', `^sleep ${marker}$`]).status !== 0; i++) {
      if (i > 600) throw new Error(`the build step never started: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const clients = spawnSync('pgrep', ['-P', String(proc.pid)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number)
      // tsx runs an esbuild service beside it: the engine client is the one running `docker ... build`.
      .filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('build'));
    assert.equal(clients.length, 1, 'one engine client runs under the CLI');
    assert.equal(scratchDirs().length, 1, 'the build has its scratch folder');
    const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    // The second Ctrl-C comes right after the first was handled, while the docker client is still stopping
    // (it waits for the daemon to cancel the step, tens of milliseconds or more).
    proc.kill('SIGINT');
    for (let i = 0; !/SIGINT received, stopping/.test(stderr); i++) {
      if (i > 2000) throw new Error(`the first SIGINT was not handled: ${stderr}`);
      await new Promise((r) => setImmediate(r));
    }
    const t0 = Date.now();
    proc.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, stderr);
    assert.ok(Date.now() - t0 < 2000, `exited at once (${Date.now() - t0} ms)`);
    assert.match(
      stderr,
      /second SIGINT: killed 1 running program\(s\), removed 1 scratch folder\(s\); exiting/,
    );
    assert.deepEqual(scratchDirs(), [], 'no scratch folder left');
    for (let i = 0; i < 10 && alive(clients[0]!); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(clients[0]!), false, 'the engine client is gone');
    // The daemon cancels the step once its client is gone.
    let left = true;
    for (let i = 0; i < 75 && left; i++) {
      left = spawnSync('pgrep', ['-f', `^sleep ${marker}$`]).status === 0;
      if (left) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(left, false, 'no build step left running');
  } finally {
    await stopCli(child);
    repo?.cleanup();
  }
});

test('registry 5xx while publishing is retried; a registry that keeps refusing the tag leaves no tag and says so', {
  timeout: 240_000,
}, async () => {
  let proxy: FaultProxy | undefined;
  let repo: TempRepo | undefined;
  try {
    proxy = await startFaultProxy({ host: '127.0.0.1', port: registry.port });
    // A layer cache limit of 0: after each publishing build, the cache is pruned to nothing.
    repo = sampleRepo({ config: 'build:\n  cache: { maxBytes: 0 }\n' });
    // Two failed layer uploads, then the registry recovers: the build succeeds.
    proxy.rules.push({ method: 'PUT', path: /\/blobs\/uploads\//, fault: 'status500', times: 2 });
    const ok = await runCli(
      [
        'build',
        repo.root,
        '--platform',
        'linux/amd64',
        '--tag',
        `${proxy.host}/team/r5xx:1`,
        '--push',
        '--plain-http',
        proxy.host,
        '--format',
        'json',
        '-q',
      ],
      { env: env() },
    );
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.equal(proxy.log.filter((l) => l.fault === 'status500').length, 2);
    assert.match(ok.stderr, /retry 1: upload sha256:/);
    const layers = join(work, 'cache', 'layers');
    assert.deepEqual(
      readdirSync(layers),
      [],
      'the layer cache was pruned after the build (build.cache.maxBytes: 0)',
    );
    assert.equal(statSync(layers).mode & 0o777, 0o700);

    // The tag PUT keeps failing: the platform is in the registry by digest, the tag is not, the error is clear.
    proxy.rules.push({ method: 'PUT', path: /\/manifests\/stuck$/, fault: 'status500', times: 1000 });
    const bad = await runCli(
      [
        'build',
        repo.root,
        '--platform',
        'linux/amd64',
        '--tag',
        `${proxy.host}/team/r5xx:stuck`,
        '--push',
        '--plain-http',
        proxy.host,
        '--format',
        'json',
        '-q',
      ],
      { env: { ...env(), CROSSDOCK_BACKOFF_MS: '1' } },
    );
    assert.equal(bad.code, 1, bad.stderr + bad.stdout);
    assertSchema('crossdock-build-run-v1.json', JSON.parse(bad.stdout));
    const image = JSON.parse(bad.stdout).images[0];
    assert.equal(image.status, 'failed');
    assert.deepEqual(image.tags, []);
    assert.match(image.error, /pushing the index failed: .*manifest .*:stuck.*500/);
    const tags = JSON.parse(
      skopeo(['list-tags', '--tls-verify=false', `docker://${registry.host}/team/r5xx`]).stdout,
    ).Tags;
    assert.deepEqual(tags, ['1']);
  } finally {
    await proxy?.close();
    repo?.cleanup();
  }
});
