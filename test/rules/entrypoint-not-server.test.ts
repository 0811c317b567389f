import rule from '../../src/rules/entrypoint-not-server.js';
import { at, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'entrypoint-not-server';

const DOCKERFILE = ['FROM python:3.12-slim', 'WORKDIR /app', 'COPY . .', 'CMD ["python", "app.py"]'];

/** A script that prints its settings and exits. */
const APP = ['import json', 'import os', '', 'print(json.dumps({"mode": os.environ.get("MODE", "web")}))'];

/** A compose service `web` built from `.` (lines 2-6), with these lines added under it. */
const compose = (...extra: string[]) => [
  'services:',
  '  web:',
  '    build: .',
  '    image: example/app:dev',
  '    ports:',
  '      - "8000:8000"',
  ...extra,
];

/** A second service running the same image with the server command. */
const SERVER = [
  '  server:',
  '    image: example/app:dev',
  '    command: ["gunicorn", "-b", "0.0.0.0:8000", "wsgi:app"]',
];

function repo(over: Record<string, string | string[] | undefined> = {}) {
  const files: Record<string, string> = {};
  const all: Record<string, string | string[] | undefined> = {
    Dockerfile: DOCKERFILE,
    'app.py': APP,
    'compose.yaml': compose(),
    ...over,
  };
  for (const [k, v] of Object.entries(all))
    if (v !== undefined) files[k] = Array.isArray(v) ? `${v.join('\n')}\n` : v;
  return { files };
}

const dfCmd = (cmd: string) => [...DOCKERFILE.slice(0, 3), cmd];

const silent = (what: string, over: Record<string, string | string[] | undefined>): RuleCase => ({
  name: `condition ${what}`,
  repo: repo(over),
  expect: [],
});

/** A Kubernetes workload of the image the script builds, applied by the root kustomization. */
const k8s = (kind: string, ...container: string[]) =>
  [
    'apiVersion: apps/v1',
    `kind: ${kind}`,
    'metadata:',
    '  name: api',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: api',
    '          image: registry.example.com/team/api:1.0',
    ...container,
  ].join('\n');
const K8S_REPO = {
  'compose.yaml': undefined,
  'build.sh':
    '#!/bin/sh\ndocker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com/team/api:1.0 --push .\n',
  'kustomization.yaml': 'resources:\n  - k8s/api.yaml\n',
};
const PROBE = [
  '          readinessProbe:',
  '            httpGet:',
  '              path: /health',
  '              port: 8000',
];

ruleTest(rule, [
  {
    name: 'a compose service with ports runs the image CMD `python app.py`, a script that prints and exits',
    repo: repo(),
    expect: [
      at(R, 'warning', 'compose.yaml', 4, 12, {
        message:
          /^compose service "web" is long-running with port 8000, but the image's ENTRYPOINT\/CMD runs `python app\.py`, a script with no server call, loop or thread \(`app\.py`\): the container exits when done and nothing listens$/,
        related: ["Dockerfile:4 the image's CMD"],
        reachable: true,
      }),
    ],
  },
  {
    name: 'another service overrides the command with gunicorn: an error, the overriding service related',
    repo: repo({ 'compose.yaml': compose(...SERVER) }),
    expect: [
      at(R, 'error', 'compose.yaml', 4, 12, {
        message:
          /nothing listens; compose service "server" runs the same image with `gunicorn -b 0\.0\.0\.0:8000 wsgi:app`, so the image's own command is not the server$/,
        related: [
          "Dockerfile:4 the image's CMD",
          'compose.yaml:9 compose service "server" starts the server: `gunicorn -b 0.0.0.0:8000 wsgi:app`',
        ],
      }),
    ],
  },
  {
    name: 'a migration as the CMD (`alembic upgrade head`)',
    repo: repo({ Dockerfile: dfCmd('CMD ["alembic", "upgrade", "head"]') }),
    expect: [
      at(R, 'warning', 'compose.yaml', 4, 12, {
        message: /runs `alembic upgrade head`, a database migration:/,
      }),
    ],
  },
  {
    name: '`python manage.py migrate` in shell form, and `flask db upgrade` set by the service',
    repo: repo({
      Dockerfile: dfCmd('CMD python manage.py migrate'),
      'compose.yaml': [
        ...compose(),
        '  admin:',
        '    build: .',
        '    image: example/app:dev',
        '    command: ["flask", "db", "upgrade"]',
        '    healthcheck:',
        '      test: ["CMD", "curl", "-f", "http://localhost:5000/"]',
      ],
    }),
    expect: [
      at(R, 'warning', 'compose.yaml', 4, 12, {
        message: /runs `python manage\.py migrate`, a database migration/,
      }),
      at(R, 'warning', 'compose.yaml', 9, 12, {
        message:
          /^compose service "admin" is long-running with a healthcheck, but its command runs `flask db upgrade`/,
      }),
    ],
  },
  {
    name: '`echo` and `python -c` code that prints',
    repo: repo({
      Dockerfile: dfCmd('CMD echo ready'),
      'compose.yaml': [
        ...compose(),
        '  check:',
        '    image: example/app:dev',
        '    command: ["python", "-c", "import sys; print(sys.version)"]',
        '    expose:',
        '      - "9000"',
      ],
    }),
    expect: [
      at(R, 'warning', 'compose.yaml', 4, 12, {
        message: /runs `echo ready`, a command that prints and exits/,
      }),
      at(R, 'warning', 'compose.yaml', 8, 12, {
        message:
          /with port 9000, but its command runs `python -c import sys; print\(sys\.version\)`, inline `python -c` code/,
      }),
    ],
  },
  {
    name: 'Deployments (a probe, two workloads) of an image a script builds: one finding, the other as site',
    repo: repo({
      ...K8S_REPO,
      'kustomization.yaml': 'resources:\n  - k8s/api.yaml\n  - k8s/api2.yaml\n',
      'k8s/api.yaml': k8s('Deployment', ...PROBE),
      'k8s/api2.yaml': k8s('StatefulSet', '          ports:', '            - containerPort: 8000').replace(
        'name: api\nspec',
        'name: api2\nspec',
      ),
    }),
    expect: [
      at(R, 'warning', 'k8s/api.yaml', 10, 18, {
        message:
          /^Deployment "api" and StatefulSet "api2" are long-running with port 8000 and a readiness probe, but/,
        sites: ['k8s/api2.yaml:10'],
      }),
    ],
  },
  {
    name: '`python -m app` (a module file, no package of that name), wrapped in `sh -c` and tini',
    repo: repo({ Dockerfile: dfCmd('CMD ["tini", "--", "sh", "-c", "exec python -m app"]') }),
    expect: [
      at(R, 'warning', 'compose.yaml', 4, 12, {
        message: /runs `python -m app`, a script with no server call, loop or thread \(`app\.py`\)/,
      }),
    ],
  },
  silent('"long-running": a Job with a port runs to completion by design', {
    ...K8S_REPO,
    'k8s/api.yaml': k8s('Job', '          ports:', '            - containerPort: 8000'),
  }),
  silent('"long-running": an init container with a port runs the migration before the server starts', {
    ...K8S_REPO,
    'k8s/api.yaml': k8s(
      'Deployment',
      '          args: ["gunicorn", "-b", "0.0.0.0:8000", "wsgi:app"]',
      '      initContainers:',
      '        - name: migrate',
      '          image: registry.example.com/team/api:1.0',
      '          ports:',
      '            - containerPort: 8000',
    ),
  }),
  {
    name: 'the same Deployment with the migration as a second main container: reported',
    repo: repo({
      ...K8S_REPO,
      'k8s/api.yaml': k8s(
        'Deployment',
        '          args: ["gunicorn", "-b", "0.0.0.0:8000", "wsgi:app"]',
        '        - name: migrate',
        '          image: registry.example.com/team/api:1.0',
        '          ports:',
        '            - containerPort: 8000',
      ),
    }),
    expect: [
      at(R, 'error', 'k8s/api.yaml', 13, 18, {
        message:
          /^Deployment "api" is long-running with port 8000, but the image's ENTRYPOINT\/CMD runs `python app\.py`.*; Deployment "api" runs the same image with `gunicorn -b 0\.0\.0\.0:8000 wsgi:app`/,
        related: [
          "Dockerfile:4 the image's CMD",
          'k8s/api.yaml:11 Deployment "api" starts the server: `gunicorn -b 0.0.0.0:8000 wsgi:app`',
        ],
      }),
    ],
  },
  silent('"ports or probes": a compose service with neither (a one-shot task)', {
    'compose.yaml': ['services:', '  web:', '    build: .'],
  }),
  {
    name: 'a compose service without ports that compose restarts always, and one with a healthcheck without a port',
    repo: repo({
      'compose.yaml': [
        'services:',
        '  web:',
        '    build: .',
        '    image: example/app:dev',
        '    restart: unless-stopped',
        '  check:',
        '    image: example/app:dev',
        '    command: ["alembic", "upgrade", "head"]',
        '    healthcheck:',
        '      test: ["CMD", "python", "-c", "print(1)"]',
      ],
    }),
    expect: [
      at(R, 'warning', 'compose.yaml', 4, 12, {
        message:
          /^compose service "web" is long-running with `restart: unless-stopped`, .*: the container exits, compose restarts it in a loop and nothing ever listens$/,
      }),
      at(R, 'warning', 'compose.yaml', 7, 12, {
        message:
          /^compose service "check" is long-running with a healthcheck, but its command runs `alembic upgrade head`/,
      }),
    ],
  },
  {
    name: 'a workload whose own command is the batch program stays a warning when another one starts the server',
    repo: repo({
      'compose.yaml': [
        ...compose('    command: ["gunicorn", "-b", "0.0.0.0:8000", "wsgi:app"]'),
        '  migrate:',
        '    image: example/app:dev',
        '    command: ["alembic", "upgrade", "head"]',
        '    restart: always',
      ],
    }),
    expect: [
      at(R, 'warning', 'compose.yaml', 9, 12, {
        message: /its command runs `alembic upgrade head`/,
        related: [],
      }),
    ],
  },
  silent('"restart": `on-failure` leaves a clean exit alone', {
    'compose.yaml': ['services:', '  web:', '    build: .', '    restart: on-failure'],
  }),
  silent('"healthcheck": a disabled one (`NONE`)', {
    'compose.yaml': ['services:', '  web:', '    build: .', '    healthcheck:', '      test: ["NONE"]'],
  }),
  silent('"batch": the service overrides the command with the server', {
    'compose.yaml': compose('    command: ["gunicorn", "-b", "0.0.0.0:8000", "wsgi:app"]'),
  }),
  silent('"batch": a shell list that migrates then starts the server', {
    Dockerfile: dfCmd('CMD alembic upgrade head && exec gunicorn -b 0.0.0.0:8000 wsgi:app'),
  }),
  silent('"batch": `alembic current` is not a migration', {
    Dockerfile: dfCmd('CMD ["alembic", "current"]'),
  }),
  silent('"no server call": `app.run(`', { 'app.py': [...APP, 'app.run(host="0.0.0.0")'] }),
  silent('"no loop": `while True`', { 'app.py': ['import time', 'while True:', '    print(1)'] }),
  silent('"no sleep": `time.sleep`', {
    'app.py': ['import time', 'for i in range(10):', '    time.sleep(60)'],
  }),
  silent('"no threads": `threading`', { 'app.py': ['import threading', 'print(threading.active_count())'] }),
  silent('"no server module": `http.server`', { 'app.py': ['import http.server', 'print(1)'] }),
  silent('"no server framework": `from flask import Flask`', {
    'app.py': ['from flask import Flask', 'print(1)'],
  }),
  silent('"no local code": it imports a module of the repository', {
    'app.py': ['import settings', 'print(settings.MODE)'],
    'settings.py': 'MODE = "web"\n',
  }),
  silent('"no local code": a package of the repository shadows a standard-library name', {
    'app.py': ['import email.sender', 'email.sender.send_all()'],
    'email/__init__.py': '',
    'email/sender.py': 'def send_all():\n    pass\n',
  }),
  silent('"no local code": a relative import of a standard-library name', {
    'app.py': ['from .logging import setup', 'setup()'],
  }),
  silent('"no local code": a relative import', { 'app.py': ['from . import settings', 'print(1)'] }),
  silent('"no code loaded by name": importlib', {
    'app.py': ['import importlib', 'importlib.import_module("x")'],
  }),
  silent('"in the image": compose bind-mounts a folder over the code', {
    'compose.yaml': compose('    volumes:', '      - ./src:/app'),
  }),
  silent('"in the repository": the file is not copied from the context', {
    Dockerfile: dfCmd('CMD ["python", "/usr/local/bin/tool.py"]'),
  }),
  silent('"-m module": a package folder of that name is imported first', {
    Dockerfile: dfCmd('CMD ["python", "-m", "app"]'),
    'app/__init__.py': 'from .server import serve\n',
    'app/__main__.py': 'serve()\n',
  }),
  silent('unknown: the base image may set an ENTRYPOINT of its own', {
    Dockerfile: ['FROM registry.example.com/base:1', 'WORKDIR /app', 'COPY . .', 'CMD ["python", "app.py"]'],
  }),
  silent('unknown: a wrapper script runs first (it may start the server)', {
    Dockerfile: [...DOCKERFILE.slice(0, 3), 'ENTRYPOINT ["/app/start.sh"]', 'CMD ["python", "app.py"]'],
    'start.sh': '#!/bin/sh\ngunicorn wsgi:app &\nexec "$@"\n',
  }),
  silent('unknown: the context holds a notebook whose imports are not read', { 'nb.ipynb': '{}' }),
  silent('unknown: the image the service runs is not built here', {
    'compose.yaml': [
      'services:',
      '  web:',
      '    image: example/other:1',
      '    ports:',
      '      - "8000:8000"',
    ],
  }),
]);
