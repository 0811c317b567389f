/**
 * `npm run mutation`: mutation testing with Stryker over the scopes of stryker.config.mjs (severity, registry,
 * build, rules), one after the other, then a summary in bench/mutation.json: per scope and per file, mutants killed,
 * survived, timed out, not covered, the score, the wall time, and every surviving mutant (file:line, mutator,
 * replacement) for judging. Slow (hours for `rules`): outside CI. Incremental: a re-run tests only mutants in
 * changed code (bench/work/stryker-incremental-<scope>.json). MUTATION_SCOPES=rules,registry limits the run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
const scopes = (process.env.MUTATION_SCOPES ?? 'severity,registry,build,rules')
  .split(',')
  .map((s) => s.trim());

interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}
interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}

function summarise(report: Report) {
  const count = (ms: Mutant[], s: string) => ms.filter((m) => m.status === s).length;
  const files: Record<string, unknown> = {};
  const all: Mutant[] = [];
  const survivors: string[] = [];
  for (const [file, f] of Object.entries(report.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    all.push(...f.mutants);
    const killed = count(f.mutants, 'Killed') + count(f.mutants, 'Timeout');
    const valid = f.mutants.filter(
      (m) => !['CompileError', 'RuntimeError', 'Ignored'].includes(m.status),
    ).length;
    files[file] = {
      mutants: f.mutants.length,
      killed: count(f.mutants, 'Killed'),
      timeout: count(f.mutants, 'Timeout'),
      survived: count(f.mutants, 'Survived'),
      noCoverage: count(f.mutants, 'NoCoverage'),
      score: valid ? Math.round((killed / valid) * 1000) / 10 : null,
    };
    for (const m of f.mutants)
      if (m.status === 'Survived' || m.status === 'NoCoverage')
        survivors.push(
          `${file}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}${m.replacement ? ` → ${m.replacement.replace(/\s+/g, ' ').slice(0, 80)}` : ''}`,
        );
  }
  const killed = count(all, 'Killed') + count(all, 'Timeout');
  const valid = all.filter((m) => !['CompileError', 'RuntimeError', 'Ignored'].includes(m.status)).length;
  return {
    mutants: all.length,
    killed: count(all, 'Killed'),
    timeout: count(all, 'Timeout'),
    survived: count(all, 'Survived'),
    noCoverage: count(all, 'NoCoverage'),
    errors: count(all, 'CompileError') + count(all, 'RuntimeError'),
    score: valid ? Math.round((killed / valid) * 1000) / 10 : null,
    files,
    survivors,
  };
}

const out: Record<string, unknown> = existsSync(join(here, 'mutation.json'))
  ? (JSON.parse(readFileSync(join(here, 'mutation.json'), 'utf8')) as Record<string, unknown>)
  : {};
const results = (out.scopes as Record<string, unknown> | undefined) ?? {};
// Scopes are run separately (hours for all of them): each records the commit it measured.
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: root,
  encoding: 'utf8',
}).stdout.trim();
// MUTATION_REPORT_ONLY=<commit>: summarise reports already in bench/work (a run made elsewhere, at that commit).
const reportOnly = process.env.MUTATION_REPORT_ONLY;
for (const scope of scopes) {
  const t0 = Date.now();
  process.stdout.write(`mutation: scope ${scope}…\n`);
  const r = reportOnly
    ? { status: 0 }
    : spawnSync('npx', ['stryker', 'run'], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, STRYKER_SCOPE: scope },
      });
  if (r.status !== 0) {
    process.stderr.write(`mutation: stryker failed for scope ${scope} (exit ${r.status})\n`);
    process.exit(2);
  }
  const report = JSON.parse(readFileSync(join(root, `bench/work/mutation-${scope}.json`), 'utf8')) as Report;
  const previous = results[scope] as { wallMinutes?: number } | undefined;
  results[scope] = {
    ...summarise(report),
    commit: reportOnly ?? commit,
    measuredAt: new Date().toISOString(),
    wallMinutes: reportOnly ? (previous?.wallMinutes ?? null) : Math.round((Date.now() - t0) / 6000) / 10,
  };
}
writeFileSync(
  join(here, 'mutation.json'),
  `${JSON.stringify({ version: 1, generatedAt: new Date().toISOString(), scopes: results }, null, 2)}\n`,
);
process.stdout.write('mutation: written to bench/mutation.json\n');
