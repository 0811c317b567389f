import { createRule } from '../engine/rule.js';

export default createRule<'duplicate'>({
  meta: {
    id: 'duplicate-autoscaler',
    severity: 'error',
    category: 'deploy',
    summary:
      'Two autoscalers (HPA, KEDA ScaledObject) applied together target the same workload and fight over its replica count.',
    messages: {
      duplicate:
        '{{kind}} "{{name}}" targets {{target}}, which {{otherKind}} "{{other}}" already scales: they overwrite each other\'s replica count',
    },
    hint: 'keep one autoscaler per workload (a KEDA ScaledObject creates its own HPA: delete the hand-written one)',
  },
  check(ctx) {
    const all = ctx.model.deployments.autoscalers;
    // Only autoscalers applied together (one kustomization with its bases, one folder) can fight.
    for (const unit of ctx.model.units) {
      const seen = new Map<string, (typeof all)[number]>();
      for (const i of unit.autoscalers) {
        const a = all[i];
        if (!a) continue;
        const key = `${a.namespace ?? ''}/${a.target.kind}/${a.target.name}`;
        const first = seen.get(key);
        if (!first) {
          seen.set(key, a);
          continue;
        }
        ctx.report({
          messageId: 'duplicate',
          data: {
            kind: a.kind,
            name: a.name,
            target: `${a.target.kind} "${a.target.name}"`,
            otherKind: first.kind,
            other: first.name,
          },
          file: a.site.file,
          span: a.site.span,
          related: [
            { file: first.site.file, span: first.site.span, message: `${first.kind} "${first.name}"` },
          ],
        });
      }
    }
  },
});
