import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/privileged-workload.js';
import { checkRepo } from '../helpers/check.js';

const daemonSet = [
  'apiVersion: apps/v1',
  'kind: DaemonSet',
  'metadata:',
  '  name: node-agent',
  'spec:',
  '  template:',
  '    spec:',
  '      hostNetwork: true',
  '      hostPID: true',
  '      containers:',
  '        - name: agent',
  '          image: registry.example.com/team/agent:1.2.0',
  '          securityContext:',
  '            privileged: true',
  '        - name: shipper',
  '          image: registry.example.com/team/shipper:1.2.0',
  '          securityContext:',
  '            allowPrivilegeEscalation: true',
  '        - name: exporter',
  '          image: registry.example.com/team/exporter:1.2.0',
  '        - name: reader',
  '          image: registry.example.com/team/reader:1.2.0',
  '          securityContext:',
  '            allowPrivilegeEscalation: false',
  '',
].join('\n');

const show = (findings: { line: number; column: number; severity: string }[]) =>
  findings.map((f) => `${f.line}:${f.column} ${f.severity}`);

test('privileged, allowPrivilegeEscalation, its absence and host namespaces each get their message', async () => {
  const findings = await checkRepo({ files: { 'k8s/agent.yaml': daemonSet } }, [rule]);
  assert.deepEqual(show(findings), [
    '8:20 warning',
    '9:16 warning',
    '14:25 warning',
    '18:39 warning',
    '20:18 info',
  ]);
  assert.deepEqual(
    findings.map((f) => f.message),
    [
      'DaemonSet "node-agent" shares the node\'s network namespace (hostNetwork: true)',
      'DaemonSet "node-agent" shares the node\'s process namespace (hostPID: true)',
      'DaemonSet "node-agent": container "agent" runs privileged (full access to the node)',
      'DaemonSet "node-agent": container "shipper" sets allowPrivilegeEscalation: true',
      'DaemonSet "node-agent": container "exporter" does not set allowPrivilegeEscalation: false (the default allows setuid binaries to gain privileges)',
    ],
  );
  assert.ok(findings.every((f) => f.file === 'k8s/agent.yaml'));
});

test('a comment above or after the setting explains it: info instead of warning', async () => {
  const explained = daemonSet
    .replace('      hostNetwork: true', '      hostNetwork: true  # the CNI agent binds node ports')
    .replace(
      '            privileged: true',
      '            # eBPF probes load programs into the host kernel\n            privileged: true',
    );
  const findings = await checkRepo({ files: { 'k8s/agent.yaml': explained } }, [rule]);
  assert.deepEqual(show(findings), [
    '8:20 info',
    '9:16 warning',
    '15:25 info',
    '19:39 warning',
    '21:18 info',
  ]);
  assert.match(findings[2]?.message ?? '', /container "agent" runs privileged/);
});

test('a justification annotation on the pod template explains every setting of the workload', async () => {
  const annotated = daemonSet.replace(
    '  template:\n',
    '  template:\n    metadata:\n      annotations:\n        security.example.com/justification: "node monitoring agent"\n',
  );
  const findings = await checkRepo({ files: { 'k8s/agent.yaml': annotated } }, [rule]);
  assert.deepEqual(show(findings), ['11:20 info', '12:16 info', '17:25 info', '21:39 info', '23:18 info']);
});

test('a Namespace enforcing the privileged Pod Security level is reported at the label value', async () => {
  const namespaces = [
    'apiVersion: v1',
    'kind: Namespace',
    'metadata:',
    '  name: monitoring',
    '  labels:',
    '    pod-security.kubernetes.io/enforce: privileged',
    '---',
    'apiVersion: v1',
    'kind: Namespace',
    'metadata:',
    '  name: apps',
    '  labels:',
    '    pod-security.kubernetes.io/enforce: restricted',
    '    pod-security.kubernetes.io/warn: privileged',
    '',
  ].join('\n');
  const findings = await checkRepo({ files: { 'k8s/namespaces.yaml': namespaces } }, [rule]);
  assert.deepEqual(show(findings), ['6:41 warning']);
  assert.equal(
    findings[0]?.message,
    'Namespace "monitoring" enforces the `privileged` Pod Security level: nothing stops privileged pods there',
  );
  const reasoned = namespaces.replace(
    '  labels:\n',
    '  annotations:\n    platform.example.com/reason: "node exporters"\n  labels:\n',
  );
  assert.deepEqual(show(await checkRepo({ files: { 'k8s/namespaces.yaml': reasoned } }, [rule])), [
    '8:41 info',
  ]);
});

test('compose: privileged services are reported; escalation is a Kubernetes setting and is not', async () => {
  const compose = [
    'services:',
    '  dind:',
    '    image: docker:27-dind',
    '    privileged: true',
    '  api:',
    '    build: ./api',
    '    ports:',
    '      - "5000:5000"',
    '',
  ].join('\n');
  const findings = await checkRepo(
    {
      files: {
        'compose.yaml': compose,
        'api/Dockerfile': 'FROM python:3.12-slim\nEXPOSE 5000\nUSER 10001\n',
      },
    },
    [rule],
  );
  assert.deepEqual(show(findings), ['4:17 warning']);
  assert.equal(
    findings[0]?.message,
    'compose service "dind": container "dind" runs privileged (full access to the node)',
  );
});

test('a locked-down workload reports nothing', async () => {
  const locked = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  template:',
    '    spec:',
    '      hostNetwork: false',
    '      containers:',
    '        - name: api',
    '          image: registry.example.com:5000/team/api:1.0',
    '          securityContext:',
    '            privileged: false',
    '            allowPrivilegeEscalation: false',
    '            runAsNonRoot: true',
    '',
  ].join('\n');
  assert.deepEqual(await checkRepo({ files: { 'k8s/api.yaml': locked } }, [rule]), []);
});
