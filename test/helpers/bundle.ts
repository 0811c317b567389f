import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What users run: bin/crossdock.js over bundle/ (scripts/bundle.mjs, part of `npm run build`). A missing or stale
 * bundle is a failure, never a skip (npm test, i.e. scripts/run-tests.mjs, builds it first).
 */
export const root = fileURLToPath(new URL('../../', import.meta.url));
export const bin = join(root, 'bin/crossdock.js');
const entry = join(root, 'bundle/crossdock.js');

/** The newest modification time under a folder. */
export function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function assertBundleFresh(): void {
  assert.ok(existsSync(entry), 'bundle/ is not built: run `npm run build` (npm test builds it first)');
  assert.ok(
    newest(join(root, 'src')) <= statSync(entry).mtimeMs,
    'bundle/ is older than src/: run `npm run build` (npm test builds it first)',
  );
}

/** esbuild's metafile for bundle/: for each output file, the sources it holds and the files it imports. */
export interface BundleMeta {
  outputs: Record<
    string,
    {
      entryPoint?: string;
      inputs: Record<string, unknown>;
      imports: { path: string; kind: string; external?: boolean }[];
    }
  >;
}

export function bundleMeta(): BundleMeta {
  return JSON.parse(readFileSync(join(root, 'bundle/meta.json'), 'utf8')) as BundleMeta;
}

/** The output files (`bundle/…`) loaded when `file` is: itself and its static imports, transitively. */
export function staticClosure(meta: BundleMeta, file: string): string[] {
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const i of meta.outputs[f]?.imports ?? [])
      if (i.kind === 'import-statement' && meta.outputs[i.path]) visit(i.path);
  };
  visit(file);
  return [...seen];
}

/** The sources (`src/…`, `node_modules/…`) held by these output files. */
export function inputsOf(meta: BundleMeta, files: string[]): string[] {
  return [...new Set(files.flatMap((f) => Object.keys(meta.outputs[f]?.inputs ?? {})))].sort();
}

// Loaded with --import: a module hook that appends the URL of every module the process imports (bin/crossdock.js,
// the bundle files, node:… builtins) to $CROSSDOCK_TEST_MODULES, one a line.
const HOOKS =
  "import{appendFileSync}from'node:fs';export async function load(url,context,next){appendFileSync(process.env.CROSSDOCK_TEST_MODULES,url+'\\n');return next(url,context)}";
const RECORD_MODULES = `data:text/javascript,import{register}from'node:module';register(${encodeURIComponent(JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`))})`;

/**
 * Runs bin/crossdock.js as a process. `loaded`: the files of bundle/ it loaded (as `bundle/…`, the metafile's
 * names), in load order; `builtins`: the node builtins the bundle and bin/ import (`node:fs`, ...).
 */
export function runBin(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): { status: number | null; stdout: string; stderr: string; loaded: string[]; builtins: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-modules-'));
  const log = join(dir, 'modules');
  try {
    const r = spawnSync(process.execPath, ['--import', RECORD_MODULES, bin, ...argv], {
      cwd: options.cwd ?? root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...options.env, CROSSDOCK_TEST_MODULES: log },
      timeout: 60_000,
    });
    const urls = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    const loaded = urls
      .filter((u) => u.startsWith('file:'))
      .map((u) => relative(root, fileURLToPath(u)))
      .filter((p) => p.startsWith('bundle/'));
    const builtins = [...new Set(urls.filter((u) => u.startsWith('node:')))];
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded, builtins };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
