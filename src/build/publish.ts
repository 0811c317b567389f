import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { CrossdockError } from '../errors.js';
import { parsePlatform } from '../model/platform.js';
import type { RegistryClient, RepoRef } from '../registry/client.js';
import {
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  MEDIA,
  sha256,
} from '../registry/types.js';
import type { Artifact } from './backends.js';

/**
 * Publishing: one platform's image pushed by digest (no tag), then the index of all platforms pushed under the
 * tags. Layers from `docker save` are uncompressed; they are gzipped once and kept in a cache keyed by their
 * uncompressed digest (diff id), so a rebuild that changed one layer compresses and uploads only that layer.
 */
export interface PublishedPlatform {
  descriptor: Descriptor;
  /** Config + layers + manifest bytes. */
  size: number;
  uploadedBytes: number;
  config: ImageConfig;
}

export function layerCacheDir(env: Record<string, string | undefined>): string {
  if (env.CROSSDOCK_CACHE_DIR) return join(env.CROSSDOCK_CACHE_DIR, 'layers');
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'crossdock', 'layers');
}

interface CachedLayer {
  digest: string;
  size: number;
  file: string;
}

const inFlight = new Map<string, Promise<CachedLayer>>();

/**
 * Gzips an uncompressed layer into the cache (atomically), or returns the cached one. The same layer asked for
 * twice at once (two platforms sharing a `COPY` layer) is compressed once.
 */
function compressedLayer(cacheDir: string, diffId: string, source: string): Promise<CachedLayer> {
  const key = `${cacheDir}\0${diffId}`;
  let p = inFlight.get(key);
  if (!p) {
    p = compressLayer(cacheDir, diffId, source).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  }
  return p;
}

async function compressLayer(cacheDir: string, diffId: string, source: string): Promise<CachedLayer> {
  const hex = diffId.replace(/^sha256:/, '');
  const file = join(cacheDir, `${hex}.tar.gz`);
  const metaFile = join(cacheDir, `${hex}.json`);
  try {
    const meta = JSON.parse(await fs.readFile(metaFile, 'utf8')) as { digest: string; size: number };
    const st = await fs.stat(file);
    if (st.size === meta.size) return { ...meta, file };
  } catch {
    /* not cached yet */
  }
  await fs.mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const hash = createHash('sha256');
  const uncompressed = createHash('sha256');
  let size = 0;
  await pipeline(
    createReadStream(source),
    new Transform({
      transform(chunk: Buffer, _e, cb) {
        uncompressed.update(chunk);
        cb(null, chunk);
      },
    }),
    createGzip({ level: 6 }),
    new Transform({
      transform(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    }),
    createWriteStream(tmp),
  );
  const actualDiff = `sha256:${uncompressed.digest('hex')}`;
  if (actualDiff !== diffId) {
    await fs.rm(tmp, { force: true });
    throw new CrossdockError(
      `layer ${source} has digest ${actualDiff}, but the image config says ${diffId}`,
      {
        hint: 'the engine exported a damaged image; build again',
      },
    );
  }
  const digest = `sha256:${hash.digest('hex')}`;
  await fs.rename(tmp, file);
  const metaTmp = `${metaFile}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(metaTmp, JSON.stringify({ digest, size }));
  await fs.rename(metaTmp, metaFile);
  return { digest, size, file };
}

async function compression(path: string): Promise<'none' | 'gzip' | 'zstd'> {
  const fh = await fs.open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, 0);
    if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

async function fileDigest(path: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

function checkPlatform(config: ImageConfig, want: string): void {
  const got = parsePlatform(
    `${config.os ?? '?'}/${config.architecture ?? '?'}${config.variant ? `/${config.variant}` : ''}`,
  );
  const w = parsePlatform(want);
  if (
    !got ||
    !w ||
    got.os !== w.os ||
    got.architecture !== w.architecture ||
    (w.variant && got.variant && w.variant !== got.variant)
  )
    throw new CrossdockError(
      `the engine built ${config.os}/${config.architecture}${config.variant ? `/${config.variant}` : ''} when ${want} was asked for`,
      {
        hint: 'the builder ignored --platform: use a BuildKit-capable engine (dockerd 18.09+ with DOCKER_BUILDKIT=1, buildx or buildah)',
      },
    );
}

export async function publishPlatform(
  client: RegistryClient,
  repo: RepoRef,
  artifact: Artifact,
  platform: string,
  env: Record<string, string | undefined>,
): Promise<PublishedPlatform> {
  const p = parsePlatform(platform);
  if (artifact.kind === 'pushed') {
    const fetched = await client.getManifest(repo, artifact.digest);
    if (fetched.manifest.kind !== 'image')
      throw new CrossdockError(`buildx pushed an index for ${platform}, expected one image`);
    const cfg = JSON.parse(
      (await client.getBlob(repo, fetched.manifest.manifest.config, 64 * 1024 * 1024)).toString('utf8'),
    ) as ImageConfig;
    checkPlatform(cfg, platform);
    const m = fetched.manifest.manifest;
    return {
      descriptor: {
        mediaType: fetched.mediaType,
        digest: fetched.digest,
        size: fetched.bytes.length,
        platform: {
          os: p?.os ?? 'linux',
          architecture: p?.architecture ?? '',
          ...(p?.variant ? { variant: p.variant } : {}),
        },
      },
      size: fetched.bytes.length + m.config.size + m.layers.reduce((a, l) => a + l.size, 0),
      uploadedBytes: 0,
      config: cfg,
    };
  }
  let configBytes: Buffer;
  let layers: { desc: Descriptor; file: string }[] = [];
  if (artifact.kind === 'docker-archive') {
    const manifest = JSON.parse(await fs.readFile(join(artifact.dir, 'manifest.json'), 'utf8')) as {
      Config: string;
      Layers: string[];
    }[];
    const entry = manifest[0];
    if (!entry || manifest.length !== 1)
      throw new CrossdockError('docker save wrote an unexpected archive (no single image)');
    configBytes = await fs.readFile(join(artifact.dir, entry.Config));
    const cfg = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    const diffIds = cfg.rootfs?.diff_ids ?? [];
    if (diffIds.length !== entry.Layers.length)
      throw new CrossdockError('docker save wrote an image whose layers do not match its config');
    const cacheDir = layerCacheDir(env);
    layers = await Promise.all(
      entry.Layers.map(async (l, i) => {
        const path = join(artifact.dir, l);
        // Docker's containerd image store saves layers already compressed: push those as they are.
        const kind = await compression(path);
        if (kind !== 'none') {
          const { digest, size } = await fileDigest(path);
          const mediaType = `application/vnd.oci.image.layer.v1.tar+${kind}`;
          return { desc: { mediaType, digest, size }, file: path };
        }
        const c = await compressedLayer(cacheDir, diffIds[i]!, path);
        return {
          desc: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: c.digest, size: c.size },
          file: c.file,
        };
      }),
    );
  } else {
    const index = JSON.parse(await fs.readFile(join(artifact.dir, 'index.json'), 'utf8')) as ImageIndex;
    const top = index.manifests[0];
    if (!top) throw new CrossdockError('buildah wrote an empty OCI layout');
    const blob = (d: string) => join(artifact.dir, 'blobs', ...d.split(':'));
    const m = JSON.parse(await fs.readFile(blob(top.digest), 'utf8')) as ImageManifest;
    configBytes = await fs.readFile(blob(m.config.digest));
    layers = m.layers.map((l) => ({
      desc: { mediaType: l.mediaType, digest: l.digest, size: l.size },
      file: blob(l.digest),
    }));
  }
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  checkPlatform(config, platform);
  const configDesc: Descriptor = {
    mediaType: MEDIA.ociConfig,
    digest: sha256(configBytes),
    size: configBytes.length,
  };
  let uploadedBytes = 0;
  await Promise.all(
    layers.map(async (l) => {
      const r = await client.pushBlob(repo, l.desc, () => createReadStream(l.file));
      if (r === 'uploaded') uploadedBytes += l.desc.size;
    }),
  );
  if ((await client.pushBlob(repo, configDesc, () => Readable.from([configBytes]))) === 'uploaded')
    uploadedBytes += configBytes.length;
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: configDesc,
    layers: layers.map((l) => l.desc),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = sha256(bytes);
  await client.putManifest(repo, digest, MEDIA.ociManifest, bytes);
  uploadedBytes += bytes.length;
  return {
    descriptor: {
      mediaType: MEDIA.ociManifest,
      digest,
      size: bytes.length,
      platform: {
        os: config.os ?? p?.os ?? 'linux',
        architecture: config.architecture ?? p?.architecture ?? '',
        ...(config.variant ? { variant: config.variant } : p?.variant ? { variant: p.variant } : {}),
      },
    },
    size: bytes.length + configBytes.length + layers.reduce((a, l) => a + l.desc.size, 0),
    uploadedBytes,
    config,
  };
}

/** Pushes the index of all platforms under each tag; returns its digest. The registry checks every child exists. */
export async function pushIndex(
  client: RegistryClient,
  repo: RepoRef,
  platforms: Descriptor[],
  tags: string[],
  annotations: Record<string, string>,
  signal?: AbortSignal,
  onTag?: (tag: string) => void,
): Promise<string> {
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MEDIA.ociIndex,
    manifests: platforms,
    annotations,
  };
  const bytes = Buffer.from(JSON.stringify(index));
  const digest = sha256(bytes);
  await client.putManifest(repo, digest, MEDIA.ociIndex, bytes);
  for (const tag of tags) {
    if (signal?.aborted) throw new CrossdockError('cancelled before every tag was written');
    await client.putManifest(repo, tag, MEDIA.ociIndex, bytes);
    onTag?.(tag);
  }
  return digest;
}
