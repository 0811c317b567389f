import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { parse } from 'yaml';
import { splitArgs } from '../../scripts/action.mjs';
import { assertBundleFresh, root } from '../helpers/bundle.js';
import { makeRepo } from '../helpers/git-repo.js';

/**
 * action.yml and scripts/action.mjs, run the way GitHub runs them: the script as a process with the variables a
 * runner sets (GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP) and the INPUT_* variables
 * action.yml maps from its inputs, on a temporary git repository with a known finding.
 */

const AjvDraft04 = ajvDraft04.default;
// The published SARIF schema has a pattern that is invalid in unicode mode (`]?` in the language tag).
const ajv = new AjvDraft04({ strict: false, allErrors: true, unicodeRegExp: false });
ajvFormats.default(ajv);
const validateSarif = ajv.compile(
  JSON.parse(readFileSync(join(root, 'docs/schemas/sarif-schema-2.1.0.json'), 'utf8')) as object,
);

/** Python 3.9 image, project requiring >=3.10, built by compose: python-version-mismatch (error) at svc/Dockerfile:1. */
const BROKEN = {
  'svc/Dockerfile': 'FROM python:3.9-slim\nCOPY . /app\nRUN pip install --no-cache-dir /app\n',
  'svc/pyproject.toml': '[project]\nname = "svc"\nversion = "1.0"\nrequires-python = ">=3.10"\n',
  'svc/compose.yaml': 'services:\n  svc:\n    image: registry.example/svc:1\n    build: .\n',
};

interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  temp: string;
}

function runAction(workspace: string, inputs: Record<string, string>): ActionRun {
  const temp = mkdtempSync(join(tmpdir(), 'crossdock-action-'));
  const outputFile = join(temp, 'output');
  const summaryFile = join(temp, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '# earlier step\n');
  const r = spawnSync(process.execPath, [join(root, 'scripts/action.mjs')], {
    cwd: workspace,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? temp,
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: join(temp, 'runner'),
      GITHUB_ACTION_PATH: root,
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k}`, v])),
    },
  });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs,
    summary: readFileSync(summaryFile, 'utf8'),
    temp,
  };
}

interface SarifResult {
  ruleId: string;
  level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }[];
}

test('action: a finding fails the step; SARIF (valid, paths from the workspace) and the summary are written', {
  timeout: 90_000,
}, (t) => {
  assertBundleFresh();
  const repo = makeRepo({ files: BROKEN });
  t.after(repo.cleanup);
  const r = runAction(repo.root, {
    PATH: 'svc',
    FORMAT: 'text',
    FAIL_ON: 'error',
    ONLINE: 'false',
    UPLOAD_SARIF: 'true',
    ARGS: "--rule python-version-mismatch --platform 'linux/amd64,linux/arm64'",
  });
  t.after(() => rmSync(r.temp, { recursive: true, force: true }));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /error +python-version-mismatch/);
  assert.equal(r.outputs['exit-code'], '1');
  assert.equal(r.outputs['sarif-file'], join(r.temp, 'runner/crossdock/crossdock.sarif'));
  const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'] ?? '', 'utf8')) as {
    runs: { results: SarifResult[]; originalUriBaseIds: Record<string, { uri: string }> }[];
  };
  assert.ok(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3)));
  const results = sarif.runs[0]?.results ?? [];
  assert.ok(results.length >= 1);
  assert.equal(r.outputs.findings, String(results.length));
  // --rule from args was passed: only that rule ran.
  assert.deepEqual([...new Set(results.map((x) => x.ruleId))], ['python-version-mismatch']);
  assert.equal(results[0]?.level, 'error');
  // Code scanning resolves URIs from the repository root: the checked subfolder is prefixed.
  for (const x of results) {
    const uri = x.locations[0]?.physicalLocation.artifactLocation.uri ?? '';
    assert.match(uri, /^svc\//);
    assert.ok(existsSync(join(repo.root, decodeURI(uri))), uri);
  }
  assert.equal(sarif.runs[0]?.originalUriBaseIds['%SRCROOT%']?.uri, `file://${repo.root}/`);
  // The markdown report is appended to what earlier steps wrote.
  assert.match(r.summary, /^# earlier step\n## crossdock check\n/);
  assert.match(r.summary, /\| 🔴 error \| python-version-mismatch \| Dockerfile:1:/);
});

test('action: fail-on never passes with the same reports; a clean folder has no findings', {
  timeout: 90_000,
}, (t) => {
  assertBundleFresh();
  const repo = makeRepo({ files: BROKEN });
  t.after(repo.cleanup);
  const r = runAction(repo.root, { PATH: 'svc', FAIL_ON: 'never', ARGS: '--rule python-version-mismatch' });
  t.after(() => rmSync(r.temp, { recursive: true, force: true }));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.outputs['exit-code'], '0');
  assert.ok(Number(r.outputs.findings) >= 1);
  assert.match(r.summary, /python-version-mismatch/);

  const clean = makeRepo({ files: { 'README.md': '# nothing to build\n' } });
  t.after(clean.cleanup);
  const c = runAction(clean.root, {});
  t.after(() => rmSync(c.temp, { recursive: true, force: true }));
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.outputs.findings, '0');
  assert.match(c.summary, /## crossdock check/);
});

test('action: bad input is exit 2 with the reason, and no SARIF to upload', { timeout: 60_000 }, (t) => {
  assertBundleFresh();
  const repo = makeRepo({ files: BROKEN });
  t.after(repo.cleanup);
  const r = runAction(repo.root, { FAIL_ON: 'sometimes' });
  t.after(() => rmSync(r.temp, { recursive: true, force: true }));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--fail-on sometimes is not supported/);
  assert.equal(r.outputs['exit-code'], '2');
  assert.equal(r.outputs['sarif-file'], undefined);
  const online = runAction(repo.root, { ONLINE: 'yes' });
  t.after(() => rmSync(online.temp, { recursive: true, force: true }));
  assert.equal(online.code, 2);
  assert.match(online.stderr, /online: "yes" is not true or false/);
});

test('action: args are split like a shell splits plain and quoted words', () => {
  assert.deepEqual(splitArgs(''), []);
  assert.deepEqual(splitArgs(' --rule  a\t--config "ci/my config.yaml" --x \'\''), [
    '--rule',
    'a',
    '--config',
    'ci/my config.yaml',
    '--x',
    '',
  ]);
  assert.throws(() => splitArgs('--config "x'), /unterminated " quote/);
});

interface ActionYml {
  name?: string;
  description?: string;
  inputs?: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs?: Record<string, { description?: string; value?: string }>;
  runs?: {
    using?: string;
    steps?: {
      id?: string;
      run?: string;
      uses?: string;
      shell?: string;
      if?: string;
      env?: Record<string, string>;
    }[];
  };
}

test('action.yml: required keys, every input used and every use declared, outputs the script writes', () => {
  const text = readFileSync(join(root, 'action.yml'), 'utf8');
  const action = parse(text) as ActionYml;
  assert.ok(action.name && action.description, 'name and description are required');
  assert.equal(action.runs?.using, 'composite');
  const inputs = Object.keys(action.inputs ?? {});
  assert.deepEqual(inputs.sort(), ['args', 'fail-on', 'format', 'online', 'path', 'upload-sarif']);
  assert.equal(action.inputs?.['upload-sarif']?.default, 'true');
  for (const [name, input] of Object.entries(action.inputs ?? {}))
    assert.ok(input.description, `input ${name} has a description`);
  const used = new Set([...text.matchAll(/inputs\.([\w-]+)/g)].map((m) => m[1]));
  assert.deepEqual([...used].sort(), inputs.sort(), 'inputs referenced = inputs declared');
  const steps = action.runs?.steps ?? [];
  for (const s of steps) {
    assert.ok(s.run || s.uses, 'a step runs or uses');
    if (s.run) assert.ok(s.shell, 'a composite run step needs shell');
  }
  // The script reads INPUT_<NAME> for every input it gets; upload-sarif is the action's own business.
  const script = readFileSync(join(root, 'scripts/action.mjs'), 'utf8');
  const check = steps.find((s) => s.id === 'check');
  assert.match(check?.run ?? '', /scripts\/action\.mjs/);
  for (const [k, v] of Object.entries(check?.env ?? {})) {
    const input = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(v)?.[1];
    assert.equal(k, `INPUT_${input?.toUpperCase().replace(/-/g, '_')}`);
    assert.ok(script.includes(`env.${k}`), `scripts/action.mjs reads ${k}`);
  }
  // Outputs are the check step's, and the script writes each one.
  for (const [name, o] of Object.entries(action.outputs ?? {})) {
    assert.equal(o.value, `\${{ steps.check.outputs.${name} }}`);
    assert.ok(script.includes(`output('${name}'`), `scripts/action.mjs writes ${name}`);
  }
  const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
  assert.match(upload?.if ?? '', /inputs\.upload-sarif == 'true'/);
  assert.match(upload?.if ?? '', /always\(\)/, 'SARIF is uploaded when findings fail the check');
});
