#!/usr/bin/env node
// Builds the CLI users run (`npm run build` runs it after tsc): src/cli/process.ts and everything it imports,
// dependencies included, bundled by esbuild as ES modules into bundle/:
//
//   bundle/crossdock.js       the entry bin/crossdock.js imports: argument parsing, --help, --version, errors
//   bundle/<command>-*.js     one file per command module (check, build, inspect, ...), loaded by import() when
//   bundle/chunk-*.js         that command runs, and the code they share (code splitting)
//   bundle/THIRD-PARTY-LICENSES.txt  the licence of every dependency the bundle contains
//   bundle/meta.json          esbuild's metafile: which sources each file holds (test/cli/bundle.test.ts reads it;
//                             not published: package.json `files` lists the two above only)
//
// Every file sits one folder below the package root, like src/ and dist/, so src/paths.ts finds data/ and docs/
// from the bundle too. dist/ (tsc, with type declarations) stays the library entry (`main`, `exports`).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'bundle');

// Chunk names carry content hashes: a fresh folder, so no stale chunk is left behind (or published).
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir);
const result = await build({
  absWorkingDir: root,
  entryPoints: { crossdock: 'src/cli/process.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // Bundled CommonJS dependencies require() node builtins (path, ...): ES modules have no `require`, so each
  // output file makes one.
  banner: {
    js: "import { createRequire as __crossdockCreateRequire } from 'node:module';\nconst require = __crossdockCreateRequire(import.meta.url);",
  },
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(join(outdir, 'meta.json'), `${JSON.stringify(result.metafile, null, 1)}\n`);

// The bundle copies its dependencies' code, so it carries their licences.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.add(m[1]);
}
const notices = [...packages].sort().map((name) => {
  const dir = join(root, 'node_modules', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  // Every licence file: a dual-licensed package (LICENSE pointing at LICENSE.APACHE and LICENSE.BSD) ships each text.
  const licenseFiles = readdirSync(dir)
    .filter((f) => /^licen[cs]e/i.test(f))
    .sort();
  if (!licenseFiles.length) throw new Error(`bundle: ${name} has no licence file to include`);
  const text = licenseFiles.map((f) => readFileSync(join(dir, f), 'utf8').trim()).join('\n\n');
  return `${name} ${pkg.version} (${pkg.license})\n${'-'.repeat(78)}\n${text}\n`;
});
writeFileSync(
  join(outdir, 'THIRD-PARTY-LICENSES.txt'),
  `crossdock's CLI bundle (bundle/*.js) contains these packages:\n\n${notices.join('\n\n')}`,
);
const files = Object.entries(result.metafile.outputs);
const kb = (n) => `${Math.round(n / 1024)} KB`;
const entry = files.find(([, o]) => o.entryPoint === 'src/cli/process.ts');
console.log(
  `bundle: ${files.length} files, ${kb(files.reduce((n, [, o]) => n + o.bytes, 0))}; entry ${entry?.[0]} ${kb(entry?.[1].bytes ?? 0)}`,
);
