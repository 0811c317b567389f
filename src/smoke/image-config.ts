import { InternalError } from '../errors.js';
import type { ContractSource, SmokeContract, SmokeProbe } from './types.js';

/**
 * The part of an image config (`config` of the OCI image config, `Config` of `docker image inspect`) a smoke
 * contract reads. Healthcheck durations are in nanoseconds, 0 meaning "not set".
 */
export interface SmokeImageConfig {
  User?: string;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  ExposedPorts?: Record<string, unknown> | null;
  Healthcheck?: {
    Test?: string[] | null;
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    Retries?: number;
  } | null;
  /** `SHELL` of the Dockerfile: what runs a `CMD-SHELL` health check (default `/bin/sh -c`). */
  Shell?: string[] | null;
}

/** Docker's health check defaults (seconds; retries). */
export const HEALTHCHECK_DEFAULTS = { interval: 30, timeout: 30, startPeriod: 0, retries: 3 };

const IMAGE_CONFIG = 'image config';

/**
 * The health check Docker runs: a compose `healthcheck` over the image's HEALTHCHECK field by field (a compose
 * field left out takes the image's; Docker's defaults for what neither sets). Undefined when there is none,
 * `disable: true`, or the test is `NONE`.
 */
export function healthcheckProbe(
  compose: SmokeContract['composeHealthcheck'],
  image: SmokeImageConfig['Healthcheck'] | undefined,
  shell?: string[] | null,
): SmokeProbe | undefined {
  if (compose?.disabled) return undefined;
  const fromCompose = !!compose?.test?.length;
  const test = fromCompose ? compose?.test : (image?.Test ?? undefined);
  const kind = test?.[0];
  if (!test || (kind !== 'CMD' && kind !== 'CMD-SHELL')) return undefined;
  const seconds = (ns: number | undefined) => (ns ? ns / 1e9 : undefined);
  const command =
    kind === 'CMD'
      ? test.slice(1)
      : [...(shell?.length ? shell : ['/bin/sh', '-c']), test.slice(1).join(' ')];
  const source: ContractSource =
    fromCompose && compose
      ? compose.source
      : { file: IMAGE_CONFIG, what: 'Healthcheck (Dockerfile HEALTHCHECK)' };
  return {
    kind: 'healthcheck',
    action: { type: 'exec', command },
    initialDelaySeconds:
      compose?.startPeriod ?? seconds(image?.StartPeriod) ?? HEALTHCHECK_DEFAULTS.startPeriod,
    periodSeconds: compose?.interval ?? seconds(image?.Interval) ?? HEALTHCHECK_DEFAULTS.interval,
    timeoutSeconds: compose?.timeout ?? seconds(image?.Timeout) ?? HEALTHCHECK_DEFAULTS.timeout,
    failureThreshold: compose?.retries ?? (image?.Retries || undefined) ?? HEALTHCHECK_DEFAULTS.retries,
    source,
  };
}

/**
 * The contract with the image config merged under the deployment's overrides, as Kubernetes and compose do:
 * `command` (compose `entrypoint`) replaces the Entrypoint and drops the image's Cmd; `args` (compose `command`)
 * replaces the Cmd only. Afterwards `entrypoint` and `cmd` both hold what runs. The image's Env is under the
 * deployment's; its User, WorkingDir apply where the deployment sets none; ExposedPorts are the ports to check
 * only for a contract from flags alone (Kubernetes and compose do not route by EXPOSE); its HEALTHCHECK applies
 * under compose and flags (merged with a compose `healthcheck`), never under Kubernetes, which ignores it.
 * Pure: returns a new contract; apply each platform's config to the contract as derived (applying twice throws).
 */
export function applyImageConfig(contract: SmokeContract, config: SmokeImageConfig): SmokeContract {
  // Each platform's image config applies to the contract as derived, never on top of another's.
  if (contract.imageConfigApplied)
    throw new InternalError(`${contract.name}: an image config is already applied to this contract`);
  const k = structuredClone(contract);
  const notes = [...(k.notes ?? [])];
  const image = (what: string): ContractSource => ({ file: IMAGE_CONFIG, what });

  if (k.entrypoint === undefined) {
    k.entrypoint = [...(config.Entrypoint ?? [])];
    if (config.Entrypoint?.length) k.sources.push(image('Entrypoint'));
  }
  if (k.cmd === undefined) {
    // An overridden Entrypoint drops the image's Cmd.
    k.cmd = contract.entrypoint !== undefined ? [] : [...(config.Cmd ?? [])];
    if (contract.entrypoint === undefined && config.Cmd?.length) k.sources.push(image('Cmd'));
  }
  if (!k.entrypoint.length && !k.cmd.length)
    notes.push('neither the deployment nor the image sets a command: the container cannot start');

  const env: Record<string, string> = {};
  const notProvided = new Set(k.envNotProvided.flatMap((n) => (n.name === undefined ? [] : [n.name])));
  for (const e of config.Env ?? []) {
    const eq = e.indexOf('=');
    const name = eq < 0 ? e : e.slice(0, eq);
    if (!name || notProvided.has(name)) continue;
    env[name] = eq < 0 ? '' : e.slice(eq + 1);
  }
  if (config.Env?.length) k.sources.push(image('Env'));
  k.env = { ...env, ...k.env };

  if (config.User) {
    k.user.imageUser = config.User;
    k.sources.push(image('User'));
  }
  if (k.workingDir === undefined && config.WorkingDir) {
    k.workingDir = config.WorkingDir;
    k.sources.push(image('WorkingDir'));
  }
  if (k.origin === 'flags' && k.ports.length === 0)
    for (const { port, key } of exposedTcpPorts(config)) {
      const source = image(`ExposedPorts ${key}`);
      k.ports.push({ port, source });
      k.sources.push(source);
    }

  const test = config.Healthcheck?.Test;
  if (k.origin === 'kubernetes') {
    if (test?.length && test[0] !== 'NONE')
      notes.push("Kubernetes ignores the image's HEALTHCHECK: it is not part of this contract");
  } else {
    k.probes = k.probes.filter((p) => p.kind !== 'healthcheck');
    const probe = healthcheckProbe(k.composeHealthcheck, config.Healthcheck ?? undefined, config.Shell);
    if (probe) {
      k.probes.push(probe);
      if (probe.source.file === IMAGE_CONFIG) k.sources.push(probe.source);
    }
  }
  k.imageConfigApplied = true;
  if (notes.length) k.notes = notes;
  return k;
}

/** The image's `EXPOSE`d tcp ports (`8080/tcp`, `8080`), in the config's order. */
export function exposedTcpPorts(config: SmokeImageConfig | undefined): { port: number; key: string }[] {
  const out: { port: number; key: string }[] = [];
  for (const key of Object.keys(config?.ExposedPorts ?? {})) {
    const slash = key.indexOf('/');
    const proto = slash < 0 ? 'tcp' : key.slice(slash + 1);
    const port = Number(slash < 0 ? key : key.slice(0, slash));
    if (proto === 'tcp' && Number.isInteger(port) && port > 0 && port <= 65535) out.push({ port, key });
  }
  return out;
}

/**
 * The argv the container runs: the contract's entrypoint (Kubernetes `command`, compose `entrypoint`) replaces
 * the image's Entrypoint and drops its Cmd; the contract's cmd (`args`, compose `command`) replaces the Cmd. Without
 * the image config, undefined when the argv depends on it (after applyImageConfig it never does).
 */
export function effectiveArgv(contract: SmokeContract, image: ImageArgv): string[];
export function effectiveArgv(contract: SmokeContract, image?: ImageArgv): string[] | undefined;
export function effectiveArgv(contract: SmokeContract, image?: ImageArgv): string[] | undefined {
  const entrypoint = contract.entrypoint ?? (image ? (image.Entrypoint ?? []) : undefined);
  const cmd =
    contract.cmd ?? (contract.entrypoint !== undefined ? [] : image ? (image.Cmd ?? []) : undefined);
  return entrypoint && cmd ? [...entrypoint, ...cmd] : undefined;
}

type ImageArgv = Pick<SmokeImageConfig, 'Entrypoint' | 'Cmd'>;
