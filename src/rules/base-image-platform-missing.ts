import { createRule } from '../engine/rule.js';
import { formatPlatform, parsePlatform } from '../model/platform.js';
import { stageBaseImage } from '../sources/dockerfile/parse.js';
import { buildsOf } from './lib/dockerfile.js';

export default createRule<'missing' | 'singleDigest'>({
  meta: {
    id: 'base-image-platform-missing',
    severity: 'error',
    category: 'platform',
    online: true,
    summary:
      'A FROM image (or digest) that the registry holds without a target platform, or a digest pinning one single-platform manifest where a multi-platform index was meant.',
    messages: {
      missing:
        '`{{image}}` has no {{platform}} image in its registry (it has: {{has}}): the {{platform}} build fails with "no match for platform in manifest"',
      singleDigest:
        '`{{image}}` pins a single-platform manifest ({{has}}), but this stage is built for {{platforms}}: every platform gets that one architecture, or the build fails',
    },
    hint: 'use a tag or index digest that has every target platform (`crossdock inspect <image>` lists them), or drop the platform from the targets',
  },
  check(ctx) {
    const { model } = ctx;
    if (!model.online) return;
    for (const df of model.dockerfiles) {
      const file = model.sources.get(df.path);
      if (!file) continue;
      const builds = buildsOf(model, df);
      const platforms = [
        ...new Map(builds.flatMap((b) => b.platforms).map((p) => [formatPlatform(p), p])).values(),
      ];
      for (const stage of df.stages) {
        // A stage pinned to the build platform only needs the builder's platform.
        if (stage.platformFlag?.value?.includes('BUILDPLATFORM')) continue;
        const image = stageBaseImage(df, stage);
        if (!image) continue;
        const facts = model.online.get(image);
        if (!facts || 'error' in facts) continue;
        const has = facts.platforms.filter((p) => p !== 'unknown/unknown');
        // `FROM --platform=<constant>` pulls that platform whatever the target (from-platform-constant says why).
        const fixed =
          stage.platformFlag?.value && !stage.platformFlag.value.includes('$')
            ? parsePlatform(stage.platformFlag.value)
            : undefined;
        const wanted = fixed ? [fixed] : platforms;
        const missing = wanted.filter(
          (p) =>
            !has.some(
              (h) =>
                h === formatPlatform(p) ||
                h.startsWith(`${formatPlatform(p)}/`) ||
                formatPlatform(p).startsWith(`${h}/`),
            ),
        );
        const span = stage.imageSpan;
        if (!facts.index && image.includes('@') && wanted.length > 1 && missing.length) {
          ctx.report({
            messageId: 'singleDigest',
            data: { image, has: has.join(', '), platforms: platforms.map(formatPlatform).join(', ') },
            file,
            span,
          });
          continue;
        }
        for (const p of missing)
          ctx.report({
            messageId: 'missing',
            data: { image, platform: formatPlatform(p), has: has.join(', ') || 'nothing' },
            file,
            span,
          });
      }
    }
  },
});
