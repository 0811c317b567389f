import type { DfInstruction } from '../../model/dockerfile.js';
import {
  type CopyMapping,
  copyMappings,
  normalize,
  resolveWord,
  runCreates,
  workdirAt,
} from '../../model/eval.js';
import type { ImageView, ProjectModel, StageView } from '../../model/project.js';
import { joinPath, present, relativeTo, within } from '../../model/repo.js';
import { type Unknown, unknown } from '../../model/value.js';
import { commandsOf, generatedBefore } from './dockerfile.js';

/**
 * Whether a stage's chain puts a path into the image (what its base image ships aside), from what its COPY/ADD
 * instructions copy and what its RUN commands are known to create.
 * - `present`: a copy brings it from the context, or something may (a copy from another stage or a glob, a RUN that
 *   writes the folder it is in): no claim, and nothing to note.
 * - `unknown`: something whose effects are not known may create it (an archive ADD, a RUN of a script).
 * - `absent`: nothing does. `copy` is the last local copy that covers the path though the context lacks the file
 *   (`expected`, excluded by `ignoredBy` when a `.dockerignore` keeps it out).
 */
export type PathState =
  | { kind: 'present' }
  | { kind: 'unknown'; why: Unknown }
  | { kind: 'absent'; copy?: CopyMapping; expected?: string; ignoredBy?: string };

/**
 * What is looked for: a `file`; a `dir` (any file below it makes it); a Python `module` (the path is the module's
 * stem: `stem.py`, a compiled `stem.*.so`/`.pyc`/`.pyd`, or a package folder `stem/`, regular or namespace).
 */
export type PathKind = 'file' | 'dir' | 'module';

const MODULE_FILE = /\.(py|pyc|so|pyd)$/;

/** `path` is `dir` or below it. */
function under(path: string, dir: string): boolean {
  return path === dir || dir === '/' || path.startsWith(`${dir}/`);
}

/** A path that, when it exists, makes the target exist (the target itself, something in it, its module file). */
function lands(kind: PathKind, target: string, p: string): boolean {
  if (kind === 'file') return p === target;
  if (under(p, target)) return true;
  if (kind !== 'module') return false;
  const tail = p.startsWith(`${target}.`) ? p.slice(target.length + 1) : undefined;
  return tail !== undefined && !tail.includes('/') && MODULE_FILE.test(`.${tail}`);
}

/** Context lookup: is there a committed file at (or below, for folders and modules) a repository path? */
function inContext(
  model: ProjectModel,
  view: ImageView,
  context: string,
  path: string,
  kind: PathKind | 'any',
): 'yes' | 'no' | { ignoredBy: string } {
  const ignore = model.dockerignores.get(view.dockerfile.path) ?? model.dockerignores.get(context);
  // A submodule's files are not listed (a checkout with submodules has them): no claim.
  for (const g of model.inventory.gitlinks.keys()) if (within(g, path) || within(path, g)) return 'yes';
  let ignored = false;
  for (const f of model.inventory.files.keys()) {
    const hit =
      kind === 'file'
        ? f === path
        : kind === 'any'
          ? within(path, f)
          : within(path, f) || (kind === 'module' && lands('module', path, f));
    if (!hit || !present(model.inventory, f)) continue;
    if (ignore?.ignores(relativeTo(context, f))) ignored = true;
    else return 'yes';
  }
  return ignored && ignore ? { ignoredBy: ignore.path } : 'no';
}

/** The RUN-created paths of an instruction with the command that creates each (same order as `runCreates`). */
function createdBy(view: ImageView, sv: StageView, ins: DfInstruction) {
  const stage = sv.chain.find((s) => s.instructions.includes(ins)) ?? sv.stage;
  const values = runCreates(view, stage, ins);
  const owners = commandsOf(ins).flatMap((c) => c.creates.map(() => c));
  return values.map((v, i) => ({ v, c: owners[i] }));
}

/**
 * The state of an in-image path at run time of the image a stage's chain makes. `name`: for a program, its
 * basename, which a system package install of that name provides.
 */
export function pathState(
  model: ProjectModel,
  view: ImageView,
  sv: StageView,
  target: string,
  kind: PathKind,
  site: { file: ImageView['file']; span: { start: number; end: number } },
  name?: string,
): PathState {
  const ctx = view.build.context;
  let maybe = false;
  let opaque: Unknown | undefined;
  const runOpaque = unknown(
    'effects',
    'a RUN in this stage runs a program whose effects are not known',
    site,
  );
  const absent: { m: CopyMapping; path: string; ignoredBy?: string }[] = [];
  // Local copies: the context file (or folder) the path maps to.
  for (const m of copyMappings(view, sv.stage)) {
    let src: string | undefined;
    let look: PathKind | 'any' = kind;
    if (lands(kind, target, m.dest)) {
      src = m.source;
      look = m.tree ? 'any' : 'file';
    } else if (m.tree && under(target, m.dest)) {
      const rel = target.slice(m.dest === '/' ? 1 : m.dest.length + 1);
      src = m.source === '.' ? rel : `${m.source}/${rel}`;
    } else continue;
    if (!ctx.known) {
      maybe = true;
      continue;
    }
    const p = joinPath(ctx.value, src);
    if (p === undefined) {
      maybe = true;
      continue;
    }
    const has = inContext(model, view, ctx.value, p, look);
    if (has === 'yes') return { kind: 'present' };
    absent.push({ m, path: p, ...(has === 'no' ? {} : has) });
  }
  for (const s of sv.chain)
    for (const i of s.instructions) {
      const copy = i.keyword === 'COPY' || i.keyword === 'ADD';
      const sources = i.words.slice(0, -1);
      const destWord = i.words[i.words.length - 1]?.value ?? '';
      const dest = (): string | undefined => {
        const wd = workdirAt(view, s, i);
        const d = resolveWord(view, s, i, destWord);
        if (!d.known) return undefined;
        if (d.value.startsWith('/')) return normalize('/', d.value);
        return wd.known ? normalize(wd.value, d.value) : undefined;
      };
      // A copy from a stage or image, or of sources crossdock cannot list (a variable, a glob, a heredoc): its
      // destination may hold anything (a bare program name: a source of that name).
      if (
        copy &&
        (i.flags.some((f) => f.name === 'from') ||
          sources.some((w) => w.value.includes('$') || /[*?[]/.test(w.value) || w.value.startsWith('<<')))
      ) {
        const d = dest();
        if (d === undefined || lands(kind, target, d) || under(target, d)) maybe = true;
        if (name && sources.some((w) => w.value === name || w.value.endsWith(`/${name}`))) maybe = true;
      }
      // An archive ADD unpacks files crossdock cannot list, under its destination.
      if (
        i.keyword === 'ADD' &&
        sources.some((w) => /\.(tar|tgz|tbz2?|txz)(\.(gz|bz2|xz|zst))?$/i.test(w.value))
      ) {
        const d = dest() ?? '/';
        if (lands(kind, target, d) || under(target, d))
          opaque ??= unknown('effects', '`ADD` of an archive unpacks files crossdock cannot list', {
            file: view.file,
            span: i.span,
          });
      }
      if (i.keyword !== 'RUN') continue;
      for (const c of commandsOf(i)) {
        if (c.unknownEffects) opaque ??= runOpaque;
        if (name && c.installer && c.installer !== 'pip' && c.argv.some((w) => w.value === name))
          maybe = true;
      }
      for (const { v, c } of createdBy(view, sv, i)) {
        if (!v.known) {
          opaque ??= runOpaque;
          continue;
        }
        // `mkdir` and `install -d` make empty folders: the path itself, nothing in it.
        const empty = c?.name === 'mkdir' || (c?.name === 'install' && c.argv.some((w) => w.value === '-d'));
        if (lands(kind, target, v.value) || (!empty && under(target, v.value))) maybe = true;
      }
    }
  if (maybe) return { kind: 'present' };
  if (opaque) return { kind: 'unknown', why: opaque };
  // A step before the build (`make build`) may write the file into the context.
  for (const a of absent) {
    const gen = generatedBefore(view.build, a.path);
    if (gen && !gen.known) return { kind: 'unknown', why: gen.unknown };
    if (gen) return { kind: 'present' };
  }
  const last = absent[absent.length - 1];
  return last
    ? {
        kind: 'absent',
        copy: last.m,
        expected: last.path,
        ...(last.ignoredBy ? { ignoredBy: last.ignoredBy } : {}),
      }
    : { kind: 'absent' };
}
