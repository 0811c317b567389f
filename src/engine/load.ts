import ignore from 'ignore';
import type { Finding } from '../model/finding.js';
import { emptyDeployments, type ProjectModel } from '../model/project.js';
import { basename, isNotProjectPath, joinPath, dirname } from '../model/repo.js';
import { locate, type SourceFile, type Span } from '../model/source.js';
import { parseRequirements } from '../sources/python/requirements.js';
import { parseShell } from '../sources/shell/parse.js';
import { analyzeShell } from '../sources/shell/analyze.js';
import type { BakeInvocation, ComposeInvocation, Invocation } from '../sources/workflows/workflow.js';
import { makeVariables } from '../sources/scripts/makefile.js';
import { imageCopies } from '../sources/scripts/image-copies.js';
import { shellRemoteBuilders, stepRemoteBuilder } from '../sources/scripts/remote-builders.js';
import { decode, encode, inventoryDigest } from './check-cache.js';
import { FAMILIES, type FamilyContext, type Facts, type ScriptSource } from './families.js';
import {
  closureWants,
  linkBake,
  linkComposeJobs,
  linkConfigImages,
  linkContainers,
  linkReach,
  linkScripts,
  linkUnbuiltDockerfiles,
  linkUnits,
  linkViews,
  resolveTargets,
} from './link.js';
import { pythonFilesToScan, scanPythonFile } from './python-sources.js';
import { type LoadOptions, openLoad } from './session.js';
import { wrapperSources } from './wrappers.js';

export type { LoadOptions, LoadSession, ReadRecord } from './session.js';
export { openLoad } from './session.js';

export function parseErrorFinding(file: SourceFile, span: Span, message: string): Finding {
  return {
    ruleId: 'parse-error',
    severity: 'error',
    message,
    hint: 'fix the syntax of this file; crossdock checked the rest of the repository',
    ...locate(file, span),
    related: [],
  };
}

function internalFinding(path: string, family: string, error: unknown): Finding {
  const what = error instanceof Error ? error.message : String(error);
  return {
    ruleId: 'internal-error',
    severity: 'error',
    message: `reading ${path} (${family}) failed: ${what}`,
    hint: 'this is a bug in crossdock; the rest of the repository was checked. Please report it with the file.',
    file: path,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    related: [],
  };
}

/**
 * Loads the whole typed project: inventory and config, every relevant file through its source family (each
 * file's failure contained to that file), then the link phase (builds, views, units, reach).
 */
export async function loadProject(options: LoadOptions): Promise<ProjectModel> {
  const session = options.session ?? (await openLoad(options));
  const { repo, inventory, config, cache, notes, sources, textIds, read } = session;
  const ignored = ignore().add(config.ignore);
  const loadFindings: Finding[] = [];

  const model: ProjectModel = {
    root: repo.root,
    inventory,
    config,
    targets: { platforms: [], source: 'default', declared: false },
    sources,
    dockerfiles: [],
    dockerignores: new Map(),
    python: {
      requirements: [],
      pyprojects: [],
      setups: [],
      versionFiles: [],
      modules: [],
      scanned: new Map(),
    },
    node: { packageJsons: [], nvmrcs: [] },
    gitmodules: undefined,
    builds: [],
    images: [],
    runScripts: [],
    opaqueBuilders: [],
    imageCopies: [],
    remoteBuilders: [],
    deployments: emptyDeployments(),
    units: [],
    workflows: [],
    compose: [],
    registries: [],
    buildkitd: [],
    reach: { files: new Set(), stages: new Map() },
    composeRuns: new Set(),
    loadFindings,
    notes,
  };
  const link = {
    scripts: [] as ScriptSource[],
    invocations: [] as Invocation[],
    bakeFiles: [] as NonNullable<Facts['bakeFiles']>,
    bakeInvocations: [] as BakeInvocation[],
    composeInvocations: [] as ComposeInvocation[],
    platformsFlag: options.platforms,
  };
  let digest: string | undefined;
  const inventoryId = () => {
    digest ??= inventoryDigest(inventory);
    return digest;
  };
  /** What the cache holds for a file's text under `kind`, when everything it was made from is unchanged. */
  const cachedFacts = async (kind: string, path: string): Promise<unknown> => {
    const id = textIds.get(path);
    const hit = id && cache?.facts(kind, path, id);
    if (!hit) return undefined;
    if (hit.inventory !== undefined && hit.inventory !== inventoryId()) return undefined;
    for (const [dep, depId] of hit.deps) {
      // Read as the load read it (so the run's files and notes are the same), and compared.
      const f = await read(dep);
      if ((f ? (textIds.get(dep) ?? '') : '') !== depId) return undefined;
    }
    for (const p of hit.files) if (!(await read(p))) return undefined;
    try {
      return decode(hit.value, sources);
    } catch {
      return undefined;
    }
  };
  const ctx: FamilyContext = { inventory, config, read };
  const loaded = new Set<string>();
  /** Loads one file through its family; a family that throws becomes an internal-error finding for that file. */
  const loadFacts = async (
    path: string,
    family: (typeof FAMILIES)[number],
  ): Promise<(() => void) | undefined> => {
    if (loaded.has(path)) return undefined;
    loaded.add(path);
    const file = await read(path);
    if (!file) return undefined;
    const useCache = cache && family.cached;
    const hit = useCache ? ((await cachedFacts(family.id, path)) as Facts | undefined) : undefined;
    if (hit) return () => merge(model, link, file, hit);
    try {
      if (!useCache) {
        const facts = await family.load(file, ctx);
        return () => merge(model, link, file, facts);
      }
      // What the load looks at besides the file: other files it reads, and the inventory.
      const deps = new Map<string, string>();
      let usesInventory = false;
      const recording: FamilyContext = {
        get inventory() {
          usesInventory = true;
          return inventory;
        },
        config,
        read: async (p) => {
          const f = await read(p);
          deps.set(p, f ? (textIds.get(p) ?? '') : '');
          return f;
        },
      };
      const facts = await family.load(file, recording);
      const id = textIds.get(path);
      // Encoded now, before merging and linking touch the facts.
      const encoded = id ? encode(facts, sources) : undefined;
      if (id && encoded)
        cache.putFacts(family.id, path, id, {
          deps: [...deps],
          inventory: usesInventory ? inventoryId() : undefined,
          ...encoded,
        });
      return () => merge(model, link, file, facts);
    } catch (e) {
      return () => loadFindings.push(internalFinding(path, family.id, e));
    }
  };
  const loadWith = async (path: string, family: (typeof FAMILIES)[number]): Promise<void> => {
    (await loadFacts(path, family))?.();
  };

  const paths = [...inventory.files]
    .filter(
      ([path, status]) =>
        status !== 'ignored' && !isNotProjectPath(path) && !(config.ignore.length && ignored.ignores(path)),
    )
    .map(([path]) => path)
    .sort();
  // Files are read in parallel (bounded by the reader) and merged in path order, so every run sees the same model.
  const merges = await Promise.all(
    paths.map((path) => {
      const family = FAMILIES.find((f) => f.match(path));
      return family ? loadFacts(path, family) : undefined;
    }),
  );
  for (const m of merges) m?.();

  const renders: { value: string; site: import('../model/deploy.js').Site }[] = [];
  const applies: { value: string; site: import('../model/deploy.js').Site }[] = [];
  for (const wf of model.workflows)
    for (const job of wf.jobs)
      for (const step of job.steps) {
        applies.push(...(step.run?.applies ?? []));
        renders.push(...(step.run?.renders ?? []));
        for (const c of step.run?.composes ?? []) model.composeRuns.add(c.value);
      }
  linkScripts(model, link, renders, applies, link.bakeInvocations);
  linkBake(model, link, link.bakeInvocations);
  linkComposeJobs(model, link.composeInvocations);
  linkConfigImages(model);
  linkUnbuiltDockerfiles(model);
  model.targets = resolveTargets(model, options.platforms);
  linkViews(model);

  // The closure: requirement files the images install (whatever their names), their -r/-c includes, scripts RUNs
  // execute, entry modules the images run.
  const requirementsFamily = FAMILIES.find((f) => f.id === 'requirements');
  const wants = closureWants(model);
  for (const p of wants.requirements)
    if (!loaded.has(p) && inventory.files.has(p) && requirementsFamily) await loadWith(p, requirementsFamily);
  for (let i = 0; i < model.python.requirements.length && i < 1000; i++) {
    const req = model.python.requirements[i];
    if (!req) continue;
    for (const inc of req.includes) {
      const p = joinPath(dirname(req.path), inc.path);
      if (p && !loaded.has(p) && inventory.files.has(p)) {
        loaded.add(p);
        const file = await read(p);
        if (!file) continue;
        const parsed = parseRequirements(file);
        model.python.requirements.push(parsed);
        for (const pr of parsed.problems) loadFindings.push(parseErrorFinding(file, pr.span, pr.message));
      }
    }
  }
  for (const p of wants.scripts) {
    const file = inventory.files.has(p) ? await read(p) : undefined;
    if (file) model.runScripts.push({ path: p, facts: analyzeShell([parseShell(file.text)]) });
  }
  for (const p of wants.modules) {
    const file = inventory.files.has(p) ? await read(p) : undefined;
    if (file) model.python.modules.push({ path: p, file });
  }
  // Wrapper scripts copied into images (their text, for the variables they read).
  for (const p of wrapperSources(model)) await read(p);

  for (const p of pythonFilesToScan(model)) {
    const file = await read(p);
    if (!file) continue;
    const hit = cache
      ? ((await cachedFacts('python-imports', p)) as ReturnType<typeof scanPythonFile>)
      : undefined;
    const scanned = hit ?? scanPythonFile(p, file.text);
    const id = textIds.get(p);
    const encoded = cache && !hit && id ? encode(scanned, sources) : undefined;
    if (cache && id && encoded)
      cache.putFacts('python-imports', p, id, { deps: [], inventory: undefined, ...encoded });
    model.python.scanned.set(p, scanned);
  }

  for (const p of [...inventory.files.keys()].filter(mayBuildImages).slice(0, 200)) {
    const file = await read(p);
    const at = file ? BUILDS_IMAGES.exec(file.text) : null;
    if (file && at)
      model.opaqueBuilders.push({
        site: { file, span: { start: at.index, end: at.index + at[0].length } },
        what: `${p} runs \`${at[0].replace(/\s+/g, ' ')}\``,
      });
  }

  // Retags and copies of images, in every shell text: scripts, Makefiles, package.json scripts, workflow steps.
  // A Makefile's variables with the values they have when nothing overrides them (a `?=` default is unknown).
  const makeLiterals = (s: (typeof link.scripts)[number]) =>
    new Map(
      [...makeVariables(s.makeVars ?? [], new Map(), new Map(), s.file, false)].flatMap(([k, v]) =>
        v.known ? [[k, v.value] as const] : [],
      ),
    );
  for (const s of link.scripts)
    model.imageCopies.push(...imageCopies(s.script, s.file, s.make ? makeLiterals(s) : new Map(), s.make));
  for (const s of link.scripts) model.remoteBuilders.push(...shellRemoteBuilders(s.script, s.file));
  for (const wf of model.workflows)
    for (const job of wf.jobs)
      for (const step of job.steps) {
        const remote = stepRemoteBuilder(step);
        if (remote) model.remoteBuilders.push(remote);
        if (step.run) model.remoteBuilders.push(...shellRemoteBuilders(step.run.script, step.run.site.file));
      }
  for (const wf of model.workflows)
    for (const job of wf.jobs)
      for (const step of job.steps)
        if (step.run)
          model.imageCopies.push(
            ...imageCopies(
              step.run.script,
              step.run.site.file,
              new Map(Object.entries({ ...wf.env, ...job.env })),
            ),
          );
  linkUnits(model, new Set(applies.map((a) => a.value)), renders);
  linkContainers(model);
  linkReach(model, new Set(applies.map((a) => a.value)));
  // A session the caller opened is saved by the caller (after it adds its own entries).
  if (!options.session) await cache?.save();
  return model;
}

/**
 * Program files in languages crossdock does not analyse that may build or push images: release tooling in
 * JavaScript, TypeScript, Python, Ruby, Go or Perl, by name or folder. Their text is searched for a build or push
 * command; test files and vendored trees are not.
 */
function mayBuildImages(path: string): boolean {
  if (!/\.(m?js|cjs|m?ts|py|rb|go|pl)$/.test(path) || isNotProjectPath(path)) return false;
  if (
    /(^|\/)(test|tests|__tests__|spec|e2e|examples?|docs?)\//.test(path) ||
    /\.(test|spec)\.[a-z]+$/.test(path)
  )
    return false;
  return (
    /(^|\/)(scripts?|extra|tools?|ci|hack|release|\.github|build|deploy)\//.test(path) ||
    /release|publish|docker|image|deploy|push/i.test(basename(path))
  );
}

const BUILDS_IMAGES =
  /\b(?:docker|podman)\s+(?:buildx\s+)?(?:build|push)\b|\bbuildx\s+(?:build|bake)\b|\bbuildah\s+(?:bud|build|push)\b|["'](?:buildx|build)["']\s*,\s*["'](?:build|--push|-t)["']/;

/** Adds one file's facts to the model. */
function merge(
  model: ProjectModel,
  link: {
    scripts: ScriptSource[];
    invocations: Invocation[];
    bakeFiles: NonNullable<Facts['bakeFiles']>;
    bakeInvocations: BakeInvocation[];
    composeInvocations: ComposeInvocation[];
  },
  file: SourceFile,
  f: Facts,
): void {
  for (const p of f.problems ?? []) model.loadFindings.push(parseErrorFinding(file, p.span, p.message));
  if (f.notes) model.notes.push(...f.notes);
  if (f.dockerfiles) model.dockerfiles.push(...f.dockerfiles);
  for (const [k, v] of f.dockerignores ?? []) model.dockerignores.set(k, v);
  if (f.requirements) model.python.requirements.push(...f.requirements);
  if (f.pyprojects) model.python.pyprojects.push(...f.pyprojects);
  if (f.setups) model.python.setups.push(...f.setups);
  if (f.versionFiles) model.python.versionFiles.push(...f.versionFiles);
  if (f.packageJsons) model.node.packageJsons.push(...f.packageJsons);
  if (f.nvmrcs) model.node.nvmrcs.push(...f.nvmrcs);
  if (f.gitmodules) model.gitmodules = f.gitmodules;
  if (f.builds) model.builds.push(...f.builds);
  if (f.workflows) model.workflows.push(...f.workflows);
  if (f.invocations) link.invocations.push(...f.invocations);
  if (f.bakeInvocations) link.bakeInvocations.push(...f.bakeInvocations);
  if (f.composeInvocations) link.composeInvocations.push(...f.composeInvocations);
  if (f.scripts) link.scripts.push(...f.scripts);
  if (f.bakeFiles) link.bakeFiles.push(...f.bakeFiles);
  if (f.compose) model.compose.push(...f.compose);
  if (f.registries) model.registries.push(...f.registries);
  if (f.buildkitd) model.buildkitd.push(...f.buildkitd);
  if (f.patches) {
    model.deployments.patches ??= new Map();
    for (const [k, v] of f.patches) model.deployments.patches.set(k, v);
  }
  const d = f.deployments;
  if (d) {
    const into = model.deployments;
    if (d.kustomizations) into.kustomizations.push(...d.kustomizations);
    if (d.workloads) into.workloads.push(...d.workloads);
    if (d.services) into.services.push(...d.services);
    if (d.ingresses) into.ingresses.push(...d.ingresses);
    if (d.claims) into.claims.push(...d.claims);
    if (d.autoscalers) into.autoscalers.push(...d.autoscalers);
    if (d.namespaces) into.namespaces.push(...d.namespaces);
    if (d.images) into.images.push(...d.images);
    if (d.configMaps) into.configMaps = [...(into.configMaps ?? []), ...d.configMaps];
    if (d.helmTemplates) into.helmTemplates = [...(into.helmTemplates ?? []), ...d.helmTemplates];
    if (d.helmValues) into.helmValues = [...(into.helmValues ?? []), ...d.helmValues];
  }
}
