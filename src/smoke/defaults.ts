import type { SmokeContract, SmokeProbe } from './types.js';

/** Kubernetes probe defaults (initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold). */
export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  failureThreshold: 3,
};

/** Kubernetes `terminationGracePeriodSeconds` default, and compose's `stop_grace_period` default. */
export const GRACE_DEFAULTS = { kubernetes: 30, compose: 10 };

/** A contract with nothing declared: `crossdock smoke <image-ref>` without manifests, before flags. */
export function emptyContract(name: string, image: string | undefined): SmokeContract {
  return {
    name,
    image,
    lifecycle: 'long-running',
    env: {},
    envNotProvided: [],
    user: {},
    ports: [],
    probes: [],
    terminationGracePeriodSeconds: GRACE_DEFAULTS.kubernetes,
    pythonImports: [],
    sources: [],
    origin: 'flags',
  };
}

/** The shortest startup window: a process that exits within it has not started. */
export const MIN_STARTUP_WINDOW = 10;

/**
 * How long a long-running workload gets before smoke looks at it (`starts`) and first asks its probes:
 * `--startup-window` when given, else when kubelet would send the first probe (initialDelaySeconds +
 * periodSeconds, the latest over the probes), and at least 10 s.
 */
export function startupWindowSeconds(contract: SmokeContract): number {
  if (contract.startupWindowSeconds !== undefined) return contract.startupWindowSeconds;
  let window = MIN_STARTUP_WINDOW;
  for (const p of contract.probes) window = Math.max(window, p.initialDelaySeconds + p.periodSeconds);
  return window;
}

/**
 * The moment, counted from the container's start, at which kubelet would count a probe as failed: after
 * initialDelaySeconds, failureThreshold failures in a row, periodSeconds apart. A probe that answers before it
 * passes, however late (a startup probe of 30 × 2 s gives the process a minute).
 */
export function probeDeadlineSeconds(p: SmokeProbe): number {
  return p.initialDelaySeconds + p.periodSeconds * p.failureThreshold;
}
