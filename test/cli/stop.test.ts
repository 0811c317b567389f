import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../src/exec.js';
import { stopEverything, trackScratch } from '../../src/stop.js';
import { assertBundleFresh, bundleMeta } from '../helpers/bundle.js';

/**
 * The second Ctrl-C (src/cli/process.ts) calls stopEverything() from src/stop.ts, which the CLI entry holds
 * without loading exec.ts and node:child_process; exec() registers its children there. (The whole path, with a
 * real engine build, is in test/build/reliability.test.ts.)
 */

test('stopEverything kills the children exec() runs and removes the scratch folders', {
  timeout: 20_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-stop-'));
  writeFileSync(join(dir, 'partial'), 'x');
  trackScratch(dir);
  const started = Date.now();
  const child = exec(['sleep', '300']);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(stopEverything(), { killed: 1, removed: 1 });
  const r = await child;
  assert.equal(r.signal, 'SIGKILL');
  assert.ok(Date.now() - started < 10_000, 'the child was killed, not waited for');
  assert.ok(!existsSync(dir), 'the scratch folder is gone');
  assert.deepEqual(stopEverything(), { killed: 0, removed: 0 }, 'nothing is left registered');
});

test('bundle: src/stop.ts is in one file, shared by the entry and the commands', { timeout: 20_000 }, () => {
  assertBundleFresh();
  const holders = Object.entries(bundleMeta().outputs)
    .filter(([, o]) => Object.hasOwn(o.inputs, 'src/stop.ts'))
    .map(([f]) => f);
  // One module instance: what exec() registers in a command's chunk is what the entry's signal handler stops.
  assert.equal(holders.length, 1, holders.join(' '));
});
