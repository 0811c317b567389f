// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold Dockerfile `${ARG}`, shell and workflow text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import emulatedBuild from '../../src/rules/emulated-build.js';
import fromPlatformConstant from '../../src/rules/from-platform-constant.js';
import healthcheckToolMissing from '../../src/rules/healthcheck-tool-missing.js';
import lockfilePythonMismatch from '../../src/rules/lockfile-python-mismatch.js';
import missingFile from '../../src/rules/missing-file.js';
import pythonVersionMismatch from '../../src/rules/python-version-mismatch.js';
import unresolvedValue from '../../src/rules/unresolved-value.js';
import { createRule } from '../../src/engine/rule.js';
import { unknown } from '../../src/model/value.js';
import { checkRepo } from '../helpers/check.js';
import { assertFindings, at, ruleTest } from '../helpers/rule-tester.js';

const config = 'images:\n  "ghcr.io/acme/api":\n    context: .\n    dockerfile: Dockerfile\n';
const withBase = (base: string) => `${config}    buildArgs:\n      BASE: ${base}\n`;

/** `FROM ${BASE}` with no default, and a HEALTHCHECK that calls curl. */
const argBase =
  'ARG BASE\nFROM ${BASE}\nWORKDIR /app\nHEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n';

const HEALTH =
  /^ARG BASE has no default and this build does not pass it; not checked: whether the image has `curl` for its HEALTHCHECK \(healthcheck-tool-missing\)$/;

/** A Python project whose image needs both its Python (requires-python) and its HEALTHCHECK tool. */
const pythonProject = {
  Dockerfile: [
    'ARG BASE',
    'FROM ${BASE}',
    'WORKDIR /app',
    'COPY pyproject.toml .',
    'COPY src ./src',
    'RUN pip install .',
    'HEALTHCHECK CMD wget -q http://localhost:8000/ || exit 1',
    'CMD ["python", "-m", "app"]',
    '',
  ].join('\n'),
  'pyproject.toml': '[project]\nname = "app"\nrequires-python = ">=3.11"\n',
  'src/app/__init__.py': '',
};

const WF = '.github/workflows/image.yml';

/** The same Dockerfile (base known, HEALTHCHECK with curl) at app/ and at scripts/app/. */
const hcDockerfile = 'FROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n';
const twoApps = { 'app/Dockerfile': hcDockerfile, 'scripts/app/Dockerfile': hcDockerfile };

ruleTest(unresolvedValue, [
  {
    name: 'an ARG without default that the build does not pass: one info note at the ARG, naming the blocked check',
    rules: [healthcheckToolMissing],
    repo: { files: { 'crossdock.yaml': config, Dockerfile: argBase } },
    expect: [at('unresolved-value', 'info', 'Dockerfile', 1, 5, { message: HEALTH, reachable: true })],
  },
  {
    name: 'one root cause, one note: every use of an ARG nothing passes (two COPY sources) gives one note at the ARG, listing the checks',
    rules: [missingFile],
    repo: {
      files: {
        'crossdock.yaml': config,
        Dockerfile: 'FROM python:3.12-slim\nARG SRC\nCOPY $SRC/a.txt /a/\nCOPY ${SRC}/b.txt /b/\n',
      },
    },
    only: ['unresolved-value', 'missing-file'],
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 2, 5, {
        message:
          /^ARG SRC has no default and this build does not pass it; not checked: whether `\$SRC\/a\.txt` is in the build context \(missing-file\); whether `\$\{SRC\}\/b\.txt` is in the build context \(missing-file\)$/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'the build passes the ARG: the value is known, the check reports, no note',
    rules: [healthcheckToolMissing],
    repo: { files: { 'crossdock.yaml': withBase('python:3.12-slim'), Dockerfile: argBase } },
    expect: [at('healthcheck-tool-missing', 'error', 'Dockerfile', 4, 17)],
  },
  {
    name: 'an ARG default makes the value known: no note',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        'crossdock.yaml': config,
        Dockerfile: argBase.replace('ARG BASE', 'ARG BASE=python:3.12-slim'),
      },
    },
    expect: [at('healthcheck-tool-missing', 'error', 'Dockerfile', 4, 17)],
  },
  {
    name: 'one note per root cause even when several rules are blocked: the checks are listed, sorted',
    rules: [healthcheckToolMissing, pythonVersionMismatch],
    repo: { files: { 'crossdock.yaml': config, ...pythonProject } },
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 5, {
        message:
          /^ARG BASE has no default and this build does not pass it; not checked: the Python of this stage against requires-python ">=3\.11" \(python-version-mismatch\); whether the image has `wget` for its HEALTHCHECK \(healthcheck-tool-missing\)$/,
      }),
    ],
  },
  {
    name: 'one note for the same unresolved ARG however many builds leave it unset',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        'crossdock.yaml': `${config}  "ghcr.io/acme/api-debug":\n    context: .\n    dockerfile: Dockerfile\n`,
        Dockerfile: argBase,
        [WF]: 'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n    steps:\n      - run: docker build -t acme/api .\n',
      },
    },
    expect: [at('unresolved-value', 'info', 'Dockerfile', 1, 5, { message: HEALTH })],
  },
  {
    name: 'the same ARG in two Dockerfiles is two root causes: two notes',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        'crossdock.yaml': 'images:\n  "a":\n    context: a\n  "b":\n    context: b\n',
        'a/Dockerfile': argBase,
        'b/Dockerfile': argBase,
      },
    },
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 1, 5, { message: HEALTH }),
      at('unresolved-value', 'info', 'b/Dockerfile', 1, 5, { message: HEALTH }),
    ],
  },
  {
    name: 'facts are per build: the build that passes the ARG is checked, the one that does not gets the note',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        'crossdock.yaml': config,
        Dockerfile: argBase,
        [WF]: 'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n    steps:\n      - run: docker build --build-arg BASE=python:3.12-slim -t acme/api .\n',
      },
    },
    expect: [
      at('healthcheck-tool-missing', 'error', 'Dockerfile', 4, 17, { sites: [`${WF}:7`] }),
      at('unresolved-value', 'info', 'Dockerfile', 1, 5, { message: HEALTH }),
    ],
  },

  // Script values.
  {
    name: 'a build-arg from `$(…)` in a script: the note is at the substitution',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        'app/Dockerfile': argBase,
        'build.sh': '#!/bin/sh\ndocker build --build-arg BASE="$(cat base.txt)" -t acme/api app\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'build.sh', 2, 26, {
        message:
          /^`\$\(cat base\.txt\)` is computed when the script runs; not checked: whether the image has `curl` for its HEALTHCHECK \(healthcheck-tool-missing\)$/,
      }),
    ],
  },
  {
    name: 'a build-arg from `$1` of a script nothing calls: the note is at `$1`',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        'app/Dockerfile': argBase,
        'build.sh': '#!/bin/sh\ndocker build --build-arg BASE="$1" -t acme/api app\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'build.sh', 2, 26, {
        message: /^`\$1` is an argument given by whoever runs this;/,
      }),
    ],
  },
  {
    name: 'a caller passing a literal argument makes `$1` known: no note',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        'app/Dockerfile': argBase,
        'build.sh': '#!/bin/sh\ndocker build --build-arg BASE="$1" -t acme/api app\n',
        Makefile: 'image:\n\t./build.sh python:3.12-slim\n',
      },
    },
    expect: [at('healthcheck-tool-missing', 'error', 'app/Dockerfile', 4, 17, { sites: ['build.sh:2'] })],
  },

  // Where a script runs from.
  {
    name: 'a script nothing runs has an unknown working directory: when the root and its folder both hold the Dockerfile, it builds neither for sure (both unreached: warnings)',
    rules: [healthcheckToolMissing],
    repo: { files: { ...twoApps, 'scripts/build.sh': '#!/bin/sh\ndocker build -t acme/api app\n' } },
    expect: [
      at('healthcheck-tool-missing', 'warning', 'app/Dockerfile', 2, 17, { reachable: false }),
      at('healthcheck-tool-missing', 'warning', 'scripts/app/Dockerfile', 2, 17, { reachable: false }),
    ],
  },
  {
    name: '`cd "$(dirname "$0")/.."` resolves the working directory to the root',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        ...twoApps,
        'scripts/build.sh': '#!/bin/sh\ncd "$(dirname "$0")/.."\ndocker build -t acme/api app\n',
      },
    },
    expect: [
      at('healthcheck-tool-missing', 'error', 'app/Dockerfile', 2, 17, {
        reachable: true,
        sites: ['scripts/build.sh:3'],
      }),
      at('healthcheck-tool-missing', 'warning', 'scripts/app/Dockerfile', 2, 17, { reachable: false }),
    ],
  },
  {
    name: '`cd "$(git rev-parse --show-toplevel)"` resolves the working directory to the root',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        ...twoApps,
        'scripts/build.sh':
          '#!/bin/sh\ncd "$(git rev-parse --show-toplevel)"\ndocker build -t acme/api app\n',
      },
    },
    expect: [
      at('healthcheck-tool-missing', 'error', 'app/Dockerfile', 2, 17, { reachable: true }),
      at('healthcheck-tool-missing', 'warning', 'scripts/app/Dockerfile', 2, 17, { reachable: false }),
    ],
  },
  {
    name: '`cd "$(dirname "$0")"` resolves the working directory to the script folder',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        ...twoApps,
        'scripts/build.sh': '#!/bin/sh\ncd "$(dirname "$0")"\ndocker build -t acme/api app\n',
      },
    },
    expect: [
      at('healthcheck-tool-missing', 'error', 'scripts/app/Dockerfile', 2, 17, { reachable: true }),
      at('healthcheck-tool-missing', 'warning', 'app/Dockerfile', 2, 17, { reachable: false }),
    ],
  },

  // Workflow values.
  {
    name: 'a step output computed at run time: the note is at the expression',
    rules: [emulatedBuild],
    repo: {
      files: {
        'api/Dockerfile': 'FROM alpine:3.20\nRUN apk add curl\n',
        [WF]: [
          'on: push',
          'jobs:',
          '  image:',
          '    runs-on: ubuntu-latest',
          '    timeout-minutes: 30',
          '    steps:',
          '      - id: p',
          '        run: echo "list=$(cat platforms.txt)" >> "$GITHUB_OUTPUT"',
          '      - uses: docker/build-push-action@v6',
          '        with:',
          '          context: api',
          '          platforms: ${{ steps.p.outputs.list }}',
          '',
        ].join('\n'),
      },
    },
    expect: [
      at('unresolved-value', 'info', WF, 12, 22, {
        message:
          /^step "p" computes output `list` when it runs; not checked: whether this build is emulated on its runner \(emulated-build\)$/,
      }),
    ],
  },

  // A Dockerfile nothing builds.
  {
    name: 'a Dockerfile no build site builds: its context is unknown, the note is at its first FROM (info, not reached)',
    rules: [lockfilePythonMismatch],
    repo: {
      files: {
        'svc/Dockerfile':
          'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'svc/Dockerfile', 1, 1, {
        message:
          /^nothing in the repository builds svc\/Dockerfile, so its build context is not known; not checked: which file `-r requirements\.txt` installs \(lockfile-python-mismatch\)$/,
        reachable: false,
      }),
    ],
  },
  {
    name: 'a Dockerfile no build site builds: its platforms are unknown unless crossdock.yaml declares them',
    rules: [fromPlatformConstant],
    repo: { files: { 'svc/Dockerfile': 'FROM --platform=linux/amd64 alpine:3.20\nRUN apk add curl\n' } },
    expect: [
      at('unresolved-value', 'info', 'svc/Dockerfile', 1, 1, {
        message:
          /^nothing in the repository builds svc\/Dockerfile, so its platforms are not known; not checked: whether `--platform=linux\/amd64` differs from the platforms built \(from-platform-constant\)$/,
      }),
    ],
  },
  {
    name: 'with crossdock.yaml `platforms:` the platforms are known: the check runs, no note (capped at warning: not reached)',
    rules: [fromPlatformConstant],
    repo: {
      files: {
        'crossdock.yaml': 'platforms: [linux/amd64, linux/arm64]\n',
        'svc/Dockerfile': 'FROM --platform=linux/amd64 alpine:3.20\nRUN apk add curl\n',
      },
    },
    only: ['from-platform-constant', 'unresolved-value'],
    expect: [at('from-platform-constant', 'warning', 'svc/Dockerfile', 1, 6, { reachable: false })],
  },

  // Configuration.
  {
    name: 'crossdock.yaml can raise the note severity',
    rules: [healthcheckToolMissing],
    repo: {
      files: { 'crossdock.yaml': `rules:\n  unresolved-value: warning\n${config}`, Dockerfile: argBase },
    },
    expect: [at('unresolved-value', 'warning', 'Dockerfile', 1, 5)],
  },
  {
    name: 'crossdock.yaml can switch the notes off',
    rules: [healthcheckToolMissing],
    repo: { files: { 'crossdock.yaml': `rules:\n  unresolved-value: off\n${config}`, Dockerfile: argBase } },
    expect: [],
  },
  {
    name: 'a crossdock-ignore on the line before the ARG suppresses its note',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        'crossdock.yaml': config,
        Dockerfile: argBase.replace(
          'ARG BASE',
          '# crossdock-ignore unresolved-value: BASE is set by the release pipeline\nARG BASE',
        ),
      },
    },
    only: ['unresolved-value', 'unused-suppression', 'healthcheck-tool-missing'],
    expect: [],
  },
]);

test('unresolved-value: the note carries the help of the unknown as its hint', async () => {
  const findings = await checkRepo({ files: { 'crossdock.yaml': config, Dockerfile: argBase } }, [
    healthcheckToolMissing,
  ]);
  assertFindings(findings, [at('unresolved-value', 'info', 'Dockerfile', 1, 5)]);
  assert.equal(findings[0]?.hint, 'pass the build argument, or give the ARG a default');
});

ruleTest(unresolvedValue, [
  {
    name: 'an unknown context and unknown platforms of an unbuilt Dockerfile, both at its first FROM, are two notes, each naming the checks it blocked',
    rules: [fromPlatformConstant, lockfilePythonMismatch],
    repo: {
      files: {
        'svc/Dockerfile':
          'FROM --platform=linux/amd64 python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'svc/Dockerfile', 1, 1, {
        message:
          /^nothing in the repository builds svc\/Dockerfile, so its platforms are not known; not checked: whether `--platform=linux\/amd64` differs from the platforms built \(from-platform-constant\)$/,
      }),
      at('unresolved-value', 'info', 'svc/Dockerfile', 1, 1, {
        message:
          /^nothing in the repository builds svc\/Dockerfile, so its build context is not known; not checked: which file `-r requirements\.txt` installs \(lockfile-python-mismatch\)$/,
      }),
    ],
  },
  {
    name: '`"$@"` forwards the caller\'s literal `--build-arg BASE=…`: the ARG is passed, so there is no "nothing passes the ARG" note',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        'app/Dockerfile': argBase,
        'build.sh': '#!/bin/sh\ndocker build "$@" -t acme/api app\n',
        [WF]: 'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - run: ./build.sh --build-arg BASE=python:3.12-slim\n',
      },
    },
    only: ['unresolved-value'],
    expect: [],
  },
  {
    name: 'an unknown `"$@"` may pass `--build-arg BASE=…`: the base is unknown (note at `$@`), not the ARG default',
    rules: [healthcheckToolMissing],
    repo: {
      files: {
        'app/Dockerfile': argBase.replace('ARG BASE', 'ARG BASE=python:3.12-slim'),
        'build.sh': '#!/bin/sh\ndocker build "$@" -t acme/api app\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'build.sh', 2, 14, {
        message:
          /^`\$@` are the arguments given by whoever runs this; not checked: whether the image has `curl`/,
      }),
    ],
  },
]);

/** A rule whose check needs a value it cannot place in a file. */
const siteless = createRule<'never'>({
  meta: {
    id: 'siteless',
    severity: 'error',
    category: 'meta',
    summary: 'leaves an unknown without a site',
    messages: { never: 'never' },
    hint: 'none',
  },
  check(ctx) {
    ctx.unknown(unknown('effects', 'what the release service does is not known'), 'whether it pushes');
  },
});

ruleTest(unresolvedValue, [
  {
    name: 'an unknown without a site is reported at the repository level, not dropped',
    rules: [siteless],
    repo: { files: { Dockerfile: 'FROM alpine\n' } },
    expect: [
      at('unresolved-value', 'info', '', 1, 1, {
        message: /^what the release service does is not known; not checked: whether it pushes \(siteless\)$/,
      }),
    ],
  },
]);
