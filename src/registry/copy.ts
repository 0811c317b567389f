import type { FetchedManifest, RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { mapPool } from './pool.js';
import type { ResolvedRef } from './reference.js';
import {
  type Descriptor,
  formatPlatform,
  type ImageIndex,
  isAttestation,
  sha256,
  verifyDigest,
} from './types.js';

/**
 * `crossdock copy`: every platform (or a subset) from one repository to another, digests preserved. Order is
 * what keeps a tag from ever pointing at a partial image: blobs first (in parallel, bounded), then each platform
 * manifest by digest, then the index, and the tag last.
 */
export interface CopyProgress {
  /** A blob finished: what happened to it and its size. */
  blob(digest: string, size: number, outcome: 'present' | 'mounted' | 'uploaded'): void;
  /** Bytes streamed so far for an uploading blob. */
  bytes?(digest: string, done: number, size: number): void;
  manifest?(digest: string, platform: string): void;
}

export interface CopyResult {
  source: string;
  destination: string;
  digest: string;
  /** True when a platform subset made a new index (so the digest differs from the source's). */
  digestChanged: boolean;
  platforms: string[];
  blobs: { uploaded: number; skipped: number; mounted: number };
  bytes: { moved: number; skipped: number };
}

export interface CopyOptions {
  platforms?: string[];
  concurrency?: number;
  progress?: CopyProgress;
}

export async function copyImage(
  src: RegistryClient,
  dst: RegistryClient,
  from: ResolvedRef,
  to: ResolvedRef,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const top = await src.getManifest(from, from.reference);
  const result: CopyResult = {
    source: from.text,
    destination: to.text,
    digest: top.digest,
    digestChanged: false,
    platforms: [],
    blobs: { uploaded: 0, skipped: 0, mounted: 0 },
    bytes: { moved: 0, skipped: 0 },
  };
  const children: { desc: Descriptor; fetched: FetchedManifest }[] = [];
  let topBytes = top.bytes;
  let topMediaType = top.mediaType;
  if (top.manifest.kind === 'index') {
    let list = top.manifest.index.manifests;
    if (options.platforms?.length) {
      const want = options.platforms;
      list = list.filter((d) => !isAttestation(d) && want.includes(formatPlatform(d.platform)));
      const missing = want.filter((p) => !list.some((d) => formatPlatform(d.platform) === p));
      if (missing.length)
        throw new RegistryError(`${from.text} has no ${missing.join(', ')} image`, {
          hint: `it has: ${top.manifest.index.manifests.map((d) => formatPlatform(d.platform)).join(', ')}`,
        });
      if (list.length !== top.manifest.index.manifests.length) {
        const index: ImageIndex = { ...top.manifest.index, manifests: list };
        topBytes = Buffer.from(JSON.stringify(index));
        result.digest = sha256(topBytes);
        result.digestChanged = true;
      }
    }
    for (const d of list)
      children.push({ desc: d, fetched: await src.getManifest(from, d.digest, [d.mediaType], d.size) });
    result.platforms = list.map((d) => formatPlatform(d.platform));
  } else {
    topMediaType = top.mediaType;
    result.platforms = ['(single image)'];
  }

  // Every manifest is checked against the digest it will be pushed under before anything is sent.
  for (const c of children)
    verifyDigest(
      c.fetched.bytes,
      c.desc.digest,
      `copy: the ${formatPlatform(c.desc.platform)} manifest read from ${from.registry}/${from.repository}`,
    );
  verifyDigest(topBytes, result.digest, `copy: the manifest read for ${from.text}`);
  if (to.digest && to.digest !== result.digest)
    throw new RegistryError(
      `${to.text}: the image copied would have digest ${result.digest}, not the one in the destination reference; nothing was pushed`,
      { hint: `copy to a tag, or to @${result.digest}` },
    );

  // Every blob of every image, once.
  const blobs = new Map<string, Descriptor>();
  const images = top.manifest.kind === 'image' ? [top] : children.map((c) => c.fetched);
  for (const m of images) {
    if (m.manifest.kind !== 'image') continue;
    for (const d of [m.manifest.manifest.config, ...m.manifest.manifest.layers]) blobs.set(d.digest, d);
  }
  const sameRegistry = from.registry === to.registry;
  await mapPool([...blobs.values()], options.concurrency ?? 6, async (desc) => {
    // Streamed from the source into the upload and checked by crossdock in the same pass (openBlobStream): a blob
    // that fails the check never completes its upload.
    const source = {
      open: () =>
        src.openBlobStream(from, desc, {
          what: `reading ${from.registry}/${from.repository}@${desc.digest} from the source`,
          onBytes: (n) => options.progress?.bytes?.(desc.digest, n, desc.size),
        }),
    };
    const outcome = await dst.pushBlob(to, desc, source, {
      mountFrom: sameRegistry ? from.repository : undefined,
    });
    if (outcome === 'uploaded') {
      result.blobs.uploaded++;
      result.bytes.moved += desc.size;
    } else {
      if (outcome === 'mounted') result.blobs.mounted++;
      else result.blobs.skipped++;
      result.bytes.skipped += desc.size;
    }
    options.progress?.blob(desc.digest, desc.size, outcome);
  });

  // Platform manifests by digest, then the index (by digest), then the tag.
  for (const c of children) {
    await dst.putManifest(to, c.desc.digest, c.fetched.mediaType, c.fetched.bytes);
    options.progress?.manifest?.(c.fetched.digest, formatPlatform(c.desc.platform));
  }
  await dst.putManifest(to, result.digest, topMediaType, topBytes);
  if (!to.digest) await dst.putManifest(to, to.reference, topMediaType, topBytes);
  return result;
}
