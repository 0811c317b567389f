import { DiskRepoFs } from '../engine/repo-fs.js';
import { promises as fs } from 'node:fs';
import { dirname, relative } from 'node:path';
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { CONFIG_FILE_NAMES, emptyConfig } from '../engine/config.js';
import { parseConfig } from '../engine/config-parse.js';
import { ConfigError } from '../errors.js';
import { parseImageRef } from '../model/image-ref.js';
import { formatPlatform, parsePlatform } from '../model/platform.js';
import type { CrossdockConfig } from '../model/project.js';

/**
 * The build side of crossdock.yaml, validated for type before any work, every error at file:line:column:
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
 *   cache: { maxBytes: 5GiB, maxAgeDays: 30 }    # crossdock's compressed-layer cache
 *   secrets:                                     # RUN --mount=type=secret,id=...
 *     - { id: npm_token, env: NPM_TOKEN }
 *     - { id: pip_conf, src: ~/.config/pip/pip.conf }
 * images:
 *   reg.example:5000/team/app:                  # repository; also the verify policy (crossdock verify)
 *     context: .
 *     dockerfile: Dockerfile
 *     target: runtime
 *     buildArgs: { PYTHON_VERSION: "3.12" }
 *     platforms: [linux/amd64, linux/arm64]
 *     tags: ["{sha}"]                            # overrides build.tags
 *     nonRoot: numeric                           # verify policy keys (docs/verify.md)
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

/** A build secret: its id (what `RUN --mount=type=secret,id=…` names) and where its value comes from. */
export type SecretSpec = { id: string; origin: string } & ({ env: string } | { src: string });

export interface CacheSettings {
  /** Total size the layer cache is pruned to (oldest first). */
  maxBytes: number;
  /** Entries not used for this many days are removed. */
  maxAgeDays: number;
}

export interface BuildDefaults {
  tags: string[];
  retries: number;
  parallel: boolean;
  emulation: 'allow' | 'forbid';
  source?: string;
  labels: Record<string, string>;
  cacheRegistry?: string;
  cache: CacheSettings;
  secrets: SecretSpec[];
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

export const DEFAULT_CACHE: CacheSettings = { maxBytes: 5 * 1024 ** 3, maxAgeDays: 30 };

export const DEFAULT_BUILD: BuildDefaults = {
  tags: ['latest'],
  retries: 2,
  parallel: true,
  emulation: 'allow',
  labels: {},
  cache: DEFAULT_CACHE,
  secrets: [],
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

/** Keys of a `nodes:` entry. */
export const NODE_KEYS = ['name', 'endpoint', 'context', 'buildx', 'buildah', 'platforms', 'tls'];
/** Keys of `build:`. */
export const BUILD_KEYS = [
  'tags',
  'retries',
  'parallel',
  'emulation',
  'source',
  'labels',
  'cacheRegistry',
  'cache',
  'secrets',
];
/** Keys of an `images:` entry that describe its build; the rest are verify policy (see verify). */
export const IMAGE_BUILD_KEYS = ['context', 'dockerfile', 'target', 'buildArgs', 'tags'];
/** Keys of an `images:` entry that are its verify policy (docs/verify.md), each checked for type here. */
export const IMAGE_POLICY_KEYS = [
  'platforms',
  'nonRoot',
  'init',
  'healthcheck',
  'labels',
  'revision',
  'tagPattern',
  'maxSizeMb',
  'forbidAttestations',
  'elf',
];

export type ConfigPath = (string | number)[];

/**
 * Where each value of crossdock.yaml is: `crossdock.yaml:12:5` for a path such as ['images', 'reg/app',
 * 'maxSizeMb'] (or its key), falling back to the closest parent that exists. Without a file (values given in
 * code) every place is just the file name.
 */
export class ConfigSource {
  private constructor(
    readonly file: string,
    private readonly doc?: Document,
    private readonly lines?: LineCounter,
    private readonly text = '',
  ) {}

  static parse(file: string, text: string): ConfigSource {
    const lines = new LineCounter();
    return new ConfigSource(file, parseDocument(text, { lineCounter: lines }), lines, text);
  }

  static none(file = 'crossdock.yaml'): ConfigSource {
    return new ConfigSource(file);
  }

  private node(path: ConfigPath, key: boolean): Node | undefined {
    if (!this.doc) return undefined;
    for (let n = path.length; n > 0; n--) {
      const parent = n > 1 ? this.doc.getIn(path.slice(0, n - 1), true) : this.doc.contents;
      const last = path[n - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
        if (pair) return ((key || n < path.length ? pair.key : pair.value) ?? pair.key) as Node;
      } else if (isSeq(parent) && typeof last === 'number') {
        const item = parent.items[last];
        if (item) return item as Node;
      }
    }
    return this.doc.contents ?? undefined;
  }

  /** `file:line:column` of the value at path, or of its key with `key`. */
  at(path: ConfigPath, key = false): string {
    const node = this.node(path, key);
    if (!node?.range || !this.lines) return this.file;
    const p = this.lines.linePos(node.range[0]);
    return `${this.file}:${p.line}:${p.col}`;
  }

  /** The text a scalar was written as (`3.10`, where the parsed number is 3.1). */
  source(path: ConfigPath): string | undefined {
    const node = this.node(path, false);
    return isScalar(node) && node.range ? this.text.slice(node.range[0], node.range[1]) : undefined;
  }
}

/** `images."reg:5000/team/app".maxSizeMb`, `nodes[1].platforms[0]`, `build.retries`. */
export function dottedPath(path: ConfigPath): string {
  return path
    .map((p, i) =>
      typeof p === 'number'
        ? `[${p}]`
        : /^[A-Za-z_][\w-]*$/.test(p)
          ? `${i ? '.' : ''}${p}`
          : `${i ? '.' : ''}"${p}"`,
    )
    .join('');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and checks the build side of one crossdock.yaml; every error names file:line:column and the fix. */
class Reader {
  constructor(readonly src: ConfigSource) {}

  fail(path: ConfigPath, message: string, hint?: string, key = false): never {
    throw new ConfigError(`${this.src.at(path, key)}: ${dottedPath(path)} ${message}`, { hint });
  }

  /** A string; a number or boolean only where it was written exactly as it reads (`20`, not `3.10`). */
  string(v: unknown, path: ConfigPath, example: string): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') {
      const written = this.src.source(path);
      if (written === undefined || written === String(v)) return String(v);
      this.fail(path, `is the number ${v} as YAML reads ${written}`, `quote it: "${written}"`);
    }
    return this.fail(path, `must be a string, not ${describe(v)}`, `e.g. ${example}`);
  }

  strings(v: unknown, path: ConfigPath, example: string): string[] {
    if (!Array.isArray(v))
      this.fail(path, `must be a list of strings, not ${describe(v)}`, `e.g. ${example}`);
    return v.map((x, i) => this.string(x, [...path, i], example));
  }

  stringMap(v: unknown, path: ConfigPath, example: string): Record<string, string> {
    if (!isRecord(v)) this.fail(path, `must be a mapping, not ${describe(v)}`, `e.g. ${example}`);
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.string(x, [...path, k], example);
    return out;
  }

  boolean(v: unknown, path: ConfigPath): boolean {
    if (typeof v !== 'boolean')
      this.fail(
        path,
        `must be true or false, not ${describe(v)}`,
        `write ${path.at(-1)}: true or false, unquoted`,
      );
    return v;
  }

  keys(v: Record<string, unknown>, path: ConfigPath, known: string[]): void {
    for (const k of Object.keys(v))
      if (!known.includes(k))
        this.fail([...path, k], 'is not a known key', `known keys: ${known.join(', ')}`, true);
  }

  platforms(v: unknown, path: ConfigPath): string[] {
    return this.strings(v, path, '[linux/amd64, linux/arm64]').map((text, i) => {
      const platform = buildPlatform(text);
      if (!platform) this.fail([...path, i], `"${text}" is not a platform`, PLATFORM_HINT);
      return platform;
    });
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** A platform crossdock can build (`linux/arm64`, normalised), or undefined with a malformed text or architecture. */
export function buildPlatform(text: string): string | undefined {
  const p = parsePlatform(text);
  return p && KNOWN_ARCHITECTURES.includes(p.architecture) ? formatPlatform(p) : undefined;
}

export const PLATFORM_HINT = `use os/arch[/variant] with arch one of ${KNOWN_ARCHITECTURES.join(', ')}, e.g. linux/arm64`;

const NODE_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/i;
const NODE_NAME_HINT = 'use letters, digits, ".", "_" or "-", e.g. --node pi5=ssh://pi@10.0.0.5';

type Endpoint = Pick<NodeSpec, 'kind' | 'endpoint'> | { problem: string; hint?: string };

/** What a node endpoint text names: a Docker engine, a context, a buildx builder or buildah, or the problem. */
function endpointOf(endpoint: string): Endpoint {
  const m = /^([a-z+]+):\/\/(.*)$/.exec(endpoint);
  const scheme = m?.[1];
  const rest = m?.[2] ?? '';
  if (scheme === 'unix' || scheme === 'tcp' || scheme === 'ssh') {
    if (!rest)
      return {
        problem: `${endpoint} has no address`,
        hint: 'e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://builder@10.0.0.5',
      };
    return { kind: 'docker', endpoint };
  }
  if (scheme === 'context' || scheme === 'buildx') {
    if (!rest) return { problem: `${endpoint} names no ${scheme}`, hint: `e.g. ${scheme}://NAME` };
    return { kind: scheme, endpoint: rest };
  }
  if (scheme === 'buildah') return { kind: 'buildah', endpoint: rest || 'local' };
  return {
    problem: `"${endpoint}" is not a builder endpoint`,
    hint: 'use unix:///path.sock, tcp://host:port, ssh://user@host (Docker engines), context://NAME (a docker context), buildx://BUILDER or buildah://local',
  };
}

/** Parses a node endpoint as given to `--node name=endpoint`. */
export function parseNodeEndpoint(name: string, endpoint: string, origin: string): NodeSpec {
  if (!NODE_NAME.test(name))
    throw new ConfigError(`${origin}: node name "${name}" is not valid`, { hint: NODE_NAME_HINT });
  const e = endpointOf(endpoint);
  if ('problem' in e) throw new ConfigError(`${origin}: node "${name}": ${e.problem}`, { hint: e.hint });
  return { name, ...e, origin };
}

export function parseNodes(raw: unknown, src: ConfigSource = ConfigSource.none()): NodeSpec[] {
  const r: Reader = new Reader(src);
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw))
    r.fail(
      ['nodes'],
      `must be a list of builder nodes, not ${describe(raw)}`,
      'e.g. nodes: [{ name: pi, endpoint: "ssh://builder@10.0.0.5", platforms: [linux/arm64] }]',
    );
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const path = ['nodes', i];
    if (!isRecord(item))
      r.fail(
        path,
        `must be a mapping, not ${describe(item)}`,
        'e.g. { name: pi, endpoint: "ssh://builder@10.0.0.5" }',
      );
    r.keys(item, path, NODE_KEYS);
    if (item.name === undefined) r.fail(path, 'has no name', 'add e.g. `name: pi5`');
    const name = r.string(item.name, [...path, 'name'], 'pi5');
    if (!NODE_NAME.test(name))
      r.fail([...path, 'name'], `"${name}" is not a valid node name`, NODE_NAME_HINT);
    if (seen.has(name)) r.fail([...path, 'name'], `"${name}" is used twice`, 'give each node its own name');
    seen.add(name);
    const kinds = (['endpoint', 'context', 'buildx', 'buildah'] as const).filter(
      (k) => item[k] !== undefined,
    );
    if (kinds.length !== 1)
      r.fail(
        path,
        `(${name}) must have exactly one of endpoint, context, buildx, buildah`,
        'e.g. endpoint: "unix:///var/run/docker.sock" or context: pi5',
      );
    const kind = kinds[0]!;
    const value = r.string(
      item[kind],
      [...path, kind],
      kind === 'endpoint' ? '"ssh://builder@10.0.0.5"' : 'NAME',
    );
    const origin = `${src.file} nodes[${i}]`;
    let spec: NodeSpec = { name, kind: kind === 'endpoint' ? 'docker' : kind, endpoint: value, origin };
    if (kind === 'endpoint') {
      const e = endpointOf(value);
      if ('problem' in e) r.fail([...path, kind], `of ${name}: ${e.problem}`, e.hint);
      if (e.kind !== 'docker')
        r.fail(
          [...path, kind],
          'must be unix://, tcp:// or ssh://',
          `write \`${e.kind}: ${e.endpoint}\` instead`,
        );
      spec = { name, ...e, origin };
    }
    if (item.platforms !== undefined) spec.platforms = r.platforms(item.platforms, [...path, 'platforms']);
    if (item.tls !== undefined)
      spec.tlsCertPath = r.string(item.tls, [...path, 'tls'], 'a folder with ca.pem, cert.pem, key.pem');
    return spec;
  });
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** `5GiB`, `500MB`, `1073741824` → bytes; undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  // Trimmed first: blanks before and after an optional unit were two ways to match the same text.
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/i.exec(text.trim());
  const unit = SIZE_UNITS[(m?.[2] ?? '').toLowerCase()];
  if (!m || unit === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const SECRET_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseCache(r: Reader, v: unknown): CacheSettings {
  const path = ['build', 'cache'];
  if (!isRecord(v))
    return r.fail(
      path,
      `must be a mapping, not ${describe(v)}`,
      'e.g. cache: { maxBytes: 5GiB, maxAgeDays: 30 }',
    );
  r.keys(v, path, ['maxBytes', 'maxAgeDays']);
  const out = { ...DEFAULT_CACHE };
  if (v.maxBytes !== undefined) {
    const size =
      typeof v.maxBytes === 'number'
        ? v.maxBytes
        : typeof v.maxBytes === 'string'
          ? parseSize(v.maxBytes)
          : undefined;
    if (size === undefined || !Number.isSafeInteger(size) || size < 0)
      r.fail(
        [...path, 'maxBytes'],
        `must be a size in bytes, not ${describe(v.maxBytes)}`,
        'e.g. maxBytes: 5GiB (or 500MB, or a number of bytes)',
      );
    out.maxBytes = size;
  }
  if (v.maxAgeDays !== undefined) {
    if (typeof v.maxAgeDays !== 'number' || !Number.isInteger(v.maxAgeDays) || v.maxAgeDays < 0)
      r.fail(
        [...path, 'maxAgeDays'],
        `must be a whole number of days, not ${describe(v.maxAgeDays)}`,
        'e.g. maxAgeDays: 30',
      );
    out.maxAgeDays = v.maxAgeDays;
  }
  return out;
}

/** One secret: `{ id, env }` or `{ id, src }` (config) or `id=ID,env=VAR` / `id=ID,src=PATH` (--secret). */
export function secretFromFields(fields: Record<string, string>, origin: string): SecretSpec | string {
  const unknown = Object.keys(fields).filter((k) => !['id', 'env', 'src', 'source', 'type'].includes(k));
  if (unknown.length)
    return `unknown field ${unknown.map((k) => `"${k}"`).join(', ')}: use id= with env= or src=`;
  const id = fields.id;
  if (!id || !SECRET_ID.test(id))
    return 'needs an id of letters, digits, ".", "_" or "-" (what RUN --mount=type=secret,id=ID names)';
  const src = fields.src ?? fields.source;
  if (fields.type !== undefined && fields.type !== (src !== undefined ? 'file' : 'env'))
    return `type=${fields.type} does not match ${src !== undefined ? 'src=' : 'env='} (type=file with src=, type=env with env=)`;
  if ((fields.env === undefined) === (src === undefined))
    return 'needs exactly one of env=VARIABLE or src=FILE';
  if (fields.env !== undefined) {
    if (!ENV_NAME.test(fields.env)) return `env=${fields.env} is not an environment variable name`;
    return { id, env: fields.env, origin };
  }
  if (!src) return 'src= names no file';
  return { id, src: src as string, origin };
}

function parseSecrets(r: Reader, v: unknown): SecretSpec[] {
  const path = ['build', 'secrets'];
  const example = 'secrets: [{ id: npm_token, env: NPM_TOKEN }, { id: pip_conf, src: ./pip.conf }]';
  if (!Array.isArray(v))
    return r.fail(path, `must be a list of secrets, not ${describe(v)}`, `e.g. ${example}`);
  const seen = new Set<string>();
  return v.map((item, i) => {
    if (!isRecord(item))
      return r.fail([...path, i], `must be a mapping, not ${describe(item)}`, `e.g. ${example}`);
    r.keys(item, [...path, i], ['id', 'env', 'src']);
    const fields: Record<string, string> = {};
    for (const [k, x] of Object.entries(item)) fields[k] = r.string(x, [...path, i, k], example);
    const s = secretFromFields(fields, r.src.at([...path, i]));
    if (typeof s === 'string') return r.fail([...path, i], s, `e.g. ${example}`);
    if (seen.has(s.id)) r.fail([...path, i, 'id'], `"${s.id}" is used twice`, 'give each secret its own id');
    seen.add(s.id);
    return s;
  });
}

export function parseBuildDefaults(raw: unknown, src: ConfigSource = ConfigSource.none()): BuildDefaults {
  const r: Reader = new Reader(src);
  const out: BuildDefaults = { ...DEFAULT_BUILD, labels: {}, secrets: [] };
  if (raw === undefined || raw === null) return out;
  if (!isRecord(raw))
    return r.fail(
      ['build'],
      `must be a mapping, not ${describe(raw)}`,
      'e.g. build: { tags: ["{sha}", latest] }',
    );
  r.keys(raw, ['build'], BUILD_KEYS);
  if (raw.tags !== undefined)
    out.tags = r.strings(raw.tags, ['build', 'tags'], '["{date}-{sha}", "{branch}", latest]');
  if (raw.retries !== undefined) {
    if (
      typeof raw.retries !== 'number' ||
      !Number.isInteger(raw.retries) ||
      raw.retries < 0 ||
      raw.retries > 10
    )
      r.fail(
        ['build', 'retries'],
        `must be a whole number from 0 to 10, not ${describe(raw.retries)}`,
        'e.g. retries: 2',
      );
    out.retries = raw.retries;
  }
  if (raw.parallel !== undefined) out.parallel = r.boolean(raw.parallel, ['build', 'parallel']);
  if (raw.emulation !== undefined) {
    if (raw.emulation !== 'allow' && raw.emulation !== 'forbid')
      r.fail(
        ['build', 'emulation'],
        `must be allow or forbid, not ${describe(raw.emulation)}`,
        'emulation: forbid fails a build that would run under QEMU',
      );
    out.emulation = raw.emulation;
  }
  if (raw.source !== undefined) {
    out.source = r.string(raw.source, ['build', 'source'], 'https://github.com/team/app');
    if (!/^https?:\/\/\S+$/.test(out.source))
      r.fail(
        ['build', 'source'],
        `"${out.source}" is not an http(s) URL`,
        'e.g. source: https://github.com/team/app',
      );
  }
  if (raw.labels !== undefined)
    out.labels = r.stringMap(raw.labels, ['build', 'labels'], '{ org.opencontainers.image.vendor: Team }');
  if (raw.cacheRegistry !== undefined) {
    const ref = r.string(raw.cacheRegistry, ['build', 'cacheRegistry'], 'reg.example:5000/team/cache');
    const parsed = parseImageRef(ref);
    if (!parsed.ok || /[,=\s]/.test(ref) || parsed.ref.tag || parsed.ref.digest)
      r.fail(
        ['build', 'cacheRegistry'],
        `"${ref}" is not a repository`,
        'e.g. cacheRegistry: reg.example:5000/team/cache (no tag: one tag per platform is added)',
      );
    out.cacheRegistry = ref;
  }
  if (raw.cache !== undefined) out.cache = parseCache(r, raw.cache);
  if (raw.secrets !== undefined) out.secrets = parseSecrets(r, raw.secrets);
  return out;
}

/** Checks one `images:` entry: its build keys and its verify policy keys, each for type. */
function checkImageEntry(r: Reader, repository: string, v: unknown): void {
  const path = ['images', repository];
  const example = 'images: { "reg/app": { context: ., platforms: [linux/amd64, linux/arm64] } }';
  if (!isRecord(v)) r.fail(path, `must be a mapping, not ${describe(v)}`, `e.g. ${example}`);
  r.keys(v, path, [...IMAGE_BUILD_KEYS, ...IMAGE_POLICY_KEYS]);
  const at = (k: string) => [...path, k];
  for (const k of ['context', 'dockerfile', 'target'] as const)
    if (v[k] !== undefined)
      r.string(v[k], at(k), k === 'target' ? 'runtime' : k === 'context' ? '.' : 'Dockerfile');
  if (v.buildArgs !== undefined) r.stringMap(v.buildArgs, at('buildArgs'), '{ PYTHON_VERSION: "3.12" }');
  if (v.tags !== undefined) r.strings(v.tags, at('tags'), '["{sha}", latest]');
  if (v.platforms !== undefined) r.platforms(v.platforms, at('platforms'));
  if (v.nonRoot !== undefined && typeof v.nonRoot !== 'boolean' && v.nonRoot !== 'numeric')
    r.fail(
      at('nonRoot'),
      `must be true, false or numeric, not ${describe(v.nonRoot)}`,
      'e.g. nonRoot: numeric',
    );
  for (const k of ['init', 'healthcheck', 'forbidAttestations', 'elf'] as const)
    if (v[k] !== undefined) r.boolean(v[k], at(k));
  if (v.labels !== undefined) r.strings(v.labels, at('labels'), '[org.opencontainers.image.source]');
  if (v.revision !== undefined) {
    if (typeof v.revision !== 'string')
      r.fail(
        at('revision'),
        `must be a git commit as a string, not ${describe(v.revision)}`,
        `quote it: revision: "${r.src.source(at('revision')) ?? String(v.revision)}"`,
      );
    if (!/^[0-9a-f]{7,64}$/i.test(v.revision))
      r.fail(
        at('revision'),
        `"${v.revision}" is not a git commit`,
        'give 7 to 40 hex digits of the commit, e.g. revision: "3f2a9c1"',
      );
  }
  if (v.tagPattern !== undefined) {
    const pattern = r.string(v.tagPattern, at('tagPattern'), '"^v\\\\d+\\\\.\\\\d+\\\\.\\\\d+$"');
    try {
      new RegExp(pattern);
    } catch (e) {
      r.fail(at('tagPattern'), `is not a regular expression: ${(e as Error).message}`);
    }
  }
  if (v.maxSizeMb !== undefined && (typeof v.maxSizeMb !== 'number' || !(v.maxSizeMb > 0)))
    r.fail(
      at('maxSizeMb'),
      `must be a positive number of MB, not ${describe(v.maxSizeMb)}`,
      'e.g. maxSizeMb: 250',
    );
}

/** Every `images:` entry checked; the ones that describe a build (a context or a Dockerfile) returned. */
export function parseImageBuilds(raw: unknown, src: ConfigSource = ConfigSource.none()): ImageBuildSpec[] {
  const r: Reader = new Reader(src);
  if (raw === undefined || raw === null) return [];
  if (!isRecord(raw))
    r.fail(
      ['images'],
      `must map repositories to settings, not ${describe(raw)}`,
      'e.g. images: { "reg:5000/team/app": { context: ., platforms: [linux/amd64, linux/arm64] } }',
    );
  const out: ImageBuildSpec[] = [];
  for (const [repository, v] of Object.entries(raw)) {
    checkImageEntry(r, repository, v);
    if (!isRecord(v) || (v.context === undefined && v.dockerfile === undefined)) continue;
    const path = ['images', repository];
    const spec: ImageBuildSpec = { repository, buildArgs: {} };
    if (v.context !== undefined) spec.context = r.string(v.context, [...path, 'context'], '.');
    if (v.dockerfile !== undefined)
      spec.dockerfile = r.string(v.dockerfile, [...path, 'dockerfile'], 'Dockerfile');
    if (v.target !== undefined) spec.target = r.string(v.target, [...path, 'target'], 'runtime');
    if (v.buildArgs !== undefined)
      spec.buildArgs = r.stringMap(v.buildArgs, [...path, 'buildArgs'], '{ PYTHON_VERSION: "3.12" }');
    if (v.platforms !== undefined) spec.platforms = r.platforms(v.platforms, [...path, 'platforms']);
    if (v.tags !== undefined) spec.tags = r.strings(v.tags, [...path, 'tags'], '["{sha}", latest]');
    out.push(spec);
  }
  return out;
}

/** crossdock.yaml with its build side read and checked. */
export interface BuildConfig {
  config: CrossdockConfig;
  source: ConfigSource;
  /** The folder holding crossdock.yaml (root when there is none): secrets' src paths are relative to it. */
  dir: string;
  defaults: BuildDefaults;
  nodes: NodeSpec[];
  images: ImageBuildSpec[];
}

/**
 * Finds and reads crossdock.yaml once (the explicit path, or the first of CONFIG_FILE_NAMES in root), checks the
 * whole of it (the engine's keys, then build:, nodes: and images:, verify policies included) and returns it.
 */
export async function loadBuildConfig(root: string, explicit?: string): Promise<BuildConfig> {
  // The repository's own crossdock.yaml is untrusted content: read through the contained reader (a symlink out of
  // the repository is not followed). An explicit --config is the user's file.
  if (!explicit) {
    const repo = new DiskRepoFs(root);
    for (const name of CONFIG_FILE_NAMES) {
      const r = await repo.read(name);
      if (r.ok) return readBuildConfig(parseConfig(name, r.text), ConfigSource.parse(name, r.text), root);
      if (/outside the repository|not a regular file|limit/.test(r.note))
        throw new ConfigError(r.note, { hint: `make ${name} a regular file inside the repository` });
    }
    return readBuildConfig(emptyConfig(), ConfigSource.none(), root);
  }
  const candidates = [explicit];
  for (const file of candidates) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if (explicit)
        throw new ConfigError(
          `cannot read config file ${explicit}: ${(e as NodeJS.ErrnoException).code ?? e}`,
          {
            hint: 'check the path given to --config',
          },
        );
      continue;
    }
    const rel = relative(root, file) || file;
    const name = rel.startsWith('..') ? file : rel;
    return readBuildConfig(parseConfig(name, text), ConfigSource.parse(name, text), dirname(file));
  }
  return readBuildConfig(emptyConfig(), ConfigSource.none(), root);
}

export function readBuildConfig(config: CrossdockConfig, source: ConfigSource, dir: string): BuildConfig {
  return {
    config,
    source,
    dir,
    defaults: parseBuildDefaults(config.raw.build, source),
    nodes: parseNodes(config.raw.nodes, source),
    images: parseImageBuilds(config.raw.images, source),
  };
}
