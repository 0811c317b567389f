import { createRule } from '../engine/rule.js';
import { PLATFORM_ARGS } from '../model/eval.js';
import { buildSite } from './lib/dockerfile.js';

export default createRule<'notPassed' | 'undeclared'>({
  meta: {
    id: 'base-arg-not-passed',
    severity: 'error',
    category: 'dockerfile',
    summary:
      '`FROM ${BASE_IMAGE}` whose ARG has no default (or an empty one) and that a build site does not pass, or that no ARG before the first FROM declares: the build stops at once.',
    messages: {
      notPassed:
        '`FROM {{raw}}` is blank for this build: ARG {{name}} has {{default}} and the build does not pass it, so Docker stops at once ("base name should not be blank")',
      undeclared:
        '`FROM {{raw}}` uses {{name}}, which no ARG before the first FROM declares: it is blank whatever the build passes, and Docker stops at once ("base name should not be blank")',
    },
    hint: 'pass the build argument at every build site (`--build-arg`, `args:`, `build-args:`, crossdock.yaml `buildArgs`), or give the ARG a default; an ARG that FROM uses must be declared before the first FROM',
  },
  check(ctx) {
    for (const view of ctx.model.images) {
      const { build, dockerfile: df, file } = view;
      for (const sv of view.stages) {
        const stage = sv.stage;
        // Only a FROM that is one variable, bare: `${BASE:-python:3.12}` has a default, `python:${TAG}` is
        // another failure (an invalid reference), not claimed here. BuildKit expands the name and stops on a blank
        // one before it looks at named contexts, so a named context cannot stand in for it.
        const name = /^\$(?:\{(\w+)\}|(\w+))$/.exec(stage.imageRaw)?.slice(1).find(Boolean);
        if (!sv.built || !name || PLATFORM_ARGS.has(name)) continue;
        const arg = df.globalArgs.filter((a) => a.name === name).at(-1);
        if (!arg) {
          // Blank whoever builds it: no build argument reaches an undeclared name.
          ctx.report({
            messageId: 'undeclared',
            data: { raw: stage.imageRaw, name },
            file,
            span: stage.imageSpan,
            sites: buildSite(view),
          });
          continue;
        }
        // A Dockerfile no build site builds: whoever builds it may pass the argument.
        if (build.origin === 'dockerfile' || build.buildArgs[name] !== undefined) continue;
        // BuildKit's test is `== ""`: a default of spaces is an invalid reference, another failure.
        if (arg.defaultValue !== undefined && arg.defaultValue !== '') continue;
        if (build.otherArgs) {
          ctx.unknown(
            build.otherArgs,
            `whether this build passes ARG ${name}, which \`FROM ${stage.imageRaw}\` needs`,
          );
          continue;
        }
        ctx.report({
          messageId: 'notPassed',
          data: {
            raw: stage.imageRaw,
            name,
            default: arg.defaultValue === undefined ? 'no default' : 'an empty default',
          },
          file,
          span: stage.imageSpan,
          sites: buildSite(view),
          related: [{ file, span: arg.span, message: `ARG ${name} is declared here` }],
        });
      }
    }
  },
});
