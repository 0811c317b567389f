import type { BuildConfig } from '../build/config.js';
import { DEFAULT_PLATFORMS, templateShellWord } from '../build/tags.js';
import { ConfigError, UsageError } from '../errors.js';
import { hasUnresolved, parseBuildTag, parseImageRef } from '../model/image-ref.js';
import { formatPlatform } from '../model/platform.js';
import type { Build, ProjectModel } from '../model/project.js';
import { basename, dirname, joinPath, present, within } from '../model/repo.js';
import { trimTrailingSlashes } from '../model/text.js';

/**
 * The images a generated pipeline builds, each with everything its jobs need, read from crossdock.yaml `images:`
 * (as `crossdock build` does) or, without it, from the build graph. Every value is known: what crossdock could
 * not resolve is refused with what to write instead, or decided by a stated rule that is reported as a note.
 */
export interface CiImage {
  /** Short, unique name: job ids, cache scopes and artifact names are made of it. */
  name: string;
  /** `host/path`, no tag: where the legs push by digest and the merge job writes the index. */
  repository: string;
  /** Registry host (with port) of `repository`. */
  registry: string;
  /** Paths relative to the repository root. */
  dockerfile: string;
  context: string;
  target: string | undefined;
  buildArgs: Record<string, string>;
  /** `os/arch[/variant]`, in the order written. */
  platforms: string[];
  /** Tag templates (`{sha}`, `latest`), as `crossdock build` expands them. */
  tags: string[];
  /** The build context (or Dockerfile) holds a git submodule: checkout fetches submodules. */
  submodules: boolean;
  /** Where the image was defined (`crossdock.yaml images."reg/app"`, `docker-bake.hcl:16`). */
  origin: string;
  /** crossdock.yaml path whose `images:` entry is this image's verify policy, when it is one. */
  policy: string | undefined;
}

export interface CiImageOptions {
  /** `--image`: repositories or names to keep; empty: every image. */
  only: string[];
  /** `--registry`: push every image under this registry (`ghcr.io`) or repository prefix (`ghcr.io/acme`). */
  registry: string | undefined;
}

export interface CiImages {
  images: CiImage[];
  /** What the images were read from, for the workflow's header. */
  source: 'crossdock.yaml (images:)' | 'the build graph';
  /** Decisions taken and builds left out, each with why: printed to stderr. */
  notes: string[];
}

interface Candidate {
  repository: string | undefined;
  dockerfile: string;
  context: string;
  target: string | undefined;
  buildArgs: Record<string, string>;
  /** Resolved platforms, or why they are not known. */
  platforms: { list: string[]; from: string } | { problem: string };
  tags: string[] | undefined;
  origin: string;
  policy: string | undefined;
  /** A name for the image when it has no repository yet (`--registry` gives it one). */
  localName: string;
}

/** Host of a `--registry` value and the prefix repositories go under. */
function registryPrefix(value: string, model: ProjectModel): string {
  const v = trimTrailingSlashes(value);
  const ref = parseImageRef(`${v}/x`);
  if (!ref.ok || !ref.ref.explicitRegistry || ref.ref.tag || ref.ref.digest)
    throw new UsageError(`--registry ${value} is not a registry host or repository prefix`, {
      hint: 'e.g. --registry ghcr.io/acme or --registry registry.example.com:5000/team',
    });
  if (ref.ref.registry === 'ghcr.io' && !v.includes('/')) {
    const owner = model.inventory.github?.split('/')[0]?.toLowerCase();
    if (!owner)
      throw new UsageError(
        '--registry ghcr.io needs the owner the images belong to, and the origin remote is not a GitHub repository',
        { hint: 'write it: --registry ghcr.io/OWNER (lowercase)' },
      );
    return `ghcr.io/${owner}`;
  }
  return v;
}

function slug(text: string): string {
  // Runs of other characters become one `-`; a leading or trailing one is dropped (no backtracking regex).
  const parts = text
    .toLowerCase()
    .split(/[^a-z0-9]/)
    .filter(Boolean);
  return parts.join('-') || 'image';
}

/** Short names from the repositories' last path segments, adding segments until every name is unique. */
function names(repositories: string[]): string[] {
  const segs = repositories.map((r) => r.split('/'));
  for (let n = 1; ; n++) {
    const out = segs.map((s) => slug(s.slice(-n).join('-')));
    if (new Set(out).size === out.length || segs.every((s) => s.length <= n)) return out;
  }
}

function submodulesIn(model: ProjectModel, context: string, dockerfile: string): boolean {
  return [...model.inventory.gitlinks.keys()].some(
    (l) => within(context, l) || within(l, context) || within(l, dockerfile),
  );
}

function fromConfig(bc: BuildConfig, notes: string[]): Candidate[] {
  const configPath = bc.config.path;
  return bc.images.map((spec) => {
    const at = bc.source.at(['images', spec.repository], true);
    const ref = parseImageRef(spec.repository);
    if (!ref.ok || ref.ref.tag || ref.ref.digest)
      throw new ConfigError(
        `${at}: images."${spec.repository}": ${ref.ok ? 'the key is a repository, without a tag' : ref.problem}`,
        { hint: 'write the repository as the key (reg:5000/team/app) and tags under tags:' },
      );
    const context = joinPath('.', spec.context ?? '.');
    const dockerfile = joinPath('.', spec.dockerfile ?? `${spec.context ?? '.'}/Dockerfile`);
    if (context === undefined || dockerfile === undefined)
      throw new ConfigError(`${at}: images."${spec.repository}" points outside the repository`, {
        hint: 'context and dockerfile are paths inside the repository',
      });
    let platforms: Candidate['platforms'];
    // `platforms: []` is written: it is refused below ("no platform to build"), not replaced by a default.
    if (spec.platforms !== undefined)
      platforms = { list: spec.platforms, from: `crossdock.yaml images."${spec.repository}".platforms` };
    else if (bc.config.platforms?.length)
      platforms = { list: bc.config.platforms.map(formatPlatform), from: 'crossdock.yaml platforms' };
    else {
      platforms = { list: DEFAULT_PLATFORMS, from: 'the default of crossdock build' };
      notes.push(
        `${spec.repository}: crossdock.yaml names no platforms; building ${DEFAULT_PLATFORMS.join(', ')}, as crossdock build does (set platforms: to choose)`,
      );
    }
    const policyKeys = Object.keys(
      (bc.config.raw.images as Record<string, Record<string, unknown>>)[spec.repository] ?? {},
    ).filter((k) => !['context', 'dockerfile', 'target', 'buildArgs', 'tags', 'platforms'].includes(k));
    return {
      repository: `${ref.ref.registry}/${ref.ref.repository}`,
      dockerfile,
      context,
      target: spec.target,
      buildArgs: spec.buildArgs,
      platforms,
      tags: spec.tags,
      origin: `crossdock.yaml images."${spec.repository}"`,
      policy: policyKeys.length && configPath ? configPath : undefined,
      localName: spec.repository,
    };
  });
}

/** The repository a build pushes to, from its tags: a written registry host, or any tag of a build that pushes. */
function repositoriesOf(
  b: Build,
  notes: string[],
): { repositories: Set<string>; literal: Map<string, string[]> } {
  const repositories = new Set<string>();
  const literal = new Map<string, string[]>();
  const where = `${b.definedAt.file}:${b.definedAt.line}`;
  for (const t of b.tags) {
    const ref = parseBuildTag(t);
    if (!ref) {
      notes.push(
        `${where}: the tag ${t} names its repository with a value known only when it runs: not used`,
      );
      continue;
    }
    if (!ref.explicitRegistry && !b.push) continue;
    const repo = `${ref.registry}/${ref.repository}`;
    repositories.add(repo);
    if (ref.tag && !hasUnresolved(t)) literal.set(repo, [...(literal.get(repo) ?? []), ref.tag]);
    else if (hasUnresolved(t))
      notes.push(
        `${where}: the tag ${t} is computed when the build runs: the tag templates are used instead`,
      );
  }
  return { repositories, literal };
}

function fromGraph(model: ProjectModel, notes: string[]): Candidate[] {
  const groups = new Map<string, Build[]>();
  for (const b of model.builds) {
    if (b.origin === 'dockerfile' || b.origin === 'config') continue;
    const where = `${b.definedAt.file}:${b.definedAt.line}`;
    const unknown = [
      !b.dockerfile.known && `its Dockerfile (${b.dockerfile.reason})`,
      !b.context.known && `its context (${b.context.reason})`,
      b.target && !b.target.known && `its target (${b.target.reason})`,
    ].filter(Boolean);
    if (unknown.length) {
      notes.push(
        `${where}: left out, crossdock does not know ${unknown.join(' or ')}; describe the image in crossdock.yaml images: to build it`,
      );
      continue;
    }
    const key = [b.dockerfile, b.context, b.target].map((v) => (v?.known ? v.value : '')).join('\0');
    groups.set(key, [...(groups.get(key) ?? []), b]);
  }
  // Nothing defines a build: each Dockerfile is built from its own folder (as crossdock build does).
  if (groups.size === 0)
    for (const b of model.builds) {
      if (b.origin !== 'dockerfile' || !b.dockerfile.known) continue;
      const context = b.context.known ? b.context.value : dirname(b.dockerfile.value);
      if (!b.context.known)
        notes.push(
          `${b.dockerfile.value}: nothing in the repository builds it; its context is taken to be its folder (${context}), as crossdock build does`,
        );
      groups.set(`${b.dockerfile.value}\0${context}\0`, [
        {
          ...b,
          context: {
            known: true,
            value: context,
            origin: { kind: 'convention', detail: "the Dockerfile's folder" },
          },
        },
      ]);
    }
  const out: Candidate[] = [];
  for (const builds of groups.values()) {
    const first = builds[0];
    if (!first?.dockerfile.known || !first.context.known) continue;
    const dockerfile = first.dockerfile.value;
    const context = first.context.value;
    const target = first.target?.known ? first.target.value : undefined;
    const explicit: string[] = [];
    const reasons: string[] = [];
    /** Platforms written as a value crossdock cannot read (`${PLATFORMS}`, `${{ inputs.platforms }}`). */
    const computed: string[] = [];
    for (const b of builds) {
      const at = `${b.definedAt.file}:${b.definedAt.line}`;
      if (b.platformsExplicit && b.platforms.known) {
        for (const p of b.platforms.value.map(formatPlatform)) if (!explicit.includes(p)) explicit.push(p);
      } else if (!b.platforms.known && b.platformsExplicit) computed.push(`${at}: ${b.platforms.reason}`);
      else if (!b.platforms.known) reasons.push(`${at}: ${b.platforms.reason}`);
      else reasons.push(`${at} names no platforms`);
    }
    let platforms: Candidate['platforms'];
    const sites = builds.map((b) => `${b.definedAt.file}:${b.definedAt.line}`);
    if (explicit.length) {
      platforms = { list: explicit, from: sites.join(', ') };
      for (const c of computed)
        notes.push(
          `${c}; not used: the platforms other definitions of ${dockerfile} write are built (${explicit.join(', ')})`,
        );
    } else if (computed.length)
      platforms = {
        problem: `the platforms of ${dockerfile} are set by a value known only when the build runs (${computed.join('; ')}); write them in crossdock.yaml images: (or leave the image out with --image)`,
      };
    else if (model.targets.declared) {
      const list = model.targets.platforms.map(formatPlatform);
      platforms = { list, from: `the project's targets (${model.targets.source})` };
      notes.push(
        `${dockerfile}: ${reasons.join('; ')}; building the project's targets ${list.join(', ')} (${model.targets.source})`,
      );
    } else
      platforms = {
        problem: `the platforms of ${dockerfile} are not known (${reasons.join('; ')}) and nothing declares the project's targets; write platforms: in the build definition, or platforms: [linux/amd64, linux/arm64] in crossdock.yaml`,
      };
    const repositories = new Set<string>();
    const literal = new Map<string, string[]>();
    const buildArgs: Record<string, string> = {};
    let localName: string | undefined;
    for (const b of builds) {
      const r = repositoriesOf(b, notes);
      for (const x of r.repositories) repositories.add(x);
      for (const [k, v] of r.literal) literal.set(k, [...new Set([...(literal.get(k) ?? []), ...v])]);
      for (const [k, v] of Object.entries(b.buildArgs)) if (v.known) buildArgs[k] ??= v.value;
      for (const t of b.tags) localName ??= parseBuildTag(t)?.repository.split('/').at(-1);
    }
    const fileName = basename(dockerfile).replace(/\.?Dockerfile$/i, '');
    // The last resort is the repository's own name: its GitHub name, else its folder's (never the path as typed).
    localName ??=
      fileName ||
      (context === '.'
        ? (model.inventory.github?.split('/')[1] ?? basename(model.inventory.root))
        : basename(context));
    const base = {
      dockerfile,
      context,
      target,
      buildArgs,
      platforms,
      origin: sites.join(', '),
      policy: undefined,
      localName,
    };
    if (repositories.size === 0) out.push({ ...base, repository: undefined, tags: undefined });
    for (const repository of [...repositories].sort())
      out.push({ ...base, repository, tags: literal.get(repository) });
  }
  return out;
}

/** The images to put in the pipeline, selected by `--image`, each checked; throws with the fix when one is not buildable. */
export function ciImages(model: ProjectModel, bc: BuildConfig, options: CiImageOptions): CiImages {
  const notes: string[] = [];
  const candidates = bc.images.length > 0 ? fromConfig(bc, notes) : fromGraph(model, notes);
  if (candidates.length === 0)
    throw new ConfigError(
      `no image to build in ${model.root}: no Dockerfile that a build definition (compose, bake, workflow, script, Makefile) builds, and no images: in crossdock.yaml`,
      {
        hint: 'describe each image in crossdock.yaml: images: { "ghcr.io/acme/app": { context: ., platforms: [linux/amd64, linux/arm64] } }',
      },
    );
  const prefix = options.registry ? registryPrefix(options.registry, model) : undefined;
  const repositoryOf = (c: Candidate): string | undefined => {
    if (!prefix) return c.repository;
    if (c.repository?.startsWith(`${prefix}/`)) return c.repository;
    const last = (c.repository ?? c.localName).split('/').at(-1) ?? c.localName;
    return `${prefix}/${slug(last)}`;
  };
  const repos = candidates.map(repositoryOf);
  const all = names(candidates.map((c, i) => repos[i] ?? c.localName));
  const selected: number[] = [];
  if (options.only.length === 0) selected.push(...candidates.keys());
  else
    for (const want of options.only) {
      const i = candidates.findIndex((c, j) => all[j] === want || repos[j] === want || c.repository === want);
      if (i < 0)
        throw new UsageError(`--image ${want}: no such image`, {
          hint: `images: ${candidates.map((c, j) => `${all[j]} (${repos[j] ?? `${c.dockerfile}, no repository`})`).join(', ')}`,
        });
      if (!selected.includes(i)) selected.push(i);
    }
  const images: CiImage[] = [];
  const seen = new Map<string, string>();
  for (const i of selected) {
    const c = candidates[i];
    const repository = repos[i];
    if (!c) continue;
    if (!repository)
      throw new ConfigError(
        `${c.dockerfile} (built at ${c.origin}) names no registry to push to: its tags are local names, or there are none`,
        {
          hint: 'pass --registry ghcr.io/OWNER (or your registry), or name it in crossdock.yaml images: { "registry.example.com/team/app": { context: … } }',
        },
      );
    if ('problem' in c.platforms) throw new ConfigError(`${repository}: ${c.platforms.problem}`);
    if (c.platforms.list.length === 0)
      throw new ConfigError(`${repository} (${c.origin}) has no platform to build`, {
        hint: 'list its platforms, e.g. platforms: [linux/amd64, linux/arm64]',
      });
    const other = seen.get(repository);
    if (other)
      throw new ConfigError(
        `${repository} is built from two definitions (${other}; ${c.origin}): the pipeline would push two images under one name`,
        { hint: 'keep one with --image, or name each in crossdock.yaml images: with its own repository' },
      );
    seen.set(repository, c.origin);
    for (const path of [c.dockerfile])
      if (!present(model.inventory, path))
        throw new ConfigError(`${repository}: ${path} does not exist (${c.origin})`, {
          hint: 'fix the Dockerfile path of the build definition or of images: in crossdock.yaml',
        });
    const tags = c.tags?.length ? c.tags : bc.defaults.tags;
    for (const t of tags) templateShellWord(t);
    images.push({
      name: all[i] ?? c.localName,
      repository,
      registry: repository.slice(0, repository.indexOf('/')),
      dockerfile: c.dockerfile,
      context: c.context,
      target: c.target,
      buildArgs: c.buildArgs,
      platforms: c.platforms.list,
      tags,
      submodules: submodulesIn(model, c.context, c.dockerfile),
      origin: c.origin,
      policy: c.policy,
    });
  }
  images.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { images, notes, source: bc.images.length > 0 ? 'crossdock.yaml (images:)' : 'the build graph' };
}
