// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold Dockerfile `${ARG}` and workflow `${{ }}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import checkoutNoSubmodules from '../../src/rules/checkout-no-submodules.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const SHA = 'a'.repeat(40);
const WF = '.github/workflows/image.yml';

const gitmodules = [
  '[submodule "proto"]',
  '\tpath = vendor/proto',
  '\turl = https://github.com/acme/proto.git',
  '[submodule "models"]',
  '\tpath = third_party/models',
  '\turl = https://github.com/acme/models.git',
  '',
].join('\n');

const workflow = (checkoutWith: string, context = '.') =>
  [
    'name: image',
    'on:',
    '  push:',
    '    branches: [main]',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 30',
    '    steps:',
    `      - uses: actions/checkout@v4${checkoutWith}`,
    '      - uses: docker/build-push-action@v6',
    '        with:',
    `          context: ${context}`,
    '          file: docker/api.Dockerfile',
    '          tags: ghcr.io/acme/api:latest',
    '  web:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: docker/build-push-action@v6',
    '        with:',
    '          context: web',
    '',
  ].join('\n');

const apiDockerfile = [
  'FROM python:3.12-slim',
  'WORKDIR /app',
  'COPY requirements.txt .',
  'COPY vendor/proto/ /app/proto/',
  'COPY third_party /app/third_party',
  'COPY src/ /app/src/',
  '',
].join('\n');

const files = (checkoutWith: string, dockerfile = apiDockerfile) => ({
  [WF]: workflow(checkoutWith),
  '.gitmodules': gitmodules,
  'docker/api.Dockerfile': dockerfile,
  'requirements.txt': 'grpcio==1.64.0\n',
  'src/main.py': 'print("hi")\n',
  'web/Dockerfile': 'FROM nginx:1.27\nCOPY dist /usr/share/nginx/html\n',
  'web/dist/index.html': '<html></html>\n',
});
const gitlinks = { 'vendor/proto': SHA, 'third_party/models': SHA };

const uiWorkflow = [
  'on: push',
  'jobs:',
  '  ui:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '        with:',
  '          fetch-depth: 0',
  '      - run: ./scripts/build-ui.sh',
  '',
].join('\n');

const ui = (dockerfile: string) => ({
  files: {
    '.github/workflows/ui.yml': uiWorkflow,
    '.gitmodules': '[submodule "design"]\n\tpath = services/ui/design\n\turl = ../design.git\n',
    'scripts/build-ui.sh': '#!/bin/sh\nset -e\ndocker build -t ghcr.io/acme/ui:latest services/ui\n',
    'services/ui/Dockerfile': dockerfile,
    'services/ui/package.json': '{"name":"ui","private":true}\n',
  },
  gitlinks: { 'services/ui/design': SHA },
});

ruleTest(checkoutNoSubmodules, [
  {
    name: 'a job building a Dockerfile that copies from inside a submodule, with a plain checkout, is an error at the checkout (copying the parent `third_party` does not need the submodule files, so it is no longer reported)',
    repo: { files: files(''), gitlinks },
    expect: [
      at('checkout-no-submodules', 'error', WF, 10, 15, {
        message:
          /^job "build" builds docker\/api\.Dockerfile, which copies `vendor\/proto\/` from submodule `vendor\/proto`, but actions\/checkout does not fetch submodules: the folder is empty in CI and the build fails or ships without it$/,
        reachable: true,
        sites: [],
        related: ['docker/api.Dockerfile:4 copies vendor/proto/'],
      }),
    ],
  },
  {
    name: 'one error per submodule the job copies, however many COPYs read it (in the order they are copied)',
    repo: {
      files: files(
        '',
        'FROM python:3.12-slim\nCOPY vendor/proto/a.proto /p/\nCOPY vendor/proto /proto\nCOPY third_party/models /m\n',
      ),
      gitlinks,
    },
    expect: [
      at('checkout-no-submodules', 'error', WF, 10, 15, {
        message: /from submodule `vendor\/proto`/,
        related: ['docker/api.Dockerfile:2 copies vendor/proto/a.proto'],
      }),
      at('checkout-no-submodules', 'error', WF, 10, 15, {
        message: /from submodule `third_party\/models`/,
        related: ['docker/api.Dockerfile:4 copies third_party/models'],
      }),
    ],
  },
  {
    name: 'ADD of a file inside a submodule counts',
    repo: { files: files('', 'FROM alpine:3.20\nADD vendor/proto/api.proto /p/\n'), gitlinks },
    expect: [
      at('checkout-no-submodules', 'error', WF, 10, 15, { message: /copies `vendor\/proto\/api\.proto`/ }),
    ],
  },
  {
    name: 'a COPY source from an ARG default resolves',
    repo: { files: files('', 'FROM alpine:3.20\nARG SRC=vendor/proto\nCOPY ${SRC} /app/\n'), gitlinks },
    expect: [
      at('checkout-no-submodules', 'error', WF, 10, 15, { message: /copies `\$\{SRC\}` from submodule/ }),
    ],
  },
  {
    name: 'a script the job runs counts; the COPY source is relative to the build context',
    repo: ui('FROM node:22-slim\nWORKDIR /app\nCOPY design ./design\nRUN npm ci\n'),
    expect: [
      at('checkout-no-submodules', 'error', '.github/workflows/ui.yml', 6, 15, {
        message:
          /^job "ui" builds services\/ui\/Dockerfile, which copies `design` from submodule `services\/ui\/design`/,
      }),
    ],
  },

  // Condition: `submodules:` is not written on the checkout.
  {
    name: '`submodules: recursive` fixes it',
    repo: { files: files('\n        with:\n          submodules: recursive'), gitlinks },
    expect: [],
  },
  {
    name: '`submodules: true` fixes it',
    repo: { files: files('\n        with:\n          submodules: true'), gitlinks },
    expect: [],
  },
  {
    name: "an explicit `submodules: false` is the author's decision: nothing (it used to be reported)",
    repo: { files: files('\n        with:\n          submodules: false'), gitlinks },
    expect: [],
  },

  {
    name: 'a later run step `git submodule update --init` fetches them: nothing',
    repo: { files: files('\n      - run: git submodule update --init --recursive'), gitlinks },
    expect: [],
  },
  {
    name: 'a later `git -c … submodule update` in a multi-line run step fetches them: nothing',
    repo: {
      files: files(
        '\n      - run: |\n          git submodule sync\n          git -c protocol.version=2 submodule update --init --depth=1',
      ),
      gitlinks,
    },
    expect: [],
  },
  {
    name: 'a run step that only reads submodules (`git submodule status`) does not fetch them: still an error',
    repo: { files: files('\n      - run: git submodule status'), gitlinks },
    expect: [at('checkout-no-submodules', 'error', WF, 10, 15)],
  },

  // Condition: the source is at or inside a gitlink path.
  {
    name: '`COPY . .` of a context that holds a submodule does not itself need its files: nothing (it used to be reported)',
    repo: ui('FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n'),
    expect: [],
  },
  {
    name: 'no build copies a submodule path: nothing',
    repo: {
      files: files('', 'FROM python:3.12-slim\nCOPY requirements.txt .\nCOPY src/ /app/src/\n'),
      gitlinks,
    },
    expect: [],
  },
  {
    name: 'a path named in .gitmodules that is not a gitlink is no submodule: nothing',
    repo: { files: files('') },
    expect: [],
  },

  // Condition: the stage is built, and the COPY reads the context.
  {
    name: 'a COPY in a stage the build does not build: nothing',
    repo: {
      files: files('', 'FROM alpine:3.20 AS proto\nCOPY vendor/proto /p\nFROM alpine:3.20\nCOPY src /src\n'),
      gitlinks,
    },
    expect: [],
  },
  {
    name: 'COPY --from reads another stage, not the context: nothing',
    repo: {
      files: files(
        '',
        'FROM alpine:3.20 AS gen\nRUN mkdir -p /vendor/proto\nFROM alpine:3.20\nCOPY --from=gen vendor/proto /p\n',
      ),
      gitlinks,
    },
    expect: [],
  },

  // Condition: the job checks out the repository and builds.
  {
    name: 'a job without actions/checkout: nothing',
    repo: {
      files: {
        ...files(''),
        [WF]: workflow('').replace(
          '      - uses: actions/checkout@v4\n      - uses: docker/build',
          '      - uses: docker/build',
        ),
      },
      gitlinks,
    },
    expect: [],
  },

  {
    name: 'condition "a later step fetches": `/usr/bin/git submodule --quiet update` after the checkout fetches them: nothing',
    repo: { files: files('\n      - run: /usr/bin/git submodule --quiet update --init'), gitlinks },
    expect: [],
  },
  {
    name: 'condition "a later step fetches": a `git submodule update` before the checkout, or an echo of the words, does not fetch them',
    repo: {
      files: {
        ...files('\n      - run: echo submodule update'),
        [WF]: workflow('\n      - run: echo submodule update').replace(
          '      - uses: actions/checkout@v4\n      - run: echo',
          '      - run: git submodule update --init\n      - uses: actions/checkout@v4\n      - run: echo',
        ),
      },
      gitlinks,
    },
    expect: [at('checkout-no-submodules', 'error', WF, 11, 15)],
  },
  {
    name: 'condition "a COPY source": a COPY with --chown and a source with a leading slash count; a destination inside the submodule, a RUN and a source outside the context do not',
    repo: {
      files: files(
        '',
        'FROM alpine:3.20\nCOPY src vendor/proto\nRUN ls vendor/proto /x\nCOPY ../vendor/proto /p\nCOPY --chown=1000 /third_party/models/ /m\n',
      ),
      gitlinks,
    },
    only: ['checkout-no-submodules', 'internal-error'],
    expect: [
      at('checkout-no-submodules', 'error', WF, 10, 15, {
        message: /copies `\/third_party\/models\/` from submodule `third_party\/models`/,
        related: ['docker/api.Dockerfile:5 copies /third_party/models/'],
      }),
    ],
  },

  // Unknown values: no claim.
  {
    name: 'an unknown build context (a workflow input): nothing',
    repo: { files: { ...files(''), [WF]: workflow('', '${{ inputs.context }}') }, gitlinks },
    expect: [],
  },
  {
    name: 'a COPY source from an ARG without default that no build passes: nothing',
    repo: { files: files('', 'FROM alpine:3.20\nARG SRC\nCOPY ${SRC} /app/\n'), gitlinks },
    only: ['checkout-no-submodules', 'internal-error'],
    expect: [],
  },
]);

test('checkout-no-submodules: the finding points at the COPY source that reads the submodule, and the hint names the fix', async () => {
  const findings = await checkRepo({ files: files(''), gitlinks }, [checkoutNoSubmodules]);
  assertFindings(findings, [at('checkout-no-submodules', 'error', WF, 10, 15)]);
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column}-${r.endColumn} ${r.message}`),
    ['docker/api.Dockerfile:4:6-19 copies vendor/proto/'],
  );
  assert.match(findings[0]?.hint ?? '', /submodules: recursive/);
});
