import { createRule } from '../engine/rule.js';
import { isSystemPath, knownFiles } from '../knowledge/images.js';
import { copyMappings, normalize, resolveWord, runCreates, stageNamed, workdirAt } from '../model/eval.js';
import type { ImageView, StageView } from '../model/project.js';
import { trimTrailingSlashes } from '../model/text.js';
import { type Unknown, unknown } from '../model/value.js';
import { buildSite, commandsOf, runText } from './lib/dockerfile.js';

/** A folder made by WORKDIR (or a copy/creation of a folder): the path is it or one of its ancestors. */
function isOrAbove(created: string, path: string): boolean {
  const c = trimTrailingSlashes(created) || '/';
  const p = trimTrailingSlashes(path) || '/';
  return c === p || c.startsWith(`${p === '/' ? '' : p}/`);
}

/** A tree whose contents are unknown (a copied folder, an install prefix): the path may be anywhere below it. */
function inTree(tree: string, path: string): boolean {
  const t = trimTrailingSlashes(tree) || '/';
  return path === t || path.startsWith(`${t === '/' ? '' : t}/`) || isOrAbove(path, t);
}

/**
 * What a stage (and its chain) creates outside the system folders: `known` paths and trees, or why that is not
 * known (a RUN that runs a script, an archive, a base image crossdock knows nothing about).
 */
function created(
  view: ImageView,
  sv: StageView,
): { paths: string[]; trees: string[]; opaque: Unknown | undefined } {
  const out = { paths: [] as string[], trees: [] as string[], opaque: undefined as Unknown | undefined };
  if (!sv.base.known) out.opaque = sv.base;
  else if (knownFiles(sv.base.value)) out.trees.push(...(knownFiles(sv.base.value)?.trees ?? []));
  else
    out.opaque = unknown('image-contents', `what ${sv.base.value} contains is not known`, {
      file: view.file,
      span: sv.chain[0]?.imageSpan ?? sv.stage.imageSpan,
    });
  for (const m of copyMappings(view, sv.stage)) (m.tree ? out.trees : out.paths).push(m.dest);
  for (const s of sv.chain) {
    for (const ins of s.instructions) {
      if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && ins.flags.some((f) => f.name === 'from')) {
        const dest = ins.words[ins.words.length - 1];
        const wd = workdirAt(view, s, ins);
        if (dest && (dest.value.startsWith('/') || wd.known))
          out.trees.push(normalize(wd.known ? wd.value : '/', dest.value));
      }
      if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && !ins.flags.some((f) => f.name === 'from')) {
        // Sources with unresolved variables or globs fill their destination with unknown contents.
        const dest = ins.words[ins.words.length - 1];
        const wd = workdirAt(view, s, ins);
        if (dest && ins.words.slice(0, -1).some((w) => w.value.includes('$') || /[*?[]/.test(w.value)))
          out.trees.push(normalize(wd.known ? wd.value : '/', dest.value));
        if (
          ins.keyword === 'ADD' &&
          ins.words.slice(0, -1).some((w) => /\.(tar|tgz|tbz2?|txz|zip)(\.(gz|bz2|xz|zst))?$/i.test(w.value))
        )
          out.opaque ??= unknown('effects', '`ADD` of an archive unpacks files crossdock cannot list', {
            file: view.file,
            span: ins.span,
          });
      }
      if (ins.keyword === 'WORKDIR') {
        const v = resolveWord(view, s, ins, ins.words[0]?.value ?? '/');
        const wd = workdirAt(view, s, ins);
        if (v.known) out.paths.push(normalize(wd.known ? wd.value : '/', v.value));
      }
      if (ins.keyword !== 'RUN') continue;
      for (const c of commandsOf(ins))
        if (c.unknownEffects)
          out.opaque ??= unknown('effects', `this RUN's effects are not known: ${c.unknownEffects}`, {
            file: view.file,
            span: ins.span,
          });
      for (const p of runCreates(view, s, ins))
        if (p.known) out.trees.push(p.value);
        else out.opaque ??= p;
      // Bind mounts of other stages' outputs or caches put files where the RUN can move them.
      for (const f of ins.flags)
        if (f.name === 'mount' && /type=cache/.test(f.value ?? '')) {
          const t = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(f.value ?? '')?.[1];
          if (t) out.trees.push(normalize('/', t));
        }
    }
  }
  return out;
}

export default createRule<'missing'>({
  meta: {
    id: 'copy-from-missing-path',
    severity: 'warning',
    category: 'dockerfile',
    summary: '`COPY --from=<stage>` of an absolute path that nothing in that stage creates.',
    messages: {
      missing:
        '`{{src}}` is copied from stage "{{stage}}", but no COPY/ADD, WORKDIR or RUN in that stage creates it and its base image has nothing there: the build fails with "not found"',
    },
    hint: 'copy the path the stage really writes (check its WORKDIR, `pip install --prefix`/`--target`, venv location), or create it in that stage',
  },
  check(ctx) {
    const done = new Set<string>();
    for (const view of ctx.model.images) {
      const df = view.dockerfile;
      for (const sv of view.stages) {
        if (!sv.built) continue;
        for (const ins of sv.stage.instructions) {
          if (ins.keyword !== 'COPY') continue;
          const from = ins.flags.find((f) => f.name === 'from')?.value;
          if (!from) continue;
          const src = stageNamed(df, from, sv.stage.index);
          const srcView = src ? view.stages[src.index] : undefined;
          if (!src || !srcView) continue;
          const made = created(view, srcView);
          const text = srcView.chain
            .flatMap((s) =>
              s.instructions.filter((i) => i.keyword === 'RUN' || i.keyword === 'ENV').map(runText),
            )
            .join('\n');
          for (const w of ins.words.slice(0, -1)) {
            const p = resolveWord(view, sv.stage, ins, w.value);
            if (!p.known || !p.value.startsWith('/') || /[*?[]/.test(p.value)) continue;
            const path = normalize('/', p.value);
            if (isSystemPath(path) || path === '/') continue;
            if (
              made.paths.some((c) => isOrAbove(c, path)) ||
              made.trees.some((t) => t !== '/' && inTree(t, path))
            )
              continue;
            // A RUN (or ENV) naming the path or one of its non-system ancestors (`--prefix=/install`, `python -m venv /opt/venv`).
            const parts = path.split('/').filter(Boolean);
            const named = parts
              .map((_seg, k) => `/${parts.slice(0, k + 1).join('/')}`)
              .filter((a) => !/^\/(usr|usr\/local|opt|var|etc|home|srv|tmp|lib)$/.test(a))
              .some((a) =>
                text
                  .split(a)
                  .slice(1)
                  .some((rest) => !/^[A-Za-z0-9_.-]/.test(rest)),
              );
            if (named) continue;
            if (made.opaque) {
              ctx.unknown(
                {
                  ...made.opaque,
                  site: made.opaque.site ?? { file: view.file, span: srcView.stage.from.span },
                },
                `whether stage "${src.name ?? src.index}" creates ${path}`,
              );
              continue;
            }
            const key = `${df.path}:${w.span.start}`;
            if (done.has(key) && !buildSite(view).length) continue;
            done.add(key);
            ctx.report({
              messageId: 'missing',
              data: { src: w.value, stage: src.name ?? String(src.index) },
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
