// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold compose `${VAR}` text literally.
/**
 * import-outside-context, one condition at a time: which files run in the image (development files, what the COPY
 * takes), where the module is found, what else may bring it into the image (each kind of other source), which
 * installed distribution provides it, and the note when the installs are not known.
 */
import rule from '../../src/rules/import-outside-context.js';
import { at, type Expected, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'import-outside-context';
const U = 'unresolved-value';
const CONFIG = 'images:\n  reg/svc:\n    context: svc\n    dockerfile: svc/Dockerfile\n';
const dockerfile = (extra = '', copy = 'COPY . .') =>
  `FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt${extra}\n${copy}\nCMD ["python", "main.py"]\n`;
const MAIN = 'import os\nfrom flask import Flask\nfrom shared.util import greet\n';

const repo = (over: Record<string, string | undefined> = {}): RuleCase['repo'] => {
  const files: Record<string, string> = {};
  const all: Record<string, string | undefined> = {
    'crossdock.yaml': CONFIG,
    'svc/Dockerfile': dockerfile(),
    'svc/requirements.txt': 'flask==3.0.3\n',
    'svc/main.py': MAIN,
    'shared/__init__.py': '',
    'shared/util.py': 'def greet():\n    return "hi"\n',
    ...over,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) files[k] = v;
  return { files };
};

/** The finding at `from shared.util import greet` (line 3) of `file`. */
const outside = (file = 'svc/main.py', line = 3, column = 6, extra: Partial<Expected> = {}): Expected =>
  at(R, 'error', file, line, column, {
    message: /`shared` is the package shared\/, outside the build context/,
    ...extra,
  });

/** Every case compares the rule's findings and the notes. */
const cases: RuleCase[] = [];
const add = (name: string, over: Record<string, string | undefined>, expect: Expected[]) =>
  cases.push({ name, repo: repo(over), expect, only: [R, U] });

// Development files: a folder or a file name makes one, each alone (a file in the context root otherwise runs).
add(
  'runs in the image: a module at the context root importing it',
  { 'svc/main.py': 'import os\n', 'svc/helpers.py': MAIN },
  [outside('svc/helpers.py')],
);
for (const path of [
  'tests/helpers.py',
  'test/helpers.py',
  'doc/build.py',
  'example/demo.py',
  'test_main.py',
  'main_test.py',
  'app/conftest.py',
])
  add(`development file: ${path}`, { 'svc/main.py': 'import os\n', [`svc/${path}`]: MAIN }, []);

// What the COPY takes.
add(
  'copied: `COPY main.py .` copies the importing file itself',
  { 'svc/Dockerfile': dockerfile('', 'COPY main.py .') },
  [outside()],
);
add(
  'copied: a file outside the folder a COPY takes is not copied',
  {
    'svc/Dockerfile': dockerfile('', 'COPY app/ /app/'),
    'svc/main.py': undefined,
    'svc/app/main.py': 'import os\n',
    'svc/tools/debug.py': MAIN,
  },
  [],
);
add(
  "copied: a folder copied to a destination of the module's name may be the module",
  {
    'svc/Dockerfile': dockerfile('', 'COPY . .\nCOPY vendor/ /app/shared/'),
    'svc/vendor/util.py': 'X = 1\n',
  },
  [],
);

// Where the module is found outside the context.
add(
  'outside: a folder holding the context is not a module of its name',
  {
    'crossdock.yaml':
      'images:\n  reg/api:\n    context: services/api\n    dockerfile: services/api/Dockerfile\n',
    'services/api/Dockerfile': 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n',
    'services/api/app.py': 'import services\n',
    'svc/main.py': undefined,
  },
  [],
);
add(
  'outside: a folder without Python files is not a package',
  { 'shared/__init__.py': undefined, 'shared/util.py': undefined, 'shared/data.json': '{}\n' },
  [],
);

// Other sources of modules, and what is not one.
add(
  'other source: `ADD` of a URL downloads files',
  { 'svc/Dockerfile': dockerfile('', 'COPY . .\nADD https://example.com/shared.tar.gz /opt/') },
  [],
);
add(
  'other source: `ADD` of a git repository',
  { 'svc/Dockerfile': dockerfile('', 'COPY . .\nADD git@example.com:org/shared.git /opt/shared') },
  [],
);
add(
  'not another source: `ADD` of a local file',
  { 'svc/Dockerfile': dockerfile('', 'COPY . .\nADD VERSION /app/VERSION') },
  [outside()],
);
add(
  'not another source: a `COPY --chown` of the context',
  { 'svc/Dockerfile': dockerfile('', 'COPY --chown=1000 . .') },
  [outside()],
);
add(
  'other source: a RUN mounting files from a stage',
  { 'svc/Dockerfile': dockerfile().replace('RUN pip', 'RUN --mount=type=bind,from=deps,target=/deps pip') },
  [],
);
add(
  'not another source: a RUN with a cache mount',
  { 'svc/Dockerfile': dockerfile().replace('RUN pip', 'RUN --mount=type=cache,target=/root/.cache pip') },
  [outside()],
);
add(
  'other source: `apt-get install python3-yaml` installs Python packages',
  { 'svc/Dockerfile': dockerfile(' && apt-get update && apt-get install -y python3-yaml') },
  [],
);
add('other source: `apk add py3-yaml`', { 'svc/Dockerfile': dockerfile(' && apk add py3-yaml') }, []);
add(
  'other source: `dnf install python3-pyyaml`',
  { 'svc/Dockerfile': dockerfile(' && dnf install -y python3-pyyaml') },
  [],
);
add(
  'not another source: `apk add libpq` (no Python package)',
  { 'svc/Dockerfile': dockerfile(' && apk add libpq') },
  [outside()],
);
add(
  'other source: `git clone`',
  { 'svc/Dockerfile': dockerfile(' && git clone https://example.com/x.git /opt/x') },
  [],
);
add(
  'other source: `curl` downloads',
  { 'svc/Dockerfile': dockerfile(' && curl -fsSL -o /tmp/x https://example.com/x') },
  [],
);
add(
  'other source: a script whose effects are not known',
  { 'svc/Dockerfile': dockerfile(' && ./install.sh') },
  [],
);
add(
  'not another source: `dnf install libpq` (no Python package)',
  { 'svc/Dockerfile': dockerfile(' && dnf install -y libpq') },
  [outside()],
);
add('not another source: `mkdir`', { 'svc/Dockerfile': dockerfile(' && mkdir -p /data') }, [outside()]);

// Installed distributions that provide the module.
add(
  'installed: a distribution whose import name differs (PyYAML provides `yaml`)',
  {
    'svc/requirements.txt': 'flask==3.0.3\nPyYAML==6.0.1\n',
    'svc/main.py': 'import yaml\n',
    'shared/__init__.py': undefined,
    'shared/util.py': undefined,
    'yaml/__init__.py': '',
  },
  [],
);
add(
  'installed: a distribution named like the module (`acme-shared` for `acme_shared`)',
  {
    'svc/requirements.txt': 'flask==3.0.3\nacme-shared==1.0\n',
    'svc/main.py': 'import acme_shared\n',
    'shared/__init__.py': undefined,
    'shared/util.py': undefined,
    'acme_shared/__init__.py': '',
  },
  [],
);

// The note when the installs are not known, naming every module it blocked.
add(
  'unknown installs: the note names each module',
  {
    'svc/Dockerfile': dockerfile(' && pip install $EXTRA'),
    'svc/main.py': `${MAIN}import common\n`,
    'common.py': 'X = 1\n',
  },
  [
    at(U, 'info', 'svc/Dockerfile', 4, 52, {
      message:
        /; not checked: whether an installed package provides `shared`, `common` \(import-outside-context\)$/,
    }),
  ],
);
add(
  'unknown installs: no module outside the context, no note',
  { 'svc/Dockerfile': dockerfile(' && pip install $EXTRA'), 'svc/main.py': 'import os\n' },
  [],
);

// Related imports are capped at ten.
const importers = Object.fromEntries(
  Array.from({ length: 12 }, (_, i) => [`svc/m${String(i).padStart(2, '0')}.py`, 'import shared\n']),
);
add(
  'related: the first import is the finding, ten of the others are related',
  { 'svc/main.py': undefined, ...importers },
  [
    at(R, 'error', 'svc/m00.py', 1, 8, {
      related: Array.from(
        { length: 10 },
        (_, i) => `svc/m${String(i + 1).padStart(2, '0')}.py:1 \`shared\` is imported here too`,
      ),
    }),
  ],
);

// The build: a context that is not known, a target stage that is not known.
cases.push({
  name: 'build: a context that is not known is not checked',
  only: [R, U],
  repo: {
    files: {
      'compose.yaml':
        'services:\n  svc:\n    build:\n      context: ${CTX}\n      dockerfile: svc/Dockerfile\n',
      'svc/Dockerfile': dockerfile(),
      'svc/requirements.txt': 'flask==3.0.3\n',
      'svc/main.py': MAIN,
      'shared/__init__.py': '',
    },
  },
  expect: [],
});

add(
  'build: a notebook in the context (code crossdock does not read for imports) is not checked',
  { 'svc/explore.ipynb': '{"cells": []}\n' },
  [],
);

cases.push({
  name: 'build: a target stage that is not known is not checked',
  only: [R, U],
  repo: {
    files: {
      'compose.yaml': 'services:\n  svc:\n    build:\n      context: svc\n      target: ${STAGE}\n',
      'svc/Dockerfile': dockerfile(),
      'svc/requirements.txt': 'flask==3.0.3\n',
      'svc/main.py': MAIN,
      'shared/__init__.py': '',
    },
  },
  expect: [],
});

ruleTest(rule, cases);
