// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose fixtures hold `${VAR}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import {
  contractsFromManifests,
  contractsFromRepository,
  probeDeadlineSeconds,
  startupWindowSeconds,
} from '../../src/smoke/contract.js';
import type { SmokeContract, SmokeProbe } from '../../src/smoke/types.js';
import { loadRepo } from '../helpers/check.js';

/** 1-based line of the only line of `text` holding `needle` (fails when none or several do). */
function lineOf(text: string, needle: string): number {
  const lines = text.split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  assert.equal(hits.length, 1, `"${needle}" is on lines ${hits.join(', ')}`);
  return hits[0] as number;
}

function byName(contracts: SmokeContract[], name: string): SmokeContract {
  const c = contracts.find((k) => k.name === name);
  assert.ok(c, `no contract ${name} among ${contracts.map((k) => k.name).join(', ')}`);
  return c;
}

const CONFIG = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: web-config',
  'data:',
  '  LOG_LEVEL: debug',
  '  MODE: from-envfrom',
  '  MODE_KEY: from-key',
].join('\n');

const DEPLOY = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  'spec:',
  '  template:',
  '    metadata:',
  '      labels:',
  '        app: web',
  '        tier: front',
  '    spec:',
  '      terminationGracePeriodSeconds: 45',
  '      securityContext:',
  '        runAsUser: 1000',
  '        runAsGroup: 3000',
  '        runAsNonRoot: true',
  '      containers:',
  '        - name: web',
  '          image: registry.example.com/team/web:1.0',
  '          command: ["/app/server"]',
  '          args: ["--port", "$(PORT)", "--token", "$(API_TOKEN)", "$$(PORT)"]',
  '          workingDir: /srv',
  '          securityContext:',
  '            runAsUser: 2000',
  '          envFrom:',
  '            - configMapRef:',
  '                name: web-config',
  '            - secretRef:',
  '                name: web-secrets',
  '          env:',
  '            - name: PORT',
  '              value: "8080"',
  '            - name: API_TOKEN',
  '              valueFrom:',
  '                secretKeyRef:',
  '                  name: api',
  '                  key: token',
  '            - name: MODE',
  '              valueFrom:',
  '                configMapKeyRef:',
  '                  name: web-config',
  '                  key: MODE_KEY',
  '            - name: URL',
  '              value: http://localhost:$(PORT)/',
  '            - name: DB_HOST',
  '              valueFrom:',
  '                configMapKeyRef:',
  '                  name: db-config',
  '                  key: host',
  '          ports:',
  '            - name: http',
  '              containerPort: 8080',
  '            - name: metrics',
  '              containerPort: 9090',
  '          readinessProbe:',
  '            httpGet:',
  '              path: /ready',
  '              port: http',
  '              scheme: HTTPS',
  '              httpHeaders:',
  '                - name: X-Probe',
  '                  value: "1"',
  '            initialDelaySeconds: 5',
  '            periodSeconds: 4',
  '            failureThreshold: 6',
  '          livenessProbe:',
  '            tcpSocket:',
  '              port: metrics',
  '          startupProbe:',
  '            exec:',
  '              command: ["cat", "/tmp/ready"]',
  '            periodSeconds: 2',
  '            failureThreshold: 30',
].join('\n');

const SERVICES = [
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: web',
  'spec:',
  '  selector:',
  '    app: web',
  '  ports:',
  '    - port: 80',
  '      targetPort: http',
  '    - port: 7000',
  '    - port: 443',
  '      targetPort: secure',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: other',
  'spec:',
  '  selector:',
  '    app: other',
  '  ports:',
  '    - port: 81',
  '      targetPort: 8181',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: web-elsewhere',
  '  namespace: staging',
  'spec:',
  '  selector:',
  '    app: web',
  '  ports:',
  '    - port: 82',
  '      targetPort: 8282',
].join('\n');

const LIST = [
  'apiVersion: v1',
  'kind: List',
  'items:',
  '  - apiVersion: apps/v1',
  '    kind: StatefulSet',
  '    metadata:',
  '      name: db',
  '    spec:',
  '      template:',
  '        metadata:',
  '          labels:',
  '            app: db',
  '        spec:',
  '          containers:',
  '            - name: db',
  '              image: registry.example.com/team/db:1',
  '              ports:',
  '                - containerPort: 5432',
  '              livenessProbe:',
  '                grpc:',
  '                  port: 5432',
  '                  service: health',
  '              readinessProbe:',
  '                httpGet:',
  '                  path: /admin',
  '                  port: admin',
  '  - apiVersion: batch/v1',
  '    kind: CronJob',
  '    metadata:',
  '      name: nightly',
  '    spec:',
  '      schedule: "0 3 * * *"',
  '      jobTemplate:',
  '        spec:',
  '          template:',
  '            spec:',
  '              restartPolicy: Never',
  '              initContainers:',
  '                - name: migrate',
  '                  image: registry.example.com/team/migrate:1',
  '              containers:',
  '                - name: report',
  '                  image: registry.example.com/team/report:1',
  '                  args: ["--since", "24h"]',
].join('\n');

const files = [
  { path: 'deploy/config.yaml', text: CONFIG },
  { path: 'deploy/web.yaml', text: DEPLOY },
  { path: 'deploy/services.yaml', text: SERVICES },
  { path: 'deploy/list.yaml', text: LIST },
];

test('a Deployment: command, args with $(VAR), env, envFrom, user, workingDir, ports, probes, grace', () => {
  const { contracts, notes } = contractsFromManifests(files);
  assert.deepEqual(
    contracts.map((c) => [c.name, c.lifecycle, c.expectExit]),
    [
      ['Deployment/web', 'long-running', undefined],
      ['StatefulSet/db', 'long-running', undefined],
      ['CronJob/nightly', 'batch', 0],
      ['CronJob/nightly (init container migrate)', 'batch', 0],
    ],
  );
  const web = byName(contracts, 'Deployment/web');
  assert.equal(web.image, 'registry.example.com/team/web:1.0');
  assert.equal(web.origin, 'kubernetes');
  assert.deepEqual(web.entrypoint, ['/app/server']);
  // $(PORT) expands; a secret's $(API_TOKEN) stays as written; $$(PORT) is the literal text $(PORT).
  assert.deepEqual(web.cmd, ['--port', '8080', '--token', '$(API_TOKEN)', '$(PORT)']);
  // envFrom brings every key of the ConfigMap; the env entry MODE (a key of it) then replaces MODE.
  assert.deepEqual(web.env, {
    LOG_LEVEL: 'debug',
    MODE: 'from-key',
    MODE_KEY: 'from-key',
    PORT: '8080',
    URL: 'http://localhost:8080/',
  });
  assert.deepEqual(
    web.envNotProvided.map((n) => [n.name, n.what, `${n.source.file}:${n.source.line}`]),
    [
      [undefined, 'envFrom secretRef web-secrets', `deploy/web.yaml:${lineOf(DEPLOY, '- secretRef:')}`],
      ['API_TOKEN', 'secretKeyRef api/token', `deploy/web.yaml:${lineOf(DEPLOY, 'secretKeyRef:')}`],
      [
        'DB_HOST',
        'configMapKeyRef db-config/host, not defined in the files read',
        `deploy/web.yaml:${lineOf(DEPLOY, 'name: db-config') - 1}`,
      ],
    ],
  );
  // Container-level runAsUser wins over the pod's; the pod's runAsGroup and runAsNonRoot stay.
  assert.deepEqual(web.user, { runAsUser: 2000, runAsGroup: 3000, runAsNonRoot: true });
  const userSource = web.sources.find((s) => s.what === 'securityContext.runAsUser');
  assert.equal(userSource?.line, lineOf(DEPLOY, 'runAsUser: 2000'));
  assert.equal(web.workingDir, '/srv');
  assert.equal(web.terminationGracePeriodSeconds, 45);
  // containerPorts, then the Service's targetPorts: `http` is 8080 (already there), 7000 (the port itself,
  // numeric, the pod's only container). Services of another app or namespace add nothing.
  assert.deepEqual(
    web.ports.map((p) => [p.port, p.source.what, `${p.source.file}:${p.source.line}`]),
    [
      [8080, 'containerPort', `deploy/web.yaml:${lineOf(DEPLOY, 'containerPort: 8080')}`],
      [9090, 'containerPort', `deploy/web.yaml:${lineOf(DEPLOY, 'containerPort: 9090')}`],
      [7000, 'Service web targetPort', `deploy/services.yaml:${lineOf(SERVICES, 'port: 7000')}`],
    ],
  );
  assert.ok(
    web.sources.some(
      (s) => s.what === 'Service web targetPort' && s.line === lineOf(SERVICES, 'targetPort: http'),
    ),
  );
  assert.deepEqual(
    web.probes.map((p) => ({ ...p, source: `${p.source.file}:${p.source.line} ${p.source.what}` })),
    [
      {
        kind: 'liveness',
        action: { type: 'tcp', port: 9090 },
        initialDelaySeconds: 0,
        periodSeconds: 10,
        timeoutSeconds: 1,
        failureThreshold: 3,
        source: `deploy/web.yaml:${lineOf(DEPLOY, 'tcpSocket:')} livenessProbe`,
      },
      {
        kind: 'readiness',
        action: { type: 'http', path: '/ready', port: 8080, scheme: 'HTTPS', headers: { 'X-Probe': '1' } },
        initialDelaySeconds: 5,
        periodSeconds: 4,
        timeoutSeconds: 1,
        failureThreshold: 6,
        source: `deploy/web.yaml:${lineOf(DEPLOY, 'httpGet:')} readinessProbe`,
      },
      {
        kind: 'startup',
        action: { type: 'exec', command: ['cat', '/tmp/ready'] },
        initialDelaySeconds: 0,
        periodSeconds: 2,
        timeoutSeconds: 1,
        failureThreshold: 30,
        source: `deploy/web.yaml:${lineOf(DEPLOY, 'exec:')} startupProbe`,
      },
    ],
  );
  // smoke first looks when kubelet sends its first probe (the liveness probe at 0 + 10 s; at least 10 s), and
  // keeps asking each probe until kubelet would count it as failed: the startup probe after 0 + 2 × 30 s,
  // readiness after 5 + 4 × 6 s.
  assert.equal(startupWindowSeconds(web), 10);
  assert.deepEqual(web.probes.map(probeDeadlineSeconds), [30, 29, 60]);
  assert.ok(
    notes.includes(
      `Deployment/web: args refers to $(API_TOKEN), whose value is not provided: passed as written`,
    ),
    notes.join('\n'),
  );
  assert.ok(
    notes.includes(
      `Deployment/web: Service web targetPort \`secure\` (deploy/services.yaml:${lineOf(SERVICES, 'secure')}) names no containerPort of Deployment/web: it is not checked`,
    ),
    notes.join('\n'),
  );
  // Every source has a file and a 1-based line inside it.
  for (const s of web.sources) assert.ok(s.line && s.line >= 1, `${s.file} ${s.what}`);
});

test('a List: grpc probes, a port name that names nothing, a CronJob and its init container are batch', () => {
  const { contracts, notes } = contractsFromManifests(files);
  const db = byName(contracts, 'StatefulSet/db');
  assert.deepEqual(
    db.probes.map((p) => [p.kind, p.action]),
    [['liveness', { type: 'grpc', port: 5432, service: 'health' }]],
  );
  assert.deepEqual(db.notes, [
    `readinessProbe.httpGet.port \`admin\` (deploy/list.yaml:${lineOf(LIST, 'port: admin')}) names no containerPort of container "db": the probe is not checked`,
  ]);
  assert.ok(notes.includes(`StatefulSet/db: ${db.notes?.[0]}`));
  const report = byName(contracts, 'CronJob/nightly');
  assert.deepEqual(report.cmd, ['--since', '24h']);
  assert.equal(report.entrypoint, undefined);
  assert.equal(report.container, 'report');
  const migrate = byName(contracts, 'CronJob/nightly (init container migrate)');
  assert.equal(migrate.image, 'registry.example.com/team/migrate:1');
  assert.deepEqual(migrate.ports, []);
  // Without probes the window is the minimum.
  assert.equal(startupWindowSeconds(report), 10);
});

test('--manifest with an image: only the containers running its repository', () => {
  const { contracts } = contractsFromManifests(files, {
    image: 'registry.example.com/team/db:2@sha256:' + 'a'.repeat(64),
  });
  assert.deepEqual(
    contracts.map((c) => [c.name, c.image]),
    [['StatefulSet/db', 'registry.example.com/team/db:1']],
  );
  const none = contractsFromManifests(files, { image: 'registry.example.com/team/other:1' });
  assert.deepEqual(none.contracts, []);
  assert.match(
    none.notes.join('\n'),
    /no container in the manifests runs registry\.example\.com\/team\/other:1/,
  );
  const single = contractsFromManifests([{ path: 'x.yaml', text: CONFIG }, files[1] as (typeof files)[0]], {
    image: 'localhost:5000/web:dev',
  });
  assert.deepEqual(
    single.contracts.map((c) => c.name),
    ['Deployment/web'],
  );
  assert.match(single.notes.join('\n'), /the only container's contract is used/);
});

test('envFrom and valueFrom: a ConfigMap in the files resolves; later sources win; optional keys', () => {
  const pod = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: cfg',
    '  namespace: prod',
    'data:',
    '  A: from-map',
    '---',
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: one-shot',
    '  namespace: prod',
    'spec:',
    '  restartPolicy: Never',
    '  containers:',
    '    - name: main',
    '      image: busybox:1.36',
    '      env:',
    '        - name: A',
    '          value: literal-first',
    '        - name: EMPTY',
    '        - name: POD',
    '          valueFrom:',
    '            fieldRef:',
    '              fieldPath: metadata.name',
    '        - name: OPT',
    '          valueFrom:',
    '            configMapKeyRef:',
    '              name: cfg',
    '              key: missing',
    '              optional: true',
    '        - name: REQ',
    '          valueFrom:',
    '            configMapKeyRef:',
    '              name: cfg',
    '              key: missing',
    '      envFrom:',
    '        - prefix: CFG_',
    '          configMapRef:',
    '            name: cfg',
  ].join('\n');
  const { contracts } = contractsFromManifests([{ path: 'pod.yaml', text: pod }]);
  const [c] = contracts;
  assert.ok(c);
  assert.equal(c.name, 'Pod/one-shot');
  // restartPolicy Never: the pod runs to completion.
  assert.equal(c.lifecycle, 'batch');
  // envFrom applies first, then env: A stays the literal; the prefix is applied.
  assert.deepEqual(c.env, { CFG_A: 'from-map', A: 'literal-first', EMPTY: '' });
  assert.deepEqual(
    c.envNotProvided.map((n) => [n.name, n.what]),
    [
      ['POD', 'fieldRef metadata.name (set by the kubelet)'],
      ['REQ', 'configMapKeyRef cfg/missing: ConfigMap cfg has no key missing (the pod does not start)'],
    ],
  );
  assert.deepEqual(c.notes, ['env OPT: ConfigMap cfg has no key missing; optional, so it is unset']);
  // A ConfigMap of another namespace does not resolve.
  const other = contractsFromManifests([
    { path: 'pod.yaml', text: pod.replace('  namespace: prod\ndata', '  namespace: dev\ndata') },
  ]);
  assert.deepEqual(other.contracts[0]?.env, { A: 'literal-first', EMPTY: '' });
  assert.deepEqual(
    other.contracts[0]?.envNotProvided.map((n) => n.what),
    [
      'envFrom configMapRef cfg (prefix CFG_), not defined in the files read',
      'fieldRef metadata.name (set by the kubelet)',
      'configMapKeyRef cfg/missing (optional), not defined in the files read',
      'configMapKeyRef cfg/missing, not defined in the files read',
    ],
  );
});

const COMPOSE = [
  'services:',
  '  api:',
  '    image: registry.example.com/team/api:${TAG:-1.0}',
  '    entrypoint: ["/entry.sh"]',
  '    command: serve --port 8000',
  '    user: "1000:1000"',
  '    working_dir: /app',
  '    restart: "no"',
  '    environment:',
  '      MODE: prod',
  '      TOKEN:',
  '      URL: http://${HOST}/x',
  '    env_file: .env.api',
  '    ports:',
  '      - "8080:8000"',
  '      - target: 8443',
  '        published: 443',
  '    expose:',
  '      - "9000"',
  '    stop_grace_period: 1m30s',
  '    healthcheck:',
  '      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]',
  '      interval: 15s',
  '      timeout: 2500ms',
  '      retries: 4',
  '      start_period: 20s',
  '  worker:',
  '    image: ${REGISTRY}/worker:1',
  '    environment:',
  '      - QUEUE=jobs',
  '      - SHELL_VALUE',
  '    healthcheck:',
  '      interval: 5s',
  '    stop_grace_period: ${GRACE}',
  '  quiet:',
  '    image: registry.example.com/team/quiet:1',
  '    healthcheck:',
  '      disable: true',
].join('\n');

test('a compose file: entrypoint, command, user, env, ports/expose, healthcheck durations, grace', () => {
  const { contracts, notes } = contractsFromManifests([{ path: 'compose.yaml', text: COMPOSE }]);
  const api = byName(contracts, 'compose service api');
  assert.equal(api.origin, 'compose');
  assert.equal(api.image, 'registry.example.com/team/api:1.0');
  // `restart: "no"` does not make a service run to completion.
  assert.equal(api.lifecycle, 'long-running');
  assert.deepEqual(api.entrypoint, ['/entry.sh']);
  assert.deepEqual(api.cmd, ['serve', '--port', '8000']);
  assert.deepEqual(api.user, { composeUser: '1000:1000' });
  assert.equal(api.workingDir, '/app');
  assert.deepEqual(api.env, { MODE: 'prod' });
  assert.deepEqual(
    api.envNotProvided.map((n) => [n.name, n.what, n.source.line]),
    [
      [undefined, 'env_file .env.api', lineOf(COMPOSE, 'env_file')],
      ['TOKEN', 'TOKEN takes its value from the environment compose runs in', lineOf(COMPOSE, 'TOKEN:')],
      [
        'URL',
        '`${HOST}` has no default: its value comes from the environment or .env',
        lineOf(COMPOSE, 'URL:'),
      ],
    ],
  );
  assert.deepEqual(
    api.ports.map((p) => [p.port, p.source.line]),
    [
      [8000, lineOf(COMPOSE, '"8080:8000"')],
      [8443, lineOf(COMPOSE, 'target: 8443')],
      [9000, lineOf(COMPOSE, '"9000"')],
    ],
  );
  assert.equal(api.terminationGracePeriodSeconds, 90);
  assert.deepEqual(
    api.probes.map((p) => ({ ...p, source: `${p.source.file}:${p.source.line}` })),
    [
      {
        kind: 'healthcheck',
        action: { type: 'exec', command: ['curl', '-f', 'http://localhost:8000/health'] },
        initialDelaySeconds: 20,
        periodSeconds: 15,
        timeoutSeconds: 2.5,
        failureThreshold: 4,
        // The healthcheck's map starts at its first key.
        source: `compose.yaml:${lineOf(COMPOSE, 'test: ["CMD"')}`,
      },
    ],
  );
  assert.equal(startupWindowSeconds(api), 20 + 15);
  assert.equal(probeDeadlineSeconds(api.probes[0] as SmokeProbe), 20 + 15 * 4);

  const worker = byName(contracts, 'compose service worker');
  assert.equal(worker.image, '${REGISTRY}/worker:1');
  assert.deepEqual(worker.env, { QUEUE: 'jobs' });
  assert.deepEqual(
    worker.envNotProvided.map((n) => n.name),
    ['SHELL_VALUE'],
  );
  // No test: nothing to run until the image's HEALTHCHECK is known; the interval is kept for the merge.
  assert.deepEqual(worker.probes, []);
  assert.equal(worker.composeHealthcheck?.interval, 5);
  assert.equal(worker.composeHealthcheck?.test, undefined);
  assert.equal(worker.terminationGracePeriodSeconds, 10);
  assert.deepEqual(worker.notes, [
    `\`\${REGISTRY}\` (compose.yaml:${lineOf(COMPOSE, '${REGISTRY}')}) has no default: the value that uses it comes from the environment compose runs in and is not known`,
    `\`\${GRACE}\` (compose.yaml:${lineOf(COMPOSE, '${GRACE}')}) has no default: the value that uses it comes from the environment compose runs in and is not known`,
    "stop_grace_period: `${GRACE}` has no default: its value comes from the environment or .env; compose's default of 10 s is used",
    `image \`\${REGISTRY}/worker:1\` holds a variable or template filled in later (compose.yaml:${lineOf(COMPOSE, '${REGISTRY}')}): give the image to run on the command line`,
  ]);
  assert.ok(notes.some((n) => n.startsWith('compose service worker: image `${REGISTRY}/worker:1`')));
  const quiet = byName(contracts, 'compose service quiet');
  assert.equal(quiet.composeHealthcheck?.disabled, true);
  assert.deepEqual(quiet.probes, []);
});

test('a file that is not YAML is a ConfigError naming the file and line; a Helm template says to render it', () => {
  assert.throws(
    () => contractsFromManifests([{ path: 'bad.yaml', text: 'kind: Deployment\nmetadata:\n  name: [x\n' }]),
    (e: unknown) => e instanceof ConfigError && /^bad\.yaml:\d+: YAML: /.test(e.message) && !!e.hint,
  );
  assert.throws(
    () =>
      contractsFromManifests([
        { path: 'tpl.yaml', text: 'kind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n' },
      ]),
    (e: unknown) => e instanceof ConfigError && /helm template/.test(e.hint ?? ''),
  );
  const empty = contractsFromManifests([{ path: 'notes.yaml', text: 'a: 1\n' }]);
  assert.deepEqual(empty.contracts, []);
  assert.deepEqual(empty.notes, [
    'notes.yaml: no Kubernetes object or compose service',
    'the files declare no workload or compose service',
  ]);
});

test('from the repository: only containers whose image is built there; kustomize images applied', async () => {
  const deploy = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: web',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: example.com/team/web:1.0',
    '          envFrom:',
    '            - configMapRef:',
    '                name: web-config',
    '          ports:',
    '            - name: http',
    '              containerPort: 8080',
    '        - name: proxy',
    '          image: envoyproxy/envoy:v1.30.0',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: web',
    'spec:',
    '  selector:',
    '    app: web',
    '  ports:',
    '    - port: 80',
    '      targetPort: http',
    '    - port: 81',
    '      targetPort: 9901',
  ].join('\n');
  const model = await loadRepo({
    files: {
      Dockerfile: 'FROM busybox:1.36\nCMD ["httpd", "-f", "-p", "8080"]\n',
      'compose.yaml':
        'services:\n  web:\n    build: .\n    image: example.com/team/web:1.0\n    ports: ["8080:8080"]\n  redis:\n    image: redis:7\n',
      'k8s/deploy.yaml': deploy,
      'k8s/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  A: "1"\n',
      'overlays/prod/kustomization.yaml':
        'resources:\n  - ../../k8s\nimages:\n  - name: example.com/team/web\n    newTag: "2.0"\n',
      'crossdock.yaml': 'smoke:\n  pythonImports: [app.main]\n',
    },
  });
  const { contracts, notes } = contractsFromRepository(model);
  assert.deepEqual(
    contracts.map((c) => [c.name, c.image, c.buildId]),
    [
      ['compose service web', 'example.com/team/web:1.0', 'compose:compose.yaml#web'],
      // The overlay's `images:` gives the tag that is deployed.
      ['Deployment/web (container web)', 'example.com/team/web:2.0', 'compose:compose.yaml#web'],
    ],
  );
  const web = contracts[1] as SmokeContract;
  assert.deepEqual(web.env, { A: '1' });
  // Port 9901 is declared by no container of a two-container pod: which one serves it is not known.
  assert.deepEqual(
    web.ports.map((p) => p.port),
    [8080],
  );
  assert.ok(
    notes.some((n) =>
      n.includes('Service web targetPort 9901 (k8s/deploy.yaml:34): no container of Deployment/web'),
    ),
    notes.join('\n'),
  );
  assert.deepEqual(web.pythonImports, ['app.main']);
  // The build filter (crossdock build --smoke) keeps that build's containers only.
  assert.equal(contractsFromRepository(model, { buildId: 'nothing' }).contracts.length, 0);
  assert.deepEqual(contractsFromRepository(model, { pythonImports: [] }).contracts[0]?.pythonImports, []);
});

test('crossdock.yaml smoke.pythonImports that is not a list of modules is a ConfigError when loading', async () => {
  await assert.rejects(
    loadRepo({
      files: {
        Dockerfile: 'FROM busybox:1.36\n',
        'compose.yaml': 'services:\n  web:\n    build: .\n',
        'crossdock.yaml': 'smoke:\n  pythonImports: "numpy"\n',
      },
    }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /^crossdock\.yaml:2:18: `smoke\.pythonImports` must be a list/.test(e.message),
  );
});

test('from the repository: two overlays deploy two tags; a patch crossdock does not apply is noted', async () => {
  const deploy = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: example.com/team/web:1.0',
  ].join('\n');
  const patch = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          args: ["--debug"]',
  ].join('\n');
  const model = await loadRepo({
    files: {
      Dockerfile: 'FROM busybox:1.36\nCMD ["httpd", "-f", "-p", "8080"]\n',
      'compose.yaml': 'services:\n  web:\n    build: .\n    image: example.com/team/web:1.0\n',
      'base/deploy.yaml': deploy,
      'base/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
      'overlays/prod/kustomization.yaml':
        'resources:\n  - ../../base\nimages:\n  - name: example.com/team/web\n    newTag: "2.0"\n',
      'overlays/staging/kustomization.yaml':
        'resources:\n  - ../../base\npatches:\n  - path: debug.yaml\nimages:\n  - name: example.com/team/web\n    newTag: "1.5"\n',
      'overlays/staging/debug.yaml': patch,
    },
  });
  const { contracts } = contractsFromRepository(model);
  const k8s = contracts.filter((c) => c.origin === 'kubernetes');
  assert.deepEqual(k8s.map((c) => [c.name, c.image]).sort(), [
    ['Deployment/web as example.com/team/web:1.5', 'example.com/team/web:1.5'],
    ['Deployment/web as example.com/team/web:2.0', 'example.com/team/web:2.0'],
  ]);
  // The overlays deploy different tags, so which build made what runs is not known: said, not guessed.
  for (const c of k8s) {
    assert.equal(c.buildId, undefined);
    assert.deepEqual(c.notes, [
      'a kustomize patch changes Deployment/web beyond what crossdock applies: this contract is the manifest as written',
      'which build makes its image is not known: the kustomizations deploying Deployment "web" give its image different references (example.com/team/web:2.0, example.com/team/web:1.5)',
    ]);
  }
});

test('shapes Kubernetes would reject read as absent, never as a crash or a guess', () => {
  const odd = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: odd',
    'spec:',
    '  template:',
    '    spec:',
    '      terminationGracePeriodSeconds: soon',
    '      securityContext: []',
    '      containers:',
    '        - name: odd',
    '          image: example.com/odd:1',
    '          command: sh -c serve',
    '          ports: 8080',
    '          env: {A: "1"}',
    '          envFrom: [{}]',
    '          readinessProbe: "/health"',
    '          livenessProbe:',
    '            httpGet:',
    '              port: [1]',
    '          startupProbe:',
    '            periodSeconds: 3',
  ].join('\n');
  const { contracts } = contractsFromManifests([{ path: 'odd.yaml', text: odd }]);
  const [c] = contracts;
  assert.ok(c);
  assert.equal(c.entrypoint, undefined);
  assert.deepEqual([c.ports, c.env, c.user, c.terminationGracePeriodSeconds], [[], {}, {}, 30]);
  assert.deepEqual(
    c.envNotProvided.map((n) => n.what),
    ['an envFrom source crossdock does not read'],
  );
  assert.deepEqual(c.probes, []);
  assert.deepEqual(c.notes, [
    `livenessProbe of container "odd" (odd.yaml:${lineOf(odd, 'httpGet:')}) has a handler without a port: it is not checked`,
    `startupProbe of container "odd" (odd.yaml:${lineOf(odd, 'periodSeconds: 3')}) has no handler (httpGet, tcpSocket, grpc or exec): it is not checked`,
  ]);
});
