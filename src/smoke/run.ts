import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeSpec } from '../build/config.js';
import { type NodeState, probeNode, routePlatform } from '../build/nodes.js';

import type { RegistryClient } from '../registry/client.js';
import { inspect } from '../registry/inspect.js';
import { mapPool } from '../registry/pool.js';
import type { ResolvedRef } from '../registry/reference.js';
import type { ImageConfig } from '../registry/types.js';
import { childEnv } from '../exec.js';
import { trackCleanup, untrackCleanup } from '../stop.js';
import {
  archCheck,
  importsCheck,
  listensCheck,
  type PlatformRun,
  probesCheck,
  startsCheck,
  stopGrace,
  stopsCheck,
  userCheck,
} from './checks.js';
import { engineErrorLine, SMOKE_LABEL, SmokeEngine } from './engine.js';
import { startupWindowSeconds } from './defaults.js';
import {
  SMOKE_CHECK_IDS,
  type SmokeCheckResult,
  type SmokeContract,
  type SmokePlatformResult,
} from './types.js';

/**
 * `smoke(image, contract, options, io)`: runs every platform of an image against a contract, one container per
 * platform, on the engine `plan` would build it on (native first, else QEMU), and returns what each check found.
 *
 * Per platform: pull by digest → a network of its own (`--internal`: no route outside unless --network) →
 * `docker create` with the contract's command, env, user and working directory → `docker start` → the startup
 * window (long-running) or the exit (batch) → the checks → `docker stop` (the stops check) → the log to --log-dir →
 * container and network removed, on success, failure and Ctrl-C alike.
 */

/** One platform image of the reference: its manifest digest and config. */
export interface SmokeImagePlatform {
  platform: string;
  digest: string;
  config: ImageConfig | undefined;
}

export interface SmokeImage {
  /** As the user wrote it. */
  reference: string;
  /** `host/repository` the engine pulls from. */
  repository: string;
  /** The top manifest's digest (the index, for a multi-platform image). */
  digest: string;
  platforms: SmokeImagePlatform[];
}

export interface SmokeOptions {
  /** Platforms to run (default: every platform image of the index). */
  platforms?: string[];
  /** Long-running: how long the process must stay up before the checks (default: derived from the probes). */
  startupWindowMs?: number;
  /** Per check and per probe timeout; a batch process's time to exit (default 60 s). */
  timeoutMs?: number;
  /** Cap on the stop grace period, in seconds (--stop-timeout). */
  stopTimeoutS?: number;
  /** Platforms run at the same time (default 2). */
  parallel?: number;
  /** Keep each platform's container log here (`<dir>/<os>-<arch>.log`). */
  logDir?: string;
  /** Attach to this existing network instead of an isolated one of smoke's own. */
  network?: string;
  /** Run the container with the engine's init (`docker run --init`, docker-init as PID 1). */
  init?: boolean;
  /** Engines to run on (default: the docker CLI's current engine). */
  nodes?: NodeSpec[];
  /** Labels every container and network (`crossdock.smoke=<run id>`); random by default. */
  runId?: string;
  /** Called at each phase of each platform (progress output). */
  onProgress?: (platform: string, phase: string) => void;
}

export interface SmokeIo {
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** Reads the reference from the registry: every platform image's manifest digest and config. */
export async function resolveSmokeImage(client: RegistryClient, ref: ResolvedRef): Promise<SmokeImage> {
  const found = await inspect(client, ref);
  const repository = `${ref.registry}/${ref.repository}`;
  return {
    reference: ref.text,
    repository,
    digest: found.digest,
    platforms: found.platforms
      .filter((p) => !p.attestation)
      .map((p) => ({ platform: p.descriptorPlatform, digest: p.digest, config: p.config })),
  };
}

function notRun(reason: string): SmokeCheckResult[] {
  return SMOKE_CHECK_IDS.map((id) => ({
    id,
    status: 'not-run',
    summary: reason,
    evidence: [],
    durationMs: 0,
  }));
}

/** Where each platform runs: a native engine first, else one with QEMU, else not runnable with the fix. */
async function placePlatforms(
  platforms: string[],
  options: SmokeOptions,
  io: SmokeIo,
): Promise<Map<string, { node: NodeState; kind: 'native' | 'qemu' } | { reason: string; fix: string }>> {
  const specs: NodeSpec[] = options.nodes?.length
    ? options.nodes
    : [{ name: 'default', kind: 'docker', endpoint: '', origin: 'default' }];
  const archs = [...new Set(platforms.map((p) => p.split('/')[1] ?? ''))];
  const states = await Promise.all(specs.map((s) => probeNode(s, io.env, archs)));
  // Smoke runs containers: only Docker engines (buildx and buildah builders do not run them here).
  const usable = states.filter((s) => s.spec.kind === 'docker' || s.spec.kind === 'context');
  const out = new Map<
    string,
    { node: NodeState; kind: 'native' | 'qemu' } | { reason: string; fix: string }
  >();
  for (const platform of platforms) {
    const route = routePlatform(platform, usable, new Map(), 'allow');
    if ('problem' in route) {
      const problems = usable.filter((s) => !s.healthy).map((s) => s.problem ?? '');
      // plan's wording is about building; smoke runs.
      const problem = route.problem.replace('no builder node can build', 'no engine can run');
      const [reason, ...fix] = problem.split('; ');
      out.set(platform, {
        reason: [reason ?? problem, ...problems].filter(Boolean).join('; '),
        fix: fix.join('; ') || 'start the Docker engine',
      });
    } else out.set(platform, { node: route.node, kind: route.mode === 'native' ? 'native' : 'qemu' });
  }
  return out;
}

/** Runs the contract against every platform of the image; never throws for what a platform does. */
export async function smoke(
  image: SmokeImage,
  contract: SmokeContract,
  options: SmokeOptions,
  io: SmokeIo,
): Promise<SmokePlatformResult[]> {
  const runId = options.runId ?? `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const wanted = options.platforms?.length ? options.platforms : image.platforms.map((p) => p.platform);
  const placed = performance.now();
  const placement = await placePlatforms(wanted, options, io);
  const placeMs = Math.round(performance.now() - placed);
  if (options.logDir) await fs.mkdir(options.logDir, { recursive: true });
  return mapPool(wanted, Math.max(1, options.parallel ?? 2), async (platform) => {
    const target = image.platforms.find((p) => p.platform === platform);
    const where = placement.get(platform);
    if (!target) {
      const have = image.platforms.map((p) => p.platform).join(', ') || 'none';
      return {
        platform,
        digest: undefined,
        runner: {
          kind: 'not-runnable',
          reason: `${image.reference} has no ${platform} image (it has ${have})`,
          fix: `build and push ${platform}`,
        },
        checks: notRun('no image for this platform'),
        error: `${image.reference} has no ${platform} image (it has ${have})`,
      } satisfies SmokePlatformResult;
    }
    if (!where || 'reason' in where)
      return {
        platform,
        digest: target.digest,
        runner: {
          kind: 'not-runnable',
          reason: where?.reason ?? 'no engine',
          fix: where?.fix ?? 'start the Docker engine',
        },
        checks: notRun(`not runnable here: ${where?.reason ?? 'no engine'}`),
      } satisfies SmokePlatformResult;
    if (io.signal?.aborted) return cancelled(platform, target.digest, where);
    const r = await runPlatform({
      image,
      target,
      contract,
      options,
      io,
      runId,
      node: where.node,
      kind: where.kind,
    });
    if (r.timings) r.timings.placeMs = placeMs;
    return r;
  });
}

function cancelled(
  platform: string,
  digest: string,
  where: { node: NodeState; kind: 'native' | 'qemu' },
): SmokePlatformResult {
  return {
    platform,
    digest,
    runner: { kind: where.kind, engine: where.node.backendVersion ?? where.node.spec.name },
    checks: notRun('cancelled'),
    error: 'cancelled',
  };
}

interface PlatformJob {
  image: SmokeImage;
  target: SmokeImagePlatform;
  contract: SmokeContract;
  options: SmokeOptions;
  io: SmokeIo;
  runId: string;
  node: NodeState;
  kind: 'native' | 'qemu';
}

/** `docker create` arguments: the contract's command, env, user and working directory over the image's. */
export function createArgs(
  contract: SmokeContract,
  options: {
    name: string;
    label: string;
    network: string;
    platform: string;
    init?: boolean;
    imageRef: string;
  },
): string[] {
  const args = ['create', '--name', options.name, '--label', options.label, '--platform', options.platform];
  args.push('--network', options.network);
  if (options.init) args.push('--init');
  for (const [k, v] of Object.entries(contract.env)) args.push('--env', `${k}=${v}`);
  const u = contract.user;
  if (u.runAsUser !== undefined)
    args.push('--user', u.runAsGroup !== undefined ? `${u.runAsUser}:${u.runAsGroup}` : String(u.runAsUser));
  else if (u.composeUser !== undefined) args.push('--user', u.composeUser);
  if (contract.workingDir) args.push('--workdir', contract.workingDir);
  let rest: string[] = [];
  if (contract.entrypoint !== undefined) {
    args.push('--entrypoint', contract.entrypoint[0] ?? '');
    rest = [...contract.entrypoint.slice(1), ...(contract.cmd ?? [])];
  } else if (contract.cmd !== undefined) rest = contract.cmd;
  args.push(options.imageRef, ...rest);
  return args;
}

async function runPlatform(job: PlatformJob): Promise<SmokePlatformResult> {
  const { target, contract, options, io, runId } = job;
  const platform = target.platform;
  const arch = platform.split('/').slice(1).join('-');
  const engine = new SmokeEngine(job.node, io.signal);
  const progress = (phase: string) => options.onProgress?.(platform, phase);
  const label = `${SMOKE_LABEL}=${runId}`;
  const name = `crossdock-smoke-${runId}-${arch}`;
  const timings: Record<string, number> = {};
  const timed = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      timings[key] = Math.round((timings[key] ?? 0) + performance.now() - t);
    }
  };
  const result: SmokePlatformResult = {
    platform,
    digest: target.digest,
    runner: { kind: job.kind, engine: job.node.backendVersion ?? job.node.spec.name },
    checks: [],
    timings,
  };
  const imageRef = `${job.image.repository}@${target.digest}`;
  // What is created is removed, whatever happens next; a second Ctrl-C removes it synchronously (stop.ts).
  let containerId: string | undefined;
  let network: string | undefined;
  const cleanupSync = () => {
    const [docker, ...pre] = job.node.argv;
    if (!docker) return;
    const env = childEnv(job.node.inherit, job.node.env);
    if (containerId) spawnSync(docker, [...pre, 'rm', '--force', containerId], { env, timeout: 30_000 });
    if (network) spawnSync(docker, [...pre, 'network', 'rm', network], { env, timeout: 30_000 });
  };
  trackCleanup(cleanupSync);
  const total = performance.now();
  try {
    progress('pull');
    const pulled = await timed('pullMs', () =>
      engine.run(['pull', '--platform', platform, imageRef], { timeoutMs: 30 * 60_000 }),
    );
    if (pulled.code !== 0) {
      if (io.signal?.aborted) return { ...result, checks: notRun('cancelled'), error: 'cancelled' };
      const line = engineErrorLine(pulled.stderr);
      return {
        ...result,
        checks: notRun(`the image could not be pulled: ${line}`),
        error: `docker pull ${imageRef}: ${line}`,
      };
    }
    if (options.network) network = undefined;
    else {
      const net = `crossdock-smoke-${runId}-${arch}`;
      const made = await timed('networkMs', () =>
        engine.run(['network', 'create', '--internal', '--label', label, net], { timeoutMs: 60_000 }),
      );
      if (made.code !== 0) {
        const line = engineErrorLine(made.stderr);
        return { ...result, checks: notRun(`no network: ${line}`), error: `docker network create: ${line}` };
      }
      network = net;
    }
    const netName = options.network ?? network ?? 'none';
    const created = await timed('createMs', () =>
      engine.run(
        createArgs(contract, { name, label, network: netName, platform, init: options.init, imageRef }),
        {
          timeoutMs: 120_000,
        },
      ),
    );
    if (created.code !== 0) {
      const line = engineErrorLine(created.stderr);
      return {
        ...result,
        checks: notRun(`the container could not be created: ${line}`),
        error: `docker create: ${line}`,
      };
    }
    containerId = created.stdout.trim().split('\n').pop() ?? name;
    progress('start');
    const started = await timed('startMs', () =>
      engine.run(['start', containerId ?? name], { timeoutMs: 120_000 }),
    );
    const run = await observe(
      job,
      engine,
      containerId,
      started.code === 0 ? undefined : engineErrorLine(started.stderr),
      label,
      netName,
      timed,
      progress,
    );
    if (io.signal?.aborted) return { ...result, checks: notRun('cancelled'), error: 'cancelled' };
    progress('checks');
    result.checks = await timed('checksMs', () => runChecks(run));
    if (options.logDir) {
      const file = join(options.logDir, `${platform.replaceAll('/', '-')}.log`);
      const logs = await engine.run(['logs', containerId], { timeoutMs: 60_000, cancellable: false });
      await fs.writeFile(file, `${logs.stdout}${logs.stderr}`);
      result.log = file;
    }
    return result;
  } finally {
    progress('cleanup');
    await timed('cleanupMs', async () => {
      if (containerId)
        await engine.run(['rm', '--force', '--volumes', containerId], {
          timeoutMs: 60_000,
          cancellable: false,
        });
      if (network) await engine.run(['network', 'rm', network], { timeoutMs: 60_000, cancellable: false });
    });
    untrackCleanup(cleanupSync);
    timings.totalMs = Math.round(performance.now() - total);
    progress('done');
  }
}

/** Waits the startup window (long-running) or for the exit (batch) and gathers what the checks read. */
async function observe(
  job: PlatformJob,
  engine: SmokeEngine,
  id: string,
  startError: string | undefined,
  label: string,
  network: string,
  timed: <T>(key: string, fn: () => Promise<T>) => Promise<T>,
  progress: (phase: string) => void,
): Promise<PlatformRun> {
  const { contract, options, io } = job;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const windowGiven = options.startupWindowMs !== undefined || contract.startupWindowSeconds !== undefined;
  const windowMs = options.startupWindowMs ?? startupWindowSeconds(contract) * 1000;
  let timedOut = false;
  const t = performance.now();
  if (!startError) {
    if (contract.lifecycle === 'batch') {
      progress('wait');
      const waited = await timed('windowMs', () => engine.run(['wait', id], { timeoutMs }));
      timedOut = waited.code !== 0 && !io.signal?.aborted;
    } else {
      progress(`window ${Math.round(windowMs / 1000)}s`);
      await timed('windowMs', () => sleep(windowMs, undefined, { signal: io.signal }).catch(() => undefined));
    }
  }
  // Long-running: the window as configured (timers fire late on a busy machine; the process was up at least that).
  const waitedMs = contract.lifecycle === 'batch' || startError ? performance.now() - t : windowMs;
  const state = await engine.inspect(id);
  const logs = await engine.run(['logs', '--tail', '50', id], { timeoutMs: 30_000 });
  return {
    engine,
    platform: job.target.platform,
    contract,
    image: job.target.config?.config ?? {},
    imageRef: `${job.image.repository}@${job.target.digest}`,
    id,
    startError,
    state,
    timedOut,
    waitedMs,
    windowGiven,
    ip: state?.ips[network] ?? Object.values(state?.ips ?? {})[0],
    log: `${logs.stdout}${logs.stderr}`,
    timeoutMs,
    stopTimeoutS: options.stopTimeoutS,
    label,
    network,
  };
}

/** The checks in their reporting order; `stops` runs last since it stops the container. */
async function runChecks(run: PlatformRun): Promise<SmokeCheckResult[]> {
  const starts = startsCheck(run);
  const [listens, probes, user, arch, imports] = await Promise.all([
    listensCheck(run),
    probesCheck(run),
    userCheck(run),
    archCheck(run),
    importsCheck(run),
  ]);
  const stops = await stopsCheck(run);
  return [starts, listens, probes, user, stops, arch, imports];
}

export { stopGrace };
