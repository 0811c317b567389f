// biome-ignore-all lint/suspicious/noTemplateCurlyInString: bake files are full of `${VAR}`, which must stay literal here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceFile, type Span } from '../../src/model/source.js';
import { type BakeFile, parseBakeHcl, parseBakeJson } from '../../src/sources/bake/parse.js';
import { within } from './within.js';

const BAKE = [
  '# Bake file for the acme images',
  'variable "REGISTRY" {',
  '  default = "ghcr.io/acme"',
  '}',
  'variable "TAG" { default = "1.2.3" }',
  'variable "BASE" { default = "${REGISTRY}/base" }',
  'variable "NOVALUE" {}',
  '',
  '// the default group',
  'group "default" {',
  '  targets = ["app", "worker"] # trailing comment',
  '}',
  '',
  '/* a block comment',
  '   target "ghost" { context = "nope" } */',
  'target "_common" {',
  '  context = "."',
  '  dockerfile = "Dockerfile"',
  '  platforms = ["linux/amd64", "linux/arm64",]',
  '  args = {',
  '    NODE_VERSION = "20"',
  '    "PY": "3.12",',
  '    WORKERS = 4',
  '  }',
  '  cache-from = ["type=gha"]',
  '  cache-to = ["type=gha,mode=max"]',
  '}',
  '',
  'target "app" {',
  '  inherits = ["_common"]',
  '  tags = ["${REGISTRY}/app:${TAG}", "${BASE}:latest"]',
  '  args = { NODE_VERSION = "22" }',
  '  target = "runtime"',
  '  output = ["type=registry"]',
  '  platforms = [',
  '    "linux/amd64", // only one',
  '  ]',
  '}',
  '',
  'target "worker" {',
  '  inherits = ["_common"]',
  '  tags = ["${REGISTRY}/worker:${NOVALUE}-${UNKNOWN}", "lit:$${TAG}"]',
  '  context = "./worker"',
  '  cache-from = ["type=registry,ref=ghcr.io/acme/cache"]',
  '}',
  '',
].join('\n');

const bakeFile = (text: string) => new SourceFile('docker-bake.hcl', text);
const at = (file: SourceFile, span: Span) => {
  const p = file.position(span.start);
  return [p.line, p.column];
};
const slice = (file: SourceFile, span: Span) => file.text.slice(span.start, span.end);
const target = (bake: BakeFile, name: string) => {
  const t = bake.targets.find((x) => x.name === name);
  assert.ok(t, `target ${name}`);
  return t;
};
const summary = (bake: BakeFile) =>
  bake.targets.map((t) => ({
    name: t.name,
    context: t.context?.value,
    dockerfile: t.dockerfile?.value,
    target: t.target?.value,
    platforms: t.platforms.map((v) => v.value),
    tags: t.tags.map((v) => v.value),
    args: Object.fromEntries(Object.entries(t.args).map(([k, v]) => [k, v.value])),
    inherits: t.inherits,
    output: t.output,
    cacheFrom: t.cacheFrom,
    cacheTo: t.cacheTo,
    push: t.push,
  }));

test('hcl: variables, groups and targets, with ${VAR} substituted and inherits applied', () => {
  const bake = parseBakeHcl(bakeFile(BAKE));
  assert.deepEqual(bake.problems, []);
  assert.equal(bake.path, 'docker-bake.hcl');
  assert.deepEqual(Object.fromEntries(Object.entries(bake.variables).map(([k, v]) => [k, v.default])), {
    REGISTRY: 'ghcr.io/acme',
    TAG: '1.2.3',
    BASE: 'ghcr.io/acme/base',
    NOVALUE: undefined,
  });
  assert.ok(!('default' in (bake.variables.NOVALUE ?? {})), 'a variable without default has no default key');
  assert.deepEqual(
    bake.groups.map((g) => [g.name, g.targets]),
    [['default', ['app', 'worker']]],
  );
  assert.deepEqual(summary(bake), [
    {
      name: '_common',
      context: '.',
      dockerfile: 'Dockerfile',
      target: undefined,
      platforms: ['linux/amd64', 'linux/arm64'],
      tags: [],
      args: { NODE_VERSION: '20', PY: '3.12', WORKERS: '4' },
      inherits: [],
      output: [],
      cacheFrom: ['type=gha'],
      cacheTo: ['type=gha,mode=max'],
      push: undefined,
    },
    {
      name: 'app',
      context: '.',
      dockerfile: 'Dockerfile',
      target: 'runtime',
      // the child's own list replaces the parent's
      platforms: ['linux/amd64'],
      tags: ['ghcr.io/acme/app:1.2.3', 'ghcr.io/acme/base:latest'],
      // maps merge by key, the child's keys win (buildx's Target.Merge)
      args: { NODE_VERSION: '22', PY: '3.12', WORKERS: '4' },
      inherits: ['_common'],
      output: ['type=registry'],
      cacheFrom: ['type=gha'],
      cacheTo: ['type=gha,mode=max'],
      push: true,
    },
    {
      name: 'worker',
      context: './worker',
      dockerfile: 'Dockerfile',
      target: undefined,
      platforms: ['linux/amd64', 'linux/arm64'],
      // no default / unknown variable: left as written; `$${` is an escaped `${`
      tags: ['ghcr.io/acme/worker:${NOVALUE}-${UNKNOWN}', 'lit:${TAG}'],
      args: { NODE_VERSION: '20', PY: '3.12', WORKERS: '4' },
      inherits: ['_common'],
      output: [],
      // cache-from is the one list buildx appends on inherit
      cacheFrom: ['type=gha', 'type=registry,ref=ghcr.io/acme/cache'],
      cacheTo: ['type=gha,mode=max'],
      push: undefined,
    },
  ]);
  assert.ok(!('push' in target(bake, 'worker')), 'push is left out when nothing says it');
  assert.ok(!('target' in target(bake, 'worker')));
});

test('hcl: spans point at block headers and at values (strings with their quotes)', () => {
  const file = bakeFile(BAKE);
  const bake = parseBakeHcl(file);
  const app = target(bake, 'app');
  assert.deepEqual(at(file, app.span), [29, 1]);
  assert.equal(slice(file, app.span), 'target "app"');
  assert.deepEqual(at(file, app.tags[0]!.span), [31, 11]);
  assert.equal(slice(file, app.tags[0]!.span), '"${REGISTRY}/app:${TAG}"');
  assert.deepEqual(at(file, app.tags[1]!.span), [31, 37]);
  assert.equal(slice(file, app.target!.span), '"runtime"');
  assert.deepEqual(at(file, app.platforms[0]!.span), [36, 5]);
  assert.equal(slice(file, app.args.NODE_VERSION!.span), '"22"');
  // inherited values keep the parent's positions
  assert.deepEqual(at(file, app.context!.span), [17, 13]);
  assert.deepEqual(at(file, app.args.PY!.span), [22, 11]);
  assert.equal(slice(file, app.args.WORKERS!.span), '4');
  assert.equal(slice(file, bake.groups[0]!.span), 'group "default"');
  assert.deepEqual(at(file, bake.groups[0]!.span), [10, 1]);
  assert.deepEqual(at(file, bake.variables.TAG!.span), [5, 1]);
  assert.equal(slice(file, bake.variables.REGISTRY!.span), 'variable "REGISTRY"');
});

test('hcl: comments are ignored, but comment markers inside strings are text', () => {
  const text = [
    '# target "a" { context = "hash" }',
    '// target "b" {}',
    '/* target "c" {} */ target "d" { /* inline */ context = "https://example.com/repo.git#main" }',
    'target "e" {',
    '  tags = ["x", /* "y", */ "z"] # "w"',
    '  dockerfile = "a//b/*c*/" // trailing',
    '}',
  ].join('\r\n');
  const file = bakeFile(text);
  const bake = parseBakeHcl(file);
  assert.deepEqual(bake.problems, []);
  assert.deepEqual(
    bake.targets.map((t) => t.name),
    ['d', 'e'],
  );
  assert.equal(target(bake, 'd').context?.value, 'https://example.com/repo.git#main');
  assert.deepEqual(at(file, target(bake, 'd').span), [3, 21]);
  assert.deepEqual(
    target(bake, 'e').tags.map((t) => t.value),
    ['x', 'z'],
  );
  assert.equal(target(bake, 'e').dockerfile?.value, 'a//b/*c*/');
  assert.deepEqual(at(file, target(bake, 'e').tags[1]!.span), [5, 27]);
});

test('hcl: expressions that are not literals are skipped without failing the parse', () => {
  const text = [
    'variable "PLATFORM" { default = "linux/arm64" }',
    'TOP = "top-level attributes are variables too"',
    'function "tag" {',
    '  params = [name]',
    '  result = "${name}-x"',
    '}',
    'target "a" {',
    '  context = notdefined',
    '  dockerfile = equal(TOP, "x") ? "A.Dockerfile" : "B.Dockerfile"',
    '  tags = [tag("a"), "b"]',
    '  args = { GOOD = "1", BAD = upper("x"), "N" = 2, REF = PLATFORM, FLAG = true }',
    '  secret = [for s in split(",", "a,b") : "id=${s}"]',
    '  annotations = concat(',
    '    ["a"],',
    '    ["b"],',
    '  )',
    '  labels = { "x" = "${replace(TOP, "}", "{")}" }',
    '  platforms = [PLATFORM, "linux/amd64"]',
    '  target = "${ TOP }"',
    '  dockerfile-inline = <<-EOT',
    '    FROM alpine',
    '    RUN echo "${TOP}" }',
    '    EOT',
    '  output = [{ type = "image", push = true }]',
    '}',
  ].join('\n');
  const bake = parseBakeHcl(bakeFile(text));
  assert.deepEqual(bake.problems, []);
  const [a] = summary(bake);
  assert.deepEqual(a, {
    name: 'a',
    context: undefined,
    dockerfile: undefined,
    target: 'top-level attributes are variables too',
    platforms: ['linux/arm64', 'linux/amd64'],
    tags: [],
    args: { GOOD: '1', N: '2', REF: 'linux/arm64', FLAG: 'true' },
    inherits: [],
    output: ['type=image,push=true'],
    cacheFrom: [],
    cacheTo: [],
    push: true,
  });
  assert.equal(bake.variables.TOP?.default, 'top-level attributes are variables too');
});

test('hcl: inherits — several parents, chains, same-name blocks, cycles and unknown parents', () => {
  const text = [
    'target "base" {',
    '  context = "base"',
    '  dockerfile = "base.Dockerfile"',
    '  tags = ["base"]',
    '}',
    'target "mid" {',
    '  inherits = ["base"]',
    '  context = "mid"',
    '}',
    'target "other" {',
    '  context = "other"',
    '  platforms = ["linux/s390x"]',
    '}',
    'target "leaf" {',
    '  inherits = ["other", "mid"]',
    '}',
    'target "leaf" {',
    '  output = ["type=docker"]',
    '}',
    'target "x" { inherits = ["y"] }',
    'target "y" {',
    '  inherits = ["x", "missing"]',
    '}',
  ].join('\n');
  const file = bakeFile(text);
  const bake = parseBakeHcl(file);
  const leaf = target(bake, 'leaf');
  assert.equal(leaf.context?.value, 'mid', 'a later parent wins over an earlier one');
  assert.equal(leaf.dockerfile?.value, 'base.Dockerfile', 'inherited through a chain');
  assert.deepEqual(
    leaf.platforms.map((p) => p.value),
    ['linux/s390x'],
  );
  assert.deepEqual(
    leaf.tags.map((p) => p.value),
    ['base'],
  );
  assert.deepEqual(leaf.output, ['type=docker'], 'a second block of the same name adds to the first');
  assert.equal(leaf.push, false);
  assert.deepEqual(at(file, leaf.span), [14, 1]);
  assert.deepEqual(
    bake.targets.map((t) => t.name),
    ['base', 'mid', 'other', 'leaf', 'x', 'y'],
  );
  assert.deepEqual(
    bake.problems.map((p) => [p.message, ...at(file, p.span)]),
    [
      ['target "y" inherits from "x", which inherits from it', 22, 15],
      ['target "y" inherits from unknown target "missing"', 22, 20],
    ],
  );
});

test('hcl: malformed input gives problems with positions and keeps what was parsed', () => {
  const cases: { text: string; problems: [string, number, number][]; check?: (b: BakeFile) => void }[] = [
    {
      text: 'target "a" {\n  context = "oops\n  dockerfile = "D"\n}\n',
      problems: [['unterminated string: missing closing "', 2, 13]],
      check: (b) => {
        assert.equal(target(b, 'a').context, undefined);
        assert.equal(target(b, 'a').dockerfile?.value, 'D');
      },
    },
    {
      text: 'variable "V" { default = "v" }\ntarget "a" {\n  context = "${V}"\n  tags = ["t"',
      problems: [
        ['unterminated block: missing }', 2, 12],
        ['unterminated list: missing ]', 4, 10],
      ],
      check: (b) => {
        assert.equal(target(b, 'a').context?.value, 'v');
        assert.deepEqual(
          target(b, 'a').tags.map((t) => t.value),
          ['t'],
        );
      },
    },
    {
      text: 'target "a" {\n  tags = ["x", "y"\n  context = "."\n}\ntarget "b" {}\n',
      problems: [['unterminated list: missing ]', 2, 10]],
      check: (b) => {
        assert.equal(target(b, 'a').context?.value, '.');
        assert.deepEqual(
          b.targets.map((t) => t.name),
          ['a', 'b'],
        );
      },
    },
    {
      text: 'target "a" {\n  context = \n  = "x"\n  tags = "notalist"\n}\n}\ntarget {}\n/* open',
      problems: [
        ['expected a value, found end of line', 2, 13],
        ['unexpected "="; expected an attribute or a block', 3, 3],
        ['"tags" must be a list', 4, 10],
        ['unexpected }', 6, 1],
        ['target block needs a name', 7, 1],
        ['unterminated comment: missing */', 8, 1],
      ],
    },
    {
      text: 'target "a" {\n  args = { A = "1", = "2" }\n  dockerfile = "\\q"\n}\n',
      problems: [
        ['expected a map key, found "="', 2, 21],
        ['invalid escape sequence in string', 3, 17],
      ],
      check: (b) => assert.deepEqual(Object.keys(target(b, 'a').args), ['A']),
    },
    {
      text: 'target "a" {\n  context = foo(1, 2\n}\n',
      problems: [['unterminated (: missing )', 2, 16]],
    },
  ];
  for (const c of cases) {
    const file = bakeFile(c.text);
    const bake = parseBakeHcl(file);
    assert.deepEqual(
      bake.problems.map((p) => [p.message, ...at(file, p.span)]),
      c.problems,
      c.text,
    );
    c.check?.(bake);
  }
});

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function assertSane(bake: BakeFile, text: string): void {
  const inside = (s: Span) => s.start >= 0 && s.start <= s.end && s.end <= text.length;
  for (const p of bake.problems) assert.ok(inside(p.span), `problem span ${JSON.stringify(p)}`);
  for (const t of bake.targets) {
    assert.ok(inside(t.span));
    for (const v of [...t.tags, ...t.platforms, ...Object.values(t.args)]) assert.ok(inside(v.span));
    assert.equal(typeof t.name, 'string');
  }
}

function mutations(base: string, seed: number, count: number): string[] {
  const random = rng(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const noise = '"{}[]()=,:#/*$%\\\n\r ~-<>.a1';
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(base.slice(0, pick(base.length + 1))); // truncations
  for (let i = 0; i < count; i++) {
    let t = base;
    for (let k = 1 + pick(4); k > 0; k--) {
      const p = pick(t.length + 1);
      const r = random();
      if (r < 0.4) t = t.slice(0, p) + t.slice(p + 1 + pick(6));
      else if (r < 0.8) t = t.slice(0, p) + noise[pick(noise.length)] + t.slice(p);
      else t = t.slice(0, p) + t.slice(pick(t.length)); // splice two parts together
    }
    out.push(t);
  }
  return out;
}

test('hcl: hundreds of truncations and mutations never throw and keep spans inside the file', () => {
  let withProblems = 0;
  for (const text of mutations(BAKE, 42, 300)) {
    const bake = parseBakeHcl(bakeFile(text));
    assertSane(bake, text);
    if (bake.problems.length) withProblems++;
  }
  assert.ok(withProblems > 100, `most mutations are reported (${withProblems})`);
});

const BAKE_JSON = `{
  "variable": {
    "REGISTRY": { "default": "ghcr.io/acme" },
    "TAG": { "default": "1.2.3" }
  },
  "group": {
    "default": { "targets": ["app"] }
  },
  "target": {
    "_common": {
      "context": ".",
      "platforms": ["linux/amd64", "linux/arm64"],
      "args": { "NODE_VERSION": "20", "DEBUG": false }
    },
    "app": {
      "inherits": ["_common"],
      "dockerfile": "app.Dockerfile",
      "tags": ["\${REGISTRY}/app:\${TAG}"],
      "cache-to": ["type=inline"],
      "output": ["type=image,push=true"]
    }
  }
}
`;

test('json: same model, exact positions', () => {
  const file = new SourceFile('docker-bake.json', BAKE_JSON);
  const bake = parseBakeJson(file);
  assert.deepEqual(bake.problems, []);
  assert.equal(bake.variables.TAG?.default, '1.2.3');
  assert.deepEqual(at(file, bake.variables.TAG!.span), [4, 5]);
  assert.deepEqual(
    bake.groups.map((g) => [g.name, g.targets, ...at(file, g.span)]),
    [['default', ['app'], 7, 5]],
  );
  assert.deepEqual(summary(bake)[1], {
    name: 'app',
    context: '.',
    dockerfile: 'app.Dockerfile',
    target: undefined,
    platforms: ['linux/amd64', 'linux/arm64'],
    tags: ['ghcr.io/acme/app:1.2.3'],
    args: { NODE_VERSION: '20', DEBUG: 'false' },
    inherits: ['_common'],
    output: ['type=image,push=true'],
    cacheFrom: [],
    cacheTo: ['type=inline'],
    push: true,
  });
  const app = target(bake, 'app');
  assert.equal(slice(file, app.span), '"app"');
  assert.deepEqual(at(file, app.span), [15, 5]);
  assert.equal(slice(file, app.tags[0]!.span), '"${REGISTRY}/app:${TAG}"');
  assert.deepEqual(at(file, app.tags[0]!.span), [18, 16]);
  assert.deepEqual(at(file, app.platforms[1]!.span), [12, 36]);
});

test('json: invalid JSON is a problem with a position, and what came before it is kept', () => {
  const text = BAKE_JSON.replace('"cache-to"', '"cache-to" ["oops"]');
  const file = new SourceFile('docker-bake.json', text);
  const bake = parseBakeJson(file);
  assert.deepEqual(
    bake.problems.map((p) => [p.message, ...at(file, p.span)]),
    [['invalid JSON: expected : after key, found "["', 19, 18]],
  );
  assert.deepEqual(
    summary(bake).map((t) => [t.name, t.tags, t.platforms]),
    [
      ['_common', [], ['linux/amd64', 'linux/arm64']],
      ['app', ['ghcr.io/acme/app:1.2.3'], ['linux/amd64', 'linux/arm64']],
    ],
  );

  const notObject = parseBakeJson(new SourceFile('docker-bake.json', '["target"]'));
  assert.deepEqual(
    notObject.problems.map((p) => p.message),
    ['a bake JSON file must be an object'],
  );

  for (const t of mutations(BAKE_JSON, 7, 300))
    assertSane(parseBakeJson(new SourceFile('docker-bake.json', t)), t);
});

const hcl = (text: string) => parseBakeHcl(new SourceFile('docker-bake.hcl', text));
const problemsAt = (bake: BakeFile, text: string) =>
  bake.problems.map((p) => [p.message, text.slice(p.span.start, p.span.end), p.span.start]);

test('a 10,000-level bracket nest is one parse problem at the bracket past level 256', {
  timeout: 5000,
}, () => {
  const head = 'target "a" {\n  tags = ';
  // The block is level 1, so bracket number 256 opens level 257.
  for (const [open, close] of [
    ['[', ']'],
    ['{', '}'],
    ['(', ')'],
    ['f(', ')'],
  ] as const) {
    const text = `${head}${open.repeat(10_000)}${close.repeat(10_000)}\n}\ntarget "b" { context = "b" }\n`;
    const bake = within(1000, () => hcl(text));
    const at = head.length + open.length * 255 + open.length - 1;
    const deep = bake.problems.filter((p) => p.message.includes('nested more than 256 levels deep'));
    assert.deepEqual(
      deep.map((p) => [text.slice(p.span.start, p.span.end), p.span.start]),
      [[open.at(-1), at]],
      open,
    );
    assert.deepEqual(
      bake.targets.map((t) => t.name),
      ['a', 'b'],
      `${open}: the file is still read around the nest`,
    );
  }
});

test('blocks, interpolations, variable chains and inherits chains past 256 levels are problems', {
  timeout: 5000,
}, () => {
  const blocks = `${'a {\n'.repeat(300)}${'}\n'.repeat(300)}`;
  assert.deepEqual(
    problemsAt(hcl(blocks), blocks).filter(([m]) => String(m).includes('256')),
    [['{ nested more than 256 levels deep', '{', 4 * 256 + 2]],
  );

  const interp = `target "a" {\n  tags = ["${'${"'.repeat(300)}"]\n}\n`;
  const ip = problemsAt(hcl(interp), interp).find(([m]) => String(m).startsWith('interpolations'));
  assert.deepEqual(ip, ['interpolations nested more than 256 levels deep', '${', 24]);

  const vars = Array.from({ length: 400 }, (_, i) => `variable "V${i}" { default = "\${V${i + 1}}" }`);
  const chain = `${vars.join('\n')}\ntarget "a" { tags = ["\${V0}"] }\n`;
  const vp = hcl(chain).problems.filter((p) => p.message.includes('references nested'));
  assert.equal(vp.length, 1);
  assert.match(vp[0]?.message ?? '', /^variable "V\d+": references nested more than 256 levels deep$/);

  const targets = Array.from({ length: 400 }, (_, i) => `target "t${i}" { inherits = ["t${i + 1}"] }`);
  const inh = hcl(`${targets.join('\n')}\ntarget "t400" { context = "x" }\n`);
  assert.equal(inh.problems.filter((p) => p.message.includes('inherits nested')).length >= 1, true);
  assert.equal(inh.targets.length, 401);
});

test('bake JSON nested past 256 levels is an invalid-JSON problem at the bracket that crosses', {
  timeout: 5000,
}, () => {
  const text = `{"target": {"a": {"tags": ${'['.repeat(10_000)}${']'.repeat(10_000)}}}}`;
  const bake = within(1000, () => parseBakeJson(new SourceFile('docker-bake.json', text)));
  // Three objects are open, so the 254th `[` opens level 257.
  const at = text.indexOf('[') + 253;
  assert.deepEqual(problemsAt(bake, text), [['invalid JSON: [ nested more than 256 levels deep', '[', at]]);
});
