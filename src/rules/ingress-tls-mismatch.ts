import type { Ingress } from '../model/deploy.js';
import { createRule } from '../engine/rule.js';

const ENTRYPOINTS = 'traefik.ingress.kubernetes.io/router.entrypoints';

export default createRule<'noTls' | 'tlsOnPlain'>({
  meta: {
    id: 'ingress-tls-mismatch',
    severity: 'warning',
    category: 'deploy',
    summary:
      'An Ingress routed to a TLS entrypoint (Traefik `websecure`, `router.tls`, nginx ssl-redirect) with no `spec.tls`, or `spec.tls` on a plain-HTTP entrypoint.',
    messages: {
      noTls:
        'Ingress "{{name}}" is routed for HTTPS ({{why}}) but has no spec.tls: the controller serves its default certificate (browser errors) or no route at all',
      tlsOnPlain:
        'Ingress "{{name}}" has spec.tls but is bound only to the plain-HTTP entrypoint `{{entrypoints}}`: the certificate is never served',
    },
    hint: 'add `spec.tls` with the hosts and a certificate secret (or cert-manager annotation), or route the Ingress to the entrypoint that matches',
  },
  check(ctx) {
    // Each Ingress as the units applying it render it (a kustomize overlay's patches applied).
    const seen = new Set<number>();
    for (const unit of ctx.model.units)
      for (const i of unit.ingresses) {
        const ing = ctx.model.deployments.ingresses[i];
        if (!ing || seen.has(i)) continue;
        seen.add(i);
        if (ing.unknown) {
          ctx.unknown(ing.unknown, `whether Ingress "${ing.name}" is routed for the TLS it has`);
          continue;
        }
        check(ing);
      }
    function check(ing: Ingress) {
      const a = ing.annotations;
      const entry = a[ENTRYPOINTS];
      const entries = (entry?.value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const secureEntry = entries.some((e) => !/insecure/i.test(e) && /secure|https|tls|443/i.test(e));
      const reasons: { why: string; site: typeof ing.site }[] = [];
      if (entry && secureEntry) reasons.push({ why: `entrypoints: ${entry.value}`, site: entry.site });
      const traefikTls = a['traefik.ingress.kubernetes.io/router.tls'];
      if (traefikTls?.value === 'true') reasons.push({ why: 'router.tls: "true"', site: traefikTls.site });
      for (const key of [
        'nginx.ingress.kubernetes.io/ssl-redirect',
        'nginx.ingress.kubernetes.io/force-ssl-redirect',
      ]) {
        const v = a[key];
        if (v?.value === 'true') reasons.push({ why: `${key.split('/')[1]}: "true"`, site: v.site });
      }
      const first = reasons[0];
      if (!ing.tls && first) {
        ctx.report({
          messageId: 'noTls',
          data: { name: ing.name, why: first.why },
          file: first.site.file,
          span: first.site.span,
        });
        return;
      }
      if (ing.tls && entry && entries.length > 0 && !secureEntry && traefikTls?.value !== 'true')
        ctx.report({
          messageId: 'tlsOnPlain',
          data: { name: ing.name, entrypoints: entry.value },
          file: entry.site.file,
          span: entry.site.span,
        });
    }
  },
});
