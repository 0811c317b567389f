import { fileURLToPath } from 'node:url';

/**
 * A file shipped in the package (`data/…`, `docs/…`), as an absolute path. Every place crossdock's code runs
 * from is one folder below the package root: src/ (tsx), dist/ (tsc, the library), bundle/ (esbuild, the CLI)
 * and bench/work/stryker-js/src (mutation testing, which copies data/ beside it); this module, or the bundle
 * chunk it is inlined into, resolves `../<path>` from there. test/cli/bundle.test.ts runs the bundle on files
 * that need data/ and docs/.
 */
export function packagePath(path: string): string {
  return fileURLToPath(new URL(`../${path}`, import.meta.url));
}
