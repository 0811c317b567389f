import { promises as fs } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { posix } from 'node:path';
import { elfArchitecture } from '../registry/layers.js';
import type { ImageConfig } from '../registry/types.js';
import { INITS } from '../registry/verify.js';
import type { ContainerState, SmokeEngine } from './engine.js';
import { probeDeadlineSeconds } from './defaults.js';
import { engineErrorLine } from './engine.js';
import { effectiveArgv } from './image-config.js';
import {
  describeSockets,
  interpreterLine,
  isLoopback,
  likelyCause,
  parseProcNetTcp,
  tracebackLastLine,
  unameArchitecture,
} from './parse.js';
import type { SmokeCheckId, SmokeCheckResult, SmokeContract, SmokeProbe, SmokeStatus } from './types.js';

/**
 * The checks smoke runs on one platform's container, each a function of what the run saw (a `PlatformRun`) that
 * returns one result with a stable id (docs/smoke.md). They never throw: what could not be read is evidence.
 */
export interface PlatformRun {
  engine: SmokeEngine;
  platform: string;
  contract: SmokeContract;
  /** The platform image's config (`config` of the image config blob). */
  image: NonNullable<ImageConfig['config']>;
  /** `host/repo@sha256:…` of the platform manifest. */
  imageRef: string;
  /** Container id. */
  id: string;
  /** `docker start`'s error line, when the engine could not start the process. */
  startError?: string;
  /** The state after the startup window (long-running) or after the exit (batch). */
  state: ContainerState | undefined;
  /** Batch: the process was still running when the timeout ended. */
  timedOut: boolean;
  /** How long the run waited: the startup window (as configured), or until a batch process exited. */
  waitedMs: number;
  /** The startup window came from `--startup-window` (then probes get a few quick retries, not kubelet's time). */
  windowGiven?: boolean;
  /** Where crossdock reaches the container (its address on the smoke network). */
  ip: string | undefined;
  /** The container's log (stdout and stderr), read after the window. */
  log: string;
  /** Per check timeout (probes, exec, connections). */
  timeoutMs: number;
  stopTimeoutS: number | undefined;
  /** Extra labels and network for helper containers (imports of a batch image). */
  label: string;
  network: string;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function result(
  id: SmokeCheckId,
  status: SmokeStatus,
  summary: string,
  evidence: string[],
  started: number,
): SmokeCheckResult {
  return { id, status, summary, evidence, durationMs: Math.round(performance.now() - started) };
}

function running(run: PlatformRun): boolean {
  return run.state?.running === true;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** The last lines of the log, each prefixed, for evidence. */
function logTail(log: string, n = 5): string[] {
  const lines = log
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  return lines.slice(-n).map((l) => `log: ${l.length > 200 ? `${l.slice(0, 197)}...` : l}`);
}

function pathDirs(run: PlatformRun): string[] {
  const fromImage = run.image.Env?.find((e) => e.startsWith('PATH='))?.slice(5);
  return (run.contract.env.PATH ?? fromImage ?? DEFAULT_PATH).split(':').filter(Boolean);
}

// ---------------------------------------------------------------------------------------------------- starts

export function startsCheck(run: PlatformRun): SmokeCheckResult {
  const t = performance.now();
  const batch = run.contract.lifecycle === 'batch';
  const state = run.state;
  if (run.startError) {
    const cause = likelyCause(run.startError, run.platform);
    return result(
      'starts',
      'fail',
      `the engine could not start the process: ${run.startError}`,
      [`engine: ${run.startError}`, ...(cause ? [`likely cause: ${cause}`] : []), ...logTail(run.log)],
      t,
    );
  }
  if (!state) return result('starts', 'not-run', 'the container state could not be read', [], t);
  const engineError = state.error ? [`engine: ${state.error}`] : [];
  const cause = likelyCause(`${state.error}\n${run.log}`, run.platform);
  const causeLine = cause ? [`likely cause: ${cause}`] : [];
  if (!batch) {
    if (state.running)
      return result('starts', 'pass', `running after the ${seconds(run.waitedMs)} startup window`, [], t);
    return result(
      'starts',
      'fail',
      `exited with code ${state.exitCode ?? '?'} within the ${seconds(run.waitedMs)} startup window; a long-running workload is restarted (CrashLoopBackOff)`,
      [...engineError, ...causeLine, ...logTail(run.log)],
      t,
    );
  }
  const expected = run.contract.expectExit ?? 0;
  if (run.timedOut)
    return result(
      'starts',
      'fail',
      `still running after ${seconds(run.waitedMs)}; a batch workload must exit (expected code ${expected})`,
      logTail(run.log),
      t,
    );
  if (state.exitCode === expected)
    return result('starts', 'pass', `exited with code ${expected} after ${seconds(run.waitedMs)}`, [], t);
  return result(
    'starts',
    'fail',
    `exited with code ${state.exitCode ?? '?'}, expected ${expected}`,
    [...engineError, ...causeLine, ...logTail(run.log)],
    t,
  );
}

// ---------------------------------------------------------------------------------------------------- listens

/** Whether a TCP connection to host:port is accepted within the timeout; the error code otherwise. */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (v: true | string) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${seconds(timeoutMs)}`));
    socket.once('connect', () => done(true));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNREFUSED' ? 'connection refused' : (e.code ?? e.message)),
    );
  });
}

/** The container's /proc/net/tcp and tcp6: from this machine's /proc when the engine is local, else by exec. */
async function procNetTcp(run: PlatformRun): Promise<string | undefined> {
  const pid = run.state?.pid ?? 0;
  if (run.engine.node.local && pid > 0) {
    try {
      const [v4, v6] = await Promise.all([
        fs.readFile(`/proc/${pid}/net/tcp`, 'utf8'),
        fs.readFile(`/proc/${pid}/net/tcp6`, 'utf8').catch(() => ''),
      ]);
      return `${v4}\n${v6}`;
    } catch {
      /* not readable here (another user's engine, a VM): ask the container */
    }
  }
  const r = await run.engine.run(['exec', run.id, 'cat', '/proc/net/tcp', '/proc/net/tcp6'], {
    timeoutMs: run.timeoutMs,
  });
  return r.stdout.includes('local_address') ? r.stdout : undefined;
}

export async function listensCheck(run: PlatformRun): Promise<SmokeCheckResult> {
  const t = performance.now();
  if (run.contract.lifecycle === 'batch')
    return result('listens', 'not-applicable', 'a batch workload serves no port', [], t);
  if (!running(run) || !run.ip)
    return result('listens', 'not-run', 'the container is not running (see starts)', [], t);
  const text = await procNetTcp(run);
  const sockets = text === undefined ? undefined : parseProcNetTcp(text);
  const listening =
    sockets === undefined
      ? 'unknown ports (/proc/net/tcp could not be read)'
      : sockets.length
        ? describeSockets(sockets)
        : 'no TCP port';
  const ports = [...new Set(run.contract.ports.map((p) => p.port))];
  if (ports.length === 0)
    return result('listens', 'not-applicable', `listens on ${listening}; the contract routes no port`, [], t);
  const ip = run.ip;
  const answers = await Promise.all(
    ports.map(async (p) => [p, await tcpConnect(ip, p, run.timeoutMs)] as const),
  );
  const failed = answers.filter(([, a]) => a !== true);
  const evidence = answers.map(([p, a]) => {
    const source = run.contract.ports.find((x) => x.port === p)?.source;
    const from = !source
      ? ''
      : source.file.startsWith('--')
        ? ` (${source.what})`
        : ` (${source.file}${source.line ? `:${source.line}` : ''} ${source.what})`;
    const loopbackOnly =
      sockets?.some((s) => s.port === p) &&
      sockets.filter((s) => s.port === p).every((s) => isLoopback(s.address));
    return `port ${p}${from}: ${a === true ? 'accepts TCP' : a}${loopbackOnly ? '; bound to loopback only: listen on 0.0.0.0' : ''}`;
  });
  if (failed.length === 0)
    return result('listens', 'pass', `listens on ${listening}; ${ports.join(', ')} accept TCP`, evidence, t);
  return result(
    'listens',
    'fail',
    `listens on ${listening}, expected ${failed.map(([p]) => p).join(', ')}`,
    evidence,
    t,
  );
}

// ---------------------------------------------------------------------------------------------------- probes

function httpGet(
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; text: string; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      // kubelet does not verify the certificate of an HTTPS probe; neither does smoke (said in the evidence).
      {
        method: 'GET',
        headers: { 'User-Agent': 'kube-probe/1.30 (crossdock smoke)', ...headers },
        rejectUnauthorized: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 512) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: res.statusMessage ?? '',
            body: Buffer.concat(chunks).subarray(0, 200).toString('utf8'),
          }),
        );
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve({ error: `no answer within ${seconds(timeoutMs)}` });
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ error: e.code === 'ECONNREFUSED' ? 'connection refused' : (e.code ?? e.message) }),
    );
    req.end();
  });
}

function probeName(p: SmokeProbe): string {
  const a = p.action;
  const what =
    a.type === 'http'
      ? `${a.scheme === 'HTTPS' ? 'HTTPS ' : ''}GET :${a.port}${a.path}`
      : a.type === 'tcp'
        ? `TCP :${a.port}`
        : a.type === 'exec'
          ? `exec ${a.command.join(' ')}`
          : `gRPC :${a.port}`;
  return `${p.kind} ${what}`;
}

async function oneProbe(
  run: PlatformRun,
  p: SmokeProbe,
): Promise<{ ok: boolean | undefined; lines: string[] }> {
  const name = probeName(p);
  const timeoutMs = Math.min(run.timeoutMs, Math.max(1, p.timeoutSeconds) * 1000);
  const a = p.action;
  if (a.type === 'http') {
    const url = new URL(`${a.scheme === 'HTTPS' ? 'https' : 'http'}://${run.ip}:${a.port}`);
    url.pathname = a.path.split('?')[0] ?? '/';
    url.search = a.path.includes('?') ? a.path.slice(a.path.indexOf('?')) : '';
    const r = await httpGet(url, a.headers, timeoutMs);
    if ('error' in r) return { ok: false, lines: [`${name}: ${r.error}`] };
    const ok = r.status >= 200 && r.status < 400;
    const tls = a.scheme === 'HTTPS' ? ' (certificate not verified, as kubelet does not)' : '';
    return {
      ok,
      lines: ok
        ? [`${name}: ${r.status} ${r.text}${tls}`]
        : [`${name}: ${r.status} ${r.text}${tls}`, `body: ${JSON.stringify(r.body)}`],
    };
  }
  if (a.type === 'tcp') {
    const r = await tcpConnect(run.ip ?? '', a.port, timeoutMs);
    return { ok: r === true, lines: [`${name}: ${r === true ? 'connected' : r}`] };
  }
  if (a.type === 'exec') {
    const r = await run.engine.run(['exec', run.id, ...a.command], { timeoutMs });
    if (r.code === 0) return { ok: true, lines: [`${name}: exit 0`] };
    const why = r.code === null ? `no exit within ${seconds(timeoutMs)}` : `exit ${r.code}`;
    const last = tracebackLastLine(`${r.stdout}\n${r.stderr}`);
    return { ok: false, lines: [`${name}: ${why}${last ? `: ${last}` : ''}`] };
  }
  return { ok: undefined, lines: [`${name}: not checked (gRPC probes are not supported yet)`] };
}

/**
 * As kubelet does, a probe fails only once it has failed `failureThreshold` times in a row, `periodSeconds` apart,
 * after `initialDelaySeconds` (probeDeadlineSeconds, counted from the start, of which the startup window has
 * passed): smoke asks again every second until then, and a probe that answers in time passes, however late.
 * With `--startup-window` the user has said when the service is up: at most `failureThreshold` attempts (5 at
 * most), 1 s apart. The evidence is the last attempt's.
 */
async function probeWithRetries(
  run: PlatformRun,
  p: SmokeProbe,
): Promise<{ ok: boolean | undefined; lines: string[] }> {
  const started = performance.now() - run.waitedMs;
  const deadline = started + probeDeadlineSeconds(p) * 1000;
  const maxAttempts = Math.max(1, Math.min(p.failureThreshold, 5));
  let attempts = 1;
  let last = await oneProbe(run, p);
  while (last.ok === false) {
    if (run.windowGiven ? attempts >= maxAttempts : performance.now() + 1000 > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
    last = await oneProbe(run, p);
    attempts++;
  }
  if (last.ok === false && attempts > 1) last.lines[0] = `${last.lines[0]} (${attempts} attempts)`;
  return last;
}

export async function probesCheck(run: PlatformRun): Promise<SmokeCheckResult> {
  const t = performance.now();
  const probes = run.contract.probes;
  if (probes.length === 0) return result('probes', 'not-applicable', 'the contract declares no probe', [], t);
  if (!running(run) || !run.ip)
    return result('probes', 'not-run', 'the container is not running (see starts)', [], t);
  const outcomes = await Promise.all(probes.map((p) => probeWithRetries(run, p)));
  const evidence = outcomes.flatMap((o) => o.lines);
  const failed = outcomes.map((o, i) => [o, probes[i]] as const).filter(([o]) => o.ok === false);
  if (failed.length)
    return result('probes', 'fail', failed.map(([o]) => o.lines[0] ?? '').join('; '), evidence, t);
  if (outcomes.every((o) => o.ok === undefined))
    return result('probes', 'not-run', 'no probe of a kind smoke can run', evidence, t);
  const n = outcomes.filter((o) => o.ok === true).length;
  return result('probes', 'pass', `${n} probe${n === 1 ? '' : 's'} answered`, evidence, t);
}

// ---------------------------------------------------------------------------------------------------- user

/** The uid of the container's PID 1, from the engine (`docker top`, which reads the host's process table). */
async function processUid(run: PlatformRun): Promise<number | undefined> {
  const r = await run.engine.run(['top', run.id, '-o', 'pid,uid'], { timeoutMs: run.timeoutMs });
  if (r.code !== 0) return undefined;
  const rows = r.stdout
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 2 && /^\d+$/.test(c[0] ?? '') && /^\d+$/.test(c[1] ?? ''));
  const row = rows.find((c) => Number(c[0]) === run.state?.pid) ?? rows[0];
  return row ? Number(row[1]) : undefined;
}

/** What kubelet decides before starting the container, for runAsNonRoot (its own messages). */
export function kubeletUserVerdict(
  contract: SmokeContract,
  imageUser: string | undefined,
): string | undefined {
  const u = contract.user;
  if (!u.runAsNonRoot) return undefined;
  if (u.runAsUser !== undefined)
    return u.runAsUser === 0 ? "container's runAsUser breaks non-root policy" : undefined;
  const name = (imageUser ?? '').split(':')[0] ?? '';
  if (name === '' || name === '0' || name === 'root')
    return 'container has runAsNonRoot and image will run as root';
  if (!/^\d+$/.test(name))
    return `container has runAsNonRoot and image has non-numeric user (${name}), cannot verify user is non-root`;
  return undefined;
}

export async function userCheck(run: PlatformRun): Promise<SmokeCheckResult> {
  const t = performance.now();
  const u = run.contract.user;
  const declared = u.runAsUser !== undefined || u.runAsNonRoot === true || u.composeUser !== undefined;
  const uid = running(run) ? await processUid(run) : undefined;
  const uidText = uid === undefined ? 'an unknown uid (the process is not running)' : `uid ${uid}`;
  const imageUser = run.image.User || undefined;
  if (!declared)
    return result(
      'user',
      'not-applicable',
      `runs as ${uidText}; the contract sets no user`,
      [`image USER: ${imageUser ?? '(none: root)'}`],
      t,
    );
  const evidence = [`image USER: ${imageUser ?? '(none: root)'}`];
  if (u.runAsUser !== undefined) evidence.push(`runAsUser: ${u.runAsUser}`);
  if (u.runAsNonRoot !== undefined) evidence.push(`runAsNonRoot: ${u.runAsNonRoot}`);
  if (u.composeUser !== undefined) evidence.push(`compose user: ${u.composeUser}`);
  const kubelet = kubeletUserVerdict(run.contract, imageUser);
  if (kubelet) return result('user', 'fail', kubelet, [...evidence, `the process runs as ${uidText}`], t);
  if (uid === undefined) return result('user', 'not-run', `the process runs as ${uidText}`, evidence, t);
  if (u.runAsUser !== undefined && uid !== u.runAsUser)
    return result('user', 'fail', `runs as uid ${uid}, runAsUser is ${u.runAsUser}`, evidence, t);
  if (u.runAsNonRoot && uid === 0)
    return result('user', 'fail', 'runs as uid 0 under runAsNonRoot', evidence, t);
  const composeUid = u.composeUser?.split(':')[0];
  if (u.runAsUser === undefined && composeUid && /^\d+$/.test(composeUid) && Number(composeUid) !== uid)
    return result('user', 'fail', `runs as uid ${uid}, compose user is ${u.composeUser}`, evidence, t);
  return result('user', 'pass', `runs as uid ${uid}`, evidence, t);
}

// ---------------------------------------------------------------------------------------------------- stops

export function stopGrace(contract: SmokeContract, cap: number | undefined): number {
  return Math.max(
    0,
    cap === undefined
      ? contract.terminationGracePeriodSeconds
      : Math.min(cap, contract.terminationGracePeriodSeconds),
  );
}

export async function stopsCheck(run: PlatformRun): Promise<SmokeCheckResult> {
  const t = performance.now();
  if (run.contract.lifecycle === 'batch')
    return result('stops', 'not-applicable', 'a batch workload stops by itself', [], t);
  if (!running(run)) return result('stops', 'not-run', 'the container is not running (see starts)', [], t);
  const state = run.state;
  const pid1 = state?.init ? 'docker-init' : posix.basename(state?.path ?? '');
  const isInit = INITS.has(pid1);
  const pid1Line = state?.init
    ? `PID 1: docker-init (--init), running ${[state.path, ...state.args].join(' ')}`
    : `PID 1: ${[state?.path ?? '?', ...(state?.args ?? [])].join(' ')} (${isInit ? 'an init' : 'not an init: it must handle SIGTERM itself'})`;
  const grace = stopGrace(run.contract, run.stopTimeoutS);
  const graceText =
    grace < run.contract.terminationGracePeriodSeconds
      ? `${grace} s (terminationGracePeriodSeconds ${run.contract.terminationGracePeriodSeconds} s, capped by --stop-timeout)`
      : `${grace} s`;
  const started = performance.now();
  const r = await run.engine.run(['stop', '-t', String(grace), run.id], { timeoutMs: grace * 1000 + 60_000 });
  const elapsed = performance.now() - started;
  const after = await run.engine.inspect(run.id);
  const evidence = [pid1Line, `grace period: ${graceText}`];
  if (r.code !== 0)
    return result('stops', 'fail', `docker stop failed: ${engineErrorLine(r.stderr)}`, evidence, t);
  const code = after?.exitCode;
  evidence.push(`exit code ${code ?? '?'} after ${seconds(elapsed)}`);
  // SIGKILL at the end of the grace period: exit 137 and (nearly) the whole period spent.
  const killed = code === 137 && elapsed >= grace * 1000 - 250;
  if (killed)
    return result(
      'stops',
      'fail',
      `ignored SIGTERM: killed after the ${grace} s grace period (${isInit ? 'PID 1 is an init' : `PID 1 is ${pid1 || '?'}, not an init`})`,
      evidence,
      t,
    );
  return result(
    'stops',
    'pass',
    `stopped on SIGTERM in ${seconds(elapsed)} (PID 1 ${isInit ? `is an init: ${pid1}` : `is ${pid1 || '?'}, not an init`})`,
    evidence,
    t,
  );
}

// ---------------------------------------------------------------------------------------------------- arch

/**
 * The first bytes of a file in the container (`docker cp -L`, which works on stopped containers too and follows
 * symlinks), taken from the tar stream docker writes; undefined when the path is not a regular file there.
 */
export async function readHead(run: PlatformRun, path: string, bytes = 128): Promise<Buffer | undefined> {
  const controller = new AbortController();
  const chunks: Buffer[] = [];
  let size = 0;
  const want = 64 * 1024;
  await run.engine.run(['cp', '-L', `${run.id}:${path}`, '-'], {
    timeoutMs: run.timeoutMs,
    signal: controller.signal,
    onStdoutBytes: (c) => {
      if (size >= want) return;
      chunks.push(c);
      size += c.length;
      if (size >= want) controller.abort();
    },
  });
  return firstTarFile(Buffer.concat(chunks), bytes);
}

/** The first regular file's first `bytes` bytes in a (possibly truncated) tar stream; skips PAX/GNU headers. */
export function firstTarFile(tar: Buffer, bytes: number): Buffer | undefined {
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) return undefined;
    const size = Number.parseInt(
      header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0',
      8,
    );
    const type = String.fromCharCode(header[156] ?? 0);
    if (type === '0' || type === '\0') return tar.subarray(off + 512, off + 512 + Math.min(bytes, size));
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      off += 512 + Math.ceil(size / 512) * 512;
      continue;
    }
    return undefined;
  }
  return undefined;
}

/** Finds the program in the container: an absolute or relative path, or the first PATH entry that has it. */
async function locate(
  run: PlatformRun,
  program: string,
): Promise<{ path: string; head: Buffer } | undefined> {
  const workdir = run.contract.workingDir ?? run.image.WorkingDir ?? '/';
  const candidates = program.includes('/')
    ? [posix.resolve(workdir || '/', program)]
    : pathDirs(run).map((d) => posix.join(d, program));
  for (const path of candidates) {
    const head = await readHead(run, path);
    if (head) return { path, head };
  }
  return undefined;
}

export async function archCheck(run: PlatformRun): Promise<SmokeCheckResult> {
  const t = performance.now();
  const want = run.platform.split('/')[1] ?? '';
  const argv = effectiveArgv(run.contract, run.image);
  const evidence: string[] = [];
  let elfArch: string | undefined;
  const program = argv[0];
  if (!program) evidence.push('the image and the contract set no command');
  else {
    let found = await locate(run, program);
    if (!found) evidence.push(`${program} is not a file in the container`);
    const script = found ? interpreterLine(found.head) : undefined;
    if (found && script) {
      const interp = posix.basename(script[0] ?? '') === 'env' && script[1] ? script[1] : (script[0] ?? '');
      evidence.push(`${found.path} is a script run by ${interp}`);
      found = await locate(run, interp);
      if (!found) evidence.push(`its interpreter ${interp} is not in the container`);
    }
    if (found) {
      const elf = elfArchitecture(found.head);
      elfArch = elf?.architecture;
      evidence.push(
        elf ? `${found.path}: ELF ${elf.bits}-bit ${elf.architecture}` : `${found.path}: not an ELF binary`,
      );
    }
  }
  let unameArch: string | undefined;
  if (running(run)) {
    const r = await run.engine.run(['exec', run.id, 'uname', '-m'], { timeoutMs: run.timeoutMs });
    if (r.code === 0) {
      unameArch = unameArchitecture(r.stdout);
      evidence.push(`uname -m: ${r.stdout.trim()}`);
    } else
      evidence.push(`uname -m could not run: ${engineErrorLine(`${r.stdout}\n${r.stderr}`).slice(0, 160)}`);
  }
  const wrong = [elfArch, unameArch].filter((a) => a !== undefined && a !== want);
  if (wrong.length) {
    const what =
      elfArch && elfArch !== want ? `the main executable is ${elfArch}` : `uname -m says ${unameArch}`;
    return result('arch', 'fail', `${what} in the ${run.platform} image`, evidence, t);
  }
  if (elfArch === undefined && unameArch === undefined)
    return result('arch', 'not-run', 'neither the executable nor uname -m could be read', evidence, t);
  return result(
    'arch',
    'pass',
    `${want}${elfArch ? ' executable' : ''}${unameArch ? `${elfArch ? ', ' : ''}uname -m agrees` : ''}`,
    evidence,
    t,
  );
}

// ---------------------------------------------------------------------------------------------------- imports

export async function importsCheck(run: PlatformRun): Promise<SmokeCheckResult> {
  const t = performance.now();
  const modules = run.contract.pythonImports;
  if (modules.length === 0)
    return result('imports', 'not-applicable', 'no Python import asked for (--python-import)', [], t);
  const evidence: string[] = [];
  const failed: string[] = [];
  for (const m of modules) {
    const code = `import ${m}`;
    let r: Awaited<ReturnType<SmokeEngine['run']>> | undefined;
    for (const python of ['python3', 'python']) {
      r = running(run)
        ? await run.engine.run(['exec', run.id, python, '-c', code], { timeoutMs: run.timeoutMs })
        : await run.engine.run(
            [
              'run',
              '--rm',
              '--label',
              run.label,
              '--network',
              'none',
              '--platform',
              run.platform,
              '--entrypoint',
              python,
              run.imageRef,
              '-c',
              code,
            ],
            { timeoutMs: run.timeoutMs },
          );
      // The engine's "not found" (docker 20.10 prints exec's error on stdout): try the other name.
      if (
        !/executable file not found|no such file or directory/.test(`${r.stdout}\n${r.stderr}`) ||
        r.code === 0
      )
        break;
    }
    if (r?.code === 0) evidence.push(`import ${m}: ok`);
    else {
      failed.push(m);
      const last = tracebackLastLine(`${r?.stdout ?? ''}\n${r?.stderr ?? ''}`);
      evidence.push(
        `import ${m}: ${/executable file not found/.test(last) ? 'python3 is not in the image' : last || `exit ${r?.code}`}`,
      );
    }
  }
  if (failed.length)
    return result(
      'imports',
      'fail',
      `${failed.join(', ')} ${failed.length === 1 ? 'does' : 'do'} not import`,
      evidence,
      t,
    );
  return result('imports', 'pass', `${modules.join(', ')} import`, evidence, t);
}
