import type { Finding, Severity } from '../model/finding.js';
import type { RuleInfo } from '../reporters/types.js';
import type { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { type Inspection, inspect, type PlatformImage } from './inspect.js';
import { applyLayer, elfArchitecture, FsTree, resolveFile, unpackedLimit } from './layers.js';
import type { ResolvedRef } from './reference.js';

/**
 * `crossdock verify`: what a registry really holds, checked against a policy. Each check is a rule-like id so
 * findings go through the same reporters (text, json, sarif, markdown) and exit codes as `check`.
 */
export interface VerifyPolicy {
  /** Platforms that must be present (`linux/amd64`, `linux/arm64`). */
  platforms?: string[];
  /** `true`: the user must not be root; `'numeric'`: also numeric (what runAsNonRoot can verify). */
  nonRoot?: boolean | 'numeric';
  /** Require an init (tini, dumb-init, catatonit…) as PID 1. */
  init?: boolean;
  healthcheck?: boolean;
  /** Labels that must be present. */
  labels?: string[];
  /** `org.opencontainers.image.revision` must equal this git SHA (a prefix of at least 7 is accepted). */
  revision?: string;
  /** The tag must match this regular expression. */
  tagPattern?: string;
  /** Compressed size budget per platform, in MB. */
  maxSizeMb?: number;
  /** Forbid `unknown/unknown` (attestation) entries in the index. */
  forbidAttestations?: boolean;
  /** Check that each platform's entrypoint binary is an ELF of that architecture (reads the layers). */
  elf?: boolean;
}

export const VERIFY_RULES: RuleInfo[] = [
  ['platform-missing', 'error', 'A required platform is not in the image index.'],
  [
    'platform-mismatch',
    'error',
    "A platform image's config says another os/architecture than its index entry.",
  ],
  [
    'binary-architecture',
    'error',
    'The entrypoint binary is an ELF of another architecture (amd64 content published as arm64).',
  ],
  ['entrypoint-not-found', 'error', 'The entrypoint program is not in the image layers.'],
  ['root-user', 'error', 'The image runs as root, or as a user name a runAsNonRoot policy cannot verify.'],
  [
    'no-init',
    'warning',
    'PID 1 is not an init (tini, dumb-init, catatonit): signals and zombies are not handled.',
  ],
  ['no-healthcheck', 'warning', 'The image declares no HEALTHCHECK.'],
  ['label-missing', 'error', 'A required OCI label is missing.'],
  ['revision-mismatch', 'error', 'org.opencontainers.image.revision is not the expected git commit.'],
  ['tag-pattern', 'error', 'The tag does not match the required pattern.'],
  ['size-budget', 'error', "A platform image's compressed size is over budget."],
  [
    'attestation-present',
    'warning',
    'The index holds unknown/unknown attestation entries that some runtimes list as platforms.',
  ],
].map(([id, severity, summary]) => ({
  id: id as string,
  severity: severity as Severity,
  category: 'registry',
  summary: summary as string,
  docsPath: 'docs/verify.md',
}));

/** Programs that, as PID 1, forward signals and reap children (shared with smoke's stops check). */
export const INITS: ReadonlySet<string> = new Set([
  'tini',
  'tini-static',
  'dumb-init',
  'catatonit',
  'docker-init',
  's6-svscan',
  'init',
  'runsvdir',
]);
const HINTS: Record<string, string> = {
  'platform-missing': 'build and push every required platform (crossdock build, or buildx --platform …)',
  'platform-mismatch':
    'the index entry lies about its content: rebuild that platform with the right --platform',
  'binary-architecture':
    'a stage copied a binary built for another architecture: use TARGETARCH, or cross-compile with GOARCH/CC for the target',
  'entrypoint-not-found': 'fix the ENTRYPOINT/CMD path, or install the program in the final stage',
  'root-user': 'end the Dockerfile with a numeric non-root USER, e.g. `USER 10001:10001`',
  'no-init': 'add an init: `ENTRYPOINT ["tini", "--"]` (apt-get install tini) or run with --init',
  'no-healthcheck': 'add a HEALTHCHECK that uses a tool the image ships',
  'label-missing': 'add the label at build time (--label, or docker/metadata-action labels)',
  'revision-mismatch':
    'build from the expected commit, or pass the right --label org.opencontainers.image.revision',
  'tag-pattern': 'push a tag that follows the naming convention',
  'size-budget': 'use a smaller base, multi-stage builds, or clean package caches in the same RUN',
  'attestation-present':
    'build with --provenance=false --sbom=false if your runtime lists unknown/unknown platforms',
};

const MAX_LAYER_READ = 4 * 1024 * 1024 * 1024;

function finding(id: string, image: string, platform: string, message: string): Finding {
  const rule = VERIFY_RULES.find((r) => r.id === id);
  return {
    ruleId: id,
    severity: rule?.severity ?? 'error',
    message: `${image}${platform ? ` [${platform}]` : ''}: ${message}`,
    hint: HINTS[id] ?? '',
    file: '',
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    related: [],
  };
}

function envPath(p: PlatformImage): string[] {
  const env = p.config?.config?.Env ?? [];
  const path =
    env.find((e) => e.startsWith('PATH='))?.slice(5) ??
    '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return path.split(':').filter(Boolean);
}

async function filesystem(
  client: RegistryClient,
  ref: ResolvedRef,
  p: PlatformImage,
  options: VerifyOptions,
): Promise<FsTree | undefined> {
  const fs = new FsTree();
  for (const layer of p.layers) {
    const what = `layer ${ref.registry}/${ref.repository}@${layer.digest}`;
    if (layer.size > MAX_LAYER_READ)
      throw new RegistryError(`${what} is too large to read (${layer.size} bytes)`, {
        hint: 'skip the layer check with --no-elf',
      });
    // zstd (and other) compressions are not read here: the ELF check is skipped rather than guessed.
    if (/zstd|encrypted/.test(layer.mediaType)) return undefined;
    const gzip = /gzip/.test(layer.mediaType);
    if (!gzip && !/tar$/.test(layer.mediaType)) return undefined;
    // Read in full and verified (digest and size) before the tar reader sees a byte of it.
    const blob = await client.fetchVerifiedBlob(ref, layer, { what: `reading ${what}` });
    try {
      await applyLayer(fs, blob.open(), gzip, {
        what,
        maxUnpackedBytes: options.maxUnpackedBytes ?? unpackedLimit(layer.size),
      });
    } finally {
      await blob.dispose();
    }
  }
  return fs;
}

/** Limits of a verify run (the policy says what to check; these say what reading may cost). */
export interface VerifyOptions {
  /** Bytes one layer may unpack to (default: 20 times its compressed size plus 512 MiB). */
  maxUnpackedBytes?: number;
}

/** Runs the policy against a reference; returns the findings and the inspection it was based on. */
export async function verifyImage(
  client: RegistryClient,
  ref: ResolvedRef,
  policy: VerifyPolicy,
  options: VerifyOptions = {},
): Promise<{ findings: Finding[]; inspection: Inspection }> {
  const inspection = await inspect(client, ref);
  const out: Finding[] = [];
  const images = inspection.platforms.filter((p) => !p.attestation);
  const name = ref.text;
  for (const want of policy.platforms ?? []) {
    if (!images.some((p) => p.descriptorPlatform === want || p.descriptorPlatform.startsWith(`${want}/`)))
      out.push(
        finding(
          'platform-missing',
          name,
          want,
          `no ${want} image (the index has ${images.map((p) => p.descriptorPlatform).join(', ') || 'nothing'})`,
        ),
      );
  }
  if (policy.tagPattern && ref.tag !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(policy.tagPattern);
    } catch (e) {
      throw new RegistryError(
        `--tag-pattern ${policy.tagPattern} is not a regular expression (${(e as Error).message})`,
      );
    }
    if (!re.test(ref.tag))
      out.push(finding('tag-pattern', name, '', `tag "${ref.tag}" does not match ${policy.tagPattern}`));
  }
  if (policy.forbidAttestations) {
    const n = inspection.platforms.length - images.length;
    if (n > 0)
      out.push(
        finding(
          'attestation-present',
          name,
          '',
          `${n} unknown/unknown attestation ${n === 1 ? 'entry' : 'entries'} in the index`,
        ),
      );
  }
  for (const p of images) {
    const plat = p.descriptorPlatform;
    const c = p.config;
    if (c) {
      const actual = `${c.os ?? '?'}/${c.architecture ?? '?'}${c.variant ? `/${c.variant}` : ''}`;
      const [os, arch, variant] = plat.split('/');
      if (
        inspection.index &&
        (c.os !== os || c.architecture !== arch || (variant && c.variant && c.variant !== variant))
      )
        out.push(
          finding(
            'platform-mismatch',
            name,
            plat,
            `the index says ${plat} but the image config says ${actual}`,
          ),
        );
    }
    if (policy.nonRoot) {
      const user = (p.user ?? '').split(':')[0] ?? '';
      if (!user || user === 'root' || user === '0')
        out.push(
          finding('root-user', name, plat, user ? `runs as ${user}` : 'sets no USER, so it runs as root'),
        );
      else if (policy.nonRoot === 'numeric' && !/^\d+$/.test(user))
        out.push(
          finding(
            'root-user',
            name,
            plat,
            `runs as "${user}", a name: runAsNonRoot cannot verify it is not root`,
          ),
        );
    }
    const argv = [...p.entrypoint, ...(p.entrypoint.length ? [] : p.cmd)];
    if (policy.init) {
      const prog = (argv[0] ?? '').split('/').pop() ?? '';
      if (!INITS.has(prog))
        out.push(finding('no-init', name, plat, `PID 1 is ${prog ? `"${prog}"` : 'unset'}, not an init`));
    }
    if (policy.healthcheck && (!p.healthcheck || p.healthcheck[0] === 'NONE'))
      out.push(finding('no-healthcheck', name, plat, 'no HEALTHCHECK in the image config'));
    for (const label of policy.labels ?? [])
      if (!(label in p.labels)) out.push(finding('label-missing', name, plat, `label ${label} is missing`));
    if (policy.revision) {
      const rev = p.labels['org.opencontainers.image.revision'];
      const want = policy.revision;
      const ok =
        rev !== undefined &&
        (rev === want ||
          (want.length >= 7 && rev.startsWith(want)) ||
          (rev.length >= 7 && want.startsWith(rev)));
      if (!ok)
        out.push(
          finding(
            'revision-mismatch',
            name,
            plat,
            `org.opencontainers.image.revision is ${rev ? `"${rev}"` : 'missing'}, expected ${want}`,
          ),
        );
    }
    if (policy.maxSizeMb !== undefined && p.size > policy.maxSizeMb * 1024 * 1024)
      out.push(
        finding(
          'size-budget',
          name,
          plat,
          `${(p.size / 1048576).toFixed(1)} MB compressed, budget ${policy.maxSizeMb} MB`,
        ),
      );
    if (policy.elf && argv[0]) {
      const fs = await filesystem(client, ref, p, options);
      if (!fs) continue;
      const prog = argv[0];
      const candidates = prog.includes('/')
        ? [prog.startsWith('/') ? prog : `${p.config?.config?.WorkingDir ?? '/'}/${prog}`]
        : envPath(p).map((d) => `${d}/${prog}`);
      const hit = candidates.map((c) => resolveFile(fs, c)).find((r) => r?.entry.type === 'file');
      if (!hit)
        out.push(
          finding(
            'entrypoint-not-found',
            name,
            plat,
            `"${prog}" is not in the image (looked in ${candidates.slice(0, 4).join(', ')})`,
          ),
        );
      else {
        const elf = elfArchitecture(hit.entry.head);
        const [, arch] = plat.split('/');
        if (elf && arch && elf.architecture !== arch)
          out.push(
            finding(
              'binary-architecture',
              name,
              plat,
              `${hit.path} is an ${elf.architecture} ELF binary in the ${arch} image: it fails with "exec format error"`,
            ),
          );
      }
    }
  }
  return { findings: out, inspection };
}
