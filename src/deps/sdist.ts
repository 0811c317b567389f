import { gunzipSync, inflateRawSync } from 'node:zlib';
import type { IndexCache } from './cache.js';
import { get, type HttpOptions, redactUrl } from './http.js';
import type { Index } from './index.js';

/**
 * Whether pip needs a compiler to build an sdist: read from the sdist itself (downloaded when it is at most
 * SDIST_MAX_BYTES, a .tar.gz or .zip): C/C++/Cython/Rust sources, a compiling build backend (scikit-build, maturin,
 * meson-python, …), build requirements that compile (setuptools-rust, Cython, pybind11, cffi), or a setup.py
 * with `ext_modules`. A pure backend with none of those is `false`; anything unreadable is `null` ("probably").
 * Verdicts are cached by file URL (an sdist's content never changes).
 */

export const SDIST_MAX_BYTES = 10 * 1024 * 1024;
const UNPACKED_MAX_BYTES = 100 * 1024 * 1024;

export interface SdistContext {
  cache: IndexCache | undefined;
  offline: boolean;
  http: HttpOptions;
  now: () => number;
  indexes: Index[];
  memo: Map<string, Promise<CompilerVerdict>>;
}

export interface CompilerVerdict {
  value: boolean | null;
  why: string;
}

const COMPILING_BACKENDS: Record<string, string> = {
  'scikit_build_core.build': 'scikit-build-core',
  'skbuild.build_meta': 'scikit-build',
  maturin: 'maturin',
  mesonpy: 'meson-python',
  'py_build_cmake.build': 'py-build-cmake',
  enscons: 'enscons',
};

const PURE_BACKENDS = new Set([
  'hatchling.build',
  'flit_core.buildapi',
  'poetry.core.masonry.api',
  'pdm.backend',
  'pdm.pep517.api',
  'setuptools.build_meta',
  'setuptools.build_meta:__legacy__',
  'uv_build',
]);

const COMPILING_REQUIRES = [
  'setuptools-rust',
  'setuptools_rust',
  'cython',
  'pybind11',
  'nanobind',
  'cffi',
  'scikit-build',
  'maturin',
  'meson-python',
];

const SOURCE_SUFFIXES = [
  '.c',
  '.cc',
  '.cpp',
  '.cxx',
  '.pyx',
  '.rs',
  '/Cargo.toml',
  '/CMakeLists.txt',
  '/meson.build',
];

/** Files of a tar archive: path → content (only the small text files asked for by `want`). */
export function readTar(
  tar: Buffer,
  want: (path: string) => boolean,
): { paths: string[]; files: Map<string, string> } {
  const paths: string[] = [];
  const files = new Map<string, string>();
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) => {
      const raw = header.subarray(start, start + len);
      const nul = raw.indexOf(0);
      return raw.subarray(0, nul < 0 ? len : nul).toString('utf8');
    };
    const size = Number.parseInt(field(124, 12).trim() || '0', 8) || 0;
    const type = String.fromCharCode(header[156] ?? 48);
    const magic = field(257, 6);
    const prefix = magic.startsWith('ustar') ? field(345, 155) : '';
    let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const body = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      const text = body.toString('utf8');
      const nul = text.indexOf('\0');
      longName = nul < 0 ? text : text.slice(0, nul);
      continue;
    }
    if (type === 'x') {
      const text = body.toString('utf8');
      const at = text.indexOf(' path=');
      if (at >= 0) longName = text.slice(at + 6, text.indexOf('\n', at));
      continue;
    }
    if (type === 'g') continue;
    if (type !== '0' && type !== '\0' && type !== '7') continue;
    name = name.replace(/^\.\//, '');
    paths.push(name);
    if (want(name) && size <= 1024 * 1024) files.set(name, body.toString('utf8'));
  }
  return { paths, files };
}

/** Files of a zip archive (an sdist .zip): every path, and the small text files asked for by `want`. */
export function readZip(
  zip: Buffer,
  want: (path: string) => boolean,
): { paths: string[]; files: Map<string, string> } {
  const paths: string[] = [];
  const files = new Map<string, string>();
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--)
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  if (end < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = zip.readUInt16LE(end + 10);
  let off = zip.readUInt32LE(end + 16);
  for (let k = 0; k < count && off + 46 <= zip.length; k++) {
    if (zip.readUInt32LE(off) !== 0x02014b50) throw new Error('damaged zip central directory');
    const method = zip.readUInt16LE(off + 10);
    const packed = zip.readUInt32LE(off + 20);
    const size = zip.readUInt32LE(off + 24);
    const nameLen = zip.readUInt16LE(off + 28);
    const extraLen = zip.readUInt16LE(off + 30);
    const commentLen = zip.readUInt16LE(off + 32);
    const local = zip.readUInt32LE(off + 42);
    const name = zip.subarray(off + 46, off + 46 + nameLen).toString('utf8');
    off += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    paths.push(name);
    if (!want(name) || size > 1024 * 1024 || local + 30 > zip.length) continue;
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + packed);
    if (method === 0) files.set(name, data.toString('utf8'));
    else if (method === 8)
      files.set(name, inflateRawSync(data, { maxOutputLength: 1024 * 1024 }).toString('utf8'));
  }
  return { paths, files };
}

/** `build-backend` and `requires` of `[build-system]` (a plain line reading: these are simple keys). */
export function buildSystem(pyproject: string): { backend: string | undefined; requires: string[] } {
  let inSection = false;
  let backend: string | undefined;
  let requiresText = '';
  let inRequires = false;
  for (const raw of pyproject.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      if (inRequires) inRequires = false;
      inSection = line.replace(/\s/g, '') === '[build-system]';
      continue;
    }
    if (!inSection) continue;
    if (inRequires) {
      requiresText += ` ${line}`;
      if (line.includes(']')) inRequires = false;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'build-backend') backend = value.replace(/^["']|["']$/g, '');
    if (key === 'requires') {
      requiresText = value;
      inRequires = !value.includes(']');
    }
  }
  const requires = [...requiresText.matchAll(/["']([^"']*)["']/g)].map((m) => (m[1] ?? '').trim());
  return { backend, requires };
}

/** The verdict from an sdist's file list and its top-level pyproject.toml / setup.py. */
export function judgeSdist(paths: string[], files: Map<string, string>): CompilerVerdict {
  const top = (name: string) =>
    [...files.keys()].find((p) => p.split('/').length === 2 && p.endsWith(`/${name}`));
  const sources = paths.filter((p) => SOURCE_SUFFIXES.some((s) => p.endsWith(s)));
  const pyprojectPath = top('pyproject.toml');
  const setupPath = top('setup.py');
  const bs = pyprojectPath ? buildSystem(files.get(pyprojectPath) ?? '') : undefined;
  if (bs?.backend && COMPILING_BACKENDS[bs.backend])
    return { value: true, why: `build backend ${COMPILING_BACKENDS[bs.backend]}` };
  const req = bs?.requires.find((r) =>
    COMPILING_REQUIRES.includes(r.toLowerCase().split(/[\s<>=!~;[]/)[0] ?? ''),
  );
  if (req) return { value: true, why: `build requirement ${req}` };
  if (sources.length)
    return {
      value: true,
      why: `compiled sources (${sources
        .slice(0, 3)
        .map((p) => p.slice(p.indexOf('/') + 1))
        .join(', ')}${sources.length > 3 ? ', …' : ''})`,
    };
  const setup = setupPath ? (files.get(setupPath) ?? '') : '';
  if (/ext_modules|Extension\(|cythonize/.test(setup))
    return { value: true, why: 'setup.py builds extension modules' };
  if (bs?.backend && PURE_BACKENDS.has(bs.backend))
    return { value: false, why: `build backend ${bs.backend}, no compiled sources` };
  if (!bs?.backend && (setupPath || pyprojectPath))
    return { value: false, why: 'setuptools, no extension modules and no compiled sources' };
  if (bs?.backend) return { value: null, why: `build backend ${bs.backend} is not one crossdock knows` };
  return { value: null, why: 'the sdist has neither pyproject.toml nor setup.py at its top' };
}

async function inspect(url: string, filename: string, ctx: SdistContext): Promise<CompilerVerdict> {
  const key = `sdist-compiler:${url}`;
  const cached = await ctx.cache?.read(key);
  if (cached) {
    try {
      const v: unknown = JSON.parse(cached.body);
      const r = v as Record<string, unknown>;
      if ((r.value === true || r.value === false || r.value === null) && typeof r.why === 'string')
        return { value: r.value, why: r.why };
    } catch {
      /* re-inspect */
    }
  }
  if (ctx.offline) return { value: null, why: 'not inspected (offline, not in the cache)' };
  const lower = filename.toLowerCase();
  const kind =
    lower.endsWith('.tar.gz') || lower.endsWith('.tgz')
      ? 'tar.gz'
      : lower.endsWith('.zip')
        ? 'zip'
        : undefined;
  if (!kind) return { value: null, why: `not inspected (${filename} is neither .tar.gz nor .zip)` };
  const target = new URL(url);
  const creds = ctx.indexes.find((i) => i.credentials?.origin === target.origin)?.credentials;
  let verdict: CompilerVerdict;
  try {
    const answer = await get(target, {}, creds, SDIST_MAX_BYTES, ctx.http);
    if (answer.status !== 200)
      return { value: null, why: `not inspected (HTTP ${answer.status} for ${redactUrl(url)})` };
    const want = (p: string) => {
      const depth = p.split('/').length;
      return depth === 2 && (p.endsWith('/pyproject.toml') || p.endsWith('/setup.py'));
    };
    const { paths, files } =
      kind === 'zip'
        ? readZip(answer.body, want)
        : readTar(gunzipSync(answer.body, { maxOutputLength: UNPACKED_MAX_BYTES }), want);
    verdict = judgeSdist(paths, files);
  } catch (e) {
    return { value: null, why: `not inspected (${(e as Error).message})` };
  }
  await ctx.cache
    ?.write({
      url: key,
      contentType: 'application/x-crossdock-sdist-verdict',
      body: JSON.stringify(verdict),
      storedAt: ctx.now(),
      freshForMs: 365 * 24 * 3_600_000,
    })
    .catch(() => undefined);
  return verdict;
}

/** The compiler verdict for one sdist, inspected once per run and cached. */
export function needsCompiler(url: string, filename: string, ctx: SdistContext): Promise<CompilerVerdict> {
  let p = ctx.memo.get(url);
  if (!p) {
    p = inspect(url, filename, ctx);
    ctx.memo.set(url, p);
  }
  return p;
}
