import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The test suite itself. scripts/run-tests.mjs cannot hang: a file past --test-timeout is cancelled and the run goes on; past
 * --run-timeout the whole run is killed and the running file named; processes the helpers registered are stopped
 * by pid at the end; the slowest files are listed before node's closing summary lines, which stay last. Every
 * build test declares its own timeout, and the registry tests need the busybox packages only where they read
 * real ELF binaries.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(repo, 'test/build/fixtures/runner');

function runTests(args: string[], marker: string): Promise<{ code: number | null; out: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'scripts/run-tests.mjs'), '--no-build', ...args], {
      cwd: repo,
      env: { ...process.env, RUNNER_FIXTURE_MARKER: marker },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`run-tests.mjs itself hung:\n${out}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, out, ms: Date.now() - t0 });
    });
  });
}

const alive = (marker: string) => spawnSync('pgrep', ['-f', `^sleep ${marker}$`]).status === 0;
const lastLines = (out: string, n: number) => out.trimEnd().split('\n').slice(-n);

test('past --run-timeout the run is killed, the running file is named, and what it started is stopped', {
  timeout: 90_000,
}, async () => {
  const marker = String(7000 + Math.floor(Math.random() * 900));
  const r = await runTests(
    ['--run-timeout=6000', join(fixtures, 'hang.test.ts'), join(fixtures, 'quick.test.ts')],
    marker,
  );
  assert.equal(r.code, 1, r.out);
  assert.ok(r.ms < 30_000, `stopped promptly (${r.ms} ms)`);
  assert.match(
    r.out,
    /the whole run exceeded 6\.0s \(--run-timeout\); running: test\/build\/fixtures\/runner\/hang\.test\.ts/,
  );
  assert.match(r.out, new RegExp(`teardown: stopped sleep ${marker} \\(pid \\d+\\)`));
  assert.equal(alive(marker), false, 'the registered process is gone');
  // The unregistered one, in a process group of its own, is found by the run's folder in its command line.
  assert.match(
    r.out,
    new RegExp(`teardown: stopped .*stray-${marker} \\(pid \\d+\\), still working in the run's folder`),
  );
  assert.equal(spawnSync('pgrep', ['-f', `stray-${marker}`]).status, 1, 'the stray process is gone');
  // CI reads node's closing lines: still last, and the cut-off file counts as a failure.
  assert.deepEqual(
    lastLines(r.out, 8).map((l) => l.replace(/\d+/g, 'N')),
    [
      '# tests N',
      '# suites N',
      '# pass N',
      '# fail N',
      '# cancelled N',
      '# skipped N',
      '# todo N',
      '# duration_ms N',
    ],
  );
  assert.match(r.out, /^# fail 1$/m);
});

test('past --test-timeout a hanging file is cancelled and the next file still runs; the slowest files are listed', {
  timeout: 90_000,
}, async () => {
  const marker = String(7000 + Math.floor(Math.random() * 900));
  const r = await runTests(
    ['--test-timeout=3000', join(fixtures, 'hang.test.ts'), join(fixtures, 'quick.test.ts')],
    marker,
  );
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /^ok \d+ - passes$/m, 'the file after the hanging one ran');
  assert.match(r.out, /test timed out after 3000ms/);
  assert.equal(alive(marker), false, 'the registered process is gone');
  assert.equal(spawnSync('pgrep', ['-f', `stray-${marker}`]).status, 1, 'the stray process is gone');
  const slowest = r.out.slice(r.out.indexOf('# slowest test files:'));
  assert.match(slowest, /^#\s+\d+\.\ds {2}test\/build\/fixtures\/runner\/hang\.test\.ts$/m);
  assert.match(slowest, /^#\s+\d+\.\ds {2}test\/build\/fixtures\/runner\/quick\.test\.ts$/m);
  assert.match(lastLines(r.out, 8)[0] ?? '', /^# tests 2$/);
  assert.match(r.out, /^# cancelled 1$/m);
});

test('bad runner options are usage errors', { timeout: 30_000 }, async () => {
  const r = await runTests(['--run-timeout=soon', join(fixtures, 'quick.test.ts')], '1');
  assert.equal(r.code, 2);
  assert.match(r.out, /--run-timeout \/ CROSSDOCK_RUN_TIMEOUT_MS must be a positive number of milliseconds/);
});

test('every test under test/build declares a timeout', { timeout: 10_000 }, () => {
  const dir = join(repo, 'test/build');
  const missing: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.test.ts'))) {
    const text = readFileSync(join(dir, name), 'utf8');
    // A test call is `test(<title>, { ... timeout: N ... }, fn)`: the options object right after the title.
    for (const m of text.matchAll(/^test\(\s*(['`])((?:(?!\1).)*)\1,\s*(\{[^}]*\})?/gms))
      if (!/\btimeout:/.test(m[3] ?? '')) missing.push(`${name}: ${m[2]}`);
  }
  assert.deepEqual(missing, []);
});

test('only the registry tests that read real ELF binaries need the busybox packages', {
  timeout: 10_000,
}, () => {
  const dir = join(repo, 'test/registry');
  const users = readdirSync(dir)
    .filter((n) => n.endsWith('.test.ts'))
    .filter((n) => /\bbusyboxLayout\(/.test(readFileSync(join(dir, n), 'utf8')));
  // interop.test.ts: verify's binary-architecture check reads busybox's ELF header from the layers.
  assert.deepEqual(users, ['interop.test.ts']);
});
