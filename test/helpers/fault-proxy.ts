import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

/**
 * A fault-injecting HTTP proxy in front of a real registry: each rule matches a method and path and misbehaves a
 * given number of times (500, 429 with Retry-After, connection reset, truncated or corrupted body, HTML, a body
 * trickled one byte at a time, a wrong Docker-Content-Digest answer, a delay, any status with a given body, the
 * registry's answer with some headers replaced or removed), then the request goes through untouched. `log` records
 * what passed, for assertions.
 */
export type Fault =
  | 'status500'
  | 'status429'
  | 'reset'
  | 'truncate'
  | 'corrupt'
  | 'html'
  | 'huge'
  | 'redirect'
  | 'trickle'
  | 'digest-header'
  | 'delay'
  | 'status'
  | 'headers';

export interface FaultRule {
  method?: string;
  path: RegExp;
  fault: Fault;
  times: number;
  /** Only requests that carry credentials (as a registry that challenges first would see them). */
  authorizedOnly?: boolean;
  /** For `redirect`: where to send the client (a function of the request path). */
  location?: (path: string) => string;
  /**
   * For `redirect`: the status to answer with (default 307; 202 makes it an upload session's Location); for
   * `status`: the status answered instead of the registry's (default 500); for `headers`: the status of the
   * registry's answer, replaced (default: kept).
   */
  status?: number;
  /** For `status`: the body of that answer (JSON; default none). */
  body?: string;
  /** For `headers`: headers of the registry's answer to replace (a string) or remove (null). */
  headers?: Record<string, string | null>;
  /** For `trickle`: the pause between two bytes of the body (default 500 ms); for `delay`: before forwarding. */
  intervalMs?: number;
}

export interface FaultProxy {
  host: string;
  rules: FaultRule[];
  /** Every request as it arrived; `bodyBytes` counts the request body bytes received from the client so far. */
  log: {
    method: string;
    path: string;
    fault: Fault | undefined;
    authorization: boolean;
    bodyBytes: number;
  }[];
  /**
   * Requests being answered right now, the most there ever were at once, and the connections clients opened (with
   * TLS, each one a handshake).
   */
  stats: { inflight: number; maxInflight: number; connections: number };
  close(): Promise<void>;
}

export async function startFaultProxy(
  target: { host: string; port: number },
  options: { tls?: { cert: string; key: string } } = {},
): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const log: FaultProxy['log'] = [];
  const stats = { inflight: 0, maxInflight: 0, connections: 0 };
  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    stats.inflight++;
    stats.maxInflight = Math.max(stats.maxInflight, stats.inflight);
    res.once('close', () => stats.inflight--);
    const rule = rules.find(
      (r) =>
        r.times > 0 &&
        (!r.method || r.method === req.method) &&
        r.path.test(req.url ?? '') &&
        (!r.authorizedOnly || req.headers.authorization !== undefined),
    );
    const entry = {
      method: req.method ?? '',
      path: req.url ?? '',
      fault: rule?.fault,
      authorization: req.headers.authorization !== undefined,
      bodyBytes: 0,
    };
    log.push(entry);
    req.on('data', (c: Buffer) => {
      entry.bodyBytes += c.length;
    });
    // Counting must not start the flow: the body waits for whoever reads it (a delayed forward, a fault).
    req.pause();
    if (rule) rule.times--;
    const fault = rule?.fault;
    if (fault === 'status500' || fault === 'status429') {
      req.resume();
      res.writeHead(fault === 'status500' ? 500 : 429, fault === 'status429' ? { 'Retry-After': '0' } : {});
      res.end(
        JSON.stringify({
          errors: [{ code: fault === 'status500' ? 'UNKNOWN' : 'TOOMANYREQUESTS', message: 'injected' }],
        }),
      );
      return;
    }
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'html') {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!DOCTYPE html><html><body>Sign in to continue</body></html>');
      return;
    }
    if (fault === 'huge') {
      req.resume();
      res.writeHead(200, {
        'Content-Type': 'application/vnd.oci.image.index.v1+json',
        'Content-Length': String(100 * 1024 * 1024),
      });
      res.write('{"schemaVersion":2,');
      setTimeout(() => res.destroy(), 200);
      return;
    }
    if (fault === 'redirect') {
      req.resume();
      res.writeHead(rule?.status ?? 307, { Location: rule?.location?.(req.url ?? '/') ?? '/' });
      res.end();
      return;
    }
    if (fault === 'status') {
      req.resume();
      res.writeHead(rule?.status ?? 500, rule?.body ? { 'Content-Type': 'application/json' } : {});
      res.end(rule?.body ?? '');
      return;
    }
    if (fault === 'delay') await new Promise((r) => setTimeout(r, rule?.intervalMs ?? 500));
    const upstream = http.request(
      {
        host: target.host,
        port: target.port,
        method: req.method,
        path: req.url,
        // Behind a TLS front the registry is told so (as a TLS-terminating proxy does), and its absolute URLs (an
        // upload's Location) say https.
        headers: {
          ...req.headers,
          host: `${target.host}:${target.port}`,
          ...(options.tls ? { 'x-forwarded-proto': 'https' } : {}),
        },
      },
      (up) => {
        const headers = { ...up.headers };
        if (up.headers.location)
          headers.location = up.headers.location.replace(
            `${target.host}:${target.port}`,
            `${req.headers.host}`,
          );
        if (fault === 'digest-header' && headers['docker-content-digest'])
          // The request reached the registry untouched; only its answer about what it stored is wrong.
          headers['docker-content-digest'] = `sha256:${'0'.repeat(64)}`;
        if (fault === 'headers')
          for (const [name, value] of Object.entries(rule?.headers ?? {}))
            if (value === null) delete headers[name.toLowerCase()];
            else headers[name.toLowerCase()] = value;
        if (fault === 'truncate' || fault === 'corrupt') {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            const body = Buffer.concat(chunks);
            res.writeHead(up.statusCode ?? 502, headers);
            if (fault === 'truncate') {
              res.write(body.subarray(0, Math.floor(body.length / 2)));
              res.destroy();
            } else {
              const bad = Buffer.from(body);
              if (bad.length) bad[bad.length >> 1] = (bad[bad.length >> 1] ?? 0) ^ 0xff;
              res.end(bad);
            }
          });
          return;
        }
        if (fault === 'trickle') {
          // The real answer, one byte every intervalMs: never idle long enough for an idle timeout to fire.
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            const body = Buffer.concat(chunks);
            res.writeHead(up.statusCode ?? 502, headers);
            let i = 0;
            const timer = setInterval(() => {
              if (i >= body.length) {
                clearInterval(timer);
                res.end();
              } else res.write(body.subarray(i, ++i));
            }, rule?.intervalMs ?? 500);
            res.on('close', () => clearInterval(timer));
          });
          return;
        }
        res.writeHead((fault === 'headers' && rule?.status) || (up.statusCode ?? 502), headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    // A client that gives up mid-body (an aborted upload) drops the registry's connection too, as it would
    // without the proxy in between.
    req.on('close', () => {
      if (!req.complete) upstream.destroy();
    });
    req.pipe(upstream);
  };
  // With `tls` (PEM file paths) the proxy speaks HTTPS to its clients, plain HTTP to the registry behind it.
  const server = options.tls
    ? https.createServer(
        { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) },
        handler,
      )
    : http.createServer(handler);
  server.on(options.tls ? 'secureConnection' : 'connection', () => {
    stats.connections++;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    rules,
    log,
    stats,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
