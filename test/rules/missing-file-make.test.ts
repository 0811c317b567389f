import invalidImageReference from '../../src/rules/invalid-image-reference.js';
import rule from '../../src/rules/missing-file.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/**
 * Makefile builds: each recipe line runs in its own shell, and a target's recipe runs after its prerequisites'
 * recipes, never after the other targets'. So a file another target generates does not excuse a missing one,
 * while a prerequisite that generates it does.
 */
const DOCKERFILE = 'FROM python:3.12-slim\nCOPY dist/app.whl /tmp/\n';
const R = rule.meta.id;

ruleTest(rule, [
  {
    name: 'a target-specific variable (`prod: DOCKERFILE = …`) changes the value for that target: the global one is not certain, no claim on it',
    repo: {
      files: {
        'docker/Dockerfile': 'FROM python:3.12-slim\n',
        Makefile:
          'DOCKERFILE = docker/dev.Dockerfile\nprod: DOCKERFILE = docker/Dockerfile\nprod:\n\tdocker build -f $(DOCKERFILE) -t reg/app .\n',
        '.github/workflows/ci.yml':
          'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make prod\n',
      },
    },
    only: [R],
    expect: [],
  },
  {
    name: "`include config.mk` may assign any variable: the Makefile's own values are not certain, no claim on them",
    repo: {
      files: {
        'docker/Dockerfile': 'FROM python:3.12-slim\n',
        Makefile:
          'DOCKERFILE ?= Dockerfile\ninclude config.mk\nimage:\n\tdocker build -f $(DOCKERFILE) -t reg/app .\n',
        'config.mk': 'DOCKERFILE = docker/Dockerfile\n',
        '.github/workflows/ci.yml':
          'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make image\n',
      },
    },
    only: [R],
    expect: [],
  },
  {
    name: "another target's recipe that writes files (or runs a script) does not run before `make image`: the missing file is an error",
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        Makefile: 'gen:\n\t./scripts/gen.sh\n\tmkdir -p dist\n\nimage:\n\tdocker build -t reg/app .\n',
        'scripts/gen.sh': '#!/bin/sh\n',
      },
    },
    expect: [at(R, 'error', 'Dockerfile', 2, 6, { reachable: true })],
  },
  {
    name: 'a prerequisite whose recipe creates the folder runs first: the file is generated, not missing',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        Makefile: 'dist:\n\tmkdir -p dist\n\nimage: dist\n\tdocker build -t reg/app .\n',
      },
    },
    expect: [],
  },
  {
    name: 'a prerequisite of a prerequisite that runs a script may create it: no claim, an unresolved-value note',
    repo: {
      files: {
        Dockerfile: DOCKERFILE,
        Makefile:
          'gen:\n\t./scripts/gen.sh\n\nwheel: gen\n\techo ok\n\nimage: wheel\n\tdocker build -t reg/app .\n',
        'scripts/gen.sh': '#!/bin/sh\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'Makefile', 2, 2, {
        message: /scripts\/gen\.sh. runs before this build/,
      }),
    ],
  },
]);

ruleTest(rule, [
  {
    name: 'a build sending the wrong context misses several sources: one finding at the context (one root cause), each COPY related',
    repo: {
      files: {
        'go/Dockerfile':
          'FROM golang:1.22\nWORKDIR /src/go\nCOPY ./go/go.mod ./go/go.sum ./\nCOPY ./go /src/go\nCOPY ./idl /src/idl\n',
        'go/go.mod': 'module x\n',
        'go/go.sum': '\n',
        'idl/x.proto': '\n',
        'go/Makefile': 'docker:\n\tdocker build -t acme/coordinator:latest .\n',
      },
    },
    expect: [
      at(R, 'error', 'go/Makefile', 2, 42, {
        message:
          /does not contain `\.\/go\/go\.mod`, `\.\/go\/go\.sum`, `\.\/go`, `\.\/idl` that go\/Dockerfile copies \(line 3; it is at `go\/go\.mod`, line 3; it is at `go\/go\.sum`, line 4; it is at `go`, line 5; it is at `idl`\)/,
      }),
    ],
  },
]);

/** A workflow job running `run` at the repository root. */
const ci = (run: string) =>
  `on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ${run}\n`;

ruleTest(rule, [
  {
    name: 'unknown: a pattern rule names its Dockerfile and tag with `$*` (the stem make sets per target): no false missing file or invalid tag',
    rules: [rule, invalidImageReference],
    repo: {
      files: {
        'docker/api.Dockerfile': 'FROM python:3.12-slim\n',
        Makefile: 'image-%:\n\tdocker build -f docker/$*.Dockerfile -t reg/app:$* .\n',
      },
    },
    only: [R, 'invalid-image-reference', 'unresolved-value'],
    expect: [],
  },
  {
    name: '`make image DOCKERFILE=…` from CI overrides `DOCKERFILE ?= Dockerfile`: the Dockerfile built is the one passed',
    repo: {
      files: {
        'docker/prod.Dockerfile': 'FROM python:3.12-slim\nCOPY app.py /app/\n',
        Makefile: 'DOCKERFILE ?= Dockerfile\n\nimage:\n\tdocker build -f $(DOCKERFILE) -t reg/app .\n',
        '.github/workflows/ci.yml': ci('make image DOCKERFILE=docker/prod.Dockerfile'),
      },
    },
    expect: [at(R, 'error', 'docker/prod.Dockerfile', 2, 6, { reachable: true })],
  },
  {
    name: 'unknown: `DOCKERFILE ?= …` in a Makefile nothing in the repository runs: the caller may set it, no claim on the default',
    repo: {
      files: {
        'docker/prod.Dockerfile': 'FROM python:3.12-slim\nCOPY app.py /app/\n',
        Makefile:
          'DOCKERFILE ?= docker/prod.Dockerfile\n\nimage:\n\tdocker build -f $(DOCKERFILE) -t reg/app .\n',
      },
    },
    only: [R],
    expect: [at(R, 'warning', 'docker/prod.Dockerfile', 2, 6, { reachable: false })],
  },
  {
    name: 'unknown: a variable assigned on both branches of an ifeq is one of two values: no claim on either Dockerfile',
    repo: {
      files: {
        'docker/prod.Dockerfile': 'FROM python:3.12-slim\n',
        Makefile: [
          'ifeq ($(ENV),prod)',
          'DOCKERFILE = docker/prod.Dockerfile',
          'else',
          'DOCKERFILE = docker/dev.Dockerfile',
          'endif',
          '',
          'image:',
          '\tdocker build -f $(DOCKERFILE) -t reg/app .',
          '',
        ].join('\n'),
      },
    },
    only: [R, 'unresolved-value'],
    expect: [],
  },
]);
