import { exec, type ExecOptions, type ExecResult } from '../exec.js';
import type { NodeState } from '../build/nodes.js';

/**
 * The Docker engine a smoke platform runs on, driven through the one exec seam (src/exec.ts) with the node's
 * client, endpoint and environment (src/build/nodes.ts chose and probed them). Every container and network smoke
 * creates carries the label `crossdock.smoke=<run id>`, so what one run made can be listed and removed by it.
 */
export const SMOKE_LABEL = 'crossdock.smoke';

export class SmokeEngine {
  readonly node: NodeState;
  readonly signal: AbortSignal | undefined;
  constructor(node: NodeState, signal: AbortSignal | undefined) {
    this.node = node;
    this.signal = signal;
  }

  /** `docker <args>`; `cancellable: false` for cleanup, which must run after Ctrl-C too. */
  run(
    args: string[],
    options: Pick<ExecOptions, 'timeoutMs' | 'onStdoutBytes' | 'signal'> & { cancellable?: boolean } = {},
  ): Promise<ExecResult> {
    return exec([...this.node.argv, ...args], {
      env: this.node.env,
      inherit: this.node.inherit,
      timeoutMs: options.timeoutMs ?? 60_000,
      onStdoutBytes: options.onStdoutBytes,
      signal: options.signal ?? (options.cancellable === false ? undefined : this.signal),
    });
  }

  /** The container's state, from `docker inspect` (parsed field by field, never cast). */
  async inspect(id: string): Promise<ContainerState | undefined> {
    const r = await this.run(['inspect', '--type', 'container', '--format', '{{json .}}', id], {
      timeoutMs: 20_000,
      cancellable: false,
    });
    if (r.code !== 0) return undefined;
    return parseContainerState(r.stdout);
  }
}

export interface ContainerState {
  status: string;
  running: boolean;
  exitCode: number | undefined;
  /** The engine's error for a container that could not start (`exec format error`, a missing entrypoint). */
  error: string;
  pid: number;
  startedAt: string;
  finishedAt: string;
  oomKilled: boolean;
  /** The program the engine runs as PID 1 (before `--init`), and its arguments. */
  path: string;
  args: string[];
  /** `--init`: docker-init is PID 1. */
  init: boolean;
  /** Container IP per network name. */
  ips: Record<string, string>;
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** `docker inspect --format '{{json .}}'` of a container → the fields smoke reads. */
export function parseContainerState(text: string): ContainerState | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const top = obj(json);
  const state = obj(top.State);
  const host = obj(top.HostConfig);
  const networks = obj(obj(top.NetworkSettings).Networks);
  const ips: Record<string, string> = {};
  for (const [name, n] of Object.entries(networks)) {
    const ip = str(obj(n).IPAddress);
    if (ip) ips[name] = ip;
  }
  return {
    status: str(state.Status),
    running: state.Running === true,
    exitCode: typeof state.ExitCode === 'number' ? state.ExitCode : undefined,
    error: str(state.Error),
    pid: typeof state.Pid === 'number' ? state.Pid : 0,
    startedAt: str(state.StartedAt),
    finishedAt: str(state.FinishedAt),
    oomKilled: state.OOMKilled === true,
    path: str(top.Path),
    args: Array.isArray(top.Args) ? top.Args.filter((a): a is string => typeof a === 'string') : [],
    init: host.Init === true,
    ips,
  };
}

/** The last non-empty line of an engine's stderr, without the `Error response from daemon:` prefix. */
export function engineErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines[lines.length - 1] ?? '').replace(/^Error response from daemon:\s*/, '');
}
