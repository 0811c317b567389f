import rule from '../../src/rules/from-platform-constant.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/** A build stage pinned to amd64 and copied from, a $BUILDPLATFORM stage, an unused pinned stage, a pinned final stage. */
const DF = [
  'FROM --platform=linux/amd64 golang:1.22 AS build',
  'FROM --platform=$BUILDPLATFORM node:20 AS assets',
  'FROM --platform=linux/amd64 alpine:3.20 AS unused',
  'FROM --platform=linux/amd64 python:3.12-slim',
  'COPY --from=build /out /app',
  'COPY --from=assets /dist /static',
  '',
].join('\n');

const workflow = (runsOn: string, build: string) =>
  `on: push\njobs:\n  a:\n    runs-on: ${runsOn}\n    steps:\n      - uses: actions/checkout@v4\n      - run: ${build}\n`;

const MULTI = workflow(
  'ubuntu-latest',
  'docker buildx build --platform linux/amd64,linux/arm64 -t reg/app .',
);

ruleTest(rule, [
  {
    name: 'a constant --platform is an error on the final stage, a warning on build stages; $BUILDPLATFORM and stages not built are fine',
    repo: { files: { Dockerfile: DF, '.github/workflows/ci.yml': MULTI } },
    expect: [
      at('from-platform-constant', 'error', 'Dockerfile', 4, 6, {
        message:
          /^`FROM --platform=linux\/amd64` in the stage this build produces makes its linux\/amd64 and linux\/arm64 images all contain linux\/amd64 binaries; the other platforms fail with "exec format error"$/,
        sites: ['.github/workflows/ci.yml:7'],
        related: [],
      }),
      at('from-platform-constant', 'warning', 'Dockerfile', 1, 6, {
        message:
          /^`FROM --platform=linux\/amd64` pins this build stage to linux\/amd64 while the build targets linux\/amd64 and linux\/arm64: use \$BUILDPLATFORM so it runs natively on each builder and cross-compiles for \$TARGETPLATFORM$/,
        sites: ['.github/workflows/ci.yml:7'],
        related: [],
      }),
    ],
  },
  {
    name: 'a pinned stage the target is built FROM is the runtime image: an error, like a pin on the target',
    repo: {
      files: {
        Dockerfile:
          'FROM --platform=linux/amd64 debian:12-slim AS base\nRUN apt-get update\nFROM base\nCOPY . /app\n',
        '.github/workflows/ci.yml': MULTI,
      },
    },
    expect: [
      at('from-platform-constant', 'error', 'Dockerfile', 1, 6, {
        message: /linux\/amd64 and linux\/arm64 images all contain linux\/amd64 binaries/,
      }),
    ],
  },
  {
    name: 'the target chain follows --target: a pinned stage under the targeted one is runtime, the last stage is not built',
    repo: {
      files: {
        Dockerfile:
          'FROM --platform=linux/amd64 golang:1.22 AS build\nFROM build AS dev\nRUN go install ./...\nFROM --platform=linux/amd64 alpine:3.20\n',
        '.github/workflows/ci.yml': workflow(
          'ubuntu-latest',
          'docker buildx build --platform linux/amd64,linux/arm64 --target dev -t reg/app .',
        ),
      },
    },
    expect: [at('from-platform-constant', 'error', 'Dockerfile', 1, 6, { message: /images all contain/ })],
  },
  {
    name: 'every build reaching the same FROM is one finding listing them all as sites, their platforms combined',
    repo: {
      files: {
        Dockerfile: 'FROM --platform=linux/amd64 python:3.12-slim\n',
        '.github/workflows/ci.yml': `${MULTI}  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          platforms: linux/arm64,linux/s390x\n          tags: reg/app:b\n`,
      },
    },
    expect: [
      at('from-platform-constant', 'error', 'Dockerfile', 1, 6, {
        message: /linux\/amd64 and linux\/arm64 and linux\/s390x images/,
        sites: ['.github/workflows/ci.yml:7', '.github/workflows/ci.yml:11'],
      }),
    ],
  },
  {
    name: 'condition: a build of only the pinned platform reports nothing',
    repo: {
      files: {
        Dockerfile: DF,
        '.github/workflows/ci.yml': workflow(
          'ubuntu-latest',
          'docker buildx build --platform linux/amd64 -t reg/app .',
        ),
      },
    },
    expect: [],
  },
  {
    name: 'a build without --platform builds its runner’s platform (ubuntu-latest: amd64): an arm64 pin is an error',
    repo: {
      files: {
        Dockerfile: 'FROM --platform=linux/arm64 python:3.12-slim\n',
        '.github/workflows/ci.yml': workflow('ubuntu-latest', 'docker build -t reg/app .'),
      },
    },
    expect: [
      at('from-platform-constant', 'error', 'Dockerfile', 1, 6, {
        message: /linux\/amd64 images all contain linux\/arm64 binaries/,
        sites: ['.github/workflows/ci.yml:7'],
      }),
    ],
  },
  {
    name: 'condition: the same build with a pin to the runner’s own platform reports nothing',
    repo: {
      files: {
        Dockerfile: 'FROM --platform=linux/amd64 python:3.12-slim\n',
        '.github/workflows/ci.yml': workflow('ubuntu-latest', 'docker build -t reg/app .'),
      },
    },
    expect: [],
  },
  {
    name: 'unknown: a runner crossdock does not know builds an unknown platform: no finding, an unresolved-value note at runs-on',
    repo: {
      files: {
        Dockerfile: 'FROM --platform=linux/arm64 python:3.12-slim\n',
        '.github/workflows/ci.yml': workflow('self-hosted', 'docker build -t reg/app .'),
      },
    },
    expect: [
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 4, 14, {
        message:
          /^the build names no platform, so it builds its builder's own platform, and the runner \[self-hosted\] is not known; not checked: whether `--platform=linux\/arm64` differs from the platforms built \(from-platform-constant\)$/,
      }),
    ],
  },
  {
    name: 'unknown: a Dockerfile nothing builds has unknown platforms (the old default amd64+arm64 targets are a guess no longer made): a note at its first FROM',
    repo: { files: { Dockerfile: DF } },
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 1, {
        message: /nothing in the repository builds Dockerfile, so its platforms are not known/,
      }),
    ],
  },
  {
    name: 'unknown: crossdock.yaml images: without platforms leaves them unknown: a note at each pinned FROM that is built',
    repo: { files: { Dockerfile: DF, 'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n' } },
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 6, { message: /images."reg\/app" names no platforms/ }),
      at('unresolved-value', 'info', 'Dockerfile', 4, 6),
    ],
  },
  {
    name: 'condition: crossdock.yaml images: with platforms makes the build known: reported, an error',
    repo: {
      files: {
        Dockerfile: DF,
        'crossdock.yaml': 'images:\n  reg/app:\n    context: .\n    platforms: [linux/amd64, linux/arm64]\n',
      },
    },
    expect: [
      at('from-platform-constant', 'error', 'Dockerfile', 4, 6, { reachable: true }),
      at('from-platform-constant', 'warning', 'Dockerfile', 1, 6),
    ],
  },
  {
    name: 'condition: crossdock.yaml platforms: declared for a Dockerfile nothing builds makes its platforms known: reported, capped at warning',
    repo: { files: { Dockerfile: DF, 'crossdock.yaml': 'platforms: [linux/amd64, linux/arm64]\n' } },
    expect: [
      at('from-platform-constant', 'warning', 'Dockerfile', 1, 6, { reachable: false }),
      at('from-platform-constant', 'warning', 'Dockerfile', 4, 6, {
        reachable: false,
        message: /in the stage this build produces/,
      }),
    ],
  },
  {
    name: 'condition: variables in --platform ($BUILDPLATFORM, $TARGETPLATFORM) are never constants',
    repo: {
      files: {
        Dockerfile:
          'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM --platform=$TARGETPLATFORM python:3.12-slim\nCOPY --from=build /out /app\n',
        '.github/workflows/ci.yml': MULTI,
      },
    },
    expect: [],
  },
  {
    name: 'condition "runtime in any build": a stage one build targets and another only copies from is one error, platforms sorted',
    repo: {
      files: {
        Dockerfile:
          'FROM --platform=linux/amd64 golang:1.22 AS build\nFROM build AS dev\nRUN go install ./...\nFROM alpine:3.20\nCOPY --from=build /out /app\n',
        '.github/workflows/ci.yml': [
          'on: push',
          'jobs:',
          '  a:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: docker buildx build --platform linux/s390x,linux/amd64 -t reg/app .',
          '      - run: docker buildx build --platform linux/amd64,linux/arm64 --target dev -t reg/dev .',
          '',
        ].join('\n'),
      },
    },
    expect: [
      at('from-platform-constant', 'error', 'Dockerfile', 1, 6, {
        message:
          /^`FROM --platform=linux\/amd64` in the stage this build produces makes its linux\/amd64 and linux\/arm64 and linux\/s390x images all contain/,
        sites: ['.github/workflows/ci.yml:6', '.github/workflows/ci.yml:7'],
      }),
    ],
  },
  {
    name: 'condition "a platform": a --platform that is not one (or empty) is not judged and does not fail the rule',
    repo: {
      files: {
        Dockerfile:
          'FROM --platform= python:3.12-slim AS base\nFROM --platform=linux/arm64,linux/s390x python:3.12-slim\nCOPY --from=base /x /x\n',
        '.github/workflows/ci.yml': MULTI,
      },
    },
    only: ['from-platform-constant', 'internal-error'],
    expect: [],
  },
]);
