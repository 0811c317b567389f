import { ConfigError } from '../errors.js';
import { parseImageRef } from '../model/image-ref.js';
import { formatPlatform, parsePlatform } from '../model/platform.js';

/**
 * The build side of crossdock.yaml:
 *
 * ```yaml
 * nodes:                       # builder nodes; without any, the local Docker engine is the only node
 *   - name: x86
 *     endpoint: unix:///var/run/docker.sock    # or tcp://host:2376 (tls: folder with ca.pem, cert.pem, key.pem), ssh://
 *   - name: pi
 *     context: pi5                              # a docker context
 *     platforms: [linux/arm64]                  # native platforms; detected from the engine when not given
 *   - name: cloud
 *     buildx: remote-builder                    # a buildx builder
 *   - name: podman-box
 *     buildah: local                            # buildah on this machine
 * build:
 *   tags: ["{date}-{sha}", "{branch}", latest]  # tag templates
 *   retries: 2                                   # extra attempts for transient failures, per platform
 *   parallel: true                               # build the platforms of an image at the same time
 *   emulation: allow                             # allow | forbid (fail instead of building under QEMU)
 *   source: https://github.com/team/app          # org.opencontainers.image.source (default: git remote)
 *   labels: { org.opencontainers.image.vendor: Team }
 *   cacheRegistry: reg.example:5000/team/cache   # buildx only: registry cache
 * images:
 *   reg.example:5000/team/app:                  # repository; also the verify policy (crossdock verify)
 *     context: .
 *     dockerfile: Dockerfile
 *     target: runtime
 *     buildArgs: { PYTHON_VERSION: "3.12" }
 *     platforms: [linux/amd64, linux/arm64]
 *     tags: ["{sha}"]                            # overrides build.tags
 * ```
 */

export type NodeKind = 'docker' | 'context' | 'buildx' | 'buildah';

export interface NodeSpec {
  name: string;
  kind: NodeKind;
  /** docker: the DOCKER_HOST (unix://, tcp://, ssh://); context/buildx: the name; buildah: `local`. */
  endpoint: string;
  /** Declared native platforms (os/arch[/variant]); detected when undefined. */
  platforms?: string[];
  /** tcp:// with TLS: the folder holding ca.pem, cert.pem, key.pem (DOCKER_CERT_PATH). */
  tlsCertPath?: string;
  /** Where the node was defined (`crossdock.yaml nodes[1]`, `--node`, `default`). */
  origin: string;
}

export interface BuildDefaults {
  tags: string[];
  retries: number;
  parallel: boolean;
  emulation: 'allow' | 'forbid';
  source?: string;
  labels: Record<string, string>;
  cacheRegistry?: string;
}

export interface ImageBuildSpec {
  repository: string;
  context?: string;
  dockerfile?: string;
  target?: string;
  buildArgs: Record<string, string>;
  platforms?: string[];
  tags?: string[];
}

export const DEFAULT_BUILD: BuildDefaults = {
  tags: ['latest'],
  retries: 2,
  parallel: true,
  emulation: 'allow',
  labels: {},
};

/** Architectures of the OCI image index spec that Linux images are built for. */
export const KNOWN_ARCHITECTURES = [
  'amd64',
  'arm64',
  'arm',
  '386',
  'ppc64le',
  's390x',
  'riscv64',
  'mips64le',
  'mips64',
  'loong64',
];

const NODE_KEYS = ['name', 'endpoint', 'context', 'buildx', 'buildah', 'platforms', 'tls'];
const BUILD_KEYS = ['tags', 'retries', 'parallel', 'emulation', 'source', 'labels', 'cacheRegistry'];
/** Keys of an `images:` entry that describe its build; the rest are verify policy (see verify). */
export const IMAGE_BUILD_KEYS = ['context', 'dockerfile', 'target', 'buildArgs', 'tags'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown, where: string, example: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' || typeof x === 'number'))
    throw new ConfigError(`crossdock.yaml ${where} must be a list of strings`, { hint: `e.g. ${example}` });
  return v.map(String);
}

function stringMap(v: unknown, where: string, example: string): Record<string, string> {
  if (!isRecord(v))
    throw new ConfigError(`crossdock.yaml ${where} must be a mapping`, { hint: `e.g. ${example}` });
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean')
      throw new ConfigError(`crossdock.yaml ${where}.${k} must be a string`, { hint: `e.g. ${example}` });
    out[k] = String(x);
  }
  return out;
}

/** A platform crossdock can build (`linux/arm64`, normalised), or undefined with a malformed text or architecture. */
export function buildPlatform(text: string): string | undefined {
  const p = parsePlatform(text);
  return p && KNOWN_ARCHITECTURES.includes(p.architecture) ? formatPlatform(p) : undefined;
}

export const PLATFORM_HINT = `use os/arch[/variant] with arch one of ${KNOWN_ARCHITECTURES.join(', ')}, e.g. linux/arm64`;

function platformList(v: unknown, where: string): string[] {
  return strings(v, where, '[linux/amd64, linux/arm64]').map((text) => {
    const platform = buildPlatform(text);
    if (!platform)
      throw new ConfigError(`crossdock.yaml ${where}: "${text}" is not a platform`, { hint: PLATFORM_HINT });
    return platform;
  });
}

const NODE_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/i;

/** Parses a node endpoint as given to `--node name=endpoint`. */
export function parseNodeEndpoint(name: string, endpoint: string, origin: string): NodeSpec {
  if (!NODE_NAME.test(name))
    throw new ConfigError(`${origin}: node name "${name}" is not valid`, {
      hint: 'use letters, digits, ".", "_" or "-", e.g. --node pi5=ssh://pi@10.0.0.5',
    });
  const m = /^([a-z+]+):\/\/(.*)$/.exec(endpoint);
  const scheme = m?.[1];
  const rest = m?.[2] ?? '';
  if (scheme === 'unix' || scheme === 'tcp' || scheme === 'ssh') {
    if (!rest)
      throw new ConfigError(`${origin}: node "${name}": ${endpoint} has no address`, {
        hint: 'e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://builder@10.0.0.5',
      });
    return { name, kind: 'docker', endpoint, origin };
  }
  if (scheme === 'context' || scheme === 'buildx') {
    if (!rest) throw new ConfigError(`${origin}: node "${name}": ${endpoint} names no ${scheme}`);
    return { name, kind: scheme, endpoint: rest, origin };
  }
  if (scheme === 'buildah') return { name, kind: 'buildah', endpoint: rest || 'local', origin };
  throw new ConfigError(`${origin}: node "${name}": "${endpoint}" is not a builder endpoint`, {
    hint: 'use unix:///path.sock, tcp://host:port, ssh://user@host (Docker engines), context://NAME (a docker context), buildx://BUILDER or buildah://local',
  });
}

export function parseNodes(raw: unknown): NodeSpec[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw))
    throw new ConfigError('crossdock.yaml nodes must be a list of builder nodes', {
      hint: 'e.g. nodes: [{ name: pi, endpoint: "ssh://builder@10.0.0.5", platforms: [linux/arm64] }]',
    });
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const where = `nodes[${i}]`;
    if (!isRecord(item))
      throw new ConfigError(`crossdock.yaml ${where} must be a mapping`, {
        hint: 'e.g. { name: pi, endpoint: "ssh://builder@10.0.0.5" }',
      });
    for (const k of Object.keys(item))
      if (!NODE_KEYS.includes(k))
        throw new ConfigError(`crossdock.yaml ${where}: unknown key "${k}"`, {
          hint: `known keys: ${NODE_KEYS.join(', ')}`,
        });
    const name = typeof item.name === 'string' ? item.name : '';
    if (!name) throw new ConfigError(`crossdock.yaml ${where} has no name`, { hint: 'add e.g. `name: pi5`' });
    if (seen.has(name))
      throw new ConfigError(`crossdock.yaml ${where}: node name "${name}" is used twice`, {
        hint: 'give each node its own name',
      });
    seen.add(name);
    const kinds = (['endpoint', 'context', 'buildx', 'buildah'] as const).filter(
      (k) => item[k] !== undefined,
    );
    if (kinds.length !== 1)
      throw new ConfigError(
        `crossdock.yaml ${where} (${name}) must have exactly one of endpoint, context, buildx, buildah`,
        { hint: 'e.g. endpoint: "unix:///var/run/docker.sock" or context: pi5' },
      );
    const kind = kinds[0]!;
    const value = String(item[kind]);
    const origin = `crossdock.yaml ${where}`;
    const spec =
      kind === 'endpoint'
        ? parseNodeEndpoint(name, value, origin)
        : { name, kind: kind === 'context' ? ('context' as const) : kind, endpoint: value, origin };
    if (kind === 'endpoint' && spec.kind !== 'docker')
      throw new ConfigError(`crossdock.yaml ${where}: endpoint must be unix://, tcp:// or ssh://`, {
        hint: `write \`${spec.kind}: ${spec.endpoint}\` instead`,
      });
    if (item.platforms !== undefined) spec.platforms = platformList(item.platforms, `${where}.platforms`);
    if (item.tls !== undefined) {
      if (typeof item.tls !== 'string')
        throw new ConfigError(`crossdock.yaml ${where}.tls must be a folder with ca.pem, cert.pem, key.pem`);
      spec.tlsCertPath = item.tls;
    }
    return spec;
  });
}

export function parseBuildDefaults(raw: unknown): BuildDefaults {
  const out: BuildDefaults = { ...DEFAULT_BUILD, labels: {} };
  if (raw === undefined || raw === null) return out;
  if (!isRecord(raw))
    throw new ConfigError('crossdock.yaml build must be a mapping', {
      hint: 'e.g. build: { tags: ["{sha}", latest] }',
    });
  for (const k of Object.keys(raw))
    if (!BUILD_KEYS.includes(k))
      throw new ConfigError(`crossdock.yaml build: unknown key "${k}"`, {
        hint: `known keys: ${BUILD_KEYS.join(', ')}`,
      });
  if (raw.tags !== undefined)
    out.tags = strings(raw.tags, 'build.tags', '["{date}-{sha}", "{branch}", latest]');
  if (raw.retries !== undefined) {
    if (
      typeof raw.retries !== 'number' ||
      !Number.isInteger(raw.retries) ||
      raw.retries < 0 ||
      raw.retries > 10
    )
      throw new ConfigError('crossdock.yaml build.retries must be a whole number from 0 to 10', {
        hint: 'e.g. retries: 2',
      });
    out.retries = raw.retries;
  }
  if (raw.parallel !== undefined) {
    if (typeof raw.parallel !== 'boolean')
      throw new ConfigError('crossdock.yaml build.parallel must be true or false');
    out.parallel = raw.parallel;
  }
  if (raw.emulation !== undefined) {
    if (raw.emulation !== 'allow' && raw.emulation !== 'forbid')
      throw new ConfigError('crossdock.yaml build.emulation must be allow or forbid');
    out.emulation = raw.emulation;
  }
  if (raw.source !== undefined) out.source = String(raw.source);
  if (raw.labels !== undefined)
    out.labels = stringMap(raw.labels, 'build.labels', '{ org.opencontainers.image.vendor: Team }');
  if (raw.cacheRegistry !== undefined) {
    const ref = String(raw.cacheRegistry);
    const parsed = parseImageRef(ref);
    if (!parsed.ok || /[,=\s]/.test(ref) || parsed.ref.tag || parsed.ref.digest)
      throw new ConfigError(`crossdock.yaml build.cacheRegistry "${ref}" is not a repository`, {
        hint: 'e.g. cacheRegistry: reg.example:5000/team/cache (no tag: one tag per platform is added)',
      });
    out.cacheRegistry = ref;
  }
  return out;
}

/** Image entries of `images:` that describe a build (have a context or a Dockerfile). */
export function parseImageBuilds(raw: unknown): ImageBuildSpec[] {
  if (raw === undefined || raw === null) return [];
  if (!isRecord(raw))
    throw new ConfigError('crossdock.yaml images must map repositories to settings', {
      hint: 'e.g. images: { "reg:5000/team/app": { context: ., platforms: [linux/amd64, linux/arm64] } }',
    });
  const out: ImageBuildSpec[] = [];
  for (const [repository, v] of Object.entries(raw)) {
    if (!isRecord(v)) continue; // verify reports a malformed entry
    if (v.context === undefined && v.dockerfile === undefined) continue;
    const where = `images."${repository}"`;
    const spec: ImageBuildSpec = { repository, buildArgs: {} };
    if (v.context !== undefined) spec.context = String(v.context);
    if (v.dockerfile !== undefined) spec.dockerfile = String(v.dockerfile);
    if (v.target !== undefined) spec.target = String(v.target);
    if (v.buildArgs !== undefined)
      spec.buildArgs = stringMap(v.buildArgs, `${where}.buildArgs`, '{ PYTHON_VERSION: "3.12" }');
    if (v.platforms !== undefined) spec.platforms = platformList(v.platforms, `${where}.platforms`);
    if (v.tags !== undefined) spec.tags = strings(v.tags, `${where}.tags`, '["{sha}", latest]');
    out.push(spec);
  }
  return out;
}
