import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A temporary git repository built from an object literal: `files` are written and committed; `untracked` are
 * written but not added; `ignored` are written and listed in .gitignore; `gitlinks` are index entries of mode
 * 160000 (submodules) with no content; `symlinks` map link path → target.
 */
export interface RepoSpec {
  files?: Record<string, string | Buffer>;
  untracked?: Record<string, string>;
  ignored?: Record<string, string>;
  gitlinks?: Record<string, string>;
  symlinks?: Record<string, string>;
  /** Make a plain folder, not a git repository. */
  noGit?: boolean;
}

export interface TempRepo {
  root: string;
  cleanup(): void;
}

function git(root: string, ...args: string[]): void {
  const r = spawnSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
}

function write(root: string, path: string, content: string | Buffer): void {
  const abs = join(root, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
}

export function makeRepo(spec: RepoSpec): TempRepo {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-repo-'));
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  try {
    const ignored = Object.keys(spec.ignored ?? {});
    const files: Record<string, string | Buffer> = { ...spec.files };
    if (ignored.length) files['.gitignore'] = `${String(files['.gitignore'] ?? '')}\n${ignored.join('\n')}\n`;
    for (const [p, c] of Object.entries(files)) write(root, p, c);
    for (const [link, target] of Object.entries(spec.symlinks ?? {})) {
      mkdirSync(dirname(join(root, link)), { recursive: true });
      symlinkSync(target, join(root, link));
    }
    if (!spec.noGit) {
      git(root, 'init', '-q', '-b', 'main');
      git(root, 'add', '-A');
      for (const [path, sha] of Object.entries(spec.gitlinks ?? {})) {
        git(root, 'update-index', '--add', '--cacheinfo', `160000,${sha},${path}`);
      }
      git(root, 'commit', '-q', '--allow-empty', '-m', 'fixture');
    }
    for (const [p, c] of Object.entries(spec.untracked ?? {})) write(root, p, c);
    for (const [p, c] of Object.entries(spec.ignored ?? {})) write(root, p, c);
  } catch (e) {
    cleanup();
    throw e;
  }
  return { root, cleanup };
}
