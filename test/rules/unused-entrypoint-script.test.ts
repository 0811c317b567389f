// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` text literally.
import rule from '../../src/rules/unused-entrypoint-script.js';
import { at, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'unused-entrypoint-script';
const U = 'unresolved-value';

/** The wrapper: waits for the database, runs migrations when asked, then the command. */
const SCRIPT = [
  '#!/bin/sh',
  'set -e',
  'if [ "$RUN_MIGRATIONS" = "true" ]; then python migrate.py; fi',
  'until nc -z "${DB_HOST}" 5432; do sleep 1; done',
  'exec "$@"',
  '',
].join('\n');

const DOCKERFILE = [
  'FROM python:3.12-slim',
  'WORKDIR /app',
  'COPY app.py .',
  'COPY docker-entrypoint.sh /usr/local/bin/',
  'RUN chmod +x /usr/local/bin/docker-entrypoint.sh',
  'CMD ["python", "app.py"]',
];

/** A compose service built from `.` that sets these variables. */
const compose = (
  env: Record<string, string> = { RUN_MIGRATIONS: '"true"', DB_HOST: 'db' },
  extra: string[] = [],
) =>
  [
    'services:',
    '  web:',
    '    build: .',
    ...extra,
    '    environment:',
    ...Object.entries(env).map(([k, v]) => `      ${k}: ${v}`),
    '',
  ].join('\n');

/** The repository of the first case, with files replaced (undefined: removed). */
function repo(over: Record<string, string | string[] | undefined> = {}) {
  const files: Record<string, string> = {};
  const all: Record<string, string | string[] | undefined> = {
    Dockerfile: DOCKERFILE,
    'docker-entrypoint.sh': SCRIPT,
    'app.py': 'import os\nprint(os.environ.get("APP_MODE", "web"))\n',
    'compose.yaml': compose(),
    ...over,
  };
  for (const [k, v] of Object.entries(all))
    if (v !== undefined) files[k] = Array.isArray(v) ? `${v.join('\n')}\n` : v;
  return { files };
}

/** The Dockerfile with line `n` (1-based) replaced by `lines` (none: removed). */
const dfWith = (n: number, ...lines: string[]) => [
  ...DOCKERFILE.slice(0, n - 1),
  ...lines,
  ...DOCKERFILE.slice(n),
];

const silent = (what: string, over: Record<string, string | string[] | undefined>): RuleCase => ({
  name: `condition ${what}`,
  repo: repo(over),
  expect: [],
});

const K8S = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: api',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: api',
  '          image: registry.example.com/team/api:1.0',
  '          env:',
  '            - name: DB_HOST',
  '              value: postgres',
  '',
].join('\n');

ruleTest(rule, [
  {
    name: 'a copied, chmod +x wrapper that CMD does not run, with compose setting the variables only it reads',
    repo: repo(),
    expect: [
      at(R, 'warning', 'Dockerfile', 4, 1, {
        message:
          /^`\/usr\/local\/bin\/docker-entrypoint\.sh` is copied in and made executable, but nothing runs it: the container runs `python app\.py`\. `DB_HOST` and `RUN_MIGRATIONS`, set by compose service "web", are read only by this script, so they have no effect$/,
        related: [
          'compose.yaml:6 DB_HOST is set here and only docker-entrypoint.sh reads it',
          'compose.yaml:5 RUN_MIGRATIONS is set here and only docker-entrypoint.sh reads it',
        ],
        sites: ['compose.yaml:3'],
        reachable: true,
      }),
    ],
  },
  {
    name: '`COPY --chmod=755` makes it executable too; a script without extension (`entrypoint`) is read as well',
    repo: repo({
      Dockerfile: dfWith(4, 'COPY --chmod=755 entrypoint /entrypoint').filter(
        (l) => !l.startsWith('RUN chmod'),
      ),
      'docker-entrypoint.sh': undefined,
      entrypoint: SCRIPT,
    }),
    expect: [at(R, 'warning', 'Dockerfile', 4, 1, { message: /^`\/entrypoint` is copied in/ })],
  },
  {
    name: 'a Kubernetes Deployment of the image built by a script: its env entry is related, one variable named',
    repo: repo({
      'compose.yaml': undefined,
      'build.sh':
        '#!/bin/sh\ndocker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com/team/api:1.0 --push .\n',
      'k8s/api.yaml': K8S,
    }),
    expect: [
      at(R, 'warning', 'Dockerfile', 4, 1, {
        message: /`DB_HOST`, set by Deployment "api", is read only by this script, so it has no effect$/,
        related: ['k8s/api.yaml:13 DB_HOST is set here and only docker-entrypoint.sh reads it'],
      }),
    ],
  },
  {
    name: 'the entry program reads one of the variables (any case): only the other is named',
    repo: repo({ 'app.py': 'import os\nprint(os.environ.get("db_host"))\n' }),
    expect: [
      at(R, 'warning', 'Dockerfile', 4, 1, {
        message: /\. `RUN_MIGRATIONS`, set by compose service "web", is read only/,
      }),
    ],
  },
  silent('"made executable": no chmod', { Dockerfile: dfWith(5) }),
  silent('"made executable": `COPY --chmod=644` sets no execute bit', {
    Dockerfile: dfWith(4, 'COPY --chmod=644 docker-entrypoint.sh /usr/local/bin/').filter(
      (l) => !l.startsWith('RUN chmod'),
    ),
  }),
  silent('"chmod names the copied path": it makes another file executable', {
    Dockerfile: dfWith(5, 'RUN chmod +x /usr/local/bin/other.sh'),
  }),
  silent('"a wrapper name": `helpers` is not one', {
    Dockerfile: dfWith(4, 'COPY helpers /usr/local/bin/', 'RUN chmod +x /usr/local/bin/helpers').filter(
      (l) => !l.includes('docker-entrypoint'),
    ),
    'docker-entrypoint.sh': undefined,
    helpers: SCRIPT,
  }),
  silent('"copied as one file": `COPY . .` brings it with the tree', {
    Dockerfile: dfWith(4, 'COPY . .').map((l) =>
      l.replace('/usr/local/bin/docker-entrypoint.sh', '/app/docker-entrypoint.sh'),
    ),
  }),
  silent('"ENTRYPOINT does not run it"', {
    Dockerfile: [...DOCKERFILE.slice(0, 5), 'ENTRYPOINT ["docker-entrypoint.sh"]', DOCKERFILE[5] as string],
  }),
  silent('"CMD does not run it": a shell CMD sources it', {
    Dockerfile: dfWith(6, 'CMD ["sh", "-c", ". /usr/local/bin/docker-entrypoint.sh && exec python app.py"]'),
  }),
  silent('"no deployment command runs it": compose `entrypoint:`', {
    'compose.yaml': compose(undefined, ['    entrypoint: ["docker-entrypoint.sh"]']),
  }),
  silent('"no RUN executes it": a RUN runs it at build time', {
    Dockerfile: [
      ...DOCKERFILE.slice(0, 5),
      'RUN /usr/local/bin/docker-entrypoint.sh true',
      DOCKERFILE[5] as string,
    ],
  }),
  silent('"no other file names it": a workflow runs it in the image', {
    '.github/workflows/t.yml':
      'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker compose run web docker-entrypoint.sh pytest\n',
  }),
  silent('"no supervisor": a supervisord configuration is copied in', {
    Dockerfile: [
      ...DOCKERFILE.slice(0, 5),
      'COPY supervisord.conf /etc/supervisor/conf.d/app.conf',
      DOCKERFILE[5] as string,
    ],
    'supervisord.conf': '[program:app]\ncommand=python app.py\n',
  }),
  silent('"a deployment sets a variable it reads": compose sets others', {
    'compose.yaml': compose({ APP_MODE: 'web' }),
  }),
  silent('"only the script reads it": the entry program reads both', {
    'app.py': 'import os\nprint(os.environ["DB_HOST"], os.environ["RUN_MIGRATIONS"])\n',
  }),
  silent('"not a conventional variable": PYTHONPATH is read by Python itself', {
    'docker-entrypoint.sh': '#!/bin/sh\necho "$PYTHONPATH"\nexec "$@"\n',
    'compose.yaml': compose({ PYTHONPATH: '/app' }),
  }),
  silent('"a deployment of this build": the service pulls another image', {
    'compose.yaml': compose(undefined).replace('build: .', 'image: example/other:1.0'),
  }),
  {
    name: 'unknown: the base image may set an ENTRYPOINT that runs the script (node: docker-entrypoint.sh): a note',
    only: [R, U],
    repo: repo({ Dockerfile: ['FROM node:20-slim', ...DOCKERFILE.slice(1, 5), 'CMD ["node", "app.js"]'] }),
    expect: [at(U, 'info', 'Dockerfile', 1, 6, { message: /ENTRYPOINT of node:20-slim is not known/ })],
  },
  {
    name: 'unknown: the entry file is not in the image from the repository: a note',
    only: [R, U],
    repo: repo({ Dockerfile: dfWith(6, 'CMD ["python", "main.py"]') }),
    expect: [at(U, 'info', 'Dockerfile', 6, 1, { message: /is not read from the repository/ })],
  },
  {
    name: 'unknown: the entry file imports a module of its own, which may read the variables: a note',
    only: [R, U],
    repo: repo({
      'app.py': 'from settings import DB\nprint(DB)\n',
      'settings.py': 'import os\nDB = os.environ["DB_HOST"]\n',
    }),
    expect: [at(U, 'info', 'Dockerfile', 6, 1, { message: /app\.py reads its settings through other code/ })],
  },
  {
    name: 'unknown: a namespace package of its own (no `__init__.py`) counts as local code too',
    only: [R, U],
    repo: repo({ 'app.py': 'from conf.db import DB\nprint(DB)\n', 'conf/db.py': 'DB = 1\n' }),
    expect: [at(U, 'info', 'Dockerfile', 6, 1, { message: /app\.py reads its settings through other code/ })],
  },
  {
    name: 'unknown: the entry file reads a variable whose name is computed (`os.getenv(name)`): a note',
    only: [R, U],
    repo: repo({ 'app.py': 'import os\nfor name in ["A"]:\n    print(os.getenv(name))\n' }),
    expect: [at(U, 'info', 'Dockerfile', 6, 1, { message: /app\.py reads its settings through other code/ })],
  },
  {
    name: 'unknown: a program whose environment use is not known (a compiled server): a note',
    only: [R, U],
    repo: repo({ Dockerfile: dfWith(6, 'CMD ["/app/server"]') }),
    expect: [
      at(U, 'info', 'Dockerfile', 6, 1, { message: /what `server` reads from its environment is not known/ }),
    ],
  },
]);
