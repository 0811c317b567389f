import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/checkout-no-submodules.js';
import { at, checkRepo } from '../helpers/check.js';

const SHA = 'a'.repeat(40);

const gitmodules = [
  '[submodule "proto"]',
  '\tpath = vendor/proto',
  '\turl = https://github.com/acme/proto.git',
  '[submodule "models"]',
  '\tpath = third_party/models',
  '\turl = https://github.com/acme/models.git',
  '',
].join('\n');

const workflow = (checkoutWith: string) =>
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
    '          context: .',
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

const files = (checkoutWith: string) => ({
  '.github/workflows/image.yml': workflow(checkoutWith),
  '.gitmodules': gitmodules,
  'docker/api.Dockerfile': [
    'FROM python:3.12-slim',
    'WORKDIR /app',
    'COPY requirements.txt .',
    'COPY vendor/proto/ /app/proto/',
    'COPY third_party /app/third_party',
    'COPY src/ /app/src/',
    '',
  ].join('\n'),
  'requirements.txt': 'grpcio==1.64.0\n',
  'src/main.py': 'print("hi")\n',
  'web/Dockerfile': 'FROM nginx:1.27\nCOPY dist /usr/share/nginx/html\n',
  'web/dist/index.html': '<html></html>\n',
});
const gitlinks = { 'vendor/proto': SHA, 'third_party/models': SHA };

test('a job building a Dockerfile that copies submodules, with a plain checkout, is an error per submodule', async () => {
  const findings = await checkRepo({ files: files(''), gitlinks }, [rule]);
  assert.deepEqual(at(findings), ['checkout-no-submodules@10:15', 'checkout-no-submodules@10:15']);
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.endColumn} ${f.severity}`),
    ['.github/workflows/image.yml:34 error', '.github/workflows/image.yml:34 error'],
  );
  assert.equal(
    findings[0]?.message,
    'job "build" builds docker/api.Dockerfile, which copies submodule `vendor/proto`, but actions/checkout does not fetch submodules: the folder is empty in CI and the build fails or ships without it',
  );
  assert.match(findings[1]?.message ?? '', /copies submodule `third_party\/models`/);
  // Each points at the COPY source that reads the submodule.
  assert.deepEqual(
    findings.map((f) => f.related.map((r) => `${r.file}:${r.line}:${r.column}-${r.endColumn} ${r.message}`)),
    [
      ['docker/api.Dockerfile:4:6-19 copies vendor/proto/'],
      ['docker/api.Dockerfile:5:6-17 copies third_party'],
    ],
  );
  assert.match(findings[0]?.hint ?? '', /submodules: recursive/);
});

test('`submodules: recursive` or `true` fixes it; `false` does not', async () => {
  for (const value of ['recursive', 'true', '"true"']) {
    const fixed = await checkRepo(
      { files: files(`\n        with:\n          submodules: ${value}`), gitlinks },
      [rule],
    );
    assert.deepEqual(fixed, [], `submodules: ${value}`);
  }
  const off = await checkRepo({ files: files('\n        with:\n          submodules: false'), gitlinks }, [
    rule,
  ]);
  assert.deepEqual(at(off), ['checkout-no-submodules@10:15', 'checkout-no-submodules@10:15']);
});

test('a script the job runs, and a `COPY . .` of a context holding a submodule, count too', async () => {
  const wf = [
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
  const findings = await checkRepo(
    {
      files: {
        '.github/workflows/ui.yml': wf,
        '.gitmodules': '[submodule "design"]\n\tpath = services/ui/design\n\turl = ../design.git\n',
        'scripts/build-ui.sh': '#!/bin/sh\nset -e\ndocker build -t ghcr.io/acme/ui:latest services/ui\n',
        'services/ui/Dockerfile': 'FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n',
        'services/ui/package.json': '{"name":"ui","private":true}\n',
      },
      gitlinks: { 'services/ui/design': SHA },
    },
    [rule],
  );
  assert.deepEqual(at(findings), ['checkout-no-submodules@6:15']);
  assert.match(
    findings[0]?.message ?? '',
    /^job "ui" builds services\/ui\/Dockerfile, which copies submodule `services\/ui\/design`/,
  );
  assert.deepEqual(
    findings[0]?.related.map((r) => `${r.file}:${r.line}:${r.column} ${r.message}`),
    ['services/ui/Dockerfile:3:6 copies .'],
  );
});

test('without gitlinks, or when no build copies a submodule path, nothing is reported', async () => {
  assert.deepEqual(await checkRepo({ files: files('') }, [rule]), []);
  const noCopy = {
    ...files(''),
    'docker/api.Dockerfile': 'FROM python:3.12-slim\nCOPY requirements.txt .\nCOPY src/ /app/src/\n',
  };
  assert.deepEqual(await checkRepo({ files: noCopy, gitlinks }, [rule]), []);
});
