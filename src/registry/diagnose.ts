import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { isIP } from 'node:net';
import { join } from 'node:path';
import tls, { rootCertificates } from 'node:tls';
import { parseChallenge } from './auth.js';
import { RegistryError } from './errors.js';

/**
 * `crossdock trust <host[:port]>`: why a registry's certificate is or is not accepted, by whom, and the exact
 * files that fix it for each consumer (system store, dockerd, buildkitd, containerd, k3s, skopeo/podman).
 */
export interface CertInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  ca: boolean;
  selfSigned: boolean;
  subjectAltName: string;
  fingerprint256: string;
  pem: string;
}

export interface Problem {
  id:
    | 'plain-http'
    | 'untrusted'
    | 'self-signed-leaf'
    | 'unknown-ca'
    | 'expired'
    | 'not-yet-valid'
    | 'name-mismatch'
    | 'leaf-is-ca'
    | 'incomplete-chain'
    | 'realm-problem'
    | 'unreachable';
  message: string;
}

export interface ConsumerVerdict {
  consumer: 'system' | 'dockerd' | 'buildkitd' | 'containerd' | 'k3s' | 'skopeo/podman';
  accepts: boolean;
  why: string;
  fix: string | undefined;
  /** Files to install: path on the target machine → content. */
  files: Record<string, string>;
}

export interface Diagnosis {
  version: 1;
  host: string;
  tls: boolean;
  chain: CertInfo[];
  systemTrusted: boolean;
  systemError: string | undefined;
  problems: Problem[];
  /** The CA certificate (PEM) clients need, when the server sent it (or it was given with --ca-file). */
  caPem: string | undefined;
  consumers: ConsumerVerdict[];
  realm: { url: string; diagnosis: Diagnosis } | undefined;
}

export interface DiagnoseOptions {
  /** A CA the user has (`--ca-file`), used when the server does not send its CA. */
  caFile?: string;
  /** Where consumers' config lives (tests point these at temp dirs). */
  paths?: Partial<Record<'dockerCertsD' | 'containersCertsD', string>>;
  systemBundle?: string;
  timeoutMs?: number;
  /** Follow a Bearer realm on another host (default true). */
  followRealm?: boolean;
}

function splitHost(host: string): { hostname: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!m) throw new RegistryError(`"${host}" is not a host[:port]`);
  return { hostname: (m[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(m[2] ?? 443) };
}

function systemCa(bundle: string | undefined): string[] {
  const path = bundle ?? '/etc/ssl/certs/ca-certificates.crt';
  return [...rootCertificates, ...(existsSync(path) ? [readFileSync(path, 'utf8')] : [])];
}

interface Handshake {
  authorized: boolean;
  error: string | undefined;
  chain: X509Certificate[];
}

function handshake(
  hostname: string,
  port: number,
  ca: string[] | undefined,
  timeoutMs: number,
): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: hostname,
      port,
      servername: isIP(hostname) ? undefined : hostname,
      ca,
      rejectUnauthorized: false,
    });
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const chain: X509Certificate[] = [];
      let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
      const seen = new Set<string>();
      while (cert?.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        chain.push(new X509Certificate(cert.raw));
        cert = cert.issuerCertificate;
      }
      const authError = socket.authorizationError;
      resolve({ authorized: socket.authorized, error: authError ? String(authError) : undefined, chain });
      socket.end();
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function info(c: X509Certificate): CertInfo {
  return {
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    validFrom: new Date(c.validFrom).toISOString(),
    validTo: new Date(c.validTo).toISOString(),
    ca: c.ca,
    selfSigned: c.issuer === c.subject && c.verify(c.publicKey),
    subjectAltName: c.subjectAltName ?? '',
    fingerprint256: c.fingerprint256,
    pem: c.toString(),
  };
}

function plainHttpAnswers(hostname: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: hostname, port, path: '/v2/', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

function realmOf(hostname: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = tls.connect(
      { host: hostname, port, servername: isIP(hostname) ? undefined : hostname, rejectUnauthorized: false },
      () => {
        req.write(`GET /v2/ HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`);
      },
    );
    let data = '';
    const timer = setTimeout(() => req.destroy(), timeoutMs);
    req.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.length > 65536) req.destroy();
    });
    req.on('close', () => {
      clearTimeout(timer);
      const header = /^www-authenticate:\s*(.+)$/im.exec(data)?.[1]?.trim();
      const c = parseChallenge(header);
      resolve(c?.scheme === 'bearer' ? c.params.realm : undefined);
    });
    req.on('error', () => resolve(undefined));
  });
}

/** CA files in a certs.d directory for this host. */
function certsD(dir: string | undefined, host: string): string[] {
  if (!dir) return [];
  try {
    return readdirSync(join(dir, host))
      .filter((n) => n.endsWith('.crt'))
      .map((n) => readFileSync(join(dir, host, n), 'utf8'));
  } catch {
    return [];
  }
}

/** Does this chain verify up to one of these CAs (plus the system roots)? */
function chainVerifies(chain: X509Certificate[], extra: string[]): boolean {
  if (!chain.length || !extra.length) return false;
  const cas = extra
    .flatMap((pem) =>
      pem.split(/(?=-----BEGIN CERTIFICATE-----)/).filter((p) => p.includes('BEGIN CERTIFICATE')),
    )
    .map((p) => new X509Certificate(p));
  for (let i = 0; i < chain.length; i++) {
    const c = chain[i] as X509Certificate;
    if (cas.some((ca) => ca.fingerprint256 === c.fingerprint256)) return true;
    if (cas.some((ca) => c.checkIssued(ca) && c.verify(ca.publicKey))) return true;
  }
  return false;
}

function isLoopback(hostname: string): boolean {
  return /^127\./.test(hostname) || hostname === '::1';
}

export async function diagnose(host: string, options: DiagnoseOptions = {}): Promise<Diagnosis> {
  const { hostname, port } = splitHost(host);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const d: Diagnosis = {
    version: 1,
    host,
    tls: true,
    chain: [],
    systemTrusted: false,
    systemError: undefined,
    problems: [],
    caPem: undefined,
    consumers: [],
    realm: undefined,
  };
  let hs: Handshake;
  try {
    hs = await handshake(hostname, port, systemCa(options.systemBundle), timeoutMs);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EPROTO' || /wrong version number|packet length/i.test(err.message)) {
      d.tls = false;
      const plain = await plainHttpAnswers(hostname, port, timeoutMs);
      d.problems.push({
        id: 'plain-http',
        message: plain
          ? `${host} speaks plain HTTP, not TLS: every client must be told it is insecure (and credentials travel in clear text)`
          : `${host} does not answer TLS or HTTP`,
      });
      return d;
    }
    if (
      err.code === 'ECONNREFUSED' ||
      err.code === 'ENOTFOUND' ||
      err.code === 'ETIMEDOUT' ||
      err.code === 'EHOSTUNREACH'
    ) {
      d.problems.push({
        id: 'unreachable',
        message: `${host}: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.code === 'ENOTFOUND' ? 'host not found' : 'no answer'}`,
      });
      return d;
    }
    throw new RegistryError(`${host}: TLS handshake failed (${err.message})`);
  }
  d.chain = hs.chain.map(info);
  d.systemTrusted = hs.authorized;
  d.systemError = hs.error;
  const leaf = hs.chain[0];
  const leafInfo = d.chain[0];
  if (!leaf || !leafInfo) {
    d.problems.push({ id: 'untrusted', message: `${host} sent no certificate` });
    return d;
  }
  const now = Date.now();
  for (const c of d.chain) {
    if (Date.parse(c.validTo) < now)
      d.problems.push({ id: 'expired', message: `certificate "${c.subject}" expired on ${c.validTo}` });
    if (Date.parse(c.validFrom) > now)
      d.problems.push({
        id: 'not-yet-valid',
        message: `certificate "${c.subject}" is valid only from ${c.validFrom} (check the clocks)`,
      });
  }
  const nameOk = isIP(hostname)
    ? leaf.checkIP(hostname) !== undefined
    : leaf.checkHost(hostname) !== undefined;
  if (!nameOk)
    d.problems.push({
      id: 'name-mismatch',
      message: `the certificate is not valid for ${hostname}: its subjectAltName is "${leafInfo.subjectAltName || '(none)'}"${isIP(hostname) ? ' (an IP address must be listed as IP:, not DNS:)' : ''}`,
    });
  if (leafInfo.selfSigned && hs.chain.length === 1)
    d.problems.push({
      id: 'self-signed-leaf',
      message: 'the server certificate is self-signed: each client must trust this very certificate',
    });
  if (leaf.ca && hs.chain.length === 1 && !leafInfo.selfSigned)
    d.problems.push({
      id: 'leaf-is-ca',
      message:
        'the server certificate is marked CA:TRUE; strict clients refuse a CA certificate as a server certificate',
    });
  const last = hs.chain[hs.chain.length - 1] as X509Certificate;
  const lastInfo = d.chain[d.chain.length - 1] as CertInfo;
  const sentRoot = lastInfo.selfSigned;
  if (!hs.authorized) {
    if (!sentRoot && hs.error === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')
      d.problems.push({
        id: 'unknown-ca',
        message: `the certificate is signed by "${lastInfo.issuer}", a CA this machine does not trust (x509: certificate signed by unknown authority)`,
      });
    else if (sentRoot && hs.chain.length > 1)
      d.problems.push({
        id: 'unknown-ca',
        message: `the chain ends at "${lastInfo.subject}", a private CA this machine does not trust (x509: certificate signed by unknown authority)`,
      });
    else if (hs.error === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
      d.problems.push({
        id: 'incomplete-chain',
        message:
          'the server sends its certificate without the intermediate CA that signed it; clients cannot build the chain',
      });
    else if (!d.problems.some((p) => p.id === 'self-signed-leaf'))
      d.problems.push({
        id: 'untrusted',
        message: `not trusted by the system roots (${hs.error ?? 'unknown reason'})`,
      });
  }
  if (sentRoot) d.caPem = last.toString();
  if (options.caFile) d.caPem = readFileSync(options.caFile, 'utf8');

  // Per consumer: accepted now? and the files that fix it.
  const ca = d.caPem;
  // Where existing trust is looked up (overridable for tests) vs. where the fixes are installed (always standard).
  const dockerDir = options.paths?.dockerCertsD ?? '/etc/docker/certs.d';
  const containersDir = options.paths?.containersCertsD ?? '/etc/containers/certs.d';
  const DOCKER = '/etc/docker/certs.d';
  const CONTAINERS = '/etc/containers/certs.d';
  const need = ca ? undefined : 'ask the registry admin for the CA certificate and pass it with --ca-file';
  const sys = d.systemTrusted && nameOk;
  const verdict = (
    consumer: ConsumerVerdict['consumer'],
    accepts: boolean,
    why: string,
    fix: string,
    files: Record<string, string>,
  ): ConsumerVerdict => ({
    consumer,
    accepts,
    why,
    fix: accepts ? undefined : (need ?? fix),
    files: accepts || !ca ? {} : files,
  });
  const caName = `${hostname.replace(/[^A-Za-z0-9.-]/g, '_')}${port !== 443 ? `_${port}` : ''}`;
  d.consumers.push(
    verdict(
      'system',
      sys,
      sys ? 'the system roots trust it' : 'the system roots do not trust it',
      `install the CA: /usr/local/share/ca-certificates/${caName}.crt, then run update-ca-certificates`,
      {
        [`/usr/local/share/ca-certificates/${caName}.crt`]: ca ?? '',
      },
    ),
  );
  const dockerCas = certsD(dockerDir, host);
  const dockerOk = sys || chainVerifies(hs.chain, dockerCas) || isLoopback(hostname);
  d.consumers.push(
    verdict(
      'dockerd',
      dockerOk,
      isLoopback(hostname)
        ? 'dockerd treats 127.0.0.0/8 as an insecure registry'
        : dockerCas.length
          ? `${dockerDir}/${host}/ holds a CA${dockerOk ? ' that verifies it' : ' that does not verify this chain'}`
          : `no ${dockerDir}/${host}/ca.crt`,
      `install ${DOCKER}/${host}/ca.crt (the directory name must be host:port exactly as in image references); no restart needed`,
      { [`${DOCKER}/${host}/ca.crt`]: ca ?? '' },
    ),
  );
  d.consumers.push(
    verdict(
      'buildkitd',
      sys,
      sys
        ? 'the system roots trust it'
        : 'buildkitd only trusts the system roots and the CAs in buildkitd.toml',
      `add to buildkitd.toml: [registry."${host}"] ca = ["/etc/buildkit/certs/${host}/ca.crt"], install that file, restart buildkitd (for buildx: recreate the builder with --config)`,
      {
        [`/etc/buildkit/certs/${host}/ca.crt`]: ca ?? '',
        '/etc/buildkit/buildkitd.toml': `[registry."${host}"]\n  ca = ["/etc/buildkit/certs/${host}/ca.crt"]\n`,
      },
    ),
  );
  d.consumers.push(
    verdict(
      'containerd',
      sys,
      sys ? 'the system roots trust it' : 'containerd trusts the system roots and hosts.toml',
      `install /etc/containerd/certs.d/${host}/hosts.toml with ca = the CA file (config_path must point at /etc/containerd/certs.d)`,
      {
        [`/etc/containerd/certs.d/${host}/ca.crt`]: ca ?? '',
        [`/etc/containerd/certs.d/${host}/hosts.toml`]: `server = "https://${host}"\n\n[host."https://${host}"]\n  ca = "/etc/containerd/certs.d/${host}/ca.crt"\n`,
      },
    ),
  );
  d.consumers.push(
    verdict(
      'k3s',
      sys,
      sys
        ? 'the system roots trust it'
        : 'k3s (its embedded containerd) reads /etc/rancher/k3s/registries.yaml',
      'add the registry to /etc/rancher/k3s/registries.yaml on every node and restart k3s / k3s-agent',
      {
        [`/etc/rancher/k3s/certs/${host}/ca.crt`]: ca ?? '',
        '/etc/rancher/k3s/registries.yaml': `configs:\n  "${host}":\n    tls:\n      ca_file: /etc/rancher/k3s/certs/${host}/ca.crt\n`,
      },
    ),
  );
  const containersCas = certsD(containersDir, host);
  const skopeoOk = sys || chainVerifies(hs.chain, containersCas);
  d.consumers.push(
    verdict(
      'skopeo/podman',
      skopeoOk,
      containersCas.length
        ? `${containersDir}/${host}/ holds a CA${skopeoOk ? ' that verifies it' : ' that does not verify this chain'}`
        : sys
          ? 'the system roots trust it'
          : `no ${containersDir}/${host}/ca.crt (loopback is not exempt)`,
      `install ${CONTAINERS}/${host}/ca.crt (or pass --cert-dir / --dest-cert-dir)`,
      {
        [`${CONTAINERS}/${host}/ca.crt`]: ca ?? '',
      },
    ),
  );
  if (options.followRealm !== false) {
    const realm = await realmOf(hostname, port, timeoutMs);
    if (realm) {
      try {
        const u = new URL(realm);
        const realmHost = u.port ? `${u.hostname}:${u.port}` : u.hostname;
        if (u.protocol === 'https:' && realmHost !== host && u.host !== host) {
          const sub = await diagnose(realmHost, { ...options, caFile: undefined, followRealm: false });
          d.realm = { url: realm, diagnosis: sub };
          if (sub.problems.length)
            d.problems.push({
              id: 'realm-problem',
              message: `logins go to the token service ${u.host}, which has its own certificate problem: ${sub.problems[0]?.message}`,
            });
        }
      } catch {
        // an unparsable realm is reported by the registry commands themselves
      }
    }
  }
  return d;
}
