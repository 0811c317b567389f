// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/image-not-built.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryRepoFs } from '../../src/engine/memory-fs.js';
import { loadProject } from '../../src/engine/load.js';
import { runRules } from '../../src/engine/run.js';
import { checkRepo } from '../helpers/check.js';
import { makeRepo } from '../helpers/git-repo.js';
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

// docker/metadata-action: the tags its rules compute on the refs the workflow's triggers run it on.

/** A workflow tagging with docker/metadata-action; the `tags:` rules start on line 14, `flavor:` (when given) after them. */
function metaWorkflow(
  o: {
    on?: string[];
    tags?: string[];
    flavor?: string[];
    images?: string;
    env?: string[];
    buildTags?: string;
  } = {},
): string {
  return [
    ...(o.on ?? ['on:', '  push:', '    branches: [main]', "    tags: ['v*']", '  pull_request:']),
    'jobs:',
    '  image:',
    '    runs-on: ubuntu-latest',
    ...(o.env ?? []),
    '    steps:',
    '      - id: meta',
    '        uses: docker/metadata-action@v5',
    '        with:',
    `          images: ${o.images ?? 'ghcr.io/${{ github.repository }}'}`,
    '          tags: |',
    ...(
      o.tags ?? [
        'type=ref,event=branch',
        'type=ref,event=pr',
        'type=semver,pattern={{version}}',
        'type=semver,pattern={{major}}.{{minor}}',
        'type=sha',
      ]
    ).map((t) => `            ${t}`),
    ...(o.flavor ? ['          flavor: |', ...o.flavor.map((f) => `            ${f}`)] : []),
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          push: true',
    `          tags: ${o.buildTags ?? '${{ steps.meta.outputs.tags }}'}`,
    '',
  ].join('\n');
}

/** A repository whose origin is acme/app on GitHub, its image built by `metaWorkflow(o)` and deployed by a chart at `tag`. */
const meta = (
  tag: string,
  o: Parameters<typeof metaWorkflow>[0] = {},
  extra: Record<string, string> = {},
) => ({
  github: 'acme/app',
  files: {
    Dockerfile: 'FROM alpine:3.20\n',
    '.github/workflows/image.yml': metaWorkflow(o),
    'chart/Chart.yaml': CHART,
    'chart/values.yaml': values('ghcr.io/acme/app', tag),
    ...extra,
  },
});

const META_TAGS = '`main`, `pr-<number>`, `<version>`, `<major>.<minor>`, `sha-<7 hex>`, `latest`';

test('image-not-built: a Helm tag no docker/metadata-action rule produces is an error, listing what CI pushes', async () => {
  const findings = await checkRepo(meta('dev-arm64'), [rule]);
  assertFindings(findings, [
    at(R, 'error', 'chart/values.yaml', 3, 8, {
      message: new RegExp(
        `^\`ghcr\\.io/acme/app:dev-arm64\` is deployed from Helm values, but the builds of \`ghcr\\.io/acme/app\` in this repository push only ${META_TAGS.replace(/[.<>]/g, '\\$&')}:`,
      ),
      reachable: true,
    }),
  ]);
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line} ${r.message}`),
    [
      '.github/workflows/image.yml:20 built here: ghcr.io/acme/app:main, ghcr.io/acme/app:pr-<number>, ghcr.io/acme/app:<version>, ghcr.io/acme/app:<major>.<minor>, ghcr.io/acme/app:sha-<7 hex>, ghcr.io/acme/app:latest',
    ],
  );
});

const metaError = (tag: string) =>
  at(R, 'error', 'chart/values.yaml', 3, 8, {
    message: new RegExp(`^\`ghcr\\.io/acme/app:${tag.replace(/\./g, '\\.')}\``),
  });

ruleTest(rule, [
  // Tags each rule can produce are deployable.
  { name: 'metadata-action: a semver tag (`{{version}}`) is produced', repo: meta('1.4.2'), expect: [] },
  {
    name: 'metadata-action: a prerelease version is produced whatever the pattern',
    repo: meta('1.4.2-rc.1'),
    expect: [],
  },
  { name: 'metadata-action: `{{major}}.{{minor}}` is produced', repo: meta('1.4'), expect: [] },
  { name: 'metadata-action: a branch of on.push.branches is produced', repo: meta('main'), expect: [] },
  { name: 'metadata-action: `sha-` and 7 hex digits is produced', repo: meta('sha-3f2c1a9'), expect: [] },
  { name: 'metadata-action: `pr-<number>` is produced for pull requests', repo: meta('pr-12'), expect: [] },
  {
    name: 'metadata-action: semver rules add `latest` (flavor latest=auto)',
    repo: meta('latest'),
    expect: [],
  },
  // Conditions: each one that bounds what a rule produces.
  {
    name: 'condition "the branch is in on.push.branches": `develop` is not',
    repo: meta('develop'),
    expect: [metaError('develop')],
  },
  {
    name: 'condition "7 hex digits": a 6-digit sha is not produced',
    repo: meta('sha-3f2c1a'),
    expect: [metaError('sha-3f2c1a')],
  },
  {
    name: 'condition "a version": `v1.4.2` is not (semver drops the v)',
    repo: meta('v1.4.2'),
    expect: [metaError('v1.4.2')],
  },
  { name: 'condition "a number after pr-"', repo: meta('pr-x'), expect: [metaError('pr-x')] },
  {
    name: 'condition "pull_request triggers it": without it no `pr-` tag is produced',
    repo: meta('pr-12', { on: ['on:', '  push:', '    branches: [main]', "    tags: ['v*']"] }),
    expect: [metaError('pr-12')],
  },
  {
    name: 'condition "tags trigger it": without on.push.tags no version (nor latest) is produced',
    repo: meta('1.4.2', { on: ['on:', '  push:', '    branches: [main]'] }),
    expect: [metaError('1.4.2')],
  },
  {
    name: 'condition "flavor latest=auto": latest=false adds no `latest`',
    repo: meta('latest', { flavor: ['latest=false'] }),
    expect: [metaError('latest')],
  },
  {
    name: 'condition "latest=true": `latest` for every rule, even without semver',
    repo: meta('latest', { tags: ['type=sha'], flavor: ['latest=true'] }),
    expect: [],
  },
  {
    name: 'type=sha,format=long is 40 hex digits: a short sha is not produced, a long one is',
    repo: meta(
      'sha-3f2c1a9',
      { tags: ['type=sha,format=long'] },
      {
        'chart/values-prod.yaml': values('ghcr.io/acme/app', `sha-${'3f2c1a9e'.repeat(5)}`),
      },
    ),
    expect: [metaError('sha-3f2c1a9')],
  },
  {
    name: 'type=sha with prefix= and DOCKER_METADATA_SHORT_SHA_LENGTH: 12',
    repo: meta(
      'git-3f2c1a9',
      { tags: ['type=sha,prefix=git-'], env: ['    env:', '      DOCKER_METADATA_SHORT_SHA_LENGTH: 12'] },
      {
        'chart/values-prod.yaml': values('ghcr.io/acme/app', 'git-3f2c1a9e8d7c'),
      },
    ),
    expect: [metaError('git-3f2c1a9')],
  },
  {
    name: 'flavor prefix and suffix apply to every rule without its own (not to latest unless onlatest=true)',
    repo: meta(
      'app-main-arm64',
      {
        tags: ['type=ref,event=branch', 'type=semver,pattern={{version}}'],
        flavor: ['prefix=app-', 'suffix=-arm64'],
      },
      {
        'chart/values-v.yaml': values('ghcr.io/acme/app', 'app-1.2.3-arm64'),
        'chart/values-latest.yaml': values('ghcr.io/acme/app', 'latest'),
        'chart/values-bare.yaml': values('ghcr.io/acme/app', 'main'),
      },
    ),
    expect: [
      at(R, 'error', 'chart/values-bare.yaml', 3, 8, {
        message: /push only `app-main-arm64`, `app-<version>-arm64`, `latest`/,
      }),
    ],
  },
  {
    name: 'type=raw values, enable={{is_default_branch}} may be true; a literal enable=false never',
    repo: meta(
      'latest',
      {
        tags: [
          'type=raw,value=latest,enable={{is_default_branch}}',
          'type=raw,value=stable,enable=false',
          'type=edge',
        ],
      },
      {
        'chart/values-stable.yaml': values('ghcr.io/acme/app', 'stable'),
        'chart/values-edge.yaml': values('ghcr.io/acme/app', 'edge'),
      },
    ),
    expect: [at(R, 'error', 'chart/values-stable.yaml', 3, 8, { message: /push only `latest`, `edge`:/ })],
  },
  {
    name: 'type=raw with {{branch}} and {{sha}} (an empty branch makes an invalid tag, never pushed); type=ref,event=tag bounded by on.push.tags globs',
    repo: meta(
      'main-3f2c1a9',
      { tags: ['type=raw,value={{branch}}-{{sha}}', 'type=ref,event=tag'] },
      {
        'chart/values-tag.yaml': values('ghcr.io/acme/app', 'v2.0'),
        'chart/values-bad.yaml': values('ghcr.io/acme/app', '2.0'),
      },
    ),
    expect: [
      at(R, 'error', 'chart/values-bad.yaml', 3, 8, {
        message: /push only `main-<7 hex>`, `v\*`, `latest`:/,
      }),
    ],
  },
  {
    name: 'type=schedule is `nightly` when a schedule triggers the workflow, nothing otherwise',
    repo: meta(
      'nightly',
      { tags: ['type=schedule', 'type=ref,event=branch'] },
      {
        '.github/workflows/nightly.yml': metaWorkflow({
          on: ['on:', '  schedule:', "    - cron: '0 3 * * *'"],
          tags: ['type=schedule'],
          images: 'ghcr.io/acme/nightly',
        }),
        'chart/values-n.yaml': values('ghcr.io/acme/nightly', 'nightly'),
      },
    ),
    expect: [metaError('nightly')],
  },
  {
    name: 'the outputs.json form (`fromJSON(steps.meta.outputs.json).tags`) is the same tags',
    repo: meta('dev-arm64', { buildTags: "${{ join(fromJSON(steps.meta.outputs.json).tags, ',') }}" }),
    expect: [metaError('dev-arm64')],
  },
  {
    name: 'images without expressions, several, and lowercased as the action does',
    repo: meta(
      'dev',
      { images: 'GHCR.io/Acme/App,docker.io/acme/app', tags: ['type=ref,event=branch'] },
      {
        'chart/values-hub.yaml': values('acme/app', 'dev'),
      },
    ),
    expect: [
      metaError('dev'),
      at(R, 'error', 'chart/values-hub.yaml', 3, 8, {
        message: /builds of `acme\/app` in this repository push only `main`/,
      }),
    ],
  },
  // Unknown: what a rule computes, or which refs the workflow runs on, is not known.
  {
    name: 'unknown: on.push.branches with a glob: any matching branch name may be a tag, a note',
    repo: meta('develop', { on: ['on:', '  push:', "    branches: ['release/**', main]"] }),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/image.yml', 12, 17, {
        message:
          /^on\.push\.branches has patterns \(release\/\*\*, main\): any matching branch runs it; not checked: whether a build produces the deployed tag/,
      }),
    ],
  },
  {
    name: 'unknown: workflow_dispatch runs on any branch: branch tags are not known, a note',
    repo: meta('develop', { on: ['on:', '  push:', '    branches: [main]', '  workflow_dispatch:'] }),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/image.yml', 13, 17, {
        message: /workflow_dispatch runs it on any branch or tag/,
      }),
    ],
  },
  {
    name: 'unknown: a type=match rule takes part of the git tag: a note, no claim',
    repo: meta('dev-arm64', { tags: ['type=match,pattern=v(.*),group=1'] }),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/image.yml', 14, 17, { message: /type=match/ }),
    ],
  },
  {
    name: 'unknown: a {{date}} in a raw value is computed when it runs: a note',
    repo: meta('dev-arm64', { tags: ["type=raw,value={{date 'YYYYMMDD'}}"] }),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/image.yml', 14, 17, {
        message: /`\{\{date 'YYYYMMDD'\}\}`/,
      }),
    ],
  },
  {
    name: 'unknown: no origin remote on GitHub: the images are not known, and no other build names the repository: silent',
    repo: { ...meta('dev-arm64'), github: undefined },
    only: [R, 'unresolved-value'],
    expect: [],
  },
  {
    name: 'unknown: a build whose repository is not known may push the deployed tag: a note instead of an error',
    repo: meta(
      'dev-arm64',
      { images: '${{ env.IMAGE }}' },
      {
        'scripts/build.sh': 'docker build -t ghcr.io/acme/app:1.0 .\n',
      },
    ),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/image.yml', 23, 17, {
        message: /pushes \$\{\{ steps\.meta\.outputs\.tags \}\}, whose repository is not known/,
      }),
    ],
  },
  // github.repository in build-push tags, from the origin remote.
  {
    name: "`ghcr.io/${{ github.repository }}` in build-push tags is the origin remote's repository",
    repo: meta('0.9', { buildTags: 'ghcr.io/${{ github.repository }}:1.0' }),
    expect: [at(R, 'error', 'chart/values.yaml', 3, 8, { message: /push only `1\.0`/ })],
  },
  {
    name: "`${{ github.repository_owner }}` is the origin remote's owner",
    repo: meta('0.9', { buildTags: 'ghcr.io/${{ github.repository_owner }}/app:1.0' }),
    expect: [at(R, 'error', 'chart/values.yaml', 3, 8, { message: /push only `1\.0`/ })],
  },
  {
    name: 'condition "lowercase": an origin with capitals makes no valid reference as is: not a build of ghcr.io/acme/app',
    repo: { ...meta('0.9', { buildTags: 'ghcr.io/${{ github.repository }}:1.0' }), github: 'Acme/App' },
    expect: [],
  },
]);

test('image-not-built: in a git checkout, `${{ github.repository }}` is read from the origin remote (https or ssh, lowercased)', async (t) => {
  const spec = meta('dev-arm64');
  const repo = makeRepo({ files: spec.files });
  t.after(repo.cleanup);
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repo.root, encoding: 'utf8' });
  const check = async () => runRules(await loadProject({ root: repo.root }), [rule]);
  assert.deepEqual(await check(), [], 'no origin: the image is not known, and nothing else builds it');
  git('remote', 'add', 'origin', 'https://github.com/Acme/App.git');
  assertFindings(await check(), [metaError('dev-arm64')]);
  git('remote', 'set-url', 'origin', 'git@github.com:acme/app.git');
  assertFindings(await check(), [metaError('dev-arm64')]);
  git('remote', 'set-url', 'origin', 'https://gitlab.com/acme/app.git');
  assert.deepEqual(await check(), [], 'not GitHub: github.repository is not known');
});

// Conditions of the matching itself, each one whose removal would change a verdict.
ruleTest(rule, [
  {
    name: 'condition "a variable may be empty": `v${VERSION}` may push `v`',
    repo: helm('registry.example.com/team/worker', 'v'),
    expect: [],
  },
  {
    name: 'condition "positional parameters are variables": `v$1` of a script may be any v-tag',
    repo: helm('registry.example.com/team/app', 'v2', {
      'scripts/app.sh': 'docker build -t "registry.example.com/team/app:v$1" app\n',
      'chart/values-bad.yaml': values('registry.example.com/team/app', '2'),
    }),
    expect: [at(R, 'error', 'chart/values-bad.yaml', 3, 8, { message: /push only `v\$1`/ })],
  },
  {
    name: 'condition "a build with a tag of the repository": a build tagging two repositories counts for each',
    repo: helm('registry.example.com/team/one', '0.9', {
      'scripts/two.sh':
        'docker build -t registry.example.com/team/two:1.0 -t registry.example.com/team/one:1.0 two\n',
    }),
    expect: [at(R, 'error', 'chart/values.yaml', 3, 8, { message: /push only `1\.0`/ })],
  },
  {
    name: 'condition "no tag is latest": `-t app` pushes `app:latest`, which Helm `tag: latest` deploys',
    repo: helm('app', 'latest', {
      'scripts/app.sh': 'docker build -t app app\n',
      'chart/values-bad.yaml': values('app', '1.0'),
    }),
    expect: [
      at(R, 'error', 'chart/values-bad.yaml', 3, 8, {
        message: /builds of `library\/app` in this repository push only `latest`/,
      }),
    ],
  },
  {
    name: 'condition "the repository is not known": `$REGISTRY/team/api:$TAG` may push any tag of it: a note',
    repo: helm('registry.example.com:5000/team/api', '0.9', {
      'scripts/push.sh': 'docker build -t "$REGISTRY/team/api:$TAG" api\n',
    }),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'scripts/push.sh', 1, 17, {
        message: /pushes \$REGISTRY\/team\/api:\$TAG, whose repository is not known/,
      }),
    ],
  },
  {
    name: 'condition "its tag may be the deployed one": `$REGISTRY/team/api:1.0` does not push 0.9',
    repo: helm('registry.example.com:5000/team/api', '0.9', {
      'scripts/push.sh': 'docker build -t "$REGISTRY/team/api:1.1" api\n',
    }),
    only: [R, 'unresolved-value'],
    expect: [at(R, 'error', 'chart/values.yaml', 3, 8)],
  },
  {
    name: 'condition "a variable ends the reference": `api$SUFFIX` may be `api:0.9`: a note',
    repo: helm('registry.example.com:5000/team/api', '0.9', {
      'scripts/push.sh': 'docker build -t "api$SUFFIX" api\n',
    }),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'scripts/push.sh', 1, 17, {
        message: /api\$SUFFIX, whose repository is not known/,
      }),
    ],
  },
  {
    name: 'condition "another repository": a variable tag of another repository does not push this one',
    repo: helm('registry.example.com:5000/team/api', '0.9', {
      'scripts/push.sh':
        'docker build -t "registry.example.com/team/other:$TAG" api\ndocker tag a "registry.example.com/team/other:$TAG"\ndocker push "registry.example.com/team/other:$TAG"\n',
    }),
    expect: [at(R, 'error', 'chart/values.yaml', 3, 8)],
  },
  {
    name: 'condition "an action that builds or publishes": a step using an unrelated action leaves the error',
    repo: helm('registry.example.com:5000/team/api', '0.9', {
      '.github/workflows/docs.yml':
        'on: push\njobs:\n  docs:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: peaceiris/actions-gh-pages@v4\n',
    }),
    expect: [at(R, 'error', 'chart/values.yaml', 3, 8)],
  },
  {
    name: 'condition "actions crossdock reads, by whole name": my-actions/build-image and docker/login-action-push may push',
    repo: helm('registry.example.com:5000/team/api', '0.9', {
      '.github/workflows/pub.yml':
        'on: push\njobs:\n  pub:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: my-actions/build-image@v1\n',
      'chart/values-2.yaml': values('registry.example.com:5000/team/api', '0.8'),
    }),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/pub.yml', 6, 15, {
        message:
          /^the step using my-actions\/build-image, which crossdock does not read, may build and push images/,
      }),
    ],
  },
  {
    name: 'condition "anchored at the end": docker/login-action-push is not docker/login-action',
    repo: helm('registry.example.com:5000/team/api', '0.9', {
      '.github/workflows/pub.yml':
        'on: push\njobs:\n  pub:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/login-action-push@v1\n',
    }),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/pub.yml', 6, 15, {
        message: /docker\/login-action-push/,
      }),
    ],
  },
  {
    name: 'condition "a container with an image": a container without one is skipped',
    repo: {
      files: {
        ...applied([]).files,
        'k8s/app.yaml': `${deployment(['registry.example.com:5000/team/api:0.9'])}        - name: sidecar\n`,
      },
    },
    expect: [at(R, 'error', 'k8s/app.yaml', 10, 18)],
  },
  {
    name: 'condition "some unit deploys it as written": one overlay retags the base, another deploys it as written',
    repo: {
      files: {
        ...builds,
        'k8s/base/deployment.yaml': deployment(['registry.example.com:5000/team/api:0.9']),
        'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
        'k8s/overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\nimages:\n  - name: registry.example.com:5000/team/api\n    newTag: "1.0"\n',
        'k8s/overlays/dev/kustomization.yaml': 'resources:\n  - ../../base\n',
      },
    },
    expect: [at(R, 'error', 'k8s/base/deployment.yaml', 10, 18)],
  },
  {
    name: 'condition "literal characters are escaped": `1.${N}` does not push `15`',
    repo: helm('registry.example.com/team/app', '15', {
      'scripts/app.sh': 'docker build -t "registry.example.com/team/app:1.${N}" app\n',
      'chart/values-ok.yaml': values('registry.example.com/team/app', '1.5'),
    }),
    expect: [at(R, 'error', 'chart/values.yaml', 3, 8, { message: /push only `1\.\$\{N\}`/ })],
  },
  {
    name: 'condition "a digest is not a tag pushed": a copy to `api@sha256:…` adds no tag',
    repo: helm('registry.example.com:5000/team/api', '0.9', {
      'scripts/copy.sh': `crane copy registry.example.com:5000/team/api:1.0 registry.example.com:5000/team/api@${DIGEST}\n`,
    }),
    expect: [at(R, 'error', 'chart/values.yaml', 3, 8, { message: /push only `1\.0`: the pull fails/ })],
  },
  {
    name: 'a config file named .crossdock.yml is named in the note',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\n',
        '.crossdock.yml': 'images:\n  registry.example.com/team/api:\n    context: api\n',
        'k8s/app.yaml': deployment(['registry.example.com/team/api:1.4']),
        'k8s/kustomization.yaml': 'resources:\n  - app.yaml\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.crossdock.yml', 1, 1, {
        message: /^\.crossdock\.yml images\."registry\.example\.com\/team\/api" names the repository/,
      }),
    ],
  },
  {
    name: "related: a build's tags of another metadata step with unknown tags are shown as written",
    repo: meta(
      'dev-arm64',
      {
        buildTags: '${{ steps.meta.outputs.tags }},${{ steps.other.outputs.tags }}',
        tags: ['type=ref,event=branch'],
      },
      {
        '.github/workflows/image.yml': metaWorkflow({
          buildTags: '${{ steps.meta.outputs.tags }},${{ steps.other.outputs.tags }}',
          tags: ['type=ref,event=branch'],
        }).replace(
          '      - uses: docker/build-push-action@v6',
          '      - id: other\n        uses: docker/metadata-action@v5\n        with:\n          images: ghcr.io/acme/other\n          tags: type=match,pattern=v(.*)\n      - uses: docker/build-push-action@v6',
        ),
      },
    ),
    expect: [
      at(R, 'error', 'chart/values.yaml', 3, 8, {
        message: /push only `main`:/,
        related: [
          '.github/workflows/image.yml:21 built here: ghcr.io/acme/app:main, ghcr.io/acme/other:${{ steps.other.outputs.tags }}, ghcr.io/acme/other:latest',
        ],
      }),
    ],
  },
  {
    name: 'condition "a Tiltfile, by name": Tiltfile.example rewrites nothing',
    repo: helm('registry.example.com:5000/team/api', '0.9', { 'docs/Tiltfile.example': 'x\n' }),
    expect: [at(R, 'error', 'chart/values.yaml', 3, 8)],
  },
  {
    name: 'condition "a placeholder": a Helm `__TAG__` is filled in later, not judged',
    repo: helm('registry.example.com:5000/team/api', '__TAG__'),
    expect: [],
  },
  {
    name: 'at most three builds in related',
    repo: helm('registry.example.com:5000/team/api', '0.9', {
      'scripts/a.sh': 'docker build -t registry.example.com:5000/team/api:a api\n',
      'scripts/b.sh': 'docker build -t registry.example.com:5000/team/api:b api\n',
      'scripts/c.sh': 'docker build -t registry.example.com:5000/team/api:c api\n',
    }),
    expect: [
      at(R, 'error', 'chart/values.yaml', 3, 8, {
        message: /push only `a`, `b`, `1\.0`, `c`/,
        related: [
          'scripts/a.sh:1 built here: registry.example.com:5000/team/api:a',
          'scripts/b.sh:1 built here: registry.example.com:5000/team/api:b',
          'scripts/build.sh:3 built here: registry.example.com:5000/team/api:1.0',
        ],
      }),
    ],
  },
]);

test('image-not-built: each note says how to let crossdock read what it could not', async () => {
  const hints = async (spec: Parameters<typeof checkRepo>[0]) =>
    (await checkRepo(spec, [rule])).filter((f) => f.ruleId === 'unresolved-value').map((f) => f.hint);
  assert.deepEqual(
    await hints(
      helm('registry.example.com:5000/team/api', '0.9', {
        'scripts/push.sh': 'docker build -t "$IMAGE" api\n',
      }),
    ),
    ['write the image reference literally, or set its variables in the same script'],
  );
  assert.deepEqual(
    await hints(
      helm('registry.example.com:5000/team/api', '0.9', {
        '.github/workflows/pub.yml':
          'on: push\njobs:\n  pub:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/publish-image@v1\n',
      }),
    ),
    ['build and push from a shell script, Makefile or docker/build-push-action step, which crossdock reads'],
  );
  assert.deepEqual(
    await hints({
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\n',
        'crossdock.yaml': 'images:\n  registry.example.com/team/api:\n    context: api\n',
        'chart/Chart.yaml': CHART,
        'chart/values.yaml': values('registry.example.com/team/api', '1.4'),
      },
    }),
    ['build and push the image from a script or workflow in the repository'],
  );
});

test('image-not-built: images declared in a config file outside the repository: the note is at the deployed tag', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const configPath = join(dir, 'crossdock.yaml');
  writeFileSync(configPath, 'images:\n  registry.example.com/team/api:\n    context: api\n');
  const repo = new MemoryRepoFs({
    files: {
      'api/Dockerfile': 'FROM python:3.12-slim\n',
      'chart/Chart.yaml': CHART,
      'chart/values.yaml': values('registry.example.com/team/api', '1.4'),
    },
  });
  const findings = await runRules(await loadProject({ root: '.', repo, configPath }), [rule]);
  assertFindings(findings, [
    at('unresolved-value', 'info', 'chart/values.yaml', 3, 8, {
      message: /names the repository, not the tags pushed/,
    }),
  ]);
});

test('image-not-built: a config image named with a variable may be any repository: a note at the deployed tag', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const configPath = join(dir, 'crossdock.yaml');
  writeFileSync(configPath, 'images:\n  ${REGISTRY}/team/api:\n    context: api\n');
  const repo = new MemoryRepoFs(helm('registry.example.com:5000/team/api', '0.9'));
  const findings = await runRules(await loadProject({ root: '.', repo, configPath }), [rule]);
  assertFindings(findings, [
    at('unresolved-value', 'info', 'chart/values.yaml', 3, 8, {
      message: /pushes \$\{REGISTRY\}\/team\/api, whose repository is not known/,
    }),
  ]);
});
