import { createRule } from '../engine/rule.js';
import { commandsOf } from './lib/dockerfile.js';

export default createRule<'redirect' | 'input'>({
  meta: {
    id: 'unquoted-version-specifier',
    severity: 'warning',
    category: 'python',
    summary:
      '`pip install pkg>=1.2` unquoted: the shell takes `>` as a redirect, drops the constraint and writes a file named `=1.2`.',
    messages: {
      redirect:
        '{{list}} {{verb}} split by the shell: `>` writes output to a file named after the version, so pip installs {{names}} with no version constraint',
      input:
        '{{list}} {{verb}} split by the shell: `<` reads input from a file named after the version, which does not exist, so the RUN fails ("No such file or directory")',
    },
    hint: "quote each requirement: pip install 'pkg>=1.2'",
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const ins of df.instructions) {
        // One finding per RUN, listing every unquoted specifier in it.
        const hits: { text: string; name: string; start: number; end: number; input: boolean }[] = [];
        for (const c of commandsOf(ins)) {
          if (!c.pip) continue;
          for (const r of c.command.redirects) {
            if ((r.op !== '>' && r.op !== '<' && r.op !== '>>') || !/^[=\d]/.test(r.target)) continue;
            // The requirement the redirect split off: the word before it (none when the redirect comes first,
            // `RUN >=2 pip install flask`, which splits nothing).
            const word = c.command.argv.filter((w) => w.span.end <= r.span.start).pop();
            if (!word) continue;
            hits.push({
              text: `\`${word.value}${r.op}${r.target}\``,
              name: `\`${word.value}\``,
              start: word.span.start,
              end: r.span.end,
              input: r.op === '<',
            });
          }
        }
        const first = hits[0];
        if (!first) continue;
        const input = hits.filter((h) => h.input);
        const shown = input.length ? input : hits;
        ctx.report({
          // `<` makes the RUN fail; `>` silently drops the constraint.
          messageId: input.length ? 'input' : 'redirect',
          severity: input.length ? 'error' : 'warning',
          data: {
            list: shown.map((h) => h.text).join(', '),
            verb: shown.length > 1 ? 'are' : 'is',
            names: shown.map((h) => h.name).join(', '),
          },
          file,
          span: { start: first.start, end: first.end },
        });
      }
    }
  },
});
