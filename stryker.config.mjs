// Mutation testing (`npm run mutation`, outside CI: it takes hours). bench/mutation.ts runs one scope at a time
// through STRYKER_SCOPE; each scope mutates one source folder and runs the test files that exercise it.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// Compiled tests run from bench/work/stryker-js, where test/helpers/images.ts would look for the busybox packages
// under a folder that does not exist: point it at the checkout's (the runners inherit this environment).
process.env.CROSSDOCK_TEST_DEBS ??= resolve('.cache/debs');

/** Every line of src/rules that sets a severity (`severity: 'error'`, `severity: x ? 'warning' : 'info'`). */
function severityLines() {
  const out = [];
  for (const f of readdirSync('src/rules').sort()) {
    if (!f.endsWith('.ts')) continue;
    readFileSync(`src/rules/${f}`, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/^\s*severity:/.test(line)) out.push(`src/rules/${f}:${i + 1}-${i + 1}`);
      });
  }
  return out;
}

const scopes = {
  rules: {
    mutate: ['src/rules/**/*.ts'],
    testFiles: ['test/rules/**/*.test.ts', 'test/engine/facts.test.ts'],
  },
  // A severity flip anywhere in src/rules: only the lines that set one are mutated, against the rule tests, the
  // facts cases (both compare every finding's severity).
  severity: {
    mutate: severityLines(),
    testFiles: ['test/rules/**/*.test.ts', 'test/engine/facts.test.ts'],
  },
  // The registry and build suites drive real registries and engines (seconds to minutes per file), so these
  // scopes mutate what their fast tests pin: digest verification on every read and every push, references and
  // policies; failure classification, redaction, configuration, routing and tag templates, the layer cache.
  registry: {
    mutate: [
      'src/registry/digest.ts',
      'src/registry/reference.ts',
      'src/registry/policy.ts',
      'src/registry/client.ts:426-560',
      'src/registry/client.ts:700-760',
    ],
    testFiles: [
      'test/registry/policy.test.ts',
      'test/registry/digest.test.ts',
      'test/registry/client.test.ts',
      'test/registry/token-scope.test.ts',
      'test/registry/integrity.test.ts',
      'test/registry/faults.test.ts',
    ],
  },
  build: {
    mutate: [
      'src/build/log.ts',
      'src/build/redact.ts',
      'src/build/progress.ts',
      'src/build/cache.ts',
      'src/build/config.ts',
      'src/build/plan.ts:151-211',
      'src/build/plan.ts:523-553',
    ],
    testFiles: [
      'test/build/log.test.ts',
      'test/build/steplog.test.ts',
      'test/build/config.test.ts',
      'test/build/config-errors.test.ts',
      'test/build/routing.test.ts',
      'test/build/plan-git.test.ts',
      'test/build/progress.test.ts',
      'test/build/progress-frames.test.ts',
      'test/build/cache.test.ts',
      'test/build/cache-entries.test.ts',
      'test/build/redact.test.ts',
    ],
  },
};
const scope = scopes[process.env.STRYKER_SCOPE ?? 'rules'];
// STRYKER_TAG names the report and the incremental file (bench/mutation-files.ts runs one per source file).
const tag = process.env.STRYKER_TAG ?? process.env.STRYKER_SCOPE ?? 'rules';
if (!scope) throw new Error(`STRYKER_SCOPE must be one of ${Object.keys(scopes).join(', ')}`);

export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  // Sources and tests are compiled once per sandbox (tsc keeps Stryker's mutant switches), so each test file runs
  // in plain node: about 0.7 s per file instead of 2 s through tsx.
  // data/ goes next to them (bench/stryker-build.mjs).
  buildCommand: 'node bench/stryker-build.mjs',
  tap: {
    testFiles: (process.env.STRYKER_TESTS?.split(',') ?? scope.testFiles).map(
      (f) => `bench/work/stryker-js/${f.replace(/\.ts$/, '.js')}`,
    ),
    nodeArgs: [],
  },
  mutate: process.env.STRYKER_MUTATE?.split(',') ?? scope.mutate,
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  timeoutMS: 60_000,
  reporters: ['json', 'clear-text', 'progress-append-only'],
  jsonReporter: { fileName: `bench/work/mutation-${tag}.json` },
  incremental: true,
  incrementalFile: `bench/work/stryker-incremental-${tag}.json`,
  tempDirName: 'bench/work/stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['bench/work', 'dist', '.scratch', 'examples/**/node_modules'],
};
