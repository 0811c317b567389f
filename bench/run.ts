/**
 * `npm run bench`: generates git repositories of 5,000 / 10,000 / 20,000 / 40,000 files (1.5% of them Dockerfiles,
 * requirements and pyproject files, like a large monorepo, plus 200 YAML files), runs `crossdock check` on each as
 * a whole process several times, and writes median wall time and peak RSS to bench/results.json (merged with
 * other benchmarks). Per size: `cold` (an empty check cache before every run), `warm` (the cache the previous run
 * left, nothing changed) and `touched` (one Dockerfile changed, not committed, before every run, so nothing about
 * that file can be reused; the rest comes from the cache). The cache lives in a folder of the benchmark's own
 * (CROSSDOCK_CACHE_DIR).
 * Other parts: `startup` (`crossdock --version` against `node -e 0`), `copy` (bench/copy.ts), `build` (bench/build.ts),
 * `smoke` (bench/smoke.ts; build and smoke need the engine: scripts/start-engine.sh) and `deps` (bench/deps.ts: the
 * `crossdock deps` verdict engine against a local package index, cold and warm).
 * BENCH=startup|check|copy|build|smoke|deps (or BENCH_ONLY, or a comma-separated list) runs only those parts; the others' figures
 * already in bench/results.json are kept. The check part also times one Dockerfile of
 * BENCH_DOCKERFILE_INSTRUCTIONS (600) instructions. BENCH_SIZES=5000,20000 picks the sizes, BENCH_RUNS (7) the
 * runs per case. BENCH_BASELINE=<path to another build's bin/crossdock.js> times that build too, its runs
 * interleaved with this one's, so a before/after comparison sees the same machine load (a shared machine makes
 * absolute figures noisy; the interleaved ratio is the figure to trust).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBench } from './build.js';
import { copyBench } from './copy.js';
import { depsBench } from './deps.js';
import { smokeBench } from './smoke.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const bin = join(here, '..', 'bin', 'crossdock.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PARTS = ['startup', 'check', 'copy', 'build', 'smoke', 'deps'] as const;
const only = (process.env.BENCH ?? process.env.BENCH_ONLY)
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const wants = (part: (typeof PARTS)[number]) => !only?.length || only.includes(part);

function dockerfile(i: number): string {
  return [
    `ARG PY=3.${10 + (i % 3)}`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile ARG reference, not a template
    'FROM python:${PY}-slim AS build',
    'WORKDIR /src',
    'COPY requirements.txt .',
    'RUN pip install --default-timeout=100 --prefix=/install -r requirements.txt',
    'FROM python:3.12-slim',
    'COPY --from=build /install /usr/local',
    'COPY app/ /app/',
    'RUN apt-get update \\',
    ...Array.from({ length: 25 }, (_v, k) => `    && echo step-${k} \\`),
    '    && rm -rf /var/lib/apt/lists/*',
    'CMD ["python", "-m", "app"]',
    '',
  ].join('\n');
}

export function generate(root: string, total: number): number {
  const relevant = Math.round(total * 0.015);
  const services = Math.ceil(relevant / 3);
  let written = 0;
  const write = (p: string, text: string) => {
    const abs = join(root, p);
    mkdirSync(join(abs, '..'), { recursive: true });
    writeFileSync(abs, text);
    written++;
  };
  for (let s = 0; s < services; s++) {
    write(`services/svc-${s}/Dockerfile`, dockerfile(s));
    write(
      `services/svc-${s}/requirements.txt`,
      Array.from({ length: 30 }, (_v, k) => `package-${k}==${k}.0.${s}`).join('\n'),
    );
    write(
      `services/svc-${s}/pyproject.toml`,
      `[project]\nname = "svc-${s}"\nrequires-python = ">=3.10"\ndependencies = ["fastapi>=0.110"]\n`,
    );
    write(`services/svc-${s}/app/__init__.py`, '');
  }
  // 200 YAML files: Kubernetes manifests, compose files and workflows (part 2 of check reads them all).
  for (let y = 0; y < 200; y++) {
    const s = y % services;
    if (y < 150)
      write(
        `deploy/svc-${y}.yaml`,
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          `metadata: { name: svc-${y} }`,
          'spec:',
          '  replicas: 2',
          '  template:',
          `    metadata: { labels: { app: svc-${y} } }`,
          '    spec:',
          '      containers:',
          `        - name: app`,
          `          image: registry.example.com/team/svc-${s}:1.0.${s}`,
          '          ports: [{ containerPort: 8000, name: http }]',
          '          readinessProbe: { httpGet: { path: /healthz, port: http } }',
          '          securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 10001 }',
          '---',
          'apiVersion: v1',
          'kind: Service',
          `metadata: { name: svc-${y} }`,
          `spec: { selector: { app: svc-${y} }, ports: [{ port: 80, targetPort: http }] }`,
          '',
        ].join('\n'),
      );
    else if (y < 180)
      write(
        `compose/compose.svc-${y}.yaml`,
        `services:\n  svc:\n    build: { context: ../services/svc-${s} }\n    image: registry.example.com/team/svc-${s}:1.0.${s}\n    ports: ["8000:8000"]\n`,
      );
    else
      write(
        `.github/workflows/svc-${y}.yml`,
        [
          'on: [push]',
          'jobs:',
          '  image:',
          '    runs-on: ubuntu-24.04',
          '    timeout-minutes: 30',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          `          context: services/svc-${s}`,
          '          platforms: linux/amd64',
          `          tags: registry.example.com/team/svc-${s}:1.0.${s}`,
          '',
        ].join('\n'),
      );
  }
  for (let i = 0; written < total; i++)
    write(`src/pkg-${i % 200}/module_${i}.py`, `def f_${i}():\n    return ${i}\n`);
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'b',
        GIT_AUTHOR_EMAIL: 'b@b',
        GIT_COMMITTER_NAME: 'b',
        GIT_COMMITTER_EMAIL: 'b@b',
      },
    });
    if (r.status !== 0) throw new Error(`git ${args[0]}: ${r.stderr}`);
  };
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'bench');
  return services * 3;
}

/**
 * One Dockerfile of about `n` instructions (ARG/ENV/WORKDIR/COPY/RUN groups, then a stage copying each group's
 * output): the per-instruction cost of evaluating a stage (variables, WORKDIR, copies), which was once quadratic
 * or worse (~40 s at 600 instructions).
 */
function generateLargeDockerfile(root: string, n: number): void {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile ARG reference, not a template
  const lines = ['ARG PY=3.12', 'FROM python:${PY}-slim AS build', 'WORKDIR /src'];
  let k = 0;
  while (lines.length < n / 2) {
    lines.push(
      `ARG V${k}=${k}`,
      `ENV E${k}=/opt/e\${V${k}}`,
      `WORKDIR /src/w${k}`,
      `COPY f${k % 20}.txt requirements.txt ./`,
      `RUN mkdir -p $E${k}/out && pip install --default-timeout=100 -r requirements.txt`,
    );
    k++;
  }
  lines.push('FROM python:3.12-slim', 'WORKDIR /app');
  for (let j = 0; lines.length < n - 1; j++)
    lines.push(`ENV F${j}=/srv/f${j}`, `COPY --from=build /opt/e${j % k}/out $F${j}`);
  lines.push('CMD ["python", "-m", "app"]');
  writeFileSync(join(root, 'Dockerfile'), `${lines.join('\n')}\n`);
  writeFileSync(join(root, 'crossdock.yaml'), 'images:\n  reg/app:\n    context: .\n');
  writeFileSync(join(root, 'requirements.txt'), 'flask==3.0.0\n');
  for (let i = 0; i < 20; i++) writeFileSync(join(root, `f${i}.txt`), 'x\n');
}

/** A measurement as one row: this build's figures, and the baseline's (interleaved runs) when one was timed. */
function flat(m: { current: Measured; baseline?: Measured }): Record<string, unknown> {
  return { ...m.current, ...(m.baseline ? { baseline: m.baseline } : {}) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/**
 * Start-up time: `node bin/crossdock.js --version` (the bundle; nothing but argument parsing is loaded) against
 * `node -e 0` (node itself), alternated so both see the same machine load, BENCH_STARTUP_RUNS (15) times each.
 */
function measureStartup() {
  const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
  const time = (args: string[]) => {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (p.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${p.stderr}`);
    return ms;
  };
  const node: number[] = [];
  const version: number[] = [];
  for (let r = 0; r < runs; r++) {
    node.push(time(['-e', '0']));
    version.push(time([bin, '--version']));
  }
  const nodeMs = Math.round(median(node));
  const versionMs = Math.round(median(version));
  return {
    measuredAt: new Date().toISOString(),
    node: process.version,
    runs,
    target: 'crossdock --version within 1.5 × node -e 0 (medians, measured side by side)',
    nodeMedianMs: nodeMs,
    versionMedianMs: versionMs,
    nodeMinMaxMs: [Math.round(Math.min(...node)), Math.round(Math.max(...node))],
    versionMinMaxMs: [Math.round(Math.min(...version)), Math.round(Math.max(...version))],
    ratio: Math.round((median(version) / median(node)) * 100) / 100,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

interface Measured {
  medianMs: number;
  minMs: number;
  maxMs: number;
  peakRssMb: number;
  findings: number;
}

/** Where the check cache lives during the benchmark (CROSSDOCK_CACHE_DIR); set per size in main. */
let cacheDir = join(tmpdir(), `crossdock-bench-cache-${process.pid}`);

/** One `crossdock check` as a whole process: wall time, peak RSS (KiB) and the number of findings. */
function runCheck(cli: string, root: string): { ms: number; rssKb: number; findings: number } {
  const rssFile = join(root, '..', `rss-${process.pid}-${Date.now()}.txt`);
  const t0 = performance.now();
  const p = spawnSync(
    process.execPath,
    ['--import', join(here, 'rss.mjs'), cli, 'check', root, '--format', 'json', '--fail-on', 'never'],
    {
      encoding: 'utf8',
      env: { ...process.env, CROSSDOCK_BENCH_RSS: rssFile, CROSSDOCK_CACHE_DIR: cacheDir },
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const ms = performance.now() - t0;
  if (p.status !== 0) throw new Error(`crossdock check failed: ${p.stderr}`);
  const json: unknown = JSON.parse(p.stdout);
  const findings =
    typeof json === 'object' && json !== null && 'findings' in json && Array.isArray(json.findings)
      ? json.findings.length
      : 0;
  const rssKb = Number(readFileSync(rssFile, 'utf8').trim());
  rmSync(rssFile, { force: true });
  return { ms, rssKb, findings };
}

function summarize(runs: { ms: number; rssKb: number; findings: number }[]): Measured {
  const times = runs.map((r) => r.ms);
  return {
    medianMs: Math.round(median(times)),
    minMs: Math.round(Math.min(...times)),
    maxMs: Math.round(Math.max(...times)),
    peakRssMb: Math.round((Math.max(...runs.map((r) => r.rssKb)) / 1024) * 10) / 10,
    findings: runs.at(-1)?.findings ?? 0,
  };
}

/**
 * RUNS runs of each build (this one, then the baseline if any, alternating), `before` called ahead of every run.
 * The findings of both builds are compared: a faster build that finds something else is a failure.
 */
function measure(root: string, before: () => void = () => {}): { current: Measured; baseline?: Measured } {
  const baselineCli = process.env.BENCH_BASELINE;
  const current: ReturnType<typeof runCheck>[] = [];
  const baseline: ReturnType<typeof runCheck>[] = [];
  for (let r = 0; r < RUNS; r++) {
    before();
    current.push(runCheck(bin, root));
    if (baselineCli) {
      before();
      baseline.push(runCheck(baselineCli, root));
    }
  }
  const out = { current: summarize(current), ...(baselineCli ? { baseline: summarize(baseline) } : {}) };
  if (out.baseline && out.baseline.findings !== out.current.findings)
    throw new Error(`${root}: ${out.current.findings} findings, the baseline ${out.baseline.findings}`);
  return out;
}

function show(label: string, m: { current: Measured; baseline?: Measured }): void {
  const line = (x: Measured) =>
    `median ${x.medianMs} ms (min ${x.minMs}, max ${x.maxMs}), peak RSS ${x.peakRssMb} MB, ${x.findings} findings`;
  console.log(`${label}: ${line(m.current)}`);
  if (m.baseline)
    console.log(
      `${' '.repeat(label.length - 9)}baseline: ${line(m.baseline)} (ratio ${(m.current.medianMs / m.baseline.medianMs).toFixed(2)})`,
    );
}

async function main(): Promise<void> {
  // deps (bench/deps.ts) times the library in-process; every other part runs the bundled CLI.
  if (PARTS.some((p) => p !== 'deps' && wants(p)) && !existsSync(join(here, '..', 'bundle', 'crossdock.js')))
    throw new Error('run `npm run build` first');
  const unknown = only?.filter((p) => !(PARTS as readonly string[]).includes(p)) ?? [];
  if (unknown.length)
    throw new Error(`BENCH_ONLY: unknown part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`);
  const startup = wants('startup') ? measureStartup() : undefined;
  if (startup)
    console.log(
      `startup: node -e 0 median ${startup.nodeMedianMs} ms, crossdock --version median ${startup.versionMedianMs} ms, ratio ${startup.ratio} (${startup.runs} runs each)`,
    );
  const base = join(tmpdir(), `crossdock-bench-${process.pid}`);
  const sizes = (process.env.BENCH_SIZES ?? '5000,10000,20000,40000').split(',').map(Number);
  const check: Record<string, unknown>[] = [];
  try {
    for (const total of wants('check') ? sizes : []) {
      const root = join(base, `repo-${total}`);
      mkdirSync(root, { recursive: true });
      const relevant = generate(root, total);
      cacheDir = join(base, `cache-${total}`);
      // Cold: an empty cache before every run (the run fills it: its writing is in the figure).
      const cold = measure(root, () => rmSync(cacheDir, { recursive: true, force: true }));
      show(`check ${total} files (${relevant} relevant), cold`, cold);
      // Warm: the cache filled by the run before, nothing changed.
      runCheck(bin, root);
      const warm = measure(root);
      show(`check ${total} files (${relevant} relevant), warm`, warm);
      // A different line every time: the file's content is never one a run has seen.
      let touches = 0;
      const touched = measure(root, () =>
        appendFileSync(join(root, 'services/svc-0/Dockerfile'), `# touched ${++touches}\n`),
      );
      show(`check ${total} files (${relevant} relevant), one Dockerfile touched`, touched);
      check.push({ files: total, relevantFiles: relevant, runs: RUNS, case: 'cold', ...flat(cold) });
      check.push({ files: total, relevantFiles: relevant, runs: RUNS, case: 'warm', ...flat(warm) });
      check.push({
        files: total,
        relevantFiles: relevant,
        runs: RUNS,
        case: 'one Dockerfile touched',
        ...flat(touched),
      });
    }
    if (wants('check')) {
      const instructions = Number(process.env.BENCH_DOCKERFILE_INSTRUCTIONS ?? 600);
      const root = join(base, 'large-dockerfile');
      mkdirSync(root, { recursive: true });
      generateLargeDockerfile(root, instructions);
      // Cold every run: the figure is the cost of evaluating the Dockerfile.
      cacheDir = join(base, 'cache-large');
      const m = measure(root, () => rmSync(cacheDir, { recursive: true, force: true }));
      check.push({ case: `one Dockerfile of ${instructions} instructions`, runs: RUNS, ...flat(m) });
      show(`check one Dockerfile of ${instructions} instructions`, m);
    }
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept ${base}`);
    else rmSync(base, { recursive: true, force: true });
  }
  const copy = wants('copy') ? await copyBench(Number(process.env.BENCH_COPY_ROUNDS ?? 5)) : undefined;
  const build = wants('build') ? await buildBench(Number(process.env.BENCH_BUILD_ROUNDS ?? 3)) : undefined;
  const deps = wants('deps') ? await depsBench(Number(process.env.BENCH_DEPS_RUNS ?? 7)) : undefined;
  const smoke = wants('smoke') ? await smokeBench(Number(process.env.BENCH_SMOKE_ROUNDS ?? 3)) : undefined;
  // Read last: the parts not run keep the figures they have in the file.
  const out = join(here, 'results.json');
  const previous: unknown = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
  const merged = {
    ...(typeof previous === 'object' && previous !== null ? previous : {}),
    ...(startup ? { startup } : {}),
    ...(copy ? { copy } : {}),
    ...(build ? { build } : {}),
    ...(deps ? { deps } : {}),
    ...(smoke ? { smoke } : {}),
    ...(check.length
      ? {
          check: {
            measuredAt: new Date().toISOString(),
            node: process.version,
            cpus: (await import('node:os')).cpus().length,
            target:
              'cold median ≤ 500 ms, warm ≤ 250 ms, one file touched ≤ 300 ms, peak RSS ≤ 200 MB at 20,000 files (300 Python/Docker files + 200 YAML files); 40,000 files ≤ 2 × 20,000',
            cases:
              'cold: an empty check cache before every run (the run fills it); warm: the cache as the previous run left it, nothing changed; one Dockerfile touched: a new line appended to one Dockerfile (not committed) before every run, the cache warm',
            ...(process.env.BENCH_BASELINE ? { baseline: process.env.BENCH_BASELINE } : {}),
            results: check,
          },
        }
      : {}),
  };
  writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

// Run as a script (`npm run bench`); imported (tests, a profiling session), only `generate` is used.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
