// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose fixtures hold `${VAR}` text literally.
import envUndeclared from '../../src/rules/env-undeclared.js';
import missingFile from '../../src/rules/missing-file.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const compose = [
  'services:',
  '  api:',
  '    image: ghcr.io/acme/api:${TAG:-latest}',
  '    environment:',
  '      DATABASE_URL: postgres://app:${DB_PASSWORD}@db/app',
  '      SECRET_KEY: ${SECRET_KEY}',
  '      LOG_LEVEL: $LOG_LEVEL',
  '      SENTRY_DSN: ${SENTRY_DSN-}',
  '      PORT: ${PORT:?set PORT in .env}',
  '      GREETING: "costs $$5"',
  '    command: ["gunicorn", "-b", "0.0.0.0:${PORT:?}", "--log-level", "${LOG_LEVEL}"]',
  '  worker:',
  '    image: ghcr.io/acme/api:${TAG:-latest}',
  '    environment:',
  '      SECRET_KEY: ${SECRET_KEY}',
  '      FEATURE_FLAGS:',
  '  db:',
  '    image: postgres:16',
  '    environment:',
  '      POSTGRES_PASSWORD: ${DB_PASSWORD}',
  '',
].join('\n');

const example = [
  '# copy to .env and fill in',
  'DB_PASSWORD=change-me',
  'export LOG_LEVEL=info',
  'FEATURE_FLAGS',
  '',
].join('\n');

const ciWorkflow = [
  'name: ci',
  'on:',
  '  pull_request:',
  'jobs:',
  '  test:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - name: Configure',
  '        run: |',
  '          cp .env.example .env',
  '          cp ./config/.env.sample config/.env',
  '          cp deploy/settings.env.template settings.env',
  '          cp -f secrets/.env.dist .env.local',
  '          cp README.md /tmp/readme',
  '      - run: docker compose up -d --wait',
  '',
].join('\n');

const CI = '.github/workflows/ci.yml';

/** A one-job workflow with the given steps. */
const wf = (steps: string[], jobExtra: string[] = []) =>
  [
    'on: push',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    ...jobExtra,
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...steps,
    '',
  ].join('\n');

/** A compose file whose api service sets X to `value`. */
const composeWith = (value: string) =>
  `services:\n  api:\n    image: ghcr.io/acme/api:1\n    environment:\n      X: ${value}\n`;

ruleTest(envUndeclared, [
  {
    name: 'compose variables without default that .env.example lacks are reported once, at their first use',
    repo: { files: { 'compose.yaml': compose, '.env.example': example } },
    expect: [
      at('env-undeclared', 'warning', 'compose.yaml', 6, 19, {
        message:
          /^`\$\{SECRET_KEY\}` has no default and \.env\.example does not declare it: a fresh checkout gets an empty value \(compose warns "variable is not set"\)$/,
        reachable: true,
      }),
      // `${PORT:?msg}` errors when unset: a default is still missing.
      at('env-undeclared', 'warning', 'compose.yaml', 9, 13, { message: /^`\$\{PORT\}` has no default/ }),
    ],
  },
  {
    name: 'declaring them in the example fixes it',
    repo: { files: { 'compose.yaml': compose, '.env.example': `${example}SECRET_KEY=\nPORT=8000\n` } },
    expect: [],
  },
  {
    name: 'the example env file is looked up next to each compose file, under any of its usual names',
    repo: {
      files: {
        'deploy/docker-compose.prod.yml': compose,
        'deploy/.env.sample': `${example}SECRET_KEY=\n`,
        // At the root, not next to deploy/: not the example of deploy/docker-compose.prod.yml.
        '.env.example': `${example}PORT=8000\n`,
      },
    },
    expect: [
      at('env-undeclared', 'warning', 'deploy/docker-compose.prod.yml', 9, 13, {
        message: /`\$\{PORT\}` has no default and deploy\/\.env\.sample does not declare it/,
      }),
    ],
  },
  // Condition: the variable has no default.
  {
    name: '`$X` and `${X}` without default are reported',
    repo: {
      files: {
        'compose.yaml': composeWith('$X_VALUE'),
        'other/compose.yaml': composeWith('${X_VALUE}/data'),
        '.env.example': 'A=1\n',
        'other/.env.example': 'A=1\n',
      },
    },
    expect: [
      at('env-undeclared', 'warning', 'compose.yaml', 5, 10, { message: /^`\$\{X_VALUE\}` has no default/ }),
      at('env-undeclared', 'warning', 'other/compose.yaml', 5, 10),
    ],
  },
  {
    name: '`${X:-d}`, `${X-}` and `$$X` (escaped) have a value: nothing',
    repo: {
      files: {
        'compose.yaml': composeWith('"${X_VALUE:-1} ${Y_VALUE-} $$Z_VALUE"'),
        '.env.example': 'A=1\n',
      },
    },
    expect: [],
  },
  {
    name: 'HOME, PWD, USER, PATH, HOSTNAME, SHELL, UID, GID, LANG and TERM are never undeclared',
    repo: {
      files: {
        'compose.yaml': [
          'services:',
          '  api:',
          '    image: ghcr.io/acme/api:1',
          '    environment:',
          '      H: ${HOME}',
          '      P: $PWD',
          '      U: ${USER}',
          '      PA: ${PATH}',
          '      HN: ${HOSTNAME}',
          '      S: ${SHELL}',
          '      UI: ${UID}',
          '      G: ${GID}',
          '      L: ${LANG}',
          '      T: ${TERM}',
          '      O: ${OTHER}',
          '',
        ].join('\n'),
        '.env.example': 'A=1\n',
      },
    },
    expect: [at('env-undeclared', 'warning', 'compose.yaml', 15, 10, { message: /^`\$\{OTHER\}`/ })],
  },
  // Condition: a committed example env file.
  {
    name: 'without an example env file, compose variables are not judged',
    repo: { files: { 'compose.yaml': compose } },
    expect: [],
  },
  {
    name: 'an untracked example env file is not the committed one: not judged',
    repo: { files: { 'compose.yaml': compose }, untracked: { '.env.example': example } },
    expect: [],
  },

  // Workflows copying example env files.
  {
    name: 'a workflow copying an example env file that is absent, untracked or ignored: missing-file reports it, not this rule',
    repo: {
      files: { [CI]: ciWorkflow, '.env.example': example, 'README.md': '# app\n' },
      untracked: { 'config/.env.sample': 'X=1\n' },
      ignored: { 'secrets/.env.dist': 'TOKEN=\n' },
    },
    rules: [envUndeclared, missingFile],
    only: ['env-undeclared', 'missing-file'],
    expect: [
      at('missing-file', 'error', CI, 12, 14, {
        message: /config\/\.env\.sample/,
        reachable: true,
      }),
      at('missing-file', 'error', CI, 13, 14, {
        message: /deploy\/settings\.env\.template/,
      }),
      at('missing-file', 'error', CI, 14, 17, {
        message: /secrets\/\.env\.dist/,
      }),
    ],
  },
  {
    name: 'a workflow copying committed example env files reports nothing',
    repo: {
      files: {
        [CI]: ciWorkflow,
        '.env.example': example,
        'config/.env.sample': 'X=1\n',
        'deploy/settings.env.template': 'Y=2\n',
        'secrets/.env.dist': 'TOKEN=\n',
      },
    },
    expect: [],
  },
  {
    name: 'the copied path is relative to the step working directory (`working-directory:`, job defaults, `cd`)',
    repo: {
      files: {
        '.env.example': example,
        [CI]: wf([
          '      - run: cp .env.example .env',
          '        working-directory: app',
          '      - run: cd app && cp .env.example .env',
        ]),
        '.github/workflows/defaults.yml': wf(
          ['      - run: cp .env.example .env'],
          ['    defaults:', '      run:', '        working-directory: app'],
        ),
      },
    },
    rules: [envUndeclared, missingFile],
    only: ['env-undeclared', 'missing-file'],
    expect: [
      at('missing-file', 'error', CI, 7, 17, {
        message: /app\/\.env\.example/,
      }),
      at('missing-file', 'error', CI, 9, 27, { message: /app\/\.env\.example/ }),
      at('missing-file', 'error', '.github/workflows/defaults.yml', 10, 17, {
        message: /app\/\.env\.example/,
      }),
    ],
  },
  {
    name: 'the same steps with app/.env.example committed report nothing',
    repo: {
      files: {
        'app/.env.example': example,
        [CI]: wf([
          '      - run: cp .env.example .env',
          '        working-directory: app',
          '      - run: cd app && cp .env.example .env',
        ]),
      },
    },
    expect: [],
  },
  {
    name: 'a copied path from a variable of the environment is unknown: nothing',
    repo: { files: { [CI]: wf(['      - run: cp "$CONFIG_DIR/.env.example" .env']) } },
    expect: [],
  },
  {
    name: 'condition: a committed `.env` next to the compose file sets the variable on a fresh checkout: not undeclared',
    repo: {
      files: {
        'compose.yaml': 'services:\n  api:\n    image: ghcr.io/acme/api:${TAG}\n',
        '.env.example': 'A=1\n',
        '.env': 'TAG=1.4.0\n',
      },
    },
    expect: [],
  },
  {
    name: 'an untracked `.env` is not on a fresh checkout: the variable is still undeclared',
    repo: {
      files: {
        'compose.yaml': 'services:\n  api:\n    image: ghcr.io/acme/api:${TAG}\n',
        '.env.example': 'A=1\n',
      },
      untracked: { '.env': 'TAG=1.4.0\n' },
    },
    expect: [at('env-undeclared', 'warning', 'compose.yaml', 3, 29)],
  },
  {
    name: 'a matrix value in the copied path is substituted before the shell parses it: b/.env.example is absent',
    repo: {
      files: {
        'a/.env.example': 'A=1\n',
        [CI]: wf(
          ['      - run: cp ${{ matrix.dir }}/.env.example .env'],
          ['    strategy:', '      matrix:', '        dir: [a, b]'],
        ),
      },
    },
    rules: [envUndeclared, missingFile],
    only: ['env-undeclared', 'missing-file'],
    expect: [at('missing-file', 'error', CI, 10, 17, { message: /b\/\.env\.example/ })],
  },
  {
    name: 'a variable inside a quoted or longer value is reported where `${X}` is written, not at the start of the value',
    repo: {
      files: {
        'compose.yaml': composeWith('"postgres://app:${DB_PASSWORD}@db/app"'),
        'other/compose.yaml': composeWith('postgres://${DB_USER}:${DB_PASSWORD}@db/app'),
        '.env.example': 'A=1\n',
        'other/.env.example': 'DB_USER=app\n',
      },
    },
    expect: [
      at('env-undeclared', 'warning', 'compose.yaml', 5, 26),
      at('env-undeclared', 'warning', 'other/compose.yaml', 5, 32),
    ],
  },
]);
