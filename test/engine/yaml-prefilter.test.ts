import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubernetesYamlMayMatter } from '../../src/engine/families.js';
import type { ProjectModel } from '../../src/model/project.js';
import { yamlParseHook } from '../../src/sources/yaml/node.js';
import { allRules } from '../../src/rules/index.js';
import { runRules } from '../../src/engine/run.js';
import { loadRepo, type RepoSpec } from '../helpers/check.js';

/** Loads a repository, returning the model and every path `parseYaml` parsed (in order, with repeats). */
async function load(spec: RepoSpec): Promise<{ model: ProjectModel; parsed: string[] }> {
  const parsed: string[] = [];
  yamlParseHook.onParse = (path) => parsed.push(path);
  try {
    return { model: await loadRepo(spec), parsed };
  } finally {
    yamlParseHook.onParse = undefined;
  }
}

const deployment = (name: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: ${name} }`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    `        - { name: app, image: reg.example.com/${name}:1.0 }`,
    '',
  ].join('\n');

// One test per YAML reader: its files still load (the first pass admits them).

test('workflows are parsed and read', { timeout: 30_000 }, async () => {
  const { model, parsed } = await load({
    files: {
      '.github/workflows/ci.yml':
        'on: [push]\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo hi\n',
    },
  });
  assert.deepEqual(parsed, ['.github/workflows/ci.yml']);
  assert.equal(model.workflows.length, 1);
  assert.equal(model.workflows[0]?.jobs.length, 1);
});

test('compose files of every spelling are parsed and read', { timeout: 30_000 }, async () => {
  const compose = 'services:\n  web:\n    image: reg.example.com/web:1\n';
  const { model, parsed } = await load({
    files: {
      'compose.yaml': compose,
      'ops/docker-compose.prod.yml': compose,
      'compose.override.yml': compose,
    },
  });
  assert.deepEqual(parsed.sort(), ['compose.override.yml', 'compose.yaml', 'ops/docker-compose.prod.yml']);
  assert.equal(model.compose.length, 3);
});

test('Kubernetes manifests are parsed and read, in YAML or JSON spelling, in any document', {
  timeout: 30_000,
}, async () => {
  const { model, parsed } = await load({
    files: {
      'deploy/a.yaml': deployment('a'),
      // The object is the second document, after a comment-only first one.
      'deploy/b.yml': `# generated\nfoo: 1\n---\n${deployment('b')}`,
      'deploy/c.yaml': JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'c' },
        spec: { template: { spec: { containers: [{ name: 'app', image: 'reg.example.com/c:1.0' }] } } },
      }),
    },
  });
  assert.deepEqual(parsed.sort(), ['deploy/a.yaml', 'deploy/b.yml', 'deploy/c.yaml']);
  assert.deepEqual(model.deployments.workloads.map((w) => w.name).sort(), ['a', 'b', 'c']);
});

test('kustomizations, their patch files and Helm values are parsed and read', {
  timeout: 30_000,
}, async () => {
  const { model, parsed } = await load({
    files: {
      'k/base/kustomization.yaml': 'resources: [app.yaml]\npatches:\n  - path: replicas.yaml\n',
      'k/base/app.yaml': deployment('app'),
      'k/base/replicas.yaml': 'kind: Deployment\nmetadata: { name: app }\nspec: { replicas: 3 }\n',
      'k/other/kustomization.yml': 'resources: []\nimages:\n  - name: x\n    newTag: "2"\n',
      'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1.0.0\n',
      'chart/values.yaml': 'image:\n  repository: reg.example.com/chart\n  tag: "1.0"\n',
      'chart/values-prod.yaml': 'image: reg.example.com/chart:2.0\n',
    },
  });
  for (const p of [
    'k/base/kustomization.yaml',
    'k/base/app.yaml',
    'k/base/replicas.yaml',
    'k/other/kustomization.yml',
    'chart/values.yaml',
    'chart/values-prod.yaml',
  ])
    assert.ok(parsed.includes(p), `${p} is parsed`);
  assert.equal(model.deployments.kustomizations.length, 2);
  assert.equal(model.deployments.patches?.get('k/base/replicas.yaml')?.[0]?.replicas?.value, 3);
  const helm = model.deployments.images
    .filter((i) => i.site.file.path.startsWith('chart/'))
    .map((i) => i.ref);
  assert.ok(helm.length >= 2, `Helm values images: ${helm.join(', ')}`);
});

test('crossdock.yaml is read (by its own reader, not as a manifest)', { timeout: 30_000 }, async () => {
  const { model, parsed } = await load({ files: { 'crossdock.yaml': 'platforms: [linux/arm64]\n' } });
  assert.deepEqual(parsed, []);
  assert.equal(model.config.path, 'crossdock.yaml');
  assert.deepEqual(
    model.config.platforms?.map((p) => `${p.os}/${p.architecture}`),
    ['linux/arm64'],
  );
});

test('YAML nothing reads is never parsed, and its syntax errors are not reported', {
  timeout: 30_000,
}, async () => {
  const broken = 'nav:\n  - Home: index.md\n  - [unclosed\n';
  const spec: RepoSpec = {
    files: {
      'mkdocs.yml': broken,
      'data/records.yaml': `${Array.from({ length: 500 }, (_, i) => `- id: ${i}\n  kind_of: x\n  name: "r${i}"`).join('\n')}\n[broken\n`,
      'openapi.yaml': 'openapi: 3.0.0\ninfo: { title: t, version: "1" }\npaths: {}\n',
      '.github/dependabot.yml': 'version: 2\nupdates: [\n',
      'chart/templates/deploy.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: {{ .Release.Name }} }\n',
      'deploy/app.yaml': deployment('app'),
    },
  };
  const { model, parsed } = await load(spec);
  assert.deepEqual(parsed, ['deploy/app.yaml']);
  const findings = await runRules(model, allRules());
  assert.deepEqual(
    findings.filter((f) => f.ruleId === 'parse-error').map((f) => f.file),
    [],
    'no parse-error in files nothing reads',
  );
});

test('the first pass admits what the readers use, by name or by a line starting apiVersion:/kind:', {
  timeout: 30_000,
}, () => {
  assert.equal(kubernetesYamlMayMatter('a/kustomization.yml', ''), true);
  assert.equal(kubernetesYamlMayMatter('a/Kustomization', ''), true);
  assert.equal(kubernetesYamlMayMatter('chart/values.staging.yaml', ''), true);
  assert.equal(kubernetesYamlMayMatter('x.yaml', 'a: 1\n---\nkind: Pod\n'), true);
  assert.equal(kubernetesYamlMayMatter('x.yaml', 'apiVersion : v1\n'), true);
  assert.equal(kubernetesYamlMayMatter('x.yaml', '{"apiVersion":"v1","kind":"Pod"}'), true);
  assert.equal(kubernetesYamlMayMatter('mkdocs.yml', 'site_name: x\nnav: []\n'), false);
  assert.equal(
    kubernetesYamlMayMatter('x.yaml', 'spec:\n  kind: Pod\n'),
    false,
    'a nested kind: is not an object',
  );
});
