import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { ConfigError } from '../errors.js';
import type { Inventory } from '../model/repo.js';
import { SourceFile } from '../model/source.js';
import { packagePath } from '../paths.js';
import { VERSION } from '../version.js';

/**
 * The `check` cache: what loading a file produced (its text, its family's facts, its Python imports), kept between
 * runs under the git blob id of the file's content, so a run after a small change re-reads and re-parses only the
 * files that changed.
 *
 * - Folder: `$CROSSDOCK_CACHE_DIR/check`, else `$XDG_CACHE_HOME/crossdock/check`, else `~/.cache/crossdock/check`;
 *   private (0700) and refused when it belongs to another user, as the layer cache is.
 * - One pack file per repository root, crossdock build and configuration (`<scope>.pack`): entries keyed by path
 *   and blob id. A pack holds only the entries its last run used, so it follows the repository and stays small;
 *   the folder is bounded in total size, the least recently used packs deleted first.
 * - Written whole to a temporary file and renamed into place: concurrent runs each leave a complete pack (the
 *   last rename wins). A pack is checked against the SHA-256 stored in its header; a damaged, truncated or
 *   foreign file is ignored and replaced. Deleting the folder loses nothing but time.
 */

const MAGIC = Buffer.from('CDCHK001');
/** The folder's size bound (all packs together). */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export function checkCacheDir(env: Record<string, string | undefined>): string {
  if (env.CROSSDOCK_CACHE_DIR) return join(env.CROSSDOCK_CACHE_DIR, 'check');
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'crossdock', 'check');
}

/** True when the environment turns the cache off (`CROSSDOCK_NO_CACHE=1`, as `--no-cache` does). */
export function cacheDisabledByEnv(env: Record<string, string | undefined>): boolean {
  const v = env.CROSSDOCK_NO_CACHE;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** The git blob id of a text as read (UTF-8): `sha1("blob <bytes>\0" + bytes)`, or SHA-256 in SHA-256 repositories. */
export function gitBlobId(text: string, algorithm: 'sha1' | 'sha256' = 'sha1'): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash(algorithm).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * What a build of crossdock parses and checks with, so a changed parser or rule never reads a pack an older build
 * wrote: the version; for the bundle (whose file names carry content hashes) the names of its files; run from
 * src/ or dist/, the path, size and modification time of every file there; and the same of data/ (tables rules
 * read). Computed once per process.
 */
function buildFingerprint(): string {
  if (fingerprint === undefined) {
    const root = packagePath('');
    let top = dirname(fileURLToPath(import.meta.url));
    while (dirname(top) !== top && resolve(dirname(top)) !== resolve(root)) top = dirname(top);
    const parts = [VERSION];
    const tree = (dir: string, names: boolean) => {
      let entries: string[];
      try {
        entries = (readdirSync(dir, { recursive: true }) as string[]).sort();
      } catch {
        return;
      }
      for (const name of entries) {
        if (names) {
          parts.push(name);
          continue;
        }
        const st = statSync(join(dir, name), { throwIfNoEntry: false });
        if (st?.isFile()) parts.push(`${name}\0${st.size}\0${st.mtimeMs}`);
      }
    };
    tree(top, basename(top) === 'bundle');
    parts.push('\0data');
    tree(join(root, 'data'), false);
    fingerprint = createHash('sha256').update(parts.join('\n')).digest('hex');
  }
  return fingerprint;
}

let fingerprint: string | undefined;

/** A text read from the repository, as cached. */
export interface CachedText {
  text: string;
  note: string | undefined;
  /** Bytes on disk when read (a work tree whose content git converts, e.g. CRLF, differs from the blob). */
  size: number;
  /** The git blob id of the text itself: the key of what was made from it (facts are keyed by content read). */
  id: string;
}

/** A family's facts for one file, as cached, with what else their load looked at. */
export interface CachedFacts {
  /** Other files the load read, with the blob id each had ('' when it could not be read). */
  deps: [string, string][];
  /** The inventory digest when the load looked at the inventory (which paths exist), else undefined. */
  inventory: string | undefined;
  /** The facts, encoded (see encode). */
  value: unknown;
  /** The run's files the facts refer to (read before they are decoded). */
  files: string[];
}

export class CheckCache {
  private readonly fresh = new Map<string, Buffer>();
  private readonly used = new Set<string>();
  private changed = false;
  /** Entries read from and written to the cache in this run (tests and `--verbose` timing). */
  readonly stats = { hits: 0, misses: 0, written: 0 };

  private constructor(
    readonly dir: string,
    readonly file: string,
    private readonly stored: Map<string, Buffer>,
    private readonly maxBytes: number,
  ) {}

  /**
   * Opens the pack for a repository root and the options that change what loading produces. The folder is made
   * private; a folder owned by another user is refused with a ConfigError.
   */
  static async open(
    dir: string,
    scope: { root: string; options: string },
    maxBytes = DEFAULT_MAX_BYTES,
  ): Promise<CheckCache> {
    await privateDir(dir);
    const id = createHash('sha256')
      .update(`${buildFingerprint()}\0${scope.root}\0${scope.options}`)
      .digest('hex')
      .slice(0, 32);
    const file = join(dir, `${id}.pack`);
    return new CheckCache(dir, file, await readPack(file), maxBytes);
  }

  private get<T>(key: string): T | undefined {
    const raw = this.fresh.get(key) ?? this.stored.get(key);
    if (!raw) {
      this.stats.misses++;
      return undefined;
    }
    try {
      const v = deserialize(raw) as T;
      this.used.add(key);
      this.stats.hits++;
      return v;
    } catch {
      this.stats.misses++;
      return undefined;
    }
  }

  private put(key: string, value: unknown): void {
    let raw: Buffer;
    try {
      raw = serialize(value);
    } catch {
      return;
    }
    this.fresh.set(key, raw);
    this.used.add(key);
    this.changed = true;
    this.stats.written++;
  }

  text(path: string, blob: string): CachedText | undefined {
    return this.get<CachedText>(`t\0${path}\0${blob}`);
  }

  putText(path: string, blob: string, value: CachedText): void {
    this.put(`t\0${path}\0${blob}`, value);
  }

  facts(kind: string, path: string, blob: string): CachedFacts | undefined {
    return this.get<CachedFacts>(`f\0${kind}\0${path}\0${blob}`);
  }

  putFacts(kind: string, path: string, blob: string, value: CachedFacts): void {
    this.put(`f\0${kind}\0${path}\0${blob}`, value);
  }

  run<T>(key: string): T | undefined {
    return this.get<T>(`r\0${key}`);
  }

  putRun(key: string, value: unknown): void {
    this.put(`r\0${key}`, value);
  }

  /** Keeps every stored entry (a run served whole from the cache used none of the per-file ones). */
  keepAll(): void {
    for (const key of this.stored.keys()) this.used.add(key);
  }

  /**
   * Writes the pack when this run added entries or left some unused (then they are dropped), temp file then
   * rename, and keeps the folder under its size bound. Failing to write only costs the next run time.
   */
  async save(): Promise<void> {
    for (const key of this.stored.keys()) if (!this.used.has(key)) this.changed = true;
    if (!this.changed) {
      // Its last use: eviction deletes the least recently used packs first.
      const now = new Date();
      await fs.utimes(this.file, now, now).catch(() => {});
      return;
    }
    const entries = new Map<string, Buffer>();
    for (const key of [...this.used].sort()) {
      const raw = this.fresh.get(key) ?? this.stored.get(key);
      if (raw) entries.set(key, raw);
    }
    const body = serialize(entries);
    const digest = createHash('sha256').update(body).digest();
    const tmp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.writeFile(tmp, Buffer.concat([MAGIC, digest, body]), { mode: 0o600 });
      await fs.rename(tmp, this.file);
    } catch {
      await fs.rm(tmp, { force: true }).catch(() => {});
      return;
    }
    await evict(this.dir, this.maxBytes, this.file);
  }
}

/** Creates the folder as 0700, or makes an existing one 0700; refuses one owned by someone else. */
async function privateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await fs.stat(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new ConfigError(`the check cache ${dir} belongs to another user (uid ${st.uid})`, {
      hint: 'crossdock keeps its cache private; point CROSSDOCK_CACHE_DIR or XDG_CACHE_HOME at a folder of your own, or pass --no-cache',
    });
  if ((st.mode & 0o777) !== 0o700) await fs.chmod(dir, 0o700);
}

/** A pack's entries; an absent, damaged, truncated or foreign file reads as empty. */
async function readPack(file: string): Promise<Map<string, Buffer>> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch {
    return new Map();
  }
  const head = MAGIC.length + 32;
  if (buf.length < head || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return new Map();
  const body = buf.subarray(head);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(MAGIC.length, head))) return new Map();
  try {
    const v: unknown = deserialize(body);
    if (!(v instanceof Map)) return new Map();
    const out = new Map<string, Buffer>();
    for (const [k, raw] of v)
      if (typeof k === 'string' && raw instanceof Uint8Array)
        out.set(k, Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
    return out;
  } catch {
    return new Map();
  }
}

/** Deletes the least recently used packs (and stale temporary files) until the folder fits in `maxBytes`. */
async function evict(dir: string, maxBytes: number, keep: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  const now = Date.now();
  const files: { path: string; size: number; mtime: number }[] = [];
  for (const name of names) {
    if (!name.endsWith('.pack') && !name.endsWith('.tmp')) continue;
    const path = join(dir, name);
    const st = await fs.stat(path).catch(() => undefined);
    if (!st?.isFile()) continue;
    // A temporary file an interrupted run left behind (a live one is renamed within seconds).
    if (name.endsWith('.tmp')) {
      if (now - st.mtimeMs > 10 * 60_000) await fs.rm(path, { force: true }).catch(() => {});
      continue;
    }
    files.push({ path, size: st.size, mtime: st.mtimeMs });
  }
  let total = files.reduce((n, f) => n + f.size, 0);
  for (const f of files.sort((a, b) => a.mtime - b.mtime)) {
    if (total <= maxBytes) break;
    if (f.path === keep) continue;
    await fs.rm(f.path, { force: true }).catch(() => {});
    total -= f.size;
  }
}

const digests = new WeakMap<Inventory, string>();

/** A digest of the inventory's shape: which paths exist with which status (not their content). */
export function inventoryDigest(inventory: Inventory): string {
  let d = digests.get(inventory);
  if (d === undefined) {
    const parts: string[] = [`${inventory.git}\0${inventory.github ?? ''}\0`];
    for (const [path, status] of inventory.files) parts.push(`${path}\0${status}\n`);
    for (const [path, commit] of inventory.gitlinks) parts.push(`${path}\0${commit}\n`);
    for (const dir of inventory.ignoredDirs) parts.push(`${dir}\n`);
    d = createHash('sha256').update(parts.join('')).digest('hex');
    digests.set(inventory, d);
  }
  return d;
}

/** Thrown when a value holds something the cache cannot restore exactly (a class instance, a function). */
class NotCacheable extends Error {}

const FILE = '\0crossdock:file';

/**
 * Encodes facts for the cache: a copy in which every SourceFile is replaced by a reference to its path (the file
 * is restored from the run's own read of that path, so facts and model share one SourceFile per path as they do
 * after a fresh load). Maps, Sets, arrays and plain objects are copied with shared references and cycles kept
 * (v8's serializer keeps them); anything else with a prototype of its own, or a function, makes the value not
 * cacheable (undefined).
 */
export function encode(
  value: unknown,
  files: ReadonlyMap<string, SourceFile>,
): { value: unknown; files: string[] } | undefined {
  const seen = new Map<object, unknown>();
  const refs = new Set<string>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'function' || typeof v === 'symbol') throw new NotCacheable();
    if (typeof v !== 'object' || v === null) return v;
    const done = seen.get(v);
    if (done !== undefined) return done;
    if (v instanceof SourceFile) {
      // A file the run did not read (made by a loader): carried with its text.
      const own = files.get(v.path) === v;
      const ref = own ? { [FILE]: v.path } : { [FILE]: v.path, text: v.text };
      if (own) refs.add(v.path);
      seen.set(v, ref);
      return ref;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      seen.set(v, out);
      for (let i = 0; i < v.length; i++) if (i in v) out[i] = walk(v[i]);
      return out;
    }
    if (v instanceof Map) {
      const out = new Map();
      seen.set(v, out);
      for (const [k, x] of v) out.set(walk(k), walk(x));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set();
      seen.set(v, out);
      for (const x of v) out.add(walk(x));
      return out;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new NotCacheable();
    if (Object.getOwnPropertySymbols(v).length) throw new NotCacheable();
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    for (const k of Object.keys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, k);
      if (!d || d.get || d.set) throw new NotCacheable();
      out[k] = walk(d.value);
    }
    return out;
  };
  try {
    return { value: walk(value), files: [...refs] };
  } catch (e) {
    if (e instanceof NotCacheable) return undefined;
    throw e;
  }
}

/** Decodes what encode made (in place), each file reference replaced by the run's SourceFile for that path. */
export function decode(encoded: unknown, files: ReadonlyMap<string, SourceFile>): unknown {
  const made = new Map<object, unknown>();
  const seen = new Set<object>();
  const fix = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const m = made.get(v);
    if (m !== undefined) return m;
    const r = v as Record<string, unknown>;
    if (!Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set) && typeof r[FILE] === 'string') {
      const path = r[FILE];
      const file = typeof r.text === 'string' ? new SourceFile(path, r.text) : files.get(path);
      if (!file) throw new Error(`the cache entry refers to ${path}, which this run did not read`);
      made.set(v, file);
      return file;
    }
    if (seen.has(v)) return v;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (i in v) v[i] = fix(v[i]);
    } else if (v instanceof Map) {
      const entries = [...v];
      v.clear();
      for (const [k, x] of entries) v.set(fix(k), fix(x));
    } else if (v instanceof Set) {
      const items = [...v];
      v.clear();
      for (const x of items) v.add(fix(x));
    } else for (const k of Object.keys(r)) r[k] = fix(r[k]);
    return v;
  };
  return fix(encoded);
}
