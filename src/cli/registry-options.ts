import { UsageError } from '../errors.js';
import { CredentialStore } from '../registry/auth.js';
import { RegistryClient } from '../registry/client.js';
import type { Io, ParsedArgs } from './types.js';
import { boolOpt, listOpt, stringOpt } from './types.js';

async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * A client for one command. `--username` credentials go only to `credentialHosts` (for copy: the destination;
 * for inspect/verify: the registries named) and to the token services named with `--auth-host`; every other host
 * (a copy's source) uses Docker's config, so a password is never sent where it was not meant to go.
 */
export async function registryClient(
  args: ParsedArgs,
  io: Io,
  credentialHosts?: string[],
): Promise<RegistryClient> {
  const username = stringOpt(args, 'username');
  const stdin = boolOpt(args, 'password-stdin');
  if (stdin && !username)
    throw new UsageError('--password-stdin needs --username', {
      hint: 'echo "$TOKEN" | crossdock … --username ci --password-stdin',
    });
  if (username && !stdin)
    throw new UsageError('--username needs --password-stdin (passwords are never taken as arguments)', {
      hint: 'echo "$TOKEN" | crossdock … --username ci --password-stdin',
    });
  const explicit = username ? { username, password: await readStdin(io) } : undefined;
  return new RegistryClient({
    trust: {
      caFiles: listOpt(args, 'ca-file').map((f) => (f.startsWith('/') ? f : `${io.cwd}/${f}`)),
      certDirs: listOpt(args, 'cert-dir').map((f) => (f.startsWith('/') ? f : `${io.cwd}/${f}`)),
      plainHttp: listOpt(args, 'plain-http'),
      insecure: listOpt(args, 'insecure'),
      systemCertDirs:
        io.env.CROSSDOCK_SYSTEM_CERTS_D !== undefined
          ? io.env.CROSSDOCK_SYSTEM_CERTS_D.split(':').filter(Boolean)
          : undefined,
    },
    credentials: new CredentialStore({
      explicit,
      explicitHosts: credentialHosts,
      authHosts: listOpt(args, 'auth-host'),
      env: io.env,
      dockerConfig: io.env.DOCKER_CONFIG ? `${io.env.DOCKER_CONFIG}/config.json` : undefined,
    }),
    warn: (m) => io.stderr.write(`warning: ${m}\n`),
    proxyEnv: io.env,
    onRetry: (what, attempt, reason) => io.stderr.write(`retry ${attempt}: ${what}: ${reason}\n`),
    backoffMs: msEnv(io, 'CROSSDOCK_BACKOFF_MS'),
    timeouts: {
      idleMs: msEnv(io, 'CROSSDOCK_IDLE_TIMEOUT_MS'),
      deadlineMs: msEnv(io, 'CROSSDOCK_DEADLINE_MS'),
    },
  });
}

/** An internal tuning knob from the environment (milliseconds); tests use them, users rarely need to. */
function msEnv(io: Io, name: string): number | undefined {
  const v = io.env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,9}$/.test(v))
    throw new UsageError(`${name}=${v} is not a number of milliseconds`, {
      hint: `unset ${name}, or give a whole number such as 60000`,
    });
  return Number(v);
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1048576).toFixed(1)} MB`;
  return `${(n / 1073741824).toFixed(2)} GB`;
}

/** `--platform a,b --platform c` as a list, each checked to be os/arch[/variant]. */
export function platformsOpt(args: ParsedArgs, name = 'platform'): string[] {
  const out = listOpt(args, name).flatMap((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const p of out)
    if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(p))
      throw new UsageError(`--${name} ${p} is not a platform`, {
        hint: 'use os/arch[/variant], e.g. linux/arm64',
      });
  return out;
}
