import { createRule } from '../engine/rule.js';
import { stageArgs } from '../sources/dockerfile/parse.js';
import { effectiveArgv } from '../sources/shell/words.js';
import { installerOf, runCommands, stageChain, targetsNonNative } from './lib/dockerfile.js';

const TIMEOUT_FLAGS: Record<string, RegExp> = {
  pip: /^--(timeout|default-timeout|retries)\b/,
  uv: /^--(timeout|default-timeout|retries)\b/,
  npm: /^--(fetch-timeout|fetch-retries|fetch-retry-maxtimeout)\b/,
  yarn: /^--network-timeout\b/,
};
const TIMEOUT_ENV: Record<string, RegExp> = {
  pip: /^PIP_(DEFAULT_)?TIMEOUT$|^PIP_RETRIES$/,
  uv: /^UV_HTTP_TIMEOUT$|^PIP_(DEFAULT_)?TIMEOUT$/,
  // npm reads npm_config_* case-insensitively.
  npm: /^npm_config_fetch_(timeout|retries|retry_maxtimeout)$/i,
  yarn: /^YARN_NETWORK_TIMEOUT$/,
};

export default createRule<'pip' | 'node'>({
  meta: {
    id: 'pip-no-timeout',
    severity: 'warning',
    category: 'python',
    summary:
      'Package downloads (pip, uv, npm, yarn) without a timeout or retries die on slow or emulated arm64 builders.',
    messages: {
      pip: "`{{cmd}}` runs with pip's default 15 s timeout and no retry setting; {{why}}",
      node: '`{{cmd}}` runs without {{flag}}; {{why}}',
    },
    hint: 'add `--default-timeout=100 --retries 5` (or `ENV PIP_DEFAULT_TIMEOUT=100`); for npm `--fetch-timeout=600000 --fetch-retries=5`, for yarn `--network-timeout 600000`',
  },
  check(ctx) {
    const nonNative = targetsNonNative(ctx.model);
    const why = nonNative
      ? 'arm64 builds under QEMU are several times slower and one stalled download fails the whole multi-platform build'
      : 'one stalled download fails the build';
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const stage of df.stages) {
        for (const ins of stage.instructions) {
          if (ins.keyword !== 'RUN') continue;
          const env = new Set<string>();
          for (const s of stageChain(df, stage))
            for (const [k, v] of stageArgs(df, s.index, s === stage ? ins : undefined))
              if (v !== undefined) env.add(k);
          for (const cmd of runCommands(ins)) {
            const kind = installerOf(cmd);
            if (kind !== 'pip' && kind !== 'uv' && kind !== 'npm' && kind !== 'yarn') continue;
            const flagRe = TIMEOUT_FLAGS[kind];
            const envRe = TIMEOUT_ENV[kind];
            if (!flagRe || !envRe) continue;
            const argv = effectiveArgv(cmd);
            if (argv.some((w) => flagRe.test(w.value))) continue;
            if ([...env, ...cmd.assignments.map((a) => a.name)].some((n) => envRe.test(n))) continue;
            const verb = Math.max(
              1,
              argv.findIndex((w) =>
                ['install', 'wheel', 'download', 'ci', 'i', 'add', 'sync'].includes(w.value),
              ),
            );
            const text = argv
              .slice(0, verb + 1)
              .map((w) => w.value)
              .join(' ');
            ctx.report({
              messageId: kind === 'pip' || kind === 'uv' ? 'pip' : 'node',
              data: {
                cmd: text,
                why,
                flag: kind === 'yarn' ? '--network-timeout' : '--fetch-timeout/--fetch-retries',
              },
              file,
              span: {
                start: argv[0]?.span.start ?? cmd.span.start,
                end: argv[verb]?.span.end ?? cmd.span.end,
              },
              severity: nonNative ? 'warning' : 'info',
            });
          }
        }
      }
    }
  },
});
