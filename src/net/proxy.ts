import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { ConfigError } from '../errors.js';

/*
 * HTTP(S) proxies from the environment, read as curl, pip, skopeo and docker read them: `https_proxy` /
 * `HTTPS_PROXY` for https URLs, `http_proxy` / `HTTP_PROXY` for http ones, `all_proxy` / `ALL_PROXY` for both (the
 * lower-case name first), and `no_proxy` / `NO_PROXY` for the hosts reached directly. https goes through a CONNECT
 * tunnel, with TLS to the origin inside it (verified as without a proxy); http is sent to the proxy as
 * absolute-URI requests.
 *
 * Written here rather than taken from https-proxy-agent / proxy-from-env: the tunnel is one CONNECT request on
 * node:http, those packages bring `debug` (and an optional `supports-color` require) into the bundle, drop the
 * agent's TLS options, and read `process.env` only, where crossdock takes its environment as a parameter.
 */

type Env = Record<string, string | undefined>;

function first(env: Env, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n]?.trim();
    if (v) return v;
  }
  return undefined;
}

/** Whether NO_PROXY exempts this host and port: `*`, a host, a domain (`.example.com` or `example.com`), `host:port`. */
export function bypassesProxy(host: string, port: string, env: Env): boolean {
  const list = first(env, 'no_proxy', 'NO_PROXY');
  if (!list) return false;
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  for (const raw of list.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    // `host:port`; an IPv6 address has colons of its own, and takes a port only in brackets (`[::1]:5000`).
    let name = entry;
    let entryPort: string | undefined;
    const colon = entry.lastIndexOf(':');
    const tail = entry.slice(colon + 1);
    const head = entry.slice(0, colon);
    if (colon > 0 && /^\d+$/.test(tail) && (head.endsWith(']') || !head.includes(':'))) {
      name = head;
      entryPort = tail;
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    name = name.replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    if (h === name || h.endsWith(`.${name}`)) return true;
  }
  return false;
}

/**
 * The proxy for a URL, or undefined when none applies. A proxy that is not an http:// or https:// URL is a
 * ConfigError naming the variable (crossdock does not speak SOCKS).
 */
export function proxyFor(url: URL, env: Env): URL | undefined {
  const names =
    url.protocol === 'https:'
      ? ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']
      : ['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'];
  const name = names.find((n) => env[n]?.trim());
  if (!name) return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (bypassesProxy(url.hostname, port, env)) return undefined;
  const value = (env[name] ?? '').trim();
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new ConfigError(`${name} is not a URL`, {
      hint: `set it to the proxy's address, e.g. ${name}=http://proxy.example.com:3128`,
    });
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:')
    throw new ConfigError(`${name}: a ${proxy.protocol.slice(0, -1)} proxy is not supported`, {
      hint: `crossdock talks to HTTP(S) proxies (CONNECT); give one as ${name}=http://proxy.example.com:3128`,
    });
  return proxy;
}

/** `http://user@host:port` of a proxy, for messages: its password is never shown. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.username ? `${decodeURIComponent(proxy.username)}@` : ''}${proxy.host}`;
}

/**
 * Why the proxy itself could not be reached (`connection refused`, `timed out`, `host name not found`), or
 * undefined when the error is not about the proxy: the origin behind it was never asked, so the message must say
 * proxy, not registry or index. Transient unless the name does not resolve.
 */
export function proxyUnreachable(e: unknown, proxy: URL): { what: string; transient: boolean } | undefined {
  const err = e as NodeJS.ErrnoException & { port?: number; hostname?: string };
  const what =
    err.code === 'ECONNREFUSED'
      ? 'connection refused'
      : err.code === 'ETIMEDOUT'
        ? 'timed out'
        : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
          ? 'host name not found'
          : undefined;
  const proxyPort = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
  if (!what || (err.port !== proxyPort && err.hostname !== proxy.hostname)) return undefined;
  return { what, transient: err.code !== 'ENOTFOUND' };
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(user).toString('base64')}` };
}

/**
 * An https.Agent whose connections are CONNECT tunnels through the proxy: the TLS options Node hands to
 * createConnection (the agent's and the request's: CAs, client certificate, server name) apply to the origin.
 */
class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    requestOptions: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): undefined {
    // What Node hands an https.Agent here: the origin's host and port with the TLS options.
    const options = requestOptions as tls.ConnectionOptions & { host?: string; port?: number | string };
    const done = (err: Error | null, socket?: Duplex) => callback?.(err, socket as Duplex);
    const host = options.host ?? 'localhost';
    const target = `${isIP(host) === 6 ? `[${host}]` : host}:${options.port ?? 443}`;
    const lib = this.proxy.protocol === 'https:' ? https : http;
    const req = lib.request({
      host: this.proxy.hostname.replace(/^\[|\]$/g, ''),
      port: this.proxy.port || (this.proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: target,
      headers: { Host: target, ...proxyAuthorization(this.proxy) },
      agent: false,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        done(
          Object.assign(
            new Error(
              `the proxy ${describeProxy(this.proxy)} answered ${res.statusCode} to CONNECT ${target}`,
            ),
            { code: res.statusCode === 407 ? 'EPROXYAUTH' : 'EPROXYCONNECT', proxyStatus: res.statusCode },
          ),
        );
        return;
      }
      const servername = options.servername ?? (isIP(host) ? undefined : host);
      done(null, tls.connect({ ...options, socket, ...(servername ? { servername } : {}) }));
    });
    req.once('error', (e) => done(e));
    req.end();
    return undefined;
  }
}

/**
 * A keep-alive agent for requests to `url`'s origin through `proxy`: for https a CONNECT tunnel per connection
 * (callers pass the origin's TLS options on each request, as without a proxy), for http a connection to the
 * proxy itself (callers send absolute-URI requests: proxiedHttp).
 */
export function proxyAgent(
  url: URL,
  proxy: URL,
  options: Pick<https.AgentOptions, 'maxSockets'> = {},
): http.Agent {
  const common = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
  if (url.protocol === 'https:') return new TunnelAgent(proxy, common);
  return proxy.protocol === 'https:' ? new https.Agent(common) : new http.Agent(common);
}

/**
 * A plain-http request for `url` sent to the proxy in absolute-URI form: the module to send it with and the
 * proxy's origin (its scheme: an https:// proxy is spoken to over TLS), and the options that point it there.
 */
export function proxiedHttp(
  url: URL,
  proxy: URL,
): { lib: typeof http | typeof https; origin: string; options: http.RequestOptions } {
  const lib = proxy.protocol === 'https:' ? https : http;
  return {
    lib,
    origin: `${proxy.protocol}//${proxy.host}`,
    options: {
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      path: url.href,
      headers: { Host: url.host, ...proxyAuthorization(proxy) },
    },
  };
}
