import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { ExternalToolError } from './errors.js';
import { trackChild, untrackChild } from './stop.js';

/**
 * The one seam through which crossdock runs external programs (git, docker, buildah, skopeo,
 * docker-credential-*). Never uses a shell. With CROSSDOCK_DEBUG=1 every argv is logged to stderr.
 *
 * Children get a minimal environment (`childEnv`): the variables the engines and tools need, never crossdock's
 * own (CROSSDOCK_PASSWORD and the rest) nor anything unrelated that happens to be set. git always runs without
 * repository-configured programs (`GIT_HARDENING`).
 */
export interface ExecOptions {
  cwd?: string;
  /** Variables set for this child on top of the minimal environment (they are passed as given). */
  env?: Record<string, string | undefined>;
  /** The environment the minimal one is taken from (default: this process's); commands pass their io.env. */
  inherit?: Record<string, string | undefined>;
  /** Fed to the child's stdin (a stream is piped). */
  input?: string | Buffer | NodeJS.ReadableStream;
  timeoutMs?: number;
  /** Cap on captured stdout bytes (default 64 MiB); beyond it the process is killed and an error raised. */
  maxStdout?: number;
  /** Called with each chunk of stdout/stderr as it arrives (for live progress). */
  onStdout?: (chunk: string) => void;
  /** Receives stdout as bytes instead of capturing it (binary output of any size: decompressors). */
  onStdoutBytes?: (chunk: Buffer) => void;
  onStderr?: (chunk: string) => void;
  /** Abort the process (SIGTERM, then SIGKILL after 5 s). */
  signal?: AbortSignal;
  /**
   * Run it in a process group of its own and signal the whole group: for engines whose work runs in their own
   * children (docker's buildx plugin, buildah's runtime). Terminal signals then reach crossdock only.
   */
  group?: boolean;
}

export interface ExecResult {
  argv: readonly string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the process could not be started at all (ENOENT, EACCES). */
  notFound: boolean;
}

/** Variables a child inherits by name: what docker, buildx, buildah, git, skopeo and credential helpers read. */
const INHERITED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'TMPDIR',
  'SSH_AUTH_SOCK', // ssh:// engines
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'DBUS_SESSION_BUS_ADDRESS', // docker-credential-secretservice
  'GNUPGHOME', // docker-credential-pass
  'PASSWORD_STORE_DIR',
  'REGISTRY_AUTH_FILE', // buildah, skopeo, podman credentials
  'STORAGE_DRIVER', // buildah storage
  'STORAGE_OPTS',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'ftp_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'FTP_PROXY',
]);
/** Prefixes a child inherits: engine settings (DOCKER_HOST, BUILDKIT_PROGRESS, CONTAINERS_CONF, XDG_RUNTIME_DIR). */
const INHERITED_PREFIXES = ['DOCKER_', 'BUILDKIT_', 'BUILDX_', 'BUILDAH_', 'CONTAINERS_', 'XDG_', 'LC_'];

/**
 * The environment of a child: the inherited variables of `from` that a tool needs, then `extra` as given.
 * Nothing named CROSSDOCK_* is ever inherited (CROSSDOCK_PASSWORD is crossdock's, not the engines').
 */
export function childEnv(
  from: Record<string, string | undefined>,
  extra: Record<string, string | undefined> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(from)) {
    if (v === undefined || k.startsWith('CROSSDOCK_')) continue;
    if (INHERITED.has(k) || INHERITED_PREFIXES.some((p) => k.startsWith(p))) out[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Options every git command gets: no fsmonitor program, no hooks, no optional index writes. A repository's own
 * .git/config can name programs (core.fsmonitor, hooks); crossdock only reads repositories and runs none of them.
 */
export const GIT_HARDENING = [
  '-c',
  'core.fsmonitor=false',
  '-c',
  'core.hooksPath=/dev/null',
  '--no-optional-locks',
] as const;

export function debugEnabled(env: Record<string, string | undefined> = process.env): boolean {
  const v = env.CROSSDOCK_DEBUG;
  return v !== undefined && v !== '' && v !== '0';
}

export function exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [program, ...rest] = argv;
  if (!program) throw new TypeError('exec: empty argv');
  if (basename(program) === 'git') argv = [program, ...GIT_HARDENING, ...rest];
  const args = argv.slice(1);
  if (debugEnabled()) process.stderr.write(`debug: exec ${argv.map((a) => JSON.stringify(a)).join(' ')}\n`);
  const maxStdout = options.maxStdout ?? 64 * 1024 * 1024;
  // Already cancelled (Ctrl-C between two steps): start nothing.
  if (options.signal?.aborted)
    return Promise.resolve({
      argv,
      code: null,
      signal: 'SIGTERM',
      stdout: '',
      stderr: 'cancelled before it started',
      notFound: false,
    });
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: childEnv(options.inherit ?? process.env, options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: options.group === true,
    });
    const signalChild = (sig: NodeJS.Signals) => {
      try {
        if (options.group && child.pid !== undefined) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        /* already gone */
      }
    };
    const killNow = () => signalChild('SIGKILL');
    trackChild(killNow);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      signalChild('SIGTERM');
      killTimer = setTimeout(killNow, 5000);
      killTimer.unref();
    };
    const timer = options.timeoutMs ? setTimeout(kill, options.timeoutMs) : undefined;
    timer?.unref();
    const onAbort = () => kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => {
      if (options.onStdoutBytes) {
        options.onStdoutBytes(b);
        return;
      }
      outBytes += b.length;
      if (outBytes > maxStdout) kill();
      else out.push(b);
      options.onStdout?.(b.toString('utf8'));
    });
    child.stderr.on('data', (b: Buffer) => {
      errBytes += b.length;
      if (errBytes <= 4 * 1024 * 1024) err.push(b);
      options.onStderr?.(b.toString('utf8'));
    });
    const finish = (result: Omit<ExecResult, 'argv'>) => {
      if (settled) return;
      settled = true;
      untrackChild(killNow);
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ argv, ...result });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish({
        code: null,
        signal: null,
        stdout: '',
        stderr: e.message,
        notFound: e.code === 'ENOENT' || e.code === 'EACCES',
      });
    });
    child.on('close', (code, signal) => {
      finish({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        notFound: false,
      });
    });
    child.stdin.on('error', () => {});
    const input = options.input;
    if (input === undefined) child.stdin.end();
    else if (typeof input === 'string' || Buffer.isBuffer(input)) child.stdin.end(input);
    else {
      input.on('error', (e: Error) => {
        child.stderr.emit('data', Buffer.from(`crossdock: reading the input failed: ${e.message}\n`));
        kill();
      });
      input.pipe(child.stdin);
    }
  });
}

/** Like exec, but a non-zero exit or a missing program becomes an ExternalToolError carrying argv and stderr. */
export async function execOk(
  argv: readonly string[],
  options: ExecOptions & { hint?: string } = {},
): Promise<ExecResult> {
  const r = await exec(argv, options);
  if (r.notFound) {
    throw new ExternalToolError(`${argv[0]} is not installed or not executable`, {
      argv,
      exitCode: null,
      stderr: r.stderr,
      hint: options.hint ?? `install ${argv[0]} and make sure it is on PATH`,
    });
  }
  if (r.code !== 0) {
    const tail = r.stderr.trim().split('\n').slice(-5).join('\n');
    throw new ExternalToolError(
      `${argv.slice(0, 3).join(' ')} failed (exit ${r.code ?? r.signal})${tail ? `:\n${tail}` : ''}`,
      { argv, exitCode: r.code, stderr: r.stderr, hint: options.hint },
    );
  }
  return r;
}
