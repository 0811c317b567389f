import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/duplicate-autoscaler.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const R = 'duplicate-autoscaler';

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
  '          image: registry.example.com:5000/team/api:1.0',
  '',
].join('\n');

function hpa(name: string, target: { kind?: string; name: string }, namespace?: string): string {
  return [
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    '  scaleTargetRef:',
    '    apiVersion: apps/v1',
    ...(target.kind ? [`    kind: ${target.kind}`] : []),
    `    name: ${target.name}`,
    '  minReplicas: 2',
    '  maxReplicas: 10',
    '',
  ].join('\n');
}

function scaledObject(name: string, target: string, namespace?: string): string {
  return [
    'apiVersion: keda.sh/v1alpha1',
    'kind: ScaledObject',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    '  scaleTargetRef:',
    `    name: ${target}`,
    '  maxReplicaCount: 20',
    '  triggers:',
    '    - type: prometheus',
    '      metadata:',
    '        query: sum(rate(http_requests_total[1m]))',
    '        threshold: "100"',
    '',
  ].join('\n');
}

/** The files, with a kustomization in `k8s/` listing every manifest there (so they are applied together). */
function kustomized(files: Record<string, string>) {
  const resources = Object.keys(files)
    .filter((f) => /^k8s\/[^/]+\.yaml$/.test(f))
    .map((f) => `  - ${f.slice(4)}`);
  return { files: { ...files, 'k8s/kustomization.yaml': ['resources:', ...resources, ''].join('\n') } };
}

/** A base with the Deployment and an HPA, and overlays around it. */
const base = {
  'k8s/base/deployment.yaml': deployment,
  'k8s/base/hpa.yaml': hpa('api', { kind: 'Deployment', name: 'api' }),
  'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - hpa.yaml\n',
};

test('duplicate-autoscaler: a KEDA ScaledObject next to a hand-written HPA for the same Deployment is reported at the second one', async () => {
  const findings = await checkRepo(
    kustomized({
      'k8s/deployment.yaml': deployment,
      'k8s/hpa.yaml': hpa('api', { kind: 'Deployment', name: 'api' }),
      'k8s/keda.yaml': scaledObject('api-queue', 'api'),
    }),
    [rule],
  );
  assertFindings(findings, [
    at(R, 'error', 'k8s/keda.yaml', 4, 9, {
      message:
        /^ScaledObject "api-queue" targets Deployment "api", which HorizontalPodAutoscaler "api" already scales: they overwrite each other's replica count$/,
      reachable: true,
    }),
  ]);
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    ['k8s/hpa.yaml:4:9 HorizontalPodAutoscaler "api"'],
  );
});

test('duplicate-autoscaler: every later autoscaler of one target is reported against the first; a missing kind means Deployment', async () => {
  const findings = await checkRepo(
    kustomized({
      'k8s/autoscaling.yaml': [
        hpa('api-cpu', { name: 'api' }),
        hpa('api-memory', { kind: 'Deployment', name: 'api' }),
        hpa('api-rps', { kind: 'Deployment', name: 'api' }),
      ].join('---\n'),
    }),
    [rule],
  );
  // The first HPA (no kind) is 10 lines, the others 11, each followed by `---`: names on lines 4, 15, 27.
  assertFindings(findings, [
    at(R, 'error', 'k8s/autoscaling.yaml', 15, 9, {
      message:
        /^HorizontalPodAutoscaler "api-memory" targets Deployment "api", which HorizontalPodAutoscaler "api-cpu"/,
    }),
    at(R, 'error', 'k8s/autoscaling.yaml', 27, 9, {
      message: /^HorizontalPodAutoscaler "api-rps" .* "api-cpu" already scales/,
    }),
  ]);
  assert.deepEqual(
    findings.map((f) => f.related.map((r) => `${r.line}:${r.column}`)),
    [['4:9'], ['4:9']],
  );
});

ruleTest(rule, [
  // Condition: the same target (name, kind, namespace).
  {
    name: 'autoscalers of different workloads, kinds or namespaces report nothing',
    repo: kustomized({
      'k8s/autoscaling.yaml': [
        hpa('api', { kind: 'Deployment', name: 'api' }),
        hpa('web', { kind: 'Deployment', name: 'web' }),
        hpa('api-sts', { kind: 'StatefulSet', name: 'api' }),
        hpa('api-staging', { kind: 'Deployment', name: 'api' }, 'staging'),
        scaledObject('api-prod', 'api', 'production'),
      ].join('---\n'),
    }),
    expect: [],
  },
  {
    name: 'the same namespace on both makes them collide',
    repo: kustomized({
      'k8s/autoscaling.yaml': [
        hpa('api-staging', { kind: 'Deployment', name: 'api' }, 'staging'),
        scaledObject('api-queue', 'api', 'staging'),
      ].join('---\n'),
    }),
    expect: [at(R, 'error', 'k8s/autoscaling.yaml', 17, 9, { message: /^ScaledObject "api-queue"/ })],
  },
  // Condition: applied together (one deployment unit), and reached.
  {
    name: 'a folder of manifests nothing applies is unreached: at most a warning',
    repo: {
      files: {
        'k8s/hpa.yaml': hpa('api', { kind: 'Deployment', name: 'api' }),
        'k8s/keda.yaml': scaledObject('api-queue', 'api'),
      },
    },
    expect: [at(R, 'warning', 'k8s/keda.yaml', 4, 9, { reachable: false })],
  },
  {
    name: 'autoscalers in two folders are two deployment units: not compared',
    repo: {
      files: {
        'k8s/cpu/hpa.yaml': hpa('api', { kind: 'Deployment', name: 'api' }),
        'k8s/queue/keda.yaml': scaledObject('api-queue', 'api'),
        Makefile: 'deploy:\n\tkubectl apply -f k8s/cpu\n\tkubectl apply -f k8s/queue\n',
      },
    },
    expect: [],
  },
  {
    name: 'kustomize: an overlay adding a ScaledObject to a base with an HPA collides in that overlay',
    repo: {
      files: {
        ...base,
        'k8s/overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\n  - keda.yaml\n',
        'k8s/overlays/prod/keda.yaml': scaledObject('api-queue', 'api'),
      },
    },
    expect: [
      at(R, 'error', 'k8s/overlays/prod/keda.yaml', 4, 9, {
        message: /^ScaledObject "api-queue" targets Deployment "api", which HorizontalPodAutoscaler "api"/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'kustomize: alternative overlays each adding their own autoscaler are never compared',
    repo: {
      files: {
        'k8s/base/deployment.yaml': deployment,
        'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
        'k8s/overlays/cpu/kustomization.yaml': 'resources:\n  - ../../base\n  - hpa.yaml\n',
        'k8s/overlays/cpu/hpa.yaml': hpa('api', { kind: 'Deployment', name: 'api' }),
        'k8s/overlays/queue/kustomization.yaml': 'resources:\n  - ../../base\n  - keda.yaml\n',
        'k8s/overlays/queue/keda.yaml': scaledObject('api-queue', 'api'),
      },
    },
    expect: [],
  },
  {
    name: 'kustomize: an overlay that `$patch: delete`s the base HPA before adding KEDA has one autoscaler',
    repo: {
      files: {
        ...base,
        'k8s/overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\n  - keda.yaml\npatches:\n  - path: no-hpa.yaml\n',
        'k8s/overlays/prod/keda.yaml': scaledObject('api-queue', 'api'),
        'k8s/overlays/prod/no-hpa.yaml':
          '$patch: delete\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\n',
      },
    },
    expect: [],
  },
  {
    name: 'kustomize: an inline `$patch: delete` of the base HPA removes it',
    repo: {
      files: {
        ...base,
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          '  - keda.yaml',
          'patches:',
          '  - patch: |-',
          '      $patch: delete',
          '      apiVersion: autoscaling/v2',
          '      kind: HorizontalPodAutoscaler',
          '      metadata:',
          '        name: api',
          '',
        ].join('\n'),
        'k8s/overlays/prod/keda.yaml': scaledObject('api-queue', 'api'),
      },
    },
    expect: [],
  },
  {
    name: 'kustomize: an inline patch of another HPA leaves the base HPA in place',
    repo: {
      files: {
        ...base,
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          '  - keda.yaml',
          'patches:',
          '  - patch: |-',
          '      $patch: delete',
          '      apiVersion: autoscaling/v2',
          '      kind: HorizontalPodAutoscaler',
          '      metadata:',
          '        name: worker',
          '',
        ].join('\n'),
        'k8s/overlays/prod/keda.yaml': scaledObject('api-queue', 'api'),
      },
    },
    expect: [at(R, 'error', 'k8s/overlays/prod/keda.yaml', 4, 9, { reachable: true })],
  },
]);
