import rule from '../../src/rules/missing-file.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const API_DOCKERFILE = [
  'FROM python:3.12-slim',
  'WORKDIR /app',
  'COPY requirements.txt .',
  'COPY .env.example /app/.env',
  'COPY local_settings.py /app/',
  'COPY secrets.json /app/',
  'COPY config/ /app/config/',
  'COPY src/*.py /app/',
  'COPY docs/*.md /app/docs/',
  'COPY --from=builder /wheels /wheels',
  'ADD https://example.com/x.tgz /tmp/',
  '',
].join('\n');

/** api/ with one source of each kind: tracked, absent, untracked, git-ignored, .dockerignored, an unmatched glob. */
const api = (extra: Record<string, string> = {}) => ({
  files: {
    'api/Dockerfile': API_DOCKERFILE,
    'api/requirements.txt': 'flask==3.0.0\n',
    'api/config/app.toml': 'x=1\n',
    'api/src/main.py': 'print(1)\n',
    'api/.dockerignore': '# keep images small\nconfig\n',
    ...extra,
  },
  untracked: { 'api/local_settings.py': 'DEBUG=True\n' },
  ignored: { 'api/secrets.json': '{}' },
});

const BUILT = 'images:\n  reg/app:\n    context: .\n';
const wf = (steps: string) =>
  `on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${steps}`;

ruleTest(rule, [
  {
    name: 'absent, untracked, git-ignored, .dockerignored and unmatched sources of a built context are each reported distinctly',
    repo: api({ 'crossdock.yaml': 'images:\n  reg/api:\n    context: api\n' }),
    expect: [
      at('missing-file', 'error', 'api/Dockerfile', 4, 6, {
        message:
          /`.env.example` does not exist in the build context `api` \(as its build definition sets it\)/,
        sites: ['crossdock.yaml:1'],
      }),
      at('missing-file', 'error', 'api/Dockerfile', 5, 6, { message: /not committed \(untracked\)/ }),
      at('missing-file', 'error', 'api/Dockerfile', 6, 6, { message: /ignored by git/ }),
      at('missing-file', 'error', 'api/Dockerfile', 7, 6, {
        message: /excluded from the build context by api\/.dockerignore/,
      }),
      at('missing-file', 'warning', 'api/Dockerfile', 9, 6, {
        message:
          /`docs\/\*\.md` matches no committed file in the build context `api`: BuildKit copies nothing/,
      }),
    ],
  },
  {
    name: 'two builds of one Dockerfile missing the same file are one finding, with both build sites (the message names no build)',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nCOPY .env.example /app/.env\n',
        'crossdock.yaml': 'images:\n  reg/api:\n    context: api\n',
        '.github/workflows/ci.yml': wf('      - run: docker build -t reg/api2 api\n'),
      },
    },
    expect: [
      at('missing-file', 'error', 'api/Dockerfile', 2, 6, {
        message:
          /^`.env.example` does not exist in the build context `api` \(as its build definition sets it\)/,
        sites: ['.github/workflows/ci.yml:7', 'crossdock.yaml:1'],
      }),
    ],
  },
  {
    name: 'unknown context: for the same Dockerfile nothing builds, only what is missing under every candidate context (api, .) is reported (absentEvery, capped at warning); untracked/ignored/.dockerignored in api but absent at the root are no longer guessed',
    repo: api(),
    expect: [
      at('missing-file', 'warning', 'api/Dockerfile', 4, 6, {
        message:
          /`.env.example` does not exist under any folder this Dockerfile can be built from \(`api`, `.`\)/,
        reachable: false,
      }),
      at('missing-file', 'warning', 'api/Dockerfile', 9, 6, {
        message:
          /`docs\/\*\.md` matches no committed file under any folder this Dockerfile can be built from \(`api`, `.`\): BuildKit copies nothing/,
      }),
    ],
  },
  {
    name: 'unknown context: a source found under one candidate (the root) is not claimed missing; one missing everywhere is (the root is no longer assumed)',
    repo: {
      files: {
        'docker/api.Dockerfile':
          'FROM python:3.12-slim\nCOPY services/api /app\nCOPY services/api/.env.example /app/.env\n',
        'services/api/main.py': 'x',
      },
    },
    expect: [at('missing-file', 'warning', 'docker/api.Dockerfile', 3, 6, { message: /\(`docker`, `.`\)/ })],
  },
  {
    name: 'unknown context: untracked under every candidate is reported; untracked in one and absent in another is not',
    repo: {
      files: { 'api/Dockerfile': 'FROM python:3.12-slim\nCOPY local.py /app/\nCOPY both.py /app/\n' },
      untracked: { 'api/local.py': 'x', 'local.py': 'x', 'api/both.py': 'x' },
    },
    expect: [at('missing-file', 'warning', 'api/Dockerfile', 2, 6, { message: /untracked/ })],
  },
  {
    name: 'a source absent from a built context is an error at the source',
    repo: { files: { Dockerfile: 'FROM python:3.12-slim\nCOPY app.py /app/\n', 'crossdock.yaml': BUILT } },
    expect: [at('missing-file', 'error', 'Dockerfile', 2, 6, { reachable: true })],
  },
  {
    name: 'condition: the same source committed: nothing',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nCOPY app.py /app/\n',
        'app.py': 'x',
        'crossdock.yaml': BUILT,
      },
    },
    expect: [],
  },
  {
    name: 'condition: a clean repository reports nothing, also outside git',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nARG APP=app\nCOPY $APP/ /srv/\nCOPY requirements*.txt ./\n',
        'app/x.py': 'x',
        'requirements.txt': 'x\n',
        'crossdock.yaml': BUILT,
      },
    },
    expect: [],
  },
  {
    name: 'condition: outside git every file on disk is present (untracked is not a state); an absent file still is missing',
    repo: {
      noGit: true,
      files: {
        Dockerfile: 'FROM python:3.12-slim\nCOPY local.py /app/\nCOPY absent.py /app/\n',
        'crossdock.yaml': BUILT,
      },
      untracked: { 'local.py': 'x' },
    },
    expect: [
      at('missing-file', 'error', 'Dockerfile', 3, 6, { message: /does not exist in the build context `.`/ }),
    ],
  },
  {
    name: 'a .dockerignore exception re-includes a file; a <Dockerfile>.dockerignore replaces the context’s .dockerignore',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nCOPY config/ /c/\nCOPY docs/keep.md /d/\nCOPY docs/drop.md /d/\n',
        'app.Dockerfile': 'FROM python:3.12-slim\nCOPY a.txt /a\nCOPY b.txt /b\n',
        'config/a.toml': 'x',
        'docs/keep.md': 'x',
        'docs/drop.md': 'x',
        'a.txt': 'x',
        'b.txt': 'x',
        '.dockerignore': 'docs\n!docs/keep.md\na.txt\n',
        'app.Dockerfile.dockerignore': 'b.txt\n',
        'crossdock.yaml':
          'images:\n  reg/app:\n    context: .\n  reg/other:\n    context: .\n    dockerfile: app.Dockerfile\n',
      },
    },
    expect: [
      at('missing-file', 'error', 'Dockerfile', 4, 6, {
        message: /excluded from the build context by .dockerignore/,
      }),
      at('missing-file', 'error', 'app.Dockerfile', 3, 6, { message: /by app.Dockerfile.dockerignore/ }),
    ],
  },
  {
    name: 'the file is next to the Dockerfile but the build sends the root: reported at the context the build sets',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nCOPY main.py /app/\n',
        'api/main.py': 'x',
        '.github/workflows/ci.yml': wf(
          '      - run: docker build -t reg/api -f api/Dockerfile .\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          file: api/Dockerfile\n          tags: reg/api\n',
        ),
      },
    },
    expect: [
      at('missing-file', 'error', '.github/workflows/ci.yml', 7, 56, {
        message:
          /this build sends context `.`, which does not contain `main.py` that api\/Dockerfile copies \(line 2; it is at `api\/main.py`\)/,
      }),
      at('missing-file', 'error', '.github/workflows/ci.yml', 10, 20),
    ],
  },
  {
    name: 'wrong context from crossdock.yaml images: reported at crossdock.yaml',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nCOPY main.py /app/\n',
        'api/main.py': 'x',
        'crossdock.yaml': 'images:\n  reg/api:\n    context: .\n    dockerfile: api/Dockerfile\n',
      },
    },
    expect: [
      at('missing-file', 'error', 'crossdock.yaml', 1, 1, { message: /this build sends context `.`/ }),
    ],
  },
  {
    name: 'condition: the same build with context api has the file: nothing',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nCOPY main.py /app/\n',
        'api/main.py': 'x',
        'crossdock.yaml': 'images:\n  reg/api:\n    context: api\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition: files an earlier step (or an earlier command of the same step) creates are not claimed absent; others are',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nCOPY gen/ /app/gen/\nCOPY wheels/ /w/\n',
        'web/Dockerfile': 'FROM python:3.12-slim\nCOPY gen/ /app/gen/\nCOPY x /x\n',
        '.github/workflows/ci.yml': wf(
          '      - run: mkdir -p api/gen\n      - run: docker build -t reg/api api\n      - run: |\n          mkdir -p web/gen\n          docker build -t reg/web web\n',
        ),
      },
    },
    expect: [
      at('missing-file', 'error', 'api/Dockerfile', 3, 6, { sites: ['.github/workflows/ci.yml:8'] }),
      at('missing-file', 'error', 'web/Dockerfile', 3, 6, { sites: ['.github/workflows/ci.yml:11'] }),
    ],
  },
  {
    name: 'unknown: a step before the build runs a program that may create files: no claim, a note at that step',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nCOPY gen/ /app/gen/\n',
        '.github/workflows/ci.yml': wf(
          '      - run: ./scripts/gen.sh\n      - run: docker build -t reg/api api\n',
        ),
      },
    },
    expect: [
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 7, 14, {
        message:
          /the step "\.\/scripts\/gen\.sh" runs before this build and may create files; not checked: whether `gen\/` exists/,
      }),
    ],
  },
  {
    name: 'unknown: a script line before the build (`npm run build`) may create any file: no claim, one note at that line',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\nCOPY dist/ /app/\nCOPY nope /n\n',
        'build.sh': '#!/bin/sh\nset -e\nnpm run build\ndocker build -t reg/api api\n',
        '.github/workflows/ci.yml': wf('      - run: ./build.sh\n'),
      },
    },
    expect: [
      at('unresolved-value', 'info', 'build.sh', 3, 1, {
        message:
          /`npm run build` runs before this build and may create files; not checked: whether `dist\/` exists .*; whether `nope` exists/,
      }),
    ],
  },
  {
    name: 'unknown: a source from an ARG nothing passes (a note at the ARG), or a variable the base may set (a note at the source): no claim',
    repo: {
      files: {
        Dockerfile: 'ARG SRC\nFROM python:3.12-slim\nARG SRC\nCOPY $SRC/x /app/\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nCOPY $UNDECLARED /x/\n',
        'crossdock.yaml': 'images:\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 5, {
        message:
          /ARG SRC has no default and no build site in the repository passes it; not checked: whether `\$SRC\/x` is in the build context/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 2, 6, { message: /`\$UNDECLARED` is not declared/ }),
    ],
  },
  {
    name: 'unknown: a stage-level `ARG SRC` without a default (no global one) in a Dockerfile nothing builds is unknown too, not empty: a note, not absentEvery',
    repo: { files: { 'app/Dockerfile': 'FROM python:3.12-slim\nARG SRC\nCOPY $SRC/x /app/\n' } },
    expect: [
      at('unresolved-value', 'info', 'app/Dockerfile', 2, 5, {
        message:
          /ARG SRC has no default and no build site in the repository passes it; not checked: whether `\$SRC\/x` is in the build context/,
      }),
    ],
  },
  {
    name: 'condition: sources that are not context paths are skipped: --from, URLs, git, heredocs, `..` (copy-outside-context’s); a stage not built is not checked',
    repo: {
      files: {
        Dockerfile:
          'FROM python:3.12-slim AS dev\nCOPY dev-only.txt /x\nFROM python:3.12-slim\nCOPY --from=builder /wheels /wheels\nADD https://example.com/x.tgz /tmp/\nADD git@github.com:a/b.git /src\nCOPY <<EOF /etc/x\nhello\nEOF\nCOPY ../outside /o\n',
        'crossdock.yaml': BUILT,
      },
    },
    expect: [],
  },
  {
    name: 'a build context or Dockerfile a workflow names that is not in the repository is reported at the workflow',
    repo: {
      files: {
        'api/Dockerfile': 'FROM python:3.12-slim\n',
        '.github/workflows/ci.yml': wf(
          '      - run: docker build -t reg/api ./nope\n      - run: docker build -t reg/x -f missing/Dockerfile api\n',
        ),
      },
    },
    expect: [
      at('missing-file', 'error', '.github/workflows/ci.yml', 7, 38, {
        message: /`nope` \(the build context\) does not exist/,
      }),
      at('missing-file', 'error', '.github/workflows/ci.yml', 8, 39, {
        message: /`missing\/Dockerfile` \(the Dockerfile\) does not exist/,
      }),
    ],
  },
  {
    name: 'compose: a missing build context is an error; an env_file with a committed example next to it is info',
    repo: {
      files: {
        'compose.yaml': 'services:\n  a:\n    image: alpine\n    env_file: .env\n  b:\n    build: ./b\n',
        '.env.example': 'A=1\n',
      },
    },
    expect: [
      at('missing-file', 'error', 'compose.yaml', 6, 12, { message: /`b` \(the build context\)/ }),
      at('missing-file', 'info', 'compose.yaml', 4, 15, {
        message: /\.env\.example is the template to copy/,
      }),
    ],
  },
  {
    name: 'compose run by a workflow: a missing env_file without an example fails that run',
    repo: {
      files: {
        'compose.yaml': 'services:\n  a:\n    image: alpine\n    env_file: .env\n',
        '.github/workflows/ci.yml': wf('      - run: docker compose up -d\n'),
      },
    },
    expect: [at('missing-file', 'error', 'compose.yaml', 4, 15)],
  },
  {
    name: 'compose nothing in the repository runs: a missing env_file without an example is for whoever runs it to create (info)',
    repo: { files: { 'compose.yaml': 'services:\n  a:\n    image: alpine\n    env_file: .env\n' } },
    expect: [
      at('missing-file', 'info', 'compose.yaml', 4, 15, {
        message:
          /nothing here runs this compose file, so whoever runs `docker compose up` must create it first/,
      }),
    ],
  },
  {
    name: 'condition: a committed env_file is fine',
    repo: {
      files: { 'compose.yaml': 'services:\n  a:\n    image: alpine\n    env_file: .env\n', '.env': 'A=1\n' },
    },
    expect: [],
  },
  {
    name: 'kustomize resources that are not in the repository are reported at their entries',
    repo: {
      files: {
        'k/kustomization.yaml': 'resources:\n  - app.yaml\n  - ../base\n  - ok.yaml\n',
        'k/ok.yaml': 'x: 1\n',
      },
    },
    expect: [
      at('missing-file', 'error', 'k/kustomization.yaml', 2, 5, {
        message: /`k\/app.yaml` \(a kustomize resource\)/,
      }),
      at('missing-file', 'error', 'k/kustomization.yaml', 3, 5, {
        message: /`base` \(a kustomize resource\)/,
      }),
    ],
  },
  {
    name: 'a workflow step copying a file that is not committed is reported at the source; after a step with unknown effects only a note',
    repo: {
      files: {
        '.github/workflows/ci.yml': `${wf('      - run: cp .env.example .env\n')}  c:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./x.sh\n      - run: cp config.sample config\n`,
      },
    },
    expect: [
      at('missing-file', 'error', '.github/workflows/ci.yml', 7, 17, {
        message: /`.env.example` \(copied by this step\)/,
      }),
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 11, 14, {
        message:
          /an earlier step of this job runs a program that may create files; not checked: whether config.sample exists/,
      }),
    ],
  },
  {
    name: 'a step with known outputs (`cp .env.example .env`) creates only those: a later copy of one of them is fine, of another file is still reported',
    repo: {
      files: {
        '.env.example': 'A=1\n',
        '.github/workflows/ci.yml': wf(
          '      - run: cp .env.example .env\n      - run: cp .env .env.bak\n      - run: cp config.sample config\n',
        ),
      },
    },
    expect: [
      at('missing-file', 'error', '.github/workflows/ci.yml', 9, 17, {
        message: /`config.sample` \(copied by this step\)/,
      }),
    ],
  },
]);
