import assert from 'node:assert/strict';
import { test } from 'node:test';
import rule from '../../src/rules/entrypoint-missing.js';
import healthcheckToolMissing from '../../src/rules/healthcheck-tool-missing.js';
import missingFile from '../../src/rules/missing-file.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const BUILT = 'images:\n  reg/app:\n    context: .\n';
/** A reached Dockerfile at the root with `start.sh` and `app` in its context. */
const built = (dockerfile: string, extra: Record<string, string> = {}) => ({
  files: { Dockerfile: dockerfile, 'start.sh': '#!/bin/sh\n', app: 'x', 'crossdock.yaml': BUILT, ...extra },
});
const NEVER = /the final stage never receives it/;
const NO_MODULE = /holds no such module or package/;
/** Compare notes too, so a case that expects none fails when one appears. */
const NOTES = ['entrypoint-missing', 'unresolved-value'];
/** A repository with one image per folder that holds a Dockerfile (`a/Dockerfile` → `reg/a`, context `a`). */
const images = (files: Record<string, string>) => ({
  files: {
    ...files,
    'crossdock.yaml': `images:\n${Object.keys(files)
      .filter((f) => f.endsWith('/Dockerfile'))
      .map(
        (f) =>
          `  reg/${f.slice(0, -'/Dockerfile'.length)}:\n    context: ${f.slice(0, -'/Dockerfile'.length)}\n`,
      )
      .join('')}`,
  },
});
const PY = 'FROM python:3.12-slim\nWORKDIR /app\n';

ruleTest(rule, [
  {
    name: 'an init the final image never installs is reported at the program',
    repo: built('FROM python:3.12-slim\nENTRYPOINT ["tini", "--"]\nCMD ["python"]\n'),
    expect: [
      at('entrypoint-missing', 'error', 'Dockerfile', 2, 13, {
        message:
          /`tini` is started by ENTRYPOINT but the final stage never receives it .* base image python:3.12-slim/,
        sites: ['crossdock.yaml:1'],
      }),
    ],
  },
  {
    name: 'condition: installing the init (apt-get) or downloading it (ADD URL) provides it',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y tini\nENTRYPOINT ["tini", "--"]\n',
        'b/Dockerfile':
          'FROM python:3.12-slim\nADD https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini\nENTRYPOINT ["/tini", "--"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [],
  },
  {
    name: 'dumb-init and an init by absolute system path are checked too (python:3.12-slim ships neither)',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nENTRYPOINT ["dumb-init", "--"]\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nENTRYPOINT ["/usr/bin/tini", "--"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 2, 13, { message: /`dumb-init`/ }),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 2, 13, { message: /`\/usr\/bin\/tini`/ }),
    ],
  },
  {
    name: 'a relative script in the WORKDIR that nothing copies is reported',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nCMD ["./start.sh"]\n'),
    expect: [at('entrypoint-missing', 'error', 'Dockerfile', 3, 6, { message: NEVER })],
  },
  {
    name: 'condition: `COPY . .` of a context that has the script provides it',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["./start.sh"]\n'),
    expect: [],
  },
  {
    name: '`COPY . .` of a context without the script: reported with the copy that should have brought it',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["./missing.sh"]\n'),
    expect: [
      at('entrypoint-missing', 'error', 'Dockerfile', 4, 6, {
        message:
          /`\.\/missing\.sh` is started by CMD, but `COPY \. \.` puts the context's `missing\.sh` there, which does not exist/,
      }),
    ],
  },
  {
    name: 'condition "only creating commands create a path": a RUN that creates another path (`mkdir out`) or only mentions it (`chmod`, `test`, `ls`) does not create the script',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN mkdir out\nCMD ["./missing.sh"]\n',
        'b/Dockerfile':
          'FROM python:3.12-slim\nRUN chmod +x /app/start.sh || true\nRUN test -f /app/start.sh && ls -l /app/start.sh; chown root /app/start.sh\nENTRYPOINT ["/app/start.sh"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 5, 6, {
        message: /context's `a\/missing\.sh` there, which does not exist/,
      }),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 4, 13, { message: NEVER }),
    ],
  },
  {
    name: 'condition "creating commands": cp, mv, install, ln, touch, tee, a redirect, curl -o, wget -O, tar -x and unzip into its folder create the program',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nRUN cp /tmp/x /app/run\nENTRYPOINT ["/app/run"]\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nRUN mv /tmp/x /app/run\nENTRYPOINT ["/app/run"]\n',
        'c/Dockerfile':
          'FROM python:3.12-slim\nRUN install -m 755 /tmp/x /app/run\nENTRYPOINT ["/app/run"]\n',
        'd/Dockerfile':
          'FROM python:3.12-slim\nRUN ln -s /usr/local/bin/python /app/run\nENTRYPOINT ["/app/run"]\n',
        'e/Dockerfile': 'FROM python:3.12-slim\nRUN touch /app/run\nENTRYPOINT ["/app/run"]\n',
        'f/Dockerfile':
          'FROM python:3.12-slim\nRUN echo "#!/bin/sh" | tee /app/run\nENTRYPOINT ["/app/run"]\n',
        'g/Dockerfile': 'FROM python:3.12-slim\nRUN echo "#!/bin/sh" > /app/run\nENTRYPOINT ["/app/run"]\n',
        'h/Dockerfile':
          'FROM python:3.12-slim\nRUN curl -fsSL -o /app/run https://example.com/run\nENTRYPOINT ["/app/run"]\n',
        'i/Dockerfile':
          'FROM python:3.12-slim\nRUN wget -O /app/run https://example.com/run\nENTRYPOINT ["/app/run"]\n',
        'j/Dockerfile': 'FROM python:3.12-slim\nRUN tar -xzf /tmp/app.tgz -C /app\nENTRYPOINT ["/app/run"]\n',
        'k/Dockerfile': 'FROM python:3.12-slim\nRUN unzip /tmp/app.zip -d /app\nENTRYPOINT ["/app/run"]\n',
        'crossdock.yaml': `images:\n${'abcdefghijk'
          .split('')
          .map((x) => `  reg/${x}:\n    context: ${x}\n`)
          .join('')}`,
      },
    },
    expect: [],
  },
  {
    name: 'condition: the context the build sends decides: `context: sub` without the script is reported',
    repo: {
      files: {
        'sub/Dockerfile': 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["./start.sh"]\n',
        'start.sh': '#!/bin/sh\n',
        'crossdock.yaml': 'images:\n  reg/app:\n    context: sub\n',
      },
    },
    expect: [
      at('entrypoint-missing', 'error', 'sub/Dockerfile', 4, 6, { message: /context's `sub\/start\.sh`/ }),
    ],
  },
  {
    name: 'a script copied into another stage is not in the final one',
    repo: built(
      'FROM python:3.12-slim AS build\nCOPY start.sh /app/start.sh\nFROM python:3.12-slim\nENTRYPOINT ["/app/start.sh"]\n',
    ),
    expect: [at('entrypoint-missing', 'error', 'Dockerfile', 4, 13)],
  },
  {
    name: 'condition: copying it into the final stage (to a folder, or with --chmod) provides it',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim\nCOPY start.sh /usr/local/bin/\nENTRYPOINT ["/usr/local/bin/start.sh"]\n',
        'b/Dockerfile':
          'FROM python:3.12-slim\nCOPY --chmod=755 start.sh /docker-entrypoint.sh\nENTRYPOINT ["/docker-entrypoint.sh"]\n',
        'a/start.sh': '#!/bin/sh\n',
        'b/start.sh': '#!/bin/sh\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [],
  },
  {
    name: 'scratch ships nothing: a program nothing copies, even a system path, is missing; COPY never unpacks a tar',
    repo: {
      files: {
        'a/Dockerfile': 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/server"]\n',
        'b/Dockerfile': 'FROM scratch\nCOPY rootfs.tar /\nENTRYPOINT ["/server"]\n',
        'c/Dockerfile': 'FROM scratch\nENTRYPOINT ["/bin/sh"]\n',
        'a/app': 'x',
        'b/rootfs.tar': 'x',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 3, 13, { message: /and scratch does not ship it/ }),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 3, 13),
      at('entrypoint-missing', 'error', 'c/Dockerfile', 2, 13, { message: /`\/bin\/sh`/ }),
    ],
  },
  {
    name: 'condition: a system path on a known non-scratch base, a program on PATH and shell form are not checked',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nENTRYPOINT ["/usr/bin/env", "python"]\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nCMD ["python", "-m", "http.server"]\n',
        'c/Dockerfile': 'FROM python:3.12-slim\nENTRYPOINT /app/start.sh\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition: a root filesystem unpacked by ADD through a base stage provides the program (a variable source fills `/`)',
    repo: built(
      'FROM scratch AS base\nARG TARGETARCH\nADD rootfs-$TARGETARCH.tar /\nFROM base\nENTRYPOINT ["/bin/busybox", "sh"]\n',
    ),
    expect: [],
  },
  {
    name: 'unknown: an archive ADDed into the program’s folder may hold it: no claim, a note at the ADD (the root cause)',
    repo: built('FROM scratch\nADD rootfs.tar.gz /opt/\nENTRYPOINT ["/opt/bin/server"]\n'),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 2, 1, {
        message:
          /`ADD` of an archive unpacks files crossdock cannot list; not checked: whether `\/opt\/bin\/server` is in the image/,
      }),
    ],
  },
  {
    name: 'unknown: a RUN whose effects are not known may create the script: no claim, a note at the program',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nRUN ./setup.sh\nCMD ["./start.sh"]\n'),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 4, 6, {
        message: /effects are not known; not checked: whether `\.\/start\.sh` is in the image/,
      }),
    ],
  },
  {
    name: 'unknown: a base image crossdock knows nothing about may ship the program or the init: notes at its image',
    repo: {
      files: {
        'a/Dockerfile': 'FROM mycorp/base:1\nENTRYPOINT ["/opt/entry.sh"]\n',
        'b/Dockerfile': 'FROM mycorp/base:1\nENTRYPOINT ["tini", "--"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 1, 6, {
        message: /what mycorp\/base:1 contains is not known/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 1, 6, { message: /whether the image has `tini`/ }),
    ],
  },
  {
    name: 'unknown: a base from an ARG nothing passes: no claim, a note at the ARG',
    repo: built('ARG BASE\nFROM $BASE\nENTRYPOINT ["/entry.sh"]\n'),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 5, {
        message: /ARG BASE has no default and this build does not pass it/,
      }),
    ],
  },
  {
    name: 'unknown: a WORKDIR from a variable the base image may set: no claim about a relative program',
    repo: built('FROM python:3.12-slim\nWORKDIR $APP_HOME\nCOPY start.sh .\nCMD ["./start.sh"]\n'),
    expect: [at('unresolved-value', 'info', 'Dockerfile', 4, 6, { message: /`\$APP_HOME` is not declared/ })],
  },
  {
    name: 'condition: a Dockerfile nothing builds gets the same context-free finding, capped at warning',
    repo: { files: { Dockerfile: 'FROM python:3.12-slim\nENTRYPOINT ["tini", "--"]\n' } },
    expect: [at('entrypoint-missing', 'warning', 'Dockerfile', 2, 13, { reachable: false, sites: [] })],
  },
  {
    name: 'unknown: a Dockerfile nothing builds has no known context, so `COPY . .` of it gets no claim (and no note)',
    repo: { files: { Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["./missing.sh"]\n' } },
    expect: [],
  },
  {
    name: 'an archive ADD makes only its destination unknown: `/server` outside `/opt/` is still missing from scratch',
    repo: built('FROM scratch\nADD rootfs.tar.gz /opt/\nENTRYPOINT ["/server"]\n', { 'rootfs.tar.gz': 'x' }),
    expect: [
      at('entrypoint-missing', 'error', 'Dockerfile', 3, 13, { message: /and scratch does not ship it/ }),
    ],
  },
  {
    name: 'unknown: a command crossdock does not know (`go install`, `gcc -o`) may create the program: a note, not the error it used to be',
    repo: {
      files: {
        'a/Dockerfile': 'FROM golang:1.22\nRUN go install ./cmd/app\nENTRYPOINT ["/go/bin/app"]\n',
        'b/Dockerfile':
          'FROM python:3.12-slim\nWORKDIR /app\nCOPY app/ .\nRUN gcc -o /app/run main.c\nENTRYPOINT ["./run"]\n',
        'b/app/main.c': 'int main(void) { return 0; }\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 3, 13, {
        message: /not checked: whether `\/go\/bin\/app` is in the image/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 5, 13, {
        message: /not checked: whether `\.\/run` is in the image/,
      }),
    ],
  },
  {
    name: 'unknown: a step before the build (`make build`) may write the program into the context: the same note as missing-file, not "does not exist"',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nCOPY bin/ /app/\nENTRYPOINT ["/app/server"]\n',
        Makefile: 'build:\n\tgo build -o bin/server ./cmd/server\n',
        '.github/workflows/ci.yml': `on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make build\n      - run: docker build -t reg/app .\n`,
      },
    },
    rules: [rule, missingFile],
    only: ['entrypoint-missing', 'missing-file', 'unresolved-value'],
    expect: [
      at('unresolved-value', 'info', '.github/workflows/ci.yml', 7, 14, {
        message:
          /the step "make build" runs before this build and may create files; not checked: whether `\/app\/server` is in the image \(entrypoint-missing\); whether `bin\/` exists when the build runs \(missing-file\)/,
      }),
    ],
  },
  {
    name: 'condition: a step before the build whose outputs are known decides: it writes bin/server (no finding) or only bin/other (reported)',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nCOPY bin/ /app/\nENTRYPOINT ["/app/server"]\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nCOPY bin/ /app/\nENTRYPOINT ["/app/server"]\n',
        '.github/workflows/ci.yml': `on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: mkdir -p a/bin/server b/bin/other\n      - run: docker build -t reg/a a\n      - run: docker build -t reg/b b\n`,
      },
    },
    expect: [
      at('entrypoint-missing', 'error', 'b/Dockerfile', 3, 13, {
        message: /puts the context's `b\/bin\/server` there, which does not exist/,
        sites: ['.github/workflows/ci.yml:9'],
      }),
    ],
  },
  {
    name: 'unknown: a base not known to lack the program (golang holds /go, a system folder such as /var in debian) gives a note, not an error; scratch and /app in python still are errors',
    repo: {
      files: {
        'a/Dockerfile': 'FROM golang:1.22\nENTRYPOINT ["/go/bin/app"]\n',
        'b/Dockerfile': 'FROM debian:12\nENTRYPOINT ["/var/lib/app/run"]\n',
        'c/Dockerfile': 'FROM python:3.12-slim\nENTRYPOINT ["/app/run"]\n',
        'd/Dockerfile': 'FROM scratch\nENTRYPOINT ["/var/lib/app/run"]\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n  reg/d:\n    context: d\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 1, 6, {
        message:
          /what golang:1.22 contains is not known; not checked: whether the base image has `\/go\/bin\/app`/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 1, 6, {
        message: /what debian:12 contains is not known/,
      }),
      at('entrypoint-missing', 'error', 'c/Dockerfile', 2, 13, {
        message: NEVER,
        sites: ['crossdock.yaml:1'],
      }),
      at('entrypoint-missing', 'error', 'd/Dockerfile', 2, 13, {
        message: NEVER,
        sites: ['crossdock.yaml:1'],
      }),
    ],
  },
  {
    name: 'unknown: golang sets WORKDIR /go, so `./app` there is not /app: the WORKDIR is not taken as `/` (a note, no claim either way)',
    repo: built('FROM golang:1.22\nCOPY app /app\nENTRYPOINT ["./app"]\n'),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 3, 13, {
        message: /the WORKDIR of golang:1.22 is not known; not checked: whether `\.\/app` is in the image/,
      }),
    ],
  },
  {
    name: 'every message in full: missing from a base image, missing from scratch, not in the context',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nENTRYPOINT ["tini", "--"]\n',
        'b/Dockerfile': 'FROM scratch\nCMD ["/server"]\n',
        'c/Dockerfile':
          'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCOPY conf.txt /etc/app.conf\nCMD ["./missing.sh"]\n',
        'c/conf.txt': 'x',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 2, 13, {
        message:
          /^`tini` is started by ENTRYPOINT but the final stage never receives it \(no COPY\/ADD or install creates it\) and the base image python:3\.12-slim does not ship it: the container exits with "no such file or directory"$/,
        sites: ['crossdock.yaml:1'],
      }),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 2, 6, {
        message:
          /^`\/server` is started by CMD but the final stage never receives it \(no COPY\/ADD or install creates it\) and scratch does not ship it: the container exits with "no such file or directory"$/,
      }),
      at('entrypoint-missing', 'error', 'c/Dockerfile', 5, 6, {
        message:
          /^`\.\/missing\.sh` is started by CMD, but `COPY \. \.` puts the context's `c\/missing\.sh` there, which does not exist: the container exits with "no such file or directory"$/,
      }),
    ],
  },
  {
    name: 'every note in full: the init, the program, the base image',
    repo: {
      files: {
        'a/Dockerfile': 'FROM mycorp/base:1 AS base\nFROM base\nENTRYPOINT ["tini", "--"]\n',
        'b/Dockerfile': 'FROM mycorp/base:1 AS base\nFROM base\nENTRYPOINT ["/opt/entry.sh"]\n',
        'c/Dockerfile': 'FROM python:3.12-slim\nRUN ./setup.sh\nENTRYPOINT ["/app/run"]\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 1, 6, {
        message:
          /^crossdock does not know what mycorp\/base:1 contains; not checked: whether the image has `tini` \(entrypoint-missing\)$/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 1, 6, {
        message:
          /^what mycorp\/base:1 contains is not known; not checked: whether the base image has `\/opt\/entry\.sh` \(entrypoint-missing\)$/,
      }),
      at('unresolved-value', 'info', 'c/Dockerfile', 3, 13, {
        message:
          /^a RUN in this stage runs a program whose effects are not known; not checked: whether `\/app\/run` is in the image \(entrypoint-missing\)$/,
      }),
    ],
  },
  {
    name: 'condition "the last ENTRYPOINT, else the last CMD": an earlier ENTRYPOINT and a CMD next to an ENTRYPOINT are not run',
    repo: {
      files: {
        'a/Dockerfile': 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/gone"]\nENTRYPOINT ["/app"]\n',
        'b/Dockerfile': 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\nCMD ["/gone"]\n',
        'c/Dockerfile': 'FROM scratch\nCOPY app /app\nCMD ["/gone"]\nCMD ["/app"]\n',
        'a/app': 'x',
        'b/app': 'x',
        'c/app': 'x',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "a literal program": an empty exec form and a program with a variable are not checked',
    repo: {
      files: {
        'a/Dockerfile': 'FROM scratch\nCMD []\n',
        'b/Dockerfile': 'FROM scratch\nENTRYPOINT ["/opt/$APP/run"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "a system path": only a path starting with a system folder is skipped (`/app/bin/server` is not)',
    repo: built('FROM python:3.12-slim\nENTRYPOINT ["/app/bin/server"]\n'),
    expect: [at('entrypoint-missing', 'error', 'Dockerfile', 2, 13, { message: NEVER })],
  },
  {
    name: 'condition "relative": a path without `./` (`bin/server`) is relative to the WORKDIR',
    repo: built(
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY app bin/server\nCMD ["bin/server"]\nCMD ["bin/other"]\n',
    ),
    expect: [
      at('entrypoint-missing', 'error', 'Dockerfile', 5, 6, {
        message: /^`bin\/other` is started by CMD but/,
      }),
    ],
  },
  {
    name: 'condition "an init is checked for itself": installing dumb-init does not provide tini (what else the install does is not known: a note)',
    repo: built('FROM python:3.12-slim\nRUN apt-get install -y dumb-init\nENTRYPOINT ["tini", "--"]\n'),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 3, 13, { message: /whether `tini` is in the image/ }),
    ],
  },
  {
    name: 'condition "copied to /": `COPY . /` of a context with the program provides it; without it, the copy is named',
    repo: {
      files: {
        'a/Dockerfile': 'FROM scratch\nCOPY . /\nENTRYPOINT ["/start.sh"]\n',
        'a/start.sh': '#!/bin/sh\n',
        'b/Dockerfile': 'FROM scratch\nCOPY . /\nENTRYPOINT ["/missing.sh"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('entrypoint-missing', 'error', 'b/Dockerfile', 3, 13, {
        message:
          /^`\/missing\.sh` is started by ENTRYPOINT, but `COPY \. \/` puts the context's `b\/missing\.sh` there/,
      }),
    ],
  },
  {
    name: 'condition "a copy from a stage into a bin folder": it may hold an init copied under its bare name',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim\nCOPY --from=tools /dist/ /usr/local/bin/\nENTRYPOINT ["tini", "--"]\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nCOPY --from=tools /dist/ /sbin/\nENTRYPOINT ["tini", "--"]\n',
        'c/Dockerfile':
          'FROM python:3.12-slim\nCOPY --from=tools /dist/ /usr/bin/\nENTRYPOINT ["tini", "--"]\n',
        'd/Dockerfile':
          'FROM python:3.12-slim\nCOPY --from=tools /dist/ /opt/tools/\nENTRYPOINT ["tini", "--"]\n',
        'e/Dockerfile':
          'FROM python:3.12-slim\nCOPY --from=tools /dist/tini /opt/\nENTRYPOINT ["tini", "--"]\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n  reg/d:\n    context: d\n  reg/e:\n    context: e\n',
      },
    },
    expect: [at('entrypoint-missing', 'error', 'd/Dockerfile', 3, 13)],
  },
  {
    name: 'condition "a copy from a stage covers its destination tree": `/app/` holds `/app/server`, `/srv/` does not',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nCOPY --from=build /out/ /app/\nENTRYPOINT ["/app/server"]\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nCOPY --from=build /out/ /srv/\nENTRYPOINT ["/app/server"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [at('entrypoint-missing', 'error', 'b/Dockerfile', 3, 13)],
  },
  {
    name: 'condition "an init copied under its name": `gosu` copied from a download is received',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim\nCOPY gosu-amd64 /usr/local/bin/gosu\nENTRYPOINT ["gosu", "app", "/usr/local/bin/python"]\n',
        'a/gosu-amd64': 'x',
        'b/Dockerfile': 'FROM python:3.12-slim\nENTRYPOINT ["gosu", "app", "/usr/local/bin/python"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [at('entrypoint-missing', 'error', 'b/Dockerfile', 2, 13, { message: /^`gosu`/ })],
  },
  {
    name: 'condition "a RUN writes into the program\'s folder": an unpacked tree may hold the program; an empty folder (`mkdir`, `install -d`) does not',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim\nRUN git clone https://example.com/app.git /opt/app\nENTRYPOINT ["/opt/app/run"]\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nRUN mkdir -p /opt/app\nENTRYPOINT ["/opt/app/run"]\n',
        'c/Dockerfile': 'FROM python:3.12-slim\nRUN install -d /opt/app\nENTRYPOINT ["/opt/app/run"]\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [
      at('entrypoint-missing', 'error', 'b/Dockerfile', 3, 13, { message: NEVER }),
      at('entrypoint-missing', 'error', 'c/Dockerfile', 3, 13, { message: NEVER }),
    ],
  },
  {
    name: 'unknown: an archive ADD unpacks anywhere an init may be, or under a WORKDIR that is not known: notes at the ADD',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nADD tools.tbz /opt/\nENTRYPOINT ["tini", "--"]\n',
        'b/Dockerfile': 'FROM golang:1.22\nADD ROOTFS.TAR.ZST opt/\nENTRYPOINT ["/server"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 2, 1, { message: /^`ADD` of an archive unpacks files/ }),
      at('unresolved-value', 'info', 'b/Dockerfile', 2, 1, { message: /^`ADD` of an archive unpacks files/ }),
    ],
  },
  {
    name: 'unknown: a copied context without the program and a RUN whose effects are not known: a note, not "does not exist"',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN ./configure\nCMD ["./missing.sh"]\n'),
    expect: [at('unresolved-value', 'info', 'Dockerfile', 5, 6, { message: /effects are not known/ })],
  },
  {
    name: 'condition "the last copy that covers the program": the message names it, with the context path it reads',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCOPY scripts/ ./\nCMD ["./missing.sh"]\n', {
      'scripts/other.sh': '#!/bin/sh\n',
    }),
    expect: [
      at('entrypoint-missing', 'error', 'Dockerfile', 5, 6, {
        message:
          /^`\.\/missing\.sh` is started by CMD, but `COPY scripts\/ \.\/` puts the context's `scripts\/missing\.sh` there,/,
      }),
    ],
  },
  {
    name: 'condition "a RUN creates files": an earlier shell-form CMD never runs during the build, so it creates nothing',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD mkdir -p out\nCMD ["./missing.sh"]\n'),
    expect: [at('entrypoint-missing', 'error', 'Dockerfile', 5, 6, { message: /which does not exist/ })],
  },
  {
    name: 'unknown: a RUN that creates a path from a variable may create the program: a note at the program',
    repo: built('FROM python:3.12-slim\nRUN mkdir -p "$PREFIX/bin"\nENTRYPOINT ["/app/run"]\n'),
    expect: [at('unresolved-value', 'info', 'Dockerfile', 3, 13, { message: /effects are not known/ })],
  },
  {
    name: 'each init is its own package: apt-get install gosu / apk add su-exec / catatonit provide it; beside dumb-init, a package install may still have put gosu there (no claim)',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gosu\nENTRYPOINT ["gosu", "app", "/usr/local/bin/python"]\n',
        'b/Dockerfile':
          'FROM python:3.12-alpine\nRUN apk add --no-cache su-exec\nENTRYPOINT ["su-exec", "app", "python"]\n',
        'c/Dockerfile':
          'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y catatonit\nENTRYPOINT ["catatonit", "--", "python"]\n',
        'd/Dockerfile':
          'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y dumb-init\nENTRYPOINT ["gosu", "app", "/usr/local/bin/python"]\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n  reg/d:\n    context: d\n',
      },
    },
    expect: [],
  },
  {
    name: '`COPY . .` maps the context tree: `docker/start.sh` lands at /app/docker/start.sh, so `./start.sh` is not there',
    repo: images({
      'a/Dockerfile': `${PY}COPY . .\nCMD ["./start.sh"]\n`,
      'a/docker/start.sh': '#!/bin/sh\n',
      'b/Dockerfile': `${PY}COPY . .\nCMD ["./docker/start.sh"]\n`,
      'b/docker/start.sh': '#!/bin/sh\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 6, {
        message:
          /^`\.\/start\.sh` is started by CMD, but `COPY \. \.` puts the context's `a\/start\.sh` there, which does not exist/,
      }),
    ],
  },
  {
    name: 'condition ".dockerignore": a script the context excludes is not sent, and the message names the ignore file',
    repo: images({
      'a/Dockerfile': `${PY}COPY . .\nCMD ["./docker/start.sh"]\n`,
      'a/docker/start.sh': '#!/bin/sh\n',
      'a/.dockerignore': 'docker\n',
      'b/Dockerfile': `${PY}COPY . .\nCMD ["./docker/start.sh"]\n`,
      'b/docker/start.sh': '#!/bin/sh\n',
      'b/.dockerignore': 'docs\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 6, {
        message:
          /puts the context's `a\/docker\/start\.sh` there, which a\/\.dockerignore excludes from the context:/,
      }),
    ],
  },
  {
    name: 'condition "COPY destinations": a file into a folder (`/app/`), a folder\'s contents, and any copy that brings the file (not only the last) provide it',
    repo: images({
      'a/Dockerfile': 'FROM python:3.12-slim\nCOPY docker/start.sh /app/\nENTRYPOINT ["/app/start.sh"]\n',
      'a/docker/start.sh': '#!/bin/sh\n',
      'b/Dockerfile': 'FROM python:3.12-slim\nCOPY docker /app\nENTRYPOINT ["/app/start.sh"]\n',
      'b/docker/start.sh': '#!/bin/sh\n',
      'c/Dockerfile': `${PY}COPY . .\nCOPY conf/ ./\nCMD ["./start.sh"]\n`,
      'c/start.sh': '#!/bin/sh\n',
      'c/conf/app.ini': 'x',
      'd/Dockerfile':
        'FROM python:3.12-slim\nCOPY docker/start.sh /app/run.sh\nENTRYPOINT ["/app/start.sh"]\n',
      'd/docker/start.sh': '#!/bin/sh\n',
    }),
    only: NOTES,
    expect: [at('entrypoint-missing', 'error', 'd/Dockerfile', 3, 13, { message: NEVER })],
  },
  {
    name: 'unknown: a base image crossdock does not know may hold the file a `COPY . .` lacks (a copy removes nothing): a note, not "does not exist"',
    repo: images({ 'a/Dockerfile': 'FROM mycorp/base:1\nWORKDIR /app\nCOPY . .\nCMD ["./missing.sh"]\n' }),
    only: NOTES,
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 1, 6, {
        message:
          /what mycorp\/base:1 contains is not known; not checked: whether the base image has `\.\/missing\.sh`/,
      }),
    ],
  },
  {
    name: 'python images ship no /usr/local/bin/docker-entrypoint.sh (node images do)',
    repo: images({
      'a/Dockerfile': 'FROM python:3.12-slim\nENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]\n',
      'b/Dockerfile': 'FROM node:20-slim\nENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]\n',
      'c/Dockerfile':
        'FROM python:3.12-slim\nCOPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh\nENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]\n',
      'c/entrypoint.sh': '#!/bin/sh\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 2, 13, {
        message:
          /^`\/usr\/local\/bin\/docker-entrypoint\.sh` is started by ENTRYPOINT but .* the base image python:3\.12-slim does not ship it/,
      }),
    ],
  },
  {
    name: 'the program an init runs is checked too: `tini -- /app/run`, `gosu app ./start.sh`',
    repo: images({
      'a/Dockerfile':
        'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y tini\nENTRYPOINT ["tini", "--", "/app/run"]\n',
      'b/Dockerfile': 'FROM python:3.12-slim\nENTRYPOINT ["tini", "-s", "--"]\nCMD ["/app/run"]\n',
      'c/Dockerfile':
        'FROM python:3.12-slim\nCOPY run /app/run\nENTRYPOINT ["tini", "-s", "--"]\nCMD ["/app/run"]\n',
      'c/run': '#!/bin/sh\n',
    }),
    only: NOTES,
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 3, 27, {
        message: /effects are not known; not checked: whether `\/app\/run`/,
      }),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 2, 13, { message: /^`tini`/ }),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 3, 6, {
        message: /^`\/app\/run` is started by ENTRYPOINT/,
      }),
      at('entrypoint-missing', 'error', 'c/Dockerfile', 3, 13, { message: /^`tini`/ }),
    ],
  },
  {
    name: 'HEALTHCHECK programs are checked like the entrypoint: a script nothing copies, a Python file',
    repo: images({
      'a/Dockerfile': `${PY}COPY app/ ./app/\nHEALTHCHECK --interval=30s CMD ["/app/check.sh"]\nCMD ["python", "-m", "app"]\n`,
      'a/app/__main__.py': 'print(1)\n',
      'b/Dockerfile': `${PY}COPY . .\nHEALTHCHECK CMD ["python", "health.py"]\nCMD ["python", "-m", "http.server"]\n`,
      'b/main.py': 'print(1)\n',
      'c/Dockerfile': `${PY}COPY . .\nHEALTHCHECK CMD ["python", "health.py"]\nCMD ["python", "-m", "http.server"]\n`,
      'c/health.py': 'print(1)\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 33, {
        message: /^`\/app\/check\.sh` is started by HEALTHCHECK but the final stage never receives it/,
      }),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 4, 28, {
        message:
          /^`health\.py` is started by HEALTHCHECK, but `COPY \. \.` puts the context's `b\/health\.py` there/,
      }),
    ],
  },
  {
    name: 'condition "one finding per root cause": curl, wget and nc in a HEALTHCHECK are left to healthcheck-tool-missing; a shell-form HEALTHCHECK is not read',
    repo: images({
      'a/Dockerfile':
        'FROM scratch\nCOPY app /app\nHEALTHCHECK CMD ["/usr/bin/curl", "-f", "http://localhost/"]\nCMD ["/app"]\n',
      'a/app': 'x',
      'b/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD /app/check.sh\nCMD ["python"]\n',
    }),
    rules: [rule, healthcheckToolMissing],
    only: ['entrypoint-missing', 'healthcheck-tool-missing'],
    expect: [at('healthcheck-tool-missing', 'error', 'a/Dockerfile', 3, 28)],
  },
  {
    name: '`python -m` of a package copied under another folder: the module is not where Python looks',
    repo: images({
      'a/Dockerfile': `${PY}COPY src/ ./src/\nCMD ["python", "-m", "app.main"]\n`,
      'a/src/app/__init__.py': '',
      'a/src/app/main.py': 'print(1)\n',
      'b/Dockerfile': `${PY}COPY . .\nCMD ["python", "-m", "service"]\n`,
      'b/main.py': 'print(1)\n',
      'lib/service/__init__.py': '',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'b/Dockerfile', 4, 22, {
        message: /No module named 'service'/,
        related: ["b/Dockerfile:3 this copies the context's `.` to `/app`"],
      }),
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 22, {
        message:
          /^`python -m` imports `app\.main` \(CMD\), but `\/app` holds no such module or package, no COPY puts one there and no package the image installs provides it: the container exits with "ModuleNotFoundError: No module named 'app'"$/,
      }),
    ],
  },
  {
    name: 'condition "no bind mount": a compose service of the image mounting the checkout over /app (a note, no claim)',
    repo: {
      files: {
        Dockerfile: `${PY}COPY src/ ./src/\nCMD ["python", "-m", "app.main"]\n`,
        'src/app/__init__.py': '',
        'src/app/main.py': 'print(1)\n',
        'compose.yaml': 'services:\n  app:\n    build: .\n    volumes:\n      - ./src:/app\n',
      },
    },
    only: NOTES,
    expect: [
      at('unresolved-value', 'info', 'compose.yaml', 2, 3, {
        message: /compose\.yaml bind-mounts repository folders into the container/,
      }),
    ],
  },
  {
    name: 'the same compose service without the mount: the module is missing',
    repo: {
      files: {
        Dockerfile: `${PY}COPY src/ ./src/\nCMD ["python", "-m", "app.main"]\n`,
        'src/app/__init__.py': '',
        'src/app/main.py': 'print(1)\n',
        'compose.yaml': 'services:\n  app:\n    build: .\n',
      },
    },
    only: NOTES,
    expect: [at('entrypoint-missing', 'error', 'Dockerfile', 4, 22, { message: NO_MODULE })],
  },
  {
    name: 'condition "where Python looks": the working directory (a package, a namespace package, a module file) or PYTHONPATH holds it',
    repo: images({
      'a/Dockerfile': `${PY}COPY src/ .\nCMD ["python", "-m", "app.main"]\n`,
      'a/src/app/__init__.py': '',
      'a/src/app/main.py': 'print(1)\n',
      'b/Dockerfile': `${PY}COPY src/ ./src/\nENV PYTHONPATH=/app/src\nCMD ["python", "-m", "app.main"]\n`,
      'b/src/app/main.py': 'print(1)\n',
      'c/Dockerfile': `${PY}COPY . .\nCMD ["python", "-m", "worker"]\n`,
      'c/worker.py': 'print(1)\n',
      'd/Dockerfile': `${PY}COPY src/app/main.py ./app/main.py\nCMD ["python", "-m", "app.main"]\n`,
      'd/src/app/main.py': 'print(1)\n',
    }),
    only: NOTES,
    expect: [],
  },
  {
    name: 'condition "isolated mode": `python -I -m` does not search the working directory',
    repo: images({
      'a/Dockerfile': `${PY}COPY . .\nCMD ["python", "-I", "-m", "worker"]\n`,
      'a/worker.py': 'print(1)\n',
      'b/Dockerfile': `${PY}COPY . .\nCMD ["python", "-u", "-m", "worker"]\n`,
      'b/worker.py': 'print(1)\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 28, {
        message: /imports `worker` \(CMD\), but no folder \(the working directory is not searched\) holds/,
      }),
    ],
  },
  {
    name: 'condition "installed": the standard library, a requirement of that name (on the command line or in a requirements file) provides the module',
    repo: images({
      'a/Dockerfile': `${PY}CMD ["python", "-m", "http.server"]\n`,
      'b/Dockerfile': `${PY}RUN pip install worker-tools==1.0\nCMD ["python", "-m", "worker_tools.run"]\n`,
      'b/lib/worker_tools/run.py': 'x\n',
      'c/Dockerfile': `${PY}COPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD ["python", "-m", "celery", "worker"]\n`,
      'c/requirements.txt': 'Celery[redis]>=5\n',
      'c/celery/x.py': 'x\n',
    }),
    only: NOTES,
    expect: [],
  },
  {
    name: 'a module in no folder Python searches and no installed package: reported when nothing is installed, or when the repository holds it as its own code',
    repo: images({
      'a/Dockerfile': `${PY}COPY main.py .\nCMD ["python", "-m", "service"]\n`,
      'a/main.py': 'x\n',
      'b/Dockerfile': `${PY}COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY main.py .\nCMD ["python", "-m", "service.api"]\n`,
      'b/requirements.txt': 'flask\n',
      'b/main.py': 'x\n',
      'b/service/api.py': 'x\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 22, { message: /No module named 'service'/ }),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 6, 22, { message: /No module named 'service'/ }),
    ],
  },
  {
    name: 'unknown: installed packages may provide a module the repository does not hold; an unread requirements file, `pip install .` or a copy from a stage may install anything',
    repo: images({
      'a/Dockerfile': `${PY}RUN pip install flask\nCMD ["python", "-m", "service"]\n`,
      'b/Dockerfile': `${PY}COPY . .\nRUN pip install -r /tmp/req.txt\nCMD ["python", "-m", "service"]\n`,
      'c/Dockerfile': `${PY}COPY pyproject.toml .\nRUN pip install .\nCMD ["python", "-m", "service"]\n`,
      'c/pyproject.toml': '[project]\nname = "x"\n',
      'd/Dockerfile': `FROM python:3.12-slim AS build\nRUN pip install --prefix=/install flask\n${PY}COPY --from=build /install /usr/local\nCMD ["python", "-m", "service"]\n`,
    }),
    only: NOTES,
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 4, 22, {
        message:
          /which modules the packages this image installs provide is not known \(`service` may be one\)/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 4, 20, { message: /\/tmp\/req\.txt/ }),
      at('unresolved-value', 'info', 'c/Dockerfile', 4, 1, {
        message: /installs packages crossdock does not list/,
      }),
      at('unresolved-value', 'info', 'd/Dockerfile', 5, 1, {
        message: /`COPY --from` may bring installed Python packages/,
      }),
    ],
  },
  {
    name: '`python path/app.py`: the file must be in the image',
    repo: images({
      'a/Dockerfile': `${PY}COPY src/ .\nCMD ["python", "src/app.py"]\n`,
      'a/src/app.py': 'x\n',
      'b/Dockerfile': `${PY}COPY src/ ./src/\nCMD ["python3", "-u", "src/app.py"]\n`,
      'b/src/app.py': 'x\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 16, {
        message:
          /^`src\/app\.py` is started by CMD, but `COPY src\/ \.` puts the context's `a\/src\/src\/app\.py` there, which does not exist/,
      }),
    ],
  },
  {
    name: 'gunicorn and uvicorn: the app module, past options with values, from the working directory or --chdir/--app-dir',
    repo: images({
      'a/Dockerfile': `${PY}COPY src/ ./src/\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "--workers", "2", "proj.wsgi:application"]\n`,
      'a/src/proj/wsgi.py': 'x\n',
      'b/Dockerfile': `${PY}COPY src/ ./src/\nCMD ["gunicorn", "--chdir", "src", "-b", ":8000", "proj.wsgi:application"]\n`,
      'b/src/proj/wsgi.py': 'x\n',
      'c/Dockerfile': `${PY}COPY src/ ./src/\nCMD ["uvicorn", "api.main:app", "--host", "0.0.0.0", "--reload"]\n`,
      'c/src/api/main.py': 'x\n',
      'd/Dockerfile': `${PY}COPY src/ ./src/\nCMD ["uvicorn", "--app-dir", "src", "api.main:app"]\n`,
      'd/src/api/main.py': 'x\n',
      'e/Dockerfile': `${PY}COPY src/ ./src/\nCMD ["python", "-m", "uvicorn", "api.main:create_app", "--factory"]\n`,
      'e/src/api/main.py': 'x\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 58, {
        message: /^`gunicorn` imports `proj\.wsgi` \(CMD\)/,
      }),
      at('entrypoint-missing', 'error', 'c/Dockerfile', 4, 17, { message: /^`uvicorn` imports `api\.main`/ }),
      at('entrypoint-missing', 'error', 'e/Dockerfile', 4, 33, {
        message: /^`python -m uvicorn` imports `api\.main`/,
      }),
    ],
  },
  {
    name: 'condition "a config may move the app": gunicorn with -c or a gunicorn.conf.py in its folder, or GUNICORN_CMD_ARGS, is not checked',
    repo: images({
      'a/Dockerfile': `${PY}COPY src/ ./src/\nCMD ["gunicorn", "-c", "conf.py", "proj.wsgi:app"]\n`,
      'a/src/proj/wsgi.py': 'x\n',
      'b/Dockerfile': `${PY}COPY gunicorn.conf.py .\nCOPY src/ ./src/\nCMD ["gunicorn", "proj.wsgi:app"]\n`,
      'b/gunicorn.conf.py': 'chdir = "src"\n',
      'b/src/proj/wsgi.py': 'x\n',
      'c/Dockerfile': `${PY}ENV GUNICORN_CMD_ARGS="--chdir src"\nCOPY src/ ./src/\nCMD ["gunicorn", "proj.wsgi:app"]\n`,
      'c/src/proj/wsgi.py': 'x\n',
    }),
    only: NOTES,
    expect: [],
  },
  {
    name: '`node dist/server.js`: missing when nothing builds it; a build step (`npm run build`) or an install running lifecycle scripts may make it (a note)',
    repo: images({
      'a/Dockerfile': 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "dist/server.js"]\n',
      'a/src/server.ts': 'x\n',
      'b/Dockerfile':
        'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm run build\nCMD ["node", "dist/server.js"]\n',
      'c/Dockerfile':
        'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "dist/server.js"]\n',
      'd/Dockerfile':
        'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --ignore-scripts\nCMD ["node", "--enable-source-maps", "dist/server.js"]\n',
      'e/Dockerfile': 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "dist/server.js"]\n',
      'e/dist/server.js': 'x\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 14, {
        message: /^`dist\/server\.js` is started by CMD, but `COPY \. \.`/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 5, 14, { message: /effects are not known/ }),
      at('unresolved-value', 'info', 'c/Dockerfile', 4, 1, { message: /lifecycle scripts/ }),
      at('entrypoint-missing', 'error', 'd/Dockerfile', 5, 38, { message: /^`dist\/server\.js`/ }),
    ],
  },
  {
    name: 'an entrypoint script that `exec`s `python -m`: the module is checked at the script line; `exec "$@"` runs the CMD',
    repo: images({
      'a/Dockerfile': `${PY}COPY . .\nCMD ["./run.sh"]\n`,
      'a/run.sh': '#!/bin/sh\nset -e\nexec python -m pkg.server --port 8000\n',
      'a/lib/pkg/server.py': 'x\n',
      'b/Dockerfile': `${PY}COPY . .\nENTRYPOINT ["/app/entrypoint.sh"]\nCMD ["gunicorn", "proj.wsgi:app"]\n`,
      'b/entrypoint.sh': '#!/bin/sh\npython -m proj.migrate\nexec "$@"\n',
      'b/src/proj/wsgi.py': 'x\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/run.sh', 3, 16, {
        message: /^`python -m` imports `pkg\.server` \(a\/run\.sh, which CMD runs\)/,
      }),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 5, 18, {
        message: /^`gunicorn` imports `proj\.wsgi` \(CMD \(run by `exec "\$@"` in b\/entrypoint\.sh\)\)/,
      }),
    ],
  },
  {
    name: 'condition "the script\'s folder is known": a script that changes folder (`cd`) is not followed; shell-form CMD is read by command',
    repo: images({
      'a/Dockerfile': `${PY}COPY . .\nCMD ["sh", "run.sh"]\n`,
      'a/run.sh': '#!/bin/sh\ncd lib\nexec python -m pkg.server\n',
      'a/lib/pkg/server.py': 'x\n',
      'b/Dockerfile': `${PY}COPY . .\nCMD python -m pkg.server\n`,
      'b/lib/pkg/server.py': 'x\n',
      'c/Dockerfile': `${PY}COPY . .\nCMD cd lib && python -m pkg.server\n`,
      'c/lib/pkg/server.py': 'x\n',
    }),
    only: NOTES,
    expect: [at('entrypoint-missing', 'error', 'b/Dockerfile', 4, 15, { message: NO_MODULE })],
  },
  {
    name: 'condition "ENTRYPOINT keeps the CMD": `ENTRYPOINT ["python", "-m"]` + `CMD ["app"]` runs `python -m app`',
    repo: images({
      'a/Dockerfile': `${PY}COPY src/ ./src/\nENTRYPOINT ["python", "-m"]\nCMD ["app"]\n`,
      'a/src/app/__main__.py': 'x\n',
      'b/Dockerfile': `${PY}COPY src/ .\nENTRYPOINT ["python", "-m"]\nCMD ["app"]\n`,
      'b/src/app/__main__.py': 'x\n',
    }),
    only: NOTES,
    expect: [at('entrypoint-missing', 'error', 'a/Dockerfile', 5, 6, { message: NO_MODULE })],
  },
  {
    name: 'condition "the CMD the ENTRYPOINT keeps": an exec-form CMD of the same or a later stage; not a shell-form CMD, not one an earlier stage set',
    repo: images({
      'a/Dockerfile': `${PY}ENTRYPOINT ["python", "-m"]\nCMD service\n`,
      'b/Dockerfile': `FROM python:3.12-slim AS base\nCMD ["service"]\nFROM base\nWORKDIR /app\nENTRYPOINT ["python", "-m"]\n`,
      'c/Dockerfile': `FROM python:3.12-slim AS base\nENTRYPOINT ["python", "-m"]\nFROM base\nWORKDIR /app\nCMD ["service"]\n`,
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'c/Dockerfile', 5, 6, { message: /No module named 'service'/ }),
    ],
  },
  {
    name: 'condition "top-level shell commands": a command in a subshell or a branch, and the program of a shell-form command, are not checked',
    repo: images({
      'a/Dockerfile': `${PY}CMD (python -m service)\n`,
      'b/Dockerfile': `${PY}CMD gosu app /app/run\n`,
      'c/Dockerfile': `${PY}CMD exec python -m service\n`,
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'c/Dockerfile', 3, 20, { message: /No module named 'service'/ }),
    ],
  },
  {
    name: 'condition "an exec-form HEALTHCHECK": `NONE`, a malformed array and a non-string item are not read',
    repo: images({
      'a/Dockerfile': `${PY}HEALTHCHECK NONE\nCMD ["python"]\n`,
      'b/Dockerfile': `${PY}HEALTHCHECK CMD ["/app/check.sh"\nCMD ["python"]\n`,
      'c/Dockerfile': `${PY}HEALTHCHECK CMD ["/app/check.sh", 1]\nCMD ["python"]\n`,
      'd/Dockerfile': `${PY}HEALTHCHECK --interval=5s --retries=3 CMD ["/app/check.sh", "--quick"]\nCMD ["python"]\n`,
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'd/Dockerfile', 3, 44, {
        message: /^`\/app\/check\.sh` is started by HEALTHCHECK/,
      }),
    ],
  },
  {
    name: 'condition "a literal file or module": a variable in the file, the module, gunicorn\'s --chdir or an `env -S` wrapper is not checked',
    repo: images({
      'a/Dockerfile': `${PY}CMD ["python", "$APP.py"]\n`,
      'b/Dockerfile': `${PY}CMD ["gunicorn", "--chdir", "$SRC", "proj.wsgi:app"]\n`,
      'c/Dockerfile': `${PY}CMD ["env", "-S", "python -m service"]\n`,
      'd/Dockerfile': `${PY}CMD ["python", "-c", "import service"]\n`,
      'e/Dockerfile': `${PY}CMD ["env", "MODE=1", "python", "-m", "service"]\n`,
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'e/Dockerfile', 3, 39, { message: /No module named 'service'/ }),
    ],
  },
  {
    name: 'condition "what Python has besides the project": pip and setuptools are in every python image; `-E` ignores PYTHONPATH',
    repo: images({
      'a/Dockerfile': `${PY}CMD ["python", "-m", "pip", "list"]\n`,
      'b/Dockerfile': `${PY}COPY src/ ./src/\nENV PYTHONPATH=/app/src\nCMD ["python", "-E", "-m", "service"]\n`,
      'b/src/service/__init__.py': '',
      'c/Dockerfile': `${PY}COPY src/ ./src/\nENV PYTHONPATH=/app/src\nCMD ["uvicorn", "service.main:app"]\n`,
      'c/src/service/main.py': '',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'b/Dockerfile', 5, 28, { message: /No module named 'service'/ }),
    ],
  },
  {
    name: 'unknown: the folder a module is looked up in is not known (a WORKDIR or PYTHONPATH from a variable, a base crossdock does not know): notes',
    repo: images({
      'a/Dockerfile': 'FROM python:3.12-slim\nWORKDIR $HOME\nCMD ["python", "-m", "service"]\n',
      'b/Dockerfile': `${PY}ENV PYTHONPATH=$SRC\nCMD ["python", "-m", "service"]\n`,
      'c/Dockerfile': 'FROM mycorp/python:3\nWORKDIR /app\nCMD ["python", "-m", "service"]\n',
      'd/Dockerfile': `${PY}RUN ./setup.sh\nCMD ["python", "-m", "service"]\n`,
      'e/Dockerfile': 'FROM python:3.12-slim\nWORKDIR $HOME\nCMD ["python", "app.py"]\n',
    }),
    only: NOTES,
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 3, 22, {
        message: /`\$HOME` is not declared.*whether `service` can be imported/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 3, 1, { message: /whether `service` can be imported/ }),
      at('unresolved-value', 'info', 'c/Dockerfile', 1, 6, {
        message:
          /what mycorp\/python:3 contains is not known; not checked: whether `service` can be imported/,
      }),
      at('unresolved-value', 'info', 'd/Dockerfile', 4, 22, {
        message: /effects are not known; not checked: whether `service` can be imported/,
      }),
      at('unresolved-value', 'info', 'e/Dockerfile', 3, 16, { message: /whether `app\.py` is in the image/ }),
    ],
  },
  {
    name: 'unknown: installs whose packages are not listed: an editable install, a wheel, a variable, a requirement URL or path, an unread include, uv, conda, a system python3-* package',
    repo: images({
      'a/Dockerfile': `${PY}COPY . .\nRUN pip install -e .\nCMD ["python", "-m", "service"]\n`,
      'b/Dockerfile': `${PY}RUN pip install /tmp/x-1.0-py3-none-any.whl\nCMD ["python", "-m", "service"]\n`,
      'c/Dockerfile': `${PY}RUN pip install $PKG\nCMD ["python", "-m", "service"]\n`,
      'd/Dockerfile': `${PY}COPY req.txt .\nRUN pip install -r req.txt\nCMD ["python", "-m", "service"]\n`,
      'd/req.txt': 'git+https://example.com/x.git\n',
      'e/Dockerfile': `${PY}COPY req.txt .\nRUN pip install -r req.txt\nCMD ["python", "-m", "service"]\n`,
      'e/req.txt': '-r base.txt\nflask\n',
      'f/Dockerfile': `${PY}RUN uv sync\nCMD ["python", "-m", "service"]\n`,
      'g/Dockerfile': `${PY}RUN apt-get install -y python3-service\nCMD ["python", "-m", "service"]\n`,
      'h/Dockerfile': `${PY}COPY req.txt base.txt ./\nRUN pip install -r req.txt\nCMD ["python", "-m", "service"]\n`,
      'h/req.txt': '-r base.txt\n',
      'h/base.txt': 'service-tools\nservice\n',
      'lib/service/__init__.py': '',
    }),
    only: ['entrypoint-missing'],
    expect: [],
  },
  {
    name: 'condition "every install is listed": pip download/wheel install nothing; a requirements include that is read is followed; npm installs are not Python',
    repo: images({
      'a/Dockerfile': `${PY}RUN pip download flask -d /tmp/w && npm ci\nCMD ["python", "-m", "service"]\n`,
      'b/Dockerfile': `${PY}COPY req.txt base.txt ./\nRUN pip install -r req.txt\nCMD ["python", "-m", "service"]\n`,
      'b/req.txt': '-r base.txt\n',
      'b/base.txt': 'flask\n',
      'lib/service/__init__.py': '',
    }),
    only: ['entrypoint-missing'],
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 22),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 5, 22),
    ],
  },
  {
    name: 'condition "a script crossdock reads": `sh run.sh` and an absolute script are followed; a bare name on PATH, `sh -c`, and a command in a branch are not',
    repo: images({
      'a/Dockerfile': `${PY}COPY . .\nCMD ["sh", "run.sh"]\n`,
      'a/run.sh': '#!/bin/sh\nexec python -m pkg.server\n',
      'a/lib/pkg/server.py': 'x\n',
      'b/Dockerfile': `${PY}COPY run.sh /usr/local/bin/\nCMD ["run.sh"]\n`,
      'b/run.sh': '#!/bin/sh\nexec python -m pkg.server\n',
      'c/Dockerfile': `${PY}COPY . .\nCMD ["sh", "-c", "./run.sh"]\n`,
      'c/run.sh': '#!/bin/sh\nexec python -m pkg.server\n',
      'd/Dockerfile': `${PY}COPY . .\nCMD ["/app/run.sh"]\n`,
      'd/run.sh': '#!/bin/sh\nif [ "$1" = x ]; then\n  exec python -m pkg.server\nfi\nexec /app/bin/server\n',
    }),
    only: ['entrypoint-missing'],
    expect: [
      at('entrypoint-missing', 'error', 'a/run.sh', 2, 16, { message: /No module named 'pkg'/ }),
      at('entrypoint-missing', 'error', 'd/run.sh', 5, 6, {
        message:
          /^`\/app\/bin\/server` is started by d\/run\.sh, which CMD runs, but `COPY \. \.` puts the context's `d\/bin\/server` there/,
      }),
    ],
  },
  {
    name: 'condition "what a copy may hold": a heredoc COPY writes the script; a submodule (its files not listed) may hold it',
    repo: {
      ...images({
        'a/Dockerfile':
          '# syntax=docker/dockerfile:1.7\nFROM python:3.12-slim\nCOPY <<EOF /app/start.sh\n#!/bin/sh\nexec python\nEOF\nENTRYPOINT ["/app/start.sh"]\n',
        'b/Dockerfile': `${PY}COPY . .\nCMD ["./tools/run.sh"]\n`,
      }),
      gitlinks: { 'b/tools': '0123456789abcdef0123456789abcdef01234567' },
    },
    expect: [],
  },
  {
    name: 'condition "what `exec "$@"` runs": the CMD, unless the script changes its arguments (`set --`, `shift`)',
    repo: images({
      'a/Dockerfile': `${PY}COPY . .\nENTRYPOINT ["/app/entry.sh"]\nCMD ["python", "-m", "service"]\n`,
      'a/entry.sh': '#!/bin/sh\nset -e\nexec "$@"\n',
      'b/Dockerfile': `${PY}COPY . .\nENTRYPOINT ["/app/entry.sh"]\nCMD ["python", "-m", "service"]\n`,
      'b/entry.sh': '#!/bin/sh\nset -- python -m app "$@"\nexec "$@"\n',
      'c/Dockerfile': `${PY}COPY . .\nENTRYPOINT ["/app/entry.sh"]\nCMD ["web", "python", "-m", "service"]\n`,
      'c/entry.sh': '#!/bin/sh\nshift\nexec "$@"\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 5, 22, { message: /No module named 'service'/ }),
    ],
  },
  {
    name: 'condition "an init": su-exec and catatonit are checked like tini (python:3.12-slim ships neither)',
    repo: images({
      'a/Dockerfile': 'FROM python:3.12-slim\nENTRYPOINT ["su-exec", "app", "python"]\n',
      'b/Dockerfile': 'FROM python:3.12-slim\nENTRYPOINT ["catatonit", "--", "python"]\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 2, 13, { message: /^`su-exec`/ }),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 2, 13, { message: /^`catatonit`/ }),
    ],
  },
  {
    name: 'condition "a command to check": an image with no ENTRYPOINT or CMD, and a HEALTHCHECK script that execs a module',
    repo: images({
      'a/Dockerfile': `${PY}COPY . .\n`,
      'b/Dockerfile': `${PY}COPY . .\nHEALTHCHECK CMD ["/app/health.sh"]\nCMD ["python"]\n`,
      'b/health.sh': '#!/bin/sh\nexec python -m probe.check\n',
      'lib/probe/check.py': '',
    }),
    only: NOTES,
    expect: [at('entrypoint-missing', 'error', 'b/health.sh', 2, 16, { message: /No module named 'probe'/ })],
  },
  {
    name: 'condition "a file an interpreter runs": system paths only on a base known to lack them; an absolute file needs no WORKDIR; lifecycle scripts only for node',
    repo: images({
      'a/Dockerfile': `${PY}CMD ["python", "/usr/lib/app.py"]\n`,
      'b/Dockerfile': 'FROM scratch\nCMD ["python", "/usr/lib/app.py"]\n',
      'c/Dockerfile': 'FROM python:3.12-slim\nWORKDIR $HOME\nCMD ["python", "/srv/app.py"]\n',
      'd/Dockerfile': `${PY}RUN npm ci\nCMD ["python", "app.py"]\n`,
      'e/Dockerfile': 'FROM node:20-slim\nWORKDIR /app\nRUN yarn install\nCMD ["node", "dist/server.js"]\n',
      'f/Dockerfile': 'FROM node:20-slim\nWORKDIR /app\nRUN pnpm install\nCMD ["node", "dist/server.js"]\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'b/Dockerfile', 2, 16, { message: /and scratch does not ship it/ }),
      at('entrypoint-missing', 'error', 'c/Dockerfile', 3, 16, { message: /^`\/srv\/app\.py`/ }),
      at('entrypoint-missing', 'error', 'd/Dockerfile', 4, 16, { message: /^`app\.py`/ }),
      at('unresolved-value', 'info', 'e/Dockerfile', 3, 1, { message: /lifecycle scripts/ }),
      at('unresolved-value', 'info', 'f/Dockerfile', 3, 1, { message: /lifecycle scripts/ }),
    ],
  },
  {
    name: 'condition "the project\'s own code": a module file of that name counts; a folder of that name under site-packages or without Python files does not',
    repo: images({
      'a/Dockerfile': `${PY}RUN pip install flask\nCMD ["python", "-m", "service"]\n`,
      'a/tools/service.py': 'x\n',
      'b/Dockerfile': `${PY}RUN pip install flask\nCMD ["python", "-m", "worker"]\n`,
      'b/venv/lib/site-packages/worker/__init__.py': '',
      'b/docs/worker/README.md': 'x\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 22, { message: /No module named 'service'/ }),
      at('unresolved-value', 'info', 'b/Dockerfile', 4, 22, { message: /`worker` may be one/ }),
    ],
  },
  {
    name: 'condition "a requirement of that name": names compare case- and separator-blind; a path or URL requirement, not a constraint include, makes the set unknown',
    repo: images({
      'a/Dockerfile': `${PY}RUN pip install My.Service==1.0\nCMD ["python", "-m", "my_service"]\n`,
      'b/Dockerfile': `${PY}COPY req.txt .\nRUN pip install -r req.txt\nCMD ["python", "-m", "service"]\n`,
      'b/req.txt': 'flask\n./libs/common\n',
      'c/Dockerfile': `${PY}COPY req.txt .\nRUN pip install -r req.txt\nCMD ["python", "-m", "service"]\n`,
      'c/req.txt': 'flask\nservice-lib @ https://example.com/service_lib-1.0-py3-none-any.whl\n',
      'd/Dockerfile': `${PY}COPY req.txt .\nRUN pip install -r req.txt\nCMD ["python", "-m", "service"]\n`,
      'd/req.txt': '-c constraints.txt\nflask\n',
      'lib/my_service/__init__.py': '',
      'lib/service/__init__.py': '',
    }),
    only: NOTES,
    expect: [
      at('unresolved-value', 'info', 'b/Dockerfile', 4, 20, { message: /installs a path or URL/ }),
      at('unresolved-value', 'info', 'c/Dockerfile', 4, 20, { message: /installs a path or URL/ }),
      at('entrypoint-missing', 'error', 'd/Dockerfile', 5, 22, { message: /No module named 'service'/ }),
    ],
  },
  {
    name: 'condition "gunicorn\'s default config": read by `python -m gunicorn` too',
    repo: images({
      'a/Dockerfile': `${PY}COPY . .\nCMD ["python", "-m", "gunicorn", "proj.wsgi:app"]\n`,
      'a/gunicorn.conf.py': 'chdir = "src"\n',
      'a/src/proj/wsgi.py': 'x\n',
    }),
    only: NOTES,
    expect: [],
  },
  {
    name: 'condition "what the runtime environment holds": PYTHONSAFEPATH and UVICORN_APP_DIR move the search (no claim); an ARG is not in it; several folders are all named',
    repo: images({
      'a/Dockerfile': `${PY}ENV PYTHONSAFEPATH=1\nCMD ["python", "-m", "service"]\n`,
      'b/Dockerfile': `${PY}ENV UVICORN_APP_DIR=src\nCMD ["uvicorn", "service.main:app"]\n`,
      'c/Dockerfile': `${PY}COPY src/ ./src/\nARG PYTHONPATH=/app/src\nCMD ["python", "-m", "service"]\n`,
      'c/src/service/__init__.py': '',
      'd/Dockerfile': `${PY}ENV PYTHONPATH=/app/lib\nCMD ["python", "-m", "service"]\n`,
      'lib/service/__init__.py': '',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'c/Dockerfile', 5, 22, { message: /but `\/app` holds/ }),
      at('entrypoint-missing', 'error', 'd/Dockerfile', 4, 22, {
        message: /but none of `\/app`, `\/app\/lib` holds/,
      }),
    ],
  },
  {
    name: 'unknown: a base from an ARG, or one whose folder may hold the module or file (node ships /opt), gives a note; a node file that is there needs no note',
    repo: images({
      'a/Dockerfile': 'ARG BASE\nFROM $BASE\nWORKDIR /app\nCMD ["python", "-m", "service"]\n',
      'b/Dockerfile': 'FROM node:20-slim\nWORKDIR /opt/app\nCMD ["python", "-m", "service"]\n',
      'c/Dockerfile': 'FROM mycorp/base:1\nWORKDIR /app\nCMD ["python", "app.py"]\n',
      'd/Dockerfile':
        'FROM node:20-slim\nWORKDIR /app\nCOPY dist/ ./dist/\nRUN npm ci\nCMD ["node", "dist/server.js"]\n',
      'd/dist/server.js': 'x\n',
    }),
    only: NOTES,
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 1, 5, { message: /ARG BASE has no default/ }),
      at('unresolved-value', 'info', 'b/Dockerfile', 1, 6, {
        message: /what node:20-slim contains is not known/,
      }),
      at('unresolved-value', 'info', 'c/Dockerfile', 1, 6, {
        message:
          /what mycorp\/base:1 contains is not known; not checked: whether the base image has `app\.py`/,
      }),
    ],
  },
  {
    name: 'condition "the stage the build produces": a `target` no stage has builds nothing, so nothing is checked',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim\nCMD ["./missing.sh"]\n',
        'crossdock.yaml': `${BUILT}    target: nope\n`,
      },
    },
    only: NOTES,
    expect: [],
  },
  {
    name: 'condition "a shell-form command line that stays in its folder": `pushd` moves it like `cd` (not checked)',
    repo: images({
      'a/Dockerfile': `${PY}CMD pushd /srv && python -m service\n`,
      'b/Dockerfile': `${PY}CMD echo start && python -m service\n`,
    }),
    only: NOTES,
    expect: [at('entrypoint-missing', 'error', 'b/Dockerfile', 3, 29, { message: NO_MODULE })],
  },
  {
    name: 'condition "an exec-form HEALTHCHECK, as Docker parses it": text after the array or an option without `=` makes it shell form (not read); extra spaces do not',
    repo: images({
      'a/Dockerfile': `${PY}HEALTHCHECK CMD ["/app/check.sh"] --quick\nCMD ["python"]\n`,
      'b/Dockerfile': `${PY}HEALTHCHECK CMD ["/app/check.sh"]x\nCMD ["python"]\n`,
      'c/Dockerfile': `${PY}HEALTHCHECK --interval 5s CMD ["/app/check.sh"]\nCMD ["python"]\n`,
      'd/Dockerfile': `${PY}HEALTHCHECK --interval=5s  CMD  ["/app/check.sh"]\nCMD ["python"]\n`,
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'd/Dockerfile', 3, 34, {
        message: /^`\/app\/check\.sh` is started by HEALTHCHECK/,
      }),
    ],
  },
  {
    name: 'an item written with JSON escapes (`"\\/app\\/check.sh"`) is reported at the array',
    repo: images({
      'a/Dockerfile': `${PY}HEALTHCHECK CMD ["\\/app\\/check.sh"]\nCMD ["python"]\n`,
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 3, 17, {
        message: /^`\/app\/check\.sh` is started by HEALTHCHECK/,
      }),
    ],
  },
  {
    name: 'condition "a HEALTHCHECK tool is left to healthcheck-tool-missing": only in a HEALTHCHECK (wget and nc too); `/usr/bin/curl` as the CMD is checked here',
    repo: images({
      'a/Dockerfile':
        'FROM scratch\nCOPY app /app\nHEALTHCHECK CMD ["/usr/bin/wget", "-q", "http://localhost/"]\nCMD ["/app"]\n',
      'a/app': 'x',
      'b/Dockerfile':
        'FROM scratch\nCOPY app /app\nHEALTHCHECK CMD ["/bin/nc", "-z", "localhost", "80"]\nCMD ["/app"]\n',
      'b/app': 'x',
      'c/Dockerfile': 'FROM scratch\nCMD ["/usr/bin/curl", "-f", "http://localhost/"]\n',
    }),
    expect: [at('entrypoint-missing', 'error', 'c/Dockerfile', 2, 6, { message: NEVER })],
  },
  {
    name: 'condition "scripts are followed one level": a script that re-executes itself is read once, not in a loop',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["./a.sh"]\n', {
      'a.sh': '#!/bin/sh\nexec ./a.sh\n',
    }),
    only: NOTES,
    expect: [],
  },
  {
    name: 'condition "what may hold an init": a context folder copied onto PATH with it, a glob, variable or stage copy into a bin folder; not a plain copy into one, a copy to another name there or a RUN that only names one',
    repo: images({
      'a/Dockerfile': 'FROM python:3.12-slim\nCOPY bin/ /usr/local/bin/\nENTRYPOINT ["tini", "--"]\n',
      'a/bin/tini': 'x',
      'b/Dockerfile': 'FROM python:3.12-slim\nCOPY app /usr/local/bin/\nENTRYPOINT ["tini", "--"]\n',
      'b/app': 'x',
      'c/Dockerfile':
        'FROM python:3.12-slim\nCOPY --chmod=755 app /usr/local/bin/\nENTRYPOINT ["tini", "--"]\n',
      'c/app': 'x',
      'd/Dockerfile': 'FROM python:3.12-slim\nCOPY app *.sh /opt/bin/\nENTRYPOINT ["tini", "--"]\n',
      'd/app': 'x',
      'd/run.sh': 'x',
      'e/Dockerfile': 'FROM python:3.12-slim\nARG SRC=app\nCOPY $SRC /opt/bin/\nENTRYPOINT ["tini", "--"]\n',
      'e/app': 'x',
      'f/Dockerfile':
        'FROM python:3.12-slim AS b\nFROM python:3.12-slim\nCOPY --from=b /etc/hosts /usr/local/bin/hosts\nENTRYPOINT ["tini", "--"]\n',
      'g/Dockerfile': 'FROM python:3.12-slim\nADD tools/* /opt/bin/\nENTRYPOINT ["tini", "--"]\n',
      'g/tools/x': 'x',
      'h/Dockerfile': 'FROM python:3.12-slim\nRUN echo $HOME /opt/bin\nENTRYPOINT ["tini", "--"]\n',
      'i/Dockerfile':
        'FROM python:3.12-slim\nARG X=tools\nCOPY app /opt/$X/bin/\nENTRYPOINT ["tini", "--"]\n',
      'i/app': 'x',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'b/Dockerfile', 3, 13, { message: NEVER }),
      at('entrypoint-missing', 'error', 'c/Dockerfile', 3, 13, { message: NEVER }),
      at('entrypoint-missing', 'error', 'f/Dockerfile', 4, 13, { message: NEVER }),
      at('entrypoint-missing', 'error', 'h/Dockerfile', 3, 13, { message: NEVER }),
      at('entrypoint-missing', 'error', 'i/Dockerfile', 4, 13, { message: NEVER }),
    ],
  },
  {
    name: 'condition "an archive ADD may unpack an init": `.tgz`, `.tbz` among other sources give a note at the ADD; a COPY of an archive, or a file that only starts like one, does not',
    repo: images({
      'a/Dockerfile': 'FROM python:3.12-slim\nADD tools.tgz /opt/\nENTRYPOINT ["tini", "--"]\n',
      'a/tools.tgz': 'x',
      'b/Dockerfile': 'FROM python:3.12-slim\nADD readme.txt tools.tbz /opt/\nENTRYPOINT ["tini", "--"]\n',
      'b/readme.txt': 'x',
      'b/tools.tbz': 'x',
      'c/Dockerfile': 'FROM python:3.12-slim\nADD tools.tar.gz.sig /opt/\nENTRYPOINT ["tini", "--"]\n',
      'c/tools.tar.gz.sig': 'x',
      'd/Dockerfile': 'FROM python:3.12-slim\nCOPY tools.tar.gz /opt/\nENTRYPOINT ["tini", "--"]\n',
      'd/tools.tar.gz': 'x',
    }),
    only: NOTES,
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 2, 1, {
        message:
          /`ADD` of an archive unpacks files crossdock cannot list; not checked: whether the image has `tini`/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 2, 1, { message: /`ADD` of an archive/ }),
      at('entrypoint-missing', 'error', 'c/Dockerfile', 3, 13, { message: NEVER }),
      at('entrypoint-missing', 'error', 'd/Dockerfile', 3, 13, { message: NEVER }),
    ],
  },
  {
    name: 'condition "a RUN that may install an init": a known command (`echo tini`) does not; a uv install of a package of its name does; a CMD never runs during the build',
    repo: images({
      'a/Dockerfile': 'FROM python:3.12-slim\nRUN echo tini\nENTRYPOINT ["tini", "--"]\n',
      'b/Dockerfile': 'FROM python:3.12-slim\nRUN uv pip install --system tini\nENTRYPOINT ["tini", "--"]\n',
      'c/Dockerfile': 'FROM python:3.12-slim\nCMD apt-get install -y tini\nENTRYPOINT ["tini", "--"]\n',
      'd/Dockerfile': 'FROM python:3.12-slim\nRUN cp /tmp/x "$BIN/"\nENTRYPOINT ["tini", "--"]\n',
      'e/Dockerfile': 'FROM python:3.12-slim\nRUN mkdir -p /srv/data\nENTRYPOINT ["tini", "--"]\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 3, 13, { message: NEVER }),
      at('entrypoint-missing', 'error', 'c/Dockerfile', 3, 13, { message: NEVER }),
      at('unresolved-value', 'info', 'd/Dockerfile', 3, 13, {
        message:
          /^a RUN in this stage runs a program whose effects are not known; not checked: whether `tini` is in the image/,
      }),
      at('entrypoint-missing', 'error', 'e/Dockerfile', 3, 13, { message: NEVER }),
    ],
  },
  {
    name: 'condition "which installs are listed": pip download installs nothing; extras and dotted names are read; a VCS URL is not listed (a note); a flag on a local COPY is not a stage copy; conda and apt-get are opaque RUNs (a note at the module)',
    repo: images({
      'a/Dockerfile': `${PY}RUN pip download service\nCMD ["python", "-m", "service"]\n`,
      'a/lib/service.py': 'x\n',
      'b/Dockerfile': `${PY}RUN pip install "service[all]"\nCMD ["python", "-m", "service"]\n`,
      'c/Dockerfile': `${PY}RUN pip install git+https://example.com/x.git\nCMD ["python", "-m", "service"]\n`,
      'c/lib/service.py': 'x\n',
      'd/Dockerfile': `${PY}RUN pip install backports.zipfile\nCMD ["python", "-m", "service"]\n`,
      'd/lib/service.py': 'x\n',
      'e/Dockerfile': `${PY}COPY --chown=1000 lib/ /srv/lib/\nRUN pip install flask\nCMD ["python", "-m", "service"]\n`,
      'e/lib/service.py': 'x\n',
      'f/Dockerfile': `${PY}RUN conda install -y service\nCMD ["python", "-m", "service"]\n`,
      'f/lib/service.py': 'x\n',
      'g/Dockerfile': `${PY}RUN apt-get install -y curl python-yaml\nCMD ["python", "-m", "service"]\n`,
      'g/lib/service.py': 'x\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 4, 22, { message: NO_MODULE }),
      at('unresolved-value', 'info', 'c/Dockerfile', 3, 1, {
        message:
          /^`pip install git\+https:\/\/example\.com\/x\.git` installs packages crossdock does not list/,
      }),
      at('entrypoint-missing', 'error', 'd/Dockerfile', 4, 22, { message: NO_MODULE }),
      at('entrypoint-missing', 'error', 'e/Dockerfile', 5, 22, { message: NO_MODULE }),
      at('unresolved-value', 'info', 'f/Dockerfile', 4, 22, { message: /effects are not known/ }),
      at('unresolved-value', 'info', 'g/Dockerfile', 4, 22, { message: /effects are not known/ }),
    ],
  },
  {
    name: 'condition "requirement includes": a cycle is cut (a note), and an unlisted requirement in any include, not only the first, makes the set unknown',
    repo: images({
      'a/Dockerfile': `${PY}COPY requirements.txt base.txt ./\nRUN pip install -r requirements.txt\nCMD ["python", "-m", "service"]\n`,
      'a/requirements.txt': '-r base.txt\nflask\n',
      'a/base.txt': '-r requirements.txt\n',
      'a/lib/service.py': 'x\n',
      'b/Dockerfile': `${PY}COPY requirements.txt one.txt two.txt ./\nRUN pip install -r requirements.txt\nCMD ["python", "-m", "service"]\n`,
      'b/requirements.txt': '-r one.txt\n-r two.txt\n',
      'b/one.txt': 'flask\n',
      'b/two.txt': 'https://example.com/x.tar.gz\n',
      'b/lib/service.py': 'x\n',
    }),
    only: NOTES,
    expect: [
      at('unresolved-value', 'info', 'a/Dockerfile', 4, 20, {
        message: /^requirements\.txt \(included by a\/base\.txt\) was not read/,
      }),
      at('unresolved-value', 'info', 'b/Dockerfile', 4, 20, {
        message: /^b\/two\.txt installs a path or URL whose packages crossdock does not list/,
      }),
    ],
  },
  {
    name: 'condition "a distribution of the module\'s name": `python-x`, `x-python`, `pyx`, separators and the known aliases (PIL → pillow, yaml → pyyaml, …) provide it',
    repo: images({
      'a/Dockerfile': `${PY}RUN pip install python-service\nCMD ["python", "-m", "service"]\n`,
      'b/Dockerfile': `${PY}RUN pip install service-python\nCMD ["python", "-m", "service"]\n`,
      'c/Dockerfile': `${PY}RUN pip install pyservice\nCMD ["python", "-m", "service"]\n`,
      'd/Dockerfile': `${PY}RUN pip install My__Service\nCMD ["python", "-m", "my_service"]\n`,
      ...Object.fromEntries(
        [
          ['yaml', 'pyyaml'],
          ['PIL', 'pillow'],
          ['bs4', 'beautifulsoup4'],
          ['sklearn', 'scikit-learn'],
          ['cv2', 'opencv-python'],
          ['cv2', 'opencv-python-headless'],
          ['cv2', 'opencv-contrib-python'],
          ['dateutil', 'python-dateutil'],
          ['jwt', 'pyjwt'],
          ['attr', 'attrs'],
          ['psycopg2', 'psycopg2-binary'],
          ['dotenv', 'python-dotenv'],
          ['magic', 'python-magic'],
        ].map(([mod, dist], k) => [
          `alias${k}/Dockerfile`,
          `${PY}RUN pip install ${dist}\nCMD ["python", "-m", "${mod}"]\n`,
        ]),
      ),
    }),
    only: NOTES,
    expect: [],
  },
  {
    name: 'condition "an entrypoint script crossdock follows": not a program that only starts like `sh`, a bare name, a script under an unknown WORKDIR, one that `pushd`s or `shift`s, a command it runs without `exec`; `exec $@` unquoted runs the CMD',
    repo: images({
      'a/Dockerfile': `${PY}COPY . .\nENTRYPOINT ["shim", "entry.sh"]\n`,
      'a/entry.sh': '#!/bin/sh\nexec python -m service\n',
      'b/Dockerfile': `${PY}COPY . .\nENTRYPOINT ["entry.sh"]\n`,
      'b/entry.sh': '#!/bin/sh\nexec python -m service\n',
      'c/Dockerfile': 'FROM python:3.12-slim\nARG D\nWORKDIR $D\nCOPY . /\nENTRYPOINT ["sh", "entry.sh"]\n',
      'c/entry.sh': '#!/bin/sh\nexec /srv/run\n',
      'd/Dockerfile': `${PY}COPY . .\nENTRYPOINT ["./entry.sh"]\n`,
      'd/entry.sh': '#!/bin/sh\npushd /srv\nexec python -m service\n',
      'e/Dockerfile': `${PY}COPY . .\nENTRYPOINT ["./entry.sh"]\nCMD ["python", "-m", "service"]\n`,
      'e/entry.sh': '#!/bin/sh\nshift\nexec "$@"\n',
      'g/Dockerfile': `${PY}COPY . .\nENTRYPOINT ["./entry.sh"]\nCMD ["python", "-m", "service"]\n`,
      'g/entry.sh': '#!/bin/sh\necho --\nexec $@\n',
      'h/Dockerfile': `${PY}COPY . .\nENTRYPOINT ["./entry.sh"]\n`,
      'h/entry.sh': '#!/bin/sh\nnice /srv/warmup\nexec python\n',
    }),
    only: NOTES,
    expect: [at('entrypoint-missing', 'error', 'g/Dockerfile', 5, 22, { message: NO_MODULE })],
  },
  {
    name: 'condition "a system path": only a path that starts with a system folder is skipped (`lib/main.py` under /app or /opt is not); a RUN that is not a package install runs no lifecycle script',
    repo: images({
      'a/Dockerfile': `${PY}CMD ["python", "lib/main.py"]\n`,
      'b/Dockerfile': 'FROM node:20-slim\nWORKDIR /app\nRUN echo hi\nCMD ["node", "dist/server.js"]\n',
      'c/Dockerfile': 'FROM node:20-slim\nWORKDIR /opt\nCMD ["python", "lib/main.py"]\n',
    }),
    only: NOTES,
    expect: [
      at('entrypoint-missing', 'error', 'a/Dockerfile', 3, 16, { message: NEVER }),
      at('entrypoint-missing', 'error', 'b/Dockerfile', 4, 14, { message: NEVER }),
      at('unresolved-value', 'info', 'c/Dockerfile', 1, 6, {
        message: /what node:20-slim contains is not known/,
      }),
    ],
  },
  {
    name: 'an entrypoint script line with no command word (an assignment, a redirect) is skipped, and the `exec` after it checked',
    repo: built('FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["./entry.sh"]\n', {
      'entry.sh': '#!/bin/sh\nX=1\n> /tmp/log\nexec python -m service\n',
    }),
    only: NOTES,
    expect: [at('entrypoint-missing', 'error', 'entry.sh', 4, 16, { message: NO_MODULE })],
  },
]);

test('entrypoint-missing: its metadata (category, summary, hint) says what it checks and how to fix it', () => {
  assert.equal(rule.meta.category, 'dockerfile');
  assert.match(rule.meta.summary, /ENTRYPOINT, CMD, HEALTHCHECK/);
  assert.match(rule.meta.hint, /^COPY the program, script or package into the final stage/);
});
