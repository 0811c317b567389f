/**
 * Copy benchmark (part of `npm run bench`; alone: `BENCH_ONLY=copy npm run bench`): a 2-platform image with 5
 * layers per platform (busybox + 4 × 20 MB of incompressible data, about 170 MB) copied by `crossdock copy` and by
 * `skopeo copy --all`, side by side in the same rounds (which tool goes first alternates), in two modes:
 *
 * - between registries: from the source registry into a fresh registry per tool and round, so every blob moves
 *   (a fresh one, because skopeo's blob-info cache would otherwise mount blobs it has seen there);
 * - within one registry: into a new repository of the source registry, where both tools mount every blob.
 *
 * Each first copy is followed by the same copy again (the repeat: everything is already there). Times are wall
 * times of whole processes, as a user sees them; crossdock's own `seconds` (its time inside the copy, without
 * Node's start-up) and the start-up itself (`crossdock --version`) are recorded beside them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyboxLayout } from '../test/helpers/images.js';
import { skopeo, startRegistry, type TestRegistry } from '../test/helpers/registry.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** BENCH_COPY_BIN: another build's bin/crossdock.js to measure (e.g. a scratch combination of branches). */
const bin = process.env.BENCH_COPY_BIN ?? join(here, '..', 'bin', 'crossdock.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

interface Copied {
  ms: number;
  /** crossdock only: its own time inside the copy, and what it moved. */
  seconds?: number;
  moved?: number;
}

function crossdockCopy(from: string, to: string, plain: string[]): Copied {
  const t = performance.now();
  const c = spawnSync(
    process.execPath,
    [bin, 'copy', from, to, ...plain.flatMap((h) => ['--plain-http', h]), '--format', 'json'],
    { encoding: 'utf8' },
  );
  const ms = performance.now() - t;
  if (c.status !== 0) throw new Error(`crossdock copy failed: ${c.stderr}`);
  const j = JSON.parse(c.stdout) as { seconds: number; bytes: { moved: number } };
  return { ms, seconds: j.seconds, moved: j.bytes.moved };
}

function skopeoCopy(from: string, to: string): Copied {
  const t = performance.now();
  skopeo([
    'copy',
    '--all',
    '--quiet',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${from}`,
    `docker://${to}`,
  ]);
  return { ms: performance.now() - t };
}

type Tool = 'crossdock' | 'skopeo';

interface Runs {
  first: Copied[];
  repeat: Copied[];
}

/** One mode: `target(tool, round)` gives the destination (host, repository) and a cleanup. */
async function measureMode(
  source: TestRegistry,
  rounds: number,
  target: (tool: Tool, round: number) => Promise<{ host: string; repo: string; done(): Promise<void> }>,
): Promise<Record<Tool, Runs>> {
  const runs: Record<Tool, Runs> = {
    crossdock: { first: [], repeat: [] },
    skopeo: { first: [], repeat: [] },
  };
  const from = `${source.host}/bench/app:1`;
  for (let r = 0; r < rounds; r++) {
    const order: Tool[] = r % 2 ? ['skopeo', 'crossdock'] : ['crossdock', 'skopeo'];
    for (const tool of order) {
      const t = await target(tool, r);
      const to = `${t.host}/${t.repo}:1`;
      const copy = () =>
        tool === 'crossdock' ? crossdockCopy(from, to, [source.host, t.host]) : skopeoCopy(from, to);
      try {
        runs[tool].first.push(copy());
        runs[tool].repeat.push(copy());
      } finally {
        await t.done();
      }
    }
  }
  return runs;
}

function summary(runs: Record<Tool, Runs>): Record<string, unknown> {
  const ms = (xs: Copied[]) => Math.round(median(xs.map((x) => x.ms)));
  const cd = runs.crossdock;
  const sk = runs.skopeo;
  return {
    crossdock: {
      firstMs: ms(cd.first),
      repeatMs: ms(cd.repeat),
      inCopyFirstMs: Math.round(median(cd.first.map((x) => (x.seconds ?? 0) * 1000))),
      inCopyRepeatMs: Math.round(median(cd.repeat.map((x) => (x.seconds ?? 0) * 1000))),
      bytesMovedFirst: cd.first[0]?.moved ?? -1,
      bytesMovedRepeat: Math.max(...cd.repeat.map((x) => x.moved ?? -1)),
      firstRunsMs: cd.first.map((x) => Math.round(x.ms)),
      repeatRunsMs: cd.repeat.map((x) => Math.round(x.ms)),
    },
    skopeo: {
      firstMs: ms(sk.first),
      repeatMs: ms(sk.repeat),
      firstRunsMs: sk.first.map((x) => Math.round(x.ms)),
      repeatRunsMs: sk.repeat.map((x) => Math.round(x.ms)),
    },
    ratioFirst: round2(ms(cd.first) / ms(sk.first)),
    ratioRepeat: round2(ms(cd.repeat) / ms(sk.repeat)),
    crossdockRepeatOverFirst: round2(ms(cd.repeat) / ms(cd.first)),
  };
}

export async function copyBench(rounds: number): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'crossdock-copybench-'));
  const load = [loadavg()[0] ?? 0];
  const a = await startRegistry();
  try {
    const layout = busyboxLayout(join(work, 'img'), {
      extraLayers: [20, 20, 20, 20].map((mb) => mb * 1024 * 1024),
    });
    skopeo([
      'copy',
      '--all',
      '--quiet',
      '--dest-tls-verify=false',
      `oci:${layout.dir}:latest`,
      `docker://${a.host}/bench/app:1`,
    ]);
    const startup: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      spawnSync(process.execPath, [bin, '--version']);
      startup.push(performance.now() - t);
    }
    const between = await measureMode(a, rounds, async (tool, r) => {
      const b = await startRegistry();
      return { host: b.host, repo: `${tool}${r}/app`, done: () => b.stop() };
    });
    const stamp = Date.now().toString(36);
    const within = await measureMode(a, rounds, async (tool, r) => ({
      host: a.host,
      repo: `${tool}-${stamp}-${r}/app`,
      done: async () => undefined,
    }));
    load.push(loadavg()[0] ?? 0);
    const row = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadAverage: load.map(round2),
      image:
        '2 platforms × (busybox layer + 4 × 20 MB incompressible layers), local registries (plain HTTP, loopback)',
      rounds,
      note: 'wall times of whole processes (median of the rounds; the tool that goes first alternates). The cores are shared with other work, so absolute times are noisy: compare the ratios, measured in the same run.',
      ...(process.env.BENCH_COPY_BIN ? { crossdockBin: bin } : {}),
      crossdockStartupMs: Math.round(median(startup)),
      betweenRegistries: {
        what: 'into a fresh registry per tool and round: every blob moves; repeat: the same copy again',
        ...summary(between),
      },
      withinRegistry: {
        what: 'into a new repository of the source registry: both tools mount every blob; repeat: the same copy again',
        ...summary(within),
      },
      goal: 'ratio to skopeo <= 1.0 in both modes; a repeated copy moves 0 bytes and takes <= 0.2 of the first',
    };
    for (const [name, m] of [
      ['between registries', row.betweenRegistries],
      ['within one registry', row.withinRegistry],
    ] as const) {
      const s = m as unknown as {
        crossdock: { firstMs: number; repeatMs: number; inCopyFirstMs: number; inCopyRepeatMs: number };
        skopeo: { firstMs: number; repeatMs: number };
        ratioFirst: number;
        ratioRepeat: number;
        crossdockRepeatOverFirst: number;
      };
      console.log(
        `copy ${name}: crossdock ${s.crossdock.firstMs} ms (in copy ${s.crossdock.inCopyFirstMs}), skopeo ${s.skopeo.firstMs} ms, ratio ${s.ratioFirst}; repeat: crossdock ${s.crossdock.repeatMs} ms (in copy ${s.crossdock.inCopyRepeatMs}), skopeo ${s.skopeo.repeatMs} ms, ratio ${s.ratioRepeat}; crossdock repeat/first ${s.crossdockRepeatOverFirst}`,
      );
    }
    console.log(
      `copy: crossdock start-up (--version) ${row.crossdockStartupMs} ms; load ${load.join(' → ')}`,
    );
    return row;
  } finally {
    await a.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
