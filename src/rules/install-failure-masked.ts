import { createRule } from '../engine/rule.js';
import type { ShellCommand } from '../model/shell.js';
import { commandName, effectiveArgv } from '../sources/shell/words.js';
import { installerOf, runScripts } from './lib/dockerfile.js';

function isNoop(cmd: ShellCommand | undefined): boolean {
  const name = cmd ? commandName(cmd) : undefined;
  if (!cmd || !name) return false;
  if (name === 'true' || name === ':' || name === 'echo' || name === 'printf') return true;
  return name === 'exit' && (effectiveArgv(cmd)[1]?.value ?? '0') === '0';
}

export default createRule<'or' | 'semicolon' | 'pipe' | 'fallback'>({
  meta: {
    id: 'install-failure-masked',
    severity: 'error',
    category: 'dockerfile',
    summary:
      'A package install whose failure is swallowed (`|| true`, `; true`, a pipe, a weaker retry): the image ships without the package.',
    messages: {
      or: '`{{cmd}}` failure is swallowed by `|| {{noop}}`: the build succeeds and the image lacks what failed to install',
      semicolon: '`{{cmd}}` is followed by `; {{noop}}`, so the RUN exits 0 even when the install failed',
      pipe: '`{{cmd}}` is piped into `{{noop}}`; without `set -o pipefail` the RUN takes the exit status of `{{noop}}`',
      fallback:
        '`{{cmd}}` falls back to `{{noop}}` on failure: when the first install breaks (e.g. no prebuilt wheel or binary for arm64) the image silently gets something else',
    },
    hint: 'let the install fail the build; if a fallback is really wanted, make it explicit and verified (and add `set -o pipefail` before pipes)',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const ins of df.instructions) {
        for (const script of runScripts(ins)) {
          const cmds = script.commands;
          const pipefail = cmds.some(
            (c) => commandName(c) === 'set' && c.argv.some((w) => /pipefail/.test(w.value)),
          );
          for (let i = 0; i < cmds.length; i++) {
            const cmd = cmds[i]!;
            const kind = installerOf(cmd);
            if (!kind) continue;
            const next = cmds[i + 1];
            const text = effectiveArgv(cmd)
              .slice(0, 3)
              .map((w) => w.value)
              .join(' ');
            const nextText = next
              ? effectiveArgv(next)
                  .map((w) => w.value)
                  .join(' ')
                  .slice(0, 40)
              : '';
            const span = {
              start: cmd.span.start,
              end: next && cmd.next !== '\n' ? next.span.end : cmd.span.end,
            };
            if (cmd.next === '||' && isNoop(next))
              ctx.report({ messageId: 'or', data: { cmd: text, noop: nextText }, file, span });
            else if (cmd.next === '||' && next && installerOf(next))
              ctx.report({ messageId: 'fallback', data: { cmd: text, noop: nextText }, file, span });
            else if (cmd.next === ';' && isNoop(next) && i + 2 >= cmds.length)
              ctx.report({ messageId: 'semicolon', data: { cmd: text, noop: nextText }, file, span });
            else if (cmd.next === '|' && next && !pipefail)
              ctx.report({
                messageId: 'pipe',
                data: { cmd: text, noop: commandName(next) ?? nextText },
                file,
                span,
              });
          }
        }
      }
    }
  },
});
