import { createRule } from '../engine/rule.js';
import type { Claim } from '../model/deploy.js';
import { workloadLabel } from './lib/deploy.js';

/** Only one node can mount it (no accessModes at all is ReadWriteOnce in practice). */
function singleWriter(c: Claim): boolean {
  return !c.accessModes.includes('ReadWriteMany') && !c.accessModes.includes('ReadOnlyMany');
}

export default createRule<'replicas' | 'autoscaler'>({
  meta: {
    id: 'rwo-volume-scaling',
    severity: 'warning',
    category: 'deploy',
    summary:
      'A ReadWriteOnce (or unspecified) PersistentVolumeClaim mounted by a workload with more than one replica, or one an autoscaler of the same deployment can scale above 1.',
    messages: {
      replicas:
        '{{workload}} runs {{replicas}} replicas but mounts PVC "{{claim}}" ({{modes}}): only pods on one node can attach it; the others stay Pending (Multi-Attach error)',
      autoscaler:
        '{{autoscaler}} may scale {{workload}} to {{max}} replicas, but it mounts PVC "{{claim}}" ({{modes}}): extra pods on other nodes stay Pending',
    },
    hint: 'use a ReadWriteMany storage class, a StatefulSet with volumeClaimTemplates (one volume per pod), or keep replicas at 1',
  },
  check(ctx) {
    const d = ctx.model.deployments;
    // Objects are compared only within what is applied together (one kustomization, one folder of manifests).
    for (const unit of ctx.model.units) {
      for (const wi of unit.workloads) {
        const w = d.workloads[wi];
        if (!w || w.origin !== 'kubernetes' || !['Deployment', 'ReplicaSet', 'StatefulSet'].includes(w.kind))
          continue;
        for (const ref of w.pod.claims) {
          const claim = unit.claims
            .map((i) => d.claims[i])
            .find((c) => c?.name === ref.value && (c.namespace ?? '') === (w.namespace ?? ''));
          if (!claim || !singleWriter(claim)) continue;
          const data = {
            workload: workloadLabel(w),
            claim: claim.name,
            modes: claim.accessModes.length
              ? claim.accessModes.join(', ')
              : 'no accessModes: ReadWriteOnce in practice',
          };
          const related = [
            { file: claim.site.file, span: claim.site.span, message: `PVC "${claim.name}" is declared here` },
          ];
          const replicas = unit.replicas.get(wi) ?? w.replicas;
          if (replicas && replicas.value > 1)
            ctx.report({
              messageId: 'replicas',
              data: { ...data, replicas: replicas.value },
              file: replicas.site.file,
              span: replicas.site.span,
              related,
            });
          for (const ai of unit.autoscalers) {
            const a = d.autoscalers[ai];
            if (
              !a ||
              a.target.name !== w.name ||
              a.target.kind !== w.kind ||
              (a.namespace ?? '') !== (w.namespace ?? '')
            )
              continue;
            if (a.max === undefined || a.max <= 1) continue;
            ctx.report({
              messageId: 'autoscaler',
              data: { ...data, autoscaler: `${a.kind} "${a.name}"`, max: a.max },
              file: a.site.file,
              span: a.site.span,
              related,
            });
          }
        }
      }
    }
  },
});
