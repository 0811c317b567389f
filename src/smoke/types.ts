/**
 * `crossdock smoke`: the contract a deployment declares for a container, and what running an image against it
 * found, per platform. The contract is derived (src/smoke/contract.ts) from Kubernetes workloads, compose services,
 * the image config and flags; the runner (src/smoke/run.ts) checks it on the engine, one container per platform.
 */

/** Where a part of the contract was declared: a manifest line, a compose key, the image config or a flag. */
export interface ContractSource {
  /** Repository-relative file, `image config`, or `--flag`. */
  file: string;
  /** 1-based line, when the source is a file. */
  line?: number;
  /** What was read there, e.g. `readinessProbe.httpGet.port`. */
  what: string;
}

export type ProbeAction =
  | { type: 'http'; path: string; port: number; scheme: 'HTTP' | 'HTTPS'; headers: Record<string, string> }
  | { type: 'tcp'; port: number }
  | { type: 'exec'; command: string[] }
  | { type: 'grpc'; port: number; service?: string };

export interface SmokeProbe {
  /** Kubernetes probe kind, or `healthcheck` (Dockerfile HEALTHCHECK / compose healthcheck). */
  kind: 'liveness' | 'readiness' | 'startup' | 'healthcheck';
  action: ProbeAction;
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  source: ContractSource;
}

export interface SmokeContract {
  /** Human name: `Deployment/web`, `compose service api`, or `flags`. */
  name: string;
  /** The image reference as the deployment writes it (undefined when given on the command line only). */
  image: string | undefined;
  /** Deployment, StatefulSet, DaemonSet, compose service: long-running. Job, CronJob: batch. */
  lifecycle: 'long-running' | 'batch';
  /** Replaces the image's Entrypoint (Kubernetes `command`, compose `entrypoint`); undefined keeps the image's. */
  entrypoint?: string[];
  /** Replaces the image's Cmd (Kubernetes `args`, compose `command`); undefined keeps the image's. */
  cmd?: string[];
  /** Literal environment values. */
  env: Record<string, string>;
  /** Values that come from elsewhere (secrets, config maps) and are not provided to the smoke container. */
  envNotProvided: { name: string | undefined; what: string; source: ContractSource }[];
  user: {
    runAsUser?: number;
    runAsGroup?: number;
    runAsNonRoot?: boolean;
    composeUser?: string;
    /** The image config's `User` (set by applyImageConfig): what runs when nothing above overrides it. */
    imageUser?: string;
  };
  workingDir?: string;
  /** Ports the deployment routes to (containerPort, Service targetPort, compose ports/expose). */
  ports: { port: number; source: ContractSource }[];
  probes: SmokeProbe[];
  /** Kubernetes default 30 s; compose `stop_grace_period`, default 10 s. */
  terminationGracePeriodSeconds: number;
  /** Batch workloads: the exit code expected (default 0). */
  expectExit?: number;
  /** Python modules that must import on every platform (opt-in). */
  pythonImports: string[];
  /** Every place this contract was read from. */
  sources: ContractSource[];
  /** Where it was declared: a Kubernetes workload, a compose service, or flags alone (an image reference). */
  origin?: 'kubernetes' | 'compose' | 'flags';
  /** The container's name in its pod (the compose service name for compose). */
  container?: string;
  /** Id of the repository build that produces this container's image (contractsFromRepository). */
  buildId?: string;
  /**
   * A compose `healthcheck` as written: fields it leaves out come from the image's HEALTHCHECK, one by one
   * (applyImageConfig merges them); durations in seconds.
   */
  composeHealthcheck?: {
    test?: string[];
    interval?: number;
    timeout?: number;
    retries?: number;
    startPeriod?: number;
    disabled: boolean;
    source: ContractSource;
  };
  /** `--startup-window`: replaces the window derived from the probes (see startupWindowSeconds). */
  startupWindowSeconds?: number;
  /** applyImageConfig has run: `entrypoint` and `cmd` are then both set to what runs. */
  imageConfigApplied?: boolean;
  /** What is not known about this contract, and why (a port name that names nothing, `${VAR}` without default). */
  notes?: string[];
}

/** Stable check ids (documented in docs/smoke.md; part of the JSON interface). */
export type SmokeCheckId = 'starts' | 'listens' | 'probes' | 'user' | 'stops' | 'arch' | 'imports';

/** Every check id, in reporting order. */
export const SMOKE_CHECK_IDS: readonly SmokeCheckId[] = [
  'starts',
  'listens',
  'probes',
  'user',
  'stops',
  'arch',
  'imports',
];

export type SmokeStatus = 'pass' | 'fail' | 'not-applicable' | 'not-run';

export interface SmokeCheckResult {
  id: SmokeCheckId;
  status: SmokeStatus;
  /** One line: what held or what did not, e.g. `listens on 5000, expected 8080`. */
  summary: string;
  /** Evidence lines: the engine's error line, the probe's status and first bytes of the body, log tail. */
  evidence: string[];
  durationMs: number;
}

export interface SmokePlatformResult {
  platform: string;
  /** The digest of the platform's manifest that ran. */
  digest: string | undefined;
  /** `native`, `qemu`, or why it could not run. */
  runner: { kind: 'native' | 'qemu'; engine: string } | { kind: 'not-runnable'; reason: string; fix: string };
  checks: SmokeCheckResult[];
  /** Where the container's log was kept (`--log-dir`). */
  log?: string;
  /** Why the platform's image or container could not be obtained (pull, network, create failed; cancelled). */
  error?: string;
  /**
   * Milliseconds per phase: placeMs (probing the engines, shared by the platforms), pullMs, networkMs, createMs,
   * startMs, windowMs, checksMs, cleanupMs, totalMs (pull to cleanup).
   */
  timings?: Record<string, number>;
}
