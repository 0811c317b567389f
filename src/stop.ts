import { rmSync } from 'node:fs';

/**
 * What a second Ctrl-C must not leave behind: the children running now and the scratch folders in use. The
 * first Ctrl-C stops them in order (the command's AbortSignal); stopEverything() is for the second, which exits
 * at once. Kept apart from exec.ts so that the CLI entry (src/cli/process.ts) holds it without loading
 * node:child_process: `crossdock --version` starts no child.
 */
const running = new Set<() => void>();
const scratch = new Set<string>();

/** `kill` synchronously SIGKILLs a child exec() started; untrackChild when it has exited. */
export function trackChild(kill: () => void): void {
  running.add(kill);
}

export function untrackChild(kill: () => void): void {
  running.delete(kill);
}

export function trackScratch(dir: string): void {
  scratch.add(dir);
}

export function releaseScratch(dir: string): void {
  scratch.delete(dir);
}

/** Synchronously kills every running child (SIGKILL, its group with `group`) and removes every scratch folder. */
export function stopEverything(): { killed: number; removed: number } {
  const killed = running.size;
  for (const kill of running) kill();
  running.clear();
  let removed = 0;
  for (const dir of scratch) {
    try {
      rmSync(dir, { recursive: true, force: true });
      removed++;
    } catch {
      /* already gone, or not ours to remove */
    }
  }
  scratch.clear();
  return { killed, removed };
}

/**
 * Synchronous removers of what a command made outside this process (smoke's containers and networks): the first
 * Ctrl-C lets the command remove them in order; a second one runs these before exiting.
 */
const cleanups = new Set<() => void>();

export function trackCleanup(fn: () => void): void {
  cleanups.add(fn);
}

export function untrackCleanup(fn: () => void): void {
  cleanups.delete(fn);
}

/** Runs every registered cleanup once (errors ignored); returns how many ran. */
export function runCleanups(): number {
  const n = cleanups.size;
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      /* best effort: the process is exiting */
    }
  }
  cleanups.clear();
  return n;
}
