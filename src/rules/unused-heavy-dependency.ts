import { createRule } from '../engine/rule.js';
import { imageName } from '../knowledge/images.js';
import {
  HEAVY_IMPORTS,
  importsOf,
  isLightImport,
  needsHeavy,
  PYTHON_STDLIB,
} from '../knowledge/python-packages.js';
import type { Site } from '../model/deploy.js';
import type { ImageView, ProjectModel } from '../model/project.js';
import type { SourceFile, Span } from '../model/source.js';
import { type Unknown, unknown, type Value } from '../model/value.js';
import { buildSite, commandsOf } from './lib/dockerfile.js';
import {
  type ContextPython,
  contextPython,
  type InstalledDist,
  installedByImage,
} from './lib/python-imports.js';
import { requirementInstalls } from './lib/python.js';

/**
 * Why a heavy package an image installs is needed, or not known to be unneeded: `used` (imported, run, or needed by
 * another installed package), an unknown, or undefined when nothing in the context needs it.
 */
function judge(
  model: ProjectModel,
  view: ImageView,
  heavy: InstalledDist,
  installed: InstalledDist[],
  py: ContextPython,
): 'used' | Unknown | undefined {
  const names = HEAVY_IMPORTS[heavy.name]?.imports ?? [];
  const top = (m: string) => m.split('.')[0] ?? m;
  for (const f of py.files)
    if (f.imports.imports.some((i) => !i.relative && names.includes(top(i.module)))) return 'used';
  // Programs it ships (`torchrun`) or `python -c "import torch"`, in the context's scripts or the Dockerfile.
  const mentions = (word: string) =>
    names.some((n) => word === n || word.startsWith(n)) || word === heavy.name;
  for (const s of py.scripts) if (s.words.some(mentions)) return 'used';
  for (const sv of view.stages) {
    if (!sv.built) continue;
    for (const ins of sv.stage.instructions) {
      const words =
        ins.keyword === 'RUN'
          ? commandsOf(ins).flatMap((c) => (c.pip ? [] : c.argv.map((w) => w.value)))
          : ['CMD', 'ENTRYPOINT', 'HEALTHCHECK', 'SHELL'].includes(ins.keyword)
            ? (ins.exec ?? ins.words.map((w) => w.value))
            : [];
      if (words.some((w) => (w.match(/[A-Za-z_][\w.-]*/g) ?? []).some(mentions))) return 'used';
    }
  }
  for (const f of py.files) {
    const d = f.imports.dynamic[0];
    const file = model.sources.get(f.path);
    if (d && file)
      return unknown('effects', `${f.path} imports a module named at run time`, { file, span: d });
  }
  for (const other of installed) {
    if (other.name === heavy.name || HEAVY_IMPORTS[other.name]?.imports.every((n) => names.includes(n)))
      continue;
    const needs = needsHeavy(other.name, names[0] ?? heavy.name);
    if (needs === 'yes') return 'used';
    if (needs === 'unknown')
      return unknown('effects', `whether \`${other.name}\` needs \`${heavy.name}\` is not known`, {
        file: other.file,
        span: other.requirement.span,
      });
  }
  // Every imported module comes from the standard library, the context, or a package known not to need it. On an
  // official python image (which holds no packages but pip's own), a module no requirement names is missing or a
  // dependency of an installed package: of a known one, which needs no heavy package, or of the heavy one itself,
  // whose such modules (keras) count as its imports above.
  if (officialPythonBase(view)) return undefined;
  for (const f of py.files)
    for (const i of f.imports.imports) {
      const t = top(i.module);
      if (i.relative || PYTHON_STDLIB.has(t) || py.names.has(t) || isLightImport(t)) continue;
      if (installed.some((d) => (importsOf(d.name) ?? [d.name.replace(/-/g, '_')]).includes(t))) continue;
      const file = model.sources.get(f.path);
      return unknown(
        'image-contents',
        `\`${t}\` is imported by ${f.path} but installed by nothing crossdock reads (the base image may hold it, and it may need \`${heavy.name}\`)`,
        file ? { file, span: i.span } : undefined,
      );
    }
  return undefined;
}

function officialPythonBase(view: ImageView): boolean {
  const target = view.target ? view.stages[view.target.index] : undefined;
  if (!target?.base.known) return false;
  const { name, official } = imageName(target.base.value);
  return official && name === 'python' && target.chain.length === 1;
}

interface Candidate {
  heavy: InstalledDist;
  views: number;
  unused: ImageView[];
}

export default createRule<'unused'>({
  meta: {
    id: 'unused-heavy-dependency',
    severity: 'warning',
    category: 'python',
    summary:
      'A heavy native package (torch, tensorflow, OpenCV, onnxruntime, scipy) an image installs that no Python file of its build context imports.',
    messages: {
      unused:
        '`{{name}}` is installed into the image built from `{{context}}`, but no Python file there imports `{{module}}` and nothing else installed needs it: on arm64 {{cost}}',
    },
    hint: 'remove it from what the image installs (keep it in a development requirements file if tests need it)',
  },
  check(ctx) {
    const installs = requirementInstalls(ctx.model);
    const candidates = new Map<string, Candidate>();
    for (const view of ctx.model.images) {
      // A Dockerfile nothing builds may be built with any context: what it installs stays used (no claim).
      const installed: Value<InstalledDist[]> = view.build.context.known
        ? installedByImage(ctx.model, view, installs)
        : view.build.context;
      if (!installed.known) {
        // The requirements it installs that are known stay used by this image (no claim over them).
        let heavyNamed = false;
        for (const [path, list] of installs.files) {
          if (!list.some((i) => i.view === view)) continue;
          const file = ctx.model.sources.get(path);
          for (const r of ctx.model.python.requirements.find((x) => x.path === path)?.requirements ?? [])
            if (r.name && HEAVY_IMPORTS[r.name] && file) {
              heavyNamed = true;
              const key = `${path}:${r.span.start}`;
              const c = candidates.get(key);
              if (c) c.views++;
              else
                candidates.set(key, {
                  heavy: {
                    name: r.name,
                    requirement: r,
                    file,
                    from: path,
                    word: list[0]!.word,
                    ins: list[0]!.ins,
                  },
                  views: 1,
                  unused: [],
                });
            }
        }
        if (heavyNamed && view.build.context.known)
          ctx.unknown(installed, 'whether the heavy packages the image installs are used');
        continue;
      }
      // A requirement with an environment marker (`; platform_machine == "x86_64"`) may not be installed on arm64.
      const heavies = installed.value.filter((d) => HEAVY_IMPORTS[d.name] && !d.requirement.marker);
      if (heavies.length === 0) continue;
      const py = contextPython(ctx.model, view);
      for (const heavy of heavies) {
        const key = `${heavy.file.path}:${heavy.requirement.span.start}`;
        const c = candidates.get(key) ?? { heavy, views: 0, unused: [] };
        candidates.set(key, c);
        c.views++;
        if (!py.known) {
          ctx.unknown(py, `whether \`${heavy.name}\` is imported`);
          continue;
        }
        const verdict = judge(ctx.model, view, heavy, installed.value, py.value);
        if (verdict === undefined) c.unused.push(view);
        else if (verdict !== 'used') ctx.unknown(verdict, `whether \`${heavy.name}\` is used`);
      }
    }
    for (const c of candidates.values()) {
      // A requirement every image that installs it leaves unused.
      if (c.unused.length === 0 || c.unused.length !== c.views) continue;
      const contexts = [
        ...new Set(c.unused.map((v) => (v.build.context.known ? v.build.context.value : '?'))),
      ];
      const sites: Site[] = c.unused.flatMap(buildSite);
      const file: SourceFile = c.heavy.file;
      const span: Span = c.heavy.requirement.span;
      const h = HEAVY_IMPORTS[c.heavy.name];
      ctx.report({
        messageId: 'unused',
        data: {
          name: c.heavy.name,
          context: contexts.join('`, `'),
          module: h?.imports[0] ?? c.heavy.name,
          cost: h?.cost ?? '',
        },
        file,
        span,
        sites,
      });
    }
  },
});
