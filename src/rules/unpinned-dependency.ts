import { createRule } from '../engine/rule.js';
import type { Unknown } from '../model/value.js';
import { parseRequirementText } from '../sources/python/pep508.js';
import { buildSite, commandsOf } from './lib/dockerfile.js';
import { installedProject, requirementFile, requirementInstalls } from './lib/python.js';
import { projectRequirements, projectWord, selectedExtras } from './lib/python-imports.js';

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
    for (const view of ctx.model.images)
      for (const sv of view.stages) {
        if (!sv.built) continue;
        for (const ins of sv.stage.instructions)
          for (const c of commandsOf(ins)) {
            if (!c.pip || c.pip.verb === 'download') continue;
            for (const w of c.pip.packages) {
              const r = parseRequirementText(w.value, w.span);
              if (
                !r?.name ||
                r.specifier ||
                r.url ||
                r.localPath ||
                TOOLING.has(r.name) ||
                w.value.includes('$')
              )
                continue;
              if (c.command.redirects.some((x) => x.span.start === w.span.end)) continue; // unquoted-version-specifier's case
              // Every build of the Dockerfile reports it: the engine merges them into one finding with all sites.
              ctx.report({
                messageId: 'inline',
                data: { name: w.value },
                file: view.file,
                span: w.span,
                sites: buildSite(view),
              });
            }
          }
      }
    // The project an image installs (`pip install .`, `-e .[dev]`, `pip install /app`): its metadata's dependencies
    // and the extras selected, pinned by nothing but a constraints file of the same install.
    for (const view of ctx.model.images)
      for (const sv of view.stages) {
        if (!sv.built) continue;
        for (const ins of sv.stage.instructions)
          for (const c of commandsOf(ins)) {
            const w = projectWord(c);
            if (!w || !c.pip || c.pip.verb === 'download' || c.pip.noDeps) continue;
            const dir = installedProject(ctx.model, view, sv, ins, c);
            if (!dir) continue;
            if (!dir.known) {
              ctx.unknown(dir, `whether the dependencies of the project \`${w.value}\` installs are pinned`);
              continue;
            }
            const constraints = c.pip.constraintFiles.map((x) =>
              requirementFile(ctx.model, view, sv, ins, x),
            );
            for (const list of projectRequirements(ctx.model, dir.value, selectedExtras(w.value)).lists) {
              const file = ctx.model.sources.get(list.path);
              if (!file) continue;
              for (const r of list.requirements) {
                if (!r.name || r.specifier || r.url || r.localPath || TOOLING.has(r.name)) continue;
                if (
                  constraints.some(
                    (x) =>
                      x.known &&
                      x.value.requirements.some((q) => q.name === r.name && (q.specifier || q.url)),
                  )
                )
                  continue;
                const open = constraints.filter((x) => !x.known);
                if (open.length) {
                  for (const u of open)
                    if (!u.known) ctx.unknown(u, `whether a constraints file pins \`${r.name}\``);
                  continue;
                }
                ctx.report({
                  messageId: 'file',
                  data: { name: r.name },
                  file,
                  span: r.span,
                  sites: buildSite(view),
                });
              }
            }
          }
      }
    // Requirement files the images install (nested -r includes too): a line is pinned when it has a specifier, or
    // when every install of the file runs under a constraint (-c) that pins it.
    const { files } = requirementInstalls(ctx.model);
    for (const req of ctx.model.python.requirements) {
      const installs = files.get(req.path);
      if (!installs || req.compiled) continue;
      const file = ctx.model.sources.get(req.path);
      if (!file) continue;
      for (const r of req.requirements) {
        if (!r.name || r.specifier || r.url || r.localPath || TOOLING.has(r.name)) continue;
        const blocked: Unknown[] = [];
        const unpinnedBy = installs.filter((i) => {
          const unknowns = i.constraints.filter((x) => !x.known);
          const pins = i.constraints.some(
            (x) => x.known && x.value.requirements.some((q) => q.name === r.name && (q.specifier || q.url)),
          );
          if (pins) return false;
          if (unknowns.length) {
            for (const u of unknowns) if (!u.known) blocked.push(u);
            return false;
          }
          return true;
        });
        if (unpinnedBy.length === 0) {
          for (const u of blocked) ctx.unknown(u, `whether a constraints file pins \`${r.name}\``);
          continue;
        }
        ctx.report({ messageId: 'file', data: { name: r.name }, file, span: r.span });
      }
    }
  },
});
