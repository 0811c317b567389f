import { createRule } from '../engine/rule.js';
import type { Located, Site } from '../model/deploy.js';
import { parseImageRef, placeholderIn } from '../model/image-ref.js';
import { deployedImages, kustomizeRetag, tagFromElsewhere } from './lib/deploy.js';

const MUTABLE =
  /^(latest|dev|develop|development|main|master|trunk|stable|edge|nightly|staging|stage|prod|production|test|testing|beta|alpha|canary|current|next|release|snapshot)$|(^|[-_.])latest$|^latest[-_.]/i;

/** Tags by convention moved to new content (`latest`, branch names, `arm64-latest`); versions and shas are not. */
export function isMutableTag(tag: string): boolean {
  return MUTABLE.test(tag);
}

export default createRule<'stale' | 'latestCached'>({
  meta: {
    id: 'mutable-tag-pull-policy',
    severity: 'warning',
    category: 'deploy',
    summary:
      'A mutable tag (`:latest`, `:dev`, `:arm64-latest`…) without a digest and with imagePullPolicy IfNotPresent (explicit, or the default for non-latest tags): nodes keep running stale images.',
    messages: {
      stale:
        '`{{image}}` is a mutable tag pulled with {{policy}}: a node that already has `{{tag}}` never pulls the new push, so rollouts run stale images',
      latestCached:
        '`{{image}}` is pulled with imagePullPolicy {{policy}}: the kubelet keeps whatever `latest` it cached first',
    },
    hint: 'deploy immutable tags (a version or git sha) or a digest (`@sha256:…`); for mutable tags set `imagePullPolicy: Always`',
  },
  check(ctx) {
    const { model } = ctx;
    const check = (image: Located<string>, policy: Located<string> | undefined, at: Site) => {
      // A variable or template (`$X`, `{{ }}`) never parses as a reference.
      const parsed = parseImageRef(image.value);
      if (!parsed.ok || parsed.ref.digest) return;
      const tag = parsed.ref.tag ?? 'latest';
      const p = policy?.value;
      if (tag === 'latest') {
        if (p === 'IfNotPresent' || p === 'Never')
          ctx.report({
            messageId: 'latestCached',
            data: { image: image.value, policy: p },
            file: at.file,
            span: at.span,
          });
        return;
      }
      if (!isMutableTag(tag) || p === 'Always') return;
      ctx.report({
        messageId: 'stale',
        data: {
          image: image.value,
          tag,
          policy: p ? `imagePullPolicy ${p}` : 'the default policy (IfNotPresent for non-latest tags)',
        },
        file: at.file,
        span: at.span,
      });
    };
    /** kustomize `images:` entries checked, with the pull policy they were checked under. */
    const overrides = new Set<string>();
    for (const w of model.deployments.workloads) {
      if (w.origin !== 'kubernetes') continue;
      for (const c of w.containers) {
        if (!c.image || c.imageFilledBy || placeholderIn(c.image.value)) continue;
        // A kustomize `images:` entry giving the image a tag (`newTag: latest`): what runs has that tag.
        for (const d of deployedImages(model, w, c.image.value)) {
          const o = d.override;
          const key = o && `${o.site.file.path}:${o.site.span.start}\0${c.pullPolicy?.value}`;
          if (!o || !key || overrides.has(key) || placeholderIn(d.ref)) continue;
          overrides.add(key);
          const p = parseImageRef(o.ref);
          if (p.ok && p.ref.tag) check({ value: d.ref, site: o.site }, c.pullPolicy, o.site);
        }
        if (kustomizeRetag(model, w, c.image.value)) continue;
        // An image built here, never pushed and named without a registry is only ever on the node: IfNotPresent is right.
        const build = c.buildId ? model.builds.find((b) => b.id === c.buildId) : undefined;
        const local = parseImageRef(c.image.value);
        if (build && !build.push && local.ok && !local.ref.explicitRegistry) continue;
        check(c.image, c.pullPolicy, c.pullPolicy?.site ?? c.image.site);
      }
    }
    for (const i of model.deployments.images) {
      if (i.origin !== 'helm' || tagFromElsewhere(i)) continue;
      check({ value: i.ref, site: i.site }, i.pullPolicy, i.pullPolicy?.site ?? i.site);
    }
  },
});
