import { UsageError } from '../errors.js';
import { parseGoDuration } from '../model/duration.js';
import { emptyContract, PROBE_DEFAULTS } from './defaults.js';
import { exposedTcpPorts } from './image-config.js';
import type { SmokeImage } from './run.js';
import type { ContractSource, SmokeContract } from './types.js';

/**
 * The contract flags of `crossdock smoke` (and their only parser): applied over a contract derived from deployment
 * files, or over an empty one for `crossdock smoke <ref>` alone. Repeatable flags are lists.
 */
export interface SmokeFlags {
  /** `--port N`: a port the container must listen on. */
  port?: (string | number)[];
  /** `--http PATH[:PORT]`: an HTTP check (200–399, Kubernetes probe defaults); PORT defaults to the contract's only port. */
  http?: string[];
  /** `--expect-exit N`: the workload runs to completion and exits N. */
  expectExit?: string | number;
  /** `--env K=V`: set (or provide) an environment variable. */
  env?: string[];
  /** `--python-import a,b`: Python modules that must import on every platform. */
  pythonImports?: string[];
  /** `--run-as-user UID`, `--run-as-non-root`: a pod's securityContext. */
  runAsUser?: string | number;
  runAsNonRoot?: boolean;
  /** `--grace-period S`: terminationGracePeriodSeconds. */
  gracePeriod?: string | number;
  /** `--startup-window 20s`: how long the process gets to start (replaces the window derived from probes). */
  startupWindow?: string | number;
}

function flagSource(flag: string, value: string | number): ContractSource {
  return { file: flag, what: `${flag} ${value}` };
}

function portNumber(text: string, flag: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`${flag} ${text}: not a port number`, { hint: 'give a TCP port from 1 to 65535' });
  return n;
}

/** `--startup-window`, `--timeout`, `--stop-timeout`: `20s`, `1m30s`, `500ms`, or a number of seconds. Positive. */
export function parseDurationFlag(text: string | number, flag: string): number {
  const s = String(text).trim();
  const seconds = /^\d+(\.\d+)?$/.test(s) ? Number(s) : parseGoDuration(s);
  if (seconds === undefined || !(seconds > 0))
    throw new UsageError(`${flag} ${s}: not a duration`, {
      hint: 'write it as 20s, 500ms, 1m30s or a number of seconds (more than 0)',
    });
  return seconds;
}

/**
 * The contract with the command-line flags applied. `--port` and `--http` add ports and checks; `--expect-exit`
 * makes the workload a batch one expecting that code; `--env` sets a variable (and so provides one a secret would
 * have); `--python-import` adds modules; `--run-as-user`, `--run-as-non-root`, `--grace-period` and
 * `--startup-window` replace. A malformed value is a UsageError. Pure.
 */
export function applyFlags(contract: SmokeContract, flags: SmokeFlags): SmokeContract {
  const k = structuredClone(contract);
  const addPort = (port: number, source: ContractSource) => {
    k.sources.push(source);
    if (!k.ports.some((p) => p.port === port)) k.ports.push({ port, source });
  };
  for (const p of flags.port ?? []) addPort(portNumber(String(p).trim(), '--port'), flagSource('--port', p));
  for (const h of flags.http ?? []) {
    const colon = h.lastIndexOf(':');
    const hasPort = colon >= 0 && /^\d+$/.test(h.slice(colon + 1));
    const path = hasPort ? h.slice(0, colon) : h;
    if (!path.startsWith('/'))
      throw new UsageError(`--http ${h}: the path must start with /`, {
        hint: 'write it as /healthz or /healthz:8080',
      });
    let port: number;
    if (hasPort) port = portNumber(h.slice(colon + 1), '--http');
    else {
      const only = k.ports.length === 1 ? k.ports[0] : undefined;
      if (!only)
        throw new UsageError(`--http ${h}: which port to ask is not known`, {
          hint:
            k.ports.length === 0
              ? `the contract routes to no port: write it as ${path}:PORT, or give --port PORT`
              : `the contract routes to ports ${k.ports.map((p) => p.port).join(', ')}: write it as ${path}:PORT`,
        });
      port = only.port;
    }
    const source = flagSource('--http', h);
    addPort(port, source);
    k.probes.push({
      kind: 'readiness',
      action: { type: 'http', path, port, scheme: 'HTTP', headers: {} },
      ...PROBE_DEFAULTS,
      source,
    });
  }
  if (flags.expectExit !== undefined) {
    const s = String(flags.expectExit).trim();
    const code = /^\d{1,3}$/.test(s) ? Number(s) : Number.NaN;
    if (!(code >= 0 && code <= 255))
      throw new UsageError(`--expect-exit ${s}: not an exit code`, { hint: 'give a number from 0 to 255' });
    k.lifecycle = 'batch';
    k.expectExit = code;
    k.sources.push(flagSource('--expect-exit', s));
  }
  for (const e of flags.env ?? []) {
    const eq = e.indexOf('=');
    const name = eq < 0 ? '' : e.slice(0, eq);
    if (!name)
      throw new UsageError(`--env ${e}: not NAME=VALUE`, {
        hint: 'write it as --env NAME=VALUE, e.g. --env LOG_LEVEL=debug',
      });
    k.env[name] = e.slice(eq + 1);
    k.envNotProvided = k.envNotProvided.filter((n) => n.name !== name);
    // The value may be a secret: the source names the variable only.
    k.sources.push({ file: '--env', what: `--env ${name}` });
  }
  for (const m of flags.pythonImports ?? [])
    if (!k.pythonImports.includes(m)) {
      k.pythonImports.push(m);
      k.sources.push(flagSource('--python-import', m));
    }
  if (flags.runAsUser !== undefined) {
    const s = String(flags.runAsUser).trim();
    if (!/^\d{1,10}$/.test(s))
      throw new UsageError(`--run-as-user ${s}: not a numeric uid`, {
        hint: 'write it as a number, e.g. --run-as-user 10001',
      });
    k.user.runAsUser = Number(s);
    k.sources.push(flagSource('--run-as-user', s));
  }
  if (flags.runAsNonRoot) {
    k.user.runAsNonRoot = true;
    k.sources.push({ file: '--run-as-non-root', what: '--run-as-non-root' });
  }
  if (flags.gracePeriod !== undefined) {
    const s = String(flags.gracePeriod).trim();
    if (!/^\d{1,6}$/.test(s))
      throw new UsageError(`--grace-period ${s}: not a number of seconds`, {
        hint: 'e.g. --grace-period 30',
      });
    k.terminationGracePeriodSeconds = Number(s);
    k.sources.push(flagSource('--grace-period', s));
  }
  if (flags.startupWindow !== undefined) {
    k.startupWindowSeconds = parseDurationFlag(flags.startupWindow, '--startup-window');
    k.sources.push(flagSource('--startup-window', flags.startupWindow));
  }
  return k;
}

/**
 * Checks every flag's syntax before anything is read (the image, the manifests): a malformed value is a
 * UsageError at once. Each `--http` is checked alone against a stand-in contract with one port, so one without a
 * port passes here: which port it means is decided against the real contract's ports later.
 */
export function checkFlags(flags: SmokeFlags): void {
  applyFlags(emptyContract('flags', undefined), { ...flags, http: [] });
  const standIn = emptyContract('flags', undefined);
  standIn.ports.push({ port: 1, source: { file: 'flags', what: 'syntax check' } });
  for (const h of flags.http ?? []) applyFlags(standIn, { http: [h] });
}

/**
 * `crossdock smoke <ref>` without deployment files: an empty contract with the flags applied, where the image's
 * `EXPOSE`d tcp ports (of every platform) are the ports unless `--port` is given.
 */
export function contractFromFlags(flags: SmokeFlags, image: SmokeImage): SmokeContract {
  const base = emptyContract('flags', undefined);
  base.sources.push({ file: 'image config', what: 'Entrypoint, Cmd, User' });
  if (!flags.port?.length)
    for (const p of image.platforms)
      for (const { port, key } of exposedTcpPorts(p.config?.config ?? undefined))
        if (!base.ports.some((x) => x.port === port)) {
          const source = { file: 'image config', what: `ExposedPorts ${key}` };
          base.ports.push({ port, source });
          base.sources.push(source);
        }
  base.ports.sort((a, b) => a.port - b.port);
  return applyFlags(base, flags);
}
