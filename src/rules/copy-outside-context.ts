import { createRule } from '../engine/rule.js';
import { resolveWord } from '../model/eval.js';
import { joinPath, pathStatus } from '../model/repo.js';
import { buildSite, builtStages } from './lib/dockerfile.js';

/** `../x` with the parent steps BuildKit drops (it joins the path onto the context root: `../x` is `x`). */
function clamped(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/') || '.';
}

export default createRule<'missing' | 'other'>({
  meta: {
    id: 'copy-outside-context',
    severity: 'error',
    category: 'context',
    summary:
      'A COPY/ADD source that climbs out of the build context (`../x`): BuildKit silently reads `x` from the context root instead, the classic builder refuses it.',
    messages: {
      missing:
        '`{{src}}` climbs out of the build context `{{context}}`: BuildKit reads `{{clamped}}` from the context root instead, which does not exist ("not found"), and the classic builder refuses it ("forbidden path outside the build context")',
      other:
        "`{{src}}` climbs out of the build context `{{context}}`: BuildKit silently copies the context's own `{{clamped}}` instead (the classic builder refuses the path), so the image gets a different file than written",
    },
    hint: 'build from a context that contains the file (e.g. the repository root with `-f path/Dockerfile`), or move/copy the file into the context',
  },
  check(ctx) {
    for (const view of ctx.model.images) {
      const ctxValue = view.build.context;
      for (const sv of builtStages(view)) {
        for (const ins of sv.stage.instructions) {
          if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.flags.some((f) => f.name === 'from'))
            continue;
          for (const w of ins.words.slice(0, -1)) {
            if (
              /^[a-z][a-z0-9+.-]*:\/\//i.test(w.value) ||
              w.value.startsWith('<<') ||
              !w.value.includes('..')
            )
              continue;
            const src = resolveWord(view, sv.stage, ins, w.value);
            if (!src.known) {
              ctx.unknown(
                { ...src, site: src.site ?? { file: view.file, span: w.span } },
                `whether \`${w.value}\` leaves the build context`,
              );
              continue;
            }
            // `a/../b` stays inside: only a path whose `..` climb above the context root (a leading `/` is the
            // context root too: both functions skip empty segments).
            if (joinPath('.', src.value) !== undefined) continue;
            const inside = clamped(src.value);
            const contexts = ctxValue.known ? [ctxValue.value] : (ctxValue.candidates ?? []);
            const present = contexts.map((c) => {
              const p = joinPath(c, inside);
              return p !== undefined && pathStatus(ctx.model.inventory, p) !== 'absent';
            });
            // With an unknown context, say only what holds under every candidate (and nothing without one).
            const messageId =
              contexts.length === 0
                ? undefined
                : present.every((p) => !p)
                  ? 'missing'
                  : present.every((p) => p)
                    ? 'other'
                    : undefined;
            if (!messageId) {
              if (!ctxValue.known) ctx.unknown(ctxValue, `which file BuildKit copies for \`${w.value}\``);
              continue;
            }
            ctx.report({
              messageId,
              severity: messageId === 'missing' ? 'error' : 'warning',
              data: {
                src: w.value,
                context: ctxValue.known ? ctxValue.value : contexts.join(' or '),
                clamped: inside,
              },
              file: view.file,
              span: w.span,
              sites: buildSite(view),
            });
          }
        }
      }
    }
  },
});
