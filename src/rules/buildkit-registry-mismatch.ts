import { createRule } from '../engine/rule.js';

export default createRule<'unused' | 'httpTls'>({
  meta: {
    id: 'buildkit-registry-mismatch',
    severity: 'warning',
    category: 'registry',
    summary:
      '`buildkitd.toml` registry entries that match no registry the builds push to, or `http = true` for a TLS registry: pushes there fail.',
    messages: {
      unused:
        'buildkitd.toml configures `{{host}}`, but the builds push to {{pushed}}: this entry never applies and pushes there fail with x509 or http errors',
      httpTls:
        'buildkitd.toml sets http = true for `{{host}}`, which is reached over TLS ({{why}}): buildkit speaks plain HTTP to a TLS port and the push fails',
    },
    hint: 'name the registry the builds push to; give buildkit the registry CA (`ca = ["/etc/buildkit/certs/<host>/ca.crt"]`, `crossdock trust <host>` fetches it) instead of insecure/http',
  },
  check(ctx) {
    const { model } = ctx;
    const pushed = new Set(model.registries.filter((m) => m.role === 'push').map((m) => m.host));
    for (const conf of model.buildkitd) {
      for (const r of conf.registries) {
        if (pushed.size && !pushed.has(r.host) && r.host !== 'docker.io')
          ctx.report({
            messageId: 'unused',
            data: { host: r.host, pushed: [...pushed].map((h) => `\`${h}\``).join(', ') },
            file: r.site.file,
            span: r.site.span,
          });
        if (r.http?.value) {
          const tls = r.ca?.value.length
            ? 'a CA is configured for it'
            : /:443$/.test(r.host)
              ? 'port 443'
              : undefined;
          if (tls)
            ctx.report({
              messageId: 'httpTls',
              data: { host: r.host, why: tls },
              file: r.http.site.file,
              span: r.http.site.span,
            });
        }
      }
    }
  },
});
