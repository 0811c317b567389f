// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold Dockerfile `${VAR}` text literally.
/**
 * unused-heavy-dependency, one condition at a time, with the notes compared too (a use must be silent, not a note):
 * each instruction that may run a program the package ships, stages not built, packages that share the heavy
 * one's modules, the official python base, the installs crossdock cannot read, and the message's contexts.
 */
import rule from '../../src/rules/unused-heavy-dependency.js';
import { at, type Expected, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'unused-heavy-dependency';
const U = 'unresolved-value';
const CONFIG = 'images:\n  reg/app:\n    context: .\n    dockerfile: Dockerfile\n';
const dockerfile = (extra = '', cmd = 'CMD ["python", "app.py"]', from = 'FROM python:3.12-slim') =>
  `${from}\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt${extra}\nCOPY . .\n${cmd}\n`;
const APP = 'import os\nfrom flask import Flask\n\napp = Flask(__name__)\n';

const repo = (over: Record<string, string | undefined> = {}): RuleCase['repo'] => {
  const files: Record<string, string> = {};
  const all: Record<string, string | undefined> = {
    'crossdock.yaml': CONFIG,
    Dockerfile: dockerfile(),
    'requirements.txt': 'flask==3.0.3\ntorch==2.3.1\n',
    'app.py': APP,
    ...over,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) files[k] = v;
  return { files };
};

const unused = (name = 'torch', line = 2, file = 'requirements.txt', column = 1, context = '.'): Expected =>
  at(R, 'warning', file, line, column, {
    message: new RegExp(
      `^\`${name}\` is installed into the image built from \`${context.replace(/[.`]/g, '\\$&')}\`, but`,
    ),
  });

const cases: RuleCase[] = [];
const add = (name: string, r: RuleCase['repo'], expect: Expected[]) =>
  cases.push({ name, repo: r, expect, only: [R, U] });

// Uses: silent, and no note.
add('use: a submodule import (`import torch.nn`)', repo({ 'worker.py': 'import torch.nn as nn\n' }), []);
add(
  'use: a context script runs torchrun',
  repo({ 'run.sh': '#!/bin/sh\ntorchrun --nproc-per-node 2 train.py\n' }),
  [],
);
add(
  'not a use: a context script that runs something else',
  repo({ 'run.sh': '#!/bin/sh\nexec python app.py\n' }),
  [unused()],
);
add(
  'use: a RUN looks for torchrun among other words',
  repo({ Dockerfile: dockerfile(' && test -x /usr/local/bin/torchrun') }),
  [],
);
for (const [kw, line] of [
  ['CMD', 'CMD ["torchrun", "app.py"]'],
  ['ENTRYPOINT', 'ENTRYPOINT ["torchrun", "app.py"]'],
  ['HEALTHCHECK', 'HEALTHCHECK CMD python -c "import torch"'],
  ['SHELL', 'SHELL ["torchrun", "-c"]'],
] as const)
  add(`use: ${kw} names a program it ships`, repo({ Dockerfile: dockerfile('', line) }), []);
add(
  'not a use: a stage the build does not produce runs torchrun',
  repo({
    Dockerfile: `FROM python:3.12-slim AS test\nRUN torchrun --version\n${dockerfile()}`,
  }),
  [unused()],
);
add(
  'use: a script names the distribution itself (`opencv-python-headless`)',
  repo({
    'requirements.txt': 'flask==3.0.3\nopencv-python-headless==4.10.0.84\n',
    'check.sh': '#!/bin/sh\npip show opencv-python-headless\n',
  }),
  [],
);
add(
  'use: another installed package needs it (sentence-transformers)',
  repo({
    'requirements.txt': 'flask==3.0.3\ntorch==2.3.1\nsentence-transformers==3.0.1\n',
    'app.py': `${APP}from sentence_transformers import SentenceTransformer\n`,
  }),
  [],
);
add(
  'two heavy packages with the same modules (tensorflow, tensorflow-cpu) do not need each other',
  repo({ 'requirements.txt': 'flask==3.0.3\ntensorflow==2.16.1\ntensorflow-cpu==2.16.1\n' }),
  [unused('tensorflow'), unused('tensorflow-cpu', 3)],
);

// The official python base holds no packages of its own; a chain, or an image only named python, may.
add(
  'base: a stage chain on python:3.12-slim may install what a module imports',
  repo({
    Dockerfile: `FROM python:3.12-slim AS base\n${dockerfile('', 'CMD ["python", "app.py"]', 'FROM base')}`,
    'app.py': `${APP}import acme_models\n`,
  }),
  [
    at(U, 'info', 'app.py', 5, 8, {
      message: /^`acme_models` is imported by app\.py but installed by nothing crossdock reads/,
    }),
  ],
);
add(
  'base: an image named python in another registry is not the official one',
  repo({
    Dockerfile: dockerfile('', undefined, 'FROM ghcr.io/acme/python:3.12'),
    'app.py': `${APP}import acme_models\n`,
  }),
  [at(U, 'info', 'app.py', 5, 8, { message: /^`acme_models` is imported by app\.py/ })],
);

// Installs crossdock cannot read.
add(
  'unknown installs without a heavy requirement: no note',
  repo({ Dockerfile: dockerfile(' && pip install $EXTRA'), 'requirements.txt': 'flask==3.0.3\n' }),
  [],
);
add(
  'unknown installs with torch: the note says what it blocks',
  repo({ Dockerfile: dockerfile(' && pip install $EXTRA') }),
  [
    at(U, 'info', 'Dockerfile', 4, 52, {
      message:
        /; not checked: whether the heavy packages the image installs are used \(unused-heavy-dependency\)$/,
    }),
  ],
);
add(
  "unknown installs of one image do not count another image's requirements",
  repo({
    'crossdock.yaml': `${CONFIG}  reg/other:\n    context: other\n    dockerfile: other/Dockerfile\n`,
    'other/Dockerfile': dockerfile(' && pip install $EXTRA'),
    'other/requirements.txt': 'flask==3.0.3\n',
    'other/app.py': APP,
  }),
  [unused()],
);
add('a notebook: the note says what it blocks', repo({ 'notebooks/explore.ipynb': '{"cells": []}\n' }), [
  at(U, 'info', 'crossdock.yaml', 1, 1, {
    message: /; not checked: whether `torch` is imported \(unused-heavy-dependency\)$/,
  }),
]);
add(
  'a module named at run time: the note says what it blocks',
  repo({ 'app.py': `import importlib, sys\n${APP}mod = importlib.import_module(sys.argv[1])\n` }),
  [
    at(U, 'info', 'app.py', 6, 17, {
      message: /; not checked: whether `torch` is used \(unused-heavy-dependency\)$/,
    }),
  ],
);
cases.push({
  name: 'a Dockerfile nothing builds: no note either',
  only: [R, U],
  repo: { files: { Dockerfile: dockerfile(), 'requirements.txt': 'torch==2.3.1\n', 'app.py': APP } },
  expect: [],
});

// One Dockerfile built from two contexts: both named.
add(
  'two contexts of one install: both are named',
  {
    files: {
      'crossdock.yaml':
        'images:\n  reg/a:\n    context: a\n    dockerfile: Dockerfile\n  reg/b:\n    context: b\n    dockerfile: Dockerfile\n',
      Dockerfile:
        'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install torch==2.3.1\nCOPY . .\nCMD ["python", "app.py"]\n',
      'a/app.py': APP,
      'b/app.py': APP,
    },
  },
  [
    at(R, 'warning', 'Dockerfile', 3, 17, {
      message: /^`torch` is installed into the image built from `a`, `b`, but/,
    }),
  ],
);

ruleTest(rule, cases);
