import { runnerArchitecture } from '../knowledge/runners.js';
import type {
  Container,
  Ingress,
  Kustomization,
  KustomizePatch,
  RegistryMention,
  Site,
  Workload,
} from '../model/deploy.js';
import type { Dockerfile } from '../model/dockerfile.js';
import { copyMappings, imageFileSource, normalize, stageViews, workdirAt } from '../model/eval.js';
import {
  imageMention,
  parseBuildTag,
  parseImageRef,
  placeholderIn,
  repositoryKey,
} from '../model/image-ref.js';
import { formatPlatform, parsePlatform, type Platform, samePlatform } from '../model/platform.js';
import type { Build, DeploymentUnit, ImageView, ProjectModel, Targets } from '../model/project.js';
import { ancestors, basename, dirname, joinPath, pathStatus, present, within } from '../model/repo.js';
import { locate, SourceFile } from '../model/source.js';
import { cutAtFirst } from '../model/text.js';
import { readPatch } from '../sources/k8s/kustomize.js';
import { parseYaml } from '../sources/yaml/node.js';
import { known, unknown, unknownKey, type Value } from '../model/value.js';
import type { BakeFile, BakeTarget } from '../sources/bake/parse.js';
import { addBuild, commandBuild, platformList, runnersNative } from '../sources/builds.js';
import { type Cwd, knownBakeFiles, scanShell, unknownCwd } from '../sources/scripts/scan.js';
import { type MakeRule, makefileRecipes, makeVariables } from '../sources/scripts/makefile.js';
import { parseShell } from '../sources/shell/parse.js';
import type { BakeInvocation, ComposeInvocation, Invocation } from '../sources/workflows/workflow.js';
import type { ScriptSource } from './families.js';

/**
 * The link phase, after every file is loaded, in one direction: build sites in scripts and bake files are resolved
 * (per invocation, so a script run from a workflow step knows its folder and job) → builds from crossdock.yaml →
 * Dockerfiles nothing builds → targets → one view per (build, Dockerfile) → deployment units (kustomizations
 * rendered with their bases and patches) → containers linked to builds → what is reached.
 */

export interface LinkInput {
  scripts: ScriptSource[];
  invocations: Invocation[];
  bakeFiles: { file: SourceFile; bake: BakeFile }[];
  bakeInvocations: BakeInvocation[];
  /** Compose files workflow jobs run (scripts a job runs add theirs while they are scanned). */
  composeInvocations: ComposeInvocation[];
  platformsFlag: Platform[] | undefined;
}

const MAX_SCRIPT_DEPTH = 4;

interface Queued {
  source: ScriptSource;
  cwd: Cwd;
  args: (string | undefined)[] | undefined;
  env: Map<string, Value<string>>;
  /** The caller is known and `env` is all it sets (false for scripts nothing in the repository runs). */
  envKnown: boolean;
  /** `make … NAME=value`: make's command-line variables (for a Makefile). */
  makeVars?: Map<string, Value<string>>;
  job: Build['job'];
  runsOn: Build['runsOn'];
  qemu: boolean;
  before: Build['before'];
  depth: number;
  /** The workflow step command that runs the script (direct invocations only). */
  invokedAt?: Site;
  /** Nothing in the repository runs the script. */
  standalone?: boolean;
}

/** Build sites in scripts and Makefiles, each scanned per invocation. */
export function linkScripts(
  model: ProjectModel,
  input: LinkInput,
  renders: { value: string; site: Site }[],
  applies: { value: string; site: Site }[],
  bakes: BakeInvocation[],
): void {
  const byPath = new Map(input.scripts.map((s) => [s.npm ?? s.file.path, s]));
  const done = new Set<string>();
  const scanned = new Set<string>();
  const queue: Queued[] = [];
  const enqueue = (q: Queued) => {
    const key = JSON.stringify([
      q.source.file.path,
      q.cwd.known ? q.cwd.path : q.cwd.candidates,
      q.args,
      [...(q.makeVars ?? [])].map(([k, v]) => [k, v.known ? v.value : `?${v.reason}`]),
      [...q.env].map(([k, v]) => [k, v.known ? v.value : `?${v.reason}`]),
      q.envKnown,
      q.job?.job.id,
      q.job?.workflow.file.path,
      q.runsOn?.map((r) => r.labels),
    ]);
    if (done.has(key) || q.depth > MAX_SCRIPT_DEPTH) return;
    done.add(key);
    queue.push(q);
  };
  for (const inv of input.invocations) {
    const source = byPath.get(inv.path);
    if (!source) continue;
    enqueue({
      source,
      cwd: { known: true, path: inv.cwd },
      args: inv.args,
      env: inv.env,
      envKnown: inv.envKnown,
      makeVars: inv.makeVars,
      job: inv.job,
      runsOn: inv.runsOn,
      qemu: inv.qemu,
      before: inv.before,
      depth: 0,
      invokedAt: inv.site,
    });
  }
  const drain = () => {
    while (queue.length) {
      const q = queue.shift() as Queued;
      scanned.add(q.source.npm ?? q.source.file.path);
      scanOne(model, q, byPath, enqueue, renders, applies, bakes, input.composeInvocations);
    }
  };
  drain();
  // Makefiles run their recipes in their own folder; scripts nothing runs, from the root or their folder.
  for (const s of input.scripts) {
    if (scanned.has(s.npm ?? s.file.path)) continue;
    enqueue({
      source: s,
      cwd: s.make
        ? { known: true, path: dirname(s.file.path) }
        : unknownCwd(s.file.path, { file: s.file, span: { start: 0, end: 0 } }),
      args: undefined,
      env: new Map(),
      envKnown: false,
      job: undefined,
      runsOn: undefined,
      qemu: false,
      before: [],
      depth: 0,
      standalone: true,
    });
    drain();
  }
}

function scanOne(
  model: ProjectModel,
  q: Queued,
  byPath: Map<string, ScriptSource>,
  enqueue: (q: Queued) => void,
  renders: { value: string; site: Site }[],
  applies: { value: string; site: Site }[],
  bakes: BakeInvocation[],
  composes: ComposeInvocation[],
): void {
  const file = q.source.file;
  // A Makefile's recipes as make runs them for this call: its variables with the command line's and the
  // caller's environment applied; references to unknown values left to the scanner as unknown variables.
  let script = q.source.script;
  let env = q.env;
  if (q.source.make) {
    const values = makeVariables(q.source.makeVars ?? [], q.makeVars, q.env, file, q.envKnown);
    const r = makefileRecipes(file, values);
    script = parseShell(r.text, 0, r.offsets);
    env = new Map([...q.env, ...r.env]);
  }
  const scan = scanShell(script, {
    file,
    scriptPath: q.source.make || q.source.npm ? undefined : file.path,
    cwd: q.cwd,
    args: q.source.make ? undefined : q.args,
    env,
    envKnown: q.envKnown,
    cwdPerLine: q.source.make,
  });
  const native = runnersNative(q.runsOn, { file, span: { start: 0, end: 0 } }, 'machine running it');
  const suffix = q.job ? `@${q.job.workflow.file.path}#${q.job.job.id}` : '';
  for (const [n, b] of scan.builds.entries()) {
    const line = file.position(b.site.span.start).line;
    // What ran before: the caller's steps, then this text's own commands (paths resolved as the text ran); in a
    // Makefile only the recipe's own earlier lines and its prerequisites' recipes.
    const own = q.source.rules ? makeBefore(q.source.rules, b.site.span.start, b.before) : b.before;
    const before: Build['before'] = [...q.before, ...own];
    const build = commandBuild(b, {
      id: `${q.source.make ? 'makefile' : 'script'}:${file.path}:${line}${q.source.npm ? `#${q.source.npm.split('#')[1]}` : ''}${n ? `#${n}` : ''}${suffix}`,
      origin: q.source.make ? 'makefile' : 'script',
      inventory: model.inventory,
      native,
      job: q.job,
      runsOn: q.runsOn,
      qemu: q.qemu || /\bbinfmt\b|qemu-user-static/.test(file.text),
      before,
    });
    if (q.invokedAt) build.invokedAt = q.invokedAt;
    if (q.standalone) build.standalone = true;
    addBuild(model.builds, build);
  }
  for (const p of scan.pushes) model.registries.push(...imageMention(p, 'push'));
  for (const l of scan.logins) model.registries.push(...loginMentionOf(l));
  // Where the working directory is not known: a render may fill any candidate that exists (so no claim rests on
  // those files' placeholders), but an apply reaches nothing, since which file it deploys is not known.
  const exists = (x: { value: string; candidate?: boolean }) =>
    !x.candidate || pathStatus(model.inventory, x.value) !== 'absent';
  renders.push(...scan.renders.filter(exists));
  applies.push(...scan.applies.filter((x) => !x.candidate));
  for (const c of scan.composes) {
    model.composeRuns.add(c.value);
    if (q.job)
      composes.push({
        run: c,
        job: q.job,
        runsOn: q.runsOn ?? q.job.job.runsOn,
        qemu: q.qemu,
        before: q.before,
      });
  }
  for (const b of scan.bakes) {
    const where = knownBakeFiles(b);
    if (!where) continue;
    bakes.push({
      files: where.files,
      targets: b.targets,
      cwd: where.cwd,
      push: b.push,
      platforms: undefined,
      job: q.job as BakeInvocation['job'],
      runsOn: q.runsOn ?? [],
      qemu: q.qemu,
      before: q.before,
      site: b.site,
    });
  }
  for (const r of scan.runs) {
    const target = r.path ? byPath.get(r.path) : undefined;
    if (!target) continue;
    enqueue({
      source: target,
      cwd: target.make || target.npm ? { known: true, path: dirname(target.file.path) } : r.cwd,
      args: r.args,
      env: r.env ?? new Map(),
      envKnown: q.envKnown,
      makeVars: r.makeVars,
      job: q.job,
      runsOn: q.runsOn,
      qemu: q.qemu,
      before: q.before,
      depth: q.depth + 1,
    });
  }
}

function loginMentionOf(l: { value: string; site: Site }): RegistryMention[] {
  const host = l.value.replace(/^https?:\/\//, '').split('/')[0] ?? '';
  return host && !host.startsWith('$') ? [{ host, repository: undefined, role: 'login', site: l.site }] : [];
}

/** Bake targets: per invocation (workflow, script), else from the folder the file is in (or the root). */
export function linkBake(model: ProjectModel, input: LinkInput, invocations: BakeInvocation[]): void {
  const invoked = new Set<string>();
  const make = (
    entry: { file: SourceFile; bake: BakeFile },
    cwds: string[],
    inv: BakeInvocation | undefined,
  ) => {
    const { file, bake } = entry;
    const grouped = new Set(bake.groups.flatMap((g) => g.targets));
    const inherited = new Set(bake.targets.flatMap((t) => t.inherits));
    const wanted = inv?.targets.length
      ? new Set(inv.targets.flatMap((t) => bake.groups.find((g) => g.name === t)?.targets ?? [t]))
      : undefined;
    for (const t of bake.targets) {
      // `_name` targets and targets only inherited from are templates, not builds.
      if (
        wanted
          ? !wanted.has(t.name)
          : t.name.startsWith('_') || (inherited.has(t.name) && !grouped.has(t.name))
      )
        continue;
      addBuild(model.builds, bakeBuild(model, file, t, cwds, inv));
    }
  };
  for (const inv of invocations) {
    const files = inv.files.length
      ? inv.files.map((f) => joinPath(inv.cwd, f))
      : input.bakeFiles.map((b) => b.file.path).filter((p) => dirname(p) === inv.cwd);
    for (const f of files) {
      const entry = input.bakeFiles.find((b) => b.file.path === f);
      if (!entry) continue;
      invoked.add(entry.file.path);
      make(entry, [inv.cwd], inv);
    }
  }
  for (const entry of input.bakeFiles) {
    if (invoked.has(entry.file.path)) continue;
    const dir = dirname(entry.file.path);
    make(entry, dir === '.' ? ['.'] : [dir, '.'], undefined);
  }
}

function bakeBuild(
  model: ProjectModel,
  file: SourceFile,
  t: BakeTarget,
  cwds: string[],
  inv: BakeInvocation | undefined,
): Build {
  const site = (span: { start: number; end: number }): Site => ({ file, span });
  const pairs = cwds.map((cwd) => {
    const context = joinPath(cwd, t.context?.value ?? '.');
    const dockerfile =
      context === undefined ? undefined : joinPath(context, t.dockerfile?.value ?? 'Dockerfile');
    return { context, dockerfile };
  });
  const existing = pairs.filter(
    (p) => p.dockerfile && pathStatus(model.inventory, p.dockerfile) !== 'absent',
  );
  const chosen = pairs.length === 1 ? pairs : existing.length === 1 ? existing : [];
  const ctxSite = t.context ? site(t.context.span) : site(t.span);
  let context: Build['context'];
  let dockerfile: Build['dockerfile'];
  const one = chosen[0];
  if (one && chosen.length === 1) {
    const origin = {
      kind: pairs.length === 1 ? ('literal' as const) : ('convention' as const),
      site: ctxSite,
      detail:
        pairs.length === 1 ? undefined : `the only folder bake can run from for ${one.dockerfile} to exist`,
    };
    context =
      one.context === undefined
        ? unknown('outside-repository', 'the bake context leaves the repository', ctxSite)
        : known(one.context, origin);
    dockerfile =
      one.dockerfile === undefined
        ? unknown('outside-repository', 'the Dockerfile leaves the repository', ctxSite)
        : known(one.dockerfile, origin);
  } else {
    const why = unknown(
      'working-directory',
      `nothing in the repository runs ${file.path}, and its paths are relative to the folder bake runs in`,
      ctxSite,
      'run it from a workflow (docker/bake-action with workdir) or keep the bake file at the repository root',
    );
    context = { ...why, candidates: pairs.map((p) => p.context).filter((c): c is string => c !== undefined) };
    dockerfile = why;
  }
  let platforms: Build['platforms'];
  if (inv?.platforms)
    platforms = inv.platforms.known ? platformList(inv.platforms.value, inv.platforms.origin) : inv.platforms;
  else if (t.platforms.length)
    platforms = platformList(t.platforms.map((p) => p.value).join(','), {
      kind: 'literal',
      site: site(t.platforms[0]?.span ?? t.span),
    });
  else platforms = runnersNative(inv?.runsOn, site(t.span), 'machine running bake');
  const namedContexts: Record<string, string> = {};
  for (const [k, v] of Object.entries((t as { contexts?: Record<string, { value: string }> }).contexts ?? {}))
    namedContexts[k] = v.value;
  return {
    id: `bake:${file.path}#${t.name}${inv ? `@${inv.site.file.path}:${inv.site.file.position(inv.site.span.start).line}` : ''}`,
    origin: 'bake',
    definedAt: locate(file, t.span),
    dockerfile,
    context,
    platforms,
    platformsExplicit: t.platforms.length > 0 || inv?.platforms !== undefined,
    tags: t.tags.map((x) => x.value),
    buildArgs: Object.fromEntries(
      Object.entries(t.args).map(([k, v]) => [k, known(v.value, { kind: 'build-arg', site: site(v.span) })]),
    ),
    target: t.target ? known(t.target.value, { kind: 'literal', site: site(t.target.span) }) : undefined,
    push: inv?.push === true || t.push === true,
    namedContexts,
    sites: {
      definition: site(t.span),
      context: t.context ? site(t.context.span) : undefined,
      dockerfile: t.dockerfile ? site(t.dockerfile.span) : undefined,
      platforms: inv?.platformsSite ?? (t.platforms[0] ? site(t.platforms[0].span) : undefined),
      tags: t.tags.map((x) => site(x.span)),
    },
    job: inv?.job,
    runsOn: inv?.runsOn,
    qemu: inv?.qemu,
    before: inv?.before ?? [],
  };
}

/**
 * Compose builds a workflow job runs (`docker compose build`, `up --build`; `up` for services with no image to
 * pull) run in that job, on its runner: one build per job (the first keeps the compose build's id, which its
 * service links to). Compose files no job runs keep their build without a job.
 */
export function linkComposeJobs(model: ProjectModel, invocations: ComposeInvocation[]): void {
  for (const b of [...model.builds]) {
    if (b.origin !== 'compose') continue;
    const jobs = new Map<string, ComposeInvocation>();
    for (const inv of invocations) {
      if (inv.run.value !== b.definedAt.file) continue;
      if (inv.run.builds !== 'always' && !(inv.run.builds === 'missing' && b.tags.length === 0)) continue;
      const key = `${inv.job.workflow.file.path}#${inv.job.job.id}`;
      const prev = jobs.get(key);
      // Every runner the job runs compose on (one per matrix combination when the step depends on the matrix).
      if (prev) {
        const seen = new Set(prev.runsOn.map((r) => r.labels.join('\0')));
        const more = inv.runsOn.filter((r) => !seen.has(r.labels.join('\0')));
        if (more.length) jobs.set(key, { ...prev, runsOn: [...prev.runsOn, ...more] });
      } else jobs.set(key, inv);
    }
    [...jobs].forEach(([key, inv], n) => {
      const jobbed: Build = {
        ...b,
        id: n === 0 ? b.id : `${b.id}@${key}`,
        job: inv.job,
        runsOn: inv.runsOn,
        qemu: inv.qemu,
        before: inv.before,
        platforms: b.platformsExplicit
          ? b.platforms
          : runnersNative(inv.runsOn, inv.run.site, 'machine running compose'),
      };
      if (n === 0) Object.assign(b, jobbed);
      else model.builds.push(jobbed);
    });
  }
}

/** `images:` entries of crossdock.yaml that describe a build. */
export function linkConfigImages(model: ProjectModel): void {
  const images = model.config.raw.images;
  if (typeof images !== 'object' || images === null || Array.isArray(images)) return;
  const cfgFile = model.config.path ? model.sources.get(model.config.path) : undefined;
  for (const [repository, v] of Object.entries(images as Record<string, unknown>)) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
    const spec = v as Record<string, unknown>;
    if (spec.context === undefined && spec.dockerfile === undefined) continue;
    const context = joinPath('.', String(spec.context ?? '.'));
    const dockerfile =
      spec.dockerfile !== undefined
        ? joinPath('.', String(spec.dockerfile))
        : context === undefined
          ? undefined
          : joinPath(context, 'Dockerfile');
    const origin = { kind: 'config' as const, detail: `crossdock.yaml images."${repository}"` };
    const platforms = Array.isArray(spec.platforms)
      ? spec.platforms.map((p) => parsePlatform(String(p))).filter((p): p is Platform => !!p)
      : model.config.platforms;
    const args: Record<string, Value<string>> = {};
    if (typeof spec.buildArgs === 'object' && spec.buildArgs !== null)
      for (const [k, a] of Object.entries(spec.buildArgs as Record<string, unknown>))
        args[k] = known(String(a), origin);
    const where = {
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
      file: model.config.path ?? 'crossdock.yaml',
    };
    model.builds.push({
      id: `config:${repository}`,
      origin: 'config',
      definedAt: where,
      dockerfile:
        dockerfile === undefined
          ? unknown('outside-repository', 'leaves the repository')
          : known(dockerfile, origin),
      context:
        context === undefined
          ? unknown('outside-repository', 'leaves the repository')
          : known(context, origin),
      platforms: platforms?.length
        ? known(platforms, origin)
        : unknown(
            'no-build-site',
            `crossdock.yaml images."${repository}" names no platforms`,
            undefined,
            'add platforms: to the image or to crossdock.yaml',
          ),
      platformsExplicit: !!platforms?.length,
      tags: [repository],
      buildArgs: args,
      target: typeof spec.target === 'string' ? known(spec.target, { kind: 'config' }) : undefined,
      push: true,
      namedContexts: {},
      sites: cfgFile ? { definition: { file: cfgFile, span: { start: 0, end: 0 } }, tags: [] } : undefined,
      before: [],
    });
  }
}

/** One build for each Dockerfile nothing builds: its context is one of its folders, its platforms unknown. */
export function linkUnbuiltDockerfiles(model: ProjectModel): void {
  const built = new Set<string>();
  for (const b of model.builds) if (b.dockerfile.known) built.add(b.dockerfile.value);
  for (const df of model.dockerfiles) {
    if (built.has(df.path)) continue;
    const file = model.sources.get(df.path);
    if (!file) continue;
    const first = df.stages[0]?.from.span ?? { start: 0, end: 0 };
    const site: Site = { file, span: first };
    const dir = dirname(df.path);
    model.builds.push({
      id: `dockerfile:${df.path}`,
      origin: 'dockerfile',
      definedAt: locate(file, first),
      dockerfile: known(df.path, { kind: 'literal', site }),
      context: {
        ...unknown(
          'no-build-site',
          `nothing in the repository builds ${df.path}, so its build context is not known`,
          site,
          'build it from a script, workflow, compose or bake file in the repository, or declare it under `images:` in crossdock.yaml',
        ),
        candidates: ancestors(dir),
      },
      platforms: model.config.platforms?.length
        ? known(model.config.platforms, { kind: 'config', detail: model.config.path ?? 'crossdock.yaml' })
        : unknown(
            'no-build-site',
            `nothing in the repository builds ${df.path}, so its platforms are not known`,
            site,
            'declare `platforms:` in crossdock.yaml',
          ),
      platformsExplicit: false,
      tags: [],
      buildArgs: {},
      target: undefined,
      push: false,
      namedContexts: {},
      before: [],
    });
  }
}

/** Target platforms: the command line, crossdock.yaml, else what build definitions set explicitly. */
export function resolveTargets(model: ProjectModel, flag: Platform[] | undefined): Targets {
  if (flag?.length) return { platforms: flag, source: 'command line (--platform)', declared: true };
  if (model.config.platforms?.length)
    return {
      platforms: model.config.platforms,
      source: model.config.path ?? 'crossdock.yaml',
      declared: true,
    };
  const found: Platform[] = [];
  const sources: string[] = [];
  for (const b of model.builds) {
    if (!b.platformsExplicit || !b.platforms.known) continue;
    for (const p of b.platforms.value) {
      if (found.some((f) => samePlatform(f, p))) continue;
      found.push(p);
      const s = b.sites?.platforms ?? b.sites?.definition;
      if (s) sources.push(`${s.file.path}:${s.file.position(s.span.start).line}`);
    }
  }
  if (found.length) {
    const uniq = [...new Set(sources)];
    const more = uniq.length > 3 ? ` and ${uniq.length - 3} more` : '';
    return {
      platforms: found,
      source: `inferred from ${uniq.slice(0, 3).join(', ')}${more}`,
      declared: true,
    };
  }
  return {
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    source: 'default',
    declared: false,
  };
}

/** One view per (build, Dockerfile). */
export function linkViews(model: ProjectModel): void {
  const dfs = new Map(model.dockerfiles.map((d) => [d.path, d]));
  for (const build of model.builds) {
    if (!build.dockerfile.known) continue;
    const df = dfs.get(build.dockerfile.value);
    const file = df ? model.sources.get(df.path) : undefined;
    if (!df || !file) continue;
    const { stages, target } = stageViews(df, build, file);
    const view: ImageView = {
      id: build.id,
      build,
      dockerfile: df,
      file,
      reached: build.origin !== 'dockerfile',
      target,
      stages,
      emulated: emulatedPlatforms(build),
    };
    model.images.push(view);
  }
}

/** Platforms a build runs under QEMU: those not native to its runner, when both are known and QEMU is set up. */
function emulatedPlatforms(build: Build): Value<Platform[]> {
  if (build.remoteBuilder) return known([], { kind: 'convention', detail: build.remoteBuilder });
  if (!build.platforms.known) return build.platforms;
  const runners = build.runsOn ?? build.job?.job.runsOn ?? [];
  const archs = runners.map((r) => runnerArchitecture(r.labels));
  const arch = archs[0];
  if (!arch || archs.some((a) => a === undefined))
    return unknown(
      'no-build-site',
      'the builder of this build is not known, so whether it emulates is not known',
    );
  const platforms = build.platforms.value;
  const foreign = (a: string) => (build.qemu ? platforms.filter((p) => p.architecture !== a) : []);
  const key = (a: string | undefined) =>
    foreign(a ?? '')
      .map(formatPlatform)
      .join();
  // Several runners (a runner matrix): what is emulated depends on the runner, unless it is the same on each.
  if (archs.some((a) => key(a) !== key(arch)))
    return unknown(
      'branch',
      `the build runs on runners of different architectures (${[...new Set(archs)].join(', ')}): what it emulates depends on the runner`,
      runners[0]?.site,
    );
  return known(foreign(arch), {
    kind: 'convention',
    detail: `runner [${runners[0]?.labels.join(', ')}] is ${arch}`,
  });
}

/** Requirement files, RUN scripts and entry modules the views install or run, for the closure to load. */
export function closureWants(model: ProjectModel): {
  requirements: Set<string>;
  scripts: Set<string>;
  modules: Set<string>;
} {
  const requirements = new Set<string>();
  const scripts = new Set<string>();
  const modules = new Set<string>();
  for (const view of model.images) {
    for (const sv of view.stages) {
      for (const ins of sv.stage.instructions) {
        const wd = workdirAt(view, sv.stage, ins);
        const at = (p: string) =>
          p.startsWith('/') ? normalize('/', p) : wd.known ? normalize(wd.value, p) : undefined;
        for (const c of ins.analysis?.facts.commands ?? []) {
          for (const w of [...(c.pip?.requirementFiles ?? []), ...(c.pip?.constraintFiles ?? [])]) {
            const p = at(w.value);
            const src = p ? imageFileSource(view, sv.stage, ins, p) : undefined;
            if (src?.known) requirements.add(src.value);
            else if (!view.build.context.known)
              for (const cand of view.build.context.candidates ?? []) {
                const q = joinPath(cand, w.value.replace(/^\.\//, ''));
                if (q && pathStatus(model.inventory, q) !== 'absent') requirements.add(q);
              }
          }
          if (c.script) {
            const p = at(c.script);
            const src = p ? imageFileSource(view, sv.stage, ins, p) : undefined;
            if (src?.known && /\.(sh|bash)$/.test(src.value)) scripts.add(src.value);
          }
        }
      }
      // Entry modules: `python app.py`, `python -m pkg.mod`, gunicorn/uvicorn `pkg.mod:app` in CMD/ENTRYPOINT.
      for (const ins of sv.stage.instructions) {
        const health = ins.keyword === 'HEALTHCHECK' ? healthcheckExec(ins.args) : undefined;
        if (ins.keyword !== 'CMD' && ins.keyword !== 'ENTRYPOINT' && !health) continue;
        const words = health ?? ins.exec ?? ins.words.map((w) => w.value);
        // An entrypoint script (`/docker-entrypoint.sh`, `sh start.sh`): entrypoint-missing reads what it execs.
        const first = /^(\/(usr\/)?bin\/)?(ba|da)?sh$/.test(words[0] ?? '') ? 1 : 0;
        const script = words[first] ?? '';
        if (
          (health || ins.form === 'exec') &&
          (first === 1 || script.includes('/')) &&
          !script.startsWith('-')
        ) {
          const wd = workdirAt(view, sv.stage, ins);
          const p = script.startsWith('/') ? script : wd.known ? normalize(wd.value, script) : undefined;
          const src = p ? imageFileSource(view, sv.stage, ins, p) : undefined;
          if (src?.known && /\.(sh|bash)$/.test(src.value)) scripts.add(src.value);
        }
        for (const rel of entryFiles(words)) {
          const wd = workdirAt(view, sv.stage, ins);
          const p = rel.startsWith('/') ? rel : wd.known ? normalize(wd.value, rel) : undefined;
          const src = p ? imageFileSource(view, sv.stage, ins, p) : undefined;
          if (src?.known) modules.add(src.value);
        }
      }
    }
  }
  return { requirements, scripts, modules };
}

/** The words of an exec-form `HEALTHCHECK [--opts] CMD ["prog", …]`, or undefined. */
function healthcheckExec(args: string): string[] | undefined {
  const m = /^(?:--\S+\s+)*CMD\s+(\[.*\])\s*$/is.exec(args);
  try {
    const v: unknown = JSON.parse(m?.[1] ?? '');
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Python files a command line names as what runs: `python app.py`, `-m pkg.mod`, `gunicorn pkg.mod:app`. */
export function entryFiles(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (/\.(py|js|mjs|cjs)$/.test(w) && !w.startsWith('-')) out.push(w);
    if (
      w === '-m' &&
      words[i + 1] &&
      !/^(pip|venv|http\.server|uvicorn|gunicorn|flask)$/.test(words[i + 1] ?? '')
    )
      out.push(...moduleFiles(words[i + 1] ?? ''));
    const app = /^([A-Za-z_][\w.]*):[A-Za-z_][\w.()]*$/.exec(w);
    if (app && i > 0) out.push(...moduleFiles(app[1] ?? ''));
  }
  return out;
}

function moduleFiles(mod: string): string[] {
  const p = mod.replace(/\./g, '/');
  return [`${p}.py`, `${p}/__main__.py`, `${p}/__init__.py`];
}

/**
 * Files a kustomization includes (resources, nested kustomizations), with the kustomizations on the way; `owners`:
 * for each file, the kustomizations whose transformers (`images:`) apply to its objects, the innermost first.
 */
function kustomizeTree(
  model: ProjectModel,
  k: Kustomization,
  seen = new Set<string>(),
): { files: Set<string>; chain: Kustomization[]; owners: Map<string, Kustomization[]> } {
  const files = new Set<string>();
  const owners = new Map<string, Kustomization[]>();
  const chain: Kustomization[] = [k];
  if (seen.has(k.file.path)) return { files, chain: [], owners };
  seen.add(k.file.path);
  const own = (f: string) => {
    files.add(f);
    if (!owners.has(f)) owners.set(f, [k]);
  };
  for (const r of k.resources) {
    if (!r.path) continue;
    const nested = model.deployments.kustomizations.find((x) => dirname(x.file.path) === r.path);
    if (nested) {
      const sub = kustomizeTree(model, nested, seen);
      for (const f of sub.files) files.add(f);
      for (const [f, list] of sub.owners) if (!owners.has(f)) owners.set(f, [...list, k]);
      chain.push(...sub.chain);
    } else if (model.inventory.files.has(r.path)) own(r.path);
    else {
      // A kustomization there that did not parse: it is reached, what it includes is not known.
      const broken = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
        .map((n) => joinPath(r.path as string, n) ?? n)
        .find((p) => model.inventory.files.has(p));
      if (broken) own(broken);
      else for (const f of model.inventory.files.keys()) if (within(r.path, f) && /\.ya?ml$/.test(f)) own(f);
    }
  }
  return { files, chain, owners };
}

/**
 * Deployment units: every kustomization no other includes (rendered with its bases and patches), every folder of
 * plain manifests, every compose file, every chart's values. Objects of alternative overlays are never in one unit.
 */
export function linkUnits(
  model: ProjectModel,
  applied: Set<string>,
  renders: { value: string; site: Site }[],
): void {
  const d = model.deployments;
  const included = new Set<string>();
  const patchFiles = new Set<string>();
  for (const k of d.kustomizations) {
    for (const r of k.resources)
      if (r.path)
        for (const x of d.kustomizations) if (dirname(x.file.path) === r.path) included.add(x.file.path);
    for (const p of k.patches) if (p.path) patchFiles.add(p.path);
  }
  // A file a kustomization names as a patch holds patches, not objects of its own.
  const notPatch = <T extends { site: Site }>(list: T[]) =>
    list.filter((x) => !patchFiles.has(x.site.file.path));
  d.workloads = notPatch(d.workloads);
  d.services = notPatch(d.services);
  d.claims = notPatch(d.claims);
  d.autoscalers = notPatch(d.autoscalers);
  d.ingresses = notPatch(d.ingresses);
  d.namespaces = notPatch(d.namespaces);
  // Inline patches (`patches: - patch: |`), read once per kustomization entry.
  const inline = new Map<string, KustomizePatch[]>();
  for (const k of d.kustomizations)
    for (const p of k.patches)
      if (p.inline !== undefined) {
        const docs = parseYaml(new SourceFile(k.file.path, p.inline)).docs;
        inline.set(
          `${k.file.path}:${p.site.span.start}`,
          docs.flatMap((doc) => {
            const patch = readPatch(doc);
            // Positions inside the inline text are not file positions: report at the patch entry.
            const at = <T, N extends null | undefined>(x: { value: T } | N) =>
              x ? { value: x.value, site: p.site } : (x as N);
            return patch
              ? [
                  {
                    ...patch,
                    site: p.site,
                    replicas: at(patch.replicas) ?? undefined,
                    annotations:
                      patch.annotations &&
                      Object.fromEntries(Object.entries(patch.annotations).map(([k, v]) => [k, at(v)])),
                    tls: at(patch.tls),
                  },
                ]
              : [];
          }),
        );
      }
  d.patched ??= new Set();
  const byFile = <T extends { site: Site }>(list: T[], files: Set<string>) =>
    list.flatMap((x, i) => (files.has(x.site.file.path) ? [i] : []));
  const inKustomization = new Set<string>();
  for (const k of d.kustomizations) {
    if (included.has(k.file.path)) continue;
    const { files, chain, owners } = kustomizeTree(model, k);
    for (const f of files) inKustomization.add(f);
    const unit = emptyUnit(`kustomize:${k.file.path}`, 'kustomization', dirname(k.file.path));
    unit.kustomizations = owners;
    unit.workloads = byFile(d.workloads, files);
    unit.services = byFile(d.services, files);
    unit.claims = byFile(d.claims, files);
    unit.autoscalers = byFile(d.autoscalers, files);
    unit.ingresses = byFile(d.ingresses, files);
    for (const f of files) unit.files.add(f);
    // Patches of every kustomization in the chain, bases first: `$patch: delete` removes, spec.replicas overrides.
    for (const kz of [...chain].reverse()) {
      unit.files.add(kz.file.path);
      for (const p of kz.patches) {
        if (p.path) unit.files.add(p.path);
        const docs = p.path
          ? (d.patches?.get(p.path) ?? [])
          : (inline.get(`${kz.file.path}:${p.site.span.start}`) ?? []);
        // What the patch applies to: its `target:`, else the kind and name its document names.
        const targets = (name: string, kind: string, patch?: KustomizePatch) => {
          const t = p.target;
          if (t?.selector) return !t.kind || t.kind === kind;
          const want = t ? t.name : patch?.name;
          const wantKind = t ? t.kind : patch?.kind;
          return (!wantKind || wantKind === kind) && (!want || nameMatches(want, name));
        };
        // A patch crossdock cannot read (JSON 6902 operations, a file it did not load) or apply changes what it targets.
        for (const o of docs.length ? docs.filter((x) => x.opaque) : [undefined])
          unit.ingresses = unit.ingresses.map((i) => {
            const x = d.ingresses[i] as Ingress;
            if (x.unknown || !targets(x.name, 'Ingress', o)) return i;
            d.ingresses.push({
              ...x,
              unknown: unknown(
                'effects',
                `a patch in ${kz.file.path} changes Ingress "${x.name}" in a way crossdock does not apply`,
                p.site,
                'patch metadata.annotations and spec.tls with a strategic-merge patch',
              ),
            });
            return d.ingresses.length - 1;
          });
        for (const patch of docs) {
          const match = (x: { name: string; kind?: string }) =>
            x.name === patch.name && (!patch.kind || !x.kind || x.kind === patch.kind);
          const keep = (list: number[], items: { name: string; kind?: string }[], kind: string) =>
            list.filter((i) => {
              const x = items[i];
              return !(x && x.name === patch.name && (!patch.kind || (x.kind ?? kind) === patch.kind));
            });
          if (patch.delete) {
            unit.workloads = unit.workloads.filter((i) => !match(d.workloads[i] as Workload));
            unit.services = keep(unit.services, d.services, 'Service');
            unit.claims = keep(unit.claims, d.claims, 'PersistentVolumeClaim');
            unit.autoscalers = keep(unit.autoscalers, d.autoscalers, 'HorizontalPodAutoscaler');
            unit.ingresses = keep(unit.ingresses, d.ingresses, 'Ingress');
            continue;
          }
          // Annotations merge key by key; spec.tls is replaced whole. The unit gets its own patched copy.
          if (!patch.opaque && (patch.annotations || patch.tls !== undefined))
            unit.ingresses = unit.ingresses.map((i) => {
              const x = d.ingresses[i] as Ingress;
              if (!targets(x.name, 'Ingress', patch)) return i;
              const annotations = { ...x.annotations };
              for (const [k, v] of Object.entries(patch.annotations ?? {}))
                if (v) annotations[k] = v;
                else delete annotations[k];
              d.ingresses.push({
                ...x,
                annotations,
                tls: patch.tls === undefined ? x.tls : (patch.tls ?? undefined),
              });
              return d.ingresses.length - 1;
            });
          if (patch.replicas)
            for (const i of unit.workloads)
              if (match(d.workloads[i] as Workload)) unit.replicas.set(i, patch.replicas);
          if (patch.other && patch.name) d.patched.add(`${patch.kind ?? '*'}/${patch.name}`);
        }
      }
      // `replicas: [{ name, count }]`
      for (const r of kz.replicas)
        for (const i of unit.workloads)
          if (d.workloads[i]?.name === r.name) unit.replicas.set(i, { value: r.count, site: r.site });
      if (kz.replacements)
        for (const i of unit.workloads)
          for (const c of d.workloads[i]?.containers ?? []) c.imageFilledBy ??= kz.replacements;
    }
    unit.reached = true;
    model.units.push(unit);
  }
  // Plain manifests outside kustomizations: one unit per folder (`kubectl apply -f dir`).
  const folders = new Map<string, Set<string>>();
  for (const w of [...d.workloads, ...d.services, ...d.claims, ...d.autoscalers, ...d.ingresses]) {
    const f = w.site.file.path;
    if (inKustomization.has(f) || patchFiles.has(f) || (w as Workload).origin === 'compose') continue;
    const set = folders.get(dirname(f)) ?? new Set();
    set.add(f);
    folders.set(dirname(f), set);
  }
  for (const [dir, files] of folders) {
    const unit = emptyUnit(`folder:${dir}`, 'folder', dir);
    unit.workloads = byFile(d.workloads, files).filter((i) => d.workloads[i]?.origin === 'kubernetes');
    unit.services = byFile(d.services, files);
    unit.claims = byFile(d.claims, files);
    unit.autoscalers = byFile(d.autoscalers, files);
    unit.ingresses = byFile(d.ingresses, files);
    unit.reached = [...files].some((f) => [...applied].some((a) => within(a, f)));
    model.units.push(unit);
  }
  for (const c of model.compose) {
    const unit = emptyUnit(`compose:${c.file.path}`, 'compose', c.file.path);
    unit.workloads = d.workloads.flatMap((w, i) => (w.site.file.path === c.file.path ? [i] : []));
    unit.reached = true;
    model.units.push(unit);
  }
  // Placeholders filled at deploy time by envsubst / sed (a file, a folder or a glob of files).
  for (const w of d.workloads) {
    const r = renders.find((x) => covers(x.value, w.site.file.path));
    if (r) for (const c of w.containers) c.imageFilledBy ??= r.site;
  }
}

/** A path as a command names it (a file, a folder, a shell glob) covers `path`. */
function covers(pattern: string, path: string): boolean {
  if (!/[*?[]/.test(pattern)) return within(pattern, path);
  const re = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  try {
    return new RegExp(`^${re}$`).test(path);
  } catch {
    return false;
  }
}

/** A kustomize target name: a regular expression matched against the whole name. */
function nameMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  try {
    return new RegExp(`^(?:${pattern})$`).test(name);
  } catch {
    return false;
  }
}

/** The effects that run before a Makefile recipe line: its rule's earlier lines and its prerequisites' recipes. */
function makeBefore(rules: MakeRule[], at: number, effects: Build['before']): Build['before'] {
  const ruleAt = (offset: number) => {
    let found: MakeRule | undefined;
    for (const r of rules) if (r.header <= offset) found = r;
    return found;
  };
  const own = ruleAt(at);
  if (!own) return effects;
  const allowed = new Set<MakeRule>([own]);
  const queue = [own];
  while (queue.length) {
    const r = queue.pop() as MakeRule;
    for (const p of r.prerequisites)
      for (const x of rules)
        if (!allowed.has(x) && x.targets.includes(p)) {
          allowed.add(x);
          queue.push(x);
        }
  }
  return effects.filter((e) => {
    const r = ruleAt(e.site.span.start);
    return r !== undefined && allowed.has(r);
  });
}

function emptyUnit(id: string, kind: DeploymentUnit['kind'], path: string): DeploymentUnit {
  return {
    id,
    kind,
    path,
    workloads: [],
    services: [],
    claims: [],
    autoscalers: [],
    ingresses: [],
    replicas: new Map(),
    files: new Set(),
    reached: false,
  };
}

/** The image a container runs: unknown when it is a placeholder or filled in elsewhere. */
export function containerImage(c: Container): Value<string> | undefined {
  if (!c.image) return undefined;
  if (c.imageFilledBy)
    return unknown(
      'placeholder',
      `the image of container "${c.name}" is filled in by ${c.imageFilledBy.file.path}`,
      c.image.site,
    );
  const why = placeholderIn(c.image.value);
  if (why) return unknown('placeholder', why, c.image.site);
  return known(c.image.value, { kind: 'literal', site: c.image.site });
}

/** What a build makes of its Dockerfile: builds that agree on it produce the same image. */
function buildShape(b: Build): string {
  const v = (x: Value<unknown>) => (x.known ? x.value : `?${unknownKey(x)}`);
  return JSON.stringify([
    v(b.dockerfile),
    v(b.context),
    b.target ? v(b.target) : null,
    b.platforms.known ? b.platforms.value.map(formatPlatform).sort() : v(b.platforms),
    Object.entries(b.buildArgs)
      .sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))
      .map(([k, a]) => [k, v(a)]),
    Object.entries(b.namedContexts).sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0)),
    b.otherArgs ? unknownKey(b.otherArgs) : null,
  ]);
}

/**
 * The build among `candidates` (every build producing `image`) whose image is the one deployed: known when they
 * all build the same thing (Dockerfile, context, target, platforms, arguments), else which one pushed the image
 * that runs is not known (a pull-request build and a release build tagging the same repository).
 */
export function agreedBuild(
  candidates: Build[],
  image: string,
  site?: Site,
  /** The candidates push the image's repository under other tags, not the image itself. */
  repositoryOnly = false,
): Value<Build> | undefined {
  const first = candidates[0];
  if (!first) return undefined;
  const shapes = new Set(candidates.map(buildShape));
  if (shapes.size === 1) return known(first, { kind: 'literal', site: first.sites?.definition });
  const where = [...new Set(candidates.map((b) => `${b.definedAt.file}:${b.definedAt.line}`))];
  const list = `${where.slice(0, 3).join(', ')}${where.length > 3 ? ', …' : ''}`;
  const repo = cutAtFirst(image, '@').replace(/:[^/:]*$/, '');
  return unknown(
    'branch',
    repositoryOnly
      ? `no build pushes ${image}; ${candidates.length} builds push ${repo} under other tags, differently (${list}), so which one made the image deployed is not known`
      : `${candidates.length} builds produce ${image} differently (${list}), so which one made the image deployed is not known`,
    site,
    'give each build its own tags (e.g. a pr- prefix for pull-request builds), or build the same platforms everywhere',
  );
}

/**
 * The build producing an image reference: the builds whose tags include it exactly, else those of its repository
 * (another tag), else those of the same repository path on another registry host (a mirror, or drift, which is
 * registry-drift's to report), when they agree. Undefined when nothing in the repository builds it; unknown when
 * builds disagree. A path of one component (`app`, `library/app`) names too little to match across hosts.
 */
export function buildProducing(builds: Build[], image: string, site?: Site): Value<Build> | undefined {
  const exact = builds.filter((b) => b.tags.includes(image));
  if (exact.length) return agreedBuild(exact, image, site);
  const parsed = parseImageRef(image);
  if (!parsed.ok) return undefined;
  const key = repositoryKey(parsed.ref);
  const same = builds.filter((b) =>
    b.tags.some((t) => {
      const p = parseBuildTag(t);
      return !!p && repositoryKey(p) === key;
    }),
  );
  if (same.length) return agreedBuild(same, image, site, true);
  const path = parsed.ref.repository;
  if (!path.includes('/') || path.startsWith('library/')) return undefined;
  const other = builds.filter((b) => b.tags.some((t) => parseBuildTag(t)?.repository === path));
  return agreedBuild(other, image, site, true);
}

/** Containers linked to the builds producing their images; registry mentions of tags and deployed images. */
export function linkContainers(model: ProjectModel): void {
  for (const w of model.deployments.workloads)
    for (const c of w.containers) {
      if (c.buildId || !c.image) continue;
      const image = containerImage(c);
      if (!image?.known) continue;
      const refs = [...new Set(deployedImages(model, w, image.value).map((d) => d.ref))];
      const ref = refs[0] ?? image.value;
      if (refs.length > 1) {
        c.buildUnknown = unknown(
          'branch',
          `the kustomizations deploying ${w.kind} "${w.name}" give its image different references (${refs.join(', ')})`,
          c.image.site,
        );
        continue;
      }
      const b = buildProducing(model.builds, ref, c.image.site);
      if (!b) continue;
      if (!b.known) c.buildUnknown = b;
      else if (b.value.tags.includes(ref)) c.buildId = b.value.id;
      else c.repositoryBuildId = b.value.id;
    }
  for (const b of model.builds) {
    // Tags computed from one written expression (docker/metadata-action) share its site: one mention each.
    const seen = new Set<string>();
    b.tags.forEach((tag, i) => {
      const site = b.sites?.tags[i];
      if (!site) return;
      for (const m of imageMention({ value: tag, site }, b.push ? 'push' : 'tag')) {
        const key = `${m.site.span.start}\0${m.host}\0${m.repository}`;
        if (seen.has(key)) continue;
        seen.add(key);
        model.registries.push(m);
      }
    });
  }
  for (const w of model.deployments.workloads)
    for (const c of w.containers)
      if (c.image && !c.imageFilledBy) model.registries.push(...imageMention(c.image, 'deploy'));
  for (const i of model.deployments.images)
    model.registries.push(...imageMention({ value: i.ref, site: i.site }, 'deploy'));
}

/** A kustomization `images:` entry applied to an image (matched by name, without tag or digest). */
function applyOverride(image: string, o: Kustomization['images'][number]): string {
  const name = cutAtFirst(image, '@').replace(/:[^:/]*$/, '');
  const p = parseImageRef(o.ref);
  // A rename alone keeps the manifest's tag or digest.
  return p.ok && !p.ref.tag && !p.ref.digest ? `${o.ref}${image.slice(name.length)}` : o.ref;
}

/**
 * The references a workload's image is deployed as, one per deployment unit applying it: the kustomize `images:`
 * of the kustomizations that include its manifest, innermost first (`override`: the last entry applied); as written
 * where no kustomization includes it.
 */
export function deployedImages(
  model: ProjectModel,
  w: Workload,
  image: string,
): { ref: string; override: Kustomization['images'][number] | undefined }[] {
  const index = model.deployments.workloads.indexOf(w);
  const units = model.units.filter((u) => u.kind === 'kustomization' && u.workloads.includes(index));
  if (!units.length) return [{ ref: image, override: undefined }];
  return units.map((u) => {
    let ref = image;
    let override: Kustomization['images'][number] | undefined;
    for (const k of u.kustomizations?.get(w.site.file.path) ?? []) {
      const name = cutAtFirst(ref, '@').replace(/:[^:/]*$/, '');
      const o = k.images.find((i) => i.name === name);
      if (!o) continue;
      ref = applyOverride(ref, o);
      override = o;
    }
    return { ref, override };
  });
}

/** What is built or deployed by something in the repository. */
export function linkReach(model: ProjectModel, applied: Set<string>): void {
  const files = model.reach.files;
  for (const f of model.inventory.files.keys()) {
    if (
      /^\.github\/workflows\//.test(f) ||
      /\.(sh|bash|mk)$/.test(f) ||
      /^(Makefile|GNUmakefile|makefile)$/.test(basename(f)) ||
      /^docker-bake/.test(basename(f)) ||
      /^(docker-)?compose[^/]*\.ya?ml$/.test(basename(f)) ||
      /^buildkitd[^/]*\.toml$/.test(basename(f)) ||
      /^(kustomization\.ya?ml|Kustomization)$/.test(basename(f)) ||
      /(^|\/)\.?crossdock\.ya?ml$/.test(f) ||
      f === '.gitmodules'
    )
      files.add(f);
  }
  // Every clone reads the submodules of the index through .gitmodules, even one that is missing.
  if (model.inventory.gitlinks.size) files.add('.gitmodules');
  for (const k of model.deployments.kustomizations) files.add(k.file.path);
  for (const u of model.units) {
    if (!u.reached) continue;
    for (const f of u.files) files.add(f);
    for (const i of u.workloads) {
      const w = model.deployments.workloads[i];
      if (w) files.add(w.site.file.path);
    }
    for (const list of [u.services, u.claims, u.autoscalers, u.ingresses] as const)
      for (const i of list) {
        const x =
          list === u.services
            ? model.deployments.services[i]
            : list === u.claims
              ? model.deployments.claims[i]
              : list === u.autoscalers
                ? model.deployments.autoscalers[i]
                : model.deployments.ingresses[i];
        if (x) files.add(x.site.file.path);
      }
  }
  // Helm values of a chart; manifests applied by a script or workflow.
  for (const i of model.deployments.images)
    if (
      i.origin === 'helm' &&
      ancestors(dirname(i.site.file.path)).some((d) =>
        model.inventory.files.has(joinPath(d, 'Chart.yaml') ?? ''),
      )
    )
      files.add(i.site.file.path);
  // A chart's templates (only charts' own templates are read) are deployed with it.
  for (const t of model.deployments.helmTemplates ?? []) files.add(t.file.path);
  for (const a of applied) for (const f of model.inventory.files.keys()) if (within(a, f)) files.add(f);
  // The files that define builds (a package.json whose npm script builds, like a Makefile or script).
  for (const b of model.builds)
    if (b.origin !== 'dockerfile' && b.sites?.definition) files.add(b.sites.definition.file.path);
  // Dockerfile stages a reached build builds, and what those stages install.
  for (const view of model.images) {
    if (!view.reached) continue;
    files.add(view.dockerfile.path);
    const spans = model.reach.stages.get(view.dockerfile.path) ?? [];
    // The text before the first FROM (global ARGs, parser directives) is part of every build.
    if (view.stages.some((sv) => sv.built))
      spans.push({ start: 0, end: view.dockerfile.stages[0]?.from.span.start ?? Number.MAX_SAFE_INTEGER });
    for (const sv of view.stages) if (sv.built) spans.push(stageSpan(view.dockerfile, sv.stage.index));
    model.reach.stages.set(view.dockerfile.path, spans);
    for (const sv of view.stages) {
      if (!sv.built) continue;
      for (const ins of sv.stage.instructions)
        for (const c of ins.analysis?.facts.commands ?? []) {
          // What pip installs (-r files), and the package.json an npm/yarn/pnpm install reads where it runs.
          const npm =
            (c.installer === 'npm' || c.installer === 'yarn' || c.installer === 'pnpm') &&
            /^(install|ci|i|add)?$/.test(c.argv[1]?.value.replace(/^-.*/, '') ?? '');
          for (const w of [...(c.pip?.requirementFiles ?? []), ...(npm ? [{ value: 'package.json' }] : [])]) {
            const wd = workdirAt(view, sv.stage, ins);
            const p = w.value.startsWith('/')
              ? normalize('/', w.value)
              : wd.known
                ? normalize(wd.value, w.value)
                : undefined;
            const src = p ? imageFileSource(view, sv.stage, ins, p) : undefined;
            if (src?.known) files.add(src.value);
          }
        }
      for (const m of copyMappings(view, sv.stage)) {
        if (!view.build.context.known) continue;
        const p = joinPath(view.build.context.value, m.source);
        if (p && /\.(txt|in|lock|toml|cfg|py)$|(^|\/)package\.json$/.test(p)) files.add(p);
        // Python files of a copied folder (read for their imports) are in the image.
        if (p && m.tree) for (const f of model.python.scanned.keys()) if (within(p, f)) files.add(f);
      }
    }
  }
  // Requirement files included by reached ones.
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of model.python.requirements) {
      if (!files.has(r.path)) continue;
      for (const inc of r.includes) {
        const p = joinPath(dirname(r.path), inc.path);
        if (p && !files.has(p)) {
          files.add(p);
          grew = true;
        }
      }
    }
  }
}

function stageSpan(df: Dockerfile, index: number): { start: number; end: number } {
  const s = df.stages[index];
  const next = df.stages[index + 1];
  return { start: s?.from.span.start ?? 0, end: next ? next.from.span.start : Number.MAX_SAFE_INTEGER };
}

export function isReached(model: ProjectModel, file: string, offset: number): boolean {
  const spans = model.reach.stages.get(file);
  if (spans) return spans.some((s) => offset >= s.start && offset < s.end);
  return model.reach.files.has(file);
}

export { formatPlatform, present };
