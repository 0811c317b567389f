import assert from 'node:assert/strict';
import { test } from 'node:test';
import missingFile from '../../src/rules/missing-file.js';
import rule from '../../src/rules/parse-error.js';
import workflowInvalid from '../../src/rules/workflow-invalid.js';
import { loadRepo } from '../helpers/check.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

/** crossdock.yaml that makes the root Dockerfile (context `.`) reached. */
const BUILT = 'images:\n  reg/app:\n    context: .\n';

ruleTest(rule, [
  {
    name: 'broken files become parse-error findings with positions; files nothing builds or deploys are warnings now, .gitmodules is always reached',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nRUN <<EOF\npip install x\n',
        'pyproject.toml': '[project]\nname = "x"\nrequires-python = \n',
        'web/package.json': '{"name": "web",\n  "engines": {"node": ">=20"\n}',
        '.gitmodules': '[submodule "lib"\n\tpath = lib\n',
        'api/Dockerfile': 'FROM python:3.12-slim\nFRUM x\n',
      },
    },
    expect: [
      at('parse-error', 'error', '.gitmodules', 1, 1, {
        message: /malformed section header/,
        reachable: true,
      }),
      at('parse-error', 'error', '.gitmodules', 2, 2, { message: /outside any \[submodule/ }),
      at('parse-error', 'warning', 'Dockerfile', 2, 5, {
        message: /heredoc <<EOF is never terminated/,
        reachable: false,
      }),
      at('parse-error', 'warning', 'api/Dockerfile', 2, 1, { message: /unknown instruction FRUM/ }),
      at('parse-error', 'warning', 'pyproject.toml', 4, 1, { message: /invalid TOML/ }),
      at('parse-error', 'warning', 'web/package.json', 3, 2, { message: /invalid JSON/ }),
    ],
  },
  {
    name: 'condition: a broken Dockerfile a build site builds is an error, and the other rules still run',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nCOPY app.py /app/\nRUN <<EOF\npip install x\n',
        'crossdock.yaml': BUILT,
      },
    },
    rules: [missingFile],
    only: ['parse-error', 'missing-file'],
    expect: [
      at('missing-file', 'error', 'Dockerfile', 2, 6),
      at('parse-error', 'error', 'Dockerfile', 3, 5, { reachable: true }),
    ],
  },
  {
    name: 'condition: the text before the first FROM of a built Dockerfile is built too (an error there stays an error)',
    repo: {
      files: {
        Dockerfile: 'ARG PY=3.12\nRUN echo hi\nFROM python:$PY-slim\nFROM python:$PY-slim AS final\n',
        'crossdock.yaml': BUILT,
      },
    },
    expect: [
      at('parse-error', 'error', 'Dockerfile', 2, 1, {
        message: /RUN before the first FROM/,
        reachable: true,
      }),
    ],
  },
  {
    name: 'condition: pyproject.toml and requirements a reached build copies and installs are errors; an unused one is a warning',
    repo: {
      files: {
        Dockerfile:
          'FROM python:3.12-slim\nCOPY pyproject.toml requirements.txt ./\nRUN pip install -r requirements.txt\n',
        'pyproject.toml': '[project]\nname = "x"\nrequires-python = \n',
        'requirements.txt': 'flask==3.0.0\n!!! nope\n',
        'other/requirements.txt': 'flask==3.0.0\n!!! nope\n',
        'crossdock.yaml': BUILT,
      },
    },
    expect: [
      at('parse-error', 'error', 'pyproject.toml', 4, 1),
      at('parse-error', 'error', 'requirements.txt', 2, 1, { message: /not a requirement: "!!! nope"/ }),
      at('parse-error', 'warning', 'other/requirements.txt', 2, 1, { reachable: false }),
    ],
  },
  {
    name: 'condition: a package.json a reached build copies (a folder holding it) and runs `npm ci` with is an error; one it copies by name too; an unused one is a warning',
    repo: {
      files: {
        'crossdock.yaml': `${BUILT}  reg/api:\n    context: api\n`,
        Dockerfile: 'FROM node:22-slim\nWORKDIR /app\nCOPY web/ ./\nRUN npm ci\n',
        'web/package.json': '{"name": "web",\n  "engines": {"node": ">=20"\n}',
        'api/Dockerfile': 'FROM node:22-slim\nCOPY package.json /srv/\n',
        'api/package.json': '{"name": "api",\n',
        'other/package.json': '{"name": "other",\n',
      },
    },
    expect: [
      at('parse-error', 'error', 'api/package.json', 2, 1, { reachable: true }),
      at('parse-error', 'error', 'web/package.json', 3, 2, { message: /invalid JSON/, reachable: true }),
      at('parse-error', 'warning', 'other/package.json', 2, 1, { reachable: false }),
    ],
  },
  {
    name: 'compose, bake and buildkitd files are always reached: their parse errors are errors',
    repo: {
      files: {
        'compose.yaml': 'services:\n  a: [\n',
        'docker-bake.hcl': 'target "a" {\n',
        'buildkitd.toml': '[registry."x"\nhttp = true\n',
      },
    },
    expect: [
      at('parse-error', 'error', 'buildkitd.toml', 2, 1, { message: /^TOML:/ }),
      at('parse-error', 'error', 'compose.yaml', 3, 1, { message: /^YAML:/ }),
      at('parse-error', 'error', 'docker-bake.hcl', 1, 12, { message: /unterminated block/ }),
    ],
  },
  {
    name: 'a broken Kubernetes manifest nothing applies is a warning',
    repo: { files: { 'deploy/app.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a\n' } },
    expect: [at('parse-error', 'warning', 'deploy/app.yaml', 4, 1, { reachable: false })],
  },
  {
    name: 'condition: the same manifest applied by a workflow (`kubectl apply -f deploy/`) is an error',
    repo: {
      files: {
        'deploy/app.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a\n',
        '.github/workflows/cd.yml':
          'on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl apply -f deploy/\n',
      },
    },
    expect: [at('parse-error', 'error', 'deploy/app.yaml', 4, 1, { reachable: true })],
  },
  {
    name: 'a broken kustomization is always reached, so its parse error is an error',
    repo: {
      files: {
        'k8s/kustomization.yaml': 'resources:\n  - app.yaml\nimages: [\n',
        'k8s/app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
      },
    },
    expect: [at('parse-error', 'error', 'k8s/kustomization.yaml', 4, 1, { reachable: true })],
  },
  {
    name: 'a broken manifest a kustomization lists under resources is reached: an error',
    repo: {
      files: {
        'k8s/kustomization.yaml': 'resources:\n  - app.yaml\n',
        'k8s/app.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a\n',
        'k8s/unused.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a\n',
      },
    },
    expect: [
      at('parse-error', 'error', 'k8s/app.yaml', 4, 1, { reachable: true }),
      at('parse-error', 'warning', 'k8s/unused.yaml', 4, 1, { reachable: false }),
    ],
  },
  {
    name: 'a broken manifest a broken overlay reaches through its base is reached',
    repo: {
      files: {
        'k8s/base/kustomization.yaml': 'resources:\n  - app.yaml\n',
        'k8s/base/app.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a\n',
        'k8s/overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\nimages: [\n',
      },
    },
    expect: [
      at('parse-error', 'error', 'k8s/base/app.yaml', 4, 1, { reachable: true }),
      at('parse-error', 'error', 'k8s/overlays/prod/kustomization.yaml', 4, 1, { reachable: true }),
    ],
  },
  {
    name: 'what a broken base kustomization includes is not known: its manifests are not reached through it',
    repo: {
      files: {
        'k8s/base/kustomization.yaml': 'resources:\n  - app.yaml\nimages: [\n',
        'k8s/base/app.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a\n',
        'k8s/overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\n',
      },
    },
    expect: [
      at('parse-error', 'warning', 'k8s/base/app.yaml', 4, 1, { reachable: false }),
      at('parse-error', 'error', 'k8s/base/kustomization.yaml', 4, 1, { reachable: true }),
    ],
  },
  {
    name: 'condition: broken YAML that does not look like Kubernetes is not crossdock’s to report',
    repo: { files: { 'misc/other.yaml': 'foo: [\n', 'deploy/app.yaml': 'kind: Deployment\nx: [\n' } },
    expect: [at('parse-error', 'warning', 'deploy/app.yaml', 3, 1)],
  },
  {
    name: 'a broken workflow is reported by workflow-invalid (always reached), not as a parse-error',
    repo: { files: { '.github/workflows/ci.yml': 'on: push\njobs: [\n' } },
    rules: [workflowInvalid],
    only: ['parse-error', 'workflow-invalid'],
    expect: [
      at('workflow-invalid', 'error', '.github/workflows/ci.yml', 3, 1, { message: /^invalid workflow: / }),
    ],
  },
  {
    name: 'correct files produce no parse-error',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nRUN <<EOF\npip install x\nEOF\n',
        'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.12"\n',
        'web/package.json': '{"name": "web", "engines": {"node": ">=20"}}\n',
        '.gitmodules': '[submodule "lib"]\n\tpath = lib\n\turl = ../lib.git\n',
        'compose.yaml': 'services:\n  a:\n    image: alpine:3.20\n',
      },
      gitlinks: { lib: 'a'.repeat(40) },
    },
    expect: [],
  },
]);

test('parse-error: binary and non-UTF-8 files named like Dockerfiles are notes, not crashes or findings', async () => {
  const model = await loadRepo({
    files: {
      Dockerfile: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]),
      'x/Dockerfile': Buffer.concat([
        Buffer.from('FROM alpine:3.20\nRUN echo '),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('\n'),
      ]),
      'empty/Dockerfile': '',
      'crlf/Dockerfile': '\ufeffFROM alpine:3.20\r\nRUN echo a \\\r\n  && echo b\r\n',
    },
  });
  const notes = model.notes.join('\n');
  assert.match(notes, /^Dockerfile: binary file, not parsed$/m);
  assert.match(notes, /^x\/Dockerfile: not valid UTF-8/m);
  assert.deepEqual(model.dockerfiles.map((d) => d.path).sort(), [
    'crlf/Dockerfile',
    'empty/Dockerfile',
    'x/Dockerfile',
  ]);
  const crlf = model.dockerfiles.find((d) => d.path === 'crlf/Dockerfile');
  assert.equal(crlf?.instructions[1]?.args, 'echo a   && echo b');
  assert.deepEqual(model.loadFindings, []);
});
