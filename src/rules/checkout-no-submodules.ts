import { createRule } from '../engine/rule.js';
import { contextPath } from './lib/dockerfile.js';
import { localCopySources } from '../engine/build-graph.js';

export default createRule<'noSubmodules'>({
  meta: {
    id: 'checkout-no-submodules',
    severity: 'error',
    category: 'ci',
    summary:
      'A workflow builds a context that uses submodule paths while `actions/checkout` does not fetch submodules: the folders are empty in CI.',
    messages: {
      noSubmodules:
        'job "{{job}}" builds {{dockerfile}}, which copies submodule `{{submodule}}`, but actions/checkout does not fetch submodules: the folder is empty in CI and the build fails or ships without it',
    },
    hint: 'add `with: { submodules: recursive }` (or `true`) to the actions/checkout step',
  },
  check(ctx) {
    const { model } = ctx;
    const links = [...model.inventory.gitlinks.keys()];
    if (links.length === 0) return;
    for (const wf of model.workflows) {
      for (const job of wf.jobs) {
        const checkout = job.steps.find((s) => s.uses?.action === 'actions/checkout');
        if (!checkout?.uses) continue;
        const sub = checkout.with.get('submodules')?.value;
        if (sub === 'true' || sub === 'recursive') continue;
        const done = new Set<string>();
        for (const b of model.builds.filter((x) => x.job?.job === job)) {
          const df = model.dockerfiles.find((d) => d.path === b.dockerfile);
          if (!df) continue;
          for (const src of localCopySources(df)) {
            const p = contextPath(b, src.value.replace(/^\/+/, '') || '.');
            if (p === undefined) continue;
            const hit = links.find(
              (l) => l === p || l.startsWith(`${p === '.' ? '' : `${p}/`}`) || p.startsWith(`${l}/`),
            );
            if (!hit || done.has(hit)) continue;
            done.add(hit);
            const dfFile = model.sources.get(df.path);
            ctx.report({
              messageId: 'noSubmodules',
              data: { job: job.id, dockerfile: df.path, submodule: hit },
              file: checkout.uses.site.file,
              span: checkout.uses.site.span,
              related: dfFile ? [{ file: dfFile, span: src, message: `copies ${src.value}` }] : [],
            });
          }
        }
      }
    }
  },
});
