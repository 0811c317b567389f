import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { serialize } from 'node:v8';
import type { Platform } from '../model/platform.js';
import type { CrossdockConfig } from '../model/project.js';
import type { Inventory, ReadResult, RepoFs } from '../model/repo.js';
import { SourceFile } from '../model/source.js';
import { CheckCache, gitBlobId } from './check-cache.js';
import { loadRepoConfig } from './config.js';
import { DiskRepoFs } from './repo-fs.js';

/*
 * The start of a load, kept apart from the loaders: `check` with the cache opens a session to see whether a whole
 * earlier result still holds, and when it does, nothing else (no parser, no rule) is loaded.
 */

export interface LoadOptions {
  /** Project directory (absolute or relative to cwd). */
  root: string;
  cwd?: string;
  configPath?: string;
  platforms?: Platform[];
  /** Reads the repository through this instead of the disk (tests, library users). */
  repo?: RepoFs;
  /**
   * The `check` cache (see check-cache.ts): its folder, and optionally its size bound in bytes. Without it
   * (the library's default), every file is read and parsed.
   */
  cache?: { dir: string; maxBytes?: number };
  /** A session already opened with openLoad (its inventory, config, reader and cache are used). */
  session?: LoadSession;
}

/** One file read by a load: its text's blob id (undefined when it could not be read), index blob and size. */
export interface ReadRecord {
  id: string | undefined;
  blob: string | undefined;
  size: number | undefined;
}

/**
 * The start of a load: the repository, its inventory and configuration, the cache, and the contained, cached
 * reader every later read goes through (each path read once per run). `check` with the cache opens one to see
 * whether a whole earlier result still holds before loading the project.
 */
export interface LoadSession {
  repo: RepoFs;
  inventory: Inventory;
  config: CrossdockConfig;
  cache: CheckCache | undefined;
  notes: string[];
  sources: Map<string, SourceFile>;
  /** The blob id of each text this run read (with the cache). */
  textIds: Map<string, string>;
  /** Every path this run asked for, with what it found (with the cache). */
  reads: Map<string, ReadRecord>;
  read(path: string): Promise<SourceFile | undefined>;
  /** The blob id of a text, as textIds holds them. */
  idOf(text: string): string;
}

export async function openLoad(options: LoadOptions): Promise<LoadSession> {
  const shown = options.root;
  const repo =
    options.repo ?? (await DiskRepoFs.open(resolve(options.cwd ?? process.cwd(), options.root), shown));
  const [inventory, config] = await Promise.all([
    repo.inventory(),
    loadRepoConfig(repo, options.configPath, options.cwd),
  ]);
  const notes = [...inventory.notes];
  const sources = new Map<string, SourceFile>();
  const pending = new Map<string, Promise<SourceFile | undefined>>();
  const scope = options.cache ? configDigest(config) : undefined;
  const cache =
    options.cache && scope
      ? await CheckCache.open(options.cache.dir, { root: repo.root, options: scope }, options.cache.maxBytes)
      : undefined;
  const textIds = new Map<string, string>();
  const reads = new Map<string, ReadRecord>();
  const algorithm = inventory.blobs?.values().next().value?.length === 64 ? 'sha256' : 'sha1';
  /**
   * A file's text: from the cache when the index says the work-tree file still has the content it had when it
   * was cached (its blob id, and its size on disk as a check against content git converts), else from the disk.
   */
  const readText = async (path: string): Promise<ReadResult> => {
    if (!cache) return repo.read(path);
    const blob = inventory.blobs?.get(path);
    const size = blob && repo.size ? await repo.size(path) : undefined;
    if (blob && size !== undefined) {
      const hit = cache.text(path, blob);
      if (hit && hit.size === size) {
        textIds.set(path, hit.id);
        reads.set(path, { id: hit.id, blob, size });
        return { ok: true, text: hit.text, ...(hit.note !== undefined ? { note: hit.note } : {}) };
      }
    }
    const r = await repo.read(path);
    if (r.ok) {
      const id = gitBlobId(r.text, algorithm);
      textIds.set(path, id);
      if (blob && size !== undefined) cache.putText(path, blob, { text: r.text, note: r.note, size, id });
      reads.set(path, { id, blob, size });
    } else reads.set(path, { id: undefined, blob, size });
    return r;
  };
  const read = (path: string): Promise<SourceFile | undefined> => {
    const cached = sources.get(path);
    if (cached) return Promise.resolve(cached);
    let p = pending.get(path);
    if (!p) {
      p = readText(path).then((r) => {
        if (!r.ok) {
          if (r.note) notes.push(r.note);
          return undefined;
        }
        if (r.note) notes.push(r.note);
        const f = new SourceFile(path, r.text);
        sources.set(path, f);
        return f;
      });
      pending.set(path, p);
    }
    return p;
  };
  if (config.path && !config.path.startsWith('/') && !config.path.startsWith('..')) await read(config.path);
  return {
    repo,
    inventory,
    config,
    cache,
    notes,
    sources,
    textIds,
    reads,
    read,
    idOf: (text) => gitBlobId(text, algorithm),
  };
}

/** The configuration as a digest (part of the cache's scope); undefined when it cannot be serialized. */
function configDigest(config: unknown): string | undefined {
  try {
    return createHash('sha256').update(serialize(config)).digest('hex');
  } catch {
    return undefined;
  }
}
