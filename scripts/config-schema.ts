/**
 * Writes docs/schemas/crossdock-config-v1.json, the JSON Schema of crossdock.yaml, from the same constants the
 * runtime validators use (src/engine/config.ts, src/build/config.ts, the rule registry, the platform parser).
 * test/engine/config-schema.test.ts fails when the committed file differs from what this script writes, and holds
 * the schema and the validators together on a corpus of valid and invalid configs. After changing a config key, a
 * rule id or an architecture: `node --import tsx scripts/config-schema.ts`, then commit the file.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BUILD_KEYS,
  IMAGE_BUILD_KEYS,
  IMAGE_POLICY_KEYS,
  KNOWN_ARCHITECTURES,
  NODE_KEYS,
} from '../src/build/config.js';
import { CONFIG_SCHEMA_URL, KNOWN_CONFIG_KEYS } from '../src/engine/config.js';
import { ENGINE_RULES } from '../src/engine/run.js';
import { ARCH_ALIASES } from '../src/model/platform.js';
import { allRules } from '../src/rules/index.js';

export const SCHEMA_FILE = fileURLToPath(
  new URL('../docs/schemas/crossdock-config-v1.json', import.meta.url),
);

type Schema = Record<string, unknown>;

/** `amd64` → `[aA][mM]d64`: the platform parser lowercases, and JSON Schema patterns have no `i` flag. */
function anyCase(word: string): string {
  return [...word]
    .map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c.replace(/\./g, '\\.')))
    .join('');
}

const SEGMENT = '[A-Za-z0-9_.-]+';
/** What parsePlatform accepts: one to three `/`-separated segments (os/arch/variant, or just arch), trimmed. */
const ANY_PLATFORM = `^\\s*${SEGMENT}(?:/${SEGMENT}){0,2}\\s*$`;

/** Every spelling of an architecture crossdock builds (`x86_64`, `aarch64`, `amd64`…), in any case. */
function buildArchitectures(): string[] {
  const spellings = new Set(KNOWN_ARCHITECTURES);
  for (const [alias, a] of Object.entries(ARCH_ALIASES))
    if (KNOWN_ARCHITECTURES.includes(a.architecture)) spellings.add(alias);
  return [...spellings].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/** What buildPlatform accepts: parsePlatform's shape with an architecture of KNOWN_ARCHITECTURES. */
function buildPlatformPattern(): string {
  const arch = `(?:${buildArchitectures().map(anyCase).join('|')})`;
  return `^\\s*(?:${arch}|${SEGMENT}/${arch}(?:/${SEGMENT})?)\\s*$`;
}

/** The platforms editors offer; anything else of the right shape is accepted too. */
const COMMON_PLATFORMS = [
  ...KNOWN_ARCHITECTURES.filter((a) => a !== 'arm').map((a) => `linux/${a}`),
  'linux/arm/v7',
  'linux/arm/v6',
];

function platformList(description: string, pattern: string, minItems?: number): Schema {
  return {
    description,
    type: 'array',
    ...(minItems ? { minItems } : {}),
    items: {
      anyOf: [
        { enum: COMMON_PLATFORMS },
        { type: 'string', pattern, description: 'os/arch[/variant], e.g. linux/arm64 or linux/arm/v7' },
      ],
    },
  };
}

/**
 * A string the build side reads (`Reader.string`): numbers and booleans are accepted where YAML reads them as
 * written (`PYTHON_VERSION: 3.12`); the schema cannot see how a number was written, so `3.10` (read as 3.1) passes
 * here and is refused by crossdock with the fix (quote it).
 */
function text(description: string, extra: Schema = {}): Schema {
  return { description, type: ['string', 'number', 'boolean'], ...extra };
}

const textMap = (description: string): Schema => ({
  description,
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean'] },
});

const textList = (description: string): Schema => ({
  description,
  type: 'array',
  items: { type: ['string', 'number', 'boolean'] },
});

const DESCRIPTIONS: Record<string, string> = {
  version: 'Version of this file format. Only 1 exists.',
  platforms:
    'Target platforms of every build and deployment check (os/arch[/variant]). Overridden by `--platform`; without it, crossdock infers targets from the repository, else linux/amd64 and linux/arm64.',
  rules:
    'Severity per rule id: error, warning, info, or off to disable the rule (`crossdock rules` lists them).',
  ignore: 'Paths crossdock check does not read, as .gitignore-style patterns (e.g. "vendor/**", "legacy/").',
  runners:
    'Label sets of the self-hosted runners the team keeps online (self-hosted-trigger reports jobs that need labels no runner has): each a list of labels or `{ labels: [...] }`.',
  images:
    'Images by repository (`reg.example:5000/team/app`): how to build each (context, dockerfile, target, buildArgs, tags: used by crossdock build and plan) and its verify policy (platforms, nonRoot, init…: used by crossdock build and verify, docs/verify.md). An entry without context or dockerfile is a policy only.',
  nodes:
    'Builder nodes for crossdock build. Without any, the local Docker engine builds every platform (under QEMU where not native).',
  build:
    'Defaults of crossdock build: tag templates, retries, parallelism, emulation, labels, caches, secrets.',
  registries:
    'Reserved for registry settings. This version of crossdock accepts any value here and reads none.',
  smoke: 'Settings of crossdock smoke.',
};

function ruleSchema(): Schema {
  const severity = { enum: ['error', 'warning', 'info', 'off'] };
  const properties: Record<string, Schema> = {};
  const rules = allRules().map((r) => ({
    id: r.meta.id,
    summary: r.meta.summary,
    severity: r.meta.severity,
  }));
  for (const id of ENGINE_RULES)
    if (!rules.some((r) => r.id === id))
      rules.push({ id, summary: 'Reported by the engine itself.', severity: 'info' });
  for (const r of rules.sort((a, b) => (a.id < b.id ? -1 : 1)))
    properties[r.id] = { ...severity, description: `${r.summary} (default: ${r.severity})` };
  return { description: DESCRIPTIONS.rules, type: 'object', properties, additionalProperties: false };
}

function runnersSchema(): Schema {
  const labels = {
    type: 'array',
    minItems: 1,
    items: { type: 'string', minLength: 1 },
    description: 'The labels of one runner, e.g. [self-hosted, linux, arm64]',
  };
  return {
    description: DESCRIPTIONS.runners,
    type: 'array',
    items: {
      anyOf: [
        labels,
        { type: 'object', properties: { labels }, required: ['labels'], additionalProperties: false },
      ],
    },
  };
}

function nodeSchema(buildPlatform: string): Schema {
  const one = (key: string) => ({ required: [key] });
  const properties: Record<string, Schema> = {
    name: text('A name for the node (letters, digits, ".", "_", "-"), unique among nodes.', {
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$',
    }),
    endpoint: text('A Docker engine: unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host.', {
      pattern: '^(?:unix|tcp|ssh)://.+$',
    }),
    context: text('A docker context, by name.'),
    buildx: text('A buildx builder, by name.'),
    buildah: text('buildah on this machine: `local`.'),
    platforms: platformList(
      'Native platforms of the node; detected from the engine when not given.',
      buildPlatform,
    ),
    tls: text('For tcp:// with TLS: the folder holding ca.pem, cert.pem, key.pem.'),
  };
  assertKeys('nodes[]', Object.keys(properties), NODE_KEYS);
  return {
    description: DESCRIPTIONS.nodes,
    type: ['array', 'null'],
    items: {
      type: 'object',
      properties,
      required: ['name'],
      additionalProperties: false,
      oneOf: [one('endpoint'), one('context'), one('buildx'), one('buildah')],
    },
  };
}

function buildSchema(): Schema {
  const properties: Record<string, Schema> = {
    tags: textList(
      'Tag templates for every image: {sha}, {date}, {branch}, {tag}… (docs/build.md), e.g. ["{date}-{sha}", latest].',
    ),
    retries: {
      description: 'Extra attempts for transient failures, per platform.',
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 2,
    },
    parallel: {
      description: 'Build the platforms of an image at the same time.',
      type: 'boolean',
      default: true,
    },
    emulation: {
      description: 'allow: build under QEMU where no native node exists; forbid: fail instead.',
      enum: ['allow', 'forbid'],
      default: 'allow',
    },
    source: text('org.opencontainers.image.source (default: the git remote).', {
      pattern: '^https?://\\S+$',
    }),
    labels: textMap('Labels added to every image.'),
    cacheRegistry: text('buildx only: a repository (no tag) for the registry cache, one tag per platform.'),
    cache: {
      description: "crossdock's compressed-layer cache.",
      type: 'object',
      properties: {
        maxBytes: {
          description: 'Total size the cache is pruned to: bytes, or 5GiB, 500MB…',
          anyOf: [
            { type: 'integer', minimum: 0 },
            { type: 'string', pattern: '^\\s*\\d+(?:\\.\\d+)?\\s*(?:[kKmMgGtT][iI]?[bB]|[bB])?\\s*$' },
          ],
          default: '5GiB',
        },
        maxAgeDays: {
          description: 'Entries unused for this many days are removed.',
          type: 'integer',
          minimum: 0,
          default: 30,
        },
      },
      additionalProperties: false,
    },
    secrets: {
      description:
        'Build secrets for RUN --mount=type=secret,id=ID: each from an environment variable or a file, never stored.',
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: text('What RUN --mount=type=secret,id=ID names; unique.', {
            pattern: '^[A-Za-z0-9_.-]{1,64}$',
          }),
          env: text('The environment variable holding the value.', { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
          src: text('The file holding the value (relative to crossdock.yaml; ~ is the home folder).', {
            minLength: 1,
          }),
        },
        required: ['id'],
        additionalProperties: false,
        oneOf: [{ required: ['env'] }, { required: ['src'] }],
      },
    },
  };
  assertKeys('build', Object.keys(properties), BUILD_KEYS);
  return {
    description: DESCRIPTIONS.build,
    type: ['object', 'null'],
    properties,
    additionalProperties: false,
  };
}

function imageSchema(buildPlatform: string): Schema {
  const properties: Record<string, Schema> = {
    context: text('Build context, relative to the repository root.'),
    dockerfile: text('Dockerfile, relative to the repository root (default: <context>/Dockerfile).'),
    target: text('Dockerfile stage to build.'),
    buildArgs: textMap('Build arguments (prefer build.secrets for credentials).'),
    tags: textList('Tag templates for this image, overriding build.tags.'),
    platforms: platformList(
      'Platforms to build, and the platforms verify requires in the index.',
      buildPlatform,
    ),
    nonRoot: {
      description: 'verify: true: the user is not root; numeric: also a numeric UID (runAsNonRoot).',
      anyOf: [{ type: 'boolean' }, { const: 'numeric' }],
    },
    init: { description: 'verify: PID 1 must be an init (tini, dumb-init, catatonit…).', type: 'boolean' },
    healthcheck: { description: 'verify: a HEALTHCHECK must be present.', type: 'boolean' },
    labels: {
      description: 'verify: labels every platform must carry.',
      type: 'array',
      items: { type: ['string', 'number', 'boolean'] },
    },
    revision: {
      description: 'verify: org.opencontainers.image.revision must be this commit (quote it).',
      type: 'string',
      pattern: '^[0-9a-fA-F]{7,64}$',
    },
    tagPattern: text('verify: a regular expression the tag must match.', { format: 'regex' }),
    maxSizeMb: {
      description: 'verify: compressed size budget per platform, in MB.',
      type: 'number',
      exclusiveMinimum: 0,
    },
    forbidAttestations: { description: 'verify: no unknown/unknown index entries.', type: 'boolean' },
    elf: {
      description: "verify: read the layers to check the entrypoint binary's architecture (default true).",
      type: 'boolean',
    },
  };
  assertKeys('images.*', Object.keys(properties), [...IMAGE_BUILD_KEYS, ...IMAGE_POLICY_KEYS]);
  return {
    description: DESCRIPTIONS.images,
    type: ['object', 'null'],
    additionalProperties: { type: 'object', properties, additionalProperties: false },
  };
}

function assertKeys(where: string, schema: string[], runtime: readonly string[]): void {
  const a = [...schema].sort().join(',');
  const b = [...runtime].sort().join(',');
  if (a !== b) throw new Error(`config schema: keys of ${where} (${a}) differ from the validator's (${b})`);
}

/** The schema of crossdock.yaml, version 1. */
export function configSchema(): Schema {
  const buildPlatform = buildPlatformPattern();
  const properties: Record<string, Schema> = {
    version: { description: DESCRIPTIONS.version, const: 1 },
    platforms: platformList(DESCRIPTIONS.platforms ?? '', ANY_PLATFORM, 1),
    rules: ruleSchema(),
    ignore: { description: DESCRIPTIONS.ignore, type: 'array', items: { type: 'string' } },
    runners: runnersSchema(),
    images: imageSchema(buildPlatform),
    nodes: nodeSchema(buildPlatform),
    build: buildSchema(),
    registries: { description: DESCRIPTIONS.registries },
    smoke: {
      description: DESCRIPTIONS.smoke,
      type: 'object',
      properties: {
        pythonImports: {
          description:
            'Python modules that must import on every platform (`python -c "import …"`), added to --python-import.',
          type: 'array',
          items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$' },
        },
      },
      additionalProperties: false,
    },
  };
  assertKeys('the top level', Object.keys(properties), KNOWN_CONFIG_KEYS);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: CONFIG_SCHEMA_URL,
    title: 'crossdock.yaml, version 1',
    description:
      'Configuration of crossdock (check, build, plan, verify). Put `# yaml-language-server: $schema=<this URL>` on the first line for completion and validation in editors.',
    type: ['object', 'null'],
    properties,
    additionalProperties: false,
  };
}

export function configSchemaText(): string {
  return `${JSON.stringify(configSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, configSchemaText());
  console.log(`wrote ${SCHEMA_FILE}`);
}
