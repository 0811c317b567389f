import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli } from '../helpers/cli.js';
import { DOCKER, requireEngine } from '../helpers/engine.js';
import { makeRepo } from '../helpers/git-repo.js';
import { assertSchema } from '../helpers/schema.js';
import { type ImageName, type SmokeFixture, smokeFixture } from '../helpers/smoke-images.js';

/**
 * `crossdock smoke <ref> --manifest FILE`: the contract comes from the deployment files (Kubernetes workloads and
 * Services, compose services), on the real engine, with images built here for both platforms.
 */
let fx: SmokeFixture;
let dir: string;

before(async () => {
  requireEngine();
  fx = await smokeFixture(['server', 'exits']);
  dir = mkdtempSync(join(tmpdir(), 'crossdock-smoke-manifest-'));
});

after(async () => {
  await fx?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Check {
  id: string;
  status: string;
  summary: string;
  evidence: string[];
}
interface Run {
  contract: { name: string; lifecycle: string; ports: { port: number }[] };
  platforms: { platform: string; checks: Check[] }[];
}

let runs = 0;
const docker = (args: string[]) => promisify(execFile)(DOCKER, args, { timeout: 60_000 });

async function smoke(
  image: ImageName,
  file: string,
  text: string,
  flags: string[] = [],
  format = 'json',
  window = '1.5s',
) {
  const path = join(dir, file);
  writeFileSync(path, text);
  const runId = `cdtest-smoke-manifest-${process.pid}-${++runs}`;
  const r = await runCli(
    [
      'smoke',
      fx.ref(image),
      '--manifest',
      path,
      '--ca-file',
      fx.caFile,
      ...(window ? ['--startup-window', window] : []),
      '--stop-timeout',
      '5s',
      '--run-id',
      runId,
      '--quiet',
      '--format',
      format,
      ...flags,
    ],
    { env: { PATH: process.env.PATH ?? '' } },
  );
  const left = await docker(['ps', '-a', '--quiet', '--filter', `label=crossdock.smoke=${runId}`]);
  assert.equal(left.stdout.trim(), '', `containers left behind: ${left.stdout}`);
  if (format !== 'json') return { ...r, runs: [] as Run[] };
  const doc = JSON.parse(r.stdout) as { runs: Run[] };
  assertSchema('crossdock-smoke-v1.json', doc);
  return { ...r, runs: doc.runs };
}

const check = (run: Run | undefined, platform: string, id: string): Check => {
  const c = run?.platforms.find((p) => p.platform === platform)?.checks.find((x) => x.id === id);
  assert.ok(c, `no ${id} check on ${platform}`);
  return c;
};

function deployment(image: string, port: number, probePath = '/health'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ${image}
          ports:
            - name: http
              containerPort: ${port}
          readinessProbe:
            httpGet: {path: ${probePath}, port: http}
            periodSeconds: 1
            failureThreshold: 2
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: http
`;
}

describe('smoke --manifest on the engine', { concurrency: 2, timeout: 600_000 }, () => {
  test('a service ready after the startup window but before kubelet gives up passes', async () => {
    // No --startup-window. Ready 15 s after the start. smoke first looks at 10 s (the shortest window; the probe's first run is at
    // 0 + 5 s) and asks again every second until kubelet would count the probe as failed: 0 + 5 × 4 = 20 s.
    const late = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: late
spec:
  selector:
    matchLabels: {app: late}
  template:
    metadata:
      labels: {app: late}
    spec:
      containers:
        - name: late
          image: ${fx.ref('server')}
          command: ["/bin/busybox", "sh", "-c", "trap 'exit 0' TERM; /bin/busybox mkdir -p /tmp; (/bin/busybox sleep 15; /bin/busybox touch /tmp/ready) & /bin/busybox httpd -f -p 8080 -h /www & wait"]
          readinessProbe:
            exec: {command: ["/bin/busybox", "cat", "/tmp/ready"]}
            periodSeconds: 5
            failureThreshold: 4
`;
    const r = await smoke('server', 'late.yaml', late, ['--platform', 'linux/amd64'], 'json', '');
    const probes = check(r.runs[0], 'linux/amd64', 'probes');
    assert.equal(probes.status, 'pass', JSON.stringify(probes));
    assert.equal(r.code, 0, r.stdout);
    assert.equal(check(r.runs[0], 'linux/amd64', 'starts').summary, 'running after the 10 s startup window');
    // It was not ready at the first ask: smoke kept asking (about 5 s) rather than report a failure kubelet
    // would not have seen.
    assert.ok((probes as Check & { durationMs: number }).durationMs >= 3000, JSON.stringify(probes));
  });

  test('a Deployment whose named port and probe match the server passes on both platforms', async () => {
    const r = await smoke('server', 'good.yaml', deployment(fx.ref('server'), 8080));
    assert.equal(r.code, 0, r.stdout);
    const run = r.runs[0];
    assert.equal(run?.contract.name, 'Deployment/web');
    assert.deepEqual(
      run?.contract.ports.map((p) => p.port),
      [8080],
    );
    for (const p of ['linux/amd64', 'linux/arm64']) {
      assert.equal(check(run, p, 'listens').status, 'pass');
      assert.equal(check(run, p, 'probes').status, 'pass');
      assert.match(check(run, p, 'probes').evidence.join('\n'), /GET :8080\/health: 200/);
    }
  });

  test('a Deployment that routes to a port the server does not serve fails and names both ports', async () => {
    const text = deployment(fx.ref('server'), 8081);
    const r = await smoke('server', 'wrong-port.yaml', text);
    assert.equal(r.code, 1);
    for (const p of ['linux/amd64', 'linux/arm64']) {
      assert.equal(check(r.runs[0], p, 'listens').status, 'fail');
      assert.equal(check(r.runs[0], p, 'listens').summary, 'listens on 8080, expected 8081');
    }
    const t = await smoke('server', 'wrong-port.yaml', text, ['--platform', 'linux/amd64'], 'text');
    assert.equal(t.code, 1);
    assert.match(t.stdout, /contract: Deployment\/web/);
    assert.match(t.stdout, /listens on 8080, expected 8081/);
  });

  test('an entrypoint that exits at once fails under a Deployment and passes under a Job', async () => {
    const image = fx.ref('exits');
    const asDeployment = await smoke('exits', 'exits-deploy.yaml', deployment(image, 8080), [
      '--platform',
      'linux/arm64',
    ]);
    assert.equal(asDeployment.code, 1);
    assert.equal(check(asDeployment.runs[0], 'linux/arm64', 'starts').status, 'fail');
    const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: once
          image: ${image}
`;
    const asJob = await smoke('exits', 'exits-job.yaml', job);
    assert.equal(asJob.code, 0, asJob.stdout);
    assert.equal(asJob.runs[0]?.contract.lifecycle, 'batch');
    for (const p of ['linux/amd64', 'linux/arm64'])
      assert.equal(check(asJob.runs[0], p, 'starts').status, 'pass');
  });

  test("a compose service's healthcheck is run as the probe", async () => {
    const compose = (path: string) => `services:
  web:
    image: ${fx.ref('server')}
    ports: ["8080:8080"]
    healthcheck:
      test: ["CMD", "/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080${path}"]
      interval: 1s
      retries: 2
`;
    const good = await smoke('server', 'compose.yaml', compose('/health'), ['--platform', 'linux/amd64']);
    assert.equal(good.code, 0, good.stdout);
    assert.equal(check(good.runs[0], 'linux/amd64', 'probes').status, 'pass');
    const bad = await smoke('server', 'compose-bad.yaml', compose('/missing'), ['--platform', 'linux/amd64']);
    assert.equal(bad.code, 1);
    assert.equal(check(bad.runs[0], 'linux/amd64', 'probes').status, 'fail');
    assert.equal(check(bad.runs[0], 'linux/amd64', 'listens').status, 'pass');
  });

  test("smoke [dir]: the repository's compose service that builds the image gives the contract", async () => {
    const compose = `services:
  web:
    build: .
    image: ${fx.ref('server')}
    ports: ["8081:8081"]
`;
    const repo = makeRepo({
      files: { Dockerfile: 'FROM scratch\nCOPY www /www\n', 'www/health': 'ok\n', 'compose.yaml': compose },
    });
    try {
      const runId = `cdtest-smoke-manifest-${process.pid}-${++runs}`;
      const r = await runCli(
        [
          'smoke',
          repo.root,
          '--ca-file',
          fx.caFile,
          '--startup-window',
          '1.5s',
          '--stop-timeout',
          '5s',
          '--platform',
          'linux/amd64',
          '--run-as-non-root',
          '--run-id',
          runId,
          '--quiet',
          '--format',
          'json',
        ],
        { env: { PATH: process.env.PATH ?? '' } },
      );
      const left = await docker(['ps', '-a', '--quiet', '--filter', `label=crossdock.smoke=${runId}`]);
      assert.equal(left.stdout.trim(), '');
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const doc = JSON.parse(r.stdout) as { runs: Run[] };
      assertSchema('crossdock-smoke-v1.json', doc);
      assert.equal(doc.runs.length, 1);
      assert.match(doc.runs[0]?.contract.name ?? '', /web/);
      assert.equal(check(doc.runs[0], 'linux/amd64', 'listens').summary, 'listens on 8080, expected 8081');
      // The flags apply over the derived contract: busybox runs as root, which runAsNonRoot refuses.
      assert.equal(check(doc.runs[0], 'linux/amd64', 'user').status, 'fail');
    } finally {
      repo.cleanup();
    }
  });

  test('manifests that deploy another image are refused with exit 2', async () => {
    const r = await smoke(
      'server',
      'other.yaml',
      `${deployment('registry.invalid/other/app:1', 8080)}---\n${deployment('registry.invalid/other/worker:1', 9090)}`,
      [],
      'text',
    );
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /no workload or service there runs/);
  });
});
