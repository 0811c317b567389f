/**
 * The repository as a clean CI checkout sees it, behind one seam (`RepoFs`): the inventory of paths with their git
 * status, and contained reads of their content. Path helpers for repository-relative paths live here too, so
 * loaders and rules share one notion of a path.
 */

import { trimTrailingSlashes } from './text.js';

/**
 * How a file stands with respect to a clean CI checkout.
 * - `tracked`: in the git index, so a clean clone has it.
 * - `untracked`: on disk, not in the index, not ignored: a clean clone lacks it (someone forgot `git add`).
 * - `ignored`: on disk and ignored by git: a clean clone lacks it.
 * - `plain`: the root is not a git repository; every file found is taken as present.
 */
export type FileStatus = 'tracked' | 'untracked' | 'ignored' | 'plain';

export interface Inventory {
  /** Absolute path of the project root (`memory:` for an in-memory repository). */
  root: string;
  /** True when the root is (inside) a git work tree. */
  git: boolean;
  /** Every known file, relative path → status. Directories are not listed. Gitlinks are not files. */
  files: Map<string, FileStatus>;
  /** Gitlinks (mode 160000 entries in the index): path → commit. */
  gitlinks: Map<string, string>;
  /** Directories git ignores as a whole (listed once, not walked), relative, without trailing slash. */
  ignoredDirs: string[];
  /** Notes about the load (not a git repository, unreadable folder, ...). */
  notes: string[];
  /** `owner/name` when the `origin` remote is a GitHub repository (what `${{ github.repository }}` is there). */
  github?: string;
  /**
   * Blob ids (hex) of tracked regular files whose work-tree content git found unchanged from the index (not
   * modified, deleted, conflicted or skip-worktree): the content key of the `check` cache. Absent outside git.
   */
  blobs?: Map<string, string>;
}

export type ReadResult =
  /** Read; `note` is set when something about it is worth saying (invalid UTF-8 replaced). */
  | { ok: true; text: string; note?: string }
  /** Not read; `note` says why (outside symlink, special file, too large, binary, budget spent). */
  | { ok: false; note: string };

/** Every read of repository content goes through this. Implementations never read outside the root. */
export interface RepoFs {
  readonly root: string;
  inventory(): Promise<Inventory>;
  /** Reads a repository-relative path as UTF-8 text (invalid bytes become U+FFFD, with a note). */
  read(path: string): Promise<ReadResult>;
  /**
   * The size in bytes of a regular file at `path` reached without symlinks, else undefined; nothing is read (the
   * `check` cache compares it with the size of a cached text). Optional: without it, every file is read.
   */
  size?(path: string): Promise<number | undefined>;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

/** Joins repository-relative paths, normalising `.` and `..`; undefined when it escapes the root. */
export function joinPath(base: string, rel: string): string | undefined {
  const parts = base === '.' || base === '' ? [] : base.split('/');
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.length ? parts.join('/') : '.';
}

/** `dir` and every folder above it up to the root, innermost first (`a/b` → `a/b`, `a`, `.`). */
export function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    out.push(d);
    if (d === '.') return out;
  }
}

/** True when `path` is `dir` or below it (`.` contains everything). */
export function within(dir: string, path: string): boolean {
  return dir === '.' || path === dir || path.startsWith(`${dir}/`);
}

/** The inventory's paths sorted (for prefix ranges) and each path's place in the inventory's own order. */
const pathIndexes = new WeakMap<
  Map<string, FileStatus>,
  { size: number; sorted: string[]; order: Map<string, number> }
>();

function pathIndex(files: Map<string, FileStatus>): { sorted: string[]; order: Map<string, number> } {
  let index = pathIndexes.get(files);
  if (!index || index.size !== files.size) {
    const order = new Map<string, number>();
    for (const path of files.keys()) order.set(path, order.size);
    index = { size: files.size, sorted: [...files.keys()].sort(), order };
    pathIndexes.set(files, index);
  }
  return index;
}

/** The first index of `sorted` whose string is not below `key`. */
function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The inventory's paths `within(dir, path)`, in the inventory's own order: what filtering `files.keys()` with
 * `within` gives, found by binary search in a sorted index built once per inventory (contexts are asked for per
 * image, and a large repository has tens of thousands of paths).
 */
export function pathsWithin(inventory: Inventory, dir: string): string[] {
  if (dir === '.') return [...inventory.files.keys()];
  const { sorted, order } = pathIndex(inventory.files);
  const out: string[] = [];
  if (inventory.files.has(dir)) out.push(dir);
  // Every path starting with `dir/` lies between `dir/` and `dir0` ('0' follows '/').
  const end = lowerBound(sorted, `${dir}0`);
  for (let i = lowerBound(sorted, `${dir}/`); i < end; i++) out.push(sorted[i] as string);
  return out.sort((a, b) => (order.get(a) as number) - (order.get(b) as number));
}

/** `path` relative to `dir` (which must contain it). */
export function relativeTo(dir: string, path: string): string {
  if (dir === '.') return path;
  return path === dir ? '.' : path.slice(dir.length + 1);
}

/** The fixed leading part of a glob (`src/*.py` → `src`), or the path itself. */
export function globPrefix(path: string): { prefix: string; glob: boolean } {
  const i = path.search(/[*?[]/);
  if (i < 0) return { prefix: path, glob: false };
  const cut = path.lastIndexOf('/', i);
  return { prefix: cut < 0 ? '.' : path.slice(0, cut), glob: true };
}

/** A glob of Dockerfile COPY sources / shell words as a regular expression over whole paths. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (const c of glob) {
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += /[\\^$.|+(){}[\]]/.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${re}$`);
}

const RANK: Record<FileStatus, number> = { tracked: 3, plain: 3, untracked: 2, ignored: 1 };
const dirIndex = new WeakMap<Inventory, Map<string, FileStatus>>();

/** Best status of any file below each directory (tracked wins), built once per inventory. */
function directories(inventory: Inventory): Map<string, FileStatus> {
  let index = dirIndex.get(inventory);
  if (index) return index;
  const built = new Map<string, FileStatus>();
  const add = (path: string, status: FileStatus) => {
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const dir = path.slice(0, i);
      const prev = built.get(dir);
      if (prev && RANK[prev] >= RANK[status]) break;
      built.set(dir, status);
    }
  };
  for (const [file, status] of inventory.files) add(file, status);
  for (const link of inventory.gitlinks.keys()) add(`${link}/x`, 'tracked');
  index = built;
  dirIndex.set(inventory, index);
  return index;
}

/**
 * Status of a path as a clean clone would see it: a file's own status; for a directory, the best status of any
 * file below it (tracked wins); `absent` when nothing is there at all.
 */
export function pathStatus(inventory: Inventory, path: string): FileStatus | 'absent' {
  const p = trimTrailingSlashes(path.replace(/^\.\/+/, ''));
  if (p === '' || p === '.') return inventory.git ? 'tracked' : 'plain';
  const own = inventory.files.get(p);
  if (own) return own;
  if (inventory.gitlinks.has(p)) return 'tracked';
  const dir = directories(inventory).get(p);
  if (dir) return dir;
  for (const d of inventory.ignoredDirs) if (p === d || p.startsWith(`${d}/`)) return 'ignored';
  return 'absent';
}

/** A clean clone has it: tracked (or any file outside git). */
export function present(inventory: Inventory, path: string): boolean {
  const s = pathStatus(inventory, path);
  return s === 'tracked' || s === 'plain';
}

/** Folders that are never a project's own sources: installed packages, build metadata, vendored trees. */
export function isNotProjectPath(path: string): boolean {
  return /(^|\/)(node_modules|site-packages|dist-packages|\.venv|venv|__pycache__|\.tox|\.git|vendor|third_party|third-party|bower_components)(\/|$)|\.egg-info(\/|$)/.test(
    path,
  );
}
