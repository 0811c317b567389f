// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import registryDrift from '../../src/rules/registry-drift.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const RELEASE = '.github/workflows/release.yml';

const workflow = [
  'name: release',
  'on:',
  '  push:',
  '    branches: [main]',
  'jobs:',
  '  image:',
  '    runs-on: ubuntu-latest',
  '    timeout-minutes: 60',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: docker/login-action@v3',
  '        with:',
  '          registry: ghcr.io',
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          context: .',
  '          push: true',
  '          tags: registry.example.com/acme/api:latest',
  '',
].join('\n');

const deployment = (image: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  replicas: 2',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: api',
    `          image: ${image}`,
    '',
  ].join('\n');

const kustomization = [
  'resources:',
  '  - ../../api.yaml',
  'images:',
  '  - name: registry.internal.example.com/acme/api',
  '    newName: registry.example.com/acme/api',
  '    newTag: "1.4.0"',
  '',
].join('\n');

const driftRepo = {
  files: {
    [RELEASE]: workflow,
    Dockerfile: 'FROM python:3.12-slim\n',
    'k8s/api.yaml': deployment('registry.internal.example.com/acme/api:latest'),
    'k8s/overlays/prod/kustomization.yaml': kustomization,
  },
};

const script = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'REGISTRY="${REGISTRY:-10.0.0.5:5000}"',
  'docker buildx build --platform linux/amd64,linux/arm64 -t "$REGISTRY/acme/api:latest" --push .',
  '',
].join('\n');
const makefile = [
  'REGISTRY ?= 10.0.0.5:5000',
  'IMAGE := $(REGISTRY)/acme/worker',
  '',
  'push:',
  '\tdocker build -t $(IMAGE):dev worker',
  '\tdocker push $(IMAGE):dev',
  '',
].join('\n');
const ipFiles = {
  Dockerfile: 'FROM python:3.12-slim\n',
  'worker/Dockerfile': 'FROM python:3.12-slim\n',
  'scripts/build.sh': script,
  Makefile: makefile,
  'buildkitd.toml': '[registry."10.0.0.5:5000"]\n  http = true\n',
  'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n',
  'k8s/api.yaml': deployment('10.0.0.5:5000/acme/api:latest'),
  // Run by CI without REGISTRY set: the defaults are the addresses (a script nothing runs may get another).
  '.github/workflows/push.yml':
    'on: push\njobs:\n  push:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ./scripts/build.sh\n      - run: make push\n',
};

/** A script pushing `pushed`, and a kustomization deploying `deployed`. */
const pushDeploy = (pushed: string[], deployed: string) => ({
  files: {
    Dockerfile: 'FROM alpine:3.20\n',
    'build.sh': `#!/bin/sh\n${pushed.map((t) => `docker buildx build -t ${t} --push .\n`).join('')}`,
    'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n',
    'k8s/api.yaml': deployment(deployed),
  },
});

/** A script pushing each of `pushed`, deployed nowhere. */
const pushOnly = (pushed: string[]) => ({
  files: {
    Dockerfile: 'FROM alpine:3.20\n',
    'build.sh': `#!/bin/sh\n${pushed.map((t) => `docker buildx build -t ${t} --push .\n`).join('')}`,
  },
});

ruleTest(registryDrift, [
  {
    name: 'one repository pushed to one registry and deployed from another is reported at the push',
    repo: driftRepo,
    expect: [
      at('registry-drift', 'warning', RELEASE, 18, 17, {
        message:
          /^`acme\/api` goes to `registry\.example\.com`, `registry\.internal\.example\.com` across 3 places: what is pushed to one registry is pulled from another, which has an old image or none$/,
        reachable: true,
      }),
    ],
  },
  // Condition: a host is used (deployed, pulled) that nothing pushes to.
  {
    name: 'deployed from the registry it is pushed to: nothing',
    repo: pushDeploy(['ghcr.io/acme/api:1'], 'ghcr.io/acme/api:1'),
    expect: [],
  },
  {
    name: 'deployed from another registry than the one it is pushed to: warning at the push',
    repo: pushDeploy(['ghcr.io/acme/api:1'], 'registry.example.com/acme/api:1'),
    expect: [
      at('registry-drift', 'warning', 'build.sh', 2, 24, {
        message: /^`acme\/api` goes to `ghcr\.io`, `registry\.example\.com` across 2 places/,
      }),
    ],
  },
  // Condition: pushes scattered over several registries, one of them private.
  {
    name: 'publishing one image to two public registries on purpose is not drift',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        'release.sh':
          'docker buildx build --platform linux/amd64,linux/arm64 -t ghcr.io/acme/api:1.0 -t docker.io/acme/api:1.0 --push .\n',
      },
    },
    expect: [],
  },
  {
    name: 'pushing one image to two private registries is drift',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        'a.sh': '#!/bin/sh\ndocker buildx build -t registry.a.example/acme/api:1 --push .\n',
        'b.sh': '#!/bin/sh\ndocker buildx build -t registry.b.example/acme/api:1 --push .\n',
      },
    },
    expect: [
      at('registry-drift', 'warning', 'a.sh', 2, 24, {
        message: /^`acme\/api` goes to `registry\.a\.example`, `registry\.b\.example` across 2 places/,
      }),
    ],
  },

  // Raw private IPs.
  {
    name: 'a private IP registry written in several files is info with one address, at its first mention',
    repo: { files: ipFiles },
    expect: [
      at('registry-drift', 'info', 'buildkitd.toml', 1, 1, {
        message:
          /^the registry address `10\.0\.0\.5:5000` is written by hand in 5 places \(buildkitd\.toml, Makefile, scripts\/build\.sh, k8s\/api\.yaml\)/,
      }),
    ],
  },
  {
    name: 'a second address makes the raw IPs a warning, and the deployed one drifts from the pushed one',
    repo: { files: { ...ipFiles, 'k8s/api.yaml': deployment('10.0.0.6:5000/acme/api:latest') } },
    expect: [
      at('registry-drift', 'warning', 'buildkitd.toml', 1, 1, {
        message: /the registry address `10\.0\.0\.5:5000`, `10\.0\.0\.6:5000` is written/,
      }),
      at('registry-drift', 'warning', 'scripts/build.sh', 4, 59, {
        message: /^`acme\/api` goes to `10\.0\.0\.5:5000`, `10\.0\.0\.6:5000` across 2 places/,
      }),
    ],
  },
  {
    name: '192.168/16 addresses are private too',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        'a.sh': '#!/bin/sh\ndocker buildx build -t 192.168.1.10:5000/acme/api:1 --push .\n',
        'compose.yaml': 'services:\n  a:\n    image: 192.168.1.10:5000/acme/api:1\n',
      },
    },
    expect: [
      at('registry-drift', 'info', 'a.sh', 2, 24, { message: /in 2 places \(a\.sh, compose\.yaml\)/ }),
    ],
  },
  {
    name: 'loopback and public IPs in two files, and a private IP in one file only, report nothing',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        'a.sh': [
          '#!/bin/sh',
          'docker buildx build -t 127.0.0.1:5000/acme/api:1 --push .',
          'docker buildx build -t 8.8.8.8:5000/acme/web:1 --push .',
          'docker buildx build -t 10.0.0.5:5000/acme/worker:1 --push .',
          'docker buildx build -t 10.0.0.5:5000/acme/batch:1 --push .',
          '',
        ].join('\n'),
        'compose.yaml':
          'services:\n  a:\n    image: 127.0.0.1:5000/acme/api:1\n  w:\n    image: 8.8.8.8:5000/acme/web:1\n',
      },
    },
    expect: [],
  },
  {
    name: 'one registry everywhere, logins, loopback and an unknown registry variable report nothing',
    repo: {
      files: {
        [RELEASE]: workflow,
        Dockerfile: 'FROM python:3.12-slim\n',
        'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n',
        'k8s/api.yaml': deployment('registry.example.com/acme/api:latest'),
        'scripts/build.sh': [
          '#!/bin/sh',
          'REGISTRY="${REGISTRY:-10.0.0.5:5000}"',
          'docker login -u ci 10.0.0.5:5000',
          'docker build -t "$REGISTRY/acme/batch:latest" .',
          'docker push "$REGISTRY/acme/batch:latest"',
          'docker build -t "$UNKNOWN_REGISTRY/acme/api:latest" .',
          '',
        ].join('\n'),
        'compose.yaml': 'services:\n  cache:\n    image: 127.0.0.1:5000/acme/cache:1\n',
        'dev/compose.yaml': 'services:\n  cache:\n    image: 127.0.0.1:5000/acme/cache:1\n',
      },
    },
    expect: [],
  },
  // Unknown hosts: no claim.
  {
    name: 'pushed only to a registry from the environment: where it goes is unknown, nothing',
    repo: pushDeploy(['"$REGISTRY/acme/api:1"'], 'registry.example.com/acme/api:1'),
    expect: [],
  },
  {
    name: 'a push to a registry from the environment may be the deployed one: no drift claim, a note at the push',
    repo: pushDeploy(['"$REGISTRY/acme/api:1"', 'ghcr.io/acme/api:1'], 'registry.example.com/acme/api:1'),
    only: ['registry-drift', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'build.sh', 2, 24, {
        message:
          /^the registry of `\$REGISTRY\/acme\/api:1` comes from a variable crossdock cannot resolve; not checked: whether `acme\/api` is deployed from a registry it is pushed to \(registry-drift\)$/,
      }),
    ],
  },
  {
    name: 'a push of another repository from the environment says nothing about this one: drift at the push',
    repo: pushDeploy(['"$REGISTRY/acme/worker:1"', 'ghcr.io/acme/api:1'], 'registry.example.com/acme/api:1'),
    only: ['registry-drift', 'unresolved-value'],
    expect: [at('registry-drift', 'warning', 'build.sh', 3, 24)],
  },
  {
    name: 'a variable tag leaves host and repository known: drift is still reported',
    repo: pushDeploy(['"ghcr.io/acme/api:$TAG"'], 'registry.example.com/acme/api:1'),
    only: ['registry-drift', 'unresolved-value'],
    expect: [at('registry-drift', 'warning', 'build.sh', 2, 24)],
  },
  {
    name: 'deployed from a placeholder registry: nothing',
    repo: pushDeploy(['ghcr.io/acme/api:1'], '${REGISTRY}/acme/api:1'),
    expect: [],
  },
  {
    name: 'condition "one of the pushes is private": pushes to GHCR and to a private registry are drift, the other push related',
    repo: pushOnly(['ghcr.io/acme/api:1', 'registry.example.com/acme/api:1']),
    expect: [
      at('registry-drift', 'warning', 'build.sh', 2, 24, {
        message:
          /^`acme\/api` goes to `ghcr\.io`, `registry\.example\.com` across 2 places: what is pushed to one registry is pulled from another, which has an old image or none$/,
        related: ['build.sh:3 pushed via registry.example.com'],
      }),
    ],
  },
  {
    name: 'condition "public": every public registry (Docker Hub, GHCR, Quay, GCR, Artifact Registry, ECR, GitLab, ACR) may hold the same image',
    repo: pushOnly(
      [
        'docker.io',
        'ghcr.io',
        'quay.io',
        'gcr.io',
        'eu.gcr.io',
        'europe-docker.pkg.dev',
        'public.ecr.aws',
        '123456789012.dkr.ecr.us-east-1.amazonaws.com',
        'registry.gitlab.com',
        'acme.azurecr.io',
      ].map((h) => `${h}/acme/api:1`),
    ),
    expect: [],
  },
  {
    name: 'condition "public": a public registry written with its port is still public',
    repo: pushOnly(['ghcr.io/acme/api:1', 'quay.io:443/acme/api:1']),
    expect: [],
  },
  {
    name: 'condition "public": a host that only contains a public name (mirror-quay.io, quay.io.example.com) is private',
    repo: pushOnly([
      'ghcr.io/acme/api:1',
      'mirror-quay.io/acme/api:1',
      'ghcr.io/acme/web:1',
      'quay.io.example.com/acme/web:1',
    ]),
    expect: [
      at('registry-drift', 'warning', 'build.sh', 2, 24, {
        message: /^`acme\/api` goes to `ghcr\.io`, `mirror-quay\.io` across 2 places/,
        related: ['build.sh:3 pushed via mirror-quay.io'],
      }),
      at('registry-drift', 'warning', 'build.sh', 4, 24, {
        message: /^`acme\/web` goes to `ghcr\.io`, `quay\.io\.example\.com` across 2 places/,
        related: ['build.sh:5 pushed via quay.io.example.com'],
      }),
    ],
  },
  {
    name: 'condition "something pushes": deployed from two registries nothing in the repository pushes to: nothing',
    repo: {
      files: {
        ...pushDeploy([], 'registry.a.example/acme/api:1').files,
        'compose.yaml': 'services:\n  api:\n    image: registry.b.example/acme/api:1\n',
      },
    },
    only: ['registry-drift', 'unresolved-value'],
    expect: [],
  },
  {
    name: 'condition "a tag counts as a push": a build that only tags the image, deployed from another registry, is drift',
    repo: {
      files: {
        ...pushDeploy([], 'registry.example.com/acme/api:1').files,
        'build.sh': '#!/bin/sh\ndocker build -t ghcr.io/acme/api:1 .\n',
      },
    },
    expect: [
      at('registry-drift', 'warning', 'build.sh', 2, 17, {
        message: /^`acme\/api` goes to `ghcr\.io`, `registry\.example\.com` across 2 places/,
        related: ['k8s/api.yaml:11 deployed via registry.example.com'],
      }),
    ],
  },
  {
    name: 'condition "an unresolved push or tag": a build that tags `$REGISTRY/acme/api` may be the deployed registry: a note',
    repo: {
      files: {
        ...pushDeploy(['ghcr.io/acme/api:1'], 'registry.example.com/acme/api:1').files,
        'tag.sh': '#!/bin/sh\ndocker build -t "$REGISTRY/acme/api:1" .\n',
      },
    },
    only: ['registry-drift', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'tag.sh', 2, 17, {
        message:
          /^the registry of `\$REGISTRY\/acme\/api:1` comes from a variable crossdock cannot resolve; not checked: whether `acme\/api` is deployed/,
      }),
    ],
  },
  {
    name: 'condition "an unresolved push or tag": a deployment from `$REGISTRY` pushes nothing, the known drift stands',
    repo: {
      files: {
        ...pushDeploy(['ghcr.io/acme/api:1'], 'registry.example.com/acme/api:1').files,
        'compose.yaml': 'services:\n  api:\n    image: $REGISTRY/acme/api:1\n',
      },
    },
    only: ['registry-drift', 'unresolved-value'],
    expect: [
      at('registry-drift', 'warning', 'build.sh', 2, 24, {
        related: ['k8s/api.yaml:11 deployed via registry.example.com'],
      }),
    ],
  },
  {
    name: 'condition "the unresolved push may be this repository": `$IMAGE` names no repository, so it may be this one: a note',
    repo: pushDeploy(['ghcr.io/acme/api:1', '"$IMAGE"'], 'registry.example.com/acme/api:1'),
    only: ['registry-drift', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'build.sh', 3, 24, {
        message: /^the registry of `\$IMAGE` comes from a variable crossdock cannot resolve; not checked/,
      }),
    ],
  },
  {
    name: 'condition "the unresolved push may be this repository": `$REGISTRY/api` may be `<host>/acme` + `/api`: a note',
    repo: pushDeploy(['ghcr.io/acme/api:1', '"$REGISTRY/api:1"'], 'registry.example.com/acme/api:1'),
    only: ['registry-drift', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'build.sh', 3, 24, {
        message: /^the registry of `\$REGISTRY\/api:1` comes from a variable/,
      }),
    ],
  },
  {
    name: 'condition "a known host with a variable repository is the deployed host": pushing `registry.example.com/$ORG/api` may be it: a note',
    repo: pushDeploy(
      ['ghcr.io/acme/api:1', '"registry.example.com/$ORG/api:1"'],
      'registry.example.com/acme/api:1',
    ),
    only: ['registry-drift', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'build.sh', 3, 24, {
        message:
          /^the repository of `registry\.example\.com\/\$ORG\/api:1` comes from a variable crossdock cannot resolve; not checked: whether `acme\/api` is deployed from a registry it is pushed to \(registry-drift\)$/,
      }),
    ],
  },
  {
    name: '... and a variable repository on another host (`quay.io/$ORG/api`) says nothing about the deployed host: drift',
    repo: pushDeploy(['ghcr.io/acme/api:1', '"quay.io/$ORG/api:1"'], 'registry.example.com/acme/api:1'),
    only: ['registry-drift', 'unresolved-value'],
    expect: [
      at('registry-drift', 'warning', 'build.sh', 2, 24, {
        related: ['k8s/api.yaml:11 deployed via registry.example.com'],
      }),
    ],
  },
  {
    name: 'condition "not scattered": pushes scattered over private registries are drift even with an unresolved push, and no note',
    repo: pushDeploy(
      ['registry.a.example/acme/api:1', 'registry.b.example/acme/api:1', '"$REGISTRY/acme/api:1"'],
      'registry.c.example/acme/api:1',
    ),
    only: ['registry-drift', 'unresolved-value'],
    expect: [
      at('registry-drift', 'warning', 'build.sh', 2, 24, {
        message:
          /^`acme\/api` goes to `registry\.a\.example`, `registry\.b\.example`, `registry\.c\.example` across 3 places/,
        related: [
          'build.sh:3 pushed via registry.b.example',
          'k8s/api.yaml:11 deployed via registry.c.example',
        ],
      }),
    ],
  },
  {
    name: 'condition "several push hosts": one private push host with an unresolved push is not scattered: a note, no claim',
    repo: pushDeploy(
      ['registry.a.example/acme/api:1', '"$REGISTRY/acme/api:1"'],
      'registry.b.example/acme/api:1',
    ),
    only: ['registry-drift', 'unresolved-value'],
    expect: [at('unresolved-value', 'info', 'build.sh', 3, 24)],
  },
  {
    name: 'condition "used elsewhere": deployed from a registry it is pushed to, an unresolved push needs no note',
    repo: pushDeploy(
      ['ghcr.io/acme/api:1', 'docker.io/acme/api:1', '"$REGISTRY/acme/api:1"'],
      'ghcr.io/acme/api:1',
    ),
    only: ['registry-drift', 'unresolved-value'],
    expect: [],
  },
  {
    name: 'condition "a known push": deployed from two registries, pushed only to `$REGISTRY`: no note either (nothing to compare)',
    repo: {
      files: {
        ...pushDeploy(['"$REGISTRY/acme/api:1"'], 'registry.a.example/acme/api:1').files,
        'compose.yaml': 'services:\n  api:\n    image: registry.b.example/acme/api:1\n',
      },
    },
    only: ['registry-drift', 'unresolved-value'],
    expect: [],
  },
  {
    name: 'a raw IP in many files names the first five files, every other mention related with its role',
    repo: {
      files: {
        Dockerfile: 'FROM alpine\n',
        '.github/workflows/ci.yml': [
          'on: push',
          'jobs:',
          '  b:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: docker/login-action@v3',
          '        with:',
          '          registry: 10.0.0.5:5000',
          '',
        ].join('\n'),
        'buildkitd.toml': '[registry."10.0.0.5:5000"]\n  http = true\n',
        'd.sh': '#!/bin/sh\ndocker login 10.0.0.5:5000\n',
        ...Object.fromEntries(
          ['a', 'b', 'c', 'e'].map((n) => [
            `${n}.sh`,
            `#!/bin/sh\ndocker buildx build -t 10.0.0.5:5000/acme/${n}:1 --push .\n`,
          ]),
        ),
      },
    },
    expect: [
      at('registry-drift', 'info', '.github/workflows/ci.yml', 8, 21, {
        message:
          /^the registry address `10\.0\.0\.5:5000` is written by hand in 7 places \(\.github\/workflows\/ci\.yml, buildkitd\.toml, d\.sh, a\.sh, b\.sh\): when it changes, one is forgotten and builds push where nodes do not pull$/,
        related: [
          'buildkitd.toml:1 configured in buildkitd.toml: 10.0.0.5:5000',
          'd.sh:2 logged in: 10.0.0.5:5000',
          'a.sh:2 pushed: 10.0.0.5:5000',
          'b.sh:2 pushed: 10.0.0.5:5000',
          'c.sh:2 pushed: 10.0.0.5:5000',
          'e.sh:2 pushed: 10.0.0.5:5000',
        ],
      }),
    ],
  },
]);

test('registry-drift: every other place of the root cause is listed, with its role and host', async () => {
  const findings = await checkRepo(driftRepo, [registryDrift]);
  assertFindings(findings, [at('registry-drift', 'warning', RELEASE, 18, 17)]);
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    [
      'k8s/api.yaml:11:18 deployed via registry.internal.example.com',
      'k8s/overlays/prod/kustomization.yaml:6:13 deployed via registry.example.com',
    ],
  );
  const ips = await checkRepo({ files: ipFiles }, [registryDrift]);
  assertFindings(ips, [at('registry-drift', 'info', 'buildkitd.toml', 1, 1)]);
  assert.deepEqual(
    ips[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    [
      'Makefile:6:14 pushed: 10.0.0.5:5000',
      'scripts/build.sh:4:59 pushed: 10.0.0.5:5000',
      'Makefile:5:18 tagged by a build that does not push: 10.0.0.5:5000',
      'k8s/api.yaml:11:18 deployed: 10.0.0.5:5000',
    ],
  );
});

test('registry-drift: a docker/metadata-action build is one push per image, however many tags its rules compute', async () => {
  const findings = await checkRepo(
    {
      github: 'acme/api',
      files: {
        Dockerfile: 'FROM alpine:3.20\n',
        [RELEASE]: workflow.replace(
          '      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          push: true\n          tags: registry.example.com/acme/api:latest\n',
          [
            '      - id: meta',
            '        uses: docker/metadata-action@v5',
            '        with:',
            '          images: registry.example.com/${{ github.repository }}',
            '          tags: |',
            '            type=ref,event=branch',
            '            type=sha',
            '      - uses: docker/build-push-action@v6',
            '        with:',
            '          push: true',
            '          tags: ${{ steps.meta.outputs.tags }}',
            '',
          ].join('\n'),
        ),
        'k8s/api.yaml': deployment('registry.internal.example.com/acme/api:main'),
        'k8s/kustomization.yaml': 'resources:\n  - api.yaml\n',
      },
    },
    [registryDrift],
  );
  assertFindings(findings, [
    at('registry-drift', 'warning', RELEASE, 24, 17, {
      message:
        /^`acme\/api` goes to `registry\.example\.com`, `registry\.internal\.example\.com` across 2 places/,
    }),
  ]);
});
