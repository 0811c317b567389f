import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import ajvModule from 'ajv';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { check } from '../../src/engine/run.js';
import { allRules } from '../../src/rules/index.js';
import { SourceFile } from '../../src/model/source.js';
import { render } from '../../src/reporters/index.js';
import type { RunResult } from '../../src/reporters/types.js';
import { makeRepo } from '../helpers/git-repo.js';

// These packages are CommonJS with an `exports.default`; under NodeNext the default import is module.exports.
const Ajv = ajvModule.default;
const AjvDraft04 = ajvDraft04.default;
const addFormats = ajvFormats.default;

const schema = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../docs/schemas/${name}`, import.meta.url), 'utf8'));

const REPO = {
  files: {
    Dockerfile:
      'FROM --platform=linux/amd64 python:3.9-slim\nRUN pip install flask>=2 || true\nCOPY .env.example /app/.env\nHEALTHCHECK CMD curl -f http://x/\n',
    'pyproject.toml': '[project]\nname = "svc"\nrequires-python = ">=3.10"\n',
  },
};

async function realResult(): Promise<{ result: RunResult; sources: Map<string, SourceFile> }> {
  const repo = makeRepo(REPO);
  try {
    const { result, model } = await check({ root: repo.root }, allRules());
    return { result, sources: model.sources };
  } finally {
    repo.cleanup();
  }
}

test('SARIF output of a real run validates against the official SARIF 2.1.0 schema', async () => {
  const { result, sources } = await realResult();
  assert.ok(result.findings.length >= 5, 'the fixture produces findings');
  const sarif: unknown = JSON.parse(render('sarif', result, { color: false, sources }));
  // The published schema has a pattern that is invalid in unicode mode (`]?` in the language tag).
  const ajv = new AjvDraft04({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema('sarif-schema-2.1.0.json') as object);
  assert.equal(validate({ version: '2.0.0', runs: [] }), false, 'the schema rejects a wrong version');
  assert.equal(
    validate({ version: '2.1.0', runs: [{ results: [] }] }),
    false,
    'the schema requires run.tool',
  );
  assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.ok(typeof sarif === 'object' && sarif !== null && 'runs' in sarif && Array.isArray(sarif.runs));
  const run: unknown = sarif.runs[0];
  assert.ok(typeof run === 'object' && run !== null && 'results' in run && Array.isArray(run.results));
  assert.equal(run.results.length, result.findings.length);
});

test('JSON output of a real run validates against the documented v1 schema', async () => {
  const { result, sources } = await realResult();
  const json: unknown = JSON.parse(render('json', result, { color: false, sources }));
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(schema('crossdock-result-v1.json') as object);
  assert.ok(validate(json), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.ok(typeof json === 'object' && json !== null && 'findings' in json && Array.isArray(json.findings));
  // Version 1 orders findings by position, whatever order the engine produced them in.
  const positions = (json.findings as { file: string; line: number; column: number }[]).map(
    (f) => `${f.file}:${String(f.line).padStart(5, '0')}:${String(f.column).padStart(5, '0')}`,
  );
  assert.ok(positions.length > 1);
  assert.deepEqual(positions, [...positions].sort());
  assert.deepEqual(Object.keys(json), [
    'version',
    'tool',
    'command',
    'root',
    'targets',
    'findings',
    'summary',
    'notes',
  ]);
});

const base = (findings: RunResult['findings']): RunResult => ({
  tool: { name: 'crossdock', version: '0.1.0' },
  command: 'check',
  root: '/repo',
  targets: { platforms: ['linux/amd64', 'linux/arm64'], source: 'default' },
  findings,
  rules: [
    {
      id: 'demo-rule',
      severity: 'warning',
      category: 'meta',
      summary: 'demo',
      docsPath: 'docs/rules/demo-rule.md',
    },
  ],
  notes: [],
  summary: { error: 0, warning: findings.length, info: 0, files: 1, durationMs: 5 },
});
const finding = (line: number, message = 'bad | `thing` <b>') => ({
  ruleId: 'demo-rule',
  severity: 'warning' as const,
  message,
  hint: 'fix it',
  file: 'Dockerfile',
  line,
  column: 5,
  endLine: line,
  endColumn: 9,
  related: [],
});

test('text: grouped by rule with its hint once, errors framed with a caret under the span (tabs expanded), warnings one line, then a per-rule table', () => {
  const src = new SourceFile('Dockerfile', 'FROM x\n\tRUN a b\nCMD c\n');
  const result = base([
    { ...finding(2), severity: 'error', column: 6, endColumn: 7 },
    { ...finding(3), column: 1, endColumn: 4 },
  ]);
  result.summary = { error: 1, warning: 1, info: 0, files: 1, durationMs: 5 };
  const out = render('text', result, { color: false, sources: new Map([[src.path, src]]) });
  assert.equal(
    out,
    [
      'targets: linux/amd64, linux/arm64 (default)',
      '',
      'demo-rule (2)',
      '  hint: fix it',
      '',
      'Dockerfile:2:6 error demo-rule bad | `thing` <b>',
      '  1 | FROM x',
      '> 2 |     RUN a b',
      '    |         ^',
      '  3 | CMD c',
      '',
      'Dockerfile:3:1 warning demo-rule bad | `thing` <b>',
      '',
      'rule       error  warning  info',
      'demo-rule      1        1     0',
      '',
      'x 1 error, 1 warning, 0 info in 1 file (5 ms)',
      '',
    ].join('\n'),
  );
  // --verbose frames warnings too.
  const verbose = render('text', result, {
    color: false,
    sources: new Map([[src.path, src]]),
    verbose: true,
  });
  assert.match(verbose, /Dockerfile:3:1 warning demo-rule [^\n]*\n {2}2 \| {5}RUN a b\n> 3 \| CMD c\n/);
});

test("text: a rule whose findings come in several runs (ordered by severity) counts each heading's own findings", () => {
  const result = base([
    { ...finding(1), severity: 'error' },
    { ...finding(2), ruleId: 'other-rule', severity: 'error' },
    { ...finding(3) },
    { ...finding(4) },
  ]);
  const out = render('text', result, { color: false });
  const headings = out.split('\n').filter((l) => /^[a-z-]+ \(/.test(l));
  assert.deepEqual(headings, ['demo-rule (1 of 3)', 'other-rule (1)', 'demo-rule (2 of 3)']);
});

test('SARIF fingerprints survive lines moving and differ between occurrences on identical lines', () => {
  const a = new SourceFile('Dockerfile', 'RUN a\nRUN a\n');
  const b = new SourceFile('Dockerfile', '# new line\n\nRUN a\nRUN a\n');
  const fp = (src: SourceFile, lines: number[]) => {
    const parsed: unknown = JSON.parse(
      render('sarif', base(lines.map((l) => finding(l))), {
        color: false,
        sources: new Map([[src.path, src]]),
      }),
    );
    const text = JSON.stringify(parsed);
    return [...text.matchAll(/"crossdock\/v1":"([0-9a-f]{64})"/g)].map((m) => m[1]);
  };
  const before = fp(a, [1, 2]);
  const after = fp(b, [3, 4]);
  assert.equal(before.length, 2);
  assert.deepEqual(after, before);
  assert.notEqual(before[0], before[1]);
});

test('markdown escapes table syntax and HTML, and truncates long lists', () => {
  const out = render('markdown', base([finding(1)]), { color: false });
  assert.ok(out.includes('bad \\| \\`thing\\` &lt;b&gt;'), out);
  const many = render('markdown', base(Array.from({ length: 205 }, (_v, i) => finding(i + 1))), {
    color: false,
  });
  assert.match(many, /…and 5 more \(5 warnings\): see the JSON or SARIF report\./);
  assert.equal(many.split('\n').filter((l) => l.startsWith('| 🟡')).length, 200);
});

test('repository text cannot drive the terminal or a PR comment: escapes are shown, links and mentions neutralised', async () => {
  // A Dockerfile whose COPY source holds an escape sequence (clear screen, retitle) and a markdown link/mention.
  const evil = 'x\u001b[2J\u001b]0;pwned\u0007[click](https://evil.example/a)@admin';
  const repo = makeRepo({
    files: {
      Dockerfile: `FROM python:3.12-slim\nCOPY ${evil} /app/\n`,
      'crossdock.yaml': 'images:\n  reg.example.com/app: { context: ., dockerfile: Dockerfile }\n',
    },
  });
  try {
    const { result, model } = await check({ root: repo.root }, allRules());
    assert.ok(result.findings.some((f) => f.ruleId === 'missing-file'));
    const text = render('text', result, { color: false, sources: model.sources, verbose: true });
    assert.ok(!text.includes('\u001b'), 'no raw ESC in the text report');
    assert.ok(!text.includes('\u0007'), 'no raw BEL in the text report');
    assert.match(text, /\\x1b\[2J/, 'the escape is shown, escaped');
    const md = render('markdown', result, { color: false, sources: model.sources });
    assert.ok(!md.includes('\u001b'));
    assert.doesNotMatch(md, /\[click\]\(https:\/\/evil/, 'no live markdown link');
    assert.doesNotMatch(md, /@admin/, 'no live @mention');
  } finally {
    repo.cleanup();
  }
});
