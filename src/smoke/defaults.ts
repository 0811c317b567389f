/** Kubernetes probe defaults (initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold). */
export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  failureThreshold: 3,
};
