import { globPrefix, joinPath } from '../../engine/build-graph.js';
import type { DfInstruction, DfStage, Dockerfile } from '../../model/dockerfile.js';
import type { Build, ProjectModel } from '../../model/project.js';
import type { ShellCommand, ShellScript } from '../../model/shell.js';
import type { SourceFile } from '../../model/source.js';
import { stageArgs, substituteArgs } from '../../sources/dockerfile/parse.js';
import { parseShell } from '../../sources/shell/parse.js';
import { commandName, effectiveArgv } from '../../sources/shell/words.js';

/** Shared helpers for Dockerfile rules. Pure functions of the model; parsed shell scripts are cached. */

const scriptCache = new WeakMap<DfInstruction, ShellScript[]>();

/**
 * The shell scripts a RUN executes, with spans as file offsets: the shell-form text, and each heredoc body when
 * the RUN's command is only heredoc(s) (`RUN <<EOF`) or a shell reading one (`RUN bash <<EOF`).
 */
export function runScripts(ins: DfInstruction): ShellScript[] {
  const cached = scriptCache.get(ins);
  if (cached) return cached;
  const out: ShellScript[] = [];
  if (ins.keyword === 'RUN' && ins.form === 'shell' && ins.shell !== undefined) {
    out.push(parseShell(ins.shell, 0, ins.argsOffsets.slice(ins.shellStart)));
    for (const h of ins.heredocs) out.push(parseShell(h.body, h.span.start));
  } else if (ins.keyword === 'RUN' && ins.form === 'exec' && ins.exec) {
    const [prog, flag, script] = ins.exec;
    if (prog && /(^|\/)(ba)?sh$/.test(prog) && flag === '-c' && script !== undefined) {
      const w = ins.words[2];
      out.push(parseShell(script, w ? w.span.start + 1 : ins.span.start));
    }
  }
  scriptCache.set(ins, out);
  return out;
}

export function runCommands(ins: DfInstruction): ShellCommand[] {
  return runScripts(ins).flatMap((s) => s.commands);
}

/** The final stage (the one `docker build` without --target produces). */
export function finalStage(df: Dockerfile): DfStage | undefined {
  return df.stages[df.stages.length - 1];
}

/** A stage and the local stages it is built FROM, base first. */
export function stageChain(df: Dockerfile, stage: DfStage): DfStage[] {
  const chain: DfStage[] = [];
  let s: DfStage | undefined = stage;
  const seen = new Set<number>();
  while (s && !seen.has(s.index)) {
    seen.add(s.index);
    chain.unshift(s);
    s = s.baseStage !== undefined ? df.stages[s.baseStage] : undefined;
  }
  return chain;
}

/** The external image at the root of a stage's chain (substituted), or undefined. */
export function rootImage(df: Dockerfile, stage: DfStage): string | undefined {
  return stageChain(df, stage)[0]?.image;
}

/** The local stage a `COPY --from=` names (by name or index), or undefined for an external image. */
export function fromStage(df: Dockerfile, value: string, before: number): DfStage | undefined {
  if (/^\d+$/.test(value)) return df.stages[Number(value)];
  const lower = value.toLowerCase();
  return df.stages.find((s) => s.index < before && s.name === lower);
}

/** Commands that resolve and download Python packages: `pip install|wheel|download` (also `pip3`, `python -m pip`), `uv pip install`. */
export function isPipInstall(cmd: ShellCommand): boolean {
  const argv = effectiveArgv(cmd).map((w) => w.value);
  const name = commandName(cmd) ?? '';
  const verb = (v: string | undefined) => v === 'install' || v === 'wheel' || v === 'download';
  if (/^pip(3(\.\d+)?)?$/.test(name)) return verb(argv[1]);
  if (/^python(3(\.\d+)?)?$/.test(name)) return argv[1] === '-m' && argv[2] === 'pip' && verb(argv[3]);
  if (name === 'uv') return argv[1] === 'pip' && argv[2] === 'install';
  return false;
}

/** Arguments after the verb (`install`, `wheel`, `download`) of a pip command. */
export function pipArgs(cmd: ShellCommand): ShellCommand['argv'] {
  const argv = effectiveArgv(cmd);
  const i = argv.findIndex((w) => w.value === 'install' || w.value === 'wheel' || w.value === 'download');
  return argv.slice(i + 1);
}

export type InstallerKind = 'pip' | 'npm' | 'yarn' | 'pnpm' | 'apt' | 'apk' | 'uv';

/** Which package installer a command is, if it installs packages. */
export function installerOf(cmd: ShellCommand): InstallerKind | undefined {
  if (isPipInstall(cmd)) return commandName(cmd) === 'uv' ? 'uv' : 'pip';
  const name = commandName(cmd);
  const sub = effectiveArgv(cmd)[1]?.value;
  if (name === 'npm' && (sub === 'install' || sub === 'ci' || sub === 'i')) return 'npm';
  if (name === 'yarn' && (sub === undefined || sub === 'install' || sub === 'add')) return 'yarn';
  if (name === 'pnpm' && (sub === 'install' || sub === 'i' || sub === 'add')) return 'pnpm';
  if ((name === 'apt-get' || name === 'apt') && sub === 'install') return 'apt';
  if (name === 'apk' && sub === 'add') return 'apk';
  if (name === 'uv' && sub === 'sync') return 'uv';
  return undefined;
}

/** WORKDIR in effect at an instruction (absolute), following the stage chain. */
export function workdirAt(df: Dockerfile, stage: DfStage, upTo?: DfInstruction): string {
  let wd = '/';
  for (const s of stageChain(df, stage)) {
    for (const ins of s.instructions) {
      if (ins === upTo) return wd;
      if (ins.keyword !== 'WORKDIR') continue;
      const raw = ins.words[0]?.value ?? '';
      const v = substituteArgs(raw, stageArgs(df, s.index, ins)) ?? raw;
      wd = v.startsWith('/') ? v : `${wd.replace(/\/$/, '')}/${v}`;
    }
  }
  return wd;
}

/** Resolves an in-image path against a WORKDIR; normalises `.`, `..` and trailing slashes. */
export function imagePath(workdir: string, p: string): string {
  const abs = p.startsWith('/') ? p : `${workdir.replace(/\/$/, '')}/${p}`;
  const out: string[] = [];
  for (const seg of abs.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** A COPY/ADD: its sources (as written, with spans), destination (absolute), and --from. */
export interface CopyOp {
  ins: DfInstruction;
  sources: { value: string; span: { start: number; end: number } }[];
  dest: string;
  /** Destination written with a trailing slash, or several sources: a directory. */
  destIsDir: boolean;
  from: string | undefined;
  stage: DfStage;
}

export function copyOps(df: Dockerfile, stage: DfStage): CopyOp[] {
  const ops: CopyOp[] = [];
  for (const s of stageChain(df, stage)) {
    for (const ins of s.instructions) {
      if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
      const words = ins.words.filter((w) => !w.value.startsWith('<<'));
      const destWord = ins.words[ins.words.length - 1];
      if (!destWord || ins.words.length < 2) continue;
      const vars = stageArgs(df, s.index, ins);
      const destRaw = substituteArgs(destWord.value, vars) ?? destWord.value;
      ops.push({
        ins,
        sources: words
          .slice(0, -1)
          .map((w) => ({ value: substituteArgs(w.value, vars) ?? w.value, span: w.span })),
        dest: imagePath(workdirAt(df, s, ins), destRaw),
        destIsDir: destRaw.endsWith('/') || words.length > 2 || destRaw === '.',
        from: ins.flags.find((f) => f.name === 'from')?.value,
        stage: s,
      });
    }
  }
  return ops;
}

/** A source that names a file rather than a folder: it has an extension or is a dotfile. */
export function isFileLike(path: string): boolean {
  const base = path.replace(/\/+$/, '').split('/').pop() ?? '';
  return /^\.[^./]+$/.test(base) || /[^.]\.[A-Za-z0-9]+$/.test(base);
}

/**
 * What a COPY/ADD puts into the image, as (path, tree) pairs: a folder source fills the destination (tree: its
 * content is unknown, anything below may exist); a file source creates exactly one path.
 */
export function createdPaths(op: CopyOp): { path: string; tree: boolean }[] {
  const dest = op.dest.replace(/\/$/, '') || '/';
  return op.sources.map((src) => {
    const isDir =
      src.value === '.' || src.value.endsWith('/') || !isFileLike(src.value) || op.from !== undefined;
    if (isDir || !op.destIsDir) return { path: dest, tree: isDir };
    return { path: `${dest === '/' ? '' : dest}/${src.value.split('/').pop()}`, tree: false };
  });
}

/** Builds of a Dockerfile (from every definition), at least the inferred one. */
export function buildsOf(model: ProjectModel, df: Dockerfile): Build[] {
  return model.builds.filter((b) => b.dockerfile === df.path);
}

/** Repository path of a context-relative source, or undefined when it escapes the context. */
export function contextPath(build: Build, source: string): string | undefined {
  const clean = source.replace(/^\/+/, '');
  const p = joinPath(build.context, clean);
  if (p === undefined) return undefined;
  if (build.context !== '.' && p !== build.context && !p.startsWith(`${build.context}/`)) return undefined;
  return p;
}

/** Repository files matching a context-relative source that may be a glob. */
export function matchSource(
  model: ProjectModel,
  build: Build,
  source: string,
): { prefix: string; matches: string[] } | undefined {
  const { prefix, glob } = globPrefix(source.replace(/^\/+/, ''));
  const base = contextPath(build, prefix);
  if (base === undefined) return undefined;
  if (!glob) return { prefix: base, matches: [] };
  const full = contextPath(build, source.replace(/^\/+/, '')) ?? '';
  const re = new RegExp(
    `^${full
      .split('')
      .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : /[\\^$.|+(){}[\]]/.test(c) ? `\\${c}` : c))
      .join('')}$`,
  );
  const matches = [...model.inventory.files.keys()].filter((f) => re.test(f));
  return { prefix: base, matches };
}

export function sourceOf(model: ProjectModel, path: string): SourceFile | undefined {
  return model.sources.get(path);
}

/** True when any target platform is not amd64 (so builds run emulated on typical x86 CI runners). */
export function targetsNonNative(model: ProjectModel): boolean {
  return model.targets.platforms.some((p) => p.architecture !== 'amd64');
}

export function multiArch(model: ProjectModel): boolean {
  return new Set(model.targets.platforms.map((p) => p.architecture)).size > 1;
}
