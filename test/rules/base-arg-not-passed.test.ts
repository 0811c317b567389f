import rule from '../../src/rules/base-arg-not-passed.js';
import { at, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'base-arg-not-passed';
const U = 'unresolved-value';
/** crossdock.yaml building ./Dockerfile, with these extra lines under the image. */
const images = (extra = '') => `images:\n  reg/app:\n    context: .\n    dockerfile: Dockerfile\n${extra}`;
const workflow = (run: string) =>
  `on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ${run}\n`;

ruleTest(rule, [
  {
    name: 'an ARG without a default that the build site does not pass: an error at the FROM, the ARG related, the build as site',
    repo: {
      files: { 'crossdock.yaml': images(), Dockerfile: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN true\n' },
    },
    expect: [
      at(R, 'error', 'Dockerfile', 2, 6, {
        message:
          /^`FROM \$\{BASE_IMAGE\}` is blank for this build: ARG BASE_IMAGE has no default and the build does not pass it, so Docker stops at once \("base name should not be blank"\)$/,
        related: ['Dockerfile:1 ARG BASE_IMAGE is declared here'],
        sites: ['crossdock.yaml:1'],
        reachable: true,
      }),
    ],
  },
  {
    name: 'the ARG the FROM names, not another global one, decides (its declaration is the related location)',
    repo: {
      files: {
        'crossdock.yaml': images(),
        Dockerfile: 'ARG BASE\nARG OTHER=python:3.12\nFROM ${BASE}\n',
      },
    },
    expect: [at(R, 'error', 'Dockerfile', 3, 6, { related: ['Dockerfile:1 ARG BASE is declared here'] })],
  },
  {
    name: 'condition "empty default": a default of spaces is not blank to BuildKit (an invalid reference instead)',
    repo: { files: { 'crossdock.yaml': images(), Dockerfile: 'ARG BASE=" "\nFROM ${BASE}\n' } },
    expect: [],
  },
  {
    name: 'an empty default (`ARG BASE=`) is blank too; `$BASE` without braces is the same variable',
    repo: { files: { 'crossdock.yaml': images(), Dockerfile: 'ARG BASE=\nFROM $BASE\n' } },
    expect: [at(R, 'error', 'Dockerfile', 2, 6, { message: /ARG BASE has an empty default and the build/ })],
  },
  ...(
    [
      [
        'the build site passes it (crossdock.yaml buildArgs)',
        images('    buildArgs:\n      BASE: python:3.12\n'),
        '',
      ],
      ['the ARG has a default', images(), '=python:3.12-slim'],
      ['the FROM gives a default of its own (`${BASE:-python:3.12}`)', images(), ''],
    ] as const
  ).map(
    ([what, config, dflt], i): RuleCase => ({
      name: `condition "not passed, no default": ${what}`,
      repo: {
        files: {
          'crossdock.yaml': config,
          Dockerfile: `ARG BASE${dflt}\nFROM ${i === 2 ? '${BASE:-python:3.12}' : '${BASE}'}\n`,
        },
      },
      expect: [],
    }),
  ),
  {
    name: 'condition "a build site builds it": a Dockerfile nothing builds may be built with the argument',
    repo: { files: { Dockerfile: 'ARG BASE\nFROM ${BASE}\n' } },
    expect: [],
  },
  {
    name: 'a workflow build with the argument passes it; one without does not (one finding, that build as site)',
    repo: {
      files: {
        Dockerfile: 'ARG BASE\nFROM ${BASE}\n',
        '.github/workflows/a.yml': workflow('docker build --build-arg BASE=python:3.12 -t a .'),
        '.github/workflows/b.yml': workflow('docker build -t b .'),
      },
    },
    expect: [at(R, 'error', 'Dockerfile', 2, 6, { sites: ['.github/workflows/b.yml:7'] })],
  },
  {
    name: 'build arguments crossdock cannot read (`$ARGS`) may pass it: no claim, an unresolved-value note',
    only: [R, U],
    repo: {
      files: {
        Dockerfile: 'ARG BASE\nFROM ${BASE}\n',
        '.github/workflows/b.yml': workflow('docker build $ARGS -t b .'),
      },
    },
    expect: [
      at(U, 'info', '.github/workflows/b.yml', 7, 27, {
        message: /not checked: whether this build passes ARG BASE, which `FROM \$\{BASE\}` needs/,
      }),
    ],
  },
  {
    name: 'a FROM variable no ARG before the first FROM declares is blank whatever the build passes',
    repo: {
      files: {
        'crossdock.yaml': images('    buildArgs:\n      BASE: python:3.12\n'),
        Dockerfile: 'FROM python:3.12 AS tools\nARG BASE\nFROM ${BASE}\nCOPY --from=tools /bin/sh /bin/sh\n',
      },
    },
    expect: [
      at(R, 'error', 'Dockerfile', 3, 6, {
        message:
          /^`FROM \$\{BASE\}` uses BASE, which no ARG before the first FROM declares: it is blank whatever the build passes, and Docker stops at once \("base name should not be blank"\)$/,
        related: [],
      }),
    ],
  },
  {
    name: 'an undeclared FROM variable in a Dockerfile nothing builds is a warning',
    repo: { files: { Dockerfile: 'FROM ${BASE}\n' } },
    expect: [at(R, 'warning', 'Dockerfile', 1, 6, { reachable: false })],
  },
  {
    name: 'condition "predefined": BuildKit defines $BUILDPLATFORM-style arguments without an ARG',
    repo: { files: { 'crossdock.yaml': images(), Dockerfile: 'FROM ${TARGETPLATFORM}\n' } },
    expect: [],
  },
  {
    name: 'condition "the stage is built": a blank FROM in a stage the target does not use is not reported',
    repo: {
      files: {
        'crossdock.yaml': images('    target: app\n'),
        Dockerfile: 'ARG BASE\nFROM ${BASE} AS unused\nFROM python:3.12-slim AS app\n',
      },
    },
    expect: [],
  },
  ...['python:${TAG}', '${BASE}-slim'].map(
    (raw): RuleCase => ({
      name: `condition "bare variable": \`${raw}\` is not claimed by this rule`,
      repo: { files: { 'crossdock.yaml': images(), Dockerfile: `ARG TAG\nARG BASE\nFROM ${raw}\n` } },
      expect: [],
    }),
  ),
]);
