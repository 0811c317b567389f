import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CrossdockError } from '../errors.js';
import { exec } from '../exec.js';
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
import { type BlobSource, DockerArchive, openSource, saveManifest } from './archive.js';
import { type CachedLayer, cachedLayer, layerCacheDir, storeLayer } from './cache.js';
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

const inFlight = new Map<string, Promise<CachedLayer>>();

/**
 * The compressed form of an uncompressed layer: from the cache (checked), or gzipped into it. The same layer
 * asked for twice at once (two platforms sharing a `COPY` layer) is compressed once.
 */
function compressedLayer(
  cacheDir: string,
  diffId: string,
  source: BlobSource,
  warn: (message: string) => void,
): Promise<CachedLayer> {
  const key = `${cacheDir}\0${diffId}`;
  let p = inFlight.get(key);
  if (!p) {
    p = (async () =>
      (await cachedLayer(cacheDir, diffId, warn)) ?? storeLayer(cacheDir, diffId, source))().finally(() =>
      inFlight.delete(key),
    );
    inFlight.set(key, p);
  }
  return p;
}

function damaged(problem: string): CrossdockError {
  return new CrossdockError(`${problem}; nothing of this platform was pushed`, {
    hint: 'the engine exported a damaged or altered image; build again, and check the builder node',
  });
}

async function compression(s: BlobSource): Promise<'none' | 'gzip' | 'zstd'> {
  const b = Buffer.alloc(4);
  const fh = await fs.open(s.path, 'r');
  try {
    await fh.read(b, 0, 4, s.start ?? 0);
  } finally {
    await fh.close();
  }
  if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

async function sourceDigest(s: BlobSource): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of openSource(s)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** The digest of a compressed layer's content once decompressed: what the config's diff_ids list. */
async function uncompressedDigest(
  s: BlobSource,
  kind: 'gzip' | 'zstd',
  env: Record<string, string | undefined>,
): Promise<string> {
  const hash = createHash('sha256');
  if (kind === 'gzip') {
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        cb();
      },
    });
    try {
      await pipeline(openSource(s), createGunzip(), sink);
    } catch (e) {
      throw damaged(`a gzip layer does not decompress (${e instanceof Error ? e.message : String(e)})`);
    }
    return `sha256:${hash.digest('hex')}`;
  }
  // Node 20 has no zstd: the zstd program decompresses, through the exec seam.
  const r = await exec(['zstd', '-dc'], {
    input: openSource(s),
    onStdoutBytes: (b) => hash.update(b),
    timeoutMs: 3_600_000,
    inherit: env,
  });
  if (r.notFound)
    throw new CrossdockError(
      'a zstd-compressed layer cannot be checked against its diff_id: zstd is not installed',
      {
        hint: 'install zstd (apt-get install zstd); crossdock pushes no layer it has not checked',
      },
    );
  if (r.code !== 0)
    throw damaged(`a zstd layer does not decompress (${r.stderr.trim().split('\n').pop() ?? ''})`);
  return `sha256:${hash.digest('hex')}`;
}

interface PreparedLayer {
  desc: Descriptor;
  source: BlobSource;
}

/**
 * A layer ready to push, checked against the config's diff_id: an uncompressed one is gzipped into the cache
 * (checked while compressing); a compressed one is decompressed and hashed, and pushed as it is.
 */
async function prepareLayer(
  source: BlobSource,
  diffId: string,
  given: Descriptor | undefined,
  cacheDir: string,
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
): Promise<PreparedLayer> {
  const kind = await compression(source);
  if (kind === 'none') {
    const c = await compressedLayer(cacheDir, diffId, source, warn);
    return {
      desc: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: c.digest, size: c.size },
      source: { path: c.file },
    };
  }
  const actual = await uncompressedDigest(source, kind, env);
  if (actual !== diffId)
    throw damaged(`a ${kind} layer decompresses to ${actual}, but the image config says ${diffId}`);
  const { digest, size } = await sourceDigest(source);
  if (given && (given.digest !== digest || given.size !== size))
    throw damaged(
      `a layer's blob is ${digest} (${size} bytes), but its manifest says ${given.digest} (${given.size} bytes)`,
    );
  return {
    desc: { mediaType: given?.mediaType ?? `application/vnd.oci.image.layer.v1.tar+${kind}`, digest, size },
    source,
  };
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** A blob of an OCI layout by digest; a digest that is not `sha256:<64 hex>` never becomes a path. */
function layoutBlob(dir: string, digest: string): BlobSource {
  if (!DIGEST.test(digest))
    throw new CrossdockError(
      `the OCI layout ${dir} names the blob "${digest}", which is not a sha256 digest`,
      {
        hint: 'the engine wrote a damaged or altered layout; build again',
      },
    );
  return { path: join(dir, 'blobs', 'sha256', digest.slice(7)) };
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
  warn: (message: string) => void = () => {},
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
  let sources: { source: BlobSource; given?: Descriptor }[];
  if (artifact.kind === 'docker-archive') {
    const archive = await DockerArchive.open(artifact.tar);
    const manifest = saveManifest(artifact.tar, await archive.read('manifest.json', 4 * 1024 * 1024));
    configBytes = await archive.read(manifest.config);
    sources = manifest.layers.map((l) => ({ source: archive.member(l) }));
  } else {
    const index = JSON.parse(await fs.readFile(join(artifact.dir, 'index.json'), 'utf8')) as ImageIndex;
    const top = index.manifests?.[0];
    if (!top) throw new CrossdockError('buildah wrote an empty OCI layout');
    const m = JSON.parse(
      await fs.readFile(layoutBlob(artifact.dir, top.digest).path, 'utf8'),
    ) as ImageManifest;
    configBytes = await fs.readFile(layoutBlob(artifact.dir, m.config.digest).path);
    sources = m.layers.map((l) => ({
      source: layoutBlob(artifact.dir, l.digest),
      given: { mediaType: l.mediaType, digest: l.digest, size: l.size },
    }));
  }
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  checkPlatform(config, platform);
  const diffIds: unknown = config.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every((d): d is string => typeof d === 'string' && DIGEST.test(d)))
    throw damaged('the image config has no valid rootfs.diff_ids');
  if (diffIds.length !== sources.length)
    throw damaged(`the image has ${sources.length} layers, but its config lists ${diffIds.length} diff_ids`);
  const cacheDir = layerCacheDir(env);
  // Every layer is checked against its diff_id before the first byte is pushed.
  const layers = await Promise.all(
    sources.map((s, i) => prepareLayer(s.source, diffIds[i] ?? '', s.given, cacheDir, env, warn)),
  );
  const configDesc: Descriptor = {
    mediaType: MEDIA.ociConfig,
    digest: sha256(configBytes),
    size: configBytes.length,
  };
  let uploadedBytes = 0;
  await Promise.all(
    layers.map(async (l) => {
      const r = await client.pushBlob(repo, l.desc, () => openSource(l.source));
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
