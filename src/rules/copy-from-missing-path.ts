import { createRule } from '../engine/rule.js';
import { isSystemPath, knownFiles } from '../knowledge/images.js';
import { copyMappings, normalize, resolveWord, runCreates, stageNamed, workdirAt } from '../model/eval.js';
import type { DfInstruction, DfStage } from '../model/dockerfile.js';
import type { ImageView, StageView } from '../model/project.js';
import { known, type Unknown, unknown, type Value } from '../model/value.js';
import { buildSite, commandsOf, runText } from './lib/dockerfile.js';

/** Whether `path` is `folder` or lies below it (both normalized: absolute, no trailing slash; `/` is below nothing). */
function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

/** Where a word of an instruction points in the image; unknown when the word is, or the WORKDIR a relative one is in. */
function inImage(view: ImageView, s: DfStage, ins: DfInstruction, word: string): Value<string> {
  const v = resolveWord(view, s, ins, word);
  if (!v.known) return v;
  if (v.value.startsWith('/')) return known(normalize('/', v.value), v.origin);
  const wd = workdirAt(view, s, ins);
  return wd.known ? known(normalize(wd.value, v.value), v.origin) : wd;
}

/**
 * What a stage (and its chain) creates outside the system folders: `known` paths and trees, or why that is not
 * known (a RUN that runs a script, an archive, a base image crossdock knows nothing about, a destination or
 * WORKDIR whose value is not known).
 */
function created(
  view: ImageView,
  sv: StageView,
): { paths: string[]; trees: string[]; opaque: Unknown | undefined } {
  const out = { paths: [] as string[], trees: [] as string[], opaque: undefined as Unknown | undefined };
  if (!sv.base.known) out.opaque = sv.base;
  else {
    const files = knownFiles(sv.base.value);
    if (files) out.trees.push(...files.trees);
    else
      out.opaque = unknown('image-contents', `what ${sv.base.value} contains is not known`, {
        file: view.file,
        span: (sv.chain[0] ?? sv.stage).imageSpan,
      });
  }
  // A known path joins the list; an unknown one makes what the stage creates not known.
  const add = (list: string[], v: Value<string>) => {
    if (v.known) list.push(v.value);
    else out.opaque ??= v;
  };
  for (const m of copyMappings(view, sv.stage)) (m.tree ? out.trees : out.paths).push(m.dest);
  for (const s of sv.chain) {
    for (const ins of s.instructions) {
      const [first] = ins.words;
      if (ins.keyword === 'WORKDIR' && first) add(out.paths, inImage(view, s, ins, first.value));
      const last = ins.words[ins.words.length - 1];
      if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && last) {
        // Local sources are mapped file by file (copyMappings); another stage's files, glob, variable, heredoc,
        // URL and git sources fill the destination with contents that are not known.
        const dest = inImage(view, s, ins, last.value);
        const sources = ins.words.slice(0, -1);
        if (
          !dest.known ||
          ins.flags.some((f) => f.name === 'from') ||
          sources.some((w) => /[$*?[]|<<|:\/\/|git@/.test(w.value))
        )
          add(out.trees, dest);
        if (
          ins.keyword === 'ADD' &&
          sources.some((w) => /\.(tar|tgz|tbz2?|txz|zip)(\.(gz|bz2|xz|zst))?$/i.test(w.value))
        )
          out.opaque ??= unknown('effects', '`ADD` of an archive unpacks files crossdock cannot list', {
            file: view.file,
            span: ins.span,
          });
      }
      if (ins.keyword !== 'RUN') continue;
      for (const c of commandsOf(ins))
        if (c.unknownEffects)
          out.opaque ??= unknown('effects', `this RUN's effects are not known: ${c.unknownEffects}`, {
            file: view.file,
            span: ins.span,
          });
      for (const p of runCreates(view, s, ins)) add(out.trees, p);
      // A cache mount's folder (relative to the WORKDIR, as BuildKit reads it): the RUN may have moved files out of
      // it, or left its mount point behind.
      for (const f of ins.flags) {
        const t = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(f.value ?? '')?.[1];
        if (f.name === 'mount' && /type=cache/.test(f.value ?? '') && t)
          add(out.trees, inImage(view, s, ins, t));
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
    for (const view of ctx.model.images) {
      const df = view.dockerfile;
      for (const sv of view.stages) {
        if (!sv.built) continue;
        for (const ins of sv.stage.instructions) {
          if (ins.keyword !== 'COPY') continue;
          const from = ins.flags.find((f) => f.name === 'from')?.value;
          if (!from) continue;
          // A stage of this Dockerfile (not an image): its view, index-aligned with the stages.
          const src = stageNamed(df, from, sv.stage.index);
          const srcView = src && view.stages[src.index];
          if (!srcView) continue;
          const stage = srcView.stage.name ?? String(srcView.stage.index);
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
            // A created folder or file at or below the path; a tree above the path (it may hold anything) or below it.
            if (
              made.paths.some((c) => within(c, path)) ||
              made.trees.some((t) => within(path, t) || within(t, path))
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
                `whether stage "${stage}" creates ${path}`,
              );
              continue;
            }
            ctx.report({
              messageId: 'missing',
              data: { src: w.value, stage },
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
