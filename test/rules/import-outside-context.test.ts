import rule from '../../src/rules/import-outside-context.js';
import { at, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'import-outside-context';
const U = 'unresolved-value';
const config = (context = 'svc') =>
  `images:\n  reg/svc:\n    context: ${context}\n    dockerfile: svc/Dockerfile\n`;
const dockerfile = (extra = '', copy = 'COPY . .') =>
  `FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt${extra}\n${copy}\nCMD ["python", "main.py"]\n`;
const MAIN = 'import os\nfrom flask import Flask\nfrom shared.util import greet\n\napp = Flask(__name__)\n';
/** A service built from svc/ whose main module imports the repository-level package shared/. */
const repo = (over: Record<string, string> = {}): RuleCase['repo'] => ({
  files: {
    'crossdock.yaml': config(),
    'svc/Dockerfile': dockerfile(),
    'svc/requirements.txt': 'flask==3.0.3\n',
    'svc/main.py': MAIN,
    'shared/__init__.py': '',
    'shared/util.py': 'def greet():\n    return "hi"\n',
    ...over,
  },
});

ruleTest(rule, [
  {
    name: 'a package at the repository root imported from a service context: an error at the import',
    repo: repo(),
    expect: [
      at(R, 'error', 'svc/main.py', 3, 6, {
        message:
          /^`shared\.util` fails in the image built from `svc`: `shared` is the package shared\/, outside the build context, and nothing copies or installs it into the image$/,
        sites: ['crossdock.yaml:1'],
        reachable: true,
      }),
    ],
  },
  {
    name: 'a module file beside the context (services/common.py for services/api), imported by two files: one finding, the other related',
    repo: {
      files: {
        'crossdock.yaml':
          'images:\n  reg/api:\n    context: services/api\n    dockerfile: services/api/Dockerfile\n',
        'services/api/Dockerfile':
          'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n',
        'services/api/app.py': 'import common\n',
        'services/api/jobs.py': 'import sys\nimport common as c\n',
        'services/common.py': 'X = 1\n',
      },
    },
    expect: [
      at(R, 'error', 'services/api/app.py', 1, 8, {
        message: /`common` is the module services\/common\.py, outside/,
        related: ['services/api/jobs.py:2 `common` is imported here too'],
      }),
    ],
  },
  {
    name: 'condition "outside the context": the package is inside the context too',
    repo: repo({ 'svc/shared/__init__.py': '', 'svc/shared/util.py': 'def greet(): ...\n' }),
    expect: [],
  },
  {
    name: 'condition "exists outside": a module found nowhere in the repository is not this rule\'s (a missing requirement)',
    repo: repo({ 'svc/main.py': 'import sharedx\n' }),
    expect: [],
  },
  {
    name: 'condition "unguarded": `try: from shared.util import greet` / `except ImportError` handles it',
    repo: repo({
      'svc/main.py': 'try:\n    from shared.util import greet\nexcept ImportError:\n    greet = None\n',
    }),
    expect: [],
  },
  {
    name: 'condition "module level": an import inside a function may never run',
    repo: repo({ 'svc/main.py': 'def handler():\n    from shared.util import greet\n    return greet()\n' }),
    expect: [],
  },
  {
    name: 'condition "copied into the image": only main.py is copied, the file importing shared is not',
    repo: repo({
      'svc/Dockerfile': dockerfile('', 'COPY main.py .'),
      'svc/main.py': 'import os\n',
      'svc/tools/debug.py': 'from shared.util import greet\n',
    }),
    expect: [],
  },
  {
    name: 'condition "runs in the image": tests and conftest are development files',
    repo: repo({ 'svc/main.py': 'import os\n', 'svc/tests/test_main.py': 'from shared.util import greet\n' }),
    expect: [],
  },
  {
    name: 'condition "nothing installs it": a requirement of that name installs it',
    repo: repo({ 'svc/requirements.txt': 'flask==3.0.3\nacme-shared==1.2\n' }),
    expect: [],
  },
  {
    name: 'condition "nothing copies it": a COPY --from (a named context or a stage) may bring it',
    repo: repo({ 'svc/Dockerfile': dockerfile('', 'COPY . .\nCOPY --from=shared . /app/shared') }),
    expect: [],
  },
  {
    name: 'condition "nothing copies it": a compose service of this build bind-mounts the repository',
    repo: repo({
      'crossdock.yaml': '',
      'compose.yaml':
        'services:\n  svc:\n    build:\n      context: svc\n    volumes:\n      - ./shared:/app/shared\n',
    }),
    expect: [],
  },
  {
    name: 'an apt-get install of system libraries and Python headers (python3-dev) adds no module: still an error',
    repo: repo({
      'svc/Dockerfile': dockerfile(
        ' && apt-get update && apt-get install -y --no-install-recommends libpq5 python3-dev',
      ),
    }),
    expect: [at(R, 'error', 'svc/main.py', 3, 6)],
  },
  {
    name: 'condition "nothing installs it": a distro Python package (python3-*) may provide modules',
    repo: repo({ 'svc/Dockerfile': dockerfile(' && apt-get update && apt-get install -y python3-yaml') }),
    expect: [],
  },
  {
    name: 'condition "known base image": a base crossdock knows nothing about may hold the package',
    repo: repo({ 'svc/Dockerfile': dockerfile().replace('python:3.12-slim', 'registry.example.com/base:1') }),
    expect: [],
  },
  {
    name: 'unknown: pip installs a file crossdock did not read: a note, no claim',
    only: [R, U],
    repo: repo({ 'svc/Dockerfile': dockerfile(' && pip install $EXTRA') }),
    expect: [at(U, 'info', 'svc/Dockerfile', 4, 52, { message: /`\$EXTRA` is a variable/ })],
  },
  {
    name: 'the context is the repository root: nothing is outside it',
    repo: repo({ 'crossdock.yaml': config('.'), 'svc/Dockerfile': dockerfile() }),
    expect: [],
  },
]);
