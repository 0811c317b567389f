import { dirname } from '../engine/classify.js';
import { createRule } from '../engine/rule.js';
import { nodeOfImage } from '../knowledge/images.js';
import { nodeSatisfies } from '../knowledge/versions.js';
import type { Dockerfile } from '../model/dockerfile.js';
import type { ProjectModel } from '../model/project.js';
import { buildsOf, stageChain } from './lib/dockerfile.js';
import type { VersionConstraint } from './lib/python.js';

function nodeConstraint(model: ProjectModel, df: Dockerfile): VersionConstraint | undefined {
  const dirs = [...new Set([...buildsOf(model, df).map((b) => b.context), dirname(df.path), '.'])];
  for (const dir of dirs) {
    const at = (p: string) => (dir === '.' ? p : `${dir}/${p}`);
    const pkg = model.node.packageJsons.find((p) => p.path === at('package.json'));
    const file = pkg && model.sources.get(pkg.path);
    if (pkg?.enginesNode && file)
      return { value: pkg.enginesNode.value, file, span: pkg.enginesNode.span, what: 'engines.node' };
    const rc = model.node.nvmrcs.find((n) => n.path === at('.nvmrc') || n.path === at('.node-version'));
    const rcFile = rc && model.sources.get(rc.path);
    if (rc && rcFile && /^\d+/.test(rc.version)) {
      const major = /^\d+/.exec(rc.version)?.[0] ?? rc.version;
      return {
        value: `${major}.x`,
        file: rcFile,
        span: rc.span,
        what: rc.path.slice(rc.path.lastIndexOf('/') + 1),
      };
    }
  }
  return undefined;
}

export default createRule<'base'>({
  meta: {
    id: 'node-version-mismatch',
    severity: 'error',
    category: 'node',
    summary: "The image's Node.js is outside the project's `engines.node` or `.nvmrc`.",
    messages: {
      base: 'this stage runs Node {{version}} ({{how}}), but {{what}} in {{file}} asks for "{{spec}}": installs fail with EBADENGINE (engine-strict) or the app breaks at runtime',
    },
    hint: 'use a node image whose version satisfies the constraint (e.g. `node:20-slim`), or update the constraint',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      const constraint = nodeConstraint(ctx.model, df);
      if (!constraint) continue;
      const reported = new Set<number>();
      for (const stage of df.stages) {
        const root = stageChain(df, stage)[0];
        if (!root?.image || reported.has(root.index)) continue;
        const node = nodeOfImage(root.image);
        if (!node || nodeSatisfies(node.version, constraint.value) !== false) continue;
        reported.add(root.index);
        ctx.report({
          messageId: 'base',
          data: {
            version: node.version,
            how: node.how,
            what: constraint.what,
            file: constraint.file.path,
            spec: constraint.value,
          },
          file,
          span: root.imageSpan,
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
