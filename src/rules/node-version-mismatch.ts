import { createRule } from '../engine/rule.js';
import { nodeOfImage } from '../knowledge/images.js';
import { nodeSatisfies } from '../knowledge/versions.js';
import type { ImageView, ProjectModel } from '../model/project.js';
import { dirname } from '../model/repo.js';
import type { SourceFile, Span } from '../model/source.js';
import { buildSite, inImage } from './lib/dockerfile.js';
import { repoFileOf } from './lib/python.js';

interface NodeConstraint {
  value: string;
  file: SourceFile;
  span: Span;
  what: string;
  /** `engines.node` is the project's declared requirement; `.nvmrc` is the version it is developed on. */
  declared: boolean;
}

function constraintIn(model: ProjectModel, dir: string): NodeConstraint | undefined {
  const at = (p: string) => (dir === '.' ? p : `${dir}/${p}`);
  const pkg = model.node.packageJsons.find((p) => p.path === at('package.json'));
  const file = pkg && model.sources.get(pkg.path);
  if (pkg?.enginesNode && file)
    return {
      value: pkg.enginesNode.value,
      file,
      span: pkg.enginesNode.span,
      what: 'engines.node',
      declared: true,
    };
  const rc = model.node.nvmrcs.find((n) => n.path === at('.nvmrc') || n.path === at('.node-version'));
  const rcFile = rc && model.sources.get(rc.path);
  if (rc && rcFile && /^\d+/.test(rc.version)) {
    const major = /^\d+/.exec(rc.version)?.[0] ?? rc.version;
    return {
      value: `${major}.x`,
      file: rcFile,
      span: rc.span,
      what: rc.path.slice(rc.path.lastIndexOf('/') + 1),
      declared: false,
    };
  }
  return undefined;
}

/** The project an image builds: the package.json its stages copy in (followed through the COPY), else the context's. */
function projectDir(model: ProjectModel, view: ImageView): string | undefined {
  for (const sv of view.stages) {
    if (!sv.built) continue;
    for (const ins of sv.stage.instructions) {
      if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.flags.some((f) => f.name === 'from'))
        continue;
      const dest = ins.words[ins.words.length - 1]?.value ?? '';
      if (!ins.words.slice(0, -1).some((w) => /(^|\/)package\.json$|^\.$|^\.\/$/.test(w.value))) continue;
      const at = inImage(
        view,
        sv.stage,
        ins,
        dest.endsWith('/') || ins.words.length > 2 || dest === '.' ? `${dest}/package.json` : dest,
      );
      const next = sv.stage.instructions[sv.stage.instructions.indexOf(ins) + 1] ?? ins;
      const src = at ? repoFileOf(model, view, sv, next === ins ? ins : next, at) : undefined;
      if (src?.known && src.value.endsWith('package.json')) return dirname(src.value);
    }
  }
  return view.build.context.known ? view.build.context.value : undefined;
}

export default createRule<'base'>({
  meta: {
    id: 'node-version-mismatch',
    severity: 'warning',
    category: 'node',
    summary: "The image's Node.js is outside the project's `engines.node` (or `.nvmrc`).",
    messages: {
      base: 'this stage runs Node {{version}} ({{how}}), but {{what}} in {{file}} asks for "{{spec}}": {{consequence}}',
    },
    hint: 'use a node image whose version satisfies the constraint (e.g. `node:20-slim`), or update the constraint',
  },
  check(ctx) {
    const { model } = ctx;
    for (const view of model.images) {
      const dir = projectDir(model, view);
      const constraint = dir ? constraintIn(model, dir) : undefined;
      if (!constraint) continue;
      const reported = new Set<number>();
      for (const sv of view.stages) {
        if (!sv.built) continue;
        const root = sv.chain[0];
        if (!root || reported.has(root.index)) continue;
        if (!sv.base.known) {
          ctx.unknown(
            { ...sv.base, site: sv.base.site ?? { file: view.file, span: root.imageSpan } },
            `the Node version of this stage against ${constraint.what}`,
          );
          continue;
        }
        const node = nodeOfImage(sv.base.value);
        if (!node || nodeSatisfies(node.version, constraint.value) !== false) continue;
        reported.add(root.index);
        ctx.report({
          messageId: 'base',
          // npm only warns on engines (EBADENGINE) unless engine-strict is set: a likely, not certain, breakage.
          severity: 'warning',
          data: {
            version: node.version,
            how: node.how,
            what: constraint.what,
            file: constraint.file.path,
            spec: constraint.value,
            consequence: constraint.declared
              ? 'the app runs on a Node it does not declare support for (`npm ci` fails with EBADENGINE under engine-strict)'
              : 'the image runs another Node than the one the project is developed on',
          },
          file: view.file,
          span: root.imageSpan,
          sites: buildSite(view),
          related: [
            {
              file: constraint.file,
              span: constraint.span,
              message: `${constraint.what} is "${constraint.value}" here`,
            },
          ],
        });
      }
    }
  },
});
