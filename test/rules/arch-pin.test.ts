// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow fixtures hold `${{ }}` text literally.
import rule from '../../src/rules/arch-pin.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const apiDockerfile = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nEXPOSE 5000\nUSER 10001\n';
const workerDockerfile =
  'FROM golang:1.22 AS build\nCOPY . .\nRUN go build -o /w .\nFROM gcr.io/distroless/static\nCOPY --from=build /w /w\n';

/** Multi-arch api image, built by a script. */
const buildScript = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'docker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com:5000/team/api:1.0 --push -f api/Dockerfile api',
  '',
].join('\n');

/** amd64-only worker image, built by CI and tagged with the commit sha; `platforms:` on line 11. */
const workflow = [
  'name: ci',
  'on: [push]',
  'jobs:',
  '  worker:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          context: worker',
  '          platforms: linux/amd64',
  '          push: true',
  '          tags: registry.example.com/team/worker:${{ github.sha }}',
  '',
].join('\n');

/** The worker build without `platforms:`: it builds its runner's platform. */
const nativeWorkflow = (runner: string) =>
  workflow.replace('          platforms: linux/amd64\n', '').replace('ubuntu-latest', runner);

/** A job running on each runner of a matrix, with the given steps after checkout. */
const runnerMatrix = (steps: string, runners = '[ubuntu-latest, ubuntu-24.04-arm]') =>
  [
    'name: ci',
    'on: [push]',
    'jobs:',
    '  worker:',
    '    strategy:',
    '      matrix:',
    `        runner: ${runners}`,
    '    runs-on: ${{ matrix.runner }}',
    '    steps:',
    '      - uses: actions/checkout@v4',
    steps,
    '',
  ].join('\n');

function nodeSelector(name: string, image: string, arch: string, label = 'kubernetes.io/arch'): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  selector:',
    '    matchLabels:',
    `      app: ${name}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${name}`,
    '    spec:',
    '      nodeSelector:',
    `        ${label}: ${arch}`,
    '      containers:',
    `        - name: ${name}`,
    `          image: ${image}`,
    '',
  ].join('\n');
}

function affinity(name: string, image: string, operator: 'In' | 'NotIn', values: string[]): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  template:',
    '    spec:',
    '      affinity:',
    '        nodeAffinity:',
    '          requiredDuringSchedulingIgnoredDuringExecution:',
    '            nodeSelectorTerms:',
    '              - matchExpressions:',
    '                  - key: kubernetes.io/arch',
    `                    operator: ${operator}`,
    `                    values: [${values.join(', ')}]`,
    '      containers:',
    `        - name: ${name}`,
    `          image: ${image}`,
    '',
  ].join('\n');
}

const API = 'registry.example.com:5000/team/api:1.0';
const WORKER = 'registry.example.com/team/worker:3f2c1a9';
const base = {
  'api/Dockerfile': apiDockerfile,
  'worker/Dockerfile': workerDockerfile,
  'worker/main.go': 'package main\n',
  'scripts/build.sh': buildScript,
  '.github/workflows/ci.yml': workflow,
};

/** The manifests, applied together by a kustomization (so they are reached). */
function deployed(manifests: Record<string, string>, extra: Record<string, string> = {}) {
  const resources = Object.keys(manifests).map((p) => `  - ${p.replace(/^k8s\//, '')}`);
  return {
    files: {
      ...base,
      ...manifests,
      'k8s/kustomization.yaml': ['resources:', ...resources, ''].join('\n'),
      ...extra,
    },
  };
}

ruleTest(rule, [
  {
    name: 'a nodeSelector narrower than a multi-arch build leaves nodes idle (warning at the selector value)',
    repo: deployed({ 'k8s/api.yaml': nodeSelector('api', API, 'amd64') }),
    expect: [
      at('arch-pin', 'warning', 'k8s/api.yaml', 15, 29, {
        message:
          /^Deployment "api" is pinned to amd64 while its image is built for linux\/amd64, linux\/arm64 \(scripts\/build\.sh:3\): arm64 nodes never run it$/,
        reachable: true,
        sites: [],
        related: [],
      }),
    ],
  },
  {
    name: 'required affinity on an architecture the build lacks is an error at the match expression',
    repo: deployed({ 'k8s/worker.yaml': affinity('worker', WORKER, 'In', ['amd64', 'arm64']) }),
    expect: [
      at('arch-pin', 'error', 'k8s/worker.yaml', 13, 21, {
        message:
          /^Deployment "worker" requires arm64 nodes but its image is built only for linux\/amd64 \(\.github\/workflows\/ci\.yml:11\): pods there fail with ImagePullBackOff \("no matching manifest"\) or "exec format error"$/,
        reachable: true,
        sites: [],
        related: [],
      }),
    ],
  },
  {
    name: 'NotIn: excluding an architecture the build has leaves it idle; excluding the only one built is an error',
    repo: deployed({
      'k8s/api.yaml': affinity('api', API, 'NotIn', ['arm64']),
      'k8s/worker.yaml': affinity('worker', WORKER, 'NotIn', ['amd64']),
    }),
    expect: [
      at('arch-pin', 'error', 'k8s/worker.yaml', 13, 21, {
        message:
          /^Deployment "worker" requires arm64, arm, ppc64le, s390x, 386 nodes but its image is built only for linux\/amd64/,
      }),
      at('arch-pin', 'warning', 'k8s/api.yaml', 13, 21, {
        message: /is pinned to amd64, arm, ppc64le, s390x, 386 .*: arm64 nodes never run it$/,
      }),
    ],
  },
  {
    name: 'a deprecated beta.kubernetes.io/arch selector is a pin too',
    repo: deployed({
      'k8s/worker.yaml': nodeSelector('worker', WORKER, 'arm64', 'beta.kubernetes.io/arch'),
    }),
    expect: [
      at('arch-pin', 'error', 'k8s/worker.yaml', 15, 34, {
        message: /requires arm64 nodes but its image is built only for linux\/amd64/,
      }),
    ],
  },
  // Condition: the pinned architectures and the built ones agree.
  {
    name: 'pins that match the build report nothing (In, and a beta selector on the only built arch)',
    repo: deployed({
      'k8s/api.yaml': affinity('api', API, 'In', ['amd64', 'arm64']),
      'k8s/worker.yaml': nodeSelector('worker', WORKER, 'amd64', 'beta.kubernetes.io/arch'),
    }),
    expect: [],
  },
  {
    name: 'NotIn excluding an architecture the build does not have reports nothing',
    repo: deployed({ 'k8s/worker.yaml': affinity('worker', WORKER, 'NotIn', ['arm64', 's390x']) }),
    expect: [],
  },
  // Condition: the workload is pinned.
  {
    name: 'an unpinned workload reports nothing',
    repo: deployed({
      'k8s/worker.yaml': nodeSelector('worker', WORKER, 'arm64').replace(/ {6}nodeSelector:\n.*\n/, ''),
    }),
    expect: [],
  },
  {
    name: 'a nodeSelector on another label is not an arch pin',
    repo: deployed({ 'k8s/worker.yaml': nodeSelector('worker', WORKER, 'gpu', 'node.example.com/pool') }),
    expect: [],
  },
  // Condition: the image is built in this repository.
  {
    name: 'an image this repository does not build is not checked (its platforms are not known)',
    repo: deployed({ 'k8s/redis.yaml': nodeSelector('redis', 'redis:7', 'arm64') }),
    expect: [],
  },
  // Condition: the manifest is reached.
  {
    name: 'a manifest nothing applies is unreached: the missing architecture is at most a warning',
    repo: {
      files: { ...base, 'k8s/worker.yaml': affinity('worker', WORKER, 'In', ['amd64', 'arm64']) },
    },
    expect: [at('arch-pin', 'warning', 'k8s/worker.yaml', 13, 21, { reachable: false })],
  },
  {
    name: 'a manifest a workflow applies (`kubectl apply -f k8s/`) is reached',
    repo: {
      files: {
        ...base,
        '.github/workflows/ci.yml': `${workflow}      - run: kubectl apply -f k8s/\n`,
        'k8s/worker.yaml': affinity('worker', WORKER, 'In', ['amd64', 'arm64']),
      },
    },
    expect: [at('arch-pin', 'error', 'k8s/worker.yaml', 13, 21, { reachable: true })],
  },
  // Condition: the build producing the image is known.
  {
    name: 'unknown: a pull-request build (amd64, not pushed) and a release build (multi-arch) of the same tag disagree: a note at the image, no error',
    repo: deployed(
      { 'k8s/api.yaml': nodeSelector('api', 'registry.example.com/team/api:latest', 'arm64') },
      {
        '.github/workflows/ci.yml': [
          'name: ci',
          'on: [push, pull_request]',
          'jobs:',
          '  pr:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          context: api',
          '          platforms: linux/amd64',
          '          tags: registry.example.com/team/api:latest',
          '  release:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - uses: docker/setup-qemu-action@v3',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          context: api',
          '          platforms: linux/amd64,linux/arm64',
          '          push: true',
          '          tags: registry.example.com/team/api:latest',
          '',
        ].join('\n'),
      },
    ),
    only: ['arch-pin', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/api.yaml', 18, 18, {
        message:
          /^2 builds produce registry\.example\.com\/team\/api:latest differently \(\.github\/workflows\/ci\.yml:8, \.github\/workflows\/ci\.yml:18\).*not checked: whether the image of Deployment "api" is built for arm64 \(arch-pin\)/,
      }),
    ],
  },
  {
    name: 'unknown: no build pushes the deployed tag and two builds push its repository under other tags, differently: the note says so (it does not claim they push the deployed tag)',
    repo: deployed(
      { 'k8s/api.yaml': nodeSelector('api', 'registry.example.com/team/api:2', 'arm64') },
      {
        'scripts/base.sh':
          'docker buildx build --platform linux/amd64 -t registry.example.com/team/api:base --push api\n',
        'scripts/release.sh':
          'docker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com/team/api:push --push api\n',
        Makefile: 'all:\n\tsh scripts/base.sh\n\tsh scripts/release.sh\n',
      },
    ),
    only: ['arch-pin', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/api.yaml', 18, 18, {
        message:
          /^no build pushes registry\.example\.com\/team\/api:2; 2 builds push registry\.example\.com\/team\/api under other tags, differently \(scripts\/(base|release)\.sh:1, scripts\/(base|release)\.sh:1\)/,
      }),
    ],
  },
  {
    name: 'two steps building the same --target the same way agree (the target is compared by value, not by where it is written)',
    repo: deployed(
      { 'k8s/api.yaml': nodeSelector('api', 'registry.example.com/team/api:2', 'arm64') },
      {
        'api/Dockerfile': `FROM python:3.12-slim AS prod\n${apiDockerfile.slice(apiDockerfile.indexOf('\n') + 1)}`,
        'scripts/a.sh':
          'docker buildx build --platform linux/amd64 --target prod -t registry.example.com/team/api:2 --push api\n',
        'scripts/b.sh':
          '\ndocker buildx build --platform linux/amd64 --target prod -t registry.example.com/team/api:2 --push api\n',
      },
    ),
    only: ['arch-pin', 'unresolved-value'],
    expect: [at('arch-pin', 'error', 'k8s/api.yaml', 15, 29)],
  },
  {
    name: 'builds of the same repository that agree (same Dockerfile, context, platforms, arguments) are one known build',
    repo: deployed(
      { 'k8s/worker.yaml': nodeSelector('worker', WORKER, 'arm64') },
      {
        'scripts/build.sh': `${buildScript}docker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com/team/worker:dev -f worker/Dockerfile worker\n`,
        '.github/workflows/ci.yml': workflow.replace('linux/amd64', 'linux/arm64,linux/amd64'),
        'scripts/build-worker.sh':
          'docker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com/team/worker:dev2 worker\n',
      },
    ),
    expect: [at('arch-pin', 'warning', 'k8s/worker.yaml', 15, 29, { message: /amd64 nodes never run it$/ })],
  },
  {
    name: 'the same repository path on another registry host is linked to its build: the amd64-only image is checked',
    repo: deployed({
      'k8s/worker.yaml': nodeSelector('worker', 'ghcr.io/team/worker:3f2c1a9', 'arm64'),
    }),
    only: ['arch-pin', 'unresolved-value'],
    expect: [at('arch-pin', 'error', 'k8s/worker.yaml', 15, 29, { message: /requires arm64 nodes/ })],
  },
  // Condition: the image deployed is known (kustomize `images:` apply to what their kustomization includes).
  ...(() => {
    const APP = 'registry.example.com/team/app';
    const files = {
      'app/Dockerfile': apiDockerfile,
      'scripts/app.sh': [
        `docker buildx build --platform linux/amd64,linux/arm64 -t ${APP}:1.0 --push app`,
        `docker buildx build --platform linux/amd64 -t ${APP}:dev --push app`,
        '',
      ].join('\n'),
      'k8s/base/app.yaml': affinity('app', `${APP}:1.0`, 'In', ['amd64', 'arm64']),
      'k8s/base/kustomization.yaml': 'resources:\n  - app.yaml\n',
      'k8s/dev/kustomization.yaml': `resources:\n  - ../base\nimages:\n  - name: ${APP}\n    newTag: dev\n`,
    };
    return [
      {
        name: 'a kustomize images: entry applies to what its kustomization includes: the dev overlay runs the amd64-only tag',
        repo: { files },
        expect: [at('arch-pin', 'error', 'k8s/base/app.yaml', 13, 21, { message: /requires arm64 nodes/ })],
      },
      {
        name: 'a kustomize images: entry does not apply to a plain manifest no kustomization includes',
        repo: {
          files: {
            ...files,
            'manifests/app.yaml': affinity('app', `${APP}:1.0`, 'In', ['amd64', 'arm64']),
            '.github/workflows/deploy.yml':
              'on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl apply -f manifests/\n',
          },
        },
        expect: [at('arch-pin', 'error', 'k8s/base/app.yaml', 13, 21, { message: /requires arm64 nodes/ })],
      },
      {
        name: 'unknown: overlays deploying the same base with different tags (dev: amd64 only, prod: multi-arch) are not judged',
        repo: {
          files: {
            ...files,
            'k8s/prod/kustomization.yaml': `resources:\n  - ../base\nimages:\n  - name: ${APP}\n    newTag: "1.0"\n`,
          },
        },
        only: ['arch-pin', 'unresolved-value'],
        expect: [
          at('unresolved-value', 'info', 'k8s/base/app.yaml', 18, 18, {
            message:
              /^the kustomizations deploying Deployment "app" give its image different references \(registry\.example\.com\/team\/app:(dev|1\.0), registry\.example\.com\/team\/app:(dev|1\.0)\)/,
          }),
        ],
      },
    ];
  })(),
  // Condition: the build's platforms are known — explicitly, by config, or from the runner's native platform.
  {
    name: 'a build without platforms on an amd64 runner builds linux/amd64 (the runner is the source)',
    repo: deployed(
      { 'k8s/worker.yaml': nodeSelector('worker', WORKER, 'arm64') },
      { '.github/workflows/ci.yml': nativeWorkflow('ubuntu-latest') },
    ),
    expect: [
      at('arch-pin', 'error', 'k8s/worker.yaml', 15, 29, {
        message: /built only for linux\/amd64 \(\.github\/workflows\/ci\.yml:5\)/,
      }),
    ],
  },
  {
    name: 'a build without platforms on an arm64 runner builds linux/arm64: the arm64 pin is right',
    repo: deployed(
      { 'k8s/worker.yaml': nodeSelector('worker', WORKER, 'arm64') },
      { '.github/workflows/ci.yml': nativeWorkflow('ubuntu-24.04-arm') },
    ),
    expect: [],
  },
  {
    name: 'crossdock.yaml platforms decide for an image declared under images:',
    repo: deployed(
      { 'k8s/worker.yaml': nodeSelector('worker', 'registry.example.com/team/tool:1.0', 'arm64') },
      {
        'crossdock.yaml':
          'platforms: [linux/amd64]\nimages:\n  registry.example.com/team/tool:\n    context: worker\n',
      },
    ),
    expect: [
      at('arch-pin', 'error', 'k8s/worker.yaml', 15, 29, {
        message:
          /built only for linux\/amd64 \(crossdock\.yaml images\."registry\.example\.com\/team\/tool"\)/,
      }),
    ],
  },
  {
    name: 'unknown: a build without platforms on a self-hosted runner is not judged; the runner is the unresolved value',
    repo: deployed(
      { 'k8s/worker.yaml': nodeSelector('worker', WORKER, 'arm64') },
      { '.github/workflows/ci.yml': nativeWorkflow('self-hosted') },
    ),
    only: ['arch-pin', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 5, 14, {
        message:
          /runner \[self-hosted\] is not known; not checked: whether the image of Deployment "worker" is built for arm64 \(arch-pin\)/,
      }),
    ],
  },
  {
    name: 'unknown: a script build without --platform that nothing runs builds the platform of an unknown machine',
    repo: deployed(
      { 'k8s/api.yaml': nodeSelector('api', API, 'arm64') },
      { 'scripts/build.sh': buildScript.replace('--platform linux/amd64,linux/arm64 ', '') },
    ),
    only: ['arch-pin', 'unresolved-value'],
    expect: [at('unresolved-value', 'info', 'scripts/build.sh', 1, 1)],
  },
  {
    name: 'unknown: a `docker build` step of a runner matrix (amd64 and arm64 runners) builds a different platform on each: no claim, a note at runs-on',
    repo: deployed(
      { 'k8s/worker.yaml': nodeSelector('worker', WORKER, 'arm64') },
      { '.github/workflows/ci.yml': runnerMatrix(`      - run: docker build -t ${WORKER} worker`) },
    ),
    only: ['arch-pin', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 8, 14, {
        message:
          /runs on several runners \(\[ubuntu-latest\], \[ubuntu-24\.04-arm\]\) of different architectures; it builds amd64 or arm64 depending on the matrix combination; not checked: whether the image of Deployment "worker" is built for arm64/,
      }),
    ],
  },
  {
    name: 'unknown: a script run by a runner-matrix step (and build-push-action without platforms there) builds on either runner: no claim',
    repo: deployed(
      {
        'k8s/worker.yaml': nodeSelector('worker', WORKER, 'arm64'),
        'k8s/worker2.yaml': nodeSelector('worker2', 'registry.example.com/team/worker:2', 'arm64'),
      },
      {
        '.github/workflows/ci.yml': runnerMatrix('      - run: ./scripts/worker.sh'),
        'scripts/worker.sh': `#!/bin/sh\ndocker build -t ${WORKER} worker\n`,
        '.github/workflows/push.yml': runnerMatrix(
          '      - uses: docker/build-push-action@v6\n        with:\n          context: worker\n          tags: registry.example.com/team/worker:2',
        ),
      },
    ),
    only: ['arch-pin', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 8, 14, {
        message:
          /it builds amd64 or arm64 .*; not checked: whether the image of Deployment "worker" is built for arm64/,
      }),
      at('unresolved-value', 'info', '.github/workflows/push.yml', 8, 14, {
        message:
          /it builds amd64 or arm64 .*; not checked: whether the image of Deployment "worker2" is built for arm64/,
      }),
    ],
  },
  {
    name: 'a runner matrix whose runners share one architecture builds that platform: the arm64 pin on an amd64-only build is an error',
    repo: deployed(
      { 'k8s/worker.yaml': nodeSelector('worker', WORKER, 'arm64') },
      {
        '.github/workflows/ci.yml': runnerMatrix(
          `      - run: docker build -t ${WORKER} worker`,
          '[ubuntu-22.04, ubuntu-24.04]',
        ),
      },
    ),
    expect: [at('arch-pin', 'error', 'k8s/worker.yaml', 15, 29)],
  },
  {
    name: 'unknown: an images: entry without platforms (and no crossdock.yaml platforms) is reported at the pin',
    repo: deployed(
      { 'k8s/worker.yaml': nodeSelector('worker', 'registry.example.com/team/tool:1.0', 'arm64') },
      { 'crossdock.yaml': 'images:\n  registry.example.com/team/tool:\n    context: worker\n' },
    ),
    only: ['arch-pin', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/worker.yaml', 15, 29, {
        message:
          /names no platforms; not checked: whether the image of Deployment "worker" is built for arm64/,
      }),
    ],
  },
  {
    name: 'condition "each architecture once": two arm variants built are one arm architecture left idle',
    repo: deployed(
      { 'k8s/api.yaml': nodeSelector('api', API, 'amd64') },
      {
        'scripts/build.sh': buildScript.replace(
          'linux/amd64,linux/arm64',
          'linux/amd64,linux/arm/v6,linux/arm/v7',
        ),
      },
    ),
    expect: [
      at('arch-pin', 'warning', 'k8s/api.yaml', 15, 29, {
        message:
          /^Deployment "api" is pinned to amd64 while its image is built for linux\/amd64, linux\/arm\/v6, linux\/arm\/v7 \(scripts\/build\.sh:3\): arm nodes never run it$/,
      }),
    ],
  },
]);
