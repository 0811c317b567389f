import { createRule } from '../engine/rule.js';
import type { RegistryMention } from '../model/deploy.js';
import { isPrivateIpHost } from '../model/image-ref.js';

const ROLE: Record<RegistryMention['role'], string> = {
  push: 'pushed',
  tag: 'tagged by a build that does not push',
  pull: 'pulled',
  deploy: 'deployed',
  login: 'logged in',
  buildkitd: 'configured in buildkitd.toml',
};

const PUBLIC =
  /^(docker\.io|ghcr\.io|quay\.io|gcr\.io|[a-z0-9-]+\.gcr\.io|[a-z0-9-]+\.pkg\.dev|public\.ecr\.aws|[0-9]+\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com|registry\.gitlab\.com|[a-z0-9]+\.azurecr\.io)$/;

export default createRule<'drift' | 'rawIp'>({
  meta: {
    id: 'registry-drift',
    severity: 'warning',
    category: 'registry',
    summary:
      'One image repository pushed to or pulled from different registry endpoints across files, or raw private-IP registry addresses repeated across the repository.',
    messages: {
      drift:
        '`{{repository}}` goes to {{hosts}} across {{count}} places: what is pushed to one registry is pulled from another, which has an old image or none',
      rawIp:
        'the registry address {{hosts}} is written by hand in {{count}} places ({{files}}): when it changes, one is forgotten and builds push where nodes do not pull',
    },
    hint: 'name the registry once (a DNS name, a `REGISTRY` variable, a kustomize `images:` override) and use it everywhere',
  },
  check(ctx) {
    // Mentions whose registry or repository comes from a variable name no host; pushes among them may be anywhere.
    const mentions = ctx.model.registries.filter((m) => !m.unresolved);
    const unresolvedPushes = ctx.model.registries.filter((m) => m.unresolved && pushes(m));
    const byRepo = new Map<string, RegistryMention[]>();
    for (const m of mentions) {
      // Logins and buildkitd.toml entries name a host, no repository.
      if (!m.repository) continue;
      const list = byRepo.get(m.repository) ?? [];
      list.push(m);
      byRepo.set(m.repository, list);
    }
    for (const [repository, list] of byRepo) {
      const hosts = [...new Set(list.map((m) => m.host))];
      // Publishing one image to several public registries on purpose (GHCR and Docker Hub) is not drift;
      // deploying from a host nothing pushes to, or scattering pushes over private registries, is.
      const pushHosts = new Set(list.filter(pushes).map((m) => m.host));
      // Hosts it is deployed from that nothing pushes to.
      const elsewhere = hosts.filter((h) => !pushHosts.has(h));
      const scattered =
        pushHosts.size > 1 && [...pushHosts].some((h) => !PUBLIC.test(h.replace(/:\d+$/, '')));
      // "Pulled from where nothing pushes" needs every push of the repository known.
      const maybe = unresolvedPushes.find(
        (m) =>
          (m.repository === undefined ||
            m.repository === repository ||
            // A variable host may end with the first segments of the path (`$REGISTRY/api` for `acme/api`).
            repository.endsWith(`/${m.repository}`)) &&
          (m.unresolved?.host || elsewhere.includes(m.host)),
      );
      const pulledElsewhere = pushHosts.size > 0 && elsewhere.length > 0 && !maybe;
      if (maybe?.unresolved && pushHosts.size > 0 && elsewhere.length > 0 && !scattered)
        ctx.unknown(
          maybe.unresolved.why,
          `whether \`${repository}\` is deployed from a registry it is pushed to`,
        );
      if (!pulledElsewhere && !scattered) continue;
      const first = list[0];
      if (!first) continue;
      ctx.report({
        messageId: 'drift',
        data: { repository, hosts: hosts.map((h) => `\`${h}\``).join(', '), count: list.length },
        file: first.site.file,
        span: first.site.span,
        related: list
          .slice(1)
          .map((m) => ({ file: m.site.file, span: m.site.span, message: `${ROLE[m.role]} via ${m.host}` })),
      });
    }
    const ips = mentions.filter((m) => isPrivateIpHost(m.host) && !/^127\./.test(m.host));
    const files = new Set(ips.map((m) => m.site.file.path));
    const first = ips[0];
    if (first && files.size > 1) {
      const hosts = [...new Set(ips.map((m) => m.host))];
      ctx.report({
        messageId: 'rawIp',
        severity: hosts.length > 1 ? 'warning' : 'info',
        data: {
          hosts: hosts.map((h) => `\`${h}\``).join(', '),
          count: ips.length,
          files: [...files].slice(0, 5).join(', '),
        },
        file: first.site.file,
        span: first.site.span,
        related: ips
          .slice(1)
          .map((m) => ({ file: m.site.file, span: m.site.span, message: `${ROLE[m.role]}: ${m.host}` })),
      });
    }
  },
});

/** A build names the image: pushed, or tagged by a build that does not push. */
function pushes(m: RegistryMention): boolean {
  return m.role === 'push' || m.role === 'tag';
}
