import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrivateIpHost, parseBuildTag, parseImageRef } from '../../src/model/image-ref.js';
import { formatPlatform } from '../../src/model/platform.js';
import { SourceFile } from '../../src/model/source.js';
import type { Build } from '../../src/model/project.js';
import { knownOr } from '../../src/model/value.js';
import { envFileValues } from '../../src/sources/compose/compose.js';
import { makefileRecipes, makeVariables } from '../../src/sources/scripts/makefile.js';
import { scanShell } from '../../src/sources/scripts/scan.js';
import { parseShell } from '../../src/sources/shell/parse.js';
import { parseYaml } from '../../src/sources/yaml/node.js';
import { loadRepo as load } from '../helpers/check.js';

/** Scans shell text as a script at `path` run from the root; `args: null` = the caller's arguments are unknown. */
const scan = (path: string, text: string, args: string[] | null = []) =>
  scanShell(parseShell(text), {
    file: new SourceFile(path, text),
    scriptPath: path,
    cwd: { known: true, path: '.' },
    args: args ?? undefined,
    envKnown: true,
  });

test('image references: Docker Hub normalisation, hosts, tags, digests, and clear errors', () => {
  const ok = (s: string) => {
    const r = parseImageRef(s);
    assert.ok(r.ok, `${s}: ${r.ok ? '' : r.problem}`);
    return r.ref;
  };
  assert.deepEqual(ok('python:3.12-slim'), {
    registry: 'docker.io',
    explicitRegistry: false,
    repository: 'library/python',
    tag: '3.12-slim',
    digest: undefined,
  });
  assert.equal(ok('localhost:5000/team/app').registry, 'localhost:5000');
  assert.equal(ok('localhost/app:1').registry, 'localhost');
  assert.equal(ok('10.0.0.5:5000/a/b:dev').repository, 'a/b');
  assert.equal(ok('team/app').repository, 'team/app');
  assert.equal(ok(`app@sha256:${'a'.repeat(64)}`).digest, `sha256:${'a'.repeat(64)}`);
  const bad = (s: string, re: RegExp) => {
    const r = parseImageRef(s);
    assert.equal(r.ok, false, s);
    if (!r.ok) assert.match(r.problem, re);
  };
  bad('registry.example.com/Team/app:1', /uppercase/);
  bad('app:-bad', /tag "-bad" is invalid/);
  bad('app@sha256:123', /not a digest/);
  bad('', /empty/);
  bad('a b', /spaces/);
  bad('host:5000//x', /empty component/);
  assert.ok(isPrivateIpHost('10.20.0.7:5000'));
  assert.ok(isPrivateIpHost('192.168.1.2'));
  assert.ok(!isPrivateIpHost('8.8.8.8:5000'));
  assert.ok(!isPrivateIpHost('registry.lan:5000'));
});

test('YAML: anchors, aliases and merge keys resolve, positions point into the file, errors do not throw', () => {
  const file = new SourceFile(
    'k.yaml',
    'base: &b\n  image: app:1\n  port: 80\nsvc:\n  <<: *b\n  port: 81\nlist: [*b]\n---\n: : bad\n',
  );
  const { docs, problems } = parseYaml(file);
  assert.equal(docs.length, 1);
  const svc = docs[0]?.get('svc');
  assert.equal(svc?.get('image')?.str(), 'app:1', 'merge key brings image in');
  assert.equal(svc?.get('port')?.num(), 81, 'own key wins over the merged one');
  const image = svc?.get('image');
  assert.ok(image);
  assert.deepEqual(
    file.position(image.span.start),
    { line: 2, column: 10 },
    'aliased value keeps its own site',
  );
  assert.equal(docs[0]?.get('list')?.items()[0]?.get('port')?.num(), 80);
  assert.equal(problems.length, 1);
  assert.match(problems[0]?.message ?? '', /^YAML: /);
});

test('shell scripts: variables with defaults resolve into build commands; push, login and cp are collected', () => {
  const text = [
    '#!/bin/sh',
    'REGISTRY="${REGISTRY:-10.0.0.5:5000}"',
    ': "${TAG:=1.2.3}"',
    'IMAGE=$REGISTRY/team/app',
    'docker buildx build --platform=linux/amd64,linux/arm64 \\',
    '  -t "$IMAGE:$TAG" --build-arg PY=3.12 --cache-to type=registry,ref=$IMAGE:cache \\',
    '  --push -f docker/Dockerfile --target runtime ctx',
    'docker login -u ci -p "$PASS" registry.example.com',
    'docker push "$IMAGE:$TAG"',
    'cp .env.example .env',
    'podman build -t other:1 .',
    '',
  ].join('\n');
  const facts = scan('build.sh', text);
  assert.equal(facts.builds.length, 2);
  // Run by a caller that is not known: its environment may set REGISTRY and TAG, the defaults are not the values.
  const anyCaller = scanShell(parseShell(text), {
    file: new SourceFile('build.sh', text),
    scriptPath: 'build.sh',
    cwd: { known: true, path: '.' },
    args: [],
  });
  assert.deepEqual(
    anyCaller.builds[0]?.tags.map((t) => t.value),
    ['$IMAGE:$TAG'],
  );
  assert.deepEqual(
    ['REGISTRY', 'TAG'].map((k) => anyCaller.variables.get(k)?.known),
    [false, false],
  );
  const b = facts.builds[0];
  assert.ok(b);
  assert.equal(b.tool, 'buildx');
  assert.deepEqual(
    b.tags.map((t) => t.value),
    ['10.0.0.5:5000/team/app:1.2.3'],
  );
  assert.equal(knownOr(b.platforms), 'linux/amd64,linux/arm64');
  assert.equal(knownOr(b.dockerfile), 'docker/Dockerfile');
  assert.equal(knownOr(b.context), 'ctx');
  assert.equal(knownOr(b.target), 'runtime');
  assert.equal(b.push, true);
  assert.deepEqual(Object.fromEntries(Object.entries(b.buildArgs).map(([k, v]) => [k, knownOr(v)])), {
    PY: '3.12',
  });
  assert.deepEqual(
    b.cacheRefs.map((c) => c.value),
    ['10.0.0.5:5000/team/app:cache'],
  );
  const tag = b.tags[0];
  assert.ok(tag);
  assert.deepEqual(tag.site.file.position(tag.site.span.start), { line: 6, column: 6 });
  assert.equal(facts.builds[1]?.tool, 'podman');
  assert.deepEqual(
    facts.logins.map((l) => l.value),
    ['registry.example.com'],
  );
  assert.deepEqual(
    facts.pushes.map((p) => p.value),
    ['10.0.0.5:5000/team/app:1.2.3'],
  );
  assert.deepEqual(
    facts.copies.map((c) => c.value),
    ['.env.example'],
  );
  const e = scan(
    'x.sh',
    'C=1\necho "${A:-x}-${B-y}-${C:+z}" > out.txt\ndocker build -t "t:${A:-x}-${B-y}-${C:+z}" .\n',
  );
  assert.equal(e.builds[0]?.tags[0]?.value, 't:x-y-z');
});

test('shell values: parameters, substitutions, the environment and branches are unknown with a reason; idioms resolve', () => {
  const text = [
    '#!/bin/bash',
    'cd "$(dirname "$0")/.."',
    'V=$(git describe)',
    'case "$1" in prod) F=prod.Dockerfile ;; *) F=dev.Dockerfile ;; esac',
    'docker build -t "app:$V" -f "$F" --platform "$PLATFORMS" --build-arg A="$1" "$(git rev-parse --show-toplevel)/svc"',
    '',
  ].join('\n');
  const r = scan('scripts/build.sh', text, null);
  const b = r.builds[0];
  assert.ok(b);
  assert.equal(b.tags[0]?.value, 'app:$V', 'an unknown part stays as written in a tag pattern');
  assert.equal(b.dockerfile?.known, false);
  assert.equal(b.dockerfile && !b.dockerfile.known ? b.dockerfile.kind : '', 'branch');
  assert.equal(b.platforms && !b.platforms.known ? b.platforms.kind : '', 'environment');
  const arg = b.buildArgs.A;
  assert.equal(arg && !arg.known ? arg.kind : '', 'parameter');
  assert.equal(knownOr(b.context), '\u0001/svc', 'the repository top, kept as a marker until resolved');
  assert.deepEqual(b.cwd, { known: true, path: '.' }, '`cd "$(dirname "$0")/.."` from scripts/ is the root');
  const known = scan('scripts/build.sh', text, ['prod']);
  assert.equal(knownOr(known.builds[0]?.buildArgs.A), 'prod', 'with known arguments, $1 is known');
});

test('shell functions run per call site (unknown arguments as unknown parameters); arrays expand; a cd in a subshell does not leak', () => {
  const text = [
    'build() {',
    '  docker build -f "svc/$1/Dockerfile" "svc/$1"',
    '}',
    'unused() { docker build -f never.Dockerfile . ; }',
    'ARGS=(',
    '  --pull',
    '  -f "docker/app.Dockerfile"',
    ')',
    'if [ -n "$PUSH" ]; then',
    '  ARGS+=(--push)',
    'fi',
    '( cd sub && make )',
    'build api',
    'build "$NAME"',
    'docker buildx build "${ARGS[@]}" .',
    '',
  ].join('\n');
  const r = scan('build.sh', text);
  assert.deepEqual(
    r.builds.map((b) => [knownOr(b.dockerfile), knownOr(b.context), b.push]),
    [
      ['svc/api/Dockerfile', 'svc/api', false],
      [undefined, undefined, false],
      ['docker/app.Dockerfile', '.', true],
    ],
  );
  const ctx = r.builds[1]?.context;
  assert.equal(ctx?.known === false && ctx.kind, 'parameter');
  assert.deepEqual(r.builds[2]?.cwd, { known: true, path: '.' });
});

test('shell scripts: nested defaults resolve, or are unknown; never left as literal text', () => {
  const text = 'B=b\nX="${X:-${B}/x}"\nY=${Y:-${Z:-${B}}}\nW="${W:-${UNSET}/w}"\n';
  const facts = scan('n.sh', text);
  const v = (k: string) => {
    const x = facts.variables.get(k);
    return x?.known ? x.value : x?.kind;
  };
  assert.deepEqual(['X', 'Y', 'W'].map(v), ['b/x', 'b', 'environment']);
});

test('Makefiles: ?=, := and += variables expand into recipes, offsets point at the recipe line', () => {
  const text =
    'REGISTRY ?= reg:5000\nREGISTRY ?= ignored\nTAGS := a\nTAGS += b\n\npush:\n\t@docker build -t $(REGISTRY)/x:$(TAGS) .\n';
  const file = new SourceFile('Makefile', text);
  const r = makefileRecipes(file);
  const vars = makeVariables(r.vars);
  assert.equal(knownOr(vars.get('REGISTRY')), 'reg:5000');
  const registry = vars.get('REGISTRY');
  assert.equal(registry?.known && registry.origin.kind, 'default');
  assert.equal(knownOr(vars.get('TAGS')), 'a b');
  const facts = scanShell(parseShell(r.text, 0, r.offsets), {
    file,
    scriptPath: undefined,
    cwd: { known: true, path: '.' },
    args: undefined,
    env: r.env,
    cwdPerLine: true,
  });
  const build = facts.builds[0];
  assert.ok(build);
  assert.equal(build.tags[0]?.value, 'reg:5000/x:a', 'make substitutes text: the shell splits `a b`');
  assert.equal(file.position(build.site.span.start).line, 7);
});

test('Makefiles: the command line and the environment override; automatic, unset and conditional variables are unknown', () => {
  const text = [
    'DOCKERFILE ?= Dockerfile',
    'IMAGE = app',
    'IMAGE_REF = $(REGISTRY)/$(IMAGE)',
    'ifeq ($(ARCH),arm64)',
    'PLATFORM = linux/arm64',
    'else',
    'PLATFORM = linux/amd64',
    'endif',
    'COMMON = x',
    'ifdef CI',
    'COMMON = x',
    'endif',
    'VERSION := $(shell git describe)',
    '',
  ].join('\n');
  const file = new SourceFile('Makefile', text);
  const { vars: defs } = makefileRecipes(file);
  const lit = (v: string) => ({ known: true as const, value: v, origin: { kind: 'literal' as const } });
  const v = makeVariables(
    defs,
    new Map([['IMAGE', lit('web')]]),
    new Map([
      ['DOCKERFILE', lit('env.Dockerfile')],
      ['REGISTRY', lit('reg')],
    ]),
    file,
  );
  const show = (k: string) => {
    const x = v.get(k);
    return x === undefined ? 'absent' : x.known ? x.value : `${x.kind}`;
  };
  assert.deepEqual(['DOCKERFILE', 'IMAGE', 'IMAGE_REF', 'PLATFORM', 'COMMON', 'VERSION', 'ARCH'].map(show), [
    'env.Dockerfile',
    'web',
    'reg/web',
    'branch',
    'x',
    'command-substitution',
    'absent',
  ]);
  const r = makefileRecipes(
    new SourceFile('Makefile', 'image-%:\n\tdocker build -f docker/$*.Dockerfile -t app:$(TAG) $(@D)\n'),
  );
  assert.equal(r.text, 'docker build -f docker/${__make_stem}.Dockerfile -t app:${TAG} ${__make_target}\n');
  assert.deepEqual(
    [...r.env].map(([k, x]) => [k, x.known ? x.value : x.kind]),
    [
      ['__make_stem', 'parameter'],
      ['TAG', 'environment'],
      ['__make_target', 'parameter'],
    ],
  );
});

test('workflows: matrix expansion gives one build per combination, each with its own runner and platform site', async () => {
  const model = await load({
    files: {
      Dockerfile: 'FROM scratch\n',
      '.github/workflows/ci.yml': [
        'on: push',
        'jobs:',
        '  img:',
        '    strategy:',
        '      matrix:',
        '        include:',
        '          - { platform: linux/amd64, runner: ubuntu-24.04 }',
        '          - { platform: linux/arm64, runner: ubuntu-24.04-arm }',
        '    runs-on: ${{ matrix.runner }}',
        '    env: { IMAGE: ghcr.io/acme/app }',
        '    steps:',
        '      - uses: docker/build-push-action@v6',
        '        with:',
        '          platforms: ${{ matrix.platform }}',
        '          tags: ${{ env.IMAGE }}:1.0',
        '',
      ].join('\n'),
    },
  });
  const builds = model.builds.filter((b) => b.origin === 'workflow');
  assert.equal(builds.length, 2);
  assert.deepEqual(
    builds.map((b) => [
      (knownOr(b.platforms) ?? []).map(formatPlatform).join(),
      b.runsOn?.[0]?.labels.join(),
      b.tags.join(),
    ]),
    [
      ['linux/amd64', 'ubuntu-24.04', 'ghcr.io/acme/app:1.0'],
      ['linux/arm64', 'ubuntu-24.04-arm', 'ghcr.io/acme/app:1.0'],
    ],
  );
  const site = builds[1]?.sites?.platforms;
  assert.ok(site);
  assert.equal(
    site.file.position(site.span.start).line,
    8,
    'the platform of combination 2 is reported at its matrix row',
  );
  assert.equal(
    model.builds.filter((b) => b.origin === 'dockerfile').length,
    0,
    'the explicit build replaces the inferred one',
  );
  assert.equal(model.workflows[0]?.problems.length, 0);
});

test('workflows: a run step whose env depends on the matrix is scanned per combination, each on its own runner', async () => {
  const model = await load({
    files: {
      Dockerfile: 'FROM scratch\n',
      'scripts/build.sh':
        '#!/bin/sh\ndocker buildx build --platform "linux/$ARCH" -t "ghcr.io/acme/app:$ARCH" .\n',
      '.github/workflows/ci.yml': [
        'on: push',
        'jobs:',
        '  img:',
        '    strategy:',
        '      matrix:',
        '        include:',
        '          - { arch: amd64, runner: ubuntu-24.04 }',
        '          - { arch: arm64, runner: ubuntu-24.04-arm }',
        '    runs-on: ${{ matrix.runner }}',
        '    env:',
        "      ARCH: '${{ matrix.arch }}'",
        '    steps:',
        '      - run: docker buildx build --platform linux/$ARCH -t ghcr.io/acme/app:$ARCH .',
        '      - run: ./scripts/build.sh',
        '',
      ].join('\n'),
    },
  });
  const row = (b: Build) => [
    (knownOr(b.platforms) ?? []).map(formatPlatform).join(),
    (b.runsOn ?? []).map((r) => r.labels.join()).join(' '),
    b.tags.join(),
  ];
  const want = [
    ['linux/amd64', 'ubuntu-24.04', 'ghcr.io/acme/app:amd64'],
    ['linux/arm64', 'ubuntu-24.04-arm', 'ghcr.io/acme/app:arm64'],
  ];
  assert.deepEqual(model.builds.filter((b) => b.origin === 'workflow').map(row), want);
  assert.deepEqual(model.builds.filter((b) => b.origin === 'script').map(row), want);
});

test('compose: build context/dockerfile relative to the compose file, interpolation with defaults, ports and healthcheck', async () => {
  const model = await load({
    files: {
      'deploy/compose.yaml': [
        'services:',
        '  api:',
        '    build:',
        '      context: ../api',
        '      dockerfile: docker/Dockerfile',
        '      args: { PY: "3.12" }',
        '    image: ${REG:-reg.lan:5000}/api:${TAG}',
        '    ports: ["127.0.0.1:8080:5000/tcp", { target: 5001 }]',
        '    healthcheck: { test: "curl -f http://localhost:5002/h || exit 1" }',
        '',
      ].join('\n'),
      'api/docker/Dockerfile': 'FROM scratch\n',
    },
  });
  const b = model.builds.find((x) => x.origin === 'compose');
  assert.ok(b);
  assert.equal(knownOr(b.context), 'api');
  assert.equal(knownOr(b.dockerfile), 'api/docker/Dockerfile');
  assert.deepEqual(Object.fromEntries(Object.entries(b.buildArgs).map(([k, v]) => [k, knownOr(v)])), {
    PY: '3.12',
  });
  assert.deepEqual(b.tags, ['reg.lan:5000/api:${TAG}'], 'unset variables stay visible, defaults apply');
  const w = model.deployments.workloads[0];
  assert.deepEqual(
    w?.containers[0]?.ports.map((p) => p.port),
    [5000, 5001],
  );
  assert.equal(w?.containers[0]?.probes[0]?.port, 5002);
  assert.deepEqual([...(model.compose[0]?.variables.keys() ?? [])], ['TAG']);
});

test('Kubernetes: 50-document streams, Lists, CronJobs, affinity; templates and non-Kubernetes YAML are not errors', async () => {
  const docs = Array.from(
    { length: 50 },
    (_v, i) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d${i} }\nspec:\n  replicas: ${i % 3}\n  template:\n    spec:\n      containers: [{ name: c, image: "app:${i}" }]\n`,
  ).join('---\n');
  const model = await load({
    files: {
      'k8s/many.yaml': docs,
      'k8s/cron.yaml':
        'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: batch/v1\n    kind: CronJob\n    metadata: { name: nightly }\n    spec:\n      jobTemplate:\n        spec:\n          template:\n            spec:\n              affinity:\n                nodeAffinity:\n                  requiredDuringSchedulingIgnoredDuringExecution:\n                    nodeSelectorTerms:\n                      - matchExpressions: [{ key: kubernetes.io/arch, operator: NotIn, values: [arm64] }]\n              containers: [{ name: j, image: "job:1" }]\n',
      'chart/templates/dep.yaml': '{{- if .Values.on }}\nkind: Deployment\n{{- end }}\n',
      'mkdocs.yml': 'site_name: docs\nnav: [ {a: b} ]\n',
      'broken/other.yml': 'key: [unclosed\n',
    },
  });
  const ws = model.deployments.workloads;
  assert.equal(ws.length, 51);
  assert.equal(ws.find((w) => w.name === 'd5')?.replicas?.value, 2);
  const cron = ws.find((w) => w.kind === 'CronJob');
  assert.deepEqual(cron?.pod.archConstraint?.values, ['arm64']);
  assert.equal(cron?.pod.archConstraint?.operator, 'NotIn');
  assert.equal(model.loadFindings.length, 0, 'non-Kubernetes broken YAML is not a parse error of ours');
  assert.ok(model.notes.some((n) => n.startsWith('chart/templates/dep.yaml: a Helm/Go template')));
});

test('kustomize and Helm values: image overrides and image blocks become deployment image uses', async () => {
  const model = await load({
    files: {
      'base/kustomization.yaml': 'resources: [dep.yaml, https://github.com/x/y//z?ref=v1]\n',
      'base/dep.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: a }\nspec:\n  template:\n    spec:\n      containers: [{ name: a, image: app }]\n',
      'overlay/kustomization.yaml':
        'resources: [../base]\nimages:\n  - name: app\n    newName: reg.lan/app\n    newTag: "2.0"\n  - name: other\n    digest: sha256:' +
        'b'.repeat(64) +
        '\n',
      'chart/values-prod.yaml':
        'api:\n  image:\n    registry: reg.lan\n    repository: team/api\n    tag: "1.4"\n    pullPolicy: Always\nsidecar:\n  image: busybox:1.36\n',
    },
  });
  assert.deepEqual(
    model.deployments.images.map((i) => `${i.origin} ${i.ref}`),
    [
      'helm reg.lan/team/api:1.4',
      'helm busybox:1.36',
      `kustomize reg.lan/app:2.0`,
      `kustomize other@sha256:${'b'.repeat(64)}`,
    ],
    'in path order: chart/ before overlay/',
  );
  const k = model.deployments.kustomizations.find((x) => x.file.path === 'base/kustomization.yaml');
  assert.deepEqual(
    k?.resources.map((r) => [r.path ?? null, r.remote]),
    [
      ['base/dep.yaml', false],
      [null, true],
    ],
  );
  assert.equal(model.deployments.images[0]?.pullPolicy?.value, 'Always');
});

test('buildkitd.toml: registry tables with http, insecure and ca', async () => {
  const model = await load({
    files: {
      'buildkitd.toml':
        '[worker.oci]\n  enabled = true\n[registry."10.0.0.5:5000"]\n  http = true\n[registry."reg.lan"]\n  insecure = true\n  ca = ["/etc/ca.crt"]\n',
    },
  });
  const regs = model.buildkitd[0]?.registries ?? [];
  assert.deepEqual(
    regs.map((r) => [r.host, r.http?.value ?? null, r.insecure?.value ?? null, r.ca?.value ?? null]),
    [
      ['10.0.0.5:5000', true, null, null],
      ['reg.lan', null, true, ['/etc/ca.crt']],
    ],
  );
  const first = regs[0];
  assert.ok(first);
  assert.equal(first.site.file.position(first.site.span.start).line, 3);
});

test('compose env files: quotes removed, ` #` comments dropped, `#` inside a word kept, export and blank values read; a bare name sets nothing', () => {
  const vars = envFileValues(
    [
      '# a comment line',
      'TAG=1.2 # the release',
      'URL=http://h/#frag',
      'export REGISTRY="reg.local:5000 #not a comment"',
      "NAME='a b'",
      'EMPTY=',
      'TABBED=x\t# tab before the hash',
      'BARE',
    ].join('\n'),
  );
  assert.deepEqual(Object.fromEntries(vars), {
    TAG: '1.2',
    URL: 'http://h/#frag',
    REGISTRY: 'reg.local:5000 #not a comment',
    NAME: 'a b',
    EMPTY: '',
    TABBED: 'x',
  });
});

test('shell functions: a hostile fan-out of calls (50 per body, 4 deep) is cut at a budget of scanned bodies, not 50⁴ scans', () => {
  const calls = (f: string) => Array.from({ length: 50 }, () => `  ${f} "$1"`).join('\n');
  const text = `f4() {\n  docker build -t reg/x:$1 .\n}\nf3() {\n${calls('f4')}\n}\nf2() {\n${calls('f3')}\n}\nf1() {\n${calls('f2')}\n}\nf1 a\n`;
  const r = scan('build.sh', text);
  // Every scanned f4 body is one build: at most the budget, far fewer than the 125,000 calls written.
  assert.ok(r.builds.length > 0 && r.builds.length <= 2000, `${r.builds.length} builds`);
  assert.ok(r.builds.some((b) => b.tags.some((t) => t.value === 'reg/x:a')));
});

test('make variables: a self-reference or a chain deeper than 16 is unknown and says which it may be', () => {
  const vars = (text: string) => makeVariables(makefileRecipes(new SourceFile('Makefile', text)).vars);
  const loop = vars('A = $(B)\nB = $(A)\n').get('A');
  assert.ok(
    loop && !loop.known && /expands through more than 16 variables, or refers to itself/.test(loop.reason),
  );
  const chain = Array.from({ length: 20 }, (_, i) => `V${i} = $(V${i + 1})`).join('\n');
  const deep = vars(`${chain}\nV20 = end\n`).get('V0');
  assert.ok(deep && !deep.known, 'a 20-level chain is not resolved');
  assert.equal(knownOr(vars('X = $(Y)\nY = $(Z)\nZ = end\n').get('X')), 'end', 'a short chain resolves');
});

test('build tags are parsed once, and each caller gets an answer of its own', { timeout: 10_000 }, () => {
  const first = parseBuildTag('reg.example.com/team/app:$TAG');
  assert.equal(first?.registry, 'reg.example.com');
  assert.equal(first?.repository, 'team/app');
  if (first) first.repository = 'changed';
  assert.equal(parseBuildTag('reg.example.com/team/app:$TAG')?.repository, 'team/app');
  assert.equal(parseBuildTag('$REGISTRY/app:1'), undefined, 'a variable in the registry');
  assert.equal(parseBuildTag('$REGISTRY/app:1'), undefined, 'the same answer when asked again');
  for (let i = 0; i < 10_050; i++) parseBuildTag(`r.example.com/a${i}:1`);
  assert.equal(
    parseBuildTag('r.example.com/a3:1')?.repository,
    'a3',
    'still right once the memo was cleared',
  );
});
