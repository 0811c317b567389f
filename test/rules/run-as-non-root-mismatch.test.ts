// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold Dockerfile `${UID}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/run-as-non-root-mismatch.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const API = 'registry.example.com:5000/team/api:1.0';

const buildScript = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  `docker buildx build --platform linux/amd64,linux/arm64 -t ${API} --push -f api/Dockerfile api`,
  '',
].join('\n');

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
  '          platforms: linux/amd64,linux/arm64',
  '          push: true',
  '          tags: registry.example.com/team/worker:${{ github.sha }}',
  '',
].join('\n');

/** runAsNonRoot at pod level (9:23) or on the container (12:27 when the pod sets nothing); extra securityContext lines. */
function deployment(
  image: string,
  opts: { level?: 'pod' | 'container'; pod?: string[]; container?: string[] } = {},
): string {
  const pod =
    opts.level === 'container' ? [...(opts.pod ?? [])] : ['runAsNonRoot: true', ...(opts.pod ?? [])];
  const ctr = opts.level === 'container' ? ['runAsNonRoot: true', ...(opts.container ?? [])] : opts.container;
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  template:',
    '    spec:',
    ...(pod.length ? ['      securityContext:', ...pod.map((l) => `        ${l}`)] : []),
    '      containers:',
    '        - name: api',
    `          image: ${image}`,
    ...(ctr?.length ? ['          securityContext:', ...ctr.map((l) => `            ${l}`)] : []),
    '',
  ].join('\n');
}

/** The api image built by the script, its manifest applied by a kustomization (reached). */
function repo(dockerfile: string, manifest: string, extra: Record<string, string> = {}) {
  const files: Record<string, string> = {
    'api/Dockerfile': dockerfile,
    'api/app.py': 'print(1)\n',
    'scripts/build.sh': buildScript,
    'k8s/api.yaml': manifest,
    ...extra,
  };
  const resources = Object.keys(files)
    .filter((f) => /^k8s\/[^/]+\.yaml$/.test(f))
    .map((f) => `  - ${f.slice(4)}`);
  files['k8s/kustomization.yaml'] ??= ['resources:', ...resources, ''].join('\n');
  return { files };
}

const ROOT_IMAGE = 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "/app/app.py"]\n';
const NAMED_USER = 'FROM python:3.12-slim\nRUN useradd -u 10001 app\nUSER app\nCOPY . /app\n';
const withBuildArg = (arg: string) => ({
  'scripts/build.sh': buildScript.replace('--push', `--build-arg ${arg} --push`),
});
const R = 'run-as-non-root-mismatch';

const STAGED = [
  'FROM python:3.12-slim AS runtime',
  'COPY . /app',
  'USER 10001',
  'FROM runtime AS debug',
  'USER root',
  '',
].join('\n');
const TARGETED = buildScript.replace('--push', '--target runtime --push');

test('run-as-non-root-mismatch: an image without USER on an official base runs as root: reported at the pod-level runAsNonRoot, pointing at the base image', async () => {
  const findings = await checkRepo(repo(ROOT_IMAGE, deployment(API)), [rule]);
  assertFindings(findings, [
    at(R, 'error', 'k8s/api.yaml', 9, 23, {
      message:
        /^Deployment "api" sets runAsNonRoot, but api\/Dockerfile sets no USER and its base image runs as root: the kubelet refuses to start it \("container has runAsNonRoot and image will run as root"\)$/,
      reachable: true,
    }),
  ]);
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    ['api/Dockerfile:1:6 the base image runs as root'],
  );
});

for (const user of ['root', '0:0'])
  test(`run-as-non-root-mismatch: USER ${user} is root; the finding points back at the final USER`, async () => {
    const findings = await checkRepo(
      repo(
        `FROM python:3.12-slim\nCOPY . /app\nUSER ${user}\nCMD ["python", "/app/app.py"]\n`,
        deployment(API, { level: 'container' }),
      ),
      [rule],
    );
    assertFindings(findings, [
      at(R, 'error', 'k8s/api.yaml', 12, 27, {
        message: new RegExp(
          `^Deployment "api" sets runAsNonRoot, but api/Dockerfile ends with \`USER ${user}\` \\(root\\): the kubelet refuses to start it$`,
        ),
      }),
    ]);
    assert.deepEqual(
      findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
      ['api/Dockerfile:3:1 the final USER'],
    );
  });

ruleTest(rule, [
  {
    name: 'a named USER cannot be verified by the kubelet',
    repo: repo(NAMED_USER, deployment(API)),
    expect: [
      at(R, 'error', 'k8s/api.yaml', 9, 23, {
        message: /ends with `USER app`, a name the kubelet cannot verify \("image has non-numeric user"\)/,
      }),
    ],
  },
  // Condition: no runAsUser overrides the image's user.
  {
    name: 'runAsUser on the pod overrides a named USER',
    repo: repo(NAMED_USER, deployment(API, { pod: ['runAsUser: 10001'] })),
    expect: [],
  },
  {
    name: 'runAsUser on the container overrides a named USER',
    repo: repo(NAMED_USER, deployment(API, { container: ['runAsUser: 10001'] })),
    expect: [],
  },
  {
    name: 'runAsUser on the pod overrides an image that runs as root',
    repo: repo(ROOT_IMAGE, deployment(API, { pod: ['runAsUser: 10001'] })),
    expect: [],
  },
  // Condition: the final USER is numeric and not 0.
  ...[
    'FROM python:3.12-slim\nCOPY . /app\nUSER 10001\n',
    'FROM python:3.12-slim\nARG UID=10001\nUSER ${UID}:${UID}\n',
    'FROM python:3.12-slim AS base\nRUN useradd -u 10001 app\nUSER 10001\nFROM base\nCOPY . /app\n',
  ].map((df) => ({
    name: `a numeric user reports nothing: ${JSON.stringify(df)}`,
    repo: repo(df, deployment(API)),
    expect: [],
  })),
  {
    name: 'a USER from a build arg the build passes is checked with that value',
    repo: repo(
      'FROM python:3.12-slim\nARG UID=10001\nUSER ${UID}\n',
      deployment(API),
      withBuildArg('UID=app'),
    ),
    expect: [at(R, 'error', 'k8s/api.yaml', 9, 23, { message: /ends with `USER app`/ })],
  },
  // Condition: runAsNonRoot is true for the container.
  {
    name: 'a container-level runAsNonRoot: false overrides the pod',
    repo: repo(ROOT_IMAGE, deployment(API, { container: ['runAsNonRoot: false'] })),
    expect: [],
  },
  {
    name: 'without runAsNonRoot an image running as root is not this rule’s business',
    repo: repo(
      ROOT_IMAGE,
      deployment(API, { level: 'container', container: [] }).replace(
        'runAsNonRoot: true',
        'readOnlyRootFilesystem: true',
      ),
    ),
    expect: [],
  },
  // Condition: the final stage's chain sets USER.
  {
    name: 'USER in a builder stage does not carry over to a final stage FROM another image',
    repo: repo(
      'FROM python:3.12-slim AS build\nUSER 10001\nRUN pip wheel -w /w .\nFROM python:3.12-slim\nCOPY --from=build /w /w\n',
      deployment(API),
    ),
    expect: [at(R, 'error', 'k8s/api.yaml', 9, 23, { message: /sets no USER/ })],
  },
  {
    name: 'the --target stage of the build decides: the runtime stage has USER 10001',
    repo: repo(STAGED, deployment(API), { 'scripts/build.sh': TARGETED }),
    expect: [],
  },
  {
    name: 'without --target the last stage (USER root) is what runs',
    repo: repo(STAGED, deployment(API)),
    expect: [at(R, 'error', 'k8s/api.yaml', 9, 23, { message: /ends with `USER root` \(root\)/ })],
  },
  {
    name: 'a CI image tagged with the commit sha is linked to its build',
    repo: repo(STAGED, deployment(API), {
      'worker/Dockerfile': 'FROM node:20-slim\nUSER node\nCOPY . /srv\n',
      '.github/workflows/ci.yml': workflow,
      'k8s/worker.yaml': deployment('registry.example.com/team/worker:3f2c1a9').replace(
        'name: api',
        'name: worker',
      ),
      'scripts/build.sh': TARGETED,
    }),
    expect: [
      at(R, 'error', 'k8s/worker.yaml', 9, 23, {
        message: /^Deployment "worker" sets runAsNonRoot, but worker\/Dockerfile ends with `USER node`/,
      }),
    ],
  },
  {
    name: "the same repository path deployed from another registry host is linked to its build (the drift is registry-drift's)",
    repo: repo(NAMED_USER, deployment('mirror.example.com/team/api:1.0')),
    expect: [at(R, 'error', 'k8s/api.yaml', 9, 23, { message: /ends with `USER app`/ })],
  },
  {
    name: 'scratch has no user database: an image FROM scratch without USER runs as root',
    repo: repo('FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n', deployment(API)),
    expect: [at(R, 'error', 'k8s/api.yaml', 9, 23, { message: /sets no USER/ })],
  },
  // Condition: the base image is known (and known to run as root).
  {
    name: 'unknown: no USER on a private base image: its user is not known, no claim',
    repo: repo('FROM registry.example.com/base/python:3.12\nCOPY . /app\n', deployment(API)),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'api/Dockerfile', 1, 6, {
        message:
          /^the user registry\.example\.com\/base\/python:3\.12 runs as is not known; not checked: the user Deployment "api" runs as, against runAsNonRoot/,
      }),
    ],
  },
  {
    name: 'unknown: no USER on a base image that is not an official one (distroless): no claim',
    repo: repo('FROM gcr.io/distroless/python3\nCOPY . /app\n', deployment(API)),
    only: [R, 'unresolved-value'],
    expect: [at('unresolved-value', 'info', 'api/Dockerfile', 1, 6)],
  },
  {
    name: 'unknown: a local stage chain rooted in a private image is not root by assumption',
    repo: repo(
      'FROM registry.example.com/base/python:3.12 AS base\nFROM base\nCOPY . /app\n',
      deployment(API),
    ),
    only: [R, 'unresolved-value'],
    expect: [at('unresolved-value', 'info', 'api/Dockerfile', 1, 6)],
  },
  {
    name: 'unknown: a base from an ARG without default that no build passes',
    repo: repo('ARG BASE\nFROM ${BASE}\nCOPY . /app\n', deployment(API)),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'api/Dockerfile', 2, 6, { message: /^the base image is not known/ }),
    ],
  },
  {
    name: 'per build: the build arg names a private base, so the default official base does not count',
    repo: repo(
      'ARG BASE=python:3.12-slim\nFROM ${BASE}\nCOPY . /app\n',
      deployment(API),
      withBuildArg('BASE=registry.example.com/base/py:3'),
    ),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'api/Dockerfile', 2, 6, {
        message: /registry\.example\.com\/base\/py:3/,
      }),
    ],
  },
  {
    name: 'per build: the build arg names an official base that runs as root',
    repo: repo(
      'ARG BASE=registry.example.com/base/py:3\nFROM ${BASE}\nCOPY . /app\n',
      deployment(API),
      withBuildArg('BASE=python:3.12-slim'),
    ),
    expect: [
      at(R, 'error', 'k8s/api.yaml', 9, 23, { message: /sets no USER and its base image runs as root/ }),
    ],
  },
  // Condition: the image is built here.
  {
    name: 'an image this repository does not build is not checked',
    repo: repo(ROOT_IMAGE, deployment('registry.example.com/team/other:1.0')),
    expect: [],
  },
  // Condition: the manifest is reached.
  {
    name: 'a manifest nothing applies is unreached: at most a warning',
    repo: repo(ROOT_IMAGE, deployment(API), { 'k8s/kustomization.yaml': 'resources: []\n' }),
    expect: [at(R, 'warning', 'k8s/api.yaml', 9, 23, { reachable: false })],
  },
  {
    name: 'compose services are not checked',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nCOPY . /app\n',
        'compose.yaml': 'services:\n  api:\n    build: ./api\n    user: root\n',
      },
    },
    expect: [],
  },
  {
    name: 'runAsNonRoot with runAsUser: 0 is reported at runAsUser, whatever the image says',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nUSER 10001\nCMD ["python"]\n',
        'build.sh': buildScript,
        'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n',
        'k8s/api.yaml': [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: { name: api }',
          'spec:',
          '  template:',
          '    spec:',
          '      securityContext:',
          '        runAsNonRoot: true',
          '        runAsUser: 0',
          `      containers: [{ name: api, image: "${API}" }]`,
          '',
        ].join('\n'),
      },
    },
    expect: [
      at(R, 'error', 'k8s/api.yaml', 9, 20, { message: /runAsUser: 0: the kubelet refuses to start it/ }),
    ],
  },
  {
    name: 'runAsUser: 0 on an image not built here is still reported (it does not depend on the image)',
    repo: repo(ROOT_IMAGE, deployment('nginx:1.27', { pod: ['runAsUser: 0'] })),
    expect: [at(R, 'error', 'k8s/api.yaml', 10, 20)],
  },
  {
    name: 'unknown: `USER ${UID}` (or `$UID:$GID`) from an ARG without default that the build does not pass is not judged as the name "": a note at the ARG',
    repo: repo('FROM python:3.12-slim\nARG UID\nARG GID=10001\nUSER ${UID}:${GID}\n', deployment(API)),
    expect: [
      at('unresolved-value', 'info', 'api/Dockerfile', 2, 5, {
        message:
          /^ARG UID has no default and this build does not pass it; not checked: the user Deployment "api" runs as/,
      }),
    ],
  },
  {
    name: 'the named-USER message in full, with the final USER as related',
    repo: repo(NAMED_USER, deployment(API)),
    expect: [
      at(R, 'error', 'k8s/api.yaml', 9, 23, {
        message:
          /^Deployment "api" sets runAsNonRoot, but api\/Dockerfile ends with `USER app`, a name the kubelet cannot verify \("image has non-numeric user"\): the pod never starts$/,
        related: ['api/Dockerfile:3 the final USER'],
      }),
    ],
  },
  {
    name: 'the runAsUser: 0 message in full, on the container (which wins over a pod runAsUser), no related',
    repo: repo(
      ROOT_IMAGE,
      deployment(API, { level: 'container', pod: ['runAsUser: 10001'], container: ['runAsUser: 0'] }),
    ),
    expect: [
      at(R, 'error', 'k8s/api.yaml', 15, 24, {
        message:
          /^Deployment "api" sets runAsNonRoot together with runAsUser: 0: the kubelet refuses to start it whatever the image \("container's runAsUser breaks non-root policy"\)$/,
        related: [],
      }),
    ],
  },
  {
    name: 'condition "a numeric user": a name with digits (app1, 1app) is a name, a numeric user with a named group is numeric',
    repo: repo(
      'FROM python:3.12-slim AS a\nUSER app1\nFROM python:3.12-slim AS b\nUSER 1app\nFROM python:3.12-slim AS c\nUSER 10001:app\n',
      deployment(API),
      {
        'k8s/a.yaml': deployment('registry.example.com:5000/team/a:1').replace('name: api', 'name: a'),
        'k8s/b.yaml': deployment('registry.example.com:5000/team/b:1').replace('name: api', 'name: b'),
        'scripts/build.sh': `${buildScript}docker buildx build --target a -t registry.example.com:5000/team/a:1 --push -f api/Dockerfile api\ndocker buildx build --target b -t registry.example.com:5000/team/b:1 --push -f api/Dockerfile api\n`,
      },
    ),
    expect: [
      at(R, 'error', 'k8s/a.yaml', 9, 23, { message: /ends with `USER app1`, a name/ }),
      at(R, 'error', 'k8s/b.yaml', 9, 23, { message: /ends with `USER 1app`, a name/ }),
    ],
  },
  {
    name: 'condition "which build made the image is known": two builds tagging the image differently give a note at the image, no claim',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nUSER 10001\n',
        'web/Dockerfile': 'FROM python:3.12-slim\n',
        'build.sh':
          '#!/bin/sh\ndocker buildx build -t registry.example.com/team/api:1 --push api\ndocker buildx build -t registry.example.com/team/api:1 --push web\n',
        'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n',
        'k8s/api.yaml': deployment('registry.example.com/team/api:1'),
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/api.yaml', 12, 18, {
        message:
          /^2 builds produce registry\.example\.com\/team\/api:1 differently \(build\.sh:2, build\.sh:3\), so which one made the image deployed is not known; not checked: the user Deployment "api" runs as, against runAsNonRoot \(run-as-non-root-mismatch\)$/,
      }),
    ],
  },
  {
    name: 'condition "the image is built here": an image nothing builds is skipped without error or note',
    repo: repo(ROOT_IMAGE, deployment('registry.example.com/team/other:1.0')),
    only: [R, 'unresolved-value', 'internal-error'],
    expect: [],
  },
]);
