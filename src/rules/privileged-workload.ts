import { createRule } from '../engine/rule.js';
import type { Site } from '../model/deploy.js';
import { commentedNear, workloadLabel } from './lib/deploy.js';

const REASON_ANNOTATION = /(justification|reason|rationale|why)$/i;

export default createRule<'privileged' | 'escalation' | 'escalationUnset' | 'hostNamespace' | 'namespace'>({
  meta: {
    id: 'privileged-workload',
    severity: 'warning',
    category: 'deploy',
    summary:
      'Privileged containers, privilege escalation allowed, host namespaces, or a Namespace enforcing the `privileged` Pod Security level.',
    messages: {
      privileged: '{{workload}}: container "{{container}}" runs privileged (full access to the node)',
      escalation: '{{workload}}: container "{{container}}" sets allowPrivilegeEscalation: true',
      escalationUnset:
        '{{workload}}: container "{{container}}" does not set allowPrivilegeEscalation: false (the default allows setuid binaries to gain privileges)',
      hostNamespace: "{{workload}} shares the node's {{what}} namespace ({{field}}: true)",
      namespace:
        'Namespace "{{name}}" enforces the `privileged` Pod Security level: nothing stops privileged pods there',
    },
    hint: 'drop the privilege (devices via a device plugin, capabilities via `capabilities.add`), set `allowPrivilegeEscalation: false`; where it is truly needed, say why in a comment or a `…/justification` annotation',
  },
  check(ctx) {
    const { model } = ctx;
    const report = (
      messageId: Parameters<typeof ctx.report>[0]['messageId'],
      data: Record<string, string>,
      site: Site,
      explained: boolean,
    ) =>
      ctx.report({
        messageId,
        data,
        file: site.file,
        span: site.span,
        severity: explained ? 'info' : undefined,
      });
    for (const w of model.deployments.workloads) {
      const annotated = Object.keys(w.annotations).some((k) => REASON_ANNOTATION.test(k));
      const label = workloadLabel(w);
      for (const c of w.containers) {
        const data = { workload: label, container: c.name };
        const sc = c.securityContext;
        if (sc.privileged?.value)
          report('privileged', data, sc.privileged.site, annotated || commentedNear(sc.privileged.site));
        if (w.origin !== 'kubernetes') continue;
        // allowPrivilegeEscalation exists only on containers; a pod-level one is ignored by Kubernetes.
        const ape = sc.allowPrivilegeEscalation;
        if (ape?.value) report('escalation', data, ape.site, annotated || commentedNear(ape.site));
        // A default left alone is hygiene: always info.
        else if (!ape && !sc.privileged?.value && c.image)
          report('escalationUnset', data, c.image.site, true);
      }
      for (const [field, what] of [
        ['hostNetwork', 'network'],
        ['hostPID', 'process'],
        ['hostIPC', 'IPC'],
      ] as const) {
        const v = w.pod[field];
        if (v?.value)
          report(
            'hostNamespace',
            { workload: label, field, what },
            v.site,
            annotated || commentedNear(v.site),
          );
      }
    }
    for (const ns of model.deployments.namespaces) {
      const enforce = ns.labels['pod-security.kubernetes.io/enforce'];
      if (enforce?.value !== 'privileged') continue;
      const annotated = Object.keys(ns.annotations).some((k) => REASON_ANNOTATION.test(k));
      report('namespace', { name: ns.name }, enforce.site, annotated || commentedNear(enforce.site));
    }
  },
});
