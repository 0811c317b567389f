// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold shell `${VAR}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/invalid-image-reference.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const R = 'invalid-image-reference';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

const releaseWorkflow = [
  'name: release',
  'on:',
  '  push:',
  '    tags: ["v*"]',
  'jobs:',
  '  image:',
  '    runs-on: ubuntu-latest',
  '    timeout-minutes: 60',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: docker/setup-qemu-action@v3',
  '      - uses: docker/build-push-action@v6',
  '        with:',
  '          context: .',
  '          platforms: linux/amd64,linux/arm64',
  '          push: true',
  '          tags: |',
  '            ghcr.io/acme/api:latest',
  '            ghcr.io/acme/api:v1.2.3+build5',
  '',
].join('\n');

const buildScript = [
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'REGISTRY="${REGISTRY:-10.0.0.5:5000}"',
  'docker buildx build --platform linux/amd64,linux/arm64 -t "$REGISTRY/acme/API:1.0" --push .',
  'docker buildx build -t "$REGISTRY/acme/api:$GIT_SHA" --push .',
  '',
].join('\n');

const deployment = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: api',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: api',
  '          image: registry.example.com/Acme/api:1.0',
  '        - name: log-shipper',
  '          image: busybox@sha256:abc',
  '      initContainers:',
  '        - name: migrate',
  `          image: registry.example.com/acme/api@${DIGEST}`,
  '',
].join('\n');

/** One Deployment, one container per image: image i on line 10 + 2i, column 18. */
const containers = (images: string[]) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    ...images.flatMap((image, i) => [`        - name: c${i}`, `          image: ${image}`]),
    '',
  ].join('\n');

const KUSTOMIZE_K8S = 'resources:\n  - deployment.yaml\n';

const composeFile = [
  'services:',
  '  web:',
  '    image: ghcr.io/acme/Web:${TAG:-latest}',
  '  api:',
  '    image: ghcr.io/acme/api:${TAG}',
  '  db:',
  '    image: postgres:16',
  '',
].join('\n');

const kustomizeFiles = {
  'deploy/kustomization.yaml': [
    'resources:',
    '  - deployment.yaml',
    'images:',
    '  - name: api',
    '    newName: registry.example.com/acme/api',
    '    newTag: 1.4.0+build.7',
    '',
  ].join('\n'),
  'deploy/deployment.yaml': deployment.replace(/image: .*/g, 'image: api'),
};

const helmValues = [
  'image:',
  '  registry: ghcr.io',
  '  repository: acme/API',
  'proxy:',
  '  image: "ghcr.io/acme/proxy:1.25"',
  '',
].join('\n');

test('invalid-image-reference: uppercase paths, invalid tags and digests are errors at the reference, in workflows, scripts and manifests', async () => {
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/release.yml': releaseWorkflow,
        // CI runs the script without setting its variables: their defaults are the values.
        '.github/workflows/build.yml':
          'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ./scripts/build.sh\n',
        'scripts/build.sh': buildScript,
        'k8s/deployment.yaml': deployment,
        'k8s/kustomization.yaml': KUSTOMIZE_K8S,
        Dockerfile: 'FROM python:3.12-slim\n',
      },
    },
    [rule],
  );
  assertFindings(findings, [
    at(R, 'error', '.github/workflows/release.yml', 19, 13, {
      message:
        /^`ghcr\.io\/acme\/api:v1\.2\.3\+build5` is not a valid image reference: tag "v1\.2\.3\+build5"/,
      reachable: true,
    }),
    at(R, 'error', 'k8s/deployment.yaml', 10, 18, {
      message: /repository path "Acme\/api" has uppercase letters; OCI repository names must be lowercase/,
      reachable: true,
    }),
    at(R, 'error', 'k8s/deployment.yaml', 12, 18, {
      message: /`busybox@sha256:abc` .*"@sha256:abc" is not a digest/,
    }),
    // The script's REGISTRY default is expanded into the reported reference; `$GIT_SHA` (unknown) is not judged.
    at(R, 'error', 'scripts/build.sh', 4, 59, {
      message: /^`10\.0\.0\.5:5000\/acme\/API:1\.0` .*"acme\/API" has uppercase letters/,
    }),
  ]);
  assert.deepEqual(
    findings.map((f) => f.endColumn),
    [43, 51, 36, 83],
  );
});

ruleTest(rule, [
  {
    name: 'a manifest nothing applies is unreached: its invalid references are warnings',
    repo: { files: { 'k8s/deployment.yaml': deployment } },
    expect: [
      at(R, 'warning', 'k8s/deployment.yaml', 10, 18, { reachable: false }),
      at(R, 'warning', 'k8s/deployment.yaml', 12, 18, { reachable: false }),
    ],
  },
  {
    name: 'compose images, kustomize overrides and Helm values of a chart are checked after interpolation',
    repo: {
      files: {
        'compose.yaml': composeFile,
        ...kustomizeFiles,
        'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
        'chart/values.yaml': helmValues,
      },
    },
    expect: [
      at(R, 'error', 'chart/values.yaml', 3, 15, { message: /^`ghcr\.io\/acme\/API` .*uppercase/ }),
      // `${TAG:-latest}` takes its default; `${TAG}` without one stays unresolved and is skipped.
      at(R, 'error', 'compose.yaml', 3, 12, { message: /^`ghcr\.io\/acme\/Web:latest` .*uppercase/ }),
      at(R, 'error', 'deploy/kustomization.yaml', 6, 13, {
        message:
          /^`registry\.example\.com\/acme\/api:1\.4\.0\+build\.7` .*tag "1\.4\.0\+build\.7" is invalid/,
      }),
    ],
  },
  {
    name: 'Helm values without a Chart.yaml next to them are unreached: a warning (formerly an error)',
    repo: { files: { 'chart/values.yaml': helmValues } },
    expect: [at(R, 'warning', 'chart/values.yaml', 3, 15, { reachable: false })],
  },
  {
    name: '`${{ github.repository }}` and `repository_owner` in a tag: info naming the field when the origin is not known (it fails only for owners with capitals)',
    repo: {
      files: {
        '.github/workflows/image.yml': [
          'on: push',
          'jobs:',
          '  image:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          push: true',
          '          tags: ghcr.io/${{ github.repository }}:${{ github.sha }}',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          file: worker.Dockerfile',
          '          tags: ghcr.io/${{github.repository_owner}}/worker:latest',
          '',
        ].join('\n'),
        Dockerfile: 'FROM alpine\n',
        'worker.Dockerfile': 'FROM alpine\n',
      },
    },
    expect: [
      at(R, 'info', '.github/workflows/image.yml', 9, 17, {
        message:
          /^`ghcr\.io\/\$\{\{ github\.repository \}\}:\$\{\{ github\.sha \}\}` builds its name from `\$\{\{ github\.repository \}\}`, which keeps the owner's capitals/,
      }),
      at(R, 'info', '.github/workflows/image.yml', 13, 17, {
        message: /from `\$\{\{ github\.repository_owner \}\}`/,
      }),
    ],
  },
  {
    name: 'the origin remote is My-Org/App on GitHub: both fail on every run of this repository, errors naming the value',
    repo: {
      github: 'My-Org/App',
      files: {
        '.github/workflows/image.yml': [
          'on: push',
          'jobs:',
          '  image:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          push: true',
          '          tags: ghcr.io/${{ github.repository }}:${{ github.sha }}',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          file: worker.Dockerfile',
          '          tags: ghcr.io/${{github.repository_owner}}/worker:latest',
          '',
        ].join('\n'),
        Dockerfile: 'FROM alpine\n',
        'worker.Dockerfile': 'FROM alpine\n',
      },
    },
    expect: [
      at(R, 'error', '.github/workflows/image.yml', 9, 17, {
        message: /which is "My-Org\/App" for this repository/,
      }),
      at(R, 'error', '.github/workflows/image.yml', 13, 17, {
        message: /which is "My-Org" for this repository/,
      }),
    ],
  },
  {
    name: 'the origin remote is lowercase (acme/app): only forks with capitals fail, info',
    repo: {
      github: 'acme/app',
      files: {
        '.github/workflows/image.yml': [
          'on: push',
          'jobs:',
          '  image:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          push: true',
          '          tags: ghcr.io/${{ github.repository }}:${{ github.sha }}',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          file: worker.Dockerfile',
          '          tags: ghcr.io/${{github.repository_owner}}/worker:latest',
          '',
        ].join('\n'),
        Dockerfile: 'FROM alpine\n',
        'worker.Dockerfile': 'FROM alpine\n',
      },
    },
    expect: [
      at(R, 'info', '.github/workflows/image.yml', 9, 17, { message: /forks included/ }),
      at(R, 'info', '.github/workflows/image.yml', 13, 17),
    ],
  },
  {
    name: 'each matrix combination is checked with its own values',
    repo: {
      files: {
        '.github/workflows/image.yml': [
          'on: push',
          'jobs:',
          '  image:',
          '    runs-on: ubuntu-latest',
          '    strategy:',
          '      matrix:',
          '        service: [api, Worker]',
          '    steps:',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          context: services/${{ matrix.service }}',
          '          tags: ghcr.io/acme/${{ matrix.service }}:latest',
          '',
        ].join('\n'),
        'services/api/Dockerfile': 'FROM alpine\n',
        'services/Worker/Dockerfile': 'FROM alpine\n',
      },
    },
    expect: [
      at(R, 'error', '.github/workflows/image.yml', 12, 17, {
        message: /^`ghcr\.io\/acme\/Worker:latest` .*"acme\/Worker" has uppercase letters/,
      }),
    ],
  },
  {
    name: 'a matrix-expanded tag in a multi-line `tags:` block points at its own line',
    repo: {
      files: {
        '.github/workflows/image.yml': [
          'on: push',
          'jobs:',
          '  image:',
          '    runs-on: ubuntu-latest',
          '    strategy:',
          '      matrix:',
          '        service: [api, Worker]',
          '    steps:',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          context: services/${{ matrix.service }}',
          '          tags: |',
          '            ghcr.io/acme/${{ matrix.service }}:latest',
          '',
        ].join('\n'),
        'services/api/Dockerfile': 'FROM alpine\n',
        'services/Worker/Dockerfile': 'FROM alpine\n',
      },
    },
    expect: [at(R, 'error', '.github/workflows/image.yml', 13, 13)],
  },
  {
    name: 'tags of docker-bake.hcl targets are checked after variable interpolation',
    repo: {
      files: {
        'docker-bake.hcl': [
          'variable "REGISTRY" {',
          '  default = "registry.example.com"',
          '}',
          '',
          'target "api" {',
          '  context = "api"',
          '  platforms = ["linux/amd64", "linux/arm64"]',
          '  tags = ["${REGISTRY}/Acme/api:latest", "${REGISTRY}/acme/api:1.0"]',
          '  output = ["type=registry"]',
          '}',
          '',
        ].join('\n'),
        'api/Dockerfile': 'FROM alpine\n',
      },
    },
    expect: [
      at(R, 'error', 'docker-bake.hcl', 8, 11, {
        message: /^`registry\.example\.com\/Acme\/api:latest` .*uppercase/,
        reachable: true,
      }),
    ],
  },
  // Condition: the reference is valid.
  {
    name: 'valid and unresolved references report nothing',
    repo: {
      files: {
        '.github/workflows/image.yml': [
          'on: push',
          'env:',
          '  IMAGE: ghcr.io/acme/api',
          'jobs:',
          '  image:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - id: meta',
          '        uses: docker/metadata-action@v5',
          '        with:',
          '          images: ghcr.io/${{ github.repository }}',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          tags: |',
          '            ${{ env.IMAGE }}:latest',
          '            ${{ steps.meta.outputs.tags }}',
          '            localhost:5000/acme/api:dev',
          `            ghcr.io/acme/api@${DIGEST}`,
          '',
        ].join('\n'),
        Dockerfile: 'FROM python:3.12-slim\n',
        'scripts/build.sh': buildScript.replace('acme/API', 'acme/api'),
        'k8s/deployment.yaml': deployment
          .replace('Acme/api', 'acme/api')
          .replace('busybox@sha256:abc', `busybox:1.36@${DIGEST}`),
        'k8s/kustomization.yaml': KUSTOMIZE_K8S,
      },
    },
    expect: [],
  },
  {
    name: 'registry hosts are case-insensitive: an uppercase host is valid',
    repo: {
      files: {
        'k8s/deployment.yaml': containers(['Registry.Example.com/acme/api:1.0']),
        'k8s/kustomization.yaml': KUSTOMIZE_K8S,
      },
    },
    expect: [],
  },
  // Condition: the reference is known (placeholders, render steps and unknown variables are not references).
  {
    name: 'placeholders are not image references: <IMAGE>, __IMAGE__, REPLACE_ME, MY_IMAGE, a placeholder tag',
    repo: {
      files: {
        'k8s/deployment.yaml': containers([
          '<IMAGE>',
          '__IMAGE__',
          'REPLACE_ME',
          'registry.example.com/acme/MY_IMAGE:1.0',
          'registry.example.com/Acme/api:TAG_HERE',
        ]),
        'k8s/kustomization.yaml': KUSTOMIZE_K8S,
      },
    },
    expect: [],
  },
  {
    name: 'an image kustomize replacements: fill in is not judged as written',
    repo: {
      files: {
        'k8s/deployment.yaml': containers(['registry.example.com/Acme/api:1.0']),
        'k8s/kustomization.yaml': `${KUSTOMIZE_K8S}replacements:\n  - source:\n      kind: ConfigMap\n      name: image\n      fieldPath: data.ref\n    targets: []\n`,
      },
    },
    expect: [],
  },
  {
    name: 'an image a deploy script renders with envsubst is not judged as written',
    repo: {
      files: {
        'k8s/deployment.yaml': containers(['registry.example.com/Acme/api:1.0']),
        'scripts/deploy.sh': 'cd "$(dirname "$0")/.."\nenvsubst < k8s/deployment.yaml | kubectl apply -f -\n',
      },
    },
    expect: [],
  },
  {
    name: 'a placeholder in the registry host (AWS_ACCOUNT_ID.dkr.ecr…, <account>.dkr…, ${REGISTRY}) is not judged',
    repo: {
      files: {
        'k8s/deployment.yaml': containers([
          'AWS_ACCOUNT_ID.dkr.ecr.us-east-1.amazonaws.com/app:1.0',
          '<account>.dkr.ecr.us-east-1.amazonaws.com/app:1.0',
          '${REGISTRY}/app:1.0',
          'ACCOUNT_ID.dkr.ecr.us-east-1.amazonaws.com/App:1.0',
        ]),
        'k8s/kustomization.yaml': KUSTOMIZE_K8S,
      },
    },
    expect: [],
  },
  {
    name: 'a host that is not a placeholder is still judged with the rest of the reference',
    repo: {
      files: {
        'k8s/deployment.yaml': containers(['123456789012.dkr.ecr.us-east-1.amazonaws.com/App:1.0']),
        'k8s/kustomization.yaml': KUSTOMIZE_K8S,
      },
    },
    expect: [at(R, 'error', 'k8s/deployment.yaml', 10, 18)],
  },
  {
    name: 'a tag from a variable nothing sets is not judged',
    repo: {
      files: {
        'scripts/build.sh': 'docker build -t "registry.example.com/acme/api:$GIT_SHA" .\n',
        Dockerfile: 'FROM alpine\n',
      },
    },
    expect: [],
  },
  {
    name: 'a matrix value with `/` after `${{ github.sha }}-` makes a tag docker refuses: an error per build step, a commit sha has a known shape',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\n',
        '.github/workflows/b.yml': [
          'on: push',
          'jobs:',
          '  b:',
          '    runs-on: ubuntu-latest',
          '    strategy:',
          '      matrix:',
          '        image: [services/api, web]',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          push: true',
          '          tags: ghcr.io/acme/app:${{ github.sha }}-${{ matrix.image }}',
          '      - run: docker build -t "ghcr.io/acme/app:${{ github.run_number }}-${{ matrix.image }}" .',
          '',
        ].join('\n'),
      },
    },
    expect: [
      at(R, 'error', '.github/workflows/b.yml', 13, 17, {
        message:
          /^`ghcr\.io\/acme\/app:\$\{\{ github\.sha \}\}-services\/api` is not a valid image reference: "app:\$\{\{ github\.sha \}\}-services" is not a valid repository path component/,
      }),
      at(R, 'error', '.github/workflows/b.yml', 14, 30, {
        message:
          /^`ghcr\.io\/acme\/app:\$\{\{ github\.run_number \}\}-services\/api` is not a valid image reference/,
      }),
    ],
  },
  {
    name: 'condition "the shape is known": any other expression beside the matrix value leaves the tag unchecked',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\n',
        '.github/workflows/b.yml': [
          'on: push',
          'jobs:',
          '  b:',
          '    runs-on: ubuntu-latest',
          '    strategy:',
          '      matrix:',
          `        image: [${'a'.repeat(100)}]`,
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          push: true',
          '          tags: |',
          '            ghcr.io/acme/app:${{ inputs.version }}-${{ matrix.image }}',
          '            ghcr.io/acme/app:${{ github.sha }}-${{ matrix.image }}',
          '',
        ].join('\n'),
      },
    },
    // 100 characters fit a tag after any version, but not after a 40-digit sha (at most 128).
    expect: [at(R, 'error', '.github/workflows/b.yml', 15, 13, { message: /tag ".*" is invalid/ })],
  },
]);
