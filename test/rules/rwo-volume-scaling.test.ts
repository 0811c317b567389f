import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/rwo-volume-scaling.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const dockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nEXPOSE 5000\nUSER 10001\n';
const R = 'rwo-volume-scaling';

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

function hpa(max: number | undefined, target = 'api', kind = 'Deployment'): string {
  return [
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    'metadata:',
    '  name: api',
    'spec:',
    '  scaleTargetRef:',
    '    apiVersion: apps/v1',
    `    kind: ${kind}`,
    `    name: ${target}`,
    '  minReplicas: 1',
    ...(max === undefined ? [] : [`  maxReplicas: ${max}`]),
    '',
  ].join('\n');
}

const stream = (...docs: string[]) => docs.join('---\n');
/** The manifest with `namespace:` after its first `  name:` line. */
const inNs = (doc: string, ns: string) => doc.replace(/^( {2}name: .*)$/m, `$1\n  namespace: ${ns}`);
const DECLARED = 'k8s/app.yaml:4 PVC "uploads" is declared here';

/** The files, with a kustomization in `k8s/` listing every manifest there (so they are applied together). */
function kustomized(files: Record<string, string>) {
  const resources = Object.keys(files)
    .filter((f) => /^k8s\/[^/]+\.yaml$/.test(f))
    .map((f) => `  - ${f.slice(4)}`);
  return { files: { ...files, 'k8s/kustomization.yaml': ['resources:', ...resources, ''].join('\n') } };
}

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

/** A base (PVC, Deployment with `replicas`, optional HPA) and overlays around it. */
function kustomizeBase(replicas: number, withHpa: boolean) {
  return {
    'k8s/base/pvc.yaml': pvc('ReadWriteOnce'),
    'k8s/base/api.yaml': workload('Deployment', replicas),
    ...(withHpa ? { 'k8s/base/hpa.yaml': hpa(6) } : {}),
    'k8s/base/kustomization.yaml': `resources:\n  - pvc.yaml\n  - api.yaml\n${withHpa ? '  - hpa.yaml\n' : ''}`,
  };
}

const deploymentPatch = (replicas: number) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: ${replicas}\n`;

test('rwo-volume-scaling: replicas above 1 and an HPA above 1 on a ReadWriteOnce claim are reported, pointing back at the PVC', async () => {
  const findings = await checkRepo(
    kustomized({
      'api/Dockerfile': dockerfile,
      'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('Deployment', 3), hpa(6)),
    }),
    [rule],
  );
  // PVC: lines 1-9; Deployment: 11-28 (replicas on 16); HPA: 30- (metadata.name on 33).
  assertFindings(findings, [
    at(R, 'warning', 'k8s/app.yaml', 16, 13, {
      message:
        /^Deployment "api" runs 3 replicas but mounts PVC "uploads" \(ReadWriteOnce\): only pods on one node can attach it; the others stay Pending \(Multi-Attach error\)$/,
      reachable: true,
    }),
    at(R, 'warning', 'k8s/app.yaml', 33, 9, {
      message:
        /^HorizontalPodAutoscaler "api" may scale Deployment "api" to 6 replicas, but it mounts PVC "uploads" \(ReadWriteOnce\): extra pods on other nodes stay Pending$/,
    }),
  ]);
  for (const f of findings)
    assert.deepEqual(
      f.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
      ['k8s/app.yaml:4:9 PVC "uploads" is declared here'],
    );
});

ruleTest(rule, [
  {
    name: 'a claim without accessModes is ReadWriteOnce in practice; the PVC may live in another file of the unit',
    repo: kustomized({ 'k8s/pvc.yaml': pvc(undefined), 'k8s/deploy.yaml': workload('StatefulSet', 2) }),
    expect: [
      at(R, 'warning', 'k8s/deploy.yaml', 6, 13, {
        message:
          /^StatefulSet "api" runs 2 replicas but mounts PVC "uploads" \(no accessModes: ReadWriteOnce in practice\): only pods on one node can attach it; the others stay Pending \(Multi-Attach error\)$/,
        related: ['k8s/pvc.yaml:4 PVC "uploads" is declared here'],
      }),
    ],
  },
  {
    name: 'a KEDA ScaledObject without maxReplicaCount scales to 100 by default',
    repo: kustomized({
      'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('Deployment', 1)),
      'k8s/keda.yaml': scaledObject,
    }),
    expect: [
      at(R, 'warning', 'k8s/keda.yaml', 4, 9, {
        message:
          /^ScaledObject "api-queue" may scale Deployment "api" to 100 replicas, but it mounts PVC "uploads" \(ReadWriteOnce\): extra pods on other nodes stay Pending$/,
        related: [DECLARED],
      }),
    ],
  },
  // Condition: more than one replica, or an autoscaler above 1.
  {
    name: 'one replica with an HPA capped at 1 reports nothing',
    repo: kustomized({ 'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('Deployment', 1), hpa(1)) }),
    expect: [],
  },
  {
    name: 'no replicas field (1) and no autoscaler reports nothing',
    repo: kustomized({ 'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('Deployment', undefined)) }),
    expect: [],
  },
  // Condition: the autoscaler targets this workload.
  {
    name: 'an HPA of another workload reports nothing',
    repo: kustomized({
      'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('Deployment', undefined), hpa(4, 'web')),
    }),
    expect: [],
  },
  // Condition: the claim is single-writer.
  {
    name: 'ReadWriteMany claims are shared: nothing',
    repo: kustomized({ 'k8s/app.yaml': stream(pvc('ReadWriteMany'), workload('Deployment', 3), hpa(6)) }),
    expect: [],
  },
  {
    name: 'ReadOnlyMany claims are shared: nothing',
    repo: kustomized({ 'k8s/app.yaml': stream(pvc('ReadOnlyMany'), workload('Deployment', 3)) }),
    expect: [],
  },
  // Condition: the claim the workload mounts is the one declared (same namespace, same unit).
  {
    name: 'a PVC of the same name in another namespace is not the one mounted',
    repo: kustomized({ 'k8s/app.yaml': stream(pvc('ReadWriteOnce', 'storage'), workload('Deployment', 3)) }),
    expect: [],
  },
  {
    name: 'unknown: a PVC declared in another folder is another deployment unit; its access mode is not known here',
    repo: {
      files: {
        'k8s/app/api.yaml': workload('Deployment', 3),
        'k8s/storage/pvc.yaml': pvc('ReadWriteOnce'),
        'scripts/deploy.sh':
          'cd "$(dirname "$0")/.."\nkubectl apply -f k8s/storage\nkubectl apply -f k8s/app\n',
      },
    },
    expect: [],
  },
  // Condition: the workload kind keeps replicas of one pod template.
  {
    name: 'a DaemonSet runs one pod per node by design: not checked',
    repo: kustomized({ 'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('DaemonSet', undefined)) }),
    expect: [],
  },
  {
    name: 'StatefulSet volumeClaimTemplates give each pod its own volume',
    repo: kustomized({
      'k8s/db.yaml': [
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
      ].join('\n'),
    }),
    expect: [],
  },
  // Condition: the manifests are reached.
  {
    name: 'a folder of manifests nothing applies is unreached: at most warnings',
    repo: {
      files: { 'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('Deployment', 3), hpa(6)) },
    },
    expect: [
      at(R, 'warning', 'k8s/app.yaml', 16, 13, { reachable: false }),
      at(R, 'warning', 'k8s/app.yaml', 33, 9, { reachable: false }),
    ],
  },
  {
    name: 'a folder a script applies is reached',
    repo: {
      files: {
        'k8s/app.yaml': stream(pvc('ReadWriteOnce'), workload('Deployment', 3)),
        Makefile: 'deploy:\n\tkubectl apply -f k8s\n',
      },
    },
    expect: [at(R, 'warning', 'k8s/app.yaml', 16, 13, { reachable: true })],
  },
  // Kustomize: a unit is a kustomization rendered with its bases and patches.
  {
    name: 'kustomize: a base with 3 replicas is reported in the base',
    repo: { files: kustomizeBase(3, false) },
    expect: [at(R, 'warning', 'k8s/base/api.yaml', 6, 13)],
  },
  {
    name: 'kustomize: an overlay patching replicas to 1 fixes its base (the base is not a unit of its own)',
    repo: {
      files: {
        ...kustomizeBase(3, false),
        'k8s/overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\npatches:\n  - path: replicas.yaml\n',
        'k8s/overlays/prod/replicas.yaml': deploymentPatch(1),
      },
    },
    expect: [],
  },
  {
    name: 'kustomize: an overlay `$patch: delete` of the HPA removes it',
    repo: {
      files: {
        ...kustomizeBase(1, true),
        'k8s/overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\npatches:\n  - path: no-hpa.yaml\n',
        'k8s/overlays/prod/no-hpa.yaml':
          '$patch: delete\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\n',
      },
    },
    expect: [],
  },
  {
    name: 'kustomize: alternative overlays are separate units; only the overlay adding an HPA is reported',
    repo: {
      files: {
        ...kustomizeBase(1, false),
        'k8s/overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\n  - hpa.yaml\n',
        'k8s/overlays/prod/hpa.yaml': hpa(6),
        'k8s/overlays/dev/kustomization.yaml': 'resources:\n  - ../../base\n',
      },
    },
    expect: [at(R, 'warning', 'k8s/overlays/prod/hpa.yaml', 4, 9)],
  },
  {
    name: 'kustomize: an overlay patching replicas to 4 is an error at the patch (the patch file is reached)',
    repo: {
      files: {
        ...kustomizeBase(1, false),
        'k8s/overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\npatches:\n  - path: replicas.yaml\n',
        'k8s/overlays/prod/replicas.yaml': deploymentPatch(4),
      },
    },
    expect: [
      at(R, 'warning', 'k8s/overlays/prod/replicas.yaml', 6, 13, {
        message: /^Deployment "api" runs 4 replicas but mounts PVC "uploads"/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'kustomize: an inline `$patch: delete` of the HPA removes it',
    repo: {
      files: {
        ...kustomizeBase(1, true),
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'patches:',
          '  - patch: |-',
          '      $patch: delete',
          '      apiVersion: autoscaling/v2',
          '      kind: HorizontalPodAutoscaler',
          '      metadata:',
          '        name: api',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  {
    name: 'kustomize: an inline replicas patch to 4 is reported at the patch entry',
    repo: {
      files: {
        ...kustomizeBase(1, false),
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'patches:',
          '  - patch: |-',
          '      apiVersion: apps/v1',
          '      kind: Deployment',
          '      metadata:',
          '        name: api',
          '      spec:',
          '        replicas: 4',
          '',
        ].join('\n'),
      },
    },
    expect: [at(R, 'warning', 'k8s/overlays/prod/kustomization.yaml', 4, 5, { reachable: true })],
  },
  {
    name: 'kustomize: `replicas: [{name: api, count: 1}]` in an overlay fixes its base',
    repo: {
      files: {
        ...kustomizeBase(3, false),
        'k8s/overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\nreplicas:\n  - name: api\n    count: 1\n',
      },
    },
    expect: [],
  },
  {
    name: 'kustomize: `replicas: [{name: api, count: 3}]` in an overlay is reported at the count',
    repo: {
      files: {
        ...kustomizeBase(1, false),
        'k8s/overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\nreplicas:\n  - name: api\n    count: 3\n',
      },
    },
    expect: [at(R, 'warning', 'k8s/overlays/prod/kustomization.yaml', 5, 12, { reachable: true })],
  },
  {
    name: 'a ReplicaSet counts too; every access mode of the claim is named',
    repo: kustomized({
      'k8s/app.yaml': stream(pvc('ReadWriteOnce, ReadWriteOncePod'), workload('ReplicaSet', 2)),
    }),
    expect: [
      at(R, 'warning', 'k8s/app.yaml', 16, 13, {
        message:
          /^ReplicaSet "api" runs 2 replicas but mounts PVC "uploads" \(ReadWriteOnce, ReadWriteOncePod\): only pods/,
        related: [DECLARED],
      }),
    ],
  },
  {
    name: 'condition "the autoscaler targets this workload": an HPA of a StatefulSet of the same name, and an HPA without maxReplicas, report nothing',
    repo: kustomized({
      'k8s/app.yaml': stream(
        pvc('ReadWriteOnce'),
        workload('Deployment', 1),
        hpa(5, 'api', 'StatefulSet'),
        hpa(undefined),
      ),
    }),
    expect: [],
  },
  {
    name: 'condition "same namespace": a PVC and workload in two different namespaces are not the same claim',
    repo: kustomized({
      'k8s/app.yaml': stream(
        inNs(pvc('ReadWriteOnce'), 'a'),
        inNs(workload('Deployment', 3), 'b'),
        inNs(hpa(5), 'b'),
      ),
    }),
    expect: [],
  },
  {
    name: 'condition "same namespace": in one namespace they are; an HPA of another namespace is not',
    repo: kustomized({
      'k8s/app.yaml': stream(
        inNs(pvc('ReadWriteOnce'), 'a'),
        inNs(workload('Deployment', 3), 'a'),
        inNs(hpa(5), 'a'),
        inNs(hpa(5), 'b'),
      ),
    }),
    expect: [
      at(R, 'warning', 'k8s/app.yaml', 18, 13, { related: [DECLARED] }),
      at(R, 'warning', 'k8s/app.yaml', 35, 9, {
        message: /^HorizontalPodAutoscaler "api" may scale Deployment "api" to 5 replicas/,
        related: [DECLARED],
      }),
    ],
  },
]);
