import rule from '../../src/rules/externally-managed-python.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const R = 'externally-managed-python';
const U = 'unresolved-value';
const BUILT = 'images:\n  reg/app:\n    context: .\n';
const APT = 'RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip';
/** A built Dockerfile: FROM `base`, then these lines. */
const built = (base: string, ...lines: string[]) => ({
  files: {
    Dockerfile: `${[`FROM ${base}`, ...lines].join('\n')}\n`,
    'requirements.txt': 'flask==3.0.3\n',
    'crossdock.yaml': BUILT,
  },
});

ruleTest(rule, [
  {
    name: 'Debian 12: `pip install` into the distro Python is refused; one finding at the first install, later ones as sites, the FROM and the pip package as related',
    repo: built(
      'debian:bookworm-slim',
      APT,
      'COPY requirements.txt .',
      'RUN pip install --no-cache-dir -r requirements.txt',
      'RUN pip3 install gunicorn',
    ),
    expect: [
      at(R, 'error', 'Dockerfile', 4, 5, {
        message:
          /^`pip install` installs into the distro Python of debian:bookworm-slim \(Debian bookworm\), which is marked externally managed \(PEP 668\): pip stops with "error: externally-managed-environment" and the build fails$/,
        sites: ['Dockerfile:5', 'crossdock.yaml:1'],
        related: [
          'Dockerfile:1 debian:bookworm-slim is Debian bookworm',
          "Dockerfile:2 pip comes from the distro's package here",
        ],
      }),
    ],
  },
  {
    name: 'Ubuntu 24.04 (`python3 -m pip`), Alpine 3.20 (`apk add py3-pip`), a language image on bookworm (`node:22-bookworm`), `--user` too',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y python3-pip\nRUN python3 -m pip install flask\n',
        'b/Dockerfile': 'FROM alpine:3.20\nRUN apk add --no-cache python3 py3-pip && pip3 install awscli\n',
        'c/Dockerfile':
          'FROM node:22-bookworm\nRUN apt-get update && apt-get install -y python3-pip\nRUN pip install --user httpie\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [
      at(R, 'error', 'a/Dockerfile', 3, 5, { message: /^`python3 -m pip install` .*\(Ubuntu 24\.04\)/ }),
      at(R, 'error', 'b/Dockerfile', 2, 43, { message: /\(Alpine 3\.20\)/ }),
      at(R, 'error', 'c/Dockerfile', 3, 5, { message: /node:22-bookworm \(Debian bookworm\)/ }),
    ],
  },
  {
    name: 'an install whose failure a `|| true` hides is still refused every time: the image never gets the packages',
    repo: built('ubuntu:noble', APT, 'RUN pip install flask || true'),
    expect: [
      at(R, 'error', 'Dockerfile', 3, 5, {
        message:
          /^`pip install` .*\(Ubuntu noble\).*pip refuses every time .*, and `\|\| true` hides it, so the image never gets what it installs$/,
      }),
    ],
  },
  {
    name: 'a fallback that is another system pip install is refused too (the build fails); one that is not hides the failure',
    repo: {
      files: {
        'a/Dockerfile': `FROM debian:bookworm\n${APT}\nRUN pip install psycopg2 || pip install psycopg2-binary\n`,
        'b/Dockerfile': `FROM debian:bookworm\n${APT}\nRUN pip install psycopg2 || apt-get install -y python3-psycopg2\n`,
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at(R, 'error', 'a/Dockerfile', 3, 5, { message: /and the build fails$/, sites: ['crossdock.yaml:1'] }),
      at(R, 'error', 'b/Dockerfile', 3, 5, {
        message:
          /, and `\|\| apt-get install -y python3-psycopg2` hides it, so the image never gets what it installs$/,
      }),
    ],
  },
  {
    name: 'a base image built in this repository is followed: its distro and its python3-pip carry into the image built on it',
    repo: {
      files: {
        'base/Dockerfile':
          'FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y python3 python3-pip\n',
        'app/Dockerfile': 'FROM reg/base:1\nRUN pip3 install flask\n',
        'crossdock.yaml': 'images:\n  reg/base:1:\n    context: base\n  reg/app:\n    context: app\n',
      },
    },
    expect: [
      at(R, 'error', 'app/Dockerfile', 2, 5, {
        message: /of ubuntu:24\.04 \(under reg\/base:1\) \(Ubuntu 24\.04\)/,
        related: [
          'base/Dockerfile:1 ubuntu:24.04 is Ubuntu 24.04',
          "base/Dockerfile:2 pip comes from the distro's package here",
        ],
      }),
    ],
  },
  {
    name: 'condition "no override": a base built in this repository that sets PIP_BREAK_SYSTEM_PACKAGES lets the image built on it install',
    repo: {
      files: {
        'base/Dockerfile':
          'FROM ubuntu:24.04\nENV PIP_BREAK_SYSTEM_PACKAGES=1\nRUN apt-get update && apt-get install -y python3 python3-pip\n',
        'app/Dockerfile': 'FROM reg/base:1\nRUN pip3 install flask\n',
        'crossdock.yaml': 'images:\n  reg/base:1:\n    context: base\n  reg/app:\n    context: app\n',
      },
    },
    expect: [],
  },
  {
    name: 'a stage built FROM a stage that installs pip inherits its distro Python',
    repo: built('debian:12 AS base', APT, 'FROM base', 'RUN pip install flask'),
    expect: [at(R, 'error', 'Dockerfile', 4, 5, { message: /debian:12 \(Debian 12\)/ })],
  },
  {
    name: 'condition "externally managed release": Debian 11, Ubuntu 22.04, Alpine 3.18 let pip install',
    repo: {
      files: {
        'a/Dockerfile': `FROM debian:bullseye-slim\n${APT}\nRUN pip install flask\n`,
        'b/Dockerfile': `FROM ubuntu:22.04\n${APT}\nRUN pip install flask\n`,
        'c/Dockerfile': 'FROM alpine:3.18\nRUN apk add --no-cache python3 py3-pip && pip3 install awscli\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "not the official python image": python:* runs its own /usr/local Python, not externally managed',
    repo: built('python:3.12-slim-bookworm', APT, 'RUN pip install flask'),
    expect: [],
  },
  {
    name: 'condition "no override": `--break-system-packages`, PIP_BREAK_SYSTEM_PACKAGES (ENV or inline) let pip install',
    repo: {
      files: {
        'a/Dockerfile': `FROM debian:bookworm\n${APT}\nRUN pip install --break-system-packages flask\n`,
        'b/Dockerfile': `FROM debian:bookworm\nENV PIP_BREAK_SYSTEM_PACKAGES=1\n${APT}\nRUN pip install flask\n`,
        'c/Dockerfile': `FROM debian:bookworm\n${APT}\nRUN PIP_BREAK_SYSTEM_PACKAGES=true pip install flask\n`,
        'd/Dockerfile': `FROM debian:bookworm\n${APT}\nRUN rm /usr/lib/python3.11/EXTERNALLY-MANAGED && pip install flask\n`,
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n  reg/d:\n    context: d\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "no override": PIP_BREAK_SYSTEM_PACKAGES=0 overrides nothing',
    repo: built('debian:bookworm', 'ENV PIP_BREAK_SYSTEM_PACKAGES=0', APT, 'RUN pip install flask'),
    expect: [at(R, 'error', 'Dockerfile', 4, 5)],
  },
  {
    name: 'condition "outside a virtual environment": a venv on PATH, activated, or called by path takes the install',
    repo: {
      files: {
        'a/Dockerfile': `FROM debian:bookworm\n${APT} python3-venv\nRUN python3 -m venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\nRUN pip install flask\n`,
        'b/Dockerfile': `FROM debian:bookworm\n${APT} python3-venv\nRUN python3 -m venv /opt/venv && . /opt/venv/bin/activate && pip install flask\n`,
        'c/Dockerfile': `FROM debian:bookworm\n${APT} python3-venv\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install flask\n`,
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [],
  },
  {
    name: 'a venv that is created but not put on PATH does not take a bare `pip install`',
    repo: built(
      'debian:bookworm',
      `${APT} python3-venv`,
      'RUN python3 -m venv /opt/venv',
      'RUN pip install flask',
    ),
    expect: [at(R, 'error', 'Dockerfile', 4, 5)],
  },
  {
    name: 'condition "into the environment": `--target`, `--prefix`, `--root` make pip skip the check',
    repo: built(
      'debian:bookworm',
      APT,
      'RUN pip install --target /deps flask',
      'RUN pip install --prefix=/install flask',
      'RUN pip install --root /stage flask',
    ),
    expect: [],
  },
  {
    name: 'condition "into the environment": PIP_TARGET / PIP_PREFIX set by ENV or inline do the same',
    repo: {
      files: {
        'a/Dockerfile': `FROM debian:bookworm\nENV PIP_TARGET=/deps\n${APT}\nRUN pip install flask\n`,
        'b/Dockerfile': `FROM debian:bookworm\n${APT}\nRUN PIP_PREFIX=/install pip install flask\n`,
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "pip is the distro\'s": without python3-pip installed before it, `pip` is another failure (not found)',
    repo: {
      files: {
        'a/Dockerfile': 'FROM debian:bookworm\nRUN pip install flask\n',
        'b/Dockerfile':
          'FROM debian:bookworm\nRUN pip install flask\nRUN apt-get update && apt-get install -y python3-pip\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "it runs": a pip install inside `if`, after a test, or as a `||` handler may not run',
    repo: built(
      'debian:bookworm',
      APT,
      'RUN if [ "$DEV" = 1 ]; then pip install pytest; fi',
      'RUN test -f extra.txt && pip install -r extra.txt',
      'RUN pip3 --version || pip install --upgrade pip',
    ),
    expect: [],
  },
  {
    name: 'condition "a built stage": a stage the build does not produce is not reported',
    repo: built(
      'debian:bookworm AS unused',
      APT,
      'RUN pip install flask',
      'FROM python:3.12-slim',
      'RUN pip install flask',
    ),
    expect: [],
  },
  {
    name: 'unknown: a base from an ARG no build site passes gets no claim, a note at the ARG',
    only: [R, U],
    repo: {
      files: { Dockerfile: `ARG BASE\nFROM $BASE\n${APT}\nRUN pip install flask\n`, 'crossdock.yaml': BUILT },
    },
    expect: [
      at(U, 'info', 'Dockerfile', 1, 5, {
        message:
          /ARG BASE has no default.*not checked: whether `pip install` may install into this stage's distro Python \(PEP 668\)/,
      }),
    ],
  },
  {
    name: 'unknown: an image crossdock does not know (a CUDA image on Ubuntu) gets no claim, a note at its FROM',
    only: [R, U],
    repo: built('nvidia/cuda:12.4.1-runtime-ubuntu24.04', APT, 'RUN pip install flask'),
    expect: [
      at(U, 'info', 'Dockerfile', 1, 6, {
        message:
          /^whether the distro Python of nvidia\/cuda:12\.4\.1-runtime-ubuntu24\.04 is marked externally managed is not known; not checked: whether `pip install` may install/,
      }),
    ],
  },
  {
    name: 'unknown: another Python or a pip setting crossdock cannot read (a copied pip.conf, another python3.x, a folder put first on PATH, a login SHELL whose profile may activate one) gets no claim',
    repo: {
      files: {
        'a/Dockerfile': `FROM debian:bookworm\n${APT}\nCOPY pip.conf /etc/pip.conf\nRUN pip install flask\n`,
        'b/Dockerfile': `FROM debian:bookworm\n${APT}\nRUN apt-get install -y python3.12 && pip install flask\n`,
        'c/Dockerfile': `FROM debian:bookworm\n${APT}\nENV PATH=/root/.local/bin:$PATH\nRUN pip install flask\n`,
        'd/Dockerfile': `FROM debian:bookworm\n${APT}\nSHELL ["/bin/bash", "--login", "-c"]\nRUN pip install flask\n`,
        'a/pip.conf': '[global]\nbreak-system-packages = true\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n  reg/d:\n    context: d\n',
      },
    },
    expect: [],
  },
  {
    name: 'a SHELL that only adds shell options (pipefail) keeps RUN in the plain shell',
    repo: built(
      'debian:bookworm',
      'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
      APT,
      'RUN pip install flask | tee /tmp/log',
    ),
    expect: [at(R, 'error', 'Dockerfile', 4, 5)],
  },
]);
