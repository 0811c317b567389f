// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import emulatedBuild from '../../src/rules/emulated-build.js';
import { checkRepo } from '../helpers/check.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const WF = '.github/workflows/image.yml';

const dockerfile =
  'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n';

const api = { 'api/Dockerfile': dockerfile, 'api/requirements.txt': 'flask==3.0.3\nnumpy==1.26.4\n' };

/** One job on `runner` building api/ with build-push-action; QEMU set up when asked. */
const workflow = (opts: { qemu: boolean; runner?: string; platforms?: string; extra?: string[] }) =>
  [
    'name: image',
    'on:',
    '  push:',
    '    branches: [main]',
    'jobs:',
    '  image:',
    `    runs-on: ${opts.runner ?? 'ubuntu-latest'}`,
    '    timeout-minutes: 90',
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...(opts.qemu ? ['      - uses: docker/setup-qemu-action@v3'] : []),
    '      - uses: docker/setup-buildx-action@v3',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: api',
    ...(opts.platforms === '' ? [] : [`          platforms: ${opts.platforms ?? 'linux/amd64,linux/arm64'}`]),
    '          push: true',
    '          tags: ghcr.io/acme/api:latest',
    ...(opts.extra ?? []),
    '',
  ].join('\n');

/** A job building api/Dockerfile (whatever it holds) for linux/arm64 on ubuntu-latest. */
const arm = (df: string, opts: { qemu?: boolean; extra?: string[] } = {}) => ({
  files: {
    'api/Dockerfile': df,
    [WF]: workflow({ qemu: opts.qemu ?? false, platforms: 'linux/arm64', extra: opts.extra }),
  },
});

const script = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'REGISTRY="${REGISTRY:-10.0.0.5:5000}"',
  'docker buildx build \\',
  '  --platform linux/arm64 \\',
  '  -t "$REGISTRY/acme/api:latest" --push api',
  '',
].join('\n');

const release = (steps: string[]) =>
  [
    'on: push',
    'jobs:',
    '  release:',
    '    runs-on: ubuntu-22.04',
    '    timeout-minutes: 30',
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...steps,
    '',
  ].join('\n');

const matrix = (armRunner: string) =>
  [
    'on: push',
    'jobs:',
    '  image:',
    '    strategy:',
    '      matrix:',
    '        include:',
    '          - platform: linux/amd64',
    '            runner: ubuntu-24.04',
    '          - platform: linux/arm64',
    `            runner: ${armRunner}`,
    '    runs-on: ${{ matrix.runner }}',
    '    timeout-minutes: 60',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: api',
    '          platforms: ${{ matrix.platform }}',
    '          outputs: type=image,name=ghcr.io/acme/api,push-by-digest=true,push=true',
    '',
  ].join('\n');

/** A job on ubuntu-latest whose steps are given. */
const job = (steps: string[]) =>
  [
    'on: push',
    'jobs:',
    '  image:',
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 30',
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...steps,
    '',
  ].join('\n');

const bpa = (platforms: string) => [
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          context: api',
  `          platforms: ${platforms}`,
];

ruleTest(emulatedBuild, [
  // --- The finding, and its two severities.
  {
    name: 'arm64 under QEMU on an amd64 runner is info at the platforms value (set up on purpose: slow, not broken)',
    repo: { files: { ...api, [WF]: workflow({ qemu: true }) } },
    expect: [
      at('emulated-build', 'info', WF, 16, 22, {
        // Offline, whether flask and numpy have aarch64 wheels is the index's to say: not claimed either way.
        message:
          /^job "image" builds linux\/arm64 on \[ubuntu-latest\] \(amd64\): every RUN of it runs under QEMU emulation, typically 5–20× slower; its Python packages may compile from source there: run `crossdock deps` or `check --online` to know$/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'a build that installs no Python package says nothing about compiling',
    repo: arm('FROM alpine:3.20\nRUN apk add --no-cache curl\n', { qemu: true }),
    expect: [at('emulated-build', 'info', WF, 16, 22, { message: /typically 5–20× slower$/ })],
  },
  {
    name: 'packages known offline to compile from source (no Linux wheels, numpy before 1.21) are named: a warning; torch and scipy publish aarch64 wheels and are not',
    repo: {
      files: {
        ...api,
        'api/requirements.txt': 'torch==2.3.1\nscipy==1.13.1\nnumpy==1.19.5\npsycopg2==2.9.9\nflask==3.0.3\n',
        // Outside the context api/: not installed by this build.
        'tools/requirements.txt': 'pandas==2.2.2\n',
        [WF]: workflow({ qemu: true }),
      },
    },
    expect: [
      at('emulated-build', 'warning', WF, 16, 22, {
        message:
          /5–20× slower, and numpy, psycopg2 compile from source there \(no Linux wheels are published\)$/,
      }),
    ],
  },
  {
    name: 'a package known to compile named inline in a built RUN is named too',
    repo: arm('FROM python:3.12-slim\nRUN pip install torch==2.3.1 mysqlclient flask\n', { qemu: true }),
    expect: [
      at('emulated-build', 'warning', WF, 16, 22, {
        message:
          /5–20× slower, and mysqlclient compiles from source there \(no Linux wheels are published\)$/,
      }),
    ],
  },
  {
    name: 'a heavy package installed only in a $BUILDPLATFORM stage runs natively: not named, so the emulated build is info',
    repo: arm(
      'FROM --platform=$BUILDPLATFORM python:3.12 AS wheels\nRUN pip install psycopg2\nFROM python:3.12-slim\nRUN pip install flask\n',
      { qemu: true },
    ),
    expect: [
      at('emulated-build', 'info', WF, 16, 22, { message: /5–20× slower; its Python packages may compile/ }),
    ],
  },
  {
    name: 'without QEMU set up the foreign platform fails: error',
    repo: { files: { ...api, [WF]: workflow({ qemu: false }) } },
    expect: [
      at('emulated-build', 'error', WF, 15, 22, {
        message:
          /^job "image" builds linux\/arm64 on \[ubuntu-latest\] \(amd64\) without setting up QEMU, and the Dockerfile RUNs commands for that platform: they fail with "exec format error"$/,
      }),
    ],
  },
  {
    name: 'a self-hosted arm64 runner building amd64 is foreign too; its label set names the architecture',
    repo: {
      files: {
        ...api,
        [WF]: workflow({ qemu: false, runner: '[self-hosted, linux, ARM64]', platforms: 'linux/amd64' }),
      },
    },
    expect: [
      at('emulated-build', 'error', WF, 15, 22, {
        message: /builds linux\/amd64 on \[self-hosted, linux, ARM64\] \(arm64\)/,
      }),
    ],
  },

  // --- Condition: a built, non-$BUILDPLATFORM stage has a RUN.
  {
    name: 'without QEMU, a Dockerfile without RUN builds fine for another architecture: nothing',
    repo: arm('FROM alpine:3.20\nCOPY . /app\n'),
    expect: [],
  },
  {
    name: 'with QEMU, a Dockerfile without RUN runs nothing emulated: nothing',
    repo: arm('FROM alpine:3.20\nCOPY . /app\n', { qemu: true }),
    expect: [],
  },
  {
    name: 'a RUN only in a stage the build does not build: nothing',
    repo: arm('FROM alpine:3.20 AS tools\nRUN apk add curl\nFROM alpine:3.20\nCOPY . /app\n'),
    expect: [],
  },
  {
    name: 'a RUN only in a FROM --platform=$BUILDPLATFORM stage runs natively: nothing',
    repo: arm(
      'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine:3.20\nCOPY --from=build /app /app\n',
    ),
    expect: [],
  },
  {
    name: 'the same stage without --platform=$BUILDPLATFORM is built for arm64: error',
    repo: arm(
      'FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine:3.20\nCOPY --from=build /app /app\n',
    ),
    expect: [at('emulated-build', 'error', WF, 15, 22)],
  },
  {
    name: 'the build target decides which stages are built: a RUN-free target reports nothing',
    repo: arm('FROM alpine:3.20 AS dev\nRUN apk add curl\nFROM alpine:3.20 AS prod\nCOPY . /app\n', {
      extra: ['          target: prod'],
    }),
    expect: [],
  },
  {
    name: 'the build target decides which stages are built: a target with a RUN is reported',
    repo: arm('FROM alpine:3.20 AS dev\nRUN apk add curl\nFROM alpine:3.20 AS prod\nCOPY . /app\n', {
      extra: ['          target: dev'],
    }),
    expect: [at('emulated-build', 'error', WF, 15, 22)],
  },

  // --- Condition: the platform is foreign to the runner.
  {
    name: 'a native build (arm64 on ubuntu-24.04-arm, amd64 on ubuntu-latest) reports nothing',
    repo: {
      files: {
        ...api,
        [WF]: workflow({ qemu: false, runner: 'ubuntu-24.04-arm', platforms: 'linux/arm64' }),
        '.github/workflows/amd.yml': workflow({ qemu: false, platforms: 'linux/amd64' }),
      },
    },
    expect: [],
  },
  {
    name: 'matrix: each platform on its native runner reports nothing',
    repo: { files: { ...api, [WF]: matrix('ubuntu-24.04-arm') } },
    expect: [],
  },
  {
    name: 'matrix: the combination on the wrong runner is reported at its matrix value',
    repo: { files: { ...api, [WF]: matrix('ubuntu-22.04') } },
    expect: [
      at('emulated-build', 'error', WF, 9, 23, {
        message: /builds linux\/arm64 on \[ubuntu-22\.04\] \(amd64\) without setting up QEMU/,
      }),
    ],
  },
  {
    name: 'a matrix value substituted into a run step is parsed by the shell after substitution',
    repo: {
      files: {
        ...api,
        [WF]: [
          'on: push',
          'jobs:',
          '  image:',
          '    runs-on: ubuntu-latest',
          '    timeout-minutes: 60',
          '    strategy:',
          '      matrix:',
          '        platform: [linux/amd64, linux/arm64]',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - run: docker buildx build --platform ${{ matrix.platform }} -t acme/api api',
          '',
        ].join('\n'),
      },
    },
    expect: [
      at('emulated-build', 'error', WF, 11, 45, { message: /builds linux\/arm64 on \[ubuntu-latest\]/ }),
    ],
  },

  // --- Condition: the build names its platforms.
  {
    name: 'builds without platforms build the runner platform: nothing',
    repo: {
      files: {
        ...api,
        [WF]: job([
          '      - uses: docker/setup-qemu-action@v3',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          context: api',
          '      - run: docker build -t acme/api:ci api',
        ]),
      },
    },
    expect: [],
  },
  {
    name: 'setup-qemu `platforms:` installs emulators; it never defines the targets of a build',
    repo: {
      files: {
        ...api,
        [WF]: job([
          '      - uses: docker/setup-qemu-action@v3',
          '        with:',
          '          platforms: arm64',
          '      - uses: docker/setup-buildx-action@v3',
          '        with:',
          '          platforms: linux/arm64',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          context: api',
        ]),
      },
    },
    expect: [],
  },

  {
    name: 'a bake file run by bake-action: reported at the target `platforms` value',
    repo: {
      files: {
        ...api,
        'docker-bake.hcl':
          'target "api" {\n  context = "api"\n  platforms = ["linux/amd64", "linux/arm64"]\n}\n',
        [WF]: job(['      - uses: docker/bake-action@v5']),
      },
    },
    expect: [at('emulated-build', 'error', 'docker-bake.hcl', 3, 16)],
  },
  {
    name: 'crossdock.yaml `platforms:` does not make a build that names none multi-platform: nothing',
    repo: {
      files: {
        ...api,
        'crossdock.yaml': 'platforms: [linux/amd64, linux/arm64]\n',
        [WF]: job(['      - uses: docker/build-push-action@v6', '        with:', '          context: api']),
      },
    },
    expect: [],
  },

  // --- Condition: the runner's architecture is known.
  {
    name: 'macos-14 is arm64: an amd64 build on it is foreign',
    repo: {
      files: { ...api, [WF]: workflow({ qemu: false, runner: 'macos-14', platforms: 'linux/amd64' }) },
    },
    expect: [at('emulated-build', 'error', WF, 15, 22, { message: /on \[macos-14\] \(arm64\)/ })],
  },
  {
    name: 'runners of unknown architecture (a label set without one, an expression): no claim, a note at each',
    only: ['emulated-build', 'unresolved-value'],
    repo: {
      files: {
        ...api,
        [WF]: [
          'on: push',
          'jobs:',
          '  gpu:',
          '    runs-on: [self-hosted, gpu]',
          '    steps:',
          ...bpa('linux/amd64,linux/arm64'),
          '  dynamic:',
          '    runs-on: ${{ inputs.runner }}',
          '    steps:',
          ...bpa('linux/arm64'),
          '',
        ].join('\n'),
      },
    },
    expect: [
      at('unresolved-value', 'info', WF, 4, 14, { message: /runner \[self-hosted, gpu\] is not known/ }),
      at('unresolved-value', 'info', WF, 11, 14),
    ],
  },

  // --- Condition: the build runs on the runner, not on a remote builder.
  ...[
    [
      'an endpoint of setup-buildx-action',
      ['        with:', '          endpoint: tcp://buildkit.internal:1234'],
      13,
      21,
    ],
    ['a kubernetes driver', ['        with:', '          driver: kubernetes'], 13, 19],
    [
      'Docker Build Cloud',
      ['        with:', '          driver: cloud', '          endpoint: acme/builder'],
      14,
      21,
    ],
  ].map(([what, lines, line, col]) => ({
    name: `a remote builder (${what}): whether QEMU is needed is unknown, a note at the setup`,
    only: ['emulated-build', 'unresolved-value'],
    repo: {
      files: {
        ...api,
        [WF]: workflow({ qemu: false }).replace(
          '      - uses: docker/setup-buildx-action@v3\n',
          `      - uses: docker/setup-buildx-action@v3\n${(lines as string[]).join('\n')}\n`,
        ),
      },
    },
    expect: [
      at('unresolved-value', 'info', WF, line as number, col as number, {
        message: /setup-buildx-action` at .* sets up a builder on other machines/,
      }),
    ],
  })),
  {
    name: 'a remote builder created in a run step (`--driver remote`, an endpoint argument): a note, no claim',
    only: ['emulated-build', 'unresolved-value'],
    repo: {
      files: {
        ...api,
        [WF]: workflow({ qemu: false }).replace(
          '      - uses: docker/setup-buildx-action@v3\n',
          '      - run: docker buildx create --use --name arm --driver remote tcp://10.0.0.9:1234\n',
        ),
      },
    },
    expect: [at('unresolved-value', 'info', WF, 11, 14, { message: /`docker buildx create` at/ })],
  },
  {
    name: 'a script that creates a remote builder and builds with it: a note, no claim',
    only: ['emulated-build', 'unresolved-value'],
    repo: {
      files: {
        ...api,
        'scripts/build.sh': script.replace(
          'docker buildx build',
          'docker buildx create --use ssh://me@arm-box\ndocker buildx build',
        ),
        [WF]: release(['      - run: ./scripts/build.sh']),
      },
    },
    expect: [at('unresolved-value', 'info', 'scripts/build.sh', 4, 1)],
  },
  {
    name: 'a local docker-container builder is not remote: the foreign build is reported',
    repo: {
      files: {
        ...api,
        [WF]: workflow({ qemu: false }).replace(
          '      - uses: docker/setup-buildx-action@v3\n',
          '      - run: docker buildx create --use --driver docker-container --name multi\n',
        ),
      },
    },
    expect: [at('emulated-build', 'error', WF, 15, 22)],
  },

  // --- Condition: the build runs in a workflow job.
  {
    name: 'a script the job runs is checked against the job runner, at its --platform value',
    repo: {
      files: { ...api, 'scripts/build.sh': script, [WF]: release(['      - run: ./scripts/build.sh']) },
    },
    expect: [
      at('emulated-build', 'error', 'scripts/build.sh', 5, 14, {
        message: /^job "release" builds linux\/arm64 on \[ubuntu-22\.04\] \(amd64\) without setting up QEMU/,
      }),
    ],
  },
  {
    name: 'QEMU set up by a binfmt run step before the script: emulated (info: nothing heavy compiles)',
    repo: {
      files: {
        ...api,
        'scripts/build.sh': script,
        [WF]: release([
          '      - run: docker run --privileged --rm tonistiigi/binfmt --install arm64',
          '      - run: ./scripts/build.sh',
        ]),
      },
    },
    expect: [at('emulated-build', 'info', 'scripts/build.sh', 5, 14)],
  },
  {
    name: 'a Makefile target the job runs is checked against the job runner',
    repo: {
      files: {
        ...api,
        Makefile: 'image:\n\tdocker buildx build --platform linux/arm64 -t acme/api api\n',
        [WF]: release(['      - run: make image']),
      },
    },
    expect: [at('emulated-build', 'error', 'Makefile', 2, 33)],
  },
  {
    name: 'a script or Makefile no workflow runs has no known runner: nothing',
    repo: {
      files: {
        ...api,
        'scripts/build.sh': script,
        Makefile: 'image:\n\tdocker buildx build --platform linux/arm64 -t acme/api api\n',
      },
    },
    expect: [],
  },

  // --- Condition: the platforms are known (literal, env, step output, script argument).
  {
    name: 'platforms from a step output resolve from its literal `echo name=value >> $GITHUB_OUTPUT`',
    repo: {
      files: {
        ...api,
        [WF]: job([
          '      - id: p',
          '        run: echo "list=linux/arm64" >> "$GITHUB_OUTPUT"',
          ...bpa('${{ steps.p.outputs.list }}'),
        ]),
      },
    },
    expect: [at('emulated-build', 'error', WF, 13, 22)],
  },
  {
    name: 'a step output written in two branches is the union of both: the arm64 branch is foreign',
    repo: {
      files: {
        ...api,
        [WF]: job([
          '      - id: p',
          '        run: |',
          '          if [ "$GITHUB_REF_TYPE" = tag ]; then',
          '            echo "list=linux/arm64" >> "$GITHUB_OUTPUT"',
          '          else',
          '            echo "list=linux/amd64" >> "$GITHUB_OUTPUT"',
          '          fi',
          ...bpa('${{ steps.p.outputs.list }}'),
        ]),
      },
    },
    expect: [at('emulated-build', 'error', WF, 18, 22, { message: /builds linux\/arm64 on/ })],
  },
  {
    name: 'a step output computed at run time is unknown: no finding, an unresolved-value note at the value',
    repo: {
      files: {
        ...api,
        [WF]: job([
          '      - id: p',
          '        run: echo "list=$(cat platforms.txt)" >> "$GITHUB_OUTPUT"',
          ...bpa('${{ steps.p.outputs.list }}'),
        ]),
      },
    },
    expect: [
      at('unresolved-value', 'info', WF, 13, 22, {
        message:
          /step "p" computes output `list` when it runs; not checked: whether this build is emulated on its runner \(emulated-build\)/,
      }),
    ],
  },
  {
    name: 'platforms from a workflow input are unknown: no finding, an unresolved-value note',
    repo: { files: { ...api, [WF]: job(bpa('${{ inputs.platforms }}')) } },
    expect: [
      at('unresolved-value', 'info', WF, 11, 22, {
        message: /`\$\{\{ inputs\.platforms \}\}` is evaluated by GitHub Actions when the workflow runs/,
      }),
    ],
  },
  {
    name: 'a shell variable set by the step env resolves; one from the environment is unknown',
    repo: {
      files: {
        ...api,
        [WF]: job([
          '      - run: docker buildx build --platform "$PLATFORMS" -t acme/api api',
          '        env:',
          '          PLATFORMS: linux/arm64',
        ]),
        '.github/workflows/other.yml': job([
          '      - run: docker buildx build --platform "$PLATFORMS" -t acme/api api',
        ]),
      },
    },
    expect: [
      at('emulated-build', 'error', WF, 8, 45),
      at('unresolved-value', 'info', '.github/workflows/other.yml', 8, 45, {
        message: /`\$PLATFORMS` is not set in this file: it comes from the environment/,
      }),
    ],
  },
  {
    name: 'a script argument is known when the caller passes a literal, unknown otherwise',
    repo: {
      files: {
        ...api,
        'scripts/build.sh': '#!/bin/sh\ndocker buildx build --platform "$1" -t acme/api api\n',
        [WF]: release(['      - run: ./scripts/build.sh linux/arm64']),
        'scripts/other.sh': '#!/bin/sh\ndocker buildx build --platform "$1" -t acme/other api\n',
        '.github/workflows/other.yml': release(['      - run: ./scripts/other.sh "$PLATFORM"']),
      },
    },
    expect: [
      at('emulated-build', 'error', 'scripts/build.sh', 2, 32),
      at('unresolved-value', 'info', 'scripts/other.sh', 2, 32, {
        message: /`\$1` is not known: the caller passes a value crossdock cannot resolve/,
      }),
    ],
  },
  {
    name: 'a shell function is analysed per call site: only the arm64 call is foreign',
    repo: {
      files: {
        ...api,
        'scripts/build.sh': [
          '#!/bin/sh',
          'build() {',
          '  docker buildx build --platform "$1" -t acme/api api',
          '}',
          'build linux/amd64',
          'build linux/arm64',
          '',
        ].join('\n'),
        [WF]: release(['      - run: ./scripts/build.sh']),
      },
    },
    expect: [at('emulated-build', 'error', 'scripts/build.sh', 3, 34, { message: /builds linux\/arm64/ })],
  },
  {
    name: 'bake-action `set: *.platform=linux/arm64` on an amd64 runner without QEMU is reported at the `set:` value',
    repo: {
      files: {
        ...api,
        'docker-bake.hcl': 'target "api" {\n  context = "api"\n}\n',
        [WF]: job([
          '      - uses: docker/bake-action@v5',
          '        with:',
          '          set: "*.platform=linux/arm64"',
        ]),
      },
    },
    expect: [
      at('emulated-build', 'error', WF, 10, 16, {
        message: /builds linux\/arm64 on \[ubuntu-latest\] \(amd64\) without setting up QEMU/,
      }),
    ],
  },
  {
    name: 'a bake-action `set:` platform list keeps its commas: amd64 and arm64 are built, arm64 is foreign',
    repo: {
      files: {
        ...api,
        'docker-bake.hcl': 'target "api" {\n  context = "api"\n}\n',
        [WF]: job([
          '      - uses: docker/bake-action@v5',
          '        with:',
          '          set: |',
          '            *.platform=linux/amd64,linux/arm64',
          '            *.tags=acme/api:latest',
        ]),
      },
    },
    expect: [at('emulated-build', 'error', WF, 10, 16, { message: /builds linux\/arm64 on/ })],
  },
  {
    name: 'a package.json in the context is not installed by a Dockerfile that never runs npm: `sharp` is not named',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nRUN pip install flask\n',
        'api/package.json': '{"dependencies":{"sharp":"0.33.4"}}\n',
        [WF]: workflow({ qemu: true, platforms: 'linux/arm64' }),
      },
    },
    expect: [
      at('emulated-build', 'info', WF, 16, 22, {
        message: /5–20× slower; its Python packages may compile[^,]*$/,
      }),
    ],
  },
  {
    name: '... and the package.json a built stage copies and installs with `npm ci` names `sharp`',
    repo: {
      files: {
        'api/Dockerfile': 'FROM node:22-slim\nWORKDIR /app\nCOPY web/package.json ./\nRUN npm ci\n',
        'api/web/package.json': '{"dependencies":{"sharp":"0.33.4"}}\n',
        'api/package.json': '{"dependencies":{"bcrypt":"5.1.1"}}\n',
        [WF]: workflow({ qemu: true, platforms: 'linux/arm64' }),
      },
    },
    expect: [at('emulated-build', 'warning', WF, 16, 22, { message: /and it installs sharp, heavy native/ })],
  },
  {
    name: 'every foreign platform is named, the native one left out',
    repo: {
      files: {
        'api/Dockerfile': 'FROM alpine:3.20\nRUN true\n',
        [WF]: workflow({ qemu: false, platforms: 'linux/amd64,linux/arm64,linux/arm/v7,linux/ppc64le' }),
      },
    },
    expect: [
      at('emulated-build', 'error', WF, 15, 22, {
        message:
          /^job "image" builds linux\/arm64, linux\/arm\/v7, linux\/ppc64le on \[ubuntu-latest\] \(amd64\) without setting up QEMU/,
      }),
    ],
  },
  {
    name: 'condition "the name ends at a version or marker": >=, ~=, <, != each end the package name',
    repo: arm(
      'FROM python:3.12-slim\nRUN pip install "psycopg2>=2" "uwsgi~=2.0" "numpy<1.20" "python-ldap!=3.0"\n',
      {
        qemu: true,
      },
    ),
    expect: [
      at('emulated-build', 'warning', WF, 16, 22, {
        message:
          /^job "image" builds linux\/arm64 on \[ubuntu-latest\] \(amd64\): every RUN of it runs under QEMU emulation, typically 5–20× slower, and numpy, psycopg2, python-ldap, uwsgi compile from source there \(no Linux wheels are published\)$/,
      }),
    ],
  },
  {
    name: 'condition "the name ends at extras, a marker or a space": names are lower-cased as pip does',
    repo: arm(
      'FROM python:3.12-slim\nRUN pip install "psycopg2[pool]" "uwsgi;python_version>\'3\'" "MySQLClient ; python_version<\'4\'" lxml\n',
      { qemu: true },
    ),
    expect: [
      at('emulated-build', 'warning', WF, 16, 22, {
        message:
          /, and mysqlclient, psycopg2, uwsgi compile from source there \(no Linux wheels are published\)$/,
      }),
    ],
  },
  {
    name: 'condition "the requirements file is known": one that is not in the repository names nothing',
    repo: arm('FROM python:3.12-slim\nRUN pip install -r /opt/requirements.txt\n', { qemu: true }),
    expect: [
      at('emulated-build', 'info', WF, 16, 22, { message: /5–20× slower; its Python packages may compile/ }),
    ],
  },
  {
    name: 'more than four packages that compile: the first four (sorted) and an ellipsis',
    repo: arm(
      'FROM python:3.12-slim\nRUN pip install uwsgi psycopg2 mysqlclient python-ldap numpy==1.19.5\n',
      {
        qemu: true,
      },
    ),
    expect: [
      at('emulated-build', 'warning', WF, 16, 22, {
        message: /, and mysqlclient, numpy, psycopg2, python-ldap… compile from source there/,
      }),
    ],
  },
  {
    name: 'condition "the stage is built": a heavy package in a stage the build does not use is not named',
    repo: arm(
      'FROM python:3.12 AS unused\nRUN pip install psycopg2\nFROM python:3.12-slim\nRUN pip install flask\n',
      { qemu: true },
    ),
    expect: [
      at('emulated-build', 'info', WF, 16, 22, { message: /5–20× slower; its Python packages may compile/ }),
    ],
  },
  {
    name: 'the package.json at the context root, copied and installed: its heavy dependencies are named, not its devDependencies',
    repo: {
      files: {
        'api/Dockerfile': 'FROM node:22-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci --omit=dev\n',
        'api/package.json': '{"dependencies":{"bcrypt":"5.1.1"},"devDependencies":{"sharp":"0.33.4"}}\n',
        [WF]: workflow({ qemu: true, platforms: 'linux/arm64' }),
      },
    },
    expect: [
      at('emulated-build', 'warning', WF, 16, 22, { message: /and it installs bcrypt, heavy native/ }),
    ],
  },
  {
    name: 'condition "the project is the repository root": a context of `.` installs the root package.json',
    repo: {
      files: {
        Dockerfile: 'FROM node:22-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\n',
        'package.json': '{"dependencies":{"sqlite3":"5.1.7"}}\n',
        [WF]: workflow({ qemu: true, platforms: 'linux/arm64' }).replace('context: api', 'context: .'),
      },
    },
    expect: [
      at('emulated-build', 'warning', WF, 16, 22, { message: /and it installs sqlite3, heavy native/ }),
    ],
  },
  {
    name: 'condition "not a remote builder service": depot/build-push-action builds each platform natively: nothing',
    repo: {
      files: {
        ...api,
        [WF]: workflow({ qemu: false }).replace('docker/build-push-action@v6', 'depot/build-push-action@v1'),
      },
    },
    only: ['emulated-build', 'unresolved-value'],
    expect: [],
  },
  {
    name: 'condition "the remote builder is in this job": a builder another job sets up does not serve the jobs before or after it',
    only: ['emulated-build', 'unresolved-value'],
    repo: {
      files: {
        ...api,
        [WF]: [
          'on: push',
          'jobs:',
          '  first:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          ...bpa('linux/arm64'),
          '  remote:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: docker/setup-buildx-action@v3',
          '        with:',
          '          driver: kubernetes',
          ...bpa('linux/arm64'),
          '  last:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          ...bpa('linux/arm64'),
          '',
        ].join('\n'),
      },
    },
    expect: [
      at('emulated-build', 'error', WF, 9, 22, { message: /^job "first" builds linux\/arm64/ }),
      at('unresolved-value', 'info', WF, 15, 19, {
        message:
          /^`docker\/setup-buildx-action` at \.github\/workflows\/image\.yml:15 sets up a builder on other machines, whose architecture is not known; not checked: whether this build is emulated on its builder \(emulated-build\)$/,
      }),
      at('emulated-build', 'error', WF, 26, 22, { message: /^job "last" builds linux\/arm64/ }),
    ],
  },
  {
    name: 'condition "the remote builder is in this file": a builder another workflow sets up at the same offsets does not count',
    only: ['emulated-build', 'unresolved-value'],
    repo: {
      files: {
        ...api,
        [WF]: [
          'on: push',
          'jobs:',
          '  a:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          ...bpa('linux/arm64'),
          '',
        ].join('\n'),
        '.github/workflows/other.yml': [
          'on: push',
          'jobs:',
          '  a:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: docker/setup-buildx-action@v3',
          '        with:',
          '          driver: kubernetes',
          '',
        ].join('\n'),
      },
    },
    expect: [at('emulated-build', 'error', WF, 9, 22)],
  },
  {
    name: 'a Makefile target that creates a remote builder and builds with it: a note at the builder, no claim',
    only: ['emulated-build', 'unresolved-value'],
    repo: {
      files: {
        ...api,
        Makefile:
          'image:\n\tdocker buildx create --use --name arm --driver remote tcp://10.0.0.9:1234\n\tdocker buildx build --platform linux/arm64 -t acme/api api\n',
        [WF]: release(['      - run: make image']),
      },
    },
    expect: [
      at('unresolved-value', 'info', 'Makefile', 2, 2, {
        message:
          /^`docker buildx create` at Makefile:2 sets up a builder on other machines, whose architecture is not known; not checked: whether this build is emulated on its builder \(emulated-build\)$/,
      }),
    ],
  },
]);

test('emulated-build: the notes say what would settle them (the hint of each unresolved value)', async () => {
  const remote = await checkRepo(
    {
      files: {
        ...api,
        [WF]: workflow({ qemu: false }).replace(
          '      - uses: docker/setup-buildx-action@v3\n',
          '      - uses: docker/setup-buildx-action@v3\n        with:\n          driver: kubernetes\n',
        ),
      },
    },
    [emulatedBuild],
  );
  assert.deepEqual(
    remote.map((f) => `${f.ruleId} ${f.hint}`),
    ['unresolved-value nothing to change when the builder has a native node for each platform'],
  );
  const runner = await checkRepo(
    { files: { ...api, [WF]: workflow({ qemu: false, runner: '[self-hosted, gpu]' }) } },
    [emulatedBuild],
  );
  assert.deepEqual(
    runner.map((f) => `${f.ruleId} ${f.message} | ${f.hint}`),
    [
      'unresolved-value the architecture of runner [self-hosted, gpu] is not known; not checked: whether this build is emulated on its runner (emulated-build) | add an architecture label (`x64`, `arm64`) to self-hosted runners',
    ],
  );
});
