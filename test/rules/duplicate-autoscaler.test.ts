import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/duplicate-autoscaler.js';
import { at, checkRepo } from '../helpers/check.js';

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

test('a KEDA ScaledObject next to a hand-written HPA for the same Deployment is reported at the second one', async () => {
  const findings = await checkRepo(
    {
      files: {
        'k8s/deployment.yaml': deployment,
        'k8s/hpa.yaml': hpa('api', { kind: 'Deployment', name: 'api' }),
        'k8s/keda.yaml': scaledObject('api-queue', 'api'),
      },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['duplicate-autoscaler@4:9']);
  assert.equal(findings[0]?.file, 'k8s/keda.yaml');
  assert.equal(findings[0]?.severity, 'error');
  assert.equal(
    findings[0]?.message,
    'ScaledObject "api-queue" targets Deployment "api", which HorizontalPodAutoscaler "api" already scales: they overwrite each other\'s replica count',
  );
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    ['k8s/hpa.yaml:4:9 HorizontalPodAutoscaler "api"'],
  );
});

test('every later autoscaler of one target is reported against the first; a missing kind means Deployment', async () => {
  const findings = await checkRepo(
    {
      files: {
        'k8s/autoscaling.yaml': [
          hpa('api-cpu', { name: 'api' }),
          hpa('api-memory', { kind: 'Deployment', name: 'api' }),
          hpa('api-rps', { kind: 'Deployment', name: 'api' }),
        ].join('---\n'),
      },
    },
    [rule],
  );
  // The first HPA (no kind) is 10 lines, the others 11, each followed by `---`: names on lines 4, 15, 27.
  assert.deepEqual(at(findings), ['duplicate-autoscaler@15:9', 'duplicate-autoscaler@27:9']);
  assert.match(
    findings[0]?.message ?? '',
    /^HorizontalPodAutoscaler "api-memory" targets Deployment "api", which HorizontalPodAutoscaler "api-cpu"/,
  );
  assert.match(findings[1]?.message ?? '', /^HorizontalPodAutoscaler "api-rps" .* "api-cpu" already scales/);
  assert.deepEqual(
    findings.map((f) => f.related.map((r) => `${r.line}:${r.column}`)),
    [['4:9'], ['4:9']],
  );
});

test('autoscalers of different workloads, kinds or namespaces report nothing', async () => {
  const findings = await checkRepo(
    {
      files: {
        'k8s/autoscaling.yaml': [
          hpa('api', { kind: 'Deployment', name: 'api' }),
          hpa('web', { kind: 'Deployment', name: 'web' }),
          hpa('api-sts', { kind: 'StatefulSet', name: 'api' }),
          hpa('api-staging', { kind: 'Deployment', name: 'api' }, 'staging'),
          scaledObject('api-prod', 'api', 'production'),
        ].join('---\n'),
      },
    },
    [rule],
  );
  assert.deepEqual(findings, []);
});
