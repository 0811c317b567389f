import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFailure, StepLog } from '../../src/build/log.js';

/**
 * Telling transient failures from real ones, on the lines real tools print when they fail (pip, npm, apt, wget,
 * QEMU, compilers), and folding BuildKit's plain progress into steps.
 */
test('network, mirror, registry and QEMU failures are transient, each with its reason', {
  timeout: 10_000,
}, () => {
  const transient: [string, string][] = [
    [
      "pip._vendor.urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='files.pythonhosted.org', port=443): Read timed out.",
      'network timeout',
    ],
    ['npm ERR! code ECONNRESET', 'connection reset'],
    ['npm ERR! errno EAI_AGAIN', 'DNS failure'],
    [
      'Err:1 http://deb.debian.org/debian bookworm/main amd64 gcc amd64 Temporary failure in name resolution',
      'DNS failure',
    ],
    [
      'E: Failed to fetch http://deb.debian.org/debian/pool/main/g/gcc.deb  Hash Sum mismatch',
      'package mirror out of sync',
    ],
    ['wget: server returned error: HTTP/1.1 503 Service Unavailable', 'server error 5xx'],
    [
      'ERROR: HTTP error 502 while getting https://files.pythonhosted.org/x.whl: 502 Bad Gateway',
      'server error 5xx',
    ],
    [
      'qemu: uncaught target signal 11 (Segmentation fault) - core dumped',
      'QEMU crashed (uncaught target signal)',
    ],
    ['toomanyrequests: You have reached your pull rate limit.', 'rate limited (429)'],
  ];
  for (const [line, reason] of transient) {
    const k = classifyFailure(['Collecting numpy', line]);
    assert.equal(k.transient, true, line);
    assert.equal(k.reason, reason, line);
  }
});

test('compile errors, missing files, bad syntax and a full disk are real errors', { timeout: 10_000 }, () => {
  const real = [
    'gcc: error: numpy/core/src/multiarray.c: No such file or directory',
    'ERROR: Could not find a version that satisfies the requirement torch==2.9.0 (from versions: none)',
    'dockerfile parse error line 3: unknown instruction: RUNN',
    '/bin/sh: 1: pip: not found',
    'write /var/lib/docker/tmp/x: No space left on device (while the mirror said 503 Service Unavailable)',
  ];
  for (const line of real) assert.equal(classifyFailure([line]).transient, false, line);
});

test('BuildKit plain output becomes steps with durations, cache hits, and the failing step with its last lines', {
  timeout: 10_000,
}, () => {
  const seen: string[] = [];
  const log = new StepLog((s) => seen.push(s.name));
  const output = [
    '#1 [internal] load build definition from Dockerfile',
    '#1 sha256:0d2b0d...',
    '#1 transferring dockerfile: 215B done',
    '#1 DONE 0.0s',
    '#4 [base 1/1] ADD rootfs-arm64.tar /',
    '#4 CACHED',
    '',
    '#5 [build 1/2] RUN pip install -r requirements.txt',
    '#5 0.512 Collecting numpy',
    '#5 12.01 Building wheel for numpy (pyproject.toml): started',
    '#5 95.3 gcc: error: unrecognized command-line option',
    '#5 ERROR: executor failed running [/bin/sh -c pip install -r requirements.txt]: exit code: 1',
    '------',
    ' > [build 1/2] RUN pip install -r requirements.txt:',
    '------',
    'executor failed running [/bin/sh -c pip install -r requirements.txt]: exit code: 1',
  ].join('\n');
  // Fed in odd chunks, as pipes deliver it.
  for (let i = 0; i < output.length; i += 37) log.write(output.slice(i, i + 37));
  log.end();
  assert.deepEqual(seen, [
    '[internal] load build definition from Dockerfile',
    '[base 1/1] ADD rootfs-arm64.tar /',
    '[build 1/2] RUN pip install -r requirements.txt',
  ]);
  assert.equal(log.steps[0]?.durationMs, 0);
  assert.equal(log.steps[1]?.cached, true);
  const f = log.failure();
  assert.equal(f.step, '[build 1/2] RUN pip install -r requirements.txt');
  assert.ok(f.lines.includes('gcc: error: unrecognized command-line option'));
  assert.ok(f.lines.some((l) => l.startsWith('ERROR: executor failed running')));
  // The engine's closing summary repeats that line: it is reported once.
  assert.ok(!f.summary.some((l) => l.startsWith('executor failed running')), JSON.stringify(f.summary));
  assert.equal(classifyFailure([...f.lines, ...f.summary]).transient, false);
});
