import { createRule } from '../engine/rule.js';
import type { Unknown } from '../model/value.js';

export default createRule<'ci' | 'local'>({
  meta: {
    id: 'context-outside-repository',
    severity: 'error',
    category: 'context',
    summary:
      'A build site whose context or Dockerfile resolves above the repository root (`../other`, a script one level deep computing `$(dirname "$0")/../..`): a clean clone has nothing there.',
    messages: {
      ci: 'the build {{what}} {{reason}}: in CI the checkout is the whole workspace and nothing before this build puts files above it, so the build fails ("unable to prepare context" / "no such file or directory")',
      local:
        'the build {{what}} {{reason}}: it builds only on a machine with that folder next to the clone; a clean clone of this repository alone cannot build it',
    },
    hint: 'keep the context and Dockerfile inside the repository (move the shared files in, or build from the repository root with `-f sub/Dockerfile`); for several repositories, check them out inside the workspace (actions/checkout `path:`)',
  },
  check(ctx) {
    for (const build of ctx.model.builds) {
      const parts: [string, Unknown | undefined][] = [
        ['context', build.context.known ? undefined : build.context],
        ['Dockerfile', build.dockerfile.known ? undefined : build.dockerfile],
      ];
      // Both resolved from one path that climbs out (the Dockerfile inside the context): one root cause.
      const [what, out] = parts.find(([, u]) => u?.kind === 'climbs-out') ?? [];
      if (!what || !out?.site) continue;
      if (build.job) {
        // A step before the build whose effects are not known may put the folder there.
        const opaque = build.before.find((b) => b.outputs === undefined);
        if (opaque) {
          ctx.unknown(
            {
              ...out,
              reason: `the build ${what} is above the repository, and ${opaque.what} runs before it with effects crossdock does not know`,
            },
            'whether the folder exists when the build runs',
          );
          continue;
        }
      }
      ctx.report({
        messageId: build.job ? 'ci' : 'local',
        // Run by hand or by a tool on a developer's machine: likely broken for everyone else, not certain.
        severity: build.job ? 'error' : 'warning',
        data: { what, reason: out.reason },
        file: out.site.file,
        span: out.site.span,
      });
    }
  },
});
