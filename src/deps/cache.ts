import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * The on-disk cache of package index pages: one JSON file per page URL (credentials never part of the key or the
 * entry), written to a temporary name and renamed so a reader never sees half an entry. The index's own cache
 * headers decide freshness: `max-age` / `s-maxage` keep an entry fresh that long, `no-cache` always revalidates,
 * `no-store` is never written; without Cache-Control an entry with Last-Modified is fresh for a tenth of its age
 * (at most an hour, RFC 9111's heuristic); stale entries are revalidated with If-None-Match / If-Modified-Since.
 * The folder is private (0700, owned by the user running crossdock).
 */

export function indexCacheDir(env: Record<string, string | undefined>): string {
  if (env.CROSSDOCK_CACHE_DIR) return join(env.CROSSDOCK_CACHE_DIR, 'index');
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'crossdock', 'index');
}

export interface CacheEntry {
  url: string;
  /** The URL that answered, after redirects (relative file links resolve against it). */
  base?: string;
  contentType: string;
  /** The answer as it came (empty when `files` holds it already read). */
  body: string;
  /** A project page's files, as read from the answer (so a warm run parses nothing twice); checked on use. */
  files?: unknown[];
  etag?: string;
  lastModified?: string;
  /** Epoch ms when stored or last revalidated. */
  storedAt: number;
  /** Freshness lifetime in ms from storedAt (0: revalidate every time). */
  freshForMs: number;
}

function isEntry(v: unknown): v is CacheEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.url === 'string' &&
    typeof e.contentType === 'string' &&
    typeof e.body === 'string' &&
    typeof e.storedAt === 'number' &&
    typeof e.freshForMs === 'number' &&
    (e.files === undefined || Array.isArray(e.files)) &&
    (e.base === undefined || typeof e.base === 'string') &&
    (e.etag === undefined || typeof e.etag === 'string') &&
    (e.lastModified === undefined || typeof e.lastModified === 'string')
  );
}

/** Freshness lifetime from an answer's headers; undefined: do not store. */
export function freshness(
  headers: Record<string, string | string[] | undefined>,
  now: number,
): number | undefined {
  const cc = String(headers['cache-control'] ?? '').toLowerCase();
  const directives = new Map<string, string>();
  for (const part of cc.split(',')) {
    const [k, v] = part.trim().split('=');
    if (k) directives.set(k, (v ?? '').replace(/"/g, ''));
  }
  if (directives.has('no-store')) return undefined;
  if (directives.has('no-cache')) return 0;
  const age = Number(headers.age ?? 0) || 0;
  for (const key of ['s-maxage', 'max-age']) {
    const v = directives.get(key);
    if (v !== undefined && /^\d+$/.test(v)) return Math.max(0, Number(v) - age) * 1000;
  }
  const lm = headers['last-modified'];
  const modified = typeof lm === 'string' ? Date.parse(lm) : Number.NaN;
  if (Number.isFinite(modified) && !cc) return Math.min(3_600_000, Math.max(0, (now - modified) / 10));
  return 0;
}

export class IndexCache {
  private ready: Promise<void> | undefined;
  constructor(readonly dir: string) {}

  private file(url: string): string {
    return join(this.dir, `${createHash('sha256').update(url).digest('hex').slice(0, 40)}.json`);
  }

  async read(url: string): Promise<CacheEntry | undefined> {
    let text: string;
    try {
      // Synchronous on purpose: a warm run reads a hundred small files, and the thread pool's round trip per
      // file costs more than the read.
      text = readFileSync(this.file(url), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const v: unknown = JSON.parse(text);
      return isEntry(v) && v.url === url ? v : undefined;
    } catch {
      return undefined;
    }
  }

  async write(entry: CacheEntry): Promise<void> {
    this.ready ??= privateDir(this.dir);
    await this.ready;
    const file = this.file(entry.url);
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.writeFile(tmp, JSON.stringify(entry), { mode: 0o600 });
      await fs.rename(tmp, file);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }
}

/** Creates the folder as 0700, or makes an existing one 0700; refuses one owned by someone else. */
async function privateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await fs.stat(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new ConfigError(`the package index cache ${dir} belongs to another user (uid ${st.uid})`, {
      hint: 'crossdock keeps its cache private; point CROSSDOCK_CACHE_DIR or XDG_CACHE_HOME at a folder of your own',
    });
  if ((st.mode & 0o777) !== 0o700) await fs.chmod(dir, 0o700);
}
