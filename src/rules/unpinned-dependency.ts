import { createRule } from '../engine/rule.js';
import { parseRequirementText } from '../sources/python/pep508.js';
import { isPipInstall, runCommands } from './lib/dockerfile.js';
import { pipTargets, resolveRequirementFile } from './lib/python.js';

const TOOLING = new Set(['pip', 'setuptools', 'wheel', 'uv', 'pip-tools', 'poetry']);

export default createRule<'file' | 'inline'>({
  meta: {
    id: 'unpinned-dependency',
    severity: 'info',
    category: 'python',
    summary:
      'A direct dependency without any version constraint, in a file (or command) that installs into an image.',
    messages: {
      file: '`{{name}}` has no version constraint: every build may install a different release, and arm64 and amd64 images built at different times can differ',
      inline: '`pip install {{name}}` has no version constraint: every build may install a different release',
    },
    hint: 'pin it (`name==1.2.3`) or constrain it (`name>=1.2,<2`); better, install from a compiled lock file',
  },
  check(ctx) {
    const files = new Set<string>();
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      for (const ins of df.instructions) {
        for (const cmd of runCommands(ins)) {
          if (!isPipInstall(cmd)) continue;
          const t = pipTargets(cmd);
          for (const w of t.requirementFiles) {
            const req = resolveRequirementFile(ctx.model, df, w.value);
            if (req && !req.compiled) files.add(req.path);
          }
          for (const w of t.packages) {
            const r = parseRequirementText(w.value, w.span);
            if (
              !file ||
              !r?.name ||
              r.specifier ||
              r.url ||
              r.localPath ||
              TOOLING.has(r.name) ||
              w.value.includes('$')
            )
              continue;
            if (cmd.redirects.some((x) => x.span.start === w.span.end)) continue; // unquoted-version-specifier's case
            ctx.report({ messageId: 'inline', data: { name: w.value }, file, span: w.span });
          }
        }
      }
    }
    for (const req of ctx.model.python.requirements) {
      if (!files.has(req.path)) continue;
      const file = ctx.model.sources.get(req.path);
      if (!file) continue;
      const constrained = new Set(req.includes.filter((i) => i.kind === 'constraint').length ? ['*'] : []);
      for (const r of req.requirements) {
        if (!r.name || r.specifier || r.url || r.localPath || TOOLING.has(r.name) || constrained.has('*'))
          continue;
        ctx.report({ messageId: 'file', data: { name: r.name }, file, span: r.span });
      }
    }
  },
});
