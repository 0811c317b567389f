import { createRule } from '../engine/rule.js';
import type { Site } from '../model/deploy.js';
import { formatPlatform, parsePlatform } from '../model/platform.js';
import { buildSite } from './lib/dockerfile.js';

export default createRule<'runtime' | 'build'>({
  meta: {
    id: 'from-platform-constant',
    severity: 'error',
    category: 'platform',
    summary:
      "`FROM --platform=<constant>` while the build targets other platforms: they all get that one architecture's base image.",
    messages: {
      runtime:
        '`FROM --platform={{value}}` in the stage this build produces makes its {{targets}} images all contain {{value}} binaries; the other platforms fail with "exec format error"',
      build:
        '`FROM --platform={{value}}` pins this build stage to {{value}} while the build targets {{targets}}: use $BUILDPLATFORM so it runs natively on each builder and cross-compiles for $TARGETPLATFORM',
    },
    hint: 'use `FROM --platform=$BUILDPLATFORM` for build stages that cross-compile, and no --platform at all for runtime stages',
  },
  check(ctx) {
    const found = new Map<
      string,
      {
        view: (typeof ctx.model.images)[number];
        runtime: boolean;
        value: string;
        span: { start: number; end: number };
        targets: Set<string>;
        sites: Site[];
      }
    >();
    for (const view of ctx.model.images) {
      // The image produced runs on the platform of the target's FROM chain: a pinned stage it is built FROM
      // pins the runtime image as much as a pin on the target itself.
      const target = view.target ? view.stages[view.target.index] : undefined;
      const runtime = new Set(target?.chain ?? []);
      for (const sv of view.stages) {
        const flag = sv.stage.platformFlag;
        if (!flag?.value || !sv.built) continue;
        // A variable (`$BUILDPLATFORM`, `${TARGETPLATFORM}`) never parses as a platform.
        const fixed = parsePlatform(flag.value);
        if (!fixed) continue;
        const platforms = view.build.platforms;
        if (!platforms.known) {
          ctx.unknown(
            { ...platforms, site: platforms.site ?? { file: view.file, span: flag.span } },
            `whether \`--platform=${flag.value}\` differs from the platforms built`,
          );
          continue;
        }
        const others = platforms.value.filter((p) => p.architecture !== fixed.architecture);
        if (others.length === 0) continue;
        const key = `${view.file.path}:${flag.span.start}`;
        const e = found.get(key) ?? {
          view,
          runtime: false,
          value: flag.value,
          span: flag.span,
          targets: new Set<string>(),
          sites: [],
        };
        if (runtime.has(sv.stage)) e.runtime = true;
        for (const p of platforms.value) e.targets.add(formatPlatform(p));
        e.sites.push(...buildSite(view));
        found.set(key, e);
      }
    }
    for (const e of found.values())
      ctx.report({
        messageId: e.runtime ? 'runtime' : 'build',
        data: { value: e.value, targets: [...e.targets].sort().join(' and ') },
        file: e.view.file,
        span: e.span,
        severity: e.runtime ? 'error' : 'warning',
        sites: e.sites,
      });
  },
});
