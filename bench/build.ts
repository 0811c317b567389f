/**
 * Build benchmark (part of `npm run bench`): `crossdock build --push` of a copy of examples/build-sample for
 * linux/amd64 (native) and linux/arm64 (QEMU) on the local Docker engine, into a local registry (plain HTTP,
 * loopback). The copy's Dockerfile gets a CPU-bound step (a busybox shell loop) and a nonce build argument, so
 * every cold build really runs its steps. Each round: a cold build with the platforms in parallel and one with
 * them one after another (build.parallel: false), alternating which goes first, each into a fresh registry with
 * an empty layer cache; after the parallel one, a rebuild with one byte of src/app.sh changed. Reported: wall
 * times, sequential/parallel ratio, the rebuild against its cold build and its cached steps, and crossdock's own
 * overhead (run record phases.overheadMs: plan + index push + verify) and publish time.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { startRegistry } from '../test/helpers/registry.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '..');
const bin = join(repoRoot, 'bin', 'crossdock.js');
const sample = join(repoRoot, 'examples', 'build-sample');
const DOCKER = process.env.CROSSDOCK_DOCKER ?? '/usr/bin/docker';
/** Iterations of the busybox loop: ~2.5 s native on the bench machine (platform build ~3.7 s), ~29 s under QEMU. */
const LOOP = Number(process.env.BENCH_BUILD_LOOP ?? 2_500_000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

interface RunJson {
  status: string;
  durationMs: number;
  phases: {
    planMs: number;
    buildMs: number;
    publishMs: number;
    indexMs: number;
    verifyMs: number;
    overheadMs: number;
  };
  images: {
    status: string;
    platforms: {
      platform: string;
      mode: string;
      durationMs: number;
      buildMs: number;
      publishMs: number;
      retries: unknown[];
      steps: { name: string; durationMs: number | null; cached: boolean }[];
    }[];
  }[];
}

interface Measured {
  wallMs: number;
  record: RunJson;
}

/** The sample's Dockerfile with `ARG BENCH_NONCE` and a CPU-bound RUN step at the top of its build stage. */
function benchDockerfile(): string {
  const original = readFileSync(join(sample, 'Dockerfile'), 'utf8');
  const marker = /^FROM base AS build$/m;
  if (!marker.test(original)) throw new Error('examples/build-sample/Dockerfile has no `FROM base AS build`');
  return original.replace(
    marker,
    [
      'FROM base AS build',
      'ARG BENCH_NONCE',
      `ARG BENCH_LOOP=${LOOP}`,
      // Like a dependency install: before the sources are copied, so a source change does not rerun it. The nonce
      // goes into /out, so the runtime stage's COPY --from=build cannot hit BuildKit's content cache either.
      'RUN mkdir -p /out && echo "$BENCH_NONCE" > /out/nonce && i=0; while [ $i -lt $BENCH_LOOP ]; do i=$((i+1)); done',
    ].join('\n'),
  );
}

/** crossdock.yaml of the copy: the sample's, with its image entry moved to the bench registry. */
function writeConfig(ctx: string, repository: string, parallel: boolean): void {
  const doc = parse(readFileSync(join(sample, 'crossdock.yaml'), 'utf8')) as {
    build?: Record<string, unknown>;
    images?: Record<string, unknown>;
  };
  doc.build = { ...doc.build, parallel };
  doc.images = { [repository]: Object.values(doc.images ?? {})[0] ?? { context: '.' } };
  writeFileSync(join(ctx, 'crossdock.yaml'), stringify(doc));
}

/** Changes one byte of src/app.sh (toggles the case of its first letter "s"). */
function touchOneByte(ctx: string): void {
  const file = join(ctx, 'src', 'app.sh');
  const buf = readFileSync(file);
  const i = buf.findIndex((b) => b === 0x73 || b === 0x53);
  if (i < 0) throw new Error('src/app.sh has no letter s to change');
  buf[i] = buf[i] === 0x73 ? 0x53 : 0x73;
  writeFileSync(file, buf);
}

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', args, {
    cwd,
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
}

function crossdockBuild(
  work: string,
  ctx: string,
  label: string,
  args: string[],
  cacheDir: string,
): Measured {
  const meta = join(work, `${label}.json`);
  const t = performance.now();
  const p = spawnSync(process.execPath, [bin, 'build', ctx, '--metadata-file', meta, '--quiet', ...args], {
    encoding: 'utf8',
    env: { ...process.env, CROSSDOCK_CACHE_DIR: cacheDir, CROSSDOCK_DOCKER: DOCKER },
    timeout: 15 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - t;
  if (p.status !== 0)
    throw new Error(`crossdock build (${label}) failed (${p.status ?? p.signal}): ${p.stderr}\n${p.stdout}`);
  return { wallMs, record: JSON.parse(readFileSync(meta, 'utf8')) as RunJson };
}

function platformsOf(m: Measured): RunJson['images'][number]['platforms'] {
  return m.record.images.flatMap((i) => i.platforms);
}

function summarize(runs: Measured[]): Record<string, unknown> {
  const plats = [...new Set(runs.flatMap((r) => platformsOf(r).map((p) => p.platform)))];
  return {
    wallMedianMs: Math.round(median(runs.map((r) => r.wallMs))),
    wallRunsMs: runs.map((r) => Math.round(r.wallMs)),
    recordDurationMedianMs: Math.round(median(runs.map((r) => r.record.durationMs))),
    platforms: Object.fromEntries(
      plats.map((pl) => {
        const ps = runs.flatMap((r) => platformsOf(r).filter((p) => p.platform === pl));
        return [
          pl,
          {
            mode: ps[0]?.mode,
            buildMedianMs: Math.round(median(ps.map((p) => p.buildMs))),
            publishMedianMs: Math.round(median(ps.map((p) => p.publishMs))),
            retries: ps.reduce((a, p) => a + p.retries.length, 0),
          },
        ];
      }),
    ),
  };
}

/** BuildKit steps that are Dockerfile instructions (`[stage n/m] ...`), not `[internal] ...` or the export. */
function isInstruction(name: string): boolean {
  return /^\[(?!internal\])/.test(name);
}

function stepCounts(m: Measured) {
  return platformsOf(m).map((p) => {
    const instructions = p.steps.filter((s) => isInstruction(s.name));
    return {
      platform: p.platform,
      steps: p.steps.length,
      cached: p.steps.filter((s) => s.cached).length,
      instructions: instructions.length,
      instructionsCached: instructions.filter((s) => s.cached).length,
      rerun: instructions.filter((s) => !s.cached).map((s) => s.name),
    };
  });
}

export async function buildBench(rounds: number): Promise<Record<string, unknown>> {
  const info = spawnSync(DOCKER, ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (info.status !== 0)
    throw new Error(
      `build bench: no Docker engine (${DOCKER} info failed); run scripts/start-engine.sh first`,
    );
  const work = mkdtempSync(join(tmpdir(), 'crossdock-buildbench-'));
  const ctx = join(work, 'ctx');
  try {
    cpSync(sample, ctx, { recursive: true });
    if (!existsSync(join(ctx, 'rootfs-amd64.tar')) || !existsSync(join(ctx, 'rootfs-arm64.tar'))) {
      const r = spawnSync('bash', [join(repoRoot, 'scripts', 'make-rootfs.sh'), ctx], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`make-rootfs.sh: ${r.stderr}`);
    }
    writeFileSync(join(ctx, 'Dockerfile'), benchDockerfile());
    writeConfig(ctx, '127.0.0.1:5000/bench/sample', true);
    git(ctx, 'init', '-q', '-b', 'main');
    git(ctx, 'add', '-A');
    git(ctx, 'commit', '-q', '-m', 'bench');

    // Warm-up, not measured: the engine's base stage (ADD rootfs) and the node probes are warm for every run.
    const warmCache = mkdtempSync(join(work, 'cache-'));
    crossdockBuild(
      work,
      ctx,
      'warmup',
      ['--build-arg', `BENCH_NONCE=${randomBytes(8).toString('hex')}`, '--build-arg', 'BENCH_LOOP=1'],
      warmCache,
    );

    const parallel: Measured[] = [];
    const sequential: Measured[] = [];
    const rebuilds: { cold: Measured; rebuild: Measured }[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const par of r % 2 === 0 ? [true, false] : [false, true]) {
        const registry = await startRegistry();
        const cacheDir = mkdtempSync(join(work, 'cache-'));
        try {
          const repository = `${registry.host}/bench/sample`;
          writeConfig(ctx, repository, par);
          const nonce = randomBytes(8).toString('hex');
          const common = ['--push', '--plain-http', registry.host, '--build-arg', `BENCH_NONCE=${nonce}`];
          const label = `${par ? 'parallel' : 'sequential'}-${r}`;
          const cold = crossdockBuild(work, ctx, label, [...common, '--tag', `${repository}:cold`], cacheDir);
          (par ? parallel : sequential).push(cold);
          if (par) {
            touchOneByte(ctx);
            const rebuild = crossdockBuild(
              work,
              ctx,
              `rebuild-${r}`,
              [...common, '--tag', `${repository}:rebuild`],
              cacheDir,
            );
            rebuilds.push({ cold, rebuild });
          }
        } finally {
          await registry.stop();
          rmSync(cacheDir, { recursive: true, force: true });
        }
      }
    }

    const parMs = median(parallel.map((m) => m.wallMs));
    const seqMs = median(sequential.map((m) => m.wallMs));
    const reMs = median(rebuilds.map((x) => x.rebuild.wallMs));
    const coldOfRebuildMs = median(rebuilds.map((x) => x.cold.wallMs));
    const firstRebuild = rebuilds[0]?.rebuild;
    const rebuildSteps = firstRebuild ? stepCounts(firstRebuild) : [];
    const coldSteps = parallel[0] ? stepCounts(parallel[0]).map(({ rerun: _r, ...rest }) => rest) : [];
    // What parallel could at best save: the platforms' sequential build times against the longest of them.
    const seqBuilds = [...new Set(sequential.flatMap((m) => platformsOf(m).map((p) => p.platform)))].map(
      (pl) =>
        median(
          sequential.flatMap((m) => platformsOf(m).filter((p) => p.platform === pl)).map((p) => p.buildMs),
        ),
    );
    const idealRatio = seqBuilds.reduce((a, b) => a + b, 0) / Math.max(...seqBuilds);
    const all = [...parallel, ...sequential, ...rebuilds.map((x) => x.rebuild)];
    const overhead = all.map((m) => m.record.phases.overheadMs);
    const overheadMedianMs = Math.round(median(overhead));
    const phaseMedian = (k: keyof RunJson['phases'], ms: Measured[]) =>
      Math.round(median(ms.map((m) => m.record.phases[k])));
    const row = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      engine: `dockerd ${info.stdout.trim()} (BuildKit), linux/amd64 native, linux/arm64 under QEMU`,
      context: `examples/build-sample copy + RUN step with a ${LOOP.toLocaleString('en-US')}-iteration busybox shell loop (cache-busted by a nonce build arg); --push to a local registry (plain HTTP, loopback), fresh registry and layer cache per cold build`,
      rounds,
      cold: {
        parallel: summarize(parallel),
        sequential: summarize(sequential),
        ratioSequentialToParallel: Math.round((seqMs / parMs) * 100) / 100,
        idealRatio: Math.round(idealRatio * 100) / 100,
        idealRatioNote: 'sum of the per-platform build times of the sequential runs / the longest of them',
        stepsOfFirstParallelRun: coldSteps,
      },
      rebuild: {
        change:
          'one byte of src/app.sh, same nonce, same registry and layer cache as the cold parallel build',
        wallMedianMs: Math.round(reMs),
        wallRunsMs: rebuilds.map((x) => Math.round(x.rebuild.wallMs)),
        ratioToCold: Math.round((reMs / coldOfRebuildMs) * 1000) / 1000,
        publishMedianMs: phaseMedian(
          'publishMs',
          rebuilds.map((x) => x.rebuild),
        ),
        cachedStepsRuns: rebuilds.map((x) =>
          platformsOf(x.rebuild).map((p) => p.steps.filter((t) => t.cached).length),
        ),
        steps: rebuildSteps,
      },
      overhead: {
        what: 'run record phases.overheadMs = planMs + indexMs + verifyMs, over every measured run',
        runs: all.length,
        overheadMedianMs,
        overheadMaxMs: Math.max(...overhead),
        planMedianMs: phaseMedian('planMs', all),
        indexMedianMs: phaseMedian('indexMs', all),
        verifyMedianMs: phaseMedian('verifyMs', all),
        processStartMedianMs: Math.round(median(all.map((m) => m.wallMs - m.record.durationMs))),
        processStartNote:
          'wall time - run record durationMs: node start, CLI load, writing the record (not in phases)',
        publishMedianMsCold: phaseMedian('publishMs', [...parallel, ...sequential]),
        goal: 'overhead < 1000 ms',
        met: overheadMedianMs < 1000,
      },
    };
    const cachedText = rebuildSteps
      .map(
        (s) =>
          `${s.platform} ${s.cached}/${s.steps} (Dockerfile steps ${s.instructionsCached}/${s.instructions})`,
      )
      .join(', ');
    console.log(
      `build: cold 2-platform push, parallel median ${(parMs / 1000).toFixed(1)} s, sequential ${(seqMs / 1000).toFixed(1)} s (ratio ${row.cold.ratioSequentialToParallel}, at best ${row.cold.idealRatio}; ${row.cpus} CPUs, ${rounds} rounds)`,
    );
    console.log(
      `build: rebuild after a 1-byte change ${(reMs / 1000).toFixed(1)} s (${row.rebuild.ratioToCold} of cold), cached steps ${cachedText}`,
    );
    console.log(
      `build: crossdock overhead median ${overheadMedianMs} ms (plan ${row.overhead.planMedianMs}, index ${row.overhead.indexMedianMs}, verify ${row.overhead.verifyMedianMs}; goal < 1 s ${row.overhead.met ? 'met' : 'NOT met'}), publish median ${row.overhead.publishMedianMsCold} ms cold, ${row.rebuild.publishMedianMs} ms rebuild`,
    );
    return row;
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}
