import { createRule } from '../engine/rule.js';
import { commandsOf } from './lib/dockerfile.js';

export default createRule<'redirect'>({
  meta: {
    id: 'unquoted-version-specifier',
    severity: 'error',
    category: 'python',
    summary:
      '`pip install pkg>=1.2` unquoted: the shell takes `>` as a redirect, drops the constraint and writes a file named `=1.2`.',
    messages: {
      redirect:
        '{{list}} {{verb}} split by the shell: `>`/`<` redirect output to files named after the version, so pip installs {{names}} with no version constraint',
    },
    hint: "quote each requirement: pip install 'pkg>=1.2'",
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const ins of df.instructions) {
        // One finding per RUN, listing every unquoted specifier in it.
        const hits: { text: string; name: string; start: number; end: number }[] = [];
        for (const c of commandsOf(ins)) {
          if (!c.pip) continue;
          for (const r of c.command.redirects) {
            if ((r.op !== '>' && r.op !== '<' && r.op !== '>>') || !/^[=\d]/.test(r.target)) continue;
            const word = c.command.argv.filter((w) => w.span.end <= r.span.start).pop();
            hits.push({
              text: `\`${word?.value ?? ''}${r.op}${r.target}\``,
              name: `\`${word?.value ?? ''}\``,
              start: word?.span.start ?? r.span.start,
              end: r.span.end,
            });
          }
        }
        const first = hits[0];
        const last = hits[hits.length - 1];
        if (!first || !last) continue;
        ctx.report({
          messageId: 'redirect',
          data: {
            list: hits.map((h) => h.text).join(', '),
            verb: hits.length > 1 ? 'are' : 'is',
            names: hits.map((h) => h.name).join(', '),
          },
          file,
          span: { start: first.start, end: hits.length > 1 ? first.end : last.end },
        });
      }
    }
  },
});
