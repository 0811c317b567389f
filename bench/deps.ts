/**
 * Deps benchmark (part of `npm run bench`; alone: `BENCH=deps npm run bench`): the verdict engine of
 * `crossdock deps` (decideAll) on 100 pinned packages × 2 platforms (linux/amd64, linux/arm64, CPython 3.11,
 * glibc 2.36) against a local index of real wheels and sdists: 5 versions per package, 6 wheels and an sdist per
 * version; 10 of the packages have no aarch64 wheel, so their sdist is downloaded and inspected once.
 *
 * Two indexes, each in a process of its own: the PEP 691 JSON server of the tests sending `Cache-Control:
 * max-age=600` (as PyPI does), and `python3 -m http.server` over the same static PEP 503 tree (no Cache-Control:
 * a warm run revalidates each page with If-Modified-Since). Per index: `cold` (an empty cache folder) and `warm`
 * (the cache the cold run left), each the median of BENCH_DEPS_RUNS (7) runs, in one Node process (its start-up,
 * about 0.1 s, is not included), wall time and this process's CPU time (steadier than wall time on a shared
 * machine; the index's own time is not in it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideAll } from '../src/deps/decide.js';
import type { DepQuery, IndexOptions, TargetEnv } from '../src/deps/types.js';
import { type FileSpec, type PackageSpec, writeIndex } from '../test/helpers/pyindex.js';

const here = fileURLToPath(new URL('.', import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

function packages(): PackageSpec[] {
  const out: PackageSpec[] = [];
  for (let i = 0; i < 100; i++) {
    const versions: Record<string, FileSpec[]> = {};
    for (let v = 0; v < 5; v++) {
      const arm = i % 10 !== 0;
      versions[`${i % 7}.${v}.0`] = [
        ...['cp310', 'cp311', 'cp312'].flatMap((py) => [
          { kind: 'wheel' as const, tags: `${py}-${py}-manylinux_2_17_x86_64.manylinux2014_x86_64` },
          ...(arm
            ? [{ kind: 'wheel' as const, tags: `${py}-${py}-manylinux_2_17_aarch64.manylinux2014_aarch64` }]
            : []),
        ]),
        {
          kind: 'sdist',
          pyproject: '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
          files: { 'src/ext.c': 'int x;\n' },
        },
      ];
    }
    out.push({ name: `bench-package-${i}`, versions });
  }
  return out;
}

async function startServer(
  cmd: string,
  args: string[],
  pattern: RegExp,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${text}`)), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      text += c.toString();
      const m = pattern.exec(text);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`${cmd} exited (${code}): ${text}`)));
  });
  child.stdout?.resume();
  return { url, child };
}

export async function depsBench(runs: number): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'crossdock-bench-deps-'));
  const children: ChildProcess[] = [];
  try {
    const pkgs = packages();
    writeIndex(join(work, 'root'), pkgs);
    const json = await startServer(
      process.execPath,
      ['--import', 'tsx', join(here, 'deps-server.ts'), join(work, 'root')],
      /(http:\/\/\S+\/simple)/,
    );
    children.push(json.child);
    const staticPort = await startServer(
      'python3',
      ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', join(work, 'root')],
      /port (\d+)/,
    );
    children.push(staticPort.child);
    const queries: DepQuery[] = pkgs.map((p, i) => ({
      name: p.name,
      specifier: `==${i % 7}.4.0`,
      marker: undefined,
      requirement: `${p.name}==${i % 7}.4.0`,
      source: { file: 'requirements.txt', line: i + 1 },
    }));
    const targets: TargetEnv[] = ['linux/amd64', 'linux/arm64'].map((platform) => ({
      platform,
      python: '3.11',
      libc: { kind: 'glibc', version: '2.36' },
    }));
    const results: Record<string, unknown>[] = [];
    for (const [label, url] of [
      ['PEP 691 JSON, Cache-Control: max-age=600', json.url],
      ['PEP 503 HTML, python3 -m http.server (revalidates)', `http://127.0.0.1:${staticPort.url}/simple`],
    ] as const) {
      const cold: number[] = [];
      const warm: number[] = [];
      const coldCpu: number[] = [];
      const warmCpu: number[] = [];
      const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
      let counts: Record<string, number> = {};
      for (let r = 0; r < runs; r++) {
        const options: IndexOptions = {
          indexUrl: url,
          extraIndexUrls: [],
          offline: false,
          onlyBinary: false,
          cacheDir: join(work, `cache-${label.slice(0, 8)}-${r}`),
          env: { HOME: work },
        };
        let t = performance.now();
        let cpu = process.cpuUsage();
        const rows = await decideAll(queries, targets, options);
        cold.push(performance.now() - t);
        coldCpu.push(cpuMs(process.cpuUsage(cpu)));
        t = performance.now();
        cpu = process.cpuUsage();
        await decideAll(queries, targets, options);
        warm.push(performance.now() - t);
        warmCpu.push(cpuMs(process.cpuUsage(cpu)));
        counts = {};
        for (const row of rows)
          for (const v of Object.values(row)) counts[v.status] = (counts[v.status] ?? 0) + 1;
      }
      const entry = {
        index: label,
        runs,
        coldMedianMs: Math.round(median(cold)),
        warmMedianMs: Math.round(median(warm)),
        coldMs: cold.map(Math.round),
        warmMs: warm.map(Math.round),
        coldCpuMedianMs: Math.round(median(coldCpu)),
        warmCpuMedianMs: Math.round(median(warmCpu)),
        verdicts: counts,
      };
      console.log(
        `deps 100 pinned × 2 platforms, ${label}: cold median ${entry.coldMedianMs} ms (CPU ${entry.coldCpuMedianMs} ms), warm median ${entry.warmMedianMs} ms (CPU ${entry.warmCpuMedianMs} ms) (${JSON.stringify(counts)})`,
      );
      results.push(entry);
    }
    return {
      measuredAt: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      target: '100 pinned packages × 2 platforms: cold < 2 s, warm (from the cache) < 0.3 s',
      note: 'decideAll in one Node process (start-up not included); the index in a process of its own on loopback; 10 sdists downloaded and inspected when cold',
      results,
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}
