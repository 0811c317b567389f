import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { DOCKER, requireEngine } from '../helpers/engine.js';
import { assertSchema } from '../helpers/schema.js';
import { type ImageName, type SmokeFixture, smokeFixture } from '../helpers/smoke-images.js';

/**
 * `crossdock smoke` on the real engine: busybox images built here for linux/amd64 and linux/arm64 (arm64 under
 * QEMU), pushed to a real registry over TLS, pulled by digest, run in containers of their own. Startup windows
 * and grace periods are short (flags) so the file stays quick.
 */
let fx: SmokeFixture;
let logs: string;

before(async () => {
  requireEngine();
  fx = await smokeFixture(['server', 'exits', 'loop', 'swapped']);
  logs = mkdtempSync(join(tmpdir(), 'crossdock-smoke-logs-'));
});

after(async () => {
  await fx?.stop();
  if (logs) rmSync(logs, { recursive: true, force: true });
});

interface Check {
  id: string;
  status: string;
  summary: string;
  evidence: string[];
}
interface Platform {
  platform: string;
  runner: { kind: string };
  checks: Check[];
  log?: string;
}

let runs = 0;
const docker = (args: string[]) => promisify(execFile)(DOCKER, args, { timeout: 60_000 });

/** Runs `crossdock smoke` on an image; asserts nothing it labelled is left on the engine. */
async function smoke(
  image: ImageName,
  flags: string[],
  format: 'json' | 'text' | 'markdown' = 'json',
  env: Record<string, string> = {},
) {
  const runId = `cdtest-smoke-run-${process.pid}-${++runs}`;
  const r = await runCli(
    [
      'smoke',
      fx.ref(image),
      '--ca-file',
      fx.caFile,
      '--startup-window',
      '1.5s',
      '--stop-timeout',
      '5s',
      '--run-id',
      runId,
      '--quiet',
      '--format',
      format,
      ...flags,
    ],
    { env: { PATH: process.env.PATH ?? '', ...env } },
  );
  // Asynchronously: the tests run concurrently in this process, and a blocking call would stall their probes.
  const left = await docker(['ps', '-a', '--quiet', '--filter', `label=crossdock.smoke=${runId}`]);
  assert.equal(left.stdout.trim(), '', `containers left behind: ${left.stdout}`);
  const nets = await docker(['network', 'ls', '--quiet', '--filter', `label=crossdock.smoke=${runId}`]);
  assert.equal(nets.stdout.trim(), '', `networks left behind: ${nets.stdout}`);
  if (format !== 'json') return { ...r, platforms: [] as Platform[] };
  assert.equal(r.stderr, '', r.stderr);
  const doc = JSON.parse(r.stdout) as { runs: { platforms: Platform[] }[]; exitCode: number };
  assertSchema('crossdock-smoke-v1.json', doc);
  assert.equal(doc.exitCode, r.code);
  return { ...r, platforms: doc.runs[0]?.platforms ?? [] };
}

function check(p: Platform | undefined, id: string): Check {
  const c = p?.checks.find((x) => x.id === id);
  assert.ok(c, `no ${id} check`);
  return c;
}

function statuses(p: Platform | undefined): Record<string, string> {
  return Object.fromEntries((p?.checks ?? []).map((c) => [c.id, c.status]));
}

describe('smoke on the engine', { concurrency: 3, timeout: 600_000 }, () => {
  test('a correct server passes on both platforms, arm64 under QEMU; logs are kept', async () => {
    const r = await smoke('server', ['--port', '8080', '--http', '/health', '--log-dir', logs]);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(
      r.platforms.map((p) => [p.platform, p.runner.kind]),
      [
        ['linux/amd64', 'native'],
        ['linux/arm64', 'qemu'],
      ],
    );
    for (const p of r.platforms) {
      assert.deepEqual(statuses(p), {
        starts: 'pass',
        listens: 'pass',
        probes: 'pass',
        user: 'not-applicable',
        stops: 'pass',
        arch: 'pass',
        imports: 'not-applicable',
      });
      assert.match(check(p, 'probes').evidence.join('\n'), /readiness GET :8080\/health: 200 OK/);
      assert.match(
        check(p, 'arch').evidence.join('\n'),
        new RegExp(`uname -m: ${p.platform.endsWith('arm64') ? 'aarch64' : 'x86_64'}`),
      );
      assert.ok(p.log && existsSync(p.log), 'the log is kept');
      assert.match(readFileSync(p.log, 'utf8'), /serving on 8080/);
    }
  });

  test('probed on a port it does not serve: exit 1, both ports named, in JSON and text', async () => {
    const r = await smoke('server', ['--port', '8081', '--http', '/health:8081']);
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.platforms.map((p) => p.platform),
      ['linux/amd64', 'linux/arm64'],
    );
    for (const p of r.platforms) {
      assert.equal(check(p, 'listens').status, 'fail');
      assert.equal(check(p, 'listens').summary, 'listens on 8080, expected 8081');
      assert.equal(check(p, 'probes').status, 'fail');
      assert.match(check(p, 'probes').summary, /GET :8081\/health: connection refused/);
      assert.equal(check(p, 'starts').status, 'pass');
    }
    const t = await smoke('server', ['--port', '8081', '--platform', 'linux/arm64'], 'text');
    assert.equal(t.code, 1);
    assert.match(t.stdout, /^listens +✗$/m);
    assert.match(t.stdout, /linux\/arm64 listens: listens on 8080, expected 8081/);
  });

  test('an entrypoint that exits at once fails as long-running and passes as batch', async () => {
    const long = await smoke('exits', []);
    assert.equal(long.code, 1);
    for (const p of long.platforms) {
      assert.equal(check(p, 'starts').status, 'fail');
      assert.match(
        check(p, 'starts').summary,
        /exited with code 0 within the 1\.5 s startup window.*CrashLoopBackOff/,
      );
      assert.equal(check(p, 'stops').status, 'not-run');
    }
    const batch = await smoke('exits', ['--expect-exit', '0']);
    assert.equal(batch.code, 0, JSON.stringify(batch.platforms));
    for (const p of batch.platforms) {
      assert.equal(check(p, 'starts').status, 'pass');
      assert.equal(check(p, 'listens').status, 'not-applicable');
      assert.equal(check(p, 'stops').status, 'not-applicable');
    }
    const wrong = await smoke('exits', ['--expect-exit', '3', '--platform', 'linux/amd64']);
    assert.equal(wrong.code, 1);
    assert.equal(check(wrong.platforms[0], 'starts').summary, 'exited with code 0, expected 3');
  });

  test('a health path that answers 404 fails with the status and the body', async () => {
    const r = await smoke('server', ['--http', '/missing:8080', '--platform', 'linux/amd64']);
    assert.equal(r.code, 1);
    const probes = check(r.platforms[0], 'probes');
    assert.equal(probes.status, 'fail');
    assert.match(probes.summary, /GET :8080\/missing: 404 Not Found/);
    assert.match(probes.evidence.join('\n'), /body: ".*404/);
    assert.equal(check(r.platforms[0], 'listens').status, 'pass', 'EXPOSE 8080 is served');
  });

  test("root under runAsNonRoot fails with kubelet's message; runAsUser is checked against the process", async () => {
    const r = await smoke('server', ['--run-as-non-root', '--platform', 'linux/amd64']);
    assert.equal(r.code, 1);
    const user = check(r.platforms[0], 'user');
    assert.equal(user.status, 'fail');
    assert.equal(user.summary, 'container has runAsNonRoot and image will run as root');
    assert.match(user.evidence.join('\n'), /the process runs as uid 0/);
    const ok = await smoke('server', [
      '--run-as-non-root',
      '--run-as-user',
      '10001',
      '--platform',
      'linux/arm64',
    ]);
    assert.equal(check(ok.platforms[0], 'user').status, 'pass');
    assert.equal(check(ok.platforms[0], 'user').summary, 'runs as uid 10001');
  });

  test('PID 1 ignoring SIGTERM exceeds a short grace period; with --init it stops at once', async () => {
    const r = await smoke('loop', ['--stop-timeout', '2s']);
    assert.equal(r.code, 1);
    for (const p of r.platforms) {
      const stops = check(p, 'stops');
      assert.equal(stops.status, 'fail', `${p.platform}: ${stops.summary}`);
      assert.match(
        stops.summary,
        /ignored SIGTERM: killed after the 2 s grace period \(PID 1 is busybox, not an init\)/,
      );
      assert.match(stops.evidence.join('\n'), /exit code 137/);
    }
    const init = await smoke('loop', ['--stop-timeout', '2s', '--init']);
    assert.equal(init.code, 0, JSON.stringify(init.platforms.map((p) => p.checks)));
    for (const p of init.platforms) {
      const stops = check(p, 'stops');
      assert.equal(stops.status, 'pass');
      assert.match(stops.summary, /stopped on SIGTERM in \d\.\d s \(PID 1 is an init: docker-init\)/);
    }
  });

  test('an arm64 image holding an amd64 executable fails arch on arm64 only', async () => {
    const r = await smoke('swapped', ['--port', '8080']);
    assert.equal(r.code, 1);
    const [amd, arm] = r.platforms;
    assert.equal(check(amd, 'arch').status, 'pass');
    const arch = check(arm, 'arch');
    assert.equal(arch.status, 'fail');
    assert.equal(arch.summary, 'the main executable is amd64 in the linux/arm64 image');
    assert.match(arch.evidence.join('\n'), /\/bin\/busybox: ELF 64-bit amd64/);
    // It runs (on this amd64 machine the kernel runs the amd64 binary natively), so uname tells the truth too.
    assert.match(arch.evidence.join('\n'), /uname -m: x86_64/);
  });

  test('without QEMU for arm64 the platform is not runnable, with the fix (markdown for job summaries)', async () => {
    const noBinfmt = mkdtempSync(join(tmpdir(), 'crossdock-no-binfmt-'));
    try {
      const env = { CROSSDOCK_BINFMT_DIR: noBinfmt };
      const r = await smoke('server', ['--port', '8080'], 'json', env);
      assert.equal(r.code, 1);
      const arm = r.platforms.find((p) => p.platform === 'linux/arm64');
      assert.equal(arm?.runner.kind, 'not-runnable');
      assert.match(JSON.stringify(arm?.runner), /update-binfmts --enable qemu-aarch64/);
      assert.deepEqual(new Set(arm?.checks.map((c) => c.status)), new Set(['not-run']));
      assert.equal(check(r.platforms[0], 'listens').status, 'pass', 'amd64 still runs natively');
      const md = await smoke('server', ['--port', '8080'], 'markdown', env);
      assert.equal(md.code, 1);
      assert.match(md.stdout, /^\| check \| linux\/amd64 \| linux\/arm64 \|$/m);
      assert.match(md.stdout, /^\| listens \| ✅ \| ❔ \|$/m);
      assert.match(md.stdout, /\*\*linux\/arm64\*\*: not runnable: no engine can run linux\/arm64/);
    } finally {
      rmSync(noBinfmt, { recursive: true, force: true });
    }
  });

  test('--python-import on an image without Python fails on both kinds of workload, naming why', async () => {
    const server = await smoke('server', ['--python-import', 'json', '--platform', 'linux/amd64']);
    assert.equal(server.code, 1);
    const imports = check(server.platforms[0], 'imports');
    assert.equal(imports.status, 'fail');
    assert.equal(imports.summary, 'json does not import');
    assert.deepEqual(imports.evidence, ['import json: python3 is not in the image']);
    // A batch image has exited: the import runs in a one-off container (labelled, removed: checked by smoke()).
    const batch = await smoke('exits', [
      '--expect-exit',
      '0',
      '--python-import',
      'json',
      '--platform',
      'linux/arm64',
    ]);
    assert.equal(check(batch.platforms[0], 'starts').status, 'pass');
    assert.deepEqual(check(batch.platforms[0], 'imports').evidence, [
      'import json: python3 is not in the image',
    ]);
  });
});
