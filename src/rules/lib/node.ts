import { copyMappings } from '../../model/eval.js';
import type { ImageView, ProjectModel } from '../../model/project.js';
import { basename, dirname, joinPath } from '../../model/repo.js';
import type { CommandFacts } from '../../model/shell.js';
import { known, type Value } from '../../model/value.js';
import { commandsOf } from './dockerfile.js';

/** `npm ci`, `npm install`, `yarn`, `pnpm install`: installs the dependencies of the package.json where it runs. */
export function installsNodeDependencies(c: CommandFacts): boolean {
  if (c.installer !== 'npm' && c.installer !== 'yarn' && c.installer !== 'pnpm') return false;
  const sub = c.argv[1]?.value;
  return sub === undefined || sub.startsWith('-') || ['install', 'ci', 'i', 'add'].includes(sub);
}

/** A built stage of the view runs a Node dependency install. */
export function viewInstallsNodeDependencies(view: ImageView): boolean {
  return view.stages.some(
    (sv) =>
      sv.built &&
      sv.chain.some((s) => s.instructions.some((i) => commandsOf(i).some(installsNodeDependencies))),
  );
}

/**
 * The Node project folder an image builds: the folder of the package.json its built stages copy in (a file, or a
 * folder holding one), followed through the COPY and the build context; when nothing copies one, the build
 * context. Unknown when a package.json is copied from a context that is one of several candidates (a Dockerfile
 * nothing builds); undefined when nothing is copied and the context is not known.
 */
export function nodeProjectDir(model: ProjectModel, view: ImageView): Value<string> | undefined {
  const ctx = view.build.context;
  const contexts = ctx.known ? [ctx.value] : (ctx.candidates ?? []);
  const exists = (p: string | undefined) => p !== undefined && model.inventory.files.has(p);
  for (const sv of view.stages) {
    if (!sv.built) continue;
    for (const m of copyMappings(view, sv.stage)) {
      const rel = !m.tree
        ? basename(m.source) === 'package.json'
          ? m.source
          : undefined
        : contexts.some((c) => exists(joinPath(c, `${m.source}/package.json`)))
          ? joinPath(m.source, 'package.json')
          : undefined;
      if (rel === undefined) continue;
      const only = ctx.known ? ctx.value : contexts.length === 1 ? contexts[0] : undefined;
      if (only === undefined) return { ...ctx };
      const p = joinPath(only, rel);
      if (p === undefined) continue;
      return known(dirname(p), {
        kind: ctx.known ? 'literal' : 'convention',
        detail: `${p} copied by the Dockerfile`,
      });
    }
  }
  return ctx.known ? known(ctx.value, ctx.origin) : undefined;
}
