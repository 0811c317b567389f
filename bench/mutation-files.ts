/**
 * `npm run mutation:files`: the `rules` mutation scope one source file at a time. Each src/rules/<rule>.ts runs
 * against its own tests (test/rules/<rule>.test.ts and test/rules/<rule>-*.test.ts), the facts cases, the
 * severity table and the rule metadata test; its report lands in bench/work/mutation-rules-<rule>.json as soon as it is done, so a long run can
 * be read (and acted on) while it goes on. Files run largest first; every run is whole (`--force`, see below).
 * MUTATION_FILES=a,b limits the run to those rules. Then every per-file report present is merged into the `rules`
 * scope of bench/mutation.json (bench/mutation.ts summarises it).
 *
 * A mutant that only another rule's test would kill counts as survived here: the per-file score is a lower bound of
 * the whole-scope one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
// The metadata test pins every rule's summary, hint and category (against the README's family table).
const shared = ['test/engine/facts.test.ts', 'test/rules/rule-severities.test.ts', 'test/meta/rules.test.ts'];
const only = process.env.MUTATION_FILES?.split(',').map((s) => s.trim());
const tests = readdirSync(join(root, 'test/rules')).filter((f) => f.endsWith('.test.ts'));

const rules = readdirSync(join(root, 'src/rules'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((r) => !only || only.includes(r))
  .sort(
    (a, b) =>
      statSync(join(root, 'src/rules', `${b}.ts`)).size - statSync(join(root, 'src/rules', `${a}.ts`)).size,
  );

for (const rule of rules) {
  const own = tests
    .filter((t) => t === `${rule}.test.ts` || t.startsWith(`${rule}-`))
    .map((t) => `test/rules/${t}`);
  // A file without tests of its own (the rule list) runs against every rule test.
  const files = own.length ? [...own, ...shared] : [...tests.map((t) => `test/rules/${t}`), ...shared];
  const t0 = Date.now();
  process.stdout.write(`mutation: ${rule} against ${files.length} test files…\n`);
  // --force: Stryker's incremental mode keeps a mutant's old result when its code is unchanged, but with the TAP
  // runner it does not see that a test file changed, so a mutant a new test kills would stay "survived".
  const r = spawnSync('npx', ['stryker', 'run', '--force'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      STRYKER_SCOPE: 'rules',
      STRYKER_TAG: `rules-${rule}`,
      STRYKER_MUTATE: `src/rules/${rule}.ts`,
      STRYKER_TESTS: [...new Set(files)].join(','),
    },
  });
  if (r.status !== 0) {
    process.stderr.write(`mutation: stryker failed for ${rule} (exit ${r.status})\n`);
    process.exit(2);
  }
  process.stdout.write(`mutation: ${rule} done in ${Math.round((Date.now() - t0) / 1000)} s\n`);
}

// Merge every per-file report into one, for bench/mutation.ts to summarise as the `rules` scope.
const merged: { files: Record<string, unknown> } = { files: {} };
for (const f of readdirSync(join(root, 'bench/work'))) {
  const m = /^mutation-rules-(.+)\.json$/.exec(f);
  if (!m || !existsSync(join(root, 'src/rules', `${m[1]}.ts`))) continue;
  const report = JSON.parse(readFileSync(join(root, 'bench/work', f), 'utf8')) as {
    files: Record<string, unknown>;
  };
  Object.assign(merged.files, report.files);
}
writeFileSync(join(root, 'bench/work/mutation-rules.json'), JSON.stringify(merged));
process.stdout.write(
  `mutation: ${Object.keys(merged.files).length} per-file reports merged into bench/work/mutation-rules.json\n`,
);
