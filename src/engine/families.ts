import { parseTOML } from 'toml-eslint-parser';
import {
  type BuildkitdRegistry,
  type ComposeProject,
  type Deployments,
  ENV_EXAMPLES,
  type KustomizePatch,
  type RegistryMention,
  type Site,
  type Workflow,
} from '../model/deploy.js';
import type { Dockerfile, DockerIgnore } from '../model/dockerfile.js';
import type { Gitmodules } from '../model/git.js';
import type { Nvmrc, PackageJson } from '../model/node.js';
import type { Build, CrossdockConfig } from '../model/project.js';
import type { PyProject, PyRequirementsFile, PySetup, PyVersionFile } from '../model/python.js';
import { basename, dirname, type Inventory, joinPath, present } from '../model/repo.js';
import type { CommandFacts, ShellScript } from '../model/shell.js';
import type { SourceFile, Span } from '../model/source.js';
import { type BakeFile, parseBakeHcl, parseBakeJson } from '../sources/bake/parse.js';
import { envFileNames, envFileValues, readCompose } from '../sources/compose/compose.js';
import { parseDockerfile } from '../sources/dockerfile/parse.js';
import { parseDockerignore } from '../sources/dockerfile/dockerignore.js';
import { parseGitmodules } from '../sources/git/gitmodules.js';
import { readHelmTemplate, readHelmValueScalars } from '../sources/k8s/helm.js';
import { readHelmValues, readKustomization, readPatch } from '../sources/k8s/kustomize.js';
import { readManifest } from '../sources/k8s/manifests.js';
import { parseNvmrc, parsePackageJson } from '../sources/node/package-json.js';
import { parsePyproject } from '../sources/python/pyproject.js';
import { parseRequirements } from '../sources/python/requirements.js';
import { parseSetupCfg, parseSetupPy } from '../sources/python/setup.js';
import { parsePythonVersionFile } from '../sources/python/version-file.js';
import { type MakeRule, type MakeVar, makefileRecipes } from '../sources/scripts/makefile.js';
import { analyzeShell } from '../sources/shell/analyze.js';
import { parseShell, type ShellParse } from '../sources/shell/parse.js';
import {
  type BakeInvocation,
  type ComposeInvocation,
  emptyWorkflow,
  type Invocation,
  readWorkflow,
} from '../sources/workflows/workflow.js';
import { parseYaml } from '../sources/yaml/node.js';
import { isIndexConfigPath } from '../sources/python/pip-config.js';

/**
 * Source families: one per kind of file crossdock reads (as Renovate's managers are). Each owns its path match
 * and a `load` that turns one file into facts, never touching a shared model: the loader merges the facts, and a
 * family that throws on one file becomes an `internal-error` finding for that file while the run goes on.
 */

/** A parsed shell script, Makefile or package.json script, scanned per invocation in the link phase. */
export interface ScriptSource {
  file: SourceFile;
  script: ShellScript;
  make: boolean;
  /** Makefile variable assignments (their values depend on how make is called). */
  makeVars?: MakeVar[];
  /** Makefile rules (a recipe runs after its prerequisites' recipes, not after the other targets'). */
  rules?: MakeRule[];
  /** A package.json script: `<package.json path>#<name>`; npm runs it in the package's folder. */
  npm?: string;
}

/** What loading one file contributes to the project model. */
export interface Facts {
  dockerfiles?: Dockerfile[];
  dockerignores?: [string, DockerIgnore][];
  requirements?: PyRequirementsFile[];
  pyprojects?: PyProject[];
  setups?: PySetup[];
  versionFiles?: PyVersionFile[];
  packageJsons?: PackageJson[];
  nvmrcs?: Nvmrc[];
  gitmodules?: Gitmodules;
  builds?: Build[];
  workflows?: Workflow[];
  invocations?: Invocation[];
  bakeInvocations?: BakeInvocation[];
  composeInvocations?: ComposeInvocation[];
  scripts?: ScriptSource[];
  bakeFiles?: { file: SourceFile; bake: BakeFile }[];
  compose?: ComposeProject[];
  deployments?: Partial<Deployments>;
  patches?: [string, KustomizePatch[]][];
  registries?: RegistryMention[];
  buildkitd?: { file: string; registries: BuildkitdRegistry[] }[];
  /** Parse problems of this file (become `parse-error` findings). */
  problems?: { span: Span; message: string }[];
  notes?: string[];
}

export interface FamilyContext {
  inventory: Inventory;
  config: CrossdockConfig;
  /** Reads another repository file through the contained reader (cached). */
  read(path: string): Promise<SourceFile | undefined>;
}

export interface SourceFamily {
  id: string;
  /** Whether a repository path belongs to this family (by its path alone). */
  match(path: string): boolean;
  load(file: SourceFile, ctx: FamilyContext): Facts | Promise<Facts>;
  /**
   * Its facts are kept in the `check` cache: set where parsing costs more than restoring the facts (YAML, TOML and
   * HCL parsers; measured on the benchmark repository, Dockerfile and requirements facts restore slower than they
   * parse, so they are parsed again from the cached text).
   */
  cached?: boolean;
}

export function isDockerfileName(name: string): boolean {
  if (name.endsWith('.dockerignore')) return false;
  return (
    name === 'Dockerfile' ||
    name === 'Containerfile' ||
    name.endsWith('.Dockerfile') ||
    name.endsWith('.dockerfile') ||
    name.endsWith('.Containerfile') ||
    /^(Dockerfile|Containerfile)\.[^/]+$/.test(name)
  );
}

export const isWorkflowPath = (p: string) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p);
export const isComposePath = (p: string) => /^(docker-)?compose[^/]*\.ya?ml$/.test(basename(p));
/**
 * A line that starts (after blanks) with `apiVersion:` or `kind:`, as `/^\s*(apiVersion|kind):/m` found. The
 * blanks stay on the key's line: `\s*` crossed line ends, so every line start tried every blank line below it; a
 * key after blank lines still starts a line of its own, so the answer is the same.
 */
export function hasKubernetesKey(text: string): boolean {
  return /^[^\S\n\r\u2028\u2029]*(?:apiVersion|kind):/m.test(text);
}

export const isKustomization = (p: string) => /^(kustomization\.ya?ml|Kustomization)$/.test(basename(p));
const isHelmValues = (p: string) => /^values[^/]*\.ya?ml$/.test(basename(p));

/**
 * The cheap first pass over YAML that is neither a workflow nor a compose file (those two matter by their path):
 * only kustomizations and Helm values (by name) and files with a line starting `apiVersion:` or `kind:` (or the
 * JSON spelling `"apiVersion"`) hold anything crossdock reads: objects, kustomize patches, images. Any other YAML
 * (mkdocs.yml, fixtures, datasets, OpenAPI specs) is never parsed, so its syntax errors are not reported either.
 * The whole text is searched, not its first bytes: an object may follow other documents in a multi-document file.
 */
export function kubernetesYamlMayMatter(path: string, text: string): boolean {
  return (
    isKustomization(path) ||
    isHelmValues(path) ||
    /^(?:apiVersion|kind)[ \t]*:/m.test(text) ||
    text.includes('"apiVersion"')
  );
}
export const isRequirementsPath = (p: string) => {
  const name = basename(p);
  return (
    /^requirements.*\.lock$/.test(name) ||
    (/\.(txt|in)$/.test(name) && (/req|constraint|lock/i.test(name) || /(^|\/)requirements\//.test(p)))
  );
};

export const FAMILIES: SourceFamily[] = [
  {
    id: 'dockerfile',
    match: (p) => isDockerfileName(basename(p)),
    load(file) {
      const df = parseDockerfile(file);
      const problems = [...df.problems];
      // `SHELL ["powershell", …]` (or cmd): RUN text is not POSIX shell, so it is not analysed as such; each RUN
      // is one command whose effects are not known.
      let shell = '';
      for (const ins of df.instructions) {
        if (ins.keyword === 'FROM') shell = '';
        if (ins.keyword === 'SHELL') shell = basename(ins.exec?.[0] ?? '').toLowerCase();
        if (ins.keyword === 'RUN' && ins.form === 'shell' && shell && !/^(ba|da|a|z|k|mk)?sh$/.test(shell)) {
          ins.analysis = { scripts: [], facts: { commands: [opaqueRun(ins, shell)], pipefail: false } };
          continue;
        }
        if ((ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') && ins.form === 'shell' && ins.shell) {
          ins.runtime = analyzeShell([parseShell(ins.shell, 0, ins.argsOffsets.slice(ins.shellStart))]);
          continue;
        }
        const scripts = runScripts(ins);
        for (const s of scripts) if ('problems' in s) problems.push(...(s as ShellParse).problems);
        if (scripts.length) ins.analysis = { scripts, facts: analyzeShell(scripts) };
      }
      return { dockerfiles: [df], problems };
    },
  },
  {
    id: 'dockerignore',
    match: (p) => basename(p) === '.dockerignore' || basename(p).endsWith('.dockerignore'),
    load(file) {
      const name = basename(file.path);
      // `.dockerignore` applies to its folder as a context; `<name>.Dockerfile.dockerignore` to that Dockerfile.
      const key = name === '.dockerignore' ? dirname(file.path) : file.path.slice(0, -'.dockerignore'.length);
      return { dockerignores: [[key, parseDockerignore(file.path, file.text)]] };
    },
  },
  {
    id: 'requirements',
    match: isRequirementsPath,
    load(file) {
      const r = parseRequirements(file);
      return { requirements: [r], problems: r.problems };
    },
  },
  {
    id: 'pyproject',
    cached: true,
    match: (p) => basename(p) === 'pyproject.toml',
    load(file) {
      const p = parsePyproject(file);
      return { pyprojects: [p], problems: p.problems };
    },
  },
  {
    id: 'setup',
    match: (p) => basename(p) === 'setup.py' || basename(p) === 'setup.cfg',
    load(file) {
      const s = file.path.endsWith('.py') ? parseSetupPy(file) : parseSetupCfg(file);
      return { setups: [s], problems: s.problems };
    },
  },
  {
    // pip.conf / uv.toml: read so `crossdock deps` knows the index an image installs from (parsed there).
    id: 'pip-config',
    match: isIndexConfigPath,
    load: () => ({}),
  },
  {
    id: 'python-version',
    match: (p) => basename(p) === '.python-version',
    load(file) {
      const v = parsePythonVersionFile(file);
      return { versionFiles: v ? [v] : [] };
    },
  },
  {
    id: 'package-json',
    match: (p) => basename(p) === 'package.json',
    load(file) {
      const p = parsePackageJson(file);
      const problems = [...p.problems];
      const scripts: ScriptSource[] = p.scripts.map((x) => {
        const script = parseShell(x.command, x.span.start);
        problems.push(...script.problems);
        return { file, script, make: false, npm: `${file.path}#${x.name}` };
      });
      return { packageJsons: [p], problems, scripts };
    },
  },
  {
    id: 'nvmrc',
    match: (p) => basename(p) === '.nvmrc' || basename(p) === '.node-version',
    load(file) {
      const n = parseNvmrc(file);
      return { nvmrcs: n ? [n] : [] };
    },
  },
  {
    id: 'gitmodules',
    match: (p) => p === '.gitmodules',
    load(file) {
      const g = parseGitmodules(file);
      return { gitmodules: g, problems: g.problems };
    },
  },
  {
    id: 'script',
    match: (p) => /\.(sh|bash)$/.test(p),
    load(file) {
      const script = parseShell(file.text);
      return { scripts: [{ file, script, make: false }], problems: script.problems };
    },
  },
  {
    id: 'makefile',
    match: (p) => /^(Makefile|GNUmakefile|makefile)$|\.mk$/.test(basename(p)),
    load(file) {
      const r = makefileRecipes(file);
      const script = parseShell(r.text, 0, r.offsets);
      return {
        scripts: [{ file, script, make: true, makeVars: r.vars, rules: r.rules }],
        problems: script.problems,
      };
    },
  },
  {
    id: 'bake',
    cached: true,
    match: (p) => /^docker-bake[^/]*\.(hcl|json)$/.test(basename(p)),
    load(file) {
      const bake = file.path.endsWith('.json') ? parseBakeJson(file) : parseBakeHcl(file);
      return { bakeFiles: [{ file, bake }], problems: bake.problems };
    },
  },
  {
    id: 'buildkitd',
    cached: true,
    match: (p) => /^buildkitd[^/]*\.toml$/.test(basename(p)),
    load: loadBuildkitd,
  },
  {
    id: 'workflow',
    cached: true,
    match: isWorkflowPath,
    load(file, ctx) {
      const parsed = parseYaml(file);
      const doc = parsed.docs[0];
      if (parsed.problems.length || !doc) {
        const wf = emptyWorkflow(file);
        for (const p of parsed.problems)
          wf.problems.push({ message: p.message, site: { file, span: p.span } });
        if (!doc && !parsed.problems.length)
          wf.problems.push({
            message: 'the workflow file is empty',
            site: { file, span: { start: 0, end: 0 } },
          });
        return { workflows: [wf] };
      }
      const f = readWorkflow(doc, ctx.inventory);
      return {
        workflows: [f.workflow],
        builds: f.builds,
        invocations: f.invocations,
        bakeInvocations: f.bakes,
        composeInvocations: f.composes,
        registries: f.mentions,
      };
    },
  },
  {
    id: 'compose',
    match: isComposePath,
    cached: true,
    async load(file, ctx) {
      const parsed = parseYaml(file);
      const doc = parsed.docs[0];
      if (!doc?.isMap) return { problems: parsed.problems };
      const dir = dirname(file.path);
      // docker compose interpolates with the `.env` file next to the compose file.
      const dotenv = dir === '.' ? '.env' : `${dir}/.env`;
      const env = present(ctx.inventory, dotenv) ? await ctx.read(dotenv) : undefined;
      const f = readCompose(doc, env ? envFileValues(env.text) : undefined);
      for (const name of ENV_EXAMPLES) {
        const path = dir === '.' ? name : `${dir}/${name}`;
        if (!present(ctx.inventory, path)) continue;
        const example = await ctx.read(path);
        if (example) f.project.example = { file: example, names: envFileNames(example.text) };
        break;
      }
      if (env) f.project.dotenv = { file: env, names: envFileNames(env.text) };
      return {
        problems: parsed.problems,
        compose: [f.project],
        builds: f.builds,
        deployments: { workloads: f.workloads },
      };
    },
  },
  {
    // Every other YAML file: Kubernetes objects, kustomizations, Helm values. Templates are noted, not parsed.
    id: 'kubernetes',
    cached: true,
    match: (p) =>
      /\.ya?ml$/.test(p) &&
      !isWorkflowPath(p) &&
      !isComposePath(p) &&
      !p.startsWith('.github/') &&
      !/(^|\/)\.?crossdock\.ya?ml$/.test(p),
    load(file, ctx) {
      if (/(^|\/)templates\//.test(file.path) && file.text.includes('{{')) {
        // A chart's own template (`<chart>/templates/x.yaml` next to Chart.yaml): its ports and image are read.
        const chart = dirname(dirname(file.path));
        if (
          basename(dirname(file.path)) === 'templates' &&
          present(ctx.inventory, joinPath(chart, 'Chart.yaml') ?? '')
        )
          return {
            notes: [
              `${file.path}: a Helm template, not YAML until rendered; only its image and ports are read`,
            ],
            deployments: { helmTemplates: [readHelmTemplate(file)] },
          };
        return { notes: [`${file.path}: a Helm/Go template, not YAML until rendered; not checked`] };
      }
      if (!kubernetesYamlMayMatter(file.path, file.text)) return {};
      const parsed = parseYaml(file);
      const out: Deployments = {
        kustomizations: [],
        workloads: [],
        services: [],
        ingresses: [],
        claims: [],
        autoscalers: [],
        namespaces: [],
        images: [],
      };
      const kube = parsed.docs.some((d) => d.isMap && d.get('apiVersion') && d.get('kind'));
      const facts: Facts = { deployments: out };
      if (parsed.problems.length) {
        // Only files that look like Kubernetes or kustomize get a parse-error; other broken YAML is not ours.
        if (kube || isKustomization(file.path) || hasKubernetesKey(file.text.slice(0, 4096)))
          facts.problems = parsed.problems;
        else if (file.text.includes('{{'))
          facts.notes = [`${file.path}: templated YAML ({{ }}), not checked`];
      }
      const patches: KustomizePatch[] = [];
      for (const doc of parsed.docs) {
        if (isKustomization(file.path)) readKustomization(doc, out);
        else if (isHelmValues(file.path)) {
          readHelmValues(doc, out);
          out.helmValues = [...(out.helmValues ?? []), readHelmValueScalars(doc)];
        } else {
          readManifest(doc, out);
          const p = readPatch(doc);
          if (p) patches.push(p);
        }
      }
      // Kept for the link phase: a kustomization may name this file as a patch rather than a resource.
      if (patches.length) facts.patches = [[file.path, patches]];
      return facts;
    },
  },
];

/** A RUN in a non-POSIX shell as one command with unknown effects. */
function opaqueRun(ins: Dockerfile['instructions'][number], shell: string): CommandFacts {
  return {
    command: { assignments: [], argv: [], redirects: [], span: ins.span, next: undefined, depth: 0 },
    name: shell,
    argv: [],
    installer: undefined,
    pip: undefined,
    network: false,
    creates: [],
    unknownEffects: `it runs ${shell} code, which crossdock does not analyse`,
    script: undefined,
    masked: undefined,
  };
}

/** The shell scripts a RUN executes, with file offsets: the shell-form text, and heredoc bodies run by a shell. */
function runScripts(ins: Dockerfile['instructions'][number]): ShellScript[] {
  const out: ShellScript[] = [];
  if (ins.keyword !== 'RUN') return out;
  if (ins.form === 'shell' && ins.shell !== undefined) {
    out.push(parseShell(ins.shell, 0, ins.argsOffsets.slice(ins.shellStart)));
    for (const h of ins.heredocs) out.push(parseShell(h.body, h.span.start));
  } else if (ins.form === 'exec' && ins.exec) {
    const [prog, flag, script] = ins.exec;
    if (prog && /(^|\/)(ba)?sh$/.test(prog) && flag === '-c' && script !== undefined) {
      const w = ins.words[2];
      out.push(parseShell(script, w ? w.span.start + 1 : ins.span.start));
    } else if (prog) {
      // Exec form without a shell: one command, its words as written.
      out.push({
        commands: [
          {
            assignments: [],
            argv: ins.words.map((w) => ({ value: w.value, raw: w.value, span: w.span, quoted: true })),
            redirects: [],
            span: ins.span,
            next: undefined,
            depth: 0,
          },
        ],
      });
    }
  }
  return out;
}

interface TomlNode {
  type: string;
  range: [number, number];
  key?: { keys: { name?: string; value?: string }[] };
  value?: TomlNode;
  body?: TomlNode[];
  elements?: TomlNode[];
  kind?: string;
}

/** `buildkitd.toml`: `[registry."host"]` tables with `http`, `insecure`, `ca`. */
function loadBuildkitd(file: SourceFile): Facts {
  let ast: { body: TomlNode[] };
  try {
    ast = parseTOML(file.text) as unknown as { body: TomlNode[] };
  } catch (e) {
    const err = e as { index?: number; message?: string };
    const at = err.index ?? 0;
    return { problems: [{ span: { start: at, end: at + 1 }, message: `TOML: ${err.message ?? String(e)}` }] };
  }
  const registries: BuildkitdRegistry[] = [];
  const mentions: RegistryMention[] = [];
  for (const top of ast.body[0]?.body ?? []) {
    if (top.type !== 'TOMLTable') continue;
    const keys = (top.key?.keys ?? []).map((k) => String(k.name ?? k.value ?? ''));
    if (keys[0] !== 'registry' || keys.length !== 2) continue;
    const host = keys[1] ?? '';
    const site: Site = {
      file,
      span: { start: top.range[0], end: top.range[0] + file.text.slice(top.range[0]).indexOf(']') + 1 },
    };
    const reg: BuildkitdRegistry = { host, http: undefined, insecure: undefined, ca: undefined, site };
    for (const kv of top.body ?? []) {
      if (kv.type !== 'TOMLKeyValue' || !kv.value) continue;
      const key = (kv.key?.keys ?? []).map((k) => String(k.name ?? k.value ?? '')).join('.');
      const vsite: Site = { file, span: { start: kv.range[0], end: kv.range[1] } };
      const raw = file.text.slice(kv.value.range[0], kv.value.range[1]);
      if (key === 'http' || key === 'insecure') reg[key] = { value: raw === 'true', site: vsite };
      if (key === 'mirrors' && kv.value.elements)
        reg.mirrors = kv.value.elements.map((el) => file.text.slice(el.range[0] + 1, el.range[1] - 1));
      if (key === 'ca') {
        const list = kv.value.elements
          ? kv.value.elements.map((el) => file.text.slice(el.range[0] + 1, el.range[1] - 1))
          : [raw.slice(1, -1)];
        reg.ca = { value: list, site: vsite };
      }
    }
    registries.push(reg);
    mentions.push({ host, repository: undefined, role: 'buildkitd', site });
  }
  return { buildkitd: [{ file: file.path, registries }], registries: mentions };
}
