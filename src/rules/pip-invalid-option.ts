import { createRule } from '../engine/rule.js';
import { commandsOf } from './lib/dockerfile.js';
import { requirementFile } from './lib/python.js';

export default createRule<'all' | 'noDeps'>({
  meta: {
    id: 'pip-invalid-option',
    severity: 'warning',
    category: 'python',
    summary:
      'pip options that pip accepts but ignores or misreads: `--only-binary=all`, `--no-binary=all`, `pip install --no-deps` with `-r` of a loose file.',
    messages: {
      all: '`{{flag}} {{value}}` names a package called "all"; it does not mean every package, so pip may still build from source (slow, and failing on arm64 without compilers)',
      noDeps:
        '`pip install --no-deps` with `-r {{file}}` installs only the listed lines and silently skips every transitive dependency unless the file is a complete lock',
    },
    hint: 'write `:all:` (`--only-binary=:all:` / `--no-binary=:all:`); drop `--no-deps` unless the requirements file is a fully pinned lock file',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const ins of df.instructions) {
        for (const c of commandsOf(ins)) {
          if (!c.pip) continue;
          for (const o of c.pip.binaryOptions)
            if (o.value.split(',').includes('all'))
              ctx.report({ messageId: 'all', data: { flag: o.flag, value: o.value }, file, span: o.span });
        }
      }
    }
    // `pip install --no-deps -r FILE…`: judged by the files the image really installs (followed through their
    // COPY); one loose file is enough. `pip wheel --no-deps` builds only the listed wheels on purpose.
    for (const view of ctx.model.images)
      for (const sv of view.stages) {
        if (!sv.built) continue;
        for (const ins of sv.stage.instructions)
          for (const c of commandsOf(ins)) {
            const noDeps = c.argv.find((w) => w.value === '--no-deps');
            if (c.pip?.verb !== 'install' || !noDeps) continue;
            for (const reqFile of c.pip.requirementFiles) {
              const req = requirementFile(ctx.model, view, sv, ins, reqFile);
              if (!req.known) {
                ctx.unknown(
                  { ...req, site: req.site ?? { file: view.file, span: reqFile.span } },
                  `whether \`-r ${reqFile.value}\` is a complete lock`,
                );
                continue;
              }
              // A compiled lock (or a fully hashed file, which pip only accepts when it lists every dependency) is complete.
              if (req.value.compiled || req.value.requirements.every((r) => r.hashes.length > 0)) continue;
              // Builds of the same Dockerfile report the same place: the engine merges them.
              ctx.report({
                messageId: 'noDeps',
                data: { file: reqFile.value },
                file: view.file,
                span: noDeps.span,
              });
              break;
            }
          }
      }
    for (const req of ctx.model.python.requirements) {
      const file = ctx.model.sources.get(req.path);
      if (!file) continue;
      for (const o of req.options)
        if (
          (o.name === '--only-binary' || o.name === '--no-binary') &&
          (o.value ?? '').split(',').includes('all')
        )
          ctx.report({ messageId: 'all', data: { flag: o.name, value: o.value ?? '' }, file, span: o.span });
    }
  },
});
