import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

/**
 * Every example under examples/<name>/ has broken/ (with EXPECTED.json: the planted defects) and fixed/. Each is
 * copied into a fresh git repository (what a clean CI clone has) and checked through the CLI: broken must report
 * exactly the planted defects (rule id, severity, file, line, column), fixed must report nothing. An example
 * without EXPECTED.json is a failure, not a skip.
 */
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

interface Expected {
  ruleId: string;
  severity: string;
  file: string;
  line: number;
  column: number;
}

function isExpected(x: unknown): x is Expected {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return (
    typeof o.ruleId === 'string' &&
    typeof o.severity === 'string' &&
    typeof o.file === 'string' &&
    typeof o.line === 'number' &&
    typeof o.column === 'number'
  );
}

const key = (f: Expected) => `${f.severity} ${f.ruleId} ${f.file}:${f.line}:${f.column}`;

function asRepo(dir: string): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'crossdock-example-'));
  cpSync(dir, root, { recursive: true, filter: (src) => !src.endsWith('EXPECTED.json') });
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      },
    });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'example');
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

async function findings(dir: string): Promise<Expected[]> {
  const repo = asRepo(dir);
  try {
    const r = await runCli(['check', repo.root, '--format', 'json', '--fail-on', 'never']);
    assert.equal(r.code, 0, r.stderr);
    const json: unknown = JSON.parse(r.stdout);
    assert.ok(
      typeof json === 'object' && json !== null && 'findings' in json && Array.isArray(json.findings),
    );
    return json.findings.filter(isExpected);
  } finally {
    repo.cleanup();
  }
}

const names = readdirSync(examples)
  .filter((name) => existsSync(join(examples, name, 'broken')))
  .sort();

test('every example has a broken/ with EXPECTED.json and a fixed/ twin', () => {
  assert.ok(names.length >= 9, `only ${names.length} examples found`);
  for (const name of names) {
    assert.ok(
      existsSync(join(examples, name, 'broken', 'EXPECTED.json')),
      `${name}/broken has no EXPECTED.json`,
    );
    assert.ok(existsSync(join(examples, name, 'fixed')), `${name} has no fixed/ twin`);
  }
});

for (const name of names) {
  const broken = join(examples, name, 'broken');
  const fixed = join(examples, name, 'fixed');
  test(`example ${name}: every planted defect is reported at its position with its severity, and nothing else`, {
    timeout: 60_000,
  }, async () => {
    const raw: unknown = JSON.parse(readFileSync(join(broken, 'EXPECTED.json'), 'utf8'));
    assert.ok(
      Array.isArray(raw) && raw.every(isExpected),
      'EXPECTED.json is a list of {ruleId, severity, file, line, column}',
    );
    assert.deepEqual((await findings(broken)).map(key).sort(), raw.map(key).sort());
  });
  test(`example ${name}: the fixed twin reports nothing`, { timeout: 60_000 }, async () => {
    assert.deepEqual((await findings(fixed)).map(key), []);
  });
}
