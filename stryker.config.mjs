// Mutation testing (`npm run mutation`, outside CI: it takes hours). bench/mutation.ts runs one scope at a time
// through STRYKER_SCOPE; each scope mutates one source folder and runs the test files that exercise it.
const scopes = {
  rules: {
    mutate: ['src/rules/**/*.ts'],
    testFiles: ['test/rules/**/*.test.ts', 'test/engine/facts.test.ts'],
  },
  registry: {
    mutate: ['src/registry/**/*.ts'],
    testFiles: ['test/registry/**/*.test.ts'],
  },
  build: {
    mutate: ['src/build/**/*.ts'],
    testFiles: ['test/build/**/*.test.ts'],
  },
};
const scope = scopes[process.env.STRYKER_SCOPE ?? 'rules'];
if (!scope) throw new Error(`STRYKER_SCOPE must be one of ${Object.keys(scopes).join(', ')}`);

export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  tap: { testFiles: process.env.STRYKER_TESTS?.split(',') ?? scope.testFiles, nodeArgs: ['--import', 'tsx'] },
  mutate: process.env.STRYKER_MUTATE?.split(',') ?? scope.mutate,
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  timeoutMS: 60_000,
  reporters: ['json', 'clear-text'],
  jsonReporter: { fileName: `bench/work/mutation-${process.env.STRYKER_SCOPE ?? 'rules'}.json` },
  incremental: true,
  incrementalFile: `bench/work/stryker-incremental-${process.env.STRYKER_SCOPE ?? 'rules'}.json`,
  tempDirName: 'bench/work/stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['bench/work', 'dist', '.scratch', 'examples/**/node_modules'],
};
