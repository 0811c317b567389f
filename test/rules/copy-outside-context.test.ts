// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold workflow `${{ }}` text literally.
import rule from '../../src/rules/copy-outside-context.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const R = 'copy-outside-context';
const U = 'unresolved-value';

const DF =
  'FROM python:3.12-slim\nCOPY ../shared/logging.ini /app/\nCOPY ./src/../main.py /app/\nCOPY ../main.py /x/\n';
const FILES = {
  'services/api/Dockerfile': DF,
  'services/api/main.py': 'x',
  'services/shared/logging.ini': 'x',
};
const withContext = (context: string) => ({
  files: {
    ...FILES,
    'crossdock.yaml': `images:\n  reg/api:\n    context: ${context}\n    dockerfile: services/api/Dockerfile\n`,
  },
});

ruleTest(rule, [
  {
    name: 'context services/api: `../x` is read as the context’s own `x`; missing there is an error, present a warning; `a/../b` inside is fine',
    repo: withContext('services/api'),
    expect: [
      at('copy-outside-context', 'error', 'services/api/Dockerfile', 2, 6, {
        message:
          /climbs out of the build context `services\/api`: BuildKit reads `shared\/logging\.ini` from the context root instead, which does not exist/,
        sites: ['crossdock.yaml:1'],
      }),
      at('copy-outside-context', 'warning', 'services/api/Dockerfile', 4, 6, {
        message:
          /BuildKit silently copies the context's own `main\.py` instead .* a different file than written/,
      }),
    ],
  },
  {
    name: 'condition: the context decides which file exists: from services the two swap',
    repo: withContext('services'),
    expect: [
      at('copy-outside-context', 'error', 'services/api/Dockerfile', 4, 6, {
        message: /context `services`: .* which does not exist/,
      }),
      at('copy-outside-context', 'warning', 'services/api/Dockerfile', 2, 6, {
        message: /context's own `shared\/logging\.ini`/,
      }),
    ],
  },
  {
    name: 'unknown: a Dockerfile nothing builds, where the file exists under some candidate contexts only, gets no claim (the old finding assumed context services/api)',
    repo: { files: FILES },
    expect: [],
  },
  {
    name: 'a Dockerfile nothing builds: what holds under every candidate context is reported, capped at warning',
    repo: {
      files: {
        'services/api/Dockerfile':
          'FROM python:3.12-slim\nCOPY ../nowhere.ini /app/\nCOPY ../common.ini /app/\n',
        'services/api/common.ini': 'x',
        'services/common.ini': 'x',
        'common.ini': 'x',
      },
    },
    expect: [
      at('copy-outside-context', 'warning', 'services/api/Dockerfile', 2, 6, {
        reachable: false,
        message:
          /build context `services\/api or services or \.`: BuildKit reads `nowhere\.ini` .* which does not exist/,
      }),
      at('copy-outside-context', 'warning', 'services/api/Dockerfile', 3, 6, {
        reachable: false,
        message: /copies the context's own `common\.ini`/,
      }),
    ],
  },
  {
    name: 'condition: copies from a stage or image and URLs are not context paths',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nCOPY --from=builder ../z /z\nADD https://example.com/a/../b /b\n',
        'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n',
      },
    },
    expect: [],
  },
  {
    name: 'unknown: a source with a variable the base image may set gets no claim',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nCOPY ../$APP_DIR/x /x\n',
        'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n',
      },
    },
    expect: [],
  },
  {
    name: 'unknown: a stage `ARG X` without a default in a Dockerfile nothing builds may be anything: no claim about `../$X`, a note at the ARG',
    repo: { files: { 'app/Dockerfile': 'FROM python:3.12-slim\nARG X\nCOPY ../$X /y/\n' } },
    expect: [
      at('unresolved-value', 'info', 'app/Dockerfile', 2, 5, {
        message:
          /ARG X has no default and no build site in the repository passes it; not checked: whether `\.\.\/\$X` leaves the build context/,
      }),
    ],
  },
  {
    name: 'each message in full; `..` alone, `.`/empty segments, two levels up, ADD and an absolute source climb too; a destination and a RUN do not',
    repo: {
      files: {
        'crossdock.yaml': 'images:\n  reg/app:\n    context: app\n',
        'app/Dockerfile':
          'FROM python:3.12-slim\nCOPY .. /all/\nCOPY .././/x.txt /x\nADD ../../y.txt /y\nCOPY --chown=1:1 /../x.txt /x\nCOPY x.txt ../dest/\nRUN cp ../x.txt /x\n',
        'app/x.txt': 'x',
      },
    },
    expect: [
      at(R, 'warning', 'app/Dockerfile', 2, 6, {
        message:
          /^`\.\.` climbs out of the build context `app`: BuildKit silently copies the context's own `\.` instead \(the classic builder refuses the path\), so the image gets a different file than written$/,
        sites: ['crossdock.yaml:1'],
        related: [],
      }),
      at(R, 'warning', 'app/Dockerfile', 3, 6, {
        message: /^`\.\.\/\.\/\/x\.txt` climbs .* context's own `x\.txt` instead/,
      }),
      at(R, 'error', 'app/Dockerfile', 4, 5, {
        message:
          /^`\.\.\/\.\.\/y\.txt` climbs out of the build context `app`: BuildKit reads `y\.txt` from the context root instead, which does not exist \("not found"\), and the classic builder refuses it \("forbidden path outside the build context"\)$/,
      }),
      at(R, 'warning', 'app/Dockerfile', 5, 18, {
        message: /^`\/\.\.\/x\.txt` climbs .* context's own `x\.txt` instead/,
      }),
    ],
  },
  {
    name: 'condition "the source has `..`": a variable source without `..` is not resolved (no note); with `..` an unset ARG is a note at the ARG, a base-image variable one at the word',
    repo: {
      files: {
        'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n',
        Dockerfile:
          'FROM python:3.12-slim\nCOPY $APP_DIR/x /x\nCOPY ../$APP_DIR/x /x\nARG X\nCOPY $X /y\nCOPY ../$X /z\n',
      },
    },
    only: [R, U],
    expect: [
      at(U, 'info', 'Dockerfile', 3, 6, {
        message:
          /^`\$APP_DIR` is not declared in the Dockerfile: the base image may set it; not checked: whether `\.\.\/\$APP_DIR\/x` leaves the build context \(copy-outside-context\)$/,
      }),
      at(U, 'info', 'Dockerfile', 4, 5, {
        message:
          /^ARG X has no default and this build does not pass it; not checked: whether `\.\.\/\$X` leaves the build context \(copy-outside-context\)$/,
      }),
    ],
  },
  {
    name: 'condition "a URL": any scheme, in any case, is not a context path; a path that only contains `://` is',
    repo: {
      files: {
        'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n',
        Dockerfile: 'FROM python:3.12-slim\nADD git+HTTPS://example.com/../../../b.git /b\nADD ../x://y /c\n',
      },
    },
    expect: [at(R, 'error', 'Dockerfile', 3, 5, { message: /BuildKit reads `x:\/y` from the context root/ })],
  },
  {
    name: 'condition "a build context is known": a context from a workflow expression gives no claim, a note at the context (missing before: the source was skipped silently)',
    repo: {
      files: {
        '.github/workflows/b.yml':
          'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/build-push-action@v6\n        with:\n          context: ${{ inputs.ctx }}\n          file: app/Dockerfile\n',
        'app/Dockerfile': 'FROM python:3.12-slim\nCOPY ../x.txt /x\n',
        'app/x.txt': 'x',
      },
    },
    only: [R, U],
    expect: [
      at(U, 'info', '.github/workflows/b.yml', 9, 20, {
        message:
          /^`\$\{\{ inputs\.ctx \}\}` is evaluated by GitHub Actions when the workflow runs; not checked: which file BuildKit copies for `\.\.\/x\.txt` \(copy-outside-context\)$/,
      }),
    ],
  },
  {
    name: '... and candidate contexts that disagree on the file give the same kind of note, at the Dockerfile (missing before)',
    repo: { files: FILES },
    only: [R, U],
    expect: [
      at(U, 'info', 'services/api/Dockerfile', 1, 1, {
        message:
          /^nothing in the repository builds services\/api\/Dockerfile, so its build context is not known; not checked: which file BuildKit copies for `\.\.\/main\.py` \(copy-outside-context\); which file BuildKit copies for `\.\.\/shared\/logging\.ini` \(copy-outside-context\)$/,
        reachable: false,
      }),
    ],
  },
]);
