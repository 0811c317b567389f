// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose fixtures hold `${VAR}` text literally.
import rule from '../../src/rules/privileged-workload.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const R = 'privileged-workload';

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

/** `k8s/<name>` applied by a kustomization (reached). */
const applied = (name: string, yaml: string) => ({
  files: { [`k8s/${name}`]: yaml, 'k8s/kustomization.yaml': `resources:\n  - ${name}\n` },
});

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

ruleTest(rule, [
  {
    name: 'privileged, allowPrivilegeEscalation, its absence and host namespaces each get their message',
    repo: applied('agent.yaml', daemonSet),
    expect: [
      at(R, 'warning', 'k8s/agent.yaml', 8, 20, {
        message: /^DaemonSet "node-agent" shares the node's network namespace \(hostNetwork: true\)$/,
        reachable: true,
        sites: [],
        related: [],
      }),
      at(R, 'warning', 'k8s/agent.yaml', 9, 16, {
        message: /^DaemonSet "node-agent" shares the node's process namespace \(hostPID: true\)$/,
      }),
      at(R, 'warning', 'k8s/agent.yaml', 14, 25, {
        message: /^DaemonSet "node-agent": container "agent" runs privileged \(full access to the node\)$/,
      }),
      at(R, 'warning', 'k8s/agent.yaml', 18, 39, {
        message: /^DaemonSet "node-agent": container "shipper" sets allowPrivilegeEscalation: true$/,
      }),
      // The container that sets allowPrivilegeEscalation: false (reader, line 22) is not reported.
      at(R, 'info', 'k8s/agent.yaml', 20, 18, {
        message:
          /^DaemonSet "node-agent": container "exporter" does not set allowPrivilegeEscalation: false \(the default allows setuid binaries to gain privileges\)$/,
      }),
    ],
  },
  {
    name: 'a manifest nothing applies is unreached (the warnings stay warnings, reachable: false)',
    repo: { files: { 'k8s/agent.yaml': daemonSet } },
    expect: [
      at(R, 'warning', 'k8s/agent.yaml', 8, 20, { reachable: false }),
      at(R, 'warning', 'k8s/agent.yaml', 9, 16),
      at(R, 'warning', 'k8s/agent.yaml', 14, 25),
      at(R, 'warning', 'k8s/agent.yaml', 18, 39),
      at(R, 'info', 'k8s/agent.yaml', 20, 18),
    ],
  },
  // Condition: the setting is explained (a comment near it, or a justification annotation).
  {
    name: 'a comment above or after the setting explains it: info instead of warning',
    repo: applied(
      'agent.yaml',
      daemonSet
        .replace('      hostNetwork: true', '      hostNetwork: true  # the CNI agent binds node ports')
        .replace(
          '            privileged: true',
          '            # eBPF probes load programs into the host kernel\n            privileged: true',
        ),
    ),
    expect: [
      at(R, 'warning', 'k8s/agent.yaml', 9, 16),
      at(R, 'warning', 'k8s/agent.yaml', 19, 39),
      at(R, 'info', 'k8s/agent.yaml', 8, 20),
      at(R, 'info', 'k8s/agent.yaml', 15, 25, { message: /container "agent" runs privileged/ }),
      at(R, 'info', 'k8s/agent.yaml', 21, 18),
    ],
  },
  {
    name: 'a justification annotation on the pod template explains every setting of the workload',
    repo: applied(
      'agent.yaml',
      daemonSet.replace(
        '  template:\n',
        '  template:\n    metadata:\n      annotations:\n        security.example.com/justification: "node monitoring agent"\n',
      ),
    ),
    expect: [
      at(R, 'info', 'k8s/agent.yaml', 11, 20),
      at(R, 'info', 'k8s/agent.yaml', 12, 16),
      at(R, 'info', 'k8s/agent.yaml', 17, 25),
      at(R, 'info', 'k8s/agent.yaml', 21, 39),
      at(R, 'info', 'k8s/agent.yaml', 23, 18),
    ],
  },
  {
    name: 'an annotation that is not a justification explains nothing',
    repo: applied(
      'agent.yaml',
      daemonSet.replace(
        '  template:\n',
        '  template:\n    metadata:\n      annotations:\n        prometheus.io/scrape: "true"\n',
      ),
    ),
    expect: [
      at(R, 'warning', 'k8s/agent.yaml', 11, 20),
      at(R, 'warning', 'k8s/agent.yaml', 12, 16),
      at(R, 'warning', 'k8s/agent.yaml', 17, 25),
      at(R, 'warning', 'k8s/agent.yaml', 21, 39),
      at(R, 'info', 'k8s/agent.yaml', 23, 18),
    ],
  },
  // Condition: the settings are on.
  {
    name: 'a locked-down workload reports nothing',
    repo: applied('api.yaml', locked),
    expect: [],
  },
  {
    name: 'hostIPC is a host namespace too; a pod-level allowPrivilegeEscalation is ignored by Kubernetes',
    repo: applied(
      'pod.yaml',
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: debug',
        'spec:',
        '  hostIPC: true',
        '  securityContext:',
        '    allowPrivilegeEscalation: true',
        '  containers:',
        '    - name: shell',
        '      image: busybox:1.36',
        '      securityContext:',
        '        allowPrivilegeEscalation: false',
        '',
      ].join('\n'),
    ),
    expect: [
      at(R, 'warning', 'k8s/pod.yaml', 6, 12, {
        message: /^Pod "debug" shares the node's IPC namespace \(hostIPC: true\)$/,
      }),
    ],
  },
  // Namespaces.
  {
    name: 'a Namespace enforcing the privileged Pod Security level is reported at the label value; warn: privileged is not enforcement',
    repo: { files: { 'k8s/namespaces.yaml': namespaces } },
    expect: [
      at(R, 'warning', 'k8s/namespaces.yaml', 6, 41, {
        message:
          /^Namespace "monitoring" enforces the `privileged` Pod Security level: nothing stops privileged pods there$/,
      }),
    ],
  },
  {
    name: 'a reason annotation on the Namespace explains it',
    repo: {
      files: {
        'k8s/namespaces.yaml': namespaces.replace(
          '  labels:\n',
          '  annotations:\n    platform.example.com/reason: "node exporters"\n  labels:\n',
        ),
      },
    },
    expect: [at(R, 'info', 'k8s/namespaces.yaml', 8, 41)],
  },
  {
    name: 'a Namespace applied by a Makefile is reached',
    repo: { files: { 'k8s/namespaces.yaml': namespaces, Makefile: 'deploy:\n\tkubectl apply -f k8s\n' } },
    expect: [at(R, 'warning', 'k8s/namespaces.yaml', 6, 41, { reachable: true })],
  },
  {
    name: 'a Namespace a kustomization includes is reached',
    repo: {
      files: {
        'k8s/base/namespaces.yaml': namespaces,
        'k8s/base/kustomization.yaml': 'resources:\n  - namespaces.yaml\n',
        'k8s/overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\n',
      },
    },
    expect: [at(R, 'warning', 'k8s/base/namespaces.yaml', 6, 41, { reachable: true })],
  },
  // Compose.
  {
    name: 'compose: privileged services are reported; escalation is a Kubernetes setting and is not',
    repo: {
      files: {
        'compose.yaml': compose,
        'api/Dockerfile': 'FROM python:3.12-slim\nEXPOSE 5000\nUSER 10001\n',
      },
    },
    expect: [
      at(R, 'warning', 'compose.yaml', 4, 17, {
        message: /^compose service "dind": container "dind" runs privileged \(full access to the node\)$/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'compose: a comment above `privileged: true` explains it',
    repo: {
      files: {
        'compose.yaml': compose.replace(
          '    privileged: true',
          '    # docker-in-docker needs it\n    privileged: true',
        ),
      },
    },
    expect: [at(R, 'info', 'compose.yaml', 5, 17)],
  },
  {
    name: 'compose: `privileged:` from a variable with no value known is not judged',
    repo: {
      files: {
        'compose.yaml': 'services:\n  dind:\n    image: docker:27-dind\n    privileged: ${DIND_PRIVILEGED}\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "a reason annotation": rationale and why in any case explain; a key that only contains reason does not',
    repo: applied(
      'pods.yaml',
      ['Rationale', 'why', 'reason-code']
        .map((key, i) =>
          [
            'apiVersion: v1',
            'kind: Pod',
            'metadata:',
            `  name: p${i}`,
            '  annotations:',
            `    example.com/${key}: "node agent"`,
            'spec:',
            '  hostPID: true',
            '  containers:',
            '    - name: c',
            '      image: busybox:1.36',
            '      securityContext:',
            '        allowPrivilegeEscalation: false',
            '',
          ].join('\n'),
        )
        .join('---\n'),
    ),
    expect: [
      at(R, 'info', 'k8s/pods.yaml', 8, 12),
      at(R, 'info', 'k8s/pods.yaml', 22, 12),
      at(R, 'warning', 'k8s/pods.yaml', 36, 12, { message: /^Pod "p2" shares the node's process namespace/ }),
    ],
  },
  {
    name: 'condition "an image": a container without an image is not reported for allowPrivilegeEscalation',
    repo: applied(
      'pod.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  containers:\n    - name: shell\n',
    ),
    only: [R, 'internal-error'],
    expect: [],
  },
  {
    name: 'condition "explained": a comment near the enforce label explains it; an annotation that is not a reason does not; a Namespace without labels is fine',
    repo: {
      files: {
        'k8s/namespaces.yaml': [
          'apiVersion: v1',
          'kind: Namespace',
          'metadata:',
          '  name: monitoring',
          '  labels:',
          '    # node exporters need host access',
          '    pod-security.kubernetes.io/enforce: privileged',
          '---',
          'apiVersion: v1',
          'kind: Namespace',
          'metadata:',
          '  name: tools',
          '  annotations:',
          '    owner: platform',
          '  labels:',
          '    pod-security.kubernetes.io/enforce: privileged',
          '---',
          'apiVersion: v1',
          'kind: Namespace',
          'metadata:',
          '  name: apps',
          '',
        ].join('\n'),
      },
    },
    only: [R, 'internal-error'],
    expect: [
      at(R, 'info', 'k8s/namespaces.yaml', 7, 41),
      at(R, 'warning', 'k8s/namespaces.yaml', 16, 41, { message: /^Namespace "tools" enforces/ }),
    ],
  },
]);
