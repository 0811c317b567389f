import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackProcess, untrackProcess } from './procs.js';

/**
 * A real CNCF distribution registry (Debian's docker-registry) on 127.0.0.1, with optional TLS, htpasswd basic
 * auth or token auth. Started per test file, stopped (and its storage removed) by `stop()`.
 */
export interface TestRegistry {
  host: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  tls?: { cert: string; key: string };
  htpasswd?: { user: string; password: string };
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-registry-'));
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog: { disabled: true }',
    'storage:',
    `  filesystem: { rootdirectory: ${join(dir, 'data')} }`,
    '  delete: { enabled: true }',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: crossdock-test',
  ];
  if (options.tls)
    lines.push('  tls:', `    certificate: ${options.tls.cert}`, `    key: ${options.tls.key}`);
  if (options.htpasswd) {
    const file = join(dir, 'htpasswd');
    const r = spawnSync('htpasswd', ['-Bbn', options.htpasswd.user, options.htpasswd.password], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`htpasswd: ${r.stderr}`);
    writeFileSync(file, r.stdout);
    lines.push('auth:', '  htpasswd:', '    realm: crossdock-test', `    path: ${file}`);
  } else if (options.token) {
    const t = options.token;
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${t.realm}`,
      `    service: ${t.service}`,
      `    issuer: ${t.issuer}`,
      `    rootcertbundle: ${t.rootCertBundle}`,
    );
  }
  const config = join(dir, 'config.yml');
  writeFileSync(config, `${lines.join('\n')}\n`);
  // The registry logs into a file, not a pipe: a pipe is drained only while this process's event loop runs, and a
  // test or benchmark that waits in spawnSync (skopeo, a CLI process) would let it fill; the registry then blocks
  // writing its log (it logs every 404 at level error) and stops answering.
  const logFile = join(dir, 'registry.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'ignore', log],
  });
  closeSync(log);
  if (child.pid !== undefined)
    trackProcess({ pid: child.pid, what: `docker-registry 127.0.0.1:${port}`, dir });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    untrackProcess(child.pid);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const probe = spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { timeout: 2000 });
    if (probe.status === 0) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      const stderr = readFileSync(logFile, 'utf8');
      await stop();
      throw new Error(
        `docker-registry did not start (run scripts/setup-env.sh first): ${stderr.slice(-500)}`,
      );
    }
    await sleep(50);
  }
  return { host: `127.0.0.1:${port}`, port, dir, stop };
}

/** Runs skopeo (the independent peer); throws with its stderr on failure unless `allowFail`. */
export function skopeo(
  args: string[],
  allowFail = false,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('skopeo', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (!allowFail && r.status !== 0) throw new Error(`skopeo ${args.join(' ')}: ${r.stderr}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** skopeo without blocking the event loop (needed when a server in this process, e.g. a token issuer, must answer it). */
export function skopeoAsync(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('skopeo', args);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** PUTs a manifest straight to the registry's API (for manifests no OCI tool would write, e.g. huge indexes). */
export async function putRawManifest(
  host: string,
  repository: string,
  reference: string,
  mediaType: string,
  body: Buffer,
): Promise<void> {
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'Content-Type': mediaType },
    body,
  });
  if (res.status !== 201)
    throw new Error(`PUT manifest ${reference}: ${res.status} ${(await res.text()).slice(0, 300)}`);
}
