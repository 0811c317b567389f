// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold compose and workflow `${…}` text literally.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/missing-file.js';
import { checkRepo } from '../helpers/check.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/** Every message pinned whole with its related locations, and one case per condition of the rule. */
const R = rule.meta.id;
const wf = (steps: string) =>
  `on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${steps}`;
const images = (context: string, dockerfile?: string) =>
  `images:\n  reg/app:\n    context: ${context}\n${dockerfile ? `    dockerfile: ${dockerfile}\n` : ''}`;
const PY = 'FROM python:3.12-slim\n';
/** One COPY of each kind of missing source: absent, untracked, git-ignored, .dockerignored, an unmatched glob. */
const EACH = `${PY}COPY missing.py /a/\nCOPY local.py /a/\nCOPY secret.json /a/\nCOPY conf/ /a/\nCOPY docs/*.md /d/\n`;
const NOT_FOUND = 'the build fails with "not found"';
const CLEAN_CI = 'so a clean CI checkout lacks it and the build fails there';
const NO_MATCH =
  'BuildKit copies nothing and the image lacks what this COPY was written for \\(the classic builder fails\\)';
const setHere = (context: string) => `crossdock.yaml:1 the build context \`${context}\` is set here`;

ruleTest(rule, [
  {
    name: 'messages: absent, untracked, git-ignored, .dockerignored and unmatched sources of a built context, each with where the context is set (or the ignore file)',
    repo: {
      files: {
        'api/Dockerfile': EACH,
        'api/conf/a.toml': 'x',
        'api/.dockerignore': 'conf\n',
        'crossdock.yaml': images('api'),
      },
      untracked: { 'api/local.py': 'x' },
      ignored: { 'api/secret.json': '{}' },
    },
    expect: [
      at(R, 'error', 'api/Dockerfile', 2, 6, {
        message: new RegExp(
          `^\`missing\\.py\` does not exist in the build context \`api\` \\(as its build definition sets it\\): ${NOT_FOUND}$`,
        ),
        related: [setHere('api')],
      }),
      at(R, 'error', 'api/Dockerfile', 3, 6, {
        message: new RegExp(
          `^\`local\\.py\` exists on this machine but is not committed \\(untracked\\), ${CLEAN_CI}$`,
        ),
        related: [setHere('api')],
      }),
      at(R, 'error', 'api/Dockerfile', 4, 6, {
        message: new RegExp(`^\`secret\\.json\` is ignored by git \\(\\.gitignore\\), ${CLEAN_CI}$`),
        related: [setHere('api')],
      }),
      at(R, 'error', 'api/Dockerfile', 5, 6, {
        message:
          /^`conf\/` is excluded from the build context by api\/\.dockerignore, so COPY finds nothing$/,
        related: ['api/.dockerignore:1 excluded by api/.dockerignore'],
      }),
      at(R, 'warning', 'api/Dockerfile', 6, 6, {
        message: new RegExp(
          `^\`docs/\\*\\.md\` matches no committed file in the build context \`api\`: ${NO_MATCH}$`,
        ),
        related: [setHere('api')],
      }),
    ],
  },
  {
    name: 'messages: unknown context, missing under every candidate (absentEvery, noMatchEvery, untracked, ignored); .dockerignored under every candidate is not claimed',
    repo: {
      files: {
        'api/Dockerfile': EACH,
        'api/conf/a.toml': 'x',
        'conf/a.toml': 'x',
        'api/.dockerignore': 'conf\n',
        '.dockerignore': 'conf\n',
      },
      untracked: { 'api/local.py': 'x', 'local.py': 'x' },
      ignored: { 'api/secret.json': '{}', 'secret.json': '{}' },
    },
    expect: [
      at(R, 'warning', 'api/Dockerfile', 2, 6, {
        message:
          /^`missing\.py` does not exist under any folder this Dockerfile can be built from \(`api`, `\.`\): every build of it fails with "not found"$/,
        related: [],
      }),
      at(R, 'warning', 'api/Dockerfile', 3, 6, {
        message: new RegExp(
          `^\`local\\.py\` exists on this machine but is not committed \\(untracked\\), ${CLEAN_CI}$`,
        ),
        related: [],
      }),
      at(R, 'warning', 'api/Dockerfile', 4, 6, {
        message: new RegExp(`^\`secret\\.json\` is ignored by git \\(\\.gitignore\\), ${CLEAN_CI}$`),
        related: [],
      }),
      at(R, 'warning', 'api/Dockerfile', 6, 6, {
        message: new RegExp(
          `^\`docs/\\*\\.md\` matches no committed file under any folder this Dockerfile can be built from \\(\`api\`, \`\\.\`\\): ${NO_MATCH}$`,
        ),
        related: [],
      }),
    ],
  },
  {
    name: 'condition "a glob matches under one candidate": unknown context, `src/*.py` matches at the root but not in docker/: not claimed',
    repo: { files: { 'docker/Dockerfile': `${PY}COPY src/*.py /app/\n`, 'src/a.py': 'x' } },
    expect: [],
  },
  {
    name: 'message: wrongContext lists each source once (in COPY order) and relates every COPY; an untracked source found elsewhere stays untracked',
    repo: {
      files: {
        'api/Dockerfile': `${PY}COPY main.py /app/\nCOPY main.py /srv/\nCOPY util.py /u/\nCOPY local.py /l/\n`,
        'api/main.py': 'x',
        'api/util.py': 'x',
        'api/local.py': 'x',
        'crossdock.yaml': images('.', 'api/Dockerfile'),
      },
      untracked: { 'local.py': 'x' },
    },
    expect: [
      at(R, 'error', 'api/Dockerfile', 5, 6, { message: /^`local\.py` exists on this machine/ }),
      at(R, 'error', 'crossdock.yaml', 1, 1, {
        message: new RegExp(
          `^this build sends context \`\\.\`, which does not contain \`main\\.py\`, \`util\\.py\` that api/Dockerfile copies \\(line 2; it is at \`api/main\\.py\`, line 4; it is at \`api/util\\.py\`\\): ${NOT_FOUND}$`,
        ),
        related: ['api/Dockerfile:2 `main.py` is copied here', 'api/Dockerfile:4 `util.py` is copied here'],
      }),
    ],
  },
  {
    name: 'message: a context the build infers (a script nothing runs, `-f docker/app.Dockerfile .`) is named with why it is the one',
    repo: {
      files: {
        'docker/app.Dockerfile': `${PY}COPY missing.py /x/\n`,
        'scripts/build.sh': 'docker build -t reg/app -f docker/app.Dockerfile .\n',
      },
    },
    expect: [
      at(R, 'error', 'docker/app.Dockerfile', 2, 6, {
        message: new RegExp(
          `^\`missing\\.py\` does not exist in the build context \`\\.\` \\(the only folder it can run from for docker/app\\.Dockerfile to exist\\): ${NOT_FOUND}$`,
        ),
        related: ['scripts/build.sh:1 the build context `.` is set here'],
      }),
    ],
  },
  {
    name: 'condition "instructions that copy": ADD and COPY --chown sources are checked; RUN words are not; a leading `/` is the context root',
    repo: {
      files: {
        Dockerfile: `${PY}RUN pip install flask\nADD vendor.tgz /v/\nCOPY --chown=app:app app.py /app/\nCOPY /main.py /app/\n`,
        'main.py': 'x',
        'crossdock.yaml': images('.'),
      },
    },
    expect: [
      at(R, 'error', 'Dockerfile', 3, 5, {
        message: /^`vendor\.tgz` does not exist in the build context `\.`/,
      }),
      at(R, 'error', 'Dockerfile', 4, 22, { message: /^`app\.py` does not exist in the build context `\.`/ }),
    ],
  },
  {
    name: 'condition "`..` is copy-outside-context’s": with context api, `../shared/x` (shared/x from the root) is not claimed absent',
    repo: { files: { 'api/Dockerfile': `${PY}COPY ../shared/x /x\n`, 'crossdock.yaml': images('api') } },
    expect: [],
  },
  {
    name: 'condition "the context itself": `COPY . /src/` is not .dockerignored even when .dockerignore excludes every file; a file it excludes is',
    repo: {
      files: {
        Dockerfile: `${PY}COPY . /src/\nCOPY main.py /app/\n`,
        'main.py': 'x',
        '.dockerignore': '*\n',
        'crossdock.yaml': images('.'),
      },
    },
    expect: [at(R, 'error', 'Dockerfile', 3, 6, { message: /^`main\.py` is excluded .* by \.dockerignore/ })],
  },
  {
    name: 'condition ".dockerignore applies to a glob\'s matches": `docs/*.md` whose only match is excluded matches nothing',
    repo: {
      files: {
        Dockerfile: `${PY}COPY docs/*.md /d/\n`,
        'docs/a.md': 'x',
        '.dockerignore': 'docs\n',
        'crossdock.yaml': images('.'),
      },
    },
    expect: [at(R, 'warning', 'Dockerfile', 2, 6, { message: /^`docs\/\*\.md` matches no committed file/ })],
  },
  {
    name: 'condition "a folder is excluded only when files below it are": a submodule (gitlink, no files listed) with a .dockerignore is not claimed excluded',
    repo: {
      files: {
        Dockerfile: `${PY}COPY lib /lib/\n`,
        '.dockerignore': 'docs\n',
        'crossdock.yaml': images('.'),
      },
      gitlinks: { lib: '0123456789abcdef0123456789abcdef01234567' },
    },
    expect: [],
  },
  {
    name: 'condition "generated before the build": an earlier step that creates untracked or git-ignored sources makes them present; a .dockerignored one stays excluded',
    repo: {
      files: {
        'api/Dockerfile': `${PY}COPY conf/ /c/\nCOPY local.py /l/\nCOPY secret.json /s/\n`,
        'api/conf/a.toml': 'x',
        'api/.dockerignore': 'conf\n',
        '.github/workflows/ci.yml': wf(
          '      - run: |\n          touch api/conf/b.toml\n          touch api/local.py\n          touch api/secret.json\n      - run: docker build -t reg/api api\n',
        ),
      },
      untracked: { 'api/local.py': 'x' },
      ignored: { 'api/secret.json': '{}' },
    },
    expect: [
      at(R, 'error', 'api/Dockerfile', 2, 6, {
        message: /^`conf\/` is excluded from the build context by api\/\.dockerignore/,
        sites: ['.github/workflows/ci.yml:11'],
      }),
    ],
  },
  {
    name: 'unknown: a build-push-action context from a workflow input (no candidate folder): a note at the input, no claim',
    repo: {
      files: {
        'app/Dockerfile': `${PY}COPY x.py /x/\n`,
        '.github/workflows/ci.yml':
          'on:\n  workflow_dispatch:\n    inputs:\n      ctx:\n        type: string\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/build-push-action@v6\n        with:\n          context: ${{ inputs.ctx }}\n          file: app/Dockerfile\n          tags: reg/a:1\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 13, 20, {
        message:
          /^`\$\{\{ inputs\.ctx \}\}` is evaluated by GitHub Actions when the workflow runs; not checked: whether `x\.py` is in the build context \(missing-file\)$/,
      }),
    ],
  },
  // Files that build definitions, compose, workflows and kustomizations name.
  {
    name: 'a crossdock.yaml image whose context does not exist is reported at crossdock.yaml (its Dockerfile is not checked under a missing context)',
    repo: { files: { 'api/Dockerfile': PY, 'crossdock.yaml': images('nope', 'api/Dockerfile') } },
    expect: [
      at(R, 'error', 'crossdock.yaml', 1, 1, {
        message:
          /^`nope` \(the build context\) does not exist in the repository: a clean CI checkout fails here$/,
      }),
    ],
  },
  {
    name: 'messages: a build context and Dockerfile only on this machine (untracked), a git-ignored kustomize resource; a remote resource is not a path',
    repo: {
      files: {
        '.github/workflows/ci.yml': wf('      - run: docker build -t reg/a ./ctx\n'),
        'k/kustomization.yaml': 'resources:\n  - secret.yaml\n  - https://github.com/acme/base//k8s?ref=v1\n',
      },
      untracked: { 'ctx/Dockerfile': 'FROM alpine\n' },
      ignored: { 'k/secret.yaml': 'x: 1\n' },
    },
    expect: [
      at(R, 'error', '.github/workflows/ci.yml', 7, 14, {
        message:
          /^`ctx\/Dockerfile` \(the Dockerfile\) exists on this machine but is not committed, so a clean CI checkout lacks it$/,
      }),
      at(R, 'error', '.github/workflows/ci.yml', 7, 36, {
        message:
          /^`ctx` \(the build context\) exists on this machine but is not committed, so a clean CI checkout lacks it$/,
      }),
      at(R, 'error', 'k/kustomization.yaml', 2, 5, {
        message:
          /^`k\/secret\.yaml` \(a kustomize resource\) is ignored by git, so a clean CI checkout lacks it$/,
      }),
    ],
  },
  {
    name: 'condition "generated before the build" (build contexts): a folder an earlier step creates is not missing; after a step that may create anything, a note',
    repo: {
      files: {
        '.github/workflows/ci.yml': wf(
          '      - run: mkdir -p out\n      - run: docker build -t reg/o out\n      - run: ./gen.sh\n      - run: docker build -t reg/g gen\n',
        ),
      },
    },
    expect: [
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 9, 14, {
        message:
          /^the step "\.\/gen\.sh" runs before this build and may create files; not checked: whether gen exists when the build runs \(missing-file\)$/,
      }),
    ],
  },
  {
    name: 'messages: env_files: the template next to each compose file (whatever its name); untracked is still untracked; one in another folder than the template is for whoever runs it; `${VAR}` paths are not checked',
    repo: {
      files: {
        'a/compose.yaml': 'services:\n  a:\n    image: alpine\n    env_file: .env\n',
        'a/.env.template': 'A=\n',
        'c/compose.yaml': 'services:\n  c:\n    image: alpine\n    env_file: .env\n',
        'deploy/compose.yaml':
          'services:\n  d:\n    image: alpine\n    env_file:\n      - .env\n      - config/app.env\n      - .env.${STAGE}\n',
        'deploy/.env.sample': 'A=\n',
      },
      untracked: { 'c/.env': 'A=1\n' },
    },
    expect: [
      at(R, 'info', 'a/compose.yaml', 4, 15, {
        message:
          /^`a\/\.env` \(an env_file\) is not committed; a\/\.env\.template is the template to copy: `docker compose up` on a fresh checkout fails until it is created$/,
      }),
      at(R, 'error', 'c/compose.yaml', 4, 15, {
        message:
          /^`c\/\.env` \(an env_file\) exists on this machine but is not committed, so a clean CI checkout lacks it$/,
      }),
      at(R, 'info', 'deploy/compose.yaml', 5, 9, {
        message:
          /^`deploy\/\.env` \(an env_file\) is not committed; deploy\/\.env\.sample is the template to copy/,
      }),
      at(R, 'info', 'deploy/compose.yaml', 6, 9, {
        message:
          /^`deploy\/config\/app\.env` \(an env_file\) is not in the repository: nothing here runs this compose file, so whoever runs `docker compose up` must create it first$/,
      }),
    ],
  },
  {
    name: 'message: an env_file of a compose file a workflow runs, absent and without a template',
    repo: {
      files: {
        'compose.yaml': 'services:\n  a:\n    image: alpine\n    env_file: .env\n',
        '.github/workflows/ci.yml': wf('      - run: docker compose up -d\n'),
      },
    },
    expect: [
      at(R, 'error', 'compose.yaml', 4, 15, {
        message: /^`\.env` \(an env_file\) does not exist in the repository: a clean CI checkout fails here$/,
      }),
    ],
  },
  // Workflow steps that copy a file.
  {
    name: 'messages: a step copies a file that is untracked, one that is git-ignored',
    repo: {
      files: {
        '.github/workflows/ci.yml': wf('      - run: cp local.env .env\n      - run: cp secret.env .env\n'),
      },
      untracked: { 'local.env': 'A=1\n' },
      ignored: { 'secret.env': 'A=1\n' },
    },
    expect: [
      at(R, 'error', '.github/workflows/ci.yml', 7, 17, {
        message:
          /^`local\.env` \(copied by this step\) exists on this machine but is not committed, so a clean CI checkout lacks it$/,
      }),
      at(R, 'error', '.github/workflows/ci.yml', 8, 17, {
        message: /^`secret\.env` \(copied by this step\) is ignored by git, so a clean CI checkout lacks it$/,
      }),
    ],
  },
  {
    name: 'condition "present outside git": a step copying a file on disk in a folder that is not a git repository: nothing',
    repo: {
      noGit: true,
      files: {
        '.env.example': 'A=1\n',
        '.github/workflows/ci.yml': wf('      - run: cp .env.example .env\n'),
      },
    },
    expect: [],
  },
  {
    name: 'condition "created in the step\'s working directory": `touch .env` in app/ creates app/.env for a later `cp app/.env …`',
    repo: {
      files: {
        '.github/workflows/ci.yml': wf(
          '      - run: touch .env\n        working-directory: app\n      - run: cp app/.env app/.env.bak\n      - run: cp .env .env.bak\n',
        ),
      },
    },
    expect: [
      at(R, 'error', '.github/workflows/ci.yml', 10, 17, {
        message: /^`\.env` \(copied by this step\) does not exist in the repository/,
      }),
    ],
  },
  {
    name: 'condition "actions known to create nothing": after actions/setup-node a missing copy source is still an error',
    repo: {
      files: {
        '.github/workflows/ci.yml': wf('      - uses: actions/setup-node@v4\n      - run: cp a.sample a\n'),
      },
    },
    expect: [
      at(R, 'error', '.github/workflows/ci.yml', 8, 17, {
        message: /^`a\.sample` \(copied by this step\) does not exist in the repository/,
      }),
    ],
  },
  {
    name: 'condition "actions known to create nothing" (anchored): `acme/docker/generate` is not a docker/ action: a note, no claim',
    repo: {
      files: {
        '.github/workflows/ci.yml': wf('      - uses: acme/docker/generate@v1\n      - run: cp a.sample a\n'),
      },
    },
    expect: [
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 7, 15, {
        message:
          /^an earlier step of this job runs a program that may create files; not checked: whether a\.sample exists when this step runs \(missing-file\)$/,
      }),
    ],
  },
  {
    name: 'condition "any command with unknown effects": a step running `echo` then `./gen.sh` may create files: a note, no claim',
    repo: {
      files: {
        '.github/workflows/ci.yml': wf(
          '      - run: |\n          echo start\n          ./gen.sh\n      - run: cp a.sample a\n',
        ),
      },
    },
    expect: [
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 7, 14, {
        message: /not checked: whether a\.sample exists when this step runs/,
      }),
    ],
  },
  {
    name: 'condition "a step without run or uses": it creates nothing, a later missing copy source is an error',
    repo: {
      files: { '.github/workflows/ci.yml': wf('      - name: nothing\n      - run: cp a.sample a\n') },
    },
    expect: [at(R, 'error', '.github/workflows/ci.yml', 8, 17)],
  },
]);

test('missing-file: a finding carries the rule hint', async () => {
  const findings = await checkRepo(
    { files: { Dockerfile: `${PY}COPY app.py /app/\n`, 'crossdock.yaml': images('.') } },
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => f.hint),
    [
      'commit the file (`git add`), fix the path, or adjust .gitignore/.dockerignore; for secrets use a committed example (e.g. `.env.example`) or a build secret',
    ],
  );
});
