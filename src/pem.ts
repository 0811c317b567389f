import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './errors.js';

/*
 * PEM files given on the command line (`--ca-file`): read, split into certificates and parsed, with errors that
 * name the file. Apart from registry/tls.ts so the package index client (deps) can use them without the registry.
 */

/** Reads a PEM file, or fails with a ConfigError that says which file and why. */
export function readPem(path: string, what: string): string {
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

/**
 * The certificate blocks of a PEM text (a bundle may hold several), in order: each BEGIN line through the first
 * END line after it. Found with indexOf: a pattern tried every BEGIN without an END against the rest of the text.
 */
export function pemCertificates(text: string): string[] {
  const begin = '-----BEGIN CERTIFICATE-----';
  const end = '-----END CERTIFICATE-----';
  const out: string[] = [];
  for (let b = text.indexOf(begin); b >= 0; ) {
    const e = text.indexOf(end, b + begin.length);
    if (e < 0) break;
    out.push(text.slice(b, e + end.length));
    b = text.indexOf(begin, e + end.length);
  }
  return out;
}

/** Parses every certificate of a CA file (`what` names it in errors); a file without one is a ConfigError. */
export function readCertificates(path: string, what: string): X509Certificate[] {
  const blocks = pemCertificates(readPem(path, what));
  if (!blocks.length)
    throw new ConfigError(`${what} ${path} holds no certificate`, {
      hint: 'give the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)',
    });
  return blocks.map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch (e) {
      throw new ConfigError(
        `${what} ${path}: certificate ${i + 1} cannot be parsed (${(e as Error).message})`,
        {
          hint: 'give the CA certificate in PEM form',
        },
      );
    }
  });
}

/** The certificates of a CA file as PEM texts (each parsed first: a damaged one is a ConfigError naming the file). */
export function caPems(path: string, what: string): string[] {
  return readCertificates(path, what).map((c) => c.toString());
}

/**
 * The CAs trusted for an HTTPS package index besides the system's: each `--ca-file`, and PIP_CERT (the bundle pip
 * itself would use for the index) when set. Relative paths are from `cwd`.
 */
export function indexCaPems(
  caFiles: string[],
  env: Record<string, string | undefined>,
  cwd: string,
): string[] {
  const files = [
    ...caFiles.map((f) => ({ path: f, what: '--ca-file' })),
    ...(env.PIP_CERT ? [{ path: env.PIP_CERT, what: 'PIP_CERT' }] : []),
  ];
  return files.flatMap(({ path, what }) => caPems(resolve(cwd, path), what));
}
