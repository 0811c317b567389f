import rule from '../../src/rules/local-requirement-before-copy.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRepo } from '../helpers/check.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const R = 'local-requirement-before-copy';
const IMAGES = 'images:\n  reg/app:\n    context: .\n    dockerfile: Dockerfile\n';
const OLD = [
  'FROM python:3.12-slim',
  'WORKDIR /app',
  'COPY README.md .',
  'RUN pip install .',
  'RUN pip install -r requirements.txt',
  'COPY requirements.txt .',
  'RUN pip install -r requirements.txt',
  'RUN pip install -e ./libs/common',
  'COPY . .',
  'RUN pip install -e ./libs/common && pip install .',
  '',
].join('\n');
const REQS = 'flask==3.0.0\n-e ./libs/common\n';
const built = (dockerfile: string, files: Record<string, string> = {}) => ({
  files: { 'crossdock.yaml': IMAGES, Dockerfile: dockerfile, ...files },
});

ruleTest(rule, [
  {
    name: 'local paths and requirement files installed before they are copied are reported at the argument',
    repo: built(OLD, { 'requirements.txt': REQS }),
    expect: [
      at(R, 'error', 'Dockerfile', 4, 17, {
        message: /`pip install \.` runs before `\/app` is copied into the image/,
        sites: ['crossdock.yaml:1'],
        reachable: true,
      }),
      at(R, 'error', 'Dockerfile', 5, 20, { message: /`pip install -r requirements\.txt` runs before/ }),
      at(R, 'error', 'Dockerfile', 7, 20, {
        message:
          /`requirements\.txt` installs the local path `\.\/libs\/common`, which is not in the image yet/,
      }),
      at(R, 'error', 'Dockerfile', 8, 20, { message: /`pip install \.\/libs\/common` runs before/ }),
    ],
  },
  {
    name: 'the same Dockerfile, built by nothing, gives the same findings as warnings',
    repo: { files: { 'requirements.txt': REQS, Dockerfile: OLD } },
    expect: [
      at(R, 'warning', 'Dockerfile', 4, 17, { reachable: false }),
      at(R, 'warning', 'Dockerfile', 5, 20),
      at(R, 'warning', 'Dockerfile', 7, 20),
      at(R, 'warning', 'Dockerfile', 8, 20),
    ],
  },
  {
    name: 'condition "copied before": after COPY . . every local install is fine',
    repo: built(
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -e ./libs/common && pip install .\n',
    ),
    expect: [],
  },
  {
    name: 'condition "the project file is in the image": COPY pyproject.toml before pip install . is enough',
    repo: built('FROM python:3.12-slim\nWORKDIR /src\nCOPY pyproject.toml .\nRUN pip install .\n'),
    expect: [],
  },
  {
    name: 'condition "not mounted": a bind mount of the context at the target is present',
    repo: built('FROM python:3.12-slim\nWORKDIR /src\nRUN --mount=type=bind,target=/src pip install .\n'),
    expect: [],
  },
  {
    name: '... a bind mount of the context elsewhere does not bring it to the WORKDIR (formerly not checked)',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nRUN --mount=type=bind,target=/ctx pip install .\n'),
    expect: [
      at(R, 'error', 'Dockerfile', 3, 47, { message: /^`pip install \.` runs before `\/app` is copied/ }),
    ],
  },
  {
    name: 'a bind mount of one file at another path is present',
    repo: built(
      'FROM python:3.12-slim\nRUN --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt pip install -r /tmp/requirements.txt\n',
    ),
    expect: [],
  },
  {
    name: 'a cache or secret mount target is present',
    repo: built(
      'FROM python:3.12-slim\nRUN --mount=type=cache,target=/wheels pip install /wheels/x.whl\nRUN --mount=type=secret,id=req,target=/run/secrets/req.txt pip install -r /run/secrets/req.txt\n',
    ),
    expect: [],
  },
  {
    name: 'condition "not created earlier in the RUN": curl -o / wget -O then pip install of the download is fine',
    repo: built(
      'FROM python:3.12-slim\nRUN curl -fsSL -o /tmp/x.whl https://example.com/x.whl && pip install /tmp/x.whl\nRUN wget -O /tmp/y.whl https://example.com/y.whl && pip install /tmp/y.whl\nRUN git clone https://github.com/a/b /src/b && pip install /src/b\n',
    ),
    expect: [],
  },
  {
    name: '... but installing it before the download in the same RUN is reported',
    repo: built(
      'FROM python:3.12-slim\nRUN pip install /tmp/x.whl && curl -fsSL -o /tmp/x.whl https://example.com/x.whl\n',
    ),
    expect: [at(R, 'error', 'Dockerfile', 2, 17)],
  },
  {
    name: 'condition "not from another stage": wheels bind-mounted from a build stage are present',
    repo: built(
      'FROM python:3.12 AS build\nRUN pip wheel -w /wheels flask\nFROM python:3.12-slim\nRUN --mount=type=bind,from=build,source=/wheels,target=/wheels pip install /wheels/*.whl\n',
    ),
    expect: [],
  },
  {
    name: 'wheels copied from a build stage are present',
    repo: built(
      'FROM python:3.12 AS build\nRUN pip wheel -w /wheels flask\nFROM python:3.12-slim\nCOPY --from=build /wheels /wheels\nRUN pip install /wheels/*.whl\n',
    ),
    expect: [],
  },
  {
    name: '... and without the COPY --from, the glob is reported (a file or folder copied elsewhere does not match it)',
    repo: built(
      'FROM python:3.12 AS build\nRUN pip wheel -w /wheels flask\nFROM python:3.12-slim\nCOPY a.whl /a.whl\nCOPY --from=build /wheels /srv/wheels\nRUN pip install /wheels/*.whl\n',
      { 'a.whl': 'x' },
    ),
    expect: [at(R, 'error', 'Dockerfile', 6, 17, { message: /`\/wheels\/\*\.whl` is copied/ })],
  },
  {
    name: 'condition "a glob matches below its folder": a wheel copied from a stage into the glob\'s folder may match it',
    repo: built(
      'FROM python:3.12 AS build\nRUN pip wheel -w /out flask\nFROM python:3.12-slim\nCOPY --from=build /out/x.whl /wheels/x.whl\nRUN pip install /wheels/*.whl\n',
    ),
    expect: [],
  },
  {
    name: 'a glob in a middle segment (`/wheels-*/x.whl`) may match a folder copied from a stage (formerly an error)',
    repo: built(
      'FROM python:3.12 AS build\nRUN pip wheel -w /wheels-1 flask\nFROM python:3.12-slim\nCOPY --from=build /wheels-1 /wheels-1\nRUN pip install /wheels-*/x.whl\n',
    ),
    expect: [],
  },
  {
    name: 'a file copied in a local base stage is present in the stage built FROM it',
    repo: built(
      'FROM python:3.12-slim AS base\nCOPY requirements.txt /opt/requirements.txt\nFROM base\nRUN pip install -r /opt/requirements.txt\n',
      { 'requirements.txt': 'flask\n' },
    ),
    expect: [],
  },
  {
    name: 'condition "effects known": after a RUN of a script or of apt-get (effects unknown) nothing is claimed',
    repo: built(
      'FROM python:3.12-slim\nCOPY fetch.sh /fetch.sh\nRUN /fetch.sh\nRUN pip install -r /opt/requirements.txt\nFROM python:3.12-slim\nRUN apt-get install -y foo && pip install -r /opt/requirements.txt\n',
      { 'fetch.sh': 'echo\n' },
    ),
    expect: [],
  },
  {
    name: 'condition "the WORKDIR is known": a relative path on an unknown base image gets no claim',
    repo: built('FROM registry.acme.io/app-base:1\nRUN pip install -r requirements.txt\nRUN pip install .\n'),
    expect: [],
  },
  {
    name: 'the requirements file is followed through the COPY that renamed it: deploy/req-min.txt has the local path',
    repo: built(
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY deploy/req-min.txt requirements.txt\nRUN pip install -r requirements.txt\n',
      { 'deploy/req-min.txt': '-e ./libs/common\n', 'requirements.txt': 'flask\n' },
    ),
    expect: [at(R, 'error', 'Dockerfile', 4, 20, { message: /installs the local path `\.\/libs\/common`/ })],
  },
  {
    name: 'condition "the file names a local path": the repository requirements.txt replaced by a plain deploy file is fine',
    repo: built(
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY deploy/req-min.txt requirements.txt\nRUN pip install -r requirements.txt\n',
      { 'deploy/req-min.txt': 'flask\n', 'requirements.txt': '-e ./libs/common\n' },
    ),
    expect: [],
  },
  {
    name: 'a file: URL in a requirements file names an absolute local path',
    repo: built(
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      {
        'requirements.txt': 'pkg @ file:///app/libs/pkg\n',
      },
    ),
    expect: [at(R, 'error', 'Dockerfile', 4, 20, { message: /local path `\/app\/libs\/pkg`/ })],
  },
  {
    name: 'condition "pip installs": pip download -r does not read local paths before the copy',
    repo: built('FROM python:3.12-slim\nRUN pip download -r requirements.txt -d /w\n'),
    expect: [],
  },
  {
    name: 'condition "the stage is built": a stage the target does not use is not reported',
    repo: {
      files: {
        'crossdock.yaml': `${IMAGES}    target: final\n`,
        Dockerfile: 'FROM python:3.12-slim AS dev\nRUN pip install .\nFROM python:3.12-slim AS final\n',
      },
    },
    expect: [],
  },
  {
    name: 'a download creates its output: `curl -fsSLo` (-o ending a flag group), `curl -o`, `wget -qO` and `ADD <url> <path>` put the wheel there',
    repo: built(
      [
        'FROM python:3.12-slim',
        'RUN curl -fsSLo /tmp/a.whl https://example.com/a.whl && pip install /tmp/a.whl',
        'RUN curl -fsSL -o /tmp/b.whl https://example.com/b.whl && pip install /tmp/b.whl',
        'RUN wget -qO /tmp/c.whl https://example.com/c.whl && pip install /tmp/c.whl',
        'ADD https://example.com/d.whl /tmp/d.whl',
        'RUN pip install /tmp/d.whl',
        '',
      ].join('\n'),
    ),
    expect: [],
  },
  {
    name: 'condition "the download names the path": `wget -qO- URL | sh` writes no file, so a later install of /tmp/e.whl is still reported',
    repo: built(
      'FROM python:3.12-slim\nRUN wget -qO- https://example.com/setup.txt > /dev/null\nRUN pip install /tmp/e.whl\n',
    ),
    expect: [at(R, 'error', 'Dockerfile', 3, 17, { message: /`pip install \/tmp\/e\.whl` runs before/ })],
  },
  {
    name: 'condition "the base image is known": -r /opt/requirements.txt on a private base image may be in that image: a note at the FROM, no claim',
    repo: built('FROM registry.acme.io/app-base:1\nRUN pip install -r /opt/requirements.txt\n'),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 6, {
        message:
          /crossdock does not know what registry\.acme\.io\/app-base:1 contains; not checked: whether `-r \/opt\/requirements\.txt` is in the image/,
      }),
    ],
  },
  {
    name: 'a base image built in the repository is followed: its COPY of /opt/requirements.txt is present; without it, the file is missing',
    repo: {
      files: {
        'crossdock.yaml': `${IMAGES}  reg/base:\n    context: base\n  reg/other:\n    context: other\n`,
        Dockerfile: 'FROM reg/base\nRUN pip install -r /opt/requirements.txt\n',
        'base/Dockerfile': 'FROM python:3.12-slim\nCOPY requirements.txt /opt/requirements.txt\n',
        'base/requirements.txt': 'flask\n',
        'other/Dockerfile': 'FROM reg/app\nRUN pip install -r /srv/requirements.txt\n',
      },
    },
    expect: [
      at(R, 'error', 'other/Dockerfile', 2, 20, { message: /before `\/srv\/requirements\.txt` is copied/ }),
    ],
  },
  {
    name: 'unknown: a command crossdock does not know (`aws s3 cp`) may create the requirements file: a note at the RUN, not the error it used to be',
    repo: built(
      'FROM python:3.12-slim\nRUN aws s3 cp s3://b/requirements.txt . && pip install -r requirements.txt\n',
    ),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 2, 1, {
        message:
          /this RUN's effects are not known: `aws s3` may create files crossdock does not know of; not checked: whether `-r requirements\.txt` is in the image/,
      }),
    ],
  },
  {
    name: 'each message in full: a local path, a requirements file, a local path named by the file',
    repo: built(
      'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install -e ./libs/common\nRUN pip install -r requirements.txt\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      { 'requirements.txt': '-e ./libs/common\n' },
    ),
    expect: [
      at(R, 'error', 'Dockerfile', 3, 20, {
        message:
          /^`pip install \.\/libs\/common` runs before `\/app\/libs\/common` is copied into the image: pip fails with "does not appear to be a Python project" \/ "No such file"$/,
        sites: ['crossdock.yaml:1'],
        related: [],
      }),
      at(R, 'error', 'Dockerfile', 4, 20, {
        message:
          /^`pip install -r requirements\.txt` runs before `\/app\/requirements\.txt` is copied into the image: pip fails with/,
        sites: ['crossdock.yaml:1'],
      }),
      at(R, 'error', 'Dockerfile', 6, 20, {
        message:
          /^`requirements\.txt` installs the local path `\.\/libs\/common`, which is not in the image yet at this point$/,
        sites: ['crossdock.yaml:1'],
        related: [],
      }),
    ],
  },
  {
    name: 'condition "a local argument": `.[dev]`, `../lib` and `file:` URLs are local paths; a VCS URL and a name are not',
    repo: built(
      'FROM python:3.12-slim\nWORKDIR /app/svc\nRUN pip install ".[dev]"\nRUN pip install ../lib\nRUN pip install file:///opt/pkg\nRUN pip install git+https://github.com/a/b.git flask\n',
    ),
    expect: [
      at(R, 'error', 'Dockerfile', 3, 17, {
        message: /^`pip install \.\[dev\]` runs before `\/app\/svc` is copied/,
      }),
      at(R, 'error', 'Dockerfile', 4, 17, {
        message: /^`pip install \.\.\/lib` runs before `\/app\/lib` is copied/,
      }),
      at(R, 'error', 'Dockerfile', 5, 17, {
        message: /^`pip install file:\/\/\/opt\/pkg` runs before `\/opt\/pkg` is copied/,
      }),
    ],
  },
  {
    name: 'condition "the project file is in the image": setup.py is a project file',
    repo: built('FROM python:3.12-slim\nWORKDIR /src\nCOPY setup.py .\nRUN pip install .\n'),
    expect: [],
  },
  {
    name: '... setup.cfg alone is not: pip finds neither setup.py nor pyproject.toml and fails (formerly accepted)',
    repo: built('FROM python:3.12-slim\nWORKDIR /src\nCOPY setup.cfg .\nRUN pip install .\n'),
    expect: [
      at(R, 'error', 'Dockerfile', 4, 17, { message: /^`pip install \.` runs before `\/src` is copied/ }),
    ],
  },
  {
    name: 'condition "the project file is in the image": at the root WORKDIR, /pyproject.toml is the project of `.`',
    repo: built('FROM python:3.12-slim\nWORKDIR /\nCOPY pyproject.toml .\nRUN pip install .\n'),
    expect: [],
  },
  {
    name: 'condition "under a copied tree": COPY . / puts every path under /',
    repo: built('FROM python:3.12-slim\nWORKDIR /\nCOPY . .\nRUN pip install -r /srv/requirements.txt\n'),
    expect: [],
  },
  {
    name: 'condition "a copied file matches the glob": COPY x.whl /wheels/x.whl then pip install /wheels/*.whl is fine',
    repo: built('FROM python:3.12-slim\nCOPY x.whl /wheels/x.whl\nRUN pip install /wheels/*.whl\n', {
      'x.whl': 'x',
    }),
    expect: [],
  },
  {
    name: 'condition "only earlier instructions": a COPY --from after the install does not count',
    repo: built(
      'FROM python:3.12 AS build\nRUN pip wheel -w /wheels flask\nFROM python:3.12-slim\nRUN pip install /wheels/x.whl\nCOPY --from=build /wheels /wheels\n',
    ),
    expect: [at(R, 'error', 'Dockerfile', 4, 17, { message: /before `\/wheels\/x\.whl` is copied/ })],
  },
  {
    name: 'condition "the COPY sources are not all known": an unset variable or a glob source (any of them) fills the destination tree',
    repo: built(
      'FROM python:3.12-slim\nARG SRC\nCOPY $SRC /app\nRUN pip install /app\nCOPY a.whl *.txt /cfg/\nRUN pip install -r /cfg/requirements.txt\n',
      { 'requirements.txt': 'flask\n', 'a.whl': 'x' },
    ),
    expect: [],
  },
  {
    name: 'condition "ADD downloads": ADD of a git@ URL fills its destination; COPY of a URL downloads nothing',
    repo: built(
      'FROM python:3.12-slim\nADD git@github.com:a/b.git /src/b\nRUN pip install /src/b\nCOPY https://example.com/y.whl /tmp/y.whl\nRUN pip install /tmp/y.whl\n',
    ),
    expect: [at(R, 'error', 'Dockerfile', 5, 17, { message: /^`pip install \/tmp\/y\.whl` runs before/ })],
  },
  {
    name: 'condition "ADD downloads": one URL among the sources fills the destination; an archive ADD unpacks fills it too',
    repo: built(
      'FROM python:3.12-slim\nADD https://example.com/a.whl b.whl /tmp/\nRUN pip install /tmp/a.whl\nADD pkg.tar.gz /src/\nRUN pip install /src/pkg\n',
      { 'b.whl': 'x', 'pkg.tar.gz': 'x' },
    ),
    expect: [],
  },
  {
    name: 'condition "ADD downloads": a local name with `git@` or `://` inside is a file, not a download',
    repo: built(
      'FROM python:3.12-slim\nADD wheels/git@1.whl /w/\nRUN pip install /w/other.whl\nADD wheels/a+b://c.whl /v/\nRUN pip install /v/other.whl\n',
    ),
    expect: [at(R, 'error', 'Dockerfile', 3, 17), at(R, 'error', 'Dockerfile', 5, 17)],
  },
  {
    name: 'condition "a COPY fills a folder": a COPY of one file (with --chown) brings that file only, not its siblings',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nCOPY --chown=1000 README.md .\nRUN pip install .\n', {
      'README.md': 'x\n',
    }),
    expect: [
      at(R, 'error', 'Dockerfile', 4, 17, { message: /^`pip install \.` runs before `\/app` is copied/ }),
    ],
  },
  {
    name: 'condition "a COPY fills a folder": a RUN whose words have a `$` copies nothing',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nRUN echo "$HOME" /app\nRUN pip install .\n'),
    expect: [at(R, 'error', 'Dockerfile', 4, 17)],
  },
  {
    name: 'a COPY --from without paths (a Dockerfile error) brings nothing, and does not stop the rule',
    repo: built(
      'FROM python:3.12 AS build\nFROM python:3.12-slim\nWORKDIR /app\nCOPY --from=build\nRUN pip install .\n',
    ),
    expect: [at(R, 'error', 'Dockerfile', 5, 17)],
  },
  {
    name: 'unknown: under a WORKDIR that is not known, a relative COPY, download, mount target or copied file may land anywhere: a note, no claim (formerly errors)',
    only: [R, 'unresolved-value'],
    repo: {
      files: {
        'crossdock.yaml': `${IMAGES}${['a', 'b', 'c', 'd', 'e'].map((n) => `  reg/${n}:\n    context: ${n}\n`).join('')}`,
        Dockerfile: 'FROM python:3.12-slim\n',
        'a/Dockerfile':
          'FROM python:3.12 AS build\nRUN pip wheel -w /wheels flask\nFROM python:3.12-slim\nARG D\nWORKDIR $D\nCOPY --from=build /wheels wheels\nRUN pip install /wheels/x.whl\n',
        'b/Dockerfile':
          'FROM python:3.12-slim\nARG D\nWORKDIR $D\nRUN curl -fsSL -o x.whl https://example.com/x.whl\nRUN pip install /x.whl\n',
        'c/Dockerfile':
          'FROM python:3.12-slim\nARG D\nWORKDIR $D\nCOPY requirements.txt .\nRUN pip install -r /requirements.txt\n',
        'c/requirements.txt': 'flask\n',
        'd/Dockerfile':
          'FROM python:3.12-slim\nARG D\nWORKDIR $D\nRUN --mount=type=cache,target=wheels pip install /wheels/x.whl\n',
        'e/Dockerfile':
          'FROM python:3.12-slim\nARG D\nWORKDIR $D\nCOPY requirements.txt ./cfg/\nRUN pip install -r /cfg/requirements.txt\n',
        'e/requirements.txt': 'flask\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 4, 5, {
        message:
          /^ARG D has no default and this build does not pass it; not checked: whether `\/wheels\/x\.whl` is in the image/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 2, 5, { message: /whether `\/x\.whl` is in the image/ }),
      at('unresolved-value', 'info', 'c/Dockerfile', 2, 5, {
        message: /whether `-r \/requirements\.txt` is in/,
      }),
      at('unresolved-value', 'info', 'd/Dockerfile', 2, 5, {
        message: /whether `\/wheels\/x\.whl` is in the/,
      }),
      at('unresolved-value', 'info', 'e/Dockerfile', 2, 5, {
        message: /whether `-r \/cfg\/requirements\.txt` is/,
      }),
    ],
  },
  {
    name: 'unknown: the WORKDIR of a base image built in the repository is not known: a note at the COPY that lands under it',
    only: [R, 'unresolved-value'],
    repo: {
      files: {
        'crossdock.yaml': `${IMAGES}  reg/base:\n    context: base\n`,
        Dockerfile: 'FROM reg/base\nCOPY requirements.txt .\nRUN pip install -r /requirements.txt\n',
        'requirements.txt': 'flask\n',
        'base/Dockerfile': 'FROM python:3.12-slim\nRUN pip install flask\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 2, 1, {
        message:
          /^the WORKDIR of reg\/base is not known; not checked: whether `-r \/requirements\.txt` is in the image/,
      }),
    ],
  },
  {
    name: 'unknown: a private image a parent stage starts from: the note is at that FROM',
    only: [R, 'unresolved-value'],
    repo: built(
      'FROM registry.acme.io/app-base:1 AS base\nFROM base\nRUN pip install -r /opt/requirements.txt\n',
    ),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 6, {
        message: /what registry\.acme\.io\/app-base:1 contains/,
      }),
    ],
  },
  {
    name: 'unknown: a base image built in the repository for a target crossdock cannot read: a note at the FROM, no claim',
    only: [R, 'unresolved-value'],
    repo: {
      files: {
        'crossdock.yaml': IMAGES,
        Dockerfile: 'FROM reg/base\nRUN pip install -r /opt/requirements.txt\n',
        'base/Dockerfile': 'FROM python:3.12-slim AS slim\nCOPY requirements.txt /opt/requirements.txt\n',
        'build.sh': 'docker build --target "$T" -t reg/base base\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 6, {
        message: /^crossdock does not know what reg\/base contains/,
      }),
    ],
  },
  {
    name: 'a mount target written dst= or destination=, first, or relative to the WORKDIR, is present',
    repo: built(
      'FROM python:3.12-slim\nRUN --mount=type=cache,dst=/w pip install /w/x.whl\nRUN --mount=type=cache,destination=/v pip install /v/x.whl\nRUN --mount=target=/t,type=cache pip install /t/x.whl\nWORKDIR /app\nRUN --mount=type=cache,target=wheels pip install /app/wheels/x.whl\n',
    ),
    expect: [],
  },
  {
    name: 'condition "a bind mount of the context": a cache mount does not bring the project in',
    repo: built(
      'FROM python:3.12-slim\nWORKDIR /app\nRUN --mount=type=cache,target=/root/.cache pip install .\n',
    ),
    expect: [
      at(R, 'error', 'Dockerfile', 3, 56, { message: /^`pip install \.` runs before `\/app` is copied/ }),
    ],
  },
  {
    name: 'condition "a bind mount of the context": a bind mount from another stage brings only its target',
    repo: built(
      'FROM python:3.12 AS build\nRUN pip wheel -w /wheels flask\nFROM python:3.12-slim\nRUN --mount=type=bind,from=build,source=/wheels,target=/wheels pip install /other/x.whl\n',
    ),
    expect: [at(R, 'error', 'Dockerfile', 4, 76, { message: /before `\/other\/x\.whl` is copied/ })],
  },
  {
    name: 'unknown: a local path on a private base image: a note at the FROM naming the path',
    repo: built('FROM registry.acme.io/app-base:1\nRUN pip install /opt/pkg\n'),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 6, {
        message:
          /^crossdock does not know what registry\.acme\.io\/app-base:1 contains; not checked: whether `\/opt\/pkg` is in the image before this pip install \(local-requirement-before-copy\)$/,
      }),
    ],
  },
  {
    name: 'unknown: a local path named by a copied requirements file, after a RUN of unknown effects: a note at that RUN',
    repo: built(
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt fetch.sh ./\nRUN ./fetch.sh\nRUN pip install -r requirements.txt\n',
      { 'requirements.txt': '-e ./libs/common\n', 'fetch.sh': 'echo\n' },
    ),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 4, 1, {
        message:
          /^this RUN's effects are not known: it runs \.\/fetch\.sh; not checked: whether `\.\/libs\/common` is in the image before this pip install/,
      }),
    ],
  },
  {
    name: 'condition "the WORKDIR is known": a relative local path in a requirements file under an unknown WORKDIR gets no claim (and no crash)',
    repo: built(
      'FROM python:3.12-slim\nARG DIR\nWORKDIR $DIR\nCOPY requirements.txt /opt/requirements.txt\nRUN pip install -r /opt/requirements.txt\n',
      { 'requirements.txt': '-e ./libs/common\n' },
    ),
    only: [R, 'unresolved-value', 'internal-error'],
    expect: [],
  },
  {
    name: 'unknown: a base image built in the repository after a RUN of unknown effects, or FROM a private image: a note where it is',
    repo: {
      files: {
        'crossdock.yaml': `${IMAGES}  reg/base:\n    context: base\n  reg/priv:\n    context: priv\n  reg/other:\n    context: other\n`,
        Dockerfile: 'FROM reg/base\nRUN pip install -r /opt/requirements.txt\n',
        'base/Dockerfile': 'FROM python:3.12-slim\nCOPY fetch.sh /fetch.sh\nRUN /fetch.sh\n',
        'base/fetch.sh': 'echo\n',
        'other/Dockerfile': 'FROM reg/priv\nRUN pip install -r /srv/requirements.txt\n',
        'priv/Dockerfile': 'FROM registry.acme.io/app-base:1\nCOPY x /x\n',
        'priv/x': 'x\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'base/Dockerfile', 3, 1, {
        message:
          /^this RUN's effects are not known: it runs \/fetch\.sh; not checked: whether `-r \/opt\/requirements\.txt`/,
      }),
      at('unresolved-value', 'info', 'priv/Dockerfile', 1, 6, {
        message:
          /^crossdock does not know what registry\.acme\.io\/app-base:1 contains; not checked: whether `-r \/srv\/requirements\.txt`/,
      }),
    ],
  },
  {
    name: 'condition "a base image chain of at most four builds is followed": the fifth base is not read, a note at its FROM',
    repo: {
      files: {
        'crossdock.yaml': `${IMAGES}${[1, 2, 3, 4, 5].map((n) => `  reg/l${n}:\n    context: l${n}\n`).join('')}`,
        Dockerfile: 'FROM reg/l5\nRUN pip install -r /opt/requirements.txt\n',
        'l1/Dockerfile': 'FROM python:3.12-slim\nCOPY requirements.txt /opt/requirements.txt\n',
        'l1/requirements.txt': 'flask\n',
        'l2/Dockerfile': 'FROM reg/l1\n',
        'l3/Dockerfile': 'FROM reg/l2\n',
        'l4/Dockerfile': 'FROM reg/l3\n',
        'l5/Dockerfile': 'FROM reg/l4\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'l2/Dockerfile', 1, 6, {
        message:
          /^crossdock does not know what reg\/l1 contains; not checked: whether `-r \/opt\/requirements\.txt`/,
      }),
    ],
  },
  {
    name: 'condition "the destination is absolute or the WORKDIR known": on a private base, relative COPY and download targets land under an unknown WORKDIR (a note), absolute ones are present',
    repo: built(
      [
        'FROM python:3.12 AS build',
        'RUN pip wheel -w /wheels flask',
        'FROM registry.acme.io/app-base:1 AS rel',
        'COPY --from=build /wheels wheels',
        'RUN curl -fsSL -o x.whl https://example.com/x.whl',
        'RUN pip install /wheels/x.whl',
        'RUN pip install /x.whl',
        'RUN curl -fsSL -o y.whl https://example.com/y.whl && pip install /y.whl',
        'FROM registry.acme.io/app-base:1 AS abs',
        'COPY --from=build /wheels /wheels',
        'RUN curl -fsSL -o /tmp/x.whl https://example.com/x.whl',
        'RUN pip install /wheels/x.whl',
        'RUN pip install /tmp/x.whl',
        'RUN curl -fsSL -o /tmp/y.whl https://example.com/y.whl && pip install /tmp/y.whl',
        'FROM python:3.12-slim',
        'COPY --from=rel /x.whl /rel.whl',
        'COPY --from=abs /tmp/x.whl /abs.whl',
        '',
      ].join('\n'),
    ),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 3, 6, {
        message:
          /^crossdock does not know what registry\.acme\.io\/app-base:1 contains; not checked: whether `\/wheels\/x\.whl` is in the image before this pip install \(local-requirement-before-copy\); whether `\/x\.whl` is in the image before this pip install \(local-requirement-before-copy\); whether `\/y\.whl` is in the image before this pip install \(local-requirement-before-copy\)$/,
      }),
    ],
  },
  {
    name: 'condition "created by an earlier RUN": a file downloaded in one RUN is present in the next',
    repo: built(
      'FROM python:3.12-slim\nRUN curl -fsSL -o /tmp/x.whl https://example.com/x.whl\nRUN pip install /tmp/x.whl\n',
    ),
    expect: [],
  },
  {
    name: 'condition "effects known": a known download before the install in the same RUN is no reason for doubt; another file is still missing',
    repo: built(
      'FROM python:3.12-slim\nRUN curl -fsSL -o /tmp/x.whl https://example.com/x.whl && pip install /tmp/y.whl\n',
    ),
    only: [R, 'unresolved-value'],
    expect: [at(R, 'error', 'Dockerfile', 2, 71, { message: /^`pip install \/tmp\/y\.whl` runs before/ })],
  },
  {
    name: 'condition "the mount has a target": a secret mount without one brings no file',
    repo: built('FROM python:3.12-slim\nRUN --mount=type=secret,id=tok pip install /x.whl\n'),
    expect: [
      at(R, 'error', 'Dockerfile', 2, 44, { message: /^`pip install \/x\.whl` runs before `\/x\.whl`/ }),
    ],
  },
  {
    name: 'condition "only a glob looks below its folder": a cache mount at /app/.cache does not make /app the project',
    repo: built(
      'FROM python:3.12-slim\nWORKDIR /app\nRUN --mount=type=cache,target=/app/.cache pip install .\n',
    ),
    expect: [
      at(R, 'error', 'Dockerfile', 3, 55, { message: /^`pip install \.` runs before `\/app` is copied/ }),
    ],
  },
  {
    name: 'condition "the local path of the file is not copied": after COPY . . the -e path a requirements file names is present',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n', {
      'requirements.txt': '-e ./libs/common\n',
    }),
    only: [R, 'unresolved-value'],
    expect: [],
  },
  {
    name: 'unknown: a base image from an ARG without default: the note names the ARG, at the ARG',
    repo: built('ARG BASE\nFROM $BASE\nRUN pip install -r /opt/requirements.txt\n'),
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 5, {
        message:
          /^ARG BASE has no default and this build does not pass it; not checked: whether `-r \/opt\/requirements\.txt` is in the image before this pip install \(local-requirement-before-copy\)$/,
      }),
    ],
  },
]);

test('local-requirement-before-copy: the note on an image crossdock does not know says how to let it see the build', async () => {
  const findings = await checkRepo(built('FROM registry.acme.io/app-base:1\nRUN pip install /opt/pkg\n'), [
    rule,
  ]);
  assert.deepEqual(
    findings.map((f) => f.hint),
    [
      'if the image is built in this repository, let crossdock see its build (a script, workflow or crossdock.yaml images:)',
    ],
  );
});
