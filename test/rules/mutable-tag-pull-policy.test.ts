// biome-ignore-all lint/suspicious/noTemplateCurlyInString: manifest fixtures hold `${TAG}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/mutable-tag-pull-policy.js';
import { at, checkRepo } from '../helpers/check.js';

const DIGEST = `sha256:${'4f'.repeat(32)}`;

const deployment = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: api',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: api',
  '          image: registry.example.com/team/api:dev',
  '        - name: proxy',
  '          image: registry.example.com/team/proxy:arm64-latest',
  '          imagePullPolicy: IfNotPresent',
  '        - name: cache',
  '          image: redis:latest',
  '          imagePullPolicy: IfNotPresent',
  '        - name: metrics',
  '          image: prom/statsd-exporter',
  '        - name: agent',
  '          image: registry.example.com/team/agent:main',
  '          imagePullPolicy: Always',
  '        - name: pinned',
  `          image: registry.example.com/team/api:dev@${DIGEST}`,
  '          imagePullPolicy: IfNotPresent',
  '        - name: versioned',
  '          image: registry.example.com/team/api:1.4.2',
  '          imagePullPolicy: IfNotPresent',
  '      initContainers:',
  '        - name: migrate',
  '          image: registry.example.com/team/api:${TAG}',
  '---',
  'apiVersion: batch/v1',
  'kind: CronJob',
  'metadata:',
  '  name: report',
  'spec:',
  '  schedule: "0 3 * * *"',
  '  jobTemplate:',
  '    spec:',
  '      template:',
  '        spec:',
  '          containers:',
  '            - name: report',
  '              image: nginx',
  '              imagePullPolicy: Never',
  '',
].join('\n');

test('mutable tags with the default or IfNotPresent policy, and cached latest, are reported where the policy is decided', async () => {
  const findings = await checkRepo({ files: { 'k8s/app.yaml': deployment } }, [rule]);
  assert.deepEqual(at(findings), [
    'mutable-tag-pull-policy@10:18',
    'mutable-tag-pull-policy@13:28',
    'mutable-tag-pull-policy@16:28',
    'mutable-tag-pull-policy@45:32',
  ]);
  assert.ok(findings.every((f) => f.severity === 'warning' && f.file === 'k8s/app.yaml'));
  const [dev, arm, redis, nginx] = findings.map((f) => f.message);
  assert.equal(
    dev,
    '`registry.example.com/team/api:dev` is a mutable tag pulled with the default policy (IfNotPresent for non-latest tags): a node that already has `dev` never pulls the new push, so rollouts run stale images',
  );
  assert.match(
    arm ?? '',
    /^`registry\.example\.com\/team\/proxy:arm64-latest` is a mutable tag pulled with imagePullPolicy IfNotPresent: .* `arm64-latest` /,
  );
  assert.equal(
    redis,
    '`redis:latest` is pulled with imagePullPolicy IfNotPresent: the kubelet keeps whatever `latest` it cached first',
  );
  // A reference without a tag is `latest`.
  assert.match(nginx ?? '', /^`nginx` is pulled with imagePullPolicy Never: /);
});

test('Always, versions, digests and a latest left to its default policy report nothing', async () => {
  const fixed = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: api',
    '          image: registry.example.com/team/api:dev',
    '          imagePullPolicy: Always',
    '        - name: proxy',
    '          image: registry.example.com/team/proxy:2.3.0',
    '        - name: cache',
    '          image: redis:latest',
    '        - name: pinned',
    `          image: registry.example.com/team/api@${DIGEST}`,
    '',
  ].join('\n');
  assert.deepEqual(await checkRepo({ files: { 'k8s/app.yaml': fixed } }, [rule]), []);
});

test('Helm values: `image: {repository, tag, pullPolicy}` blocks and `image: "ref"` strings', async () => {
  const values = [
    'replicaCount: 2',
    'image:',
    '  repository: registry.example.com/team/api',
    '  tag: develop',
    '  pullPolicy: IfNotPresent',
    'worker:',
    '  image:',
    '    repository: registry.example.com/team/worker',
    '    tag: latest',
    '    pullPolicy: IfNotPresent',
    'migrations:',
    '  image:',
    '    registry: registry.example.com',
    '    repository: team/migrate',
    '    tag: "2024.06.1"',
    '    pullPolicy: IfNotPresent',
    'redis:',
    '  image: redis:nightly',
    '',
  ].join('\n');
  const findings = await checkRepo(
    {
      files: {
        'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: "1.4.2"\n',
        'chart/values.yaml': values,
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}`),
    ['chart/values.yaml:5:15', 'chart/values.yaml:10:17', 'chart/values.yaml:18:10'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /^`registry\.example\.com\/team\/api:develop` is a mutable tag pulled with imagePullPolicy IfNotPresent/,
  );
  assert.match(
    findings[1]?.message ?? '',
    /^`registry\.example\.com\/team\/worker:latest` is pulled with imagePullPolicy IfNotPresent/,
  );
  assert.match(
    findings[2]?.message ?? '',
    /^`redis:nightly` is a mutable tag pulled with the default policy/,
  );
});

test('Helm values without a tag use the chart appVersion (the `helm create` default), not latest', async () => {
  const values = [
    'image:',
    '  repository: registry.example.com/team/api',
    '  pullPolicy: IfNotPresent',
    '  # Overrides the image tag whose default is the chart appVersion.',
    '  tag: ""',
    'sidecar:',
    '  image:',
    '    repository: registry.example.com/team/proxy',
    '    pullPolicy: IfNotPresent',
    '',
  ].join('\n');
  const findings = await checkRepo(
    {
      files: {
        'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: "1.4.2"\n',
        'chart/values.yaml': values,
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});

test('a base image retagged by kustomize `images:` is not what runs; a rename alone keeps the mutable tag', async () => {
  const files = (override: string[]) => ({
    'k8s/base/deployment.yaml': deployment.split('        - name: proxy')[0] ?? '',
    'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'k8s/overlays/prod/kustomization.yaml': [
      'resources:',
      '  - ../../base',
      'images:',
      '  - name: registry.example.com/team/api',
      ...override,
      '',
    ].join('\n'),
  });
  assert.deepEqual(await checkRepo({ files: files(['    newTag: "1.4.2"']) }, [rule]), []);
  assert.deepEqual(await checkRepo({ files: files([`    digest: ${DIGEST}`]) }, [rule]), []);
  const renamed = await checkRepo({ files: files(['    newName: mirror.example.com/team/api']) }, [rule]);
  assert.deepEqual(
    renamed.map((f) => `${f.file}:${f.line}:${f.column}`),
    ['k8s/base/deployment.yaml:10:18'],
  );
});

test('compose services and kustomize overrides are not Kubernetes pull policies: not checked', async () => {
  const findings = await checkRepo(
    {
      files: {
        'compose.yaml':
          'services:\n  api:\n    image: registry.example.com/team/api:dev\n    pull_policy: missing\n',
        'k8s/kustomization.yaml':
          'images:\n  - name: api\n    newName: registry.example.com/team/api\n    newTag: dev\n',
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});
