import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';

/**
 * Runs `f` and fails when it took longer than `ms`. A test's `timeout` cannot stop a synchronous parser that
 * hangs, so the bound is checked after the fact; keep it loose (the code it guards against took seconds).
 */
export function within<T>(ms: number, f: () => T): T {
  const start = performance.now();
  const result = f();
  const took = performance.now() - start;
  assert.ok(took < ms, `took ${Math.round(took)} ms, expected under ${ms} ms`);
  return result;
}
