import type { FileStatus, Inventory, ReadResult, RepoFs } from '../model/repo.js';
import { dirname, joinPath } from '../model/repo.js';
import { decodeText, isRepoPath } from './repo-fs.js';

/**
 * A repository held in memory, described by an object literal: what a clean checkout has (`files`), what is only
 * on this machine (`untracked`, `ignored`), gitlinks, and symlinks. Loader and rule tests use it instead of
 * spawning git; it follows the same containment rules as the disk implementation.
 */
export interface MemoryRepoSpec {
  /** Committed files: path → content. */
  files?: Record<string, string | Buffer>;
  /** On disk, never `git add`ed. */
  untracked?: Record<string, string>;
  /** On disk and ignored by git. */
  ignored?: Record<string, string>;
  /** Gitlinks (submodules): path → commit. */
  gitlinks?: Record<string, string>;
  /** Committed symlinks: link path → target as written (relative to the link's folder, or absolute). */
  symlinks?: Record<string, string>;
  /** Not a git repository: every file is `plain`. */
  noGit?: boolean;
  /** The GitHub repository of the `origin` remote (`owner/name`). */
  github?: string;
}

export class MemoryRepoFs implements RepoFs {
  readonly root = 'memory:';
  private readonly content = new Map<string, string | Buffer>();
  private readonly links = new Map<string, string>();
  private readonly statuses = new Map<string, FileStatus>();

  constructor(private readonly spec: MemoryRepoSpec) {
    const git = !spec.noGit;
    const put = (files: Record<string, string | Buffer> | undefined, status: FileStatus) => {
      for (const [p, c] of Object.entries(files ?? {})) {
        this.content.set(p, c);
        this.statuses.set(p, git ? status : 'plain');
      }
    };
    put(spec.files, 'tracked');
    put(spec.untracked, 'untracked');
    put(spec.ignored, 'ignored');
    for (const [link, target] of Object.entries(spec.symlinks ?? {})) {
      this.links.set(link, target);
      this.statuses.set(link, git ? 'tracked' : 'plain');
    }
  }

  async inventory(): Promise<Inventory> {
    const git = !this.spec.noGit;
    return {
      root: this.root,
      git,
      files: new Map([...this.statuses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      gitlinks: new Map(git ? Object.entries(this.spec.gitlinks ?? {}) : []),
      ignoredDirs: [],
      ...(git && this.spec.github ? { github: this.spec.github } : {}),
      notes: git
        ? []
        : [
            'not a git repository: every file on disk is taken as present; run crossdock inside a git work tree to see what a clean clone lacks.',
          ],
    };
  }

  async read(path: string): Promise<ReadResult> {
    if (!isRepoPath(path)) return { ok: false, note: `${path}: not a path inside the repository, not read` };
    let p = path;
    for (let hops = 0; this.links.has(p); hops++) {
      if (hops > 32) return { ok: false, note: `${path}: symlink loop, not read` };
      const target = this.links.get(p) ?? '';
      const next = target.startsWith('/') ? undefined : joinPath(dirname(p), target);
      if (next === undefined)
        return { ok: false, note: `${path}: symlink to outside the repository, not read` };
      p = next;
    }
    const c = this.content.get(p);
    if (c === undefined)
      return {
        ok: false,
        note:
          p === path
            ? `${path}: tracked by git but missing from the work tree, skipped`
            : `${path}: symlink to a path that does not exist, not read`,
      };
    return decodeText(path, typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
  }
}
