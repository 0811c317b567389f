import rule from '../../src/rules/run-export-no-effect.js';
import { at, ruleTest } from '../helpers/rule-tester.js';

const BUILT = 'images:\n  reg/app:\n    context: .\n';
const df = (...lines: string[]) => `${['FROM python:3.12-slim', ...lines].join('\n')}\n`;

ruleTest(rule, [
  {
    name: 'a RUN that only exports, cds or sources is reported at the RUN; combined with real work it is not',
    repo: {
      files: {
        Dockerfile: df(
          'RUN export PIP_NO_CACHE_DIR=1',
          'RUN cd /app',
          'RUN source /opt/venv/bin/activate && export PATH=/opt/venv/bin:$PATH',
          'RUN cd /app && make',
          'ENV A=1',
        ),
        'crossdock.yaml': BUILT,
      },
    },
    expect: [
      at('run-export-no-effect', 'warning', 'Dockerfile', 2, 1, {
        message: /later instructions do not see it/,
        reachable: true,
      }),
      at('run-export-no-effect', 'warning', 'Dockerfile', 3, 1, { message: /changes the directory/ }),
      at('run-export-no-effect', 'warning', 'Dockerfile', 4, 1, { message: /^`RUN source / }),
    ],
  },
  {
    name: 'condition: a single command with an effect in the same RUN makes it useful',
    repo: {
      files: {
        Dockerfile: df('RUN export A=1 && pip install x', 'RUN cd /app; make'),
        'crossdock.yaml': BUILT,
      },
    },
    expect: [],
  },
  {
    name: 'every shell builtin without a lasting effect counts: set, umask, `.`; exec-form `sh -c` too',
    repo: {
      files: {
        Dockerfile: df('RUN set -eux; umask 022', 'RUN . /etc/os-release', 'RUN ["sh", "-c", "export A=1"]'),
        'crossdock.yaml': BUILT,
      },
    },
    expect: [
      at('run-export-no-effect', 'warning', 'Dockerfile', 2, 1),
      at('run-export-no-effect', 'warning', 'Dockerfile', 3, 1),
      at('run-export-no-effect', 'warning', 'Dockerfile', 4, 1),
    ],
  },
  {
    name: 'a Dockerfile nothing builds is still checked (the rule is a warning, so the cap changes nothing)',
    repo: { files: { 'api/Dockerfile': df('RUN cd /app') } },
    expect: [at('run-export-no-effect', 'warning', 'api/Dockerfile', 2, 1, { reachable: false })],
  },
  {
    name: 'a stage the build does not produce is checked too, and is not reached',
    repo: {
      files: {
        Dockerfile: [
          'FROM python:3.12-slim AS unused',
          'RUN export A=1',
          'FROM python:3.12-slim',
          'RUN export B=1',
          '',
        ].join('\n'),
        'crossdock.yaml': BUILT,
      },
    },
    expect: [
      at('run-export-no-effect', 'warning', 'Dockerfile', 2, 1, { reachable: false }),
      at('run-export-no-effect', 'warning', 'Dockerfile', 4, 1, { reachable: true }),
    ],
  },
  {
    name: 'condition: ENV and WORKDIR, the right tools, report nothing',
    repo: {
      files: {
        Dockerfile: df('ENV PIP_NO_CACHE_DIR=1', 'WORKDIR /app', 'RUN make'),
        'crossdock.yaml': BUILT,
      },
    },
    expect: [],
  },
  {
    name: 'a heredoc RUN whose body only exports is reported at the RUN (also when a bare shell reads it); a body with real work, or a heredoc fed to another command (`cat <<EOF > file`), is not',
    repo: {
      files: {
        Dockerfile: df(
          'RUN <<EOF',
          'export PIP_NO_CACHE_DIR=1',
          'EOF',
          'RUN <<EOF bash',
          'set -e',
          'cd /app',
          'EOF',
          'RUN <<EOF',
          'export A=1',
          'pip install x',
          'EOF',
          'RUN cat <<EOF > /etc/profile.d/pip.sh',
          'export PIP_NO_CACHE_DIR=1',
          'EOF',
        ),
        'crossdock.yaml': BUILT,
      },
    },
    expect: [
      at('run-export-no-effect', 'warning', 'Dockerfile', 2, 1, {
        message: /^`RUN export PIP_NO_CACHE_DIR=1` only changes the environment/,
      }),
      at('run-export-no-effect', 'warning', 'Dockerfile', 5, 1, { message: /^`RUN set -e` only/ }),
    ],
  },
  {
    name: 'exports inside if/else, beside tests and echo, have no effect either: reported at the RUN',
    repo: {
      files: {
        Dockerfile: [
          'FROM python:3.12-slim',
          'RUN if [ "$P" = big ]; then export W=8; else export W=2; fi',
          'RUN [[ -n "$X" ]] && echo "using $X" && cd /srv',
          'RUN test -f /etc/os-release; printf "%s\\n" ok; export A=1; :',
          '',
        ].join('\n'),
      },
    },
    expect: [
      at('run-export-no-effect', 'warning', 'Dockerfile', 2, 1, {
        message:
          /^`RUN if \[ "\$P" = big \]; then export W=8; else export W=2; fi` only changes the environment of its own shell/,
      }),
      at('run-export-no-effect', 'warning', 'Dockerfile', 3, 1, {
        message: /^`RUN \[\[ -n "\$X" \]\] && echo "using \$X" && cd \/srv` only changes the directory/,
      }),
      at('run-export-no-effect', 'warning', 'Dockerfile', 4, 1),
    ],
  },
  {
    name: 'condition "harmless": tests and echo alone are not this rule\'s; echo into a file, or a real command in a branch, is an effect',
    repo: {
      files: {
        Dockerfile: [
          'FROM python:3.12-slim',
          'RUN [ -f /etc/os-release ] && echo ok',
          'RUN export A=1 && echo "$A" > /etc/a',
          'RUN if [ "$P" = big ]; then export W=8; else pip install small; fi',
          'RUN export V=$(cat /v) && printf "%s" "$V" | tee /etc/v',
          '',
        ].join('\n'),
      },
    },
    expect: [],
  },
  {
    name: 'unset, alias and ulimit count too (beside `|| true`); so does a heredoc read by sh, dash or zsh, or written `<<-EOF`',
    repo: {
      files: {
        Dockerfile: df(
          'RUN unset PIP_INDEX_URL',
          "RUN alias ll='ls -l'",
          'RUN ulimit -n 1024 || true',
          'RUN <<EOF sh',
          'export A=1',
          'EOF',
          'RUN <<EOF dash',
          'export A=1',
          'EOF',
          'RUN <<EOF zsh',
          'export A=1',
          'EOF',
          'RUN <<-EOF',
          '\texport A=1',
          '\tEOF',
        ),
        'crossdock.yaml': BUILT,
      },
    },
    expect: [2, 3, 4, 5, 8, 11, 14].map((line) =>
      at('run-export-no-effect', 'warning', 'Dockerfile', line, 1),
    ),
  },
  {
    name: 'the message quotes the shell text after the flags, trimmed, and at most 60 characters of it',
    repo: {
      files: {
        Dockerfile: df(
          'RUN --network=none cd /app   ',
          'RUN export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1',
        ),
        'crossdock.yaml': BUILT,
      },
    },
    expect: [
      at('run-export-no-effect', 'warning', 'Dockerfile', 2, 1, { message: /^`RUN cd \/app` only changes/ }),
      at('run-export-no-effect', 'warning', 'Dockerfile', 3, 1, {
        message: /^`RUN export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PY` only changes/,
      }),
    ],
  },
  {
    name: 'condition "command substitution": `export V=$(pip install x)` or `` cd `mktemp -d` `` runs a command that leaves something behind',
    repo: {
      files: {
        Dockerfile: df('RUN export V=$(pip install x)', 'RUN cd `mktemp -d`'),
        'crossdock.yaml': BUILT,
      },
    },
    expect: [],
  },
  {
    name: 'condition "redirect": a builtin, or a heredoc\'s shell, whose output goes to a file writes that file',
    repo: {
      files: {
        Dockerfile: df('RUN set -x 2> /var/log/trace', 'RUN <<EOF sh > /etc/out', 'export A=1', 'EOF'),
        'crossdock.yaml': BUILT,
      },
    },
    expect: [],
  },
  {
    name: 'condition "heredoc line": a bare assignment is not one (`DIR=$(mktemp -d)` creates the folder); nor is a heredoc given to another program or to a shell with a script',
    repo: {
      files: {
        Dockerfile: df(
          'RUN DIR=$(mktemp -d) && cd "$DIR"',
          'RUN <<EOF refresh',
          'export A=1',
          'EOF',
          'RUN <<EOF sh /opt/setup.sh',
          'export A=1',
          'EOF',
        ),
        'crossdock.yaml': BUILT,
      },
    },
    expect: [],
  },
]);
