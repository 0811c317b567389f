import { dirname } from '../engine/classify.js';
import { createRule } from '../engine/rule.js';
import type { Site } from '../model/deploy.js';
import { pathStatus, type ProjectModel } from '../model/project.js';
import { stageArgs, substituteArgs } from '../sources/dockerfile/parse.js';
import { buildsOf, contextPath, matchSource } from './lib/dockerfile.js';

type Status = 'absent' | 'untracked' | 'ignored';

/** Files named by build definitions, compose, workflows and kustomizations: path, what it is, where. */
function referencedFiles(model: ProjectModel): { path: string; what: string; site: Site }[] {
  const out: { path: string; what: string; site: Site }[] = [];
  for (const b of model.builds) {
    if (b.origin === 'dockerfile' || !b.sites) continue;
    if (b.context.includes('$')) continue;
    if (b.sites.context || b.origin === 'compose')
      out.push({ path: b.context, what: 'the build context', site: b.sites.context ?? b.sites.definition });
    if (!b.dockerfile.includes('$') && pathStatus(model.inventory, b.context) !== 'absent')
      out.push({
        path: b.dockerfile,
        what: 'the Dockerfile',
        site: b.sites.dockerfile ?? b.sites.definition,
      });
  }
  for (const c of model.compose)
    for (const e of c.envFiles)
      if (!e.value.includes('$')) out.push({ path: e.value, what: 'an env_file', site: e.site });
  for (const wf of model.workflows)
    for (const job of wf.jobs)
      for (const step of job.steps)
        for (const cp of step.run?.copies ?? [])
          if (!cp.value.includes('${{'))
            out.push({ path: cp.value.replace(/^\.\//, ''), what: 'copied by this step', site: cp.site });
  for (const k of model.deployments.kustomizations)
    for (const r of k.resources)
      if (r.path) out.push({ path: r.path, what: 'a kustomize resource', site: r.entry.site });
  return out;
}

export default createRule<
  | 'absent'
  | 'untracked'
  | 'ignored'
  | 'dockerignored'
  | 'noMatch'
  | 'wrongContext'
  | `ref${Capitalize<Status>}`
>({
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
      wrongContext:
        'this build sends context `{{context}}`, which does not contain `{{src}}` that {{dockerfile}}:{{line}} copies (it is at `{{found}}`): the build fails with "not found"',
      refAbsent: '`{{path}}` ({{what}}) does not exist in the repository: a clean CI checkout fails here',
      refUntracked:
        '`{{path}}` ({{what}}) exists on this machine but is not committed, so a clean CI checkout lacks it',
      refIgnored: '`{{path}}` ({{what}}) is ignored by git, so a clean CI checkout lacks it',
    },
    hint: 'commit the file (`git add`), fix the path, or adjust .gitignore/.dockerignore; for secrets use a committed example (e.g. `.env.example`) or a build secret',
  },
  check(ctx) {
    const { model } = ctx;
    for (const ref of referencedFiles(model)) {
      const status = pathStatus(model.inventory, ref.path);
      if (status === 'tracked' || status === 'plain') continue;
      const messageId =
        status === 'absent' ? 'refAbsent' : status === 'untracked' ? 'refUntracked' : 'refIgnored';
      ctx.report({
        messageId,
        data: { path: ref.path, what: ref.what },
        file: ref.site.file,
        span: ref.site.span,
      });
    }
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
              if (
                status === 'absent' &&
                build.origin !== 'dockerfile' &&
                build.sites &&
                src.search(/[*?[]/) < 0
              ) {
                // The file is there, but outside the context this definition sends: report the definition.
                const clean = src.replace(/^\/+/, '');
                const found = [dirname(df.path), '.']
                  .map((base) => (base === '.' ? clean : `${base}/${clean}`))
                  .find((p) => p !== m.prefix && pathStatus(model.inventory, p) !== 'absent');
                if (found) {
                  const site = build.sites.context ?? build.sites.definition;
                  ctx.report({
                    messageId: 'wrongContext',
                    data: { ...data, found, dockerfile: df.path, line: file.position(w.span.start).line },
                    file: site.file,
                    span: site.span,
                    related: [{ file, span: w.span, message: `\`${src}\` is copied here` }],
                  });
                  continue;
                }
              }
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
