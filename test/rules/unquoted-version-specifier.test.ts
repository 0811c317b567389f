import rule from '../../src/rules/unquoted-version-specifier.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const R = 'unquoted-version-specifier';
const IMAGES = 'images:\n  reg/app:\n    context: .\n    dockerfile: Dockerfile\n';
const OLD = [
  'FROM python:3.12-slim',
  'RUN pip install flask>=2.0 requests',
  'RUN pip install "django<5" \'celery>=5\' numpy==1.26.4',
  'RUN pip install urllib3<2 > /tmp/log',
  'RUN echo x > /tmp/y',
  '',
].join('\n');
const built = (dockerfile: string) => ({ files: { 'crossdock.yaml': IMAGES, Dockerfile: dockerfile } });

ruleTest(rule, [
  {
    name: 'an unquoted > or < in pip install is a redirect, reported at the requirement; quoted specifiers and a real redirect are fine',
    repo: built(OLD),
    expect: [
      at(R, 'warning', 'Dockerfile', 2, 17, {
        message: /`flask>=2\.0` is split by the shell: .* so pip installs `flask` with no version constraint/,
        reachable: true,
      }),
      at(R, 'error', 'Dockerfile', 4, 17, { message: /`urllib3<2` is split/ }),
    ],
  },
  {
    name: 'a Dockerfile nothing builds: the same findings as warnings',
    repo: { files: { Dockerfile: OLD } },
    expect: [
      at(R, 'warning', 'Dockerfile', 2, 17, { reachable: false }),
      at(R, 'warning', 'Dockerfile', 4, 17, { reachable: false }),
    ],
  },
  {
    name: 'one finding per RUN at the first unquoted specifier; a `<` fails the RUN and is what the message names',
    repo: built(
      'FROM python:3.12-slim\nRUN pip install flask>=2.0 requests && pip install numpy>1.0,<2 gunicorn>>21\nRUN pip install a>=1 b<=2\n',
    ),
    expect: [
      at(R, 'error', 'Dockerfile', 2, 17, {
        message: /`numpy<2` is split by the shell: `<` reads input/,
      }),
      at(R, 'error', 'Dockerfile', 3, 17, { message: /`b<=2` is split/ }),
    ],
  },
  {
    name: 'every pip spelling: uv pip, python -m pip, pip3 (with a space before the operator too)',
    repo: built(
      'FROM python:3.12-slim\nRUN uv pip install --system flask>=2\nRUN python -m pip install flask>=2\nRUN pip3 install flask >=2\n',
    ),
    expect: [
      at(R, 'warning', 'Dockerfile', 2, 29),
      at(R, 'warning', 'Dockerfile', 3, 27),
      at(R, 'warning', 'Dockerfile', 4, 18),
    ],
  },
  {
    name: 'condition "a pip command": echo and npm redirects are not pip requirements',
    repo: built('FROM python:3.12-slim\nRUN echo flask>=2 && npm install semver>=7\n'),
    expect: [],
  },
  {
    name: 'condition "the redirect is unquoted shell": exec form and an escaped > are not redirects',
    repo: built('FROM python:3.12-slim\nRUN ["pip", "install", "flask>=2"]\nRUN pip install flask\\>=2\n'),
    expect: [],
  },
  {
    name: 'a stage the target does not use is a warning (unreached)',
    repo: {
      files: {
        'crossdock.yaml': `${IMAGES}    target: final\n`,
        Dockerfile:
          'FROM python:3.12-slim AS dev\nRUN pip install flask>=2\nFROM python:3.12-slim AS final\n',
      },
    },
    expect: [at(R, 'warning', 'Dockerfile', 2, 17, { reachable: false })],
  },
  {
    name: 'two `>` specifiers in one RUN: one finding listing both, at the first; a `>>` alone is a redirect too',
    repo: built(
      'FROM python:3.12-slim\nRUN pip install flask>=2.0 requests>=2.31\nRUN pip install gunicorn>>21\n',
    ),
    expect: [
      at(R, 'warning', 'Dockerfile', 2, 17, {
        message:
          /^`flask>=2\.0`, `requests>=2\.31` are split by the shell: .* so pip installs `flask`, `requests` with no version constraint$/,
      }),
      at(R, 'warning', 'Dockerfile', 3, 17, {
        message:
          /^`gunicorn>>21` is split by the shell: .* so pip installs `gunicorn` with no version constraint$/,
      }),
    ],
  },
  {
    name: 'condition "the target is a version": a log file, even one with a digit in its name, is a real redirect',
    repo: built(
      'FROM python:3.12-slim\nRUN pip install flask > /tmp/pip.log\nRUN pip install flask > log2.txt\n',
    ),
    expect: [],
  },
  {
    name: 'condition "the operator is >, >> or <": `2>&1` and `2>2.log` are redirects of pip\'s output, not split specifiers',
    repo: built('FROM python:3.12-slim\nRUN pip install flask 2>&1\nRUN pip install flask 2>2.log\n'),
    expect: [],
  },
  {
    name: 'condition "a word before the redirect": a redirect written before the command splits no requirement',
    repo: built('FROM python:3.12-slim\nRUN >=2 pip install flask\n'),
    expect: [],
  },
]);
