import rule from '../../src/rules/healthcheck-tool-missing.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRepo } from '../helpers/check.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const BUILT = 'images:\n  reg/app:\n    context: .\n';
const built = (dockerfile: string) => ({ files: { Dockerfile: dockerfile, 'crossdock.yaml': BUILT } });
const MSG = /does not ship it and the final stage never installs it/;

ruleTest(rule, [
  {
    name: 'curl in a shell-form HEALTHCHECK on a slim base that never installs it is reported at the tool',
    repo: built(
      'FROM python:3.12-slim\nHEALTHCHECK --interval=30s CMD curl -f http://localhost:8000/health || exit 1\n',
    ),
    expect: [
      at('healthcheck-tool-missing', 'error', 'Dockerfile', 2, 32, {
        message:
          /^HEALTHCHECK runs `curl`, but the base image python:3.12-slim does not ship it and the final stage never installs it: the check always fails and the container is marked unhealthy \(and restarted\)$/,
        sites: ['crossdock.yaml:1'],
      }),
    ],
  },
  {
    name: 'exec form on alpine: curl is reported at the tool',
    repo: built('FROM node:20-alpine\nHEALTHCHECK CMD ["curl", "-f", "http://localhost:3000/"]\n'),
    expect: [at('healthcheck-tool-missing', 'error', 'Dockerfile', 2, 19, { message: MSG })],
  },
  {
    name: 'each tool is reported where its own command starts, not where its name first appears in the text',
    repo: built(
      'FROM python:3.12-slim\nHEALTHCHECK CMD wget -qO- http://localhost/sync || nc -z localhost 80\n',
    ),
    expect: [
      at('healthcheck-tool-missing', 'error', 'Dockerfile', 2, 17, { message: /runs `wget`/ }),
      at('healthcheck-tool-missing', 'error', 'Dockerfile', 2, 52, { message: /runs `nc`/ }),
    ],
  },
  {
    name: 'a tool written with its path, after a tool-named word in an `sh -c` string, is reported at its name',
    repo: built(
      'FROM python:3.12-slim\nHEALTHCHECK CMD ["sh", "-c", "echo curl; /usr/bin/curl -f http://x/"]\nCMD ["python", "app.py"]\n',
    ),
    expect: [at('healthcheck-tool-missing', 'error', 'Dockerfile', 2, 51, { message: /runs `curl`/ })],
  },
  {
    name: 'a HEALTHCHECK continued over lines is reported at the tool on its own line',
    repo: built('FROM python:3.12-slim\nHEALTHCHECK --interval=30s \\\n  CMD curl -f http://x/ || exit 1\n'),
    expect: [at('healthcheck-tool-missing', 'error', 'Dockerfile', 3, 7)],
  },
  {
    name: 'condition: installing it in the final stage makes it fine (no note either)',
    only: ['healthcheck-tool-missing', 'unresolved-value'],
    repo: built(
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nHEALTHCHECK CMD curl -f http://x/\n',
    ),
    expect: [],
  },
  {
    name: 'installing it in another stage does not help the final stage',
    repo: built(
      'FROM python:3.12-slim AS base\nRUN apt-get install -y curl\nFROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://x/\n',
    ),
    expect: [at('healthcheck-tool-missing', 'error', 'Dockerfile', 4, 17)],
  },
  {
    name: 'condition: a stage the final stage is built FROM that installs it is fine',
    repo: built(
      'FROM python:3.12-slim AS base\nRUN apt-get install -y curl\nFROM base\nHEALTHCHECK CMD curl -f http://x/\n',
    ),
    expect: [],
  },
  {
    name: 'condition: a base known to ship the tool is fine (python:3.12 has curl; alpine has busybox wget)',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12\nHEALTHCHECK CMD curl -f http://x/\n',
        'b/Dockerfile': 'FROM node:20-alpine\nHEALTHCHECK CMD wget -qO- http://localhost:3000/ || exit 1\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition: no curl/wget/nc in the HEALTHCHECK (NONE, the runtime itself) is fine',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK NONE\n',
        'b/Dockerfile':
          'FROM python:3.12-slim\nHEALTHCHECK CMD python -c "import urllib.request as u; u.urlopen(\'http://x/\')"\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [],
  },
  {
    name: 'every tool of an `sh -ec` command is checked, each at its position; scratch ships nothing',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim\nHEALTHCHECK CMD ["bash", "-ec", "wget -q http://x/ && nc -z localhost 80"]\n',
        'b/Dockerfile': 'FROM scratch\nHEALTHCHECK CMD ["/usr/bin/curl", "-f", "http://x/"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('healthcheck-tool-missing', 'error', 'a/Dockerfile', 2, 34, { message: /runs `wget`/ }),
      at('healthcheck-tool-missing', 'error', 'a/Dockerfile', 2, 55, { message: /runs `nc`/ }),
      at('healthcheck-tool-missing', 'error', 'b/Dockerfile', 2, 28, {
        message:
          /^HEALTHCHECK runs `curl`, but scratch does not ship it and the final stage never installs it:/,
      }),
    ],
  },
  {
    name: 'condition: only the last HEALTHCHECK counts',
    repo: built(
      'FROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://x/ || exit 1\nHEALTHCHECK CMD python -c "print(1)"\n',
    ),
    expect: [],
  },
  {
    name: 'a base image built in this repository is followed: it does not install curl, so the tool is missing',
    repo: {
      files: {
        'base/Dockerfile': 'FROM python:3.12-slim\nRUN pip install flask\n',
        'app/Dockerfile': 'FROM reg/base:1\nHEALTHCHECK CMD curl -f http://x/\n',
        'crossdock.yaml': 'images:\n  reg/base:\n    context: base\n  reg/app:\n    context: app\n',
      },
    },
    expect: [
      at('healthcheck-tool-missing', 'error', 'app/Dockerfile', 2, 17, {
        message: /the base image reg\/base:1 does not ship it/,
      }),
    ],
  },
  {
    name: 'condition: the same base built in this repository with curl installed is fine',
    repo: {
      files: {
        'base/Dockerfile': 'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\n',
        'app/Dockerfile': 'FROM reg/base:1\nHEALTHCHECK CMD curl -f http://x/\n',
        'crossdock.yaml': 'images:\n  reg/base:\n    context: base\n  reg/app:\n    context: app\n',
      },
    },
    expect: [],
  },
  {
    name: 'unknown: a base image built in this repository by two builds that differ (one installs curl) gets a note, no claim',
    repo: {
      files: {
        'base/Dockerfile': 'FROM python:3.12-slim\nRUN pip install flask\n',
        'base/Dockerfile.full': 'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\n',
        'app/Dockerfile': 'FROM reg/base:1\nHEALTHCHECK CMD curl -f http://x/\n',
        'scripts/slim.sh': 'docker build -t reg/base:1 base\n',
        'scripts/full.sh': 'docker build -t reg/base:1 -f base/Dockerfile.full base\n',
        'crossdock.yaml': 'images:\n  reg/app:\n    context: app\n',
      },
    },
    expect: [
      at('unresolved-value', 'info', 'app/Dockerfile', 1, 6, {
        message:
          /^2 builds produce reg\/base:1 differently \(scripts\/(full|slim)\.sh:1, scripts\/(full|slim)\.sh:1\).*not checked: whether the image has `curl`/,
      }),
    ],
  },
  {
    name: 'unknown: a base image crossdock knows nothing about gets no claim, only a note at its image',
    repo: built('FROM mycorp/base:1\nHEALTHCHECK CMD curl -f http://x/\n'),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 6, {
        message:
          /^crossdock does not know what mycorp\/base:1 contains; not checked: whether the image has `curl` for its HEALTHCHECK \(healthcheck-tool-missing\)$/,
      }),
    ],
  },
  {
    name: 'unknown: a base from an ARG no build site passes gets no claim, only a note at the ARG',
    repo: built('ARG BASE\nFROM $BASE\nHEALTHCHECK CMD curl -f http://x/\n'),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 1, 5, {
        message: /ARG BASE has no default and this build does not pass it/,
      }),
    ],
  },
  {
    name: 'unknown: a RUN whose effects are not known may install it: no claim, a note at the RUN',
    repo: built('FROM python:3.12-slim\nRUN ./install-tools.sh\nHEALTHCHECK CMD curl -f http://x/\n'),
    expect: [
      at('unresolved-value', 'info', 'Dockerfile', 2, 1, { message: /it runs \.\/install-tools\.sh/ }),
    ],
  },
  {
    name: 'condition: a Dockerfile nothing builds gets the same finding, capped at warning',
    repo: { files: { Dockerfile: 'FROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://x/\n' } },
    expect: [at('healthcheck-tool-missing', 'warning', 'Dockerfile', 2, 17, { reachable: false, sites: [] })],
  },
  {
    name: 'condition "no HEALTHCHECK": an image without one is not checked, whatever else runs curl',
    repo: built('FROM python:3.12-slim\nCMD ["curl", "-f", "http://x/"]\n'),
    expect: [],
  },
  {
    name: 'condition "a shell runs the last word": `sh -c` and `bash -c` exec forms are checked command by command',
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim\nHEALTHCHECK CMD ["/bin/sh", "-c", "curl -f http://x/ || exit 1"]\n',
        'b/Dockerfile':
          'FROM python:3.12-slim\nHEALTHCHECK CMD ["bash", "-c", "echo; wget -qO- http://x/"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('healthcheck-tool-missing', 'error', 'a/Dockerfile', 2, 36, { message: /runs `curl`/ }),
      at('healthcheck-tool-missing', 'error', 'b/Dockerfile', 2, 39, { message: /runs `wget`/ }),
    ],
  },
  {
    name: 'condition "a shell runs the last word": a program whose name only ends in `sh` runs its arguments as data',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD ["/app/refresh", "curl"]\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD ["/app/sh-probe", "-c", "curl"]\n',
        'c/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD ["./probe", "-c", "curl"]\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "a shell runs the last word": in a Dockerfile, `["CMD-SHELL", …]` runs a program named CMD-SHELL',
    repo: built('FROM python:3.12-slim\nHEALTHCHECK CMD ["CMD-SHELL", "curl -f http://x/"]\n'),
    expect: [],
  },
  {
    name: 'condition "a shell runs the last word": the word after `-c` is the text, later ones are $0 and arguments',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD ["sh", "-c", "exit 0", "curl"]\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD ["sh", "-x", "-c", "curl -f http://x/"]\n',
        'c/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD ["sh", "-ce", "curl -f http://x/"]\n',
        'crossdock.yaml':
          'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n  reg/c:\n    context: c\n',
      },
    },
    expect: [
      at('healthcheck-tool-missing', 'error', 'b/Dockerfile', 2, 37, { message: /runs `curl`/ }),
      at('healthcheck-tool-missing', 'error', 'c/Dockerfile', 2, 32, { message: /runs `curl`/ }),
    ],
  },
  {
    name: 'condition "a shell runs the last word": a shell given a script file (or an option value) first runs that file',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD ["sh", "/probe.sh", "-c", "curl"]\n',
        'b/Dockerfile':
          'FROM python:3.12-slim\nHEALTHCHECK CMD ["bash", "--rcfile", "/etc/rc", "-c", "curl"]\n',
        'c/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD ["sh", "-c"]\n',
        'd/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD ["bash", "--norc", "curl"]\n',
        'e/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD ["sh", "-c1", "curl"]\n',
        'crossdock.yaml': `images:\n${['a', 'b', 'c', 'd', 'e'].map((n) => `  reg/${n}:\n    context: ${n}\n`).join('')}`,
      },
    },
    expect: [],
  },
  {
    name: "a tool name inside the shell's own path is not the command: reported where the command starts",
    repo: {
      files: {
        'a/Dockerfile':
          'FROM python:3.12-slim\nHEALTHCHECK CMD ["/opt/sync/bin/sh", "-c", "nc -z localhost 80"]\n',
        'b/Dockerfile':
          'FROM python:3.12-slim\nHEALTHCHECK CMD ["nc-env/bin/sh", "-c", "nc -z localhost 80"]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [
      at('healthcheck-tool-missing', 'error', 'a/Dockerfile', 2, 45, { message: /runs `nc`/ }),
      at('healthcheck-tool-missing', 'error', 'b/Dockerfile', 2, 42, { message: /runs `nc`/ }),
    ],
  },
  {
    name: 'an operator escaped in the JSON string still separates commands: the tool is found after it',
    repo: built(
      'FROM python:3.12-slim\nHEALTHCHECK CMD ["sh", "-c", "echo a \\u0026\\u0026 curl -f http://x/"]\n',
    ),
    expect: [at('healthcheck-tool-missing', 'error', 'Dockerfile', 2, 51, { message: /runs `curl`/ })],
  },
  {
    name: 'a tool that ends the text (no arguments after it) is reported at its name',
    repo: built('FROM python:3.12-slim\nHEALTHCHECK CMD test -f /tmp/ready && wget\n'),
    expect: [at('healthcheck-tool-missing', 'error', 'Dockerfile', 2, 39, { message: /runs `wget`/ })],
  },
  {
    name: 'condition "the final stage is known": a build whose target crossdock cannot read checks no stage',
    repo: {
      files: {
        Dockerfile: 'FROM python:3.12-slim AS app\nHEALTHCHECK CMD curl -f http://x/\n',
        'build.sh': 'docker build --target "$TARGET" -t reg/app .\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "CMD": HEALTHCHECK NONE (or any other type) runs nothing, whatever follows it',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK NONE CMD curl -f http://x/\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK NONE curl CMD true\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [],
  },
  {
    name: 'condition "CMD": the keyword is case-insensitive, after any number of options',
    repo: built('FROM python:3.12-slim\nHEALTHCHECK --interval=5s --timeout=2s cmd curl -f http://x/\n'),
    expect: [at('healthcheck-tool-missing', 'error', 'Dockerfile', 2, 44)],
  },
  {
    name: 'text that is not a JSON string array is the shell form (`[ -f … ]` is the test command), as Docker runs it',
    repo: {
      files: {
        'a/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD [ -f /tmp/ready ] && curl -f http://x/\n',
        'b/Dockerfile': 'FROM python:3.12-slim\nHEALTHCHECK CMD ["curl", 1]\n',
        'crossdock.yaml': 'images:\n  reg/a:\n    context: a\n  reg/b:\n    context: b\n',
      },
    },
    expect: [at('healthcheck-tool-missing', 'error', 'a/Dockerfile', 2, 38, { message: /runs `curl`/ })],
  },
  {
    name: 'a tool named as an argument of an earlier command is not where the tool runs: reported at the command',
    repo: built('FROM python:3.12-slim\nHEALTHCHECK CMD echo curl; curl -f http://x/\n'),
    expect: [at('healthcheck-tool-missing', 'error', 'Dockerfile', 2, 28)],
  },
  {
    name: 'a tool whose name is escaped in the exec array is reported at the start of the command, after the blanks',
    repo: built('FROM python:3.12-slim\nHEALTHCHECK --interval=5s CMD  ["\\u0063url", "-f", "http://x/"]\n'),
    expect: [at('healthcheck-tool-missing', 'error', 'Dockerfile', 2, 32, { message: /runs `curl`/ })],
  },
  {
    name: 'unknown: a base stage from an unknown image: the note is at that image, where the chain starts',
    repo: built('FROM mycorp/base:1 AS base\nFROM base\nHEALTHCHECK CMD curl -f http://x/\n'),
    expect: [at('unresolved-value', 'info', 'Dockerfile', 1, 6, { message: /what mycorp\/base:1 contains/ })],
  },
]);

test('healthcheck-tool-missing: the finding spans the tool name', async () => {
  const findings = await checkRepo(
    built('FROM python:3.12-slim\nHEALTHCHECK CMD /usr/bin/curl -f http://x/\n'),
    [rule],
  );
  assert.deepEqual(
    findings.map((f) => `${f.line}:${f.column}-${f.endLine}:${f.endColumn}`),
    ['2:26-2:30'],
  );
});
