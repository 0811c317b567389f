// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` text literally.
/**
 * unused-entrypoint-script, one condition at a time: what the container runs (plain programs, interpreters, `sh -c`,
 * init wrappers), which variables count (conventional names, `$(command)`), where its entry file's code comes from
 * (local imports in Python and JavaScript, generic reads of the environment), and which deployments count.
 */
import rule from '../../src/rules/unused-entrypoint-script.js';
import { at, type Expected, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'unused-entrypoint-script';
const U = 'unresolved-value';
const SCRIPT_PATH = '/usr/local/bin/docker-entrypoint.sh';

const SCRIPT = [
  '#!/bin/sh',
  'set -e',
  'if [ "$RUN_MIGRATIONS" = "true" ]; then python migrate.py; fi',
  'until nc -z "${DB_HOST}" 5432; do sleep 1; done',
  'exec "$@"',
  '',
].join('\n');

/** Lines 1–5: base, WORKDIR, the app, the script, its chmod; then `rest` (line 6 on). */
const df = (rest: string[], from = 'FROM python:3.12-slim', app = 'COPY app.py .') => [
  from,
  'WORKDIR /app',
  app,
  `COPY docker-entrypoint.sh ${SCRIPT_PATH.replace(/[^/]*$/, '')}`,
  `RUN chmod +x ${SCRIPT_PATH}`,
  ...rest,
];

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

function repo(over: Record<string, string | string[] | undefined> = {}) {
  const files: Record<string, string> = {};
  const all: Record<string, string | string[] | undefined> = {
    Dockerfile: df(['CMD ["python", "app.py"]']),
    'docker-entrypoint.sh': SCRIPT,
    'app.py': 'import os\nprint(os.environ.get("APP_MODE", "web"))\n',
    'compose.yaml': compose(),
    ...over,
  };
  for (const [k, v] of Object.entries(all))
    if (v !== undefined) files[k] = Array.isArray(v) ? `${v.join('\n')}\n` : v;
  return { files };
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The finding at the script's COPY (line 4): the container runs `process`; `names` are the variables named. */
const unused = (process: string, names = '`DB_HOST` and `RUN_MIGRATIONS`', file = 'Dockerfile'): Expected =>
  at(R, 'warning', file, 4, 1, {
    message: new RegExp(
      `^\`${literal(SCRIPT_PATH)}\` is copied in and made executable, but nothing runs it: the container runs \`${literal(process)}\`\\. ${literal(names)}, set by`,
    ),
  });

/** The note that blocks the check: `reason` in full, at `file:line:column`. */
const note = (reason: string, line: number, column = 1, file = 'Dockerfile'): Expected =>
  at(U, 'info', file, line, column, {
    message: new RegExp(
      `^${literal(reason)}; not checked: whether the variables deployments set for \`${literal(SCRIPT_PATH)}\` have any effect \\(${R}\\)$`,
    ),
  });

const reads = (file: string) => `${file} reads its settings through other code crossdock does not read`;

/** Every case compares the rule's findings and the notes. */
const cases: RuleCase[] = [];
const add = (name: string, over: Record<string, string | string[] | undefined>, expect: Expected[]) =>
  cases.push({ name, repo: repo(over), expect, only: [R, U] });

// What the container runs: programs known to read no application variable.
for (const p of ['nginx', 'httpd', 'redis-server', 'memcached', 'sleep', 'tail', 'cat', 'echo', 'true'])
  add(`program: \`${p}\` reads no application variable`, { Dockerfile: df([`CMD ["${p}"]`]) }, [unused(p)]);
add(
  'program: a plain program whose path has a variable is not known',
  { Dockerfile: df(['CMD ["${BIN}/nginx"]']) },
  [note('what `nginx` reads from its environment is not known', 6)],
);
add('program: `python3.12` is an interpreter', { Dockerfile: df(['CMD ["python3.12", "app.py"]']) }, [
  unused('python3.12 app.py'),
]);
add(
  'program: `apython` is not an interpreter (the name is matched whole)',
  { Dockerfile: df(['CMD ["apython", "app.py"]']) },
  [note('what `apython` reads from its environment is not known', 6)],
);
add(
  'program: `python-x` is not an interpreter (the name is matched whole)',
  { Dockerfile: df(['CMD ["python-x", "app.py"]']) },
  [note('what `python-x` reads from its environment is not known', 6)],
);
add('program: an empty `sh -c` runs nothing known', { Dockerfile: df(['CMD ["sh", "-c", ""]']) }, [
  note('the command the image runs is not known', 6),
]);
add('program: `sh -c` without its string runs nothing known', { Dockerfile: df(['CMD ["sh", "-c"]']) }, [
  note('the command the image runs is not known', 6),
]);
add(
  'program: no CMD at all (the base image runs its own), the note is at the script',
  { Dockerfile: df([]) },
  [note('the command the image runs is not known', 4)],
);

// `sh -c` and its string.
add(
  "sh -c: the program is the string's first word",
  { Dockerfile: df(['CMD ["sh", "-c", "exec python app.py"]']) },
  [unused('sh -c exec python app.py')],
);
add('sh -c: `/bin/bash -c` as well', { Dockerfile: df(['CMD ["/bin/bash", "-c", "exec python app.py"]']) }, [
  unused('/bin/bash -c exec python app.py'),
]);
add(
  'sh -c: a program whose name only begins with `sh` is not a shell',
  { Dockerfile: df(['CMD ["shim", "-c", "python app.py"]']) },
  [note('what `shim` reads from its environment is not known', 6)],
);
add('sh -c: `bash -lc` is not `-c`', { Dockerfile: df(['CMD ["bash", "-lc", "python app.py"]']) }, [
  note('what `bash` reads from its environment is not known', 6),
]);
add('sh -c: `python -c` is not a shell', { Dockerfile: df(['CMD ["python", "-c", "import app"]']) }, [
  note('the program `python -c import app` runs is not read from the repository', 6),
]);
add(
  'sh -c: a single-quoted word with a space is one word (the note names the first three)',
  { Dockerfile: df(['CMD ["sh", "-c", "exec python \'main app.py\' --flag --other"]']) },
  [note('the program `python main app.py --flag` runs is not read from the repository', 6)],
);
add(
  'sh -c: a double-quoted word with a space is one word',
  { Dockerfile: df(['CMD ["sh", "-c", "exec python \\"main app.py\\" --flag --other"]']) },
  [note('the program `python main app.py --flag` runs is not read from the repository', 6)],
);
add(
  'sh -c: only quotes around a word are removed',
  { Dockerfile: df(['CMD ["sh", "-c", "exec python main.py it\'s"]']) },
  [note("the program `python main.py it's` runs is not read from the repository", 6)],
);
add(
  'sh -c: the command line reads a variable itself: only the other is named',
  { Dockerfile: df(['CMD ["sh", "-c", "exec python app.py --db $DB_HOST"]']) },
  [unused('sh -c exec python app.py --db $DB_HOST', '`RUN_MIGRATIONS`')],
);

// Init wrappers run the program that follows them.
for (const w of [
  ['tini', '--'],
  ['dumb-init'],
  ['/usr/bin/tini', '--'],
  ['/tini', '--'],
  ['/sbin/tini', '--'],
])
  add(
    `init: \`${w.join(' ')}\` runs the program after it`,
    { Dockerfile: df([`CMD [${[...w, 'python', 'app.py'].map((s) => `"${s}"`).join(', ')}]`]) },
    [unused([...w, 'python', 'app.py'].join(' '))],
  );

// The image's instructions: what they name, where notes go, the base image's ENTRYPOINT.
add(
  'instructions: a LABEL naming a variable does not read it',
  { Dockerfile: df(['CMD ["python", "app.py"]', 'LABEL vars="DB_HOST"']) },
  [unused('python app.py')],
);
add(
  'instructions: a HEALTHCHECK reading a variable reads it',
  { Dockerfile: df(['CMD ["python", "app.py"]', 'HEALTHCHECK CMD nc -z "$DB_HOST" 5432 || exit 1']) },
  [unused('python app.py', '`RUN_MIGRATIONS`')],
);
add(
  'instructions: the note is at the last of CMD and ENTRYPOINT',
  { Dockerfile: df(['CMD ["--port", "80"]', 'ENTRYPOINT ["/app/server"]']) },
  [note('what `server` reads from its environment is not known', 7)],
);
add(
  "instructions: an ENTRYPOINT of the image's own, on a base whose ENTRYPOINT is not known",
  {
    Dockerfile: df(['ENTRYPOINT ["node", "app.js"]'], 'FROM node:20-slim', 'COPY app.js .'),
    'app.py': undefined,
    'app.js': 'console.log(process.env.APP_MODE);\n',
  },
  [unused('node app.js')],
);
add(
  'instructions: an ENTRYPOINT without CMD runs with no arguments',
  { Dockerfile: df(['ENTRYPOINT ["python", "app.py"]']) },
  [unused('python app.py')],
);
add(
  "instructions: the base's unknown ENTRYPOINT is noted at the root stage's image",
  {
    Dockerfile: [
      'FROM node:20-slim AS base',
      'FROM base',
      ...df(['CMD ["node", "app.js"]'], '', 'COPY app.js .').slice(1),
    ],
    'app.py': undefined,
    'app.js': 'console.log(process.env.APP_MODE);\n',
  },
  [note('the ENTRYPOINT of node:20-slim is not known (it may run the script)', 1, 6)],
);
add(
  'instructions: a base image that is not known',
  { Dockerfile: df(['CMD ["python", "app.py"]'], 'ARG BASE\nFROM ${BASE}') },
  [note('the base image, and so its ENTRYPOINT, is not known', 2, 6)],
);

add(
  "instructions: the image's own CMD and HEALTHCHECK are read line by line, even when the service overrides them",
  {
    Dockerfile: df(['CMD python app.py DB_HOST', 'HEALTHCHECK CMD true']),
    'compose.yaml': compose(undefined, ['    command: ["python", "app.py"]']),
  },
  [unused('python app.py', '`RUN_MIGRATIONS`')],
);

// The deployment's command.
add(
  "deployment: compose `entrypoint:` replaces the image's, on a base whose ENTRYPOINT is not known",
  {
    Dockerfile: df(['CMD ["node", "app.js"]'], 'FROM node:20-slim', 'COPY app.js .'),
    'app.py': undefined,
    'app.js': 'console.log(process.env.APP_MODE);\n',
    'compose.yaml': compose(undefined, ['    entrypoint: ["node", "app.js"]']),
  },
  [unused('node app.js')],
);
add(
  'deployment: the note is at the compose `command:`',
  { 'compose.yaml': compose(undefined, ['    command: ["/app/server"]']) },
  [note('what `server` reads from its environment is not known', 4, 14, 'compose.yaml')],
);
add(
  'deployment: a service that sets no variable the script reads blocks nothing',
  { Dockerfile: df(['CMD ["/app/server"]']), 'compose.yaml': compose({ APP_MODE: 'web' }) },
  [],
);
add(
  "deployment: only the services of this build count (another build's, a pulled image's do not)",
  {
    'compose.yaml': [
      'services:',
      '  web:',
      '    build: .',
      '    environment:',
      '      APP_MODE: web',
      '  worker:',
      '    build: ./worker',
      '    environment:',
      '      RUN_MIGRATIONS: "true"',
      '  db:',
      '    image: postgres:16',
      '    environment:',
      '      DB_HOST: db',
      '',
    ].join('\n'),
    'worker/Dockerfile': 'FROM python:3.12-slim\nCMD ["python", "-c", "pass"]\n',
  },
  [],
);
add(
  'deployment: three variables are listed with commas and `and`',
  {
    'docker-entrypoint.sh': SCRIPT.replace('exec', 'echo "$DB_NAME"\nexec'),
    'compose.yaml': compose({ RUN_MIGRATIONS: '"true"', DB_HOST: 'db', DB_NAME: 'app' }),
  },
  [unused('python app.py', '`DB_HOST`, `DB_NAME` and `RUN_MIGRATIONS`')],
);

// The script.
add(
  'script: `$(RUN_MIGRATIONS)` runs a command, it reads no variable',
  { 'docker-entrypoint.sh': SCRIPT.replace('"$RUN_MIGRATIONS"', '"$(RUN_MIGRATIONS)"') },
  [unused('python app.py', '`DB_HOST`')],
);
add(
  'script: a script that names itself (a usage line) is still unused',
  { 'docker-entrypoint.sh': SCRIPT.replace('set -e', 'set -e\n# usage: docker-entrypoint.sh command') },
  [unused('python app.py')],
);

// The entry file: read with the other files `-m` may run, its own imports.
add(
  'entry file: `python -m pkg` reads `pkg/__main__.py` and `pkg/__init__.py`; one reading a variable reads it',
  {
    Dockerfile: df(['CMD ["python", "-m", "pkg"]'], undefined, 'COPY pkg pkg'),
    'app.py': undefined,
    'pkg/__init__.py': '',
    'pkg/__main__.py': 'import os\nprint(os.environ.get("DB_HOST"))\n',
  },
  [unused('python -m pkg', '`RUN_MIGRATIONS`')],
);
const PY_LOCAL: [string, string][] = [
  ['`import settings`', 'import settings\n'],
  ['`from  settings import` (two spaces)', 'from  settings import DB\n'],
  ['`from settings  import` (two spaces)', 'from settings  import DB\n'],
  ['`import  settings` (two spaces)', 'import  settings\n'],
  ['an indented import', 'if True:\n    import settings\n'],
  ['`from .settings import` (relative)', 'from .settings import DB\n'],
];
for (const [what, text] of PY_LOCAL)
  add(`entry file: ${what} is local code`, { 'app.py': text, 'settings.py': 'DB = 1\n' }, [
    note(reads('app.py'), 6),
  ]);
add(
  'entry file: `import` inside a string is not an import',
  { 'app.py': 'print("import settings")\n', 'settings.py': 'DB = 1\n' },
  [unused('python app.py')],
);
cases.push({
  name: 'entry file: a module outside the build context is not local code (the import is of an installed package)',
  only: [R, U],
  repo: {
    files: {
      'svc/Dockerfile': `${df(['CMD ["python", "app.py"]']).join('\n')}\n`,
      'svc/docker-entrypoint.sh': SCRIPT,
      'svc/app.py': 'import settings\n',
      'settings.py': 'DB = 1\n',
      'compose.yaml': compose().replace('build: .', 'build: ./svc'),
    },
  },
  expect: [unused('python app.py', undefined, 'svc/Dockerfile')],
});
const JS_LOCAL: [string, string][] = [
  ["`require('./lib')`", "const lib = require('./lib');\n"],
  ["`require ( './lib')` (spaces)", "const lib = require ( './lib');\n"],
  ["`import … from './lib.js'`", "import lib from './lib.js';\n"],
  ["`import … from  './lib.js'` (two spaces)", "import lib from  './lib.js';\n"],
];
for (const [what, text] of JS_LOCAL)
  add(
    `entry file: ${what} is local code`,
    {
      Dockerfile: df(['ENTRYPOINT ["node", "app.js"]'], 'FROM node:20-slim', 'COPY app.js lib.js ./'),
      'app.py': undefined,
      'app.js': text,
      'lib.js': 'module.exports = process.env.DB_HOST;\n',
    },
    [note(reads('app.js'), 6)],
  );

// Variables read by runtimes and libraries: a multi-letter name of each family is conventional; a name that only
// ends or begins like one is not.
const CONVENTIONAL = [
  'LC_ALL',
  'PYTHONUNBUFFERED',
  'PIP_INDEX_URL',
  'NODE_ENV',
  'NPM_CONFIG_REGISTRY',
  'JAVA_OPTS',
  'GUNICORN_CMD_ARGS',
  'UVICORN_PORT',
  'FLASK_APP',
  'DJANGO_SETTINGS_MODULE',
  'CELERY_BROKER_URL',
  'HTTP_PROXY',
  'AWS_REGION',
  'GOOGLE_CLOUD_PROJECT',
  'AZURE_CLIENT_ID',
  'OTEL_SERVICE_NAME',
  'SSL_CERT_FILE',
  'LD_PRELOAD',
  'MALLOC_ARENA_MAX',
  'GOMAXPROCS',
  'RUST_LOG',
  'KUBERNETES_SERVICE_HOST',
];
add(
  'variables: the conventional families, read by the runtime itself',
  {
    'docker-entrypoint.sh': `#!/bin/sh\n${CONVENTIONAL.map((n) => `echo "$${n}"`).join('\n')}\nexec "$@"\n`,
    'compose.yaml': compose(Object.fromEntries(CONVENTIONAL.map((n) => [n, 'x']))),
  },
  [],
);
add(
  'variables: `APP_PORT` only ends like `PORT`, `HOST_ALIAS` only begins like `HOST`',
  {
    'docker-entrypoint.sh': '#!/bin/sh\necho "$APP_PORT $HOST_ALIAS"\nexec "$@"\n',
    'compose.yaml': compose({ APP_PORT: '8000', HOST_ALIAS: 'db' }),
  },
  [unused('python app.py', '`APP_PORT` and `HOST_ALIAS`')],
);

// Generic reads of the environment in the entry file.
const PY_GENERIC = [
  'dict(os.environ)',
  'dict(os.environ )',
  'os.environ.get(name)',
  'os.environ.get( name)',
  'os.environ[name]',
  'os.environ[ name]',
  'os.getenv( name)',
];
for (const g of PY_GENERIC)
  add(
    `entry file: \`${g}\` reads variables it does not name`,
    { 'app.py': `import os\nname = "A"\nprint(${g})\n` },
    [note(reads('app.py'), 6)],
  );
const JS_GENERIC = [
  'console.log(process.env)',
  'console.log(process.env )',
  'process.env[name]',
  'process.env[ name]',
];
for (const g of JS_GENERIC)
  add(
    `entry file: \`${g}\` reads variables it does not name`,
    {
      Dockerfile: df(['ENTRYPOINT ["node", "app.js"]'], 'FROM node:20-slim', 'COPY app.js ./'),
      'app.py': undefined,
      'app.js': `const name = 'A';\nconsole.log(${g});\n`,
    },
    [note(reads('app.js'), 6)],
  );

add(
  'targets: a script one target runs (web) is not unused in another (worker) built from the same COPY',
  {
    Dockerfile: [
      ...df([], 'FROM python:3.12-slim AS base'),
      'FROM base AS web',
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      'CMD ["python", "app.py"]',
      'FROM base AS worker',
      'CMD ["python", "app.py"]',
    ],
    'compose.yaml': [
      'services:',
      '  web:',
      '    build: { context: ., target: web }',
      '    environment:',
      '      APP_MODE: web',
      '  worker:',
      '    build: { context: ., target: worker }',
      '    environment:',
      '      RUN_MIGRATIONS: "true"',
      '',
    ].join('\n'),
  },
  [],
);
add(
  'workdir: an entry file relative to a WORKDIR that is not known is not read',
  {
    Dockerfile: df(['CMD ["python", "app.py"]']).map((l) =>
      l === 'WORKDIR /app' ? 'ARG DIR\nWORKDIR $DIR' : l,
    ),
  },
  [note('the program `python app.py` runs is not read from the repository', 7)],
);

ruleTest(rule, cases);
