import rule from '../../src/rules/unused-heavy-dependency.js';
import { at, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'unused-heavy-dependency';
const U = 'unresolved-value';
const config = (context = '.', dockerfile = 'Dockerfile') =>
  `images:\n  reg/app:\n    context: ${context}\n    dockerfile: ${dockerfile}\n`;
const dockerfile = (extra = '') =>
  `FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt${extra}\nCOPY . .\nCMD ["python", "app.py"]\n`;
const APP = 'import os\nfrom flask import Flask\n\napp = Flask(__name__)\n';
/** A service whose requirements install torch while its only module imports flask. */
const repo = (over: Record<string, string> = {}): RuleCase['repo'] => ({
  files: {
    'crossdock.yaml': config(),
    Dockerfile: dockerfile(),
    'requirements.txt': 'flask==3.0.3\ntorch==2.3.1\n',
    'app.py': APP,
    ...over,
  },
});

ruleTest(rule, [
  {
    name: 'torch in the requirements, no module imports it: a warning at the requirement, with the arm64 cost',
    repo: repo(),
    expect: [
      at(R, 'warning', 'requirements.txt', 2, 1, {
        message:
          /^`torch` is installed into the image built from `\.`, but no Python file there imports `torch` and nothing else installed needs it: on arm64 the aarch64 wheel is over 100 MB/,
        sites: ['crossdock.yaml:1'],
      }),
    ],
  },
  {
    name: 'distribution names map to import names: opencv-python-headless is imported as cv2',
    repo: repo({ 'requirements.txt': 'flask==3.0.3\nopencv-python-headless==4.10.0.84\n' }),
    expect: [at(R, 'warning', 'requirements.txt', 2, 1, { message: /imports `cv2`/ })],
  },
  {
    name: 'a `pip install torch` in the Dockerfile itself: the warning is at that word',
    repo: repo({
      Dockerfile: dockerfile(' && pip install torch==2.3.1'),
      'requirements.txt': 'flask==3.0.3\n',
    }),
    expect: [at(R, 'warning', 'Dockerfile', 4, 52)],
  },
  {
    name: 'the project itself (`pip install .`) lists scipy in pyproject.toml: the warning is at that dependency',
    repo: {
      files: {
        'crossdock.yaml': config(),
        Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install .\n',
        'pyproject.toml': '[project]\nname = "svc"\ndependencies = ["flask==3.0.3", "scipy>=1.13"]\n',
        'svc/__init__.py': 'import json\nimport flask\n',
      },
    },
    expect: [at(R, 'warning', 'pyproject.toml', 3, 33, { message: /`scipy` is installed/ })],
  },
  {
    name: 'condition "no file imports it": a module imports torch (inside a function) → used',
    repo: repo({ 'worker.py': 'def load():\n    import torch.nn as nn\n    return nn\n' }),
    expect: [],
  },
  {
    name: 'condition "no file imports it": `import keras` (installed with tensorflow, and needing it) is a use of tensorflow',
    repo: repo({
      'requirements.txt': 'flask==3.0.3\ntensorflow==2.15.1\n',
      'app.py': `${APP}import keras\n`,
    }),
    expect: [],
  },
  {
    name: 'condition "no file imports it": a guarded `try: import torch` counts as an import',
    repo: repo({ 'app.py': `${APP}try:\n    import torch\nexcept ImportError:\n    torch = None\n` }),
    expect: [],
  },
  {
    name: 'condition "no file imports it": a literal `importlib.import_module("torch")` counts as an import',
    repo: repo({ 'app.py': `import importlib\n${APP}t = importlib.import_module("torch")\n` }),
    expect: [],
  },
  {
    name: 'condition "no file imports it": a Python script without an extension (shebang) imports it',
    repo: repo({ 'bin/train': '#!/usr/bin/env python3\nimport torch\n' }),
    expect: [],
  },
  {
    name: 'condition "nothing runs it": the Dockerfile runs `torchrun` (a program torch ships)',
    repo: repo({
      Dockerfile: dockerfile().replace('CMD ["python", "app.py"]', 'CMD ["torchrun", "app.py"]'),
    }),
    expect: [],
  },
  {
    name: 'condition "nothing runs it": a shell script of the context runs `python -c "import torch"`',
    repo: repo({
      'start.sh': '#!/bin/sh\npython -c "import torch; print(torch.__version__)"\nexec python app.py\n',
    }),
    expect: [],
  },
  {
    name: 'condition "nothing else installed needs it": sentence-transformers (which requires torch) is installed',
    repo: repo({
      'requirements.txt': 'flask==3.0.3\ntorch==2.3.1\nsentence-transformers==3.0.1\n',
      'app.py': `${APP}from sentence_transformers import SentenceTransformer\n`,
    }),
    expect: [],
  },
  {
    name: 'condition "installed on every platform": a marker (`; platform_machine == "x86_64"`) may leave it out on arm64',
    repo: repo({ 'requirements.txt': 'flask==3.0.3\ntorch==2.3.1; platform_machine == "x86_64"\n' }),
    expect: [],
  },
  {
    name: 'condition "heavy": numpy and pandas are not on the list (modest, required by many packages)',
    repo: repo({ 'requirements.txt': 'flask==3.0.3\nnumpy==2.0.0\npandas==2.2.2\n' }),
    expect: [],
  },
  {
    name: 'condition ".dockerignore": a module that imports torch but is excluded from the context does not count',
    repo: repo({ 'scripts/train.py': 'import torch\n', '.dockerignore': 'scripts/\n' }),
    expect: [at(R, 'warning', 'requirements.txt', 2, 1)],
  },
  {
    name: 'condition "every image that installs the file": another image of the same requirements imports torch',
    repo: repo({
      'crossdock.yaml': `${config()}  reg/trainer:\n    context: .\n    dockerfile: Dockerfile.train\n`,
      'Dockerfile.train':
        'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nRUN python -c "import torch"\n',
    }),
    expect: [],
  },
  {
    name: 'condition "every image that installs the file": a Dockerfile nothing builds installs it too (it may be built with torch in use)',
    repo: repo({
      'Dockerfile.train':
        'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD ["python", "-c", "import torch"]\n',
    }),
    expect: [],
  },
  {
    name: 'unknown: a package crossdock knows nothing about may need torch: no claim, a note names it',
    only: [R, U],
    repo: repo({ 'requirements.txt': 'flask==3.0.3\ntorch==2.3.1\nacme-vision==1.0\n' }),
    expect: [
      at(U, 'info', 'requirements.txt', 3, 1, {
        message: /whether `acme-vision` needs `torch` is not known/,
      }),
    ],
  },
  {
    name: 'unknown: a module imported from nowhere crossdock reads (a base image crossdock does not know may hold it)',
    only: [R, U],
    repo: repo({
      'app.py': `${APP}import acme_models\n`,
      Dockerfile: dockerfile().replace('python:3.12-slim', 'registry.example.com/py-base:1'),
    }),
    expect: [
      at(U, 'info', 'app.py', 5, 8, {
        message: /`acme_models` is imported by app\.py but installed by nothing/,
      }),
    ],
  },
  {
    name: 'on the official python image a module nothing installs is missing, not a package of the base: still reported',
    repo: repo({ 'app.py': `${APP}import acme_models\n` }),
    expect: [at(R, 'warning', 'requirements.txt', 2, 1)],
  },
  {
    name: 'unknown: an import by a name known only at run time (`importlib.import_module(name)`)',
    only: [R, U],
    repo: repo({ 'app.py': `import importlib, sys\n${APP}mod = importlib.import_module(sys.argv[1])\n` }),
    expect: [at(U, 'info', 'app.py', 6, 17, { message: /imports a module named at run time/ })],
  },
  {
    name: 'unknown: another installer (poetry) installs packages crossdock does not read',
    only: [R, U],
    repo: repo({ Dockerfile: dockerfile(' && poetry install') }),
    expect: [at(U, 'info', 'Dockerfile', 4, 40, { message: /`poetry` installs Python packages/ })],
  },
  {
    name: 'unknown: a distro Python package (python3-yaml) installs modules; Python headers (python3-dev) do not',
    only: [R, U],
    repo: repo({
      Dockerfile: dockerfile(' && apt-get update && apt-get install -y python3-dev python3-yaml'),
    }),
    expect: [
      at(U, 'info', 'Dockerfile', 4, 89, {
        message: /the distro package `python3-yaml` installs Python packages/,
      }),
    ],
  },
  {
    name: 'unknown: a notebook in the context may import it',
    only: [R, U],
    repo: repo({ 'notebooks/explore.ipynb': '{"cells": []}\n' }),
    expect: [at(U, 'info', 'crossdock.yaml', 1, 1, { message: /explore\.ipynb holds Python code/ })],
  },
  {
    name: 'unknown: a Dockerfile nothing builds has no known context: silent',
    repo: { files: { Dockerfile: dockerfile(), 'requirements.txt': 'torch==2.3.1\n', 'app.py': APP } },
    expect: [],
  },
  {
    name: "a service context below the repository: only that context's files count",
    repo: {
      files: {
        'crossdock.yaml': config('svc', 'svc/Dockerfile'),
        'svc/Dockerfile': dockerfile(),
        'svc/requirements.txt': 'flask==3.0.3\ntensorflow==2.16.1\n',
        'svc/app.py': APP,
        'research/train.py': 'import tensorflow as tf\n',
      },
    },
    expect: [
      at(R, 'warning', 'svc/requirements.txt', 2, 1, { message: /built from `svc`.*versions before 2\.10/ }),
    ],
  },
]);
