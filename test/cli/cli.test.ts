import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertBundleFresh, bin } from '../helpers/bundle.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/git-repo.js';

// crossdock.yaml `images:` builds the Dockerfile, so its findings are not capped to warnings as unreached.
const BROKEN = {
  files: {
    Dockerfile: 'FROM python:3.12-slim\nCOPY .env.example /app/.env\nRUN pip install x\n',
    'crossdock.yaml': 'images:\n  reg.example/app: { context: ., dockerfile: Dockerfile }\n',
  },
};

test('check: exit 1 on errors, 0 with --fail-on never, 1 with --fail-on info for info only', async (t) => {
  const repo = makeRepo(BROKEN);
  t.after(repo.cleanup);
  const r = await runCli(['check', repo.root]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Dockerfile:2:6 error missing-file/);
  assert.match(r.stdout, /> 2 \| COPY \.env\.example \/app\/\.env/);
  assert.match(r.stdout, /x 1 error, 0 warnings, 2 info in 2 files/);
  assert.equal((await runCli(['check', repo.root, '--fail-on', 'never'])).code, 0);
  const infoOnly = await runCli(['check', repo.root, '--rule', 'pip-no-timeout', '--fail-on', 'info']);
  assert.equal(infoOnly.code, 1);
  for (const gate of [[], ['--fail-on', 'warning']])
    assert.equal(
      (await runCli(['check', repo.root, '--rule', 'pip-no-timeout', ...gate])).code,
      0,
      `an info finding does not fail the gate ${gate.join(' ') || '(default: error)'}`,
    );
});

test('check --format json --output writes the report to a file and nothing to stdout', async (t) => {
  const repo = makeRepo(BROKEN);
  t.after(repo.cleanup);
  const r = await runCli(['check', '.', '--format', 'json', '--output', 'out/report.json'], {
    cwd: repo.root,
  });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const json: unknown = JSON.parse(readFileSync(join(repo.root, 'out/report.json'), 'utf8'));
  assert.ok(typeof json === 'object' && json !== null && 'findings' in json && Array.isArray(json.findings));
  assert.deepEqual(
    json.findings.map((f: { ruleId: string }) => f.ruleId),
    ['missing-file', 'pip-no-timeout', 'unpinned-dependency'],
  );
});

test('check --platform overrides the targets (and pip-no-timeout stays info: nothing builds under emulation)', async (t) => {
  const repo = makeRepo(BROKEN);
  t.after(repo.cleanup);
  const r = await runCli([
    'check',
    repo.root,
    '--platform',
    'linux/amd64',
    '--format',
    'json',
    '--rule',
    'pip-no-timeout',
  ]);
  const json: unknown = JSON.parse(r.stdout);
  assert.ok(
    typeof json === 'object' &&
      json !== null &&
      'targets' in json &&
      'findings' in json &&
      Array.isArray(json.findings),
  );
  assert.deepEqual(json.targets, { platforms: ['linux/amd64'], source: 'command line (--platform)' });
  assert.equal(json.findings[0]?.severity, 'info');
});

test('usage and config errors are exit 2 with what, where and how to fix; no stack traces', async (t) => {
  const repo = makeRepo({ files: { 'crossdock.yaml': 'platforms: [linux/amd64\n' } });
  t.after(repo.cleanup);
  const cases: [string[], RegExp][] = [
    [['check', '/definitely/not/here'], /error: \/definitely\/not\/here: no such directory\n {2}hint: /],
    [['check', repo.root], /crossdock\.yaml:2:1: invalid YAML/],
    [
      ['check', '--format', 'xml'],
      /--format xml is not supported\n {2}hint: use one of: text, json, sarif, markdown/,
    ],
    [['check', '--nope'], /check: Unknown option '--nope'/],
    [['check', '--platform', 'linux'], /--platform linux is not a platform/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['explain', 'no-such-rule'], /no rule "no-such-rule"/],
  ];
  for (const [argv, expected] of cases) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, expected, argv.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('rules --json lists every rule with a docs page; explain prints one', async () => {
  const r = await runCli(['rules', '--json']);
  assert.equal(r.code, 0);
  const json: unknown = JSON.parse(r.stdout);
  assert.ok(typeof json === 'object' && json !== null && 'rules' in json && Array.isArray(json.rules));
  const ids = json.rules.map((x: { id: string }) => x.id);
  for (const id of [
    'missing-file',
    'python-version-mismatch',
    'from-platform-constant',
    'submodule-mismatch',
  ])
    assert.ok(ids.includes(id), id);
  const root = fileURLToPath(new URL('../../', import.meta.url));
  for (const x of json.rules) assert.ok(existsSync(join(root, x.docs)), x.docs);
  const e = await runCli(['explain', 'missing-file']);
  assert.equal(e.code, 0);
  assert.match(e.stdout, /^# missing-file\n/);
  assert.match(e.stdout, /## How to fix/);
});

test('the built bin runs as a real process and sets the exit code', { timeout: 60_000 }, (t) => {
  // What users run is bin/crossdock.js over bundle/: a missing or stale build is a failure, never a skip
  // (npm test, i.e. scripts/run-tests.mjs, builds it first). test/cli/bundle.test.ts tests the bundle further.
  assertBundleFresh();
  const repo = makeRepo(BROKEN);
  t.after(repo.cleanup);
  const r = spawnSync(process.execPath, [bin, 'check', repo.root, '--format', 'sarif'], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /"version": "2.1.0"/);
  const v = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
});
