import { createRule } from '../engine/rule.js';
import { commandsOf } from './lib/dockerfile.js';

// Sets of `string | undefined`: a bare assignment's command has no name, and is in none of them.
const NO_EFFECT = new Set<string | undefined>([
  'export',
  'cd',
  'source',
  '.',
  'set',
  'unset',
  'alias',
  'ulimit',
  'umask',
]);
/** Commands that leave nothing behind either, beside the builtins above: tests, no-ops, output to the build log. */
const HARMLESS = new Set<string | undefined>(['[', '[[', 'test', 'true', ':', 'echo', 'printf']);
/** Shells a heredoc's `<<EOF` line may hand the body to (`RUN <<EOF bash`). */
const SHELLS = new Set<string | undefined>(['sh', 'bash', 'dash', 'zsh']);

export default createRule<'export' | 'cd'>({
  meta: {
    id: 'run-export-no-effect',
    severity: 'warning',
    category: 'dockerfile',
    summary: '`RUN export X=…`, `RUN cd …` or `RUN source …` alone: nothing survives the layer.',
    messages: {
      export:
        '`RUN {{cmd}}` only changes the environment of its own shell, which ends with this RUN; later instructions do not see it',
      cd: '`RUN {{cmd}}` only changes the directory of its own shell; later instructions start in the WORKDIR again',
    },
    hint: 'use `ENV NAME=value` for variables and `WORKDIR /path` for directories',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const ins of df.instructions) {
        if (ins.keyword !== 'RUN') continue;
        // A heredoc RUN's `<<EOF` line (alone, or read by a bare shell) only hands the body to the shell; with any
        // other redirect (`RUN <<EOF sh > /etc/out`) it writes a file.
        const cmds = commandsOf(ins).filter(
          (c) =>
            !(
              c.command.redirects.length > 0 &&
              c.command.redirects.every((r) => r.op.startsWith('<<')) &&
              (c.argv.length === 0 || (c.argv.length === 1 && SHELLS.has(c.name)))
            ),
        );
        // `if [ "$P" = big ]; then export W=8; else export W=2; fi`: exports beside tests and log output only. A
        // redirect writes a file, a command substitution (`export V=$(pip install x)`) runs a command.
        const inert = (c: (typeof cmds)[number]) =>
          (NO_EFFECT.has(c.name) || HARMLESS.has(c.name)) &&
          c.command.redirects.length === 0 &&
          !c.argv.some((w) => /\$\(|`/.test(w.raw));
        if (!cmds.every(inert)) continue;
        const first = cmds.find((c) => NO_EFFECT.has(c.name));
        if (!first) continue;
        ctx.report({
          messageId: first.name === 'cd' ? 'cd' : 'export',
          data: {
            cmd: (ins.heredocs.length
              ? first.argv.map((w) => w.value).join(' ')
              : ins.args.slice(ins.shellStart).trim()
            ).slice(0, 60),
          },
          file,
          span: { start: ins.keywordSpan.start, end: first.command.span.end },
        });
      }
    }
  },
});
