import { createRule } from '../engine/rule.js';
import { formatPlatform } from '../model/platform.js';
import { finalStage } from './lib/dockerfile.js';

export default createRule<'runtime' | 'build'>({
  meta: {
    id: 'from-platform-constant',
    severity: 'error',
    category: 'platform',
    summary: "`FROM --platform=<constant>`: every target platform gets that one architecture's base image.",
    messages: {
      runtime:
        '`FROM --platform={{value}}` in the final stage makes the {{targets}} images all contain {{value}} binaries; the other platforms fail with "exec format error"',
      build:
        '`FROM --platform={{value}}` pins this build stage to {{value}}; use $BUILDPLATFORM so it runs natively on each builder and cross-compiles for $TARGETPLATFORM',
    },
    hint: 'use `FROM --platform=$BUILDPLATFORM` for build stages that cross-compile, and no --platform at all for runtime stages',
  },
  check(ctx) {
    const targets = ctx.model.targets.platforms.map(formatPlatform).join(' and ');
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      const last = finalStage(df);
      for (const stage of df.stages) {
        const flag = stage.platformFlag;
        if (!flag?.value || flag.value.includes('$')) continue;
        ctx.report({
          messageId: stage === last ? 'runtime' : 'build',
          data: { value: flag.value, targets },
          file,
          span: flag.span,
          severity: stage === last ? 'error' : 'warning',
        });
      }
    }
  },
});
