import { parseTOML } from 'toml-eslint-parser';
import type { BuildkitdRegistry, Kustomization, Site } from '../model/deploy.js';
import { imageMention, loginMention } from '../model/image-ref.js';
import { parsePlatform, type Platform } from '../model/platform.js';
import type { ProjectModel } from '../model/project.js';
import { locate, type SourceFile, type Span } from '../model/source.js';
import { parseBakeHcl, parseBakeJson } from '../sources/bake/parse.js';
import { envFileNames, readCompose } from '../sources/compose/compose.js';
import { readHelmValues, readKustomization } from '../sources/k8s/kustomize.js';
import { readManifest } from '../sources/k8s/manifests.js';
import { makefileRecipes, scriptFacts } from '../sources/scripts/commands.js';
import { parseShell } from '../sources/shell/parse.js';
import { commandBuild, emptyWorkflow, readWorkflow } from '../sources/workflows/workflow.js';
import { parseYaml } from '../sources/yaml/node.js';
import { buildProducing, joinPath } from './build-graph.js';
import { basename, dirname } from './classify.js';
import type { LoadContext, SourceFamilyLoader } from './load-context.js';

export const isWorkflowPath = (p: string) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p);
export const isComposePath = (p: string) => /^(docker-)?compose[^/]*\.ya?ml$/.test(basename(p));
const isKustomization = (p: string) => /^(kustomization\.ya?ml|Kustomization)$/.test(basename(p));
const isHelmValues = (p: string) => /^values[^/]*\.ya?ml$/.test(basename(p));
const isScript = (p: string) => /\.(sh|bash)$/.test(p);
const isMakefile = (p: string) => /^(Makefile|GNUmakefile|makefile)$|\.mk$/.test(basename(p));
const isBake = (p: string) => /^docker-bake[^/]*\.(hcl|json)$/.test(basename(p));
const isBuildkitd = (p: string) => /^buildkitd[^/]*\.toml$/.test(basename(p));
export const ENV_EXAMPLES = ['.env.example', '.env.sample', '.env.template', '.env.dist', 'env.example'];
const isYaml = (p: string) => /\.ya?ml$/.test(p) && !p.includes('node_modules/');

async function readAll(ctx: LoadContext, paths: string[]): Promise<SourceFile[]> {
  const files = await Promise.all(paths.map((p) => ctx.read(p)));
  return files.filter((f): f is SourceFile => !!f);
}

/** Shell scripts and Makefiles: build commands become builds, pushes and logins registry mentions. */
const scripts: SourceFamilyLoader = async (ctx) => {
  const files = await readAll(
    ctx,
    ctx.paths.filter((p) => isScript(p) || isMakefile(p)),
  );
  for (const file of files) {
    const make = isMakefile(file.path);
    let facts: ReturnType<typeof scriptFacts>;
    if (make) {
      const r = makefileRecipes(file);
      facts = scriptFacts(file, parseShell(r.text, 0, r.offsets), r.vars);
    } else facts = scriptFacts(file, parseShell(file.text));
    // Scripts usually run from the repository root (CI calls `./scripts/build.sh`); Makefiles from their folder.
    const cwd = make ? dirname(file.path) : '.';
    for (const b of facts.builds) {
      const build = commandBuild(b, ctx.model, cwd, make ? 'makefile' : 'script', undefined, false);
      if (!make && !ctx.model.inventory.files.has(build.dockerfile)) {
        // Not found from the root: try relative to the script's own folder (scripts that `cd "$(dirname "$0")"`).
        const local = commandBuild(b, ctx.model, dirname(file.path), 'script', undefined, false);
        if (ctx.model.inventory.files.has(local.dockerfile)) {
          ctx.model.builds.push(local);
          continue;
        }
      }
      ctx.model.builds.push(build);
    }
    ctx.model.registries.push(...facts.pushes.flatMap((p) => imageMention(p, 'push')));
    ctx.model.registries.push(...facts.logins.flatMap((l) => loginMention(l)));
  }
};

const workflows: SourceFamilyLoader = async (ctx) => {
  const files = await readAll(ctx, ctx.paths.filter(isWorkflowPath));
  for (const file of files) {
    const parsed = parseYaml(file);
    const doc = parsed.docs[0];
    if (parsed.problems.length || !doc) {
      const wf = emptyWorkflow(file);
      for (const p of parsed.problems) wf.problems.push({ message: p.message, site: { file, span: p.span } });
      if (!doc && !parsed.problems.length)
        wf.problems.push({
          message: 'the workflow file is empty',
          site: { file, span: { start: 0, end: 0 } },
        });
      ctx.model.workflows.push(wf);
      continue;
    }
    ctx.model.workflows.push(readWorkflow(doc, ctx.model));
  }
};

const compose: SourceFamilyLoader = async (ctx) => {
  const files = await readAll(ctx, ctx.paths.filter(isComposePath));
  for (const file of files) {
    const parsed = parseYaml(file);
    for (const p of parsed.problems) ctx.problem(file, p.span, p.message);
    const doc = parsed.docs[0];
    if (!doc?.isMap) continue;
    const project = readCompose(doc, ctx.model);
    const dir = dirname(file.path);
    for (const name of ENV_EXAMPLES) {
      const path = dir === '.' ? name : `${dir}/${name}`;
      const status = ctx.model.inventory.files.get(path);
      if (status !== 'tracked' && status !== 'plain') continue;
      const example = await ctx.read(path);
      if (example) project.example = { file: example, names: envFileNames(example.text) };
      break;
    }
  }
};

/** Every other YAML file: Kubernetes objects, kustomizations, Helm values. Templates are noted, not parsed. */
const kubernetes: SourceFamilyLoader = async (ctx) => {
  const paths = ctx.paths.filter(
    (p) => isYaml(p) && !isWorkflowPath(p) && !isComposePath(p) && !p.startsWith('.github/'),
  );
  const files = await readAll(ctx, paths);
  for (const file of files) {
    if (/(^|\/)templates\//.test(file.path) && file.text.includes('{{')) {
      ctx.note(`${file.path}: a Helm/Go template, not YAML until rendered; not checked`);
      continue;
    }
    if (file.path.endsWith('crossdock.yaml') || file.path.endsWith('crossdock.yml')) continue;
    const parsed = parseYaml(file);
    const kube = parsed.docs.some((d) => d.isMap && d.get('apiVersion') && d.get('kind'));
    if (parsed.problems.length) {
      // Only files that look like Kubernetes or kustomize get a parse-error; other broken YAML is not ours.
      if (kube || isKustomization(file.path) || /^\s*(apiVersion|kind):/m.test(file.text)) {
        for (const p of parsed.problems) ctx.problem(file, p.span, p.message);
      } else if (file.text.includes('{{')) ctx.note(`${file.path}: templated YAML ({{ }}), not checked`);
    }
    for (const doc of parsed.docs) {
      if (isKustomization(file.path)) readKustomization(doc, ctx.model.deployments);
      else if (isHelmValues(file.path)) readHelmValues(doc, ctx.model.deployments);
      else readManifest(doc, ctx.model.deployments);
    }
  }
};

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
const buildkitd: SourceFamilyLoader = async (ctx) => {
  const files = await readAll(ctx, ctx.paths.filter(isBuildkitd));
  for (const file of files) {
    let ast: { body: TomlNode[] };
    try {
      ast = parseTOML(file.text) as unknown as { body: TomlNode[] };
    } catch (e) {
      const err = e as { index?: number; message?: string };
      const at = err.index ?? 0;
      ctx.problem(file, { start: at, end: at + 1 }, `TOML: ${err.message ?? String(e)}`);
      continue;
    }
    const registries: BuildkitdRegistry[] = [];
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
        if (key === 'ca') {
          const list = kv.value.elements
            ? kv.value.elements.map((el) => file.text.slice(el.range[0] + 1, el.range[1] - 1))
            : [raw.slice(1, -1)];
          reg.ca = { value: list, site: vsite };
        }
      }
      registries.push(reg);
      ctx.model.registries.push({ host, repository: undefined, role: 'buildkitd', site });
    }
    ctx.model.buildkitd.push({ file: file.path, registries });
  }
};

/** `docker-bake.hcl` / `docker-bake.json`: each target becomes a build (paths relative to the bake file). */
const bake: SourceFamilyLoader = async (ctx) => {
  const files = await readAll(ctx, ctx.paths.filter(isBake));
  for (const file of files) {
    const parsed = file.path.endsWith('.json') ? parseBakeJson(file) : parseBakeHcl(file);
    for (const p of parsed.problems) ctx.problem(file, p.span, p.message);
    const dir = dirname(file.path);
    const grouped = new Set(parsed.groups.flatMap((g) => g.targets));
    const inherited = new Set(parsed.targets.flatMap((t) => t.inherits));
    for (const t of parsed.targets) {
      // `_name` targets and targets only inherited from are templates, not builds.
      if (t.name.startsWith('_') || (inherited.has(t.name) && !grouped.has(t.name))) continue;
      const context = joinPath(dir, t.context?.value ?? '.') ?? '.';
      const dockerfile = joinPath(context, t.dockerfile?.value ?? 'Dockerfile') ?? 'Dockerfile';
      const platforms = t.platforms.map((p) => parsePlatform(p.value)).filter((p): p is Platform => !!p);
      const site = (span: Span): Site => ({ file, span });
      ctx.model.builds.push({
        id: `bake:${file.path}#${t.name}`,
        dockerfile,
        context,
        contextSource: 'definition',
        platforms: platforms.length ? platforms : [...ctx.model.targets.platforms],
        platformsSource: t.platforms[0]
          ? `${file.path}:${file.position(t.platforms[0].span.start).line}`
          : ctx.model.targets.source,
        tags: t.tags.map((x) => x.value),
        buildArgs: Object.fromEntries(Object.entries(t.args).map(([k, v]) => [k, v.value])),
        target: t.target?.value,
        push: t.push === true,
        origin: 'bake',
        definedAt: locate(file, t.span),
        sites: {
          definition: site(t.span),
          context: t.context ? site(t.context.span) : undefined,
          dockerfile: t.dockerfile ? site(t.dockerfile.span) : undefined,
          platforms: t.platforms[0] ? site(t.platforms[0].span) : undefined,
          tags: t.tags.map((x) => site(x.span)),
        },
      });
    }
  }
};

/**
 * Joins the graph: scripts a workflow job runs inherit that job (runner, QEMU), build tags and deployment image
 * references become registry mentions, and containers resolve to the build that produces their image.
 */
const link: SourceFamilyLoader = async (ctx) => {
  const model = ctx.model;
  for (const wf of model.workflows) {
    for (const job of wf.jobs) {
      let qemu = false;
      for (const step of job.steps) {
        if (step.uses?.action === 'docker/setup-qemu-action') qemu = true;
        if (/\bbinfmt\b|qemu-user-static/.test(step.run?.text ?? '')) qemu = true;
        for (const r of step.run?.runs ?? []) {
          const target = r.value.replace(/^\.\//, '');
          for (const b of model.builds) {
            if (
              (b.origin === 'script' || b.origin === 'makefile') &&
              !b.job &&
              (b.definedAt.file === target || (target === 'Makefile' && b.origin === 'makefile'))
            ) {
              b.job = { workflow: wf, job };
              b.qemu = qemu;
            }
          }
        }
      }
    }
  }
  for (const b of model.builds) {
    b.tags.forEach((tag, i) => {
      const site = b.sites?.tags[i];
      if (!site) return;
      model.registries.push(...imageMention({ value: tag, site }, b.push ? 'push' : 'tag'));
    });
  }
  const containers = model.deployments.workloads.flatMap((w) => w.containers);
  for (const c of containers) if (c.image) model.registries.push(...imageMention(c.image, 'deploy'));
  for (const i of model.deployments.images)
    model.registries.push(...imageMention({ value: i.ref, site: i.site }, 'deploy'));
  applyKustomizeImages(model);
  // Containers whose image is exactly a tag some build produces (rules add the by-repository fallback).
  for (const c of containers) {
    if (c.buildId || !c.image) continue;
    const image = c.image.value;
    const b = model.builds.find((x) => x.tags.includes(image));
    if (b) c.buildId = b.id;
  }
};

/** Files a kustomization includes, following folders (their kustomization) and nested overlays. */
function kustomizeFiles(model: ProjectModel, k: Kustomization, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(k.file.path)) return out;
  seen.add(k.file.path);
  for (const r of k.resources) {
    if (!r.path) continue;
    const nested = model.deployments.kustomizations.find((x) => dirname(x.file.path) === r.path);
    if (nested) for (const f of kustomizeFiles(model, nested, seen)) out.add(f);
    else out.add(r.path);
  }
  return out;
}

/**
 * Kustomize `images:` overrides: a container in an included resource whose image name matches an override runs
 * the override's reference; its build is resolved through that reference.
 */
function applyKustomizeImages(model: ProjectModel): void {
  for (const k of model.deployments.kustomizations) {
    if (k.images.length === 0) continue;
    const files = kustomizeFiles(model, k);
    for (const w of model.deployments.workloads) {
      if (!files.has(w.site.file.path)) continue;
      for (const c of w.containers) {
        if (!c.image || c.buildId) continue;
        const name = c.image.value.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
        const o = k.images.find((i) => i.name === name);
        if (!o) continue;
        const b = buildProducing(model.builds, o.ref);
        if (b) c.buildId = b.id;
      }
    }
  }
}

/**
 * Loaders of source families beyond part 1, in order: scripts before workflows (a workflow links the scripts it
 * runs), deployments, then the link pass.
 */
export const FAMILY_LOADERS: SourceFamilyLoader[] = [
  scripts,
  bake,
  workflows,
  compose,
  kubernetes,
  buildkitd,
  link,
];
