import { createRule } from '../engine/rule.js';
import { stageArgs, substituteArgs } from '../sources/dockerfile/parse.js';
import { buildsOf, contextPath } from './lib/dockerfile.js';

export default createRule<'outside'>({
  meta: {
    id: 'copy-outside-context',
    severity: 'error',
    category: 'context',
    summary: 'A COPY/ADD source that escapes the build context (`../x`): BuildKit refuses it.',
    messages: {
      outside:
        '`{{src}}` points outside the build context `{{context}}`; BuildKit cannot read it ("forbidden path outside the build context")',
    },
    hint: 'build from a context that contains the file (e.g. the repository root with `-f path/Dockerfile`), or move/copy the file into the context',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      const builds = buildsOf(ctx.model, df);
      for (const stage of df.stages) {
        for (const ins of stage.instructions) {
          if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.flags.some((f) => f.name === 'from'))
            continue;
          const vars = stageArgs(df, stage.index, ins);
          for (const w of ins.words.slice(0, -1)) {
            if (/^[a-z][a-z0-9+.-]*:\/\//i.test(w.value) || w.value.startsWith('<<')) continue;
            const src = substituteArgs(w.value, vars) ?? w.value;
            if (!src.includes('..')) continue;
            for (const build of builds) {
              if (contextPath(build, src.replace(/^\/+/, '')) !== undefined) continue;
              ctx.report({
                messageId: 'outside',
                data: { src: w.value, context: build.context },
                file,
                span: w.span,
              });
              break;
            }
          }
        }
      }
    }
  },
});
