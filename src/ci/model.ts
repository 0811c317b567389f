import type { BuildDefaults } from '../build/config.js';
import { ConfigError, UsageError } from '../errors.js';
import { runnerArchitecture } from '../knowledge/runners.js';
import type { CiImage } from './images.js';

/**
 * A CI pipeline, independent of the CI system: stages of jobs with their needs, runners, conditions, permissions,
 * timeouts and steps, each step saying what it does (check out, log in, build one platform by digest, hand the
 * digest on, merge the digests into an index, verify it). A renderer (github.ts) writes it in one system's syntax.
 *
 * The shape is the one that keeps a multi-platform image whole: the checks first; one job per image × platform on
 * a runner of that architecture, pushing by digest only (no tag, so no leg can overwrite another's); then one
 * job per image that waits for all of its legs and writes the index under the tags, then verifies it.
 */

export type Policy = 'native' | 'amd64-first';

/** When a job runs: on every push (and manual/scheduled run), or only on release events (tags, schedule, manual). */
export type When = 'push' | 'release';

export type Permission = 'read' | 'write';

/** Token scopes a job needs, by the CI system's neutral names (renderers map them). */
export interface Permissions {
  contents?: Permission;
  packages?: Permission;
  securityEvents?: Permission;
  actions?: Permission;
}

/** An image label's value: literal text, or a value the CI system knows when the job runs. */
export type LabelValue = string | { ci: 'commit' | 'repository-url' };

/** How a job logs in to a registry. */
export type Login =
  | { registry: string; kind: 'ci-token' }
  | { registry: string; kind: 'secrets'; username: string; password: string };

export type Step =
  | { kind: 'checkout'; submodules: boolean; only?: string[] }
  | { kind: 'setup-node'; version: string }
  | { kind: 'check'; sarif: string }
  | { kind: 'upload-sarif'; sarif: string }
  | { kind: 'setup-qemu'; platforms: string[] }
  | { kind: 'setup-buildx' }
  | { kind: 'login'; login: Login }
  | {
      kind: 'build';
      image: CiImage;
      platform: string;
      cacheScope: string;
      labels: Record<string, LabelValue>;
      secrets: { id: string; env: string }[];
    }
  | { kind: 'upload-digest'; artifact: string }
  | { kind: 'check-legs'; legs: { job: string; platform: string; when: When }[] }
  | { kind: 'download-digest'; artifact: string; job: string }
  | { kind: 'tags'; image: CiImage }
  | { kind: 'create-index'; image: CiImage; digests: number }
  | { kind: 'verify'; image: CiImage };

export interface Job {
  id: string;
  /** Shown in the CI system's UI. */
  name: string;
  role: 'check' | 'build' | 'merge';
  /** Runner labels (one label, or a self-hosted label set). */
  runner: string[];
  needs: string[];
  when: When;
  /** Merge jobs under amd64-first: run whatever the legs' results, and decide from them. */
  afterSkippedNeeds: boolean;
  timeoutMinutes: number;
  permissions: Permissions;
  /** Build jobs: the image and platform; the platform runs under QEMU on this runner. */
  image?: string;
  platform?: string;
  emulated?: boolean;
  steps: Step[];
}

export interface Pipeline {
  version: 1;
  name: string;
  policy: Policy;
  /** The branch whose pushes publish. */
  branch: string;
  /** Release tags pushed (`v*`). */
  tagPattern: string;
  /** The command that writes this pipeline, as run from the repository root. */
  command: string;
  /** What the images were read from (`crossdock.yaml images:`, `the build graph`). */
  source: string;
  /** The crossdock version the jobs run (`npx crossdock@<version>`). */
  crossdockVersion: string;
  images: CiImage[];
  logins: Login[];
  jobs: Job[];
}

export interface PipelineOptions {
  policy: Policy;
  branch: string;
  /** `--runner platform=labels` overrides. */
  runners: Map<string, string[]>;
  command: string;
  source: string;
  crossdockVersion: string;
  defaults: BuildDefaults;
}

/** GitHub-hosted runners of each architecture (the defaults; `--runner` replaces them). */
export const DEFAULT_RUNNERS: Record<string, string[]> = {
  'linux/amd64': ['ubuntu-24.04'],
  'linux/arm64': ['ubuntu-24.04-arm'],
};

export const TIMEOUTS = { check: 15, native: 60, emulated: 180, merge: 20 };

/** `linux/arm/v7` → `arm-v7`: the platform's part of job ids, cache scopes and artifact names. */
export function platformSlug(platform: string): string {
  return platform.split('/').slice(1).join('-');
}

/** `registry.example.com:5000` → `REGISTRY_EXAMPLE_COM_5000`: the prefix of its secrets' names. */
export function secretPrefix(registry: string): string {
  const s = registry.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return /^[0-9]/.test(s) ? `REGISTRY_${s}` : s;
}

export function loginFor(registry: string): Login {
  if (registry === 'ghcr.io') return { registry, kind: 'ci-token' };
  const prefix = registry === 'docker.io' ? 'DOCKERHUB' : secretPrefix(registry);
  return {
    registry,
    kind: 'secrets',
    username: `${prefix}_USERNAME`,
    password: registry === 'docker.io' ? `${prefix}_TOKEN` : `${prefix}_PASSWORD`,
  };
}

/** Parses `--runner linux/arm64=LABEL[,LABEL…]`. */
export function parseRunner(text: string): [string, string[]] {
  const i = text.indexOf('=');
  const platform = i > 0 ? text.slice(0, i).trim() : '';
  const labels = (i > 0 ? text.slice(i + 1) : '')
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platform) || labels.length === 0)
    throw new UsageError(`--runner ${text}: expected PLATFORM=LABEL[,LABEL…]`, {
      hint: 'e.g. --runner linux/arm64=ubuntu-24.04-arm or --runner linux/arm64=self-hosted,linux,arm64',
    });
  if (labels.some((l) => !/^[A-Za-z0-9_.-]+$/.test(l)))
    throw new UsageError(`--runner ${text}: a label is letters, digits, "_", "." or "-"`);
  return [platform, labels];
}

/** The architecture a runner label set runs, as crossdock knows it; `--runner` labels it cannot read are native. */
function runnerFor(
  platform: string,
  overrides: Map<string, string[]>,
): { labels: string[]; emulated: boolean } {
  const given = overrides.get(platform);
  const arch = platform.split('/')[1] ?? '';
  if (given) {
    const known = runnerArchitecture(given);
    // A label set crossdock cannot read (a self-hosted `gpu-box`) is taken as the user says: native for this platform.
    return { labels: given, emulated: known !== undefined && known !== arch };
  }
  const native = DEFAULT_RUNNERS[platform];
  if (native) return { labels: native, emulated: false };
  // No hosted runner of this architecture: the amd64 runner builds it under QEMU.
  return { labels: DEFAULT_RUNNERS['linux/amd64'] ?? ['ubuntu-24.04'], emulated: true };
}

/** Which legs are held back to release events by the policy. */
function legWhen(platform: string, policy: Policy): When {
  return policy === 'amd64-first' && platform !== 'linux/amd64' ? 'release' : 'push';
}

export function makePipeline(images: CiImage[], options: PipelineOptions): Pipeline {
  for (const [platform] of options.runners)
    if (!images.some((i) => i.platforms.includes(platform)))
      throw new UsageError(`--runner ${platform}=…: no image is built for ${platform}`, {
        hint: `platforms built: ${[...new Set(images.flatMap((i) => i.platforms))].join(', ')}`,
      });
  const secrets = options.defaults.secrets.map((s) => {
    if ('src' in s)
      throw new ConfigError(
        `${s.origin}: build secret "${s.id}" is read from a file (src:), which a CI runner does not have`,
        {
          hint: `give it as env: (e.g. { id: ${s.id}, env: ${s.id.toUpperCase()} }) and store that as a CI secret`,
        },
      );
    return { id: s.id, env: s.env };
  });
  const logins = [...new Set(images.map((i) => i.registry))].sort().map(loginFor);
  const loginOf = (registry: string): Login =>
    logins.find((l) => l.registry === registry) ?? loginFor(registry);
  const packages = (registry: string): Permissions => (registry === 'ghcr.io' ? { packages: 'write' } : {});
  // The labels crossdock build sets: build.labels, the commit, the source repository.
  const labels: Record<string, LabelValue> = {
    ...options.defaults.labels,
    'org.opencontainers.image.revision': { ci: 'commit' },
    'org.opencontainers.image.source': options.defaults.source ?? { ci: 'repository-url' },
  };
  const jobs: Job[] = [
    {
      id: 'check',
      name: 'crossdock check',
      role: 'check',
      runner: DEFAULT_RUNNERS['linux/amd64'] ?? ['ubuntu-24.04'],
      needs: [],
      when: 'push',
      afterSkippedNeeds: false,
      timeoutMinutes: TIMEOUTS.check,
      permissions: { contents: 'read', securityEvents: 'write', actions: 'read' },
      steps: [
        { kind: 'checkout', submodules: images.some((i) => i.submodules) },
        { kind: 'setup-node', version: '20' },
        { kind: 'check', sarif: 'crossdock.sarif' },
        { kind: 'upload-sarif', sarif: 'crossdock.sarif' },
      ],
    },
  ];
  for (const image of images) {
    const legs: Job[] = [];
    for (const platform of image.platforms) {
      const runner = runnerFor(platform, options.runners);
      const slug = platformSlug(platform);
      const id = `build-${image.name}-${slug}`;
      legs.push({
        id,
        name: `${image.name} ${platform}`,
        role: 'build',
        runner: runner.labels,
        needs: ['check'],
        when: legWhen(platform, options.policy),
        afterSkippedNeeds: false,
        timeoutMinutes: runner.emulated ? TIMEOUTS.emulated : TIMEOUTS.native,
        permissions: { contents: 'read', ...packages(image.registry) },
        image: image.name,
        platform,
        emulated: runner.emulated,
        steps: [
          { kind: 'checkout', submodules: image.submodules },
          ...(runner.emulated ? [{ kind: 'setup-qemu' as const, platforms: [platform] }] : []),
          { kind: 'setup-buildx' },
          { kind: 'login', login: loginOf(image.registry) },
          {
            kind: 'build',
            image,
            platform,
            cacheScope: `${image.name}-${slug}`,
            labels,
            secrets,
          },
          { kind: 'upload-digest', artifact: `digest-${image.name}-${slug}` },
        ],
      });
    }
    const partial = legs.some((l) => l.when === 'release');
    jobs.push(...legs, {
      id: `merge-${image.name}`,
      name: `${image.name} index`,
      role: 'merge',
      runner: DEFAULT_RUNNERS['linux/amd64'] ?? ['ubuntu-24.04'],
      needs: legs.map((l) => l.id),
      when: 'push',
      afterSkippedNeeds: partial,
      timeoutMinutes: TIMEOUTS.merge,
      permissions: { ...(image.policy ? { contents: 'read' } : {}), ...packages(image.registry) },
      image: image.name,
      steps: [
        ...(partial
          ? [
              {
                kind: 'check-legs' as const,
                legs: legs.map((l) => ({ job: l.id, platform: l.platform ?? '', when: l.when })),
              },
            ]
          : []),
        ...legs.map((l) => ({
          kind: 'download-digest' as const,
          artifact: `digest-${image.name}-${platformSlug(l.platform ?? '')}`,
          job: l.id,
        })),
        ...(image.policy ? [{ kind: 'checkout' as const, submodules: false, only: [image.policy] }] : []),
        { kind: 'setup-buildx' },
        { kind: 'login', login: loginOf(image.registry) },
        { kind: 'tags', image },
        { kind: 'create-index', image, digests: legs.length },
        { kind: 'setup-node', version: '20' },
        { kind: 'verify', image },
      ],
    });
  }
  return {
    version: 1,
    name: 'images',
    policy: options.policy,
    branch: options.branch,
    tagPattern: 'v*',
    command: options.command,
    source: options.source,
    crossdockVersion: options.crossdockVersion,
    images,
    logins,
    jobs,
  };
}
