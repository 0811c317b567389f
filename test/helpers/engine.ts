import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeRepo, type TempRepo } from './git-repo.js';
import { trackProcess, untrackProcess } from './procs.js';

/**
 * The real container stack of the build tests: Debian's dockerd (started by scripts/start-engine.sh, which
 * scripts/setup-env.sh runs), QEMU binfmt for arm64, and a second dockerd started per test as a separate
 * builder node, on a bridge of its own (a second engine with `--bridge none` would delete the first one's
 * docker0 when it stops).
 */
export const DOCKER = '/usr/bin/docker';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function docker(
  args: string[],
  host?: string,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(DOCKER, args, {
    encoding: 'utf8',
    env: { ...process.env, ...(host ? { DOCKER_HOST: host } : {}) },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Fails with the fix when the engine is not running (tests never skip silently). */
export function requireEngine(): void {
  const r = docker(['info', '--format', '{{.ServerVersion}}']);
  if (r.code !== 0)
    throw new Error(
      `the Docker engine is not running (run scripts/setup-env.sh, which starts it): ${r.stderr.trim()}`,
    );
  const binfmt = (() => {
    try {
      return readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8');
    } catch {
      return '';
    }
  })();
  if (!binfmt.startsWith('enabled'))
    throw new Error('QEMU for arm64 is not enabled: run scripts/start-engine.sh');
}

/** The docker0 bridge address: where a build step's container reaches a server on this machine. */
export function bridgeGateway(): string {
  const r = spawnSync('ip', ['-4', '-o', 'addr', 'show', 'docker0'], { encoding: 'utf8' });
  const ip = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(r.stdout)?.[1];
  if (!ip) throw new Error(`cannot read docker0's address: ${r.stderr || r.stdout}`);
  return ip;
}

export interface SecondEngine {
  host: string;
  stop(): Promise<void>;
}

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

/**
 * A second dockerd with its own data root, socket and bridge; stopped by its pid, bridge removed. Whatever fails
 * half-way (the bridge made, the daemon not answering) is undone before the error is thrown.
 */
export async function startSecondEngine(): Promise<SecondEngine> {
  const dir = mkdtempSync(join('/tmp', 'cdd-'));
  const n = 100 + Math.floor(Math.random() * 150);
  const bridge = `cdbr${n}`;
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      const timeout = sleep(20_000).then(() => child?.kill('SIGKILL'));
      await Promise.race([exited, timeout]);
    }
    untrackProcess(child?.pid);
    spawnSync('ip', ['link', 'del', bridge]);
    rmSync(dir, { recursive: true, force: true });
  };
  let log = '';
  const host = `unix://${join(dir, 'docker.sock')}`;
  try {
    ip('link', 'add', 'name', bridge, 'type', 'bridge');
    ip('addr', 'add', `10.199.${n}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    child = spawn(
      'dockerd',
      [
        '--data-root',
        join(dir, 'data'),
        '--exec-root',
        join(dir, 'exec'),
        '--host',
        host,
        '--pidfile',
        join(dir, 'docker.pid'),
        '--bridge',
        bridge,
        '--iptables=false',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (child.pid !== undefined) trackProcess({ pid: child.pid, what: `dockerd ${host}`, bridge, dir });
    child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    const deadline = Date.now() + 30_000;
    while (docker(['info', '--format', '{{.ServerVersion}}'], host).code !== 0) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the second dockerd did not start: ${log}`);
      await sleep(200);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { host, stop };
}

/**
 * A git repository holding the build sample (examples/build-sample) and its busybox root filesystems, with
 * `dockerfile` replacing the sample's Dockerfile when given, and `config` as its crossdock.yaml.
 */
export function sampleRepo(
  options: { config?: string; dockerfile?: string; files?: Record<string, string> } = {},
): TempRepo {
  const sample = join(repoRoot, 'examples/build-sample');
  const files: Record<string, string> = {
    Dockerfile: options.dockerfile ?? readFileSync(join(sample, 'Dockerfile'), 'utf8'),
    'src/app.sh': readFileSync(join(sample, 'src/app.sh'), 'utf8'),
    '.gitignore': 'rootfs-*.tar\n',
    ...(options.config ? { 'crossdock.yaml': options.config } : {}),
    ...options.files,
  };
  const repo = makeRepo({ files });
  const r = spawnSync('bash', [join(repoRoot, 'scripts/make-rootfs.sh'), repo.root], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) {
    repo.cleanup();
    throw new Error(`make-rootfs.sh: ${r.stderr || r.error?.message}`);
  }
  return repo;
}
