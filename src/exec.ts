import { spawn } from 'node:child_process';
import { ExternalToolError } from './errors.js';

/**
 * The one seam through which crossdock runs external programs (git, docker, buildah, skopeo,
 * docker-credential-*). Never uses a shell. With CROSSDOCK_DEBUG=1 every argv is logged to stderr.
 */
export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  timeoutMs?: number;
  /** Cap on captured stdout bytes (default 64 MiB); beyond it the process is killed and an error raised. */
  maxStdout?: number;
  /** Called with each chunk of stdout/stderr as it arrives (for live progress). */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Abort the process (SIGTERM, then SIGKILL after 5 s). */
  signal?: AbortSignal;
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

export function debugEnabled(env: Record<string, string | undefined> = process.env): boolean {
  const v = env.CROSSDOCK_DEBUG;
  return v !== undefined && v !== '' && v !== '0';
}

export function exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [program, ...args] = argv;
  if (!program) throw new TypeError('exec: empty argv');
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
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
      killTimer.unref();
    };
    const timer = options.timeoutMs ? setTimeout(kill, options.timeoutMs) : undefined;
    timer?.unref();
    const onAbort = () => kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => {
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
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
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
