import { createRule } from '../engine/rule.js';
import type { Masking, ShellCommand } from '../model/shell.js';
import { commandsOf, pipefailAt } from './lib/dockerfile.js';

function words(cmd: ShellCommand, n: number): string {
  return cmd.argv
    .slice(0, n)
    .map((w) => w.value)
    .join(' ')
    .slice(0, 60);
}

export default createRule<'or' | 'semicolon' | 'pipe' | 'fallback' | 'declared'>({
  meta: {
    id: 'install-failure-masked',
    severity: 'warning',
    category: 'dockerfile',
    summary:
      'A package install whose failure is swallowed (`|| true`, `; true`, a pipe, a different fallback install): the image ships without the package.',
    messages: {
      or: '`|| {{noop}}` swallows a failure of {{cmd}}: the build succeeds and the image lacks what failed to install',
      semicolon: '{{cmd}} is followed by `; {{noop}}`, so the RUN exits 0 even when the install failed',
      pipe: '{{cmd}} is piped into `{{noop}}`; without `set -o pipefail` the RUN takes the exit status of `{{noop}}`',
      fallback:
        '{{cmd}} falls back to `{{noop}}` on failure: when the first install breaks (e.g. no prebuilt wheel or binary for arm64) the image silently gets something else',
      declared:
        '{{cmd}} may fail without failing the build (`|| {{noop}}`): the author marks it optional, so the image can ship without it',
    },
    hint: 'let the install fail the build; if a fallback is really wanted, make it explicit and verified (and add `set -o pipefail` before pipes)',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const ins of df.instructions) {
        const pipefail = pipefailAt(df, ins);
        // One finding per masking construct (one `|| true` can swallow every install of its and-or list).
        const byMask = new Map<
          ShellCommand,
          { how: Masking['how']; declared: boolean; installs: ShellCommand[] }
        >();
        for (const c of commandsOf(ins)) {
          const m = c.masked;
          if (!m || (m.how === 'pipe' && pipefail)) continue;
          const e = byMask.get(m.by) ?? { how: m.how, declared: m.declared, installs: [] };
          e.installs.push(c.command);
          byMask.set(m.by, e);
        }
        for (const [by, e] of byMask) {
          const first = e.installs[0] as ShellCommand;
          const cmd = e.installs.map((c) => `\`${words(c, 3)}\``).join(', ');
          const noop = e.how === 'pipe' ? (by.argv[0]?.value ?? '') : words(by, 6);
          // At the construct that swallows the failure (`|| true`, `; true`); a pipe or a fallback at the install.
          const at = e.how === 'or' || e.how === 'semicolon' ? by : first;
          const span = at.span;
          const data = { cmd, noop };
          const sites = e.installs.filter((c) => c !== at).map((c) => ({ file, span: c.span }));
          // A warning: the install may well succeed; info when the author marks it optional.
          ctx.report({
            messageId: e.declared ? 'declared' : e.how,
            severity: e.declared ? 'info' : 'warning',
            data,
            file,
            span,
            sites,
          });
        }
      }
    }
  },
});
