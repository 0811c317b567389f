// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile fixtures hold `${PORT}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/port-mismatch.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

/** The api image: EXPOSE 5000 on line 4, then `cmd` on line 6. */
const dockerfile = (cmd = 'CMD ["python", "app.py"]', expose = 'EXPOSE 5000\n') =>
  `FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n${expose}USER 10001\n${cmd}\n`;

/** The entry module: a literal port in `app.run(...)`. */
const APP_5000 = 'from flask import Flask\napp = Flask(__name__)\napp.run(host="0.0.0.0", port=5000)\n';

const buildScript = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'docker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com:5000/team/api:1.0 --push -f api/Dockerfile api',
  '',
].join('\n');

/**
 * Deployment + Service for the api image; `port` is the containerPort named `http` (line 20), used by the
 * readiness probe (24); the liveness probe uses 5000 (27); the Service targetPort `http` is on line 38.
 * `container` lines go after the liveness probe (and push the Service down).
 */
function manifests(port: number, opts: { namespace?: string; labels?: string; container?: string[] } = {}) {
  const ns = opts.namespace ? `  namespace: ${opts.namespace}\n` : '';
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  replicas: 2',
    '  selector:',
    '    matchLabels:',
    '      app: api',
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${opts.labels ?? 'api'}`,
    '    spec:',
    '      containers:',
    '        - name: api',
    '          image: registry.example.com:5000/team/api:1.0',
    '          ports:',
    '            - name: http',
    `              containerPort: ${port}`,
    '          readinessProbe:',
    '            httpGet:',
    '              path: /healthz',
    '              port: http',
    '          livenessProbe:',
    '            tcpSocket:',
    '              port: 5000',
    ...(opts.container ?? []),
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: api',
    `${ns}spec:`,
    '  selector:',
    '    app: api',
    '  ports:',
    '    - port: 80',
    '      targetPort: http',
    '',
  ].join('\n');
}

/** A one-container Deployment whose only consumer is `containerPort: port` on line 15 (a mismatch there is info). */
const deployment = (port: number, image = 'registry.example.com:5000/team/api:1.0', extra: string[] = []) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: api',
    '    spec:',
    '      containers:',
    '        - name: api',
    `          image: ${image}`,
    '          ports:',
    `            - containerPort: ${port}`,
    ...extra,
    '',
  ].join('\n');

/** A Service selecting `app: api` with `targetPort: 8080` on line 10. */
const service = [
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: api',
  'spec:',
  '  selector:',
  '    app: api',
  '  ports:',
  '    - port: 80',
  '      targetPort: 8080',
  '',
].join('\n');

const KUSTOMIZATION = 'resources:\n  - api.yaml\n';

/** A workflow that applies each folder of plain manifests (`kubectl apply -f dir`). */
const applyWorkflow = (...dirs: string[]) =>
  [
    'on: push',
    'jobs:',
    '  deploy:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...dirs.map((d) => `      - run: kubectl apply -f ${d}`),
    '',
  ].join('\n');

/** The api image (Dockerfile, entry module, build script) and `k8s/api.yaml`, applied by a kustomization. */
function k8s(df: string, manifest: string, extra: Record<string, string> = {}) {
  return {
    files: {
      'api/Dockerfile': df,
      'api/app.py': APP_5000,
      'scripts/build.sh': buildScript,
      'k8s/api.yaml': manifest,
      'k8s/kustomization.yaml': KUSTOMIZATION,
      ...extra,
    },
  };
}

const compose = [
  'services:',
  '  web:',
  '    build: ./web',
  '    ports:',
  '      - "8080:8000"',
  '      - "9090:3000"',
  '    healthcheck:',
  '      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]',
  '  cache:',
  '    image: redis:7',
  '    ports:',
  '      - "6379:6379"',
  '',
].join('\n');

/** A node image reading `process.env.PORT || 3000`, with ENV PORT=3000 (no EXPOSE). */
const webDockerfile = 'FROM node:20-slim\nENV PORT=3000\nCOPY . .\nCMD ["node", "server.js"]\n';
const webServer = 'const app = require("./app");\napp.listen(process.env.PORT || 3000);\n';

test('port-mismatch: containerPort, a probe and a Service targetPort (through a named port) are reported at their values, pointing at the listening literal (EXPOSE does not decide)', async () => {
  const findings = await checkRepo(k8s(dockerfile(), manifests(8080)), [rule]);
  assertFindings(findings, [
    at('port-mismatch', 'error', 'k8s/api.yaml', 20, 30, {
      message:
        /^containerPort of Deployment "api" uses port 8080, but the container listens on 5000 \(the literal in api\/app\.py\): traffic to it reaches nothing$/,
      reachable: true,
    }),
    at('port-mismatch', 'error', 'k8s/api.yaml', 24, 21, {
      message: /^the readiness probe of Deployment "api" uses port 8080, .*never ready$/,
    }),
    at('port-mismatch', 'error', 'k8s/api.yaml', 38, 19, {
      message: /^Service "api" targetPort of Deployment "api" uses port 8080, .*no working endpoint$/,
    }),
  ]);
  // The liveness probe on 5000 agrees with the program: not reported.
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    ['api/app.py:3:1 listens on 5000 here'],
  );
  assert.equal(findings[0]?.endColumn, 34);
});

ruleTest(rule, [
  {
    name: 'the port the program listens on reports nothing',
    repo: k8s(dockerfile(), manifests(5000)),
    expect: [],
  },
  // Condition: the Service selects the workload (namespace, labels, same deployment unit).
  {
    name: 'a Service in another namespace does not select the workload',
    repo: k8s(dockerfile(), manifests(8080, { namespace: 'other' })),
    expect: [
      at('port-mismatch', 'error', 'k8s/api.yaml', 20, 30),
      at('port-mismatch', 'error', 'k8s/api.yaml', 24, 21),
    ],
  },
  {
    name: 'a Service whose selector does not match the pod labels does not select the workload',
    repo: k8s(dockerfile(), manifests(8080, { labels: 'api-v2' })),
    expect: [
      at('port-mismatch', 'error', 'k8s/api.yaml', 20, 30),
      at('port-mismatch', 'error', 'k8s/api.yaml', 24, 21),
    ],
  },
  {
    name: 'a Service in the same folder of manifests is applied with the workload and checked',
    repo: {
      files: {
        'api/Dockerfile': dockerfile('CMD ["gunicorn", "app:app"]', ''),
        'scripts/build.sh': buildScript,
        'k8s/app/api.yaml': deployment(8000),
        'k8s/app/service.yaml': service,
        '.github/workflows/deploy.yml': applyWorkflow('k8s/app'),
      },
    },
    expect: [
      at('port-mismatch', 'error', 'k8s/app/service.yaml', 10, 19, {
        message:
          /^Service "api" targetPort .* port 8080, but the container listens on 8000 \(gunicorn's default port\)/,
      }),
    ],
  },
  {
    name: 'a Service in another folder is another deployment unit: not compared',
    repo: {
      files: {
        'api/Dockerfile': dockerfile('CMD ["gunicorn", "app:app"]', ''),
        'scripts/build.sh': buildScript,
        'k8s/app/api.yaml': deployment(8000),
        'k8s/net/service.yaml': service,
        '.github/workflows/deploy.yml': applyWorkflow('k8s/app', 'k8s/net'),
      },
    },
    expect: [],
  },
  {
    name: 'a Service an overlay adds to its base is compared (one kustomization rendered with its bases)',
    repo: {
      files: {
        'api/Dockerfile': dockerfile('CMD ["gunicorn", "app:app"]', ''),
        'scripts/build.sh': buildScript,
        'k8s/base/api.yaml': deployment(8000),
        'k8s/base/kustomization.yaml': KUSTOMIZATION,
        'k8s/overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\n  - service.yaml\n',
        'k8s/overlays/prod/service.yaml': service,
      },
    },
    expect: [at('port-mismatch', 'error', 'k8s/overlays/prod/service.yaml', 10, 19)],
  },
  // Condition: the manifest is reached.
  {
    name: 'manifests nothing applies are unreached: each mismatch is at most a warning',
    repo: {
      files: {
        'api/Dockerfile': dockerfile(),
        'api/app.py': APP_5000,
        'scripts/build.sh': buildScript,
        'k8s/api.yaml': manifests(8080),
      },
    },
    expect: [
      at('port-mismatch', 'warning', 'k8s/api.yaml', 20, 30, { reachable: false }),
      at('port-mismatch', 'warning', 'k8s/api.yaml', 24, 21, { reachable: false }),
      at('port-mismatch', 'warning', 'k8s/api.yaml', 38, 19, { reachable: false }),
    ],
  },
  // Condition: the image is built in this repository.
  {
    name: 'an image this repository does not build is not checked',
    repo: k8s(dockerfile(), deployment(6380, 'redis:7')),
    expect: [],
  },
  // Condition: the listening port is known. EXPOSE alone never decides.
  {
    name: 'EXPOSE disagreeing with every consumer while the listening port is unknown: one warning at EXPOSE, the consumers as sites',
    repo: k8s(dockerfile(), manifests(8080).replace('port: 5000', 'port: 8080'), {
      'api/app.py': 'print("no server")\n',
    }),
    expect: [
      at('port-mismatch', 'warning', 'api/Dockerfile', 4, 1, {
        message:
          /^EXPOSE documents port 5000, but Deployment "api" uses port 8080: one side is wrong \(crossdock cannot tell which port the program listens on\)$/,
        sites: ['k8s/api.yaml:20', 'k8s/api.yaml:24', 'k8s/api.yaml:27', 'k8s/api.yaml:38'],
      }),
    ],
  },
  {
    name: 'several EXPOSE ports and several consumer ports are named in the plural',
    repo: k8s(
      dockerfile(undefined, 'EXPOSE 5000 5001\n'),
      deployment(8080, undefined, ['            - containerPort: 9090']),
      {
        'api/app.py': 'print("no server")\n',
      },
    ),
    expect: [
      at('port-mismatch', 'warning', 'api/Dockerfile', 4, 1, {
        message:
          /^EXPOSE documents ports 5000, 5001, but Deployment "api" uses ports 8080, 9090: one side is wrong/,
        sites: ['k8s/api.yaml:15', 'k8s/api.yaml:16'],
      }),
    ],
  },
  {
    name: 'EXPOSE contradicted by two workloads of the same image: one warning (one root cause), every consumer a site',
    repo: k8s(dockerfile(), deployment(8080), {
      'api/app.py': 'print("no server")\n',
      'k8s/canary.yaml': deployment(8080).replace('name: api', 'name: canary'),
      'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n  - canary.yaml\n',
    }),
    expect: [
      at('port-mismatch', 'warning', 'api/Dockerfile', 4, 1, {
        message: /^EXPOSE documents port 5000, but Deployment "api", Deployment "canary" use port 8080/,
        sites: ['k8s/api.yaml:15', 'k8s/canary.yaml:15'],
      }),
    ],
  },
  {
    name: 'EXPOSE agreeing with one consumer while the listening port is unknown: no claim (formerly an error against EXPOSE 5000; EXPOSE only documents)',
    repo: k8s(dockerfile(), manifests(8080), { 'api/app.py': 'print("no server")\n' }),
    expect: [],
  },
  {
    name: 'the known listening port is checked even when the Dockerfile has no EXPOSE (formerly not checked)',
    repo: k8s(dockerfile('CMD ["python", "app.py"]', ''), manifests(8080)),
    expect: [
      at('port-mismatch', 'error', 'k8s/api.yaml', 20, 30),
      at('port-mismatch', 'error', 'k8s/api.yaml', 24, 21),
      at('port-mismatch', 'error', 'k8s/api.yaml', 38, 19),
    ],
  },
  {
    name: 'unknown: no EXPOSE and a module without a port literal: not checked, the unknown port is noted at the first consumer',
    repo: k8s(dockerfile('CMD ["python", "app.py"]', ''), manifests(8080), {
      'api/app.py': 'print("no server")\n',
    }),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/api.yaml', 20, 30, {
        message:
          /^which port python app\.py listens on is not known; not checked: the port Deployment "api" is served on \(port-mismatch\)$/,
      }),
    ],
  },
  {
    name: 'unknown: two different port literals in the entry module decide nothing',
    repo: k8s(dockerfile('CMD ["node", "index.js"]', ''), deployment(8080), {
      'api/index.js': 'admin.listen(3000);\npublic.listen(4000);\n',
    }),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [at('unresolved-value', 'info', 'k8s/api.yaml', 15, 30)],
  },
  // Listening port sources: server flags and defaults in the image's CMD/ENTRYPOINT.
  {
    name: 'gunicorn -b host:port in the image CMD',
    repo: k8s(dockerfile('CMD ["gunicorn", "-b", "0.0.0.0:5000", "app:app"]', ''), deployment(8000)),
    expect: [
      at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, {
        message: /listens on 5000 \(`0\.0\.0\.0:5000` in the image's CMD\/ENTRYPOINT\)/,
      }),
    ],
  },
  {
    name: 'gunicorn without -b binds its default port 8000',
    repo: k8s(dockerfile('CMD ["gunicorn", "app:app"]', ''), deployment(5000)),
    expect: [
      at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, {
        message: /listens on 8000 \(gunicorn's default port\)/,
      }),
    ],
  },
  {
    name: 'gunicorn without -b on its default port reports nothing',
    repo: k8s(dockerfile('CMD ["gunicorn", "app:app"]', ''), deployment(8000)),
    expect: [],
  },
  {
    name: 'uvicorn in ENTRYPOINT without --port listens on 8000',
    repo: k8s(dockerfile('ENTRYPOINT ["uvicorn", "app:app", "--host", "0.0.0.0"]', ''), deployment(8080)),
    expect: [at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, { message: /uvicorn's default port/ })],
  },
  {
    name: 'gunicorn binds $PORT from the image ENV, through `sh -c "exec …"`',
    repo: k8s(
      dockerfile('CMD ["sh", "-c", "exec gunicorn -b 0.0.0.0:$PORT app:app"]', 'ENV PORT=9000\n'),
      deployment(8000),
    ),
    expect: [at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, { message: /listens on 9000/ })],
  },
  {
    name: 'busybox httpd -p',
    repo: k8s(dockerfile('CMD ["busybox", "httpd", "-f", "-p", "8080"]', ''), deployment(80)),
    expect: [
      at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, {
        message: /listens on 8080 \(`httpd -p 8080`\)/,
      }),
    ],
  },
  {
    name: 'flask run without --port listens on 5000',
    repo: k8s(dockerfile('CMD ["flask", "run", "--host=0.0.0.0"]', ''), deployment(8080)),
    expect: [at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, { message: /flask run's default port/ })],
  },
  {
    name: 'python -m flask run --port 8080 agrees with containerPort 8080',
    repo: k8s(dockerfile('CMD ["python", "-m", "flask", "run", "--port", "8080"]', ''), deployment(8080)),
    expect: [],
  },
  // Listening port sources: the container overrides the image.
  {
    name: 'Kubernetes args replace the image CMD (its -b decides, not the image)',
    repo: k8s(
      dockerfile('CMD ["gunicorn", "-b", "0.0.0.0:5000", "app:app"]'),
      manifests(5000, { container: ['          args: ["gunicorn", "-b", ":8000", "app:app"]'] }),
    ),
    expect: [
      at('port-mismatch', 'error', 'k8s/api.yaml', 20, 30, {
        message: /listens on 8000 \(`:8000` in the container command\)/,
      }),
      at('port-mismatch', 'error', 'k8s/api.yaml', 24, 21),
      at('port-mismatch', 'error', 'k8s/api.yaml', 27, 21),
      at('port-mismatch', 'error', 'k8s/api.yaml', 39, 19),
    ],
  },
  {
    name: 'Kubernetes env PORT overrides the image ENV PORT that gunicorn binds',
    repo: k8s(
      dockerfile('CMD ["gunicorn", "app:app"]', 'ENV PORT=5000\n'),
      deployment(5000, undefined, [
        '          env:',
        '            - name: PORT',
        '              value: "8000"',
      ]),
    ),
    expect: [
      at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, {
        message: /listens on 8000 \(gunicorn binds \$PORT\)/,
      }),
    ],
  },
  {
    name: 'unknown: envFrom may set the PORT gunicorn binds: a note at envFrom, no claim',
    repo: k8s(
      dockerfile('CMD ["gunicorn", "app:app"]', 'ENV PORT=5000\n'),
      deployment(5000, undefined, ['          envFrom:', '            - configMapRef: { name: api }']),
    ),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/api.yaml', 17, 13, {
        message: /may be set by `envFrom`; not checked: the port/,
      }),
    ],
  },
  {
    name: 'unknown: a valueFrom PORT decides the port of a module reading PORT: a note at valueFrom',
    repo: k8s(
      dockerfile('CMD ["python", "app.py"]', ''),
      deployment(8080, undefined, [
        '          env:',
        '            - name: PORT',
        '              valueFrom: { configMapKeyRef: { name: api, key: port } }',
      ]),
      { 'api/app.py': 'import os\napp.run(port=int(os.environ.get("PORT", 5000)))\n' },
    ),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/api.yaml', 18, 26, {
        message: /^PORT may be set by `valueFrom` of PORT/,
      }),
    ],
  },
  {
    name: 'a literal env value takes precedence over envFrom: the port is known',
    repo: k8s(
      dockerfile('CMD ["python", "app.py"]', ''),
      deployment(5000, undefined, [
        '          envFrom:',
        '            - secretRef: { name: api }',
        '          env:',
        '            - name: PORT',
        '              value: "8000"',
      ]),
      { 'api/app.py': 'import os\napp.run(port=int(os.environ.get("PORT", 5000)))\n' },
    ),
    only: ['port-mismatch'],
    expect: [at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, { message: /listens on 8000/ })],
  },
  {
    name: 'unknown: a gunicorn.conf.py in the context may set the bind address: a note, no claim',
    repo: k8s(dockerfile('CMD ["gunicorn", "app:app"]', ''), deployment(5000), {
      'api/gunicorn.conf.py': 'bind = "0.0.0.0:5000"\n',
    }),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [at('unresolved-value', 'info', 'k8s/api.yaml', 15, 30, { message: /api\/gunicorn\.conf\.py/ })],
  },
  {
    name: 'without the Kubernetes env, the image ENV PORT decides and agrees',
    repo: k8s(dockerfile('CMD ["gunicorn", "app:app"]', 'ENV PORT=5000\n'), deployment(5000)),
    expect: [],
  },
  // Listening port sources: a literal in the entry module the image runs.
  {
    name: 'the PORT default of os.environ.get in the entry module',
    repo: k8s(dockerfile('CMD ["python", "app.py"]', ''), deployment(5000), {
      'api/app.py': 'import os\nPORT = int(os.environ.get("PORT", 8080))\napp.run(port=PORT)\n',
    }),
    expect: [
      at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, { message: /the PORT default in api\/app\.py/ }),
    ],
  },
  {
    name: 'listen(3000) in a node entry module',
    repo: k8s(dockerfile('CMD ["node", "index.js"]', ''), deployment(8080), {
      'api/index.js': 'const server = require("http").createServer(handler);\nserver.listen(3000);\n',
    }),
    expect: [
      at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, {
        message: /listens on 3000 \(the literal in api\/index\.js\)/,
      }),
    ],
  },
  // Unknown listening ports: never a claim.
  {
    name: 'unknown: `--port $PORT` in the image CMD with PORT set only at run time',
    repo: k8s(dockerfile('CMD uvicorn app:app --host 0.0.0.0 --port $PORT', ''), deployment(8000)),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/api.yaml', 15, 30, {
        message: /^the port in the image's CMD\/ENTRYPOINT is set at run time; not checked/,
      }),
    ],
  },
  {
    name: 'unknown: `--port $(PORT)` in Kubernetes args with no PORT in the environment, noted at the args',
    repo: k8s(
      dockerfile('CMD ["uvicorn", "app:app"]', ''),
      deployment(8000, undefined, ['          args: ["uvicorn", "app:app", "--port", "$(PORT)"]']),
    ),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/api.yaml', 16, 17, {
        message: /^the port in the container command is set at run time/,
      }),
    ],
  },
  {
    name: 'unknown: uvicorn on a unix socket (--uds) and gunicorn reading a config file',
    repo: k8s(dockerfile('CMD ["uvicorn", "app:app", "--uds", "/tmp/app.sock"]', ''), deployment(8000), {
      'web/Dockerfile':
        'FROM python:3.12-slim\nCOPY . .\nCMD ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]\n',
      'scripts/web.sh': 'docker build -t registry.example.com/team/web:1.0 web\n',
      'k8s/web.yaml': deployment(8000, 'registry.example.com/team/web:1.0').replace('name: api', 'name: web'),
      'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n  - web.yaml\n',
    }),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/api.yaml', 15, 30, { message: /listens on a socket/ }),
      at('unresolved-value', 'info', 'k8s/web.yaml', 15, 30, {
        message: /reads its bind address from a config file/,
      }),
    ],
  },
  // Build arguments: the build that produces the image decides its ARGs.
  {
    name: 'EXPOSE through an ARG takes the build arg of the build that produces the image: it agrees, nothing to say',
    repo: k8s(
      'FROM python:3.12-slim\nARG PORT=8000\nEXPOSE ${PORT}\nUSER 10001\n',
      manifests(8080).replace('port: 5000', 'port: http'),
      { 'scripts/build.sh': buildScript.replace('--push', '--build-arg PORT=8080 --push') },
    ),
    expect: [],
  },
  {
    name: 'EXPOSE through an ARG without the build arg documents the default 8000, which every consumer contradicts: one warning at EXPOSE (formerly four errors against EXPOSE)',
    repo: k8s(
      'FROM python:3.12-slim\nARG PORT=8000\nEXPOSE ${PORT}\nUSER 10001\n',
      manifests(8080).replace('port: 5000', 'port: http'),
    ),
    expect: [
      at('port-mismatch', 'warning', 'api/Dockerfile', 3, 1, {
        message: /^EXPOSE documents port 8000, but Deployment "api" uses port 8080/,
        sites: ['k8s/api.yaml:20', 'k8s/api.yaml:24', 'k8s/api.yaml:27', 'k8s/api.yaml:38'],
      }),
    ],
  },
  {
    name: 'ENV PORT from an ARG that gunicorn binds: the build arg decides the listening port',
    repo: k8s(
      'FROM python:3.12-slim\nARG PORT=8000\nENV PORT=${PORT}\nCMD ["gunicorn", "app:app"]\n',
      deployment(8000),
      { 'scripts/build.sh': buildScript.replace('--push', '--build-arg PORT=8080 --push') },
    ),
    expect: [
      at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, {
        message: /listens on 8080 \(gunicorn binds \$PORT\)/,
      }),
    ],
  },
  // Compose.
  {
    name: 'compose: the container side of `ports` and the healthcheck URL are checked against the port the server reads from ENV PORT',
    repo: { files: { 'web/Dockerfile': webDockerfile, 'web/server.js': webServer, 'compose.yaml': compose } },
    expect: [
      at('port-mismatch', 'error', 'compose.yaml', 5, 9, {
        message:
          /^the container side of `ports` of compose service "web" uses port 8000, but the container listens on 3000 \(PORT=3000 read by web\/server\.js\): the published port reaches nothing$/,
        reachable: true,
      }),
      at('port-mismatch', 'error', 'compose.yaml', 8, 13, {
        message: /^the healthcheck probe of compose service "web" uses port 8000/,
      }),
    ],
  },
  {
    name: 'compose: `environment: PORT` overrides the image ENV',
    repo: {
      files: {
        'web/Dockerfile': webDockerfile,
        'web/server.js': webServer,
        'compose.yaml': compose.replace(
          '    healthcheck',
          '    environment:\n      PORT: "8000"\n    healthcheck',
        ),
      },
    },
    expect: [
      at('port-mismatch', 'error', 'compose.yaml', 6, 9, { message: /uses port 3000, .* listens on 8000/ }),
    ],
  },
  {
    name: 'a containerPort mismatch that a probe uses on the same port is an error; alone it is info',
    repo: k8s(
      dockerfile(),
      [
        deployment(8080, undefined, [
          '            - containerPort: 9090',
          '          readinessProbe:',
          '            httpGet: { path: /healthz, port: 8080 }',
        ]),
      ].join(''),
    ),
    only: ['port-mismatch'],
    expect: [
      at('port-mismatch', 'error', 'k8s/api.yaml', 15, 30),
      at('port-mismatch', 'info', 'k8s/api.yaml', 16, 30),
      at('port-mismatch', 'error', 'k8s/api.yaml', 18, 46),
    ],
  },
  {
    name: 'compose: `command:` replaces the image CMD',
    repo: {
      files: {
        'web/Dockerfile': 'FROM python:3.12-slim\nCOPY . .\nCMD ["gunicorn", "app:app"]\n',
        'compose.yaml': compose.replace(
          '    healthcheck',
          '    command: gunicorn -b 0.0.0.0:3000 app:app\n    healthcheck',
        ),
      },
    },
    expect: [
      at('port-mismatch', 'error', 'compose.yaml', 5, 9, {
        message: /`0\.0\.0\.0:3000` in the container command/,
      }),
      at('port-mismatch', 'error', 'compose.yaml', 9, 13),
    ],
  },
  {
    name: 'compose: `entrypoint:` replaces the image ENTRYPOINT and CMD',
    repo: {
      files: {
        'web/Dockerfile': 'FROM python:3.12-slim\nCOPY . .\nCMD ["gunicorn", "-b", ":8000", "app:app"]\n',
        'compose.yaml': compose.replace(
          '    healthcheck',
          '    entrypoint: ["uvicorn", "app:app", "--port", "3000"]\n    healthcheck',
        ),
      },
    },
    expect: [
      at('port-mismatch', 'error', 'compose.yaml', 5, 9, { message: /listens on 3000/ }),
      at('port-mismatch', 'error', 'compose.yaml', 9, 13),
    ],
  },
  {
    name: 'unknown: compose service whose server port is not known (no EXPOSE) is noted, not reported',
    repo: {
      files: {
        'web/Dockerfile': webDockerfile,
        'web/server.js': 'require("./app");\n',
        'compose.yaml': compose,
      },
    },
    only: ['port-mismatch', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'compose.yaml', 5, 9, {
        message:
          /^which port node server\.js listens on is not known; not checked: the port compose service "web" is served on/,
      }),
    ],
  },
  {
    name: 'the full message of a probe and a Service targetPort mismatch; a default port has no listening site to relate',
    repo: k8s(dockerfile('CMD ["gunicorn", "app:app"]', ''), deployment(5000), {
      'k8s/service.yaml': service.replace('targetPort: 8080', 'targetPort: 5000'),
      'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n  - service.yaml\n',
    }),
    expect: [
      at('port-mismatch', 'error', 'k8s/api.yaml', 15, 30, { related: [] }),
      at('port-mismatch', 'error', 'k8s/service.yaml', 10, 19, {
        message:
          /^Service "api" targetPort of Deployment "api" uses port 5000, but the container listens on 8000 \(gunicorn's default port\): the Service has no working endpoint$/,
        related: [],
      }),
    ],
  },
  {
    name: 'the probe message in full, with the listening literal related',
    repo: k8s(
      dockerfile(),
      deployment(5000, undefined, [
        '          livenessProbe:',
        '            httpGet: { path: /healthz, port: 8080 }',
      ]),
    ),
    expect: [
      at('port-mismatch', 'error', 'k8s/api.yaml', 17, 46, {
        message:
          /^the liveness probe of Deployment "api" uses port 8080, but the container listens on 5000 \(the literal in api\/app\.py\): the probe fails and the container is restarted or never ready$/,
        related: ['api/app.py:3 listens on 5000 here'],
      }),
    ],
  },
  {
    name: 'condition "the probe port is known": a probe naming a port the container does not declare is not compared',
    repo: k8s(
      dockerfile(),
      deployment(5000, undefined, [
        '          readinessProbe:',
        '            httpGet: { path: /healthz, port: metrics }',
      ]),
    ),
    expect: [],
  },
  {
    name: 'condition "the Service has a selector": a Service without one selects no pod',
    repo: k8s(dockerfile(), deployment(5000), {
      'k8s/service.yaml': service.replace('  selector:\n    app: api\n', ''),
      'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n  - service.yaml\n',
    }),
    expect: [],
  },
  {
    name: 'condition "every selector label matches": a Service selecting app: api and tier: web does not select a pod labelled app: api only',
    repo: k8s(dockerfile(), deployment(5000), {
      'k8s/service.yaml': service.replace('    app: api\n', '    app: api\n    tier: web\n'),
      'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n  - service.yaml\n',
    }),
    expect: [],
  },
  {
    name: 'condition "the targetPort is known": a targetPort naming a port the container does not declare is not compared',
    repo: k8s(dockerfile(), deployment(5000), {
      'k8s/service.yaml': service.replace('targetPort: 8080', 'targetPort: metrics'),
      'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n  - service.yaml\n',
    }),
    expect: [],
  },
  {
    name: 'condition "not already a use": a Service targetPort in another file at the offset of the containerPort is still its own use',
    repo: k8s(dockerfile(), deployment(5000), {
      // Padded so that `8080` starts at the offset of `5000` in k8s/api.yaml.
      'k8s/service.yaml': `#${' '.repeat(
        deployment(5000).indexOf('containerPort: 5000') + 15 - service.indexOf('targetPort: 8080') - 12 - 2,
      )}\n${service}`,
      'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n  - service.yaml\n',
    }),
    expect: [at('port-mismatch', 'error', 'k8s/service.yaml', 11, 19)],
  },
  {
    name: 'condition "something uses a port": a container with no port, probe or Service gets no note even when its port is unknown',
    repo: k8s(dockerfile('CMD ["python", "app.py"]', ''), deployment(5000).replace(/ {10}ports:\n.*\n/, ''), {
      'api/app.py': 'print("no server")\n',
    }),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [],
  },
  {
    name: 'condition "EXPOSE is absent": every consumer agreeing with EXPOSE while the listening port is unknown gets no note',
    repo: k8s(dockerfile(), deployment(5000), { 'api/app.py': 'print("no server")\n' }),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [],
  },
  {
    name: "the same repository path on another registry host is linked to its build: its port is checked (the drift is registry-drift's)",
    repo: k8s(dockerfile(), deployment(8080, 'other.example.com/team/api:1.0')),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [
      at('port-mismatch', 'info', 'k8s/api.yaml', 15, 30, {
        message: /^containerPort of Deployment "api" uses port 8080, but the container listens on 5000/,
      }),
    ],
  },
  {
    name: 'unknown: two builds push the same path on other registry hosts differently: which one runs is not known, no claim',
    repo: k8s(dockerfile(), deployment(8080, 'other.example.com/team/api:1.0'), {
      'scripts/mirror.sh': 'docker build -t mirror.example.com/team/api:1.0 --build-arg X=1 api\n',
    }),
    only: ['port-mismatch', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/api.yaml', 13, 18, {
        message:
          /^no build pushes other\.example\.com\/team\/api:1\.0; 2 builds push other\.example\.com\/team\/api under other tags, differently/,
      }),
    ],
  },
  {
    name: 'the ports of an EXPOSE warning are sorted by number',
    repo: k8s(
      dockerfile(),
      deployment(9090, undefined, [
        '            - containerPort: 10000',
        '            - containerPort: 8080',
      ]),
      { 'api/app.py': 'print("no server")\n' },
    ),
    expect: [
      at('port-mismatch', 'warning', 'api/Dockerfile', 4, 1, {
        message: /^EXPOSE documents port 5000, but Deployment "api" uses ports 8080, 9090, 10000: one side/,
        sites: ['k8s/api.yaml:15', 'k8s/api.yaml:16', 'k8s/api.yaml:17'],
      }),
    ],
  },
  {
    name: 'condition "one EXPOSE per warning": two images with EXPOSE on the same line get a warning each',
    repo: k8s(dockerfile(), deployment(8080), {
      'api/app.py': 'print("no server")\n',
      'web/Dockerfile': dockerfile(),
      'scripts/web.sh': 'docker build -t registry.example.com/team/web:1.0 web\n',
      'k8s/web.yaml': deployment(8081, 'registry.example.com/team/web:1.0').replace('name: api', 'name: web'),
      'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n  - web.yaml\n',
    }),
    expect: [
      at('port-mismatch', 'warning', 'api/Dockerfile', 4, 1, {
        message: /^EXPOSE documents port 5000, but Deployment "api" uses port 8080:/,
        sites: ['k8s/api.yaml:15'],
      }),
      at('port-mismatch', 'warning', 'web/Dockerfile', 4, 1, {
        message: /^EXPOSE documents port 5000, but Deployment "web" uses port 8081:/,
        sites: ['k8s/web.yaml:15'],
      }),
    ],
  },
  {
    name: 'condition "not already a use": a Service two overlays render with the same base is one consumer, one site',
    repo: {
      files: {
        'api/Dockerfile': dockerfile(),
        'api/app.py': 'print("no server")\n',
        'scripts/build.sh': buildScript,
        'k8s/base/api.yaml': deployment(8080),
        'k8s/base/service.yaml': service,
        'k8s/base/kustomization.yaml': 'resources:\n  - api.yaml\n  - service.yaml\n',
        'k8s/overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\n',
        'k8s/overlays/dev/kustomization.yaml': 'resources:\n  - ../../base\n',
      },
    },
    expect: [
      at('port-mismatch', 'warning', 'api/Dockerfile', 4, 1, {
        sites: ['k8s/base/api.yaml:15', 'k8s/base/service.yaml:10'],
      }),
    ],
  },
]);
