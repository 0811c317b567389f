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
 * exactly the planted defects (rule id, file, line), fixed must report nothing.
 */
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

interface Expected {
  ruleId: string;
  file: string;
  line: number;
}

function isExpected(x: unknown): x is Expected {
  return (
    typeof x === 'object' &&
    x !== null &&
    'ruleId' in x &&
    'file' in x &&
    'line' in x &&
    typeof x.line === 'number'
  );
}

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

async function findings(dir: string): Promise<{ key: string; severity: string }[]> {
  const repo = asRepo(dir);
  try {
    const r = await runCli(['check', repo.root, '--format', 'json', '--fail-on', 'never']);
    assert.equal(r.code, 0, r.stderr);
    const json: unknown = JSON.parse(r.stdout);
    assert.ok(
      typeof json === 'object' && json !== null && 'findings' in json && Array.isArray(json.findings),
    );
    return json.findings.filter(isExpected).map((f: Expected & { severity?: unknown }) => ({
      key: `${f.ruleId} ${f.file}:${f.line}`,
      severity: String(f.severity),
    }));
  } finally {
    repo.cleanup();
  }
}

for (const name of readdirSync(examples).sort()) {
  const broken = join(examples, name, 'broken');
  const fixed = join(examples, name, 'fixed');
  if (!existsSync(join(broken, 'EXPECTED.json'))) continue;
  test(`example ${name}: every planted defect is reported at its line, and nothing else`, async () => {
    const raw: unknown = JSON.parse(readFileSync(join(broken, 'EXPECTED.json'), 'utf8'));
    assert.ok(Array.isArray(raw) && raw.every(isExpected), 'EXPECTED.json is a list of {ruleId, file, line}');
    const expected = raw.map((e) => `${e.ruleId} ${e.file}:${e.line}`).sort();
    const got = (await findings(broken)).map((f) => f.key).sort();
    assert.deepEqual(got, expected);
  });
  test(`example ${name}: the fixed twin reports nothing`, async () => {
    assert.deepEqual(await findings(fixed), []);
  });
}
