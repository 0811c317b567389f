import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { ConfigError, CrossdockError } from '../errors.js';
import { type BlobSource, openSource } from './archive.js';
import type { CacheSettings } from './config.js';

/**
 * crossdock's cache of compressed layers: `docker save` writes layers uncompressed; each is gzipped once and kept
 * under its uncompressed digest (diff id), so a rebuild that changed one layer compresses and uploads only that
 * layer. The folder is private (0700, owned by the user running crossdock); every hit is hashed again against
 * the digest stored with it; the cache is pruned by age and total size after each build and by
 * `crossdock cache prune`.
 *
 * An entry is `<diffid hex>.tar.gz` plus `<diffid hex>.json` ({ diffId, digest, size }); its mtime is its last
 * use.
 */
export function layerCacheDir(env: Record<string, string | undefined>): string {
  if (env.CROSSDOCK_CACHE_DIR) return join(env.CROSSDOCK_CACHE_DIR, 'layers');
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'crossdock', 'layers');
}

export interface CachedLayer {
  digest: string;
  size: number;
  file: string;
}

/** Creates the folder as 0700, or makes an existing one 0700; refuses one owned by someone else. */
export async function privateCacheDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await fs.stat(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new ConfigError(`the layer cache ${dir} belongs to another user (uid ${st.uid})`, {
      hint: 'crossdock keeps its cache private; point CROSSDOCK_CACHE_DIR or XDG_CACHE_HOME at a folder of your own',
    });
  if ((st.mode & 0o777) !== 0o700) await fs.chmod(dir, 0o700);
}

async function fileDigest(file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

function entryMeta(text: string): { diffId: string; digest: string; size: number } | undefined {
  try {
    const m: unknown = JSON.parse(text);
    if (typeof m !== 'object' || m === null) return undefined;
    const { diffId, digest, size } = m as Record<string, unknown>;
    if (typeof diffId === 'string' && typeof digest === 'string' && typeof size === 'number')
      return { diffId, digest, size };
  } catch {
    /* unreadable: not an entry */
  }
  return undefined;
}

/**
 * The cached compressed layer for a diff id, checked: its bytes hash to the digest stored with it. A damaged or
 * altered entry is removed (and reported through `onBad`) and treated as a miss.
 */
export async function cachedLayer(
  dir: string,
  diffId: string,
  onBad?: (why: string) => void,
): Promise<CachedLayer | undefined> {
  const hex = diffId.replace(/^sha256:/, '');
  const file = join(dir, `${hex}.tar.gz`);
  const metaFile = join(dir, `${hex}.json`);
  let meta: ReturnType<typeof entryMeta>;
  try {
    meta = entryMeta(await fs.readFile(metaFile, 'utf8'));
  } catch {
    return undefined;
  }
  const actual = await fileDigest(file).catch(() => undefined);
  if (
    !meta ||
    meta.diffId !== diffId ||
    !actual ||
    actual.digest !== meta.digest ||
    actual.size !== meta.size
  ) {
    onBad?.(
      `cached layer ${hex.slice(0, 12)} failed its check (${actual ? `content ${actual.digest.slice(0, 19)}, recorded ${meta?.digest.slice(0, 19) ?? 'nothing'}` : 'file missing'}); it was removed and is compressed again`,
    );
    await Promise.all([fs.rm(file, { force: true }), fs.rm(metaFile, { force: true })]);
    return undefined;
  }
  const now = new Date();
  await Promise.all([fs.utimes(file, now, now), fs.utimes(metaFile, now, now)]).catch(() => undefined);
  return { digest: meta.digest, size: meta.size, file };
}

/**
 * Gzips an uncompressed layer into the cache (written to a temporary name, then renamed), checking while it
 * reads that the content is the diff id the image config lists.
 */
export async function storeLayer(dir: string, diffId: string, source: BlobSource): Promise<CachedLayer> {
  await privateCacheDir(dir);
  const hex = diffId.replace(/^sha256:/, '');
  const file = join(dir, `${hex}.tar.gz`);
  const metaFile = join(dir, `${hex}.json`);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const hash = createHash('sha256');
  const uncompressed = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      openSource(source),
      new Transform({
        transform(chunk: Buffer, _e, cb) {
          uncompressed.update(chunk);
          cb(null, chunk);
        },
      }),
      createGzip({ level: 6 }),
      new Transform({
        transform(chunk: Buffer, _e, cb) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      }),
      createWriteStream(tmp, { mode: 0o600 }),
    );
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  const actualDiff = `sha256:${uncompressed.digest('hex')}`;
  if (actualDiff !== diffId) {
    await fs.rm(tmp, { force: true });
    throw new CrossdockError(
      `a layer has digest ${actualDiff}, but the image config says ${diffId}; nothing of this platform was pushed`,
      { hint: 'the engine exported a damaged or altered image; build again, and check the builder node' },
    );
  }
  const digest = `sha256:${hash.digest('hex')}`;
  await fs.rename(tmp, file);
  const metaTmp = `${metaFile}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(metaTmp, JSON.stringify({ diffId, digest, size }), { mode: 0o600 });
  await fs.rename(metaTmp, metaFile);
  return { digest, size, file };
}

export interface PruneResult {
  dir: string;
  removed: number;
  removedBytes: number;
  kept: number;
  keptBytes: number;
}

/** Temporary files of a compression still running elsewhere are left alone this long. */
const TMP_GRACE_MS = 60 * 60 * 1000;

/**
 * Removes entries unused for more than maxAgeDays, then the least recently used until the rest fits in
 * maxBytes; also stray files (a half-written entry, a temporary file older than an hour). A missing folder is an
 * empty cache.
 */
export async function pruneLayerCache(
  dir: string,
  limits: CacheSettings,
  now = Date.now(),
): Promise<PruneResult> {
  const result: PruneResult = { dir, removed: 0, removedBytes: 0, kept: 0, keptBytes: 0 };
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw e;
  }
  await privateCacheDir(dir);
  const entries: { hex: string; bytes: number; used: number }[] = [];
  const stray: string[] = [];
  for (const name of names) {
    const st = await fs.stat(join(dir, name)).catch(() => undefined);
    if (!st?.isFile()) continue;
    const m = /^([0-9a-f]{64})\.tar\.gz$/.exec(name);
    if (m) {
      const metaSize = await fs
        .stat(join(dir, `${m[1]}.json`))
        .then((s) => s.size)
        .catch(() => undefined);
      if (metaSize === undefined) stray.push(name);
      else entries.push({ hex: m[1]!, bytes: st.size + metaSize, used: st.mtimeMs });
    } else if (/^[0-9a-f]{64}\.json$/.test(name)) {
      if (!names.includes(name.replace(/\.json$/, '.tar.gz'))) stray.push(name);
    } else if (name.endsWith('.tmp')) {
      if (now - st.mtimeMs > TMP_GRACE_MS) stray.push(name);
    }
  }
  for (const name of stray) await fs.rm(join(dir, name), { force: true });
  const remove = async (e: (typeof entries)[number]) => {
    await fs.rm(join(dir, `${e.hex}.tar.gz`), { force: true });
    await fs.rm(join(dir, `${e.hex}.json`), { force: true });
    result.removed++;
    result.removedBytes += e.bytes;
  };
  const maxAgeMs = limits.maxAgeDays * 24 * 3600 * 1000;
  const fresh: typeof entries = [];
  for (const e of entries) {
    if (now - e.used > maxAgeMs) await remove(e);
    else fresh.push(e);
  }
  fresh.sort((a, b) => b.used - a.used); // most recently used first: the first that does not fit, and all older go
  let full = false;
  for (const e of fresh) {
    full ||= result.keptBytes + e.bytes > limits.maxBytes;
    if (full) await remove(e);
    else {
      result.kept++;
      result.keptBytes += e.bytes;
    }
  }
  return result;
}
