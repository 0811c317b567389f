import { test } from 'node:test';
import rule from '../../src/rules/python-version-mismatch.js';
import { at, type RuleCase, ruleTest } from '../helpers/rule-tester.js';

const R = 'python-version-mismatch';
const U = 'unresolved-value';
const withNotes = (cases: RuleCase[]) => cases.map((c) => ({ only: [R, U], ...c }));
/** crossdock.yaml that builds ./Dockerfile from the root context. */
const IMAGES = 'images:\n  reg/app:\n    context: .\n    dockerfile: Dockerfile\n';
const PYPROJECT = '[project]\nname = "svc"\nrequires-python = ">=3.10"\n';
/** Installs the project copied from the root of the context. */
const INSTALL = 'WORKDIR /app\nCOPY . .\nRUN pip install .\n';
const workflow = (steps: string, head = '') =>
  `on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n${head}    steps:\n      - uses: actions/checkout@v4\n${steps}`;
const setupPython = (version: string) =>
  `      - uses: actions/setup-python@v5\n        with:\n          python-version: ${version}\n`;

// unresolved-value notes are compared exhaustively too.
ruleTest(
  rule,
  withNotes([
    // The base image's Python.
    {
      name: 'a base image Python outside requires-python is an error at the image, with the constraint and install as related',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': PYPROJECT,
          Dockerfile: `ARG PY=3.9\nFROM python:\${PY}-slim\n${INSTALL}`,
        },
      },
      expect: [
        at(R, 'error', 'Dockerfile', 2, 6, {
          message:
            /installs the project with Python 3\.9 \(the python:3\.9-slim image\), but requires-python in pyproject\.toml requires ">=3\.10"/,
          sites: ['crossdock.yaml:1'],
          reachable: true,
          related: [
            'pyproject.toml:3 requires-python is ">=3.10" here',
            'Dockerfile:5 the project is installed here',
          ],
        }),
      ],
    },
    {
      name: 'a Dockerfile nothing builds is at most a warning (its only candidate context is the root, where pyproject.toml is)',
      repo: {
        files: { 'pyproject.toml': PYPROJECT, Dockerfile: `ARG PY=3.9\nFROM python:\${PY}-slim\n${INSTALL}` },
      },
      expect: [at(R, 'warning', 'Dockerfile', 2, 6, { reachable: false })],
    },
    {
      name: 'condition "Python outside the constraint": python:3.10 satisfies >=3.10',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': PYPROJECT,
          Dockerfile: `FROM python:3.10-slim\n${INSTALL}`,
        },
      },
      expect: [],
    },
    {
      name: 'condition "the build\'s own build args": a workflow passing --build-arg PY=3.12 builds a satisfying image',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          Dockerfile: `ARG PY=3.9\nFROM python:\${PY}-slim\n${INSTALL}`,
          '.github/workflows/b.yml': workflow('      - run: docker build --build-arg PY=3.12 -t app .\n'),
        },
      },
      expect: [],
    },
    {
      name: 'crossdock.yaml buildArgs are the build args of that build',
      repo: {
        files: {
          'crossdock.yaml': `${IMAGES}    buildArgs:\n      PY: "3.12"\n`,
          'pyproject.toml': PYPROJECT,
          Dockerfile: `ARG PY=3.9\nFROM python:\${PY}-slim\n${INSTALL}`,
        },
      },
      expect: [],
    },
    {
      name: 'two builds of one Dockerfile: only the one keeping the ARG default fails, one finding naming its site',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          Dockerfile: `ARG PY=3.9\nFROM python:\${PY}-slim\n${INSTALL}`,
          '.github/workflows/b.yml': workflow(
            '      - run: docker build --build-arg PY=3.12 -t app .\n      - run: docker build -t app-old .\n',
          ),
        },
      },
      expect: [at(R, 'error', 'Dockerfile', 2, 6, { sites: ['.github/workflows/b.yml:8'] })],
    },
    {
      name: 'condition "the base image is known": a private base gets no claim, only the unresolved-value note',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': PYPROJECT,
          Dockerfile: `FROM registry.acme.io/base/runtime:1\n${INSTALL}`,
        },
      },
      expect: [
        at(U, 'info', 'Dockerfile', 1, 6, {
          message: /which Python registry\.acme\.io\/base\/runtime:1 has/,
        }),
      ],
    },
    {
      name: 'a base image written as an ARG nothing passes is unknown: no claim, an unresolved-value note',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': PYPROJECT,
          Dockerfile: `ARG BASE\nFROM \${BASE}\n${INSTALL}`,
        },
      },
      expect: [
        at(U, 'info', 'Dockerfile', 1, 5, {
          message: /ARG BASE has no default and this build does not pass it/,
        }),
      ],
    },
    {
      name: 'a base image built in the repository is followed to its own base',
      repo: {
        files: {
          'crossdock.yaml':
            'images:\n  reg/base:\n    context: base\n  reg/app:\n    context: .\n    dockerfile: Dockerfile\n',
          'base/Dockerfile': 'FROM python:3.9-slim\n',
          'pyproject.toml': PYPROJECT,
          Dockerfile: `FROM reg/base\n${INSTALL}`,
        },
      },
      expect: [
        at(R, 'error', 'Dockerfile', 1, 6, { message: /python:3\.9-slim image, in reg\/base built by/ }),
      ],
    },
    // Distro Python and Python installed by a RUN.
    {
      name: 'distro python3: Ubuntu 22.04 ships 3.10, outside python_requires >=3.12 in setup.py',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'setup.py': 'setup(python_requires=">=3.12")\n',
          Dockerfile:
            'FROM ubuntu:22.04\nRUN apt-get install -y python3-pip\nCOPY setup.py /src/\nRUN pip install /src\n',
        },
      },
      expect: [
        at(R, 'error', 'Dockerfile', 1, 6, {
          message: /python3 from Ubuntu 22\.04.*python_requires in setup\.py/,
        }),
      ],
    },
    {
      name: 'distro python3: Debian bookworm ships 3.11, inside python_requires >=3.11',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'setup.py': 'setup(name="x", python_requires=">=3.11")\n',
          Dockerfile:
            'FROM debian:bookworm-slim\nRUN apt-get install -y python3 python3-pip\nCOPY . /src\nRUN pip install /src\n',
        },
      },
      expect: [],
    },
    {
      name: 'python_requires in setup.cfg is enforced too',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'setup.cfg': '[options]\npython_requires = >=3.11\n',
          Dockerfile: 'FROM python:3.10-slim\nCOPY . /app\nRUN pip install /app\n',
        },
      },
      expect: [at(R, 'error', 'Dockerfile', 1, 6)],
    },
    {
      name: 'condition "Python installed by a RUN wins over the image": deadsnakes python3.11 satisfies >=3.11',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': '[project]\nrequires-python = ">=3.11"\n',
          Dockerfile:
            'FROM ubuntu:22.04\nRUN apt-get install -y python3.11 python3.11-venv\nCOPY . /app\nRUN python3.11 -m pip install /app\n',
        },
      },
      expect: [],
    },
    {
      name: '... and without that RUN, Ubuntu 22.04 python3 (3.10) is outside >=3.11',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': '[project]\nrequires-python = ">=3.11"\n',
          Dockerfile:
            'FROM ubuntu:22.04\nRUN apt-get install -y python3-pip\nCOPY . /app\nRUN python3 -m pip install /app\n',
        },
      },
      expect: [at(R, 'error', 'Dockerfile', 1, 6)],
    },
    // Which project is installed, and which constraint applies.
    {
      name: '.python-version is not enforced by pip: no finding (it used to be reported; pip never reads it)',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          '.python-version': '3.12.1\n',
          Dockerfile: 'FROM alpine:3.18\nRUN apk add python3 py3-pip\nCOPY . /app\nRUN pip install /app\n',
        },
      },
      expect: [],
    },
    {
      name: 'condition "the stage installs the project": pip install -r requirements.txt does not meet requires-python',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': PYPROJECT,
          'requirements.txt': 'flask\n',
          Dockerfile: 'FROM python:3.9-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n',
        },
      },
      expect: [],
    },
    {
      name: 'a Python install with no project at all (only distro python3, no pip install) is not reported',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'setup.py': 'setup(name="x", python_requires=">=3.12")\n',
          Dockerfile: 'FROM ubuntu:22.04\nRUN apt-get install -y python3\n',
        },
      },
      expect: [],
    },
    {
      name: 'condition "the project folder is in the image": pip install . with nothing copied is an unresolved-value note',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': PYPROJECT,
          Dockerfile: 'FROM python:3.9-slim\nRUN pip install .\n',
        },
      },
      expect: [at(U, 'info', 'Dockerfile', 2, 17, { message: /what `\.` holds in the image is not known/ })],
    },
    {
      name: 'a pip install of a wheel file is not the project',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': PYPROJECT,
          Dockerfile: 'FROM python:3.9-slim\nCOPY dist/*.whl /tmp/\nRUN pip install /tmp/*.whl\n',
        },
      },
      expect: [],
    },
    {
      name: 'the project folder is followed through the COPY: svc/ copied to /app uses svc/pyproject.toml',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': '[project]\nrequires-python = ">=3.8"\n',
          'svc/pyproject.toml': PYPROJECT,
          Dockerfile: 'FROM python:3.9-slim\nCOPY svc/ /app/\nRUN pip install /app\n',
        },
      },
      expect: [at(R, 'error', 'Dockerfile', 1, 6, { message: /requires-python in svc\/pyproject\.toml/ })],
    },
    {
      name: 'an editable install of a copied subfolder uses its constraint',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'svc/pyproject.toml': PYPROJECT,
          Dockerfile: 'FROM python:3.9-slim\nWORKDIR /src\nCOPY svc ./svc\nRUN pip install -e ./svc\n',
        },
      },
      expect: [at(R, 'error', 'Dockerfile', 1, 6)],
    },
    {
      name: "the root project's constraint does not apply to a subfolder project that declares none",
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': PYPROJECT,
          'svc/pyproject.toml': '[project]\nname = "x"\n',
          Dockerfile: 'FROM python:3.9-slim\nCOPY svc/ /app/\nRUN pip install /app\n',
        },
      },
      expect: [],
    },
    {
      name: 'condition "the stage is built": a stage the build target does not use is not reported',
      repo: {
        files: {
          'crossdock.yaml': `${IMAGES}    target: final\n`,
          'pyproject.toml': PYPROJECT,
          Dockerfile: `FROM python:3.9-slim AS old\n${INSTALL}FROM python:3.12-slim AS final\n`,
        },
      },
      expect: [],
    },
    {
      name: 'a Dockerfile nothing builds, in a folder whose pyproject.toml and the root one could both be the context: unknown, no claim',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          'svc/pyproject.toml': PYPROJECT,
          'svc/Dockerfile': `FROM python:3.9-slim\n${INSTALL}`,
        },
      },
      expect: [
        at(U, 'info', 'svc/Dockerfile', 1, 1, {
          message: /nothing in the repository builds svc\/Dockerfile, so its build context is not known/,
          reachable: false,
        }),
      ],
    },
    {
      name: 'a Dockerfile nothing builds in svc/ with only a root pyproject.toml: the context may be svc/, so the root project is not claimed (no "only candidate where it exists")',
      repo: {
        files: { 'pyproject.toml': PYPROJECT, 'svc/Dockerfile': `FROM python:3.9-slim\n${INSTALL}` },
      },
      expect: [
        at(U, 'info', 'svc/Dockerfile', 1, 1, {
          message: /so its build context is not known; not checked: which project this pip install installs/,
          reachable: false,
        }),
      ],
    },
    {
      name: 'a private image named python (ghcr.io/acme/python:3.9) is not the official image: its Python is unknown, a note, no claim',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': PYPROJECT,
          Dockerfile: `FROM ghcr.io/acme/python:3.9\n${INSTALL}`,
        },
      },
      expect: [
        at(U, 'info', 'Dockerfile', 1, 6, {
          message:
            /which Python ghcr\.io\/acme\/python:3\.9 has is not known; not checked: the Python of this stage/,
        }),
      ],
    },
    {
      name: 'a floating tag (python:3) is an assumption (3.13 when written): a warning, not an error',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': '[project]\nname = "svc"\nrequires-python = "<3.12"\n',
          Dockerfile: `FROM python:3\n${INSTALL}`,
        },
      },
      expect: [
        at(R, 'warning', 'Dockerfile', 1, 6, {
          message: /Python 3\.13 \(the floating python:3 tag \(Python 3\.13 when written\)\)/,
        }),
      ],
    },
    {
      name: 'python3.9 installed beside the distro python3: which one `pip install` / `python3 -m pip` runs is unknown, a note at the RUN',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': '[project]\nname = "svc"\nrequires-python = "<3.10"\n',
          Dockerfile:
            'FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y python3.9 python3-pip\nWORKDIR /app\nCOPY . .\nRUN pip install .\nRUN python3 -m pip install .\n',
        },
      },
      expect: [
        at(U, 'info', 'Dockerfile', 2, 1, {
          message:
            /installs Python 3\.9 beside the distro's python3: which one `pip` and `python3` run is not known/,
        }),
      ],
    },
    // actions/setup-python.
    {
      name: 'setup-python outside requires-python in a job that installs the project is reported at the version',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(`${setupPython('"3.9"')}      - run: pip install .\n`),
        },
      },
      expect: [
        at(R, 'error', '.github/workflows/t.yml', 9, 27, {
          message:
            /^job "test" sets up Python 3\.9 \(actions\/setup-python\) and installs the project, but requires-python in pyproject\.toml requires ">=3\.10": pip refuses to install it$/,
          related: ['pyproject.toml:3 requires-python is ">=3.10" here'],
        }),
      ],
    },
    {
      name: 'setup-python from a matrix: reported at the matrix value that fails only',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            `${setupPython(`\${{ matrix.py }}`)}      - run: pip install -e .\n`,
            '    strategy:\n      matrix:\n        py: ["3.9", "3.12"]\n',
          ),
        },
      },
      expect: [at(R, 'error', '.github/workflows/t.yml', 7, 14)],
    },
    {
      name: 'condition "the job installs the project": setup-python 3.9 with only pip install -r is not reported',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            `${setupPython('"3.9"')}      - run: pip install -r requirements.txt\n`,
          ),
        },
      },
      expect: [],
    },
    {
      name: 'the project installed by another job does not make a lint job on 3.9 fail',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml':
            'on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n          python-version: "3.9"\n      - run: pip install ruff\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n          python-version: "3.12"\n      - run: pip install .\n',
        },
      },
      expect: [],
    },
    {
      name: 'condition "the constraint is enforced": setup-python against .python-version only is not reported',
      repo: {
        files: {
          '.python-version': '3.12\n',
          '.github/workflows/t.yml': workflow(`${setupPython('"3.9"')}      - run: pip install .\n`),
        },
      },
      expect: [],
    },
    {
      name: 'a setup-python version from an expression is unknown: no claim',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            `${setupPython(`\${{ inputs.py }}`)}      - run: pip install .\n`,
          ),
        },
      },
      expect: [],
    },
    {
      name: 'setup-python with `cd svc && pip install .` checks svc/pyproject.toml, not the root constraint',
      repo: {
        files: {
          'pyproject.toml': '[project]\nname = "root"\nrequires-python = "<3.9"\n',
          'svc/pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            `${setupPython('"3.9"')}      - run: cd svc && pip install .\n`,
          ),
        },
      },
      expect: [
        at(R, 'error', '.github/workflows/t.yml', 9, 27, {
          message: /requires-python in svc\/pyproject\.toml requires ">=3\.10"/,
        }),
      ],
    },
    {
      name: 'setup-python with `working-directory: svc` checks svc/pyproject.toml; the root constraint is not the project',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          'svc/pyproject.toml': '[project]\nname = "svc"\nrequires-python = ">=3.8"\n',
          '.github/workflows/t.yml': workflow(
            `${setupPython('"3.9"')}      - run: pip install -e .[dev]\n        working-directory: svc\n`,
          ),
        },
      },
      expect: [],
    },
    {
      name: 'setup-python with `cd "$DIR" && pip install .`: which project is unknown, a note at the cd, no claim',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            `${setupPython('"3.9"')}      - run: cd "$DIR" && pip install .\n`,
          ),
        },
      },
      expect: [
        at(U, 'info', '.github/workflows/t.yml', 10, 17, {
          message: /`\$DIR` is not set in this file.*not checked: which project this job installs/,
        }),
      ],
    },
    // Builder and runtime stages.
    {
      name: 'a builder stage on another Python than the runtime receiving its venv is reported at the COPY',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          Dockerfile: [
            'FROM python:3.11 AS builder',
            'RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt',
            'FROM python:3.12-slim',
            'COPY --from=builder /opt/venv /opt/venv',
            '',
          ].join('\n'),
        },
      },
      expect: [
        at(R, 'error', 'Dockerfile', 4, 1, {
          message: /stage "builder" builds with Python 3\.11 and this stage runs Python 3\.12.*cpython-311/,
        }),
      ],
    },
    {
      name: 'the same builder/runtime pair in a Dockerfile nothing builds is a warning',
      repo: {
        files: {
          Dockerfile:
            'FROM python:3.11 AS builder\nRUN pip install --prefix=/install flask\nFROM python:3.12-slim\nCOPY --from=builder /install /usr/local\n',
        },
      },
      expect: [at(R, 'warning', 'Dockerfile', 4, 1, { reachable: false })],
    },
    {
      name: 'wheels (maybe pure-Python) copied from a builder on another Python are an assumption: a warning, not an error',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          Dockerfile:
            'FROM python:3.11 AS builder\nRUN pip wheel -w /wheels flask\nFROM python:3.12-slim\nCOPY --from=builder /wheels /wheels\nRUN pip install /wheels/*\n',
        },
      },
      expect: [at(R, 'warning', 'Dockerfile', 4, 1, { message: /stage "builder" builds with Python 3\.11/ })],
    },
    {
      name: 'condition "different minor versions": builder and runtime on 3.12 are fine',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          Dockerfile:
            'FROM python:3.12 AS builder\nRUN pip install --prefix=/install flask\nFROM python:3.12-slim\nCOPY --from=builder /install /usr/local\n',
        },
      },
      expect: [],
    },
    {
      name: 'condition "the COPY carries Python packages": copying static files between Pythons is fine',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          Dockerfile:
            'FROM python:3.11 AS builder\nRUN mkdir /out\nFROM python:3.12-slim\nCOPY --from=builder /out/static /srv/static\n',
        },
      },
      expect: [],
    },
    {
      name: 'condition "both Pythons known": an unknown builder image gets no claim',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          Dockerfile:
            'FROM registry.acme.io/builder:1 AS builder\nRUN pip install --prefix=/install flask\nFROM python:3.12-slim\nCOPY --from=builder /install /usr/local\n',
        },
      },
      expect: [],
    },
    {
      name: 'an unknown runtime image gets no claim',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          Dockerfile:
            'FROM python:3.11 AS builder\nRUN pip install --prefix=/install flask\nFROM registry.acme.io/runtime:1\nCOPY --from=builder /install /usr/local\n',
        },
      },
      expect: [],
    },

    // What a setup-python job installs, and which versions it names.
    ...[
      ['poetry install', true],
      ['uv sync', true],
      ['poetry lock', false],
      ['uv lock', false],
      ['pip install -e ".[dev]"', true],
      ['pip install ".[test]"', true],
      ['pip install ./docs', false],
      ['pip install git+https://github.com/acme/svc.git', false],
      ['pytest', false],
      ['poetry', false],
      ['uv', false],
      ['pip install ./dist/svc-1.0.tar.gz', false],
      ['pip install ./dist/*.whl', false],
      ['pip download .', false],
      ['pip install ..', false],
      ['npm install', false],
      ['repo sync', false],
    ].map(
      ([run, reported]): RuleCase => ({
        name: `setup-python 3.9 and \`${run}\`: ${reported ? 'installs the project, reported' : 'not the project, not reported'}`,
        repo: {
          files: {
            'pyproject.toml': PYPROJECT,
            '.github/workflows/t.yml': workflow(`${setupPython('"3.9"')}      - run: ${run}\n`),
          },
        },
        expect: reported ? [at(R, 'error', '.github/workflows/t.yml', 9, 27)] : [],
      }),
    ),
    ...[
      ['"3.9.18"', 'reported as 3.9.18', /sets up Python 3\.9\.18 /],
      ['"3.10"', 'two-digit minor 3.10 is outside >=3.11', /sets up Python 3\.10 /],
      ['"pypy3.9"', 'pypy3.9 is not a CPython version: not reported', undefined],
      ['"3.x"', 'a range (3.x) is not one version: not reported', undefined],
      [
        '"3.10-dev"',
        'a development build (3.10-dev) is that Python (formerly not read)',
        /sets up Python 3\.10 /,
      ],
      ['" 3.10 "', 'blanks around the version are dropped, as setup-python does', /sets up Python 3\.10 /],
    ].map(
      ([version, what, message]): RuleCase => ({
        name: `setup-python ${version}: ${what}`,
        repo: {
          files: {
            'pyproject.toml': '[project]\nname = "svc"\nrequires-python = ">=3.11"\n',
            '.github/workflows/t.yml': workflow(
              `${setupPython(version as string)}      - run: pip install .\n`,
            ),
          },
        },
        expect: message
          ? [at(R, 'error', '.github/workflows/t.yml', 9, 27, { message: message as RegExp })]
          : [],
      }),
    ),
    {
      name: 'setup-python with several versions, one per line: only the failing one is reported',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            '      - uses: actions/setup-python@v5\n        with:\n          python-version: |\n            3.12\n            3.9\n      - run: pip install .\n',
          ),
        },
      },
      expect: [at(R, 'error', '.github/workflows/t.yml', 9, 27, { message: /sets up Python 3\.9 / })],
    },
    {
      name: 'setup-python from a matrix written without spaces (${{matrix.py}}) is read too',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            `${setupPython('${{matrix.py}}')}      - run: pip install .\n`,
            '    strategy:\n      matrix:\n        py: ["3.9"]\n',
          ),
        },
      },
      expect: [at(R, 'error', '.github/workflows/t.yml', 7, 14)],
    },
    {
      name: 'a matrix expression with blanks around it is read (GitHub and setup-python drop them)',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            `${setupPython('" ${{ matrix.py }} "')}      - run: pip install .\n`,
            '    strategy:\n      matrix:\n        py: ["3.9"]\n',
          ),
        },
      },
      expect: [at(R, 'error', '.github/workflows/t.yml', 7, 14)],
    },
    {
      name: 'a matrix value with a suffix (${{ matrix.py }}-dev) is not the matrix value: not reported',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            `${setupPython('${{ matrix.py }}-dev')}      - run: pip install .\n`,
            '    strategy:\n      matrix:\n        py: ["3.9"]\n',
          ),
        },
      },
      expect: [],
    },
    {
      name: 'a matrix entry the matrix does not define, or text before the expression, names no version',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            `${setupPython('${{ matrix.nope }}')}${setupPython('py${{ matrix.py }}')}      - run: pip install .\n`,
            '    strategy:\n      matrix:\n        py: ["3.9"]\n',
          ),
        },
      },
      expect: [],
    },
    {
      name: 'pip takes an argument with a `/` for a path: `tools/` installs tools/, the name `tools` does not (formerly `tools/` was not read)',
      repo: {
        files: {
          'tools/pyproject.toml': '[project]\nname = "tools"\nrequires-python = ">=3.12"\n',
          '.github/workflows/t.yml': workflow(
            `${setupPython('"3.11"')}      - run: pip install tools\n      - run: pip install tools/\n`,
          ),
        },
      },
      expect: [
        at(R, 'error', '.github/workflows/t.yml', 9, 27, {
          message: /requires-python in tools\/pyproject\.toml requires ">=3\.12"/,
          related: ['tools/pyproject.toml:3 requires-python is ">=3.12" here'],
        }),
      ],
    },
    {
      name: 'condition "a path": a name without `/` or a leading `.` is a package from the index, even where a folder has that name',
      repo: {
        files: {
          'tools/pyproject.toml': '[project]\nname = "tools"\nrequires-python = ">=3.12"\n',
          'backports.zoneinfo/pyproject.toml': '[project]\nname = "b"\nrequires-python = ">=3.12"\n',
          '.github/workflows/t.yml': workflow(
            `${setupPython('"3.11"')}      - run: pip install tools backports.zoneinfo\n`,
          ),
        },
      },
      expect: [],
    },
    {
      name: 'condition "setup-python in the job": a job without it is not looked at, not even for a folder it cannot follow',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow('      - run: cd "$DIR" && pip install .\n'),
        },
      },
      expect: [],
    },
    {
      name: 'condition "a command that installs": a folder crossdock cannot follow is not noted for a command that installs nothing',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(`${setupPython('"3.9"')}      - run: cd "$DIR" && pytest\n`),
        },
      },
      expect: [],
    },
    {
      name: 'condition "actions/setup-python": another action with a python-version input is not a setup',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            '      - uses: acme/setup-tools@v1\n        with:\n          python-version: "3.9"\n      - run: pip install .\n',
          ),
        },
      },
      expect: [],
    },
    {
      name: 'condition "python-version given": setup-python with python-version-file only is not read',
      repo: {
        files: {
          'pyproject.toml': PYPROJECT,
          '.github/workflows/t.yml': workflow(
            '      - uses: actions/setup-python@v5\n        with:\n          python-version-file: .python-version\n      - run: pip install .\n',
          ),
        },
      },
      expect: [],
    },
    {
      name: "`pip3.11 install .` names its interpreter: that version, not the stage's, is checked",
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          'pyproject.toml': '[project]\nname = "svc"\nrequires-python = ">=3.12"\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip3.11 install .\n',
        },
      },
      expect: [
        at(R, 'error', 'Dockerfile', 4, 5, {
          message: /with Python 3\.11 \(pip3\.11 named by this command\)/,
          related: [
            'pyproject.toml:3 requires-python is ">=3.12" here',
            'Dockerfile:4 the project is installed here',
          ],
        }),
      ],
    },
    // Builder and runtime stages, which paths carry packages.
    ...[
      ['/usr/local/lib/python3.11/site-packages /usr/local/lib/python3.12/site-packages', 'error'],
      ['/root/.local /root/.local', 'error'],
      ['/wheel /wheel', 'warning'],
      ['/wheels /srv/pkgs', 'warning'],
      ['/wheels /install /tmp/', 'error'],
      ['/out /usr/local/lib/python3.12/site-packages/out', undefined],
    ].map(
      ([paths, severity]): RuleCase => ({
        name: `COPY --from=builder ${paths}: ${severity ?? 'no Python packages in the sources, not reported'}`,
        repo: {
          files: {
            'crossdock.yaml': IMAGES,
            Dockerfile: `FROM python:3.11 AS builder\nRUN pip install flask\nFROM python:3.12-slim\nCOPY --from=builder ${paths}\n`,
          },
        },
        expect: severity
          ? [
              at(R, severity as 'error' | 'warning', 'Dockerfile', 4, 1, {
                related: ['Dockerfile:1 stage "builder" gets Python 3.11 here'],
              }),
            ]
          : [],
      }),
    ),
    {
      name: 'the stage a COPY takes --from is found after other flags; one package path among its sources is enough',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          Dockerfile:
            'FROM python:3.11 AS builder\nRUN pip install --user flask\nFROM python:3.12-slim\nCOPY --chown=1000 --from=builder /app/static /root/.local /srv/\n',
        },
      },
      expect: [
        at(R, 'error', 'Dockerfile', 4, 1, {
          related: ['Dockerfile:1 stage "builder" gets Python 3.11 here'],
        }),
      ],
    },
    {
      name: 'a builder stage named by index is named by its index',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          Dockerfile:
            'FROM python:3.11\nRUN pip install --prefix=/install flask\nFROM python:3.12-slim\nCOPY --from=0 /install /usr/local\n',
        },
      },
      expect: [
        at(R, 'error', 'Dockerfile', 4, 1, {
          message:
            /^stage "0" builds with Python 3\.11 and this stage runs Python 3\.12: the copied packages and compiled extensions \(cpython-311\) are not importable here$/,
          related: ['Dockerfile:1 stage "0" gets Python 3.11 here'],
        }),
      ],
    },
    {
      name: 'COPY --from an image (not a stage) is not a builder stage',
      repo: {
        files: {
          'crossdock.yaml': IMAGES,
          Dockerfile:
            'FROM python:3.12-slim\nCOPY --from=python:3.11 /usr/local/lib/python3.11/site-packages /x\n',
        },
      },
      expect: [],
    },
  ]),
);

// Suspected rule bugs (see the report): not encoded.

// The YAML float trap: an unquoted 3.10 is the number 3.1.
ruleTest(rule, [
  {
    name: 'setup-python `python-version: 3.10` unquoted is read as 3.1: an error at the value, whatever the project requires',
    repo: {
      files: {
        '.github/workflows/t.yml': workflow(`${setupPython('3.10')}      - run: pytest\n`),
      },
    },
    expect: [
      at(R, 'error', '.github/workflows/t.yml', 9, 27, {
        message:
          /^`3\.10` is a YAML number, read as 3\.1: actions\/setup-python looks for Python 3\.1, which does not exist, and the job fails; quote it \("3\.10"\)$/,
      }),
    ],
  },
  {
    name: 'the float trap in a matrix is reported at the trapped value only, and not again against requires-python',
    repo: {
      files: {
        'pyproject.toml': PYPROJECT,
        '.github/workflows/t.yml': workflow(
          `${setupPython(`\${{ matrix.py }}`)}      - run: pip install .\n`,
          '    strategy:\n      matrix:\n        py: [3.9, 3.10, "3.11", 3.12]\n',
        ),
      },
    },
    expect: [
      at(R, 'error', '.github/workflows/t.yml', 7, 14, { message: /^job "test" sets up Python 3\.9 / }),
      at(R, 'error', '.github/workflows/t.yml', 7, 19, {
        message: /^`3\.10` is a YAML number, read as 3\.1:/,
      }),
    ],
  },
  {
    name: 'each trapped value is reported once, however many setup steps read it',
    repo: {
      files: {
        '.github/workflows/t.yml': workflow(
          `${setupPython(`\${{ matrix.py }}`)}${setupPython(`\${{ matrix.py }}`)}${setupPython('3.20')}      - run: pytest\n`,
          '    strategy:\n      matrix:\n        py: [3.10]\n',
        ),
      },
    },
    expect: [
      at(R, 'error', '.github/workflows/t.yml', 7, 14, {
        message: /^`3\.10` is a YAML number, read as 3\.1:/,
      }),
      at(R, 'error', '.github/workflows/t.yml', 18, 27, {
        message: /^`3\.20` is a YAML number, read as 3\.2:/,
      }),
    ],
  },
  {
    name: 'condition "unquoted": "3.10" quoted, 3.12 (no trailing zero) and 3.0 (read as 3, another claim) are not the trap',
    repo: {
      files: {
        '.github/workflows/t.yml': workflow(
          `${setupPython(`\${{ matrix.py }}`)}      - run: pytest\n`,
          '    strategy:\n      matrix:\n        py: ["3.10", 3.12, 3.0]\n',
        ),
      },
    },
    expect: [],
  },
  {
    name: 'condition "setup-python": a 3.10 given to another action is not read as a Python version',
    repo: {
      files: {
        '.github/workflows/t.yml': workflow(
          '      - uses: acme/tool@v1\n        with:\n          python-version: 3.10\n      - run: pytest\n',
        ),
      },
    },
    expect: [],
  },
]);
