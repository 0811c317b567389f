import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Processes the test helpers start (registries, dockerd) are registered here while they run: one JSON file per
 * pid under the run-specific folder scripts/run-tests.mjs creates (CROSSDOCK_TEST_RUN_DIR). A test's `finally`
 * stops its process and unregisters it; whatever a crashed or killed test leaves behind, run-tests.mjs stops at
 * the end of the run, by pid (checked against the process start time, so a reused pid is never hit), and removes
 * the bridge and folder recorded with it. Outside run-tests.mjs nothing is recorded.
 */
export interface TrackedProcess {
  pid: number;
  /** What it is, for the teardown message (`docker-registry 127.0.0.1:5000`). */
  what: string;
  /** A network bridge to delete once it is stopped. */
  bridge?: string;
  /** A scratch folder to remove once it is stopped. */
  dir?: string;
}

function procsDir(): string | undefined {
  const run = process.env.CROSSDOCK_TEST_RUN_DIR;
  return run ? join(run, 'procs') : undefined;
}

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function trackProcess(p: TrackedProcess): void {
  const dir = procsDir();
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = process.argv.find((a) => a.endsWith('.test.ts'));
  writeFileSync(join(dir, `${p.pid}.json`), JSON.stringify({ ...p, start: startTime(p.pid), file }));
}

export function untrackProcess(pid: number | undefined): void {
  const dir = procsDir();
  if (!dir || pid === undefined) return;
  rmSync(join(dir, `${pid}.json`), { force: true });
}
