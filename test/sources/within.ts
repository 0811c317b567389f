import assert from 'node:assert/strict';

/**
 * Runs `f` and fails when it used more than `ms` of this process's CPU. A test's `timeout` cannot stop a
 * synchronous parser that hangs, so the bound is checked after the fact; keep it loose (the code it guards against
 * took seconds). CPU time, not wall time: other work on a shared machine must not fail a linear parse.
 */
export function within<T>(ms: number, f: () => T): T {
  const start = process.cpuUsage();
  const result = f();
  const cpu = process.cpuUsage(start);
  const took = (cpu.user + cpu.system) / 1000;
  assert.ok(took < ms, `took ${Math.round(took)} ms of CPU, expected under ${ms} ms`);
  return result;
}
