import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceFile } from '../../src/model/source.js';
import { parseYaml, YAML_LIMITS } from '../../src/sources/yaml/node.js';
import { within } from './within.js';

const parse = (text: string) => {
  const file = new SourceFile('compose.yaml', text);
  return { file, ...parseYaml(file) };
};

/** A merge-key bomb of under 600 bytes: each level merges the one before six times. */
function mergeBomb(levels: number): string {
  const lines = ['l0: &l0 {k0: 1, k1: 2}'];
  for (let i = 1; i < levels; i++) {
    lines.push(
      `l${i}: &l${i} {<<: [${Array(6)
        .fill(`*l${i - 1}`)
        .join(', ')}], m${i}: 1}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

test('merge keys apply once per key: own keys win, then earlier merged maps, each key listed once', {
  timeout: 5000,
}, () => {
  const { docs, problems } = parse(
    ['a: &a {x: 1, y: 1}', 'b: &b {y: 2, z: 2, <<: *a}', 'c:', '  <<: [*b, *a, *b]', '  x: 3', ''].join('\n'),
  );
  assert.deepEqual(problems, []);
  const c = docs[0]?.get('c');
  assert.deepEqual(
    c?.entries().map((e) => [e.key, e.value?.str()]),
    [
      ['x', '3'],
      ['y', '2'],
      ['z', '2'],
    ],
  );
  assert.equal(
    c?.get('z')?.site.span.start,
    35,
    'a merged value keeps the site where it was written (line 2)',
  );
});

test('a merge-key bomb is a parse problem at the alias that crosses the budget, not a hang', {
  timeout: 5000,
}, () => {
  const text = mergeBomb(10);
  assert.ok(text.length < 600, `${text.length} bytes`);
  const { file, docs, problems } = within(1000, () => parse(text));
  assert.equal(docs.length, 0, 'the document is not handed to the loaders');
  assert.equal(problems.length, 1);
  const p = problems[0]!;
  assert.match(p.message, new RegExp(`^YAML: aliases expand to more than ${YAML_LIMITS.aliasNodes} nodes`));
  // Line 7 merges l5 (tens of thousands of nodes once expanded) six times: its first alias crosses the budget.
  assert.equal(text.slice(p.span.start, p.span.end), '*l5');
  assert.deepEqual(file.position(p.span.start), { line: 7, column: 15 });
});

test('billion laughs through sequence aliases is a parse problem', { timeout: 5000 }, () => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    lines.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(', ')}]`,
    );
  }
  const { docs, problems } = parse(lines.join('\n'));
  assert.equal(docs.length, 0);
  assert.match(problems[0]?.message ?? '', /aliases expand to more than/);
});

test('an alias inside the node it names is a parse problem (it used to exhaust the stack)', {
  timeout: 5000,
}, () => {
  const { file, docs, problems } = within(1000, () => parse('a: &a\n  x: 1\n  <<: *a\nb:\n  <<: *a\n'));
  assert.equal(docs.length, 0);
  assert.deepEqual(
    problems.map((p) => [p.message, file.position(p.span.start)]),
    [['YAML: alias *a refers to a node that contains it', { line: 3, column: 7 }]],
  );
});

test('nesting past 256 levels is a parse problem with a position, directly or through aliases', {
  timeout: 5000,
}, () => {
  const ok = parse(`x: ${'['.repeat(YAML_LIMITS.depth - 1)}1${']'.repeat(YAML_LIMITS.depth - 1)}\n`);
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.docs.length, 1);

  const deep = parse(`x: ${'['.repeat(YAML_LIMITS.depth)}1${']'.repeat(YAML_LIMITS.depth)}\n`);
  assert.equal(deep.docs.length, 0);
  assert.match(deep.problems[0]?.message ?? '', /^YAML: collections nested more than 256 levels deep/);
  // The root map is level 1, so the 256th `[` (offset 3 + 255) opens level 257.
  assert.equal(deep.problems[0]?.span.start, 3 + 255);

  const half = YAML_LIMITS.depth / 2;
  const viaAlias = parse(
    `a: &a ${'['.repeat(half)}1${']'.repeat(half)}\nb: ${'['.repeat(half)}*a${']'.repeat(half)}\n`,
  );
  assert.equal(viaAlias.docs.length, 0);
  assert.match(viaAlias.problems[0]?.message ?? '', /^YAML: alias \*a nests collections more than 256/);

  const veryDeep = parse(`x: ${'['.repeat(10_000)}1${']'.repeat(10_000)}\n`);
  assert.equal(veryDeep.docs.length, 0);
  assert.equal(veryDeep.problems.length >= 1, true);
  assert.match(veryDeep.problems[0]?.message ?? '', /^YAML: /);
});

test('aliases used many times are resolved once each, not by searching the document', {
  timeout: 5000,
}, () => {
  const lines = ['base: &b {image: app, port: 80}', 'svcs:'];
  for (let i = 0; i < 5_000; i++) lines.push(`  - {<<: *b, n: ${i}}`);
  const { docs, problems } = parse(lines.join('\n'));
  assert.deepEqual(problems, []);
  const items = docs[0]?.get('svcs')?.items() ?? [];
  assert.equal(items.length, 5_000);
  assert.equal(items[4_999]?.get('image')?.str(), 'app');
});
