import { createRule } from '../engine/rule.js';
import { formatPlatform, parsePlatform } from '../model/platform.js';
import { buildSite } from './lib/dockerfile.js';

export default createRule<'missing' | 'singleDigest'>({
  meta: {
    id: 'base-image-platform-missing',
    severity: 'error',
    category: 'platform',
    online: true,
    summary:
      'A FROM image (or digest) that the registry holds without a platform the build targets, or a digest pinning one single-platform manifest where a multi-platform index was meant.',
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
    for (const view of model.images) {
      const platforms = view.build.platforms;
      for (const sv of view.stages) {
        const stage = sv.stage;
        // A stage pinned to the build platform only needs the builder's platform.
        if (!sv.built || sv.buildPlatform || stage.baseStage !== undefined || !sv.base.known) continue;
        const image = sv.base.value;
        const facts = model.online.get(image);
        if (!facts || 'error' in facts) continue;
        const has = facts.platforms.filter((p) => p !== 'unknown/unknown');
        // `FROM --platform=<constant>` pulls that platform whatever the target (from-platform-constant says why);
        // a variable (`$TARGETPLATFORM`) never parses as a platform.
        const fixed = stage.platformFlag?.value ? parsePlatform(stage.platformFlag.value) : undefined;
        if (!fixed && !platforms.known) {
          ctx.unknown(
            { ...platforms, site: platforms.site ?? { file: view.file, span: stage.imageSpan } },
            `whether ${image} has every platform built`,
          );
          continue;
        }
        const wanted = fixed ? [fixed] : platforms.known ? platforms.value : [];
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
            data: { image, has: has.join(', '), platforms: wanted.map(formatPlatform).join(', ') },
            file: view.file,
            span,
            sites: buildSite(view),
          });
          continue;
        }
        for (const p of missing)
          ctx.report({
            messageId: 'missing',
            data: { image, platform: formatPlatform(p), has: has.join(', ') || 'nothing' },
            file: view.file,
            span,
            sites: buildSite(view),
          });
      }
    }
  },
});
