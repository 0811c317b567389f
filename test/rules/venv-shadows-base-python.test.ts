import rule from '../../src/rules/venv-shadows-base-python.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const R = 'venv-shadows-base-python';
const BUILT = 'images:\n  reg/app:\n    context: .\n';
const TORCH = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';
const NUMPY = 'RUN apt-get update && apt-get install -y python3-venv python3-numpy';
/** A built Dockerfile: FROM `base`, then these lines, with a requirements.txt holding `requirements`. */
const built = (base: string, lines: string[], requirements = 'torch==2.3.1\nfastapi==0.111.0\n') => ({
  files: {
    Dockerfile: `${[`FROM ${base}`, ...lines].join('\n')}\n`,
    'requirements.txt': requirements,
    'crossdock.yaml': BUILT,
  },
});

ruleTest(rule, [
  {
    name: 'a venv on the PyTorch image gets torch again (from a requirements file, and pulled by torchvision): one warning at the venv, the installs as sites, the FROM as related',
    repo: built(TORCH, [
      'WORKDIR /app',
      'COPY requirements.txt .',
      'RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt',
      'RUN /opt/venv/bin/pip install torchvision',
    ]),
    expect: [
      at(R, 'warning', 'Dockerfile', 4, 5, {
        message:
          /^the virtual environment \/opt\/venv is created without `--system-site-packages`, so it does not see the torch the image's Python already has; `\/opt\/venv\/bin\/pip install` installs torch again into it: a second copy of large native packages, for another interpreter$/,
        sites: ['Dockerfile:5'],
        related: [`Dockerfile:1 ${TORCH} ships torch in its Python`],
      }),
    ],
  },
  {
    name: "Debian's python3-numpy, then a venv on PATH installs pandas, which pulls numpy again",
    repo: built('debian:bookworm', [
      NUMPY,
      'RUN python3 -m venv /opt/venv',
      'ENV PATH=/opt/venv/bin:$PATH',
      'RUN pip install pandas',
    ]),
    expect: [
      at(R, 'warning', 'Dockerfile', 3, 5, {
        message: /does not see the numpy the image's Python already has; `pip install` installs numpy again/,
        related: ["Dockerfile:2 python3-numpy installs numpy for the distro's python3"],
      }),
    ],
  },
  {
    name: 'the python image: torch installed into its Python, then an activated venv installs it again',
    repo: built('python:3.12-slim', [
      'RUN pip install torch',
      'RUN python -m venv /venv && . /venv/bin/activate && pip install torch',
    ]),
    expect: [
      at(R, 'warning', 'Dockerfile', 3, 5, {
        related: ["Dockerfile:2 this installs torch into the image's Python"],
      }),
    ],
  },
  {
    name: "an activation lasts one RUN: a later bare pip installs into the image's Python again",
    repo: built('python:3.12-slim', [
      'RUN python -m venv /venv && . /venv/bin/activate && pip install fastapi',
      'RUN pip install torch',
      'RUN /venv/bin/pip install torchvision',
    ]),
    expect: [
      at(R, 'warning', 'Dockerfile', 2, 5, {
        sites: ['Dockerfile:4'],
        related: ["Dockerfile:3 this installs torch into the image's Python"],
      }),
    ],
  },
  {
    name: 'the NGC image with the venv on PATH before it is created (`$VIRTUAL_ENV`)',
    repo: built('nvcr.io/nvidia/pytorch:24.01-py3', [
      'ENV VIRTUAL_ENV=/opt/venv',
      'ENV PATH="$VIRTUAL_ENV/bin:$PATH"',
      'RUN apt-get update && apt-get install -y python3-venv',
      'RUN python3 -m venv $VIRTUAL_ENV',
      'RUN pip install torch',
    ]),
    expect: [at(R, 'warning', 'Dockerfile', 5, 5, { sites: ['Dockerfile:6'] })],
  },
  {
    name: 'virtualenv, once installed, on the python image',
    repo: built('python:3.12-slim', [
      'RUN pip install numpy==1.26.4 virtualenv',
      'RUN virtualenv /venv && /venv/bin/pip install pandas',
    ]),
    expect: [at(R, 'warning', 'Dockerfile', 3, 5, { message: /the numpy the image's Python already has/ })],
  },
  {
    name: 'condition "the venv can be created": without python3-venv the NGC image has no ensurepip, and virtualenv must be installed',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM nvcr.io/nvidia/pytorch:24.01-py3\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install torch\n',
        'b/Dockerfile': `FROM ${TORCH}\nRUN virtualenv /opt/venv && /opt/venv/bin/pip install torch\n`,
        'c/Dockerfile': `FROM ${TORCH}\nRUN python3 -m venv --without-pip /opt/venv && /opt/venv/bin/pip install torch\n`,
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "without --system-site-packages": a venv that sees the base packages reuses them',
    repo: built(TORCH, [
      'RUN python3 -m venv --system-site-packages /opt/venv && /opt/venv/bin/pip install torch torchvision',
    ]),
    expect: [],
  },
  {
    name: 'condition "the base Python has it": no python3-numpy, or numpy for the distro python3 on the python image (another interpreter)',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM debian:bookworm\nRUN apt-get update && apt-get install -y python3-venv\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install pandas\n',
        'b/Dockerfile':
          'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y python3-numpy\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install pandas\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "the base Python has it": a distro pip install that PEP 668 refuses put nothing into the base Python',
    repo: built('debian:bookworm', [
      'RUN apt-get update && apt-get install -y python3-pip python3-venv',
      'RUN pip install numpy || true',
      'RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install numpy',
    ]),
    expect: [],
  },
  {
    name: 'condition "installs them again": a venv that installs other packages, or pandas with --no-deps',
    repo: built('debian:bookworm', [
      NUMPY,
      'RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install fastapi',
      'RUN /opt/venv/bin/pip install --no-deps pandas',
    ]),
    expect: [],
  },
  {
    name: 'condition "into the venv": a bare pip with the venv neither on PATH nor activated installs into the base Python',
    repo: built(TORCH, ['RUN python3 -m venv /opt/venv', 'RUN pip install torchvision']),
    expect: [],
  },
  {
    name: 'condition "it runs": an install inside `if` may not run',
    repo: built(TORCH, [
      'RUN python3 -m venv /opt/venv',
      'RUN if [ -n "$GPU" ]; then /opt/venv/bin/pip install torch; fi',
    ]),
    expect: [],
  },
  {
    name: 'condition "a built stage": a stage the build does not produce is not reported',
    repo: built(TORCH, [
      'RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install torch',
      'FROM python:3.12-slim',
    ]),
    expect: [],
  },
  {
    name: 'unknown: an image crossdock does not know, a base from an ARG, conda in the chain, a login SHELL: no claim',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM mycorp/ml:1\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install torch\n',
        'b/Dockerfile':
          'ARG BASE\nFROM $BASE\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install torch\n',
        'c/Dockerfile': `FROM ${TORCH}\nRUN conda install -y python=3.11\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install torch\n`,
        'd/Dockerfile': `FROM ${TORCH}\nSHELL ["/bin/bash", "-l", "-c"]\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install torch\n`,
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n  reg/d:\n    context: d\n',
      },
    },
    expect: [],
  },
]);
