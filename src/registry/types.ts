import { createHash } from 'node:crypto';
import { verifyBytes } from './digest.js';
import { RegistryError } from './errors.js';

/** Media types crossdock reads and writes (OCI image spec 1.1, Docker image manifest v2 schema 2). */
export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.dockerManifest];

/** Manifests above this size are refused (the distribution registry itself caps them at 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Index entries above this are refused (real indexes hold a few platforms and their attestations). */
export const MAX_INDEX_ENTRIES = 1000;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
  subject?: Descriptor;
  artifactType?: string;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: {
    User?: string;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    ExposedPorts?: Record<string, unknown>;
    Env?: string[];
    Labels?: Record<string, string> | null;
    Healthcheck?: { Test?: string[] };
    WorkingDir?: string;
  };
  rootfs?: { type: string; diff_ids: string[] };
}

/**
 * Reads an image config blob: a JSON object whose fields crossdock uses must have the types the image spec gives
 * them. Anything else is an error naming the field, never a guess; fields crossdock does not read are ignored.
 */
export function parseImageConfig(bytes: Buffer, what: string): ImageConfig {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RegistryError(`${what}: the image config is not JSON`, {
      hint: 'the image was written by a broken tool; rebuild and push it',
    });
  }
  const bad = (field: string, type: string) =>
    new RegistryError(`${what}: image config field ${field} is not ${type}`, {
      hint: 'the image was written by a broken tool; rebuild and push it',
    });
  if (!isObject(json)) throw bad('(top level)', 'an object');
  const str = (o: Record<string, unknown>, key: string, field: string): string | undefined => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw bad(field, 'a string');
    return v;
  };
  const strings = (o: Record<string, unknown>, key: string, field: string): string[] | undefined => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(field, 'a list of strings');
    return v as string[];
  };
  const out: ImageConfig = {
    architecture: str(json, 'architecture', 'architecture'),
    os: str(json, 'os', 'os'),
    variant: str(json, 'variant', 'variant'),
    created: str(json, 'created', 'created'),
  };
  if (json.config !== undefined && json.config !== null) {
    if (!isObject(json.config)) throw bad('config', 'an object');
    const c = json.config;
    const labels = c.Labels;
    if (labels !== undefined && labels !== null) {
      if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string'))
        throw bad('config.Labels', 'an object of strings');
    }
    const ports = c.ExposedPorts;
    if (ports !== undefined && ports !== null && !isObject(ports))
      throw bad('config.ExposedPorts', 'an object');
    const health = c.Healthcheck;
    if (health !== undefined && health !== null && !isObject(health))
      throw bad('config.Healthcheck', 'an object');
    out.config = {
      User: str(c, 'User', 'config.User'),
      Entrypoint: strings(c, 'Entrypoint', 'config.Entrypoint'),
      Cmd: strings(c, 'Cmd', 'config.Cmd'),
      ExposedPorts: isObject(ports) ? ports : undefined,
      Env: strings(c, 'Env', 'config.Env'),
      Labels: isObject(labels) ? (labels as Record<string, string>) : undefined,
      Healthcheck: isObject(health)
        ? { Test: strings(health, 'Test', 'config.Healthcheck.Test') }
        : undefined,
      WorkingDir: str(c, 'WorkingDir', 'config.WorkingDir'),
    };
  }
  return out;
}

export type Manifest =
  | { kind: 'index'; mediaType: string; index: ImageIndex }
  | { kind: 'image'; mediaType: string; manifest: ImageManifest };

export function sha256(bytes: Buffer | Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

/** The digest of bytes with the algorithm another digest uses (sha256 unless it is sha512). */
export function digestLike(bytes: Buffer | Uint8Array, like: string): string {
  const algo = like.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algo}:${createHash(algo).update(bytes).digest('hex')}`;
}

/** Checks bytes against a digest; throws a RegistryError naming what was fetched. */
export function verifyDigest(bytes: Buffer, digest: string, what: string): void {
  verifyBytes(bytes, digest, what);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function descriptor(x: unknown, where: string): Descriptor {
  if (
    !isObject(x) ||
    typeof x.mediaType !== 'string' ||
    typeof x.digest !== 'string' ||
    typeof x.size !== 'number' ||
    !isDigest(x.digest) ||
    x.size < 0
  )
    throw new RegistryError(`${where}: a descriptor lacks a valid mediaType, digest or size`);
  return x as unknown as Descriptor;
}

/**
 * Parses manifest bytes by their media type (the Content-Type, else the `mediaType` field). Rejects HTML, garbage,
 * unknown media types and structurally invalid manifests with a message naming the reference.
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined, what: string): Manifest {
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const looksHtml = /^\s*<(!doctype|html)/i.test(text);
    throw new RegistryError(
      `${what}: the registry answered ${looksHtml ? 'an HTML page' : 'something that is not JSON'} instead of a manifest`,
      { hint: 'check the registry address: a proxy, login page or web server answers at this URL' },
    );
  }
  if (!isObject(json)) throw new RegistryError(`${what}: the manifest is not a JSON object`);
  const ct = (contentType ?? '').split(';')[0]?.trim();
  const mediaType =
    typeof json.mediaType === 'string'
      ? json.mediaType
      : ct && ct !== 'application/json' && ct !== 'text/plain'
        ? ct
        : Array.isArray(json.manifests)
          ? MEDIA.ociIndex
          : MEDIA.ociManifest;
  if (json.schemaVersion !== 2)
    throw new RegistryError(
      `${what}: schemaVersion ${String(json.schemaVersion)} manifests are not supported`,
      {
        hint: 'Docker schema 1 manifests were removed from registries in 2020; rebuild and push the image',
      },
    );
  if (mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList) {
    if (!Array.isArray(json.manifests)) throw new RegistryError(`${what}: an index without "manifests"`);
    if (json.manifests.length > MAX_INDEX_ENTRIES)
      throw new RegistryError(
        `${what}: the index has ${json.manifests.length} entries, more than the ${MAX_INDEX_ENTRIES} crossdock reads`,
        {
          hint: 'a multi-platform image has a handful of entries (platforms and attestations); check what was pushed to this tag',
        },
      );
    json.manifests.forEach((m, i) => {
      descriptor(m, `${what}: manifests[${i}]`);
    });
    return { kind: 'index', mediaType, index: json as unknown as ImageIndex };
  }
  if (mediaType === MEDIA.ociManifest || mediaType === MEDIA.dockerManifest) {
    descriptor(json.config, `${what}: config`);
    if (!Array.isArray(json.layers)) throw new RegistryError(`${what}: an image manifest without "layers"`);
    json.layers.forEach((l, i) => {
      descriptor(l, `${what}: layers[${i}]`);
    });
    return { kind: 'image', mediaType, manifest: json as unknown as ImageManifest };
  }
  throw new RegistryError(`${what}: unknown manifest media type "${mediaType}"`, {
    hint: 'crossdock reads OCI and Docker v2 image manifests and indexes',
  });
}

export function formatPlatform(p: Platform | undefined): string {
  if (!p) return 'unknown/unknown';
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** An index entry that is an attestation or other artifact, not a runnable image (BuildKit marks them unknown/unknown). */
export function isAttestation(d: Descriptor): boolean {
  return (
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown') ||
    d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    d.artifactType !== undefined
  );
}
