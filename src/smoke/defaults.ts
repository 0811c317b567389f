import type { SmokeContract } from './types.js';

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
