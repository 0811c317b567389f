import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { describeProxy, proxiedHttp, proxyAgent, proxyFor, proxyUnreachable } from '../net/proxy.js';
import { RegistryError } from './errors.js';
import type { HostTls } from './tls.js';

/**
 * The HTTP layer: node:http/https with one keep-alive agent per host and trust setting, timeouts, and errors
 * turned into RegistryErrors that say what failed (TLS, refused, reset) and whether a retry may help.
 * Written on node:https rather than fetch because the trust (CA, client certificate, per-host verification)
 * and redirect handling (never forwarding credentials to another host) must be exact.
 */
export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  /** A buffer, or a function giving a fresh stream (so a retry can resend it). */
  body?: Buffer | (() => Readable);
  /** Idle timeout: the longest silence allowed on the socket (default 60 s). */
  timeoutMs?: number;
  /**
   * Total deadline for the whole exchange, from the request until the last byte of the answer's body (default
   * 10 min). The idle timeout alone lets a server that sends a byte every few seconds hold a request forever.
   */
  deadlineMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: URL;
}

const TLS_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by unknown authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate signed by unknown authority (self-signed CA in the chain)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is not valid for this host name or IP',
};

export function describeNetworkError(e: unknown, url: URL): RegistryError {
  // Already explained (e.g. the source of a streamed body failed its digest check): keep it as it is.
  if (e instanceof RegistryError) return e;
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = err.code ?? '';
  const host = url.host;
  const tls = TLS_CODES[code];
  if (tls)
    return new RegistryError(`${host}: TLS: x509: ${tls}`, {
      hint: `run \`crossdock trust ${host}\` to see why and get the fix for each tool (or pass --ca-file / --cert-dir)`,
      cause: e,
    });
  if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(err.message))
    return new RegistryError(`${host}: the registry does not speak TLS on this port`, {
      hint: `if it really is plain HTTP, say so for this host only: --plain-http ${host}`,
      cause: e,
    });
  if (code === 'ECONNREFUSED')
    return new RegistryError(`${host}: connection refused`, {
      hint: 'is the registry running on that address and port?',
      transient: true,
      cause: e,
    });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new RegistryError(`${host}: host name not found`, {
      hint: 'check the registry host name',
      cause: e,
      transient: code === 'EAI_AGAIN',
    });
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT' ||
    code === 'ESOCKETTIMEDOUT' ||
    code === 'ECONNABORTED'
  )
    return new RegistryError(
      `${host}: connection ${code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' ? 'timed out' : 'reset'} (${code})`,
      {
        transient: true,
        cause: e,
      },
    );
  return new RegistryError(`${host}: ${err.message || String(e)}`, { cause: e, transient: true });
}

const DEFAULT_DEADLINE_MS = 10 * 60_000;

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** A URL crossdock was told to follow (a redirect, an upload location, a token realm) with a scheme it does not speak. */
export function unsupportedScheme(url: URL, what = 'the registry sent crossdock to'): RegistryError {
  return new RegistryError(`${what} ${url.href.slice(0, 200)}, which is not an http(s) URL; refused`, {
    hint: 'a registry only ever redirects to http(s) URLs; check the registry and any proxy in front of it',
  });
}

export class Http {
  private readonly agents = new Map<string, http.Agent>();

  /**
   * @param env where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (the CLI passes its environment); without it
   * every connection is direct.
   */
  constructor(private readonly env?: Record<string, string | undefined>) {}

  private agent(url: URL, tls: HostTls): http.Agent {
    const proxy = this.env ? proxyFor(url, this.env) : undefined;
    const key = `${url.protocol}//${url.host}|${tls.rejectUnauthorized}|${proxy?.href ?? ''}`;
    let a = this.agents.get(key);
    if (!a) {
      const options = {
        keepAlive: true,
        maxSockets: 16,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        rejectUnauthorized: tls.rejectUnauthorized,
      };
      a = proxy
        ? proxyAgent(url, proxy, options)
        : url.protocol === 'https:'
          ? new https.Agent(options)
          : new http.Agent({ keepAlive: true, maxSockets: 16 });
      this.agents.set(key, a);
    }
    return a;
  }

  request(req: HttpRequest, tls: HostTls): Promise<HttpResponse> {
    if (req.url.protocol !== 'https:' && req.url.protocol !== 'http:')
      return Promise.reject(unsupportedScheme(req.url));
    const proxy = this.env ? proxyFor(req.url, this.env) : undefined;
    // Plain http through a proxy: the request goes to the proxy, with the whole URL as its path.
    const viaProxy = proxy && req.url.protocol === 'http:' ? proxiedHttp(req.url, proxy) : undefined;
    const lib = viaProxy?.lib ?? (req.url.protocol === 'https:' ? https : http);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { 'User-Agent': 'crossdock', ...req.headers };
      if (Buffer.isBuffer(req.body)) headers['Content-Length'] = String(req.body.length);
      const deadlineMs = req.deadlineMs ?? DEFAULT_DEADLINE_MS;
      let response: IncomingMessage | undefined;
      // Unref'd: the socket keeps the process alive while the exchange lasts, the timer alone never does.
      const deadline = setTimeout(() => {
        const e = new RegistryError(
          `${req.url.host}: no complete answer to ${req.method} ${req.url.pathname} within ${seconds(deadlineMs)} (total deadline); the server is too slow or stalling`,
          { hint: 'try again later; if the registry is known to be this slow, report it to its operators' },
        );
        r.destroy(e);
        response?.destroy(e);
      }, deadlineMs);
      deadline.unref();
      const r = (lib.request as typeof http.request)(
        viaProxy ? viaProxy.origin : req.url,
        {
          ...viaProxy?.options,
          method: req.method,
          headers: { ...headers, ...viaProxy?.options.headers },
          agent: this.agent(req.url, tls),
          // Also per request: a proxy's agent keeps no TLS options of its own, and the origin behind the tunnel is
          // verified as a direct connection would be.
          ...(req.url.protocol === 'https:'
            ? { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized }
            : {}),
        },
        (res) => {
          response = res;
          res.once('close', () => clearTimeout(deadline));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url });
        },
      );
      r.setTimeout(req.timeoutMs ?? 60_000, () =>
        r.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
      );
      r.on('error', (e) => {
        if (!response) clearTimeout(deadline);
        reject(this.proxyError(e, req.url) ?? describeNetworkError(e, req.url));
      });
      if (Buffer.isBuffer(req.body)) r.end(req.body);
      else if (req.body) {
        const stream = req.body();
        stream.on('error', (e) => r.destroy(e));
        // If the request dies first, stop reading the source too (no socket left waiting).
        r.on('close', () => stream.destroy());
        // A stream that failed before it was handed over (its error event already past) fails the request too.
        if (stream.errored) r.destroy(stream.errored);
        else stream.pipe(r);
      } else r.end();
    });
  }

  /** A failure to reach the proxy itself, said as such (the registry was never asked); undefined otherwise. */
  private proxyError(e: unknown, url: URL): RegistryError | undefined {
    const proxy = this.env ? proxyFor(url, this.env) : undefined;
    const why = proxy ? proxyUnreachable(e, proxy) : undefined;
    if (!proxy || !why) return undefined;
    return new RegistryError(
      `${url.host}: the proxy ${describeProxy(proxy)} cannot be reached (${why.what})`,
      {
        hint: `check the proxy in ${url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'} (or ALL_PROXY), or add ${url.hostname} to NO_PROXY to reach it directly`,
        transient: why.transient,
        cause: e,
      },
    );
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}

/** Reads a whole body, refusing more than `max` bytes (manifests, error bodies, tokens). */
export async function readBody(res: HttpResponse, max: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length'] ?? -1);
  if (declared > max) {
    res.body.destroy();
    throw new RegistryError(`${what}: the registry sent ${declared} bytes, more than the ${max} allowed`, {
      hint: 'a manifest or error this large is not a real one; check the reference',
    });
  }
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of res.body) {
      const b = c as Buffer;
      n += b.length;
      if (n > max) {
        res.body.destroy();
        throw new RegistryError(`${what}: the response is larger than the ${max} bytes allowed`);
      }
      chunks.push(b);
    }
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    throw describeNetworkError(e, res.url);
  }
  const body = Buffer.concat(chunks);
  if (declared >= 0 && body.length !== declared && res.headers['content-encoding'] === undefined)
    throw new RegistryError(`${what}: the response was cut short (${body.length} of ${declared} bytes)`, {
      transient: true,
    });
  return body;
}

/** Drains and discards a body so the connection can be reused. */
export async function discard(res: HttpResponse): Promise<void> {
  try {
    for await (const _ of res.body);
  } catch {
    // the connection is dropped; nothing to keep
  }
}
