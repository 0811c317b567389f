// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Helm templates hold `{{ }}` and Dockerfiles `$PORT`.
import rule from '../../src/rules/port-mismatch.js';
import { at, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'port-mismatch';
const U = 'unresolved-value';

/** gunicorn bound to `bind` (line 3). */
const dockerfile = (bind = '0.0.0.0:8000') =>
  `FROM python:3.12-slim\nCOPY . /app\nCMD ["gunicorn", "--bind", "${bind}", "app:app"]\n`;
const config = 'images:\n  ghcr.io/acme/app:\n    context: .\n    dockerfile: Dockerfile\n';
const chartYaml = 'apiVersion: v2\nname: app\nversion: 0.1.0\nappVersion: "1.0"\n';
/** `service.port` on line 6; the liveness probe names the `http` port (line 10). */
const values = (repository = 'ghcr.io/acme/app', extra = '') =>
  [
    'image:',
    `  repository: ${repository}`,
    '  tag: ""',
    'service:',
    '  type: ClusterIP',
    '  port: 80',
    'livenessProbe:',
    '  httpGet:',
    '    path: /',
    '    port: http',
    extra,
  ].join('\n');

/**
 * The scaffold's Deployment: containerPort `{{ .Values.service.port }}` named http on line 14 (column 30), the
 * liveness probe from values (`livenessProbe:` on line 17, column 11). `ports` replaces the ports block,
 * `container` adds lines to the container.
 */
const deployment = (opts: { ports?: string[]; container?: string[]; probe?: boolean } = {}) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ include "app.fullname" . }}',
    'spec:',
    '  {{- if not .Values.autoscaling.enabled }}',
    '  replicas: {{ .Values.replicaCount }}',
    '  {{- end }}',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: {{ .Chart.Name }}',
    '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"',
    ...(opts.ports ?? [
      '          ports:',
      '            - name: http',
      '              containerPort: {{ .Values.service.port }}',
      '              protocol: TCP',
    ]),
    ...(opts.probe === false
      ? []
      : [
          '          {{- with .Values.livenessProbe }}',
          '          livenessProbe:',
          '            {{- toYaml . | nindent 12 }}',
          '          {{- end }}',
        ]),
    ...(opts.container ?? []),
    '',
  ].join('\n');
/** targetPort `http` on line 9. */
const service = [
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: {{ include "app.fullname" . }}',
  'spec:',
  '  type: {{ .Values.service.type }}',
  '  ports:',
  '    - port: {{ .Values.service.port }}',
  '      targetPort: http',
  '      name: http',
  '',
].join('\n');

function chart(
  files: { dockerfile?: string; values?: string; deployment?: string; service?: string | null } = {},
  more: Record<string, string> = {},
): RuleCase['repo'] {
  return {
    files: {
      Dockerfile: files.dockerfile ?? dockerfile(),
      'crossdock.yaml': config,
      'chart/app/Chart.yaml': chartYaml,
      'chart/app/values.yaml': files.values ?? values(),
      'chart/app/templates/deployment.yaml': files.deployment ?? deployment(),
      ...(files.service === null ? {} : { 'chart/app/templates/service.yaml': files.service ?? service }),
      ...more,
    },
  };
}

const SCAFFOLD_RELATED = [
  'chart/app/templates/deployment.yaml:16 used as the containerPort here',
  'chart/app/templates/deployment.yaml:19 used as the liveness probe port here',
  'chart/app/templates/service.yaml:9 used as the Service targetPort here',
];

ruleTest(rule, [
  {
    name: 'the scaffold chart: service.port (80) is the containerPort the probe and the Service name, gunicorn binds 8000: one error at the values key, every template use related',
    repo: chart(),
    expect: [
      at(R, 'error', 'chart/app/values.yaml', 6, 9, {
        message:
          /^`service\.port: 80` in chart\/app\/values\.yaml is the containerPort, the liveness probe port and the Service targetPort of the Deployment in chart chart\/app, but the container listens on 8000 \(`0\.0\.0\.0:8000` in the image's CMD\/ENTRYPOINT\): the probe fails and the container is restarted or never ready$/,
        related: SCAFFOLD_RELATED,
        reachable: true,
      }),
    ],
  },
  {
    name: 'condition "the port differs": gunicorn binds the values port',
    repo: chart({ dockerfile: dockerfile('0.0.0.0:80') }),
    expect: [],
  },
  {
    name: 'condition "a chart": the same template outside a chart (no Chart.yaml) is not read',
    repo: {
      files: {
        Dockerfile: dockerfile(),
        'crossdock.yaml': config,
        'deploy/values.yaml': values(),
        'deploy/templates/deployment.yaml': deployment(),
      },
    },
    expect: [],
  },
  {
    name: 'condition "the image is built here": a chart deploying an image no build produces',
    repo: chart({ values: values('ghcr.io/other/thing') }),
    expect: [],
  },
  {
    name: 'condition "routed": a containerPort no probe or Service names only documents the port (info)',
    repo: chart({ deployment: deployment({ probe: false }), service: null }),
    expect: [
      at(R, 'info', 'chart/app/values.yaml', 6, 9, {
        message:
          /is the containerPort of the Deployment in chart chart\/app, .*: traffic to it reaches nothing$/,
        related: ['chart/app/templates/deployment.yaml:16 used as the containerPort here'],
      }),
    ],
  },
  {
    name: 'condition "rendered whatever the values say": a containerPort inside an `if` block is not read',
    repo: chart({
      deployment: deployment({
        probe: false,
        ports: [
          '          {{- if .Values.http.enabled }}',
          '          ports:',
          '            - name: http',
          '              containerPort: {{ .Values.service.port }}',
          '          {{- end }}',
        ],
      }),
      service: null,
    }),
    expect: [],
  },
  {
    name: 'numbers written in the template: each is its own fact (the containerPort documents, the probe fails)',
    repo: chart({
      deployment: deployment({
        probe: false,
        ports: ['          ports:', '            - containerPort: 80'],
        container: ['          readinessProbe:', '            tcpSocket:', '              port: 80'],
      }),
      service: null,
    }),
    expect: [
      at(R, 'info', 'chart/app/templates/deployment.yaml', 15, 30, {
        message:
          /^port 80 is the containerPort of the Deployment in chart chart\/app, .*: traffic to it reaches nothing$/,
        related: [],
        reachable: true,
      }),
      at(R, 'error', 'chart/app/templates/deployment.yaml', 18, 21, {
        message: /^port 80 is the readiness probe port of the Deployment/,
      }),
    ],
  },
  {
    name: 'condition "the values default is what installs use": another values file sets service.port too (a note)',
    repo: chart({}, { 'deploy/values-prod.yaml': 'service:\n  port: 8000\n' }),
    only: [R, U],
    expect: [
      at(U, 'info', 'chart/app/values.yaml', 6, 9, {
        message:
          /service\.port is set in deploy\/values-prod\.yaml too, so the port an install uses is not known/,
      }),
    ],
  },
  {
    name: 'condition "no --set": a workflow installing the chart with --set service.port=8000 (a note)',
    repo: chart(
      {},
      {
        '.github/workflows/deploy.yml':
          'on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: helm upgrade --install app chart/app --set image.tag=1,service.port=8000\n',
      },
    ),
    only: [R, U],
    expect: [
      at(U, 'info', 'chart/app/values.yaml', 6, 9, {
        message: /service\.port is set in .*deploy\.yml \(--set\) too/,
      }),
    ],
  },
  {
    name: 'condition "the image\'s own command runs": a template that sets args (a note)',
    repo: chart({ deployment: deployment({ container: ['          args: ["--bind", "0.0.0.0:80"]'] }) }),
    only: [R, U],
    expect: [
      at(U, 'info', 'chart/app/templates/deployment.yaml', 1, 1, {
        message: /chart\/app\/templates\/deployment\.yaml sets the container's command or args/,
      }),
    ],
  },
  {
    name: 'condition "the environment is known": a template with env, and a server that reads $PORT (a note)',
    repo: chart({
      dockerfile:
        'FROM python:3.12-slim\nENV PORT=8000\nCMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:$PORT app:app"]\n',
      deployment: deployment({
        container: ['          env:', '            - name: PORT', '              value: "80"'],
      }),
    }),
    only: [R, U],
    expect: [
      at(U, 'info', 'chart/app/templates/deployment.yaml', 1, 1, {
        message:
          /the port in the image's CMD\/ENTRYPOINT is set at run time; not checked: the port the Deployment of chart chart\/app is served on/,
      }),
    ],
  },
  {
    name: 'the same server reading $PORT, and a template without env: ENV PORT=8000 is what runs',
    repo: chart({
      dockerfile:
        'FROM python:3.12-slim\nENV PORT=8000\nCMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:$PORT app:app"]\n',
    }),
    expect: [at(R, 'error', 'chart/app/values.yaml', 6, 9, { related: SCAFFOLD_RELATED })],
  },
  {
    name: 'condition "one workload in the chart": with a second workload template the Service is not linked',
    repo: chart(
      { deployment: deployment({ probe: false }) },
      {
        'chart/app/templates/worker.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: w\n          image: "{{ .Values.worker.repository }}"\n',
      },
    ),
    expect: [
      at(R, 'info', 'chart/app/values.yaml', 6, 9, {
        related: ['chart/app/templates/deployment.yaml:16 used as the containerPort here'],
      }),
    ],
  },
]);
