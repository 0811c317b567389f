import { createRule } from '../engine/rule.js';
import { SourceFile } from '../model/source.js';

export default createRule<'noMapping' | 'noGitlink' | 'duplicatePath' | 'duplicateName' | 'noPath'>({
  meta: {
    id: 'submodule-mismatch',
    severity: 'error',
    category: 'git',
    summary:
      'Gitlinks and .gitmodules disagree: a submodule without a mapping, a mapping without a submodule, duplicates.',
    messages: {
      noMapping:
        'the index has a submodule (gitlink) at `{{path}}` but .gitmodules has no entry for it: CI checkouts fail with "no submodule mapping found in .gitmodules for path \'{{path}}\'"',
      noGitlink:
        'submodule "{{name}}" maps path `{{path}}`, but the index has no gitlink there: `git submodule update` does nothing and the folder stays empty',
      duplicatePath: 'path `{{path}}` is mapped by more than one submodule section',
      duplicateName: 'submodule name "{{name}}" is used by more than one section',
      noPath: 'submodule "{{name}}" has no `path =`; git ignores it',
    },
    hint: 'for a leftover gitlink: `git rm --cached <path>`; for a real submodule: `git submodule add <url> <path>` so .gitmodules and the index agree',
  },
  check(ctx) {
    const { inventory, gitmodules } = ctx.model;
    const file = (gitmodules && ctx.model.sources.get(gitmodules.path)) ?? new SourceFile('.gitmodules', '');
    const entries = gitmodules?.entries ?? [];
    const paths = new Map<string, number>();
    const names = new Set<string>();
    for (const e of entries) {
      if (names.has(e.name))
        ctx.report({ messageId: 'duplicateName', data: { name: e.name }, file, span: e.span });
      names.add(e.name);
      if (!e.path) {
        ctx.report({ messageId: 'noPath', data: { name: e.name }, file, span: e.span });
        continue;
      }
      if (paths.has(e.path))
        ctx.report({ messageId: 'duplicatePath', data: { path: e.path }, file, span: e.pathSpan ?? e.span });
      paths.set(e.path, (paths.get(e.path) ?? 0) + 1);
      if (inventory.git && !inventory.gitlinks.has(e.path)) {
        ctx.report({
          messageId: 'noGitlink',
          data: { name: e.name, path: e.path },
          file,
          span: e.pathSpan ?? e.span,
          severity: 'warning',
        });
      }
    }
    for (const link of inventory.gitlinks.keys()) {
      if (!paths.has(link))
        ctx.report({ messageId: 'noMapping', data: { path: link }, file, span: { start: 0, end: 0 } });
    }
  },
});
