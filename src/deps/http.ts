import { readFile } from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CrossdockError } from '../errors.js';
import { describeProxy, proxiedHttp, proxyAgent, proxyFor, proxyUnreachable } from '../net/proxy.js';

/**
 * The HTTP layer of the package index client: node:http/https with keep-alive agents, an idle timeout and a total
 * deadline per exchange, a size cap on every body, retries with backoff on 5xx, 429 and network failures, and
 * credentials (from the index URL's userinfo or ~/.netrc) sent only to the origin they belong to. No message
 * ever shows a credential: every URL in a message goes through `redactUrl`.
 */

/** A package index that could not be read. `transient`: a retry later may succeed. */
export class IndexError extends CrossdockError {
  readonly transient: boolean;
  readonly status: number | undefined;
  /** Seconds the index asked to wait before a retry (Retry-After). */
  readonly retryAfter: number | undefined;
  constructor(
    message: string,
    options: {
      hint?: string;
      transient?: boolean;
      status?: number;
      retryAfter?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { exitCode: 2, hint: options.hint, cause: options.cause });
    this.transient = options.transient ?? false;
    this.status = options.status;
    this.retryAfter = options.retryAfter;
  }
}

/** The URL as it may be shown: user and password replaced by `***`, token-looking query values dropped. */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return '<unreadable URL>';
  }
  const hadAuth = u.username !== '' || u.password !== '';
  u.username = '';
  u.password = '';
  const text = u.href;
  return hadAuth ? text.replace('://', '://***@') : text;
}

export interface Credentials {
  origin: string;
  authorization: string;
}

interface NetrcEntry {
  machine: string | undefined;
  login: string;
  password: string;
}

/** Parses a .netrc (machine/default, login, password; macdef bodies skipped). */
export function parseNetrc(text: string): NetrcEntry[] {
  const tokens = text.split(/\s+/).filter(Boolean);
  const out: NetrcEntry[] = [];
  let cur: NetrcEntry | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'machine' || t === 'default') {
      cur = { machine: t === 'machine' ? tokens[++i] : undefined, login: '', password: '' };
      out.push(cur);
    } else if (cur && t === 'login') cur.login = tokens[++i] ?? '';
    else if (cur && t === 'password') cur.password = tokens[++i] ?? '';
    else if (t === 'account') i++;
  }
  return out;
}

/**
 * The credentials for an index: its URL's userinfo, else the .netrc entry for its host (`NETRC`, else
 * `~/.netrc`), else none. The returned URL carries no userinfo.
 */
export async function credentialsFor(
  indexUrl: URL,
  env: Record<string, string | undefined>,
): Promise<{ url: URL; credentials: Credentials | undefined }> {
  const url = new URL(indexUrl.href);
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const basic = (u: string, p: string): Credentials => ({
    origin: url.origin,
    authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`,
  });
  if (user || pass) return { url, credentials: basic(user, pass) };
  const file = env.NETRC || join(env.HOME || homedir(), '.netrc');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { url, credentials: undefined };
  }
  const entries = parseNetrc(text);
  const entry =
    entries.find((e) => e.machine === url.hostname) ?? entries.find((e) => e.machine === undefined);
  return { url, credentials: entry ? basic(entry.login, entry.password) : undefined };
}

export interface HttpOptions {
  /** Longest silence on the socket (default 15 s). */
  timeoutMs: number;
  /** Whole exchange, request to last byte (default 60 s). */
  deadlineMs: number;
  /** Attempts after the first, for transient failures (default 3). */
  retries: number;
  /** First backoff (doubled each time, with jitter; default 200 ms). */
  backoffMs: number;
  /**
   * PEM certificates trusted besides Node's roots (a private index's CA). Verification is never turned off: a
   * certificate nobody here trusts fails with what to pass.
   */
  ca?: string[];
  /** Where HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY are read; without it every connection is direct. */
  proxyEnv?: Record<string, string | undefined>;
}

export const DEFAULT_HTTP: HttpOptions = {
  timeoutMs: 15_000,
  deadlineMs: 60_000,
  retries: 3,
  backoffMs: 200,
};

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects (no credentials). */
  url: URL;
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

/** Keep-alive agents through each proxy, per scheme. */
const proxyAgents = new Map<string, http.Agent>();

/**
 * The agent for a URL: direct, or through the proxy the environment names. Extra CAs go on each request (getOnce),
 * which also keeps direct connections with different CAs in separate pools.
 */
function agentFor(url: URL, o: HttpOptions): http.Agent {
  const proxy = o.proxyEnv ? proxyFor(url, o.proxyEnv) : undefined;
  if (!proxy) return url.protocol === 'https:' ? agents.https : agents.http;
  const key = `${url.protocol}|${proxy.href}`;
  let agent = proxyAgents.get(key);
  if (!agent) {
    agent = proxyAgent(url, proxy);
    proxyAgents.set(key, agent);
  }
  return agent;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}

function networkError(e: unknown, url: URL): IndexError {
  if (e instanceof IndexError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? '';
  const where = redactUrl(url);
  if (code === 'ECONNREFUSED')
    return new IndexError(`package index ${where}: connection refused`, {
      hint: 'is the index running at that address? check --index-url',
      transient: true,
      cause: e,
    });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new IndexError(`package index ${where}: host name not found`, {
      hint: 'check the host name in --index-url / --extra-index-url',
      transient: code === 'EAI_AGAIN',
      cause: e,
    });
  if (/certificate|self.signed|SSL|TLS/i.test(`${code} ${err.message}`))
    return new IndexError(`package index ${where}: TLS: ${err.message}`, {
      hint: 'trust the index CA with --ca-file PEM (or PIP_CERT, as pip reads it); crossdock never skips verification',
      cause: e,
    });
  return new IndexError(`package index ${where}: ${err.message || code || String(e)}`, {
    hint: 'a network failure; try again',
    transient: true,
    cause: e,
  });
}

/** A failure to reach the proxy itself is said as such (the index was never asked); others as without one. */
function proxyNetworkError(e: unknown, url: URL, proxy: URL): IndexError {
  const why = proxyUnreachable(e, proxy);
  if (!why) return networkError(e, url);
  return new IndexError(
    `package index ${redactUrl(url)}: the proxy ${describeProxy(proxy)} cannot be reached (${why.what})`,
    {
      hint: `check the proxy in ${url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'} (or ALL_PROXY), or add ${url.hostname} to NO_PROXY to reach it directly`,
      transient: why.transient,
      cause: e,
    },
  );
}

/** One GET, no retry, no redirect: status, headers and the whole body (at most `max` bytes). */
function getOnce(
  url: URL,
  headers: Record<string, string>,
  max: number,
  o: HttpOptions,
): Promise<HttpAnswer> {
  const proxy = o.proxyEnv ? proxyFor(url, o.proxyEnv) : undefined;
  // Plain http through a proxy: the request goes to the proxy, with the whole URL as its path.
  const viaProxy = proxy && url.protocol === 'http:' ? proxiedHttp(url, proxy) : undefined;
  const lib = viaProxy?.lib ?? (url.protocol === 'https:' ? https : http);
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      reject(proxy ? proxyNetworkError(e, url, proxy) : networkError(e, url));
    };
    const req = (lib.request as typeof http.request)(
      viaProxy ? viaProxy.origin : url,
      {
        ...viaProxy?.options,
        method: 'GET',
        headers: {
          'User-Agent': 'crossdock',
          'Accept-Encoding': 'identity',
          ...headers,
          ...viaProxy?.options.headers,
        },
        agent: agentFor(url, o),
        // Trusted besides the system's roots, direct or through the tunnel (the origin is verified either way).
        ...(url.protocol === 'https:' && o.ca?.length ? { ca: [...tls.rootCertificates, ...o.ca] } : {}),
      },
      (res) => {
        const declared = Number(res.headers['content-length'] ?? -1);
        if (declared > max) {
          res.destroy();
          fail(
            new IndexError(
              `package index ${redactUrl(url)}: the answer is ${declared} bytes, more than the ${max} allowed`,
              { hint: 'an index page this large is not a real one; check the index URL' },
            ),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
          if (n > max) {
            res.destroy();
            fail(
              new IndexError(
                `package index ${redactUrl(url)}: the answer is larger than the ${max} bytes allowed`,
                {
                  hint: 'an index page this large is not a real one; check the index URL',
                },
              ),
            );
            return;
          }
          chunks.push(c);
        });
        res.on('aborted', () =>
          fail(
            new IndexError(`package index ${redactUrl(url)}: the answer was cut off after ${n} bytes`, {
              hint: 'the connection broke mid-answer; try again',
              transient: true,
            }),
          ),
        );
        res.on('error', fail);
        res.on('end', () => {
          if (settled) return;
          if (declared >= 0 && n < declared) {
            fail(
              new IndexError(
                `package index ${redactUrl(url)}: the answer was cut off (${n} of ${declared} bytes)`,
                { hint: 'the connection broke mid-answer; try again', transient: true },
              ),
            );
            return;
          }
          settled = true;
          clearTimeout(deadline);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url });
        });
      },
    );
    const deadline = setTimeout(() => {
      const e = new IndexError(
        `package index ${redactUrl(url)}: no complete answer within ${seconds(o.deadlineMs)}`,
        { hint: 'the index is too slow or stalling; try again later', transient: true },
      );
      req.destroy(e);
      fail(e);
    }, o.deadlineMs);
    deadline.unref();
    req.setTimeout(o.timeoutMs, () => {
      const e = new IndexError(
        `package index ${redactUrl(url)}: no answer for ${seconds(o.timeoutMs)} (timed out)`,
        { hint: 'the index is too slow or unreachable; try again later', transient: true },
      );
      req.destroy(e);
      fail(e);
    });
    req.on('error', fail);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * GET with redirects (at most 5; credentials only to their own origin) and retries on transient failures (network,
 * timeouts, cut-off bodies, 5xx, 429 with Retry-After up to 10 s). Any status is returned; callers judge it.
 */
export async function get(
  url: URL,
  headers: Record<string, string>,
  credentials: Credentials | undefined,
  max: number,
  o: HttpOptions,
): Promise<HttpAnswer> {
  let last: IndexError | undefined;
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (attempt > 0) {
      const retryAfter = last?.retryAfter ?? 0;
      const backoff = o.backoffMs * 2 ** (attempt - 1);
      await sleep(Math.min(10_000, Math.max(retryAfter * 1000, backoff / 2 + Math.random() * backoff)));
    }
    try {
      let current = url;
      for (let hop = 0; ; hop++) {
        if (current.protocol !== 'http:' && current.protocol !== 'https:')
          throw new IndexError(`package index: refused to follow ${redactUrl(current)}, not an http(s) URL`);
        const h = { ...headers };
        if (credentials && current.origin === credentials.origin) h.Authorization = credentials.authorization;
        const answer = await getOnce(current, h, max, o);
        const location = answer.headers.location;
        if ([301, 302, 303, 307, 308].includes(answer.status) && location) {
          if (hop >= 5)
            throw new IndexError(`package index ${redactUrl(url)}: more than 5 redirects`, {
              hint: 'the index redirects in a loop; check the index URL',
            });
          current = new URL(location, current);
          continue;
        }
        if (answer.status >= 500 || answer.status === 429) {
          const ra = Number(answer.headers['retry-after'] ?? Number.NaN);
          throw new IndexError(
            `package index ${redactUrl(current)}: HTTP ${answer.status}${Number.isFinite(ra) ? ` (retry after ${ra} s)` : ''}`,
            {
              hint: 'the index failed; try again later',
              transient: true,
              status: answer.status,
              retryAfter: Number.isFinite(ra) ? ra : undefined,
            },
          );
        }
        return answer;
      }
    } catch (e) {
      last = e instanceof IndexError ? e : networkError(e, url);
      if (!last.transient) throw last;
    }
  }
  throw new IndexError(
    `${last?.message ?? `package index ${redactUrl(url)}: failed`} (after ${o.retries + 1} attempts)`,
    {
      hint: last?.hint,
      status: last?.status,
    },
  );
}
