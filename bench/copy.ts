/**
 * Copy benchmark (part of `npm run bench`): a 2-platform image with 5 layers per platform (busybox + 4 × 20 MB
 * of incompressible data) copied between two local registries by `crossdock copy` and by `skopeo copy --all`,
 * alternately, several rounds; then a second crossdock copy of the same image, which must move 0 blob bytes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyboxLayout } from '../test/helpers/images.js';
import { skopeo, startRegistry } from '../test/helpers/registry.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const bin = join(here, '..', 'bin', 'crossdock.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

export async function copyBench(rounds: number): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'crossdock-copybench-'));
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
    const crossdock: number[] = [];
    const skopeoTimes: number[] = [];
    let movedBytes = 0;
    let secondMoved = -1;
    for (let r = 0; r < rounds; r++) {
      // Fresh destination registries each round: skopeo's blob-info cache would otherwise mount blobs it has
      // seen in another repository of the same registry, and the comparison would not be a copy.
      const b = await startRegistry();
      const c2 = await startRegistry();
      let t = performance.now();
      const c = spawnSync(
        process.execPath,
        [
          bin,
          'copy',
          `${a.host}/bench/app:1`,
          `${b.host}/cd/app:1`,
          '--plain-http',
          a.host,
          '--plain-http',
          b.host,
          '--format',
          'json',
        ],
        { encoding: 'utf8' },
      );
      crossdock.push(performance.now() - t);
      if (c.status !== 0) throw new Error(`crossdock copy failed: ${c.stderr}`);
      movedBytes = (JSON.parse(c.stdout) as { bytes: { moved: number } }).bytes.moved;
      t = performance.now();
      skopeo([
        'copy',
        '--all',
        '--quiet',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${a.host}/bench/app:1`,
        `docker://${c2.host}/sk${r}/app:1`,
      ]);
      skopeoTimes.push(performance.now() - t);
      if (r === 0) {
        const again = spawnSync(
          process.execPath,
          [
            bin,
            'copy',
            `${a.host}/bench/app:1`,
            `${b.host}/cd/app:1`,
            '--plain-http',
            a.host,
            '--plain-http',
            b.host,
            '--format',
            'json',
          ],
          { encoding: 'utf8' },
        );
        secondMoved = (JSON.parse(again.stdout) as { bytes: { moved: number } }).bytes.moved;
      }
      await b.stop();
      await c2.stop();
    }
    const cd = median(crossdock);
    const sk = median(skopeoTimes);
    const row = {
      measuredAt: new Date().toISOString(),
      image:
        '2 platforms × (busybox layer + 4 × 20 MB layers), between local registries (plain HTTP, loopback; a fresh destination registry per tool and round)',
      rounds,
      bytesMovedPerCopy: movedBytes,
      crossdockMedianMs: Math.round(cd),
      skopeoMedianMs: Math.round(sk),
      ratio: Math.round((cd / sk) * 100) / 100,
      crossdockRunsMs: crossdock.map(Math.round),
      skopeoRunsMs: skopeoTimes.map(Math.round),
      secondCopyBytesMoved: secondMoved,
      goal: 'ratio <= 1.0; a second copy moves 0 bytes',
    };
    console.log(
      `copy: crossdock median ${row.crossdockMedianMs} ms, skopeo ${row.skopeoMedianMs} ms, ratio ${row.ratio}; second copy moved ${secondMoved} bytes`,
    );
    return row;
  } finally {
    await a.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
