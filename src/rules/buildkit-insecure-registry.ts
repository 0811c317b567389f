import { createRule } from '../engine/rule.js';

export default createRule<'insecureNoCa'>({
  meta: {
    id: 'buildkit-insecure-registry',
    severity: 'info',
    category: 'registry',
    summary:
      '`buildkitd.toml` sets `insecure = true` for a registry without giving its CA: TLS verification is off for it.',
    messages: {
      insecureNoCa:
        'buildkitd.toml sets insecure = true for `{{host}}` without a CA: pushes work, but with TLS verification switched off',
    },
    hint: 'give buildkit the registry CA (`ca = ["/etc/buildkit/certs/<host>/ca.crt"]`; `crossdock trust <host>` fetches it) instead of insecure = true',
  },
  check(ctx) {
    for (const conf of ctx.model.buildkitd)
      for (const r of conf.registries)
        if (r.insecure?.value && !r.ca?.value.length)
          ctx.report({
            messageId: 'insecureNoCa',
            data: { host: r.host },
            file: r.insecure.site.file,
            span: r.insecure.site.span,
          });
  },
});
