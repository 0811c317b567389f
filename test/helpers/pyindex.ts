import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { trackProcess, untrackProcess } from './procs.js';
import { tar, zip } from './zip.js';

/**
 * A Python package index for tests, built from real files: wheels (valid zips with METADATA, WHEEL and RECORD,
 * named by their tags) and sdists (tar.gz with PKG-INFO and pyproject.toml/setup.py), written as a static PEP 503
 * tree (`simple/<name>/index.html`, files under `files/`) that a plain file server serves, plus the PEP 691 JSON
 * form of each page (`simple/<name>/index.v1.json`) that `startJsonIndex` serves by content negotiation.
 */

export type FileSpec =
  | {
      kind: 'wheel';
      /** `cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64` */
      tags: string;
      build?: string;
      requiresPython?: string;
      yanked?: string | true;
    }
  | {
      kind: 'sdist';
      pyproject?: string;
      setupPy?: string;
      files?: Record<string, string>;
      requiresPython?: string;
      yanked?: string | true;
    };

export interface PackageSpec {
  name: string;
  versions: Record<string, FileSpec[]>;
}

export function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function distName(name: string): string {
  return name.replace(/[-_.]+/g, '_');
}

function wheelBytes(name: string, version: string, tags: string): Buffer {
  const dist = `${distName(name)}-${version}.dist-info`;
  const mod = `${distName(name).toLowerCase()}/__init__.py`;
  const metadata = `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n\n`;
  const [py, abi, plats] = tags.split('-') as [string, string, string];
  const tagLines = py
    .split('.')
    .flatMap((p) => abi.split('.').flatMap((a) => plats.split('.').map((pl) => `Tag: ${p}-${a}-${pl}\n`)))
    .join('');
  const wheel = `Wheel-Version: 1.0\nGenerator: crossdock-test\nRoot-Is-Purelib: ${plats === 'any' ? 'true' : 'false'}\n${tagLines}`;
  const files: { name: string; data: string }[] = [
    { name: mod, data: `__version__ = "${version}"\n` },
    { name: `${dist}/METADATA`, data: metadata },
    { name: `${dist}/WHEEL`, data: wheel },
  ];
  const record = files
    .map((f) => {
      const h = createHash('sha256').update(f.data).digest('base64url');
      return `${f.name},sha256=${h},${Buffer.byteLength(f.data)}`;
    })
    .concat(`${dist}/RECORD,,`)
    .join('\n');
  return zip([...files, { name: `${dist}/RECORD`, data: `${record}\n` }]);
}

function sdistBytes(name: string, version: string, f: Extract<FileSpec, { kind: 'sdist' }>): Buffer {
  const top = `${distName(name)}-${version}`;
  const entries: { name: string; data: string }[] = [
    { name: `${top}/PKG-INFO`, data: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n\n` },
  ];
  if (f.pyproject !== undefined) entries.push({ name: `${top}/pyproject.toml`, data: f.pyproject });
  if (f.setupPy !== undefined) entries.push({ name: `${top}/setup.py`, data: f.setupPy });
  for (const [p, data] of Object.entries(f.files ?? {})) entries.push({ name: `${top}/${p}`, data });
  return gzipSync(tar(entries));
}

export function fileName(name: string, version: string, f: FileSpec): string {
  if (f.kind === 'wheel') return `${distName(name)}-${version}${f.build ? `-${f.build}` : ''}-${f.tags}.whl`;
  return `${distName(name)}-${version}.tar.gz`;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Writes the tree under `root`; returns every file written, by package. */
export function writeIndex(root: string, packages: PackageSpec[]): Map<string, string[]> {
  mkdirSync(join(root, 'files'), { recursive: true });
  const out = new Map<string, string[]>();
  const rootLinks: string[] = [];
  for (const pkg of packages) {
    const norm = normalise(pkg.name);
    const dir = join(root, 'simple', norm);
    mkdirSync(dir, { recursive: true });
    const anchors: string[] = [];
    const json: Record<string, unknown>[] = [];
    const names: string[] = [];
    for (const [version, files] of Object.entries(pkg.versions))
      for (const f of files) {
        const filename = fileName(pkg.name, version, f);
        const bytes =
          f.kind === 'wheel' ? wheelBytes(pkg.name, version, f.tags) : sdistBytes(pkg.name, version, f);
        writeFileSync(join(root, 'files', filename), bytes);
        const sha = createHash('sha256').update(bytes).digest('hex');
        names.push(filename);
        const attrs = [
          `href="../../files/${filename}#sha256=${sha}"`,
          f.requiresPython ? `data-requires-python="${escapeHtml(f.requiresPython)}"` : '',
          f.yanked !== undefined ? `data-yanked="${f.yanked === true ? '' : escapeHtml(f.yanked)}"` : '',
        ].filter(Boolean);
        anchors.push(`    <a ${attrs.join(' ')}>${filename}</a><br/>`);
        json.push({
          filename,
          url: `../../files/${filename}`,
          hashes: { sha256: sha },
          ...(f.requiresPython ? { 'requires-python': f.requiresPython } : {}),
          ...(f.yanked !== undefined ? { yanked: f.yanked } : {}),
          size: bytes.length,
        });
      }
    writeFileSync(
      join(dir, 'index.html'),
      `<!DOCTYPE html>\n<html>\n  <head><meta name="pypi:repository-version" content="1.0"><title>Links for ${norm}</title></head>\n  <body>\n    <h1>Links for ${norm}</h1>\n${anchors.join('\n')}\n  </body>\n</html>\n`,
    );
    writeFileSync(
      join(dir, 'index.v1.json'),
      JSON.stringify({
        meta: { 'api-version': '1.1' },
        name: norm,
        files: json,
        versions: Object.keys(pkg.versions),
      }),
    );
    rootLinks.push(`<a href="${norm}/">${norm}</a>`);
    out.set(pkg.name, names);
  }
  writeFileSync(
    join(root, 'simple', 'index.html'),
    `<!DOCTYPE html><html><body>${rootLinks.join('\n')}</body></html>\n`,
  );
  return out;
}

export interface RunningIndex {
  /** `http://127.0.0.1:PORT/simple` */
  url: string;
  host: { host: string; port: number };
  /** Requests seen (JSON server only): method, path, accept, status. */
  log: { path: string; accept: string; status: number; authorization: string | undefined }[];
  close(): Promise<void>;
}

/** `python3 -m http.server` over the tree: HTML pages only, as a private index on a plain file server is. */
export async function startStaticIndex(root: string): Promise<RunningIndex> {
  const child: ChildProcess = spawn(
    'python3',
    ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (child.pid) trackProcess({ pid: child.pid, what: `python3 -m http.server (${root})` });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`http.server did not start: ${text}`)), 10_000);
    child.stdout?.on('data', (c: Buffer) => {
      text += c.toString();
      const m = /port (\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`http.server exited (${code}): ${text}`));
    });
  });
  child.stderr?.resume();
  return {
    url: `http://127.0.0.1:${port}/simple`,
    host: { host: '127.0.0.1', port },
    log: [],
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      untrackProcess(child.pid);
    },
  };
}

export interface JsonIndexOptions {
  /** Cache-Control sent with project pages (none by default). */
  cacheControl?: string;
  /** Send ETag and answer If-None-Match with 304 (default true). */
  etag?: boolean;
  /** Basic credentials required on every request (`user:pass`). */
  auth?: string;
  /** Serve HTTPS with this certificate chain and key (PEM files). */
  tls?: { chain: string; key: string };
}

/**
 * A small server over the same tree doing PEP 691 content negotiation: a project page is JSON when the client
 * prefers `application/vnd.pypi.simple.v1+json`, else the HTML file; everything else is served as the file is.
 */
export async function startJsonIndex(root: string, o: JsonIndexOptions = {}): Promise<RunningIndex> {
  const log: RunningIndex['log'] = [];
  const handler: http.RequestListener = (req, res) => {
    const accept = String(req.headers.accept ?? '');
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const entry = { path, accept, status: 200, authorization: req.headers.authorization };
    log.push(entry);
    const send = (status: number, headers: Record<string, string>, body?: Buffer) => {
      entry.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    if (o.auth && req.headers.authorization !== `Basic ${Buffer.from(o.auth).toString('base64')}`) {
      send(401, { 'WWW-Authenticate': 'Basic realm="index"' });
      return;
    }
    const safe = normalize(path).replace(/^(\.\.[/\\])+/, '');
    let file = join(root, safe);
    let type = 'application/octet-stream';
    if (safe.endsWith('/')) {
      const wantsJson = accept.includes('application/vnd.pypi.simple.v1+json');
      file = join(file, wantsJson ? 'index.v1.json' : 'index.html');
      type = wantsJson ? 'application/vnd.pypi.simple.v1+json' : 'text/html';
    }
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
    } catch {
      send(404, { 'Content-Type': 'text/html' }, Buffer.from('<html><body>404 Not Found</body></html>'));
      return;
    }
    const body = readFileSync(file);
    const headers: Record<string, string> = {
      'Content-Type': type,
      'Content-Length': String(body.length),
      Vary: 'Accept',
    };
    if (safe.endsWith('/')) {
      if (o.cacheControl) headers['Cache-Control'] = o.cacheControl;
      if (o.etag !== false) {
        const etag = `"${createHash('sha256').update(body).update(type).digest('hex').slice(0, 16)}"`;
        headers.ETag = etag;
        if (req.headers['if-none-match'] === etag) {
          send(304, { ETag: etag, ...(o.cacheControl ? { 'Cache-Control': o.cacheControl } : {}) });
          return;
        }
      }
    }
    send(200, headers, body);
  };
  const server = o.tls
    ? https.createServer({ cert: readFileSync(o.tls.chain), key: readFileSync(o.tls.key) }, handler)
    : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}/simple`,
    host: { host: '127.0.0.1', port },
    log,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
