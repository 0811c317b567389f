import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { requireEngine, sampleRepo } from '../helpers/engine.js';
import type { TempRepo } from '../helpers/git-repo.js';
import { assertSchema } from '../helpers/schema.js';

/**
 * `crossdock plan` against the real engine: routing, emulation availability read from binfmt_misc (a folder of
 * the test's own stands in for /proc/sys/fs/binfmt_misc where a registration must be missing or present),
 * unusable nodes, tag templates, and clear errors for bad configuration. Nothing is built.
 */
let work: string;
let repo: TempRepo;
let noQemu: string;
let withQemu: string;

before(() => {
  requireEngine();
  work = mkdtempSync(join(tmpdir(), 'crossdock-plan-'));
  noQemu = join(work, 'binfmt-empty');
  mkdirSync(noQemu);
  withQemu = join(work, 'binfmt-arm64');
  mkdirSync(withQemu);
  writeFileSync(
    join(withQemu, 'qemu-aarch64'),
    'enabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: OCF\n',
  );
  repo = sampleRepo();
});

after(() => {
  repo?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? '', HOME: work, ...extra });

interface PlanJson {
  version: number;
  push: boolean;
  git: { sha?: string; branch?: string };
  nodes: {
    name: string;
    healthy: boolean;
    problem?: string;
    native: string[];
    nativeSource: string;
    emulation: Record<string, string>;
  }[];
  images: {
    name: string;
    tags: string[];
    platforms: { platform: string; node: string; mode: string; emulation?: string }[];
  }[];
  notices: string[];
  problems: string[];
}

async function plan(
  args: string[],
  extra: Record<string, string> = {},
): Promise<{ code: number; plan: PlanJson; stderr: string }> {
  const r = await runCli(['plan', repo.root, '--format', 'json', ...args], { env: env(extra) });
  assert.ok(r.stdout.trim().startsWith('{'), r.stderr + r.stdout);
  assertSchema('crossdock-plan-v1.json', JSON.parse(r.stdout));
  return { code: r.code, plan: JSON.parse(r.stdout) as PlanJson, stderr: r.stderr };
}

test('the local engine builds its own architecture natively and arm64 under QEMU when binfmt has it', {
  timeout: 120_000,
}, async () => {
  const { code, plan: p } = await plan(
    ['--platform', 'linux/amd64,linux/arm64', '--tag', 'reg.example:5000/team/app'],
    {
      CROSSDOCK_BINFMT_DIR: withQemu,
    },
  );
  assert.equal(code, 0);
  assert.equal(p.version, 1);
  assert.equal(p.nodes[0]?.name, 'local');
  assert.deepEqual(p.nodes[0]?.native, ['linux/amd64']);
  assert.equal(p.nodes[0]?.nativeSource, 'detected');
  assert.deepEqual(p.nodes[0]?.emulation, { arm64: 'enabled' });
  assert.deepEqual(
    p.images[0]?.platforms.map((x) => `${x.platform} ${x.mode} ${x.emulation ?? ''}`.trim()),
    ['linux/amd64 native', 'linux/arm64 emulated enabled'],
  );
  assert.ok(p.notices.some((n) => /linux\/arm64 will be emulated \(QEMU\) on node local/.test(n)));
  assert.deepEqual(p.images[0]?.tags, ['reg.example:5000/team/app:latest']);
});

test('without QEMU for arm64 and no native arm64 node, the plan refuses and says how to fix it; build does not start', {
  timeout: 120_000,
}, async () => {
  const { code, plan: p } = await plan(['--platform', 'linux/amd64,linux/arm64'], {
    CROSSDOCK_BINFMT_DIR: noQemu,
  });
  assert.equal(code, 1);
  assert.equal(p.images[0]?.platforms.length, 1, 'only amd64 is routable');
  assert.match(p.problems[0] ?? '', /no builder node can build linux\/arm64/);
  assert.match(p.problems[0] ?? '', /update-binfmts --enable qemu-aarch64/);
  assert.match(p.problems[0] ?? '', /native arm64 builder node \(--node NAME=ssh:\/\/user@host/);

  const b = await runCli(['build', repo.root, '--platform', 'linux/amd64,linux/arm64'], {
    env: env({ CROSSDOCK_BINFMT_DIR: noQemu }),
  });
  assert.equal(b.code, 2);
  assert.match(b.stderr, /the build cannot start: 1 problem/);
  assert.doesNotMatch(b.stderr, /building|starting/);
});

test('an unreachable node gets no work and is reported; with no usable node at all, nothing can be built', {
  timeout: 120_000,
}, async () => {
  const { code, plan: p } = await plan(
    [
      '--node',
      'local=unix:///var/run/docker.sock',
      '--node',
      'far=unix:///nonexistent/docker.sock',
      '--platform',
      'linux/amd64',
    ],
    {
      CROSSDOCK_BINFMT_DIR: withQemu,
    },
  );
  assert.equal(code, 0);
  const far = p.nodes.find((n) => n.name === 'far');
  assert.equal(far?.healthy, false);
  assert.match(far?.problem ?? '', /does not answer.*start it, or fix the endpoint/);
  assert.ok(p.notices.some((n) => /node far is not usable and gets no work/.test(n)));
  assert.equal(p.images[0]?.platforms[0]?.node, 'local');

  const only = await plan(['--node', 'far=unix:///nonexistent/docker.sock', '--platform', 'linux/amd64']);
  assert.equal(only.code, 1);
  assert.match(only.plan.problems[0] ?? '', /no builder node can build linux\/amd64: no node is usable/);
});

test('a node declared native for arm64 takes arm64 natively; work is spread over equal nodes', {
  timeout: 120_000,
}, async () => {
  const { plan: p } = await plan(
    [
      '--node',
      'a=unix:///var/run/docker.sock',
      '--node',
      'b=unix:///var/run/docker.sock',
      '--platform',
      'linux/amd64,linux/arm64',
    ],
    { CROSSDOCK_BINFMT_DIR: withQemu },
  );
  // Both nodes are the same amd64 engine: amd64 goes to the first, arm64 (emulated) to the less loaded second.
  assert.deepEqual(
    p.images[0]?.platforms.map((x) => `${x.platform}@${x.node}:${x.mode}`),
    ['linux/amd64@a:native', 'linux/arm64@b:emulated'],
  );
});

test('the emulation notice names the dependencies known to compile from source under QEMU, not those with wheels', {
  timeout: 120_000,
}, async () => {
  const r = sampleRepo({ files: { 'requirements.txt': 'flask==3.0.3\nscipy==1.13.1\npsycopg2==2.9.9\n' } });
  try {
    const out = await runCli(['plan', r.root, '--format', 'json', '--platform', 'linux/amd64,linux/arm64'], {
      env: env({ CROSSDOCK_BINFMT_DIR: withQemu }),
    });
    const notices = JSON.parse(out.stdout).notices as string[];
    assert.ok(
      notices.some((n) =>
        /linux\/arm64 will be emulated .*expect it to take hours, not minutes: psycopg2 compiles from source under emulation \(no prebuilt arm64 wheel or binary is published\)/.test(
          n,
        ),
      ),
      notices.join('\n'),
    );
    // scipy publishes manylinux aarch64 wheels: not claimed to compile.
    assert.ok(!notices.some((n) => /flask|scipy/.test(n)));
  } finally {
    r.cleanup();
  }
  // Only packages with wheels: offline, the notice says it does not know whether they compile.
  const w = sampleRepo({ files: { 'requirements.txt': 'flask==3.0.3\nscipy==1.13.1\n' } });
  try {
    const out = await runCli(['plan', w.root, '--format', 'json', '--platform', 'linux/amd64,linux/arm64'], {
      env: env({ CROSSDOCK_BINFMT_DIR: withQemu }),
    });
    const notices = JSON.parse(out.stdout).notices as string[];
    assert.ok(
      notices.some((n) =>
        /linux\/arm64 will be emulated .*5-20x for compiling steps\); its Python packages may compile from source under emulation: run `crossdock deps` or `check --online` to know/.test(
          n,
        ),
      ),
      notices.join('\n'),
    );
    assert.ok(!notices.some((n) => /hours/.test(n)));
  } finally {
    w.cleanup();
  }
});

test('without flags or images:, the build graph says what to build: the script that builds and pushes', {
  timeout: 120_000,
}, async () => {
  const r = sampleRepo({
    files: {
      'scripts/release.sh':
        '#!/bin/sh\nset -e\ndocker buildx build --platform linux/amd64,linux/arm64 -t reg.example:5000/team/app:1.2 --build-arg MODE=prod --push .\n',
    },
  });
  try {
    const out = await runCli(['plan', r.root, '--format', 'json'], {
      env: env({ CROSSDOCK_BINFMT_DIR: withQemu }),
    });
    assert.equal(out.code, 0, out.stderr + out.stdout);
    const image = JSON.parse(out.stdout).images[0];
    assert.equal(image.repository, 'reg.example:5000/team/app');
    assert.deepEqual(image.tags, ['reg.example:5000/team/app:1.2']);
    assert.deepEqual(image.buildArgs, { MODE: 'prod' });
    assert.match(image.origin, /^build graph: scripts\/release\.sh:3/);
    assert.deepEqual(
      image.platforms.map((p: { platform: string }) => p.platform),
      ['linux/amd64', 'linux/arm64'],
    );
  } finally {
    r.cleanup();
  }
});

test('build.emulation: forbid turns an emulated platform into a problem', { timeout: 120_000 }, async () => {
  const r = sampleRepo({ config: 'build:\n  emulation: forbid\n' });
  try {
    const out = await runCli(['plan', r.root, '--format', 'json', '--platform', 'linux/arm64'], {
      env: env({ CROSSDOCK_BINFMT_DIR: withQemu }),
    });
    assert.equal(out.code, 1);
    assert.match(
      JSON.parse(out.stdout).problems[0],
      /would be emulated on node local, and build.emulation is forbid/,
    );
  } finally {
    r.cleanup();
  }
});

test('tag templates expand from git; {branch} on a detached HEAD is a problem, not a wrong tag', {
  timeout: 120_000,
}, async () => {
  const r = sampleRepo({
    config:
      'build:\n  tags: ["{date}-{sha}", "{branch}"]\nimages:\n  reg.example:5000/team/app:\n    context: .\n  reg.example:5000/team/api:\n    context: .\n    tags: ["{sha}", stable]\n',
  });
  try {
    const sha = spawnSync('git', ['-C', r.root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    const now = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    const ok = await runCli(['plan', r.root, '--format', 'json'], {
      env: env({ CROSSDOCK_BINFMT_DIR: withQemu }),
    });
    assert.deepEqual(JSON.parse(ok.stdout).images[0].tags, [
      `reg.example:5000/team/app:${now}-${sha.slice(0, 7)}`,
      'reg.example:5000/team/app:main',
    ]);
    // An image's own tags: are templates too.
    assert.deepEqual(JSON.parse(ok.stdout).images[1].tags, [
      `reg.example:5000/team/api:${sha.slice(0, 7)}`,
      'reg.example:5000/team/api:stable',
    ]);
    spawnSync('git', ['-C', r.root, 'checkout', '-q', '--detach']);
    const detached = await runCli(['plan', r.root, '--format', 'json'], {
      env: env({ CROSSDOCK_BINFMT_DIR: withQemu }),
    });
    assert.equal(detached.code, 1);
    assert.match(JSON.parse(detached.stdout).problems[0], /uses \{branch\}, but HEAD is not on a branch/);
  } finally {
    r.cleanup();
  }
});

test('problems found after probing (tags, Dockerfile) are listed with their fix; the plan exits 1', {
  timeout: 120_000,
}, async () => {
  // Type errors in crossdock.yaml and bad flags fail before any probing: test/build/config.test.ts.
  const cases: [string[], string | undefined, RegExp][] = [
    [
      [],
      'images:\n  reg.example:5000/app:\n    context: .\n    tags: ["v 1"]\n',
      /gives "v 1", which is not a valid tag/,
    ],
    [
      [],
      'build:\n  tags: ["{version}"]\nimages:\n  reg/app:\n    context: .\n',
      /unknown placeholder \{version\}/,
    ],
    [
      ['--file', 'missing/Dockerfile', '--context', '.'],
      undefined,
      /Dockerfile missing\/Dockerfile does not exist/,
    ],
  ];
  for (const [args, config, expected] of cases) {
    const r = config ? sampleRepo({ config }) : repo;
    try {
      const out = await runCli(['plan', r.root, ...args], {
        env: env({ CROSSDOCK_BINFMT_DIR: withQemu }),
        cwd: r.root,
      });
      assert.equal(out.code, 1, `${args.join(' ')} ${config ?? ''}`);
      assert.match(out.stderr + out.stdout, expected);
      assert.doesNotMatch(out.stderr, /internal error|at .*\.ts:\d+/);
    } finally {
      if (config) r.cleanup();
    }
  }
});
