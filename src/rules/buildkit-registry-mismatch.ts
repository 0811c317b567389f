import { createRule } from '../engine/rule.js';
import { parseImageRef } from '../model/image-ref.js';
import type { ProjectModel } from '../model/project.js';
import { stageNamed, resolveWord } from '../model/eval.js';
import type { Unknown } from '../model/value.js';

/** Registries the builds pull from: the images their built stages are FROM and copy or mount from. */
function pulledHosts(model: ProjectModel): { hosts: Set<string>; unknown: Unknown[] } {
  const hosts = new Set<string>();
  const unknowns: Unknown[] = [];
  const add = (v: { known: true; value: string } | Unknown, site: Unknown['site']) => {
    if (!v.known) {
      unknowns.push({ ...v, site: v.site ?? site });
      return;
    }
    // `scratch` parses as a Docker Hub image, and Docker Hub entries always apply: no special case needed.
    const p = parseImageRef(v.value);
    if (p.ok) hosts.add(p.ref.registry);
  };
  for (const view of model.images)
    for (const sv of view.stages) {
      if (!sv.built) continue;
      if (sv.chain[0] === sv.stage) add(sv.base, { file: view.file, span: sv.stage.from.span });
      for (const ins of sv.stage.instructions)
        for (const f of ins.flags) {
          const from =
            f.name === 'from'
              ? f.value
              : f.name === 'mount'
                ? /(?:^|,)from=([^,]+)/.exec(f.value ?? '')?.[1]
                : undefined;
          if (!from || stageNamed(view.dockerfile, from, sv.stage.index)) continue;
          add(resolveWord(view, sv.stage, ins, from), { file: view.file, span: f.span });
        }
    }
  return { hosts, unknown: unknowns };
}

export default createRule<'unused' | 'httpTls'>({
  meta: {
    id: 'buildkit-registry-mismatch',
    severity: 'warning',
    category: 'registry',
    summary:
      '`buildkitd.toml` registry entries that match no registry the builds push to, or `http = true` for a TLS registry: pushes there fail.',
    messages: {
      unused:
        'buildkitd.toml configures `{{host}}`, which no build pushes to or pulls from (they push to {{pushed}}): this entry never applies, and pushes to {{pushed}} that need it fail with x509 or http errors',
      httpTls:
        'buildkitd.toml sets http = true for `{{host}}`, which is reached over TLS ({{why}}): buildkit speaks plain HTTP to a TLS port and the push fails',
    },
    hint: 'name the registry the builds push to; give buildkit the registry CA (`ca = ["/etc/buildkit/certs/<host>/ca.crt"]`, `crossdock trust <host>` fetches it) instead of insecure/http',
  },
  check(ctx) {
    const { model } = ctx;
    const pushes = model.registries.filter((m) => m.role === 'push');
    const pushed = new Set(pushes.filter((m) => !m.unresolved?.host).map((m) => m.host));
    const pulls = pulledHosts(model);
    const entries = model.buildkitd.flatMap((c) => c.registries);
    // An entry applies to pushes to its host, pulls from it, and pulls through it as another entry's mirror.
    const used = (host: string, depth = 0): boolean =>
      pushed.has(host) ||
      pulls.hosts.has(host) ||
      host === 'docker.io' ||
      (depth < 4 && entries.some((e) => e.mirrors?.includes(host) && used(e.host, depth + 1)));
    // "Never applies" needs every registry the builds reach known.
    const unresolved = [
      ...pushes.flatMap((m) => (m.unresolved?.host ? [m.unresolved.why] : [])),
      ...pulls.unknown,
    ];
    for (const conf of model.buildkitd) {
      for (const r of conf.registries) {
        const unused = pushes.length > 0 && !used(r.host);
        if (unused && unresolved[0])
          ctx.unknown(unresolved[0], `whether the buildkitd.toml entry for \`${r.host}\` applies to a build`);
        else if (unused)
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
