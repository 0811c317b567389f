import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { commonArgs, secretEnv } from '../../src/build/backends.js';
import { runCli } from '../helpers/cli.js';
import { requireEngine, sampleRepo } from '../helpers/engine.js';
import type { TempRepo } from '../helpers/git-repo.js';
import { skopeo, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { assertSchema } from '../helpers/schema.js';

/**
 * Build secrets with real builds (dockerd's BuildKit and buildah) that read them in RUN --mount=type=secret, and
 * a secret-looking build arg: the image proves the secrets were read (their hashes are in it), and no value
 * appears in the plan, the progress output (debug included), the engine logs or the run record.
 */
let work: string;
let registry: TestRegistry;
let repo: TempRepo;
const nonce = randomBytes(6).toString('hex');
const ENV_SECRET = `npm-secret-${nonce}`;
const FILE_SECRET = `pip-secret-${nonce}`;
const ARG_VALUE = `arg-token-${nonce}`;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const DOCKERFILE = [
  'FROM scratch',
  'ARG TARGETARCH',
  'ADD rootfs-${TARGETARCH}.tar /',
  'ARG API_TOKEN',
  `RUN echo "token is $API_TOKEN (${nonce})"`,
  'RUN --mount=type=secret,id=npm_token --mount=type=secret,id=pip_conf /bin/busybox sha256sum /run/secrets/npm_token /run/secrets/pip_conf > /secrets.sha && echo "secret says $(cat /run/secrets/npm_token)"',
  '',
].join('\n');

before(async () => {
  requireEngine();
  work = mkdtempSync(join(tmpdir(), 'crossdock-secrets-'));
  registry = await startRegistry();
  repo = sampleRepo({
    dockerfile: DOCKERFILE,
    config: 'build:\n  secrets:\n    - { id: pip_conf, src: ../pip.conf }\n',
  });
  // The file secret lives outside the build context, next to the repository.
  writeFileSync(join(repo.root, '..', 'pip.conf'), FILE_SECRET);
});

after(async () => {
  if (repo) rmSync(join(repo.root, '..', 'pip.conf'), { force: true });
  repo?.cleanup();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({
  PATH: process.env.PATH ?? '',
  HOME: work,
  CROSSDOCK_CACHE_DIR: join(work, 'cache'),
  NPM_TOKEN: ENV_SECRET,
});

const secretArgs = ['--secret', 'id=npm_token,env=NPM_TOKEN', '--build-arg', `API_TOKEN=${ARG_VALUE}`];

function assertNoSecret(where: string, text: string): void {
  for (const v of [ENV_SECRET, FILE_SECRET, ARG_VALUE])
    assert.ok(!text.includes(v), `${where} holds a secret value`);
}

/** A file of an image in the registry, read from its layers as skopeo fetched them. */
function fileInImage(ref: string, path: string): string {
  const dir = join(work, `img-${randomBytes(4).toString('hex')}`);
  skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `dir:${dir}`]);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    layers: { digest: string }[];
  };
  for (const layer of [...manifest.layers].reverse()) {
    const r = spawnSync('tar', ['-xzOf', join(dir, layer.digest.slice(7)), path], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout;
  }
  throw new Error(`${path} is not in ${ref}`);
}

const readAll = (dir: string) =>
  readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');

test('plan: secret-looking build args are redacted with a warning; secrets are listed without their values', {
  timeout: 120_000,
}, async () => {
  const json = await runCli(
    ['plan', repo.root, '--platform', 'linux/amd64', '--format', 'json', ...secretArgs],
    {
      env: env(),
    },
  );
  assert.equal(json.code, 0, json.stderr + json.stdout);
  assertSchema('crossdock-plan-v1.json', JSON.parse(json.stdout));
  const plan = JSON.parse(json.stdout);
  assert.deepEqual(plan.images[0].buildArgs, { API_TOKEN: '[redacted]' });
  assert.deepEqual(plan.secrets, [
    { id: 'pip_conf', source: 'file', from: join(repo.root, '..', 'pip.conf') },
    { id: 'npm_token', source: 'env', from: 'NPM_TOKEN' },
  ]);
  assert.ok(
    (plan.notices as string[]).some((n) =>
      /build arg API_TOKEN looks like a secret: .*--secret id=api_token,env=API_TOKEN/.test(n),
    ),
    plan.notices.join('\n'),
  );
  const text = await runCli(['plan', repo.root, '--platform', 'linux/amd64', ...secretArgs], { env: env() });
  assert.match(text.stdout, /build args: API_TOKEN=\[redacted\]/);
  assert.match(text.stdout, /npm_token {2}from \$NPM_TOKEN/);
  assertNoSecret('plan json', json.stdout + json.stderr);
  assertNoSecret('plan text', text.stdout + text.stderr);
  // An unset variable or an unreadable file stops the build before it starts.
  const unset = await runCli(
    ['plan', repo.root, '--platform', 'linux/amd64', '--secret', 'id=x,env=NOT_SET_ANYWHERE'],
    {
      env: env(),
    },
  );
  assert.equal(unset.code, 1);
  assert.match(unset.stdout, /secret x: the environment variable NOT_SET_ANYWHERE is not set/);
});

for (const [backend, nodeArgs] of [
  ['dockerd BuildKit', []],
  ['buildah', ['--node', 'bh=buildah://local']],
] as const)
  test(`${backend}: RUN --mount=type=secret reads both secrets; no value in the output, logs or run record`, {
    timeout: 240_000,
  }, async () => {
    const name = backend === 'buildah' ? 'secrets-buildah' : 'secrets-docker';
    const logs = join(work, `logs-${name}`);
    const meta = join(work, `${name}.json`);
    // A real process (as users run it), so CROSSDOCK_DEBUG's argv lines are in its stderr too.
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'scripts/dev.mjs'),
        'build',
        repo.root,
        ...nodeArgs,
        '--platform',
        'linux/amd64',
        '--tag',
        `${registry.host}/team/${name}:1`,
        '--push',
        '--plain-http',
        registry.host,
        '--log-dir',
        logs,
        '--metadata-file',
        meta,
        ...secretArgs,
      ],
      { cwd: repoRoot, env: { ...env(), CROSSDOCK_DEBUG: '1' }, encoding: 'utf8', timeout: 200_000 },
    );
    const r = { code: run.status, stdout: run.stdout, stderr: run.stderr };
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const record = JSON.parse(readFileSync(meta, 'utf8'));
    assertSchema('crossdock-build-run-v1.json', record);
    const digest: string = record.images[0].platforms[0].digest;
    // The build read both secrets: their hashes are in the image.
    const hashes = fileInImage(`${registry.host}/team/${name}@${digest}`, 'secrets.sha');
    assert.match(hashes, new RegExp(`^${sha(ENV_SECRET)}  /run/secrets/npm_token$`, 'm'));
    assert.match(hashes, new RegExp(`^${sha(FILE_SECRET)}  /run/secrets/pip_conf$`, 'm'));
    // The engine echoed both values; what crossdock kept shows neither.
    const log = readAll(logs);
    assert.match(log, new RegExp(`token is \\[redacted\\] \\(${nonce}\\)`));
    assert.match(log, /secret says \[redacted\]/);
    assertNoSecret('stdout', r.stdout);
    assertNoSecret('stderr (with CROSSDOCK_DEBUG)', r.stderr);
    assertNoSecret('run record', readFileSync(meta, 'utf8'));
    assertNoSecret('engine log', log);
    assert.match(r.stderr, /debug: exec .*"--build-arg" "API_TOKEN" /, 'the build arg is passed by name');
  });

test('every backend gets secret values through its environment, never its argv (pure)', {
  timeout: 10_000,
}, () => {
  const job = {
    platform: 'linux/arm64',
    dockerfile: '/src/Dockerfile',
    buildArgs: { PYTHON_VERSION: '3.12', GITHUB_TOKEN: 'ghp_value', db_password: 'pw-value' },
    secrets: [
      { id: 'npm', value: 'npm-value' },
      { id: 'pip', src: '/home/u/.pip.conf' },
    ],
    labels: {},
  };
  const argv = commonArgs(job);
  assert.deepEqual(argv.slice(4), [
    '--build-arg',
    'PYTHON_VERSION=3.12',
    '--build-arg',
    'GITHUB_TOKEN',
    '--build-arg',
    'db_password',
    '--secret',
    'id=npm,env=CROSSDOCK_SECRET_0',
    '--secret',
    'id=pip,src=/home/u/.pip.conf',
  ]);
  for (const v of ['ghp_value', 'pw-value', 'npm-value']) assert.ok(!argv.join(' ').includes(v));
  assert.deepEqual(secretEnv(job), {
    GITHUB_TOKEN: 'ghp_value',
    db_password: 'pw-value',
    CROSSDOCK_SECRET_0: 'npm-value',
  });
});
