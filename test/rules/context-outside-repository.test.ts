// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` text literally.
import rule from '../../src/rules/context-outside-repository.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const R = 'context-outside-repository';
const U = 'unresolved-value';
const DOCKERFILE = 'FROM python:3.12-slim\n';
/** A workflow job whose steps are these lines (after checkout). */
const workflow = (...steps: string[]) =>
  [
    'on: push',
    'jobs:',
    '  b:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...steps,
    '',
  ].join('\n');

ruleTest(rule, [
  {
    name: 'a CI build whose context climbs above the workspace fails: an error at the context',
    repo: {
      files: {
        'app/Dockerfile': DOCKERFILE,
        '.github/workflows/b.yml': workflow('      - run: docker build -t x ../app'),
      },
    },
    expect: [
      at(R, 'error', '.github/workflows/b.yml', 7, 32, {
        message:
          /^the build context `\.\.\/app` leaves the repository: in CI the checkout is the whole workspace and nothing before this build puts files above it, so the build fails/,
      }),
    ],
  },
  {
    name: 'a script one level deep computing $(dirname "$0")/../.. as the project root, run by CI: an error',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        'scripts/build.sh':
          'set -eu\nPROJECT_ROOT=$(dirname "$0")/../..\ndocker build -t x "$PROJECT_ROOT"\n',
        '.github/workflows/b.yml': workflow('      - run: ./scripts/build.sh'),
      },
    },
    expect: [
      at(R, 'error', 'scripts/build.sh', 3, 19, { message: /^the build context `<repository>\/.*` leaves/ }),
    ],
  },
  {
    name: 'condition "climbs out": two levels up from scripts/ci/ is the repository root, fine',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        'scripts/ci/build.sh':
          'set -eu\nPROJECT_ROOT=$(dirname "$0")/../..\ndocker build -t x "$PROJECT_ROOT"\n',
        '.github/workflows/b.yml': workflow('      - run: ./scripts/ci/build.sh'),
      },
    },
    expect: [],
  },
  {
    name: 'build-push-action with `context: ..` in CI: an error at the input',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        '.github/workflows/b.yml': workflow(
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          context: ../shared',
        ),
      },
    },
    expect: [
      at(R, 'error', '.github/workflows/b.yml', 9, 20, {
        message: /^the build context `\.\.\/shared` leaves the workspace/,
      }),
    ],
  },
  {
    name: 'a compose build context next to the clone works only on machines with that folder: a warning',
    repo: {
      files: { 'compose.yaml': 'services:\n  api:\n    build: ../api\n    image: reg/api:1\n' },
    },
    expect: [
      at(R, 'warning', 'compose.yaml', 3, 12, {
        message:
          /^the build context `\.\.\/api` leaves the repository: it builds only on a machine with that folder next to the clone; a clean clone of this repository alone cannot build it$/,
      }),
    ],
  },
  {
    name: 'condition "nothing before it puts files there": `git clone … ../lib` before the build leaves a note, no claim',
    only: [R, U],
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        '.github/workflows/b.yml': workflow(
          '      - run: git clone https://example.com/lib.git ../lib',
          '      - run: docker build -t x ../lib',
        ),
      },
    },
    expect: [
      at(U, 'info', '.github/workflows/b.yml', 8, 32, {
        message:
          /^the build context is above the repository, and .* runs before it with effects crossdock does not know; not checked: whether the folder exists when the build runs/,
      }),
    ],
  },
  {
    name: 'condition "climbs out": a Git URL context or an absolute path is not this rule\'s',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        '.github/workflows/b.yml': workflow(
          '      - run: docker build -t x https://github.com/acme/app.git',
          '      - run: docker build -t y /srv/app',
        ),
      },
    },
    expect: [],
  },
  {
    name: 'the same script run by nothing (a developer runs it): a warning, whatever folder it is run from',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        'scripts/build.sh':
          'set -eu\nPROJECT_ROOT=$(dirname "$0")/../..\ndocker build -t x "$PROJECT_ROOT"\n',
      },
    },
    expect: [at(R, 'warning', 'scripts/build.sh', 3, 19)],
  },
]);
