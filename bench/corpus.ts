/**
 * `npm run corpus`: the precision instrument. Materialises every repository of the corpus list
 * (`../shared/corpus/repos.json`, or CROSSDOCK_CORPUS_LIST) as a clean clone at its pinned commit, runs
 * `crossdock check --format json` on it as a whole process, and writes per-repository counts by rule and
 * severity, the number of files parsed and the wall time to bench/corpus.json. Every finding is kept in
 * bench/work/corpus/<owner+name>.json (not committed) for judging; bench/precision.md records the judgements.
 *
 * Where a repository comes from, first match wins:
 *   1. CROSSDOCK_CORPUS_MIRROR (default `../.mirror` next to this checkout): `<owner>+<name>/repo` or
 *      `<owner>+<name>`, a git directory holding the pinned commit;
 *   2. https://github.com/<owner>/<name>.git (needs network).
 * Clones go to CROSSDOCK_CORPUS_WORK (default: <tmp>/crossdock-corpus). CROSSDOCK_CORPUS_ONLY=<owner/name>[,...]
 * limits the run. The test suite never depends on these repositories.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '..');
const bin = join(root, 'bin', 'crossdock.js');
const work = join(here, 'work', 'corpus');

interface Entry {
  repo: string;
  commit: string;
  why?: string;
}

interface Finding {
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  reachable?: boolean;
}

function fail(message: string): never {
  process.stderr.write(`corpus: ${message}\n`);
  process.exit(2);
}

function git(args: string[], cwd?: string): { ok: boolean; out: string } {
  const p = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: p.status === 0, out: `${p.stdout ?? ''}${p.stderr ?? ''}`.trim() };
}

function readList(): Entry[] {
  const path = resolve(
    process.env.CROSSDOCK_CORPUS_LIST ?? join(root, '..', 'shared', 'corpus', 'repos.json'),
  );
  if (!existsSync(path))
    fail(
      `no corpus list at ${path}: set CROSSDOCK_CORPUS_LIST to the repos.json that lists the repositories`,
    );
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    fail(`${path} is not JSON: ${(e as Error).message}`);
  }
  const list = (json as { repositories?: unknown }).repositories;
  if (!Array.isArray(list)) fail(`${path}: expected { "repositories": [{ "repo", "commit" }, ...] }`);
  const out: Entry[] = [];
  for (const [i, e] of list.entries()) {
    const r = e as Partial<Entry>;
    if (typeof r.repo !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(r.repo))
      fail(`${path}: repositories[${i}].repo must be "owner/name"`);
    if (typeof r.commit !== 'string' || !/^[0-9a-f]{40}$/.test(r.commit))
      fail(`${path}: repositories[${i}].commit must be a full 40-hex commit id`);
    out.push({ repo: r.repo, commit: r.commit, why: r.why });
  }
  const only = process.env.CROSSDOCK_CORPUS_ONLY?.split(',').map((s) => s.trim());
  return only ? out.filter((e) => only.includes(e.repo)) : out;
}

/** A clean clone at the pinned commit: cloned fresh every run, so nothing left over from a previous run counts. */
function materialise(e: Entry): string {
  const name = e.repo.replace('/', '+');
  // Outside this checkout, so that no tool of this project (tsc, biome, the test runner) ever reads them.
  const dest = join(process.env.CROSSDOCK_CORPUS_WORK ?? join(tmpdir(), 'crossdock-corpus'), name);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dirname(dest), { recursive: true });
  const mirror = resolve(process.env.CROSSDOCK_CORPUS_MIRROR ?? join(root, '..', '.mirror'));
  const candidates = [join(mirror, name, 'repo'), join(mirror, name)].filter((p) => existsSync(p));
  const sources = [...candidates, `https://github.com/${e.repo}.git`];
  for (const src of sources) {
    rmSync(dest, { recursive: true, force: true });
    if (!git(['clone', '--quiet', '--no-checkout', src, dest]).ok) continue;
    if (!git(['cat-file', '-e', `${e.commit}^{commit}`], dest).ok) continue;
    // A mirror may lack a few large blobs; the checkout still writes every file it has, and says which it lacks.
    const co = git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--force', e.commit], dest);
    if (!co.ok) process.stderr.write(`corpus: ${e.repo}: checkout incomplete (${co.out.split('\n')[0]})\n`);
    return dest;
  }
  fail(
    `${e.repo}@${e.commit.slice(0, 12)}: not found in ${mirror} nor on GitHub; put a clone at ${join(mirror, name)} or set CROSSDOCK_CORPUS_MIRROR`,
  );
}

function main(): void {
  if (!existsSync(join(root, 'bundle', 'crossdock.js'))) fail('run `npm run build` first');
  const list = readList();
  const repos: Record<string, unknown>[] = [];
  mkdirSync(work, { recursive: true });
  for (const e of list) {
    const dir = materialise(e);
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [bin, 'check', dir, '--format', 'json', '--fail-on', 'never'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const wallMs = Math.round(performance.now() - t0);
    if (p.status !== 0)
      fail(`${e.repo}: crossdock check exited ${p.status}: ${p.stderr.trim().slice(0, 2000)}`);
    const result = JSON.parse(p.stdout) as { findings: Finding[]; summary: { files: number } };
    writeFileSync(join(work, `${e.repo.replace('/', '+')}.json`), p.stdout);
    const byRule: Record<string, { error: number; warning: number; info: number; unreached: number }> = {};
    for (const f of result.findings) {
      const c = byRule[f.ruleId] ?? { error: 0, warning: 0, info: 0, unreached: 0 };
      byRule[f.ruleId] = c;
      c[f.severity]++;
      if (f.reachable === false) c.unreached++;
    }
    const total = (s: Finding['severity']) => result.findings.filter((f) => f.severity === s).length;
    const tracked = git(['ls-files'], dir).out.split('\n').filter(Boolean).length;
    repos.push({
      repo: e.repo,
      commit: e.commit,
      trackedFiles: tracked,
      parsedFiles: result.summary.files,
      wallMs,
      error: total('error'),
      warning: total('warning'),
      info: total('info'),
      byRule: Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => (a < b ? -1 : 1))),
    });
    process.stdout.write(
      `${e.repo}: ${total('error')} errors, ${total('warning')} warnings, ${total('info')} info, ${tracked} files, ${wallMs} ms\n`,
    );
  }
  const sum = (k: 'error' | 'warning' | 'info' | 'wallMs') => repos.reduce((n, r) => n + (r[k] as number), 0);
  const out = {
    version: 1,
    crossdock: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
    generatedAt: new Date().toISOString(),
    totals: {
      repositories: repos.length,
      error: sum('error'),
      warning: sum('warning'),
      info: sum('info'),
      wallMs: sum('wallMs'),
    },
    repositories: repos,
  };
  writeFileSync(join(here, 'corpus.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(
    `total: ${out.totals.error} errors, ${out.totals.warning} warnings, ${out.totals.info} info in ${repos.length} repositories; written to bench/corpus.json\n`,
  );
}

main();
