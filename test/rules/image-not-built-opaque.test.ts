import rule from '../../src/rules/image-not-built.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/**
 * "No build pushes this tag" is a claim about every producer of the image. A release program crossdock does
 * not read (JavaScript, Python…) or a workflow action that builds images may push the deployed tag: then the
 * tags are not known, and the rule leaves a note instead of a claim.
 */
const R = rule.meta.id;
const base = {
  Dockerfile: 'FROM node:22-slim\nCOPY . /app\n',
  'compose.yaml': 'services:\n  web:\n    image: acme/web:2\n',
  'package.json': JSON.stringify({
    scripts: { 'build-docker': 'docker buildx build -t acme/web:nightly . --push' },
  }),
};

ruleTest(rule, [
  {
    name: 'the only producers are read: a tag no build pushes is reported',
    repo: { files: base },
    expect: [at(R, 'error', 'compose.yaml', 3, 12, { message: /push only `nightly`/ })],
  },
  {
    name: 'a release script in JavaScript that runs `buildx build` may push it: no claim, a note at the script',
    repo: {
      files: {
        ...base,
        'extra/release/images.mjs': 'await $`docker buildx build -t acme/web:${version} --push .`;\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [at('unresolved-value', 'info', 'extra/release/images.mjs', 1, 9)],
  },
  {
    name: 'a workflow step using an image-building action crossdock does not read: no claim, a note at the step',
    repo: {
      files: {
        ...base,
        '.github/workflows/release.yml':
          'on: push\njobs:\n  r:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/docker-release@v1\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [at('unresolved-value', 'info', '.github/workflows/release.yml', 6, 15)],
  },
  {
    name: 'a JavaScript file that is a test, not release tooling, is not a producer',
    repo: {
      files: {
        ...base,
        'test/docker.test.mjs': 'exec("docker build -t acme/web:2 .")\n',
      },
    },
    expect: [at(R, 'error', 'compose.yaml', 3, 12)],
  },
]);

/**
 * Retags and copies produce tags too: a build pushes `:nightly`, a later command writes `:2` from it. Each command
 * form is read in a workflow step, a script, a Makefile or a package.json script.
 */
const copies: [string, string][] = [
  ['docker tag + push', 'docker tag acme/web:nightly acme/web:2 && docker push acme/web:2'],
  ['buildx imagetools create', 'docker buildx imagetools create -t acme/web:2 acme/web:nightly'],
  [
    'docker manifest create + push',
    'docker manifest create acme/web:2 acme/web:nightly-amd64 acme/web:nightly-arm64\ndocker manifest push acme/web:2',
  ],
  ['crane tag', 'crane tag acme/web:nightly 2'],
  ['crane copy', 'crane copy --platform all acme/web:nightly acme/web:2'],
  ['skopeo copy', 'skopeo copy --all docker://acme/web:nightly docker://docker.io/acme/web:2'],
  ['regctl image copy', 'regctl image copy acme/web:nightly acme/web:2'],
  ['oras cp (several tags)', 'oras cp -r acme/web:nightly acme/web:1,2'],
  ['a variable the script sets', 'IMAGE=acme/web\ncrane copy "$IMAGE:nightly" "${IMAGE}:2"'],
];

const workflowRun = (run: string) =>
  `on: push\njobs:\n  promote:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n${run
    .split('\n')
    .map((l) => `          ${l}`)
    .join('\n')}\n`;

ruleTest(rule, [
  ...copies.map(([what, run]) => ({
    name: `a retag or copy in a workflow step produces the tag: ${what}`,
    repo: { files: { ...base, '.github/workflows/promote.yml': workflowRun(run) } },
    only: [R, 'unresolved-value'],
    expect: [],
  })),
  {
    name: 'a retag in a script produces the tag',
    repo: { files: { ...base, 'scripts/promote.sh': '#!/bin/sh\ncrane tag acme/web:nightly 2\n' } },
    only: [R, 'unresolved-value'],
    expect: [],
  },
  {
    name: 'a copy in a Makefile recipe (make variables) produces the tag',
    repo: {
      files: {
        ...base,
        Makefile:
          'IMAGE := acme/web\npromote:\n\tskopeo copy docker://$(IMAGE):nightly docker://$(IMAGE):2\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [],
  },
  {
    name: 'a copy in a package.json script produces the tag',
    repo: {
      files: {
        ...base,
        'package.json': JSON.stringify({
          scripts: {
            'build-docker': 'docker buildx build -t acme/web:nightly . --push',
            promote: 'regctl image copy acme/web:nightly acme/web:2',
          },
        }),
      },
    },
    only: [R, 'unresolved-value'],
    expect: [],
  },
  {
    name: 'a `docker tag` without a push writes no registry tag',
    repo: {
      files: {
        ...base,
        '.github/workflows/promote.yml': workflowRun('docker tag acme/web:nightly acme/web:2'),
      },
    },
    expect: [at(R, 'error', 'compose.yaml', 3, 12, { message: /push only `nightly`:/ })],
  },
  {
    name: 'unknown: a tag variable assigned only on a branch (`if …; then TAG=staging; fi`) is not that literal: no claim that the pushes are `staging` only',
    repo: {
      files: {
        ...base,
        'scripts/promote.sh':
          '#!/bin/sh\nif [ "$1" = stage ]; then TAG=staging; fi\ndocker push "acme/web:$TAG"\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [],
  },
  {
    name: 'a retag to another tag does not produce the deployed one: the tags listed include it',
    repo: {
      files: { ...base, '.github/workflows/promote.yml': workflowRun('crane tag acme/web:nightly staging') },
    },
    expect: [at(R, 'error', 'compose.yaml', 3, 12, { message: /push only `nightly`, `staging`/ })],
  },
  {
    name: 'a copy to another repository, or to a file, does not produce the tag',
    repo: {
      files: {
        ...base,
        '.github/workflows/promote.yml': workflowRun(
          'crane copy acme/web:nightly acme/other:2\nskopeo copy docker://acme/web:nightly oci:web:2',
        ),
      },
    },
    expect: [at(R, 'error', 'compose.yaml', 3, 12, { message: /push only `nightly`:/ })],
  },
  {
    name: 'unknown: a push of a reference from the environment may be the deployed tag: a note at the command',
    repo: {
      files: { ...base, '.github/workflows/promote.yml': workflowRun('docker push "$TARGET_IMAGE"') },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/promote.yml', 7, 11, {
        message:
          /^`docker push` at \.github\/workflows\/promote\.yml:7 writes \$TARGET_IMAGE, whose repository is not known; not checked: whether a build produces the deployed tag/,
      }),
    ],
  },
  {
    name: 'unknown: a copy whose destination cannot be read (`skopeo sync`) may push the tag',
    repo: {
      files: {
        ...base,
        '.github/workflows/promote.yml': workflowRun(
          'skopeo sync --src docker --dest docker acme/web reg.example.com',
        ),
      },
    },
    only: [R, 'unresolved-value'],
    expect: [at('unresolved-value', 'info', '.github/workflows/promote.yml', 7, 11)],
  },
  {
    name: 'a push of another literal tag, with a variable registry, cannot be the deployed tag',
    repo: {
      files: {
        ...base,
        '.github/workflows/promote.yml': workflowRun('docker push "$REGISTRY/acme/web:staging"'),
      },
    },
    expect: [at(R, 'error', 'compose.yaml', 3, 12)],
  },
]);

const compose = (image: string) => `services:\n  web:\n    image: ${image}\n`;

ruleTest(rule, [
  {
    name: 'the message in full: the reference as written, the repository without the implied registry, each tag once, the builds related',
    repo: {
      files: {
        ...base,
        'scripts/again.sh': '#!/bin/sh\ndocker buildx build -t acme/web:nightly --push .\n',
      },
    },
    expect: [
      at(R, 'error', 'compose.yaml', 3, 12, {
        message:
          /^`acme\/web:2` is deployed from compose, but the builds of `acme\/web` in this repository push only `nightly`: the pull fails \(manifest unknown\) or runs an old image$/,
        related: [
          'package.json:1 built here: acme/web:nightly',
          'scripts/again.sh:2 built here: acme/web:nightly',
        ],
      }),
    ],
  },
  {
    name: 'condition "a tag after the last slash": a build tag without one pushes `latest`, a registry port is not a tag',
    repo: {
      files: {
        Dockerfile: 'FROM node:22-slim\n',
        'compose.yaml': compose('reg.example.com:5000/acme/web:2'),
        'scripts/build.sh': '#!/bin/sh\ndocker buildx build -t reg.example.com:5000/acme/web --push .\n',
      },
    },
    expect: [at(R, 'error', 'compose.yaml', 3, 12, { message: /push only `latest`:/ })],
  },
  {
    name: 'condition "actions crossdock reads or that build nothing": setup, login, metadata and actions/* steps are no producers',
    repo: {
      files: {
        ...base,
        '.github/workflows/release.yml': [
          'on: push',
          'jobs:',
          '  r:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/create-release@v1',
          '      - uses: docker/setup-buildx-action@v3',
          '      - uses: docker/login-action@v3',
          '      - uses: docker/metadata-action@v5',
          '      - uses: depot/setup-action@v1',
          '      - run: echo done',
          '',
        ].join('\n'),
      },
    },
    expect: [at(R, 'error', 'compose.yaml', 3, 12)],
  },
  {
    name: 'unknown: an image-building action is known by its name in any case: the note in full',
    repo: {
      files: {
        ...base,
        '.github/workflows/release.yml':
          'on: push\njobs:\n  r:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: Acme/Publish-Image@v1\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/release.yml', 6, 15, {
        message:
          /^the step using Acme\/Publish-Image, which crossdock does not read, may build and push images; not checked: whether a build produces the deployed tag \(image-not-built\)$/,
      }),
    ],
  },
  {
    name: 'condition "a reference from the environment may be the tag": without a tag it pushes `latest` only',
    repo: {
      files: {
        ...base,
        'compose.yaml': 'services:\n  web:\n    image: acme/web:2\n  edge:\n    image: acme/web\n',
        '.github/workflows/promote.yml': workflowRun('docker push "$REGISTRY/acme/web"'),
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at(R, 'error', 'compose.yaml', 3, 12),
      at('unresolved-value', 'info', '.github/workflows/promote.yml', 7, 11, {
        message:
          /^`docker push` at \.github\/workflows\/promote\.yml:7 writes \$REGISTRY\/acme\/web, whose repository is not known; not checked: whether a build produces the deployed tag \(image-not-built\)$/,
      }),
    ],
  },
  {
    name: 'unknown: a copy whose destination cannot be read: the note in full',
    repo: {
      files: {
        ...base,
        '.github/workflows/promote.yml': workflowRun(
          'skopeo sync --src docker --dest docker acme/web reg.example.com',
        ),
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/promote.yml', 7, 11, {
        message:
          /^`skopeo sync` at \.github\/workflows\/promote\.yml:7 copies images to references crossdock cannot read; not checked: whether a build produces the deployed tag \(image-not-built\)$/,
      }),
    ],
  },
]);
