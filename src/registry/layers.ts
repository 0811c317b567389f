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

/** Applies one layer (a tar stream, gzip or not) onto `fs`, honouring whiteouts (`.wh.x`, `.wh..wh..opq`). */
export async function applyLayer(
  fs: Map<string, FsEntry>,
  stream: Readable,
  compressed: boolean,
): Promise<void> {
  // pipeline passes a failing source (a reset connection) on to the reader instead of hanging.
  const input = compressed ? pipeline(stream, createGunzip(), new PassThrough(), () => undefined) : stream;
  let buf: Buffer = Buffer.alloc(0);
  let pending: { path: string; size: number; remaining: number; head: Buffer[]; kind: string } | undefined;
  let longName: string | undefined;
  let paxPath: string | undefined;
  let paxLink: string | undefined;
  const layer = new Map<string, FsEntry>();
  const heads: { entry: FsEntry; head: Buffer[]; size: number }[] = [];
  const whiteouts: string[] = [];
  const opaque: string[] = [];
  let meta: { kind: 'L' | 'x' | 'K'; data: Buffer[]; remaining: number } | undefined;

  const finishEntry = (path: string, entry: FsEntry) => {
    const p = normalize(path);
    const base = p.slice(p.lastIndexOf('/') + 1);
    const dir = p.slice(0, p.lastIndexOf('/')) || '/';
    if (base === '.wh..wh..opq') opaque.push(dir);
    else if (base.startsWith('.wh.')) whiteouts.push(`${dir === '/' ? '' : dir}/${base.slice(4)}`);
    else layer.set(p, entry);
  };

  try {
    for await (const chunk of input) {
      buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
      for (;;) {
        if (meta) {
          const take = Math.min(meta.remaining, buf.length);
          meta.data.push(buf.subarray(0, take));
          meta.remaining -= take;
          buf = buf.subarray(take);
          if (meta.remaining > 0) break;
          const data = Buffer.concat(meta.data);
          if (meta.kind === 'L') longName = cstr(data, 0, data.length);
          else if (meta.kind === 'K') paxLink = cstr(data, 0, data.length);
          else {
            for (const rec of data.toString('utf8').split('\n')) {
              const m = /^\d+ (\w+)=(.*)$/s.exec(rec);
              if (m?.[1] === 'path') paxPath = m[2];
              if (m?.[1] === 'linkpath') paxLink = m[2];
            }
          }
          meta = undefined;
          continue;
        }
        if (pending) {
          const take = Math.min(pending.remaining, buf.length);
          if (pending.kind === 'file') {
            const have = pending.head.reduce((n, b) => n + b.length, 0);
            if (have < HEAD_BYTES) pending.head.push(buf.subarray(0, Math.min(take, HEAD_BYTES - have)));
          }
          pending.remaining -= take;
          buf = buf.subarray(take);
          if (pending.remaining > 0) break;
          pending = undefined;
          continue;
        }
        if (buf.length < 512) break;
        const header = buf.subarray(0, 512);
        buf = buf.subarray(512);
        if (header.every((x) => x === 0)) continue;
        const size = octal(header, 124, 12);
        const padded = Math.ceil(size / 512) * 512;
        const flag = String.fromCharCode(header[156] ?? 48);
        const magic = cstr(header, 257, 6);
        // POSIX ustar ("ustar\0" + "00") has a path prefix at 345; GNU tar ("ustar  ") keeps times there.
        const prefix = magic === 'ustar' && header[262] === 0 ? cstr(header, 345, 155) : '';
        let name = cstr(header, 0, 100);
        if (prefix) name = `${prefix}/${name}`;
        if (flag === 'L' || flag === 'x') {
          meta = { kind: flag, data: [], remaining: padded };
          continue;
        }
        if (flag === 'K') {
          meta = { kind: 'K', data: [], remaining: padded };
          continue;
        }
        if (flag === 'g') {
          // PAX global headers: not needed, skipped.
          if (padded) pending = { path: '', size, remaining: padded, head: [], kind: 'skip' };
          continue;
        }
        const path = paxPath ?? longName ?? name;
        const link = paxLink ?? cstr(header, 157, 100);
        paxPath = undefined;
        paxLink = undefined;
        longName = undefined;
        const mode = octal(header, 100, 8);
        if (flag === '0' || flag === '\0' || flag === '7') {
          const head: Buffer[] = [];
          const entry: FsEntry = { type: 'file', mode };
          finishEntry(path, entry);
          heads.push({ entry, head, size });
          if (padded) pending = { path, size, remaining: padded, head, kind: 'file' };
        } else if (flag === '2') finishEntry(path, { type: 'symlink', link, mode });
        else if (flag === '1') finishEntry(path, { type: 'hardlink', link: normalize(link), mode });
        else if (flag === '5') finishEntry(path, { type: 'dir', mode });
        else {
          finishEntry(path, { type: 'other', mode });
          if (padded) pending = { path, size, remaining: padded, head: [], kind: 'skip' };
        }
      }
    }
  } catch (e) {
    throw new RegistryError(
      `a layer is not a readable ${compressed ? 'gzip ' : ''}tar stream (${(e as Error).message})`,
      { cause: e },
    );
  }
  for (const h of heads) h.entry.head = Buffer.concat(h.head).subarray(0, Math.min(h.size, HEAD_BYTES));
  for (const dir of opaque)
    for (const p of [...fs.keys()]) if (p.startsWith(`${dir === '/' ? '' : dir}/`)) fs.delete(p);
  for (const w of whiteouts) {
    const p = normalize(w);
    fs.delete(p);
    for (const k of [...fs.keys()]) if (k.startsWith(`${p}/`)) fs.delete(k);
  }
  for (const [p, e] of layer) fs.set(p, e);
}

/** Follows symlinks (relative and absolute, max 40 hops) to a regular file entry. */
export function resolveFile(
  fs: Map<string, FsEntry>,
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
