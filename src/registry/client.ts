import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { basicHeader, CredentialStore, type Credentials, parseChallenge } from './auth.js';
import { DigestCheck, HeldBackCheck } from './digest.js';
import { RegistryError } from './errors.js';
import {
  describeNetworkError,
  discard,
  Http,
  type HttpRequest,
  type HttpResponse,
  readBody,
  unsupportedScheme,
} from './http.js';
import { Trust, type TrustOptions } from './tls.js';
import {
  type Descriptor,
  digestLike,
  isDigest,
  MANIFEST_ACCEPT,
  MAX_MANIFEST_BYTES,
  type Manifest,
  parseManifest,
  sha256,
  verifyDigest,
} from './types.js';

/**
 * A client of the OCI distribution API (the registry HTTP protocol): manifests and blobs by tag or digest,
 * uploads with cross-repository mounts, Basic and Bearer auth, retries with backoff on 429/5xx/resets, and
 * digest verification of everything read.
 */
export interface RepoRef {
  /** Registry host as written (`docker.io` for Docker Hub). */
  registry: string;
  repository: string;
}

export interface ClientOptions {
  trust?: TrustOptions;
  credentials?: CredentialStore;
  /** Attempts for a transient failure (default 5). */
  retries?: number;
  /** Base backoff in ms (default 250; tests use small values). */
  backoffMs?: number;
  /** Timeouts of every HTTP exchange (defaults: 60 s idle, 10 min total plus the time a sized blob needs). */
  timeouts?: Timeouts;
  /** Told about each retry (for progress output). */
  onRetry?: (what: string, attempt: number, reason: string) => void;
  warn?: (message: string) => void;
  /**
   * The environment HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY are read from (the CLI passes its own). Without
   * it every connection is direct.
   */
  proxyEnv?: Record<string, string | undefined>;
}

export interface Timeouts {
  /** The longest silence allowed on a connection (default 60 s). */
  idleMs?: number;
  /** Total deadline of one exchange, request to last byte (default 10 min)... */
  deadlineMs?: number;
  /** ...plus, for a blob of known size, the time it takes at this rate (default 64 KiB/s). */
  minBytesPerSecond?: number;
}

/** Blob content that passed its size and digest check, readable as often as needed until disposed of. */
export interface VerifiedBlob {
  size: number;
  open(): Readable;
  dispose(): Promise<void>;
}

/**
 * Content for pushBlob read from elsewhere while it is uploaded (another registry's blob, see openBlobStream):
 * opened afresh for each upload attempt, only once the upload needs it, and checked in the same pass.
 */
export interface StreamedBlob {
  open(): Promise<Readable>;
}

export interface PushBlobOptions {
  /** Same registry: try a cross-repository mount from this repository first. */
  mountFrom?: string;
  /**
   * Ask the destination first (HEAD) whether it has the blob (default true). With a mount to try, a copy into a
   * repository that lacks the image leaves it out: the mount request alone settles a blob the repository can
   * mount (and one it already has), so each such blob costs one request.
   */
  probe?: boolean;
}

const IN_MEMORY_BLOB_BYTES = 4 * 1024 * 1024;

/**
 * Awaits a stream pipeline, turning socket failures into RegistryErrors (checks' own errors pass through) and a
 * failure to write the local copy into an error that says so.
 */
async function streamed(done: Promise<void>, url: URL, what: string): Promise<void> {
  try {
    await done;
  } catch (e) {
    if (!(e instanceof RegistryError) && typeof (e as NodeJS.ErrnoException).path === 'string')
      throw tempCopyError(what, e);
    throw describeNetworkError(e, url);
  }
}

function tempCopyError(what: string, e: unknown): RegistryError {
  const err = e as NodeJS.ErrnoException;
  return new RegistryError(`${what}: cannot write its temporary copy (${err.code ?? err.message})`, {
    hint: `crossdock keeps a verified copy of each blob over 4 MiB it reads, under ${tmpdir()}: free space there, or set TMPDIR to a directory with room`,
    cause: e,
  });
}

export interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  manifest: Manifest;
}

const MAX_ERROR_BYTES = 64 * 1024;
const MAX_TOKEN_BYTES = 256 * 1024;

function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

function retryAfterMs(res: HttpResponse): number | undefined {
  const v = res.headers['retry-after'];
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/** The registry's own error text (`{"errors":[{"code","message"}]}`), for messages. */
async function errorText(res: HttpResponse): Promise<string> {
  try {
    const body = await readBody(res, MAX_ERROR_BYTES, 'error body');
    const j = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const e = j.errors?.[0];
    if (e) return `${e.code ?? ''}${e.message ? `: ${e.message}` : ''}`;
    return body.toString('utf8').slice(0, 200);
  } catch {
    return '';
  }
}

/** A Location header resolved against the URL it answered, refused unless it is an http(s) URL. */
function followable(location: string, base: URL, what: string): URL {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    throw new RegistryError(
      `${what}: the registry sent a Location that is not a URL (${location.slice(0, 200)})`,
      {
        hint: 'check the registry and any proxy in front of it',
      },
    );
  }
  if (next.protocol !== 'https:' && next.protocol !== 'http:')
    throw unsupportedScheme(next, `${what}: the registry redirects to`);
  return next;
}

export class RegistryClient {
  readonly trust: Trust;
  private readonly http: Http;
  private readonly credentials: CredentialStore;
  private readonly options: ClientOptions;
  /** Per host: the challenge it answered with. */
  private readonly challenges = new Map<string, ReturnType<typeof parseChallenge>>();
  /** Per host + scope: bearer token and its expiry. */
  private readonly tokens = new Map<string, { token: string; expires: number }>();

  constructor(options: ClientOptions = {}) {
    this.options = options;
    this.http = new Http(options.proxyEnv);
    this.trust = new Trust({ ...options.trust, warn: options.warn ?? options.trust?.warn });
    this.credentials = options.credentials ?? new CredentialStore();
  }

  close(): void {
    this.http.close();
  }

  private url(repo: RepoRef, path: string): URL {
    const host = apiHost(repo.registry);
    return new URL(`${this.trust.forHost(repo.registry).scheme}://${host}/v2/${repo.repository}/${path}`);
  }

  private async token(
    repo: RepoRef,
    scope: string,
    challenge: NonNullable<ReturnType<typeof parseChallenge>>,
    creds: Credentials | undefined,
  ): Promise<string> {
    const key = `${repo.registry}|${scope}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expires > Date.now() + 10_000) return cached.token;
    const url = this.realm(repo, challenge);
    if (creds && !this.credentials.realmMayReceive(creds, repo.registry, url.host))
      throw new RegistryError(
        `${repo.registry}: its token service is on another host (${url.host}); crossdock sends the credentials given on the command line (--username/--password-stdin, CROSSDOCK_USERNAME) only to hosts the command names`,
        {
          hint: `if ${url.host} is the token service of ${repo.registry}, name it: --auth-host ${url.host}`,
        },
      );
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const sc of scope.split(' ')) url.searchParams.append('scope', sc);
    const headers: Record<string, string> = {};
    if (creds?.identityToken && !creds.password)
      throw new RegistryError(
        `${repo.registry}: the stored credential is an OAuth2 identity token, which crossdock cannot exchange yet`,
        { hint: 'pass a user and password or access token: --username <user> --password-stdin' },
      );
    if (creds?.password) headers.Authorization = basicHeader(creds);
    const res = await this.send({ method: 'GET', url, headers }, url.host, `token for ${repo.repository}`);
    if (res.status === 401 || res.status === 403) {
      await discard(res);
      throw new RegistryError(
        `${repo.registry}: the token service (${url.host}) refused ${creds ? `the credentials of ${creds.username}` : 'anonymous access'} for ${scope}`,
        {
          status: res.status,
          hint: creds
            ? 'check the user name and password (docker login), and the repository permissions'
            : 'log in first: `docker login` or --username with --password-stdin',
        },
      );
    }
    if (res.status !== 200)
      throw new RegistryError(
        `${repo.registry}: the token service answered ${res.status} ${await errorText(res)}`,
        { status: res.status },
      );
    const body = await readBody(res, MAX_TOKEN_BYTES, 'token');
    let j: unknown;
    try {
      j = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryError(`${repo.registry}: the token service answered something that is not JSON`);
    }
    const field = (name: string): unknown =>
      typeof j === 'object' && j !== null ? (j as Record<string, unknown>)[name] : undefined;
    const token = [field('token'), field('access_token')].find(
      (t): t is string => typeof t === 'string' && t !== '',
    );
    if (!token) throw new RegistryError(`${repo.registry}: the token service answered no token`);
    const expiresIn = field('expires_in');
    // As Docker does: a token lives at least 60 s whatever the service says.
    const lifetime =
      typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? Math.max(expiresIn, 60) : 60;
    this.tokens.set(key, { token, expires: Date.now() + lifetime * 1000 });
    return token;
  }

  /**
   * The token service URL a Bearer challenge names, checked: an http(s) URL without credentials in it, and never
   * plain HTTP behind an HTTPS registry unless the command names that host in --plain-http (the token request
   * carries the credentials, and the token answers for the registry).
   */
  private realm(repo: RepoRef, challenge: NonNullable<ReturnType<typeof parseChallenge>>): URL {
    const realm = challenge.params.realm;
    if (!realm) throw new RegistryError(`${repo.registry}: the Bearer challenge names no token realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`${repo.registry}: the token realm "${realm.slice(0, 200)}" is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw unsupportedScheme(url, `${repo.registry}: the token realm is`);
    if (url.username || url.password)
      throw new RegistryError(
        `${repo.registry}: the token realm ${url.host} carries credentials in its URL; refused`,
        {
          hint: 'fix the registry configuration: a realm is a plain https URL',
        },
      );
    const registryScheme = this.trust.forHost(repo.registry).scheme;
    if (
      registryScheme === 'https' &&
      url.protocol === 'http:' &&
      this.trust.forHost(url.host).scheme !== 'http'
    )
      throw new RegistryError(
        `${repo.registry} is served over HTTPS but its token service is plain HTTP (${url.origin}${url.pathname}); crossdock does not fetch tokens or send credentials over plain HTTP for an HTTPS registry`,
        {
          hint: `configure the registry's token realm as an https URL; if ${url.host} really serves tokens over plain HTTP on a network you trust, say so: --plain-http ${url.host}`,
        },
      );
    return url;
  }

  private async authHeader(repo: RepoRef, push: boolean): Promise<string | undefined> {
    const challenge = this.challenges.get(repo.registry);
    if (!challenge) return undefined;
    const creds = await this.credentials.forHost(repo.registry);
    if (challenge.scheme === 'basic') return creds ? basicHeader(creds) : undefined;
    const own = `repository:${repo.repository}:${push ? 'pull,push' : 'pull'}`;
    // A challenge can name more (a mount needs pull on the source repository too): ask for both. A scope on this
    // repository whose actions this token has anyway (`push,pull`, or `pull` left from an earlier read) is not more.
    const covered = (sc: string) => {
      const i = sc.lastIndexOf(':');
      return (
        sc.slice(0, i) === `repository:${repo.repository}` &&
        sc
          .slice(i + 1)
          .split(',')
          .every((a) => a === 'pull' || (push && a === 'push'))
      );
    };
    const extra = (challenge.params.scope ?? '')
      .split(' ')
      .filter((sc) => sc && !covered(sc))
      .map((sc) => ` ${sc}`)
      .join('');
    return `Bearer ${await this.token(repo, `${own}${extra}`, challenge, creds)}`;
  }

  /** The total deadline of an exchange that moves `bytes` (a blob of known size) or only a small document. */
  private deadline(bytes = 0): number {
    const t = this.options.timeouts ?? {};
    const rate = t.minBytesPerSecond ?? 64 * 1024;
    return (t.deadlineMs ?? 10 * 60_000) + Math.ceil((bytes / rate) * 1000);
  }

  /** One HTTP exchange with retries on transient failures (429 honouring Retry-After, 5xx, resets). */
  private async send(
    input: HttpRequest & { expectedBytes?: number },
    trustHost: string,
    what: string,
    maxAttempts?: number,
  ): Promise<HttpResponse> {
    const { expectedBytes, ...rest } = input;
    const req: HttpRequest = {
      ...rest,
      timeoutMs: rest.timeoutMs ?? this.options.timeouts?.idleMs,
      deadlineMs: rest.deadlineMs ?? this.deadline(expectedBytes),
    };
    const attempts = maxAttempts ?? this.options.retries ?? 5;
    const base = this.options.backoffMs ?? 250;
    let last: RegistryError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let res: HttpResponse | undefined;
      try {
        res = await this.http.request(req, this.trust.forHost(trustHost));
      } catch (e) {
        if (!(e instanceof RegistryError) || !e.transient) throw e;
        last = e;
      }
      if (res && res.status !== 429 && !(res.status >= 500 && res.status <= 599)) return res;
      let wait = Math.min(base * 2 ** (attempt - 1), 8000) * (0.5 + Math.random());
      if (res) {
        const after = retryAfterMs(res);
        if (after !== undefined) wait = Math.min(after, 30_000);
        last = new RegistryError(
          `${what}: ${req.url.host} answered ${res.status} ${await errorText(res)}`.trim(),
          {
            status: res.status,
            transient: true,
          },
        );
      }
      if (attempt === attempts) break;
      const reason = (last?.message ?? 'transient failure').replace(`${what}: `, '');
      this.options.onRetry?.(what, attempt, reason);
      await sleep(wait);
    }
    const message = last?.message ?? what;
    throw new RegistryError(
      `${message.startsWith(what) ? message : `${what}: ${message}`} (gave up after ${attempts} attempts)`,
      {
        status: last?.status,
        // A caller that asked for one attempt (a blob PUT, whose session cannot be resumed) retries itself.
        transient: maxAttempts === 1 && (last?.transient ?? false),
        hint: 'the registry keeps failing; try again later or check its logs',
      },
    );
  }

  /**
   * A request to the registry API with auth: answers a 401 challenge once (Basic or Bearer), follows redirects
   * (credentials only to the registry's own host), retries transient failures.
   */
  async request(
    repo: RepoRef,
    req: Omit<HttpRequest, 'url'> & { path: string; push?: boolean; expectedBytes?: number },
    what: string,
  ): Promise<HttpResponse> {
    let url = this.url(repo, req.path);
    for (let round = 0; round < 2; round++) {
      const auth = await this.authHeader(repo, req.push === true);
      const headers = { ...req.headers, ...(auth ? { Authorization: auth } : {}) };
      let res = await this.send({ ...req, url, headers }, repo.registry, what);
      let cur = url;
      for (let hops = 0; hops < 5 && [301, 302, 303, 307, 308].includes(res.status); hops++) {
        const location = res.headers.location;
        await discard(res);
        if (!location) throw new RegistryError(`${what}: a redirect without a Location`);
        const next = followable(location, cur, what);
        if (cur.protocol === 'https:' && next.protocol !== 'https:')
          throw new RegistryError(
            `${what}: the registry redirects from HTTPS to plain HTTP (${next.host}); refused`,
            {
              hint: 'fix the registry or storage configuration to redirect to an https URL',
            },
          );
        // Blob storage redirects are legitimate; credentials never leave the registry's own host and scheme.
        const sameOrigin = next.host === url.host && next.protocol === url.protocol;
        const h = { ...req.headers, ...(sameOrigin && auth ? { Authorization: auth } : {}) };
        cur = next;
        res = await this.send(
          { ...req, method: res.status === 303 ? 'GET' : req.method, url: next, headers: h },
          next.host,
          what,
        );
      }
      if (res.status !== 401) return res;
      const challenge = parseChallenge(res.headers['www-authenticate'] as string | undefined);
      await discard(res);
      const creds = await this.credentials.forHost(repo.registry);
      if (round === 1 || !challenge || (challenge.scheme === 'basic' && !creds)) {
        throw new RegistryError(
          `${what}: ${repo.registry} requires authentication${creds ? ` and refused the credentials of ${creds.username}` : ''}`,
          {
            status: 401,
            hint: creds
              ? 'check the user name and password'
              : 'log in first (`docker login`), or pass --username with --password-stdin',
          },
        );
      }
      this.challenges.set(repo.registry, challenge);
      // A token that was refused is not reused.
      for (const key of [...this.tokens.keys()])
        if (key.startsWith(`${repo.registry}|`)) this.tokens.delete(key);
      url = this.url(repo, req.path);
    }
    throw new RegistryError(`${what}: authentication failed`);
  }

  private notFound(what: string, status: number, text: string): RegistryError {
    return new RegistryError(`${what}: not found (${status}${text ? ` ${text}` : ''})`, {
      status,
      hint: 'check the repository name and the tag or digest (crossdock inspect lists what is there)',
    });
  }

  /**
   * Fetches a manifest by tag or digest, verifying its digest (the reference's, else the registry's
   * Docker-Content-Digest) and, when the caller knows it from a descriptor, its size.
   */
  async getManifest(
    repo: RepoRef,
    reference: string,
    accept: string[] = MANIFEST_ACCEPT,
    size?: number,
  ): Promise<FetchedManifest> {
    const what = `${repo.registry}/${repo.repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    const res = await this.request(
      repo,
      { method: 'GET', path: `manifests/${reference}`, headers: { Accept: accept.join(', ') } },
      what,
    );
    if (res.status === 404) throw this.notFound(what, 404, await errorText(res));
    if (res.status !== 200)
      throw new RegistryError(`${what}: the registry answered ${res.status} ${await errorText(res)}`.trim(), {
        status: res.status,
      });
    const bytes = await readBody(res, MAX_MANIFEST_BYTES, what);
    if (size !== undefined && bytes.length !== size)
      throw new RegistryError(`${what}: ${bytes.length} bytes, but the descriptor says ${size}`, {
        hint: 'the content does not match the index that references it',
      });
    const digest = reference.includes(':')
      ? reference
      : ((res.headers['docker-content-digest'] as string | undefined) ?? sha256(bytes));
    verifyDigest(bytes, digest, what);
    const contentType = res.headers['content-type'];
    const manifest = parseManifest(bytes, contentType, what);
    return { bytes, digest, mediaType: manifest.mediaType, manifest };
  }

  /** HEAD of a manifest: its digest, or undefined when absent. */
  async headManifest(
    repo: RepoRef,
    reference: string,
    options: { push?: boolean } = {},
  ): Promise<{ digest: string; mediaType: string; size: number } | undefined> {
    const what = `${repo.registry}/${repo.repository}${isDigest(reference) ? '@' : ':'}${reference}`;
    const res = await this.request(
      repo,
      {
        method: 'HEAD',
        path: `manifests/${reference}`,
        headers: { Accept: MANIFEST_ACCEPT.join(', ') },
        // A copy asks with the token it will push with (one token, not a pull token first).
        push: options.push,
      },
      what,
    );
    await discard(res);
    if (res.status === 404) return undefined;
    if (res.status !== 200)
      throw new RegistryError(`${what}: the registry answered ${res.status}`, { status: res.status });
    return {
      digest: String(res.headers['docker-content-digest'] ?? ''),
      mediaType: String(res.headers['content-type'] ?? ''),
      size: Number(res.headers['content-length'] ?? 0),
    };
  }

  /** A whole blob in memory (configs), size- and digest-checked. */
  async getBlob(repo: RepoRef, desc: Descriptor, maxBytes: number): Promise<Buffer> {
    const what = `${repo.registry}/${repo.repository}@${desc.digest}`;
    if (desc.size > maxBytes)
      throw new RegistryError(
        `${what}: ${desc.size} bytes is more than the ${maxBytes} this operation reads`,
      );
    const res = await this.blobResponse(repo, desc.digest, desc.size);
    const bytes = await readBody(res, maxBytes, what);
    if (bytes.length !== desc.size)
      throw new RegistryError(`${what}: ${bytes.length} bytes, but the descriptor says ${desc.size}`, {
        hint: 'the content does not match the manifest that references it',
      });
    verifyDigest(bytes, desc.digest, what);
    return bytes;
  }

  /** A blob's response, refused at once when its Content-Length is more than the descriptor's size. */
  private async sizedBlobResponse(repo: RepoRef, desc: Descriptor, what: string) {
    const res = await this.blobResponse(repo, desc.digest, desc.size);
    const declared = Number(res.headers['content-length'] ?? -1);
    if (declared > desc.size) {
      res.body.destroy();
      throw new RegistryError(
        `${what}: the registry announces ${declared} bytes, more than the ${desc.size} its descriptor says`,
        { hint: 'the content does not match the manifest that references it' },
      );
    }
    return res;
  }

  /**
   * A blob read in full and verified (size and digest) before it is handed out: in memory up to 4 MiB, else in a
   * temporary file. Nothing downstream (an upload, a tar reader) ever sees a byte that failed the check. The caller
   * disposes of it.
   */
  async fetchVerifiedBlob(
    repo: RepoRef,
    desc: Descriptor,
    options: { what?: string; onBytes?: (n: number) => void } = {},
  ): Promise<VerifiedBlob> {
    const what = options.what ?? `${repo.registry}/${repo.repository}@${desc.digest}`;
    const check = new DigestCheck(desc.digest, desc.size, what, options.onBytes);
    const res = await this.sizedBlobResponse(repo, desc, what);
    if (desc.size <= IN_MEMORY_BLOB_BYTES) {
      const chunks: Buffer[] = [];
      await streamed(
        pipeline(
          res.body,
          check,
          new Writable({
            write(chunk: Buffer, _encoding, done) {
              chunks.push(chunk);
              done();
            },
          }),
        ),
        res.url,
        what,
      );
      check.check();
      const bytes = Buffer.concat(chunks);
      return { size: bytes.length, open: () => Readable.from([bytes]), dispose: async () => undefined };
    }
    let dir: string;
    try {
      dir = await mkdtemp(join(tmpdir(), 'crossdock-blob-'));
    } catch (e) {
      res.body.destroy();
      throw tempCopyError(what, e);
    }
    const dispose = () => rm(dir, { recursive: true, force: true });
    try {
      const file = join(dir, 'blob');
      await streamed(pipeline(res.body, check, createWriteStream(file)), res.url, what);
      check.check();
      return { size: desc.size, open: () => createReadStream(file, { highWaterMark: 1024 * 1024 }), dispose };
    } catch (e) {
      await dispose();
      throw e;
    }
  }

  /**
   * A blob as a stream checked in the same pass (HeldBackCheck): its size and digest are verified as the bytes go
   * by, and the last chunk is passed on only once both match, so an upload fed from it never completes with
   * content that failed crossdock's check; the stream fails with crossdock's message instead. For copying a blob
   * into another registry without keeping a copy of it: nothing is buffered and nothing is read twice.
   */
  async openBlobStream(
    repo: RepoRef,
    desc: Descriptor,
    options: { what?: string; onBytes?: (n: number) => void } = {},
  ): Promise<Readable> {
    const what = options.what ?? `${repo.registry}/${repo.repository}@${desc.digest}`;
    const check = new HeldBackCheck(desc.digest, desc.size, what, options.onBytes);
    const res = await this.sizedBlobResponse(repo, desc, what);
    // Either end failing stops both: a failed read fails the stream (its socket errors told as RegistryErrors
    // naming the source host, saying whether a retry may help), and a stream given up on stops the read.
    res.body.on('error', (e) => check.destroy(describeNetworkError(e, res.url)));
    check.once('close', () => {
      if (!res.body.readableEnded) res.body.destroy();
    });
    // Until the upload takes the stream, a failure is kept (check.errored, which Http's request looks at) rather
    // than thrown.
    check.on('error', () => undefined);
    res.body.pipe(check);
    return check;
  }

  /**
   * The streaming response of a blob, unverified: only for fetchVerifiedBlob, openBlobStream and getBlob, which
   * check it. `size` (the descriptor's) sets the deadline of the transfer.
   */
  private async blobResponse(repo: RepoRef, digest: string, size?: number): Promise<HttpResponse> {
    const what = `${repo.registry}/${repo.repository}@${digest}`;
    const res = await this.request(
      repo,
      { method: 'GET', path: `blobs/${digest}`, expectedBytes: size },
      what,
    );
    if (res.status === 404) throw this.notFound(what, 404, await errorText(res));
    if (res.status !== 200)
      throw new RegistryError(`${what}: the registry answered ${res.status} ${await errorText(res)}`.trim(), {
        status: res.status,
      });
    return res;
  }

  async hasBlob(repo: RepoRef, digest: string): Promise<boolean> {
    const res = await this.request(
      repo,
      { method: 'HEAD', path: `blobs/${digest}`, push: true },
      `${repo.repository}@${digest}`,
    );
    await discard(res);
    return res.status === 200;
  }

  /**
   * Uploads a blob unless present: HEAD (unless `probe` is false), then a cross-repository mount from `mountFrom`
   * (same registry), then POST + monolithic PUT of the stream. Returns what happened. The registry checks the
   * digest on PUT.
   *
   * `body` is either a function giving a fresh stream of trusted content (a local file), or a StreamedBlob (another
   * registry's blob): opened once per attempt, only once an upload session exists, and checked as it is sent, so
   * content that fails crossdock's check never completes an upload. An upload session cannot be resumed after a
   * failed PUT: each retry starts a new one (POST, then PUT), and a failed session is cancelled.
   */
  async pushBlob(
    repo: RepoRef,
    desc: Descriptor,
    body: (() => Readable) | StreamedBlob,
    options: PushBlobOptions = {},
  ): Promise<'present' | 'mounted' | 'uploaded'> {
    if (options.probe !== false && (await this.hasBlob(repo, desc.digest))) return 'present';
    const attempts = this.options.retries ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.uploadOnce(repo, desc, body, attempt === 1 ? options.mountFrom : undefined);
      } catch (e) {
        if (!(e instanceof RegistryError) || !e.transient || attempt >= attempts) throw e;
        this.options.onRetry?.(`upload ${desc.digest}`, attempt, e.message);
        await sleep(Math.min((this.options.backoffMs ?? 250) * 2 ** (attempt - 1), 8000));
      }
    }
  }

  private async uploadOnce(
    repo: RepoRef,
    desc: Descriptor,
    body: (() => Readable) | StreamedBlob,
    mountFrom: string | undefined,
  ): Promise<'mounted' | 'uploaded'> {
    const what = `upload ${desc.digest} to ${repo.registry}/${repo.repository}`;
    const query = mountFrom
      ? `?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(mountFrom)}`
      : '';
    const start = await this.request(
      repo,
      { method: 'POST', path: `blobs/uploads/${query}`, push: true, headers: { 'Content-Length': '0' } },
      what,
    );
    await discard(start);
    if (start.status === 201) return 'mounted';
    if (start.status !== 202)
      throw new RegistryError(`${what}: starting the upload was answered ${start.status}`, {
        status: start.status,
      });
    const location = start.headers.location;
    if (!location) throw new RegistryError(`${what}: the registry gave no upload location`);
    const api = this.url(repo, '');
    const url = followable(location, api, `${what}: upload location`);
    if (api.protocol === 'https:' && url.protocol !== 'https:')
      throw new RegistryError(`${what}: the registry sends the upload to plain HTTP (${url.host}); refused`, {
        hint: 'fix the registry or storage configuration to give https upload locations',
      });
    const auth = await this.authHeader(repo, true);
    // Credentials go only to the registry's own host and scheme, as for redirects.
    const sameHost = url.host === api.host && url.protocol === api.protocol;
    const session = {
      url,
      auth: auth && sameHost ? auth : undefined,
      trustHost: sameHost ? repo.registry : url.host,
    };
    let stream: Readable;
    try {
      stream = typeof body === 'function' ? body() : await body.open();
    } catch (e) {
      await this.cancelUpload(session);
      throw e;
    }
    const put = new URL(url);
    put.searchParams.set('digest', desc.digest);
    let res: HttpResponse;
    try {
      res = await this.send(
        {
          method: 'PUT',
          url: put,
          headers: {
            'Content-Type': 'application/octet-stream',
            'Content-Length': String(desc.size),
            ...(session.auth ? { Authorization: session.auth } : {}),
          },
          body: () => stream,
          timeoutMs: Math.max(300_000, this.options.timeouts?.idleMs ?? 0),
          expectedBytes: desc.size,
        },
        session.trustHost,
        what,
        1,
      );
    } catch (e) {
      stream.destroy();
      await this.cancelUpload(session);
      throw e;
    }
    if (res.status !== 201) {
      const text = await errorText(res);
      await this.cancelUpload(session);
      throw new RegistryError(
        `${what}: the registry refused the upload (${res.status}${text ? ` ${text}` : ''})`,
        {
          status: res.status,
          transient: res.status >= 500 || /DIGEST_INVALID|BLOB_UPLOAD_INVALID|SIZE_INVALID/.test(text),
        },
      );
    }
    await discard(res);
    return 'uploaded';
  }

  /** Cancels an upload session that will not be completed (best effort: the registry purges it anyway, later). */
  private async cancelUpload(session: { url: URL; auth?: string; trustHost: string }): Promise<void> {
    try {
      const res = await this.send(
        {
          method: 'DELETE',
          url: session.url,
          headers: session.auth ? { Authorization: session.auth } : {},
          deadlineMs: 10_000,
        },
        session.trustHost,
        'cancel upload',
        1,
      );
      await discard(res);
    } catch {
      // nothing more to do: an abandoned session expires on the registry
    }
  }

  /**
   * Pushes a manifest under a tag or its digest and returns its digest as crossdock computed it. A digest
   * reference must be the digest of the bytes (checked before sending); the registry's Docker-Content-Digest
   * answer must agree (a registry or proxy that stored something else is an error).
   */
  async putManifest(repo: RepoRef, reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    const byDigest = isDigest(reference);
    const what = `push manifest ${repo.registry}/${repo.repository}${byDigest ? '@' : ':'}${reference}`;
    const digest = byDigest ? digestLike(bytes, reference) : sha256(bytes);
    if (byDigest && digest !== reference)
      throw new RegistryError(
        `${what}: crossdock computed ${digest} for the manifest it was about to push, not the digest it is pushed under; nothing was sent`,
        { hint: 'this is a bug in the caller: a manifest must be pushed under its own digest' },
      );
    const res = await this.request(
      repo,
      {
        method: 'PUT',
        path: `manifests/${reference}`,
        push: true,
        headers: { 'Content-Type': mediaType },
        body: bytes,
      },
      what,
    );
    if (res.status !== 201 && res.status !== 200) {
      const text = await errorText(res);
      throw new RegistryError(`${what}: refused (${res.status}${text ? ` ${text}` : ''})`, {
        status: res.status,
        hint:
          res.status === 400
            ? 'the registry rejected the manifest: a referenced blob or child manifest is missing there'
            : undefined,
      });
    }
    await discard(res);
    const stored = res.headers['docker-content-digest'];
    if (typeof stored === 'string' && stored !== '' && stored !== digestLike(bytes, stored))
      throw new RegistryError(
        `${what}: the registry answered that it stored ${stored}, but the manifest crossdock sent has digest ${digestLike(bytes, stored)}`,
        {
          hint: 'the registry or a proxy in front of it changed the manifest on the way; check them before trusting this push, then push again',
        },
      );
    return digest;
  }

  async listTags(repo: RepoRef): Promise<string[]> {
    const what = `tags of ${repo.registry}/${repo.repository}`;
    const res = await this.request(repo, { method: 'GET', path: 'tags/list' }, what);
    if (res.status === 404) throw this.notFound(what, 404, await errorText(res));
    if (res.status !== 200)
      throw new RegistryError(`${what}: the registry answered ${res.status}`, { status: res.status });
    const body = await readBody(res, MAX_MANIFEST_BYTES, what);
    try {
      return (JSON.parse(body.toString('utf8')) as { tags?: string[] | null }).tags ?? [];
    } catch {
      throw new RegistryError(`${what}: the answer is not JSON`);
    }
  }
}
