import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { allRules, findRule } from '../../src/rules/index.js';
import { VERSION } from '../../src/version.js';

/** The checkout: the nearest folder above this file with a package.json (the mutation runs compile tests elsewhere). */
function findRoot(): URL {
  let u = new URL('./', import.meta.url);
  while (!existsSync(new URL('package.json', u)) && u.pathname !== '/') u = new URL('../', u);
  return u;
}
const root = findRoot();
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');

test('every rule has its source file, test, docs page and index entry, under one id', () => {
  const rules = allRules();
  const ids = rules.map((r) => r.meta.id);
  assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
  for (const id of ids) {
    assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${id} is kebab-case`);
    assert.ok(existsSync(new URL(`src/rules/${id}.ts`, root)), `src/rules/${id}.ts exists`);
    assert.ok(existsSync(new URL(`test/rules/${id}.test.ts`, root)), `test/rules/${id}.test.ts exists`);
    const doc = `docs/rules/${id}.md`;
    assert.ok(existsSync(new URL(doc, root)), `${doc} exists`);
    const text = read(doc);
    assert.ok(text.startsWith(`# ${id}\n`), `${doc} starts with "# ${id}"`);
    for (const section of ['## Why', '## Incorrect', '## Correct', '## How to fix']) {
      assert.ok(text.includes(section), `${doc} has a "${section}" section`);
    }
  }
  const files = readdirSync(new URL('src/rules/', root)).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
  for (const f of files)
    assert.ok(ids.includes(f.slice(0, -3)), `src/rules/${f} is registered in src/rules/index.ts`);
  const docs = readdirSync(new URL('docs/rules/', root)).filter((f) => f.endsWith('.md'));
  for (const d of docs)
    assert.ok(ids.includes(d.slice(0, -3)), `docs/rules/${d} belongs to a registered rule`);
});

test('allRules lists the rules by id; findRule finds each by its id, and nothing for another', () => {
  const rules = allRules();
  const ids = rules.map((r) => r.meta.id);
  assert.deepEqual(ids, [...ids].sort(), '`crossdock rules` and the reports list rules in id order');
  for (const r of rules) assert.equal(findRule(r.meta.id), r, `findRule('${r.meta.id}')`);
  assert.equal(findRule('no-such-rule'), undefined);
});

test('every rule has a summary, a hint and at least one message', () => {
  for (const r of allRules()) {
    assert.ok(r.meta.summary.length > 10, `${r.meta.id} summary`);
    assert.ok(r.meta.hint.length > 5, `${r.meta.id} hint`);
    assert.ok(Object.keys(r.meta.messages).length > 0, `${r.meta.id} messages`);
  }
});

test("each rule is listed in the README's rule family table under its own category", () => {
  const readme = read('README.md');
  const start = readme.indexOf('| family | rules | example |');
  assert.ok(start >= 0, 'README has the rule family table');
  const rows = new Map<string, string>();
  for (const line of readme.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [, family, rules] = line.split('|').map((c) => c.trim());
    if (family && rules) rows.set(family, rules);
  }
  for (const r of allRules()) {
    const row = rows.get(r.meta.category);
    assert.ok(row, `${r.meta.id}: its category "${r.meta.category}" is a family of the README table`);
    assert.ok(row.includes(`\`${r.meta.id}\``), `${r.meta.id} is listed in the "${r.meta.category}" row`);
  }
});

test('the library version equals package.json', () => {
  const pkg: unknown = JSON.parse(read('package.json'));
  assert.ok(typeof pkg === 'object' && pkg !== null && 'version' in pkg);
  assert.equal(pkg.version, VERSION);
});

test('model/ imports nothing outside model/, and rules never import network code', () => {
  for (const f of readdirSync(new URL('src/model/', root))) {
    const text = read(`src/model/${f}`);
    for (const m of text.matchAll(/from '([^']+)'/g)) {
      const spec = m[1] ?? '';
      assert.ok(spec.startsWith('./'), `src/model/${f} imports ${spec}`);
    }
  }
  for (const f of readdirSync(new URL('src/rules/', root)).filter((x) => x.endsWith('.ts'))) {
    const text = read(`src/rules/${f}`);
    assert.doesNotMatch(
      text,
      /from '(node:)?(https?|net|tls)'|registry\/transport/,
      `src/rules/${f} must not reach the network directly`,
    );
  }
});
