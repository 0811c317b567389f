import { type Dirent, promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { type ExecResult, exec } from '../exec.js';
import type { FileStatus, Inventory } from '../model/project.js';

/** Folders never walked in a plain (non-git) directory: they are never part of a build's source of truth. */
const PLAIN_SKIP = new Set(['.git', 'node_modules', '.venv', '__pycache__']);

function splitZ(text: string): string[] {
  return text.split('\0').filter((s) => s.length > 0);
}

const LISTED = ['ls-files', '-z', '-t', '-s', '-c', '-o', '-m', '--exclude-standard'];
const IGNORED = ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory'];

/**
 * Loads what a clean CI checkout of `root` would contain: tracked files and gitlinks from the git index, and
 * separately the files that exist only locally (untracked, ignored). Outside git: a plain walk honouring
 * .gitignore files, noted in `notes`.
 */
export async function loadInventory(root: string): Promise<Inventory> {
  // Two git processes, run at once; `ls-files` failing with "not a git repository" means a plain folder.
  // 1. The index (`-s`: mode and blob id, so gitlinks are told apart) and the untracked files, expanded, in one
  //    listing: `-t` tags each entry (`?` untracked, a letter for index entries), so the two kinds never mix up.
  //    `-m` adds the entries whose work-tree file differs from the index (modified or deleted, tagged `C`): the
  //    others keep their index blob id as the key of their content (the `check` cache).
  // 2. The ignored files and folders, a wholly ignored folder collapsed to `dir/`. This cannot join the first:
  //    `--ignored` filters the whole listing (index entries too), and `--directory` would also collapse untracked
  //    folders, while `git status --ignored` either collapses untracked folders or expands ignored ones
  //    (node_modules/ file by file) and does not list unchanged tracked files.
  // The origin remote is asked at the same time (a third, tiny process): it is only used when the listings work.
  const [listed, ignored, origin] = await Promise.all([
    exec(['git', '-c', 'core.quotepath=off', ...LISTED], { cwd: root }),
    exec(['git', ...IGNORED], { cwd: root }),
    exec(['git', 'config', '--get', 'remote.origin.url'], { cwd: root }),
  ]);
  if (listed.code === 0) {
    const inv = gitInventory(root, listed, ignored);
    // https://github.com/o/r(.git), git@github.com:o/r(.git), ssh://git@github.com/o/r: the host is github.com.
    const m = /(?:^|[/@])github\.com[:/]+([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(
      origin.stdout.trim(),
    );
    if (origin.code === 0 && m?.[1]) inv.github = m[1];
    return inv;
  }
  const notes = [
    listed.notFound
      ? 'git is not installed: files are read from disk as they are; install git to compare against a clean clone.'
      : /not a git repository/i.test(listed.stderr)
        ? 'not a git repository: every file on disk is taken as present; run crossdock inside a git work tree to see what a clean clone lacks.'
        : `git could not list the files (${listed.stderr.trim().split('\n')[0]}); every file on disk is taken as present.`,
  ];
  return plainInventory(root, notes);
}

/**
 * The entries of `ls-files -z -t -s -c -o -m`, in order: `? <path>` for an untracked file, else an index entry
 * `<tag> <mode> <object> <stage>\t<path>`. Parsed by offsets rather than a split and a regular expression: the
 * listing of a 20,000-file repository is 1.5 MB, and this runs on every `check`.
 */
function* listedEntries(
  text: string,
): Generator<
  | { untracked: true; path: string }
  | { untracked: false; tag: string; mode: string; sha: string; stage: string; path: string }
> {
  const n = text.length;
  let at = 0;
  while (at < n) {
    let end = text.indexOf('\0', at);
    if (end < 0) end = n;
    const start = at;
    at = end + 1;
    if (end === start) continue;
    if (text.startsWith('? ', start)) {
      yield { untracked: true, path: text.slice(start + 2, end) };
      continue;
    }
    // `<tag> <mode(6)> <object> <stage>\t`: the tab ends the head; a line of another shape is skipped.
    const tab = text.indexOf('\t', start);
    if (tab < 0 || tab > end || tab < start + 13 || text[start + 1] !== ' ' || text[start + 8] !== ' ')
      continue;
    if (text[tab - 2] !== ' ') continue;
    yield {
      untracked: false,
      tag: text[start] ?? '',
      mode: text.slice(start + 2, start + 8),
      sha: text.slice(start + 9, tab - 2),
      stage: text[tab - 1] ?? '',
      path: text.slice(tab + 1, end),
    };
  }
}

function gitInventory(root: string, listed: ExecResult, ignored: ExecResult): Inventory {
  const files = new Map<string, FileStatus>();
  const gitlinks = new Map<string, string>();
  const notes: string[] = [];
  const untracked: string[] = [];
  const blobs = new Map<string, string>();
  const changed = new Set<string>();
  for (const e of listedEntries(listed.stdout)) {
    if (e.untracked) {
      untracked.push(e.path);
      continue;
    }
    const { tag, mode, sha, stage, path } = e;
    if (tag === 'C') {
      changed.add(path);
      continue;
    }
    if (mode === '160000') gitlinks.set(path, sha);
    else files.set(path, 'tracked');
    // `H`: in the index, stage 0 (no conflict); regular files only (a symlink's blob is its target's name).
    if (tag === 'H' && stage === '0' && (mode === '100644' || mode === '100755') && sha) blobs.set(path, sha);
  }
  for (const path of changed) blobs.delete(path);
  for (const path of untracked) if (!files.has(path)) files.set(path, 'untracked');
  const ignoredDirs: string[] = [];
  for (const path of splitZ(ignored.stdout)) {
    if (path.endsWith('/')) ignoredDirs.push(path.slice(0, -1));
    else if (!files.has(path)) files.set(path, 'ignored');
  }
  return { root, git: true, files, gitlinks, ignoredDirs, notes, blobs };
}

async function plainInventory(root: string, notes: string[]): Promise<Inventory> {
  const files = new Map<string, FileStatus>();
  const ignoredDirs: string[] = [];
  const rules: { base: string; ig: Ignore }[] = [];
  const isIgnored = (rel: string, dir: boolean): boolean => {
    for (const { base, ig } of rules) {
      if (base !== '' && !rel.startsWith(`${base}/`)) continue;
      const sub = base === '' ? rel : rel.slice(base.length + 1);
      if (ig.ignores(dir ? `${sub}/` : sub)) return true;
    }
    return false;
  };
  const walk = async (dir: string): Promise<void> => {
    const relDir = relative(root, dir).split(sep).join('/');
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      notes.push(`cannot read folder ${relDir || '.'}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      return;
    }
    if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      try {
        const text = await fs.readFile(join(dir, '.gitignore'), 'utf8');
        rules.push({ base: relDir, ig: ignore().add(text) });
      } catch {
        notes.push(`cannot read ${relDir ? `${relDir}/` : ''}.gitignore`);
      }
    }
    const subdirs: Promise<void>[] = [];
    for (const e of entries) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (PLAIN_SKIP.has(e.name) || isIgnored(rel, true)) {
          ignoredDirs.push(rel);
          continue;
        }
        subdirs.push(walk(join(dir, e.name)));
      } else {
        // Symlinks (to files or folders) are listed, never followed: no loops, no escapes from the root.
        files.set(rel, isIgnored(rel, false) ? 'ignored' : 'plain');
      }
    }
    await Promise.all(subdirs);
  };
  await walk(root);
  return { root, git: false, files, gitlinks: new Map(), ignoredDirs, notes };
}
