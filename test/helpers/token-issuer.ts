import { spawnSync } from 'node:child_process';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';

/**
 * A small real token service for the distribution registry's `auth.token` mode: RS256 tokens whose x5c header
 * carries the signing certificate the registry trusts (`rootcertbundle`), as any real token service issues them.
 * Every request it receives is recorded whole (method, URL, headers, body), so tests can assert what reached it.
 */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface TokenIssuer {
  /** 127.0.0.1:port */
  host: string;
  /** The signing certificate, for the registry's `rootcertbundle`. */
  certPath: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Tokens issued: the scope asked for and the user who asked (undefined: anonymous). */
  issued: { scope: string; user: string | undefined }[];
  close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function record(req: http.IncomingMessage): Promise<RecordedRequest> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      resolve({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: { ...req.headers },
        body: Buffer.concat(chunks).toString('utf8'),
      }),
    );
  });
}

/** A listener that only records what it receives and answers 401 to everything (a realm that must never be used). */
export async function startRecorder(): Promise<{
  host: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    requests.push(await record(req));
    res.writeHead(401);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return {
    host: `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Starts the issuer; `users` maps user name to password (anonymous requests get pull-only tokens). */
export async function startTokenIssuer(work: string, users: Record<string, string>): Promise<TokenIssuer> {
  const key = join(work, 'signer.key');
  const certPath = join(work, 'signer.crt');
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=token signer',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  const der = new X509Certificate(readFileSync(certPath)).raw.toString('base64');
  const privateKey = readFileSync(key, 'utf8');
  const requests: RecordedRequest[] = [];
  const issued: TokenIssuer['issued'] = [];
  const server = http.createServer(async (req, res) => {
    const recorded = await record(req);
    requests.push(recorded);
    const url = new URL(recorded.url, 'http://x');
    const auth = req.headers.authorization;
    const user = auth ? Buffer.from(auth.slice(6), 'base64').toString().split(':') : undefined;
    if (user && users[user[0] ?? ''] !== user.slice(1).join(':')) {
      res.writeHead(401);
      res.end();
      return;
    }
    const scope = url.searchParams.get('scope') ?? '';
    issued.push({ scope, user: user?.[0] });
    const [, name = '', actions = ''] = scope.split(':');
    const allowed = actions.split(',').filter((a) => user || a === 'pull');
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
    const claims = b64url(
      JSON.stringify({
        iss: 'crossdock-test-issuer',
        sub: user?.[0] ?? '',
        aud: url.searchParams.get('service'),
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access: [{ type: 'repository', name, actions: allowed }],
      }),
    );
    const sig = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(privateKey);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token: `${header}.${claims}.${b64url(sig)}`, expires_in: 300 }));
  });
  await new Promise<void>((r2) => server.listen(0, '127.0.0.1', r2));
  const a = server.address();
  return {
    host: `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`,
    certPath,
    requests,
    issued,
    close: () =>
      new Promise((r2) => {
        server.closeAllConnections();
        server.close(() => r2());
      }),
  };
}

/**
 * True when a recorded request carries `password` in any form a client could send it: as is, URL-encoded, or
 * base64 (alone or as Basic `user:password`) anywhere in the URL, the headers or the body.
 */
export function carriesSecret(req: RecordedRequest, user: string, password: string): boolean {
  const raw = `${req.url}\n${JSON.stringify(req.headers)}\n${req.body}`;
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // not URL-encoded text: the raw form is searched anyway
  }
  const text = `${raw}\n${decoded}`;
  const forms = [
    password,
    encodeURIComponent(password),
    Buffer.from(`${user}:${password}`).toString('base64'),
    Buffer.from(password).toString('base64'),
    Buffer.from(`${user}:${password}`).toString('base64url'),
  ];
  return forms.some((f) => text.includes(f));
}
