import { createRule } from '../engine/rule.js';
import { composeBindMount } from './lib/compose-mounts.js';
import { importsOf, normalizeDist, PYTHON_STDLIB } from '../knowledge/python-packages.js';
import { pythonOfImage } from '../knowledge/images.js';
import { copyMappings } from '../model/eval.js';
import type { ImageView, ProjectModel, StageView } from '../model/project.js';
import type { PyImport } from '../model/python.js';
import {
  ancestors,
  dirname,
  isNotProjectPath,
  joinPath,
  present,
  relativeTo,
  within,
} from '../model/repo.js';
import type { SourceFile } from '../model/source.js';
import { buildSite, commandsOf } from './lib/dockerfile.js';
import {
  contextPython,
  distroPythonPackage,
  type InstalledDist,
  installedByImage,
} from './lib/python-imports.js';
import { requirementInstalls } from './lib/python.js';

/** Files that run in development, not in the image: tests, conftest, packaging scripts. */
function developmentOnly(rel: string): boolean {
  return (
    /(^|\/)(tests?|testing|docs?|examples?)\//.test(rel) ||
    /(^|\/)(test_[^/]*|[^/]*_test|conftest|setup|noxfile|tasks)\.py$/.test(rel) ||
    isNotProjectPath(rel)
  );
}

/** Where a top-level module lives outside the context: `dir/name.py` or a package folder `dir/name/`, nearest first. */
function outsideModule(model: ProjectModel, context: string, name: string): string | undefined {
  for (const dir of ancestors(dirname(context))) {
    const file = joinPath(dir, `${name}.py`);
    if (file && present(model.inventory, file)) return file;
    const folder = joinPath(dir, name);
    // A folder holding the context (`services` for services/api) would find the context's own files.
    if (!folder || within(folder, context)) continue;
    for (const f of model.inventory.files.keys())
      if (f.startsWith(`${folder}/`) && f.endsWith('.py') && present(model.inventory, f)) return folder;
  }
  return undefined;
}

/**
 * Why something other than the context's files may put a module into the image: a copy from a stage, an image or a
 * named context, a download, a RUN whose effects are not known, a base image whose contents are not known, a
 * compose bind mount. Undefined when only the context's COPY sources and pip installs add Python code.
 */
function otherSource(model: ProjectModel, view: ImageView, target: StageView): string | undefined {
  const base = target.base;
  if (!base.known || !pythonOfImage(base.value)) return 'the base image may hold Python packages';
  for (const stage of target.chain)
    for (const ins of stage.instructions) {
      // Only COPY takes `--from` (Docker refuses `ADD --from`).
      if (ins.keyword === 'COPY' && ins.flags.some((f) => f.name === 'from'))
        return '`COPY --from` copies files from elsewhere';
      if (ins.keyword === 'ADD' && ins.words.some((w) => /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(w.value)))
        return '`ADD` downloads files';
      if (ins.keyword === 'RUN' && ins.flags.some((f) => f.name === 'mount' && /from=/.test(f.value ?? '')))
        return 'a RUN mounts files from elsewhere';
      if (ins.keyword !== 'RUN') continue;
      for (const c of commandsOf(ins)) {
        // Distro packages add no module of the repository's names, except Python packages (`python3-x`).
        if (c.installer === 'apt' || c.installer === 'apk' || c.installer === 'dnf') {
          if (c.argv.some((w) => distroPythonPackage(w.value)))
            return `\`${c.name}\` installs Python packages`;
          continue;
        }
        if (c.unknownEffects || /^(git|curl|wget|svn|hg|rsync|scp)$/.test(c.name ?? ''))
          return `\`${c.name}\` may add files`;
      }
    }
  // A compose service of this build that bind-mounts repository folders into the container.
  const mount = composeBindMount(model, view);
  if (mount) return `${mount.file.path} bind-mounts repository folders`;
  return undefined;
}

/** An installed distribution may provide the module: its known import names, or its name holds the module's. */
function provides(d: InstalledDist, name: string): boolean {
  const own = importsOf(d.name);
  if (own?.includes(name)) return true;
  return (
    normalizeDist(d.name).split('-').includes(normalizeDist(name)) ||
    normalizeDist(d.name) === normalizeDist(name)
  );
}

export default createRule<'outside'>({
  meta: {
    id: 'import-outside-context',
    severity: 'error',
    category: 'python',
    summary:
      'Python code copied into an image imports a top-level module that exists only outside its build context.',
    messages: {
      outside:
        '`{{import}}` fails in the image built from `{{context}}`: `{{module}}` is {{where}}, outside the build context, and nothing copies or installs it into the image',
    },
    hint: 'build from a context that holds both (the repository root, with `-f` naming the Dockerfile) and COPY the module in, or package it and install it with pip',
  },
  check(ctx) {
    const installs = requirementInstalls(ctx.model);
    for (const view of ctx.model.images) {
      const context = view.build.context;
      if (!context.known || context.value === '.') continue;
      const target = view.target ? view.stages[view.target.index] : undefined;
      if (!target) continue;
      const py = contextPython(ctx.model, view);
      if (!py.known) continue;
      // Files the final image's chain copies from the context.
      const copies = copyMappings(view, target.stage);
      // A destination folder of that name (`COPY lib/ /app/shared/`) may be the module.
      const inImageName = (name: string) => copies.some((m) => m.dest.split('/').includes(name));
      const copied = (rel: string) =>
        copies.some((m) => m.source === rel || (m.tree && within(m.source, rel)));
      const found = new Map<string, { imports: { file: SourceFile; i: PyImport }[]; where: string }>();
      for (const f of py.value.files) {
        const rel = relativeTo(context.value, f.path);
        if (developmentOnly(rel) || !copied(rel)) continue;
        const file = ctx.model.sources.get(f.path);
        if (!file) continue;
        for (const i of f.imports.imports) {
          if (i.relative || !i.moduleLevel || i.guarded) continue;
          const name = i.module.split('.')[0] ?? i.module;
          if (PYTHON_STDLIB.has(name) || py.value.names.has(name) || inImageName(name)) continue;
          const where = found.get(name)?.where ?? outsideModule(ctx.model, context.value, name);
          if (!where) continue;
          const entry = found.get(name) ?? { imports: [], where };
          entry.imports.push({ file, i });
          found.set(name, entry);
        }
      }
      if (found.size === 0) continue;
      const other = otherSource(ctx.model, view, target);
      if (other) continue;
      const installed = installedByImage(ctx.model, view, installs);
      if (!installed.known) {
        ctx.unknown(installed, `whether an installed package provides \`${[...found.keys()].join('`, `')}\``);
        continue;
      }
      for (const [name, { imports, where }] of found) {
        if (installed.value.some((d) => provides(d, name))) continue;
        const [first, ...rest] = imports;
        if (!first) continue;
        const whereFile = ctx.model.inventory.files.has(where);
        const related = rest.slice(0, 10).map((r) => ({
          file: r.file,
          span: r.i.span,
          message: `\`${r.i.module}\` is imported here too`,
        }));
        ctx.report({
          messageId: 'outside',
          data: {
            import: first.file.text.slice(first.i.span.start, first.i.span.end),
            context: context.value,
            module: name,
            where: whereFile ? `the module ${where}` : `the package ${where}/`,
          },
          file: first.file,
          span: first.i.span,
          severity: view.reached ? 'error' : 'warning',
          related,
          sites: buildSite(view),
        });
      }
    }
  },
});
