import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip, gzipSync } from 'node:zlib';

/**
 * Multi-platform test images written as an OCI image layout on disk that skopeo (the independent peer) pushes to
 * the registry. `busyboxLayout` holds Debian's busybox-static for amd64 and arm64 (downloaded by
 * scripts/setup-env.sh): real ELF binaries of each architecture, for the tests that read them (verify's ELF
 * check). `syntheticLayout` has the same shape from small generated files and needs no package: for the tests
 * that only move or inspect images (auth, faults, trust).
 */
// CROSSDOCK_TEST_DEBS points elsewhere (test/build/runner.test.ts: an empty folder proves which tests need none).
const debs = process.env.CROSSDOCK_TEST_DEBS ?? fileURLToPath(new URL('../../.cache/debs/', import.meta.url));

function sha(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

function run(cmd: string, args: string[], cwd?: string): Buffer {
  const r = spawnSync(cmd, args, { cwd, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout;
}

export interface LayoutOptions {
  /** Extra layers of random content, in bytes each (for copy benchmarks). */
  extraLayers?: number[];
  /** Put the amd64 busybox into the arm64 image (the "amd64 content published as arm64" defect). */
  swapArm64Binary?: boolean;
  /** Add a BuildKit-style provenance attestation entry (unknown/unknown) for the amd64 image. */
  attestation?: boolean;
  user?: string;
  labels?: Record<string, string>;
  /** Seed for the random layers (same seed, same digests). */
  seed?: number;
  /** Generated files instead of busybox (no .deb needed; no real ELF binaries). */
  synthetic?: boolean;
  /** Replaces or adds keys of the image config's `config` (Entrypoint, Cmd, ExposedPorts, …), both platforms. */
  config?: Record<string, unknown>;
  /** Files added as one more layer to both platforms (a web root, a script). */
  files?: TarEntry[];
  /** Base layers from these uncompressed root filesystem tarballs instead of busybox (Debian with Python). */
  rootfsTars?: { amd64: string; arm64: string };
}

export interface Layout {
  dir: string;
  indexDigest: string;
  platforms: { platform: string; manifestDigest: string }[];
}

function rootfsLayer(work: string, arch: 'amd64' | 'arm64'): Buffer {
  const deb = (existsSync(debs) ? readdirSync(debs) : []).find(
    (f) => f.startsWith('busybox-static_') && f.endsWith(`_${arch}.deb`),
  );
  if (!deb) throw new Error(`no busybox-static ${arch} .deb in .cache/debs: run scripts/setup-env.sh`);
  const root = join(work, `rootfs-${arch}`);
  mkdirSync(root, { recursive: true });
  run('dpkg-deb', ['-x', join(debs, deb), root]);
  mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
  // A relative symlink the way busybox installs applets: /usr/local/bin/uname -> ../../../bin/busybox
  run('ln', ['-sf', '../../../bin/busybox', join(root, 'usr/local/bin/uname')]);
  return run('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-C',
    root,
    '-cf',
    '-',
    '.',
  ]);
}

/**
 * One ustar header: `type` '0' file, '5' directory, '2' symlink, '1' hard link, 'x' PAX extended header, 'L' GNU
 * long name. The size is written as declared: tests use it to declare more than they send.
 */
export function tarHeader(name: string, size: number, type = '0', link = ''): Buffer {
  return tarHeaderMode(name, size, type === '5' ? 0o755 : 0o644, type, link);
}

/** One tar header block (ustar, owner 0, mtime 0) with an explicit mode. */
function tarHeaderMode(name: string, size: number, mode: number, type = '0', link = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write(type, 156);
  header.write(link, 157, 100);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/** A regular file entry with its content, padded to the 512-byte block. */
export function tarFile(name: string, content: Buffer): Buffer {
  return Buffer.concat([
    tarHeader(name, content.length),
    content,
    Buffer.alloc((512 - (content.length % 512)) % 512),
  ]);
}

/** Gzips a sequence of parts as one stream, without holding the uncompressed whole in memory. */
export async function gzipParts(parts: Iterable<Buffer>, level = 1): Promise<Buffer> {
  const gz = createGzip({ level });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  for (const part of parts) if (!gz.write(part)) await new Promise((r) => gz.once('drain', r));
  gz.end();
  await done;
  return Buffer.concat(out);
}

/** The first 64 bytes of an ELF executable of that machine (enough for the architecture check). */
export function elfHead(arch: 'amd64' | 'arm64'): Buffer {
  const head = Buffer.alloc(64);
  head.writeUInt32BE(0x7f454c46, 0);
  head[4] = 2; // 64-bit
  head[5] = 1; // little endian
  head.writeUInt16LE(arch === 'amd64' ? 62 : 183, 18);
  return head;
}

/**
 * A single-platform OCI image layout made of the given gzip layers (pushed by skopeo as they are): the layers'
 * content is whatever the test needs, including malformed or hostile tar streams.
 */
export function singleImageLayout(
  dir: string,
  layers: Buffer[],
  options: { entrypoint: string[]; arch?: 'amd64' | 'arm64'; config?: Record<string, unknown> },
): { dir: string; manifestDigest: string; layerDigests: string[] } {
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  const put = (b: Buffer) => {
    const d = sha(b);
    writeFileSync(join(dir, 'blobs/sha256', d.slice(7)), b);
    return d;
  };
  const config = Buffer.from(
    JSON.stringify({
      architecture: options.arch ?? 'amd64',
      os: 'linux',
      config: options.config ?? { Entrypoint: options.entrypoint, User: '10001' },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => sha(l)) },
    }),
  );
  const layerDigests = layers.map(put);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: put(config),
        size: config.length,
      },
      layers: layers.map((l, i) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: layerDigests[i],
        size: l.length,
      })),
    }),
  );
  const manifestDigest = put(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    }),
  );
  return { dir, manifestDigest, layerDigests };
}

/** A tar entry: a regular file (content, mode), or a symlink / hard link. */
export type TarEntry =
  | [name: string, content: Buffer | string, mode?: number]
  | { name: string; symlink: string }
  | { name: string; hardlink: string };

/** A tar of the given entries, in order (names written as given: tests make hostile archives with it). */
export function tarOf(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (!Array.isArray(e)) {
      const link = 'symlink' in e ? e.symlink : e.hardlink;
      parts.push(tarHeaderMode(e.name, 0, 0o777, 'symlink' in e ? '2' : '1', link));
      continue;
    }
    const [name, content, mode] = e;
    const data = Buffer.from(content);
    parts.push(
      tarHeaderMode(name, data.length, mode ?? 0o644),
      data,
      Buffer.alloc((512 - (data.length % 512)) % 512),
    );
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A small root filesystem per architecture, made here: a shell script and a file naming the architecture. */
function syntheticLayer(arch: 'amd64' | 'arm64'): Buffer {
  return tarOf([
    ['bin/app', `#!/bin/sh\necho ${arch}\n`, 0o755],
    ['etc/arch', `${arch}\n`],
    ['usr/share/doc/app/README', `synthetic ${arch} test image for crossdock\n`.repeat(40)],
  ]);
}

function randomLayer(size: number, seed: number): Buffer {
  // Deterministic pseudo-random content (incompressible), wrapped in a tar with one file.
  const data = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data.writeUInt32LE(x >>> 0, Math.min(i, size - 4));
  }
  const header = tarHeader(`data-${seed}.bin`, size);
  const pad = Buffer.alloc((512 - (size % 512)) % 512);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024)]);
}

/** Writes an OCI image layout with a linux/amd64 + linux/arm64 index; returns the digests. */
export function busyboxLayout(dir: string, options: LayoutOptions = {}): Layout {
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  const put = (b: Buffer) => {
    const d = sha(b);
    writeFileSync(join(dir, 'blobs/sha256', d.slice(7)), b);
    return d;
  };
  const work = join(dir, '..', `${dir.split('/').pop()}-work`);
  const tars = options.rootfsTars
    ? { amd64: readFileSync(options.rootfsTars.amd64), arm64: readFileSync(options.rootfsTars.arm64) }
    : options.synthetic
      ? { amd64: syntheticLayer('amd64'), arm64: syntheticLayer('arm64') }
      : { amd64: rootfsLayer(work, 'amd64'), arm64: rootfsLayer(work, 'arm64') };
  // Extra layers differ per platform (as compiled content does), so a copy moves each of them.
  const extraFor = (arch: string) =>
    (options.extraLayers ?? []).map((size, i) => {
      const tar = randomLayer(size, (options.seed ?? 7) * 100 + i + (arch === 'arm64' ? 50 : 0));
      return { tar, gz: gzipSync(tar, { level: 1 }) };
    });
  const manifests: {
    mediaType: string;
    digest: string;
    size: number;
    platform: { os: string; architecture: string };
    annotations?: Record<string, string>;
  }[] = [];
  const platforms: Layout['platforms'] = [];
  for (const arch of ['amd64', 'arm64'] as const) {
    const tar = options.swapArm64Binary && arch === 'arm64' ? tars.amd64 : tars[arch];
    const gz = gzipSync(tar, { level: 6 });
    const extra = extraFor(arch);
    if (options.files?.length) {
      const filesTar = tarOf(options.files);
      extra.push({ tar: filesTar, gz: gzipSync(filesTar, { level: 1 }) });
    }
    const layers = [gz, ...extra.map((e) => e.gz)];
    const diffIds = [sha(tar), ...extra.map((e) => sha(e.tar))];
    const config = Buffer.from(
      JSON.stringify({
        architecture: arch,
        os: 'linux',
        created: '2026-01-01T00:00:00Z',
        config: {
          Entrypoint: options.synthetic ? ['/bin/app'] : ['/bin/busybox'],
          Cmd: options.synthetic ? [] : ['uname', '-m'],
          Env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
          ...(options.user ? { User: options.user } : {}),
          Labels: options.labels ?? {},
          ...options.config,
        },
        rootfs: { type: 'layers', diff_ids: diffIds },
      }),
    );
    const configDigest = put(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: configDigest,
          size: config.length,
        },
        layers: layers.map((l) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: put(l),
          size: l.length,
        })),
      }),
    );
    const md = put(manifest);
    manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: md,
      size: manifest.length,
      platform: { os: 'linux', architecture: arch },
    });
    platforms.push({ platform: `linux/${arch}`, manifestDigest: md });
  }
  if (options.attestation) {
    const statement = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType: 'https://slsa.dev/provenance/v0.2',
      }),
    );
    const emptyConfig = Buffer.from('{}');
    const att = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: put(emptyConfig),
          size: emptyConfig.length,
        },
        layers: [
          { mediaType: 'application/vnd.in-toto+json', digest: put(statement), size: statement.length },
        ],
      }),
    );
    manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: put(att),
      size: att.length,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: {
        'vnd.docker.reference.type': 'attestation-manifest',
        'vnd.docker.reference.digest': platforms[0]?.manifestDigest ?? '',
      },
    });
  }
  const index = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
  const indexDigest = put(index);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest: indexDigest,
          size: index.length,
          annotations: { 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    }),
  );
  return { dir, indexDigest, platforms };
}

/** The same layout from generated files: no busybox package needed (see LayoutOptions.synthetic). */
export function syntheticLayout(dir: string, options: Omit<LayoutOptions, 'synthetic'> = {}): Layout {
  return busyboxLayout(dir, { ...options, synthetic: true });
}

export function readBlob(layout: string, digest: string): Buffer {
  return readFileSync(join(layout, 'blobs/sha256', digest.slice(7)));
}
