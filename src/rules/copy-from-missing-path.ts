import { createRule } from '../engine/rule.js';
import { isSystemPath } from '../knowledge/images.js';
import { stageArgs, substituteArgs } from '../sources/dockerfile/parse.js';
import {
  copyOps,
  createdPaths,
  fromStage,
  imagePath,
  runCommands,
  stageChain,
  workdirAt,
} from './lib/dockerfile.js';

/** A COPY destination tree: the path is it, inside it, or one of its ancestors. */
function inTree(created: string, path: string): boolean {
  const c = created.replace(/\/+$/, '');
  const p = path.replace(/\/+$/, '');
  return c === p || p.startsWith(`${c}/`) || c.startsWith(`${p}/`);
}

/** A folder made by WORKDIR: the path is it or one of its ancestors (what is inside is not known). */
function madeDir(created: string, path: string): boolean {
  const c = created.replace(/\/+$/, '');
  const p = path.replace(/\/+$/, '');
  return c === p || c.startsWith(`${p}/`);
}

/** Folders well-known commands create in their working directory without naming them. */
const RELATIVE_OUTPUTS: [RegExp, string[]][] = [
  [/\b(npm|pnpm)\s+(ci|install|i)\b|\byarn(\s+install)?\b/, ['node_modules']],
  [/\b(npm|pnpm|yarn)\s+(run\s+)?build\b|\b(vite|tsc|next)\s+build\b|\btsc\b/, ['dist', 'build', '.next']],
  [/python\S*\s+-m\s+build\b|setup\.py\s+(bdist|sdist)|\bpoetry\s+build\b|\buv\s+build\b/, ['dist']],
  [/\bcargo\s+build\b/, ['target']],
];

export default createRule<'missing'>({
  meta: {
    id: 'copy-from-missing-path',
    severity: 'warning',
    category: 'dockerfile',
    summary: '`COPY --from=<stage>` of an absolute path that nothing in that stage creates.',
    messages: {
      missing:
        '`{{src}}` is copied from stage "{{stage}}", but no COPY/ADD, WORKDIR or RUN in that stage creates it; the build fails with "not found"',
    },
    hint: 'copy the path the stage really writes (check its WORKDIR, `pip install --prefix`/`--target`, venv location), or create it in that stage',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const stage of df.stages) {
        for (const ins of stage.instructions) {
          if (ins.keyword !== 'COPY') continue;
          const from = ins.flags.find((f) => f.name === 'from')?.value;
          if (!from) continue;
          const src = fromStage(df, from, stage.index);
          if (!src) continue;
          const chain = stageChain(df, src);
          const workdirs: string[] = [];
          const relative: string[] = [];
          const created = copyOps(df, src).flatMap(createdPaths);
          const runText: string[] = [];
          for (const s of chain) {
            for (const i of s.instructions) {
              if (i.keyword === 'WORKDIR') {
                const v = substituteArgs(i.words[0]?.value ?? '/', stageArgs(df, s.index, i)) ?? '/';
                workdirs.push(imagePath(workdirAt(df, s, i), v));
              }
              if (i.keyword === 'RUN') {
                // Relative outputs: what the RUN writes inside its WORKDIR.
                const wd = workdirAt(df, s, i);
                const text = `${i.args}\n${i.heredocs.map((h) => h.body).join('\n')}`;
                for (const [re, out] of RELATIVE_OUTPUTS)
                  if (re.test(text)) for (const o of out) relative.push(imagePath(wd, o));
                for (const word of runCommands(i).flatMap((c) => c.argv)) {
                  const first = word.value.replace(/^\.\//, '').split('/')[0] ?? '';
                  if (/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(first)) relative.push(imagePath(wd, first));
                }
              }
              if (i.keyword === 'RUN')
                runText.push(
                  i.args,
                  ...i.heredocs.map((h) => h.body),
                  ...runCommands(i).map((c) => c.argv.map((w) => w.value).join(' ')),
                );
              if (i.keyword === 'ENV') runText.push(i.args);
            }
          }
          const all = runText.join('\n');
          for (const w of ins.words.slice(0, -1)) {
            const p = substituteArgs(w.value, stageArgs(df, stage.index, ins)) ?? w.value;
            if (!p.startsWith('/') || p.includes('$') || p.search(/[*?[]/) >= 0) continue;
            const path = imagePath('/', p);
            if (isSystemPath(path) || path === '/') continue;
            if (
              created.some((c) => (c.tree ? inTree(c.path, path) : madeDir(c.path, path))) ||
              workdirs.some((w) => madeDir(w, path)) ||
              relative.some((r) => inTree(r, path) && r !== '/' && !workdirs.includes(r))
            )
              continue;
            // A RUN (or ENV) naming the path or one of its non-system ancestors (`--prefix=/install`, `python -m venv /opt/venv`).
            const parts = path.split('/').filter(Boolean);
            const ancestors = parts
              .map((_seg, k) => `/${parts.slice(0, k + 1).join('/')}`)
              .filter((a) => !/^\/(usr|usr\/local|opt|var|etc|home|srv|tmp|lib)$/.test(a));
            if (
              ancestors.some((a) =>
                new RegExp(`${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_.-])`).test(all),
              )
            )
              continue;
            ctx.report({
              messageId: 'missing',
              data: { src: w.value, stage: src.name ?? String(src.index) },
              file,
              span: w.span,
            });
          }
        }
      }
    }
  },
});
