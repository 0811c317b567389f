import { createRule } from '../engine/rule.js';
import { isPipInstall, pipArgs, runCommands } from './lib/dockerfile.js';

export default createRule<'all' | 'noDeps'>({
  meta: {
    id: 'pip-invalid-option',
    severity: 'error',
    category: 'python',
    summary:
      'pip options that pip accepts but ignores or misreads: `--only-binary=all`, `--no-binary=all`, `--no-deps` with `-r`.',
    messages: {
      all: '`{{flag}} {{value}}` names a package called "all"; it does not mean every package, so pip may still build from source (slow, and failing on arm64 without compilers)',
      noDeps:
        '`--no-deps` with `-r {{file}}` installs only the listed lines and silently skips every transitive dependency unless the file is a complete lock',
    },
    hint: 'write `:all:` (`--only-binary=:all:` / `--no-binary=:all:`); drop `--no-deps` unless the requirements file is a fully pinned lock file',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const ins of df.instructions) {
        for (const cmd of runCommands(ins)) {
          if (!isPipInstall(cmd)) continue;
          const args = pipArgs(cmd);
          let reqFile: string | undefined;
          for (let i = 0; i < args.length; i++) {
            const w = args[i]!;
            const m = /^(--only-binary|--no-binary)(?:=(.*))?$/.exec(w.value);
            if (m) {
              const value = m[2] ?? args[i + 1]?.value ?? '';
              const end = m[2] === undefined ? (args[i + 1]?.span.end ?? w.span.end) : w.span.end;
              if (value.split(',').includes('all'))
                ctx.report({
                  messageId: 'all',
                  data: { flag: m[1] ?? '', value },
                  file,
                  span: { start: w.span.start, end },
                });
            }
            if (w.value === '-r' || w.value === '--requirement') reqFile = args[i + 1]?.value;
            else if (/^(-r|--requirement=)./.test(w.value))
              reqFile = w.value.replace(/^(-r|--requirement=)/, '');
          }
          const noDeps = args.find((w) => w.value === '--no-deps');
          if (noDeps && reqFile) {
            const req = ctx.model.python.requirements.find((r) => r.path.endsWith(reqFile ?? '\0'));
            if (!req?.compiled)
              ctx.report({
                messageId: 'noDeps',
                data: { file: reqFile },
                file,
                span: noDeps.span,
                severity: 'warning',
              });
          }
        }
      }
    }
    for (const req of ctx.model.python.requirements) {
      const file = ctx.model.sources.get(req.path);
      if (!file) continue;
      for (const o of req.options) {
        if (
          (o.name === '--only-binary' || o.name === '--no-binary') &&
          (o.value ?? '').split(',').includes('all')
        ) {
          ctx.report({ messageId: 'all', data: { flag: o.name, value: o.value ?? '' }, file, span: o.span });
        }
      }
    }
  },
});
