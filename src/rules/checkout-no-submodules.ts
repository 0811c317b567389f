import { createRule } from '../engine/rule.js';
import { resolveWord } from '../model/eval.js';
import { joinPath, within } from '../model/repo.js';

/** `git submodule update …` (git's own options before `submodule` allowed: `git -c x=y submodule update`). */
function updatesSubmodules(argv: string[]): boolean {
  const git = argv.findIndex((w) => w === 'git' || w.endsWith('/git'));
  if (git < 0) return false;
  const sub = argv.indexOf('submodule', git + 1);
  return sub > git && argv.slice(sub + 1).find((w) => !w.startsWith('-')) === 'update';
}

export default createRule<'noSubmodules'>({
  meta: {
    id: 'checkout-no-submodules',
    severity: 'error',
    category: 'ci',
    summary:
      'A workflow builds an image that copies files from inside a submodule while `actions/checkout` does not fetch submodules: the folder is empty in CI.',
    messages: {
      noSubmodules:
        'job "{{job}}" builds {{dockerfile}}, which copies `{{source}}` from submodule `{{submodule}}`, but actions/checkout does not fetch submodules: the folder is empty in CI and the build fails or ships without it',
    },
    hint: 'add `with: { submodules: recursive }` (or `true`) to the actions/checkout step',
  },
  check(ctx) {
    const { model } = ctx;
    const links = [...model.inventory.gitlinks.keys()];
    if (links.length === 0) return;
    for (const wf of model.workflows) {
      for (const job of wf.jobs) {
        const checkout = job.steps.find((s) => s.uses?.action === 'actions/checkout');
        if (!checkout?.uses) continue;
        // An explicit `submodules:` (true, recursive, or a deliberate false) is the author's decision.
        if (checkout.with.has('submodules')) continue;
        // A later `run:` step that runs `git submodule update` fetches them itself.
        const fetched = job.steps
          .slice(job.steps.indexOf(checkout) + 1)
          .some((s) => s.run?.script.commands.some((c) => updatesSubmodules(c.argv.map((w) => w.value))));
        if (fetched) continue;
        const done = new Set<string>();
        for (const view of model.images.filter((v) => v.build.job?.job === job)) {
          const ctxPath = view.build.context;
          if (!ctxPath.known) continue;
          for (const sv of view.stages) {
            if (!sv.built) continue;
            for (const ins of sv.stage.instructions) {
              if (
                (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') ||
                ins.flags.some((f) => f.name === 'from')
              )
                continue;
              for (const w of ins.words.slice(0, -1)) {
                const src = resolveWord(view, sv.stage, ins, w.value);
                if (!src.known) continue;
                // A leading `/` is the context root too (joinPath skips empty segments).
                const p = joinPath(ctxPath.value, src.value);
                if (p === undefined) continue;
                // Only a source at or inside the submodule needs its files (`COPY . .` may not).
                const hit = links.find((l) => within(l, p));
                if (!hit || done.has(hit)) continue;
                done.add(hit);
                ctx.report({
                  messageId: 'noSubmodules',
                  data: { job: job.id, dockerfile: view.dockerfile.path, source: w.value, submodule: hit },
                  file: checkout.uses.site.file,
                  span: checkout.uses.site.span,
                  related: [{ file: view.file, span: w.span, message: `copies ${w.value}` }],
                });
              }
            }
          }
        }
      }
    }
  },
});
