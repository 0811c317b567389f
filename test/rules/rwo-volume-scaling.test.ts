import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/rwo-volume-scaling.js';
import { at, checkRepo } from '../helpers/check.js';

const dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nEXPOSE 5000\nUSER 10001\n';

function pvc(accessModes: string | undefined, namespace?: string): string {
  return [
    'apiVersion: v1',
    'kind: PersistentVolumeClaim',
    'metadata:',
    '  name: uploads',
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    ...(accessModes ? [`  accessModes: [${accessModes}]`] : []),
    '  resources:',
    '    requests:',
    '      storage: 10Gi',
    '',
  ].join('\n');
}

function workload(kind: string, replicas: number | undefined): string {
  return [
    'apiVersion: apps/v1',
    `kind: ${kind}`,
    'metadata:',
    '  name: api',
    'spec:',
    ...(replicas === undefined ? [] : [`  replicas: ${replicas}`]),
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: api',
    '          image: registry.example.com:5000/team/api:1.0',
    '          volumeMounts:',
    '            - name: uploads',
    '              mountPath: /data',
    '      volumes:',
    '        - name: uploads',
    '          persistentVolumeClaim:',
    '            claimName: uploads',
    '',
  ].join('\n');
}

function hpa(max: number, target = 'api'): string {
  return [
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    'metadata:',
    '  name: api',
    'spec:',
    '  scaleTargetRef:',
    '    apiVersion: apps/v1',
    '    kind: Deployment',
    `    name: ${target}`,
    '  minReplicas: 1',
    `  maxReplicas: ${max}`,
    '',
  ].join('\n');
}

const stream = (...docs: string[]) => docs.join('---\n');

test('replicas above 1 and an HPA above 1 on a ReadWriteOnce claim are reported, pointing back at the PVC', async () => {
  const findings = await checkRepo(
    {
      files: {
        'api/Dockerfile': dockerfile,
        'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('Deployment', 3), hpa(6)),
      },
    },
    [rule],
  );
  // PVC: lines 1-9; Deployment: 11-28 (replicas on 16); HPA: 30- (metadata.name on 33).
  assert.deepEqual(at(findings), ['rwo-volume-scaling@16:13', 'rwo-volume-scaling@33:9']);
  assert.ok(findings.every((f) => f.file === 'k8s/app.yaml' && f.severity === 'error'));
  assert.equal(
    findings[0]?.message,
    'Deployment "api" runs 3 replicas but mounts PVC "uploads" (ReadWriteOnce): only pods on one node can attach it; the others stay Pending (Multi-Attach error)',
  );
  assert.equal(
    findings[1]?.message,
    'HorizontalPodAutoscaler "api" may scale Deployment "api" to 6 replicas, but it mounts PVC "uploads" (ReadWriteOnce): extra pods on other nodes stay Pending',
  );
  for (const f of findings)
    assert.deepEqual(
      f.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
      ['k8s/app.yaml:4:9 PVC "uploads" is declared here'],
    );
});

test('a claim without accessModes is ReadWriteOnce in practice; the PVC may live in another file', async () => {
  const findings = await checkRepo(
    {
      files: {
        'k8s/pvc.yaml': pvc(undefined),
        'k8s/deploy.yaml': workload('StatefulSet', 2),
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}`),
    ['k8s/deploy.yaml:6:13'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /^StatefulSet "api" runs 2 replicas but mounts PVC "uploads" \(no accessModes: ReadWriteOnce in practice\)/,
  );
  assert.equal(findings[0]?.related[0]?.file, 'k8s/pvc.yaml');
});

test('a KEDA ScaledObject without maxReplicaCount scales to 100 by default', async () => {
  const scaledObject = [
    'apiVersion: keda.sh/v1alpha1',
    'kind: ScaledObject',
    'metadata:',
    '  name: api-queue',
    'spec:',
    '  scaleTargetRef:',
    '    name: api',
    '  triggers:',
    '    - type: rabbitmq',
    '      metadata:',
    '        queueName: jobs',
    '',
  ].join('\n');
  const findings = await checkRepo(
    {
      files: {
        'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('Deployment', 1)),
        'k8s/keda.yaml': scaledObject,
      },
    },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}:${f.column}`),
    ['k8s/keda.yaml:4:9'],
  );
  assert.match(
    findings[0]?.message ?? '',
    /^ScaledObject "api-queue" may scale Deployment "api" to 100 replicas/,
  );
});

test('one replica with an HPA capped at 1, shared access modes, other namespaces and other targets report nothing', async () => {
  const cases: Record<string, string>[] = [
    { 'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('Deployment', 1), hpa(1)) },
    { 'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('Deployment', undefined), hpa(4, 'web')) },
    { 'k8s/app.yaml': stream(pvc('ReadWriteMany'), workload('Deployment', 3), hpa(6)) },
    { 'k8s/app.yaml': stream(pvc('ReadOnlyMany'), workload('Deployment', 3)) },
    { 'k8s/app.yaml': stream(pvc('ReadWriteOnce', 'storage'), workload('Deployment', 3)) },
    { 'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('DaemonSet', undefined)) },
  ];
  for (const files of cases) assert.deepEqual(await checkRepo({ files }, [rule]), [], files['k8s/app.yaml']);
});

test('StatefulSet volumeClaimTemplates give each pod its own volume', async () => {
  const sts = [
    'apiVersion: apps/v1',
    'kind: StatefulSet',
    'metadata:',
    '  name: db',
    'spec:',
    '  replicas: 3',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: db',
    '          image: postgres:16',
    '          volumeMounts:',
    '            - name: data',
    '              mountPath: /var/lib/postgresql/data',
    '  volumeClaimTemplates:',
    '    - metadata:',
    '        name: data',
    '      spec:',
    '        accessModes: [ReadWriteOnce]',
    '',
  ].join('\n');
  assert.deepEqual(await checkRepo({ files: { 'k8s/db.yaml': sts } }, [rule]), []);
});
