import { createReadStream, promises as fs } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { CrossdockError } from '../errors.js';

/**
 * Reading a `docker save` archive in place, without unpacking it: the tar is indexed (headers only), and each
 * member crossdock needs (manifest.json, the config, the layers) is read as a byte range of the archive file.
 * Every name is confined to the archive: an absolute path, a `..` component, a symlink or hard link that leads
 * out of it, or a device or fifo member makes the whole archive refused. The engine that wrote it may be a
 * remote node crossdock does not control.
 */

/** Bytes of a file (the whole file, or the inclusive range start..end). */
export interface BlobSource {
  path: string;
  start?: number;
  end?: number;
}

export function openSource(s: BlobSource): Readable {
  return createReadStream(s.path, s.start === undefined ? {} : { start: s.start, end: s.end });
}

export function sourceSize(s: BlobSource): Promise<number> {
  if (s.start !== undefined && s.end !== undefined) return Promise.resolve(s.end - s.start + 1);
  return fs.stat(s.path).then((st) => st.size);
}

interface Member {
  type: 'file' | 'dir' | 'symlink' | 'hardlink';
  size: number;
  /** Offset of the content in the archive. */
  offset: number;
  linkname?: string;
}

export class ArchiveError extends CrossdockError {}

function refuse(archive: string, problem: string): never {
  throw new ArchiveError(`the image archive ${archive} is refused: ${problem}`, {
    hint: "the engine wrote something a `docker save` archive never holds; check the builder node, and don't build on an engine you do not trust",
  });
}

/** A member name made canonical (`./a//b/` → `a/b`); undefined when it is absolute or climbs with `..`. */
export function confinedName(name: string): string | undefined {
  if (name === '' || name.startsWith('/') || name.includes('\0')) return undefined;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return undefined;
  return parts.join('/');
}

const MAX_PAX = 1024 * 1024;

function cstring(b: Buffer, start: number, length: number): string {
  const raw = b.subarray(start, start + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8');
}

function octal(b: Buffer, start: number, length: number): number {
  const field = b.subarray(start, start + length);
  // GNU base-256 for large numbers: the high bit of the first byte set.
  if ((field[0] ?? 0) & 0x80) {
    let n = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] ?? 0);
    return n;
  }
  const text = cstring(b, start, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  return sum === octal(h, 148, 8);
}

function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = Number.parseInt(data.subarray(i, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

/** An indexed `docker save` archive; members are read in place. */
export class DockerArchive {
  private constructor(
    readonly path: string,
    private readonly members: Map<string, Member>,
  ) {}

  static async open(path: string): Promise<DockerArchive> {
    const fh = await fs.open(path, 'r');
    const members = new Map<string, Member>();
    try {
      const size = (await fh.stat()).size;
      const header = Buffer.alloc(512);
      let offset = 0;
      let longName: string | undefined;
      let longLink: string | undefined;
      let pax = new Map<string, string>();
      const readData = async (at: number, n: number) => {
        if (n > MAX_PAX) refuse(path, `a ${n}-byte extended header`);
        const b = Buffer.alloc(n);
        await fh.read(b, 0, n, at);
        return b;
      };
      for (;;) {
        if (offset + 512 > size) refuse(path, 'it ends in the middle of a member (truncated)');
        await fh.read(header, 0, 512, offset);
        if (header.every((x) => x === 0)) break;
        if (!checksumOk(header)) refuse(path, `the header at byte ${offset} is damaged (not a tar archive)`);
        const type = String.fromCharCode(header[156] ?? 0);
        const ustar = cstring(header, 257, 6) === 'ustar';
        const prefix = ustar ? cstring(header, 345, 155) : '';
        const base = cstring(header, 0, 100);
        const dataSize = pax.has('size') ? Number(pax.get('size')) : octal(header, 124, 12);
        const data = offset + 512;
        const next = data + Math.ceil(dataSize / 512) * 512;
        if (!Number.isSafeInteger(dataSize) || dataSize < 0 || data + dataSize > size)
          refuse(path, `a member claims ${dataSize} bytes past the end of the archive`);
        if (type === 'x') pax = paxRecords(await readData(data, dataSize));
        else if (type === 'g') {
          /* global header: nothing crossdock reads */
        } else if (type === 'L') longName = cstring(await readData(data, dataSize), 0, dataSize);
        else if (type === 'K') longLink = cstring(await readData(data, dataSize), 0, dataSize);
        else {
          const raw = pax.get('path') ?? longName ?? (prefix ? `${prefix}/${base}` : base);
          const link = pax.get('linkpath') ?? longLink ?? cstring(header, 157, 100);
          pax = new Map();
          longName = undefined;
          longLink = undefined;
          const name = confinedName(raw);
          if (name === undefined) refuse(path, `member "${raw}" is outside the archive folder`);
          const kind =
            type === '0' || type === '\0' || type === '7'
              ? 'file'
              : type === '5'
                ? 'dir'
                : type === '2'
                  ? 'symlink'
                  : type === '1'
                    ? 'hardlink'
                    : undefined;
          if (!kind)
            refuse(path, `member "${raw}" is a device, fifo or unknown kind (type ${JSON.stringify(type)})`);
          if (kind === 'symlink' && (link.startsWith('/') || link === ''))
            refuse(path, `symlink "${raw}" points to the absolute path "${link}"`);
          if (kind === 'hardlink' && confinedName(link) === undefined)
            refuse(path, `hard link "${raw}" points outside the archive ("${link}")`);
          if (name !== '') members.set(name, { type: kind, size: dataSize, offset: data, linkname: link });
        }
        offset = next;
      }
    } finally {
      await fh.close();
    }
    return new DockerArchive(path, members);
  }

  /** The regular file a name leads to, through symlinks and hard links that stay inside the archive. */
  member(name: string): BlobSource & { size: number } {
    const file = this.resolve(name, name, 0);
    return { path: this.path, start: file.offset, end: file.offset + file.size - 1, size: file.size };
  }

  async read(name: string, max = 64 * 1024 * 1024): Promise<Buffer> {
    const m = this.member(name);
    if (m.size > max) refuse(this.path, `"${name}" is ${m.size} bytes, more than the ${max} crossdock reads`);
    const fh = await fs.open(this.path, 'r');
    try {
      const b = Buffer.alloc(m.size);
      await fh.read(b, 0, m.size, m.start);
      return b;
    } finally {
      await fh.close();
    }
  }

  private resolve(asked: string, name: string, hops: number): Member {
    if (hops > 16) refuse(this.path, `"${asked}" goes through more than 16 links`);
    const canonical = confinedName(name);
    if (canonical === undefined)
      refuse(this.path, `"${asked}" leads outside the archive folder (via "${name}")`);
    const parts = canonical.split('/');
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join('/');
      const m = this.members.get(prefix);
      if (m?.type === 'symlink') {
        const target = posix.join(posix.dirname(prefix), m.linkname ?? '', ...parts.slice(i + 1));
        const normal = posix.normalize(target);
        if (normal === '..' || normal.startsWith('../'))
          refuse(
            this.path,
            `"${asked}" leads outside the archive folder through symlink "${prefix}" -> "${m.linkname}"`,
          );
        return this.resolve(asked, normal, hops + 1);
      }
      if (m?.type === 'hardlink' && i === parts.length - 1)
        return this.resolve(asked, m.linkname ?? '', hops + 1);
    }
    const m = this.members.get(canonical);
    if (!m) refuse(this.path, `"${asked}" is not in it`);
    if (m.type !== 'file') refuse(this.path, `"${asked}" is not a regular file`);
    return m;
  }
}

/** The one image of a `docker save` manifest.json, checked for shape (no casts of tool output). */
export function saveManifest(archive: string, bytes: Buffer): { config: string; layers: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    refuse(archive, 'manifest.json is not JSON');
  }
  if (!Array.isArray(parsed) || parsed.length !== 1)
    refuse(archive, 'manifest.json does not describe exactly one image');
  const entry: unknown = parsed[0];
  if (typeof entry !== 'object' || entry === null) refuse(archive, 'manifest.json has no image entry');
  const config = (entry as { Config?: unknown }).Config;
  const layers = (entry as { Layers?: unknown }).Layers;
  if (
    typeof config !== 'string' ||
    !Array.isArray(layers) ||
    !layers.every((l): l is string => typeof l === 'string')
  )
    refuse(archive, 'manifest.json lacks Config or Layers');
  for (const name of [config, ...layers])
    if (confinedName(name) === undefined)
      refuse(archive, `manifest.json names "${name}", outside the archive folder`);
  return { config, layers };
}
