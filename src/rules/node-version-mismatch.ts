import { createRule } from '../engine/rule.js';
import { nodeOfImage } from '../knowledge/images.js';
import { nodeSatisfies } from '../knowledge/versions.js';
import type { ProjectModel } from '../model/project.js';
import type { CommandFacts } from '../model/shell.js';
import type { SourceFile, Span } from '../model/source.js';
import { unknown } from '../model/value.js';
import { buildSite, commandsOf } from './lib/dockerfile.js';
import { nodeProjectDir } from './lib/node.js';

/** A command that runs Node or its package managers. */
function usesNode(c: CommandFacts): boolean {
  return /^(node|npm|npx|yarn|pnpm|corepack)$/.test(c.name ?? '');
}

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
  const major = rc && /^\d+/.exec(rc.version)?.[0];
  if (rc && rcFile && major) {
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
      const dir = nodeProjectDir(model, view);
      if (dir && !dir.known) {
        ctx.unknown(
          {
            ...dir,
            site: dir.site ?? {
              file: view.file,
              span: view.dockerfile.stages[0]?.from.span ?? { start: 0, end: 0 },
            },
          },
          "which package.json the image copies, against the image's Node version",
        );
        continue;
      }
      const constraint = dir ? constraintIn(model, dir.value) : undefined;
      if (!constraint) continue;
      for (const sv of view.stages) {
        if (!sv.built) continue;
        const root = sv.chain[0];
        if (!root) continue;
        if (!sv.base.known) {
          ctx.unknown(
            { ...sv.base, site: sv.base.site ?? { file: view.file, span: root.imageSpan } },
            `the Node version of this stage against ${constraint.what}`,
          );
          continue;
        }
        const node = nodeOfImage(sv.base.value);
        if (!node) {
          // Only an official node image's version is known; a stage that runs Node tooling on another image
          // (`ghcr.io/acme/node:18`, a private base) has a Node nobody can tell from here.
          if (sv.chain.some((s) => s.instructions.some((i) => commandsOf(i).some(usesNode))))
            ctx.unknown(
              unknown('image-contents', `which Node ${sv.base.value} has is not known`, {
                file: view.file,
                span: root.imageSpan,
              }),
              `the Node version of this stage against ${constraint.what}`,
            );
          continue;
        }
        if (nodeSatisfies(node.version, constraint.value) !== false) continue;
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
