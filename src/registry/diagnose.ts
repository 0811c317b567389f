import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { isIP } from 'node:net';
import { join } from 'node:path';
import tls, { rootCertificates } from 'node:tls';
import { UsageError } from '../errors.js';
import { parseChallenge } from './auth.js';
import { RegistryError } from './errors.js';
import {
  fingerprintOf,
  goAccepts,
  isSelfSigned,
  issuerPath,
  type PathLink,
  pemCertificates,
  readCertificates,
  validityAt,
} from './tls.js';

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
    | 'ca-file-mismatch'
    | 'realm-problem'
    | 'unreachable';
  message: string;
}

/**
 * How the server's certificate chains up, whoever trusts it:
 * - `system-root`: complete, up to a root in the system store;
 * - `private-root`: complete, up to a self-signed root no system store has (sent by the server or in --ca-file);
 * - `unknown-issuer`: the top certificate's issuer is nowhere to be found: a private root, or an intermediate the
 *   server does not send (the two look alike until the issuer's certificate is at hand);
 * - `missing-intermediate`: the server omits an intermediate that --ca-file (or the system store) has;
 * - `self-signed-leaf`: the server certificate is its own issuer.
 */
export type ChainCase =
  | 'system-root'
  | 'private-root'
  | 'unknown-issuer'
  | 'missing-intermediate'
  | 'self-signed-leaf';

/** The CA certificate clients need, where it came from, and its fingerprint (what `--write` would install). */
export interface TrustedCa {
  /** `server`: sent in the handshake, unverified; `ca-file`: given by the user. */
  source: 'server' | 'ca-file';
  subject: string;
  /** `SHA256:AB:CD:…` of the top CA certificate (what `--accept-fingerprint` confirms). */
  fingerprint: string;
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
  /** Undefined when there is no certificate to judge (plain HTTP, unreachable). */
  chainCase: ChainCase | undefined;
  /** The worst of the certificates on the path. */
  validity: 'valid' | 'expired' | 'not-yet-valid' | undefined;
  /** Which trust store the chain verifies against (signatures and dates; the name is a problem of its own). */
  verifiedBy: 'system' | 'ca-file' | undefined;
  /** `unknown-issuer`: the subject of the CA whose certificate no store has. */
  missingIssuer: string | undefined;
  /** `missing-intermediate`: the subjects of the intermediates the server omits. */
  missingIntermediates: string[];
  ca: TrustedCa | undefined;
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

/** The system roots, parsed (for finding where a chain is anchored); unparsable entries are skipped. */
function systemCerts(pems: string[]): X509Certificate[] {
  const byFingerprint = new Map<string, X509Certificate>();
  for (const pem of pems.flatMap(pemCertificates)) {
    try {
      const c = new X509Certificate(pem);
      byFingerprint.set(c.fingerprint256, c);
    } catch {
      // a malformed entry in the system bundle is not this registry's problem
    }
  }
  return [...byFingerprint.values()];
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
    selfSigned: isSelfSigned(c),
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

/** CA certificates in a certs.d directory for this host (unreadable or malformed files count as absent). */
function certsD(dir: string | undefined, host: string): X509Certificate[] {
  if (!dir) return [];
  const out: X509Certificate[] = [];
  let names: string[];
  try {
    names = readdirSync(join(dir, host)).filter((n) => n.endsWith('.crt'));
  } catch {
    return [];
  }
  for (const name of names) {
    try {
      out.push(
        ...pemCertificates(readFileSync(join(dir, host, name), 'utf8')).map((p) => new X509Certificate(p)),
      );
    } catch {
      // a consumer would not load it either
    }
  }
  return out;
}

function isLoopback(hostname: string): boolean {
  return /^127\./.test(hostname) || hostname === '::1';
}

function dn(name: string): string {
  return name.replace(/\n/g, ', ');
}

const quote = (s: string) => `"${s}"`;

type Validity = NonNullable<Diagnosis['validity']>;

/** Where the chain is anchored, from the path alone. */
function classify(links: PathLink[]): Pick<Diagnosis, 'missingIssuer' | 'missingIntermediates'> & {
  chainCase: ChainCase;
} {
  const top = links[links.length - 1] as PathLink;
  const rooted = isSelfSigned(top.cert);
  const missingIntermediates = links
    .slice(1)
    .filter((l) => !l.sent && !isSelfSigned(l.cert))
    .map((l) => dn(l.cert.subject));
  const missingIssuer = rooted ? undefined : dn(top.cert.issuer);
  let chainCase: ChainCase = 'private-root';
  if (links.length === 1 && rooted) chainCase = 'self-signed-leaf';
  else if (missingIntermediates.length) chainCase = 'missing-intermediate';
  else if (!rooted) chainCase = 'unknown-issuer';
  else if (top.inSystem) chainCase = 'system-root';
  return { chainCase, missingIssuer, missingIntermediates };
}

/** Expired / not-yet-valid certificates on the path, worst first. */
function validityProblems(links: PathLink[], now: number): { validity: Validity; problems: Problem[] } {
  const problems: Problem[] = [];
  for (const { cert } of links) {
    const v = validityAt(cert, now);
    const subject = dn(cert.subject);
    if (v === 'expired')
      problems.push({
        id: 'expired',
        message: `certificate "${subject}" expired on ${new Date(cert.validTo).toISOString()}: renew it (no trust setting makes clients accept an expired certificate)`,
      });
    else if (v === 'not-yet-valid')
      problems.push({
        id: 'not-yet-valid',
        message: `certificate "${subject}" is valid only from ${new Date(cert.validFrom).toISOString()} (check the clocks of the server and of this machine)`,
      });
  }
  const validity: Validity = problems.some((p) => p.id === 'expired')
    ? 'expired'
    : problems.length
      ? 'not-yet-valid'
      : 'valid';
  return { validity, problems };
}

/** The one problem that says how the chain fails, in the user's terms, or undefined when the system trusts it. */
function chainProblem(
  links: PathLink[],
  c: ReturnType<typeof classify>,
  verified: Diagnosis['verifiedBy'],
): Problem | undefined {
  const top = links[links.length - 1] as PathLink;
  const unknownAuthority = '(x509: certificate signed by unknown authority)';
  switch (c.chainCase) {
    case 'system-root':
      return undefined;
    case 'self-signed-leaf':
      return {
        id: 'self-signed-leaf',
        message: 'the server certificate is self-signed: each client must trust this very certificate',
      };
    case 'missing-intermediate': {
      const where = links.some((l) => !l.sent && l.inCaFile) ? 'from --ca-file' : 'from the system store';
      const names = c.missingIntermediates.map(quote).join(', ');
      const reach = c.missingIssuer
        ? `the chain reaches "${dn(top.cert.subject)}", whose issuer "${c.missingIssuer}" is in no store`
        : `the chain ${verified ? 'verifies' : 'is complete'} up to "${dn(top.cert.subject)}"`;
      return {
        id: 'incomplete-chain',
        message: `the server omits the intermediate CA ${names} that signed its certificate; with it added (${where}) ${reach}. Make the server send it after its own certificate (for the registry: the http.tls.certificate file holds the leaf, then the intermediate); until then clients need the intermediate in their CA file`,
      };
    }
    case 'unknown-issuer':
      if (links.length === 1)
        return {
          id: 'unknown-ca',
          message: `the server certificate is signed by "${c.missingIssuer}", a CA that no store here knows ${unknownAuthority}: the server does not send it and the system roots do not have it. It is either a private root CA, which every client must be given, or an intermediate CA the server should send with its certificate; get that CA's certificate from the registry's admin and pass it with --ca-file to tell which`,
        };
      return {
        id: 'unknown-ca',
        message: `the chain the server sends ends at "${dn(top.cert.subject)}", signed by "${c.missingIssuer}", which no store here knows ${unknownAuthority}: most likely the private root CA, which clients need (servers need not send it), or else a further intermediate the server should send. Pass the root's certificate with --ca-file to confirm`,
      };
    case 'private-root':
      if (top.inCaFile)
        return {
          id: 'unknown-ca',
          message: `the chain is complete up to "${dn(top.cert.subject)}", the private root CA in --ca-file; clients that do not have this CA reject it ${unknownAuthority}`,
        };
      return {
        id: 'unknown-ca',
        message: `the chain ends at "${dn(top.cert.subject)}", a private root CA that the server sends but that no store here trusts ${unknownAuthority}; nothing is missing from the chain: clients need this CA`,
      };
  }
}

/** The CA clients need: from --ca-file when it takes part in the chain, else a self-signed top the server sent. */
function chooseCa(links: PathLink[], caFile: X509Certificate[]): { ca: TrustedCa; pem: string } | undefined {
  const fromFile = [...links].reverse().find((l) => l.inCaFile);
  if (fromFile && (fromFile !== links[0] || isSelfSigned(fromFile.cert)))
    return {
      ca: {
        source: 'ca-file',
        subject: dn(fromFile.cert.subject),
        fingerprint: fingerprintOf(fromFile.cert),
      },
      pem: caFile.map((c) => c.toString()).join(''),
    };
  const top = links[links.length - 1] as PathLink;
  if (isSelfSigned(top.cert) && top.sent && !top.inSystem)
    return {
      ca: { source: 'server', subject: dn(top.cert.subject), fingerprint: fingerprintOf(top.cert) },
      pem: top.cert.toString(),
    };
  return undefined;
}

/** How the connection fails at the TCP/TLS layer, as a finished diagnosis, or undefined for a TLS error to rethrow. */
async function connectionProblem(
  d: Diagnosis,
  e: unknown,
  hostname: string,
  port: number,
  timeoutMs: number,
): Promise<Diagnosis | undefined> {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EPROTO' || /wrong version number|packet length/i.test(err.message)) {
    d.tls = false;
    const plain = await plainHttpAnswers(hostname, port, timeoutMs);
    d.problems.push({
      id: 'plain-http',
      message: plain
        ? `${d.host} speaks plain HTTP, not TLS: every client must be told it is insecure (and credentials travel in clear text)`
        : `${d.host} does not answer TLS or HTTP`,
    });
    return d;
  }
  const unreachable: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    ETIMEDOUT: 'no answer',
    EHOSTUNREACH: 'no answer',
  };
  const why = err.code ? unreachable[err.code] : undefined;
  if (!why) return undefined;
  d.problems.push({ id: 'unreachable', message: `${d.host}: ${why}` });
  return d;
}

/** The chain verifies against the handshake's store: authorized, or refused only for the host name. */
function verifies(h: Handshake | undefined): boolean {
  return h !== undefined && (h.authorized || h.error === 'ERR_TLS_CERT_ALTNAME_INVALID');
}

/**
 * Fills in how the chain is anchored, its validity, which store verifies it, the problems and the CA to trust.
 * Returns whether the certificate is valid for the host name.
 */
function judgeCertificate(
  d: Diagnosis,
  o: {
    hostname: string;
    leaf: X509Certificate;
    hs: Handshake;
    withCaFile: Handshake | undefined;
    caFile: string | undefined;
    caFileCerts: X509Certificate[];
    system: X509Certificate[];
    now: number;
  },
): boolean {
  const { hostname, leaf, hs, withCaFile, caFileCerts } = o;
  const links = issuerPath(leaf, { sent: hs.chain, caFile: caFileCerts, system: o.system });
  const shape = classify(links);
  Object.assign(d, shape);
  d.verifiedBy = verifies(hs) ? 'system' : verifies(withCaFile) ? 'ca-file' : undefined;
  const dates = validityProblems(links, o.now);
  d.validity = dates.validity;
  d.problems.push(...dates.problems);
  const nameOk = isIP(hostname)
    ? leaf.checkIP(hostname) !== undefined
    : leaf.checkHost(hostname) !== undefined;
  if (!nameOk)
    d.problems.push({
      id: 'name-mismatch',
      message: `the certificate is not valid for ${hostname}: its subjectAltName is "${leaf.subjectAltName || '(none)'}"${isIP(hostname) ? ' (an IP address must be listed as IP:, not DNS:)' : ''}`,
    });
  if (d.verifiedBy !== 'system') {
    const p = chainProblem(links, shape, d.verifiedBy);
    if (p) d.problems.push(p);
  }
  if (leaf.ca && !isSelfSigned(leaf))
    d.problems.push({
      id: 'leaf-is-ca',
      message:
        'the server certificate is marked CA:TRUE; strict clients refuse a CA certificate as a server certificate',
    });
  const chosen = chooseCa(links, caFileCerts);
  if (o.caFile && d.verifiedBy !== 'system' && chosen?.ca.source !== 'ca-file')
    d.problems.push({
      id: 'ca-file-mismatch',
      message: `--ca-file ${o.caFile} does not verify this chain: it holds ${caFileCerts.map((c) => quote(dn(c.subject))).join(', ')}, not "${shape.missingIssuer ?? dn((links[links.length - 1] as PathLink).cert.subject)}"`,
    });
  const best = withCaFile ?? hs;
  if (!d.problems.length && !best.authorized)
    d.problems.push({
      id: 'untrusted',
      message: `not trusted${withCaFile ? ' even with --ca-file' : ' by the system roots'} (${best.error ?? 'unknown reason'})`,
    });
  d.ca = chosen?.ca;
  d.caPem = chosen?.pem;
  return nameOk;
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
    chainCase: undefined,
    validity: undefined,
    verifiedBy: undefined,
    missingIssuer: undefined,
    missingIntermediates: [],
    ca: undefined,
  };
  const caFileCerts = options.caFile ? readCertificates(options.caFile, '--ca-file') : [];
  const system = systemCa(options.systemBundle);
  let hs: Handshake;
  let withCaFile: Handshake | undefined;
  try {
    hs = await handshake(hostname, port, system, timeoutMs);
    if (caFileCerts.length)
      withCaFile = await handshake(
        hostname,
        port,
        [...system, ...caFileCerts.map((c) => c.toString())],
        timeoutMs,
      );
  } catch (e) {
    const done = await connectionProblem(d, e, hostname, port, timeoutMs);
    if (done) return done;
    throw new RegistryError(`${host}: TLS handshake failed (${(e as Error).message})`);
  }
  d.chain = hs.chain.map(info);
  d.systemTrusted = hs.authorized;
  d.systemError = hs.error;
  const leaf = hs.chain[0];
  if (!leaf) {
    d.problems.push({ id: 'untrusted', message: `${host} sent no certificate` });
    return d;
  }
  const now = Date.now();
  const nameOk = judgeCertificate(d, {
    hostname,
    leaf,
    hs,
    withCaFile,
    caFile: options.caFile,
    caFileCerts,
    system: systemCerts(system),
    now,
  });
  d.consumers = consumerVerdicts(d, {
    hostname,
    port,
    nameOk,
    sent: hs.chain,
    now,
    dockerDir: options.paths?.dockerCertsD ?? '/etc/docker/certs.d',
    containersDir: options.paths?.containersCertsD ?? '/etc/containers/certs.d',
  });
  if (options.followRealm !== false) await diagnoseRealm(d, hostname, port, timeoutMs, options);
  return d;
}

type ConsumerName = ConsumerVerdict['consumer'];

/** Per consumer, how to make it trust `ca` for `host`: the instruction and the files at their install paths. */
function fixes(
  host: string,
  caName: string,
  ca: string,
): Record<ConsumerName, { fix: string; files: Record<string, string> }> {
  const docker = `/etc/docker/certs.d/${host}/ca.crt`;
  const containers = `/etc/containers/certs.d/${host}/ca.crt`;
  const buildkit = `/etc/buildkit/certs/${host}/ca.crt`;
  const containerd = `/etc/containerd/certs.d/${host}`;
  const k3s = `/etc/rancher/k3s/certs/${host}/ca.crt`;
  const system = `/usr/local/share/ca-certificates/${caName}.crt`;
  return {
    system: {
      fix: `install the CA as ${system}, then run update-ca-certificates (every TLS client on the machine then trusts this CA for every site; crossdock trust --write writes this file only with --system)`,
      files: { [system]: ca },
    },
    dockerd: {
      fix: `install ${docker} (the directory name must be host:port exactly as in image references); no restart needed`,
      files: { [docker]: ca },
    },
    buildkitd: {
      fix: `add to buildkitd.toml: [registry."${host}"] ca = ["${buildkit}"], install that file, restart buildkitd (for buildx: recreate the builder with --config)`,
      files: {
        [buildkit]: ca,
        '/etc/buildkit/buildkitd.toml': `[registry."${host}"]\n  ca = ["${buildkit}"]\n`,
      },
    },
    containerd: {
      fix: `install ${containerd}/hosts.toml with ca = the CA file (config_path must point at /etc/containerd/certs.d)`,
      files: {
        [`${containerd}/ca.crt`]: ca,
        [`${containerd}/hosts.toml`]: `server = "https://${host}"\n\n[host."https://${host}"]\n  ca = "${containerd}/ca.crt"\n`,
      },
    },
    k3s: {
      fix: 'add the registry to /etc/rancher/k3s/registries.yaml on every node and restart k3s / k3s-agent',
      files: {
        [k3s]: ca,
        '/etc/rancher/k3s/registries.yaml': `configs:\n  "${host}":\n    tls:\n      ca_file: ${k3s}\n`,
      },
    },
    'skopeo/podman': {
      fix: `install ${containers} (or pass --cert-dir / --dest-cert-dir)`,
      files: { [containers]: ca },
    },
  };
}

/** Per consumer: accepted now? why, and (when a CA is known) the files that fix it. */
function consumerVerdicts(
  d: Diagnosis,
  o: {
    hostname: string;
    port: number;
    nameOk: boolean;
    sent: X509Certificate[];
    now: number;
    /** Where existing trust is looked up (overridable for tests); fixes are always written to the standard paths. */
    dockerDir: string;
    containersDir: string;
  },
): ConsumerVerdict[] {
  const { host } = d;
  const caName = `${o.hostname.replace(/[^A-Za-z0-9.-]/g, '_')}${o.port !== 443 ? `_${o.port}` : ''}`;
  const fix = fixes(host, caName, d.caPem ?? '');
  const need = `ask the registry admin for the CA certificate${d.missingIssuer ? ` ("${d.missingIssuer}")` : ''} and pass it with --ca-file`;
  const sys = d.systemTrusted && o.nameOk;
  const verdict = (consumer: ConsumerName, accepts: boolean, why: string): ConsumerVerdict => ({
    consumer,
    accepts,
    why,
    fix: accepts ? undefined : d.caPem ? fix[consumer].fix : need,
    files: accepts || !d.caPem ? {} : fix[consumer].files,
  });
  const loopback = isLoopback(o.hostname);
  const dockerCas = certsD(o.dockerDir, host);
  const dockerOk = sys || loopback || (o.nameOk && goAccepts(o.sent, dockerCas, o.now));
  const containersCas = certsD(o.containersDir, host);
  const skopeoOk = sys || (o.nameOk && goAccepts(o.sent, containersCas, o.now));
  const holds = (dir: string, cas: X509Certificate[], ok: boolean) =>
    `${dir}/${host}/ holds ${cas.length === 1 ? 'a CA' : 'CAs'}${ok ? ' that verify it' : ' that do not verify this chain'}`;
  const bySystem = sys ? 'the system roots trust it' : undefined;
  return [
    verdict('system', sys, bySystem ?? 'the system roots do not trust it'),
    verdict(
      'dockerd',
      dockerOk,
      loopback
        ? 'dockerd treats 127.0.0.0/8 as an insecure registry'
        : dockerCas.length
          ? holds(o.dockerDir, dockerCas, dockerOk)
          : (bySystem ?? `no ${o.dockerDir}/${host}/ca.crt`),
    ),
    verdict(
      'buildkitd',
      sys,
      bySystem ?? 'buildkitd only trusts the system roots and the CAs in buildkitd.toml',
    ),
    verdict('containerd', sys, bySystem ?? 'containerd trusts the system roots and hosts.toml'),
    verdict('k3s', sys, bySystem ?? 'k3s (its embedded containerd) reads /etc/rancher/k3s/registries.yaml'),
    verdict(
      'skopeo/podman',
      skopeoOk,
      containersCas.length
        ? holds(o.containersDir, containersCas, skopeoOk)
        : (bySystem ?? `no ${o.containersDir}/${host}/ca.crt (loopback is not exempt)`),
    ),
  ];
}

/** A Bearer token service on another host has a certificate of its own: diagnose it too. */
async function diagnoseRealm(
  d: Diagnosis,
  hostname: string,
  port: number,
  timeoutMs: number,
  options: DiagnoseOptions,
): Promise<void> {
  const realm = await realmOf(hostname, port, timeoutMs);
  if (!realm) return;
  let u: URL;
  try {
    u = new URL(realm);
  } catch {
    return; // an unparsable realm is reported by the registry commands themselves
  }
  const realmHost = u.port ? `${u.hostname}:${u.port}` : u.hostname;
  if (u.protocol !== 'https:' || realmHost === d.host || u.host === d.host) return;
  let sub: Diagnosis;
  try {
    sub = await diagnose(realmHost, { ...options, caFile: undefined, followRealm: false });
  } catch {
    return; // the registry commands report a token service they cannot reach
  }
  d.realm = { url: realm, diagnosis: sub };
  if (sub.problems.length)
    d.problems.push({
      id: 'realm-problem',
      message: `logins go to the token service ${u.host}, which has its own certificate problem: ${sub.problems[0]?.message}`,
    });
}

export interface WriteOptions {
  /** Also write the system store file (`--system`). */
  system: boolean;
  /** The fingerprint the user confirmed (`--accept-fingerprint`, canonical form). */
  acceptFingerprint: string | undefined;
  /** The command line that reran with the right flags would start with, for the hints. */
  rerun: string;
}

/**
 * The files `--write` may install for this diagnosis (install path → content), or a UsageError saying why not.
 * A CA the server sent is unverified: anyone on the path could have sent it, so it is written only once the user
 * confirms its fingerprint; a CA the user brought with --ca-file is theirs to vouch for. Per-host stores come
 * first; the system store (trusted by every TLS client, for every name) only with --system.
 */
export function planWrite(d: Diagnosis, o: WriteOptions): Record<string, string> {
  const mismatch = d.problems.find((p) => p.id === 'ca-file-mismatch');
  if (mismatch)
    throw new UsageError(
      `not writing the CA file: it does not verify this server's certificate (${mismatch.message})`,
      {
        hint: `ask the registry's admin for the CA that signed the server certificate, then run: ${o.rerun} --ca-file THAT-CA.crt`,
      },
    );
  const lacking = d.consumers.filter((c) => !c.accepts);
  if (!lacking.length) return {};
  if (!d.ca)
    throw new UsageError(
      `nothing to write: the server does not send the CA that signed its certificate${d.missingIssuer ? ` ("${d.missingIssuer}")` : ''}, and no --ca-file gives it`,
      { hint: `get that CA certificate from the registry's admin, then run: ${o.rerun} --ca-file CA.crt` },
    );
  const { ca } = d;
  if (ca.source === 'server' && !o.acceptFingerprint)
    throw new UsageError(
      `not writing the CA certificate the server sent ("${ca.subject}", ${ca.fingerprint}): nothing proves it is your registry's CA, since anyone between this machine and ${d.host} could have sent it`,
      {
        hint: `compare ${ca.fingerprint} with the fingerprint of the registry admin's copy (openssl x509 -noout -fingerprint -sha256 -in ca.crt); if they match, run: ${o.rerun} --accept-fingerprint ${ca.fingerprint} (or pass the admin's copy with --ca-file)`,
      },
    );
  if (o.acceptFingerprint && o.acceptFingerprint !== ca.fingerprint)
    throw new UsageError(
      `the CA certificate ${ca.source === 'server' ? 'the server sent' : 'in --ca-file'} ("${ca.subject}") has fingerprint ${ca.fingerprint}, not the ${o.acceptFingerprint} given with --accept-fingerprint; nothing written`,
      {
        hint:
          ca.source === 'server'
            ? "the registry's certificate has changed, or the connection is intercepted: check with the registry's admin before trusting anything"
            : 'this is not the CA you confirmed: check which CA file you passed',
      },
    );
  const files: Record<string, string> = {};
  for (const c of lacking) if (o.system || c.consumer !== 'system') Object.assign(files, c.files);
  return files;
}
