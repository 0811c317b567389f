import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { ConfigError } from '../errors.js';

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

const SYSTEM_CERT_DIRS = [
  '/etc/docker/certs.d',
  '/etc/containers/certs.d',
  join(homedir(), '.config/containers/certs.d'),
];

function readPem(path: string, what: string): string {
  try {
    const text = readFileSync(path, 'utf8');
    if (!text.includes('-----BEGIN'))
      throw new ConfigError(`${what} ${path} is not a PEM file`, { hint: 'give a PEM-encoded certificate' });
    return text;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`${what} ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`, {
      hint: 'check the path and its permissions',
    });
  }
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
      ...(this.options.systemCertDirs ?? SYSTEM_CERT_DIRS).map((d) => join(d, host)),
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
