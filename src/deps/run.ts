/**
 * `crossdock deps` without the command line: which index each image's requirements are checked against, the
 * verdict engine's answers (one call per image, keyed by its targets' platforms), merged into one report.
 */
import { ConfigError } from '../errors.js';
import { IndexError } from './http.js';
import { hideUserinfo } from './inputs.js';
import type {
  Decide,
  DepsImage,
  DepsPackageResult,
  DepsReport,
  IndexOptions,
  PlatformVerdict,
} from './types.js';

export interface DepsRunOptions {
  /** `--index-url`: replaces every index the repository names. */
  indexUrl?: string;
  /** `--extra-index-url`, added to whichever index is used. */
  extraIndexUrls: string[];
  offline: boolean;
  /** crossdock's own environment: PIP_INDEX_URL / PIP_EXTRA_INDEX_URL (as pip in CI would read them), cache folder, .netrc. */
  env: Record<string, string | undefined>;
  cacheDir?: string;
  /** PEM certificates trusted for HTTPS indexes besides the system's. */
  ca?: string[];
  /** Told before each image is checked (progress on a TTY). */
  progress?: (line: string) => void;
}

/** PyPI's simple API: the documented default, never assumed. */
export const PYPI_SIMPLE = 'https://pypi.org/simple';

/**
 * The index settings an image is checked with: `--index-url` (then only the command line's extra indexes), else
 * PIP_INDEX_URL from crossdock's environment, else what the repository says (requirement-file lines, the
 * Dockerfile's ENV, a pip.conf/uv.toml the image has), with their extra indexes. Undefined when none names one.
 */
export function indexFor(image: DepsImage, options: DepsRunOptions): IndexOptions | undefined {
  const envExtra = (options.env.PIP_EXTRA_INDEX_URL ?? '').split(/\s+/).filter(Boolean);
  const base = {
    offline: options.offline,
    onlyBinary: image.index.onlyBinary,
    env: options.env,
    ...(options.ca?.length ? { ca: options.ca } : {}),
  };
  const cache = options.cacheDir ? { cacheDir: options.cacheDir } : {};
  if (options.indexUrl)
    return { ...base, ...cache, indexUrl: options.indexUrl, extraIndexUrls: [...options.extraIndexUrls] };
  const fromEnv = options.env.PIP_INDEX_URL?.trim();
  const indexUrl = fromEnv || image.index.indexUrl;
  if (!indexUrl) return undefined;
  const extra = [...new Set([...options.extraIndexUrls, ...envExtra, ...image.index.extraIndexUrls])];
  return { ...base, ...cache, indexUrl, extraIndexUrls: extra };
}

function sameVerdicts(a: Record<string, PlatformVerdict>, b: Record<string, PlatformVerdict>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Asks the engine about every image's requirements and merges the answers into one report. */
export async function depsReport(
  images: DepsImage[],
  options: DepsRunOptions,
  decide: Decide,
): Promise<DepsReport> {
  const notes: string[] = [];
  const packages: DepsPackageResult[] = [];
  /** Images whose every verdict is unknown because the index could not be read. */
  const unreachable: { url: string; reason: string }[] = [];
  const plans = images
    .filter((i) => i.queries.length > 0)
    .map((image) => ({ image, index: indexFor(image, options) }));
  const unindexed = plans.filter((p) => !p.index).map((p) => p.image.name);
  if (unindexed.length)
    throw new ConfigError(
      `no package index to check ${unindexed.join(', ')} against: neither --index-url, PIP_INDEX_URL, a pip.conf/uv.toml nor the requirement files name one`,
      {
        hint: `pass --index-url URL, the simple API root of the index pip installs from (PyPI's is ${PYPI_SIMPLE}, pip's default)`,
      },
    );
  for (const { image, index } of plans) {
    if (!index) continue;
    options.progress?.(
      `${image.name}: ${image.queries.length} requirement${image.queries.length === 1 ? '' : 's'} × ${image.targets.length} platform${image.targets.length === 1 ? '' : 's'} against ${hideUserinfo(index.indexUrl)}${options.offline ? ' (offline, from the cache)' : ''}`,
    );
    const rows: Record<string, PlatformVerdict>[] = image.targets.length
      ? await decide(image.queries, image.targets, index)
      : image.queries.map(() => ({}));
    const verdicts = rows.flatMap((r) => Object.values(r));
    const unreached = verdicts.filter(
      (v) => v.status === 'unknown' && /index|HTTP|connect|fetch|timed out|cache/i.test(v.reason ?? ''),
    );
    if (verdicts.length > 0 && unreached.length === verdicts.length) {
      unreachable.push({ url: index.indexUrl, reason: unreached[0]?.reason ?? '' });
      notes.push(
        `${image.name}: the index ${hideUserinfo(index.indexUrl)} could not be read (${unreached[0]?.reason}); check the URL or pass --index-url`,
      );
    }
    image.queries.forEach((q, k) => {
      const platforms = rows[k] ?? {};
      const same = packages.find(
        (p) =>
          p.name === q.name &&
          p.source.file === q.source.file &&
          p.source.line === q.source.line &&
          sameVerdicts(p.platforms, platforms),
      );
      if (same) {
        if (!same.images.includes(image.name)) same.images.push(image.name);
        return;
      }
      const versions = [...new Set(Object.values(platforms).flatMap((v) => (v.version ? [v.version] : [])))];
      packages.push({
        name: q.name,
        version: versions.length === 1 ? versions[0] : undefined,
        requirement: q.requirement,
        source: q.source,
        images: [image.name],
        platforms,
      });
    });
  }
  // Nothing at all could be read: a report of unknowns would pass for an answer; the index is the problem.
  const asked = plans.filter((p) => p.image.targets.length > 0).length;
  const first = unreachable[0];
  if (first && unreachable.length === asked)
    throw new IndexError(
      `the package index ${hideUserinfo(first.url)} could not be reached: ${first.reason}`,
      {
        hint: `check the URL, the network and the credentials (.netrc, user:password@ in the URL), or pass --index-url (PyPI's is ${PYPI_SIMPLE}); --offline answers from the cache of an earlier run`,
      },
    );
  if (images.length === 0)
    notes.push('nothing in this folder installs Python requirements that crossdock reads');
  return {
    version: 1,
    images: images.map((i) => ({
      name: i.name,
      dockerfile: i.dockerfile,
      targets: i.targets,
      emulated: i.emulated,
      notes: i.notes,
    })),
    packages,
    notes,
  };
}
