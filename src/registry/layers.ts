import { createGunzip } from 'node:zlib';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { RegistryError } from './errors.js';

/**
 * Reading image layers without unpacking them: a streaming tar reader (ustar, GNU long names, PAX headers),
 * whiteouts applied across layers, and the ELF header of a file. Written by hand because what `verify` needs
 * (the first bytes of a few files and every symlink, across many layers, in one pass, without touching disk) is
 * not what tar libraries offer; the format is small and fixed (POSIX.1-2001).
 */
export interface FsEntry {
  type: 'file' | 'symlink' | 'hardlink' | 'dir' | 'other';
  /** Symlink or hardlink target. */
  link?: string;
  /** First bytes of a regular file. */
  head?: Buffer;
  mode: number;
}

const HEAD_BYTES = 64;

function cstr(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const z = s.indexOf(0);
  return (z < 0 ? s : s.subarray(0, z)).toString('utf8');
}

function octal(b: Buffer, start: number, len: number): number {
  const s = b.subarray(start, start + len);
  if ((s[0] ?? 0) & 0x80) {
    // base-256 (GNU) for large sizes
    let n = 0;
    for (let i = 1; i < s.length; i++) n = n * 256 + (s[i] ?? 0);
    return n;
  }
  const t = cstr(b, start, len).trim();
  return t ? Number.parseInt(t, 8) : 0;
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

/**
 * The merged filesystem of the layers read so far, indexed by parent directory so that a whiteout or an opaque
 * directory removes a subtree in time proportional to that subtree, not to the whole filesystem.
 */
export class FsTree {
  private readonly entries = new Map<string, FsEntry>();
  /** Directory path → paths directly below it (entries, or directories only implied by deeper paths). */
  private readonly children = new Map<string, Set<string>>();

  get size(): number {
    return this.entries.size;
  }

  get(path: string): FsEntry | undefined {
    return this.entries.get(path);
  }

  set(path: string, entry: FsEntry): void {
    this.entries.set(path, entry);
    // Link the path under its parent, and each implied ancestor under its own, up to one already linked.
    for (let p = path; p !== '/'; ) {
      const parent = p.slice(0, p.lastIndexOf('/')) || '/';
      let set = this.children.get(parent);
      const known = set !== undefined;
      if (!set) {
        set = new Set();
        this.children.set(parent, set);
      }
      set.add(p);
      if (known) break;
      p = parent;
    }
  }

  /** Removes everything below `dir`, keeping `dir` itself (an opaque directory). */
  clearBelow(dir: string): void {
    const stack = [...(this.children.get(dir) ?? [])];
    this.children.delete(dir);
    for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
      this.entries.delete(p);
      const below = this.children.get(p);
      if (below) {
        stack.push(...below);
        this.children.delete(p);
      }
    }
  }

  /** Removes `path` and everything below it (a whiteout). */
  delete(path: string): void {
    this.clearBelow(path);
    this.entries.delete(path);
    this.children.get(path.slice(0, path.lastIndexOf('/')) || '/')?.delete(path);
  }
}

/** What a layer may cost to read: untrusted sizes are capped before anything is buffered. */
export interface LayerLimits {
  /** Names the layer in messages. */
  what: string;
  /** Bytes the layer may unpack to (default: unpackedLimit of its compressed size). */
  maxUnpackedBytes: number;
}

/** PAX and GNU long-name/link header bodies are buffered: a real one is a few hundred bytes. */
export const MAX_TAR_META_BYTES = 1024 * 1024;

/** The default cap on what a layer of `compressedSize` bytes may unpack to: 20 times its size plus 512 MiB. */
export function unpackedLimit(compressedSize: number): number {
  return compressedSize * 20 + 512 * 1024 * 1024;
}

const META_NAMES: Record<string, string> = {
  L: 'GNU long name',
  K: 'GNU long link name',
  x: 'PAX extended',
  g: 'PAX global',
};

/** The entries, whiteouts and opaque directories of one layer, as a tar stream parser fills them. */
interface LayerContent {
  entries: Map<string, FsEntry>;
  whiteouts: string[];
  opaque: string[];
}

/**
 * A push parser of a tar stream (ustar, GNU long names, PAX headers): keeps each file's first bytes, never a
 * body, and refuses a metadata header that declares more than MAX_TAR_META_BYTES before reading its body.
 */
class TarReader {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { remaining: number; head: Buffer[] | undefined } | undefined;
  private meta: { kind: string; data: Buffer[]; remaining: number } | undefined;
  private longName: string | undefined;
  private paxPath: string | undefined;
  private paxLink: string | undefined;
  private readonly heads: { entry: FsEntry; head: Buffer[]; size: number }[] = [];
  readonly content: LayerContent = { entries: new Map(), whiteouts: [], opaque: [] };

  constructor(private readonly what: string) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.meta) {
        if (!this.takeMeta()) return;
      } else if (this.pending) {
        if (!this.skipBody(this.pending)) return;
      } else {
        if (this.buf.length < 512) return;
        const header = this.buf.subarray(0, 512);
        this.buf = this.buf.subarray(512);
        this.header(header);
      }
    }
  }

  /** Sets each file's first bytes once the stream has ended. */
  finish(): LayerContent {
    for (const h of this.heads)
      h.entry.head = Buffer.concat(h.head).subarray(0, Math.min(h.size, HEAD_BYTES));
    return this.content;
  }

  private takeMeta(): boolean {
    const meta = this.meta as NonNullable<TarReader['meta']>;
    const take = Math.min(meta.remaining, this.buf.length);
    meta.data.push(this.buf.subarray(0, take));
    meta.remaining -= take;
    this.buf = this.buf.subarray(take);
    if (meta.remaining > 0) return false;
    const data = Buffer.concat(meta.data);
    if (meta.kind === 'L') this.longName = cstr(data, 0, data.length);
    else if (meta.kind === 'K') this.paxLink = cstr(data, 0, data.length);
    else if (meta.kind === 'x')
      for (const rec of data.toString('utf8').split('\n')) {
        const m = /^\d+ (\w+)=(.*)$/s.exec(rec);
        if (m?.[1] === 'path') this.paxPath = m[2];
        if (m?.[1] === 'linkpath') this.paxLink = m[2];
      }
    this.meta = undefined;
    return true;
  }

  private skipBody(pending: NonNullable<TarReader['pending']>): boolean {
    const take = Math.min(pending.remaining, this.buf.length);
    if (pending.head) {
      const have = pending.head.reduce((n, b) => n + b.length, 0);
      if (have < HEAD_BYTES) pending.head.push(this.buf.subarray(0, Math.min(take, HEAD_BYTES - have)));
    }
    pending.remaining -= take;
    this.buf = this.buf.subarray(take);
    if (pending.remaining > 0) return false;
    this.pending = undefined;
    return true;
  }

  private header(header: Buffer): void {
    if (header.every((x) => x === 0)) return;
    const size = octal(header, 124, 12);
    const padded = Math.ceil(size / 512) * 512;
    const flag = String.fromCharCode(header[156] ?? 48);
    const metaName = META_NAMES[flag];
    if (metaName) {
      if (size > MAX_TAR_META_BYTES)
        throw new RegistryError(
          `${this.what}: a tar ${metaName} header declares ${size} bytes; crossdock reads at most ${MAX_TAR_META_BYTES} bytes of header data (real ones are a few hundred bytes), so the layer is malformed or hostile`,
          {
            hint: 'rebuild the image with a standard tar (docker, buildkit, buildah); do not run an image you did not build',
          },
        );
      // PAX global headers are not needed: their body is skipped.
      if (flag === 'g') this.pending = padded ? { remaining: padded, head: undefined } : undefined;
      else this.meta = { kind: flag, data: [], remaining: padded };
      return;
    }
    const magic = cstr(header, 257, 6);
    // POSIX ustar ("ustar\0" + "00") has a path prefix at 345; GNU tar ("ustar  ") keeps times there.
    const prefix = magic === 'ustar' && header[262] === 0 ? cstr(header, 345, 155) : '';
    const name = prefix ? `${prefix}/${cstr(header, 0, 100)}` : cstr(header, 0, 100);
    const path = this.paxPath ?? this.longName ?? name;
    const link = this.paxLink ?? cstr(header, 157, 100);
    this.paxPath = undefined;
    this.paxLink = undefined;
    this.longName = undefined;
    const mode = octal(header, 100, 8);
    if (flag === '0' || flag === '\0' || flag === '7') {
      const head: Buffer[] = [];
      const entry: FsEntry = { type: 'file', mode };
      this.add(path, entry);
      this.heads.push({ entry, head, size });
      if (padded) this.pending = { remaining: padded, head };
    } else if (flag === '2') this.add(path, { type: 'symlink', link, mode });
    else if (flag === '1') this.add(path, { type: 'hardlink', link: normalize(link), mode });
    else if (flag === '5') this.add(path, { type: 'dir', mode });
    else {
      this.add(path, { type: 'other', mode });
      if (padded) this.pending = { remaining: padded, head: undefined };
    }
  }

  private add(path: string, entry: FsEntry): void {
    const p = normalize(path);
    const base = p.slice(p.lastIndexOf('/') + 1);
    const dir = p.slice(0, p.lastIndexOf('/')) || '/';
    if (base === '.wh..wh..opq') this.content.opaque.push(dir);
    else if (base.startsWith('.wh.'))
      this.content.whiteouts.push(`${dir === '/' ? '' : dir}/${base.slice(4)}`);
    else this.content.entries.set(p, entry);
  }
}

/**
 * Applies one layer (a tar stream, gzip or not, already verified against its digest) onto `fs`, honouring
 * whiteouts (`.wh.x`, `.wh..wh..opq`). Refuses a layer that unpacks to more than `limits.maxUnpackedBytes`.
 */
export async function applyLayer(
  fs: FsTree,
  stream: Readable,
  compressed: boolean,
  limits: LayerLimits,
): Promise<void> {
  // pipeline passes a failing source (a reset connection) on to the reader instead of hanging.
  const input = compressed ? pipeline(stream, createGunzip(), new PassThrough(), () => undefined) : stream;
  const reader = new TarReader(limits.what);
  let unpacked = 0;
  try {
    for await (const chunk of input) {
      unpacked += (chunk as Buffer).length;
      if (unpacked > limits.maxUnpackedBytes)
        throw new RegistryError(
          `${limits.what}: unpacks to more than ${limits.maxUnpackedBytes} bytes; crossdock stopped reading it (a layer that expands this much is most likely a decompression bomb)`,
          {
            hint: 'if the image really holds such a layer, raise the limit: crossdock verify --max-unpacked MB, or skip the layer check with --no-elf',
          },
        );
      reader.push(chunk as Buffer);
    }
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    throw new RegistryError(
      `${limits.what}: not a readable ${compressed ? 'gzip ' : ''}tar stream (${(e as Error).message})`,
      { cause: e },
    );
  }
  const layer = reader.finish();
  for (const dir of layer.opaque) fs.clearBelow(dir);
  for (const w of layer.whiteouts) fs.delete(normalize(w));
  for (const [p, e] of layer.entries) fs.set(p, e);
}

/** Follows symlinks (relative and absolute, max 40 hops) to a regular file entry. */
export function resolveFile(
  fs: { get(path: string): FsEntry | undefined },
  path: string,
): { path: string; entry: FsEntry } | undefined {
  let p = normalize(path);
  for (let hops = 0; hops < 40; hops++) {
    // resolve symlinked parent folders too
    const parts = p.split('/').filter(Boolean);
    let cur = '';
    let redirected = false;
    for (let i = 0; i < parts.length - 1; i++) {
      cur = `${cur}/${parts[i]}`;
      const e = fs.get(cur);
      if (e?.type === 'symlink' && e.link) {
        const target = e.link.startsWith('/') ? e.link : `${cur.slice(0, cur.lastIndexOf('/'))}/${e.link}`;
        p = normalize(`${target}/${parts.slice(i + 1).join('/')}`);
        redirected = true;
        break;
      }
    }
    if (redirected) continue;
    const e = fs.get(p);
    if (!e) return undefined;
    if (e.type === 'symlink' && e.link) {
      p = normalize(e.link.startsWith('/') ? e.link : `${p.slice(0, p.lastIndexOf('/'))}/${e.link}`);
      continue;
    }
    if (e.type === 'hardlink' && e.link) {
      p = e.link;
      continue;
    }
    return { path: p, entry: e };
  }
  return undefined;
}

/** The OCI architecture an ELF header says, or undefined when it is not ELF. */
export function elfArchitecture(
  head: Buffer | undefined,
): { architecture: string; bits: 32 | 64 } | undefined {
  if (!head || head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const bits = head[4] === 2 ? 64 : 32;
  const little = head[5] === 1;
  const machine = little ? head.readUInt16LE(18) : head.readUInt16BE(18);
  const arch: Record<number, string> = {
    3: '386',
    62: 'amd64',
    183: 'arm64',
    40: 'arm',
    21: little ? 'ppc64le' : 'ppc64',
    22: 's390x',
    243: 'riscv64',
  };
  return { architecture: arch[machine] ?? `elf-machine-${machine}`, bits };
}
