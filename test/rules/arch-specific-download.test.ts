import rule from '../../src/rules/arch-specific-download.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const DF = [
  'FROM debian:12-slim',
  'RUN curl -fsSL https://example.com/tool/v1.2/tool-linux-amd64.tar.gz | tar xz -C /usr/local/bin',
  'ARG TARGETARCH',
  'RUN curl -fsSL https://example.com/tool/v1.2/tool-linux-$TARGETARCH.tar.gz | tar xz',
  'ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini-amd64 /tini',
  'RUN ARCH=$(uname -m) && wget https://example.com/x-$ARCH-aarch64.tgz',
  'RUN echo amd64',
  'RUN apt-get install -y libfoo-amd64',
  '',
].join('\n');

const workflow = (runsOn: string, build: string) =>
  `on: push\njobs:\n  a:\n    runs-on: ${runsOn}\n    steps:\n      - run: ${build}\n`;
const MULTI = workflow(
  'ubuntu-latest',
  'docker buildx build --platform linux/amd64,linux/arm64 -t reg/app .',
);

ruleTest(rule, [
  {
    name: 'arch-specific downloads are reported at the URL when the build targets another architecture; derived architectures, installs and non-downloads are fine',
    repo: { files: { Dockerfile: DF, '.github/workflows/ci.yml': MULTI } },
    expect: [
      at('arch-specific-download', 'error', 'Dockerfile', 2, 16, {
        message: /fetches the "amd64" build, but the build also targets arm64/,
        sites: ['.github/workflows/ci.yml:6'],
      }),
      at('arch-specific-download', 'error', 'Dockerfile', 5, 5, { sites: ['.github/workflows/ci.yml:6'] }),
    ],
  },
  {
    name: 'condition: a build of only the downloaded architecture reports nothing (explicit --platform)',
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
    name: 'condition: a build without --platform on an amd64 runner builds amd64 only: nothing',
    repo: {
      files: {
        Dockerfile: DF,
        '.github/workflows/ci.yml': workflow('ubuntu-latest', 'docker build -t reg/app .'),
      },
    },
    expect: [],
  },
  {
    name: 'the same build on an arm64 runner builds arm64, which gets the amd64 binaries',
    repo: {
      files: {
        Dockerfile: DF,
        '.github/workflows/ci.yml': workflow('ubuntu-24.04-arm', 'docker build -t reg/app .'),
      },
    },
    expect: [
      at('arch-specific-download', 'error', 'Dockerfile', 2, 16, { message: /targets arm64/ }),
      at('arch-specific-download', 'error', 'Dockerfile', 5, 5),
    ],
  },
  {
    name: 'unknown: a runner crossdock does not know: no finding, one unresolved-value note at runs-on',
    repo: {
      files: {
        Dockerfile: DF,
        '.github/workflows/ci.yml': workflow('[self-hosted, linux]', 'docker build -t reg/app .'),
      },
    },
    expect: [
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 4, 14, {
        message: /not checked: whether a platform other than amd64 is built with this "amd64" download/,
      }),
    ],
  },
  {
    name: 'unknown: a Dockerfile nothing builds has unknown platforms (the old default multi-arch targets are not assumed): a note at its first FROM',
    repo: { files: { Dockerfile: DF } },
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 1, { message: /so its platforms are not known/ }),
    ],
  },
  {
    name: 'condition: crossdock.yaml platforms: for a Dockerfile nothing builds makes them known: reported, capped at warning',
    repo: { files: { Dockerfile: DF, 'crossdock.yaml': 'platforms: [linux/amd64, linux/arm64]\n' } },
    expect: [
      at('arch-specific-download', 'warning', 'Dockerfile', 2, 16, { reachable: false }),
      at('arch-specific-download', 'warning', 'Dockerfile', 5, 5, { reachable: false }),
    ],
  },
  {
    name: 'condition: a single-architecture target set in crossdock.yaml reports nothing',
    repo: { files: { Dockerfile: DF, 'crossdock.yaml': 'platforms: [linux/amd64]\n' } },
    expect: [],
  },
  {
    name: 'aarch64/x86_64 names count; an arm64 download in an amd64+arm64 build is reported too',
    repo: {
      files: {
        Dockerfile:
          'FROM debian:12-slim\nRUN wget https://example.com/node-v20-linux-aarch64.tar.xz\nRUN curl -LO https://example.com/tool_x86_64.deb\n',
        '.github/workflows/ci.yml': MULTI,
      },
    },
    expect: [
      at('arch-specific-download', 'error', 'Dockerfile', 2, 10, {
        message: /fetches the "aarch64" build, but the build also targets amd64/,
      }),
      at('arch-specific-download', 'error', 'Dockerfile', 3, 14, { message: /fetches the "x86_64" build/ }),
    ],
  },
  {
    name: 'condition: a $BUILDPLATFORM stage downloads for the builder, and a stage not built is not looked at',
    repo: {
      files: {
        Dockerfile: [
          'FROM --platform=$BUILDPLATFORM debian:12-slim AS tools',
          'RUN curl -fsSL https://example.com/tool-linux-amd64.tar.gz | tar xz',
          'FROM debian:12-slim AS unused',
          'RUN curl -fsSL https://example.com/tool-linux-amd64.tar.gz | tar xz',
          'FROM debian:12-slim',
          'COPY --from=tools /tool /usr/local/bin/tool',
          '',
        ].join('\n'),
        '.github/workflows/ci.yml': MULTI,
      },
    },
    expect: [],
  },
]);
