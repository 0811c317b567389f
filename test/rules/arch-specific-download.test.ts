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
const steps = (...runs: string[]) =>
  `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${runs.map((r) => `      - run: ${r}\n`).join('')}`;
const built = (platforms: string, ...lines: string[]) => ({
  files: {
    Dockerfile: ['FROM debian:12-slim', ...lines, ''].join('\n'),
    '.github/workflows/ci.yml': steps(`docker buildx build --platform ${platforms} -t reg/app .`),
  },
});

ruleTest(rule, [
  {
    name: 'arch-specific downloads are reported at the URL when the build targets another architecture; derived architectures, installs and non-downloads are fine',
    repo: { files: { Dockerfile: DF, '.github/workflows/ci.yml': MULTI } },
    expect: [
      at('arch-specific-download', 'error', 'Dockerfile', 2, 16, {
        message:
          /^this fetches the "amd64" build, but the build also targets arm64: that image gets a binary it cannot execute$/,
        sites: ['.github/workflows/ci.yml:6'],
        related: [],
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
        message:
          /^the build names no platform, so it builds its builder's own platform, and the runner \[self-hosted, linux\] is not known; not checked: whether a platform other than amd64 is built with this "amd64" download \(arch-specific-download\)$/,
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
  {
    name: 'every other architecture is named, sorted, once per download',
    repo: built(
      'linux/s390x,linux/amd64,linux/arm64',
      'RUN curl -fsSL https://example.com/tool-linux-amd64.tar.gz | tar xz',
    ),
    expect: [
      at('arch-specific-download', 'error', 'Dockerfile', 2, 16, {
        message:
          /^this fetches the "amd64" build, but the build also targets arm64\/s390x: that image gets a binary it cannot execute$/,
      }),
    ],
  },
  {
    name: 'two builds of one Dockerfile: one finding, both builds as sites, their other architectures combined',
    repo: {
      files: {
        Dockerfile:
          'FROM debian:12-slim\nRUN curl -fsSL https://example.com/tool-linux-amd64.tar.gz | tar xz\n',
        '.github/workflows/ci.yml': steps(
          'docker buildx build --platform linux/amd64,linux/s390x -t reg/a .',
          'docker buildx build --platform linux/amd64,linux/arm64 -t reg/b .',
        ),
      },
    },
    expect: [
      at('arch-specific-download', 'error', 'Dockerfile', 2, 16, {
        message: /also targets arm64\/s390x:/,
        sites: ['.github/workflows/ci.yml:6', '.github/workflows/ci.yml:7'],
      }),
    ],
  },
  {
    name: 'condition "a download word": echo, installers, the command itself, plain paths, local ADD sources, ADD destinations and longer words are not downloads',
    repo: built(
      'linux/amd64,linux/arm64',
      'RUN echo https://example.com/tool-amd64.tar.gz > /url',
      'RUN apt-get install -y https://example.com/pkg-amd64.deb',
      'RUN npm install https://example.com/pkg-amd64.tgz',
      'RUN tools-amd64/curl -o /x https://example.com/readme.txt',
      'RUN curl -o /opt/amd64 https://example.com/x',
      'RUN curl -o tool-amd64 https://example.com/x',
      'ADD tool-amd64.tar.gz /opt/',
      'ADD https://example.com/x /opt/amd64/',
      'RUN curl -LO https://example.com/famd64/tool.tar.gz https://example.com/tool-amd64le.tar.gz',
    ),
    expect: [],
  },
  {
    name: 'condition "a download word": a URL without a scheme, an archive name and x64 count',
    repo: built(
      'linux/amd64,linux/arm64',
      'RUN curl -LO example.com/tool-amd64',
      'RUN wget -O tool_amd64.zip https://example.com/dl?id=3',
      'RUN curl -LO https://example.com/tool-linux-x64.tgz',
    ),
    expect: [
      at('arch-specific-download', 'error', 'Dockerfile', 2, 14),
      at('arch-specific-download', 'error', 'Dockerfile', 3, 13),
      at('arch-specific-download', 'error', 'Dockerfile', 4, 14, {
        message: /^this fetches the "x64" build, but the build also targets arm64:/,
      }),
    ],
  },
  {
    name: 'condition "derived": every way of deriving the architecture in the RUN makes it fine',
    repo: built(
      'linux/amd64,linux/arm64',
      'RUN curl -LO https://example.com/tool-${TARGETARCH}-amd64.tgz',
      'RUN curl -LO https://example.com/tool-$TARGETPLATFORM-amd64.tgz',
      'RUN curl -LO https://example.com/tool-$TARGETVARIANT-amd64.tgz',
      'RUN A=$(uname  -m) curl -LO https://example.com/tool-amd64.tgz',
      'RUN A=$(dpkg  --print-architecture) curl -LO https://example.com/tool-amd64.tgz',
      'RUN case $(arch ) in x) curl -LO https://example.com/tool-amd64.tgz;; esac',
      'RUN apk  --print-arch > /arch && curl -LO https://example.com/tool-amd64.tgz',
    ),
    expect: [],
  },
  {
    name: 'condition "same architecture": x86_64, x86-64 and x64 are amd64; aarch64 is arm64',
    repo: built(
      'linux/amd64',
      'RUN curl -LO https://example.com/tool-x86_64.tgz',
      'RUN curl -LO https://example.com/tool-x86-64.tgz',
      'RUN curl -LO https://example.com/tool-x64.tgz',
    ),
    expect: [],
  },
  {
    name: 'condition "same architecture": an arm64-only build takes aarch64 and arm64 downloads',
    repo: built(
      'linux/arm64',
      'RUN curl -LO https://example.com/tool-aarch64.tgz',
      'RUN curl -LO https://example.com/tool-arm64.tgz',
    ),
    expect: [],
  },
]);
