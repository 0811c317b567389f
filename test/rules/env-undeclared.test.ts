// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose fixtures hold `${VAR}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/env-undeclared.js';
import { at, checkRepo } from '../helpers/check.js';

const compose = [
  'services:',
  '  api:',
  '    image: ghcr.io/acme/api:${TAG:-latest}',
  '    environment:',
  '      DATABASE_URL: postgres://app:${DB_PASSWORD}@db/app',
  '      SECRET_KEY: ${SECRET_KEY}',
  '      LOG_LEVEL: $LOG_LEVEL',
  '      SENTRY_DSN: ${SENTRY_DSN-}',
  '      PORT: ${PORT:?set PORT in .env}',
  '      GREETING: "costs $$5"',
  '    command: ["gunicorn", "-b", "0.0.0.0:${PORT:?}", "--log-level", "${LOG_LEVEL}"]',
  '  worker:',
  '    image: ghcr.io/acme/api:${TAG:-latest}',
  '    environment:',
  '      SECRET_KEY: ${SECRET_KEY}',
  '      FEATURE_FLAGS:',
  '  db:',
  '    image: postgres:16',
  '    environment:',
  '      POSTGRES_PASSWORD: ${DB_PASSWORD}',
  '',
].join('\n');

const example = [
  '# copy to .env and fill in',
  'DB_PASSWORD=change-me',
  'export LOG_LEVEL=info',
  'FEATURE_FLAGS',
  '',
].join('\n');

test('compose variables without default that .env.example lacks are reported once, at their first use', async () => {
  const findings = await checkRepo({ files: { 'compose.yaml': compose, '.env.example': example } }, [rule]);
  assert.deepEqual(at(findings), ['env-undeclared@6:19', 'env-undeclared@9:13']);
  assert.deepEqual(
    findings.map((f) => `${f.file} ${f.severity}`),
    ['compose.yaml warning', 'compose.yaml warning'],
  );
  assert.equal(
    findings[0]?.message,
    '`${SECRET_KEY}` has no default and .env.example does not declare it: a fresh checkout gets an empty value (compose warns "variable is not set")',
  );
  // `${PORT:?msg}` errors when unset: a default is still missing.
  assert.match(findings[1]?.message ?? '', /^`\$\{PORT\}` has no default/);

  // Declaring them fixes it.
  const fixed = await checkRepo(
    { files: { 'compose.yaml': compose, '.env.example': `${example}SECRET_KEY=\nPORT=8000\n` } },
    [rule],
  );
  assert.deepEqual(fixed, []);
});

test('the example env file is looked up next to each compose file, under any of its usual names', async () => {
  const findings = await checkRepo(
    {
      files: {
        'deploy/docker-compose.prod.yml': compose,
        'deploy/.env.sample': `${example}SECRET_KEY=\n`,
        // At the root, not next to deploy/: not the example of deploy/docker-compose.prod.yml.
        '.env.example': `${example}PORT=8000\n`,
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['env-undeclared@9:13']);
  assert.equal(findings[0]?.file, 'deploy/docker-compose.prod.yml');
  assert.match(
    findings[0]?.message ?? '',
    /`\$\{PORT\}` has no default and deploy\/\.env\.sample does not declare it/,
  );
});

test('without a committed example env file, compose variables are not judged', async () => {
  assert.deepEqual(await checkRepo({ files: { 'compose.yaml': compose } }, [rule]), []);
  assert.deepEqual(
    await checkRepo({ files: { 'compose.yaml': compose }, untracked: { '.env.example': example } }, [rule]),
    [],
  );
});

const ciWorkflow = [
  'name: ci',
  'on:',
  '  pull_request:',
  'jobs:',
  '  test:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - name: Configure',
  '        run: |',
  '          cp .env.example .env',
  '          cp ./config/.env.sample config/.env',
  '          cp deploy/settings.env.template settings.env',
  '          cp -f secrets/.env.dist .env.local',
  '          cp README.md /tmp/readme',
  '      - run: docker compose up -d --wait',
  '',
].join('\n');

test('a workflow copying an example env file that is absent, untracked or ignored fails: error at the path', async () => {
  const findings = await checkRepo(
    {
      files: { '.github/workflows/ci.yml': ciWorkflow, '.env.example': example, 'README.md': '# app\n' },
      untracked: { 'config/.env.sample': 'X=1\n' },
      ignored: { 'secrets/.env.dist': 'TOKEN=\n' },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}-${f.endColumn} ${f.severity}`),
    [
      '.github/workflows/ci.yml:12:14-34 error',
      '.github/workflows/ci.yml:13:14-42 error',
      '.github/workflows/ci.yml:14:17-34 error',
    ],
  );
  const [untracked, absent, ignored] = findings.map((f) => f.message);
  assert.equal(
    untracked,
    'this step copies `config/.env.sample`, which is untracked (not committed): the job fails with "No such file or directory" on a clean checkout',
  );
  assert.match(absent ?? '', /copies `deploy\/settings\.env\.template`, which is not in the repository/);
  assert.match(ignored ?? '', /copies `secrets\/\.env\.dist`, which is ignored \(not committed\)/);
});

test('a workflow copying committed example env files reports nothing', async () => {
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/ci.yml': ciWorkflow,
        '.env.example': example,
        'config/.env.sample': 'X=1\n',
        'deploy/settings.env.template': 'Y=2\n',
        'secrets/.env.dist': 'TOKEN=\n',
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});
