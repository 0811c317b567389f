import rule from '../../src/rules/copy-outside-context.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

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
]);
