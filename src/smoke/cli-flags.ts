import { UsageError } from '../errors.js';
import type { SmokeImage } from './run.js';
import type { ContractSource, SmokeContract, SmokeProbe } from './types.js';

/**
 * The contract `crossdock smoke <ref>` checks when no deployment file is given: the image config (its EXPOSE
 * ports), and the flags, which override or add to it. Pure: values in, contract out, a UsageError for a bad flag.
 */
export interface ContractFlags {
  /** `--port N`: the ports routed to (replace the image's EXPOSE). */
  ports: string[];
  /** `--http PATH[:PORT]`: readiness probes. */
  http: string[];
  /** `--expect-exit N`: a batch workload that must exit with N. */
  expectExit?: string;
  /** `--env K=V`. */
  env: string[];
  /** `--python-import a,b`. */
  pythonImports: string[];
  /** `--run-as-user UID`, `--run-as-non-root`: a pod's securityContext. */
  runAsUser?: string;
  runAsNonRoot: boolean;
  /** `--grace-period S`: terminationGracePeriodSeconds (default 30, as Kubernetes). */
  gracePeriod?: string;
}

const FLAG = (flag: string, value?: string): ContractSource => ({
  file: `--${flag}`,
  what: value === undefined ? `--${flag}` : `--${flag} ${value}`,
});

function port(text: string, flag: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535)
    throw new UsageError(`--${flag} ${text}: ${text} is not a port`, { hint: 'a number from 1 to 65535' });
  return Number(text);
}

/** `20s`, `1.5s`, `500ms`, `2m`, or plain seconds → milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m)
    throw new UsageError(`--${flag} ${text} is not a duration`, {
      hint: 'e.g. 20s, 500ms, 2m, or seconds: 20',
    });
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000);
}

/** `/health:8080` → path and port; `/health` → path, port undefined; `:8080` → `/`. */
export function parseHttpFlag(text: string): { path: string; port: number | undefined } {
  const colon = text.lastIndexOf(':');
  const tail = colon >= 0 ? text.slice(colon + 1) : '';
  if (colon >= 0 && /^\d+$/.test(tail)) {
    const path = text.slice(0, colon) || '/';
    if (!path.startsWith('/'))
      throw new UsageError(`--http ${text}: the path must start with /`, {
        hint: 'e.g. --http /health:8080',
      });
    return { path, port: port(tail, 'http') };
  }
  if (!text.startsWith('/'))
    throw new UsageError(`--http ${text}: the path must start with /`, { hint: 'e.g. --http /health:8080' });
  return { path: text, port: undefined };
}

function exposedPorts(image: SmokeImage): number[] {
  const out = new Set<number>();
  for (const p of image.platforms)
    for (const key of Object.keys(p.config?.config?.ExposedPorts ?? {})) {
      const [n, proto] = key.split('/');
      if ((proto ?? 'tcp') === 'tcp' && n && /^\d+$/.test(n)) out.add(Number(n));
    }
  return [...out].sort((a, b) => a - b);
}

export function contractFromFlags(flags: ContractFlags, image: SmokeImage): SmokeContract {
  const env: Record<string, string> = {};
  for (const kv of flags.env) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env ${kv} is not K=V`, { hint: 'e.g. --env LOG_LEVEL=debug' });
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const ports = flags.ports.length
    ? flags.ports.map((p) => ({ port: port(p, 'port'), source: FLAG('port', p) }))
    : exposedPorts(image).map((p) => ({ port: p, source: { file: 'image config', what: `EXPOSE ${p}` } }));
  const probes: SmokeProbe[] = flags.http.map((h) => {
    const { path, port: p } = parseHttpFlag(h);
    const chosen = p ?? ports[0]?.port;
    if (chosen === undefined)
      throw new UsageError(`--http ${h} names no port, and the image exposes none`, {
        hint: `write --http ${path}:8080, or give --port 8080`,
      });
    return {
      kind: 'readiness',
      action: { type: 'http', path, port: chosen, scheme: 'HTTP', headers: {} },
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
      source: FLAG('http', h),
    };
  });
  let expectExit: number | undefined;
  if (flags.expectExit !== undefined) {
    if (!/^\d{1,3}$/.test(flags.expectExit) || Number(flags.expectExit) > 255)
      throw new UsageError(`--expect-exit ${flags.expectExit} is not an exit code`, {
        hint: 'a number from 0 to 255',
      });
    expectExit = Number(flags.expectExit);
  }
  let runAsUser: number | undefined;
  if (flags.runAsUser !== undefined) {
    if (!/^\d{1,10}$/.test(flags.runAsUser))
      throw new UsageError(`--run-as-user ${flags.runAsUser} is not a uid`, { hint: 'a number, e.g. 10001' });
    runAsUser = Number(flags.runAsUser);
  }
  let grace = 30;
  if (flags.gracePeriod !== undefined) {
    if (!/^\d{1,6}$/.test(flags.gracePeriod))
      throw new UsageError(`--grace-period ${flags.gracePeriod} is not a number of seconds`, {
        hint: 'e.g. 30',
      });
    grace = Number(flags.gracePeriod);
  }
  const sources: ContractSource[] = [{ file: 'image config', what: 'Entrypoint, Cmd, User, ExposedPorts' }];
  for (const [flag, used] of [
    ['port', flags.ports.length],
    ['http', flags.http.length],
    ['env', flags.env.length],
    ['expect-exit', flags.expectExit !== undefined],
    ['run-as-user', runAsUser !== undefined],
    ['run-as-non-root', flags.runAsNonRoot],
    ['python-import', flags.pythonImports.length],
  ] as const)
    if (used) sources.push(FLAG(flag));
  return {
    name: 'flags',
    image: undefined,
    lifecycle: expectExit === undefined ? 'long-running' : 'batch',
    env,
    envNotProvided: [],
    user: {
      ...(runAsUser !== undefined ? { runAsUser } : {}),
      ...(flags.runAsNonRoot ? { runAsNonRoot: true } : {}),
    },
    ports,
    probes,
    terminationGracePeriodSeconds: grace,
    ...(expectExit !== undefined ? { expectExit } : {}),
    pythonImports: flags.pythonImports,
    sources,
  };
}
