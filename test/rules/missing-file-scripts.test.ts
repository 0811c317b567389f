// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` text literally.
import invalidImageReference from '../../src/rules/invalid-image-reference.js';
import rule from '../../src/rules/missing-file.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/**
 * Script builds: a value is known only when the script alone decides it. A `${X:-d}` default is the value only when
 * the caller is known and does not set X; an assignment on a branch is one of several values.
 */
const DOCKERFILE = 'FROM python:3.12-slim\nCOPY dist/app.whl /tmp/\n';
const R = rule.meta.id;
const BUILD = 'cd "$(dirname "$0")/.."\n';
/** A workflow job running `run` at the repository root, with step `env` lines. */
const ci = (run: string, env = '') =>
  `on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ${run}\n${env}`;

ruleTest(rule, [
  {
    name: 'unknown: `CTX=${CTX:-.}` in a script nothing runs: whoever runs it may set CTX, no claim on the default context',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        'scripts/build.sh': `${BUILD}CTX=\${CTX:-.}\ndocker build -t reg/app "$CTX"\n`,
      },
    },
    // The Dockerfile is then one nothing known builds: a warning, as without the script.
    only: [R, 'unresolved-value'],
    expect: [at(R, 'warning', 'Dockerfile', 2, 6, { reachable: false })],
  },
  {
    name: 'a workflow step runs the script without setting CTX: the default is the context, the missing file an error',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        'scripts/build.sh': `${BUILD}CTX=\${CTX:-.}\ndocker build -t reg/app "$CTX"\n`,
        '.github/workflows/ci.yml': ci('./scripts/build.sh'),
      },
    },
    expect: [at(R, 'error', 'Dockerfile', 2, 6, { reachable: true })],
  },
  {
    name: 'unknown: `${GITHUB_REF_NAME:-staging}` in a script a step runs: the runner always sets it, so the default is not the folder built: no claim about docker/staging',
    repo: {
      files: {
        'docker/main/Dockerfile': DOCKERFILE,
        'docker/main/dist/app.whl': 'x',
        'scripts/build.sh': `${BUILD}docker build -t reg/app -f "docker/\${GITHUB_REF_NAME:-staging}/Dockerfile" "docker/\${GITHUB_REF_NAME:-staging}"\n`,
        '.github/workflows/ci.yml': ci('./scripts/build.sh'),
      },
    },
    only: [R, 'unresolved-value'],
    expect: [],
  },
  {
    name: 'unknown: after an action that may write GITHUB_ENV, a `${CTX:-.}` default is not known to be the value (a note, no error)',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        'scripts/build.sh': `${BUILD}CTX=\${CTX:-.}\ndocker build -t reg/app "$CTX"\n`,
        '.github/workflows/ci.yml': ci('./scripts/build.sh').replace(
          '      - run:',
          '      - uses: acme/set-context@v1\n      - run:',
        ),
      },
    },
    only: [R, 'unresolved-value'],
    expect: [at(R, 'warning', 'Dockerfile', 2, 6, { reachable: false })],
  },
  {
    name: 'a variable a step writes to GITHUB_ENV reaches the script a later step runs: its value, not the default',
    repo: {
      files: {
        'app/dist/app.whl': 'x',
        'app/Dockerfile': DOCKERFILE,
        Dockerfile: DOCKERFILE,
        'scripts/build.sh': `${BUILD}CTX=\${CTX:-.}\ndocker build -t reg/app -f Dockerfile "$CTX"\n`,
        '.github/workflows/ci.yml': ci('./scripts/build.sh').replace(
          '      - run:',
          '      - run: echo "CTX=app" >> "$GITHUB_ENV"\n      - run:',
        ),
      },
    },
    only: [R, 'unresolved-value'],
    expect: [],
  },
  {
    name: 'a workflow step sets CTX: the context is the one it sets',
    repo: {
      files: {
        'app/Dockerfile': DOCKERFILE,
        'app/dist/app.whl': 'x',
        Dockerfile: DOCKERFILE,
        'scripts/build.sh': `${BUILD}CTX=\${CTX:-.}\ndocker build -t reg/app -f Dockerfile "$CTX"\n`,
        '.github/workflows/ci.yml': ci('./scripts/build.sh', '        env:\n          CTX: app\n'),
      },
    },
    only: [R, 'unresolved-value'],
    expect: [],
  },
  {
    name: 'a script that exports CTX before running another: the callee sees it, its default is not used',
    repo: {
      files: {
        'app/dist/app.whl': 'x',
        Dockerfile: DOCKERFILE,
        'scripts/ci.sh': `${BUILD}export CTX=app\n./scripts/build.sh\n`,
        'scripts/build.sh': `${BUILD}CTX=\${CTX:-.}\ndocker build -t reg/app -f Dockerfile "$CTX"\n`,
        '.github/workflows/ci.yml': ci('./scripts/ci.sh'),
      },
    },
    only: [R],
    expect: [],
  },
  {
    name: 'unknown: CTX is assigned only when an `if` is taken (and after `&&`): no claim on the branch value',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        'scripts/a.sh': `${BUILD}if [ -n "$CI" ]; then\n  CTX=.\nfi\ndocker build -t reg/app "$CTX"\n`,
        'scripts/b.sh': `${BUILD}[ -n "$CI" ] && CTX=.\ndocker build -t reg/app "$CTX"\n`,
        '.github/workflows/ci.yml': ci('./scripts/a.sh && ./scripts/b.sh'),
      },
    },
    only: [R],
    expect: [at(R, 'warning', 'Dockerfile', 2, 6, { reachable: false })],
  },
  {
    name: 'unknown: a build arg added to the array only on a branch is not passed on every run',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nARG SRC=src\nCOPY ${SRC}/app.py /app/\n',
        'src/app.py': 'print(1)\n',
        'scripts/build.sh': `${BUILD}ARGS=(-t reg/app)\nif [ -n "$PROD" ]; then\n  ARGS+=(--build-arg SRC=dist)\nfi\ndocker build "\${ARGS[@]}" .\n`,
        '.github/workflows/ci.yml': ci('./scripts/build.sh'),
      },
    },
    only: [R],
    expect: [],
  },
]);

ruleTest(rule, [
  {
    name: 'a nested default `${DF:-${BASE}/prod.Dockerfile}` resolves to the Dockerfile it names',
    repo: {
      files: {
        'docker/prod.Dockerfile': DOCKERFILE,
        'scripts/build.sh': `${BUILD}BASE=docker\nDF="\${DF:-\${BASE}/prod.Dockerfile}"\ndocker build -f "$DF" -t reg/app .\n`,
        '.github/workflows/ci.yml': ci('./scripts/build.sh'),
      },
    },
    expect: [at(R, 'error', 'docker/prod.Dockerfile', 2, 6, { reachable: true })],
  },
]);

ruleTest(rule, [
  {
    name: 'kaniko: boolean flags (`--no-push`, `--cache`) take no value, so `--context` is read: the context is app',
    repo: {
      files: {
        'app/Dockerfile': DOCKERFILE,
        'dist/app.whl': 'x',
        'scripts/build.sh': `${BUILD}/kaniko/executor --cache --context dir://app --no-push --dockerfile app/Dockerfile --destination reg/app:1\n`,
        '.github/workflows/ci.yml': ci('./scripts/build.sh'),
      },
    },
    expect: [at(R, 'error', 'scripts/build.sh', 2, 36, { message: /sends context `app`/ })],
  },
  {
    name: 'unknown: kaniko without --context builds /workspace/, not the working directory: no claim on `.`',
    repo: {
      files: {
        'app/Dockerfile': DOCKERFILE,
        'app/dist/app.whl': 'x',
        'scripts/build.sh': `${BUILD}/kaniko/executor -fapp/Dockerfile -d=reg/app:1\n`,
        '.github/workflows/ci.yml': ci('./scripts/build.sh'),
      },
    },
    only: [R],
    expect: [],
  },
]);

ruleTest(rule, [
  {
    name: 'unknown: `bake -f "$BAKE_FILE" api` reads a file nobody can name: not the default docker-bake.hcl with only api',
    repo: {
      files: {
        'docker-bake.hcl':
          'target "api" {\n  context = "api"\n}\ntarget "worker" {\n  context = "worker"\n}\n',
        'api/Dockerfile': 'FROM python:3.12-slim\n',
        'worker/Dockerfile': DOCKERFILE,
        '.github/workflows/ci.yml': ci('docker buildx bake -f "$BAKE_FILE" api'),
      },
    },
    // The bake file is then built as one nothing runs: every target of it, the worker too.
    only: [R],
    expect: [at(R, 'error', 'worker/Dockerfile', 2, 6, { reachable: true })],
  },
]);

ruleTest(invalidImageReference, [
  {
    name: 'one script run by two steps with different env tags two images: both builds are kept, not merged',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\n',
        'scripts/build.sh': `${BUILD}docker build -t "reg/$NAME:1" .\n`,
        '.github/workflows/ci.yml':
          'on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ./scripts/build.sh\n        env:\n          NAME: app\n      - run: ./scripts/build.sh\n        env:\n          NAME: App\n',
      },
    },
    expect: [at('invalid-image-reference', 'error', 'scripts/build.sh', 2, 17, { message: /reg\/App:1/ })],
  },
]);

ruleTest(rule, [
  {
    name: 'a shell function called with an argument that is not known is still scanned: its build is found',
    repo: {
      files: {
        'docker/Dockerfile': DOCKERFILE,
        'scripts/build.sh': `${BUILD}build() {\n  docker build -t "reg/app:$1" -f docker/Dockerfile .\n}\nbuild "$(git rev-parse --short HEAD)"\n`,
        '.github/workflows/ci.yml': ci('./scripts/build.sh'),
      },
    },
    expect: [at(R, 'error', 'docker/Dockerfile', 2, 6, { reachable: true })],
  },
  {
    name: 'unknown: the function builds the folder its unknown argument names: no claim',
    repo: {
      files: {
        'docker/Dockerfile': DOCKERFILE,
        'scripts/build.sh': `${BUILD}build() {\n  docker build -t reg/app -f docker/Dockerfile "$1"\n}\nbuild "$CTX"\n`,
        '.github/workflows/ci.yml': ci('./scripts/build.sh'),
      },
    },
    only: [R],
    expect: [at(R, 'warning', 'docker/Dockerfile', 2, 6, { reachable: false })],
  },
  {
    name: 'a `run:` build with `-f ${{ matrix.dockerfile }}` checks every matrix value: the missing one is an error at the -f word',
    repo: {
      files: {
        'docker/api.Dockerfile': 'FROM python:3.12-slim\n',
        '.github/workflows/b.yml': [
          'on: push',
          'jobs:',
          '  b:',
          '    runs-on: ubuntu-latest',
          '    strategy:',
          '      matrix:',
          '        dockerfile: [docker/api.Dockerfile, docker/web.Dockerfile]',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - run: docker build -f ${{ matrix.dockerfile }} -t x .',
          '',
        ].join('\n'),
      },
    },
    only: [R],
    expect: [
      at(R, 'error', '.github/workflows/b.yml', 10, 30, {
        message: /^`docker\/web\.Dockerfile` \(the Dockerfile\) does not exist in the repository/,
      }),
    ],
  },
]);
