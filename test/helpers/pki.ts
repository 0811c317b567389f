import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { spawnSync } from 'node:child_process';
import { webcrypto, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A test PKI made with the real openssl: a CA, and server certificates for 127.0.0.1/localhost signed by it
 * (or self-signed, expired, or without the IP in the SAN) — the certificates private registries really have.
 */
function openssl(cwd: string, ...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

export interface Pki {
  dir: string;
  caPath: string;
  caPem: string;
  /** Writes a server key + certificate (chain file: leaf then CA) and returns their paths. */
  server(
    name: string,
    options?: { san?: string; selfSigned?: boolean; days?: number },
  ): { cert: string; key: string; chain: string };
}

export function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '3',
    '-subj',
    '/CN=crossdock test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const caPath = join(dir, 'ca.crt');
  return {
    dir,
    caPath,
    caPem: readFileSync(caPath, 'utf8'),
    server(name, options = {}) {
      const san = options.san ?? 'IP:127.0.0.1,DNS:localhost';
      const key = join(dir, `${name}.key`);
      const cert = join(dir, `${name}.crt`);
      const chain = join(dir, `${name}.chain.crt`);
      if (options.selfSigned) {
        openssl(
          dir,
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '2',
          '-subj',
          `/CN=${name}`,
          '-addext',
          `subjectAltName=${san}`,
        );
        writeFileSync(chain, readFileSync(cert));
        return { cert, key, chain };
      }
      openssl(
        dir,
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      );
      writeFileSync(
        join(dir, `${name}.ext`),
        `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
      );
      const validity = ['-days', String(options.days ?? 2)];
      openssl(
        dir,
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        cert,
        ...validity,
        '-extfile',
        `${name}.ext`,
      );
      writeFileSync(chain, readFileSync(cert, 'utf8') + readFileSync(caPath, 'utf8'));
      return { cert, key, chain };
    },
  };
}

/**
 * Certificates with explicit validity dates, made in-process with @peculiar/x509 (openssl 3.0's `req` and
 * `x509 -req` cannot back-date, so expired and not-yet-valid certificates need this). ECDSA P-256 keys, PKCS#8 PEM:
 * what the registry (Go's crypto/tls), node and skopeo all load.
 */
export interface TestCert {
  subject: string;
  pem: string;
  keyPem: string;
  /** `SHA256:` + colon-separated upper-case hex, as `crossdock trust` prints it. */
  fingerprint: string;
  cert: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

export interface Validity {
  notBefore?: Date;
  notAfter?: Date;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const HOUR = 3_600_000;
let serial = 0;

async function finish(
  subject: string,
  cert: x509.X509Certificate,
  keys: webcrypto.CryptoKeyPair,
): Promise<TestCert> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const pem = cert.toString('pem');
  return {
    subject,
    pem: `${pem}\n`,
    keyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n`,
    fingerprint: `SHA256:${new X509Certificate(pem).fingerprint256}`,
    cert,
    keys,
  };
}

function dates(v: Validity): { notBefore: Date; notAfter: Date } {
  return {
    notBefore: v.notBefore ?? new Date(Date.now() - HOUR),
    notAfter: v.notAfter ?? new Date(Date.now() + 48 * HOUR),
  };
}

async function issue(
  subject: string,
  issuer: TestCert | undefined,
  validity: Validity,
  extensions: x509.Extension[],
): Promise<TestCert> {
  x509.cryptoProvider.set(webcrypto);
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const common = {
    serialNumber: (++serial + 0x1000).toString(16),
    ...dates(validity),
    signingAlgorithm: ALG,
  };
  if (!issuer) {
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      ...common,
      name: subject,
      keys,
      extensions: [...extensions, ski],
    });
    return finish(subject, cert, keys);
  }
  const aki = await x509.AuthorityKeyIdentifierExtension.create(issuer.cert);
  const cert = await x509.X509CertificateGenerator.create({
    ...common,
    subject,
    issuer: issuer.cert.subject,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [...extensions, ski, aki],
  });
  return finish(subject, cert, keys);
}

/** A CA certificate: a root (self-signed) when `issuer` is not given, else an intermediate signed by it. */
export function testCa(subject: string, options: Validity & { issuer?: TestCert } = {}): Promise<TestCert> {
  return issue(subject, options.issuer, options, [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ]);
}

/** A server certificate for 127.0.0.1 and localhost (or `ips`/`dns`), signed by `issuer` or self-signed. */
export function testServerCert(
  subject: string,
  options: Validity & { issuer?: TestCert; ips?: string[]; dns?: string[] } = {},
): Promise<TestCert> {
  const names = [
    ...(options.ips ?? ['127.0.0.1']).map((value) => ({ type: 'ip' as const, value })),
    ...(options.dns ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
  ];
  return issue(subject, options.issuer, options, [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(names),
  ]);
}

/** Writes `<name>.crt` (the leaf followed by `sent`, the chain the server will send) and `<name>.key`. */
export function writeServerFiles(
  dir: string,
  name: string,
  leaf: TestCert,
  sent: TestCert[] = [],
): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  writeFileSync(cert, [leaf, ...sent].map((c) => c.pem).join(''));
  writeFileSync(key, leaf.keyPem, { mode: 0o600 });
  return { cert, key };
}

/** Writes a PEM bundle of these certificates and returns its path. */
export function writeBundle(path: string, ...certs: TestCert[]): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, certs.map((c) => c.pem).join(''));
  return path;
}
