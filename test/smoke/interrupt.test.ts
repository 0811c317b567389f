import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { docker, requireEngine } from '../helpers/engine.js';
import { type SmokeFixture, smokeFixture } from '../helpers/smoke-images.js';

/**
 * Ctrl-C in the middle of a smoke run: the CLI runs in a process of its own (scripts/dev.mjs, the same signal
 * handling as bin/crossdock.js), SIGINT arrives while both platforms' containers run their startup window, and
 * afterwards nothing labelled with the run's id is left on the engine: no container, no network.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
let fx: SmokeFixture;

before(async () => {
  requireEngine();
  fx = await smokeFixture(['server']);
});

after(async () => {
  await fx?.stop();
});

function labelled(kind: 'ps' | 'network', runId: string): string[] {
  const args =
    kind === 'ps'
      ? ['ps', '-a', '--quiet', '--filter', `label=crossdock.smoke=${runId}`]
      : ['network', 'ls', '--quiet', '--filter', `label=crossdock.smoke=${runId}`];
  return docker(args).stdout.split('\n').filter(Boolean);
}

test('SIGINT mid-run removes every container and network the run made', { timeout: 300_000 }, async () => {
  const runId = `cdtest-smoke-run-int-${process.pid}`;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'scripts/dev.mjs'),
      'smoke',
      fx.ref('server'),
      '--ca-file',
      fx.caFile,
      '--startup-window',
      '120s',
      '--run-id',
      runId,
    ],
    { cwd: root, env: { PATH: process.env.PATH ?? '' } },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  try {
    // Both platforms are in their startup window: their containers run.
    const deadline = Date.now() + 180_000;
    while ((stderr.match(/ window 120s/g) ?? []).length < 2) {
      assert.ok(Date.now() < deadline, `the run did not reach the startup window: ${stderr}`);
      assert.equal(child.exitCode, null, `the CLI exited early: ${stderr}`);
      await sleep(200);
    }
    assert.equal(labelled('ps', runId).length, 2, 'one container per platform runs');
    assert.equal(labelled('network', runId).length, 2, 'one network per platform');
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /SIGINT received, stopping/);
    assert.deepEqual(labelled('ps', runId), [], 'no container is left');
    assert.deepEqual(labelled('network', runId), [], 'no network is left');
  } finally {
    clearTimeout(killer);
    child.kill('SIGKILL');
    for (const id of labelled('ps', runId)) docker(['rm', '-f', id]);
    for (const id of labelled('network', runId)) docker(['network', 'rm', id]);
  }
});
