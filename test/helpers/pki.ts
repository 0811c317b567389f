import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
