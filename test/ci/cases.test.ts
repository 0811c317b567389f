// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflows hold `${{ }}` text literally.
/**
 * `crossdock ci github` beyond the examples: the shell the merge job runs (the legs' results under amd64-first,
 * the tag templates) executed by bash with the variables GitHub sets; submodules, platforms without a native
 * runner, self-hosted labels; and every refusal, with what to do about it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { imageTags } from '../../src/build/tags.js';
import { allRules } from '../../src/rules/index.js';
import { checkRepo } from '../helpers/check.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type RepoSpec } from '../helpers/git-repo.js';
import { actionlint, githubErrors, type WfStep, workflow } from './helpers.js';

const lint = actionlint();
after(() => lint.close());

const TEMPLATES = ['{date}-{sha}', '{branch}', 'latest', '{sha}'];
const APP: RepoSpec = {
  files: {
    'crossdock.yaml': [
      'version: 1',
      'images:',
      '  ghcr.io/acme/app:',
      '    context: .',
      '    platforms: [linux/amd64, linux/arm64]',
      `    tags: [${TEMPLATES.map((t) => JSON.stringify(t)).join(', ')}]`,
      '',
    ].join('\n'),
    Dockerfile: 'FROM alpine:3.20\nRUN echo built > /built\n',
  },
};

async function ci(spec: RepoSpec, args: string[]) {
  const repo = makeRepo(spec);
  try {
    const r = await runCli(['ci', 'github', repo.root, ...args]);
    return { ...r, files: spec.files ?? {} };
  } finally {
    repo.cleanup();
  }
}

/** Runs a step's `run:` as GitHub does (bash -e), with `env` and the step's GITHUB_OUTPUT; returns what it wrote. */
function runStep(step: WfStep | undefined, env: Record<string, string>) {
  assert.ok(step?.run, 'the step has a script');
  const dir = mkdtempSync(join(tmpdir(), 'cdtest-ci-gen-'));
  try {
    const output = join(dir, 'output');
    writeFileSync(output, '');
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
      encoding: 'utf8',
      timeout: 10_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GITHUB_OUTPUT: output, ...env },
    });
    const out = Object.fromEntries(
      readFileSync(output, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    return { status: r.status, stdout: r.stdout, output: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the create step in a folder holding the digest files, with a `docker` that records its arguments. */
function runInDigests(step: WfStep | undefined, outputs: Record<string, string>, digests: string[]) {
  assert.ok(step?.run);
  const dir = mkdtempSync(join(tmpdir(), 'cdtest-ci-gen-'));
  try {
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'digests'));
    for (const d of digests) writeFileSync(join(dir, 'digests', d), '');
    writeFileSync(
      join(dir, 'bin', 'docker'),
      `#!/bin/bash\nprintf '%s\\n' "$@" > ${JSON.stringify(join(dir, 'argv'))}\n`,
      { mode: 0o755 },
    );
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(step.env ?? {})) {
      const m = /^\$\{\{ steps\.tags\.outputs\.(\w+) \}\}$/.exec(v);
      env[k] = m?.[1] ? (outputs[m[1]] ?? '') : v;
    }
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
      cwd: join(dir, 'digests'),
      encoding: 'utf8',
      timeout: 10_000,
      env: { PATH: `${join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...env },
    });
    const argv = existsSync(join(dir, 'argv'))
      ? readFileSync(join(dir, 'argv'), 'utf8').split('\n').slice(0, -1)
      : undefined;
    return { status: r.status, stdout: r.stdout, argv };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('amd64-first: the merge job publishes only when every platform was built, and fails on a lost leg', {
  timeout: 60_000,
}, async () => {
  const r = await ci(APP, ['--policy', 'amd64-first']);
  assert.equal(r.code, 0, r.stderr);
  const merge = workflow(r.stdout).jobs['merge-app'];
  const legs = merge?.steps.find((s) => s.id === 'legs');
  assert.deepEqual(legs?.env, {
    RELEASE:
      "${{ startsWith(github.ref, 'refs/tags/') || github.event_name == 'schedule' || github.event_name == 'workflow_dispatch' }}",
    RESULT_BUILD_APP_AMD64: '${{ needs.build-app-amd64.result }}',
    RESULT_BUILD_APP_ARM64: '${{ needs.build-app-arm64.result }}',
  });
  const run = (release: boolean, amd64: string, arm64: string) =>
    runStep(legs, {
      RELEASE: String(release),
      RESULT_BUILD_APP_AMD64: amd64,
      RESULT_BUILD_APP_ARM64: arm64,
    });
  // A branch push: amd64 built, arm64 held back by the policy → nothing published, the job succeeds.
  let x = run(false, 'success', 'skipped');
  assert.equal(x.status, 0);
  assert.deepEqual(x.output, { complete: 'false' });
  assert.match(x.stdout, /::notice::no index published/);
  // A release: both built → the index is written.
  x = run(true, 'success', 'success');
  assert.equal(x.status, 0);
  assert.deepEqual(x.output, { complete: 'true' });
  // A release where arm64 did not run (its needs failed): refused, nothing published.
  x = run(true, 'success', 'skipped');
  assert.equal(x.status, 1);
  assert.match(x.stdout, /::error::linux\/arm64 was not built/);
  // The amd64 leg is never held back: skipped (the check failed) or failed is an error on any event.
  for (const [release, amd64] of [
    [false, 'skipped'],
    [false, 'failure'],
    [true, 'cancelled'],
  ] as const) {
    x = run(release, amd64, 'skipped');
    assert.equal(x.status, 1, `${release} ${amd64}`);
    assert.deepEqual(x.output, {});
  }
  x = run(true, 'success', 'failure');
  assert.equal(x.status, 1);
  assert.match(x.stdout, /linux\/arm64: its job ended failure/);
});

test('the merge job expands the tag templates as crossdock build does', { timeout: 60_000 }, async () => {
  const r = await ci(APP, []);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await lint.lint(r.stdout), []);
  const tags = workflow(r.stdout).jobs['merge-app']?.steps.find((s) => s.id === 'tags');
  const sha = '0123456789abcdef0123456789abcdef01234567';
  const branch = 'feature/ARM64 build';
  const x = runStep(tags, { GITHUB_SHA: sha, GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: branch });
  assert.equal(x.status, 0, x.stdout);
  assert.deepEqual(
    x.output.refs?.split(' '),
    imageTags('ghcr.io/acme/app', TEMPLATES, { sha, branch }, new Date()),
  );
  // The create step writes the same tags, from the values the tags step hands on. docker buildx is not installed
  // here: a `docker` on PATH records the arguments the step passes (the step's own logic is what is tested).
  const create = workflow(r.stdout).jobs['merge-app']?.steps.find((s) => s.name === 'Create the index');
  assert.deepEqual(create?.env, {
    date: '${{ steps.tags.outputs.date }}',
    sha: '${{ steps.tags.outputs.sha }}',
    branch: '${{ steps.tags.outputs.branch }}',
  });
  const digests = ['a'.repeat(64), 'b'.repeat(64)];
  const called = runInDigests(create, x.output, digests);
  assert.equal(called.status, 0, called.stdout);
  const repo = 'ghcr.io/acme/app';
  assert.deepEqual(called.argv, [
    'buildx',
    'imagetools',
    'create',
    ...imageTags(repo, TEMPLATES, { sha, branch }, new Date()).flatMap((t) => ['--tag', t]),
    ...digests.map((d) => `${repo}@sha256:${d}`),
  ]);
  const short = runInDigests(create, x.output, digests.slice(1));
  assert.equal(short.status, 1);
  assert.equal(short.argv, undefined, 'nothing is pushed with a digest missing');
  assert.match(short.stdout, /::error::expected 2 digests, one per platform, found 1/);
  // crossdock build refuses {branch} off a branch; so does the workflow (a tag push has no branch).
  const onTag = runStep(tags, { GITHUB_SHA: sha, GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.0.0' });
  assert.equal(onTag.status, 1);
  assert.match(onTag.stdout, /::error::a tag template uses \{branch\}/);
  // A branch name that gives no valid tag fails, as expandTag does.
  const bad = runStep(tags, { GITHUB_SHA: sha, GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: '...' });
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /is not a valid tag/);
});

test('submodules in the context are checked out; a platform without a native runner gets QEMU in its own leg only', {
  timeout: 60_000,
}, async () => {
  const spec: RepoSpec = {
    files: {
      'crossdock.yaml':
        'version: 1\nimages:\n  registry.example.com/team/app:\n    context: .\n    platforms: [linux/amd64, linux/arm64, linux/arm/v7]\n',
      Dockerfile: 'FROM alpine:3.20\nCOPY vendor/proto/ /proto/\nRUN ls /proto\n',
      '.gitmodules':
        '[submodule "proto"]\n\tpath = vendor/proto\n\turl = https://github.com/acme/proto.git\n',
    },
    gitlinks: { 'vendor/proto': '0123456789abcdef0123456789abcdef01234567' },
  };
  const r = await ci(spec, ['--runner', 'linux/arm64=self-hosted,linux,ARM64']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await lint.lint(r.stdout), []);
  assert.deepEqual(await githubErrors(r.stdout), []);
  const wf = workflow(r.stdout);
  const qemu = (id: string) =>
    wf.jobs[id]?.steps.filter((s) => s.uses?.startsWith('docker/setup-qemu-action')).map((s) => s.with);
  assert.deepEqual(qemu('build-app-arm-v7'), [{ platforms: 'linux/arm/v7' }]);
  assert.deepEqual(qemu('build-app-amd64'), []);
  assert.deepEqual(qemu('build-app-arm64'), []);
  assert.equal(wf.jobs['build-app-arm-v7']?.['runs-on'], 'ubuntu-24.04');
  assert.deepEqual(wf.jobs['build-app-arm64']?.['runs-on'], ['self-hosted', 'linux', 'ARM64']);
  for (const id of ['build-app-amd64', 'build-app-arm64', 'build-app-arm-v7', 'check'])
    assert.equal(wf.jobs[id]?.steps[0]?.with?.submodules, 'recursive', id);
  // What crossdock check says of it: the arm/v7 leg is emulated (true, and reported as info), the self-hosted
  // leg may queue (info, until crossdock.yaml declares the runner); nothing else, checkout-no-submodules included.
  const findings = await checkRepo(
    { files: { ...spec.files, '.github/workflows/images.yml': r.stdout }, gitlinks: spec.gitlinks },
    allRules(),
  );
  assert.deepEqual(findings.map((f) => `${f.severity} ${f.ruleId}`).sort(), [
    'info emulated-build',
    'info self-hosted-trigger',
  ]);
});

test('refusals say what is missing and how to fix it', { timeout: 120_000 }, async () => {
  const cases: [RepoSpec, string[], RegExp][] = [
    [
      { files: { 'README.md': 'hi\n' } },
      [],
      /no image to build .*\n {2}hint: describe each image in crossdock\.yaml/,
    ],
    [
      { files: { Dockerfile: 'FROM alpine:3.20\n' } },
      [],
      /Dockerfile \(built at Dockerfile:1\) names no registry to push to.*\n {2}hint: pass --registry ghcr\.io\/OWNER/,
    ],
    [
      { files: { Dockerfile: 'FROM alpine:3.20\n' } },
      ['--registry', 'ghcr.io'],
      /--registry ghcr\.io needs the owner .*\n {2}hint: write it: --registry ghcr\.io\/OWNER/,
    ],
    [
      {
        files: {
          'compose.yaml':
            'services:\n  worker:\n    build: ./worker\n    image: registry.lan:5000/shop/worker:1.0\n',
          'worker/Dockerfile': 'FROM alpine:3.20\n',
        },
      },
      [],
      /registry\.lan:5000\/shop\/worker: the platforms of worker\/Dockerfile are not known \(compose\.yaml:3: compose builds the platform of the machine it runs on, which is not known\) and nothing declares the project's targets/,
    ],
    [
      {
        files: {
          'crossdock.yaml': 'version: 1\nimages:\n  ghcr.io/acme/app:\n    context: .\n    platforms: []\n',
          Dockerfile: 'FROM alpine:3.20\n',
        },
      },
      [],
      /ghcr\.io\/acme\/app \(crossdock\.yaml images\."ghcr\.io\/acme\/app"\) has no platform to build/,
    ],
    [
      {
        files: {
          'docker-bake.hcl':
            'variable "PLATFORMS" {}\ntarget "app" {\n  context = "."\n  platforms = ["${PLATFORMS}"]\n  tags = ["ghcr.io/acme/app:1.0"]\n}\n',
          Dockerfile: 'FROM alpine:3.20\n',
        },
      },
      [],
      /ghcr\.io\/acme\/app: the platforms of Dockerfile are set by a value known only when the build runs \(docker-bake\.hcl:2: .*\); write them in crossdock\.yaml images:/,
    ],
    [APP, ['--image', 'nope'], /--image nope: no such image\n {2}hint: images: app \(ghcr\.io\/acme\/app\)/],
    [APP, ['--runner', 'arm64'], /--runner arm64: expected PLATFORM=LABEL/],
    [APP, ['--runner', 'linux/s390x=big'], /--runner linux\/s390x=…: no image is built for linux\/s390x/],
    [
      APP,
      ['--policy', 'arm-first'],
      /--policy arm-first is not supported\n {2}hint: use native or amd64-first/,
    ],
    [
      {
        files: {
          ...APP.files,
          'crossdock.yaml': `${String(APP.files?.['crossdock.yaml'])}build:\n  secrets:\n    - { id: pip, src: ~/.pip.conf }\n`,
        },
      },
      [],
      /build secret "pip" is read from a file \(src:\), which a CI runner does not have/,
    ],
  ];
  for (const [spec, args, expected] of cases) {
    const r = await ci(spec, args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, expected);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const other = await runCli(['ci', 'gitlab']);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /crossdock ci gitlab: only github is supported/);
});

test('a compose build with no platforms uses the declared targets, and says so', {
  timeout: 60_000,
}, async () => {
  const r = await ci(
    {
      files: {
        'crossdock.yaml': 'version: 1\nplatforms: [linux/amd64, linux/arm64]\n',
        'compose.yaml':
          'services:\n  worker:\n    build: ./worker\n    image: registry.lan:5000/shop/worker:1.0\n',
        'worker/Dockerfile': 'FROM alpine:3.20\n',
      },
    },
    [],
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /^note: worker\/Dockerfile: compose\.yaml:3: .*building the project's targets linux\/amd64, linux\/arm64 \(crossdock\.yaml\)$/m,
  );
  const ids = Object.keys(workflow(r.stdout).jobs);
  assert.deepEqual(ids, ['check', 'build-worker-amd64', 'build-worker-arm64', 'merge-worker']);
  // The literal tag of the build is the template: "1.0".
  assert.match(r.stdout, /for tag in "1\.0"; do/);
});
