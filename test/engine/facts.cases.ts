import type { RepoSpec } from '../helpers/check.js';

/**
 * Regression cases for "check reports facts, not guesses": each pattern was seen producing a wrong finding on real
 * repositories. Each repository here is invented and minimal. `absent` lists findings (rule id, optionally
 * `@file:line`) that must not be reported; `present` lists findings that must be (`rule severity file:line`).
 * `.scratch`-free: `test/engine/facts.test.ts` runs them on the in-memory repository, and
 * `scripts/replay-facts.ts <crossdock.js>` replays them through another build (e.g. an older release) on real git repositories.
 */
export interface FactCase {
  name: string;
  repo: RepoSpec;
  /** `rule-id`, `rule-id@file:line` or `rule-id#severity@file:line`: must not be reported. */
  absent: string[];
  /** `rule-id severity file:line`: must be reported. */
  present?: string[];
}

const WF = (body: string) => ({ '.github/workflows/ci.yml': body });

export const CASES: FactCase[] = [
  {
    name: 'ARG BASE_IMAGE without a default: the base is unknown, not scratch (no claims about what it ships)',
    repo: {
      files: {
        Dockerfile: [
          'ARG BASE_IMAGE',
          'FROM ${BASE_IMAGE}',
          'COPY app.py /app/app.py',
          'HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1',
          'ENTRYPOINT ["tini", "--", "python", "/app/app.py"]',
          '',
        ].join('\n'),
        'app.py': 'print(1)\n',
      },
    },
    absent: ['entrypoint-missing', 'healthcheck-tool-missing'],
    present: ['unresolved-value info Dockerfile:1'],
  },
  {
    name: 'a base image built in this repository is followed: tini installed there counts',
    repo: {
      files: {
        'base/Dockerfile':
          'FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends tini curl\n',
        'app/Dockerfile': [
          'FROM registry.example.com/team/base:1.0',
          'COPY app.py /app/app.py',
          'HEALTHCHECK CMD curl -f http://localhost:8000/',
          'ENTRYPOINT ["tini", "--", "python3", "/app/app.py"]',
          '',
        ].join('\n'),
        'app/app.py': 'print(1)\n',
        'build.sh': [
          '#!/bin/sh',
          'cd "$(dirname "$0")"',
          'docker build -t registry.example.com/team/base:1.0 base',
          'docker build -t registry.example.com/team/app:1.0 app',
          '',
        ].join('\n'),
      },
    },
    absent: ['entrypoint-missing', 'healthcheck-tool-missing'],
  },
  {
    name: 'a Dockerfile nothing builds, built from a parent folder in practice: no missing-file for sources found there',
    repo: {
      files: {
        'tools/pre/Dockerfile': 'FROM alpine:3.20\nCOPY pre/entry.sh /entry.sh\nCOPY shared/lib.sh /lib.sh\n',
        'tools/pre/entry.sh': 'echo\n',
        'tools/shared/lib.sh': 'echo\n',
      },
    },
    absent: ['missing-file', 'copy-outside-context'],
  },
  {
    name: 'a Dockerfile nothing builds: what is missing under every candidate context is reported, as a warning',
    repo: { files: { 'svc/Dockerfile': 'FROM alpine:3.20\nCOPY nowhere.txt /x\n' } },
    absent: [],
    present: ['missing-file warning svc/Dockerfile:2'],
  },
  {
    name: 'platforms from a step output written with echo >> $GITHUB_OUTPUT resolve (the union over branches)',
    repo: {
      files: {
        ...WF(
          [
            'on: push',
            'jobs:',
            '  build:',
            '    runs-on: ubuntu-latest',
            '    timeout-minutes: 30',
            '    steps:',
            '      - uses: actions/checkout@v4',
            '      - id: p',
            '        run: |',
            '          if [ "$GITHUB_REF" = refs/heads/main ]; then',
            '            echo "platforms=linux/amd64,linux/arm64" >> "$GITHUB_OUTPUT"',
            '          else',
            '            echo "platforms=linux/amd64" >> "$GITHUB_OUTPUT"',
            '          fi',
            '      - uses: docker/build-push-action@v6',
            '        with:',
            '          context: .',
            '          platforms: ${{ steps.p.outputs.platforms }}',
            '',
          ].join('\n'),
        ),
        Dockerfile: 'FROM alpine:3.20\nRUN echo hi\n',
      },
    },
    absent: [],
    present: ['emulated-build error .github/workflows/ci.yml:18'],
  },
  {
    name: 'platforms from a step output that only ever writes linux/amd64: nothing is emulated',
    repo: {
      files: {
        ...WF(
          [
            'on: push',
            'jobs:',
            '  build:',
            '    runs-on: ubuntu-latest',
            '    timeout-minutes: 30',
            '    steps:',
            '      - uses: actions/checkout@v4',
            '      - uses: docker/setup-qemu-action@v3',
            '      - id: p',
            '        run: echo "platforms=linux/amd64" >> "$GITHUB_OUTPUT"',
            '      - uses: docker/build-push-action@v6',
            '        with:',
            '          platforms: ${{ steps.p.outputs.platforms }}',
            '',
          ].join('\n'),
        ),
        Dockerfile: 'FROM alpine:3.20\nRUN wget https://example.com/tool-amd64.tar.gz\n',
        // Another image of the repository is multi-platform: its platforms are not this build's.
        'edge/build.sh':
          '#!/bin/sh\ncd "$(dirname "$0")"\ndocker buildx build --platform linux/amd64,linux/arm64 -t edge .\n',
        'edge/Dockerfile': 'FROM alpine:3.20\n',
      },
    },
    absent: ['emulated-build', 'arch-specific-download'],
  },
  {
    name: 'platforms from an expression crossdock cannot evaluate are unknown, not every target',
    repo: {
      files: {
        ...WF(
          [
            'on: push',
            'jobs:',
            '  build:',
            '    runs-on: ubuntu-latest',
            '    steps:',
            '      - uses: actions/checkout@v4',
            '      - uses: docker/setup-qemu-action@v3',
            '      - uses: docker/build-push-action@v6',
            '        with:',
            '          platforms: ${{ inputs.platforms }}',
            '',
          ].join('\n'),
        ),
        Dockerfile: 'FROM alpine:3.20\nRUN wget https://example.com/tool-amd64.tar.gz\n',
        'requirements.txt': 'torch==2.4.0\n',
      },
    },
    absent: ['emulated-build', 'arch-specific-download'],
  },
  {
    name: 'targets never come from echo strings or setup-qemu/setup-buildx platforms inputs',
    repo: {
      files: {
        ...WF(
          [
            'on: push',
            'jobs:',
            '  build:',
            '    runs-on: ubuntu-latest',
            '    steps:',
            '      - uses: docker/setup-qemu-action@v3',
            '        with: { platforms: "linux/arm64,linux/riscv64" }',
            '      - run: echo "we will support --platform linux/arm64 one day"',
            '      - run: docker build -t app .',
            '',
          ].join('\n'),
        ),
        Dockerfile:
          'FROM --platform=linux/amd64 alpine:3.20\nRUN wget https://example.com/tool-amd64.tar.gz\n',
      },
    },
    absent: ['from-platform-constant', 'arch-specific-download', 'emulated-build'],
  },
  {
    name: 'shell: positional parameters and command substitutions are unknown, not the literal text `$1`',
    repo: {
      files: {
        'scripts/build.sh': [
          '#!/bin/sh',
          'TAG=$1',
          'docker build -f "$2" -t "app:$TAG" "$(pwd)/ctx"',
          '',
        ].join('\n'),
        'ctx/Dockerfile': 'FROM alpine:3.20\n',
      },
    },
    absent: ['missing-file', 'invalid-image-reference'],
  },
  {
    name: 'shell: a variable assigned on a case branch is one of several values, not the last one written',
    repo: {
      files: {
        'build.sh': [
          '#!/bin/bash',
          'cd "$(dirname "$0")"',
          'DOCKERFILE=docker/a.Dockerfile',
          'case "$1" in',
          '  prod) DOCKERFILE=docker/b.Dockerfile ;;',
          '  --file) DOCKERFILE=$2 ;;',
          'esac',
          'docker build -f "$DOCKERFILE" .',
          '',
        ].join('\n'),
        'docker/a.Dockerfile': 'FROM alpine:3.20\nCOPY gone.txt /x\n',
        'docker/b.Dockerfile': 'FROM alpine:3.20\n',
      },
    },
    absent: ['missing-file#error@docker/a.Dockerfile:2'],
  },
  {
    name: 'shell: a function that is never called builds nothing',
    repo: {
      files: {
        'build.sh': [
          '#!/bin/bash',
          'cd "$(dirname "$0")"',
          'legacy() {',
          '  docker build -f old.Dockerfile .',
          '}',
          'docker build .',
          '',
        ].join('\n'),
        Dockerfile: 'FROM alpine:3.20\n',
      },
    },
    absent: ['missing-file'],
  },
  {
    name: 'shell: a function body is analysed per call site with its literal arguments',
    repo: {
      files: {
        'build.sh': [
          '#!/bin/bash',
          'cd "$(dirname "$0")"',
          'build() {',
          '  docker build -f "services/$1/Dockerfile" "services/$1"',
          '}',
          'build api',
          'build "$SERVICE"',
          '',
        ].join('\n'),
        'services/api/Dockerfile': 'FROM alpine:3.20\nCOPY missing.txt /x\n',
      },
    },
    absent: [],
    present: ['missing-file error services/api/Dockerfile:2'],
  },
  {
    name: 'shell: absolute paths outside the repository are never turned into repository paths',
    repo: {
      files: {
        'ci/build.sh': '#!/bin/sh\ndocker build -f /tmp/Dockerfile /tmp\n',
        'tmp/Dockerfile': 'FROM alpine:3.20\nCOPY nothing /x\n',
      },
    },
    absent: ['missing-file#error@tmp/Dockerfile:2'],
  },
  {
    name: 'shell: $(dirname "$0")/.. and git rev-parse --show-toplevel resolve relative to the script',
    repo: {
      files: {
        'scripts/release/build.sh': [
          '#!/bin/sh',
          'ROOT="$(cd "$(dirname "$0")/../.." && pwd)"',
          'docker build -f "$ROOT/docker/app.Dockerfile" "$ROOT"',
          'docker build -f "$(git rev-parse --show-toplevel)/docker/app.Dockerfile" "$(git rev-parse --show-toplevel)"',
          '',
        ].join('\n'),
        'docker/app.Dockerfile': 'FROM alpine:3.20\nCOPY src/ /src/\nCOPY gone.txt /x\n',
        'src/a.txt': 'a\n',
      },
    },
    absent: ['missing-file@docker/app.Dockerfile:2'],
    present: ['missing-file error docker/app.Dockerfile:3'],
  },
  {
    name: 'placeholders are not image references (<IMAGE>, __IMAGE__, REPLACE_ME, ${IMAGE} for envsubst)',
    repo: {
      files: {
        'build.sh': '#!/bin/sh\ndocker build -t registry.example.com/team/app:1.0 --push .\n',
        Dockerfile: 'FROM alpine:3.20\n',
        'deploy/kustomization.yaml': 'resources: [a.yaml, b.yaml, c.yaml]\n',
        'deploy/a.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: a }\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: <IMAGE>\n',
        'deploy/b.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: b }\nspec:\n  template:\n    spec:\n      containers:\n        - name: b\n          image: registry.example.com/team/app:__TAG__\n',
        'deploy/c.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: c }\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: registry.example.com/team/app:${IMAGE_TAG}\n',
      },
    },
    absent: ['image-not-built', 'invalid-image-reference', 'mutable-tag-pull-policy'],
  },
  {
    name: 'an image filled by kustomize replacements is not judged as written',
    repo: {
      files: {
        'build.sh': '#!/bin/sh\ndocker build -t registry.example.com/team/app:1.0 --push .\n',
        Dockerfile: 'FROM alpine:3.20\n',
        'deploy/kustomization.yaml':
          'resources: [app.yaml]\nreplacements:\n  - source: { kind: ConfigMap, name: v, fieldPath: data.image }\n    targets: [{ select: { kind: Deployment }, fieldPaths: [spec.template.spec.containers.0.image] }]\n',
        'deploy/app.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: app }\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.example.com/team/app:dev\n',
      },
    },
    absent: ['image-not-built', 'mutable-tag-pull-policy'],
  },
  {
    name: 'a file copied under another name is read from its source: -r requirements.txt reads deploy/req-min.txt',
    repo: {
      files: {
        'crossdock.yaml': 'version: 1\nimages:\n  reg.example.com/app:\n    context: .\n',
        Dockerfile: [
          'FROM python:3.12-slim',
          'COPY deploy/req-min.txt requirements.txt',
          'RUN pip install --default-timeout=100 -r requirements.txt',
          '',
        ].join('\n'),
        'deploy/req-min.txt': 'flask==3.0.3\nrequests\n',
        'requirements.txt': 'flask==3.0.3 --hash=sha256:aaaa\nrequests\n',
      },
    },
    absent: ['hashes-inconsistent#error@requirements.txt:2', 'unpinned-dependency@requirements.txt:2'],
    present: ['unpinned-dependency info deploy/req-min.txt:2'],
  },
  {
    name: 'objects from alternative overlays are never compared (no duplicate-autoscaler between overlays)',
    repo: {
      files: {
        'deploy/base/kustomization.yaml': 'resources: [deploy.yaml]\n',
        'deploy/base/deploy.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec:\n  template:\n    spec:\n      containers: [{ name: api, image: "reg.example.com/api:1.0" }]\n',
        'deploy/overlays/hpa/kustomization.yaml': 'resources: [../../base, hpa.yaml]\n',
        'deploy/overlays/hpa/hpa.yaml':
          'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: api }\nspec:\n  scaleTargetRef: { kind: Deployment, name: api }\n  maxReplicas: 4\n',
        'deploy/overlays/keda/kustomization.yaml': 'resources: [../../base, so.yaml]\n',
        'deploy/overlays/keda/so.yaml':
          'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: { name: api }\nspec:\n  scaleTargetRef: { kind: Deployment, name: api }\n  maxReplicaCount: 4\n',
      },
    },
    absent: ['duplicate-autoscaler'],
  },
  {
    name: 'a kustomize patch with $patch: delete removes the object from that rendering',
    repo: {
      files: {
        'deploy/kustomization.yaml':
          'resources: [deploy.yaml, pvc.yaml]\npatches:\n  - path: drop-pvc.yaml\n',
        'deploy/deploy.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers: [{ name: api, image: "reg.example.com/api:1.0" }]\n      volumes: [{ name: d, persistentVolumeClaim: { claimName: data } }]\n',
        'deploy/pvc.yaml':
          'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: data }\nspec:\n  accessModes: [ReadWriteOnce]\n',
        'deploy/drop-pvc.yaml':
          'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: data }\n$patch: delete\n',
      },
    },
    absent: ['rwo-volume-scaling'],
  },
  {
    name: 'ports: EXPOSE documents; the listening port comes from the command (uvicorn --port)',
    repo: {
      files: {
        'build.sh': '#!/bin/sh\ndocker build -t app:1 .\n',
        Dockerfile:
          'FROM python:3.12-slim\nEXPOSE 8000\nCMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8080"]\n',
        'app.py': 'app = None\n',
        'compose.yaml': 'services:\n  app:\n    build: .\n    image: app:1\n    ports: ["8080:8080"]\n',
      },
    },
    absent: ['port-mismatch'],
  },
  {
    name: 'ports: when only EXPOSE disagrees with every consumer, one warning at EXPOSE',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nEXPOSE 8000\nCMD ["python", "-m", "myapp"]\n',
        'compose.yaml': 'services:\n  app:\n    build: .\n    ports: ["9000:9000"]\n',
      },
    },
    absent: ['port-mismatch@compose.yaml:4'],
    present: ['port-mismatch warning Dockerfile:2'],
  },
  {
    name: 'build arguments the build sites pass decide the base image: no mismatch for the Python that is built',
    repo: {
      files: {
        Dockerfile:
          'ARG PY=3.9\nFROM python:${PY}-slim\nCOPY . /src\nRUN pip install --default-timeout=100 /src\n',
        'pyproject.toml': '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.11"\n',
        'build.sh': '#!/bin/sh\ncd "$(dirname "$0")"\ndocker build --build-arg PY=3.12 -t x .\n',
      },
    },
    absent: ['python-version-mismatch'],
  },
  {
    name: '"pip refuses to install the project" only for a stage that installs the project, not requirements',
    repo: {
      files: {
        'crossdock.yaml': 'version: 1\nimages:\n  reg.example.com/app:\n    context: .\n',
        Dockerfile:
          'FROM python:3.9-slim\nCOPY requirements.txt .\nRUN pip install --default-timeout=100 -r requirements.txt\nCOPY . /app\nCMD ["python", "/app/main.py"]\n',
        'requirements.txt': 'flask==3.0.3\n',
        'pyproject.toml': '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.11"\n',
      },
    },
    absent: ['python-version-mismatch'],
  },
  {
    name: 'not project files: Dockerfiles under node_modules, site-packages, *.egg-info and vendor/ are not checked',
    repo: {
      files: {
        'node_modules/pkg/Dockerfile': 'FROM alpine:3.20\nCOPY missing /x\n',
        'venv/lib/python3.12/site-packages/p/Dockerfile': 'FROM alpine:3.20\nCOPY missing /x\n',
        'app.egg-info/Dockerfile': 'FROM alpine:3.20\nCOPY missing /x\n',
        'vendor/lib/Dockerfile': 'FROM alpine:3.20\nCOPY missing /x\n',
      },
    },
    absent: ['missing-file'],
  },
  {
    name: 'copy-from-missing-path stays silent when the source stage runs a program with unknown effects',
    repo: {
      files: {
        'crossdock.yaml': 'version: 1\nimages:\n  reg.example.com/app:\n    context: .\n',
        Dockerfile: [
          'FROM python:3.12-slim AS build',
          "RUN python -c \"import os; d = os.sep + chr(111) + 'ut'; os.makedirs(d); open(d + '/x', 'w').write('1')\"",
          'FROM python:3.12-slim',
          'COPY --from=build /out/x /x',
          '',
        ].join('\n'),
      },
    },
    absent: ['copy-from-missing-path'],
  },
  {
    name: 'variables every environment has (HOME, PWD, USER, PATH, HOSTNAME) are never undeclared',
    repo: {
      files: {
        'compose.yaml':
          'services:\n  app:\n    image: alpine:3.20\n    volumes: ["${HOME}/.cache:/cache", "${PWD}:/src"]\n    environment: { U: "${USER}", P: "${PATH}", H: "${HOSTNAME}" }\n',
        '.env.example': 'X=1\n',
      },
    },
    absent: ['env-undeclared'],
  },
  {
    name: 'imagePullPolicy: IfNotPresent on an image built locally and never pushed is correct',
    repo: {
      files: {
        'build.sh':
          '#!/bin/sh\ncd "$(dirname "$0")"\ndocker build -t api:dev .\nk3s ctr images import api.tar\n',
        Dockerfile: 'FROM alpine:3.20\n',
        'k8s/kustomization.yaml': 'resources: [api.yaml]\n',
        'k8s/api.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api:dev\n          imagePullPolicy: IfNotPresent\n',
      },
    },
    absent: ['mutable-tag-pull-policy'],
  },
  {
    name: 'pip install X || (pip install -U pip && pip install X) is a retry, not a mask; || echo "optional" is info',
    repo: {
      files: {
        'crossdock.yaml': 'version: 1\nimages:\n  reg.example.com/app:\n    context: .\n',
        Dockerfile: [
          'FROM python:3.12-slim',
          'RUN pip install --default-timeout=100 flask==3.0.3 || (pip install --default-timeout=100 -U pip && pip install --default-timeout=100 flask==3.0.3)',
          'RUN pip install --default-timeout=100 uvloop==0.19.0 || echo "uvloop is optional, skipping"',
          '',
        ].join('\n'),
      },
    },
    absent: ['install-failure-masked@Dockerfile:2'],
    present: ['install-failure-masked info Dockerfile:3'],
  },
  {
    name: 'a RUN that executes a script outside the context (bind mount from a stage, ./install.sh) has unknown effects',
    repo: {
      files: {
        'crossdock.yaml': 'version: 1\nimages:\n  reg.example.com/app:\n    context: .\n',
        Dockerfile: [
          'FROM debian:12-slim AS build',
          'RUN --mount=type=bind,source=build.sh,target=/build.sh /build.sh',
          'FROM debian:12-slim',
          'COPY --from=build /opt/vendor/tool /usr/local/bin/tool',
          'RUN ./install.sh',
          'HEALTHCHECK CMD curl -f http://localhost/',
          '',
        ].join('\n'),
        'build.sh': '#!/bin/sh\nmkdir -p /opt/vendor\n',
      },
    },
    absent: ['copy-from-missing-path', 'healthcheck-tool-missing'],
  },
  {
    name: 'paths created by a package install (/opt/vendor-*) are not claimed missing',
    repo: {
      files: {
        'crossdock.yaml': 'version: 1\nimages:\n  reg.example.com/app:\n    context: .\n',
        Dockerfile:
          'FROM debian:12-slim AS sdk\nRUN apt-get update && apt-get install -y vendor-sdk\nFROM debian:12-slim\nCOPY --from=sdk /opt/vendor-sdk /opt/vendor-sdk\n',
      },
    },
    absent: ['copy-from-missing-path'],
  },
  {
    name: 'a WORKDIR inherited from a base passed in through bake contexts = { base = "target:base" } counts',
    repo: {
      files: {
        'docker-bake.hcl': [
          'group "default" { targets = ["app"] }',
          'target "base" {',
          '  dockerfile = "base.Dockerfile"',
          '}',
          'target "app" {',
          '  dockerfile = "app.Dockerfile"',
          '  contexts = { base = "target:base" }',
          '}',
          '',
        ].join('\n'),
        'base.Dockerfile': 'FROM python:3.12-slim\nWORKDIR /srv/app\n',
        'app.Dockerfile':
          'FROM base AS deps\nRUN pip install --default-timeout=100 --target ./lib flask==3.0.3\nFROM python:3.12-slim\nCOPY --from=deps /srv/app/lib /lib\n',
      },
    },
    absent: ['copy-from-missing-path'],
  },
  {
    name: "each build's own platforms decide: an arm64-only bake target downloading an aarch64 file is right",
    repo: {
      files: {
        'docker-bake.hcl':
          'target "edge" {\n  dockerfile = "Dockerfile.arm64"\n  platforms = ["linux/arm64"]\n}\ntarget "main" {\n  platforms = ["linux/amd64", "linux/arm64"]\n}\n',
        'Dockerfile.arm64': 'FROM alpine:3.20\nRUN wget https://example.com/tool-linux-aarch64.tar.gz\n',
        Dockerfile: 'FROM alpine:3.20\nRUN echo hi\n',
      },
    },
    absent: ['arch-specific-download'],
  },
  {
    name: 'targets that were only defaulted never produce emulation or multi-platform claims',
    repo: {
      files: {
        Dockerfile:
          'FROM --platform=linux/amd64 python:3.12-slim\nRUN wget https://example.com/tool-amd64.tar.gz && pip install flask==3.0.3\n',
      },
    },
    absent: ['from-platform-constant', 'arch-specific-download'],
    present: ['pip-no-timeout info Dockerfile:2'],
  },
  {
    name: 'a FROM --platform=$BUILDPLATFORM stage runs natively: no emulation claims about its RUNs',
    repo: {
      files: {
        ...WF(
          [
            'on: push',
            'jobs:',
            '  build:',
            '    runs-on: ubuntu-latest',
            '    timeout-minutes: 30',
            '    steps:',
            '      - uses: actions/checkout@v4',
            '      - uses: docker/setup-qemu-action@v3',
            '      - uses: docker/build-push-action@v6',
            '        with: { platforms: "linux/amd64,linux/arm64" }',
            '',
          ].join('\n'),
        ),
        Dockerfile:
          'FROM --platform=$BUILDPLATFORM python:3.12-slim AS build\nRUN pip wheel -w /w flask==3.0.3\nFROM python:3.12-slim\nCOPY --from=build /w /w\n',
      },
    },
    absent: ['pip-no-timeout#warning@Dockerfile:2'],
    present: ['pip-no-timeout info Dockerfile:2'],
  },
  {
    name: 'stages outside the graph of the target that is built (a devcontainer stage) are not judged as built',
    repo: {
      files: {
        ...WF(
          [
            'on: push',
            'jobs:',
            '  build:',
            '    runs-on: ubuntu-latest',
            '    timeout-minutes: 30',
            '    steps:',
            '      - uses: actions/checkout@v4',
            '      - uses: docker/build-push-action@v6',
            '        with: { target: app }',
            '',
          ].join('\n'),
        ),
        Dockerfile:
          'FROM python:3.12-slim AS devcontainer\nCOPY .devcontainer/setup.sh /setup.sh\nFROM python:3.12-slim AS app\nCOPY app.py /app.py\n',
        'app.py': '\n',
      },
    },
    absent: ['missing-file'],
  },
  {
    name: 'installs without network (--no-index, local wheels) are not downloads; a file fetched earlier in the RUN is present',
    repo: {
      files: {
        'crossdock.yaml': 'version: 1\nimages:\n  reg.example.com/app:\n    context: .\n',
        Dockerfile: [
          'FROM python:3.12-slim',
          'COPY wheels/ /wheels/',
          'RUN pip install --no-index --find-links=/wheels flask',
          'RUN pip install /wheels/*.whl',
          'RUN curl -fsSL -o /tmp/x-1.0-py3-none-any.whl https://example.com/x-1.0-py3-none-any.whl && pip install /tmp/x-1.0-py3-none-any.whl',
          '',
        ].join('\n'),
        'wheels/flask-3.0.3-py3-none-any.whl': 'x',
      },
    },
    absent: ['pip-no-timeout@Dockerfile:3', 'pip-no-timeout@Dockerfile:4', 'local-requirement-before-copy'],
  },
  {
    name: 'files generated before the build in the same job (npm run build → dist/) are not claimed missing',
    repo: {
      files: {
        ...WF(
          [
            'on: push',
            'jobs:',
            '  build:',
            '    runs-on: ubuntu-latest',
            '    timeout-minutes: 30',
            '    steps:',
            '      - uses: actions/checkout@v4',
            '      - run: npm ci && npm run build',
            '      - uses: docker/build-push-action@v6',
            '        with: { context: . }',
            '',
          ].join('\n'),
        ),
        Dockerfile: 'FROM node:20-slim\nCOPY dist/ /app/dist/\n',
        '.gitignore': 'dist/\n',
      },
    },
    absent: ['missing-file'],
  },
  {
    name: '.dockerignore exceptions: * then !src/** re-includes src/, and a folder partly re-included is not excluded',
    repo: {
      files: {
        'crossdock.yaml': 'version: 1\nimages:\n  reg.example.com/app:\n    context: .\n',
        Dockerfile: 'FROM alpine:3.20\nCOPY src/ /src/\nCOPY conf/ /conf/\n',
        '.dockerignore': '*\n!src/**\n!conf/app.ini\n',
        'src/a/b.txt': 'x\n',
        'conf/app.ini': 'x\n',
        'conf/secret.ini': 'x\n',
      },
    },
    absent: ['missing-file'],
  },
  {
    name: 'env_file: ./.env with a committed .env.example beside it is the copy-the-template step: info at most',
    repo: {
      files: {
        'compose.yaml': 'services:\n  app:\n    image: alpine:3.20\n    env_file: .env\n',
        '.env.example': 'A=1\n',
      },
      ignored: { '.env': 'A=1\n' },
    },
    absent: ['missing-file#error@compose.yaml:4', 'missing-file#warning@compose.yaml:4'],
    present: ['missing-file info compose.yaml:4'],
  },
  {
    name: 'pip wheel --no-deps is not pip install --no-deps; uv pip install keeps its own network defaults',
    repo: {
      files: {
        'crossdock.yaml': 'version: 1\nimages:\n  reg.example.com/app:\n    context: .\n',
        Dockerfile:
          'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip wheel --default-timeout=100 --no-deps -w /w -r requirements.txt\nRUN uv pip install --system -r requirements.txt\n',
        'requirements.txt': 'flask>=3\n',
      },
    },
    absent: ['pip-invalid-option', 'pip-no-timeout'],
  },
  {
    name: 'checkout-no-submodules: never when submodules: false is written, and only for files inside the submodule',
    repo: {
      files: {
        ...WF(
          [
            'on: push',
            'jobs:',
            '  a:',
            '    runs-on: ubuntu-latest',
            '    timeout-minutes: 30',
            '    steps:',
            '      - uses: actions/checkout@v4',
            '        with: { submodules: false }',
            '      - uses: docker/build-push-action@v6',
            '        with: { context: . }',
            '  b:',
            '    runs-on: ubuntu-latest',
            '    timeout-minutes: 30',
            '    steps:',
            '      - uses: actions/checkout@v4',
            '      - uses: docker/build-push-action@v6',
            '        with: { context: ., file: app.Dockerfile }',
            '',
          ].join('\n'),
        ),
        Dockerfile: 'FROM alpine:3.20\nCOPY vendor/lib /lib\n',
        'app.Dockerfile': 'FROM alpine:3.20\nCOPY app.txt /app.txt\n',
        'app.txt': 'x\n',
        '.gitmodules': '[submodule "lib"]\n\tpath = vendor/lib\n\turl = https://example.com/lib.git\n',
      },
      gitlinks: { 'vendor/lib': '1111111111111111111111111111111111111111' },
    },
    absent: ['checkout-no-submodules'],
  },
  {
    name: 'reachability: a manifest nothing applies gets at most a warning',
    repo: {
      files: {
        'build.sh': '#!/bin/sh\ndocker build -t reg.example.com/team/app:1.0 --push .\n',
        Dockerfile: 'FROM alpine:3.20\n',
        'k8s/app.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: app }\nspec:\n  template:\n    spec:\n      containers: [{ name: app, image: "reg.example.com/team/app:2.0" }]\n',
      },
    },
    absent: ['image-not-built#error@k8s/app.yaml:7'],
    present: ['image-not-built warning k8s/app.yaml:7'],
  },
  {
    name: 'pip-no-timeout: info on a native build, warning when a build emulates the stage',
    repo: {
      files: {
        ...WF(
          [
            'on: push',
            'jobs:',
            '  native:',
            '    runs-on: ubuntu-latest',
            '    timeout-minutes: 30',
            '    steps:',
            '      - uses: docker/build-push-action@v6',
            '        with: { file: a.Dockerfile, platforms: linux/amd64 }',
            '  emulated:',
            '    runs-on: ubuntu-latest',
            '    timeout-minutes: 30',
            '    steps:',
            '      - uses: docker/setup-qemu-action@v3',
            '      - uses: docker/build-push-action@v6',
            '        with: { file: b.Dockerfile, platforms: "linux/amd64,linux/arm64" }',
            '',
          ].join('\n'),
        ),
        'a.Dockerfile': 'FROM python:3.12-slim\nRUN pip install flask==3.0.3\n',
        'b.Dockerfile': 'FROM python:3.12-slim\nRUN pip install flask==3.0.3\n',
      },
    },
    absent: [],
    present: ['pip-no-timeout info a.Dockerfile:2', 'pip-no-timeout warning b.Dockerfile:2'],
  },
  {
    name: 'BuildKit reads COPY ../x from the context root: present there → warning, absent → error',
    repo: {
      files: {
        'crossdock.yaml':
          'version: 1\nimages:\n  reg.example.com/a:\n    context: svc/a\n  reg.example.com/b:\n    context: svc/b\n',
        'svc/a/Dockerfile': 'FROM alpine:3.20\nCOPY ../shared/x.ini /x.ini\n',
        'svc/a/shared/x.ini': 'local\n',
        'svc/b/Dockerfile': 'FROM alpine:3.20\nCOPY ../shared/x.ini /x.ini\n',
        'svc/shared/x.ini': 'parent\n',
      },
    },
    absent: [],
    present: [
      'copy-outside-context warning svc/a/Dockerfile:2',
      'copy-outside-context error svc/b/Dockerfile:2',
    ],
  },
  {
    name: 'a tag made of a positional parameter (`app:"$2"`) is a placeholder filled by the caller, not an invalid tag',
    repo: {
      files: {
        'svc/Dockerfile': 'FROM python:3.12-slim\nCOPY app.py /app/\n',
        'svc/app.py': 'print(1)\n',
        'scripts/release.sh':
          '#!/bin/sh\ndocker build -f "$1" -t registry.example.com/svc:"$2" -t registry.example.com/svc:$@ svc\n',
      },
    },
    absent: ['invalid-image-reference'],
  },
  {
    name: 'uv pip options that take values (`--index-strategy unsafe-best-match`, `--requirements f`) are not packages',
    repo: {
      files: {
        Dockerfile: [
          'FROM python:3.12-slim',
          'COPY requirements.txt .',
          'RUN uv pip install --no-cache --system --python-preference system \\',
          '      --index https://pypi.org/simple --index-strategy unsafe-best-match \\',
          '      --requirements requirements.txt',
          '',
        ].join('\n'),
        'requirements.txt': 'flask==3.0.0\n',
        'crossdock.yaml': 'images:\n  reg.example.com/app: { context: ., dockerfile: Dockerfile }\n',
      },
    },
    absent: ['unpinned-dependency'],
  },
  {
    name: 'RUN under `SHELL ["powershell", …]` is not POSIX shell: not read as sh commands',
    repo: {
      files: {
        Dockerfile: [
          'FROM mcr.microsoft.com/windows/servercore:ltsc2022',
          'SHELL ["powershell", "-Command"]',
          "RUN if ($env:X -eq 'true') { pip install chroma-hnswlib } ; pip install flask>=2",
          '',
        ].join('\n'),
        'crossdock.yaml': 'images:\n  reg.example.com/app: { context: ., dockerfile: Dockerfile }\n',
      },
    },
    absent: ['unpinned-dependency', 'unquoted-version-specifier', 'pip-no-timeout'],
  },
  {
    name: 'a requirements file the RUN itself writes (`uv export -o requirements.txt`) is not the committed file of that name',
    repo: {
      files: {
        Dockerfile: [
          'FROM python:3.11-slim',
          'WORKDIR /app',
          'COPY . .',
          'RUN uv export --format requirements-txt -o requirements.txt && uv pip install --system -r requirements.txt',
          '',
        ].join('\n'),
        'requirements.txt':
          '# This file was autogenerated by uv via the following command:\n#    uv pip compile --python-version 3.12 -o requirements.txt\nflask==3.0.0\n',
        'crossdock.yaml': 'images:\n  reg.example.com/app: { context: ., dockerfile: Dockerfile }\n',
      },
    },
    absent: ['lockfile-python-mismatch'],
  },
  {
    name: 'script arguments are known one by one: a literal `$1` resolves while `$2` (a workflow expression) stays unknown',
    repo: {
      files: {
        'svc/Dockerfile': 'FROM python:3.12-slim\nCOPY settings.toml /app/\n',
        'scripts/release.sh': '#!/bin/sh\ndocker build -f "$1" -t registry.example.com/svc:"$2" svc\n',
        ...WF(
          'on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ./scripts/release.sh svc/Dockerfile "${{ github.sha }}"\n',
        ),
      },
    },
    absent: ['invalid-image-reference'],
    present: ['missing-file error svc/Dockerfile:2'],
  },
];
