// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/image-not-built.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const R = 'image-not-built';

const DIGEST = `sha256:${'4f'.repeat(32)}`;

const builds = {
  'api/Dockerfile': 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nEXPOSE 5000\nUSER 10001\n',
  'web/Dockerfile': 'FROM node:20-slim\nCOPY . /srv\nUSER node\n',
  'worker/Dockerfile': 'FROM golang:1.22\nCOPY . /src\n',
  'scripts/build.sh': [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    'docker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com:5000/team/api:1.0 --push -f api/Dockerfile api',
    '',
  ].join('\n'),
  'scripts/release.sh': [
    '#!/bin/sh',
    '# VERSION comes from the release job',
    'docker build -t "registry.example.com/team/worker:v${VERSION}" worker',
    'docker push "registry.example.com/team/worker:v${VERSION}"',
    '',
  ].join('\n'),
  '.github/workflows/ci.yml': [
    'name: ci',
    'on: [push]',
    'jobs:',
    '  web:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: web',
    '          platforms: linux/amd64,linux/arm64',
    '          push: true',
    '          tags: |',
    '            registry.example.com/team/web:latest',
    '            registry.example.com/team/web:${{ github.sha }}',
    '',
  ].join('\n'),
};

function deployment(images: string[]): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: app',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    ...images.flatMap((image, i) => [`        - name: c${i}`, `          image: ${image}`]),
    '',
  ].join('\n');
}

const CHART = 'apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: "1.0"\n';

/** Helm values deploying `repository:tag`; the tag is on line 3, column 8. */
const values = (repository: string, tag: string) => `image:\n  repository: ${repository}\n  tag: "${tag}"\n`;

/** The builds and a chart whose values deploy `repository:tag` (reached: Chart.yaml next to the values). */
const helm = (repository: string, tag: string, extra: Record<string, string> = {}) => ({
  files: { ...builds, 'chart/Chart.yaml': CHART, 'chart/values.yaml': values(repository, tag), ...extra },
});

/** The builds and `k8s/app.yaml` applied by a kustomization. */
const applied = (images: string[]) => ({
  files: {
    ...builds,
    'k8s/app.yaml': deployment(images),
    'k8s/kustomization.yaml': 'resources:\n  - app.yaml\n',
  },
});

test('image-not-built: Helm values deploying a tag no build pushes are reported, pointing at the build', async () => {
  const findings = await checkRepo(helm('registry.example.com:5000/team/api', '0.9'), [rule]);
  assertFindings(findings, [
    at(R, 'error', 'chart/values.yaml', 3, 8, {
      message:
        /^`registry\.example\.com:5000\/team\/api:0\.9` is deployed from Helm values, but the builds of `registry\.example\.com:5000\/team\/api` in this repository push only `1\.0`: the pull fails \(manifest unknown\) or runs an old image$/,
      reachable: true,
    }),
  ]);
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    ['scripts/build.sh:3:1 built here: registry.example.com:5000/team/api:1.0'],
  );
});

ruleTest(rule, [
  // Condition: the deployed tag is one a build pushes (literally, or through a tag pattern).
  {
    name: 'Helm values deploying the pushed tag report nothing',
    repo: helm('registry.example.com:5000/team/api', '1.0'),
    expect: [],
  },
  {
    name: 'a `${{ github.sha }}` build tag is a pattern that matches any tag',
    repo: helm('registry.example.com/team/web', '3f2c1a9'),
    expect: [],
  },
  {
    name: 'a `v${VERSION}` build tag matches v-prefixed tags',
    repo: helm('registry.example.com/team/worker', 'v1.2.0'),
    expect: [],
  },
  {
    name: 'a `v${VERSION}` build tag does not match a tag without the v',
    repo: helm('registry.example.com/team/worker', '1.2.0'),
    expect: [
      at(R, 'error', 'chart/values.yaml', 3, 8, {
        message:
          /^`registry\.example\.com\/team\/worker:1\.2\.0` is deployed from Helm values, but the builds of `registry\.example\.com\/team\/worker` in this repository push only `v\$\{VERSION\}`:/,
      }),
    ],
  },
  // Condition: the repository is built here; the reference names a tag (not a digest).
  {
    name: 'an image of a repository no build here pushes is not checked',
    repo: helm('registry.example.com/team/billing', '2.0'),
    expect: [],
  },
  {
    name: 'a digest is not a tag: not checked',
    repo: {
      files: {
        ...builds,
        'chart/Chart.yaml': CHART,
        'chart/values.yaml': `image:\n  repository: registry.example.com:5000/team/api\n  digest: ${DIGEST}\n`,
      },
    },
    expect: [],
  },
  // Condition: reached.
  {
    name: 'values of a folder without Chart.yaml are unreached: at most a warning',
    repo: { files: { ...builds, 'chart/values.yaml': values('registry.example.com:5000/team/api', '0.9') } },
    expect: [at(R, 'warning', 'chart/values.yaml', 3, 8, { reachable: false })],
  },
  // Kustomize.
  {
    name: 'Helm values `image: {repository, tag}` and kustomize `images:` overrides are deployments too',
    repo: {
      files: {
        ...builds,
        'chart/Chart.yaml': CHART,
        'chart/values.yaml': [
          'image:',
          '  repository: registry.example.com:5000/team/api',
          '  tag: "0.9"',
          'web:',
          '  image:',
          '    repository: registry.example.com/team/web',
          '    tag: "2f1e0d9"',
          '',
        ].join('\n'),
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'images:',
          '  - name: api',
          '    newName: registry.example.com:5000/team/api',
          '    newTag: "2.0"',
          '  - name: web',
          '    newName: registry.example.com/team/web',
          '    newTag: latest',
          '',
        ].join('\n'),
      },
    },
    expect: [
      at(R, 'error', 'chart/values.yaml', 3, 8, {
        message:
          /^`registry\.example\.com:5000\/team\/api:0\.9` is deployed from Helm values, .* push only `1\.0`/,
      }),
      at(R, 'error', 'k8s/overlays/prod/kustomization.yaml', 6, 13, {
        message: /^`registry\.example\.com:5000\/team\/api:2\.0` is deployed from kustomize images/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'a tag written elsewhere is not `latest`: Helm appVersion, kustomize renames, kustomize-retagged bases',
    repo: {
      files: {
        ...builds,
        'chart/Chart.yaml': CHART,
        'chart/values.yaml':
          'image:\n  repository: registry.example.com:5000/team/api\n  pullPolicy: IfNotPresent\n  tag: ""\n',
        'k8s/base/deployment.yaml': deployment(['registry.example.com:5000/team/api', 'api:1.0']),
        'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'images:',
          '  - name: registry.example.com:5000/team/api',
          '    newTag: "1.0"',
          '  - name: api',
          '    newName: registry.example.com:5000/team/api',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  {
    name: 'a base image kustomize redirects to another registry is not deployed as written',
    repo: {
      files: {
        ...builds,
        'k8s/base/deployment.yaml': deployment(['registry.example.com:5000/team/api']),
        'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
        'k8s/overlays/public/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'images:',
          '  - name: registry.example.com:5000/team/api',
          '    newName: public.ecr.aws/acme/api',
          '    newTag: "1.0"',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  {
    name: 'built tags, digests, images built elsewhere and containers linked to their build report nothing',
    repo: applied([
      'registry.example.com:5000/team/api:1.0',
      `registry.example.com:5000/team/api@${DIGEST}`,
      'registry.example.com/team/web:latest',
      'redis:7',
      'registry.example.com/team/billing:2.0',
    ]),
    expect: [],
  },
  // Unknown deployed references: placeholders and deploy-time rewriters.
  {
    name: 'unknown: a placeholder tag in a manifest is noted, not judged',
    repo: applied(['registry.example.com:5000/team/api:__TAG__']),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/app.yaml', 10, 18, {
        message:
          /is a placeholder filled in later; not checked: whether a build in this repository produces the deployed tag \(image-not-built\)$/,
      }),
    ],
  },
  {
    name: 'unknown: an image a kustomize replacements: fills in is noted, not judged',
    repo: {
      files: {
        ...builds,
        'k8s/app.yaml': deployment(['registry.example.com:5000/team/api:1.1']),
        'k8s/kustomization.yaml':
          'resources:\n  - app.yaml\nreplacements:\n  - source:\n      kind: ConfigMap\n      name: image\n      fieldPath: data.ref\n    targets: []\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'k8s/app.yaml', 10, 18, {
        message: /is filled in by k8s\/kustomization\.yaml/,
      }),
    ],
  },
  {
    name: 'unknown: a Tiltfile rewrites the images it deploys: the written tags are not judged; one note, at the Tiltfile (one root cause)',
    repo: helm('registry.example.com:5000/team/api', '0.9', {
      Tiltfile: 'docker_build("registry.example.com:5000/team/api", "api")\n',
      'chart/values-dev.yaml': 'image:\n  repository: registry.example.com:5000/team/api\n  tag: "0.8"\n',
    }),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'Tiltfile', 1, 1, {
        message: /^Tiltfile replaces the images it builds in what it deploys/,
      }),
    ],
  },
  {
    name: 'compose: `${VAR}` without a default is not judged; `${VAR:-1.0}` deploys the built tag',
    repo: {
      files: {
        ...builds,
        'compose.yaml':
          'services:\n  api:\n    image: registry.example.com:5000/team/api:${API_TAG:-1.0}\n  next:\n    image: registry.example.com:5000/team/api:${API_TAG}\n',
      },
    },
    expect: [],
  },
]);

test('image-not-built: a manifest deploying a tag no build pushes is an error at the image, pointing at the build', async () => {
  const findings = await checkRepo(applied(['registry.example.com:5000/team/api:0.9']), [rule]);
  assertFindings(findings, [
    at(R, 'error', 'k8s/app.yaml', 10, 18, {
      message:
        /^`registry\.example\.com:5000\/team\/api:0\.9` is deployed from a manifest, but the builds of `registry\.example\.com:5000\/team\/api` in this repository push only `1\.0`:/,
      reachable: true,
    }),
  ]);
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    ['scripts/build.sh:3:1 built here: registry.example.com:5000/team/api:1.0'],
  );
});

ruleTest(rule, [
  {
    name: 'manifest tags are matched against tag patterns (`${{ github.sha }}` any, `v${VERSION}` only v-prefixed)',
    repo: applied([
      'registry.example.com/team/web:3f2c1a9',
      'registry.example.com/team/worker:v1.2.0',
      'registry.example.com/team/worker:1.2.0',
    ]),
    expect: [
      at(R, 'error', 'k8s/app.yaml', 14, 18, {
        message:
          /^`registry\.example\.com\/team\/worker:1\.2\.0` is deployed from a manifest, .* push only `v\$\{VERSION\}`/,
      }),
    ],
  },
  {
    name: 'a kustomize images: entry does not retag a plain manifest no kustomization includes: its `latest` is deployed as written',
    repo: {
      files: {
        ...builds,
        'k8s/base/deployment.yaml': deployment(['registry.example.com:5000/team/api']),
        'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
        'k8s/overlays/prod/kustomization.yaml': [
          'resources:',
          '  - ../../base',
          'images:',
          '  - name: registry.example.com:5000/team/api',
          '    newTag: "1.0"',
          '',
        ].join('\n'),
        'manifests/api.yaml': deployment(['registry.example.com:5000/team/api']),
      },
    },
    expect: [
      at(R, 'warning', 'manifests/api.yaml', 10, 18, {
        message: /^`registry\.example\.com:5000\/team\/api` is deployed from a manifest, .* push only `1\.0`/,
        reachable: false,
      }),
    ],
  },
  {
    name: 'a kustomize base deployed as written (no overlay) deploys `latest`, which no build pushes',
    repo: {
      files: {
        ...builds,
        'k8s/base/deployment.yaml': deployment(['registry.example.com:5000/team/api']),
        'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      },
    },
    expect: [
      at(R, 'error', 'k8s/base/deployment.yaml', 10, 18, {
        message: /^`registry\.example\.com:5000\/team\/api` is deployed from a manifest, .* push only `1\.0`/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'compose: an image without `build:` must be a pushed tag (`:dev` is not)',
    repo: {
      files: {
        ...builds,
        'compose.yaml': 'services:\n  api:\n    image: registry.example.com:5000/team/api:dev\n',
      },
    },
    expect: [
      at(R, 'error', 'compose.yaml', 3, 12, {
        message:
          /^`registry\.example\.com:5000\/team\/api:dev` is deployed from compose, .* push only `1\.0`/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'compose: an image another service of the same project builds is built, not pulled (compose does not pull it)',
    repo: {
      files: {
        ...builds,
        'compose.yaml': [
          'services:',
          '  api:',
          '    image: registry.example.com:5000/team/api:dev',
          '    build: api',
          '  worker:',
          '    image: registry.example.com:5000/team/api:dev',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  {
    name: 'an image declared under crossdock.yaml images: says nothing about which tags are pushed: a note, no claim',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\n',
        'crossdock.yaml': 'images:\n  registry.example.com/team/api:\n    context: api\n',
        'k8s/app.yaml': deployment(['registry.example.com/team/api:1.4']),
        'k8s/kustomization.yaml': 'resources:\n  - app.yaml\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'crossdock.yaml', 1, 1, {
        message:
          /^crossdock\.yaml images\."registry\.example\.com\/team\/api" names the repository, not the tags pushed; not checked: whether a build produces the deployed tag \(image-not-built\)$/,
      }),
    ],
  },
  {
    name: 'condition "a deploy-time rewriter": skaffold.yml in a folder rewrites manifests, but not kustomize `images:` (checked as written)',
    repo: {
      files: {
        ...builds,
        'deploy/skaffold.yml': 'apiVersion: skaffold/v4beta6\nkind: Config\n',
        'k8s/app.yaml': deployment(['registry.example.com:5000/team/api:0.9']),
        'k8s/kustomization.yaml':
          'resources:\n  - app.yaml\nimages:\n  - name: web\n    newName: registry.example.com/team/worker\n    newTag: "1.2.0"\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'deploy/skaffold.yml', 1, 1, {
        message:
          /^deploy\/skaffold\.yml replaces the images it builds in what it deploys; not checked: whether a build produces the deployed tag \(image-not-built\)$/,
      }),
      at(R, 'error', 'k8s/kustomization.yaml', 6, 13, {
        message:
          /^`registry\.example\.com\/team\/worker:1\.2\.0` is deployed from kustomize images, .* push only `v\$\{VERSION\}`/,
        related: ['scripts/release.sh:3 built here: registry.example.com/team/worker:v${VERSION}'],
      }),
    ],
  },
]);
