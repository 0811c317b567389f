import rule from '../../src/rules/pip-no-timeout.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const R = 'pip-no-timeout';
const IMAGES = 'images:\n  reg/app:\n    context: .\n    dockerfile: Dockerfile\n';
const PY = [
  'FROM python:3.12-slim',
  'RUN pip install -r requirements.txt',
  'RUN python -m pip install --default-timeout=100 flask',
  'RUN PIP_DEFAULT_TIMEOUT=60 pip3 install x',
  'RUN apt-get update && \\',
  '    pip install --retries 5 y && uv pip install z',
  '',
].join('\n');
const WEB = [
  'FROM node:20-slim',
  'RUN npm ci && yarn install --network-timeout 600000 && npm install --fetch-timeout=600000',
  'RUN npm install --fetch-timeout=60000 && npm i --fetch-timeout 1000 && yarn install && yarn add left-pad',
  'RUN yarn install --immutable && YARN_NETWORK_TIMEOUT=600000 yarn install && pnpm install',
  '',
].join('\n');
const QEMU = '      - uses: docker/setup-qemu-action@v3\n';
/** A workflow building `context` with build-push-action for `platforms` on `runner`. */
const workflow = (
  pre: string,
  platforms = 'linux/amd64,linux/arm64',
  runner = 'ubuntu-latest',
  context = '.',
) =>
  `on: push\njobs:\n  build:\n    runs-on: ${runner}\n    steps:\n      - uses: actions/checkout@v4\n${pre}      - uses: docker/setup-buildx-action@v3\n      - uses: docker/build-push-action@v6\n        with:\n          context: ${context}\n          platforms: ${platforms}\n`;
const built = (dockerfile: string) => ({ files: { 'crossdock.yaml': IMAGES, Dockerfile: dockerfile } });

ruleTest(rule, [
  {
    name: 'pip, lowered npm and yarn v1 timeouts are info on a build not known to emulate; configured ones, uv, npm ci, yarn --immutable and pnpm are not reported',
    repo: {
      files: {
        'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n  reg/web:\n    context: web\n',
        Dockerfile: PY,
        'web/Dockerfile': WEB,
      },
    },
    expect: [
      at(R, 'info', 'Dockerfile', 2, 5, {
        message:
          /`pip install` uses pip's defaults \(15 s read timeout, 5 retries\): enough on a fast native builder/,
        sites: ['crossdock.yaml:1'],
        reachable: true,
      }),
      at(R, 'info', 'web/Dockerfile', 3, 5, { message: /fetch timeout of 60000 ms, below npm's default/ }),
      at(R, 'info', 'web/Dockerfile', 3, 42, { message: /`npm i` sets a fetch timeout of 1000 ms/ }),
      at(R, 'info', 'web/Dockerfile', 3, 72, { message: /`yarn install` uses yarn's 30 s network timeout/ }),
      at(R, 'info', 'web/Dockerfile', 3, 88, { message: /`yarn add`/ }),
    ],
  },
  {
    name: 'Dockerfiles nothing builds: the same findings, info and unreached (whether they emulate is unknown)',
    repo: { files: { Dockerfile: PY, 'web/Dockerfile': WEB } },
    expect: [
      at(R, 'info', 'Dockerfile', 2, 5, { reachable: false }),
      at(R, 'info', 'web/Dockerfile', 3, 5, { reachable: false }),
      at(R, 'info', 'web/Dockerfile', 3, 42),
      at(R, 'info', 'web/Dockerfile', 3, 72),
      at(R, 'info', 'web/Dockerfile', 3, 88),
    ],
  },
  {
    name: 'a stage built for linux/arm64 under QEMU on an amd64 runner is a warning naming the emulated platform',
    repo: { files: { Dockerfile: PY, '.github/workflows/b.yml': workflow(QEMU) } },
    expect: [
      at(R, 'warning', 'Dockerfile', 2, 5, {
        message: /, and it runs under QEMU for linux\/arm64, where downloads are several times slower/,
        sites: ['.github/workflows/b.yml:9'],
      }),
    ],
  },
  {
    name: 'npm and yarn under emulation are warnings too',
    repo: {
      files: {
        'web/Dockerfile': WEB,
        '.github/workflows/b.yml': workflow(QEMU, 'linux/amd64,linux/arm64', 'ubuntu-latest', 'web'),
      },
    },
    expect: [
      at(R, 'warning', 'web/Dockerfile', 3, 5),
      at(R, 'warning', 'web/Dockerfile', 3, 42),
      at(R, 'warning', 'web/Dockerfile', 3, 72),
      at(R, 'warning', 'web/Dockerfile', 3, 88),
    ],
  },
  {
    name: 'QEMU set up by a script a workflow runs (binfmt) is emulation too',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nRUN pip install flask\n',
        'build.sh':
          '#!/bin/sh\ndocker run --privileged --rm tonistiigi/binfmt --install all\ndocker buildx build --platform linux/arm64 -t app .\n',
        '.github/workflows/b.yml':
          'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ./build.sh\n',
      },
    },
    expect: [at(R, 'warning', 'Dockerfile', 2, 5, { sites: ['build.sh:3'] })],
  },
  {
    name: 'condition "QEMU is set up": the same build without setup-qemu-action is info',
    repo: { files: { Dockerfile: PY, '.github/workflows/b.yml': workflow('') } },
    expect: [at(R, 'info', 'Dockerfile', 2, 5, { sites: ['.github/workflows/b.yml:8'] })],
  },
  {
    name: 'condition "the platform is foreign to the runner": linux/arm64 on an arm64 runner is native, info',
    repo: {
      files: { Dockerfile: PY, '.github/workflows/b.yml': workflow(QEMU, 'linux/arm64', 'ubuntu-24.04-arm') },
    },
    expect: [at(R, 'info', 'Dockerfile', 2, 5)],
  },
  {
    name: 'condition "a foreign platform is built": linux/amd64 only on an amd64 runner with QEMU is info',
    repo: { files: { Dockerfile: PY, '.github/workflows/b.yml': workflow(QEMU, 'linux/amd64') } },
    expect: [at(R, 'info', 'Dockerfile', 2, 5)],
  },
  {
    name: 'condition "the platforms are known": platforms from an expression leave it info',
    repo: {
      files: { Dockerfile: PY, '.github/workflows/b.yml': workflow(QEMU, `\${{ inputs.platforms }}`) },
    },
    expect: [at(R, 'info', 'Dockerfile', 2, 5)],
  },
  {
    name: 'condition "the runner is known": a self-hosted runner leaves it info',
    repo: {
      files: {
        Dockerfile: PY,
        '.github/workflows/b.yml': workflow(QEMU, 'linux/amd64,linux/arm64', '[self-hosted, big]'),
      },
    },
    expect: [at(R, 'info', 'Dockerfile', 2, 5)],
  },
  {
    name: 'crossdock.yaml platforms alone say nothing about a runner: info',
    repo: {
      files: {
        'crossdock.yaml': `platforms: [linux/amd64, linux/arm64]\n${IMAGES}`,
        Dockerfile: 'FROM python:3.12-slim\nRUN pip install flask\n',
      },
    },
    expect: [at(R, 'info', 'Dockerfile', 2, 5)],
  },
  {
    name: 'condition "the stage is emulated": a FROM --platform=$BUILDPLATFORM stage runs natively (info), the final stage does not (warning)',
    repo: {
      files: {
        Dockerfile:
          'FROM --platform=$BUILDPLATFORM python:3.12-slim AS b\nRUN pip install flask\nFROM python:3.12-slim\nCOPY --from=b /usr/local /usr/local\nRUN pip install gunicorn\n',
        '.github/workflows/b.yml': workflow(QEMU),
      },
    },
    expect: [at(R, 'warning', 'Dockerfile', 5, 5), at(R, 'info', 'Dockerfile', 2, 5)],
  },
  {
    name: 'two builds of one Dockerfile: one finding, warning because one of them emulates, listing both sites',
    repo: {
      files: {
        'crossdock.yaml': IMAGES,
        Dockerfile: 'FROM python:3.12-slim\nRUN pip install flask\n',
        '.github/workflows/b.yml': workflow(QEMU),
      },
    },
    expect: [
      at(R, 'warning', 'Dockerfile', 2, 5, { sites: ['.github/workflows/b.yml:9', 'crossdock.yaml:1'] }),
    ],
  },
  {
    name: 'condition "no timeout configured": ENV in a base stage, ARG PIP_DEFAULT_TIMEOUT and ENV PIP_RETRIES count; a fresh stage does not inherit them',
    repo: built(
      'FROM python:3.12-slim AS base\nENV PIP_DEFAULT_TIMEOUT=100\nFROM base\nRUN pip install x\nARG PIP_DEFAULT_TIMEOUT=100\nRUN pip install x2\nENV PIP_RETRIES=10\nRUN pip install x3\nFROM python:3.12-slim\nCOPY --from=1 /x /x\nRUN pip install y\n',
    ),
    expect: [at(R, 'info', 'Dockerfile', 11, 5)],
  },
  {
    name: 'condition "it downloads": --no-index and local wheels are not reported',
    repo: built(
      'FROM python:3.12-slim\nCOPY wheels /wheels\nRUN pip install --no-index --find-links /wheels flask && pip install /wheels/*.whl && pip install -r requirements.txt --no-index -f /wheels\n',
    ),
    expect: [],
  },
  {
    name: 'pip wheel and pip download download too',
    repo: built('FROM python:3.12-slim\nRUN pip wheel -w /w flask && pip download flask\n'),
    expect: [at(R, 'info', 'Dockerfile', 2, 5), at(R, 'info', 'Dockerfile', 2, 30)],
  },
  {
    name: 'condition "the stage is built": a stage the target does not use is not reported',
    repo: {
      files: {
        'crossdock.yaml': `${IMAGES}    target: final\n`,
        Dockerfile: 'FROM python:3.12-slim AS dev\nRUN pip install flask\nFROM python:3.12-slim AS final\n',
      },
    },
    expect: [],
  },
  {
    name: 'a first stage nothing copies from is not built: the old single-Dockerfile test reported it, now only the target stage counts',
    repo: built(`${PY}FROM node:20-slim AS web\nRUN npm install --fetch-timeout=1000\n`),
    expect: [at(R, 'info', 'Dockerfile', 8, 5)],
  },
  {
    name: 'each message in full, native: pip (its verb, after assignments and `python -m pip`), npm ci under 5 minutes, bare yarn',
    repo: built(
      'FROM python:3.12-slim\nRUN FOO=1 pip install y && python -m pip install z\nRUN npm ci --fetch-timeout=299999 && npm ci --fetch-timeout=300000\nRUN yarn\nRUN pip wheel x && pip download y\n',
    ),
    expect: [
      at(R, 'info', 'Dockerfile', 2, 11, {
        message:
          /^`pip install` uses pip's defaults \(15 s read timeout, 5 retries\): enough on a fast native builder, tight on slow networks$/,
        sites: ['crossdock.yaml:1'],
      }),
      at(R, 'info', 'Dockerfile', 2, 28, { message: /^`python -m pip install` uses pip's defaults/ }),
      at(R, 'info', 'Dockerfile', 3, 5, {
        message:
          /^`npm ci` sets a fetch timeout of 299999 ms, below npm's default of 5 minutes: enough on a fast native builder, tight on slow networks$/,
      }),
      at(R, 'info', 'Dockerfile', 4, 5, {
        message:
          /^`yarn` uses yarn's 30 s network timeout: enough on a fast native builder, tight on slow networks$/,
      }),
      at(R, 'info', 'Dockerfile', 5, 5, { message: /^`pip wheel` uses/ }),
      at(R, 'info', 'Dockerfile', 5, 20, { message: /^`pip download` uses/ }),
    ],
  },
  {
    name: 'each message in full under emulation, the emulated platforms sorted',
    repo: {
      files: {
        Dockerfile:
          'FROM node:20\nRUN pip install x\nRUN npm i --fetch-timeout 1000\nRUN yarn add left-pad\n',
        '.github/workflows/b.yml': workflow(QEMU, 'linux/amd64,linux/arm64,linux/arm/v7'),
      },
    },
    expect: [
      at(R, 'warning', 'Dockerfile', 2, 5, {
        message:
          /^`pip install` uses pip's defaults \(15 s read timeout, 5 retries\), and it runs under QEMU for linux\/arm\/v7, linux\/arm64, where downloads are several times slower: one stalled download fails the build$/,
      }),
      at(R, 'warning', 'Dockerfile', 3, 5, {
        message:
          /^`npm i` sets a fetch timeout of 1000 ms, below npm's default of 5 minutes, and it runs under QEMU for linux\/arm\/v7, linux\/arm64, where downloads/,
      }),
      at(R, 'warning', 'Dockerfile', 4, 5, {
        message:
          /^`yarn add` uses yarn's 30 s network timeout, and it runs under QEMU for linux\/arm\/v7, linux\/arm64, where/,
      }),
    ],
  },
  {
    name: 'condition "a timeout option pip reads": PIP_TIMEOUT counts, look-alike names do not, and one of several assignments or variables is enough',
    repo: built(
      'FROM python:3.12-slim\nENV A=1 XPIP_RETRIES=1 XPIP_TIMEOUT=1 PIP_RETRIES_MAX=1 PIP_DEFAULT_TIMEOUTS=1\nRUN pip install a\nRUN FOO=1 PIP_TIMEOUT=60 pip install b\nENV B=2 PIP_TIMEOUT=100\nRUN pip install c\n',
    ),
    expect: [at(R, 'info', 'Dockerfile', 3, 5)],
  },
  {
    name: 'condition "a fetch timeout that parses": a non-numeric or infinite value and a look-alike option are not judged',
    repo: built(
      'FROM node:20\nRUN npm i --fetch-timeout=abc && npm i --fetch-timeout=-Infinity && npm i --fetch-timeout-ms=1000\n',
    ),
    expect: [],
  },
  {
    name: 'condition "yarn\'s timeout is configured": `--network-timeout=` and a YARN_NETWORK_TIMEOUT variable of the stage count',
    repo: built(
      'FROM node:20\nRUN yarn install --network-timeout=600000\nENV CI=1 YARN_NETWORK_TIMEOUT=600000\nRUN yarn install\n',
    ),
    expect: [],
  },
  {
    name: 'condition "a RUN": a CMD running pip is not a build-time download',
    repo: built('FROM python:3.12-slim\nCMD pip install x\n'),
    expect: [],
  },
  {
    name: 'condition "yarn\'s timeout is configured": look-alike option and variable names do not count',
    repo: built(
      'FROM node:20\nRUN yarn install --network-timeouts 600000\nENV YARN_NETWORK_TIMEOUT_MS=600000\nRUN yarn install\n',
    ),
    expect: [
      at(R, 'info', 'Dockerfile', 2, 5, { message: /^`yarn install` uses/ }),
      at(R, 'info', 'Dockerfile', 4, 5, { message: /^`yarn install` uses/ }),
    ],
  },
  {
    name: 'the command is quoted up to its first verb: pip verbs after `python -m`, npm and yarn verbs before a package named like one',
    repo: built(
      'FROM node:20\nRUN python -m pip wheel x && python -m pip download y\nRUN npm i download --fetch-timeout=1 && yarn add download\n',
    ),
    expect: [
      at(R, 'info', 'Dockerfile', 2, 5, { message: /^`python -m pip wheel` uses/ }),
      at(R, 'info', 'Dockerfile', 2, 30, { message: /^`python -m pip download` uses/ }),
      at(R, 'info', 'Dockerfile', 3, 5, { message: /^`npm i` sets a fetch timeout of 1 ms/ }),
      at(R, 'info', 'Dockerfile', 3, 41, { message: /^`yarn add` uses/ }),
    ],
  },
]);
