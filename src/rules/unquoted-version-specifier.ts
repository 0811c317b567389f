import { createRule } from '../engine/rule.js';
import { isPipInstall, runCommands } from './lib/dockerfile.js';

export default createRule<'redirect'>({
  meta: {
    id: 'unquoted-version-specifier',
    severity: 'error',
    category: 'python',
    summary:
      '`pip install pkg>=1.2` unquoted: the shell takes `>` as a redirect, drops the constraint and writes a file named `=1.2`.',
    messages: {
      redirect:
        '`{{word}}{{op}}{{target}}` is split by the shell: `{{op}}` redirects output to a file named "{{target}}", so pip installs `{{word}}` with no version constraint',
    },
    hint: "quote the requirement: pip install 'pkg>=1.2'",
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const ins of df.instructions) {
        for (const cmd of runCommands(ins)) {
          if (!isPipInstall(cmd)) continue;
          for (const r of cmd.redirects) {
            if ((r.op === '>' || r.op === '<' || r.op === '>>') && /^[=\d]/.test(r.target)) {
              const word = cmd.argv.filter((w) => w.span.end <= r.span.start).pop();
              ctx.report({
                messageId: 'redirect',
                data: { word: word?.value ?? '', op: r.op, target: r.target },
                file,
                span: { start: word?.span.start ?? r.span.start, end: r.span.end },
              });
            }
          }
        }
      }
    }
  },
});
