import { createRule } from '../engine/rule.js';
import type { DfInstruction } from '../model/dockerfile.js';
import { copyOps, createdPaths, imagePath, isPipInstall, runCommands, workdirAt } from './lib/dockerfile.js';
import { pipTargets, resolveRequirementFile } from './lib/python.js';

export default createRule<'notCopied' | 'viaFile'>({
  meta: {
    id: 'local-requirement-before-copy',
    severity: 'error',
    category: 'python',
    summary:
      'A local path (`-e ./pkg`, `.`, `-r requirements.txt`, `pkg @ file:./pkg`) is installed before it is copied into the image.',
    messages: {
      notCopied:
        '`pip install {{what}}` runs before `{{path}}` is copied into the image: pip fails with "does not appear to be a Python project" / "No such file"',
      viaFile: '`{{file}}` installs the local path `{{local}}`, which is not in the image yet at this point',
    },
    hint: 'COPY the path (or the whole project) before this RUN; to keep dependency layers cached, copy only what the install needs first (pyproject.toml + the local packages)',
  },
  check(ctx) {
    for (const df of ctx.model.dockerfiles) {
      const file = ctx.model.sources.get(df.path);
      if (!file) continue;
      for (const stage of df.stages) {
        const ops = copyOps(df, stage);
        for (const ins of stage.instructions) {
          if (
            ins.keyword !== 'RUN' ||
            ins.flags.some((f) => f.name === 'mount' && /type=bind/.test(f.value ?? ''))
          )
            continue;
          const before = new Set<DfInstruction>();
          for (const op of ops) {
            if (op.ins === ins) break;
            before.add(op.ins);
          }
          const wd = workdirAt(df, stage, ins);
          const covered = (p: string): boolean =>
            ops.some((op) => {
              if (
                op.ins.span.start >= ins.span.start ||
                (op.stage.index === stage.index && !before.has(op.ins))
              )
                return false;
              return createdPaths(op).some((c) => p === c.path || (c.tree && p.startsWith(`${c.path}/`)));
            });
          for (const cmd of runCommands(ins)) {
            if (!isPipInstall(cmd)) continue;
            const t = pipTargets(cmd);
            const locals = [
              ...t.editables,
              ...t.packages.filter((w) => /^(\.{1,2}(\/|$)|\/|file:)/.test(w.value)),
            ];
            for (const w of locals) {
              const p = imagePath(wd, w.value.replace(/^file:(\/\/)?/, '').replace(/\[.*\]$/, ''));
              // A project folder counts as present once its project file is (`COPY pyproject.toml .` then `pip install .`).
              const project = ['pyproject.toml', 'setup.py', 'setup.cfg'].some((n) =>
                covered(`${p === '/' ? '' : p}/${n}`),
              );
              if (!covered(p) && !project) {
                ctx.report({ messageId: 'notCopied', data: { what: w.value, path: p }, file, span: w.span });
              }
            }
            for (const w of t.requirementFiles) {
              const p = imagePath(wd, w.value);
              if (!covered(p)) {
                ctx.report({
                  messageId: 'notCopied',
                  data: { what: `-r ${w.value}`, path: p },
                  file,
                  span: w.span,
                });
                continue;
              }
              const req = resolveRequirementFile(ctx.model, df, w.value);
              for (const r of req?.requirements ?? []) {
                if (!r.localPath) continue;
                const lp = imagePath(wd, r.localPath);
                if (!covered(lp))
                  ctx.report({
                    messageId: 'viaFile',
                    data: { file: w.value, local: r.localPath },
                    file,
                    span: w.span,
                  });
              }
            }
          }
        }
      }
    }
  },
});
