import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_FILE_NAMES, CONFIG_SCHEMA_URL } from '../../engine/config.js';
import { parseConfig } from '../../engine/config-parse.js';
import { loadProject } from '../../engine/load.js';
import { DiskRepoFs } from '../../engine/repo-fs.js';
import { ConfigError, UsageError } from '../../errors.js';
import { parseBuildTag } from '../../model/image-ref.js';
import { formatPlatform } from '../../model/platform.js';
import type { Build, ProjectModel } from '../../model/project.js';
import type { RepoFs } from '../../model/repo.js';
import { cutAtFirst } from '../../model/text.js';
import type { Io, ParsedArgs } from '../types.js';
import { boolOpt } from '../types.js';

/**
 * `crossdock init [dir]`: writes a starter crossdock.yaml from the build graph of the repository (its own config
 * left out): the target platforms, one `images:` entry per repository something builds, templates for what the
 * repository cannot say (builder nodes, the image name of a Dockerfile nothing builds). The first line points
 * editors at the JSON Schema.
 */
export async function initCommand(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positionals.length > 1)
    throw new UsageError(`init takes one directory, got ${args.positionals.length}`, {
      hint: 'crossdock init [dir] [--force]',
    });
  const root = resolve(io.cwd, args.positionals[0] ?? '.');
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat?.isDirectory())
    throw new UsageError(`${root} is not a directory`, {
      hint: 'crossdock init [dir]: give the repository folder',
    });
  const existing = await existingConfig(root);
  if (existing && !boolOpt(args, 'force'))
    throw new ConfigError(`${join(root, existing)} already exists`, {
      hint: 'edit it, or pass --force to replace it with a new starter file',
    });
  const model = await loadProject({ root, cwd: io.cwd, repo: withoutConfig(new DiskRepoFs(root)) });
  const text = starterConfig(model);
  parseConfig('crossdock.yaml', text); // what crossdock writes, crossdock reads: a bug here is an internal error
  const file = join(root, existing ?? 'crossdock.yaml');
  await fs.writeFile(file, text);
  const images = starterImages(model).filter((i) => i.repository).length;
  io.stdout.write(
    `wrote ${file}: platforms ${model.targets.platforms.map(formatPlatform).join(', ')}, ${images} image${images === 1 ? '' : 's'}\n`,
  );
  return 0;
}

async function existingConfig(root: string): Promise<string | undefined> {
  for (const name of CONFIG_FILE_NAMES) {
    const s = await fs.lstat(join(root, name)).catch(() => undefined);
    if (s) return name;
  }
  return undefined;
}

/** The repository without its crossdock.yaml: the starter describes the repository, not the old config. */
function withoutConfig(repo: RepoFs): RepoFs {
  return {
    root: repo.root,
    inventory: () => repo.inventory(),
    read: (path) =>
      CONFIG_FILE_NAMES.includes(path)
        ? Promise.resolve({ ok: false, note: 'left out by crossdock init' })
        : repo.read(path),
  };
}

interface StarterImage {
  /** As written in the build's tags, without tag or digest; undefined when no tag names one. */
  repository?: string;
  builds: Build[];
  platforms: string[];
  /** Why the platforms are the targets rather than the builds' own. */
  platformsNote?: string;
}

/** The repository a build tag names, as written (`reg:5000/team/app`), when no variable stands in it. */
function writtenRepository(tag: string): string | undefined {
  if (!parseBuildTag(tag)) return undefined;
  return cutAtFirst(tag, '@').replace(/:[^/:]*$/, '');
}

function starterImages(model: ProjectModel): StarterImage[] {
  const targets = model.targets.platforms.map(formatPlatform);
  const byRepo = new Map<string, StarterImage>();
  const unnamed = new Map<string, StarterImage>();
  for (const b of model.builds) {
    const repos = [...new Set(b.tags.flatMap((t) => writtenRepository(t) ?? []))];
    const own = b.platformsExplicit && b.platforms.known ? b.platforms.value.map(formatPlatform) : undefined;
    const note = own
      ? undefined
      : b.platforms.known
        ? 'the build sets no platforms'
        : `the build's platforms are not known: ${b.platforms.reason}`;
    if (repos.length === 0) {
      // The legs of a matrix are one definition: one template with every leg's platforms.
      const site = `${b.definedAt.file}:${b.definedAt.line}`;
      const entry = unnamed.get(site) ?? { builds: [b], platforms: [] };
      entry.platforms = [...new Set([...entry.platforms, ...(own ?? targets)])].sort();
      unnamed.set(site, entry);
    }
    for (const repository of repos) {
      const entry = byRepo.get(repository) ?? { repository, builds: [], platforms: [] };
      entry.builds.push(b);
      entry.platforms = [...new Set([...entry.platforms, ...(own ?? targets)])].sort();
      if (!own) entry.platformsNote = note;
      byRepo.set(repository, entry);
    }
  }
  const named = [...byRepo.values()].sort((a, b) => ((a.repository ?? '') < (b.repository ?? '') ? -1 : 1));
  return [...named, ...unnamed.values()];
}

const flow = (items: string[]) => `[${items.join(', ')}]`;

function describeBuild(b: Build): string {
  const df = b.dockerfile.known ? b.dockerfile.value : 'a Dockerfile';
  const ctx = b.context.known ? `context ${b.context.value}` : 'context not known';
  return `${df} (${ctx}), ${b.origin} at ${b.definedAt.file}:${b.definedAt.line}`;
}

function imageLines(images: StarterImage[]): string[] {
  const named = images.filter((i) => i.repository);
  const lines: string[] = [
    '',
    '# Images by repository: what `crossdock verify` and `crossdock build` require of each (docs/verify.md).',
    '# Their builds stay where they are defined; an entry with context: and dockerfile: would be a second build.',
  ];
  lines.push(named.length ? 'images:' : '# images:');
  for (const i of named) {
    for (const b of i.builds) lines.push(`  # built from ${describeBuild(b)}`);
    if (i.platformsNote) lines.push(`  # platforms: the targets (${i.platformsNote})`);
    lines.push(`  ${JSON.stringify(i.repository)}:`, `    platforms: ${flow(i.platforms)}`);
  }
  for (const i of images.filter((x) => !x.repository)) {
    const b = i.builds[0];
    if (!b) continue;
    const nothingBuilds = b.origin === 'dockerfile';
    lines.push(
      nothingBuilds
        ? `  # ${b.dockerfile.known ? b.dockerfile.value : 'a Dockerfile'}: nothing in the repository builds it. To build it with crossdock build, name it:`
        : `  # ${describeBuild(b)} names no image. To verify what it publishes, name it:`,
      '  # "REGISTRY/NAME":',
    );
    if (nothingBuilds) {
      const candidates = 'candidates' in b.context ? (b.context.candidates ?? []) : [];
      const ctx = b.context.known ? b.context.value : (candidates[0] ?? '.');
      const more = candidates.length > 1 ? `  # or one of ${candidates.slice(1).join(', ')}` : '';
      lines.push(`  #   context: ${ctx}${more}`);
      if (b.dockerfile.known) lines.push(`  #   dockerfile: ${b.dockerfile.value}`);
    }
    lines.push(`  #   platforms: ${flow(i.platforms)}`);
  }
  return lines;
}

function nodeLines(targets: string[]): string[] {
  const lines = [
    '',
    '# Builder nodes of crossdock build: the repository does not say which machines build. Without nodes, the local',
    '# Docker engine builds every platform (under QEMU where it is not native). One native node per target:',
    '# nodes:',
  ];
  for (const t of targets)
    lines.push(
      `#   - name: ${t.replace(/^linux\//, '').replace(/\//g, '-')}`,
      '#     endpoint: ssh://builder@HOST   # a Docker engine; or context: NAME, buildx: NAME, buildah: local',
      `#     platforms: [${t}]`,
    );
  return lines;
}

/** The starter crossdock.yaml: pure, so the same repository always gives the same file. */
export function starterConfig(model: ProjectModel): string {
  const targets = model.targets.platforms.map(formatPlatform);
  const from =
    model.targets.source === 'default'
      ? "nothing in the repository declares them: crossdock's defaults"
      : model.targets.source;
  const lines = [
    `# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}`,
    '# Written by `crossdock init` from the build graph of this repository (`crossdock graph` shows it).',
    'version: 1',
    '',
    `# Target platforms (${from}).`,
    `platforms: ${flow(targets)}`,
    ...imageLines(starterImages(model)),
    ...nodeLines(targets),
    '',
    '# Severity per rule (error, warning, info, off; `crossdock rules` lists them), paths not to check:',
    '# rules:',
    '#   unpinned-dependency: warning',
    '# ignore: ["vendor/**"]',
    '',
  ];
  return lines.join('\n');
}
