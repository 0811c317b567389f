import rule from '../../src/rules/hashes-inconsistent.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const R = 'hashes-inconsistent';
const IMAGES = 'images:\n  reg/app:\n    context: .\n    dockerfile: Dockerfile\n';
const H = `--hash=sha256:${'a'.repeat(64)}`;
const FILES = {
  'requirements.txt': `flask==3.0.0 \\\n    ${H}\nrequests==2.32.0\n`,
  'strict.txt': '--require-hashes\nnumpy==1.26.4\n',
  'requirements.lock': `flask==3.0.0 ${H}\n`,
  'loose.txt': 'flask\n',
};
const INSTALLS =
  'RUN pip install -r requirements.txt -r strict.txt\nRUN pip install --require-hashes -r loose.txt\n';

ruleTest(rule, [
  {
    name: 'mixed hashed/unhashed lines, --require-hashes over unhashed lines, and an unused hashed lock',
    repo: {
      files: {
        ...FILES,
        'crossdock.yaml': IMAGES,
        Dockerfile: `FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n${INSTALLS}`,
      },
    },
    expect: [
      at(R, 'error', 'loose.txt', 1, 1, {
        message: /`flask` has no --hash but the Dockerfile's `pip install --require-hashes` requires hashes/,
        reachable: true,
      }),
      at(R, 'error', 'requirements.txt', 3, 1, {
        message: /`requests==2\.32\.0` has no --hash while other lines in this file do/,
      }),
      at(R, 'error', 'strict.txt', 2, 1, { message: /--require-hashes in this file requires hashes/ }),
      at(R, 'info', 'requirements.lock', 1, 1, {
        message:
          /not installed by any Dockerfile, which install requirements\.txt, strict\.txt, loose\.txt instead/,
        reachable: false,
      }),
    ],
  },
  {
    name: 'a Dockerfile nothing builds: the files it may install are warnings, and the lock is not called unused (nothing is known to be installed)',
    repo: { files: { ...FILES, Dockerfile: `FROM python:3.12-slim\n${INSTALLS}` } },
    expect: [
      at(R, 'warning', 'requirements.txt', 3, 1, { reachable: false }),
      at(R, 'warning', 'strict.txt', 2, 1, { reachable: false }),
    ],
  },
  {
    name: 'files the image never gets (no COPY) are not installed: only the mixed requirements.txt, which nothing builds, as a warning',
    repo: { files: { ...FILES, 'crossdock.yaml': IMAGES, Dockerfile: `FROM python:3.12-slim\n${INSTALLS}` } },
    expect: [at(R, 'warning', 'requirements.txt', 3, 1, { reachable: false })],
  },
  {
    name: 'condition "some lines hashed": a fully hashed file (editable lines aside) is fine',
    repo: {
      files: {
        'crossdock.yaml': IMAGES,
        'requirements.txt': `flask==3.0.0 ${H}\nrequests==2.32.0 ${H}\n-e ./libs/x\n`,
        Dockerfile: 'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "hashes required": an unhashed file installed without --require-hashes is fine',
    repo: {
      files: {
        'crossdock.yaml': IMAGES,
        'loose.txt': 'flask\n',
        Dockerfile: 'FROM python:3.12-slim\nCOPY loose.txt .\nRUN pip install -r loose.txt\n',
      },
    },
    expect: [],
  },
  {
    name: '--require-hashes applies to the file the COPY put there (deploy/req-min.txt), and the hashed requirements.txt it replaced is unused',
    repo: {
      files: {
        'crossdock.yaml': IMAGES,
        'deploy/req-min.txt': 'flask\n',
        'requirements.txt': `flask==3 ${H}\n`,
        Dockerfile:
          'FROM python:3.12-slim\nCOPY deploy/req-min.txt requirements.txt\nRUN pip install --require-hashes -r requirements.txt\n',
      },
    },
    expect: [
      at(R, 'error', 'deploy/req-min.txt', 1, 1),
      at(R, 'info', 'requirements.txt', 1, 1, { message: /which install deploy\/req-min\.txt instead/ }),
    ],
  },
  {
    name: 'condition "the lock is not installed": a hashed lock the Dockerfile installs is fine',
    repo: {
      files: {
        'crossdock.yaml': IMAGES,
        'requirements.txt': 'flask\n',
        'requirements.lock': `flask==3 ${H}\n`,
        Dockerfile: 'FROM python:3.12-slim\nCOPY requirements.lock .\nRUN pip install -r requirements.lock\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "something else is installed": a hashed lock with no install at all is not called unused',
    repo: {
      files: {
        'crossdock.yaml': IMAGES,
        'requirements.lock': `flask==3 ${H}\n`,
        Dockerfile: 'FROM python:3.12-slim\n',
      },
    },
    expect: [],
  },
  {
    name: 'the unused note is about Dockerfiles: a lock only a workflow installs is still reported',
    repo: {
      files: {
        'crossdock.yaml': IMAGES,
        'requirements.txt': 'flask\n',
        'requirements.lock': `flask==3 ${H}\n`,
        Dockerfile: 'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
        '.github/workflows/t.yml':
          'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pip install -r requirements.lock\n',
      },
    },
    expect: [at(R, 'info', 'requirements.lock', 1, 1)],
  },
  {
    name: 'condition "every install is known": a lock is not called unused while another build installs an -r whose path is unknown (WORKDIR of a private base): a note',
    repo: {
      files: {
        'crossdock.yaml': `${IMAGES}  reg/b:\n    context: .\n    dockerfile: b.Dockerfile\n`,
        'requirements.txt': 'flask\n',
        'requirements.lock': `flask==3 ${H}\n`,
        Dockerfile: 'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n',
        'b.Dockerfile':
          'FROM registry.acme.io/py:1\nCOPY requirements.lock .\nRUN pip install -r requirements.lock\n',
      },
    },
    only: [R, 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', 'b.Dockerfile', 3, 20, {
        message:
          /the WORKDIR of registry\.acme\.io\/py:1 is not known; not checked: whether requirements\.lock is installed by a Dockerfile/,
      }),
    ],
  },
  {
    name: 'a lock included with -r from an installed file is installed: not unused',
    repo: {
      files: {
        'crossdock.yaml': IMAGES,
        'requirements.txt': '-r requirements.lock\n',
        'requirements.lock': `flask==3 ${H}\n`,
        Dockerfile: 'FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\n',
      },
    },
    expect: [],
  },
]);
