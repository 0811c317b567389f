import { createRule } from '../engine/rule.js';
import { formatPlatform } from '../model/platform.js';
import { containerBuild, workloadLabel } from './lib/deploy.js';

const KNOWN = ['amd64', 'arm64', 'arm', 'ppc64le', 's390x', '386'];

export default createRule<'idle' | 'missing'>({
  meta: {
    id: 'arch-pin',
    severity: 'error',
    category: 'deploy',
    summary:
      'A workload pinned by nodeSelector/affinity on kubernetes.io/arch to architectures that differ from what its image is built for.',
    messages: {
      idle: '{{workload}} is pinned to {{allowed}} while its image is built for {{built}} ({{source}}): {{unused}} nodes never run it',
      missing:
        '{{workload}} requires {{needed}} nodes but its image is built only for {{built}} ({{source}}): pods there fail with ImagePullBackOff ("no matching manifest") or "exec format error"',
    },
    hint: 'remove the arch pin (a multi-arch image runs everywhere), or build the missing platform (`--platform linux/amd64,linux/arm64`)',
  },
  check(ctx) {
    const { model } = ctx;
    for (const w of model.deployments.workloads) {
      const pin = w.pod.archConstraint;
      if (!pin) continue;
      const allowed = pin.operator === 'In' ? pin.values : KNOWN.filter((a) => !pin.values.includes(a));
      for (const c of w.containers) {
        const produced = containerBuild(model, c);
        if (!produced) continue;
        const what = `whether the image of ${workloadLabel(w)} is built for ${allowed.join(', ')}`;
        if (!produced.known) {
          ctx.unknown({ ...produced, site: produced.site ?? pin.site }, what);
          continue;
        }
        const build = produced.value;
        if (!build.platforms.known) {
          ctx.unknown({ ...build.platforms, site: build.platforms.site ?? pin.site }, what);
          continue;
        }
        const built = [...new Set(build.platforms.value.map((p) => p.architecture))];
        const o = build.platforms.origin;
        const source = o.site
          ? `${o.site.file.path}:${o.site.file.position(o.site.span.start).line}`
          : (o.detail ?? 'its build');
        const data = {
          workload: workloadLabel(w),
          allowed: allowed.join(', '),
          built: build.platforms.value.map(formatPlatform).join(', '),
          source,
        };
        // NotIn names what is excluded, not what exists: only when it excludes every built arch is one missing.
        const missing =
          pin.operator === 'In' || !built.some((b) => allowed.includes(b))
            ? allowed.filter((a) => !built.includes(a))
            : [];
        if (missing.length) {
          ctx.report({
            messageId: 'missing',
            data: { ...data, needed: missing.join(', ') },
            file: pin.site.file,
            span: pin.site.span,
          });
          continue;
        }
        const unused = built.filter((b) => !allowed.includes(b));
        if (unused.length)
          ctx.report({
            messageId: 'idle',
            severity: 'warning',
            data: { ...data, unused: unused.join(', ') },
            file: pin.site.file,
            span: pin.site.span,
          });
      }
    }
  },
});
