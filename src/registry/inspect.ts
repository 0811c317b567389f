import type { FetchedManifest, RegistryClient } from './client.js';
import { mapPool } from './pool.js';
import type { ResolvedRef } from './reference.js';
import {
  type Descriptor,
  formatPlatform,
  type ImageConfig,
  isAttestation,
  MEDIA,
  parseImageConfig,
} from './types.js';

/** One row of `crossdock inspect`: a platform image (or an attestation entry) of a reference. */
export interface PlatformImage {
  platform: string;
  /** The index descriptor's platform (for images pushed without an index: the config's). */
  descriptorPlatform: string;
  digest: string;
  mediaType: string;
  attestation: boolean;
  /** Compressed size: config + layers. */
  size: number;
  layers: Descriptor[];
  configDescriptor: Descriptor | undefined;
  config: ImageConfig | undefined;
  created: string | undefined;
  user: string | undefined;
  entrypoint: string[];
  cmd: string[];
  exposedPorts: string[];
  healthcheck: string[] | undefined;
  labels: Record<string, string>;
}

export interface Inspection {
  reference: string;
  digest: string;
  mediaType: string;
  /** True when the reference is an index (multi-platform). */
  index: boolean;
  platforms: PlatformImage[];
  /** The top manifest's bytes, for --raw. */
  raw: Buffer;
}

const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
/** Platform images read at the same time. */
export const INSPECT_CONCURRENCY = 6;

async function platformImage(
  client: RegistryClient,
  ref: ResolvedRef,
  fetched: FetchedManifest,
  desc: Descriptor | undefined,
): Promise<PlatformImage> {
  const attestation = desc ? isAttestation(desc) : false;
  const base: PlatformImage = {
    platform: formatPlatform(desc?.platform),
    descriptorPlatform: formatPlatform(desc?.platform),
    digest: fetched.digest,
    mediaType: fetched.mediaType,
    attestation,
    size: 0,
    layers: [],
    configDescriptor: undefined,
    config: undefined,
    created: undefined,
    user: undefined,
    entrypoint: [],
    cmd: [],
    exposedPorts: [],
    healthcheck: undefined,
    labels: {},
  };
  if (fetched.manifest.kind !== 'image') return base;
  const m = fetched.manifest.manifest;
  base.layers = m.layers;
  base.configDescriptor = m.config;
  base.size = m.config.size + m.layers.reduce((n, l) => n + l.size, 0);
  if (attestation || (m.config.mediaType !== MEDIA.ociConfig && m.config.mediaType !== MEDIA.dockerConfig))
    return base;
  const what = `${ref.registry}/${ref.repository}@${m.config.digest}`;
  const config = parseImageConfig(await client.getBlob(ref, m.config, MAX_CONFIG_BYTES), what);
  const c = config.config ?? {};
  const platform = formatPlatform({
    os: config.os ?? 'unknown',
    architecture: config.architecture ?? 'unknown',
    variant: config.variant,
  });
  return {
    ...base,
    platform: desc ? base.platform : platform,
    descriptorPlatform: desc ? base.descriptorPlatform : platform,
    config,
    created: config.created,
    user: c.User || undefined,
    entrypoint: c.Entrypoint ?? [],
    cmd: c.Cmd ?? [],
    exposedPorts: Object.keys(c.ExposedPorts ?? {}).sort(),
    healthcheck: c.Healthcheck?.Test,
    labels: c.Labels ?? {},
  };
}

/** Resolves a reference and reads every platform image's manifest and config. */
export async function inspect(
  client: RegistryClient,
  ref: ResolvedRef,
  only?: string[],
): Promise<Inspection> {
  const top = await client.getManifest(ref, ref.reference);
  const result: Inspection = {
    reference: ref.text,
    digest: top.digest,
    mediaType: top.mediaType,
    index: top.manifest.kind === 'index',
    platforms: [],
    raw: top.bytes,
  };
  if (top.manifest.kind === 'image') {
    result.platforms.push(await platformImage(client, ref, top, undefined));
  } else {
    const wanted = top.manifest.index.manifests.filter(
      (d) => !only?.length || only.includes(formatPlatform(d.platform)),
    );
    // A bounded pool: an index can hold many entries, and each one is two requests.
    result.platforms = await mapPool(wanted, INSPECT_CONCURRENCY, async (d) =>
      platformImage(client, ref, await client.getManifest(ref, d.digest, [d.mediaType], d.size), d),
    );
  }
  return result;
}
