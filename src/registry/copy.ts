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
 * manifest by digest, and the index last, under the tag. Blobs stream from the source into the destination,
 * checked by crossdock as they pass (see HeldBackCheck); what the destination already has is only asked about.
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
  /** Manifests (platform manifests, index, tag) pushed, and found already there (HEAD) and so not pushed. */
  manifests: { pushed: number; present: number };
}

export interface CopyOptions {
  platforms?: string[];
  /** Blobs moved at once (default DEFAULT_COPY_CONCURRENCY). */
  concurrency?: number;
  progress?: CopyProgress;
}

/**
 * Blob uploads at once by default. On the 2-core development machine with both registries local (bench/copy.ts),
 * 2 to 10 made no difference beyond the noise: the cores are the limit there. 6 (skopeo's default too) keeps a
 * few transfers overlapping the latency of remote registries without crowding them.
 */
export const DEFAULT_COPY_CONCURRENCY = 6;

/** Existence checks (HEAD) at once: cheap for the registry, so more of them than transfers. */
const PROBE_CONCURRENCY = 16;

export async function copyImage(
  src: RegistryClient,
  dst: RegistryClient,
  from: ResolvedRef,
  to: ResolvedRef,
  options: CopyOptions = {},
): Promise<CopyResult> {
  // What the destination reference points at now is asked while the source is read (a failure of this question
  // is no answer: the pushes that follow meet the same problem and report it).
  const there = dst.headManifest(to, to.reference, { push: true }).catch(() => undefined);
  const image = await readSource(src, from, to, options).catch(async (e: unknown) => {
    await there; // nothing is left running once the copy has failed
    throw e;
  });
  const result: CopyResult = {
    source: from.text,
    destination: to.text,
    digest: image.digest,
    digestChanged: image.digestChanged,
    platforms: image.platforms,
    blobs: { uploaded: 0, skipped: 0, mounted: 0 },
    bytes: { moved: 0, skipped: 0 },
    manifests: { pushed: 0, present: 0 },
  };
  // The destination reference already names this image (a repeated copy): every blob and manifest is expected
  // there, so each is only asked about (HEAD), and nothing already there is pushed again.
  const present = (await there)?.digest === image.digest;
  await copyBlobs(src, dst, from, to, image, present, options, result);
  await pushManifests(dst, to, image, present, options, result);
  return result;
}

/** What is copied: the top manifest (the source's, or a new index of the platforms chosen) and its children. */
interface SourceImage {
  digest: string;
  digestChanged: boolean;
  platforms: string[];
  /** The source's top manifest as read. */
  top: FetchedManifest;
  /** The bytes pushed for the top manifest (a new index when a platform subset was chosen). */
  topBytes: Buffer;
  children: { desc: Descriptor; fetched: FetchedManifest }[];
}

/** Reads the source's manifests, each checked against the digest it will be pushed under before anything is sent. */
async function readSource(
  src: RegistryClient,
  from: ResolvedRef,
  to: ResolvedRef,
  options: CopyOptions,
): Promise<SourceImage> {
  const top = await src.getManifest(from, from.reference);
  const image: SourceImage = {
    digest: top.digest,
    digestChanged: false,
    platforms: ['(single image)'],
    top,
    topBytes: top.bytes,
    children: [],
  };
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
        image.topBytes = Buffer.from(JSON.stringify(index));
        image.digest = sha256(image.topBytes);
        image.digestChanged = true;
      }
    }
    image.children = await mapPool(list, PROBE_CONCURRENCY, async (desc) => ({
      desc,
      fetched: await src.getManifest(from, desc.digest, [desc.mediaType], desc.size),
    }));
    image.platforms = list.map((d) => formatPlatform(d.platform));
  }
  for (const c of image.children)
    verifyDigest(
      c.fetched.bytes,
      c.desc.digest,
      `copy: the ${formatPlatform(c.desc.platform)} manifest read from ${from.registry}/${from.repository}`,
    );
  verifyDigest(image.topBytes, image.digest, `copy: the manifest read for ${from.text}`);
  if (to.digest && to.digest !== image.digest)
    throw new RegistryError(
      `${to.text}: the image copied would have digest ${image.digest}, not the one in the destination reference; nothing was pushed`,
      { hint: `copy to a tag, or to @${image.digest}` },
    );
  return image;
}

/**
 * Platform manifests by digest, then the top manifest under the tag (or its digest): no tag ever points at a
 * partial image. One at a time: the first refusal stops the copy before anything that depends on it. In a
 * repeated copy, each is asked about first and pushed only when missing.
 */
async function pushManifests(
  dst: RegistryClient,
  to: ResolvedRef,
  image: SourceImage,
  present: boolean,
  options: CopyOptions,
  result: CopyResult,
): Promise<void> {
  const known = present
    ? await mapPool(
        image.children,
        PROBE_CONCURRENCY,
        async (c) => (await dst.headManifest(to, c.desc.digest, { push: true }))?.digest === c.desc.digest,
      )
    : [];
  for (const [i, c] of image.children.entries()) {
    if (known[i]) {
      result.manifests.present++;
      continue;
    }
    await dst.putManifest(to, c.desc.digest, c.fetched.mediaType, c.fetched.bytes);
    result.manifests.pushed++;
    options.progress?.manifest?.(c.fetched.digest, formatPlatform(c.desc.platform));
  }
  // The reference already resolves to this digest: the top manifest is there, and the tag points at it.
  if (present) result.manifests.present++;
  else {
    await dst.putManifest(to, to.digest ?? to.reference, image.top.mediaType, image.topBytes);
    result.manifests.pushed++;
  }
}

/**
 * Every blob of every image, once, largest first (the long transfers start early and the short ones fill in).
 * Each blob costs the fewest requests its case allows: one HEAD when it is expected there; one mount request
 * within a registry (which settles a blob the repository already has as well); else a HEAD and, when absent, an
 * upload streamed from the source and checked in the same pass.
 */
async function copyBlobs(
  src: RegistryClient,
  dst: RegistryClient,
  from: ResolvedRef,
  to: ResolvedRef,
  image: SourceImage,
  present: boolean,
  options: CopyOptions,
  result: CopyResult,
): Promise<void> {
  const blobs = new Map<string, Descriptor>();
  const images = image.top.manifest.kind === 'image' ? [image.top] : image.children.map((c) => c.fetched);
  for (const m of images) {
    if (m.manifest.kind !== 'image') continue;
    for (const d of [m.manifest.manifest.config, ...m.manifest.manifest.layers]) blobs.set(d.digest, d);
  }
  const mountFrom =
    from.registry === to.registry && from.repository !== to.repository ? from.repository : undefined;
  const order = [...blobs.values()].sort((a, b) => b.size - a.size);
  // Expected present, or mounted: requests that move no blob bytes, so more of them at once (unless the user set
  // a limit).
  const limit = options.concurrency ?? (present || mountFrom ? PROBE_CONCURRENCY : DEFAULT_COPY_CONCURRENCY);
  await mapPool(order, limit, async (desc) => {
    const what = `reading ${from.registry}/${from.repository}@${desc.digest} from the source`;
    const source = {
      open: () =>
        src.openBlobStream(from, desc, {
          what,
          onBytes: (n) => options.progress?.bytes?.(desc.digest, n, desc.size),
        }),
    };
    const outcome = await dst.pushBlob(to, desc, source, {
      mountFrom,
      probe: present || mountFrom === undefined,
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
}
