import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../exec.js';
import { isLineTerminator } from '../model/text.js';
import { RegistryError } from './errors.js';

/**
 * Credentials and authentication. Where credentials come from, in order: `--username`/`--password-stdin` (or
 * CROSSDOCK_USERNAME/CROSSDOCK_PASSWORD), then Docker's config.json (`auths`, `credHelpers`, `credsStore`, via
 * the `docker-credential-<name>` helpers). Challenges: Basic, and Bearer (token endpoint with scopes).
 */
export interface Credentials {
  username: string;
  password: string;
  /** An OAuth2 refresh token (config.json `identitytoken`). */
  identityToken?: string;
  /**
   * Where they came from: the command line (`--username`, CROSSDOCK_USERNAME) or Docker's config.json. It decides
   * whether a token service on another host may receive them.
   */
  origin?: 'command' | 'docker-config';
}

export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

const isWord = (c: string | undefined) => c !== undefined && /\w/.test(c);
const isBlank = (c: string | undefined) => c !== undefined && /\s/.test(c);

/**
 * The `name=value` and `name="quoted \" value"` pairs of a challenge, values as written (escapes kept), in one
 * pass: what `/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g` found. That pattern read a long word without an
 * `=` after it again from each of its positions; a name starts where a word does.
 */
export function authParams(text: string): [string, string][] {
  const out: [string, string][] = [];
  let pos = 0;
  while (pos < text.length) {
    let start = pos;
    while (start < text.length && !isWord(text[start])) start++;
    if (start >= text.length) break;
    let end = start;
    while (isWord(text[end])) end++;
    let j = end;
    while (isBlank(text[j])) j++;
    if (text[j] !== '=') {
      pos = end;
      continue;
    }
    j++;
    while (isBlank(text[j])) j++;
    // A quote runs to the next unescaped one; without one, the value is read bare from the quote on. No later
    // quote starts inside the stretch read (it would follow `=` or a blank, so it would have closed this one).
    if (text[j] === '"') {
      let k = j + 1;
      while (k < text.length && text[k] !== '"') {
        if (text[k] !== '\\') k++;
        else if (k + 1 < text.length && !isLineTerminator(text[k + 1])) k += 2;
        else break;
      }
      if (text[k] === '"') {
        out.push([text.slice(start, end), text.slice(j + 1, k)]);
        pos = k + 1;
        continue;
      }
    }
    let k = j;
    while (k < text.length && text[k] !== ',' && !isBlank(text[k])) k++;
    out.push([text.slice(start, end), text.slice(j, k)]);
    pos = k;
  }
  return out;
}

/** Parses a WWW-Authenticate header: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const scheme = (m[1] ?? '').toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  for (const [name, value] of authParams(m[2] ?? ''))
    params[name.toLowerCase()] = value.replace(/\\(.)/g, '$1');
  return { scheme, params };
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Docker's config.json, checked field by field: only the parts crossdock reads, each of the type Docker writes. */
function dockerConfig(json: unknown, path: string): DockerConfig {
  const bad = (where: string) =>
    new RegistryError(`${path}: ${where} is not what Docker writes there`, {
      hint: 'fix the file (or run `docker login` again), or pass --username/--password-stdin',
    });
  if (!isRecord(json)) throw bad('the top level');
  const out: DockerConfig = {};
  if (json.auths !== undefined) {
    if (!isRecord(json.auths)) throw bad('"auths"');
    out.auths = {};
    for (const [key, entry] of Object.entries(json.auths)) {
      if (!isRecord(entry)) throw bad(`auths."${key}"`);
      const e: NonNullable<DockerConfig['auths']>[string] = {};
      for (const field of ['auth', 'username', 'password', 'identitytoken'] as const) {
        const v = entry[field];
        if (v === undefined || v === null) continue;
        if (typeof v !== 'string') throw bad(`auths."${key}".${field}`);
        e[field] = v;
      }
      out.auths[key] = e;
    }
  }
  if (json.credHelpers !== undefined) {
    if (!isRecord(json.credHelpers)) throw bad('"credHelpers"');
    out.credHelpers = {};
    for (const [key, name] of Object.entries(json.credHelpers)) {
      if (typeof name !== 'string') throw bad(`credHelpers."${key}"`);
      out.credHelpers[key] = name;
    }
  }
  if (json.credsStore !== undefined) {
    if (typeof json.credsStore !== 'string') throw bad('"credsStore"');
    out.credsStore = json.credsStore;
  }
  return out;
}

function apiHostOf(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

function configKeys(host: string): string[] {
  if (host === 'docker.io' || host === 'registry-1.docker.io' || host === 'index.docker.io')
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  return [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
}

export interface CredentialOptions {
  /** Credentials for every registry of this command (`--username` + `--password-stdin`). */
  explicit?: Credentials;
  /** Hosts the explicit credentials are for (default: every host). Other hosts use Docker's config. */
  explicitHosts?: string[];
  /**
   * Token service hosts the command names (`--auth-host`): the explicit credentials may go there when a registry's
   * Bearer realm is on another host. No other host ever receives them.
   */
  authHosts?: string[];
  /** Path of Docker's config.json; default $DOCKER_CONFIG/config.json or ~/.docker/config.json. */
  dockerConfig?: string;
  env?: Record<string, string | undefined>;
}

export class CredentialStore {
  private readonly options: CredentialOptions;
  private config: DockerConfig | undefined | null = null;
  private readonly resolved = new Map<string, Credentials | undefined>();

  constructor(options: CredentialOptions = {}) {
    this.options = options;
  }

  private dockerConfig(): DockerConfig | undefined {
    if (this.config !== null) return this.config;
    const env = this.options.env ?? process.env;
    const path =
      this.options.dockerConfig ?? join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new RegistryError(`${path} cannot be read as JSON (${(e as Error).message})`, {
          hint: 'fix or move the Docker config file, or pass --username/--password-stdin',
        });
      this.config = undefined;
      return undefined;
    }
    this.config = dockerConfig(json, path);
    return this.config;
  }

  private async helper(name: string, host: string): Promise<Credentials | undefined> {
    const server = host === 'docker.io' ? 'https://index.docker.io/v1/' : host;
    const r = await exec([`docker-credential-${name}`, 'get'], { input: server, timeoutMs: 30_000 });
    if (r.notFound)
      throw new RegistryError(
        `credential helper docker-credential-${name} (named in Docker's config.json) is not installed`,
        {
          hint: `install it, or remove "${name}" from config.json credsStore/credHelpers`,
        },
      );
    if (r.code !== 0) return undefined; // "credentials not found in native keychain"
    let j: unknown;
    try {
      j = JSON.parse(r.stdout);
    } catch {
      throw new RegistryError(`docker-credential-${name} answered something that is not JSON`);
    }
    if (!isRecord(j) || (j.Secret !== undefined && typeof j.Secret !== 'string'))
      throw new RegistryError(`docker-credential-${name} answered JSON without a string "Secret"`);
    const username = typeof j.Username === 'string' ? j.Username : '';
    if (!j.Secret) return undefined;
    return username === '<token>'
      ? { username: '', password: '', identityToken: j.Secret }
      : { username, password: j.Secret };
  }

  /**
   * May a registry's credentials go to the token service (Bearer realm) on `realmHost`? Always on the registry's own
   * host. Docker's config.json credentials: yes, wherever the registry's realm points — Docker's own client does the
   * same (its credential store answers the registry's credentials for any realm URL). Credentials given on the
   * command line: only to a host the command names.
   */
  realmMayReceive(creds: Credentials, registry: string, realmHost: string): boolean {
    if (realmHost === registry || realmHost === apiHostOf(registry)) return true;
    if (creds.origin === 'docker-config') return true;
    if (registry === 'docker.io' && realmHost === 'auth.docker.io') return true;
    return [...(this.options.explicitHosts ?? []), ...(this.options.authHosts ?? [])].includes(realmHost);
  }

  async forHost(host: string): Promise<Credentials | undefined> {
    if (this.resolved.has(host)) return this.resolved.get(host);
    const forThisHost = !this.options.explicitHosts || this.options.explicitHosts.includes(host);
    let creds: Credentials | undefined =
      forThisHost && this.options.explicit ? { ...this.options.explicit, origin: 'command' } : undefined;
    const env = this.options.env ?? {};
    if (!creds && forThisHost && env.CROSSDOCK_USERNAME && env.CROSSDOCK_PASSWORD)
      creds = { username: env.CROSSDOCK_USERNAME, password: env.CROSSDOCK_PASSWORD, origin: 'command' };
    if (!creds) {
      const cfg = this.dockerConfig();
      const keys = configKeys(host);
      const helper = keys.map((k) => cfg?.credHelpers?.[k]).find(Boolean);
      if (helper) creds = await this.helper(helper, host);
      if (!creds) {
        const entry = keys.map((k) => cfg?.auths?.[k]).find(Boolean);
        if (entry?.auth) {
          const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          creds = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
        } else if (entry?.username && entry.password)
          creds = { username: entry.username, password: entry.password };
        if (entry?.identitytoken)
          creds = { username: creds?.username ?? '', password: '', identityToken: entry.identitytoken };
      }
      if (!creds && cfg?.credsStore) creds = await this.helper(cfg.credsStore, host);
      if (creds) creds = { ...creds, origin: 'docker-config' };
    }
    this.resolved.set(host, creds);
    return creds;
  }
}

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
