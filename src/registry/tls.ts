import type { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { ConfigError } from '../errors.js';
import { pemCertificates, readCertificates, readPem } from '../pem.js';

export { pemCertificates, readCertificates, readPem };

/**
 * Which certificates crossdock trusts for a registry host, and how it connects. The same places Docker and
 * containers/image (skopeo, podman) read: the system roots, `/etc/docker/certs.d/<host:port>/` and
 * `/etc/containers/certs.d/<host:port>/` (`*.crt` CAs, `*.cert` + `*.key` client pairs), plus `--cert-dir` and
 * `--ca-file`. Plain HTTP and disabled verification only for hosts named explicitly.
 */
export interface TrustOptions {
  /** Extra CA bundles (PEM) trusted for every host (`--ca-file`). */
  caFiles?: string[];
  /** certs.d-style directories searched first (`--cert-dir`): `<dir>/<host:port>/ca.crt` or `<dir>/*.crt`. */
  certDirs?: string[];
  /** Hosts spoken to over plain HTTP (`--plain-http`). */
  plainHttp?: string[];
  /** Hosts whose certificate is not verified (`--insecure`); each use prints a warning. */
  insecure?: string[];
  /** System certs.d roots; tests point these elsewhere. */
  systemCertDirs?: string[];
  /** System CA bundle path (Debian: /etc/ssl/certs/ca-certificates.crt). */
  systemBundle?: string;
  /** Called once per host when verification is off. */
  warn?: (message: string) => void;
}

export interface HostTls {
  scheme: 'https' | 'http';
  ca: string[];
  cert: string | undefined;
  key: string | undefined;
  rejectUnauthorized: boolean;
  /** Where each extra CA came from (for diagnostics). */
  caSources: string[];
}

/** Computed when first needed, not when the module is imported. */
function systemCertDirs(): string[] {
  return ['/etc/docker/certs.d', '/etc/containers/certs.d', join(homedir(), '.config/containers/certs.d')];
}

export class Trust {
  private readonly options: TrustOptions;
  private readonly cache = new Map<string, HostTls>();
  private readonly warned = new Set<string>();
  private systemCa: string[] | undefined;

  constructor(options: TrustOptions = {}) {
    this.options = options;
    for (const f of options.caFiles ?? []) readPem(f, '--ca-file');
  }

  private system(): string[] {
    if (!this.systemCa) {
      const bundle = this.options.systemBundle ?? '/etc/ssl/certs/ca-certificates.crt';
      const extra = existsSync(bundle) ? [readFileSync(bundle, 'utf8')] : [];
      this.systemCa = [...rootCertificates, ...extra];
    }
    return this.systemCa;
  }

  /** TLS settings for `host[:port]` (as written in the image reference). */
  forHost(host: string): HostTls {
    const cached = this.cache.get(host);
    if (cached) return cached;
    const plain = (this.options.plainHttp ?? []).includes(host);
    const insecure = (this.options.insecure ?? []).includes(host);
    if (insecure && !this.warned.has(host)) {
      this.warned.add(host);
      this.options.warn?.(
        `TLS verification is OFF for ${host} (--insecure): anyone on the path can impersonate this registry`,
      );
    }
    const ca: string[] = [];
    const caSources: string[] = [];
    let cert: string | undefined;
    let key: string | undefined;
    const dirs = [
      ...(this.options.certDirs ?? []).flatMap((d) => [join(d, host), d]),
      ...(this.options.systemCertDirs ?? systemCertDirs()).map((d) => join(d, host)),
    ];
    for (const dir of dirs) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        const path = join(dir, name);
        if (name.endsWith('.crt')) {
          ca.push(readPem(path, 'CA file'));
          caSources.push(path);
        } else if (name.endsWith('.cert') && !cert) {
          const keyPath = join(dir, `${name.slice(0, -5)}.key`);
          if (!existsSync(keyPath))
            throw new ConfigError(`client certificate ${path} has no matching key ${keyPath}`, {
              hint: 'certs.d client pairs are <name>.cert and <name>.key',
            });
          cert = readPem(path, 'client certificate');
          key = readPem(keyPath, 'client key');
        }
      }
    }
    for (const f of this.options.caFiles ?? []) {
      ca.push(readPem(f, '--ca-file'));
      caSources.push(f);
    }
    const result: HostTls = {
      scheme: plain ? 'http' : 'https',
      ca: [...this.system(), ...ca],
      cert,
      key,
      rejectUnauthorized: !insecure,
      caSources,
    };
    this.cache.set(host, result);
    return result;
  }
}

/*
 * Certificate helpers for `crossdock trust`: pure functions over parsed certificates, no network.
 */

/** `SHA256:AB:CD:…`, the form `crossdock trust` prints and `--accept-fingerprint` takes (as openssl prints it). */
export function fingerprintOf(cert: X509Certificate): string {
  return `SHA256:${cert.fingerprint256}`;
}

/** A user-given SHA-256 fingerprint in the canonical form, or undefined when it is not one (prefix and colons optional). */
export function parseFingerprint(text: string): string | undefined {
  const hex = text
    .trim()
    .replace(/^sha-?256:/i, '')
    .replace(/:/g, '');
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined;
  return `SHA256:${hex.toUpperCase().match(/../g)?.join(':')}`;
}

/** Its own issuer and signer (a root, or a self-signed server certificate, which need not be a CA). */
export function isSelfSigned(c: X509Certificate): boolean {
  try {
    return c.issuer === c.subject && c.verify(c.publicKey);
  } catch {
    return false;
  }
}

/** `cert` names `issuer` as its issuer and carries its signature. */
export function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Is the certificate inside its validity period at `now`? */
export function validityAt(c: X509Certificate, now: number): 'valid' | 'expired' | 'not-yet-valid' {
  if (Date.parse(c.validTo) < now) return 'expired';
  if (Date.parse(c.validFrom) > now) return 'not-yet-valid';
  return 'valid';
}

/** One certificate of a chain path, and where it was found. */
export interface PathLink {
  cert: X509Certificate;
  /** The server sent it in the handshake. */
  sent: boolean;
  inCaFile: boolean;
  inSystem: boolean;
}

export interface CertPools {
  sent: X509Certificate[];
  caFile: X509Certificate[];
  system: X509Certificate[];
}

/**
 * The issuer path from the leaf upwards, each link signed by the next: issuers are looked for in what the server
 * sent, then the CA file, then the system roots. It stops at a self-signed certificate or where no issuer is found.
 */
export function issuerPath(leaf: X509Certificate, pools: CertPools): PathLink[] {
  const has = (list: X509Certificate[], c: X509Certificate) =>
    list.some((x) => x.fingerprint256 === c.fingerprint256);
  const link = (cert: X509Certificate): PathLink => ({
    cert,
    sent: has(pools.sent, cert),
    inCaFile: has(pools.caFile, cert),
    inSystem: has(pools.system, cert),
  });
  const path = [link(leaf)];
  const seen = new Set([leaf.fingerprint256]);
  let cur = leaf;
  while (path.length < 10 && !isSelfSigned(cur)) {
    const current = cur;
    const next = [...pools.sent, ...pools.caFile, ...pools.system].find(
      (c) => !seen.has(c.fingerprint256) && signedBy(current, c),
    );
    if (!next) break;
    seen.add(next.fingerprint256);
    path.push(link(next));
    cur = next;
  }
  return path;
}

/**
 * Would a Go client (Docker, containerd, skopeo/podman: crypto/x509) accept this chain with these CAs? Any CA-file
 * certificate is a trust anchor there, intermediates come only from the server, and every certificate on the path
 * must be inside its validity period. The host name is checked separately.
 */
export function goAccepts(sent: X509Certificate[], anchors: X509Certificate[], now: number): boolean {
  let cur = sent[0];
  for (let depth = 0; cur && depth < 10; depth++) {
    const current = cur;
    if (validityAt(current, now) !== 'valid') return false;
    if (anchors.some((a) => a.fingerprint256 === current.fingerprint256)) return true;
    const anchor = anchors.find((a) => signedBy(current, a));
    if (anchor) return validityAt(anchor, now) === 'valid';
    cur = sent.find((c) => c !== current && signedBy(current, c));
  }
  return false;
}
