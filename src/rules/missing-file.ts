import { dirname } from '../engine/classify.js';
import { createRule } from '../engine/rule.js';
import { pathStatus } from '../model/project.js';
import { stageArgs, substituteArgs } from '../sources/dockerfile/parse.js';
import { buildsOf, contextPath, matchSource } from './lib/dockerfile.js';

export default createRule<'absent' | 'untracked' | 'ignored' | 'dockerignored' | 'noMatch'>({
  meta: {
    id: 'missing-file',
    severity: 'error',
    category: 'context',
    summary:
      'A file the build needs is not in a clean clone of its context: absent, untracked, ignored by git, or excluded by .dockerignore.',
    messages: {
      absent:
        '`{{src}}` does not exist in the build context `{{context}}` ({{contextWhy}}): the build fails with "not found"',
      untracked:
        '`{{src}}` exists on this machine but is not committed (untracked), so a clean CI checkout lacks it and the build fails there',
      ignored:
        '`{{src}}` is ignored by git (.gitignore), so a clean CI checkout lacks it and the build fails there',
      dockerignored:
        '`{{src}}` is excluded from the build context by {{dockerignore}}, so COPY finds nothing',
      noMatch: '`{{src}}` matches no committed file in the build context `{{context}}`',
    },
    hint: 'commit the file (`git add`), fix the path, or adjust .gitignore/.dockerignore; for secrets use a committed example (e.g. `.env.example`) or a build secret',
  },
  check(ctx) {
    const { model } = ctx;
    for (const df of model.dockerfiles) {
      const file = model.sources.get(df.path);
      if (!file) continue;
      for (const build of buildsOf(model, df)) {
        const ignoreFile = model.dockerignores.get(df.path) ?? model.dockerignores.get(build.context);
        const contextWhy =
          build.contextSource === 'definition'
            ? `set at ${build.definedAt.file}:${build.definedAt.line}`
            : build.contextSource === 'repo-root'
              ? 'the repository root, inferred'
              : "the Dockerfile's folder, inferred";
        for (const stage of df.stages) {
          for (const ins of stage.instructions) {
            if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.flags.some((f) => f.name === 'from'))
              continue;
            const vars = stageArgs(df, stage.index, ins);
            for (const w of ins.words.slice(0, -1)) {
              if (
                /^[a-z][a-z0-9+.-]*:\/\//i.test(w.value) ||
                w.value.startsWith('<<') ||
                w.value.startsWith('git@')
              )
                continue;
              const src = substituteArgs(w.value, vars);
              if (src === undefined || src.includes('$')) continue;
              if (contextPath(build, src.replace(/^\/+/, '') || '.') === undefined) continue; // copy-outside-context
              const m = matchSource(model, build, src);
              if (!m) continue;
              const data = {
                src: w.value,
                context: build.context,
                contextWhy,
                dockerignore: ignoreFile?.path ?? '.dockerignore',
              };
              const related =
                build.origin !== 'dockerfile'
                  ? (() => {
                      const def = model.sources.get(build.definedAt.file);
                      return def
                        ? [
                            {
                              file: def,
                              span: {
                                start: def.lineStart(build.definedAt.line) + build.definedAt.column - 1,
                                end: def.lineStart(build.definedAt.line) + build.definedAt.column,
                              },
                              message: `the build context \`${build.context}\` is set here`,
                            },
                          ]
                        : [];
                    })()
                  : [];
              const rel = (p: string) => (build.context === '.' ? p : p.slice(build.context.length + 1));
              if (src.search(/[*?[]/) >= 0) {
                const present = m.matches.filter((f) => {
                  const st = model.inventory.files.get(f);
                  return (st === 'tracked' || st === 'plain') && !ignoreFile?.ignores(rel(f));
                });
                if (present.length === 0)
                  ctx.report({ messageId: 'noMatch', data, file, span: w.span, related });
                continue;
              }
              const status = pathStatus(model.inventory, m.prefix);
              if (status === 'absent') ctx.report({ messageId: 'absent', data, file, span: w.span, related });
              else if (status === 'untracked')
                ctx.report({ messageId: 'untracked', data, file, span: w.span, related });
              else if (status === 'ignored')
                ctx.report({ messageId: 'ignored', data, file, span: w.span, related });
              else if (ignoreFile && m.prefix !== build.context && ignoreFile.ignores(rel(m.prefix))) {
                const ig = model.sources.get(ignoreFile.path);
                ctx.report({
                  messageId: 'dockerignored',
                  data,
                  file,
                  span: w.span,
                  related: ig
                    ? [
                        {
                          file: ig,
                          span: { start: 0, end: 0 },
                          message: `excluded by ${ignoreFile.path} (context ${dirname(ignoreFile.path)})`,
                        },
                      ]
                    : related,
                });
              }
            }
          }
        }
      }
    }
  },
});
