/**
 * Smoke benchmark (part of `npm run bench`, BENCH=smoke): `crossdock smoke` (bin/crossdock.js, the bundle) of a
 * two-platform busybox HTTP server (test/helpers/smoke-images.ts) from a TLS registry, linux/amd64 native and
 * linux/arm64 under QEMU, with a 2 s startup window. Per round: both platforms in parallel, then each platform
 * alone. Reported (medians):
 * - wall: the whole process;
 * - own: crossdock's own time, the wall minus what the engine spends on the slowest platform's container (pull,
 *   network, create, start, the startup window, the stop, removal): process start, reading the registry, probing
 *   the engine, running the checks (their docker exec/cp/top calls included), the report;
 *   its parts: placeMs (probing the engines), processAndRegistryMs (node start, registry reads, the report) and
 *   checksMs (the checks without the stop);
 * - per platform alone: total, `docker start`, and checks (without the stop), and arm64/amd64 ratios.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { smokeFixture } from '../test/helpers/smoke-images.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const bin = join(here, '..', 'bin', 'crossdock.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return Math.round(s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2);
}

interface PlatformJson {
  platform: string;
  checks: { id: string; status: string; durationMs: number }[];
  timings?: Record<string, number>;
}

function run(
  ref: string,
  caFile: string,
  platforms: string[],
): { wallMs: number; platforms: PlatformJson[] } {
  const t = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      bin,
      'smoke',
      ref,
      '--ca-file',
      caFile,
      '--port',
      '8080',
      '--http',
      '/health',
      '--startup-window',
      '2s',
      '--stop-timeout',
      '5s',
      '--format',
      'json',
      '--quiet',
      ...platforms.flatMap((p) => ['--platform', p]),
    ],
    { encoding: 'utf8', timeout: 300_000, env: { PATH: process.env.PATH ?? '' } },
  );
  const wallMs = performance.now() - t;
  if (r.status !== 0) throw new Error(`smoke bench: exit ${r.status}: ${r.stderr}${r.stdout.slice(0, 2000)}`);
  const doc = JSON.parse(r.stdout) as { runs: { platforms: PlatformJson[] }[] };
  return { wallMs, platforms: doc.runs[0]?.platforms ?? [] };
}

/** What the engine spends on one platform's container (the checks' own work excluded). */
function engineMs(p: PlatformJson): number {
  const t = p.timings ?? {};
  const stop = p.checks.find((c) => c.id === 'stops')?.durationMs ?? 0;
  return (
    (t.pullMs ?? 0) +
    (t.networkMs ?? 0) +
    (t.createMs ?? 0) +
    (t.startMs ?? 0) +
    (t.windowMs ?? 0) +
    stop +
    (t.cleanupMs ?? 0)
  );
}

export async function smokeBench(rounds: number): Promise<Record<string, unknown>> {
  const fx = await smokeFixture(['server']);
  try {
    const ref = fx.ref('server');
    run(ref, fx.caFile, []); // warm-up: the pull, the engine's first container on each platform
    const both: { wall: number; own: number; place: number; outside: number; checks: number }[] = [];
    const alone: Record<string, { total: number; start: number; checks: number }[]> = {
      'linux/amd64': [],
      'linux/arm64': [],
    };
    for (let i = 0; i < rounds; i++) {
      const r = run(ref, fx.caFile, []);
      const slowest = Math.max(...r.platforms.map(engineMs));
      const place = r.platforms[0]?.timings?.placeMs ?? 0;
      const longest = Math.max(...r.platforms.map((p) => p.timings?.totalMs ?? 0));
      const checks = Math.max(
        ...r.platforms.map(
          (p) => (p.timings?.checksMs ?? 0) - (p.checks.find((c) => c.id === 'stops')?.durationMs ?? 0),
        ),
      );
      both.push({
        wall: r.wallMs,
        own: r.wallMs - slowest,
        place,
        outside: r.wallMs - place - longest,
        checks,
      });
      for (const platform of Object.keys(alone)) {
        const one = run(ref, fx.caFile, [platform]).platforms[0];
        const t = one?.timings ?? {};
        const stop = one?.checks.find((c) => c.id === 'stops')?.durationMs ?? 0;
        alone[platform]?.push({
          total: t.totalMs ?? 0,
          start: t.startMs ?? 0,
          checks: (t.checksMs ?? 0) - stop,
        });
      }
      console.log(
        `smoke round ${i + 1}: wall ${Math.round(r.wallMs)} ms, own ${Math.round(r.wallMs - slowest)} ms`,
      );
    }
    const med = (p: string, k: 'total' | 'start' | 'checks') => median((alone[p] ?? []).map((x) => x[k]));
    const ratio = (k: 'total' | 'start' | 'checks') =>
      Number((med('linux/arm64', k) / Math.max(1, med('linux/amd64', k))).toFixed(2));
    const result = {
      measuredAt: new Date().toISOString(),
      rounds,
      case: 'two-platform busybox httpd server, --startup-window 2s, TLS registry, local dockerd 20.10 + QEMU',
      target: "crossdock's own time under 1 s",
      bothPlatforms: {
        wallMs: median(both.map((b) => b.wall)),
        ownMs: median(both.map((b) => b.own)),
        // Parts of ownMs: probing the engines (docker version, buildx version, context inspect), the process
        // outside the platforms (node start, registry reads, report), the checks (docker exec/cp/top calls).
        placeMs: median(both.map((b) => b.place)),
        processAndRegistryMs: median(both.map((b) => b.outside)),
        checksMs: median(both.map((b) => b.checks)),
      },
      alone: Object.fromEntries(
        Object.keys(alone).map((p) => [
          p,
          { totalMs: med(p, 'total'), startMs: med(p, 'start'), checksMs: med(p, 'checks') },
        ]),
      ),
      arm64VsAmd64: { total: ratio('total'), start: ratio('start'), checks: ratio('checks') },
    };
    console.log(`smoke: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await fx.stop();
  }
}
