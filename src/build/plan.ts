import { existsSync, constants as fsConstants, promises as fs, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { loadProject } from '../engine/load.js';
import { ConfigError, UsageError } from '../errors.js';
import { exec } from '../exec.js';
import { parseBuildTag, parseImageRef } from '../model/image-ref.js';
import { formatPlatform } from '../model/platform.js';
import { policyFromConfig } from '../registry/policy.js';
import type { VerifyPolicy } from '../registry/verify.js';
import { VERSION } from '../version.js';
import {
  type BuildConfig,
  type BuildDefaults,
  buildPlatform,
  type ImageBuildSpec,
  loadBuildConfig,
  type NodeSpec,
  PLATFORM_HINT,
  parseNodeEndpoint,
  type SecretSpec,
  secretFromFields,
} from './config.js';
import { type EmulationCost, emulationCostIn } from './heavy.js';
import { DEFAULT_PLATFORMS, expandTag, imageTags } from './tags.js';

export { expandTag, imageTags };
import { isSecretName, shownBuildArgs } from './redact.js';
import { type EmulationState, type NodeState, probeNode, routePlatform } from './nodes.js';

/** What `crossdock plan` prints and `crossdock build` executes. JSON shape: docs/build-json.md. */
export interface Plan {
  version: 1;
  tool: string;
  root: string;
  push: boolean;
  git: GitInfo;
  nodes: PlanNode[];
  images: PlannedImage[];
  /** Build secrets (RUN --mount=type=secret): where each value comes from, never the value. */
  secrets: PlanSecret[];
  /** Announcements (emulated platforms and their cost, unhealthy nodes skipped, secret-looking build args). */
  notices: string[];
  /** Reasons the build cannot start, each with its fix. Empty when it can. */
  problems: string[];
}

export interface PlanSecret {
  id: string;
  /** `env`: an environment variable of crossdock's; `file`: a file (absolute path). */
  source: 'env' | 'file';
  from: string;
}

export interface GitInfo {
  sha?: string;
  branch?: string;
  source?: string;
  dirty?: boolean;
}

export interface PlanNode {
  name: string;
  kind: NodeSpec['kind'];
  endpoint: string;
  origin: string;
  healthy: boolean;
  problem?: string;
  backend: NodeState['backend'];
  backendVersion?: string;
  native: string[];
  nativeSource: NodeState['nativeSource'];
  emulation: Record<string, EmulationState>;
}

export interface PlannedPlatform {
  platform: string;
  node: string;
  mode: 'native' | 'emulated';
  backend: NodeState['backend'];
  backendVersion?: string;
  /** For emulated builds: whether QEMU is registered on that node. */
  emulation?: EmulationState;
}

export interface PlannedImage {
  /** Repository (host/path) when known, else a local name derived from the Dockerfile's folder. */
  name: string;
  repository?: string;
  /** Context and Dockerfile relative to root (absolute when outside it). */
  context: string;
  dockerfile: string;
  target?: string;
  /** As shown: the values of secret-looking names are REDACTED (the real ones are in PlanResult.buildArgs). */
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  /** Full references the index is pushed under. */
  tags: string[];
  platforms: PlannedPlatform[];
  /** Where the image was defined: command line, crossdock.yaml, or the build graph. */
  origin: string;
  cache: string;
  /** Per-image reasons it cannot be built or pushed (also listed in Plan.problems). */
  problems: string[];
}

export interface PlanOptions {
  /** The repository folder (positional dir), absolute. */
  root: string;
  cwd: string;
  env: Record<string, string | undefined>;
  config?: string;
  file?: string;
  context?: string;
  tags: string[];
  platforms: string[];
  buildArgs: string[];
  /** `--secret id=ID,env=VAR` / `id=ID,src=FILE`. */
  secrets?: string[];
  target?: string;
  nodes: string[];
  push: boolean;
  /** Used for {date}; injectable for tests. */
  now?: Date;
}

/** A plan with what the build needs besides it: the probed nodes, the build settings, each image's verify policy. */
export interface PlanResult {
  plan: Plan;
  nodes: NodeState[];
  defaults: BuildDefaults;
  /** Image name → its verify policy from crossdock.yaml `images:` (validated while planning). */
  policies: Map<string, VerifyPolicy>;
  /** Each image's build args with their real values, in the order of plan.images. */
  buildArgs: Record<string, string>[];
  /** The secrets, with src paths made absolute (crossdock.yaml build.secrets, overridden by --secret). */
  secrets: SecretSpec[];
}

async function git(
  root: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  // exec adds the hardening options (no fsmonitor, no hooks, no optional locks).
  const r = await exec(['git', '-C', root, ...args], { timeoutMs: 10_000, inherit: env });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** git@host:team/app.git and https://user@host/team/app.git → https://host/team/app (no credentials). */
export function sourceUrl(remote: string): string | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(\.git)?$/.exec(remote);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  try {
    const u = new URL(remote);
    if (!['https:', 'http:', 'ssh:', 'git:'].includes(u.protocol)) return undefined;
    return `https://${u.protocol === 'https:' || u.protocol === 'http:' ? u.host : u.hostname}${u.pathname.replace(/\.git$/, '')}`;
  } catch {
    return undefined;
  }
}

export async function gitInfo(
  root: string,
  env: Record<string, string | undefined> = process.env,
): Promise<GitInfo> {
  const sha = await git(root, ['rev-parse', 'HEAD'], env);
  if (!sha) return {};
  const branch = await git(root, ['rev-parse', '--abbrev-ref', 'HEAD'], env);
  const remote = await git(root, ['remote', 'get-url', 'origin'], env);
  const status = await git(root, ['status', '--porcelain', '--untracked-files=no'], env);
  return {
    sha,
    branch: branch && branch !== 'HEAD' ? branch : undefined,
    source: remote ? sourceUrl(remote) : undefined,
    dirty: status !== undefined && status !== '',
  };
}

function parseKv(list: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i <= 0)
      throw new UsageError(`${flag} ${item}: expected KEY=VALUE`, {
        hint: `e.g. ${flag} PYTHON_VERSION=3.12`,
      });
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

function platformsFrom(list: string[], where: string): string[] {
  const out: string[] = [];
  for (const text of list
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean)) {
    const platform = buildPlatform(text);
    if (!platform) throw new UsageError(`${where}: "${text}" is not a platform`, { hint: PLATFORM_HINT });
    if (!out.includes(platform)) out.push(platform);
  }
  return out;
}

function displayPath(root: string, abs: string): string {
  const rel = relative(root, abs);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** A repository (host/path, no tag) from a tag reference, or undefined with the reason. */
function repositoryOf(ref: string): { repository?: string; tag?: string; problem?: string } {
  const parsed = parseImageRef(ref);
  if (!parsed.ok) return { problem: `"${ref}" is not a valid image reference: ${parsed.problem}` };
  const r = parsed.ref;
  const host = r.registry === 'docker.io' ? 'docker.io' : r.registry;
  return { repository: `${host}/${r.repository}`, tag: r.tag };
}

interface ImageInput {
  origin: string;
  repository?: string;
  /** Explicit tags (tag part only); undefined → templates. */
  tags?: string[];
  context: string;
  dockerfile: string;
  target?: string;
  buildArgs: Record<string, string>;
  platforms: string[];
}

/** Makes the plan: which images, which platforms, on which nodes. Probes the nodes; builds nothing. */
export async function makePlan(options: PlanOptions): Promise<PlanResult> {
  const { root, env } = options;
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new ConfigError(`${root}: no such directory`, {
      hint: 'pass the folder holding the build context',
    });
  // Phase 1: everything the user wrote (crossdock.yaml, flags) is checked before anything runs.
  const bc = await loadBuildConfig(root, options.config ? resolve(options.cwd, options.config) : undefined);
  const flagNodes = options.nodes.map(parseNodeFlag);
  const flagPlatforms = platformsFrom(options.platforms, '--platform');
  const buildArgs = parseKv(options.buildArgs, '--build-arg');
  const secrets = planSecrets(bc, options);
  const inputs = await imageInputs(options, bc, flagPlatforms, buildArgs);

  // Phase 2: probe the nodes (crossdock.yaml, overridden and extended by --node; the local engine without any).
  const notices: string[] = [];
  const specs = nodeSpecs(bc.nodes, flagNodes, env);
  for (const s of specs)
    if (s.kind === 'docker' && s.endpoint.startsWith('tcp://') && !s.tlsCertPath)
      notices.push(
        `node ${s.name} (${s.endpoint}) is reached over plain TCP: the Docker API is unauthenticated and unencrypted there; give the node \`tls:\` (a folder with ca.pem, cert.pem, key.pem) or use ssh://`,
      );
  const archs = [...new Set(inputs.flatMap((i) => i.platforms))].map((p) => p.split('/')[1] ?? '');
  const states = await Promise.all(specs.map((s) => probeNode(s, env, archs)));
  const info = await gitInfo(root, env);
  for (const s of states)
    if (!s.healthy)
      notices.push(`node ${s.spec.name} is not usable and gets no work: ${s.problem ?? 'unknown problem'}`);

  // Phase 3: route each image × platform, expand its tags.
  const load = new Map<string, number>();
  const policies = new Map<string, VerifyPolicy>();
  const images: PlannedImage[] = [];
  const problems: string[] = [];
  const now = options.now ?? new Date();
  for (const input of inputs) {
    const image = await planImage(input, { root, push: options.push, bc, info, now, states, load, notices });
    try {
      policies.set(image.name, policyFromConfig(bc.config.raw, image.name, image.name));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      image.problems.push(`${e.message}${e.hint ? `; ${e.hint}` : ''}`);
    }
    for (const p of image.problems) problems.push(`${image.name}: ${p}`);
    images.push(image);
  }
  notices.push(...secretArgNotices(inputs));
  problems.push(...(await secretProblems(secrets, env)));
  const plan: Plan = {
    version: 1,
    tool: `crossdock ${VERSION}`,
    root,
    push: options.push,
    git: info,
    nodes: states.map(planNode),
    images,
    secrets: secrets.map((x) =>
      'env' in x ? { id: x.id, source: 'env', from: x.env } : { id: x.id, source: 'file', from: x.src },
    ),
    notices,
    problems,
  };
  return {
    plan,
    nodes: states,
    defaults: bc.defaults,
    policies,
    buildArgs: inputs.map((i) => i.buildArgs),
    secrets,
  };
}

function expandHome(path: string, env: Record<string, string | undefined>): string {
  return path === '~' || path.startsWith('~/') ? join(env.HOME || homedir(), path.slice(1)) : path;
}

/** crossdock.yaml build.secrets (src relative to its folder), overridden and extended by --secret (src relative to cwd). */
function planSecrets(bc: BuildConfig, options: PlanOptions): SecretSpec[] {
  const out = new Map<string, SecretSpec>();
  for (const s of bc.defaults.secrets)
    out.set(s.id, 'src' in s ? { ...s, src: resolve(bc.dir, expandHome(s.src, options.env)) } : s);
  for (const text of options.secrets ?? []) {
    const fields: Record<string, string> = {};
    for (const part of text.split(',')) {
      const i = part.indexOf('=');
      if (i <= 0)
        throw new UsageError(`--secret ${text}: "${part}" is not KEY=VALUE`, {
          hint: 'e.g. --secret id=npm_token,env=NPM_TOKEN or --secret id=pip_conf,src=./pip.conf',
        });
      fields[part.slice(0, i)] = part.slice(i + 1);
    }
    const s = secretFromFields(fields, `--secret ${text}`);
    if (typeof s === 'string')
      throw new UsageError(`--secret ${text}: ${s}`, {
        hint: 'e.g. --secret id=npm_token,env=NPM_TOKEN or --secret id=pip_conf,src=./pip.conf',
      });
    out.set(s.id, 'src' in s ? { ...s, src: resolve(options.cwd, expandHome(s.src, options.env)) } : s);
  }
  return [...out.values()];
}

/** A secret whose variable is unset or whose file cannot be read stops the build before it starts. */
async function secretProblems(
  secrets: SecretSpec[],
  env: Record<string, string | undefined>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const s of secrets) {
    if ('env' in s) {
      if (env[s.env] === undefined)
        problems.push(
          `secret ${s.id}: the environment variable ${s.env} is not set; export it before the build (${s.origin})`,
        );
    } else {
      const ok = await fs.access(s.src, fsConstants.R_OK).then(
        () => true,
        () => false,
      );
      if (!ok) problems.push(`secret ${s.id}: cannot read ${s.src}; fix src= (${s.origin})`);
    }
  }
  return problems;
}

/** One notice per build arg whose name looks secret: it is redacted here, but an image keeps build args. */
function secretArgNotices(inputs: ImageInput[]): string[] {
  const names = [...new Set(inputs.flatMap((i) => Object.keys(i.buildArgs)).filter(isSecretName))];
  return names.map((name) => {
    const id = name.toLowerCase();
    return `build arg ${name} looks like a secret: its value is kept out of the plan, the logs and the run record, but a build arg stays readable in the image (\`docker history\`); pass it as a secret instead: --secret id=${id},env=${name} and RUN --mount=type=secret,id=${id} (build.secrets in crossdock.yaml)`;
  });
}

function parseNodeFlag(n: string): NodeSpec {
  const i = n.indexOf('=');
  if (i <= 0)
    throw new UsageError(`--node ${n}: expected NAME=ENDPOINT`, {
      hint: 'e.g. --node pi5=ssh://builder@10.0.0.5',
    });
  return parseNodeEndpoint(n.slice(0, i), n.slice(i + 1), `--node ${n}`);
}

function nodeSpecs(
  config: NodeSpec[],
  flags: NodeSpec[],
  env: Record<string, string | undefined>,
): NodeSpec[] {
  const specs: NodeSpec[] = [...config];
  for (const n of flags) {
    const i = specs.findIndex((s) => s.name === n.name);
    if (i >= 0) specs[i] = n;
    else specs.push(n);
  }
  if (specs.length === 0)
    specs.push({
      name: 'local',
      kind: 'docker',
      // Empty: whatever the docker CLI uses by default (DOCKER_HOST, DOCKER_CONTEXT, `docker context use`).
      endpoint: env.DOCKER_HOST || '',
      origin: env.DOCKER_HOST ? 'default (DOCKER_HOST)' : "default (the docker CLI's current context)",
    });
  return specs;
}

function planNode(s: NodeState): PlanNode {
  return {
    name: s.spec.name,
    kind: s.spec.kind,
    endpoint: s.spec.endpoint,
    origin: s.spec.origin,
    healthy: s.healthy,
    ...(s.problem ? { problem: s.problem } : {}),
    backend: s.backend,
    backendVersion: s.backendVersion,
    native: s.native,
    nativeSource: s.nativeSource,
    emulation: s.emulation,
  };
}

/** The images to build: from the flags, else crossdock.yaml images:, else the build graph. */
async function imageInputs(
  options: PlanOptions,
  bc: BuildConfig,
  flagPlatforms: string[],
  buildArgs: Record<string, string>,
): Promise<ImageInput[]> {
  const { root } = options;
  const defaultPlatforms = flagPlatforms.length
    ? flagPlatforms
    : (bc.config.platforms?.map(formatPlatform) ?? DEFAULT_PLATFORMS);
  const inputs: ImageInput[] = [];
  const direct = options.file !== undefined || options.context !== undefined || options.tags.length > 0;
  if (direct) inputs.push(flagInput(options, bc, flagPlatforms, defaultPlatforms, buildArgs));
  else if (bc.images.length > 0)
    for (const spec of bc.images)
      inputs.push(fromSpec(spec, root, bc, buildArgs, options.target, flagPlatforms, defaultPlatforms));
  else inputs.push(...(await fromGraph(root, options, buildArgs, flagPlatforms)));
  if (inputs.length === 0)
    throw new ConfigError(
      `nothing to build in ${root}: no Dockerfile, no build definition, no images: in crossdock.yaml`,
      {
        hint: 'pass --file and --tag, or describe the image in crossdock.yaml (images: { "reg/app": { context: . } })',
      },
    );
  return inputs;
}

function flagInput(
  options: PlanOptions,
  bc: BuildConfig,
  flagPlatforms: string[],
  defaultPlatforms: string[],
  buildArgs: Record<string, string>,
): ImageInput {
  const context = resolve(options.cwd, options.context ?? options.root);
  const dockerfile = options.file ? resolve(options.cwd, options.file) : resolve(context, 'Dockerfile');
  let repository: string | undefined;
  const tags: string[] = [];
  for (const t of options.tags) {
    const r = repositoryOf(t);
    if (r.problem)
      throw new UsageError(`--tag ${t}: ${r.problem}`, {
        hint: 'e.g. --tag registry.example:5000/team/app:1.0',
      });
    if (repository && r.repository !== repository)
      throw new UsageError(
        `--tag ${t}: every tag of one build must name the same repository (${repository})`,
        {
          hint: 'build once, then publish under another repository with `crossdock copy`',
        },
      );
    repository = r.repository;
    if (r.tag) tags.push(r.tag);
  }
  const fromConfig = bc.images.find((c) => c.repository === repository);
  return {
    origin: 'command line',
    repository,
    tags: tags.length ? tags : fromConfig?.tags,
    context,
    dockerfile,
    target: options.target,
    buildArgs: { ...fromConfig?.buildArgs, ...buildArgs },
    platforms: flagPlatforms.length ? flagPlatforms : (fromConfig?.platforms ?? defaultPlatforms),
  };
}

export { type Route, routePlatform } from './nodes.js';

interface PlanContext {
  root: string;
  push: boolean;
  bc: BuildConfig;
  info: GitInfo;
  now: Date;
  states: NodeState[];
  /** Platforms given to each node so far (routing spreads the work). */
  load: Map<string, number>;
  notices: string[];
}

async function planImage(input: ImageInput, c: PlanContext): Promise<PlannedImage> {
  const problems: string[] = [];
  if (!existsSync(input.context))
    problems.push(
      `build context ${displayPath(c.root, input.context)} does not exist; fix --context or images.*.context`,
    );
  else if (!existsSync(input.dockerfile))
    problems.push(
      `Dockerfile ${displayPath(c.root, input.dockerfile)} does not exist; fix --file or images.*.dockerfile`,
    );
  const name = input.repository ?? localName(c.root, input);
  let tags: string[] = [];
  if (input.repository) {
    try {
      // Tags from flags, images.*.tags and build.tags are all templates ({sha} works everywhere) and all checked.
      tags = imageTags(input.repository, input.tags ?? c.bc.defaults.tags, c.info, c.now);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(`${e.message}; ${e.hint ?? ''}`.replace(/; $/, ''));
    }
  } else if (c.push)
    problems.push(
      `${name} has no repository to push to; give --tag REGISTRY/REPO[:TAG] or an images: entry in crossdock.yaml`,
    );
  if (input.platforms.length === 0)
    problems.push('no platform to build; set --platform or platforms: in crossdock.yaml');
  const labels: Record<string, string> = { ...c.bc.defaults.labels };
  if (c.info.sha) labels['org.opencontainers.image.revision'] = c.info.sha;
  const source = c.bc.defaults.source ?? c.info.source;
  if (source) labels['org.opencontainers.image.source'] = source;
  labels['org.opencontainers.image.created'] = '{build time}';

  const platforms: PlannedPlatform[] = [];
  let heavy: EmulationCost | undefined;
  for (const platform of input.platforms) {
    const route = routePlatform(platform, c.states, c.load, c.bc.defaults.emulation);
    if ('problem' in route) {
      problems.push(route.problem);
      continue;
    }
    const { node } = route;
    c.load.set(node.spec.name, (c.load.get(node.spec.name) ?? 0) + 1);
    platforms.push({
      platform,
      node: node.spec.name,
      mode: route.mode,
      backend: node.backend,
      backendVersion: node.backendVersion,
      ...(route.mode === 'emulated' ? { emulation: route.emulation } : {}),
    });
    if (route.mode === 'emulated') {
      const arch = platform.split('/')[1] ?? '';
      heavy ??= await emulationCostIn(input.context);
      // Offline, only packages that publish no Linux wheels at all are known to compile; the others' wheels
      // are the index's to say.
      const cost = heavy.heavy.length
        ? `expect it to take hours, not minutes: ${heavy.heavy.join(', ')} ${heavy.heavy.length === 1 ? 'compiles' : 'compile'} from source under emulation (no prebuilt ${arch} wheel or binary is published)`
        : heavy.python
          ? `expect it to take several times longer than a native build (5-20x for compiling steps); its Python packages may compile from source under emulation: run \`crossdock deps\` or \`check --online\` to know`
          : 'expect it to take several times longer than a native build (5-20x for compiling steps)';
      c.notices.push(
        `${name} ${platform} will be emulated (QEMU${route.emulation === 'unknown' ? ', not verified on that node' : ''}) on node ${node.spec.name}: ${cost}; a native ${arch} node avoids this`,
      );
    }
  }
  const usedBackends = new Set(platforms.map((p) => p.backend));
  const cacheRegistry = c.bc.defaults.cacheRegistry;
  const cache = [
    'engine-local layer cache on each node',
    ...(cacheRegistry
      ? usedBackends.has('buildx')
        ? [`registry cache ${cacheRegistry} (buildx nodes)`]
        : [`registry cache ${cacheRegistry} ignored: only buildx nodes use it`]
      : []),
  ].join('; ');
  return {
    name,
    repository: input.repository,
    context: displayPath(c.root, input.context),
    dockerfile: displayPath(c.root, input.dockerfile),
    target: input.target,
    buildArgs: shownBuildArgs(input.buildArgs),
    labels,
    tags,
    platforms,
    origin: input.origin,
    cache,
    problems,
  };
}

function localName(root: string, input: ImageInput): string {
  const dir = basename(input.context === root ? root : input.context).toLowerCase();
  return dir.replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'image';
}

function fromSpec(
  spec: ImageBuildSpec,
  root: string,
  bc: BuildConfig,
  buildArgs: Record<string, string>,
  target: string | undefined,
  flagPlatforms: string[],
  defaultPlatforms: string[],
): ImageInput {
  const r = repositoryOf(spec.repository);
  if (r.problem || r.tag)
    throw new ConfigError(
      `${bc.source.at(['images', spec.repository], true)}: images."${spec.repository}": ${r.problem ?? 'the key is a repository, without a tag'}`,
      {
        hint: 'write the repository as the key (reg:5000/team/app) and tags under tags:',
      },
    );
  const context = resolve(root, spec.context ?? '.');
  return {
    origin: `crossdock.yaml images."${spec.repository}"`,
    repository: r.repository,
    tags: spec.tags,
    context,
    dockerfile: spec.dockerfile ? resolve(root, spec.dockerfile) : resolve(context, 'Dockerfile'),
    target: target ?? spec.target,
    buildArgs: { ...spec.buildArgs, ...buildArgs },
    platforms: flagPlatforms.length ? flagPlatforms : (spec.platforms ?? defaultPlatforms),
  };
}

/** Builds the build graph defines (scripts, workflows, compose, bake), or each Dockerfile when none does. */
async function fromGraph(
  root: string,
  options: PlanOptions,
  buildArgs: Record<string, string>,
  flagPlatforms: string[],
): Promise<ImageInput[]> {
  const model = await loadProject({ root, cwd: options.cwd, configPath: options.config });
  // Only builds whose Dockerfile and context are known can be built; a Dockerfile nothing builds is built from
  // its own folder when nothing in the repository builds anything.
  const explicit = model.builds.filter(
    (b) =>
      b.origin !== 'dockerfile' && b.dockerfile.known && b.context.known && (!b.target || b.target.known),
  );
  const chosen = explicit.length ? explicit : model.builds.filter((b) => b.origin === 'dockerfile');
  const seen = new Set<string>();
  const out: ImageInput[] = [];
  for (const b of chosen) {
    const dockerfile = b.dockerfile.known ? b.dockerfile.value : undefined;
    if (!dockerfile) continue;
    const context = b.context.known ? b.context.value : dirname(dockerfile);
    const target = b.target?.known ? b.target.value : undefined;
    const key = `${dockerfile}\0${context}\0${target ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let repository: string | undefined;
    let tags: string[] | undefined;
    for (const t of b.tags) {
      const p = parseBuildTag(t);
      if (!p) continue;
      const repo = `${p.registry}/${p.repository}`;
      if (repository && repo !== repository) continue;
      repository = repo;
      if (p.tag && !t.includes('$')) tags = [...(tags ?? []), p.tag];
    }
    const args: Record<string, string> = {};
    for (const [k, v] of Object.entries(b.buildArgs)) if (v.known) args[k] = v.value;
    out.push({
      origin: `build graph: ${b.definedAt.file}:${b.definedAt.line}`,
      repository,
      tags,
      context: resolve(root, context),
      dockerfile: resolve(root, dockerfile),
      target: options.target ?? target,
      buildArgs: { ...args, ...buildArgs },
      platforms: flagPlatforms.length
        ? flagPlatforms
        : b.platformsExplicit && b.platforms.known
          ? b.platforms.value.map(formatPlatform)
          : DEFAULT_PLATFORMS,
    });
  }
  return out;
}
