import rule from '../../src/rules/copy-from-missing-path.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const BUILT = 'images:\n  reg/app:\n    context: .\n';
const built = (...lines: string[]) => ({
  files: {
    Dockerfile: `${lines.join('\n')}\n`,
    'requirements.txt': 'flask==3.0.0\n',
    'crossdock.yaml': BUILT,
  },
});
const MISSING = /no COPY\/ADD, WORKDIR or RUN in that stage creates it and its base image has nothing there/;

const PYTHON = [
  'FROM python:3.12-slim AS builder',
  'WORKDIR /build',
  'COPY requirements.txt .',
  'RUN pip install --prefix=/install -r requirements.txt && python -m venv /opt/venv',
  'FROM python:3.12-slim',
  'COPY --from=builder /install /usr/local',
  'COPY --from=builder /opt/venv /opt/venv',
  'COPY --from=builder /build/requirements.txt /tmp/',
  'COPY --from=builder /wheels /wheels',
  'COPY --from=builder /usr/local/lib/python3.12/site-packages /usr/local/lib/python3.12/site-packages',
  'COPY --from=0 /app/dist /srv/',
  'COPY --from=nginx:1.27 /etc/nginx/nginx.conf /etc/',
];

const twoJobs = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: docker build -t reg/app .
  b:
    runs-on: ubuntu-latest
    steps:
      - run: docker build -t reg/app2 .
`;

ruleTest(rule, [
  {
    name: 'COPY --from of a path the stage never creates is reported; created, named and system paths and images are not',
    repo: built(...PYTHON),
    expect: [
      at('copy-from-missing-path', 'warning', 'Dockerfile', 9, 21, {
        message: /`\/wheels` is copied from stage "builder"/,
        sites: ['crossdock.yaml:1'],
      }),
      at('copy-from-missing-path', 'warning', 'Dockerfile', 11, 15, {
        message: /`\/app\/dist` is copied from stage "builder"/,
      }),
    ],
  },
  {
    name: 'a Dockerfile nothing builds gets the same context-free findings (warnings either way)',
    repo: { files: { Dockerfile: `${PYTHON.join('\n')}\n`, 'requirements.txt': 'flask==3.0.0\n' } },
    expect: [
      at('copy-from-missing-path', 'warning', 'Dockerfile', 9, 21, { reachable: false, sites: [] }),
      at('copy-from-missing-path', 'warning', 'Dockerfile', 11, 15, { reachable: false }),
    ],
  },
  {
    name: 'relative outputs of RUNs in a WORKDIR count: node_modules from npm ci, named folders',
    repo: built(
      'FROM node:20-slim AS deps',
      'WORKDIR /app',
      'RUN npm ci && mkdir -p out/assets',
      'FROM node:20-slim',
      'COPY --from=deps /app/node_modules /app/node_modules',
      'COPY --from=deps /app/out/assets /app/assets',
      'COPY --from=deps /app/coverage /app/coverage',
    ),
    expect: [at('copy-from-missing-path', 'warning', 'Dockerfile', 7, 18, { message: MISSING })],
  },
  {
    name: 'unknown: `npm run build` runs package scripts crossdock does not follow, so /app/coverage is no longer claimed missing (the old guess); one note at the RUN',
    repo: built(
      'FROM node:20-slim AS deps',
      'WORKDIR /app',
      'RUN npm ci && npm run build && mkdir -p out/assets',
      'FROM node:20-slim',
      'COPY --from=deps /app/node_modules /app/node_modules',
      'COPY --from=deps /app/dist /app/dist',
      'COPY --from=deps /app/coverage /app/coverage',
    ),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 3, 1, {
        message: /it runs npm run build; not checked: whether stage "deps" creates \/app\/coverage/,
      }),
    ],
  },
  {
    name: 'unknown: a base image crossdock knows nothing about may hold the path: a note at its image',
    repo: built(
      'FROM mycorp/builder:1 AS b',
      'RUN make',
      'FROM python:3.12-slim',
      'COPY --from=b /out/app /app',
    ),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 6, {
        message: /what mycorp\/builder:1 contains is not known/,
      }),
    ],
  },
  {
    name: 'unknown: a base from an ARG nothing passes: a note at the ARG',
    repo: built('ARG BASE', 'FROM $BASE AS b', 'FROM python:3.12-slim', 'COPY --from=b /out/app /app'),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 5, {
        message: /ARG BASE has no default and this build does not pass it/,
      }),
    ],
  },
  {
    name: 'unknown: a RUN of a script, or an ADDed archive, may create anything: notes at them',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim AS b\nRUN ./build.sh\nFROM python:3.12-slim\nCOPY --from=b /out/app /app\n',
        'b/Dockerfile':
          'FROM python:3.12-slim AS b\nADD dist.tar.gz /\nFROM python:3.12-slim\nCOPY --from=b /out/app /app\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 2, 1, { message: /it runs \.\/build\.sh/ }),
      at('unresolved-value', 'info', 'b/Dockerfile', 2, 1, { message: /`ADD` of an archive/ }),
    ],
  },
  {
    name: 'condition: the same stage creating the path (`go build -o`) makes it fine',
    repo: built(
      'FROM golang:1.22 AS b',
      'WORKDIR /src',
      'COPY . .',
      'RUN go build -o /out/app .',
      'FROM scratch',
      'COPY --from=b /out/app /app',
    ),
    expect: [],
  },
  {
    name: 'every build reaching the copy is one finding with their sites; a stage no build produces is not looked at',
    repo: {
      files: {
        Dockerfile: [
          'FROM python:3.12-slim AS b',
          'RUN mkdir -p /out',
          'FROM python:3.12-slim AS unused',
          'COPY --from=b /wheels /wheels',
          'FROM python:3.12-slim',
          'COPY --from=b /out /out',
          'COPY --from=b /nothing /x',
          '',
        ].join('\n'),
        '.github/workflows/ci.yml': twoJobs,
      },
    },
    expect: [
      at('copy-from-missing-path', 'warning', 'Dockerfile', 7, 15, {
        sites: ['.github/workflows/ci.yml:6', '.github/workflows/ci.yml:10'],
      }),
    ],
  },
  {
    name: "paths a RUN creates are read with the stage's ARG and ENV values: `mkdir -p $D/app` creates /out/app; a variable the Dockerfile does not declare is unknown (a note, no claim)",
    repo: {
      files: {
        'a/Dockerfile': [
          'FROM python:3.12-slim AS b',
          'ARG D=/out',
          'ENV E=/srv',
          'RUN mkdir -p $D/app ${E}/data',
          'FROM python:3.12-slim',
          'COPY --from=b /out/app /app',
          'COPY --from=b /srv/data /data',
          'COPY --from=b /nothing /x',
          '',
        ].join('\n'),
        'b/Dockerfile':
          'FROM python:3.12-slim AS b\nRUN mkdir -p $HOME/app\nFROM python:3.12-slim\nCOPY --from=b /root/app /app\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('copy-from-missing-path', 'warning', 'a/Dockerfile', 8, 15),
      at('unresolved-value', 'info', 'b/Dockerfile', 2, 1, { message: /`\$HOME` is not declared/ }),
    ],
  },
  {
    name: 'unknown: a command crossdock does not know (`cc -o`) may create the path: a note at the RUN, no warning',
    repo: built(
      'FROM python:3.12-slim AS b',
      'WORKDIR /out',
      'RUN cc -o app main.c',
      'FROM python:3.12-slim',
      'COPY --from=b /out/app /app',
    ),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 3, 1, {
        message:
          /`cc` may create files crossdock does not know of; not checked: whether stage "b" creates \/out\/app/,
      }),
    ],
  },
  {
    name: 'installers write where they are known to: `uv sync` makes the project .venv (no claim); `pip install --user` writes into a home folder crossdock does not follow (a note)',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12 AS b\nWORKDIR /app\nRUN uv sync --frozen\nFROM python:3.12-slim\nCOPY --from=b /app/.venv /app/.venv\n',
        'b/Dockerfile':
          'FROM python:3.12 AS b\nCOPY requirements.txt .\nRUN pip install --user -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=b /root/.local /root/.local\n',
        'b/requirements.txt': 'flask\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'b/Dockerfile', 3, 1, {
        message:
          /`pip install --user` writes into the home folder of the user that runs it; not checked: whether stage "b" creates \/root\/.local/,
      }),
    ],
  },
  {
    name: 'unknown: only images known to hold nothing there count as empty: golang (/go), eclipse-temurin (/opt/java) hold files, node holds /home/node: notes or nothing, never "missing"; scratch and python still are',
    repo: {
      files: {
        'a/Dockerfile': 'FROM golang:1.22 AS b\nRUN echo hi\nFROM scratch\nCOPY --from=b /go/pkg /go/pkg\n',
        'b/Dockerfile':
          'FROM eclipse-temurin:21 AS b\nRUN echo hi\nFROM scratch\nCOPY --from=b /opt/java/openjdk /opt/java/openjdk\n',
        'c/Dockerfile':
          'FROM node:20-slim AS b\nRUN echo hi\nFROM node:20-slim\nCOPY --from=b /home/node/.npmrc /home/node/\nCOPY --from=b /app/dist /app/dist\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 1, 6, {
        message: /what golang:1.22 contains is not known; not checked: whether stage "b" creates \/go\/pkg/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 1, 6, {
        message: /what eclipse-temurin:21 contains is not known/,
      }),
      at('copy-from-missing-path', 'warning', 'c/Dockerfile', 5, 15, { message: MISSING }),
    ],
  },
  {
    name: "unknown: a variable an ENV value or an ARG default uses without declaring it may be the base image's ENV (`$HOME`): unknown, not empty, so /out/app is not what the RUN creates (a note, no claim)",
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim AS b\nENV OUT=$HOME/out\nRUN mkdir -p $OUT/app\nFROM python:3.12-slim\nCOPY --from=b /root/out/app /app\n',
        'b/Dockerfile': `FROM python:3.12-slim AS b\nARG OUT=\${HOME}/out\nRUN mkdir -p $OUT/app\nFROM python:3.12-slim\nCOPY --from=b /root/out/app /app\n`,
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 3, 1, { message: /`\$HOME` is not declared/ }),
      at('unresolved-value', 'info', 'b/Dockerfile', 3, 1, { message: /`\$HOME` is not declared/ }),
    ],
  },
]);
