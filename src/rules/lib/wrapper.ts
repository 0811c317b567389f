import type { DfInstruction } from '../../model/dockerfile.js';
import { trimTrailingSlashes } from '../../model/text.js';
import { type CopyMapping, copyMappings, normalize, resolveWord, workdirAt } from '../../model/eval.js';
import type { ImageView, ProjectModel } from '../../model/project.js';
import { basename, globRegExp, joinPath, within } from '../../model/repo.js';
import type { SourceFile } from '../../model/source.js';
import { WRAPPER_NAME } from '../../engine/wrappers.js';
import { commandsOf, runText } from './dockerfile.js';

/** Shared helpers for rules about wrapper scripts copied into an image (`entrypoint.sh`, `start.sh`). */

/** A wrapper script a built stage copies in and makes executable. */
export interface Wrapper {
  mapping: CopyMapping;
  /** In-image path. */
  path: string;
  /** The repository file copied, and its text. */
  file: SourceFile;
  /** How it is made executable: `COPY --chmod` or a RUN's `chmod`. */
  executable: DfInstruction;
}

/** An octal or symbolic mode that sets an execute bit (`755`, `0755`, `+x`, `u+x`, `a+rx`). */
function executableMode(mode: string): boolean {
  if (/^[0-7]{3,4}$/.test(mode)) return /[1357]/.test(mode.slice(-3));
  return /^[ugoa]*\+[rwxXst]*x/.test(mode);
}

/**
 * Single files the target stage's chain copies from the build context under a wrapper name, made executable by
 * `COPY --chmod` or a later `RUN chmod`, whose text crossdock read.
 */
export function executableWrappers(model: ProjectModel, view: ImageView): Wrapper[] {
  const target = view.target;
  const sv = target ? view.stages[target.index] : undefined;
  const ctx = view.build.context;
  if (!target || !sv || !ctx.known) return [];
  const out: Wrapper[] = [];
  for (const m of copyMappings(view, target)) {
    if (!WRAPPER_NAME.test(basename(m.source))) continue;
    const repoPath = joinPath(ctx.value, m.source);
    // One file (a name without extension is taken for a folder by the mapping: the inventory decides).
    const file = repoPath && model.inventory.files.has(repoPath) ? model.sources.get(repoPath) : undefined;
    if (!file || !repoPath || !within(ctx.value, repoPath)) continue;
    const destWord = m.ins.words.at(-1)?.value ?? '';
    const intoFolder = m.tree && (destWord.endsWith('/') || destWord === '.' || m.ins.words.length > 2);
    const dest = intoFolder ? `${m.dest === '/' ? '' : m.dest}/${basename(repoPath)}` : m.dest;
    const chmod = m.ins.flags.find((f) => f.name === 'chmod');
    let executable: DfInstruction | undefined =
      chmod && executableMode(chmod.value ?? '') ? m.ins : undefined;
    let after = false;
    for (const s of sv.chain)
      for (const ins of s.instructions) {
        if (ins === m.ins) after = true;
        if (!after || ins.keyword !== 'RUN' || executable) continue;
        for (const c of commandsOf(ins)) {
          if (c.name !== 'chmod') continue;
          const words = c.argv.slice(1).map((w) => w.value);
          if (!words.some(executableMode)) continue;
          const wd = workdirAt(view, s, ins);
          for (const w of words) {
            const v = resolveWord(view, s, ins, w);
            if (!v.known || (!v.value.startsWith('/') && !wd.known)) continue;
            const p = normalize(wd.known ? wd.value : '/', v.value);
            if (p === dest || (/[*?[]/.test(p) && globRegExp(p).test(dest))) executable = ins;
          }
        }
      }
    if (executable) out.push({ mapping: m, path: dest, file, executable });
  }
  return out;
}

/** Commands that only mention a file (change its mode, owner or line endings, list it). */
const MENTIONS_ONLY = new Set(['chmod', 'chown', 'chgrp', 'sed', 'dos2unix', 'ls', 'test', '[', 'stat']);

/**
 * An instruction of the chain that may run the wrapper: any instruction naming it, except RUN commands that only
 * change its mode (`chmod +x`), owner or line endings, and the COPY that brings it.
 */
export function instructionRunning(view: ImageView, w: Wrapper): DfInstruction | undefined {
  const target = view.target;
  const sv = target ? view.stages[target.index] : undefined;
  const name = basename(w.path);
  for (const s of sv?.chain ?? [])
    for (const ins of s.instructions) {
      if (ins === w.mapping.ins || !runText(ins).includes(name)) continue;
      if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
        // Copied again elsewhere (under another name or path): may be what runs.
        const dest = ins.words.at(-1)?.value ?? '';
        if (basename(trimTrailingSlashes(dest)) === name || ins.words.length > 2 || dest.endsWith('/'))
          continue;
        return ins;
      }
      if (ins.keyword !== 'RUN' || ins.heredocs.some((h) => h.body.includes(name))) return ins;
      const cmds = commandsOf(ins);
      if (!cmds.length) return ins;
      for (const c of cmds)
        if (c.argv.some((a) => a.value.includes(name)) && !MENTIONS_ONLY.has(c.name ?? '')) return ins;
      if (!cmds.some((c) => c.argv.some((a) => a.value.includes(name)))) return ins;
    }
  return undefined;
}

/** Process supervisors and init systems whose configuration may start any script of the image. */
const SUPERVISOR_PATH =
  /supervisor|(^|\/)s6|services\.d|cont-init|cont-finish|runit|cron|systemd|init\.d|rc\.local|profile\.d|bashrc|\/etc\/service\b/i;
const SUPERVISOR_PACKAGE =
  /^(supervisor|s6|s6-overlay|runit|cron|cronie|dcron|busybox-openrc|openrc|systemd|circus)(=.*)?$/;

/**
 * Something in the chain may start the script without naming it in an instruction: a supervisor or init
 * configuration copied in (supervisord, s6, runit, cron, profile scripts), or such a program installed.
 */
export function supervisorIn(view: ImageView): DfInstruction | undefined {
  const target = view.target;
  const sv = target ? view.stages[target.index] : undefined;
  for (const s of sv?.chain ?? [])
    for (const ins of s.instructions) {
      if (
        (ins.keyword === 'COPY' || ins.keyword === 'ADD') &&
        ins.words.some((w) => SUPERVISOR_PATH.test(w.value))
      )
        return ins;
      if (ins.keyword !== 'RUN') continue;
      for (const c of commandsOf(ins))
        if (
          (c.installer && c.argv.slice(1).some((a) => SUPERVISOR_PACKAGE.test(a.value))) ||
          c.creates.some((p) => SUPERVISOR_PATH.test(p))
        )
          return ins;
    }
  return undefined;
}
