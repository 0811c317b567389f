// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow fixtures hold `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import jobNoTimeout from '../../src/rules/job-no-timeout.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const CI = '.github/workflows/ci.yml';

const workflow = [
  'name: ci',
  'on:',
  '  push:',
  '    branches: [main]',
  'jobs:',
  '  test:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: actions/setup-python@v5',
  '        with:',
  '          python-version: "3.12"',
  '      - run: pytest',
  '  image:',
  '    needs: test',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: docker/setup-qemu-action@v3',
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          context: .',
  '          file: docker/api.Dockerfile',
  '          platforms: linux/amd64,linux/arm64',
  '          tags: ghcr.io/acme/api:latest',
  '          push: true',
  '          timeout: 3600',
  '      - run: docker build -f docker/worker.Dockerfile -t ghcr.io/acme/worker:latest .',
  '  release:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - run: ./scripts/build.sh',
  '',
].join('\n');

const files = {
  [CI]: workflow,
  'docker/api.Dockerfile': 'FROM python:3.12-slim\nRUN pip install flask\n',
  'docker/worker.Dockerfile': 'FROM python:3.12-slim\n',
  'scripts/build.sh':
    '#!/bin/sh\ndocker buildx build --platform linux/arm64 -t acme/edge:latest --push edge\n',
  'edge/Dockerfile': 'FROM alpine:3.20\n',
};

/** One job on `runner` with the given steps, building Dockerfile at the root. */
const one = (steps: string[], opts: { runner?: string; timeout?: string } = {}) => ({
  files: {
    Dockerfile: 'FROM alpine:3.20\nRUN apk add curl\n',
    [CI]: [
      'on: push',
      'jobs:',
      '  image:',
      `    runs-on: ${opts.runner ?? 'ubuntu-latest'}`,
      ...(opts.timeout ? [`    timeout-minutes: ${opts.timeout}`] : []),
      '    steps:',
      '      - uses: actions/checkout@v4',
      ...steps,
      '',
    ].join('\n'),
  },
});

const buildArm = [
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          platforms: linux/arm64',
];
const qemu = '      - uses: docker/setup-qemu-action@v3';

ruleTest(jobNoTimeout, [
  {
    name: 'jobs that build without timeout-minutes are reported at the job key: a warning when emulated, else info; jobs that do not build are not',
    repo: { files },
    expect: [
      at('job-no-timeout', 'warning', CI, 14, 3, {
        message:
          /^job "image" builds images \(docker\/api\.Dockerfile and 1 more\) with no timeout-minutes: a hung build holds the runner for 6 hours, and it builds under QEMU emulation, where hangs are common$/,
        reachable: true,
      }),
      // The build is in a script the job runs; arm64 without QEMU is not emulated (it fails: emulated-build).
      at('job-no-timeout', 'info', CI, 29, 3, {
        message:
          /^job "release" builds images \(edge\/Dockerfile\) with no timeout-minutes: a hung build holds the runner for 6 hours$/,
      }),
    ],
  },
  {
    name: 'a matrix job counts one build per combination',
    repo: {
      files: {
        [CI]: [
          'on: push',
          'jobs:',
          '  image:',
          '    runs-on: ubuntu-latest',
          '    strategy:',
          '      matrix:',
          '        service: [api, worker, scheduler]',
          '    steps:',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          context: services/${{ matrix.service }}',
          '',
        ].join('\n'),
        'services/api/Dockerfile': 'FROM alpine\n',
        'services/worker/Dockerfile': 'FROM alpine\n',
        'services/scheduler/Dockerfile': 'FROM alpine\n',
      },
    },
    expect: [
      at('job-no-timeout', 'info', CI, 3, 3, {
        message: /builds images \(services\/api\/Dockerfile and 2 more\)/,
      }),
    ],
  },
  {
    name: 'a Makefile target the job runs builds too',
    repo: {
      files: {
        Dockerfile: 'FROM alpine:3.20\n',
        Makefile: 'image:\n\tdocker build -t acme/api .\n',
        [CI]: 'on: push\njobs:\n  make:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make image\n',
      },
    },
    expect: [at('job-no-timeout', 'info', CI, 3, 3, { message: /job "make" builds images \(Dockerfile\)/ })],
  },
  {
    name: 'a job of a reusable workflow is reported in that workflow',
    repo: {
      files: {
        Dockerfile: 'FROM alpine:3.20\n',
        [CI]: 'on: push\njobs:\n  image:\n    uses: ./.github/workflows/build.yml\n',
        '.github/workflows/build.yml':
          'on: workflow_call\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -t acme/api .\n',
      },
    },
    expect: [at('job-no-timeout', 'info', '.github/workflows/build.yml', 3, 3)],
  },

  // Condition: the job has no timeout-minutes.
  {
    name: 'timeout-minutes on the job, as a number or an expression, reports nothing',
    repo: {
      files: {
        ...files,
        [CI]: workflow
          .replace('  image:\n    needs: test\n', '  image:\n    needs: test\n    timeout-minutes: 90\n')
          .replace('  release:\n', '  release:\n    timeout-minutes: ${{ inputs.timeout || 45 }}\n'),
      },
    },
    expect: [],
  },
  {
    name: 'the emulated job with timeout-minutes reports nothing',
    repo: one([qemu, ...buildArm], { timeout: '60' }),
    expect: [],
  },

  // Condition: the job builds under emulation (known foreign platform, known runner, QEMU).
  {
    name: 'emulated: arm64 with QEMU on an amd64 runner is a warning',
    repo: one([qemu, ...buildArm]),
    expect: [at('job-no-timeout', 'warning', CI, 3, 3)],
  },
  {
    name: 'without QEMU the foreign build is not emulated: info',
    repo: one(buildArm),
    expect: [at('job-no-timeout', 'info', CI, 3, 3)],
  },
  {
    name: 'with QEMU, a native platform is not emulated: info',
    repo: one([qemu, ...buildArm], { runner: 'ubuntu-24.04-arm' }),
    expect: [at('job-no-timeout', 'info', CI, 3, 3)],
  },
  {
    name: 'with QEMU and a build naming no platform (the runner platform): info',
    repo: one([qemu, '      - run: docker build -t acme/api .']),
    expect: [at('job-no-timeout', 'info', CI, 3, 3)],
  },
  {
    name: 'platforms that are unknown (a workflow input) make no emulation claim: info, and no note from this rule',
    repo: one([
      qemu,
      '      - uses: docker/build-push-action@v6',
      '        with:',
      '          platforms: ${{ inputs.platforms }}',
    ]),
    only: ['job-no-timeout', 'unresolved-value'],
    expect: [at('job-no-timeout', 'info', CI, 3, 3)],
  },
  {
    name: 'a runner of unknown architecture makes no emulation claim: info',
    repo: one([qemu, ...buildArm], { runner: '[self-hosted, docker]' }),
    expect: [at('job-no-timeout', 'info', CI, 3, 3)],
  },

  // Condition: the job builds an image.
  {
    name: 'jobs that only test, lint or push report nothing',
    repo: {
      files: {
        [CI]: [
          'on: push',
          'jobs:',
          '  test:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: pytest',
          '      - run: docker push ghcr.io/acme/api:latest',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
]);

test('job-no-timeout: an unknown Dockerfile path is named "a Dockerfile"; it blocks the emulation claim', async () => {
  const findings = await checkRepo(
    {
      files: {
        ...files,
        [CI]: workflow.replace('file: docker/api.Dockerfile', 'file: ${{ inputs.dockerfile }}'),
      },
    },
    [jobNoTimeout],
  );
  assertFindings(findings, [
    at('job-no-timeout', 'info', CI, 14, 3),
    at('job-no-timeout', 'info', CI, 29, 3),
  ]);
  assert.match(
    findings[0]?.message ?? '',
    /builds images \(a Dockerfile and 1 more\) with no timeout-minutes/,
  );
  // `timeout:` on build-push-action is no substitute: the hint says so.
  assert.match(
    findings[0]?.hint ?? '',
    /`timeout-minutes:` on the job .*a `timeout:` input on build-push-action does nothing/,
  );
});

ruleTest(jobNoTimeout, [
  {
    name: 'a job running `docker compose build` (or `up` for a service with no image to pull) builds the compose images: reported; `up` of a service with an image, or `down`, builds nothing',
    repo: {
      files: {
        'compose.yaml': 'services:\n  api:\n    build: .\n',
        'pulled/compose.yaml': 'services:\n  api:\n    image: ghcr.io/acme/api:1\n    build: .\n',
        'pulled/Dockerfile': 'FROM alpine:3.20\n',
        Dockerfile: 'FROM alpine:3.20\n',
        [CI]: [
          'on: push',
          'jobs:',
          '  e2e:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: docker compose build',
          '  up:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: docker compose up -d',
          '  pulled:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: docker compose -f pulled/compose.yaml up -d && docker compose down',
          '',
        ].join('\n'),
      },
    },
    expect: [
      at('job-no-timeout', 'info', CI, 3, 3, { message: /job "e2e" builds images \(Dockerfile\)/ }),
      at('job-no-timeout', 'info', CI, 7, 3),
    ],
  },
  {
    name: 'a script a job runs that builds with compose counts too',
    repo: {
      files: {
        'compose.yaml': 'services:\n  api:\n    build: .\n',
        Dockerfile: 'FROM alpine:3.20\n',
        'scripts/e2e.sh': '#!/bin/sh\ndocker compose up --build -d\n',
        [CI]: 'on: push\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./scripts/e2e.sh\n',
      },
    },
    expect: [at('job-no-timeout', 'info', CI, 3, 3)],
  },
]);
